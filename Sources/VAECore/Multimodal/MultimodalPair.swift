import Foundation

/// The two experiments of chapter 11, in one place for the chapter and `vae train --pair`, so
/// that a run trained by either is the run the other asks for: the model, its default objective
/// and epochs, and how the training tuples are paired.
public enum MultimodalPair: String, CaseIterable, Codable, Sendable {
    /// An MNIST digit and its label (MVAE's experiment).
    case imageLabel = "image-label"
    /// An MNIST digit and a Fashion-MNIST item of the same class index.
    case mnistFashion = "mnist-fashion"

    /// The objective each experiment trains by default: MoPoE for both. MVAE's sub-sampled ELBO
    /// never asks a code inferred from one modality to explain the other, and on these pairs its
    /// single-modality codes do not land where the other decoder reads the class (chapter 11
    /// argues it; its `--objective mvae` and `--fashion-objective mvae` measure it).
    public var defaultObjective: MultimodalObjective { .mopoe }

    /// Epochs of the chapter's full run.
    public var defaultEpochs: Int {
        switch self {
        case .imageLabel: 12
        case .mnistFashion: 10
        }
    }

    /// Random digit ↔ item pairings of the training set (one per epoch, in turn); 1 for labels.
    public var defaultPairings: Int { self == .imageLabel ? 1 : 5 }

    /// The size of each image's private code by default: none. Chapter 11's `--private P` trains
    /// private codes beside the shared one (MMVAE+'s split), alone or with the K-sample bound
    /// (`--bound-samples`); its experiments 5 and 7 measure what they buy in coherence and in
    /// within-class diversity, and at what cost in time and in image → label coherence. The
    /// chapter's figures come from the single shared code.
    public var defaultPrivateDimensions: Int { 0 }

    /// JMVAE's alignment weight α by default (`MultimodalConfiguration.alignmentWeight`).
    public var defaultAlignmentWeight: Double { 0 }

    /// K, the codes per subset and tuple of the training bound, by default
    /// (`MultimodalConfiguration.importanceSamples`; 1: the ELBO).
    public var defaultImportanceSamples: Int { 1 }

    /// The model: a 20-dimensional shared code; each image with a private code of
    /// `privateDimensions` (default `defaultPrivateDimensions`); the label weighted by λ (default
    /// 50); the alignment term weighted by α (default `defaultAlignmentWeight`); K codes per
    /// subset and tuple in training (default `defaultImportanceSamples`), the K-sample bound's
    /// encoder gradient by `importanceEstimator` (default DReG).
    public func model(objective: MultimodalObjective? = nil, labelWeight: Double? = nil,
                      privateDimensions: Int? = nil, alignmentWeight: Double? = nil, importanceSamples: Int? = nil,
                      importanceEstimator: ImportanceWeightedEstimator? = nil) throws -> MultimodalConfiguration {
        let p = privateDimensions ?? defaultPrivateDimensions
        var model: MultimodalConfiguration
        switch self {
        case .imageLabel:
            model = .imageLabel(objective: objective ?? defaultObjective, labelWeight: labelWeight ?? 50, privateDimensions: p)
        case .mnistFashion:
            guard labelWeight == nil else { throw VAEConfigurationError("a label weight is a setting of the image-label pair, not of mnist-fashion") }
            model = .mnistFashion(objective: objective ?? defaultObjective, privateDimensions: p)
        }
        model.alignmentWeight = alignmentWeight ?? defaultAlignmentWeight
        model.importanceSamples = importanceSamples ?? defaultImportanceSamples
        model.importanceEstimator = importanceEstimator ?? .dreg
        return model
    }

    /// The run's settings: `model`, `epochs` (default `defaultEpochs`), `pairings` (default
    /// `defaultPairings`), the seed.
    public func training(_ model: MultimodalConfiguration, epochs: Int? = nil, pairings: Int? = nil,
                         seed: UInt64 = 1) throws -> MultimodalTrainingConfiguration {
        let count = pairings ?? defaultPairings
        guard self == .mnistFashion || count == 1 else { throw VAEConfigurationError("a digit has one label: image-label takes no pairings") }
        let configuration = MultimodalTrainingConfiguration(model: model, epochs: epochs ?? defaultEpochs, pairings: count, seed: seed)
        try configuration.validate()
        return configuration
    }

    /// The training tuples of `configuration` from the training sets (`fashion` for mnist-fashion):
    /// the pairings are drawn from the run's seed.
    public func trainingData(_ configuration: MultimodalTrainingConfiguration, mnist: MNIST, fashion: MNIST?) throws -> MultimodalDataset {
        try data(configuration.model, mnist: mnist, fashion: fashion, pairings: configuration.pairings, seed: configuration.seed &+ 5)
    }

    /// The test tuples: the digits binarized once (`EvaluationDefaults.binarizationSeed`), each with
    /// its label or with one test item of its class (a fixed pairing).
    public func testData(_ model: MultimodalConfiguration, mnist: MNIST, fashion: MNIST?) throws -> MultimodalDataset {
        try data(model, mnist: mnist.binarized(seed: EvaluationDefaults.binarizationSeed), fashion: fashion, pairings: 1,
                 seed: EvaluationDefaults.binarizationSeed &+ 1)
    }

    private func data(_ model: MultimodalConfiguration, mnist: MNIST, fashion: MNIST?, pairings: Int, seed: UInt64) throws -> MultimodalDataset {
        switch self {
        case .imageLabel:
            return try .imageLabel(model, mnist: mnist)
        case .mnistFashion:
            guard let fashion else { throw VAEConfigurationError("the mnist-fashion pair needs Fashion-MNIST") }
            return try .mnistFashion(model, mnist: mnist, fashion: fashion, pairings: pairings, seed: seed)
        }
    }
}
