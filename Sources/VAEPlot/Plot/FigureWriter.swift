import VAENumerics
import Foundation

/// What `FigureWriter.write` produced.
public enum FigureOutcome: Sendable, Equatable, CustomStringConvertible {
    /// gnuplot drew the figure (`png`: the drawn file, a PNG, or an SVG or PDF in those formats);
    /// the script that drew it is beside it. `warnings` is whatever gnuplot wrote to stderr while
    /// succeeding (e.g. points dropped on a log axis), often empty.
    case rendered(png: URL, script: URL, warnings: String)
    /// gnuplot was not found: only the script was written; `instructions` says how to install
    /// gnuplot and render it by hand.
    case scriptOnly(script: URL, instructions: String)

    /// The script, written in both cases.
    public var script: URL {
        switch self {
        case .rendered(_, let script, _), .scriptOnly(let script, _): return script
        }
    }

    /// The drawn file (PNG, SVG or PDF), when one was drawn.
    public var png: URL? {
        if case .rendered(let png, _, _) = self { return png }
        return nil
    }

    public var description: String {
        switch self {
        case .rendered(let png, _, let warnings):
            return warnings.isEmpty ? "wrote \(png.path)" : "wrote \(png.path); gnuplot warned:\n\(warnings)"
        case .scriptOnly(_, let instructions): return instructions
        }
    }
}

/// Writes figures into a directory: `name.gp` (the self-contained gnuplot script) and, through
/// gnuplot, `name.png` beside it (or `name.svg`, `name.pdf` in those formats).
///
///     let writer = FigureWriter(directory: URL(fileURLWithPath: "figures"))
///     let outcome = try writer.write(figure, name: "ch03-gaussian-histogram")
///     print(outcome)   // "wrote figures/ch03-gaussian-histogram.png", or how to install gnuplot
///
/// Without gnuplot the script is still written and the outcome is `.scriptOnly` (not an error):
/// the course must run on a machine without it, and the figure can be drawn later.
public struct FigureWriter: Sendable {
    /// Where scripts and PNGs go; created when missing.
    public var directory: URL
    /// The gnuplot to run; `nil` when none was found, and figures are written as scripts only.
    public var gnuplot: GnuplotProcess?
    /// Print the instructions to stderr when gnuplot is missing, so they are seen even when the
    /// outcome is ignored.
    var reportsMissingGnuplot: Bool
    /// The file drawn: PNG (the default), SVG or PDF, with the same look.
    public var format: FigureFormat

    /// A writer that finds gnuplot through `$GNUPLOT` or `PATH`, or uses `gnuplotPath` if given
    /// (a path that does not exist counts as no gnuplot).
    public init(directory: URL, gnuplotPath: String? = nil, reportsMissingGnuplot: Bool = true, format: FigureFormat = .png) {
        self.directory = directory
        self.format = format
        if let gnuplotPath {
            self.gnuplot = FileManager.default.isExecutableFile(atPath: gnuplotPath)
                ? GnuplotProcess(executable: URL(fileURLWithPath: gnuplotPath)) : nil
        } else {
            self.gnuplot = GnuplotProcess.locate().map { GnuplotProcess(executable: $0) }
        }
        self.reportsMissingGnuplot = reportsMissingGnuplot
    }

    /// Writes `directory/name.gp` and renders `directory/name.png` from it (`.svg`, `.pdf` in
    /// those formats).
    ///
    /// - Parameter name: the file stem: letters, digits, `.`, `_`, `-` (e.g. "ch05-loss").
    /// - Throws: `PlotError.invalidName`, `.invalidFigure` for inconsistent data (nothing is
    ///   written), `.fileWriteFailed`, and `.gnuplotFailed` with gnuplot's own error text.
    @discardableResult
    public func write(_ figure: Figure, name: String) throws -> FigureOutcome {
        try StageClock.measure(.drawing) { try writeTimed(figure, name: name) }
    }

    /// `write(_:name:)`'s body, its time counted as drawing.
    private func writeTimed(_ figure: Figure, name: String) throws -> FigureOutcome {
        guard !name.isEmpty, !name.hasPrefix("."), name.unicodeScalars.allSatisfy(Self.nameCharacters.contains) else {
            throw PlotError.invalidName(name)
        }
        let pngName = name + "." + format.fileExtension
        let script = try figure.gnuplotScript(output: pngName, format: format)
        let scriptURL = directory.appendingPathComponent(name + ".gp")
        let pngURL = directory.appendingPathComponent(pngName)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(script.utf8).write(to: scriptURL, options: .atomic)
        } catch {
            throw PlotError.fileWriteFailed(path: scriptURL.path, reason: error.localizedDescription)
        }

        guard let gnuplot else {
            let instructions = """
            gnuplot was not found (looked at $GNUPLOT, then for gnuplot on PATH), so \(pngName) was not drawn.
            The script is written: \(scriptURL.path)
            Install gnuplot (Debian/Ubuntu: sudo apt-get install gnuplot-nox; macOS: brew install gnuplot), then render it with
                cd \(directory.path) && gnuplot \(name).gp
            """
            if reportsMissingGnuplot { FileHandle.standardError.write(Data((instructions + "\n").utf8)) }
            return .scriptOnly(script: scriptURL, instructions: instructions)
        }

        // gnuplot draws into a temporary file; only a complete PNG (ending with its IEND chunk; an
        // SVG ending with </svg>, a PDF with %%EOF) is renamed over NAME.png, so a full disk never
        // leaves a truncated figure behind. A stale figure from an earlier run must not pass for
        // this one either.
        try? FileManager.default.removeItem(at: pngURL)
        let temporaryName = ".\(pngName).\(getpid()).tmp"
        let temporary = directory.appendingPathComponent(temporaryName)
        defer { try? FileManager.default.removeItem(at: temporary) }
        let warnings = try gnuplot.run(script: try figure.gnuplotScript(output: temporaryName, format: format), in: directory,
                                       scriptPath: scriptURL.path)
        guard let drawn = FileManager.default.contents(atPath: temporary.path) else { throw PlotError.outputMissing(pngURL.path) }
        guard format.isComplete(drawn) else { throw PlotError.outputTruncated(pngURL.path) }
        do {
            try FileManager.default.moveItem(at: temporary, to: pngURL)
        } catch {
            throw PlotError.fileWriteFailed(path: pngURL.path, reason: error.localizedDescription)
        }
        return .rendered(png: pngURL, script: scriptURL, warnings: warnings)
    }

    private static let nameCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
}
