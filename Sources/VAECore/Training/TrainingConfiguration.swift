import Foundation

/// Everything that decides a training run, besides the data: the model's shape, the optimiser's
/// settings and schedules, and the seed. Saved in every checkpoint, so that a run can be resumed
/// (or repeated) exactly.
///
///     var config = TrainingConfiguration(model: .reference, epochs: 10)
///     config.kl = .warmup(beta: 1, epochs: 5)      // β rises from 0 to 1 over 5 epochs
///     try config.validate()
///
/// Defaults follow common practice for an MNIST VAE: Adam at 10⁻³, batches of 128, the true
/// ELBO (β = 1), and a cosine decay of the learning rate to a tenth of it by the last update.
///
/// Why cosine by default: a constant rate leaves Adam's steps as large in the last epoch as in
/// the first, so the final parameters rattle around the optimum at the scale of the gradient
/// noise; decaying the rate over the run settles them and typically gains a little ELBO for free.
/// The floor (a tenth, not zero) keeps the last epochs learning. No warm-up by default: with
/// BatchNorm and Adam's bias correction, 10⁻³ is stable from the first step on this model;
/// `warmupCosine` is there for larger rates.
public struct TrainingConfiguration: Codable, Equatable, Sendable {
    /// The architecture.
    public var model: VAEConfiguration
    /// Passes over the training set.
    public var epochs: Int
    /// Images per update. Each epoch uses ⌊N / B⌋ full batches of a fresh permutation (the
    /// remainder waits for a later epoch): every step then costs the same, and BatchNorm never
    /// sees a tiny last batch.
    public var batchSize: Int
    /// The optimizer's peak learning rate η₀.
    public var learningRate: Double
    /// How the learning rate moves over the run.
    public var schedule: LearningRateScheduleKind
    /// The floor of the cosine as a fraction of η₀: η ends at `minimumLearningRateFactor · η₀`
    /// (and the step schedule's default factor is its square root, so that it ends there too).
    var minimumLearningRateFactor: Double
    /// For `warmupCosine`: epochs over which η climbs linearly from 0 to η₀.
    public var learningRateWarmupEpochs: Double
    /// How the KL term is weighted at each update.
    public var kl: KLSchedule
    /// The seed of every draw: initial weights, batch order, binarization and ε.
    public var seed: UInt64
    /// Train on the first `subset` images only (quick runs); nil for the whole set.
    public var subset: Int?
    /// The history samples one step's losses every `historyInterval` updates.
    public var historyInterval: Int

    // The settings below were added after runs had fingerprints: each is left out of the JSON
    // (and so of the fingerprint) at its default, so that every earlier run keeps its fingerprint.

    /// The optimizer and its settings besides η (default: Adam with PyTorch's settings).
    public var optimizer: OptimizerSettings
    /// For `step`: epochs between two decays of η; nil for a third of the run (rounded up to
    /// whole updates), which gives three levels.
    public var learningRateStepEpochs: Double?
    /// For `step`: the factor γ of each decay; nil for √(`minimumLearningRateFactor`), so that the
    /// default three levels η₀, γη₀, γ²η₀ end at the cosine's floor.
    public var learningRateStepFactor: Double?
    /// Free bits (Kingma et al., 2016): the KL of each latent dimension, averaged over the batch,
    /// counts at least this many nats in the loss (`freeBitsKL`); nil for none.
    public var freeBits: Double?
    /// How a Bernoulli model's grey training images become binary: a fresh draw every time an
    /// image is served (dynamic, the default) or one fixed draw for the whole run (static).
    public var binarization: BinarizationMode
    /// The importance samples k of the training objective (Burda et al. 2016): 1 (the default)
    /// trains on the ELBO, with its closed-form KL (unless the estimator is `dreg`); k > 1 on the
    /// tighter importance-weighted bound L_k, each image's k codes decoded in one batch
    /// (`stepObjective`, `VAE.trainingStep`), which costs about k times the decoder's work per
    /// update. The KL schedule may weight the prior ratio by β (constant or warm-up); the capacity
    /// objective and free bits do not apply.
    public var importanceSamples: Int
    /// The encoder's gradient estimator of the importance-weighted bound: `iwae` (the bound's
    /// own gradient, the default) or `dreg` (doubly reparameterised). `dreg` with k = 1 trains on
    /// the one-sample ELBO with the "sticking the landing" gradient.
    public var importanceEstimator: ImportanceWeightedEstimator

