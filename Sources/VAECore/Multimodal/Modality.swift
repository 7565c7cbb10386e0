import Foundation

/// What one modality of a multimodal VAE is: an image (the course's convolutional encoder and
/// decoder, with a likelihood) or a class label (a categorical with a small MLP each way), its
/// name, and the weight of its reconstruction term. Saved in the checkpoint's `model_config`.
///
/// Its JSON is flat and lists every field, as it did before the kinds were an enum (the
/// fingerprint of a multimodal run hashes it, and `MultimodalTests` pins it): an image writes
/// `classCount` and `hiddenUnits` as 0, a label `binarized` as false and `privateDimensions` as 0.
public struct ModalityConfiguration: Codable, Equatable, Sendable {
    /// What the modality is, with exactly what that kind needs.
    public enum Kind: Equatable, Sendable {
        /// An image, its encoder's and decoder's layers (`Architecture`) and its likelihood
        /// p(x|z). With a Bernoulli likelihood, `binarized` says whether training redraws the
        /// grey pixels as coin flips (dynamic binarization, as MNIST is modelled everywhere in the
        /// course) or fits the grey values as they are (a "continuous Bernoulli" target;
        /// Fashion-MNIST's textures are not binary). `privateDimensions` is the size P of a private
        /// code w_m beside the shared one (0: none): the shared code carries what the modalities
        /// have in common (the class), w_m what only this modality shows (a digit's slant and
        /// stroke, a garment's cut); it has its own prior N(0, I), and is drawn from that prior
        /// whenever the modality is generated from another (`MultimodalVAE`).
        case image(architecture: Architecture, likelihood: Likelihood, binarized: Bool, privateDimensions: Int)
        /// A class label of `classes` classes, with a hidden layer of `hiddenUnits` in its encoder
        /// and in its decoder.
        case label(classes: Int, hiddenUnits: Int)
    }

    /// The prefix of this modality's tensor names ("mnist", "label", "fashion"): distinct, no dots.
    public var name: String
    public var kind: Kind
    /// λ, the weight of this modality's reconstruction term in the training objective (1 is the
    /// ELBO). Wu & Goodman weight a label's 1 nat against an image's hundreds by λ = 50, so that
    /// the shared code carries the class. Evaluation always uses the true likelihood (λ = 1).
    public var weight: Double

    public init(name: String, kind: Kind, weight: Double = 1) {
        self.name = name
        self.kind = kind
        self.weight = weight
    }

    /// An image modality with the course's reference networks.
    public static func image(_ name: String, architecture: Architecture = .reference, binarized: Bool = true,
                             weight: Double = 1, privateDimensions: Int = 0) -> ModalityConfiguration {
        ModalityConfiguration(name: name, kind: .image(architecture: architecture, likelihood: .bernoulli, binarized: binarized,
                                                       privateDimensions: privateDimensions), weight: weight)
    }

    /// A label modality of `classes` classes.
    public static func label(_ name: String = "label", classes: Int = 10, hiddenUnits: Int = 128,
                             weight: Double = 50) -> ModalityConfiguration {
        ModalityConfiguration(name: name, kind: .label(classes: classes, hiddenUnits: hiddenUnits), weight: weight)
    }

    /// Whether the modality is an image.
    public var isImage: Bool {
        if case .image = kind { true } else { false }
    }

    /// A label's number of classes K; 0 for an image.
    public var classCount: Int {
        if case .label(let classes, _) = kind { classes } else { 0 }
    }

    /// Whether training binarizes an image's pixels (`Kind.image`); false for a label.
    public var binarized: Bool {
        if case .image(_, _, let binarized, _) = kind { binarized } else { false }
    }

    /// The size of an image's private code (`Kind.image`); 0 for a label.
    public var privateDimensions: Int {
        if case .image(_, _, _, let dimensions) = kind { dimensions } else { 0 }
    }

    /// The shape of one sample: (1, 28, 28) for an image, (K) for a label (one-hot).
    public var sampleShape: [Int] { isImage ? Architecture.imageShape : [classCount] }

