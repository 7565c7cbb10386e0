// libFuzzer target `model`: a model description from bytes, read both ways the programs read
// one (a checkpoint's `model_config`, a `VAEConfiguration`, and an `--arch-file`, an
// `Architecture`), then validated, resolved layer by layer, and costed (multiply-adds, the
// importance-weighted bound's memory estimate). Any input must be refused in words or give a
// model, never a crash, a trap or a hang: run.sh runs it with a short per-input time limit, so a
// walk over the description that grows faster than its size is caught. A small enough model is
// also built and run once on two images, which must give the shapes validation promised.
import Foundation

func fuzzModel(_ data: UnsafePointer<UInt8>, _ size: Int) {
    let bytes = Data(bytes: data, count: size)
    var configurations: [VAEConfiguration] = []
    if let configuration = try? Checkpoint.decoder.decode(VAEConfiguration.self, from: bytes) { configurations.append(configuration) }
    if let architecture = try? JSONDecoder().decode(Architecture.self, from: bytes) {
        configurations.append(VAEConfiguration(architecture: architecture))
    }
    for configuration in configurations {
        _ = configuration.summary
        // The variations the chapters make, validated as any description.
        for variation in [configuration.architecture.removingBatchNorm(), configuration.architecture.replacingActivations(with: .swish)] {
            var varied = configuration
            varied.architecture = variation
            _ = try? varied.validate()
        }
        guard (try? configuration.validate()) != nil else { continue }
        checkValidModel(configuration)
    }
}

/// What must hold of a description that validation accepted.
private func checkValidModel(_ configuration: VAEConfiguration) {
    let (latent, classes) = (configuration.latentDimensions, configuration.classCount)
    let layout = try! configuration.architecture.resolve(latentDimensions: latent, classCount: classes)
    var shape = Architecture.imageShape
    for layer in layout.encoder {
        precondition(layer.input == shape && layer.multiplyAdds >= 0, "encoder layer \(layer.name): its input must be the previous output")
        _ = layer.spec.summary
        shape = layer.output
    }
    precondition(layout.head.input == [shape[0] + classes], "the head reads the features and the label")
    shape = [latent + classes]
    for layer in layout.decoder {
        precondition(layer.input == shape && layer.multiplyAdds >= 0, "decoder layer \(layer.name): its input must be the previous output")
        shape = layer.output
    }
    precondition(shape == Architecture.imageShape, "a valid decoder ends with the image's shape")
    _ = try! ImportanceWeightedMemory.decoderBytesPerCode(configuration)

    // The checkpoint's JSON of the configuration reads back as the same configuration.
    let json = try! Checkpoint.json(configuration)
    precondition(try! Checkpoint.decoder.decode(VAEConfiguration.self, from: Data(json.utf8)) == configuration,
                 "a model_config must read back as written: \(json)")

    // Built and run once, when its weights and its work are small (a valid description may ask
    // for a GiB of weights, which is not what this target is for).
    let all = layout.encoder + [layout.head] + layout.decoder
    guard saturatingSum(all.map { weightCount($0.spec, input: $0.input) }) <= 1 << 20,
          saturatingSum(all.map(\.multiplyAdds)) <= 20_000_000,
          all.allSatisfy({ largestOutput($0.spec, input: $0.input) <= 1 << 18 }),
          (configuration.flow?.hiddenUnits ?? 0) <= 1024, (configuration.flow?.contextFeatures ?? 0) <= 1024,
          latent <= 1024, classes <= 1024 else { return }
    var random = RandomSource(seed: 1)
    let model: VAE
    do { model = try VAE(configuration, using: &random) } catch { preconditionFailure("a validated model must build: \(error)") }
    _ = model.forwardMultiplyAdds
    _ = Diagram.architecture(of: model)
    // Two images: batch norm in training mode needs more than one value per channel.
    let labels = classes > 0 ? [0, classes - 1] : nil
    let images = Tensor(shape: [2] + Architecture.imageShape, scalars: (0..<(2 * 784)).map { Float($0 % 3) / 2 })
    let (mean, logVariance) = try! model.encode(images, labels: labels)
    precondition(mean.shape == [2, latent] && logVariance.shape == [2, latent], "the encoder gives one code per image")
    precondition(try! model.decode(mean, labels: labels).shape == [2] + Architecture.imageShape, "the decoder gives one image per code")
}

/// The sum, or `Int.max` when it overflows.
private func saturatingSum(_ values: [Int]) -> Int {
    values.reduce(0) { total, value in
        let (sum, overflow) = total.addingReportingOverflow(value)
        return overflow ? .max : sum
    }
}

/// The saturating product of `sizes`.
private func product(_ sizes: [Int]) -> Int {
    sizes.reduce(1) { total, size in
        let (p, overflow) = total.multipliedReportingOverflow(by: size)
        return overflow ? .max : p
    }
}

/// The weights of a layer of a validated description for an input of `input`, its residual
/// body's included, walked once.
private func weightCount(_ spec: LayerSpec, input: [Int]) -> Int {
    switch spec.operation {
    case .linear(let features): return product([input[0], features])
    case .conv(let channels, let kernel, _, _), .deconv(let channels, let kernel, _, _, _):
        return product([input[0], channels, kernel, kernel])
    case .residual(let body):
        var shape = input, total = 0
        for inner in body {
            total = saturatingSum([total, weightCount(inner, input: shape)])
            shape = inner.type == .residual ? shape : (try! inner.outputShape(forInput: shape, at: "fuzz"))
        }
        return total
    default: return 0
    }
}

/// The largest output (values per image) of a layer or of any layer in its residual body.
private func largestOutput(_ spec: LayerSpec, input: [Int]) -> Int {
    guard case .residual(let body) = spec.operation else { return product(try! spec.outputShape(forInput: input, at: "fuzz")) }
    var shape = input, largest = product(input)
    for inner in body {
        largest = max(largest, largestOutput(inner, input: shape))
        shape = inner.type == .residual ? shape : (try! inner.outputShape(forInput: shape, at: "fuzz"))
    }
    return largest
}