    /// Whether updates train on the importance-weighted bound rather than the ELBO.
    public var usesImportanceWeighting: Bool { importanceSamples != 1 || importanceEstimator != .iwae }

    /// The objective of the training step at the KL schedule's `kl` of this update: the ELBO with
    /// that KL term and the free bits, or the importance-weighted bound with its β.
    func stepObjective(_ kl: KLObjective) -> TrainingObjective {
        guard usesImportanceWeighting else { return .elbo(kl, freeBits: freeBits) }
        guard case .beta(let beta) = kl else {
            preconditionFailure("the importance-weighted objective takes β, not \(kl) (validate() refuses it)")
        }
        return .importanceWeighted(samples: importanceSamples, estimator: importanceEstimator, beta: beta)
    }

    /// The default length of a run: 30 epochs of the reference model (about ten minutes on two
    /// cores) take its test NLL below 90 nats; 10 epochs leave it near 91.6.
    public static let defaultEpochs = 30

    public init(model: VAEConfiguration = .reference, epochs: Int = TrainingConfiguration.defaultEpochs, batchSize: Int = 128,
                learningRate: Double = 1e-3, schedule: LearningRateScheduleKind = .cosine,
                minimumLearningRateFactor: Double = 0.1, learningRateWarmupEpochs: Double = 1,
                kl: KLSchedule = .constant(beta: 1), seed: UInt64 = 1, subset: Int? = nil,
                historyInterval: Int = 10, optimizer: OptimizerSettings = .default) {
        self.model = model
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.schedule = schedule
        self.minimumLearningRateFactor = minimumLearningRateFactor
        self.learningRateWarmupEpochs = learningRateWarmupEpochs
        self.kl = kl
        self.seed = seed
        self.subset = subset
        self.historyInterval = historyInterval
        self.optimizer = optimizer
        binarization = .dynamic
        importanceSamples = 1
        importanceEstimator = .iwae
    }

    private enum CodingKeys: String, CodingKey {
        case model, epochs, batchSize, learningRate, schedule, minimumLearningRateFactor, learningRateWarmupEpochs, kl, seed,
             subset, historyInterval, optimizer, learningRateStepEpochs, learningRateStepFactor, freeBits, binarization,
             importanceSamples, importanceEstimator
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decode(VAEConfiguration.self, forKey: .model)
        epochs = try c.decode(Int.self, forKey: .epochs)
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        learningRate = try c.decode(Double.self, forKey: .learningRate)
        schedule = try c.decode(LearningRateScheduleKind.self, forKey: .schedule)
        minimumLearningRateFactor = try c.decode(Double.self, forKey: .minimumLearningRateFactor)
        learningRateWarmupEpochs = try c.decode(Double.self, forKey: .learningRateWarmupEpochs)
        kl = try c.decode(KLSchedule.self, forKey: .kl)
        seed = try c.decode(UInt64.self, forKey: .seed)
        subset = try c.decodeIfPresent(Int.self, forKey: .subset)
        historyInterval = try c.decode(Int.self, forKey: .historyInterval)
        optimizer = try c.decodeIfPresent(OptimizerSettings.self, forKey: .optimizer) ?? .default
        learningRateStepEpochs = try c.decodeIfPresent(Double.self, forKey: .learningRateStepEpochs)
        learningRateStepFactor = try c.decodeIfPresent(Double.self, forKey: .learningRateStepFactor)
        freeBits = try c.decodeIfPresent(Double.self, forKey: .freeBits)
        binarization = try c.decodeIfPresent(BinarizationMode.self, forKey: .binarization) ?? .dynamic
        importanceSamples = try c.decodeIfPresent(Int.self, forKey: .importanceSamples) ?? 1
        importanceEstimator = try c.decodeIfPresent(ImportanceWeightedEstimator.self, forKey: .importanceEstimator) ?? .iwae
    }

