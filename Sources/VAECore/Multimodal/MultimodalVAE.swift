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
    /// α, the weight of JMVAE's alignment term α Σ_{S ≠ all} KL(q(z | all) ‖ q_S(z | x_S)) added to
    /// the objective (Suzuki et al. 2017): each smaller subset's posterior is pulled to cover the
    /// joint posteriors of the tuples it could come from (0: none).
    public var alignmentWeight: Double
    /// K, the codes drawn per subset and tuple in training: 1 trains each subset's ELBO; K ≥ 2 its
    /// K-sample importance-weighted bound (MMVAE+'s objective; `MultimodalVAE+ImportanceWeighted.swift`).
    public var importanceSamples: Int
    /// How the K-sample bound's gradient reaches the encoders (ignored at K = 1): DReG by default,
    /// as MMVAE+ trains.
    public var importanceEstimator: ImportanceWeightedEstimator

    /// The largest K accepted: the decoders run on K codes per subset and tuple.
    public static let maximumImportanceSamples = 64

    public init(latentDimensions: Int = 20, modalities: [ModalityConfiguration], objective: MultimodalObjective,
                alignmentWeight: Double = 0, importanceSamples: Int = 1, importanceEstimator: ImportanceWeightedEstimator = .dreg) {
        self.latentDimensions = latentDimensions
        self.modalities = modalities
        self.objective = objective
        self.alignmentWeight = alignmentWeight
        self.importanceSamples = importanceSamples
        self.importanceEstimator = importanceEstimator
    }

    enum CodingKeys: String, CodingKey {
        case latentDimensions, modalities, objective, alignmentWeight, importanceSamples, importanceEstimator
    }

    /// Decodes a saved configuration; one saved before the alignment term or the K-sample bound
    /// existed has neither.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        latentDimensions = try c.decode(Int.self, forKey: .latentDimensions)
        modalities = try c.decode([ModalityConfiguration].self, forKey: .modalities)
        objective = try c.decode(MultimodalObjective.self, forKey: .objective)
        alignmentWeight = try c.decodeIfPresent(Double.self, forKey: .alignmentWeight) ?? 0
        importanceSamples = try c.decodeIfPresent(Int.self, forKey: .importanceSamples) ?? 1
        importanceEstimator = try c.decodeIfPresent(ImportanceWeightedEstimator.self, forKey: .importanceEstimator) ?? .dreg
    }

    /// Encodes every setting, leaving the K-sample bound's out at their defaults (K = 1, DReG), so
    /// that a run saved before they existed keeps its fingerprint.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(latentDimensions, forKey: .latentDimensions)
        try c.encode(modalities, forKey: .modalities)
        try c.encode(objective, forKey: .objective)
        try c.encode(alignmentWeight, forKey: .alignmentWeight)
        if importanceSamples != 1 { try c.encode(importanceSamples, forKey: .importanceSamples) }
        if importanceEstimator != .dreg { try c.encode(importanceEstimator, forKey: .importanceEstimator) }
    }

    /// MNIST digits and their labels (MVAE's own experiment); the digit with a private code of
    /// `privateDimensions` (0: none).
    public static func imageLabel(objective: MultimodalObjective = .mvae, labelWeight: Double = 50,
                                  privateDimensions: Int = 0) -> MultimodalConfiguration {
        MultimodalConfiguration(modalities: [.image("mnist", privateDimensions: privateDimensions), .label(weight: labelWeight)],
                                objective: objective)
    }

    /// An MNIST digit and a Fashion-MNIST item of the same class index, each image with a private
    /// code of `privateDimensions` (0: none).
    public static func mnistFashion(objective: MultimodalObjective = .mopoe, privateDimensions: Int = 0) -> MultimodalConfiguration {
        MultimodalConfiguration(modalities: [.image("mnist", privateDimensions: privateDimensions),
                                             .image("fashion", binarized: false, privateDimensions: privateDimensions)],
                                objective: objective)
    }

    /// Throws for a code size below 1, fewer than two modalities, or a bad or repeated modality.
    public func validate() throws {
        guard alignmentWeight.isFinite, alignmentWeight >= 0 else {
            throw VAEConfigurationError("the alignment weight α must be finite and ≥ 0, not \(alignmentWeight)")
        }
        guard latentDimensions >= 1 else { throw VAEConfigurationError("the code needs at least one dimension, not \(latentDimensions)") }
        guard (1...Self.maximumImportanceSamples).contains(importanceSamples) else {
            throw VAEConfigurationError("the codes per subset and tuple K must be 1 to \(Self.maximumImportanceSamples), not \(importanceSamples)")
        }
        guard (2...4).contains(modalities.count) else {
            throw VAEConfigurationError("a multimodal VAE takes 2 to 4 modalities (every subset is trained), not \(modalities.count)")
        }
        for m in modalities { try m.validate() }
        guard Set(modalities.map(\.name)).count == modalities.count else {
            throw VAEConfigurationError("the modalities' names repeat: \(modalities.map(\.name))")
        }
    }

    /// How it reads in a log line: "mopoe: mnist (image, 16-d private) + label (10 classes, λ 50), 20-d code, K = 4 (DReG)".
    public var summary: String {
        "\(objective.rawValue): " + modalities.map { m in
            let what = m.isImage ? "image" + (m.privateDimensions > 0 ? ", \(m.privateDimensions)-d private" : "")
                                        : "\(m.classCount) classes"
            return "\(m.name) (\(what)\(m.weight == 1 ? "" : String(format: ", λ %g", m.weight)))"
        }.joined(separator: " + ") + ", \(latentDimensions)-d code" + (alignmentWeight > 0 ? String(format: ", alignment α %g", alignmentWeight) : "")
            + (importanceSamples > 1 ? ", K = \(importanceSamples) (\(importanceEstimator.displayName))" : "")
    }
}

