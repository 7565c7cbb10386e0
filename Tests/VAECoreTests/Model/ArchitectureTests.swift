import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// Architectures as data: presets, names, shape checks with clear errors, JSON, the new layers
/// (nearest-neighbour upsampling, residual blocks) against finite differences, and the reference
/// preset against a hand-built stack of the same layers.
@Suite struct ArchitectureTests {
    @Test(arguments: Architecture.presets.map(\.name))
    func everyPresetBuildsTrainsAndIsNamed(_ name: String) throws {
        let architecture = try Architecture.preset(named: name)
        #expect(architecture.presetName == name)
        var random = RandomSource(seed: 3)
        for classes in [0, 10] {
            let model = try VAE(VAEConfiguration(latentDimensions: 5, architecture: architecture, classCount: classes,
                                                 labelCentres: classes > 0), using: &random)
            let images = Tensor(shape: [3, 1, 28, 28], scalars: (0..<(3 * 784)).map { Float($0 % 2) })
            let terms = try model.accumulateGradients(images: images, labels: classes > 0 ? [1, 2, 3] : nil, using: &random)
            #expect(terms.reconstruction.isFinite && terms.kl.isFinite)
            #expect(try model.decode(Tensor(shape: [2, 5]), labels: classes > 0 ? [0, 9] : nil).shape == [2, 1, 28, 28])
            let names = (model.parameters + model.buffers).map(\.name)
            #expect(Set(names).count == names.count, "\(name): parameter names must be distinct")
        }
    }

    /// `removingBatchNorm` drops exactly the batch norms, `replacingActivations` swaps exactly
    /// the activations, both inside residual bodies too; the results build, and without its
    /// batch norms the reference loses their 2·(32 + 64 + 32) scales and shifts.
    @Test func variationsDropOrSwapExactlyTheirLayers() throws {
        let reference = Architecture.reference
        let plain = reference.removingBatchNorm()
        #expect(plain.encoder == reference.encoder.filter { $0.type != .batchNorm })
        #expect(plain.decoder == reference.decoder.filter { $0.type != .batchNorm })
        let elu = reference.replacingActivations(with: .elu())
        #expect(elu.encoder == reference.encoder.map { $0.isActivation ? .elu() : $0 })
        #expect(elu.decoder == reference.decoder.map { $0.isActivation ? .elu() : $0 })
        #expect(elu.presetName == nil && plain.presetName == nil)
        let nested = Architecture(encoder: [.conv(4, kernel: 3, padding: 1), .relu, .residual([.conv(4, kernel: 3, padding: 1), .batchNorm, .leakyReLU()]),
                                            .flatten],
                                  decoder: Architecture.reference.decoder)
        #expect(nested.removingBatchNorm().encoder[2].body == [.conv(4, kernel: 3, padding: 1), .leakyReLU()])
        #expect(nested.replacingActivations(with: .swish).encoder[2].body == [.conv(4, kernel: 3, padding: 1), .batchNorm, .swish])
        #expect(nested.replacingActivations(with: .swish).encoder[1] == .swish)
        var random = RandomSource(seed: 2)
        let full = try VAE(VAEConfiguration(architecture: reference), using: &random)
        let without = try VAE(VAEConfiguration(architecture: plain), using: &random)
        #expect(without.parameterCount == full.parameterCount - 2 * (32 + 64 + 32) && without.buffers.isEmpty)
        #expect(try VAE(VAEConfiguration(architecture: elu), using: &random).parameterCount == full.parameterCount)
    }

