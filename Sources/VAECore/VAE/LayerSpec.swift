import Foundation

/// One layer of an `Architecture`: what it computes (`Operation`, with exactly the sizes that
/// operation needs) and, optionally, its name.
///
/// Its JSON is flat, so that it reads as it is written:
/// `{"type": "conv", "channels": 32, "kernel": 4, "stride": 2, "padding": 1}`.
/// Each type reads only its own fields: `conv` and `deconv` (transposed convolution) take
/// `channels` (out) and `kernel`, and `stride` (default 1) and `padding` (default 0), and `deconv`
/// `output_padding` (default 0, written only when it is not); `linear` takes `features` (out);
/// `upsample` a `factor` (nearest neighbour); `reshape` a `shape` (without the batch axis);
/// `leaky_relu` a `slope` (default 0.01), `elu` an `alpha` (default 1); `residual` a `body` of
/// layers that keeps the shape. `batchnorm`, `relu`, `swish` and `flatten` take nothing. Input
/// sizes always follow from the previous layer. A field a type does not read, or one it needs and
/// lacks, is refused when the JSON is read: a layer that exists always has what it needs.
///
/// Adding an operation is a case here and its layer in `VAENeural/Layers`: every switch over
/// `Operation` (its JSON, shape, cost, limits and layer; the diagram's colour; the memory estimate
/// of importance-weighted evaluation) lists every case, so the compiler names each place to decide.
///
/// The JSON is part of every trained run's fingerprint (`RunFingerprint` hashes the training
/// configuration), so its form is fixed: `ArchitectureTests` pins the JSON of every network the
/// course has trained, as its checkpoints hold it.
public struct LayerSpec: Codable, Equatable, Sendable {
    /// What a layer computes, with the sizes it needs (the input's follow from the layer before).
    public enum Operation: Equatable, Sendable {
        /// A 2-D convolution to `channels` output channels, a square `kernel`.
        case conv(channels: Int, kernel: Int, stride: Int, padding: Int)
        /// A transposed convolution (convolution's input gradient) to `channels` output channels.
        case deconv(channels: Int, kernel: Int, stride: Int, padding: Int, outputPadding: Int)
        /// Nearest-neighbour upsampling by a whole `factor`.
        case upsample(factor: Int)
        /// A fully connected layer to `features` outputs.
        case linear(features: Int)
        case batchNorm
        case relu
        case leakyReLU(slope: Double)
        case elu(alpha: Double)
        case swish
        case flatten
        /// A reshape of each image's values to `shape` (without the batch axis).
        case reshape(shape: [Int])
        /// x + body(x): the body must keep the shape.
        case residual(body: [LayerSpec])
    }