    /// Writes the settings that existed when fingerprints began as they always were, and each
    /// later one only when it differs from its default.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(minimumLearningRateFactor, forKey: .minimumLearningRateFactor)
        try c.encode(learningRateWarmupEpochs, forKey: .learningRateWarmupEpochs)
        try c.encode(kl, forKey: .kl)
        try c.encode(seed, forKey: .seed)
        try c.encodeIfPresent(subset, forKey: .subset)
        try c.encode(historyInterval, forKey: .historyInterval)
        if optimizer != .default { try c.encode(optimizer, forKey: .optimizer) }
        try c.encodeIfPresent(learningRateStepEpochs, forKey: .learningRateStepEpochs)
        try c.encodeIfPresent(learningRateStepFactor, forKey: .learningRateStepFactor)
        try c.encodeIfPresent(freeBits, forKey: .freeBits)
        if binarization != .dynamic { try c.encode(binarization, forKey: .binarization) }
        if importanceSamples != 1 { try c.encode(importanceSamples, forKey: .importanceSamples) }
        if importanceEstimator != .iwae { try c.encode(importanceEstimator, forKey: .importanceEstimator) }
    }

    /// The longest run accepted: far beyond any run of the course (200 epochs), and small enough
    /// that the number of updates and the schedules' arithmetic cannot overflow.
    static let maximumEpochs = 100_000
    /// The largest number of nats a KL setting may name (free bits per dimension, a capacity, β
    /// times a KL): ten thousand, an order of magnitude above the information a 28 × 28 image
    /// holds, so that a typed 1e300 is refused in words instead of printing a 300-digit loss.
    static let maximumNats = 10_000.0

    /// Throws `TrainingConfigurationError` naming the first setting that cannot work.
    public func validate() throws {
        do { try model.validate() } catch {
            throw TrainingConfigurationError("model: \(error)")
        }
        guard epochs >= 1 else { throw TrainingConfigurationError("epochs must be at least 1, not \(epochs)") }
        guard epochs <= Self.maximumEpochs else {
            throw TrainingConfigurationError("\(epochs) epochs is more than the \(Self.maximumEpochs) a run may have")
        }
        guard batchSize >= 1 else { throw TrainingConfigurationError("the batch size must be at least 1, not \(batchSize)") }
        guard learningRate.isFinite, learningRate > 0 else {
            throw TrainingConfigurationError("the learning rate must be a positive number, not \(learningRate)")
        }
        guard Float(learningRate) > 0, Float(learningRate).isFinite else {
            throw TrainingConfigurationError("the learning rate \(learningRate) does not fit a Float")
        }
        guard minimumLearningRateFactor.isFinite, (0...1).contains(minimumLearningRateFactor) else {
            throw TrainingConfigurationError("the minimum learning-rate factor must lie in [0, 1], not \(minimumLearningRateFactor)")
        }
        guard learningRateWarmupEpochs.isFinite, learningRateWarmupEpochs >= 0 else {
            throw TrainingConfigurationError("the learning-rate warm-up must be ≥ 0 epochs, not \(learningRateWarmupEpochs)")
        }
        guard schedule != .warmupCosine || learningRateWarmupEpochs <= Double(epochs) else {
            throw TrainingConfigurationError("a learning-rate warm-up of \(learningRateWarmupEpochs) epochs is longer than the run's \(epochs)")
        }
        if let subset, subset < 1 {
            throw TrainingConfigurationError("the subset must hold at least 1 image, not \(subset)")
        }
        if let subset, subset < batchSize {
            throw TrainingConfigurationError("a subset of \(subset) images cannot fill one batch of \(batchSize)")
        }
        guard historyInterval >= 1 else {
            throw TrainingConfigurationError("the history interval must be at least 1 step, not \(historyInterval)")
        }
        try kl.validate()
        try optimizer.validate()
        if schedule != .step, learningRateStepEpochs != nil || learningRateStepFactor != nil {
            throw TrainingConfigurationError("the learning-rate step length and factor belong to the step schedule, not \(schedule.rawValue)")
        }
        if let learningRateStepEpochs, !(learningRateStepEpochs.isFinite && learningRateStepEpochs > 0) {
            throw TrainingConfigurationError("the learning-rate step must last more than 0 epochs, not \(learningRateStepEpochs)")
        }
        if let learningRateStepEpochs, learningRateStepEpochs > Double(epochs) {
            throw TrainingConfigurationError("a learning-rate step of \(learningRateStepEpochs) epochs is longer than the run's \(epochs): the rate would never change (choose the constant schedule for that)")
        }
        if let learningRateStepFactor, !(learningRateStepFactor > 0 && learningRateStepFactor <= 1) {
            throw TrainingConfigurationError("the learning-rate step factor must lie in (0, 1], not \(learningRateStepFactor)")
        }
        if let freeBits, !(freeBits.isFinite && freeBits > 0) {
            throw TrainingConfigurationError("free bits must be a positive number of nats per latent dimension, not \(freeBits) (leave them unset for none)")
        }
        if let freeBits, freeBits > Self.maximumNats {
            throw TrainingConfigurationError("free bits of \(freeBits) nats per latent dimension exceed the \(Int(Self.maximumNats)) nats that bound any objective term here (a binary 28 × 28 image holds at most 784 · ln 2 ≈ 543 nats)")
        }
        if binarization == .static, !model.likelihood.binarizesData {
            throw TrainingConfigurationError("static binarization needs a Bernoulli likelihood; a \(model.likelihood.summary) model trains on grey pixels")
        }
        try validateImportanceWeighting()
        try validateFlow()
        try validatePrior()
    }

    /// A prior without a closed-form KL (the VampPrior) trains on the ELBO with its one-sample KL̂
    /// weighted by β, or on the importance-weighted bound with the IWAE estimator: nothing that
    /// clamps, steers or replaces the closed form.
    private func validatePrior() throws {
        guard !model.prior.hasClosedFormKL else { return }
        let prior = model.prior.summary
        if case .capacity = kl {
            throw TrainingConfigurationError("a model with \(prior) has no capacity objective γ·|KL − C| (its KL is a one-sample estimate); weight the KL by β (constant or warm-up) instead")
        }
        if freeBits != nil {
            throw TrainingConfigurationError("free bits clamp the closed-form KL from N(0, I) per dimension, which a model with \(prior) does not have; leave them unset")
        }
        if usesImportanceWeighting, importanceEstimator == .dreg {
            throw TrainingConfigurationError("DReG is written for the N(0, I) prior, not \(prior); train it with the IWAE estimator")
        }
    }

    /// A model with an IAF posterior trains on the ELBO with its one-sample KL̂ weighted by β
    /// (the training step's ELBO with the flow as its posterior), or on the importance-weighted
    /// bound with the IWAE estimator: nothing that needs the Gaussian's closed-form KL.
    private func validateFlow() throws {
        guard model.flow != nil else { return }
        if case .capacity = kl {
            throw TrainingConfigurationError("a model with an IAF posterior has no capacity objective γ·|KL − C| (its KL is a one-sample estimate); weight the KL by β (constant or warm-up) instead")
        }
        if freeBits != nil {
            throw TrainingConfigurationError("free bits clamp the Gaussian's closed-form KL per dimension, which a model with an IAF posterior does not have; leave them unset")
        }
        if usesImportanceWeighting, importanceEstimator == .dreg {
            throw TrainingConfigurationError("DReG holds q's parameters fixed inside log q(z|x), which with an IAF posterior needs the flow's inverse (not written); train a flow model with the IWAE estimator")
        }
    }

    /// The importance-weighted objective's settings: k ≥ 1, and with it a model, KL term and k
    /// that it can train.
    private func validateImportanceWeighting() throws {
        guard importanceSamples >= 1 else {
            throw TrainingConfigurationError("the number of importance samples k must be at least 1, not \(importanceSamples) (k = 1 is the ELBO)")
        }
        guard usesImportanceWeighting else { return }
        let objective = "the importance-weighted objective (k = \(importanceSamples), \(importanceEstimator.displayName))"
        guard model.classCount == 0 || importanceEstimator == .iwae else {
            throw TrainingConfigurationError("DReG holds q's parameters fixed inside log q(z|x), and a label's centre is both q's and the decoder's; train a conditional model with the IWAE estimator")
        }
        if case .capacity = kl {
            throw TrainingConfigurationError("\(objective) has no capacity form γ·|KL − C|; weight its prior ratio by β (constant or warm-up) instead")
        }
        if freeBits != nil {
            throw TrainingConfigurationError("free bits clamp the ELBO's KL term, which \(objective) does not have; leave them unset")
        }
        if let refusal = try ImportanceWeightedMemory.refusal(samples: importanceSamples, batchSize: batchSize, model: model) {
            throw TrainingConfigurationError(refusal)
        }
    }

    /// Whether the batches are binarized afresh each time (a Bernoulli model, dynamic binarization).
    var binarizesEachBatch: Bool { model.likelihood.binarizesData && binarization == .dynamic }

    /// The learning-rate schedule of a run of `stepsPerEpoch` updates per epoch, as a pure
    /// function of the update number (so resuming needs only the step count): the first update
    /// (after any warm-up) uses η₀, the last `minimumLearningRateFactor · η₀`.
    func learningRateSchedule(stepsPerEpoch: Int) throws -> any LearningRateSchedule {
        // Updates are numbered 0 ..< total; the cosine reaches its floor at the last one.
        let (product, overflow) = epochs.multipliedReportingOverflow(by: stepsPerEpoch)
        guard !overflow else {
            throw TrainingConfigurationError("\(epochs) epochs of \(stepsPerEpoch) updates are more updates than can be counted")
        }
        let total = max(1, product)
        let rate = Float(learningRate)
        let minimum = Float(learningRate * minimumLearningRateFactor)
        switch schedule {
        case .constant:
            return try ConstantLearningRate(rate)
        case .cosine:
            return try CosineAnnealing(initial: rate, minimum: minimum, steps: max(1, total - 1))
        case .step:
            let size = learningRateStepEpochs.map { max(1, Int(($0 * Double(stepsPerEpoch)).rounded())) }
                ?? (total + 2) / 3                       // ⌈total / 3⌉: three levels over the run
            return try StepDecay(initial: rate, stepSize: size,
                                 gamma: learningRateStepFactor ?? minimumLearningRateFactor.squareRoot())
        case .warmupCosine:
            let warmup = min(total - 1, Int((learningRateWarmupEpochs * Double(stepsPerEpoch)).rounded()))
            return try LinearWarmup(steps: warmup, startFactor: 0,
                                    then: try CosineAnnealing(initial: rate, minimum: minimum, steps: max(1, total - warmup - 1)))
        }
    }
}

/// The shape of the learning rate over a run.
public enum LearningRateScheduleKind: String, Codable, Sendable, CaseIterable {
    /// η₀ at every update.
    case constant
    /// Half a cosine from η₀ down to the minimum at the last update.
    case cosine
    /// η₀ multiplied by γ every few epochs (`learningRateStepEpochs`, `learningRateStepFactor`):
    /// by default η₀, γη₀, γ²η₀ over three thirds of the run, ending at the cosine's floor.
    case step
    /// A linear climb from 0 to η₀, then the cosine over the remaining updates.
    case warmupCosine = "warmup-cosine"
}

/// How a Bernoulli model's grey training images become the binary images it is trained on.
public enum BinarizationMode: String, Codable, Sendable, CaseIterable {
    /// A fresh Bernoulli draw of every pixel each time an image is served: each epoch sees other
    /// binary images of the same digits (data augmentation, the course's default).
    case dynamic
    /// One fixed draw of the whole training set, made once from the run's seed: the model sees
    /// the same binary images every epoch, and can learn their noise (the classic fixed
    /// "binarized MNIST" of the papers is such a draw).
    case `static`
}

/// A training setting that cannot work.
public struct TrainingConfigurationError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
