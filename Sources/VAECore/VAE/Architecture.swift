/// A VAE's networks as data: the encoder and the decoder, each a list of layer descriptions.
///
///     encoder: (1, 28, 28) image → layers → (F) features;   then Linear(F [+ classes] → 2·D) = (μ, log σ²)
///     decoder: (D [+ classes]) code → layers → (1, 28, 28), the likelihood's parameter per pixel
///
/// The head that maps the encoder's features to (μ, log σ²) is implied (its size follows from the
/// latent dimension), so an architecture does not depend on D or on the class count: the same
/// description serves any code size and a conditional model alike.
///
/// `VAE` builds the layers from it, checking every layer's input shape on the way
/// (`shapes(latentDimensions:classCount:)`), and saves it in the checkpoint's `model_config`, so a
/// checkpoint rebuilds its own model. `Sources/bench/pytorch/reference_vae.py` builds the same
/// PyTorch model from the same JSON.
///
/// Layer names, which prefix the parameters in the `state_dict`, follow one rule: the kind and its
/// ordinal in its network (`conv1`, `conv2`, `bn1`, `deconv1`, `relu3`, `res1`), except linear
/// layers, which are `fc` when the network has only one (counting the encoder's head) and `fc1`,
/// `fc2`, … otherwise. A spec's `name` overrides the rule.
public struct Architecture: Codable, Equatable, Sendable {
    public var encoder: [LayerSpec]
    public var decoder: [LayerSpec]

    public init(encoder: [LayerSpec], decoder: [LayerSpec]) {
        self.encoder = encoder
        self.decoder = decoder
    }

    /// The shape the decoder must end with: one value per pixel of a 28×28 grey image.
    public static let imageShape = [1, VAEConfiguration.imageSide, VAEConfiguration.imageSide]

    // MARK: Presets

    /// A stack of stride-2 convolutions (kernel 4, padding 1), each halving the image, mirrored by
    /// transposed convolutions in the decoder; BatchNorm and ReLU after each but the last.
    /// `convolutional(channels: [32, 64])` is the course's reference model.
    public static func convolutional(channels: [Int]) -> Architecture {
        var encoder: [LayerSpec] = []
        for width in channels { encoder += [.conv(width, kernel: 4, stride: 2, padding: 1), .batchNorm, .relu] }
        encoder.append(.flatten)
        let side = VAEConfiguration.imageSide >> channels.count
        let last = channels.last ?? 1
        // An absurd width (from a corrupt file) saturates instead of trapping; validation refuses it.
        let (features, overflow) = last.multipliedReportingOverflow(by: side * side)
        var decoder: [LayerSpec] = [.linear(overflow ? .max : features), .relu, .reshape([last, side, side])]
        for width in channels.reversed().dropFirst() {
            decoder += [.deconv(width, kernel: 4, stride: 2, padding: 1), .batchNorm, .relu]
        }
        decoder.append(.deconv(1, kernel: 4, stride: 2, padding: 1))
        return Architecture(encoder: encoder, decoder: decoder)
    }

    /// The course's reference model (chapter 5; the one `bench train-step` compares with PyTorch):
    ///
    ///     encoder: Conv(1→32, k4, s2, p1)–BN–ReLU      28×28 → 14×14
    ///              Conv(32→64, k4, s2, p1)–BN–ReLU     14×14 → 7×7, flattened to 3136
    ///     decoder: Linear(D → 3136)–ReLU, reshape to (64, 7, 7)
    ///              ConvT(64→32, k4, s2, p1)–BN–ReLU    7×7 → 14×14
    ///              ConvT(32→1, k4, s2, p1)             14×14 → 28×28
    public static let reference = convolutional(channels: [32, 64])

    /// The reference with twice the channels (64, 128): about 3× the multiply-adds.
    public static let wide = convolutional(channels: [64, 128])

    /// Fully connected networks, 784–512–256 and back (Kingma & Welling's VAE was an MLP): no
    /// notion of neighbouring pixels, so everything about shape is learned from data.
    public static let mlp = Architecture(
        encoder: [.flatten, .linear(512), .relu, .linear(256), .relu],
        decoder: [.linear(256), .relu, .linear(512), .relu, .linear(784), .reshape(imageShape)])

