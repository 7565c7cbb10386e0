import Foundation

// Judging generated digits with the course's classifier, in one place for `vae samples` and
// the chapters: the real images' reference (feature statistics, Inception Score, accuracy), then
// the samples' Inception Score, Fréchet distance to the reference and, for a conditional model,
// how often the judge sees the digit that was asked for.

/// What the judge makes of real images: the reference that generated ones are compared with.
public struct JudgeReference: Sendable {
    /// How many real images.
    public let count: Int
    /// The mean and covariance of their hidden features, for the Fréchet distance.
    public let statistics: FeatureStatistics
    /// Their Inception Score: the best a generator can hope for on these splits.
    public let inceptionScore: SplitScore
    /// The judge's accuracy on them.
    public let accuracy: Double
}

/// How often the judge sees the requested label, overall and per requested label.
public struct LabelAccuracy: Sendable, Equatable {
    /// The share of all samples judged as the label they were generated for.
    public var overall: Double
    /// `perClass[c]`: the share of the samples asked to be c that were judged c (nil when no
    /// sample asked for c).
    public var perClass: [Double?]
    /// `confusion[requested][judged]`: how many samples asked to be `requested` the judge
    /// classified as `judged`.
    public var confusion: [[Int]]
}

/// The judge's verdict on generated images.
public struct SampleJudgement: Sendable {
    /// How many samples.
    public let count: Int
    /// Their Inception Score, mean ± sd over the splits.
    public let inceptionScore: SplitScore
    /// The Fréchet distance between their features and the reference's. On the classifier's
    /// own features: not comparable with the literature's Inception FID.
    public let frechetDistance: Double
    /// The judge's most probable class for each sample.
    public let predictions: [Int]
    /// For samples generated under labels: how often each was judged as its label.
    public let accuracy: LabelAccuracy?
}

extension DigitClassifier {
    /// The reference of real `images` (N, 1, 28, 28) with their `labels`.
    /// - Throws: `SampleQualityError` or `DigitClassifierError` for malformed input, fewer than
    ///   2 images, or `splits` outside 1...N.
    public func reference(images: Tensor, labels: [Int], splits: Int = 10) throws -> JudgeReference {
        let real = try evaluate(images)
        return JudgeReference(count: images.shape[0],
                              statistics: try FeatureStatistics(features: real.features),
                              inceptionScore: try inceptionScore(probabilities: real.probabilities, splits: splits),
                              accuracy: try conditionalAccuracy(probabilities: real.probabilities, labels: labels))
    }

    /// Judges generated `samples` (N, 1, 28, 28) against `reference`; `labels`, when given,
    /// are the labels the samples were generated under (one per sample, in 0..<K).
    /// Order the samples so that each of the `splits` consecutive parts is representative
    /// (`VAE.interleavedLabels`).
    /// - Throws: `SampleQualityError` or `DigitClassifierError` for malformed input, fewer than
    ///   2 samples, `splits` outside 1...N, or labels that do not fit.
    public func judge(samples: Tensor, labels: [Int]?, against reference: JudgeReference,
                      splits: Int = 10) throws -> SampleJudgement {
        let generated = try evaluate(samples)
        let score = try inceptionScore(probabilities: generated.probabilities, splits: splits)
        let distance = try frechetDistance(FeatureStatistics(features: generated.features), reference.statistics)
        let predictions = argmaxRows(generated.probabilities)
        var accuracy: LabelAccuracy? = nil
        if let labels {
            let k = generated.probabilities.shape[1]
            let (overall, perClass) = try perClassAccuracy(probabilities: generated.probabilities, labels: labels)
            var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
            for (label, predicted) in zip(labels, predictions) { confusion[label][predicted] += 1 }
            accuracy = LabelAccuracy(overall: overall, perClass: perClass, confusion: confusion)
        }
        return SampleJudgement(count: samples.shape[0], inceptionScore: score, frechetDistance: distance,
                               predictions: predictions, accuracy: accuracy)
    }
}
