import ArgumentParser
import Foundation
import VAECore

/// `bench train-step`: images per second of one training step of the reference VAE at batch
/// 128 (zero the gradients, forward, loss, backward, Adam step) on binarized MNIST batches, ours
/// against the same model in PyTorch, measured in the same run.
///
/// The PyTorch side is `Sources/bench/pytorch/train_step.py` (the model of `reference_vae.py`,
/// `torch.set_num_threads(--torch-threads)`, the same batch size, warm-up, best of its steps),
/// started through `Foundation.Process` with the Python of `--python`, else of the environment
/// variable `VAE_BENCH_PYTHON`, else `python3`. When that Python cannot `import torch`, the
/// comparison is reported as `none`, with the reason.
///
/// The two alternate, in `--rounds` rounds, so that both see the same background load of a
/// shared machine; each keeps its best step. Prints details, then, last, one line:
///
///     train-step swift=3512.0 pytorch=1770.3 ratio=1.98
struct TrainStepBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-step",
        abstract: "One VAE training step: ours vs PyTorch (when it is installed), images per second."
    )

    @Option(help: "Images per batch.")
    var batch: Int = 128

    @Option(help: "Timed steps per round on each side (the best is kept).")
    var steps: Int = 20

    @Option(help: "Untimed steps before timing, per round on each side.")
    var warmup: Int = 3

    @Option(help: "Alternating rounds of ours then PyTorch.")
    var rounds: Int = 3

    @Option(help: "Threads PyTorch may use (torch.set_num_threads).")
    var torchThreads: Int = 2

    @Option(help: "The Python that runs the PyTorch side (default: $VAE_BENCH_PYTHON, else python3).")
    var python: String?

    @Flag(inversion: .prefixedNo, help: "Compare with PyTorch when its Python can import torch.")
    var pytorch = true

    @Option(help: "Batches per epoch of the training-loop measurement (0 skips it).")
    var loopSteps: Int = 40

    @Option(help: "Seed of the weights, the batches and the noise.")
    var seed: UInt64 = 1

    func validate() throws {
        guard batch >= 2 else { throw ValidationError("--batch must be at least 2 (BatchNorm needs two values per channel)") }
        guard steps >= 1, warmup >= 0, rounds >= 1 else {
            throw ValidationError("--steps and --rounds must be at least 1, --warmup at least 0")
        }
        guard torchThreads >= 1 else { throw ValidationError("--torch-threads must be at least 1") }
        guard loopSteps >= 0 else { throw ValidationError("--loop-steps must not be negative") }
    }

    /// The script beside this file, found from the source path at build time.
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("pytorch/train_step.py")

    func run() throws {
        let batches = try BenchSupport.binarizedBatches(count: 8, batchSize: batch, seed: seed)
        var random = RandomSource(seed: seed)
        let model = try VAE(.reference, using: &random)
        let optimizer = try Adam(model.parameters, learningRate: 1e-3)
        var next = 0
        func step() throws {
            optimizer.zeroGradients()
            _ = try model.accumulateGradients(images: batches[next % batches.count], using: &random)
            optimizer.step()
            next += 1
        }

        let python = self.python ?? ProcessInfo.processInfo.environment["VAE_BENCH_PYTHON"] ?? "python3"
        var torch: PyTorchSide? = nil
        var unavailable: String? = pytorch ? nil : "not compared (--no-pytorch)"
        if pytorch {
            switch PyTorchSide.check(python: python) {
            case .success(let side): torch = side
            case .failure(let error): unavailable = error.description
            }
        }
        print("train-step benchmark: reference VAE, batch \(batch), Adam, best of \(steps) steps × \(rounds) rounds "
              + "after \(warmup) warm-up steps per round; load average \(BenchSupport.loadAverage())")
        print("ours: VAECore, \(gemmMaxThreads) gemm thread(s)")
        print("PyTorch: " + (torch.map { "\($0.version) through \(python), \(torchThreads) thread(s)" }
                             ?? "none: \(unavailable ?? "unknown reason")"))
        print("")

        var best = Double.infinity
        var torchBest: Double? = nil
        for round in 1...rounds {
            for _ in 0..<warmup { try step() }
            var roundBest = Double.infinity, total = 0.0
            let cpuStart = BenchSupport.processCPUSeconds()
            for _ in 0..<steps {
                let watch = Stopwatch()
                try step()
                let seconds = watch.elapsedSeconds
                roundBest = min(roundBest, seconds)
                total += seconds
            }
            let cpu = (BenchSupport.processCPUSeconds() - cpuStart) / Double(steps)
            best = min(best, roundBest)
            var line = "round \(round): ours \(BenchSupport.ms(roundBest)) ms/step (mean \(BenchSupport.ms(total / Double(steps))), "
                + "CPU \(BenchSupport.ms(cpu)) ms/step)"
            if let side = torch {
                do {
                    let seconds = try side.measure(script: Self.script, threads: torchThreads, batch: batch,
                                                   steps: steps, warmup: warmup, seed: seed)
                    torchBest = min(torchBest ?? .infinity, seconds)
                    line += ", PyTorch \(BenchSupport.ms(seconds)) ms/step"
                } catch {
                    torch = nil
                    unavailable = "\(error)"
                    line += ", PyTorch failed: \(error)"
                }
            }
            print(line + "; load average \(BenchSupport.loadAverage())")
        }
        print("")
        if loopSteps > 0 {
            let loop = try measureLoop()
            print("training loop (Trainer.trainEpoch on \(loopSteps) batches, batching and binarization included): "
                  + "\(BenchSupport.ms(loop)) ms/step, \(String(format: "%.1f", Double(batch) / loop)) images/s, "
                  + "\(BenchSupport.ms(loop - best)) ms/step more than the bare step")
        } else {
            print("training loop: not measured (--loop-steps 0)")
        }
        print("")
        let ours = Double(batch) / best
        let theirs = torchBest.map { Double(batch) / $0 }
        print("ours:    \(BenchSupport.ms(best)) ms/step, \(String(format: "%.1f", ours)) images/s")
        print("PyTorch: " + (theirs.map { "\(BenchSupport.ms(torchBest!)) ms/step, \(String(format: "%.1f", $0)) images/s" }
                             ?? "none (\(unavailable ?? "unknown reason"))"))
        print("")
        print("train-step swift=\(String(format: "%.1f", ours)) pytorch=\(theirs.map { String(format: "%.1f", $0) } ?? "none") "
              + "ratio=\(theirs.map { String(format: "%.2f", ours / $0) } ?? "none")")
    }
}

