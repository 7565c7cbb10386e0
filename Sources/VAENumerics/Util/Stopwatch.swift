#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A monotonic wall-clock timer (`CLOCK_MONOTONIC`: never jumps with the time of day).
///
/// ```swift
/// let watch = Stopwatch()
/// work()
/// print(watch.elapsedSeconds)
/// ```
public struct Stopwatch: Sendable {
    private let start: UInt64

    /// Starts the timer now.
    public init() { start = Stopwatch.nowNanoseconds() }

    /// Nanoseconds since `init`.
    var elapsedNanoseconds: UInt64 { Stopwatch.nowNanoseconds() - start }

    /// Seconds since `init`.
    public var elapsedSeconds: Double { Double(elapsedNanoseconds) * 1e-9 }

    /// The monotonic clock, in nanoseconds from an arbitrary origin.
    static func nowNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

/// Runs `body` `warmup` times untimed, then `repeats` times timed, and returns the fastest run
/// in seconds.
///
/// The minimum, not the mean: on a shared machine, noise (other processes, interrupts, a cold
/// cache) only ever adds time, so the fastest run is the best estimate of what the code costs.
///
/// - Precondition: `repeats` ≥ 1, `warmup` ≥ 0.
public func measureBest(repeats: Int, warmup: Int = 1, _ body: () throws -> Void) rethrows -> Double {
    precondition(repeats >= 1 && warmup >= 0, "measureBest: repeats must be ≥ 1 and warmup ≥ 0")
    for _ in 0..<warmup { try body() }
    var best = Double.infinity
    for _ in 0..<repeats {
        let watch = Stopwatch()
        try body()
        best = min(best, watch.elapsedSeconds)
    }
    return best
}

/// Like `measureBest(repeats:warmup:_:)`, but stops repeating once `budget` seconds have been
/// spent (after at least one timed run), so slow code is timed once and fast code many times.
public func measureBest(maxRepeats: Int, budget: Double, warmup: Int = 1,
                        _ body: () throws -> Void) rethrows -> Double {
    precondition(maxRepeats >= 1 && warmup >= 0, "measureBest: maxRepeats must be ≥ 1 and warmup ≥ 0")
    let total = Stopwatch()
    for _ in 0..<warmup { try body() }
    var best = Double.infinity
    for _ in 0..<maxRepeats {
        let watch = Stopwatch()
        try body()
        best = min(best, watch.elapsedSeconds)
        if total.elapsedSeconds >= budget { break }
    }
    return best
}
