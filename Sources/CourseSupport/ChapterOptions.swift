import ArgumentParser
import Foundation
import VAECore

/// The options every chapter shares: where the data is, where figures go, how big a run is,
/// and the seed that all randomness flows from.
///
/// A chapter declares `@OptionGroup var options: ChapterOptions`, so `--help` lists these beside
/// the chapter's own flags.
public struct ChapterOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Folder of IDX files in MNIST's naming (train-images-idx3-ubyte.gz, ...).",
        discussion: "Defaults to the copy of MNIST bundled with the package.", valueName: "dir"))
    public var data: String?

    @Option(name: .long, help: ArgumentHelp("Folder the figures are written to.", valueName: "dir"))
    public var figures: String = CoursePaths.figures.path

    @Option(name: .long, help: ArgumentHelp(
        "File format of the figures: png, svg or pdf.",
        discussion: "PNG is the default (the committed figures and the book); SVG and PDF draw the same figures as vector graphics, for reports."))
    public var format: FigureFormat = .png

    @Flag(name: .long, help: "Smaller settings, for class and CI: seconds instead of minutes.")
    public var quick = false

    @Option(name: .long, parsing: .unconditional, help: "Seed of every random draw in the run.")
    public var seed: UInt64 = 1

    @Flag(name: .long, help: "Train again even when a matching trained run is saved (the old one is kept beside it).")
    public var retrain = false

    public init() {}

    public func validate() throws {
        if data?.isEmpty == true { throw ValidationError("--data needs a folder, not an empty path") }
        if figures.isEmpty { throw ValidationError("--figures needs a folder, not an empty path") }
    }

    /// Refuses an empty path given to a chapter's own folder option: `--run ""` would otherwise
    /// name the current folder, and train into it.
    public static func requireFolderPath(_ path: String?, option: String) throws {
        if let path, path.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("\(option) needs a folder, not an empty path")
        }
    }

    /// The folder of the trained run called `name`: `runs/NAME`, or `runs/quick/NAME` with
    /// `--quick`, so that a quick run never replaces a full one.
    public func runFolder(_ name: String) -> URL {
        CoursePaths.runFolder(name, quick: quick)
    }

    /// A trainer for `configuration` in `folder`: the saved run when it matches (one line says
    /// which run and how it was trained, its folder relative to the package), resumed when half
    /// done, new otherwise (`TrainingRun`).
    ///
    /// A run found trained (or half trained) prints the epochs it recorded, as its training printed
    /// them (marked "recorded", each line after `epochPrefix`), so that a chapter's output tells how
    /// its run trained whether or not this run trained it.
    public func trainer(for configuration: TrainingConfiguration, in folder: URL, trainingSet: MNIST,
                        epochPrefix: String = "") throws -> Trainer {
        try Self.trainer(for: configuration, in: folder, trainingSet: trainingSet, retrain: retrain, epochPrefix: epochPrefix)
    }

    /// `trainer(for:in:trainingSet:epochPrefix:)` for a tool without a chapter's options
    /// (`vae train --reuse`), `retrain` given.
    public static func trainer(for configuration: TrainingConfiguration, in folder: URL, trainingSet: MNIST,
                               retrain: Bool, epochPrefix: String = "") throws -> Trainer {
        let trainer = try TrainingRun.trainer(for: configuration, in: folder, trainingSet: trainingSet, retrain: retrain) { print(CoursePaths.relative($0)) }
        let recorded = trainer.recordedEpochs
        for (index, summary) in recorded.enumerated() {
            // A long run shows its first and last epochs.
            if recorded.count > 30, index >= 5, index < recorded.count - 5 {
                if index == 5 { print(epochPrefix + "… \(recorded.count - 10) more recorded epochs …") }
                continue
            }
            print(epochPrefix + summary.line(of: configuration.epochs))
        }
        return trainer
    }

    /// The folder figures are written to, created if needed.
    public func figuresDirectory() throws -> URL {
        guard !figures.isEmpty else { throw ValidationError("--figures needs a folder, not an empty path") }
        let url = URL(fileURLWithPath: figures, isDirectory: true)
        do { try WritableFolder.prepare(url, purpose: "figures") } catch { throw ValidationError("\(error)") }
        return url
    }
}