    /// Throws for a bad name, a weight that is not positive, or sizes out of range.
    public func validate() throws {
        guard !name.isEmpty, !name.contains("."), !name.contains(" ") else {
            throw VAEConfigurationError("a modality's name must be non-empty, without dots or spaces: \"\(name)\"")
        }
        guard weight.isFinite, weight > 0 else {
            throw VAEConfigurationError("modality \(name): the weight λ must be finite and > 0, not \(weight)")
        }
        switch kind {
        case .image(_, let likelihood, let binarized, let privateDimensions):
            guard privateDimensions >= 0 else {
                throw VAEConfigurationError("modality \(name): a private code has ≥ 0 dimensions, not \(privateDimensions)")
            }
            try likelihood.validate()
            guard !binarized || likelihood.binarizesData else {
                throw VAEConfigurationError("image modality \(name): only a Bernoulli likelihood binarizes its images")
            }
        case .label(let classes, let hiddenUnits):
            guard classes >= 2, hiddenUnits >= 1 else {
                throw VAEConfigurationError("label modality \(name) needs ≥ 2 classes and ≥ 1 hidden unit, not \(classes) and \(hiddenUnits)")
            }
        }
    }
}

extension ModalityConfiguration {
    private enum CodingKeys: String, CodingKey {
        case name, kind, architecture, likelihood, binarized, classCount, hiddenUnits, weight, privateDimensions
    }

    /// Decodes a saved configuration; one saved before private codes existed has none. A field
    /// that belongs to the other kind (an image's classes, a label's architecture) is refused.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        weight = try c.decode(Double.self, forKey: .weight)
        let binarized = try c.decode(Bool.self, forKey: .binarized)
        let classCount = try c.decode(Int.self, forKey: .classCount)
        let hiddenUnits = try c.decode(Int.self, forKey: .hiddenUnits)
        let privateDimensions = try c.decodeIfPresent(Int.self, forKey: .privateDimensions) ?? 0
        func refuse(_ key: CodingKeys, _ why: String) -> DecodingError {
            DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: why)
        }
        switch try c.decode(String.self, forKey: .kind) {
        case "image":
            guard classCount == 0 else { throw refuse(.classCount, "an image modality has no classes") }
            guard hiddenUnits == 0 else { throw refuse(.hiddenUnits, "an image modality has no hidden units of its own") }
            kind = .image(architecture: try c.decode(Architecture.self, forKey: .architecture),
                          likelihood: try c.decode(Likelihood.self, forKey: .likelihood),
                          binarized: binarized, privateDimensions: privateDimensions)
        case "label":
            guard !c.contains(.architecture) else { throw refuse(.architecture, "a label modality has no architecture") }
            guard !c.contains(.likelihood) else { throw refuse(.likelihood, "a label modality's likelihood is the categorical") }
            guard !binarized else { throw refuse(.binarized, "a label is not binarized") }
            guard privateDimensions == 0 else { throw refuse(.privateDimensions, "only an image has a private code") }
            kind = .label(classes: classCount, hiddenUnits: hiddenUnits)
        case let other:
            throw refuse(.kind, "a modality is an image or a label, not \"\(other)\"")
        }
    }

    /// Writes every field, those of the other kind as 0 or false (the form the fingerprints hash).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(weight, forKey: .weight)
        try c.encode(binarized, forKey: .binarized)
        try c.encode(classCount, forKey: .classCount)
        try c.encode(privateDimensions, forKey: .privateDimensions)
        switch kind {
        case .image(let architecture, let likelihood, _, _):
            try c.encode("image", forKey: .kind)
            try c.encode(architecture, forKey: .architecture)
            try c.encode(likelihood, forKey: .likelihood)
            try c.encode(0, forKey: .hiddenUnits)
        case .label(_, let hiddenUnits):
            try c.encode("label", forKey: .kind)
            try c.encode(hiddenUnits, forKey: .hiddenUnits)
        }
    }
}

