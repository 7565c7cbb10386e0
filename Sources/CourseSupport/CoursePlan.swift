import Foundation
import VAECore

/// What a chapter run by `figures` took: its wall-clock time, the machine's speed when it ran,
/// and the trained runs it used (from the trainers' `RunLedger`), so that a later run can be
/// planned before it starts.
public struct ChapterRecord: Codable, Equatable, Sendable {
    /// Wall-clock seconds of the chapter's whole run.
    public var seconds: Double
    /// Of those, the seconds spent training (`StageClock`): the runs' training, and any the
    /// chapter does every time (a resumed run's share is only the epochs it had left).
    public var training: Double
    /// `TrainingSpeed.referenceImagesPerSecond` on the machine at the start of that `figures` run.
    public var imagesPerSecond: Double
    /// The machine, in words (`Machine.description`).
    public var machine: String
    /// The runs it used, their files relative to the package; those it trained have their
    /// training seconds.
    public var runs: [RunLedger.Entry]

    public init(seconds: Double, training: Double, imagesPerSecond: Double, machine: String, runs: [RunLedger.Entry]) {
        self.seconds = seconds
        self.training = training
        self.imagesPerSecond = imagesPerSecond
        self.machine = machine
        self.runs = runs
    }

    /// Whether it reused every run it used (and used at least one): a rerun's time, not a first run's.
    public var reusedEverything: Bool { !runs.isEmpty && !runs.contains(where: \.trainedHere) }
}

/// The recorded chapter runs of the course, per mode (full or `--quick`): for each chapter, its
/// last run that trained something (or had nothing to train) and its last run that reused
/// everything. `figures` keeps them in `figures/book/course-times.json`, committed with the
/// figures, so that a fresh clone's first run is planned from the run that made its figures.
public struct CourseTimes: Codable, Equatable, Sendable {
    /// A chapter's two recorded runs.
    public struct Chapter: Codable, Equatable, Sendable {
        public var trained: ChapterRecord?
        public var reused: ChapterRecord?
        public init(trained: ChapterRecord? = nil, reused: ChapterRecord? = nil) {
            self.trained = trained
            self.reused = reused
        }
    }

    /// Per mode (`full`, `quick`), per chapter run's name (`ch02-convolution (again)` for the
    /// second run `figures` makes of a chapter).
    public var modes: [String: [String: Chapter]] = [:]

    public init() {}

    /// The mode's name in the file.
    public static func mode(quick: Bool) -> String { quick ? "quick" : "full" }

    /// Keeps `record` as the chapter's trained or reused run of its mode.
    public mutating func record(_ record: ChapterRecord, chapter: String, quick: Bool) {
        var entry = modes[Self.mode(quick: quick), default: [:]][chapter] ?? Chapter()
        if record.reusedEverything { entry.reused = record } else { entry.trained = record }
        modes[Self.mode(quick: quick), default: [:]][chapter] = entry
    }

    /// The file's name in the figures' `book/` folder.
    public static let fileName = "course-times.json"

    /// The records in `figures/book/course-times.json`, else in the package's own committed
    /// copy, else none.
    /// - Throws: when a file is there but is not such a record.
    public static func read(figures: URL) throws -> CourseTimes {
        let candidates = [figures, CoursePaths.figures].map {
            $0.appendingPathComponent("book", isDirectory: true).appendingPathComponent(fileName)
        }
        guard let url = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else { return CourseTimes() }
        do {
            return try JSONDecoder().decode(CourseTimes.self, from: Data(contentsOf: url))
        } catch {
            throw CoursePlanError(description: "the recorded chapter times \(url.path) cannot be read: \(decodingExplanation(error))")
        }
    }

    /// Writes the records to `figures/book/course-times.json`, atomically, keys sorted (one
    /// chapter's change is one change in the file's history).
    public func write(figures: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let folder = figures.appendingPathComponent("book", isDirectory: true)
        try AtomicFile.write(try encoder.encode(self), to: folder.appendingPathComponent(Self.fileName))
    }
}

/// A recorded-times file that cannot be read.
public struct CoursePlanError: Error, CustomStringConvertible {
    public let description: String
}

/// What a run of chapters will do before it starts: for each chapter, the trained runs it will
/// train and those it will reuse, and its expected time on this machine.
///
/// A chapter's time is its recorded one (`CourseTimes`) scaled by the machine's speed: recorded
/// seconds × (images/s when recorded ÷ images/s now), with the reference VAE's training step as
/// the measure of speed (`TrainingSpeed`). A chapter that reuses every run takes its recorded
/// rerun's time; one that trains takes its recorded first run's time without the training it
/// will not do, plus the recorded training time of each run it will train (a run's whole
/// training, as its epochs recorded it, even when the recorded chapter only resumed it). A run counts as there
/// when its file (or its set-aside copy) holds the finished run of the recorded fingerprint, or
/// when an earlier chapter of the same plan trains it.
public struct CoursePlan: Sendable {
    /// One chapter's part of the plan.
    public struct Step: Sendable {
        public var chapter: String
        /// Runs it will train, and those it will find trained.
        public var trains: [RunLedger.Entry] = []
        public var reuses: [RunLedger.Entry] = []
        /// Expected seconds on this machine; nil when the chapter has no record in this mode, or
        /// a run it will train has no recorded training time.
        public var estimate: Double?
    }

