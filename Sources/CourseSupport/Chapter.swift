import ArgumentParser
import Foundation
import VAECore

extension ChapterOptions {
    /// The folder of IDX files: `--data`, or the copy bundled with the package.
    public var dataDirectory: URL {
        data.flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true) } ?? MNIST.bundledDirectory
    }

    /// Loads a split of MNIST from `--data` (or the bundled copy), saying how long it took.
    public func loadMNIST(_ split: Split) throws -> MNIST {
        let start = Date()
        let set = try MNIST.load(split: split, from: dataDirectory)
        log(String(format: "loaded MNIST %@ (%d images) from %@ in %.2f s",
                   split.rawValue, set.count, dataDirectory.path, Date().timeIntervalSince(start)))
        return set
    }

    /// A writer into `--figures`, drawing `--format`.
    public func figureWriter() throws -> FigureWriter {
        FigureWriter(directory: try figuresDirectory(), format: format)
    }
}

extension FigureWriter {
    /// Writes a figure and prints what happened: the PNG's path, or how to render the script.
    public func save(_ figure: Figure, as name: String) throws {
        let outcome = try write(figure, name: name)
        print("  figure: \(outcome.png.map(\.lastPathComponent) ?? outcome.script.lastPathComponent)"
              + (outcome.png == nil ? " (script only: gnuplot is missing)" : ""))
    }
}

/// Prints a progress or status line to standard error, so standard output keeps only results.
public func log(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Prints a chapter's section heading, as a lecture moves on to its next idea.
public func section(_ title: String) {
    print("\n## \(title)\n")
}

/// A learning-rate schedule named on the command line: constant, cosine or warmup-cosine.
extension LearningRateScheduleKind: ExpressibleByArgument {}

/// A figure format named on the command line: png, svg or pdf.
extension FigureFormat: ExpressibleByArgument {}

/// A multimodal objective named on the command line: mvae or mopoe.
extension MultimodalObjective: ExpressibleByArgument {}

/// Chapter 11's `--estimator iwae|dreg`.
extension ImportanceWeightedEstimator: ExpressibleByArgument {}

/// A pair of chapter 11 named on the command line: image-label or mnist-fashion.
extension MultimodalPair: ExpressibleByArgument {}
