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
            if let body = kept.body { kept.body = map(body, transform) }
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

/// One layer of an `Architecture`, stored flat so that its JSON reads as it is written:
/// `{"type": "conv", "channels": 32, "kernel": 4, "stride": 2, "padding": 1}`.
///
/// Each type reads only its own fields: `conv` and `deconv` (transposed convolution) take
/// `channels` (out), `kernel`, `stride`, `padding` (and `deconv` `output_padding`); `linear` takes
/// `features` (out); `upsample` a `factor` (nearest neighbour); `reshape` a `shape` (without the
/// batch axis); `leaky_relu` a `slope`, `elu` an `alpha`; `residual` a `body` of layers that keeps
/// the shape. `batchnorm`, `relu`, `swish` and `flatten` take nothing. Input sizes always follow
/// from the previous layer.
public struct LayerSpec: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case conv, deconv, upsample, linear, batchNorm = "batchnorm", relu, leakyReLU = "leaky_relu", elu, swish,
             flatten, reshape, residual
    }

    public var type: Kind
    public var channels: Int?
    public var features: Int?
    public var kernel: Int?
    public var stride: Int?
    public var padding: Int?
    public var outputPadding: Int?
    public var factor: Int?
    public var shape: [Int]?
    public var slope: Double?
    public var alpha: Double?
    public var body: [LayerSpec]?
    /// Overrides the generated name (the `state_dict` prefix of the layer's parameters).
    public var name: String?

    private enum CodingKeys: String, CodingKey {
        case type, channels, features, kernel, stride, padding, outputPadding = "output_padding", factor, shape,
             slope, alpha, body, name
    }

    /// The fields each type reads, besides `type` and `name`.
    public var fields: [String] {
        switch type {
        case .conv: ["channels", "kernel", "stride", "padding"]
        case .deconv: ["channels", "kernel", "stride", "padding", "output_padding"]
        case .upsample: ["factor"]
        case .linear: ["features"]
        case .reshape: ["shape"]
        case .leakyReLU: ["slope"]
        case .elu: ["alpha"]
        case .residual: ["body"]
        case .batchNorm, .relu, .swish, .flatten: []
        }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes a layer, refusing a field its type does not read ("pading", or a padding on a
    /// linear layer), which would otherwise be ignored in silence.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(Kind.self, forKey: .type)
        channels = try c.decodeIfPresent(Int.self, forKey: .channels)
        features = try c.decodeIfPresent(Int.self, forKey: .features)
        kernel = try c.decodeIfPresent(Int.self, forKey: .kernel)
        stride = try c.decodeIfPresent(Int.self, forKey: .stride)
        padding = try c.decodeIfPresent(Int.self, forKey: .padding)
        outputPadding = try c.decodeIfPresent(Int.self, forKey: .outputPadding)
        factor = try c.decodeIfPresent(Int.self, forKey: .factor)
        shape = try c.decodeIfPresent([Int].self, forKey: .shape)
        slope = try c.decodeIfPresent(Double.self, forKey: .slope)
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha)
        body = try c.decodeIfPresent([LayerSpec].self, forKey: .body)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        let allowed = Set(["type", "name"] + fields)
        let given = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        if let unknown = given.sorted().first(where: { !allowed.contains($0) }) {
            throw DecodingError.dataCorruptedError(
                forKey: AnyKey(stringValue: unknown), in: try decoder.container(keyedBy: AnyKey.self),
                debugDescription: "a \(type.rawValue) layer takes no field '\(unknown)' (it reads: \((["name"] + fields).joined(separator: ", ")))")
        }
    }

    public init(_ type: Kind, channels: Int? = nil, features: Int? = nil, kernel: Int? = nil, stride: Int? = nil,
                padding: Int? = nil, outputPadding: Int? = nil, factor: Int? = nil, shape: [Int]? = nil,
                slope: Double? = nil, alpha: Double? = nil, body: [LayerSpec]? = nil, name: String? = nil) {
        self.type = type; self.channels = channels; self.features = features; self.kernel = kernel
        self.stride = stride; self.padding = padding; self.outputPadding = outputPadding; self.factor = factor
        self.shape = shape; self.slope = slope; self.alpha = alpha; self.body = body; self.name = name
    }

    public static func conv(_ channels: Int, kernel: Int, stride: Int = 1, padding: Int = 0) -> LayerSpec {
        LayerSpec(.conv, channels: channels, kernel: kernel, stride: stride, padding: padding)
    }
    static func deconv(_ channels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0) -> LayerSpec {
        LayerSpec(.deconv, channels: channels, kernel: kernel, stride: stride, padding: padding,
                  outputPadding: outputPadding == 0 ? nil : outputPadding)
    }
    public static func upsample(_ factor: Int) -> LayerSpec { LayerSpec(.upsample, factor: factor) }
    public static func linear(_ features: Int) -> LayerSpec { LayerSpec(.linear, features: features) }
    public static func reshape(_ shape: [Int]) -> LayerSpec { LayerSpec(.reshape, shape: shape) }
    static func leakyReLU(slope: Double = 0.01) -> LayerSpec { LayerSpec(.leakyReLU, slope: slope) }
    public static func elu(alpha: Double = 1) -> LayerSpec { LayerSpec(.elu, alpha: alpha) }
    static func residual(_ body: [LayerSpec]) -> LayerSpec { LayerSpec(.residual, body: body) }
    public static let batchNorm = LayerSpec(.batchNorm)
    public static let relu = LayerSpec(.relu)
    public static let swish = LayerSpec(.swish)
    public static let flatten = LayerSpec(.flatten)

    /// Whether the layer is an activation function (what `Architecture.replacingActivations` swaps).
    var isActivation: Bool { [.relu, .leakyReLU, .elu, .swish].contains(type) }

    /// How the layer reads in an error message or a diagram: "conv 32 k4 s2 p1".
    public var summary: String {
        switch type {
        case .conv, .deconv:
            "\(type.rawValue) \(channels ?? 0) k\(kernel ?? 0) s\(stride ?? 1) p\(padding ?? 0)"
                + ((outputPadding ?? 0) > 0 ? " op\(outputPadding!)" : "")
        case .linear: "linear \(features ?? 0)"
        case .upsample: "upsample ×\(factor ?? 0)"
        case .reshape: "reshape \(shape ?? [])"
        case .residual: "residual [\((body ?? []).map(\.summary).joined(separator: ", "))]"
        default: type.rawValue
        }
    }

    /// Multiply-adds of one forward pass of one image of shape `input` (without the batch axis):
    /// C_out·H_out·W_out·C_in·k² for a convolution, H·W·C_in·C_out·k² for a transposed one (each
    /// input pixel scatters its kernel), in·out for a linear layer, the body's for a residual
    /// block; 0 for the elementwise and reshaping layers, and for an input the layer cannot take.
    /// A training step costs about three times the forward pass (forward, ∂input and ∂weights),
    /// times 2 FLOP per multiply-add.
    public func multiplyAdds(input: [Int]) -> Int {
        (try? shapeAndMultiplyAdds(forInput: input, at: ""))?.multiplyAdds ?? 0
    }

    /// The field `key` of this layer, which its type needs.
    private func required(_ value: Int?, _ key: String, at place: String) throws -> Int {
        guard let value else { throw VAEConfigurationError("\(place) (\(type.rawValue)) needs '\(key)'") }
        return value
    }

    /// The output shape (without the batch axis) for an input of `input`.
    /// - Throws: `VAEConfigurationError` naming `place`, the layer and the input shape when the
    ///   input does not fit, or a field is missing or out of range.
    public func outputShape(forInput input: [Int], at place: String) throws -> [Int] {
        try shapeAndMultiplyAdds(forInput: input, at: place).output
    }

    /// The output shape and the multiply-adds (`multiplyAdds(input:)`) for an input of `input`,
    /// found in one walk: a residual block visits each layer of its body once for both, so that
    /// the cost of a description stays linear in its size however deeply its blocks nest.
    /// - Throws: as `outputShape(forInput:at:)`.
    func shapeAndMultiplyAdds(forInput input: [Int], at place: String) throws -> (output: [Int], multiplyAdds: Int) {
        func refuse(_ why: String) -> VAEConfigurationError {
            VAEConfigurationError("\(place) (\(summary)) cannot take an input of shape \(input): \(why)")
        }
        // Sizes beyond any MNIST model are refused before they can overflow or exhaust memory.
        let limit = LayerSpec.maximumValues
        for value in [channels, features, kernel, stride, padding, outputPadding, factor].compactMap({ $0 }) + (shape ?? [])
        where value > limit {
            throw refuse("\(value) is beyond the largest size accepted, \(limit)")
        }
        let output: [Int], bodyMultiplyAdds: Int
        if type == .residual {
            (output, bodyMultiplyAdds) = try residualBody(forInput: input, at: place, refuse: refuse)
        } else {
            (output, bodyMultiplyAdds) = (try unboundedOutputShape(forInput: input, at: place, refuse: refuse), 0)
        }
        guard saturatingProduct(output) <= limit else { throw refuse("its output \(output) would hold more than \(limit) values per image") }
        let weights: Int
        switch type {
        case .linear: weights = saturatingProduct([input[0], output[0]])
        case .conv, .deconv: weights = saturatingProduct([input[0], output[0], kernel ?? 0, kernel ?? 0])
        default: weights = 0
        }
        guard weights <= LayerSpec.maximumWeights else {
            throw refuse("its weight of \(weights) values is more than \(LayerSpec.maximumWeights)")
        }
        let multiplyAdds = switch type {
        case .conv: saturatingProduct(output + [input[0], kernel ?? 0, kernel ?? 0])
        case .deconv: saturatingProduct(input + [output[0], kernel ?? 0, kernel ?? 0])
        case .linear: saturatingProduct([input[0], output[0]])
        case .residual: bodyMultiplyAdds
        default: 0
        }
        return (output, multiplyAdds)
    }

    /// A residual block's output shape (its input's, which the body must keep) and its body's
    /// multiply-adds, each body layer visited once.
    private func residualBody(forInput input: [Int], at place: String,
                              refuse: (String) -> VAEConfigurationError) throws -> (output: [Int], multiplyAdds: Int) {
        guard let body, !body.isEmpty else { throw refuse("it needs a non-empty 'body'") }
        let names = try LayerSpec.names(of: body, extraLinear: false, network: place)
        var shape = input, total = 0
        for (spec, name) in zip(body, names.layers) {
            let (output, multiplyAdds) = try spec.shapeAndMultiplyAdds(forInput: shape, at: "\(place) → '\(name)'")
            let (sum, overflow) = total.addingReportingOverflow(multiplyAdds)
            total = overflow ? .max : sum
            shape = output
        }
        guard shape == input else { throw refuse("its body maps \(input) to \(shape); a residual block must keep the shape") }
        return (input, total)
    }

    /// The product of `sizes`, or `Int.max` when it overflows (which every limit then refuses).
    func saturatingProduct(_ sizes: [Int]) -> Int {
        sizes.reduce(1) { total, size in
            let (product, overflow) = total.multipliedReportingOverflow(by: size)
            return overflow ? Int.max : product
        }
    }

    /// The most values a layer's output may hold per image, or a size field may be (2²⁴).
    static let maximumValues = 1 << 24
    /// The most values a linear layer's weight may hold (2²⁸, a GiB of Floats).
    static let maximumWeights = 1 << 28

    private func unboundedOutputShape(forInput input: [Int], at place: String,
                                      refuse: (String) -> VAEConfigurationError) throws -> [Int] {
        switch type {
        case .conv, .deconv:
            let out = try required(channels, "channels", at: place), k = try required(kernel, "kernel", at: place)
            let s = stride ?? 1, p = padding ?? 0, op = outputPadding ?? 0
            guard out >= 1, k >= 1, s >= 1, p >= 0, op >= 0 else { throw refuse("sizes must be positive, padding ≥ 0") }
            guard input.count == 3 else { throw refuse("it needs (channels, height, width)") }
            let side: (Int) -> Int
            if type == .conv {
                guard op == 0 else { throw refuse("output_padding belongs to a deconv") }
                side = { ($0 + 2 * p - k) / s + 1 }
                guard input[1] + 2 * p >= k, input[2] + 2 * p >= k else { throw refuse("the kernel is larger than the padded image") }
            } else {
                guard op < s else { throw refuse("output_padding must be smaller than the stride") }
                side = { ($0 - 1) * s - 2 * p + k + op }
            }
            let output = [out, side(input[1]), side(input[2])]
            guard output[1] >= 1, output[2] >= 1 else { throw refuse("the output would be \(output)") }
            return output
        case .upsample:
            let f = try required(factor, "factor", at: place)
            guard f >= 1 else { throw refuse("the factor must be at least 1") }
            guard input.count == 3 else { throw refuse("it needs (channels, height, width)") }
            return [input[0], input[1] * f, input[2] * f]
        case .linear:
            let out = try required(features, "features", at: place)
            guard out >= 1 else { throw refuse("features must be positive") }
            guard input.count == 1 else { throw refuse("it needs a flat vector (add a flatten layer before it)") }
            return [out]
        case .batchNorm:
            guard input.count == 1 || input.count == 3 else { throw refuse("it needs (features) or (channels, height, width)") }
            return input
        case .relu, .swish:
            return input
        case .leakyReLU:
            guard (slope ?? 0.01).isFinite else { throw refuse("the slope must be finite") }
            return input
        case .elu:
            guard (alpha ?? 1).isFinite else { throw refuse("alpha must be finite") }
            return input
        case .flatten:
            return [input.reduce(1, *)]
        case .reshape:
            guard let shape, !shape.isEmpty, shape.allSatisfy({ $0 >= 1 }) else { throw refuse("it needs a 'shape' of positive sizes") }
            guard saturatingProduct(shape) == saturatingProduct(input) else {
                throw refuse("\(saturatingProduct(input)) values cannot be reshaped to \(shape)")
            }
            return shape
        case .residual:
            return try residualBody(forInput: input, at: place, refuse: refuse).output
        }
    }

    /// The names of a network's layers by the rule of `Architecture`; with `extraLinear`, also the
    /// name of one more linear layer after them (the encoder's head).
    /// - Throws: for a duplicated, empty or dotted name.
    static func names(of specs: [LayerSpec], extraLinear: Bool, network: String) throws -> (layers: [String], extra: String?) {
        let linearCount = specs.filter { $0.type == .linear }.count + (extraLinear ? 1 : 0)
        var ordinals: [Kind: Int] = [:]
        func next(_ kind: Kind) -> String {
            ordinals[kind, default: 0] += 1
            let n = ordinals[kind]!
            switch kind {
            case .linear: return linearCount == 1 ? "fc" : "fc\(n)"
            case .batchNorm: return "bn\(n)"
            case .residual: return "res\(n)"
            default: return "\(kind.rawValue)\(n)"
            }
        }
        var names: [String] = []
        var seen = Set<String>()
        for spec in specs {
            let name = spec.name ?? next(spec.type)
            if spec.name != nil { _ = next(spec.type) }
            guard !name.isEmpty, !name.contains("."), seen.insert(name).inserted else {
                throw VAEConfigurationError("\(network): layer name '\(name)' is empty, dotted or used twice")
            }
            names.append(name)
        }
        let extra = extraLinear ? next(.linear) : nil
        if let extra, seen.contains(extra) {
            throw VAEConfigurationError("\(network): the head's name '\(extra)' is taken by another layer")
        }
        return (names, extra)
    }

    /// The layer, with its weights drawn from `random` (PyTorch's default initialisation), for an
    /// input of shape `input` (without the batch axis), which `outputShape` has accepted.
    func makeLayer(input: [Int], using random: inout RandomSource) throws -> Layer {
        switch type {
        case .conv:
            return try Conv2d(inputChannels: input[0], outputChannels: channels!, kernelSize: kernel!,
                              stride: stride ?? 1, padding: padding ?? 0, using: &random)
        case .deconv:
            return try ConvTranspose2d(inputChannels: input[0], outputChannels: channels!, kernelSize: kernel!,
                                       stride: stride ?? 1, padding: padding ?? 0, outputPadding: outputPadding ?? 0,
                                       using: &random)
        case .upsample: return try Upsample(factor: factor!)
        case .linear: return try Linear(inputFeatures: input[0], outputFeatures: features!, using: &random)
        case .batchNorm: return input.count == 3 ? BatchNorm2d(channels: input[0]) : BatchNorm1d(features: input[0])
        case .relu: return ReLU()
        case .leakyReLU: return LeakyReLU(slope: Float(slope ?? 0.01))
        case .elu: return ELU(alpha: Float(alpha ?? 1))
        case .swish: return Swish()
        case .flatten: return Flatten()
        case .reshape: return try Reshape(shape!)
        case .residual:
            return Residual(try LayerSpec.build(body!, input: input, network: "residual", using: &random))
        }
    }

    /// A `Sequential` of `specs` for inputs of shape `input`, named by the rule of `Architecture`.
    static func build(_ specs: [LayerSpec], input: [Int], network: String, using random: inout RandomSource) throws -> Sequential {
        let names = try names(of: specs, extraLinear: false, network: network)
        var shape = input
        var layers: [(String, Layer)] = []
        for (spec, name) in zip(specs, names.layers) {
            layers.append((name, try spec.makeLayer(input: shape, using: &random)))
            // A residual block keeps its input's shape (`outputShape` checked its body when the
            // model was resolved): walking the body again here would make building a nested
            // block quadratic in its depth.
            if spec.type != .residual { shape = try spec.outputShape(forInput: shape, at: "\(network) layer '\(name)'") }
        }
        return try Sequential(layers)
    }
}
