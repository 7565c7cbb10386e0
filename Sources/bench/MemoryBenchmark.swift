import ArgumentParser
import CourseSupport
import Foundation
import VAECore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `bench memory`: how much memory a training step of the reference VAE takes, against the
/// batch size, measured two ways, and PyTorch's for the same step when it is installed.
///
/// - **Peak resident memory.** Each batch size runs in a fresh child process (this program, or
///   `Sources/bench/pytorch/train_step.py` for PyTorch) that builds the model and Adam, makes 8
///   binarized batches and takes a few training steps; its peak resident set (the kernel's
///   `ru_maxrss`, read with `wait4`) minus that of a child that only starts (the runtime and its
///   libraries: `import torch` for PyTorch) is what the step needs. The children run before this
///   process builds anything: a child inherits its parent's peak as the floor of its own.
/// - **The bytes each layer holds**, after a step, found by walking the layer objects' stored
///   arrays and tensors (`Mirror`, each buffer counted once by address, at its allocated
///   capacity): parameters and their gradients, the activations and scratch kept for the backward
///   pass, the im2col matrices of the convolutions, and Adam's two moments per parameter.
///
/// Prints a table, writes `figures/bench-memory.png` (the machine named in its title), and ends
/// with one line: `memory batch=128 swift_mib=… pytorch_mib=… layers_mib=…`.
struct MemoryBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory",
        abstract: "Memory of a VAE training step against the batch size: peak resident memory (ours, and PyTorch's when installed) and the bytes each layer holds."
    )

    @Option(parsing: .upToNextOption, help: "Batch sizes.")
    var batches: [Int] = [16, 32, 64, 128, 256, 512]

    @Option(help: "Training steps each child process takes.")
    var steps: Int = 3

    @Option(help: "Threads PyTorch may use (torch.set_num_threads).")
    var torchThreads: Int = 2

    @Option(help: "The Python that runs the PyTorch side (default: $VAE_BENCH_PYTHON, else python3).")
    var python: String?

    @Flag(inversion: .prefixedNo, help: "Compare with PyTorch when its Python can import torch.")
    var pytorch = true

    @Option(help: ArgumentHelp("Folder the figure is written to.", valueName: "dir"))
    var figures: String = CoursePaths.figures.path

    @Option(help: "File format of the figure: png, svg or pdf.")
    var format: FigureFormat = .png

    @Option(help: ArgumentHelp("Run one measured child: build the model, take the steps at this batch size, exit (0: only start).",
                               visibility: .private))
    var childBatch: Int?

    func validate() throws {
        guard !batches.isEmpty, batches.allSatisfy({ $0 >= 2 }) else {
            throw ValidationError("--batches needs batch sizes of at least 2 (BatchNorm needs two values per channel)")
        }
        for batch in batches { try BenchSupport.checkTrainingBatch(batch, option: "--batches") }
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
        guard torchThreads >= 1 else { throw ValidationError("--torch-threads must be at least 1") }
    }

    func run() throws {
        if let childBatch {
            if childBatch > 0 { try Self.trainingSteps(batch: childBatch, steps: steps) }
            return
        }
        let sizes = Set(batches).sorted()
        let python = PyTorchSide.python(self.python)
        var torch: PyTorchSide? = nil
        var unavailable = pytorch ? "" : "not compared (--no-pytorch)"
        if pytorch {
            switch try PyTorchSide.check(python: python, named: self.python) {
            case .success(let side): torch = side
            case .failure(let error): unavailable = error.description
            }
        }
        let machine = Machine.description
        print("memory benchmark: reference VAE, Adam, \(steps) training steps per child process; \(machine); load average \(BenchSupport.loadAverage())")
        print("PyTorch: " + (torch.map { "\($0.version) through \(python), \(torchThreads) thread(s)" } ?? "none: \(unavailable)"))

        // The runtime alone: what a child takes before it builds anything.
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        let ourBase = try Self.peakResidentBytes(me, ["memory", "--child-batch", "0"])
        var torchBase: Int? = nil
        if let side = torch {
            torchBase = try? Self.peakResidentBytes(side.python, ["-c", "import torch"], viaEnv: !side.python.contains("/"))
        }
        print(String(format: "runtime alone: ours %.1f MiB, PyTorch %@", Self.mib(ourBase),
                     torchBase.map { String(format: "%.1f MiB (python, import torch)", Self.mib($0)) } ?? "—"))

        // Every child first, while this process is small: Linux hands a child started by
        // posix_spawn (which shares this process's memory until it execs) this process's peak as
        // the starting value of its own `ru_maxrss`, so a child spawned after this process had run
        // a large step would report that step's peak, not its own.
        var peaks: [(batch: Int, ours: Int, torch: Int?)] = []
        for batch in sizes {
            let ours = try Self.peakResidentBytes(me, ["memory", "--child-batch", "\(batch)", "--steps", "\(steps)"]) - ourBase
            var theirs: Int? = nil
            if let side = torch, let base = torchBase {
                theirs = (try? Self.peakResidentBytes(side.python, [TrainStepBenchmark.script.path, "--threads", "\(torchThreads)",
                                                                    "--batch", "\(batch)", "--steps", "\(steps)", "--warmup", "1"],
                                                      viaEnv: !side.python.contains("/"))).map { $0 - base }
            }
            peaks.append((batch, ours, theirs))
        }

        // The bytes each layer holds after a step, batch by batch in increasing order (the layers'
        // scratch only grows, so after each step it is the current batch's).
        var random = RandomSource(seed: 1)
        let model = try VAE(.reference, using: &random)
        let adam = try Adam(model.parameters, learningRate: 1e-3)
        var accounts: [(batch: Int, layers: [LayerBytes])] = []
        print("")
        print("batch   peak − runtime: ours   PyTorch    counted in our layers: params+grads   Adam   kept/scratch   im2col   total   not counted")
        for (batch, ours, theirs) in peaks {
            let images = Self.binarizedBatch(batch, seed: UInt64(batch))
            adam.zeroGradients()
            _ = try model.accumulateGradients(images: images, using: &random)
            adam.step()
            let layers = Self.layerBytes(model)
            accounts.append((batch, layers))
            let total = LayerBytes.sum(layers)
            print(BenchSupport.pad("\(batch)", 5, right: true) + "   "
                  + BenchSupport.pad(String(format: "%.1f MiB", Self.mib(ours)), 16, right: true)
                  + BenchSupport.pad(theirs.map { String(format: "%.1f MiB", Self.mib($0)) } ?? "—", 12, right: true)
                  + BenchSupport.pad(String(format: "%.1f", Self.mib(total.parameters)), 31, right: true)
                  + BenchSupport.pad(String(format: "%.1f", Self.mib(total.optimizer)), 7, right: true)
                  + BenchSupport.pad(String(format: "%.1f", Self.mib(total.kept)), 15, right: true)
                  + BenchSupport.pad(String(format: "%.1f", Self.mib(total.im2col)), 9, right: true)
                  + BenchSupport.pad(String(format: "%.1f MiB", Self.mib(total.total)), 12, right: true)
                  + BenchSupport.pad(String(format: "%.1f MiB", Self.mib(ours - total.total)), 14, right: true))
        }
        print("(not counted: what a step allocates and frees again, each layer's output and input gradient, and the batches)")
        let shown = accounts.last { $0.batch <= 128 } ?? accounts[0]
        print("")
        print("per layer at batch \(shown.batch) (MiB): params+grads, Adam, kept for backward and scratch, im2col")
        for layer in shown.layers {
            print(BenchSupport.pad(layer.name, 18) + String(format: "%8.2f %8.2f %8.2f %8.2f", Self.mib(layer.parameters),
                                                            Self.mib(layer.optimizer), Self.mib(layer.kept), Self.mib(layer.im2col)))
        }
        try drawFigure(peaks: peaks, accounts: accounts, shown: shown, machine: machine, torch: torch?.version)
        let at = peaks.last { $0.batch <= 128 } ?? peaks[0]
        print("")
        print("memory batch=\(at.batch) swift_mib=\(String(format: "%.1f", Self.mib(at.ours))) "
              + "pytorch_mib=\(at.torch.map { String(format: "%.1f", Self.mib($0)) } ?? "none") "
              + "layers_mib=\(String(format: "%.1f", Self.mib(LayerBytes.sum(shown.layers).total)))")
    }

    // MARK: The figure

    func drawFigure(peaks: [(batch: Int, ours: Int, torch: Int?)], accounts: [(batch: Int, layers: [LayerBytes])],
                    shown: (batch: Int, layers: [LayerBytes]), machine: String, torch: String?) throws {
        let sizes = peaks.map { Double($0.batch) }
        var peakSeries = [
            Series("ours: peak − runtime", x: sizes, y: peaks.map { Self.mib($0.ours) }, style: .linesPoints),
            Series("ours: counted (layers, Adam)", x: sizes, y: accounts.map { Self.mib(LayerBytes.sum($0.layers).total) },
                   style: .dashed, color: "#1f77b4"),
            Series("ours: not counted (transient)", x: sizes,
                   y: zip(peaks, accounts).map { max(Self.mib($0.ours - LayerBytes.sum($1.layers).total), 1e-3) },
                   style: .dashed, color: "#7f7f7f"),
        ]
        let measured = peaks.filter { $0.torch != nil }
        if !measured.isEmpty {
            peakSeries.append(Series("PyTorch: peak − import torch", x: measured.map { Double($0.batch) },
                                     y: measured.map { Self.mib($0.torch!) }, style: .linesPoints, color: "#d62728"))
        }
        let categories = ["parameters + gradients", "Adam's moments", "kept for backward, scratch", "im2col matrices"]
        let colors = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759"]
        func part(_ b: LayerBytes, _ k: Int) -> Int { [b.parameters, b.optimizer, b.kept, b.im2col][k] }
        let byCategory = categories.indices.map { k in
            Series(categories[k], x: sizes, y: accounts.map { max(Self.mib($0.layers.reduce(0) { $0 + part($1, k) }), 1e-3) },
                   style: .linesPoints, color: colors[k])
        }
        let bars = BarChart(categories: shown.layers.map(\.name), groups: categories.indices.map { k in
            .init(categories[k], values: shown.layers.map { Self.mib(part($0, k)) }, color: colors[k])
        }, stacked: true)
        let ticks = sizes.map { TickLabel(String(Int($0)), at: $0) }
        let plotted = peakSeries.flatMap(\.y).filter { $0 > 0 }
        let (lowest, highest) = (plotted.min() ?? 1, plotted.max() ?? 10)
        let range = sizes.first! / 1.2...sizes.last! * 1.2
        try FigureWriter(directory: URL(fileURLWithPath: figures, isDirectory: true), format: format).save(Figure(
            title: "Memory of one training step of the reference VAE (Adam) on \(machine)" + (torch.map { ", against \($0)" } ?? ""),
            panels: [
                .lines(peakSeries, title: "Peak resident memory of a training process, less its runtime",
                       xlabel: "batch size", ylabel: "MiB", logX: true, logY: true, xRange: range,
                       yRange: (lowest / 1.5)...(highest * 4), legend: .topLeft, xTickLabels: ticks),
                .lines(byCategory, title: "What our layers hold after a step, by kind", xlabel: "batch size", ylabel: "MiB",
                       logX: true, logY: true, xRange: range, legend: .topLeft, xTickLabels: ticks),
                {
                    // Room above the tallest bar for the key.
                    var panel = Panel.bars(bars, title: "Per layer at batch \(shown.batch)", ylabel: "MiB", legend: .topRight)
                    let tallest = shown.layers.map { Self.mib($0.total) }.max() ?? 1
                    panel.yRange = 0...(tallest * 1.6)
                    return panel
                }(),
            ], columns: 3, width: 1800, height: 560), as: "bench-memory")
    }

    // MARK: Measuring

    /// The child's work: the model, Adam, 8 binarized batches, `steps` training steps.
    static func trainingSteps(batch: Int, steps: Int) throws {
        var random = RandomSource(seed: 1)
        let model = try VAE(.reference, using: &random)
        let adam = try Adam(model.parameters, learningRate: 1e-3)
        let batches = (0..<8).map { binarizedBatch(batch, seed: UInt64($0)) }
        for step in 0..<steps {
            adam.zeroGradients()
            _ = try model.accumulateGradients(images: batches[step % batches.count], using: &random)
            adam.step()
        }
    }

    /// A batch of `count` binary images drawn from uniform grey levels (what the pixels show does
    /// not change the cost of a step), as PyTorch's side draws them.
    static func binarizedBatch(_ count: Int, seed: UInt64) -> Tensor {
        var random = RandomSource(seed: seed)
        var images = Tensor(shape: [count, 1, 28, 28])
        for i in 0..<images.count { images.scalars[i] = random.uniform() < 0.5 ? 1 : 0 }
        return images
    }

    /// Runs `executable arguments…` (through /usr/bin/env when `viaEnv`, which then becomes the
    /// program) with its output discarded, and returns its peak resident set in bytes.
    /// - Throws: when it cannot start or does not exit with status 0.
    static func peakResidentBytes(_ executable: String, _ arguments: [String], viaEnv: Bool = false) throws -> Int {
        let path = viaEnv ? "/usr/bin/env" : executable
        let argv = ([path] + (viaEnv ? [executable] : []) + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let started = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard started == 0 else { throw PyTorchSide.Failure(description: "cannot start \(executable): \(String(cString: strerror(started)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw PyTorchSide.Failure(description: "waiting for \(executable) failed: errno \(errno)") }
        }
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw PyTorchSide.Failure(description: "\(executable) \(arguments.joined(separator: " ")) failed (wait status \(status))")
        }
        #if os(Linux)
        return usage.ru_maxrss * 1024   // kilobytes on Linux
        #else
        return usage.ru_maxrss           // bytes on macOS
        #endif
    }

    /// What one layer holds, in bytes.
    struct LayerBytes {
        var name: String
        var parameters = 0, optimizer = 0, kept = 0, im2col = 0
        var total: Int { parameters + optimizer + kept + im2col }

        static func sum(_ layers: [LayerBytes]) -> LayerBytes {
            layers.reduce(into: LayerBytes(name: "all")) { t, l in
                t.parameters += l.parameters; t.optimizer += l.optimizer; t.kept += l.kept; t.im2col += l.im2col
            }
        }
    }

    /// Every layer's buffers, walked by reflection: each `Parameter` (value and gradient), and
    /// every other stored `[Float]` or `Tensor` (im2col when its name says columns), each buffer
    /// once across the model, at its allocated capacity; Adam's moments are two floats per parameter.
    static func layerBytes(_ model: VAE) -> [LayerBytes] {
        var seen = Set<UInt>()
        /// The allocated bytes of an array not counted before.
        func bytes(_ array: [Float]) -> Int {
            guard array.capacity > 0 else { return 0 }
            let address = array.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
            guard seen.insert(address).inserted else { return 0 }
            return array.capacity * MemoryLayout<Float>.stride
        }
        func walk(_ object: Any, into account: inout LayerBytes, depth: Int = 0) {
            guard depth < 6 else { return }
            // A subclass's mirror shows its own properties; its superclasses' come in their mirrors
            // (BatchNorm2d keeps everything in BatchNorm).
            var mirrors: [Mirror] = []
            var next: Mirror? = Mirror(reflecting: object)
            while let m = next { mirrors.append(m); next = m.superclassMirror }
            for child in mirrors.flatMap(\.children) {
                let label = (child.label ?? "").lowercased()
                if let parameter = child.value as? Parameter {
                    account.parameters += bytes(parameter.value.scalars) + bytes(parameter.gradient.scalars)
                    account.optimizer += 2 * parameter.value.count * MemoryLayout<Float>.stride
                } else if let tensor = child.value as? Tensor {
                    account.kept += bytes(tensor.scalars)
                } else if let array = child.value as? [Float] {
                    if label.contains("column") { account.im2col += bytes(array) } else { account.kept += bytes(array) }
                } else if let layers = child.value as? [Layer] {
                    for layer in layers { walk(layer, into: &account, depth: depth + 1) }
                } else if let layer = child.value as? Layer {
                    walk(layer, into: &account, depth: depth + 1)
                }
            }
        }
        var result: [LayerBytes] = []
        let parts: [(String, [(String, Layer)])] = [
            ("encoder", Array(zip(model.encoderBody.names, model.encoderBody.layers))),
            ("encoder", [(model.layout.head.name, model.encoderHead)]),
            ("decoder", Array(zip(model.decoder.names, model.decoder.layers))),
        ]
        for (network, layers) in parts {
            for (name, layer) in layers {
                var account = LayerBytes(name: "\(network == "encoder" ? "enc" : "dec").\(name)")
                walk(layer, into: &account)
                if account.total > 0 { result.append(account) }
            }
        }
        return result
    }

    static func mib(_ bytes: Int) -> Double { Double(bytes) / 1_048_576 }
}
