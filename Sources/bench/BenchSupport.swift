import Foundation
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

    /// Left- or right-aligned text in a column of `width` characters.
    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let space = String(repeating: " ", count: max(0, width - text.count))
        return right ? space + text : text + space
    }

    /// Milliseconds with three significant decimals.
    static func ms(_ seconds: Double) -> String { String(format: "%.3f", seconds * 1e3) }
}
