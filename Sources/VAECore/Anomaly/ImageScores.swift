import Foundation

/// What one model says about each image of one set: the raw material of every anomaly score.
///
/// Each list holds one value per image, in the set's order. The ELBO's terms share one z per
/// image; the importance-weighted NLL uses its own k draws. Codable, so that a run's
/// `RunMeasurements` can keep the scores it measured once.
public struct ImageScores: Codable, Sendable, Equatable {
    /// −ELBO(x) = −log p(x|z) + KL(q(z|x) ‖ p(z)), nats, one z ~ q(z|x).
    public var negativeELBO: [Double]
    /// −log p(x|z) of that z, nats.
    public var reconstruction: [Double]
    /// KL(q(z|x) ‖ N(0, I)), nats, in closed form.
    public var kl: [Double]
    /// k, the importance samples of `negativeLogLikelihood`; 0 when it was not computed.
    public var importanceSamples: Int
    /// −log p̂_k(x), nats (`evaluateImportanceWeighted`); empty when k = 0.
    public var negativeLogLikelihood: [Double]
    /// d²(μ(x)) under the Gaussian of the training codes; empty without one.
    public var mahalanobis: [Double]
    /// L(x), the bits of the image's raw deflate stream (`InputComplexity`).
    var compressedBits: [Double]

    /// The number of images.
    public var count: Int { negativeELBO.count }

    /// The model's best estimate of −log p(x): the importance-weighted one when it was computed,
    /// the −ELBO (an upper bound, the bits-back code length) otherwise.
    public var bestNegativeLogLikelihood: [Double] { importanceSamples > 0 ? negativeLogLikelihood : negativeELBO }

    /// The scores of the images at `indices`, in that order (the held-out digit of a test set,
    /// say, or the rest of it).
    /// - Precondition: every index lies in 0..<count.
    public func subset(_ indices: [Int]) -> ImageScores {
        func pick(_ values: [Double]) -> [Double] { values.isEmpty ? [] : indices.map { values[$0] } }
        return ImageScores(negativeELBO: pick(negativeELBO), reconstruction: pick(reconstruction), kl: pick(kl),
                           importanceSamples: importanceSamples, negativeLogLikelihood: pick(negativeLogLikelihood),
                           mahalanobis: pick(mahalanobis), compressedBits: pick(compressedBits))
    }
}

/// How `scoreImages` measures: the importance samples, the seed of its draws, the Gaussian of
/// the training codes.
public struct ScoringSettings: Sendable {
    /// k for the importance-weighted NLL; 0 skips it (the −ELBO then stands in for the NLL).
    public var importanceSamples: Int
    /// The ELBO's z are drawn from `RandomSource(seed: seed)`, the importance samples from seed + 1.
    public var seed: UInt64
    /// The Gaussian of the training codes for the Mahalanobis score; nil skips it.
    public var codeGaussian: MahalanobisDistance?

    public init(importanceSamples: Int, seed: UInt64, codeGaussian: MahalanobisDistance? = nil) {
        self.importanceSamples = importanceSamples
        self.seed = seed
        self.codeGaussian = codeGaussian
    }
}