/// A multimodal VAE: one code z shared by M modalities, each with an encoder (a Gaussian expert)
/// and a decoder. The posterior given any subset S of observed modalities is the product of the
/// prior and S's experts (`productOfExperts`), so a missing modality is simply left out.
///
/// An image modality may also have a private code w_m (`ModalityConfiguration.privateDimensions`)
/// beside the shared z, with its own prior N(0, I) and posterior q_m(w_m|x_m) from the same encoder.
/// Its decoder reads (z, w_m). Given a subset S, the whole code u = (z, w_1, …, w_M) has the
/// posterior
///
///     q_S(u | x_S) = q_S(z | x_S) · Π_{m∈S} q_m(w_m | x_m) · Π_{m∉S} N(w_m; 0, I):
///
/// what S observes of a modality's private code comes from its encoder; what S does not observe
/// stays at the prior, in training as in generation. So a cross term "draw x_m from x_S" (m ∉ S)
/// sees a random style, and the class must come through z; a modality generated from another is
/// decoded from the shared code inferred from S and a private code drawn from N(0, I). This is
/// the shared/private split of MMVAE+ (Palumbo, Daunhawer & Vogt 2023), here with products of
/// experts and the prior itself in the place of its auxiliary prior. The KL of an unobserved
/// private code is exactly 0 and it carries no parameters, so KL(q_S(u) ‖ N(0, I)) sums the
/// shared code's KL and the observed private codes'.
public final class MultimodalVAE {
    public let configuration: MultimodalConfiguration
    public let modalities: [Modality]
    /// The non-empty subsets of the modalities, each alone first, all of them last:
    /// [[0], [1], [0, 1]] for two.
    public let subsets: [[Int]]
    /// The width of the whole code u = (z, w_1, …, w_M): D + Σ_m P_m.
    let codeWidth: Int
    /// Where modality m's private code w_m lies in the whole code (empty for none).
    let privateColumns: [Range<Int>]

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
        var start = d
        privateColumns = configuration.modalities.map { m in
            defer { start += m.privateDimensions }
            return start ..< start + m.privateDimensions
        }
        codeWidth = start
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
    var subsetWeight: Double { configuration.objective == .mvae ? 1 : 1 / Double(subsets.count) }

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

    // MARK: The code's layout

    /// An encoder's Gaussian (B, D + P_m) split into its expert on the shared code (B, D) and its
    /// posterior on the private code (B, P_m; nil without one).
    func split(_ encoded: DiagonalGaussian, of m: Int) -> (shared: DiagonalGaussian, private: DiagonalGaussian?) {
        if privateColumns[m].isEmpty { return (encoded, nil) }                      // the whole Gaussian is the expert
        let d = configuration.latentDimensions
        return (encoded.columns(0..<d), encoded.columns(d ..< d + privateColumns[m].count))
    }

