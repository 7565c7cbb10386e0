import Foundation

/// Fixed choices of the evaluation, so that numbers from different runs and chapters compare.
public enum EvaluationDefaults {
    /// The seed of the one fixed binarization of the test images: `MNIST.binarized(seed:)`.
    /// Every reported test number (ELBO, NLL) is on this draw.
    public static let binarizationSeed: UInt64 = 2016
    /// k, the number of importance samples of the headline log-likelihood (Burda et al. 2016).
    public static let importanceSamples = 5000
    /// A latent unit is active when the variance over the data of its posterior mean exceeds
    /// this (Burda et al. 2016, section 5.2).
    public static let activeUnitThreshold = 0.01
}

/// Evaluation arguments that cannot work.
public struct EvaluationError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A mean over images and its standard error, s/√N with s the sample standard deviation
/// (÷ (N − 1)): the spread of the mean over draws of the test set, not of the images.
public struct MeanEstimate: Sendable, Equatable, Codable {
    public var mean: Double
    public var standardError: Double
    public var count: Int

    /// The mean and standard error of `values`, in Double, two passes. One value has an
    /// undefined spread: its standard error is reported as NaN.
    public init(_ values: [Double]) {
        count = values.count
        guard !values.isEmpty else { mean = .nan; standardError = .nan; return }
        let m = values.reduce(0, +) / Double(values.count)
        var squares = 0.0
        for v in values { squares += (v - m) * (v - m) }
        mean = m
        standardError = values.count > 1 ? (squares / Double(values.count - 1) / Double(values.count)).squareRoot() : .nan
    }
}

/// Checks a data set and its labels for a model, and returns the number of images to use.
func checkEvaluationInputs(model: VAE, images: Tensor, labels: [Int]?, batchSize: Int, limit: Int? = nil) throws -> Int {
    guard images.rank == 4, images.shape[1] == 1, images.shape[2] == VAEConfiguration.imageSide,
          images.shape[3] == VAEConfiguration.imageSide else {
        throw EvaluationError("images must be (N, 1, 28, 28), not \(images.shape)")
    }
    guard images.shape[0] > 0 else { throw EvaluationError("there are no images to evaluate") }
    guard batchSize >= 1 else { throw EvaluationError("the batch size must be at least 1, not \(batchSize)") }
    if let limit, limit < 1 { throw EvaluationError("the image limit must be at least 1, not \(limit)") }
    if let labels, labels.count != images.shape[0] {
        throw EvaluationError("\(images.shape[0]) images but \(labels.count) labels")
    }
    if model.configuration.classCount > 0 && labels == nil {
        throw EvaluationError("a conditional VAE (\(model.configuration.classCount) classes) needs the labels")
    }
    guard images.scalars.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
        throw EvaluationError("pixels must lie in [0, 1] (binarize the test set with MNIST.binarized(seed:))")
    }
    return min(images.shape[0], limit ?? .max)
}

/// Runs `body` with the model in evaluation mode (BatchNorm uses its running statistics and
/// leaves them alone), then restores the mode it had.
func inEvaluationMode<R>(_ model: VAE, _ body: () throws -> R) rethrows -> R {
    let wasTraining = model.isTraining
    model.isTraining = false
    defer { model.isTraining = wasTraining }
    return try StageClock.measure(.evaluation, body)
}
