import Foundation

/// The posteriors q(z|x) = N(μ, diag exp(log σ²)) of `images` (N, 1, 28, 28), encoded in
/// batches in evaluation mode (the mode is restored afterwards): μ and log σ², (N, D) each.
/// - Parameters:
///   - labels: one label per image for a conditional model; ignored by a plain one.
///   - limit: only the first `limit` images.
/// - Throws: `EvaluationError` for bad shapes, pixels outside [0, 1], a batch size below 1 or
///   missing labels of a conditional model.
/// - Complexity: one encoder forward per batch.
public func encodePosteriors(model: VAE, images: Tensor, labels: [Int]? = nil, batchSize: Int = 500,
                             limit: Int? = nil) throws -> (mean: Tensor, logVariance: Tensor) {
    let n = try checkEvaluationInputs(model: model, images: images, labels: labels, batchSize: batchSize, limit: limit)
    let d = model.configuration.latentDimensions
    return try inEvaluationMode(model) {
        var means = [Float](), logVariances = [Float]()
        means.reserveCapacity(n * d)
        logVariances.reserveCapacity(n * d)
        for start in stride(from: 0, to: n, by: batchSize) {
            let range = start..<min(start + batchSize, n)
            let (mean, logVariance) = try model.encode(images.rows(range), labels: labels.map { Array($0[range]) })
            means += mean.scalars
            logVariances += logVariance.scalars
        }
        return (Tensor(shape: [n, d], scalars: means), Tensor(shape: [n, d], scalars: logVariances))
    }
}