/// Where the package's own folders are, found from this source file's path at build time, so
/// that `swift run` writes into the checkout's `figures/` from whatever folder it is started.
public enum CoursePaths {
    /// The package root: three levels above `Sources/CourseSupport/ChapterOptions.swift`.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The folder of the trained run called `name`: `runs/NAME`, or `runs/quick/NAME` for the
    /// smaller runs of `--quick`.
    public static func runFolder(_ name: String, quick: Bool) -> URL {
        root.appendingPathComponent(quick ? "runs/quick/\(name)" : "runs/\(name)", isDirectory: true)
    }
    /// `text` with every path inside the package written relative to the package's folder:
    /// `/…/package/runs/vae` becomes `runs/vae` (the package's folder itself becomes `.`). A
    /// chapter prints its run folders and checkpoints through this, so that its output (which the
    /// book shows, and which refuses absolute paths) names them as they are typed in the package's
    /// folder, where `swift run` runs, and reads the same on every machine. Paths outside the
    /// package are left as they are.
    public static func relative(_ text: String) -> String {
        let package = NSRegularExpression.escapedPattern(for: root.path)
        // Only a whole path: not the package's path inside a longer one (`/backup/…/course/runs`).
        let edge = #"(?<![\w./~-])"#
        var result = text.replacingOccurrences(of: edge + package + "/", with: "", options: .regularExpression)
        result = result.replacingOccurrences(of: edge + package + #"(?![\w./~-])"#, with: ".", options: .regularExpression)
        return result
    }

    /// The checked-in figures of the course.
    public static let figures: URL = root.appendingPathComponent("figures", isDirectory: true)
    /// The chapters' sources, one folder each.
    public static let chapterSources: URL = root.appendingPathComponent("Chapters", isDirectory: true)

    /// The chapters of the course, in teaching order, as `Package.swift` lists them (its
    /// `let chapters = [...]`, the one list: each name is a folder `Chapters/NAME` and an
    /// executable of that name).
    /// - Throws: when `Package.swift` cannot be read or holds no such list, or a listed chapter
    ///   has no folder, or a folder of `Chapters/` is missing from the list (it would never run).
    public static func chapters() throws -> [String] {
        let manifest = root.appendingPathComponent("Package.swift")
        let text: String
        do { text = try String(contentsOf: manifest, encoding: .utf8) } catch {
            throw ValidationError("cannot read the chapter list in \(manifest.path): \(error.localizedDescription)")
        }
        let names = try chapterList(inManifest: text)
        let folders = ((try? FileManager.default.contentsOfDirectory(atPath: chapterSources.path)) ?? [])
            .filter { $0.range(of: chapterNamePattern, options: .regularExpression) != nil }
        if let missing = names.first(where: { !folders.contains($0) }) {
            throw ValidationError("Package.swift lists the chapter \(missing), but \(chapterSources.path)/\(missing) does not exist")
        }
        if let unlisted = folders.sorted().first(where: { !names.contains($0) }) {
            throw ValidationError("Chapters/\(unlisted) is not in Package.swift's list of chapters: add it there (in teaching order) to build and run it")
        }
        return names
    }

    /// A chapter's name: `chNN-topic`.
    static let chapterNamePattern = #"^ch[0-9]{2}-[a-z0-9-]+$"#

    /// The names in `let chapters = [ "chNN-topic", ... ]` of a manifest's text, in order.
    /// - Throws: when the text holds no such list, or an entry is not a chapter's name.
    public static func chapterList(inManifest text: String) throws -> [String] {
        guard let start = text.range(of: "let chapters = ["),
              let end = text.range(of: "]", range: start.upperBound..<text.endIndex) else {
            throw ValidationError("Package.swift holds no `let chapters = [...]` list")
        }
        let entries = text[start.upperBound..<end.lowerBound].split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        return try entries.map { entry in
            let name = entry.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            guard entry.hasPrefix("\""), entry.hasSuffix("\""), entry.count > 2,
                  name.range(of: chapterNamePattern, options: .regularExpression) != nil else {
                throw ValidationError("Package.swift's chapter list holds \(entry), which is not a chapter's name (\"chNN-topic\")")
            }
            return name
        }
    }
}
