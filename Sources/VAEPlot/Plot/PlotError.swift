import VAENumerics
import Foundation

/// Everything that can go wrong between a `Figure` and a PNG on disk.
///
/// A figure that makes no sense (mismatched lengths, an empty plot, a bad colour) is caught before
/// gnuplot ever runs, with a message that names the problem. When gnuplot itself fails, its own
/// error text (the caret under the offending token) is carried in `gnuplotFailed`.
public enum PlotError: Error, Equatable, CustomStringConvertible {
    /// The figure's data or settings are inconsistent; the string says which and why.
    case invalidFigure(String)
    /// A figure name must be a plain file stem: letters, digits, `.`, `_`, `-`.
    case invalidName(String)
    /// gnuplot exists but could not be started.
    case launchFailed(executable: String, reason: String)
    /// gnuplot ran and failed: its exit status, everything it wrote to stderr, and the script
    /// that was written beside the figure so it can be re-run by hand.
    case gnuplotFailed(status: Int32, stderr: String, script: String)
    /// gnuplot exited with status 0 but the PNG is not there.
    case outputMissing(String)
    /// gnuplot wrote a file that ends before a complete one would (a PNG without its IEND chunk,
    /// an SVG without `</svg>`, a PDF without `%%EOF`: a full disk): it was not kept.
    case outputTruncated(String)
    /// Writing the script file (or creating the figures directory) failed.
    case fileWriteFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidFigure(let why):
            return "invalid figure: \(why)"
        case .invalidName(let name):
            return "invalid figure name '\(name)': use letters, digits, '.', '_' and '-' only (no '/' and no extension)"
        case .launchFailed(let executable, let reason):
            return "could not start gnuplot at \(executable): \(reason)"
        case .gnuplotFailed(let status, let stderr, let script):
            return "gnuplot failed (exit status \(status)) on \(script):\n\(stderr)"
        case .outputMissing(let path):
            return "gnuplot exited normally but did not write \(path)"
        case .outputTruncated(let path):
            let ending = FigureFormat(rawValue: URL(fileURLWithPath: path).pathExtension).map(\.completeEnding) ?? "its complete ending"
            return "gnuplot wrote an incomplete \(path) (it does not end with \(ending): is the disk full?); it was not kept"
        case .fileWriteFailed(let path, let reason):
            return "could not write \(path): \(reason)"
        }
    }
}
