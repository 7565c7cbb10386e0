import Foundation

/// Which modalities each subset of observed modalities learns to reconstruct.
///
/// Both objectives infer z from every non-empty subset S of the modalities by the product of the
/// prior and S's experts, q_S(z|x_S) (`productOfExperts`); they differ in what z ~ q_S must explain:
///
/// - `mvae` (Wu & Goodman 2018's sub-sampled ELBO): the sum over subsets of each subset's own ELBO,
///
///       Σ_S ( E_{q_S}[ Σ_{m∈S} λ_m log p(x_m|z) ] − KL(q_S ‖ p) ),
///
///   the joint ELBO plus one per modality alone. Nothing asks a code inferred from one modality to
///   explain the other: cross-generation relies on the joint term pulling the experts together.
/// - `mopoe` (the mixture of products of experts of Sutter, Daunhawer & Vogt 2021): the average
///   over subsets of the ELBO of *all* modalities under q_S,
///
///       (1/|𝒮|) Σ_S ( E_{q_S}[ Σ_m λ_m log p(x_m|z) ] − KL(q_S ‖ p) ),
///
///   which (with λ = 1) lower-bounds log p(x₁, …, x_M) with the mixture (1/|𝒮|) Σ_S q_S as the
///   posterior, since the KL of a mixture is at most the mixture of the KLs. Each modality alone
///   must now infer a code that explains the other: the cross-modal term MMVAE (Shi et al. 2019)
///   trains with its mixture of single experts, here with the closed-form KL of the products.
public enum MultimodalObjective: String, Codable, Sendable, CaseIterable {
    case mvae, mopoe
}

/// Everything that decides a multimodal VAE's shape: its code size, its modalities and its
/// objective. Saved as the checkpoint's `model_config`.
public struct MultimodalConfiguration: Codable, Equatable, Sendable {
    public var latentDimensions: Int
    public var modalities: [ModalityConfiguration]
    public var objective: MultimodalObjective

    public init(latentDimensions: Int = 20, modalities: [ModalityConfiguration], objective: MultimodalObjective) {
        self.latentDimensions = latentDimensions
        self.modalities = modalities
        self.objective = objective
    }

    /// MNIST digits and their labels (MVAE's own experiment).
    public static func imageLabel(objective: MultimodalObjective = .mvae, labelWeight: Double = 50) -> MultimodalConfiguration {
        MultimodalConfiguration(modalities: [.image("mnist"), .label(weight: labelWeight)], objective: objective)
    }

    /// An MNIST digit and a Fashion-MNIST item of the same class index.
    public static func mnistFashion(objective: MultimodalObjective = .mopoe) -> MultimodalConfiguration {
        MultimodalConfiguration(modalities: [.image("mnist"), .image("fashion", binarized: false)], objective: objective)
    }

    /// Throws for a code size below 1, fewer than two modalities, or a bad or repeated modality.
    public func validate() throws {
        guard latentDimensions >= 1 else { throw VAEConfigurationError("the code needs at least one dimension, not \(latentDimensions)") }
        guard (2...4).contains(modalities.count) else {
            throw VAEConfigurationError("a multimodal VAE takes 2 to 4 modalities (every subset is trained), not \(modalities.count)")
        }
        for m in modalities { try m.validate() }
        guard Set(modalities.map(\.name)).count == modalities.count else {
            throw VAEConfigurationError("the modalities' names repeat: \(modalities.map(\.name))")
        }
    }

    /// How it reads in a log line: "mvae: mnist (image) + label (10 classes, λ 50), 20-d code".
    public var summary: String {
        "\(objective.rawValue): " + modalities.map { m in
            let what = m.kind == .image ? "image" : "\(m.classCount) classes"
            return "\(m.name) (\(what)\(m.weight == 1 ? "" : String(format: ", λ %g", m.weight)))"
        }.joined(separator: " + ") + ", \(latentDimensions)-d code"
    }
}

/// A multimodal VAE: one code z shared by M modalities, each with an encoder (a Gaussian expert)
/// and a decoder. The posterior given any subset S of observed modalities is the product of the
/// prior and S's experts (`productOfExperts`), so a missing modality is simply left out.
public final class MultimodalVAE {
    public let configuration: MultimodalConfiguration
    public let modalities: [Modality]
    /// The non-empty subsets of the modalities, each alone first, all of them last:
    /// [[0], [1], [0, 1]] for two.
    public let subsets: [[Int]]

