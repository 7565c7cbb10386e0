import Foundation
import VAECore

/// How unusual an image is for a model: a score per image, higher meaning less like the training
/// data. The explorer says whether a drawn digit looks out of distribution by comparing its
/// score with the scores of the test set.
///
/// This is the hook for the anomaly chapter's score: give `ExplorerSession` another
/// `UnusualnessScore` and the page shows it in place of the default below.
public protocol UnusualnessScore: Sendable {
    /// The score's name on the page ("−ELBO").
    var name: String { get }
    /// One sentence for the page: what the score is.
    var explanation: String { get }
    /// The score of each image (N, 1, 28, 28) (pixels as the model's likelihood scores them),
    /// with one label per image for a conditional model. The model is in evaluation mode.
    func scores(model: VAE, images: Tensor, labels: [Int]?) throws -> [Double]
}

/// The default score: the negative ELBO, −log p(x|z) + KL(q(z|x) ‖ p(z)) in nats, an upper
/// bound on −log p(x) (how many nats the model needs to describe the image). One z per image,
/// drawn from a fixed seed, as `evaluateELBO` computes it: the same estimator for the test set
/// and for a drawn digit, so that the threshold's false-alarm rate holds for both.
public struct NegativeELBOScore: UnusualnessScore {
    public let seed: UInt64
    public init(seed: UInt64 = 1) { self.seed = seed }
    public var name: String { "−ELBO" }
    public var explanation: String {
        "the negative ELBO in nats, reconstruction + KL: an upper bound on −log p(x), high when the model describes the image badly"
    }
    public func scores(model: VAE, images: Tensor, labels: [Int]?) throws -> [Double] {
        try evaluateELBO(model: model, images: images, labels: labels, batchSize: 500, seed: seed).perImage.map { -$0 }
    }
}

/// The test set's distribution of a score, and the threshold above which an image is called
/// out of distribution: the `quantile` of the test scores (0.99: one test digit in a hundred is
/// flagged, a false-alarm rate fixed by construction, whatever the model).
public struct UnusualnessReference: Sendable {
    /// The test scores, ascending.
    public let sorted: [Double]
    public let quantile: Double
    public let threshold: Double

    public init(scores: [Double], quantile: Double = 0.99) throws {
        guard !scores.isEmpty, scores.allSatisfy(\.isFinite) else {
            throw EvaluationError("the test set's scores are empty or not finite: the model is broken")
        }
        sorted = scores.sorted()
        self.quantile = quantile
        threshold = sorted[min(sorted.count - 1, Int((Double(sorted.count) * quantile).rounded(.down)))]
    }

    /// The share of test images whose score is below `score` (0…1).
    public func percentile(of score: Double) -> Double {
        var low = 0, high = sorted.count                                  // first index with sorted[i] >= score
        while low < high { let mid = (low + high) / 2; if sorted[mid] < score { low = mid + 1 } else { high = mid } }
        return Double(low) / Double(sorted.count)
    }

    /// The value below which a share `q` of the test scores lie.
    public func value(at q: Double) -> Double { sorted[min(sorted.count - 1, max(0, Int(Double(sorted.count) * q)))] }
}