    @Test func referenceKeepsItsStateDictNames() throws {
        var random = RandomSource(seed: 1)
        let model = try VAE(.reference, using: &random)
        #expect(model.parameters.map(\.name) == [
            "encoder.conv1.weight", "encoder.conv1.bias", "encoder.bn1.weight", "encoder.bn1.bias",
            "encoder.conv2.weight", "encoder.conv2.bias", "encoder.bn2.weight", "encoder.bn2.bias",
            "encoder.fc.weight", "encoder.fc.bias", "decoder.fc.weight", "decoder.fc.bias",
            "decoder.deconv1.weight", "decoder.deconv1.bias", "decoder.bn1.weight", "decoder.bn1.bias",
            "decoder.deconv2.weight", "decoder.deconv2.bias",
        ])
        #expect(model.featureCount == 3136)
        // conv1 100,352 + conv2 1,605,632 + head 125,440 + fc 62,720 + deconv1 1,605,632 + deconv2 100,352.
        #expect(model.forwardMultiplyAdds == 3_600_128)
    }

    /// The reference preset draws its weights in the order the hand-written model did: conv1,
    /// conv2, the head, the decoder's fc, deconv1, deconv2, each from the same stream.
    @Test func referenceInitialWeightsEqualTheHandBuiltModel() throws {
        var random = RandomSource(seed: 42)
        let model = try VAE(.reference, using: &random)
        var stream = RandomSource(seed: 42)
        let expected: [Layer] = [
            try Conv2d(inputChannels: 1, outputChannels: 32, kernelSize: 4, stride: 2, padding: 1, using: &stream),
            try Conv2d(inputChannels: 32, outputChannels: 64, kernelSize: 4, stride: 2, padding: 1, using: &stream),
            try Linear(inputFeatures: 3136, outputFeatures: 40, using: &stream),
            try Linear(inputFeatures: 20, outputFeatures: 3136, using: &stream),
            try ConvTranspose2d(inputChannels: 64, outputChannels: 32, kernelSize: 4, stride: 2, padding: 1, using: &stream),
            try ConvTranspose2d(inputChannels: 32, outputChannels: 1, kernelSize: 4, stride: 2, padding: 1, using: &stream),
        ]
        let weights = model.parameters.filter { !$0.name.contains("bn") }
        let reference = expected.flatMap(\.parameters)
        #expect(weights.count == reference.count)
        for (p, q) in zip(weights, reference) {
            #expect(p.value.shape == q.value.shape && p.value.scalars.map(\.bitPattern) == q.value.scalars.map(\.bitPattern), "\(p.name)")
        }
    }

    @Test func shapeErrorsNameTheLayerAndBothShapes() throws {
        func message(_ architecture: Architecture) -> String {
            do {
                try VAEConfiguration(architecture: architecture).validate()
                return "accepted"
            } catch { return "\(error)" }
        }
        // A linear layer on an image: the encoder's second layer, named and shown with its input.
        let linearOnImage = message(Architecture(encoder: [.conv(4, kernel: 3, padding: 1), .linear(10)], decoder: Architecture.reference.decoder))
        #expect(linearOnImage.contains("encoder layer 'fc1'") && linearOnImage.contains("[4, 28, 28]"), "\(linearOnImage)")
        // A decoder that ends at 24×24.
        let short = message(.convolutional(channels: [8, 8, 8]))
        #expect(short.contains("decoder must end with [1, 28, 28]") && short.contains("[1, 24, 24]"), "\(short)")
        // A kernel larger than the padded image.
        let big = message(Architecture(encoder: [.conv(4, kernel: 40), .flatten], decoder: Architecture.reference.decoder))
        #expect(big.contains("encoder layer 'conv1'") && big.contains("kernel is larger"), "\(big)")
        // A reshape that does not hold the values, a residual body that changes the shape.
        let reshape = message(Architecture(encoder: Architecture.mlp.encoder, decoder: [.linear(100), .reshape([1, 28, 28])]))
        #expect(reshape.contains("decoder layer 'reshape1'") && reshape.contains("100 values"), "\(reshape)")
        let residual = message(Architecture(encoder: [.residual([.conv(4, kernel: 3, padding: 1)]), .flatten],
                                            decoder: Architecture.reference.decoder))
        #expect(residual.contains("must keep the shape"), "\(residual)")
        // An encoder that does not end flat.
        #expect(message(Architecture(encoder: [.conv(4, kernel: 4, stride: 2, padding: 1)], decoder: Architecture.reference.decoder))
            .contains("flat vector"))
        // A name used twice. (A missing field cannot get this far: a layer without the sizes its
        // operation needs cannot be made, and its JSON is refused when read; see below.)
        var twice = Architecture.reference
        twice.encoder[0].name = "conv2"
        #expect(message(twice).contains("used twice"))
    }

    /// `depth` residual blocks, each inside the body of the one before; every body is `layers`
    /// followed by the next block (the innermost body is `layers` alone).
    static func nested(depth: Int, layers: [LayerSpec]) -> LayerSpec {
        var block = LayerSpec.residual(layers)
        for _ in 1..<depth { block = .residual(layers + [block]) }
        return block
    }

    /// The refusal of `configuration` in words ("accepted" when it validates), and the seconds
    /// validation took.
    static func timedRefusal(_ configuration: VAEConfiguration) -> (message: String, seconds: Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let message: String
        do { try configuration.validate(); message = "accepted" } catch { message = "\(error)" }
        return (message, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
    }

    /// A description of 200,000 layers (as a corrupt `model_config` or a careless `--arch-file`
    /// may hold) is refused in words, quickly, before any layer is built; one of exactly
    /// `maximumLayers` (residual bodies counted) is accepted.
    @Test func tooManyLayersAreRefusedInWords() throws {
        let huge = Architecture(encoder: [.flatten] + [LayerSpec](repeating: .relu, count: 200_000), decoder: Architecture.mlp.decoder)
        let (message, seconds) = Self.timedRefusal(VAEConfiguration(architecture: huge))
        #expect(message.contains("at least 200001 layers") && message.contains("at most \(Architecture.maximumLayers)"), "\(message)")
        #expect(seconds < 1, "refusing 200,000 layers took \(seconds) s")
        var random = RandomSource(seed: 1)
        #expect(throws: VAEConfigurationError.self) { try VAE(VAEConfiguration(architecture: huge), using: &random) }

        // Exactly at the limit: the mlp decoder's 6 layers, a residual block of 4, and the rest
        // ReLUs after the encoder's flatten.
        let decoder = Architecture.mlp.decoder
        let block = LayerSpec.residual([.relu, .relu, .relu])
        let relus = Architecture.maximumLayers - decoder.count - 4 - 1
        let full = Architecture(encoder: [.flatten, block] + [LayerSpec](repeating: .relu, count: relus), decoder: decoder)
        #expect(Self.timedRefusal(VAEConfiguration(architecture: full)).message == "accepted")
        var over = full
        over.encoder[1] = .residual([.relu, .relu, .relu, .relu])
        #expect(Self.timedRefusal(VAEConfiguration(architecture: over)).message.contains("at most \(Architecture.maximumLayers)"))
    }

    /// Residual blocks nested 200 deep are refused in words, quickly (the multiply-adds of such
    /// a description once took time exponential in the depth); `maximumNesting` levels are
    /// accepted and one more is refused, in either network, as JSON too.
    @Test func deepNestingIsRefusedInWords() throws {
        let conv: LayerSpec = .conv(4, kernel: 3, padding: 1)
        let deep = Architecture(encoder: [conv, Self.nested(depth: 200, layers: [conv, .relu]), .flatten], decoder: Architecture.mlp.decoder)
        let (message, seconds) = Self.timedRefusal(VAEConfiguration(architecture: deep))
        #expect(message.contains("the encoder's layer 2 nests residual blocks more than \(Architecture.maximumNesting) deep"), "\(message)")
        #expect(seconds < 1, "refusing a depth of 200 took \(seconds) s")

        let limit = Architecture.maximumNesting
        let atLimit = Architecture(encoder: Architecture.mlp.encoder,
                                   decoder: Architecture.mlp.decoder + [Self.nested(depth: limit, layers: [.relu])])
        #expect(Self.timedRefusal(VAEConfiguration(architecture: atLimit)).message == "accepted")
        let beyond = Architecture(encoder: Architecture.mlp.encoder,
                                  decoder: Architecture.mlp.decoder + [Self.nested(depth: limit + 1, layers: [.relu])])
        let refusal = Self.timedRefusal(VAEConfiguration(architecture: beyond)).message
        #expect(refusal.contains("the decoder's layer 7 nests residual blocks more than \(limit) deep"), "\(refusal)")
        // The same description read back from its JSON, as `--arch-file` reads it.
        let read = try JSONDecoder().decode(Architecture.self, from: try JSONEncoder().encode(beyond))
        #expect(throws: VAEConfigurationError.self) { try read.checkSize() }
    }

    /// A description nested 15 deep, with 51 layers in each body, resolves, builds, counts its
    /// multiply-adds and draws its diagram in well under a second: every walk over it visits
    /// each layer a bounded number of times (computing the multiply-adds once walked each body
    /// twice per level, 2¹⁵ times the innermost one here).
    @Test func nestedMultiplyAddsTakeLinearTime() throws {
        let conv: LayerSpec = .conv(4, kernel: 3, padding: 1)
        let body = [conv] + [LayerSpec](repeating: .relu, count: 50)
        let architecture = Architecture(encoder: [conv, Self.nested(depth: 15, layers: body), .flatten],
                                        decoder: Architecture.reference.decoder)
        let start = DispatchTime.now().uptimeNanoseconds
        var random = RandomSource(seed: 4)
        let model = try VAE(VAEConfiguration(architecture: architecture), using: &random)
        let multiplyAdds = model.forwardMultiplyAdds
        let diagram = Diagram.architecture(of: model)
        let bytes = try ImportanceWeightedMemory.decoderBytesPerCode(model.configuration)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        #expect(seconds < 1, "a description nested 15 deep took \(seconds) s")
        // conv1 (1→4 channels at 28×28, k3), 15 body convolutions (4→4), the head (3136 → 40),
        // and the reference decoder's fc, deconv1 and deconv2.
        #expect(multiplyAdds == 28_224 + 15 * 112_896 + 125_440 + 62_720 + 1_605_632 + 100_352)
        #expect(model.layout.encoder[1].multiplyAdds == 15 * 112_896)
        #expect(diagram.boxes.count > 0 && bytes > 0)
        // Weights and biases: conv1's, the 15 body convolutions', the head's, and the reference
        // decoder's fc, deconv1, bn1 and deconv2.
        #expect(model.parameters.count == 2 + 15 * 2 + 2 + 8)
    }

    /// The model fuzz target's seed corpus (Tests/Fuzz/corpus/model) stays valid as the format
    /// changes: each `model-config-*` file reads as a checkpoint's `model_config`, each
    /// `arch-file-*` as an `--arch-file`, and each describes a model that validates.
    @Test func fuzzSeedsAreValidDescriptions() throws {
        // This file is Tests/VAECoreTests/Model/ArchitectureTests.swift: three folders up is Tests/.
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus/model")
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted()
        #expect(files.count >= Architecture.presets.count + 2)
        for preset in Architecture.presets.map(\.name) { #expect(files.contains("model-config-\(preset).json")) }
        for file in files {
            let data = try Data(contentsOf: corpus.appendingPathComponent(file))
            let configuration = file.hasPrefix("arch-file-")
                ? VAEConfiguration(architecture: try JSONDecoder().decode(Architecture.self, from: data))
                : try Checkpoint.decoder.decode(VAEConfiguration.self, from: data)
            #expect(throws: Never.self, "\(file)") { try configuration.validate() }
        }
    }

    @Test func jsonRoundTripsAndOldConfigsStillLoad() throws {
        for (_, architecture) in Architecture.presets {
            let configuration = VAEConfiguration(latentDimensions: 7, architecture: architecture, likelihood: .gaussian, classCount: 10)
            let data = try JSONEncoder().encode(configuration)
            #expect(try JSONDecoder().decode(VAEConfiguration.self, from: data) == configuration)
        }
        // A model_config written before architectures were data.
        let old = #"{"latentDimensions":20,"channels":[32,64],"classCount":0}"#
        let decoded = try JSONDecoder().decode(VAEConfiguration.self, from: Data(old.utf8))
        #expect(decoded == .reference)
        // A misspelt field, or one the type does not read, is refused rather than ignored.
        for bad in [#"{"type":"conv","channels":4,"kernel":3,"pading":1}"#, #"{"type":"linear","features":4,"padding":1}"#] {
            #expect(throws: DecodingError.self, "\(bad)") { try JSONDecoder().decode(LayerSpec.self, from: Data(bad.utf8)) }
        }
        let spec = #"{"type":"deconv","channels":1,"kernel":3,"stride":2,"padding":1,"output_padding":1}"#
        #expect(try JSONDecoder().decode(LayerSpec.self, from: Data(spec.utf8)) == .deconv(1, kernel: 3, stride: 2, padding: 1, outputPadding: 1))
    }

    /// The JSON of every network the course has trained, as its checkpoints hold it (written
    /// before layers were an enum of operations): the fingerprints of the trained runs hash it, so
    /// it must come out byte for byte the same.
    @Test func theJSONOfEveryTrainedNetworkIsUnchanged() throws {
        let trained: [(Architecture, String)] = [
            (Architecture.reference, #"{"decoder":[{"features":3136,"type":"linear"},{"type":"relu"},{"shape":[64,7,7],"type":"reshape"},{"channels":32,"kernel":4,"padding":1,"stride":2,"type":"deconv"},{"type":"batchnorm"},{"type":"relu"},{"channels":1,"kernel":4,"padding":1,"stride":2,"type":"deconv"}],"encoder":[{"channels":32,"kernel":4,"padding":1,"stride":2,"type":"conv"},{"type":"batchnorm"},{"type":"relu"},{"channels":64,"kernel":4,"padding":1,"stride":2,"type":"conv"},{"type":"batchnorm"},{"type":"relu"},{"type":"flatten"}]}"#),
            (Architecture.wide, #"{"decoder":[{"features":6272,"type":"linear"},{"type":"relu"},{"shape":[128,7,7],"type":"reshape"},{"channels":64,"kernel":4,"padding":1,"stride":2,"type":"deconv"},{"type":"batchnorm"},{"type":"relu"},{"channels":1,"kernel":4,"padding":1,"stride":2,"type":"deconv"}],"encoder":[{"channels":64,"kernel":4,"padding":1,"stride":2,"type":"conv"},{"type":"batchnorm"},{"type":"relu"},{"channels":128,"kernel":4,"padding":1,"stride":2,"type":"conv"},{"type":"batchnorm"},{"type":"relu"},{"type":"flatten"}]}"#),
            (Architecture.reference.removingBatchNorm(), #"{"decoder":[{"features":3136,"type":"linear"},{"type":"relu"},{"shape":[64,7,7],"type":"reshape"},{"channels":32,"kernel":4,"padding":1,"stride":2,"type":"deconv"},{"type":"relu"},{"channels":1,"kernel":4,"padding":1,"stride":2,"type":"deconv"}],"encoder":[{"channels":32,"kernel":4,"padding":1,"stride":2,"type":"conv"},{"type":"relu"},{"channels":64,"kernel":4,"padding":1,"stride":2,"type":"conv"},{"type":"relu"},{"type":"flatten"}]}"#),
            (Architecture.reference.replacingActivations(with: .elu()), #"{"decoder":[{"features":3136,"type":"linear"},{"alpha":1,"type":"elu"},{"shape":[64,7,7],"type":"reshape"},{"channels":32,"kernel":4,"padding":1,"stride":2,"type":"deconv"},{"type":"batchnorm"},{"alpha":1,"type":"elu"},{"channels":1,"kernel":4,"padding":1,"stride":2,"type":"deconv"}],"encoder":[{"channels":32,"kernel":4,"padding":1,"stride":2,"type":"conv"},{"type":"batchnorm"},{"alpha":1,"type":"elu"},{"channels":64,"kernel":4,"padding":1,"stride":2,"type":"conv"},{"type":"batchnorm"},{"alpha":1,"type":"elu"},{"type":"flatten"}]}"#),
            (Architecture.mlp, #"{"decoder":[{"features":256,"type":"linear"},{"type":"relu"},{"features":512,"type":"linear"},{"type":"relu"},{"features":784,"type":"linear"},{"shape":[1,28,28],"type":"reshape"}],"encoder":[{"type":"flatten"},{"features":512,"type":"linear"},{"type":"relu"},{"features":256,"type":"linear"},{"type":"relu"}]}"#),
            (Architecture.reference.replacingActivations(with: .swish), #"{"decoder":[{"features":3136,"type":"linear"},{"type":"swish"},{"shape":[64,7,7],"type":"reshape"},{"channels":32,"kernel":4,"padding":1,"stride":2,"type":"deconv"},{"type":"batchnorm"},{"type":"swish"},{"channels":1,"kernel":4,"padding":1,"stride":2,"type":"deconv"}],"encoder":[{"channels":32,"kernel":4,"padding":1,"stride":2,"type":"conv"},{"type":"batchnorm"},{"type":"swish"},{"channels":64,"kernel":4,"padding":1,"stride":2,"type":"conv"},{"type":"batchnorm"},{"type":"swish"},{"type":"flatten"}]}"#),
            (Architecture.deep, #"{"decoder":[{"features":3136,"type":"linear"},{"type":"relu"},{"shape":[64,7,7],"type":"reshape"},{"channels":32,"kernel":4,"padding":1,"stride":2,"type":"deconv"},{"type":"batchnorm"},{"type":"relu"},{"channels":32,"kernel":4,"padding":1,"stride":2,"type":"deconv"},{"type":"batchnorm"},{"type":"relu"},{"channels":1,"kernel":3,"padding":1,"stride":1,"type":"conv"}],"encoder":[{"channels":32,"kernel":3,"padding":1,"stride":1,"type":"conv"},{"type":"batchnorm"},{"type":"relu"},{"channels":32,"kernel":4,"padding":1,"stride":2,"type":"conv"},{"type":"batchnorm"},{"type":"relu"},{"channels":64,"kernel":4,"padding":1,"stride":2,"type":"conv"},{"type":"batchnorm"},{"type":"relu"},{"type":"flatten"}]}"#),
        ]
        for (architecture, json) in trained {
            #expect(try Checkpoint.json(architecture) == json)
            #expect(try JSONDecoder().decode(Architecture.self, from: Data(json.utf8)) == architecture)
        }
        // Chapter 9's upsampling decoder (built in the chapter) read and written again.
        let upsampling = #"{"decoder":[{"features":3136,"type":"linear"},{"type":"relu"},{"shape":[64,7,7],"type":"reshape"},{"factor":2,"type":"upsample"},{"channels":32,"kernel":3,"padding":1,"stride":1,"type":"conv"},{"type":"batchnorm"},{"type":"relu"},{"factor":2,"type":"upsample"},{"channels":1,"kernel":3,"padding":1,"stride":1,"type":"conv"}],"encoder":[{"channels":32,"kernel":4,"padding":1,"stride":2,"type":"conv"},{"type":"batchnorm"},{"type":"relu"},{"channels":64,"kernel":4,"padding":1,"stride":2,"type":"conv"},{"type":"batchnorm"},{"type":"relu"},{"type":"flatten"}]}"#
        #expect(try Checkpoint.json(try JSONDecoder().decode(Architecture.self, from: Data(upsampling.utf8))) == upsampling)
        // The other operations, and their defaults: what is left out is read as its default, and
        // a deconv's output_padding of 0 is not written.
        let every = #"[{"type":"upsample","factor":2},{"type":"leaky_relu"},{"type":"leaky_relu","slope":0.2},{"type":"elu"},"#
            + #"{"type":"conv","channels":3,"kernel":5},{"type":"deconv","channels":2,"kernel":4,"stride":2,"output_padding":0},"#
            + #"{"type":"residual","name":"block","body":[{"type":"relu"}]}]"#
        let decoded = try JSONDecoder().decode([LayerSpec].self, from: Data(every.utf8))
        #expect(decoded == [.upsample(2), .leakyReLU(), .leakyReLU(slope: 0.2), .elu(), .conv(3, kernel: 5),
                            .deconv(2, kernel: 4, stride: 2), LayerSpec(.residual(body: [.relu]), name: "block")])
        #expect(try Checkpoint.json(decoded) == #"[{"factor":2,"type":"upsample"},{"slope":0.01,"type":"leaky_relu"},"#
            + #"{"slope":0.2,"type":"leaky_relu"},{"alpha":1,"type":"elu"},{"channels":3,"kernel":5,"padding":0,"stride":1,"type":"conv"},"#
            + #"{"channels":2,"kernel":4,"padding":0,"stride":2,"type":"deconv"},{"body":[{"type":"relu"}],"name":"block","type":"residual"}]"#)
        // A layer without a size its operation needs is refused when read, naming the size.
        for (bad, missing) in [(#"{"type":"conv","channels":4}"#, "kernel"), (#"{"type":"linear"}"#, "features"),
                               (#"{"type":"residual"}"#, "body"), (#"{"type":"reshape"}"#, "shape")] {
            #expect(throws: DecodingError.self, "\(bad)") { try JSONDecoder().decode(LayerSpec.self, from: Data(bad.utf8)) }
            do { _ = try JSONDecoder().decode(LayerSpec.self, from: Data(bad.utf8)) } catch let error as DecodingError {
                #expect(error.explanation.contains(missing), "\(bad): \(error.explanation)")
            }
        }
    }

    @Test func upsampleAndResidualPassTheGradientCheck() throws {
        var random = RandomSource(seed: 8)
        let x = Tensor.gaussian([2, 3, 4, 5], using: &random)
        let upsample = try Upsample(factor: 3)
        #expect(upsample.forward(x).shape == [2, 3, 12, 15])
        #expect(checkGradients(of: upsample, input: x).worst < 1e-3)
        let body = try Sequential([("conv1", try Conv2d(inputChannels: 3, outputChannels: 3, kernelSize: 3, padding: 1, using: &random)),
                                   ("swish1", Swish())])
        let residual = Residual(body)
        #expect(residual.parameters.map(\.name) == ["body.conv1.weight", "body.conv1.bias"])
        let result = checkGradients(of: residual, input: x)
        #expect(result.worst < 1e-3, "\(result)")
    }

    /// Nearest-neighbour upsampling against its definition, y[i, j] = x[⌊i/f⌋, ⌊j/f⌋].
    @Test func upsampleCopiesEachPixelIntoABlock() throws {
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        let y = try Upsample(factor: 2).forward(x)
        #expect(y.scalars == [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
    }
}

/// The likelihoods: the Gaussian's loss against finite differences (outputs and the learned
/// variance), and the per-image log-likelihood of evaluation against the training loss.
@Suite struct LikelihoodTests {
    static func batch(seed: UInt64) -> (output: Tensor, targets: Tensor) {
        var random = RandomSource(seed: seed)
        return (Tensor.gaussian([3, 1, 28, 28], using: &random),
                Tensor(shape: [3, 1, 28, 28], scalars: (0..<(3 * 784)).map { _ in random.uniform() }))
    }

    @Test(arguments: [Likelihood.gaussian, .learnedGaussian, Likelihood(.gaussian, sigma: 0.5)])
    func gaussianGradientMatchesFiniteDifferences(_ likelihood: Likelihood) throws {
        let (output, targets) = Self.batch(seed: 4)
        var random = RandomSource(seed: 9)
        // A learned log-variance that differs per pixel, around σ ≈ 0.2.
        let s = likelihood.type == .gaussianLearned
            ? Tensor.gaussian([1, 28, 28], using: &random).map { 0.5 * $0 - 3 } : nil
        func parameter(_ value: Tensor?) -> Parameter? { value.map { Parameter(name: Likelihood.parameterName, value: $0) } }
        func loss(_ o: Tensor, _ value: Tensor?) throws -> Double {
            try likelihood.loss(output: o, targets: targets, parameter: parameter(value)).value
        }
        func dot(_ a: Tensor, _ b: Tensor) -> Double { zip(a.scalars, b.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } }
        let p = parameter(s)
        let result = try likelihood.loss(output: output, targets: targets, parameter: p)
        let h: Float = 1e-3

        // ∂/∂ℓ along a random direction.
        let v = Tensor.gaussian(output.shape, using: &random)
        let numeric = (try loss(output + v * h, s) - loss(output - v * h, s)) / (2 * Double(h))
        let analytic = dot(result.gradient, v)
        #expect(abs(analytic - numeric) / max(abs(numeric), 1e-6) < 2e-3, "∂/∂ℓ: \(analytic) against \(numeric)")

        // ∂/∂s, accumulated into the parameter, along another.
        if let s, let p {
            let u = Tensor.gaussian(s.shape, using: &random)
            let numericS = (try loss(output, s + u * h) - loss(output, s - u * h)) / (2 * Double(h))
            let analyticS = dot(p.gradient, u)
            #expect(abs(analyticS - numericS) / max(abs(numericS), 1e-6) < 2e-3, "∂/∂s: \(analyticS) against \(numericS)")
        }
    }

    /// Evaluation's per-image log p(x|z) is minus the training loss, image by image, and equals the
    /// naive Double formula.
    @Test(arguments: [Likelihood.bernoulli, .gaussian, .learnedGaussian])
    func evaluationAgreesWithTheLoss(_ likelihood: Likelihood) throws {
        var (output, targets) = Self.batch(seed: 6)
        if likelihood.binarizesData { targets = targets.map { $0 < 0.5 ? 0 : 1 } }
        let parameter = likelihood.makeParameter()
        let prepared = likelihood.prepared(pixels: 784, parameter: parameter)
        var total = 0.0
        for n in 0..<3 {
            let one = Tensor(shape: [1, 1, 28, 28], scalars: Array(output.scalars[(n * 784)..<((n + 1) * 784)]))
            let x = Tensor(shape: [1, 1, 28, 28], scalars: Array(targets.scalars[(n * 784)..<((n + 1) * 784)]))
            let logLikelihood = one.withUnsafeBufferPointer { o in
                x.withUnsafeBufferPointer { t in prepared.logLikelihood(output: o.baseAddress!, targets: t.baseAddress!, count: 784) }
            }
            let loss = try likelihood.loss(output: one, targets: x, parameter: parameter.map { Parameter(name: $0.name, value: $0.value) })
            #expect(abs(logLikelihood + loss.value) < 1e-6 * max(1, abs(loss.value)), "\(likelihood.summary) image \(n)")
            let naive: Double
            if let variances = likelihood.pixelVariances(count: 784, parameter: parameter) {
                naive = gaussianLogLikelihoodReference(means: one.scalars.map { StableMath.sigmoid(Double($0)) },
                                                       variances: variances.map(Double.init), targets: x.scalars)
            } else {
                naive = bernoulliLogLikelihoodReference(logits: one.scalars, targets: x.scalars)
            }
            #expect(abs(logLikelihood - naive) < 1e-4 * max(1, abs(naive)))
            total += loss.value
        }
        let batchLoss = try likelihood.loss(output: output, targets: targets, parameter: parameter.map { Parameter(name: $0.name, value: $0.value) })
        #expect(abs(batchLoss.value - total / 3) < 1e-6 * max(1, abs(total)))
    }

    @Test func badSettingsAreRefused() {
        #expect(throws: VAEConfigurationError.self) { try Likelihood(.gaussian).validate() }
        #expect(throws: VAEConfigurationError.self) { try Likelihood(.gaussian, sigma: -1).validate() }
        #expect(throws: VAEConfigurationError.self) { try Likelihood(.gaussian, sigma: .nan).validate() }
        #expect(throws: VAEConfigurationError.self) { try Likelihood(.bernoulli, sigma: 0.1).validate() }
        #expect(throws: VAEConfigurationError.self) { try Likelihood.named("poisson") }
        #expect(throws: VAEConfigurationError.self) { try Architecture.preset(named: "huge") }
    }

    /// A Gaussian model trains on grey pixels and evaluates with the same likelihood: its test
    /// ELBO equals −(reconstruction + KL) from the same terms as training.
    @Test func gaussianModelTrainsAndEvaluates() throws {
        let test = try MNIST.load(split: .test).prefix(256)
        let configuration = TrainingConfiguration(model: VAEConfiguration(latentDimensions: 3, architecture: .mlp, likelihood: .learnedGaussian),
                                                  epochs: 2, batchSize: 64, seed: 2)
        let trainer = try Trainer(configuration: configuration, trainingSet: test)
        #expect(trainer.batches.binarize == false)
        let before = try evaluateELBO(model: trainer.model, images: test.images, seed: 1).elbo.mean
        try trainer.train()
        let after = try evaluateELBO(model: trainer.model, images: test.images, seed: 1)
        #expect(after.elbo.mean > before, "training should raise the ELBO: \(before) → \(after.elbo.mean)")
        #expect(abs(after.elbo.mean + after.reconstruction + after.kl) < 1e-6 * abs(after.elbo.mean))
        let iw = try evaluateImportanceWeighted(model: trainer.model, images: test.images, samples: 20, limit: 16, seed: 3)
        #expect(iw.negativeLogLikelihood.mean.isFinite)
    }
}