    /// Three convolutions in the encoder, the first at stride 1 (it looks at the full-resolution
    /// digit before any downsampling), and a stride-1 convolution that finishes the decoder
    /// (smoothing what the last transposed convolution upsampled).
    public static let deep = Architecture(
        encoder: [.conv(32, kernel: 3, stride: 1, padding: 1), .batchNorm, .relu,
                  .conv(32, kernel: 4, stride: 2, padding: 1), .batchNorm, .relu,
                  .conv(64, kernel: 4, stride: 2, padding: 1), .batchNorm, .relu,
                  .flatten],
        decoder: [.linear(64 * 7 * 7), .relu, .reshape([64, 7, 7]),
                  .deconv(32, kernel: 4, stride: 2, padding: 1), .batchNorm, .relu,
                  .deconv(32, kernel: 4, stride: 2, padding: 1), .batchNorm, .relu,
                  .conv(1, kernel: 3, stride: 1, padding: 1)])

    /// The named presets, in the order `--help` lists them: the one list every command reads.
    public static let presets: [(name: String, architecture: Architecture)] = [
        ("reference", reference), ("mlp", mlp), ("deep", deep), ("wide", wide),
    ]

    /// The preset called `name`.
    /// - Throws: `VAEConfigurationError` listing the presets, for an unknown name.
    public static func preset(named name: String) throws -> Architecture {
        guard let found = presets.first(where: { $0.name == name }) else {
            throw VAEConfigurationError("unknown architecture '\(name)'; the presets are \(presets.map(\.name).joined(separator: ", "))")
        }
        return found.architecture
    }

    /// The preset's name when this architecture is one, else nil.
    public var presetName: String? { Architecture.presets.first { $0.architecture == self }?.name }

    // MARK: Variations

    /// The same networks without their batch norms (inside residual bodies too): what batch
    /// normalisation is worth.
    public func removingBatchNorm() -> Architecture {
        Architecture(encoder: Self.map(encoder) { $0.type == .batchNorm ? nil : $0 },
                     decoder: Self.map(decoder) { $0.type == .batchNorm ? nil : $0 })
    }

    /// The same networks with every activation (ReLU, leaky ReLU, ELU, Swish; inside residual
    /// bodies too) replaced by `activation`, such as `.elu()` or `.swish`.
    public func replacingActivations(with activation: LayerSpec) -> Architecture {
        Architecture(encoder: Self.map(encoder) { $0.isActivation ? activation : $0 },
                     decoder: Self.map(decoder) { $0.isActivation ? activation : $0 })
    }

    /// `specs` with `transform` applied to every layer, in residual bodies too; nil drops a layer.
    /// Whether a layer of one of these kinds is in either network (inside residual bodies too).
    func contains(_ kinds: Set<LayerSpec.Kind>) -> Bool {
        func search(_ specs: [LayerSpec]) -> Bool {
            specs.contains { kinds.contains($0.type) || search($0.body ?? []) }
        }
        return search(encoder) || search(decoder)
    }

    private static func map(_ specs: [LayerSpec], _ transform: (LayerSpec) -> LayerSpec?) -> [LayerSpec] {
        specs.compactMap { spec in
            guard var kept = transform(spec) else { return nil }
            if case .residual(let body) = kept.operation { kept.operation = .residual(body: map(body, transform)) }
            return kept
        }
    }

    // MARK: Limits

    /// The most layers a description may hold, both networks and every residual body counted:
    /// about 45 times the course's largest (the `deep` preset has 22). A `model_config` or an
    /// `--arch-file` of 200,000 layers is refused in words before any layer is built, rather than
    /// exhausting memory when training allocates every layer's activations.
    static let maximumLayers = 1000

    /// How deeply residual blocks may nest (a block in a network is at depth 1, a block in its
    /// body at depth 2). The course nests none; the limit keeps every walk over a description, and
    /// the chain of `body.` prefixes in a nested parameter's name, short.
    static let maximumNesting = 16