    /// A posterior over the whole code (B, codeWidth): the product of the prior and `experts` on
    /// the shared code, and each modality's private code from `privates[m]`, or from the prior
    /// N(0, I) where that is nil. Returns the product too (its backward pass needs it).
    func codePosterior(experts: [DiagonalGaussian], privates: [DiagonalGaussian?]) throws
        -> (product: ExpertProduct, code: DiagonalGaussian) {
        let product = try productOfExperts(experts)
        var parts = [product.gaussian]
        for m in modalities.indices where !privateColumns[m].isEmpty {
            parts.append(privates[m] ?? .standardNormal(count: product.gaussian.count, dimensions: privateColumns[m].count))
        }
        return (product, .concatenatingColumns(parts))
    }

    /// The columns of whole codes u (N, codeWidth) that modality m's decoder reads: (z, w_m),
    /// (N, D + P_m).
    func decoderInput(_ m: Int, code u: Tensor) -> Tensor {
        if codeWidth == configuration.latentDimensions { return u }              // no private codes at all
        let shared = u.columns(0..<configuration.latentDimensions)
        return privateColumns[m].isEmpty ? shared : Tensor.concatenateColumns(shared, u.columns(privateColumns[m]))
    }

    /// `decoderInput`'s backward pass: adds the gradient with respect to m's decoder input
    /// (N, D + P_m) into the gradient with respect to the whole code (N, codeWidth).
    func addDecoderInputGradient(_ gradient: Tensor, of m: Int, into whole: inout Tensor) {
        let d = configuration.latentDimensions
        if codeWidth == d { whole += gradient; return }
        whole.addColumns(gradient.columns(0..<d), at: 0)
        if !privateColumns[m].isEmpty { whole.addColumns(gradient.columns(d ..< gradient.shape[1]), at: privateColumns[m].lowerBound) }
    }

    // MARK: Training