    public var steps: [Step]
    /// The machine's speed now, the plan's yardstick.
    public var imagesPerSecond: Double
    public var quick: Bool

    /// Plans `chapters` (run names, in order) of one mode from `times`, with the machine now at
    /// `imagesPerSecond`; `isThere` says whether a recorded run is on disk now.
    public init(chapters: [String], quick: Bool, times: CourseTimes, imagesPerSecond: Double,
                isThere: (RunLedger.Entry) -> Bool) {
        self.quick = quick
        self.imagesPerSecond = imagesPerSecond
        let records = times.modes[CourseTimes.mode(quick: quick)] ?? [:]
        // What training each run took, scaled to this machine: from a record that trained it
        // where there is one, else from any that knows its recorded time.
        var trainingTime: [String: Double] = [:]
        let all = records.keys.sorted().flatMap { [records[$0]!.trained, records[$0]!.reused].compactMap { $0 } }
        for record in all.sorted(by: { !$0.reusedEverything && $1.reusedEverything }).reversed() {
            for run in record.runs where run.trainingSeconds > 0 {
                trainingTime[Self.key(run)] = run.trainingSeconds * record.imagesPerSecond / imagesPerSecond
            }
        }
        var planned = Set<String>()            // runs an earlier chapter of this plan trains
        steps = chapters.map { chapter in
            var step = Step(chapter: chapter)
            guard let recorded = records[chapter], let record = recorded.trained ?? recorded.reused else { return step }
            for run in record.runs {
                if planned.contains(Self.key(run)) || isThere(run) {
                    step.reuses.append(run)
                } else {
                    step.trains.append(run)
                    planned.insert(Self.key(run))
                }
            }
            func scaled(_ r: ChapterRecord) -> Double { r.seconds * r.imagesPerSecond / imagesPerSecond }
            if step.trains.isEmpty, let again = recorded.reused {
                step.estimate = scaled(again)
            } else {
                let training = step.trains.map { trainingTime[Self.key($0)] }
                guard !training.contains(where: { $0 == nil }) else { return step }
                let base: Double
                if let first = recorded.trained {
                    // Its time without the training of its runs (of a resumed run, only what was left).
                    let runs = first.runs.filter(\.trainedHere).reduce(0) { $0 + $1.trainingSeconds }
                    base = scaled(first) - min(first.training, runs) * first.imagesPerSecond / imagesPerSecond
                } else {
                    base = scaled(record)
                }
                step.estimate = max(0, base) + training.reduce(0) { $0 + $1! }
            }
            return step
        }
    }

    private static func key(_ run: RunLedger.Entry) -> String { run.checkpoint + " " + run.fingerprint }

    /// The sum of the estimates, and whether every chapter has one.
    public var total: (seconds: Double, complete: Bool) {
        (steps.reduce(0) { $0 + ($1.estimate ?? 0) }, steps.allSatisfy { $0.estimate != nil })
    }

    /// The plan in words, one line per chapter, the total last.
    public func text(machine: String) -> String {
        let width = max(24, (steps.map(\.chapter.count).max() ?? 0) + 2)
        var lines = [String(format: "The plan (%@ mode), on %@ training the reference VAE at %.0f images/s now:",
                            quick ? "quick" : "full", machine, imagesPerSecond)]
        for step in steps {
            let time = step.estimate.map { "≈ " + Self.clock($0) } ?? "unknown"
            var what: [String] = []
            if !step.trains.isEmpty { what.append("trains " + Self.describe(step.trains)) }
            if !step.reuses.isEmpty { what.append("reuses " + Self.describe(step.reuses)) }
            if step.estimate == nil && step.trains.isEmpty && step.reuses.isEmpty {
                what.append("no recorded run of this chapter in \(quick ? "quick" : "full") mode")
            } else if step.estimate == nil {
                what.append("(a run to train has no recorded time)")
            }
            if what.isEmpty { what.append("trains nothing") }
            lines.append("  " + step.chapter.padding(toLength: width, withPad: " ", startingAt: 0)
                         + time.padding(toLength: max(15, time.count + 1), withPad: " ", startingAt: 0) + what.joined(separator: "; "))
        }
        let total = total
        lines.append("  " + "all".padding(toLength: width, withPad: " ", startingAt: 0)
                     + (total.complete ? "≈ " : "≥ ") + Self.clock(total.seconds)
                     + (total.complete ? "" : " (chapters without an estimate not counted)"))
        return lines.joined(separator: "\n")
    }

