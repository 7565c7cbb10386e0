import Foundation
import CourseSupport
import VAECore

/// Helpers shared by the model benchmarks (`bench layers`, `bench train-step`).
enum BenchSupport {
    /// `count` binarized MNIST training batches of `batchSize` images, (B, 1, 28, 28) each, as the
    /// training loop serves them (shuffled, a fresh Bernoulli draw per pixel), drawn once up front
    /// so that the timed code is the model's alone.
    static func binarizedBatches(count: Int, batchSize: Int, seed: UInt64) throws -> [Tensor] {
        let train = try MNIST.load(split: .train)
        var batches = BatchIterator(dataset: train, batchSize: batchSize, seed: seed, dropLast: true, binarize: true)
        var result: [Tensor] = []
        while result.count < count {
            guard let batch = batches.next() else { continue }  // nil once per epoch: go on to the next
            result.append(batch.images)
        }
        return result
    }

    /// The load averages (1, 5, 15 minutes), from /proc/loadavg: timings on a shared machine mean
    /// little without them.
    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// CPU time used so far by all threads of this process, in seconds. Unlike the wall clock it
    /// hardly depends on other processes: on a loaded machine it tells the work a step does.
    static func processCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Refuses, in words, a batch of the reference VAE whose training step would not fit in this
    /// machine's memory (a rough count: the decoder's activations per image, by
    /// `ImportanceWeightedMemory.decoderBytesPerCode`, twice, for the encoder's mirror image).
    static func checkTrainingBatch(_ batch: Int, option: String) throws {
        let perImage = 2 * (try ImportanceWeightedMemory.decoderBytesPerCode(.reference))
        try MemoryBudget.bytes([batch, perImage], bytesPerElement: 1, for: "\(option) \(batch) (a training step of the reference VAE)")
    }

    /// Left- or right-aligned text in a column of `width` characters.
    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let space = String(repeating: " ", count: max(0, width - text.count))
        return right ? space + text : text + space
    }

    /// Milliseconds with three significant decimals.
    static func ms(_ seconds: Double) -> String { String(format: "%.3f", seconds * 1e3) }
}

extension BenchSupport {
    /// The course's figures folder (the bench's figures are committed beside the chapters').
    static let figuresFolder = CoursePaths.figures

    /// Runs `executable arguments…` with extra environment variables; returns its exit status and
    /// its standard output and error together.
    static func run(_ executable: URL, _ arguments: [String], environment: [String: String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