    /// One training step of the objective on a batch, for both of its forms (each subset's ELBO,
    /// or with K = `configuration.importanceSamples` ≥ 2 each subset's K-sample bound):
    /// **accumulates** the gradient of the batch-mean loss into every parameter, and returns the
    /// terms in nats per sample. The stages are the VAE's (`VAE.trainingStep`), per subset S:
    ///
    ///     1. encode       each encoder once: its expert e_m on the shared code, its private posterior
    ///     2. posterior    q_S(u) over the whole code: the product of the prior and S's experts
    ///                     (`productOfExperts`) on the shared code, the private code of each modality
    ///                     in S from its encoder, the others' from the prior; its KL from N(0, I);
    ///                     K codes per tuple u = μ_S + σ_S ⊙ ε (`subsetCodes`)
    ///     3. decode       each decoder once, on the codes of every subset that targets it, stacked
    ///                     into one batch (so BatchNorm's batch statistics see the same mixture of
    ///                     codes as its running ones)
    ///     4. likelihood   each block's reconstruction, a mean over its rows (and with K ≥ 2 each
    ///                     row's log-likelihood, for the log-weights)
    ///     5. objective    the subsets' ELBOs weighted by w_S·λ_m and β, or their bounds
    ///                     (`boundWeights`), plus JMVAE's alignment term; each row's weight
    ///                     (1, or the bound's w̃ of its code)
    ///     3′. decode      each decoder's backward pass from its weighted rows, split back per subset
    ///     2′. posterior   per subset ∂L/∂(μ_S, log σ²_S) through the reparameterisation with the
    ///                     KL's own gradients (`VAE.latentGradient`; the bound's in `boundUpstream`);
    ///                     the shared code's part through the product's backward pass
    ///                     (`productOfExpertsBackward`) to the experts, an observed private code's
    ///                     straight to its encoder (an unobserved one is the fixed prior)
    ///     1′. encode      each encoder backward once, the subsets' parts added in order
    ///
    /// `inputs` are what the encoders see, `targets` what the decoders are scored against (the
    /// same, but binarized afresh for a binarized image modality). `beta` weights the KL terms
    /// (the prior ratio in the bound's log-weights). `noise`, when given, is each subset's ε
    /// (K·B, codeWidth), in `subsets`' order, instead of draws from `random` (the PyTorch
    /// fixtures pass theirs). The bound's maths, and why it matters for cross-generation, is in
    /// `MultimodalVAE+ImportanceWeighted.swift`.
    public func accumulateGradients(inputs: [Tensor], targets: [Tensor], beta: Double = 1, noise: [Tensor]? = nil,
                                    using random: inout RandomSource) throws -> MultimodalTerms {
        let k = configuration.importanceSamples, estimator = configuration.importanceEstimator
        let bound = k > 1                                                            // the K-sample bound, else the ELBO
        let b = try checkBatch(inputs)
        guard try checkBatch(targets) == b else { throw VAEConfigurationError("targets and inputs differ in batch size") }
        let width = codeWidth, rowsPerSubset = k * b
        if let noise {
            guard noise.count == subsets.count, noise.allSatisfy({ $0.shape == [rowsPerSubset, width] }) else {
                throw VAEConfigurationError("noise must be one (\(rowsPerSubset), \(width)) tensor per subset (\(subsets.count)), not \(noise.map(\.shape))")
            }
        }

        // 1. Encode: each encoder once, its expert (B, D) and its private posterior (B, P_m).
        let encoded = try modalities.indices.map { split(try modalities[$0].encode(inputs[$0]), of: $0) }

        // 2. Posterior: each subset's q_S over the whole code, its KL and its K codes per tuple.
        var products: [ExpertProduct] = [], kls: [KLDivergenceResult] = [], draws: [SubsetCodes] = []
        for (s, subset) in subsets.enumerated() {
            let (product, q) = try codePosterior(experts: subset.map { encoded[$0].shared },
                                                 privates: modalities.indices.map { subset.contains($0) ? encoded[$0].private : nil })
            products.append(product)
            kls.append(try klDivergenceStandardNormal(mean: q.mean, logVariance: q.logVariance, reduction: .sumPerSample))
            draws.append(subsetCodes(q, samples: k, noise: noise?[s], using: &random))
        }

        // 3 and 4. Each decoder on the stacked codes of the subsets that target it; each block of
        // K·B rows is one subset's reconstruction, a mean over its rows. The bound adds each row's
        // log-likelihood, weighted by λ_m, into its code's log-weight.
        var logWeights = bound ? draws.map { $0.logPriorRatio.map { beta * $0 } } : []
        var reconstruction = [[Double?]](repeating: [Double?](repeating: nil, count: modalities.count), count: subsets.count)
        var rowsOf: [[Int]] = [], rowGradients: [[Tensor]] = []
        for (m, modality) in modalities.enumerated() {
            let rows = subsets.indices.filter { reconstructed(by: subsets[$0]).contains(m) }
            let z = rows.dropFirst().reduce(decoderInput(m, code: draws[rows[0]].codes)) {
                Tensor.concatenateRows($0, decoderInput(m, code: draws[$1].codes))                 // (R·K·B, D + P_m)
            }
            let output = modality.decode(z)
            let target = k == 1 ? targets[m] : Tensor(shape: [rowsPerSubset] + targets[m].shape.dropFirst(),
                                                      scalars: Array(repeatElement(targets[m].scalars, count: k).joined()))
            var gradients: [Tensor] = []
            for (r, s) in rows.enumerated() {
                let block = output.rowBlock(r, of: rows.count)
                let loss = try modality.reconstructionLoss(output: block, target: target)   // gradient of the mean over K·B rows
                let logLikelihoods = bound ? modality.logLikelihoods(output: block, target: target) : []
                guard loss.value.isFinite, logLikelihoods.allSatisfy(\.isFinite) else {
                    throw TrainingError.nonFiniteLoss(reconstruction: loss.value, kl: kls.map(\.value).reduce(0, +))
                }
                reconstruction[s][m] = loss.value
                let lambda = configuration.modalities[m].weight
                for (row, value) in logLikelihoods.enumerated() { logWeights[s][row] += lambda * value }
                gradients.append(loss.gradient)
            }
            rowsOf.append(rows)
            rowGradients.append(gradients)
        }

        // 5. The objective: the subsets' ELBOs, or their bounds with the normalised weights w̃ of
        // each tuple's K codes (1 for the ELBO's one code), plus the alignment term.
        let w = subsetWeight
        let klValues = kls.map(\.value)
        var objective = 0.0, normalized = [[Double]](repeating: [Double](repeating: 1, count: rowsPerSubset), count: subsets.count)
        if bound {
            (normalized, objective) = boundWeights(logWeights, samples: k)
        } else {
            for (s, subset) in subsets.enumerated() {
                let weighted = reconstructed(by: subset).reduce(0.0) { $0 + configuration.modalities[$1].weight * reconstruction[s][$1]! }
                objective += w * (weighted + beta * klValues[s])
            }
        }
        let dregWeights = bound && estimator == .dreg ? normalized.map { $0.map { (1 - beta) * $0 + beta * $0 * $0 } } : nil

        // 3′. Back through the decoders: each row weighted by w·λ_m·K·w̃ (the blocks are means
        // over K·B rows); for DReG a second pass with c in place of w̃ gives the encoders' path
        // gradient, its parameter gradients put back.
        var du = [Tensor](repeating: Tensor(shape: [rowsPerSubset, width]), count: subsets.count)
        for (m, modality) in modalities.enumerated() {
            let rows = rowsOf[m]
            let scale = w * configuration.modalities[m].weight * Double(k)
            func weighted(_ weights: [[Double]]) -> Tensor {
                let blocks = rows.enumerated().map { r, s in scaledRows(rowGradients[m][r], by: weights[s].map { Float(scale * $0) }) }
                return blocks.dropFirst().reduce(blocks[0]) { Tensor.concatenateRows($0, $1) }
            }
            var dCodes = modality.backwardDecoder(weighted(normalized))                         // (R·K·B, D + P_m)
            if let dregWeights {
                let kept = modality.parameters.map(\.gradient)
                dCodes = modality.backwardDecoder(weighted(dregWeights))
                for (p, g) in zip(modality.parameters, kept) { p.gradient = g }
            }
            for (r, s) in rows.enumerated() { addDecoderInputGradient(dCodes.rowBlock(r, of: rows.count), of: m, into: &du[s]) }
        }

        let alpha = configuration.alignmentWeight
        let (alignment, alignmentGradients) = try alignmentTerm(products)

        // 2′ and 1′. Back through each subset's sampling with its KL, and its product, into the
        // encoders.
        let upstreams = subsets.indices.map { s in
            bound
                ? boundUpstream(du[s], draws[s], weights: dregWeights?[s] ?? normalized[s], samples: k, beta: beta, estimator: estimator)
                : DiagonalGaussian(statistics: VAE.latentGradient(dz: du[s], epsilon: draws[s].epsilon, standardDeviation: draws[s].standardDeviation,
                                                                  kl: kls[s], klWeight: Float(w * beta)))   // (B, 2·codeWidth)
        }
        backwardIntoEncoders(upstreams, alignment: alignmentGradients, products: products, encoded: encoded)

        guard klValues.allSatisfy(\.isFinite), objective.isFinite else {
            throw TrainingError.nonFiniteLoss(reconstruction: bound ? objective : .nan, kl: klValues.reduce(0, +))
        }
        return MultimodalTerms(objective: objective + alpha * alignment, kl: klValues, reconstruction: reconstruction,
                               alignment: alpha > 0 ? alignment : nil)
    }