    /// Throws when the description holds more than `maximumLayers` layers or nests residual
    /// blocks deeper than `maximumNesting`. One walk with a list of pending bodies rather than
    /// recursion, stopping at the first limit passed, so it is quick on a description of any size
    /// or depth; `resolve` runs it before looking at any shape.
    /// - Throws: `VAEConfigurationError` naming the network and, for the depth, its outermost layer.
    func checkSize() throws {
        var count = 0
        // (the layers, their depth, the network, the 1-based position of the outermost layer)
        var pending: [(layers: [LayerSpec], depth: Int, network: String, outer: Int?)] = [(decoder, 0, "decoder", nil), (encoder, 0, "encoder", nil)]
        while let (layers, depth, network, outer) = pending.popLast() {
            count += layers.count
            guard count <= Architecture.maximumLayers else {
                throw VAEConfigurationError("the architecture holds at least \(count) layers (residual bodies included); at most \(Architecture.maximumLayers) are accepted")
            }
            for (position, spec) in layers.enumerated() {
                guard let body = spec.body else { continue }
                let outermost = outer ?? position + 1
                guard depth < Architecture.maximumNesting else {
                    throw VAEConfigurationError("the \(network)'s layer \(outermost) nests residual blocks more than \(Architecture.maximumNesting) deep; at most \(Architecture.maximumNesting) levels are accepted")
                }
                pending.append((body, depth + 1, network, outermost))
            }
        }
    }

    // MARK: Shapes

    /// One layer as built: its name, its spec and the shapes it maps between (without the batch axis).
    public struct ResolvedLayer: Sendable, Equatable {
        public var name: String
        public var spec: LayerSpec
        public var input: [Int]
        public var output: [Int]
        /// Multiply-adds of one forward pass of one image (convolutions, transposed
        /// convolutions and linear layers; elementwise layers are not counted).
        public var multiplyAdds: Int { spec.multiplyAdds(input: input) }
    }

    /// Every layer's name and shapes, for a model of `latentDimensions` and `classCount`: the
    /// encoder's layers, then its head (named like a linear layer), then the decoder's.
    /// - Throws: `VAEConfigurationError` for a description beyond `maximumLayers` or
    ///   `maximumNesting` (checked first, before any shape), naming the first layer whose input
    ///   does not fit, with both shapes, or the end shape that is wrong.
    public func resolve(latentDimensions: Int, classCount: Int) throws -> (encoder: [ResolvedLayer], head: ResolvedLayer, decoder: [ResolvedLayer]) {
        try checkSize()
        let encoderNames = try LayerSpec.names(of: encoder, extraLinear: true, network: "encoder")
        var shape = Architecture.imageShape
        var encoderLayers: [ResolvedLayer] = []
        for (spec, name) in zip(encoder, encoderNames.layers) {
            let output = try spec.outputShape(forInput: shape, at: "encoder layer '\(name)'")
            encoderLayers.append(ResolvedLayer(name: name, spec: spec, input: shape, output: output))
            shape = output
        }
        guard shape.count == 1 else {
            throw VAEConfigurationError("the encoder must end with a flat vector (add a flatten layer); it ends with \(shape)")
        }
        let head = ResolvedLayer(name: encoderNames.extra!, spec: .linear(2 * latentDimensions),
                                 input: [shape[0] + classCount], output: [2 * latentDimensions])
        _ = try head.spec.outputShape(forInput: head.input, at: "the encoder's head '\(head.name)'")   // its weight's size

        let decoderNames = try LayerSpec.names(of: decoder, extraLinear: false, network: "decoder")
        shape = [latentDimensions + classCount]
        var decoderLayers: [ResolvedLayer] = []
        for (spec, name) in zip(decoder, decoderNames.layers) {
            let output = try spec.outputShape(forInput: shape, at: "decoder layer '\(name)'")
            decoderLayers.append(ResolvedLayer(name: name, spec: spec, input: shape, output: output))
            shape = output
        }
        guard shape == Architecture.imageShape else {
            throw VAEConfigurationError("the decoder must end with \(Architecture.imageShape) (one value per pixel); it ends with \(shape)")
        }
        return (encoderLayers, head, decoderLayers)
    }
}
