import ArgumentParser
import Foundation
import VAECore

/// `bench evaluate`: images per second of the importance-weighted log-likelihood pass of the
/// reference VAE (k samples per image, evaluation mode), ours (`evaluateImportanceWeighted`)
/// against the same computation in PyTorch (`Sources/bench/pytorch/evaluate.py`, under
/// `torch.no_grad()`, the k codes of each image decoded in chunks), measured in the same run,
/// alternating, best pass of each. This is the estimate behind every test NLL of the course:
/// k = 5000 on all 10,000 test images decodes 5·10⁷ codes. Prints details, then, last, one line:
///
///     evaluate swift=<images/s> pytorch=<images/s> ratio=<swift/pytorch>
struct EvaluateBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "The importance-weighted NLL pass (k samples per image): ours vs PyTorch, images per second."
    )

    @Option(help: "Test images per pass.")
    var images: Int = 200

    @Option(help: "Importance samples k per image.")
    var samples: Int = 1000

    @Option(help: "Codes our side decodes at once (evaluateImportanceWeighted's chunk size).")
    var chunk: Int = ImportanceWeightedDefaults.chunkSize

    @Option(help: "Alternating rounds of ours then PyTorch (the best pass of each is kept).")
    var rounds: Int = 2

    @Option(help: "Threads PyTorch may use (torch.set_num_threads).")
    var torchThreads: Int = 2

    @Option(help: "The Python that runs the PyTorch side (default: $VAE_BENCH_PYTHON, else python3).")
    var python: String?

    @Flag(inversion: .prefixedNo, help: "Compare with PyTorch when its Python can import torch.")
    var pytorch = true

    @Option(help: "Seed of the weights, the images and the noise.")
    var seed: UInt64 = 1

    func validate() throws {
        guard images >= 1, samples >= 1, rounds >= 1, torchThreads >= 1, chunk >= 1 else {
            throw ValidationError("--images, --samples, --chunk, --rounds and --torch-threads must be at least 1")
        }
        _ = try ImportanceWeightedMemory.evaluationChunk(model: .reference, samples: samples, batchSize: min(100, images), chunkSize: chunk)
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("pytorch/evaluate.py")

    func run() throws {
        var random = RandomSource(seed: seed)
        let model = try VAE(.reference, using: &random)
        let test = try MNIST.load(split: .test).prefix(images).binarized(seed: EvaluationDefaults.binarizationSeed)

        let python = PyTorchSide.python(self.python)
        var torch: PyTorchSide? = nil
        var unavailable: String? = pytorch ? nil : "not compared (--no-pytorch)"
        if pytorch {
            switch try PyTorchSide.check(python: python, named: self.python) {
            case .success(let side): torch = side
            case .failure(let failure): unavailable = failure.description
            }
        }
        print("evaluate benchmark: reference VAE, \(images) images × k = \(samples), best of \(rounds) alternating passes; "
              + "load average \(BenchSupport.loadAverage())")
        print("ours: VAECore, \(gemmMaxThreads) thread(s)")
        print("PyTorch: \(torch.map { "\($0.version) through \(python), \(torchThreads) thread(s)" } ?? "none: \(unavailable ?? "")")\n")

        var oursBest = Double.infinity, theirsBest = Double.infinity
        for round in 1...rounds {
            let result = try evaluateImportanceWeighted(model: model, images: test.images, samples: samples, chunkSize: chunk, seed: seed)
            oursBest = min(oursBest, result.seconds)
            var line = String(format: "round %d: ours %.3f s (%.1f images/s, NLL %.2f)", round, result.seconds,
                              Double(images) / result.seconds, result.negativeLogLikelihood.mean)
            if let side = torch {
                let seconds = try side.measureEvaluation(script: Self.script, threads: torchThreads, images: images,
                                                         samples: samples, seed: seed)
                theirsBest = min(theirsBest, seconds)
                line += String(format: ", PyTorch %.3f s (%.1f images/s)", seconds, Double(images) / seconds)
            }
            print(line + "; load average \(BenchSupport.loadAverage())")
        }
        let ours = Double(images) / oursBest
        print(String(format: "\nours:    %.1f images/s, %.2f µs per decoded code", ours, oursBest / Double(images * samples) * 1e6))
        if torch != nil {
            let theirs = Double(images) / theirsBest
            print(String(format: "PyTorch: %.1f images/s, %.2f µs per decoded code", theirs, theirsBest / Double(images * samples) * 1e6))
            print(String(format: "\nevaluate swift=%.2f pytorch=%.2f ratio=%.2f", ours, theirs, ours / theirs))
        } else {
            print(String(format: "\nevaluate swift=%.2f pytorch=none ratio=none", ours))
        }
    }
}

extension PyTorchSide {
    /// Runs the evaluation script and returns its best pass, in seconds.
    func measureEvaluation(script: URL, threads: Int, images: Int, samples: Int, seed: UInt64) throws -> Double {
        let (status, output) = try PyTorchSide.runPython(python, [
            script.path, "--threads", "\(threads)", "--images", "\(images)", "--samples", "\(samples)",
            "--rounds", "1", "--seed", "\(seed)",
        ])
        guard status == 0 else {
            throw Failure(description: "\(script.lastPathComponent) exited with status \(status): "
                          + (output.split(separator: "\n").last.map(String.init) ?? ""))
        }
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("pytorch ") }),
              let field = line.split(separator: " ").first(where: { $0.hasPrefix("seconds=") }),
              let seconds = Double(field.dropFirst("seconds=".count)), seconds > 0 else {
            throw Failure(description: "no 'pytorch … seconds=' line in the output of \(script.lastPathComponent)")
        }
        return seconds
    }
}