/// One modality of a `MultimodalVAE`: an encoder giving a Gaussian expert q_m(z|x_m) and a decoder
/// giving p(x_m|z). With a private code of P dimensions (`ModalityConfiguration.privateDimensions`),
/// the encoder's Gaussian is (B, D + P), the expert on the shared code then q_m(w_m|x_m), and the
/// decoder reads (B, D + P), the shared code then the private one.
/// As every layer of the course, `encode`/`decode` cache what `backwardEncoder`/
/// `backwardDecoder` need, and the backward passes **accumulate** into the parameters' gradients.
public protocol Modality: AnyObject {
    var configuration: ModalityConfiguration { get }
    /// The expert q_m(z|x_m) for inputs (B, sample shape).
    func encode(_ input: Tensor) throws -> DiagonalGaussian
    /// Back through the encoder from the gradient with respect to its expert's μ and log σ².
    func backwardEncoder(_ gradient: DiagonalGaussian)
    /// The decoder's outputs (B, sample shape) for codes (B, D): the likelihood's parameters.
    func decode(_ z: Tensor) -> Tensor
    /// Back through the decoder from the gradient with respect to its outputs: returns the
    /// gradient with respect to the codes, (B, D).
    func backwardDecoder(_ outputGradient: Tensor) -> Tensor
    /// −log p(x|z) averaged over the rows (nats per sample) and its gradient with respect to the
    /// outputs.
    func reconstructionLoss(output: Tensor, target: Tensor) throws -> LossResult
    /// log p(x|z) of each row, with the true likelihood.
    func logLikelihoods(output: Tensor, target: Tensor) -> [Double]
    /// What a person sees of the outputs: the mean image σ(ℓ), or the class probabilities.
    func readable(_ output: Tensor) -> Tensor
    /// The most probable sample of the outputs: the mode image (`Likelihood.mode`), or the one-hot
    /// vector of the most probable class.
    func mostProbable(_ output: Tensor) -> Tensor
    var parameters: [Parameter] { get }
    var buffers: [Parameter] { get }
    var isTraining: Bool { get set }
}

/// An image modality: the course's convolutional VAE networks, held by a `VAE` (its encoder body
/// and head give the expert, its decoder the likelihood's parameters per pixel). Tensor names are
/// the VAE's under the modality's name: `mnist.encoder.conv1.weight`, `mnist.decoder.fc.bias`, ….
final class ImageModality: Modality {
    public let configuration: ModalityConfiguration
    /// The networks.
    public let networks: VAE

    public init(_ configuration: ModalityConfiguration, latentDimensions: Int, using random: inout RandomSource) throws {
        try configuration.validate()
        guard case .image(let architecture, let likelihood, _, _) = configuration.kind else {
            throw VAEConfigurationError("ImageModality needs an image modality's configuration")
        }
        self.configuration = configuration
        networks = try VAE(VAEConfiguration(latentDimensions: latentDimensions + configuration.privateDimensions, architecture: architecture,
                                            likelihood: likelihood), using: &random)
        for p in networks.parameters + networks.buffers { p.name = configuration.name + "." + p.name }
    }

    public func encode(_ input: Tensor) throws -> DiagonalGaussian {
        let (mean, logVariance) = try networks.encode(input)
        return DiagonalGaussian(mean: mean, logVariance: logVariance)
    }

    func backwardEncoder(_ gradient: DiagonalGaussian) {
        _ = networks.encoderBody.backward(networks.encoderHead.backward(gradient.statistics))
    }

    public func decode(_ z: Tensor) -> Tensor { networks.decoder.forward(z) }

    func backwardDecoder(_ outputGradient: Tensor) -> Tensor { networks.decoder.backward(outputGradient) }

    func reconstructionLoss(output: Tensor, target: Tensor) throws -> LossResult {
        try networks.likelihood.loss(output: output, targets: target)
    }

    public func logLikelihoods(output: Tensor, target: Tensor) -> [Double] {
        let rows = output.shape[0], pixels = output.count / max(rows, 1)
        let likelihood = networks.preparedLikelihood(pixels: pixels)
        return output.withUnsafeBufferPointer { l in
            target.withUnsafeBufferPointer { x in
                (0..<rows).map { likelihood.logLikelihood(output: l.baseAddress! + $0 * pixels,
                                                          targets: x.baseAddress! + $0 * pixels, count: pixels) }
            }
        }
    }

    public func readable(_ output: Tensor) -> Tensor { networks.likelihood.mean(output) }

    /// The mode image for binary data; for grey values fitted by a Bernoulli (`binarized` off),
    /// whose "most probable" image would be binary though the data are not, the mean.
    public func mostProbable(_ output: Tensor) -> Tensor {
        configuration.binarized ? networks.likelihood.mode(output) : readable(output)
    }

    public var parameters: [Parameter] { networks.parameters }
    public var buffers: [Parameter] { networks.buffers }
    public var isTraining: Bool {
        get { networks.isTraining }
        set { networks.isTraining = newValue }
    }
}

