import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The trainer's live status on standard error:
///
///     epoch 3/10  step 212/468  recon 92.41  KL 24.87  loss 117.28  1893 img/s  ETA 4m12s
///
/// On a terminal the line is rewritten in place (`\r`, then "erase to end of line") at most ten
/// times a second; into a file or a pipe a new line is written every `interval` seconds, so logs
/// stay readable. The numbers are the running means of the epoch so far.
///
/// Its cost per step is one clock read and a comparison; formatting happens only when a line
/// is due.
struct ProgressLine {
    /// Whether standard error is a terminal.
    let isTerminal: Bool
    /// Seconds between lines when not on a terminal.
    public let interval: Double
    private var lastWrite: UInt64 = 0
    private var written = false

    public init(interval: Double = 5) {
        isTerminal = isatty(STDERR_FILENO) != 0
        self.interval = interval
    }

    /// Nanoseconds on a monotonic clock.
    @inline(__always)
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Whether a line is due at `time`.
    @inline(__always)
    func isDue(at time: UInt64) -> Bool {
        let gap = isTerminal ? 0.1 : interval
        return !written || Double(time &- lastWrite) * 1e-9 >= gap
    }

    /// Writes `text` now, in place on a terminal.
    mutating func show(_ text: String, at time: UInt64) {
        lastWrite = time
        written = true
        let line = isTerminal ? "\r\u{1B}[K" + text : text + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Clears a line rewritten in place, so that what follows starts on a clean line.
    mutating func clear() {
        if isTerminal && written { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        written = false
    }

    /// "4m12s", "1h03m", "37s".
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, s % 3600 / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}