    /// A subset's K codes per tuple (`subsetCodes`).
    struct SubsetCodes {
        /// u (K·B, codeWidth), row j·B + n for sample j of tuple n.
        let codes: Tensor
        /// ε (K·B, codeWidth) and σ_S (B, codeWidth).
        let epsilon: Tensor, standardDeviation: Tensor
        /// log p(u) − log q_S(u) of each code, −½ Σ_d (u_d² − ε_d² − log σ_d²) (the log 2π
        /// cancel); empty at K = 1.
        let logPriorRatio: [Double]
    }

    /// K codes per tuple from the posterior q (B, codeWidth): u = μ + σ ⊙ ε (the operations of
    /// `VAE.reparameterize`, so at K = 1 its bits), ε drawn from `random` as (K·B, codeWidth)
    /// unless `noise` is given, and for the bound (K ≥ 2) each code's log p(u) − log q(u), in
    /// Double (the ELBO's closed-form KL needs none).
    func subsetCodes(_ q: DiagonalGaussian, samples k: Int, noise: Tensor?, using random: inout RandomSource) -> SubsetCodes {
        let (b, width) = (q.mean.shape[0], q.mean.shape[1])
        let rows = k * b
        let epsilon = noise ?? Tensor.gaussian([rows, width], using: &random)
        let sigma = q.logVariance.map { exp(0.5 * $0) }
        var u = Tensor(shape: [rows, width])
        let weighsCodes = k > 1
        var ratio = [Double](repeating: 0, count: weighsCodes ? rows : 0)
        u.withUnsafeMutableBufferPointer { pu in
            epsilon.withUnsafeBufferPointer { e in
                q.mean.withUnsafeBufferPointer { mu in
                    q.logVariance.withUnsafeBufferPointer { lv in
                        sigma.withUnsafeBufferPointer { sd in
                            for r in 0..<rows {
                                let n = r % b
                                var halfSum = 0.0
                                for c in 0..<width {
                                    let eps = e[r * width + c], i = n * width + c
                                    let value = mu[i] + sd[i] * eps
                                    pu[r * width + c] = value
                                    if weighsCodes {
                                        halfSum += Double(value) * Double(value) - Double(eps) * Double(eps) - Double(lv[i])
                                    }
                                }
                                if weighsCodes { ratio[r] = -0.5 * halfSum }
                            }
                        }
                    }
                }
            }
        }
        return SubsetCodes(codes: u, epsilon: epsilon, standardDeviation: sigma, logPriorRatio: ratio)
    }
}