/// A label modality: y one-hot (B, K); the encoder K → H → 2D and the decoder D → H → K are two
/// linear layers with a ReLU between; p(y|z) = softmax(decoder(z)), a categorical, whose
/// −log p(y|z) is the softmax cross-entropy. Tensor names: `label.encoder.fc1.weight`, ….
final class LabelModality: Modality {
    public let configuration: ModalityConfiguration
    /// (B, K) → (B, 2D): μ, then log σ².
    public let encoder: Sequential
    /// (B, D) → (B, K): the logits of p(y|z).
    public let decoder: Sequential

    public init(_ configuration: ModalityConfiguration, latentDimensions d: Int, using random: inout RandomSource) throws {
        try configuration.validate()
        guard case .label(let k, let h) = configuration.kind else {
            throw VAEConfigurationError("LabelModality needs a label modality's configuration")
        }
        self.configuration = configuration
        encoder = try Sequential([("fc1", try Linear(inputFeatures: k, outputFeatures: h, using: &random)), ("relu", ReLU()),
                                  ("fc2", try Linear(inputFeatures: h, outputFeatures: 2 * d, using: &random))])
        decoder = try Sequential([("fc1", try Linear(inputFeatures: d, outputFeatures: h, using: &random)), ("relu", ReLU()),
                                  ("fc2", try Linear(inputFeatures: h, outputFeatures: k, using: &random))])
        for p in encoder.parameters { p.name = configuration.name + ".encoder." + p.name }
        for p in decoder.parameters { p.name = configuration.name + ".decoder." + p.name }
    }

    /// The class of each one-hot row of `target` (B, K).
    /// - Throws: `LossError` for a row that is not one-hot.
    func classes(of target: Tensor) throws -> [Int] {
        let k = configuration.classCount
        guard target.rank == 2, target.shape[1] == k else {
            throw LossError("a label modality takes one-hot rows (B, \(k)), not \(target.shape)")
        }
        return try (0..<target.shape[0]).map { row in
            let values = target.scalars[row * k ..< (row + 1) * k]
            guard values.allSatisfy({ $0 == 0 || $0 == 1 }), values.reduce(0, +) == 1 else {
                throw LossError("row \(row) of a label modality's input is not one-hot")
            }
            return values.firstIndex(of: 1)! - row * k
        }
    }

    public func encode(_ input: Tensor) throws -> DiagonalGaussian {
        _ = try classes(of: input)
        return DiagonalGaussian(statistics: encoder.forward(input))
    }

    func backwardEncoder(_ gradient: DiagonalGaussian) { _ = encoder.backward(gradient.statistics) }

    public func decode(_ z: Tensor) -> Tensor { decoder.forward(z) }

    func backwardDecoder(_ outputGradient: Tensor) -> Tensor { decoder.backward(outputGradient) }

    func reconstructionLoss(output: Tensor, target: Tensor) throws -> LossResult {
        try softmaxCrossEntropy(logits: output, labels: try classes(of: target), reduction: .sumPerSample)
    }

    public func logLikelihoods(output: Tensor, target: Tensor) -> [Double] {
        let k = configuration.classCount
        return (0..<output.shape[0]).map { row in
            let logits = output.scalars[row * k ..< (row + 1) * k].map(Double.init)
            let label = target.scalars[row * k ..< (row + 1) * k].firstIndex(of: 1)! - row * k
            return logits[label] - logSumExp(logits)
        }
    }

    public func readable(_ output: Tensor) -> Tensor {
        let k = configuration.classCount
        var probabilities = output
        for row in 0..<output.shape[0] {
            let logits = output.scalars[row * k ..< (row + 1) * k].map(Double.init)
            let norm = logSumExp(logits)
            for j in 0..<k { probabilities.scalars[row * k + j] = Float(exp(logits[j] - norm)) }
        }
        return probabilities
    }

    public func mostProbable(_ output: Tensor) -> Tensor {
        Tensor.oneHot(argmaxRows(output), classes: configuration.classCount)
    }

    public var parameters: [Parameter] { encoder.parameters + decoder.parameters }
    public var buffers: [Parameter] { [] }
    public var isTraining: Bool {
        get { encoder.isTraining }
        set { encoder.isTraining = newValue; decoder.isTraining = newValue }
    }
}
