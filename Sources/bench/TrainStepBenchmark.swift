import ArgumentParser
import Foundation
import CourseSupport
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
/// shared machine, and each times the same number of steps the same way (a wall clock around each
/// step). Each reports its best step and the mean of all its timed steps: the best says what the
/// code can do, the mean what a run gets (noise on a shared machine only ever adds time). Prints
/// details, then, last, one line:
///
///     train-step swift=<img/s best> swift_mean=<img/s> pytorch=<img/s best> pytorch_mean=<img/s> ratio=<best/best> ratio_mean=<mean/mean>
///
/// `--sweep` measures instead images/s against the batch size and the number of threads (1 and
/// 2) for both, each point `--repeats` fresh child processes (`VAE_THREADS` for ours,
/// `torch.set_num_threads` for PyTorch's), taken in turns, and draws
/// `figures/bench-train-step.png`: each point the mean of the repeats' best steps, its bar their
/// range, since one process's best step varies from one process to the next (on a shared or
/// virtual machine, by tens of percent).
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

    @Flag(help: "Measure images/s against batch size and threads (1, 2) for both, and draw figures/bench-train-step.png.")
    var sweep = false

    @Option(help: "With --sweep: fresh processes measured per point on each side (the figure shows their mean and spread).")
    var repeats: Int = 3

    @Option(help: "With --sweep: the folder the figure is written to.")
    var figures: String = BenchSupport.figuresFolder.path

    func validate() throws {
        guard batch >= 2 else { throw ValidationError("--batch must be at least 2 (BatchNorm needs two values per channel)") }
        try BenchSupport.checkTrainingBatch(batch, option: "--batch")
        guard steps >= 1, warmup >= 0, rounds >= 1 else {
            throw ValidationError("--steps and --rounds must be at least 1, --warmup at least 0")
        }
        guard torchThreads >= 1 else { throw ValidationError("--torch-threads must be at least 1") }
        guard loopSteps >= 0 else { throw ValidationError("--loop-steps must not be negative") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    /// The script beside this file, found from the source path at build time.
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("pytorch/train_step.py")

    func run() throws {
        if sweep { return try runSweep() }
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

        let python = PyTorchSide.python(self.python)
        var torch: PyTorchSide? = nil
        var unavailable: String? = pytorch ? nil : "not compared (--no-pytorch)"
        if pytorch {
            switch try PyTorchSide.check(python: python, named: self.python) {
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

        var best = Double.infinity, total = 0.0
        var torchBest: Double? = nil, torchTotal = 0.0
        for round in 1...rounds {
            for _ in 0..<warmup { try step() }
            var roundBest = Double.infinity, roundTotal = 0.0
            let cpuStart = BenchSupport.processCPUSeconds()
            for _ in 0..<steps {
                let watch = Stopwatch()
                try step()
                let seconds = watch.elapsedSeconds
                roundBest = min(roundBest, seconds)
                roundTotal += seconds
            }
            let cpu = (BenchSupport.processCPUSeconds() - cpuStart) / Double(steps)
            best = min(best, roundBest)
            total += roundTotal
            var line = "round \(round): ours \(BenchSupport.ms(roundBest)) ms/step (mean \(BenchSupport.ms(roundTotal / Double(steps))), "
                + "CPU \(BenchSupport.ms(cpu)) ms/step)"
            if let side = torch {
                do {
                    let timing = try side.measure(script: Self.script, threads: torchThreads, batch: batch,
                                                  steps: steps, warmup: warmup, seed: seed)
                    torchBest = min(torchBest ?? .infinity, timing.best)
                    torchTotal += timing.mean * Double(steps)
                    line += ", PyTorch \(BenchSupport.ms(timing.best)) ms/step (mean \(BenchSupport.ms(timing.mean)))"
                } catch {
                    torch = nil
                    torchBest = nil
                    unavailable = "\(error)"
                    line += ", PyTorch failed: \(error)"
                }
            }
            print(line + "; load average \(BenchSupport.loadAverage())")
        }
        print("")
        if loopSteps > 0 {
            let loop = try measureLoop()
            print("training loop (Trainer.trainEpoch on \(loopSteps) batches, batching and binarization included, mean of an epoch): "
                  + "\(BenchSupport.ms(loop)) ms/step, \(String(format: "%.1f", Double(batch) / loop)) images/s")
        } else {
            print("training loop: not measured (--loop-steps 0)")
        }
        print("")
        let mean = total / Double(steps * rounds)
        let ours = Double(batch) / best, oursMean = Double(batch) / mean
        print("ours:    best \(BenchSupport.ms(best)) ms/step, \(String(format: "%.1f", ours)) images/s; "
              + "mean \(BenchSupport.ms(mean)) ms/step, \(String(format: "%.1f", oursMean)) images/s")
        let f = { (x: Double) in String(format: "%.1f", x) }
        if let torchBest {
            let torchMean = torchTotal / Double(steps * rounds)
            let theirs = Double(batch) / torchBest, theirsMean = Double(batch) / torchMean
            print("PyTorch: best \(BenchSupport.ms(torchBest)) ms/step, \(f(theirs)) images/s; "
                  + "mean \(BenchSupport.ms(torchMean)) ms/step, \(f(theirsMean)) images/s")
            print("")
            print("train-step swift=\(f(ours)) swift_mean=\(f(oursMean)) pytorch=\(f(theirs)) pytorch_mean=\(f(theirsMean)) "
                  + "ratio=\(String(format: "%.2f", ours / theirs)) ratio_mean=\(String(format: "%.2f", oursMean / theirsMean))")
        } else {
            print("PyTorch: none (\(unavailable ?? "unknown reason"))")
            print("")
            print("train-step swift=\(f(ours)) swift_mean=\(f(oursMean)) pytorch=none pytorch_mean=none ratio=none ratio_mean=none")
        }
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

    /// The Python that runs the PyTorch side: `--python`, else `$VAE_BENCH_PYTHON`, else python3.
    static func python(_ option: String?) -> String {
        option ?? ProcessInfo.processInfo.environment["VAE_BENCH_PYTHON"] ?? "python3"
    }

    /// Checks that `python` starts and can `import torch`. When it cannot, the benchmark runs our
    /// side alone and says why, unless the user named that Python (`--python`, or
    /// `$VAE_BENCH_PYTHON`): then the comparison was asked for, and its failure is thrown.
    static func check(python: String, named option: String?) throws -> Result<PyTorchSide, Failure> {
        let result = check(python: python)
        if case .failure(let failure) = result,
           option != nil || ProcessInfo.processInfo.environment["VAE_BENCH_PYTHON"] != nil {
            throw failure
        }
        return result
    }

    private static func check(python: String) -> Result<PyTorchSide, Failure> {
        do {
            let (status, output) = try runPython(python, ["-c", "import torch; print(torch.__version__)"])
            guard status == 0 else {
                let reason = output.split(separator: "\n").last.map(String.init) ?? "exit status \(status)"
                return .failure(Failure(description: "\(python) cannot import torch: \(reason)"))
            }
            let version = output.split(separator: "\n").last.map(String.init) ?? "?"
            return .success(PyTorchSide(python: python, version: "torch " + version))
        } catch let failure as Failure {
            return .failure(failure)
        } catch {
            return .failure(Failure(description: "cannot run \(python): \(error.localizedDescription)"))
        }
    }

    /// Runs the training-step script and returns its best step and the mean of its timed steps,
    /// in seconds.
    func measure(script: URL, threads: Int, batch: Int, steps: Int, warmup: Int, seed: UInt64) throws -> (best: Double, mean: Double) {
        let (status, output) = try PyTorchSide.runPython(python, [
            script.path, "--threads", "\(threads)", "--batch", "\(batch)", "--steps", "\(steps)",
            "--warmup", "\(warmup)", "--seed", "\(seed)",
        ])
        guard status == 0 else {
            throw Failure(description: "\(script.lastPathComponent) exited with status \(status): "
                          + (output.split(separator: "\n").last.map(String.init) ?? ""))
        }
        // "pytorch images_per_second=… ms_per_step=… ms_mean=… …"
        func field(_ name: String) -> Double? {
            guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("pytorch ") }),
                  let item = line.split(separator: " ").first(where: { $0.hasPrefix(name + "=") }),
                  let value = Double(item.dropFirst(name.count + 1)), value > 0 else { return nil }
            return value
        }
        guard let best = field("ms_per_step"), let mean = field("ms_mean") else {
            throw Failure(description: "no 'pytorch … ms_per_step=… ms_mean=…' line in the output of \(script.lastPathComponent)")
        }
        return (best / 1e3, mean / 1e3)
    }

    /// Runs `python arguments…` (a bare name is looked up in PATH through /usr/bin/env) and
    /// returns its exit status and its standard output and error together.
    static func runPython(_ python: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        if python.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: python) else {
                throw Failure(description: "cannot run \(python): no executable file there")
            }
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

extension TrainStepBenchmark {
    /// `--sweep`: images/s (best step) against the batch size, for 1 and 2 threads, ours and
    /// PyTorch's, each point measured in `repeats` fresh child processes, ours and PyTorch's in
    /// turns; then the figure.
    func runSweep() throws {
        let batches = [32, 64, 128, 256, 512], threadCounts = [1, 2]
        let python = PyTorchSide.python(self.python)
        let torch: PyTorchSide?
        switch try PyTorchSide.check(python: python, named: self.python) {
        case .success(let side) where pytorch: torch = side
        case .failure(let failure) where pytorch: print("PyTorch: none (\(failure.description))"); torch = nil
        default: torch = nil
        }
        print("train-step sweep on \(Machine.description): best of \(steps) steps × \(rounds) rounds per process, "
              + "\(repeats) processes per point; load average \(BenchSupport.loadAverage())")
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        /// One side's measurements at one batch size: the best step of each process, in images/s.
        func spread(_ values: [Double]) -> (mean: Double, halfRange: Double) {
            let mean = values.reduce(0, +) / Double(values.count)
            return (mean, ((values.max() ?? mean) - (values.min() ?? mean)) / 2)
        }
        var series: [Series] = []
        var highest = 0.0
        for threads in threadCounts.reversed() {
            var ours: [(mean: Double, halfRange: Double)] = [], theirs: [(mean: Double, halfRange: Double)] = []
            for b in batches {
                var oursRepeats: [Double] = [], theirsRepeats: [Double] = []
                for _ in 0..<repeats {
                    let (status, output) = try BenchSupport.run(executable, [
                        "train-step", "--batch", "\(b)", "--steps", "\(steps)", "--warmup", "\(warmup)", "--rounds", "\(rounds)",
                        "--no-pytorch", "--loop-steps", "0", "--seed", "\(seed)",
                    ], environment: ["VAE_THREADS": "\(threads)"])
                    guard status == 0, let line = output.split(separator: "\n").last(where: { $0.hasPrefix("train-step ") }),
                          let field = line.split(separator: " ").first(where: { $0.hasPrefix("swift=") }),
                          let value = Double(field.dropFirst("swift=".count)) else {
                        throw ValidationError("the child benchmark at batch \(b), \(threads) thread(s) failed: \(output.suffix(300))")
                    }
                    oursRepeats.append(value)
                    if let torch {
                        let timing = try torch.measure(script: Self.script, threads: threads, batch: b, steps: steps,
                                                       warmup: warmup, seed: seed)
                        theirsRepeats.append(Double(b) / timing.best)
                    }
                }
                ours.append(spread(oursRepeats))
                func each(_ values: [Double]) -> String { values.map { String(format: "%.0f", $0) }.joined(separator: ", ") }
                var text = String(format: "threads %d batch %4d: ours %7.1f images/s", threads, b, ours.last!.mean)
                    + " (" + each(oursRepeats) + ")"
                if !theirsRepeats.isEmpty {
                    theirs.append(spread(theirsRepeats))
                    text += String(format: ", PyTorch %7.1f images/s", theirs.last!.mean) + " (" + each(theirsRepeats) + ")"
                }
                highest = max(highest, (oursRepeats + theirsRepeats).max() ?? 0)
                print(text)
            }
            let plural = threads == 1 ? "thread" : "threads"
            var mine = Series("ours, \(threads) \(plural)", x: batches, y: ours.map(\.mean), style: .linesPoints)
            mine.yErrors = ours.map(\.halfRange)
            series.append(mine)
            if let torch {
                var other = Series("PyTorch \(torch.version.replacingOccurrences(of: "torch ", with: "")), \(threads) \(plural)",
                                   x: batches, y: theirs.map(\.mean), style: .dashed)
                other.yErrors = theirs.map(\.halfRange)
                series.append(other)
            }
        }
        let folder = URL(fileURLWithPath: figures, isDirectory: true)
        try WritableFolder.prepare(folder, purpose: "figures")
        var panel = Panel.lines(series, title: "Reference VAE training step (Adam), \(Machine.description)\n"
                                + "each point the mean of \(repeats) processes' best of \(steps)×\(rounds) steps, its bar their range",
                                xlabel: "batch size (images)", ylabel: "images per second", logX: true,
                                yRange: 0...(1.25 * highest), legend: .topLeft)
        panel.xTickLabels = batches.map { TickLabel("\($0)", at: Double($0)) }
        try FigureWriter(directory: folder).save(Figure(panel, width: 1000, height: 560), as: "bench-train-step")
    }
}