    /// "runs/vae (30 epochs)"; three or more runs in one folder as "47 runs in runs/ablations/ (2–20 epochs)".
    static func describe(_ runs: [RunLedger.Entry]) -> String {
        var folders: [String] = [], members: [String: [RunLedger.Entry]] = [:]
        for run in runs {
            let folder = (runName(run) as NSString).deletingLastPathComponent
            if members[folder] == nil { folders.append(folder) }
            members[folder, default: []].append(run)
        }
        func epochs(_ runs: [RunLedger.Entry]) -> String {
            let counts = Set(runs.map(\.epochs)).sorted()
            if counts == [0] { return "" }
            if counts.count > 1 { return " (\(counts.first!)–\(counts.last!) epochs)" }
            return " (\(counts[0]) epoch\(counts[0] == 1 ? "" : "s")\(runs.count > 1 ? " each" : ""))"
        }
        return folders.flatMap { folder -> [String] in
            let group = members[folder]!
            return group.count >= 3 ? ["\(group.count) runs in \(folder)/" + epochs(group)] : group.map { runName($0) + epochs([$0]) }
        }.joined(separator: ", ")
    }

    /// A run's folder (for `checkpoint.safetensors`) or file.
    static func runName(_ run: RunLedger.Entry) -> String {
        let file = URL(fileURLWithPath: run.checkpoint)
        return file.lastPathComponent == "checkpoint.safetensors" ? (run.checkpoint as NSString).deletingLastPathComponent : run.checkpoint
    }

    /// "42 s", "5 min 07 s", "1 h 02 min".
    public static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        if seconds < 60 { return String(format: "%.0f s", seconds) }
        let s = Int(seconds.rounded())
        if s < 3600 { return String(format: "%d min %02d s", s / 60, s % 60) }
        return String(format: "%d h %02d min", s / 3600, s % 3600 / 60)
    }

    /// The course-wide progress line after `done` of the plan's chapters, `elapsed` seconds in:
    /// what is left is the remaining chapters' estimates, scaled by how the finished ones compared
    /// with theirs.
    public func progress(done: Int, elapsed: Double, spentOnEstimated: Double, now: Date = Date()) -> String {
        let finished = steps.prefix(done), remaining = steps.dropFirst(done)
        let estimatedDone = finished.reduce(0) { $0 + ($1.estimate ?? 0) }
        let ratio = estimatedDone > 0 && spentOnEstimated > 0 ? spentOnEstimated / estimatedDone : 1
        let left = remaining.reduce(0) { $0 + ($1.estimate ?? 0) } * ratio
        var line = "course: \(done) of \(steps.count) chapter runs done, \(Self.clock(elapsed)) elapsed"
        if remaining.isEmpty { return line }
        let unknown = remaining.filter { $0.estimate == nil }.count
        if unknown == remaining.count { return line + "; the time left is unknown (no recorded run to go by)" }
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm"
        line += "; about \(Self.clock(left)) left (ETA \(formatter.string(from: now.addingTimeInterval(left))))"
        if unknown > 0 { line += ", more for the \(unknown) without an estimate" }
        return line
    }
}

extension ChapterOptions {
    /// The environment variable `figures` sets for the chapters it runs: it has printed the plan.
    public static let plannedByFiguresVariable = "VAE_FIGURES_PLANNED"

    /// Prints (on standard error) this chapter's plan: what it will train and reuse, and how long
    /// it should take here, from the recorded figures run of its mode scaled by a one-second
    /// measurement of this machine's speed. Nothing when `figures` runs it (the course's plan said
    /// it), or when the chapter has no record (it says so).
    public func announcePlan() {
        guard ProcessInfo.processInfo.environment[Self.plannedByFiguresVariable] == nil else { return }
        let chapter = URL(fileURLWithPath: CommandLine.arguments[0]).lastPathComponent
        do {
            let times = try CourseTimes.read(figures: URL(fileURLWithPath: figures, isDirectory: true))
            let speed = try TrainingSpeed.referenceImagesPerSecond()
            let plan = CoursePlan(chapters: [chapter], quick: quick, times: times, imagesPerSecond: speed) {
                RunLedger.isAvailable($0, at: CoursePaths.root.appendingPathComponent($0.checkpoint))
            }
            log(plan.text(machine: Machine.description) + "\n  (from the recorded figures run of the chapter's default settings)")
        } catch {
            log("no plan: \(error)")
        }
    }
}
