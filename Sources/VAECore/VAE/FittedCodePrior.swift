import Foundation

/// A Gaussian per label fitted, after training, to where the training images' codes actually
/// lie: Ghosh et al.'s "ex-post density estimation" (2020), in its simplest form.
///
/// **Why.** A VAE is trained so that each posterior q(z|x) stays close to the prior, but nothing
/// makes the *aggregate* posterior q(z) = E_x q(z|x), the cloud of all training codes, equal the
/// prior. Where the two differ, z ~ p(z) lands in "holes" no training image's code visited, and
/// the decoder, never taught what to draw there, draws a blur. Sampling from a density fitted to
/// the codes instead avoids the holes without retraining.
///
/// **The fit.** For label y, the aggregate posterior q(z|y) = (1/N_y) Σ_{x of y} N(μ(x), diag σ²(x))
/// is a mixture of the N_y posteriors; the Gaussian with its mean and covariance is
///
///     m_y = mean of μ(x),    Σ_y = Cov[μ(x)] + mean of diag σ²(x)
///
/// (the law of total variance: the spread of the centres plus the mean spread around them).
/// Draws are z = m_y + Σ_y^{1/2} ε with ε ~ N(0, I) and Σ^{1/2} the symmetric square root,
/// V·Λ^{1/2}·Vᵀ, from `SymmetricEigendecomposition`. A plain VAE is the case of one label.
public struct FittedCodePrior: Sendable, Equatable {
    /// D, the code's length.
    public let dimension: Int
    /// m_y for each label y, D each.
    public let means: [[Double]]
    /// Σ_y for each label y, D×D row-major each.
    public let covariances: [[Double]]
    /// Σ_y^{1/2}, D×D row-major each: what `sample` multiplies ε by.
    private let squareRoots: [[Double]]

    /// Fits one Gaussian per label to posteriors q(z|x) = N(`means`, diag exp(`logVariances`)),
    /// both (N, D), of images with `labels` (N, each in 0..<`classes`).
    /// - Throws: `VAEConfigurationError` for mismatched shapes, labels out of range, a label with
    ///   fewer than 2 codes, or a non-finite value.
    /// - Complexity: O(N·D²) for the covariances, O(classes·D³) for their square roots.
    public init(means: Tensor, logVariances: Tensor, labels: [Int], classes: Int) throws {
        guard means.rank == 2, means.shape == logVariances.shape, means.shape[0] == labels.count, classes >= 1 else {
            throw VAEConfigurationError("a code prior needs means and log-variances of one shape (N, D) and N labels, "
                                        + "not \(means.shape), \(logVariances.shape) and \(labels.count)")
        }
        guard labels.allSatisfy({ (0..<classes).contains($0) }) else {
            throw VAEConfigurationError("labels must lie in 0..<\(classes)")
        }
        guard means.isFinite, logVariances.isFinite else {
            throw VAEConfigurationError("the codes hold a NaN or an infinity")
        }
        let d = means.shape[1]
        let mu = means.scalars, logVariance = logVariances.scalars
        var fittedMeans = [[Double]](), fittedCovariances = [[Double]](), roots = [[Double]]()
        for label in 0..<classes {
            let rows = labels.indices.filter { labels[$0] == label }
            guard rows.count >= 2 else {
                throw VAEConfigurationError("label \(label) has \(rows.count) codes; a covariance needs at least 2")
            }
            let centres = Tensor(shape: [rows.count, d], scalars: rows.flatMap { mu[$0 * d ..< ($0 + 1) * d] })
            let spread = try FeatureStatistics(features: centres)                     // mean and Cov[μ]
            var covariance = spread.covariance
            for j in 0..<d {
                let meanVariance = rows.reduce(0.0) { $0 + exp(Double(logVariance[$1 * d + j])) } / Double(rows.count)
                covariance[j * d + j] += meanVariance                                // + E[σ²]
            }
            let eigen = try SymmetricEigendecomposition(symmetric: covariance, dimension: d)
            fittedMeans.append(spread.mean)
            fittedCovariances.append(covariance)
            roots.append(eigen.reconstructed(applying: { $0.squareRoot() }))
        }
        dimension = d
        self.means = fittedMeans
        covariances = fittedCovariances
        squareRoots = roots
    }

    /// The number of labels.
    public var classCount: Int { means.count }

    /// Codes z = m_y + Σ_y^{1/2} ε (N, D), one per entry of `labels`; ε ~ N(0, I) from `random`,
    /// D draws per code in order, as `Tensor.gaussian` makes them.
    /// - Throws: `VAEConfigurationError` for a label out of range.
    public func sample(labels: [Int], using random: inout RandomSource) throws -> Tensor {
        guard labels.allSatisfy({ (0..<classCount).contains($0) }) else {
            throw VAEConfigurationError("labels must lie in 0..<\(classCount)")
        }
        let d = dimension
        let epsilon = Tensor.gaussian([labels.count, d], using: &random).scalars
        var z = [Float](repeating: 0, count: labels.count * d)
        for (n, label) in labels.enumerated() {
            let (m, root) = (means[label], squareRoots[label])
            for i in 0..<d {
                var value = m[i]
                for j in 0..<d { value += root[i * d + j] * Double(epsilon[n * d + j]) }
                z[n * d + i] = Float(value)
            }
        }
        return Tensor(shape: [labels.count, d], scalars: z)
    }
}

extension VAE {
    /// Encodes `images` (N, 1, 28, 28) in evaluation mode, `batchSize` at a time (with their
    /// labels, for a conditional model; `encodePosteriors`), and fits a `FittedCodePrior` to
    /// their posteriors: one Gaussian per label for a conditional model, one in all for a plain one.
    /// - Throws: `EvaluationError` for bad images or missing labels, `VAEConfigurationError` for
    ///   labels out of range or a label with under 2 images.
    public func fitCodePrior(images: Tensor, labels: [Int]?, batchSize: Int = 500) throws -> FittedCodePrior {
        let conditional = configuration.classCount > 0
        let q = try encodePosteriors(model: self, images: images, labels: conditional ? labels : nil, batchSize: batchSize)
        return try FittedCodePrior(means: q.mean, logVariances: q.logVariance,
                                   labels: conditional ? (labels ?? []) : [Int](repeating: 0, count: images.shape[0]),
                                   classes: max(configuration.classCount, 1))
    }
}
