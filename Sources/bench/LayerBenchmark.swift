import ArgumentParser
import Foundation
import VAECore

/// `bench layers`: the forward and backward time of every layer of the reference VAE, at the
/// batch size of training, on a real binarized MNIST batch. It says where a training step's time
/// goes, layer by layer, and so what is worth making faster.
///
/// Each layer is timed on the input it sees in the model (the batch is run through the model
/// once to get them): forward with that input, backward with a random output gradient after a
/// forward (so that its caches are those of training). Best of `--repeats` runs each.
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

    func validate() throws {
        guard batch >= 2 else { throw ValidationError("--batch must be at least 2 (BatchNorm needs two values per channel)") }
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
        let model = try VAE(.reference, using: &random)
        let images = try BenchSupport.binarizedBatches(count: 1, batchSize: batch, seed: seed)[0]
        print("layers benchmark: reference VAE, batch \(batch), best of ≤ \(repeats) runs (≤ \(budget) s) per layer and direction, "
              + "\(gemmMaxThreads) gemm thread(s), load average \(BenchSupport.loadAverage())")
        print("")

        var rows: [Row] = []
        var x = images
        // Encoder: conv1, bn1, relu1, conv2, bn2, relu2, (flatten), fc.
        for (name, layer) in zip(model.encoderBody.names, model.encoderBody.layers) {
            if !(layer is Flatten) { rows.append(timeLayer(layer, "encoder." + name, input: x, random: &random)) }
            x = layer.forward(x)
        }
        rows.append(timeLayer(model.encoderHead, "encoder." + model.layout.head.name, input: x, random: &random))
        let statistics = model.encoderHead.forward(x)
        let d = model.configuration.latentDimensions
        let (mean, logVariance) = (statistics.columns(0..<d), statistics.columns(d..<2 * d))
        let (z, epsilon, sigma) = VAE.reparameterize(mean: mean, logVariance: logVariance, using: &random)
        // Decoder: fc, relu1, (reshape), deconv1, bn1, relu2, deconv2.
        x = z
        for (name, layer) in zip(model.decoder.names, model.decoder.layers) {
            if !(layer is Reshape) { rows.append(timeLayer(layer, "decoder." + name, input: x, random: &random)) }
            x = layer.forward(x)
        }
        rows.append(try timeLoss(logits: x, targets: images, mean: mean, logVariance: logVariance,
                                 epsilon: epsilon, sigma: sigma, random: &random))
        printTable(rows)
    }

    /// Times `layer`'s forward on `input`, then its backward with a random output gradient.
    func timeLayer(_ layer: Layer, _ name: String, input: Tensor, random: inout RandomSource) -> Row {
        let forward = measureBest(maxRepeats: repeats, budget: budget) { _ = layer.forward(input) }
        let output = layer.forward(input)
        let gradient = Tensor.gaussian(output.shape, standardDeviation: 1e-3, using: &random)
        let backward = measureBest(maxRepeats: repeats, budget: budget) { _ = layer.backward(gradient) }
        return Row(name: name, inputShape: input.shape, outputShape: output.shape, forward: forward, backward: backward)
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