    /// The names of the operations, as the JSON's `type` writes them.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case conv, deconv, upsample, linear, batchNorm = "batchnorm", relu, leakyReLU = "leaky_relu", elu, swish,
             flatten, reshape, residual
    }

    public var operation: Operation
    /// Overrides the generated name (the `state_dict` prefix of the layer's parameters).
    public var name: String?

    public init(_ operation: Operation, name: String? = nil) {
        self.operation = operation
        self.name = name
    }

    /// The name of the operation.
    public var type: Kind {
        switch operation {
        case .conv: .conv
        case .deconv: .deconv
        case .upsample: .upsample
        case .linear: .linear
        case .batchNorm: .batchNorm
        case .relu: .relu
        case .leakyReLU: .leakyReLU
        case .elu: .elu
        case .swish: .swish
        case .flatten: .flatten
        case .reshape: .reshape
        case .residual: .residual
        }
    }

    /// A residual block's body; nil for every other layer.
    var body: [LayerSpec]? {
        if case .residual(let body) = operation { body } else { nil }
    }

    public static func conv(_ channels: Int, kernel: Int, stride: Int = 1, padding: Int = 0) -> LayerSpec {
        LayerSpec(.conv(channels: channels, kernel: kernel, stride: stride, padding: padding))
    }
    static func deconv(_ channels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0) -> LayerSpec {
        LayerSpec(.deconv(channels: channels, kernel: kernel, stride: stride, padding: padding, outputPadding: outputPadding))
    }
    public static func upsample(_ factor: Int) -> LayerSpec { LayerSpec(.upsample(factor: factor)) }
    public static func linear(_ features: Int) -> LayerSpec { LayerSpec(.linear(features: features)) }
    public static func reshape(_ shape: [Int]) -> LayerSpec { LayerSpec(.reshape(shape: shape)) }
    static func leakyReLU(slope: Double = 0.01) -> LayerSpec { LayerSpec(.leakyReLU(slope: slope)) }
    public static func elu(alpha: Double = 1) -> LayerSpec { LayerSpec(.elu(alpha: alpha)) }
    static func residual(_ body: [LayerSpec]) -> LayerSpec { LayerSpec(.residual(body: body)) }
    public static let batchNorm = LayerSpec(.batchNorm)
    public static let relu = LayerSpec(.relu)
    public static let swish = LayerSpec(.swish)
    public static let flatten = LayerSpec(.flatten)

    /// Whether the layer is an activation function (what `Architecture.replacingActivations` swaps).
    var isActivation: Bool {
        switch operation {
        case .relu, .leakyReLU, .elu, .swish: true
        case .conv, .deconv, .upsample, .linear, .batchNorm, .flatten, .reshape, .residual: false
        }
    }

    /// How the layer reads in an error message or a diagram: "conv 32 k4 s2 p1".
    public var summary: String {
        switch operation {
        case .conv(let channels, let kernel, let stride, let padding):
            "conv \(channels) k\(kernel) s\(stride) p\(padding)"
        case .deconv(let channels, let kernel, let stride, let padding, let outputPadding):
            "deconv \(channels) k\(kernel) s\(stride) p\(padding)" + (outputPadding > 0 ? " op\(outputPadding)" : "")
        case .linear(let features): "linear \(features)"
        case .upsample(let factor): "upsample ×\(factor)"
        case .reshape(let shape): "reshape \(shape)"
        case .residual(let body): "residual [\(body.map(\.summary).joined(separator: ", "))]"
        case .batchNorm, .relu, .leakyReLU, .elu, .swish, .flatten: type.rawValue
        }
    }

    // MARK: JSON

    private enum CodingKeys: String, CodingKey {
        case type, channels, features, kernel, stride, padding, outputPadding = "output_padding", factor, shape,
             slope, alpha, body, name
    }

    /// The fields a type reads, besides `type` and `name`.
    static func fields(of type: Kind) -> [String] {
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
    /// linear layer), which would otherwise be ignored in silence, and one it needs and lacks.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(Kind.self, forKey: .type)
        let allowed = Set(["type", "name"] + Self.fields(of: type))
        let given = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        if let unknown = given.sorted().first(where: { !allowed.contains($0) }) {
            throw DecodingError.dataCorruptedError(
                forKey: AnyKey(stringValue: unknown), in: try decoder.container(keyedBy: AnyKey.self),
                debugDescription: "a \(type.rawValue) layer takes no field '\(unknown)' (it reads: \((["name"] + Self.fields(of: type)).joined(separator: ", ")))")
        }
        func needed<T: Decodable>(_ key: CodingKeys) throws -> T {
            guard let value = try c.decodeIfPresent(T.self, forKey: key) else {
                throw DecodingError.keyNotFound(key, .init(codingPath: c.codingPath,
                                                           debugDescription: "a \(type.rawValue) layer needs '\(key.stringValue)'"))
            }
            return value
        }
        func optional<T: Decodable>(_ key: CodingKeys, default value: T) throws -> T {
            try c.decodeIfPresent(T.self, forKey: key) ?? value
        }
        name = try c.decodeIfPresent(String.self, forKey: .name)
        switch type {
        case .conv:
            operation = .conv(channels: try needed(.channels), kernel: try needed(.kernel),
                              stride: try optional(.stride, default: 1), padding: try optional(.padding, default: 0))
        case .deconv:
            operation = .deconv(channels: try needed(.channels), kernel: try needed(.kernel),
                                stride: try optional(.stride, default: 1), padding: try optional(.padding, default: 0),
                                outputPadding: try optional(.outputPadding, default: 0))
        case .upsample: operation = .upsample(factor: try needed(.factor))
        case .linear: operation = .linear(features: try needed(.features))
        case .batchNorm: operation = .batchNorm
        case .relu: operation = .relu
        case .leakyReLU: operation = .leakyReLU(slope: try optional(.slope, default: 0.01))
        case .elu: operation = .elu(alpha: try optional(.alpha, default: 1))
        case .swish: operation = .swish
        case .flatten: operation = .flatten
        case .reshape: operation = .reshape(shape: try needed(.shape))
        case .residual: operation = .residual(body: try needed(.body))
        }
    }

    /// Writes `type`, the name when it has one, and the operation's fields (a deconv's
    /// `output_padding` only when it is not 0).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encodeIfPresent(name, forKey: .name)
        switch operation {
        case .conv(let channels, let kernel, let stride, let padding):
            try c.encode(channels, forKey: .channels); try c.encode(kernel, forKey: .kernel)
            try c.encode(stride, forKey: .stride); try c.encode(padding, forKey: .padding)
        case .deconv(let channels, let kernel, let stride, let padding, let outputPadding):
            try c.encode(channels, forKey: .channels); try c.encode(kernel, forKey: .kernel)
            try c.encode(stride, forKey: .stride); try c.encode(padding, forKey: .padding)
            if outputPadding != 0 { try c.encode(outputPadding, forKey: .outputPadding) }
        case .upsample(let factor): try c.encode(factor, forKey: .factor)
        case .linear(let features): try c.encode(features, forKey: .features)
        case .leakyReLU(let slope): try c.encode(slope, forKey: .slope)
        case .elu(let alpha): try c.encode(alpha, forKey: .alpha)
        case .reshape(let shape): try c.encode(shape, forKey: .shape)
        case .residual(let body): try c.encode(body, forKey: .body)
        case .batchNorm, .relu, .swish, .flatten: break
        }
    }

    // MARK: Shapes and costs

    /// Multiply-adds of one forward pass of one image of shape `input` (without the batch axis):
    /// C_out·H_out·W_out·C_in·k² for a convolution, H·W·C_in·C_out·k² for a transposed one (each
    /// input pixel scatters its kernel), in·out for a linear layer, the body's for a residual
    /// block; 0 for the elementwise and reshaping layers, and for an input the layer cannot take.
    /// A training step costs about three times the forward pass (forward, ∂input and ∂weights),
    /// times 2 FLOP per multiply-add.
    public func multiplyAdds(input: [Int]) -> Int {
        (try? shapeAndMultiplyAdds(forInput: input, at: ""))?.multiplyAdds ?? 0
    }

    /// The output shape (without the batch axis) for an input of `input`.
    /// - Throws: `VAEConfigurationError` naming `place`, the layer and the input shape when the
    ///   input does not fit, or a size is out of range.
    public func outputShape(forInput input: [Int], at place: String) throws -> [Int] {
        try shapeAndMultiplyAdds(forInput: input, at: place).output
    }

    /// Every size the layer states (channels, kernel, stride, padding, factor, shape…), which
    /// `maximumValues` bounds.
    private var sizes: [Int] {
        switch operation {
        case .conv(let channels, let kernel, let stride, let padding): [channels, kernel, stride, padding]
        case .deconv(let channels, let kernel, let stride, let padding, let outputPadding): [channels, kernel, stride, padding, outputPadding]
        case .upsample(let factor): [factor]
        case .linear(let features): [features]
        case .reshape(let shape): shape
        case .batchNorm, .relu, .leakyReLU, .elu, .swish, .flatten, .residual: []
        }
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
        if let value = sizes.first(where: { $0 > limit }) {
            throw refuse("\(value) is beyond the largest size accepted, \(limit)")
        }
        let output: [Int], bodyMultiplyAdds: Int
        if case .residual(let body) = operation {
            (output, bodyMultiplyAdds) = try residualBody(body, forInput: input, at: place, refuse: refuse)
        } else {
            (output, bodyMultiplyAdds) = (try unboundedOutputShape(forInput: input, refuse: refuse), 0)
        }
        guard saturatingProduct(output) <= limit else { throw refuse("its output \(output) would hold more than \(limit) values per image") }
        let weights: Int, multiplyAdds: Int
        switch operation {
        case .linear:
            weights = saturatingProduct([input[0], output[0]])
            multiplyAdds = weights
        case .conv(_, let kernel, _, _):
            weights = saturatingProduct([input[0], output[0], kernel, kernel])
            multiplyAdds = saturatingProduct(output + [input[0], kernel, kernel])
        case .deconv(_, let kernel, _, _, _):
            weights = saturatingProduct([input[0], output[0], kernel, kernel])
            multiplyAdds = saturatingProduct(input + [output[0], kernel, kernel])
        case .residual:
            (weights, multiplyAdds) = (0, bodyMultiplyAdds)
        case .upsample, .batchNorm, .relu, .leakyReLU, .elu, .swish, .flatten, .reshape:
            (weights, multiplyAdds) = (0, 0)
        }
        guard weights <= LayerSpec.maximumWeights else {
            throw refuse("its weight of \(weights) values is more than \(LayerSpec.maximumWeights)")
        }
        return (output, multiplyAdds)
    }

    /// A residual block's output shape (its input's, which the body must keep) and its body's
    /// multiply-adds, each body layer visited once.
    private func residualBody(_ body: [LayerSpec], forInput input: [Int], at place: String,
                              refuse: (String) -> VAEConfigurationError) throws -> (output: [Int], multiplyAdds: Int) {
        guard !body.isEmpty else { throw refuse("it needs a non-empty 'body'") }
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

    /// The output shape of any layer but a residual block (`residualBody`), before the size limits.
    private func unboundedOutputShape(forInput input: [Int], refuse: (String) -> VAEConfigurationError) throws -> [Int] {
        switch operation {
        case .conv(let out, let k, let s, let p):
            guard out >= 1, k >= 1, s >= 1, p >= 0 else { throw refuse("sizes must be positive, padding ≥ 0") }
            guard input.count == 3 else { throw refuse("it needs (channels, height, width)") }
            guard input[1] + 2 * p >= k, input[2] + 2 * p >= k else { throw refuse("the kernel is larger than the padded image") }
            let side = { ($0 + 2 * p - k) / s + 1 }
            return try positive([out, side(input[1]), side(input[2])], refuse: refuse)
        case .deconv(let out, let k, let s, let p, let op):
            guard out >= 1, k >= 1, s >= 1, p >= 0, op >= 0 else { throw refuse("sizes must be positive, padding ≥ 0") }
            guard input.count == 3 else { throw refuse("it needs (channels, height, width)") }
            guard op < s else { throw refuse("output_padding must be smaller than the stride") }
            let side = { ($0 - 1) * s - 2 * p + k + op }
            return try positive([out, side(input[1]), side(input[2])], refuse: refuse)
        case .upsample(let f):
            guard f >= 1 else { throw refuse("the factor must be at least 1") }
            guard input.count == 3 else { throw refuse("it needs (channels, height, width)") }
            return [input[0], input[1] * f, input[2] * f]
        case .linear(let out):
            guard out >= 1 else { throw refuse("features must be positive") }
            guard input.count == 1 else { throw refuse("it needs a flat vector (add a flatten layer before it)") }
            return [out]
        case .batchNorm:
            guard input.count == 1 || input.count == 3 else { throw refuse("it needs (features) or (channels, height, width)") }
            return input
        case .relu, .swish:
            return input
        case .leakyReLU(let slope):
            guard slope.isFinite else { throw refuse("the slope must be finite") }
            return input
        case .elu(let alpha):
            guard alpha.isFinite else { throw refuse("alpha must be finite") }
            return input
        case .flatten:
            return [input.reduce(1, *)]
        case .reshape(let shape):
            guard !shape.isEmpty, shape.allSatisfy({ $0 >= 1 }) else { throw refuse("it needs a 'shape' of positive sizes") }
            guard saturatingProduct(shape) == saturatingProduct(input) else {
                throw refuse("\(saturatingProduct(input)) values cannot be reshaped to \(shape)")
            }
            return shape
        case .residual(let body):
            return try residualBody(body, forInput: input, at: "", refuse: refuse).output
        }
    }

    /// A (transposed) convolution's output shape, refused when a side would be empty.
    private func positive(_ output: [Int], refuse: (String) -> VAEConfigurationError) throws -> [Int] {
        guard output[1] >= 1, output[2] >= 1 else { throw refuse("the output would be \(output)") }
        return output
    }

    // MARK: Building

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
        switch operation {
        case .conv(let channels, let kernel, let stride, let padding):
            return try Conv2d(inputChannels: input[0], outputChannels: channels, kernelSize: kernel,
                              stride: stride, padding: padding, using: &random)
        case .deconv(let channels, let kernel, let stride, let padding, let outputPadding):
            return try ConvTranspose2d(inputChannels: input[0], outputChannels: channels, kernelSize: kernel,
                                       stride: stride, padding: padding, outputPadding: outputPadding, using: &random)
        case .upsample(let factor): return try Upsample(factor: factor)
        case .linear(let features): return try Linear(inputFeatures: input[0], outputFeatures: features, using: &random)
        case .batchNorm: return input.count == 3 ? BatchNorm2d(channels: input[0]) : BatchNorm1d(features: input[0])
        case .relu: return ReLU()
        case .leakyReLU(let slope): return LeakyReLU(slope: Float(slope))
        case .elu(let alpha): return ELU(alpha: Float(alpha))
        case .swish: return Swish()
        case .flatten: return Flatten()
        case .reshape(let shape): return try Reshape(shape)
        case .residual(let body):
            return Residual(try LayerSpec.build(body, input: input, network: "residual", using: &random))
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