/// Every per-image quantity of `ImageScores` for `images` (N, 1, 28, 28), which should be what the
/// model's likelihood scores (binary images for a Bernoulli: binarize once with
/// `Likelihood.evaluationSet`). The model runs in evaluation mode, restored afterwards.
///
/// - Throws: `AnomalyError` for a conditional model (an anomaly has no label to condition on), a
///   negative k, a code Gaussian of another dimension, or a score that is not finite (broken
///   weights); `EvaluationError` for bad images.
/// - Complexity: two encoder passes and one decoder pass per image, plus k decoder passes per
///   image for the NLL, and one deflate per image.
public func scoreImages(model: VAE, images: Tensor, settings: ScoringSettings,
                        progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> ImageScores {
    guard model.configuration.classCount == 0 else {
        throw AnomalyError("a conditional VAE (\(model.configuration.classCount) classes) needs a label for every image; "
                           + "anomaly scores are defined here for plain VAEs")
    }
    guard settings.importanceSamples >= 0 else {
        throw AnomalyError("the number of importance samples must be 0 (none) or more, not \(settings.importanceSamples)")
    }
    if let gaussian = settings.codeGaussian, gaussian.dimension != model.configuration.latentDimensions {
        throw AnomalyError("the code Gaussian has \(gaussian.dimension) dimensions, the model's code \(model.configuration.latentDimensions)")
    }
    if settings.importanceSamples > 0 {   // a k too large is refused before the first pass, not after it
        _ = try ImportanceWeightedMemory.evaluationChunk(model: model.configuration, samples: settings.importanceSamples,
                                                         batchSize: min(100, max(1, images.shape.first ?? 1)),
                                                         chunkSize: ImportanceWeightedDefaults.chunkSize)
    }
    let elbo = try evaluateELBO(model: model, images: images, batchSize: 500, seed: settings.seed)
    var nll: [Double] = []
    if settings.importanceSamples > 0 {
        nll = try evaluateImportanceWeighted(model: model, images: images, samples: settings.importanceSamples,
                                             seed: settings.seed &+ 1, progress: progress).logLikelihoods.map { -$0 }
    }
    var mahalanobis: [Double] = []
    if let gaussian = settings.codeGaussian {
        mahalanobis = try gaussian.squaredDistances(try encodePosteriors(model: model, images: images).mean)
    }
    // A score that is not a number ranks nothing: weights that overflow (a damaged checkpoint)
    // are refused here, not written into a table.
    for (name, values) in [("−ELBO", elbo.perImage), ("reconstruction", elbo.perImageReconstruction), ("KL", elbo.perImageKL),
                           ("importance-weighted NLL", nll), ("Mahalanobis distance", mahalanobis)] {
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw AnomalyError("the model gives image \(i) a \(name) of \(values[i]), not a finite number: its weights are broken")
        }
    }
    return ImageScores(negativeELBO: elbo.perImage.map { -$0 }, reconstruction: elbo.perImageReconstruction,
                       kl: elbo.perImageKL, importanceSamples: settings.importanceSamples, negativeLogLikelihood: nll,
                       mahalanobis: mahalanobis, compressedBits: try InputComplexity.bits(of: images))
}

/// The named anomaly scores, each a function of a model's `ImageScores` (and, for the likelihood
/// ratio, a background model's on the same images). Higher means more anomalous, for every one.
public enum AnomalyScore: String, CaseIterable, Codable, Sendable {
    /// −ELBO(x): the model's bound on the code length of x, in nats.
    case negativeELBO = "neg-elbo"
    /// −log p̂_k(x), importance-weighted: the tighter estimate of the same.
    case negativeLogLikelihood = "iw-nll"
    /// −log p(x|z) alone: how badly the image is redrawn from its own code.
    case reconstruction
    /// KL(q(z|x) ‖ p(z)) alone: how much information the code carries, how far q is from the prior.
    case kl
    /// d²(μ(x)) under the Gaussian of the training codes: where the code lands.
    case mahalanobis
    /// −log p(x) + log p_background(x) (Ren et al. 2019): the likelihood beyond what a model of
    /// corrupted images already explains.
    case likelihoodRatio = "likelihood-ratio"
    /// S(x) = −log₂ p(x) − L(x) (Serrà et al. 2020): the code length beyond deflate's, in bits.
    case complexity

    /// The score of each image, or nil when its ingredients were not measured (no NLL, no code
    /// Gaussian, no background model).
    /// - Throws: `AnomalyError` when a background's scores are for another number of images.
    public func values(_ scores: ImageScores, background: ImageScores? = nil) throws -> [Double]? {
        switch self {
        case .negativeELBO: return scores.negativeELBO
        case .negativeLogLikelihood: return scores.importanceSamples > 0 ? scores.negativeLogLikelihood : nil
        case .reconstruction: return scores.reconstruction
        case .kl: return scores.kl
        case .mahalanobis: return scores.mahalanobis.isEmpty ? nil : scores.mahalanobis
        case .likelihoodRatio:
            guard let background else { return nil }
            guard background.count == scores.count else {
                throw AnomalyError("the background model scored \(background.count) images, the model \(scores.count)")
            }
            return zip(scores.bestNegativeLogLikelihood, background.bestNegativeLogLikelihood).map { $0 - $1 }
        case .complexity:
            return try InputComplexity.scores(negativeLogLikelihood: scores.bestNegativeLogLikelihood,
                                              compressedBits: scores.compressedBits)
        }
    }
}