extension MultimodalVAE {
    /// `matrix` (N, …) with row r multiplied by `factors[r]`.
    func scaledRows(_ matrix: Tensor, by factors: [Float]) -> Tensor {
        var result = matrix
        let width = matrix.count / max(matrix.shape[0], 1)
        precondition(factors.count == matrix.shape[0], "scaledRows: \(factors.count) factors for \(matrix.shape[0]) rows")
        result.withUnsafeMutableBufferPointer { m in
            for r in factors.indices {
                for i in r * width ..< (r + 1) * width { m[i] *= factors[r] }
            }
        }
        return result
    }

    /// JMVAE's alignment term Σ_{S ≠ all} KL(q(z | all) ‖ q_S(z | x_S)) on the shared code, without
    /// α, and its gradient with weight α with respect to each subset's product, sent into both
    /// products of every pair (nil where none; all nil and 0 when α = 0).
    func alignmentTerm(_ products: [ExpertProduct]) throws -> (value: Double, gradients: [DiagonalGaussian?]) {
        let alpha = configuration.alignmentWeight
        var alignment = 0.0
        var alignmentGradients: [DiagonalGaussian?] = Array(repeating: nil, count: subsets.count)
        if alpha > 0 {
            let all = subsets.count - 1
            for s in 0..<all {
                let kl = gaussianKLDivergence(products[all].gaussian, from: products[s].gaussian, weight: alpha)
                guard kl.value.isFinite else { throw TrainingError.nonFiniteLoss(reconstruction: .nan, kl: kl.value) }
                alignment += kl.value
                alignmentGradients[s] = kl.dQ
                if alignmentGradients[all] == nil { alignmentGradients[all] = kl.dP } else { alignmentGradients[all]! += kl.dP }
            }
        }
        return (alignment, alignmentGradients)
    }

    /// The encoders' backward pass from each subset's ∂L/∂(μ_S, log σ²_S) over the whole code
    /// (`upstreams`, (B, codeWidth) each): the shared columns, plus the alignment's gradient,
    /// through the product's backward pass into the subset's experts; an observed private code's
    /// columns straight to its encoder (an unobserved one is the fixed prior). The parts add up
    /// over the subsets, in order, and each encoder runs backward once.
    func backwardIntoEncoders(_ upstreams: [DiagonalGaussian], alignment: [DiagonalGaussian?], products: [ExpertProduct],
                              encoded: [(shared: DiagonalGaussian, private: DiagonalGaussian?)]) {
        func zeros(like g: DiagonalGaussian) -> DiagonalGaussian {
            DiagonalGaussian(mean: Tensor(shape: g.mean.shape), logVariance: Tensor(shape: g.mean.shape))
        }
        let d = configuration.latentDimensions
        var dShared = encoded.map { zeros(like: $0.shared) }
        var dPrivate = encoded.map { $0.private.map(zeros(like:)) }
        for (s, subset) in subsets.enumerated() {
            var shared = upstreams[s].columns(0..<d)
            if let g = alignment[s] { shared += g }
            let gradients = productOfExpertsBackward(products[s], experts: subset.map { encoded[$0].shared }, upstream: shared)
            for (m, g) in zip(subset, gradients) { dShared[m] += g }
            for m in subset where dPrivate[m] != nil { dPrivate[m]! += upstreams[s].columns(privateColumns[m]) }
        }
        for (m, modality) in modalities.enumerated() {
            modality.backwardEncoder(dPrivate[m].map { .concatenatingColumns([dShared[m], $0]) } ?? dShared[m])
        }
    }
}

/// The terms of one batch, in nats per sample, for each subset of `MultimodalVAE.subsets`.
public struct MultimodalTerms: Sendable, Equatable, Codable {
    /// What was minimised (with the λ weights).
    public var objective: Double
    /// KL(q_S ‖ p) per subset, over the whole code (the shared code's and the observed private codes').
    public var kl: [Double]
    /// −log p(x_m|z), z ~ q_S, per subset and modality (nil where S does not target m).
    public var reconstruction: [[Double?]]
    /// Σ_{S ≠ all} KL(q(z | all) ‖ q_S), without α (nil when α = 0).
    public var alignment: Double? = nil

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
