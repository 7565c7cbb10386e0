import ArgumentParser
import CourseSupport
import Foundation
import VAECore

/// `bench layers`: the forward and backward time of every layer of the reference VAE, at the
/// batch size of training, on a real binarized MNIST batch. It says where a training step's time
/// goes, layer by layer, and so what is worth making faster. `--network` times one of chapter 9's
/// variants of the reference instead (ELU or Swish activations, the upsampling decoder), without
/// PyTorch's side.
///
/// Each layer is timed on the input it sees in the model (the batch is run through the model
/// once to get them): forward with that input, backward with a random output gradient after a
/// forward (so that its caches are those of training). Best of `--repeats` runs each. By default
/// each layer runs batch-minor, (F, B), as the training step runs it (`BatchMinorLayer`; the two
/// transposes at a chain's ends are not listed); `--layout nchw` times the layers' NCHW `forward`
/// and `backward`, each with its own transposes.
///
/// PyTorch's layers are timed the same way by `pytorch/layers.py` (through `--python`, or
/// `$VAE_BENCH_PYTHON`, else python3), and `--figure` draws both as bars,
/// `figures/bench-layers.png`, the machine named in its title (our side only without PyTorch).
/// Flatten and Reshape only relabel a shape and are not listed. "loss" is the binary
/// cross-entropy from logits and the KL term, values and gradients (forward), and the
/// reparameterisation's backward, from ∂L/∂z to ∂L/∂(μ, log σ²) (backward).
///
/// Prints a table, then, last, one line per layer in a fixed format that scripts read:
///
///     layer encoder.conv1 fwd=1.234 bwd=2.345
struct LayerBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layers",
        abstract: "Forward and backward time of each layer of the reference VAE."
    )

    @Option(help: "Images per batch.")
    var batch: Int = 128

    @Option(help: "Timed runs per layer and direction (the best is kept).")
    var repeats: Int = 30

    @Option(help: "Seconds of timing per layer and direction, at most (after the first run).")
    var budget: Double = 0.5

    @Option(help: "Seed of the weights, the batch and the random gradients.")
    var seed: UInt64 = 1

    /// The layout the layers run in.
    enum Layout: String, ExpressibleByArgument, CaseIterable { case batchMinor = "batch-minor", nchw }

    @Option(help: "batch-minor (as training runs them) or nchw (each layer's own forward and backward).")
    var layout: Layout = .batchMinor

    /// The network whose layers are timed: the reference, or one of chapter 9's variants of it.
    enum Network: String, ExpressibleByArgument, CaseIterable {
        case reference, elu, swish, upsample

        var architecture: Architecture {
            let reference = Architecture.reference
            switch self {
            case .reference: return reference
            case .elu: return reference.replacingActivations(with: .elu())
            case .swish: return reference.replacingActivations(with: .swish)
            case .upsample:
                var upsampling = reference
                upsampling.decoder = [.linear(64 * 7 * 7), .relu, .reshape([64, 7, 7]),
                                      .upsample(2), .conv(32, kernel: 3, stride: 1, padding: 1), .batchNorm, .relu,
                                      .upsample(2), .conv(1, kernel: 3, stride: 1, padding: 1)]
                return upsampling
            }
        }
    }

    @Option(help: "reference, or the reference with ELU or Swish activations or with nearest-neighbour upsampling and stride-1 convolutions in its decoder (chapter 9's variants; PyTorch times the reference only).")
    var network: Network = .reference

    @Flag(inversion: .prefixedNo, help: "Time PyTorch's layers too, when its Python can import torch.")
    var pytorch = true

    @Option(help: "The Python that runs the PyTorch side (default: $VAE_BENCH_PYTHON, else python3).")
    var python: String?

    @Flag(help: "Draw figures/bench-layers.png: forward and backward per layer, ours and PyTorch's.")
    var figure = false

    @Option(help: "With --figure: the folder the figure is written to.")
    var figures: String = BenchSupport.figuresFolder.path

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("pytorch/layers.py")

    func validate() throws {
        guard batch >= 2 else { throw ValidationError("--batch must be at least 2 (BatchNorm needs two values per channel)") }
        try BenchSupport.checkTrainingBatch(batch, option: "--batch")
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        guard budget > 0 else { throw ValidationError("--budget must be positive") }
    }

    /// One row of the table.
    struct Row {
        var name: String
        var inputShape: [Int]
        var outputShape: [Int]
        var forward: Double
        var backward: Double
    }

    func run() throws {
        var random = RandomSource(seed: seed)
        let model = try VAE(VAEConfiguration(architecture: network.architecture), using: &random)
        let images = try BenchSupport.binarizedBatches(count: 1, batchSize: batch, seed: seed)[0]
        print("layers benchmark: \(network) VAE, batch \(batch), best of ≤ \(repeats) runs (≤ \(budget) s) per layer and direction, "
              + "\(gemmMaxThreads) gemm thread(s), load average \(BenchSupport.loadAverage())")
        print("")

        var rows: [Row] = []
        let batchMinor = layout == .batchMinor
        var x = batchMinor ? Self.toBatchMinor(images) : images
        var sample = Array(images.shape.dropFirst())
        /// Times one layer on `x` and moves `x` (and its sample shape) on to the layer's output.
        func step(_ layer: Layer, _ name: String, listed: Bool) {
            if listed { rows.append(timeLayer(layer, name, input: x, sample: batchMinor ? sample : nil, random: &random)) }
            if batchMinor, let layer = layer as? BatchMinorLayer {
                x = layer.forwardBatchMinor(x, sampleShape: sample)
                sample = layer.outputSampleShape(forInput: sample)
            } else {
                precondition(!batchMinor, "\(name) has no batch-minor pass")
                x = layer.forward(x)
                sample = Array(x.shape.dropFirst())
            }
        }
        // Encoder: conv1, bn1, relu1, conv2, bn2, relu2, (flatten), fc.
        for (name, layer) in zip(model.encoderBody.names, model.encoderBody.layers) {
            step(layer, "encoder." + name, listed: !(layer is Flatten))
        }
        step(model.encoderHead, "encoder." + model.layout.head.name, listed: true)
        let statistics = batchMinor ? Self.toBatchMajor(x) : x                      // (B, 2D)
        let d = model.configuration.latentDimensions
        let (mean, logVariance) = (statistics.columns(0..<d), statistics.columns(d..<2 * d))
        let (z, epsilon, sigma) = VAE.reparameterize(mean: mean, logVariance: logVariance, using: &random)
        // Decoder: fc, relu1, (reshape), deconv1, bn1, relu2, deconv2.
        x = batchMinor ? Self.toBatchMinor(z) : z
        sample = [d]
        for (name, layer) in zip(model.decoder.names, model.decoder.layers) {
            step(layer, "decoder." + name, listed: !(layer is Reshape))
        }
        let logits = batchMinor ? Self.toBatchMajor(x, sample: sample) : x
        rows.append(try timeLoss(logits: logits, targets: images, mean: mean, logVariance: logVariance,
                                 epsilon: epsilon, sigma: sigma, random: &random))
        printTable(rows)

        let torchRows = pytorch && network == .reference ? try torchLayers() : nil
        if let torchRows {
            print("")
            for r in torchRows.rows { print("pytorch-layer \(r.name) fwd=\(BenchSupport.ms(r.forward)) bwd=\(BenchSupport.ms(r.backward))") }
        }
        if figure { try drawFigure(ours: rows, torch: torchRows) }
    }

    /// (B, sample…) → (F, B), by a plain loop (outside the timed code).
    static func toBatchMinor(_ t: Tensor) -> Tensor {
        let b = t.shape[0], f = t.count / b
        var out = [Float](repeating: 0, count: t.count)
        for i in 0..<b { for j in 0..<f { out[j * b + i] = t.scalars[i * f + j] } }
        return Tensor(shape: [f, b], scalars: out)
    }

    /// (F, B) → (B, sample…) (by default (B, F)).
    static func toBatchMajor(_ t: Tensor, sample: [Int]? = nil) -> Tensor {
        let (f, b) = (t.shape[0], t.shape[1])
        var out = [Float](repeating: 0, count: t.count)
        for j in 0..<f { for i in 0..<b { out[i * f + j] = t.scalars[j * b + i] } }
        return Tensor(shape: [b] + (sample ?? [f]), scalars: out)
    }

    /// Times `layer`'s forward on `input`, then its backward with a random output gradient:
    /// batch-minor when `sample` (the per-sample shape of `input`, (F, B)) is given, else NCHW.
    func timeLayer(_ layer: Layer, _ name: String, input: Tensor, sample: [Int]?, random: inout RandomSource) -> Row {
        let forward: () -> Tensor, backward: (Tensor) -> Void
        if let sample, let layer = layer as? BatchMinorLayer {
            forward = { layer.forwardBatchMinor(input, sampleShape: sample) }
            backward = { _ = layer.backwardBatchMinor($0) }
        } else {
            forward = { layer.forward(input) }
            backward = { _ = layer.backward($0) }
        }
        let forwardTime = measureBest(maxRepeats: repeats, budget: budget) { _ = forward() }
        let output = forward()
        let gradient = Tensor.gaussian(output.shape, standardDeviation: 1e-3, using: &random)
        let backwardTime = measureBest(maxRepeats: repeats, budget: budget) { backward(gradient) }
        // Shapes as (B, sample…) in both layouts, so that the table reads the same.
        var (inputShape, outputShape) = (input.shape, output.shape)
        if let sample, let layer = layer as? BatchMinorLayer {
            (inputShape, outputShape) = ([input.shape[1]] + sample, [input.shape[1]] + layer.outputSampleShape(forInput: sample))
        }
        return Row(name: name, inputShape: inputShape, outputShape: outputShape, forward: forwardTime, backward: backwardTime)
    }

    /// Times the loss terms with their gradients (forward) and the reparameterisation's backward.
    func timeLoss(logits: Tensor, targets: Tensor, mean: Tensor, logVariance: Tensor,
                  epsilon: Tensor, sigma: Tensor, random: inout RandomSource) throws -> Row {
        let forward = try measureBest(maxRepeats: repeats, budget: budget) {
            _ = try binaryCrossEntropyWithLogits(logits: logits, targets: targets, reduction: .sumPerSample)
            _ = try klDivergenceStandardNormal(mean: mean, logVariance: logVariance, reduction: .sumPerSample)
        }
        let kl = try klDivergenceStandardNormal(mean: mean, logVariance: logVariance, reduction: .sumPerSample)
        let dz = Tensor.gaussian(mean.shape, standardDeviation: 1e-3, using: &random)
        let backward = measureBest(maxRepeats: repeats, budget: budget) {
            _ = VAE.latentGradient(dz: dz, epsilon: epsilon, standardDeviation: sigma, kl: kl, klWeight: 1)
        }
        return Row(name: "loss", inputShape: logits.shape, outputShape: [1], forward: forward, backward: backward)
    }

    /// PyTorch's rows, from `pytorch/layers.py`, and its version; nil (and a line saying why) when
    /// its Python cannot import torch.
    func torchLayers() throws -> (rows: [Row], version: String)? {
        let python = PyTorchSide.python(self.python)
        let side: PyTorchSide
        switch try PyTorchSide.check(python: python, named: self.python) {
        case .success(let found): side = found
        case .failure(let failure): print("PyTorch: none (\(failure.description))"); return nil
        }
        let (status, output) = try PyTorchSide.runPython(python, [
            Self.script.path, "--threads", "\(computeThreads)", "--batch", "\(batch)", "--repeats", "\(repeats)",
            "--budget", "\(budget)", "--seed", "\(seed)",
        ])
        guard status == 0 else {
            throw ValidationError("layers.py exited with status \(status): \(output.suffix(400))")
        }
        // "layer encoder.conv1 fwd=… bwd=…"
        let rows = output.split(separator: "\n").filter { $0.hasPrefix("layer ") }.compactMap { line -> Row? in
            let items = line.split(separator: " ")
            func value(_ key: String) -> Double? {
                items.first { $0.hasPrefix(key + "=") }.flatMap { Double($0.dropFirst(key.count + 1)) }.map { $0 / 1e3 }
            }
            guard items.count == 4, let f = value("fwd"), let b = value("bwd") else { return nil }
            return Row(name: String(items[1]), inputShape: [], outputShape: [], forward: f, backward: b)
        }
        guard !rows.isEmpty else { throw ValidationError("layers.py printed no layer lines: \(output.suffix(400))") }
        return (rows, side.version)
    }

    /// figures/bench-layers.png: forward and backward time per layer, ours against PyTorch's.
    func drawFigure(ours: [Row], torch: (rows: [Row], version: String)?) throws {
        let names = ours.map(\.name)
        func times(_ rows: [Row], _ key: KeyPath<Row, Double>) -> [Double] {
            names.map { name in rows.first { $0.name == name }.map { $0[keyPath: key] * 1e3 } ?? .nan }
        }
        var groups: [BarChart.Group] = [
            .init("ours, forward", values: times(ours, \.forward), color: "#1f77b4"),
            .init("ours, backward", values: times(ours, \.backward), color: "#aec7e8"),
        ]
        if let torch {
            groups += [.init("PyTorch, forward", values: times(torch.rows, \.forward), color: "#d62728"),
                       .init("PyTorch, backward", values: times(torch.rows, \.backward), color: "#ff9896")]
        }
        let sum = { (rows: [Row]) in rows.filter { names.contains($0.name) && $0.name != "loss" }.reduce(0) { $0 + $1.forward + $1.backward } * 1e3 }
        var subtitle = String(format: "layers but the loss: ours %.2f ms", sum(ours))
        if let torch { subtitle += String(format: ", \(torch.version) %.2f ms", sum(torch.rows)) }
        let chart = BarChart(categories: names.map { $0.replacingOccurrences(of: "encoder.", with: "enc.").replacingOccurrences(of: "decoder.", with: "dec.") },
                             groups: groups, clusterWidth: 0.85)
        let folder = URL(fileURLWithPath: figures, isDirectory: true)
        try WritableFolder.prepare(folder, purpose: "figures")
        try FigureWriter(directory: folder).save(Figure(
            .bars(chart, title: "Reference VAE\(network == .reference ? "" : " with \(network)"), batch \(batch), \(layout == .batchMinor ? "batch-minor as in training" : "NCHW"), "
                  + "best of ≤ \(repeats) runs per layer and direction; \(subtitle)\n\(Machine.description), \(computeThreads) thread(s)",
                  ylabel: "milliseconds (log scale)", logY: true, legend: .topRight),
            width: 1400, height: 560), as: "bench-layers")
    }

    func printTable(_ rows: [Row]) {
        func pad(_ text: String, _ width: Int, right: Bool = false) -> String { BenchSupport.pad(text, width, right: right) }
        let total = rows.reduce(0) { $0 + $1.forward + $1.backward }
        let header = pad("layer", 16) + pad("input", 18) + pad("output", 18) + pad("fwd ms", 9, right: true)
            + pad("bwd ms", 9, right: true) + pad("share", 8, right: true)
        print(header)
        print(String(repeating: "-", count: header.count))
        func shape(_ s: [Int]) -> String { "(" + s.map(String.init).joined(separator: ",") + ")" }
        for r in rows {
            print(pad(r.name, 16) + pad(shape(r.inputShape), 18) + pad(shape(r.outputShape), 18)
                  + pad(BenchSupport.ms(r.forward), 9, right: true) + pad(BenchSupport.ms(r.backward), 9, right: true)
                  + pad(String(format: "%.1f%%", 100 * (r.forward + r.backward) / total), 8, right: true))
        }
        print(String(repeating: "-", count: header.count))
        let forward = rows.reduce(0) { $0 + $1.forward }, backward = rows.reduce(0) { $0 + $1.backward }
        print(pad("sum", 52) + pad(BenchSupport.ms(forward), 9, right: true) + pad(BenchSupport.ms(backward), 9, right: true)
              + "  = \(BenchSupport.ms(total)) ms, \(String(format: "%.0f", Double(batch) / total)) images/s (layers only)")
        print("")
        for r in rows {
            print("layer \(r.name) fwd=\(BenchSupport.ms(r.forward)) bwd=\(BenchSupport.ms(r.backward))")
        }
    }
}
