import Foundation
import VAECore

/// How one chapter's saved output was made: the flags `figures` ran it with, where its time went
/// and the machine it ran on. `figures` writes it beside the output (`chNN-topic.run.txt`), so
/// that the book's results page can give every number the command that reproduces it and the
/// machine that measured it, without anyone typing either.
///
/// The file is two lines, a result line and the machine in words:
///
///     run chapter=ch05-elbo mode=full seed=1 data=bundled seconds=342.1 training=273.0 evaluation=55.3 drawing=3.9 finished=2026-12-06T16:00:00Z
///     machine: AMD EPYC 9R14 96-Core Processor (2 cores, AVX-512; built for x86-64-v4)
public struct ChapterRunRecord: Equatable, Sendable {
    /// The chapter's name, `chNN-topic`.
    public var chapter: String
    /// Whether it ran with `--quick`.
    public var quick: Bool
    /// The seed it ran with.
    public var seed: UInt64
    /// Whether it read a data folder of its own (`--data`) instead of the bundled MNIST.
    public var ownData: Bool
    /// Its wall-clock seconds, and those its `StageClock` counted for training, evaluation, drawing.
    public var seconds: Double
    public var stages: StageClock.Totals
    /// The processor, its cores and the build's instruction set, in words.
    public var machine: String
    /// When it finished, ISO 8601 in UTC.
    public var finished: String

    public init(chapter: String, quick: Bool, seed: UInt64, ownData: Bool, seconds: Double, stages: StageClock.Totals,
                machine: String, finished: String) {
        self.chapter = chapter
        self.quick = quick
        self.seed = seed
        self.ownData = ownData
        self.seconds = seconds
        self.stages = stages
        self.machine = machine
        self.finished = finished
    }

    /// The record's file name in the book's folder, beside `chapter.txt`.
    public static func fileName(for chapter: String) -> String { chapter + ".run.txt" }

    /// The command that runs the chapter as it ran for this record.
    public var command: String {
        "swift run -c release \(chapter)" + (quick ? " --quick" : "") + (seed == 1 ? "" : " --seed \(seed)")
            + (ownData ? " --data DIR" : "")
    }

    /// The seconds that no stage counted (loading data, analysis, printing).
    public var otherSeconds: Double { max(0, seconds - stages.training - stages.evaluation - stages.drawing) }

    /// The file's text.
    public var text: String {
        String(format: "run chapter=%@ mode=%@ seed=%llu data=%@ seconds=%.1f training=%.1f evaluation=%.1f drawing=%.1f finished=%@",
               chapter, quick ? "quick" : "full", seed, ownData ? "own" : "bundled", seconds,
               stages.training, stages.evaluation, stages.drawing, finished)
            + "\nmachine: " + machine + "\n"
    }

    /// Reads a record's text.
    /// - Throws: `BookError` naming what is missing or malformed (a record is written by
    ///   `figures`, so anything else means the file was damaged or edited by hand).
    public init(parsing text: String) throws {
        let lines = text.components(separatedBy: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard let first = lines.first, let line = ResultLine(first), line.word == "run" else {
            throw BookError("a run record starts with a line `run chapter=… mode=… seed=… …`")
        }
        func value(_ key: String) throws -> String {
            guard let index = line.keys.firstIndex(of: key) else { throw BookError("the run record has no \(key)=") }
            return line.values[index]
        }
        func number(_ key: String) throws -> Double {
            guard let number = Double(try value(key)), number.isFinite, number >= 0 else {
                throw BookError("the run record's \(key)= is not a number of seconds")
            }
            return number
        }
        chapter = try value("chapter")
        switch try value("mode") {
        case "full": quick = false
        case "quick": quick = true
        case let other: throw BookError("the run record's mode= is '\(other)', not full or quick")
        }
        guard let seed = UInt64(try value("seed")) else { throw BookError("the run record's seed= is not a whole number") }
        self.seed = seed
        switch try value("data") {
        case "bundled": ownData = false
        case "own": ownData = true
        case let other: throw BookError("the run record's data= is '\(other)', not bundled or own")
        }
        seconds = try number("seconds")
        stages = StageClock.Totals()
        stages.training = try number("training")
        stages.evaluation = try number("evaluation")
        stages.drawing = try number("drawing")
        finished = try value("finished")
        guard let machineLine = lines.dropFirst().first(where: { $0.hasPrefix("machine: ") }) else {
            throw BookError("the run record has no line `machine: …`")
        }
        machine = String(machineLine.dropFirst("machine: ".count))
    }

    /// Seconds as the time tables show them: "4.8 s", or "5 min 42 s" from a minute on.
    public static func clock(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        return String(format: "%d min %02d s", whole / 60, whole % 60)
    }
}
