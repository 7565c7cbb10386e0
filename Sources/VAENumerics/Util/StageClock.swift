import Foundation

/// Where a program's time goes, in three stages and the rest: training, evaluation, drawing.
///
/// The library marks its own work: the trainer's epochs (`ModelTrainer.trainEpoch`, whichever
/// model it trains) count as training, every evaluation pass over a model (`evaluateELBO`,
/// `evaluateImportanceWeighted`, `measureLatentActivity`, `encodePosteriors`, the judge's
/// classifier) as evaluation, and `FigureWriter.write` (the gnuplot run) as drawing. Stages nest:
/// time counts for the innermost one only, so a test-set evaluation at the end of an epoch is
/// evaluation, not training, and the stages never add up to more than the wall clock.
///
/// `figures` reads the totals of each chapter it runs, to end with a table of where the time went:
/// when the environment variable `VAE_STAGE_TIMES` names a file, the totals are rewritten to it
/// (atomically, as JSON seconds) each time an outermost stage ends.
///
/// The stages form one stack per process: mark work from the thread that drives the program (the
/// library's kernels run their worker threads inside a stage, they do not open one).
public enum StageClock {
    /// What a span of time is spent on.
    public enum Stage: String, CaseIterable, Codable, Sendable {
        case training, evaluation, drawing
    }

    /// Seconds per stage so far, in this process.
    public struct Totals: Codable, Equatable, Sendable {
        public var training = 0.0, evaluation = 0.0, drawing = 0.0
        public init() {}
        public subscript(stage: Stage) -> Double {
            get { switch stage { case .training: training; case .evaluation: evaluation; case .drawing: drawing } }
            set { switch stage { case .training: training = newValue; case .evaluation: evaluation = newValue; case .drawing: drawing = newValue } }
        }
    }

    /// The environment variable naming the file the totals are written to.
    public static let environmentVariable = "VAE_STAGE_TIMES"

    nonisolated(unsafe) private static var ledger = StageLedger()
    private static let lock = NSLock()
    private static let file: URL? = ProcessInfo.processInfo.environment[environmentVariable]
        .flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }

    /// Runs `body`, counting its time (less that of any stage inside it) for `stage`.
    public static func measure<R>(_ stage: Stage, _ body: () throws -> R) rethrows -> R {
        begin(stage)
        defer { end() }
        return try body()
    }

    /// The totals so far, with the open stage counted up to now.
    public static var totals: Totals {
        lock.lock(); defer { lock.unlock() }
        return ledger.totals(at: Stopwatch.nowNanoseconds())
    }

    private static func begin(_ stage: Stage) {
        lock.lock(); defer { lock.unlock() }
        ledger.begin(stage, at: Stopwatch.nowNanoseconds())
    }

    private static func end() {
        lock.lock()
        let outermost = ledger.end(at: Stopwatch.nowNanoseconds())
        let totals = ledger.totals(at: 0)
        lock.unlock()
        // A timing table is a convenience: a file that cannot be written must not stop a chapter.
        if outermost, let file, let data = try? JSONEncoder().encode(totals) {
            try? AtomicFile.write(data, to: file)
        }
    }
}

/// The bookkeeping behind `StageClock`, on explicit clock readings (nanoseconds) so that it can
/// be tested: a stack of open stages, the innermost one accruing time.
struct StageLedger: Sendable {
    public private(set) var closed = StageClock.Totals()
    private var open: [(stage: StageClock.Stage, since: UInt64)] = []

    public init() {}

    /// Opens `stage` at `now`: the stage open until now stops accruing.
    public mutating func begin(_ stage: StageClock.Stage, at now: UInt64) {
        if let top = open.last { closed[top.stage] += Self.seconds(from: top.since, to: now) }
        open.append((stage, now))
    }

    /// Closes the innermost stage at `now`; the one around it accrues again. Returns whether no
    /// stage is open any more. An `end` without a `begin` is ignored.
    @discardableResult
    public mutating func end(at now: UInt64) -> Bool {
        guard let top = open.popLast() else { return true }
        closed[top.stage] += Self.seconds(from: top.since, to: now)
        if !open.isEmpty { open[open.count - 1].since = now }
        return open.isEmpty
    }

    /// The closed totals plus the open stage's time up to `now` (none when `now` is before it).
    public func totals(at now: UInt64) -> StageClock.Totals {
        var totals = closed
        if let top = open.last, now > top.since { totals[top.stage] += Self.seconds(from: top.since, to: now) }
        return totals
    }

    private static func seconds(from start: UInt64, to end: UInt64) -> Double { Double(end &- start) * 1e-9 }
}