    /// Weights drawn from `random` modality by modality, in order.
    public init(_ configuration: MultimodalConfiguration, using random: inout RandomSource) throws {
        try configuration.validate()
        self.configuration = configuration
        let d = configuration.latentDimensions
        modalities = try configuration.modalities.map { m -> Modality in
            switch m.kind {
            case .image: try ImageModality(m, latentDimensions: d, using: &random)
            case .label: try LabelModality(m, latentDimensions: d, using: &random)
            }
        }
        let m = configuration.modalities.count
        let masks = Array(1..<(1 << m))
        let all: [[Int]] = masks.map { mask in (0..<m).filter { mask & (1 << $0) != 0 } }
        subsets = all.sorted { a, b in a.count != b.count ? a.count < b.count : a.lexicographicallyPrecedes(b) }
    }

    /// Every trained tensor, modality by modality.
    public var parameters: [Parameter] { modalities.flatMap(\.parameters) }
    /// BatchNorm's running statistics.
    public var buffers: [Parameter] { modalities.flatMap(\.buffers) }
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
    public var isTraining: Bool {
        get { modalities[0].isTraining }
        set { for m in modalities { m.isTraining = newValue } }
    }

    /// The modalities a subset S reconstructs: its own (MVAE) or all (MoPoE).
    public func reconstructed(by subset: [Int]) -> [Int] {
        configuration.objective == .mvae ? subset : Array(modalities.indices)
    }

    /// Each subset's weight in the objective: 1 (a sum of ELBOs) or 1/|𝒮| (an average).
    public var subsetWeight: Double { configuration.objective == .mvae ? 1 : 1 / Double(subsets.count) }

    /// Checks a batch: one tensor per modality, each (B, sample shape) with one B.
    func checkBatch(_ inputs: [Tensor?]) throws -> Int {
        guard inputs.count == modalities.count else {
            throw VAEConfigurationError("\(inputs.count) inputs for \(modalities.count) modalities")
        }
        var batch: Int?
        for (input, m) in zip(inputs, configuration.modalities) {
            guard let input else { continue }
            guard Array(input.shape.dropFirst()) == m.sampleShape, input.shape[0] > 0 else {
                throw VAEConfigurationError("modality \(m.name) takes (B, \(m.sampleShape.map(String.init).joined(separator: ", "))), not \(input.shape)")
            }
            guard batch == nil || batch == input.shape[0] else {
                throw VAEConfigurationError("the modalities' batches differ in size: \(inputs.map { $0?.shape[0] ?? 0 })")
            }
            guard input.isFinite else { throw VAEConfigurationError("modality \(m.name)'s input holds NaN or infinity") }
            batch = input.shape[0]
        }
        guard let batch else { throw VAEConfigurationError("no modality is observed") }
        return batch
    }

    // MARK: Training

