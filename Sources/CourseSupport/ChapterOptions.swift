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

    /// The folder of the trained run called `name`: `runs/NAME`, or `runs/quick/NAME` with
    /// `--quick`, so that a quick run never replaces a full one.
    public func runFolder(_ name: String) -> URL {
        CoursePaths.runFolder(name, quick: quick)
    }

    /// A trainer for `configuration` in `folder`: the saved run when it matches (one line says
    /// which run and how it was trained), resumed when half done, new otherwise (`TrainingRun`).
    public func trainer(for configuration: TrainingConfiguration, in folder: URL, trainingSet: MNIST) throws -> Trainer {
        try TrainingRun.trainer(for: configuration, in: folder, trainingSet: trainingSet, retrain: retrain) { print($0) }
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
    /// The checked-in figures of the course.
    public static let figures: URL = root.appendingPathComponent("figures", isDirectory: true)
    /// The chapters' sources, one folder each.
    public static let chapterSources: URL = root.appendingPathComponent("Chapters", isDirectory: true)

    /// The chapters of the course, in teaching order: the names of the folders `Chapters/chNN-topic`
    /// (each an executable of the same name). `Package.swift` builds the same folders, so the
    /// folder is the one list of chapters.
    /// - Throws: when `Chapters/` cannot be read (the program was moved away from its checkout).
    public static func chapters() throws -> [String] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: chapterSources.path) } catch {
            throw ValidationError("cannot list the chapters in \(chapterSources.path): \(error.localizedDescription)")
        }
        return names.filter { $0.range(of: #"^ch[0-9]{2}-[a-z0-9-]+$"#, options: .regularExpression) != nil }.sorted()
    }
}