extension TrainStepBenchmark {
    /// The whole training loop, `Trainer.trainEpoch`, on epochs of `loopSteps` batches (the
    /// first `loopSteps`·B training images): seconds per update, best epoch of three after one
    /// of warm-up. Compared with the bare step it shows the loop's own cost: serving shuffled,
    /// freshly binarized batches, the schedules and the history.
    func measureLoop() throws -> Double {
        let train = try MNIST.load(split: .train)
        let configuration = TrainingConfiguration(model: .reference, epochs: 100, batchSize: batch,
                                                  seed: seed, subset: batch * loopSteps)
        let trainer = try Trainer(configuration: configuration, trainingSet: train)
        try trainer.trainEpoch()
        var best = Double.infinity
        for _ in 0..<3 {
            let summary = try trainer.trainEpoch()
            best = min(best, summary.seconds / Double(trainer.stepsPerEpoch))
        }
        return best
    }
}

/// The PyTorch side of the comparison: a Python that can import torch, run as a child process.
struct PyTorchSide {
    /// Why the PyTorch side could not run.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let python: String
    /// torch.__version__.
    let version: String

    /// Checks that `python` starts and can `import torch`.
    static func check(python: String) -> Result<PyTorchSide, Failure> {
        do {
            let (status, output) = try runPython(python, ["-c", "import torch; print(torch.__version__)"])
            guard status == 0 else {
                let reason = output.split(separator: "\n").last.map(String.init) ?? "exit status \(status)"
                return .failure(Failure(description: "\(python) cannot import torch: \(reason)"))
            }
            let version = output.split(separator: "\n").last.map(String.init) ?? "?"
            return .success(PyTorchSide(python: python, version: "torch " + version))
        } catch {
            return .failure(Failure(description: "cannot run \(python): \(error)"))
        }
    }

    /// Runs the training-step script and returns its best step, in seconds.
    func measure(script: URL, threads: Int, batch: Int, steps: Int, warmup: Int, seed: UInt64) throws -> Double {
        let (status, output) = try PyTorchSide.runPython(python, [
            script.path, "--threads", "\(threads)", "--batch", "\(batch)", "--steps", "\(steps)",
            "--warmup", "\(warmup)", "--seed", "\(seed)",
        ])
        guard status == 0 else {
            throw Failure(description: "\(script.lastPathComponent) exited with status \(status): "
                          + (output.split(separator: "\n").last.map(String.init) ?? ""))
        }
        // "pytorch images_per_second=… ms_per_step=… …"
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("pytorch ") }),
              let field = line.split(separator: " ").first(where: { $0.hasPrefix("ms_per_step=") }),
              let ms = Double(field.dropFirst("ms_per_step=".count)), ms > 0 else {
            throw Failure(description: "no 'pytorch … ms_per_step=' line in the output of \(script.lastPathComponent)")
        }
        return ms / 1e3
    }

    /// Runs `python arguments…` (a bare name is looked up in PATH through /usr/bin/env) and
    /// returns its exit status and its standard output and error together.
    static func runPython(_ python: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        if python.contains("/") {
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [python] + arguments
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read to the end before waiting: a child that fills the pipe would otherwise block forever.
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