    /// One forward and backward pass of the objective on a batch: **accumulates** the gradient of
    /// the batch-mean loss into every parameter, and returns the terms in nats per sample.
    ///
    /// Forward: each encoder runs once (its expert e_m); each subset's product q_S is sampled,
    /// z_S = μ_S + σ_S ⊙ ε_S; each decoder runs once on the codes of every subset that targets it,
    /// stacked into one batch of |targets|·B rows (so BatchNorm's batch statistics see the same
    /// mixture of codes as its running ones). Backward retraces it: each decoder's gradient is
    /// split back per subset; per subset, the reparameterisation and the KL's gradient give
    /// ∂L/∂(μ_S, log σ²_S) (`VAE.latentGradient`); the product's backward (`productOfExpertsBackward`)
    /// sends them to the experts, whose gradients add up over the subsets; each encoder runs
    /// backward once.
    ///
    /// `inputs` are what the encoders see, `targets` what the decoders are scored against (the
    /// same, but binarized afresh for a binarized image modality). `beta` weights the KL terms.
    /// `noise`, when given, is each subset's ε (B, D), in `subsets`' order, instead of draws from
    /// `random` (the PyTorch fixtures pass theirs).
    public func accumulateGradients(inputs: [Tensor], targets: [Tensor], beta: Double = 1, noise: [Tensor]? = nil,
                                    using random: inout RandomSource) throws -> MultimodalTerms {
        let b = try checkBatch(inputs)
        guard try checkBatch(targets) == b else { throw VAEConfigurationError("targets and inputs differ in batch size") }
        let d = configuration.latentDimensions
        let experts = try zip(modalities, inputs).map { try $0.encode($1) }       // (B, D) each

        // Each subset's product, code and KL.
        let products = try subsets.map { s in try productOfExperts(s.map { experts[$0] }) }
        var codes: [(z: Tensor, epsilon: Tensor, standardDeviation: Tensor)] = []
        var kls: [KLDivergenceResult] = []
        if let noise {
            guard noise.count == subsets.count, noise.allSatisfy({ $0.shape == [b, d] }) else {
                throw VAEConfigurationError("noise must be one (\(b), \(d)) tensor per subset (\(subsets.count)), not \(noise.map(\.shape))")
            }
        }
        for (s, product) in products.enumerated() {
            let q = product.gaussian
            codes.append(VAE.reparameterize(mean: q.mean, logVariance: q.logVariance, noise: noise?[s], using: &random))
            kls.append(try klDivergenceStandardNormal(mean: q.mean, logVariance: q.logVariance, reduction: .sumPerSample))
        }

        // Each decoder on the stacked codes of the subsets that target it.
        let w = subsetWeight
        var dz = [Tensor](repeating: Tensor(shape: [b, d]), count: subsets.count)
        var reconstruction = [[Double?]](repeating: [Double?](repeating: nil, count: modalities.count), count: subsets.count)
        for (m, modality) in modalities.enumerated() {
            let rows = subsets.indices.filter { reconstructed(by: subsets[$0]).contains(m) }
            let z = rows.dropFirst().reduce(codes[rows[0]].z) { Tensor.concatenateRows($0, codes[$1].z) }   // (R·B, D)
            let output = modality.decode(z)
            // Each block of B rows is one subset's reconstruction, a mean over its B samples; the
            // objective weighs it by w·λ_m.
            let scale = Float(w * configuration.modalities[m].weight)
            var outputGradient: Tensor?
            for (r, s) in rows.enumerated() {
                let loss = try modality.reconstructionLoss(output: output.rowBlock(r, of: rows.count), target: targets[m])
                guard loss.value.isFinite else {
                    throw TrainingError.nonFiniteLoss(reconstruction: loss.value, kl: kls.map(\.value).reduce(0, +))
                }
                reconstruction[s][m] = loss.value
                let g = loss.gradient * scale
                outputGradient = outputGradient.map { Tensor.concatenateRows($0, g) } ?? g
            }
            let dCodes = modality.backwardDecoder(outputGradient!)                               // (R·B, D)
            for (r, s) in rows.enumerated() { dz[s] += dCodes.rowBlock(r, of: rows.count) }
        }

        // Back through each subset's sampling and product, into the experts.
        var dExperts = experts.map { DiagonalGaussian(mean: Tensor(shape: $0.mean.shape), logVariance: Tensor(shape: $0.mean.shape)) }
        for (s, subset) in subsets.enumerated() {
            let statistics = VAE.latentGradient(dz: dz[s], epsilon: codes[s].epsilon, standardDeviation: codes[s].standardDeviation,
                                                kl: kls[s], klWeight: Float(w * beta))   // (B, 2D)
            let upstream = DiagonalGaussian(statistics: statistics)
            let gradients = productOfExpertsBackward(products[s], experts: subset.map { experts[$0] }, upstream: upstream)
            for (m, g) in zip(subset, gradients) {
                dExperts[m].mean += g.mean
                dExperts[m].logVariance += g.logVariance
            }
        }
        for (modality, gradient) in zip(modalities, dExperts) { modality.backwardEncoder(gradient) }

        let klValues = kls.map(\.value)
        guard klValues.allSatisfy(\.isFinite) else {
            throw TrainingError.nonFiniteLoss(reconstruction: .nan, kl: klValues.reduce(0, +))
        }
        var objective = 0.0
        for (s, subset) in subsets.enumerated() {
            let weighted = reconstructed(by: subset).reduce(0.0) { $0 + configuration.modalities[$1].weight * reconstruction[s][$1]! }
            objective += w * (weighted + beta * klValues[s])
        }
        return MultimodalTerms(objective: objective, kl: klValues, reconstruction: reconstruction)
    }
}

/// The terms of one batch, in nats per sample, for each subset of `MultimodalVAE.subsets`.
public struct MultimodalTerms: Sendable, Equatable, Codable {
    /// What was minimised (with the λ weights).
    public var objective: Double
    /// KL(q_S ‖ p) per subset.
    public var kl: [Double]
    /// −log p(x_m|z), z ~ q_S, per subset and modality (nil where S does not target m).
    public var reconstruction: [[Double?]]

    /// The joint ELBO with the true likelihoods (λ = 1): the last subset, all modalities observed,
    /// −(Σ_m reconstruction + KL). Under `mvae` and `mopoe` alike, the joint subset targets every
    /// modality.
    public var jointELBO: Double {
        -((reconstruction.last ?? []).reduce(0.0) { $0 + ($1 ?? 0) } + (kl.last ?? 0))
    }
}

extension Tensor {
    /// Block `index` of `blocks` equal blocks of rows: rows index·B ..< (index + 1)·B of a
    /// (blocks·B, …) tensor.
    func rowBlock(_ index: Int, of blocks: Int) -> Tensor {
        let rows = shape[0] / blocks
        precondition(rows * blocks == shape[0] && (0..<blocks).contains(index), "rowBlock \(index) of \(blocks) of \(shape)")
        return self.rows(index * rows ..< (index + 1) * rows)
    }
}
