import Foundation

/// The squared Mahalanobis distance of points under a Gaussian N(m, Σ):
///
///     d²(μ) = (μ − m)ᵀ Σ⁻¹ (μ − m) = Σ_k ((μ − m)·v_k)² / λ_k,
///
/// with Σ = Σ_k λ_k v_k v_kᵀ its eigendecomposition: the squared length of μ − m measured in
/// standard deviations along each principal axis of the cloud. Under the Gaussian itself, d²
/// follows a χ² law with D degrees of freedom (mean D); a point far from where the training
/// codes lie has a large d² even when its distance in plain units is modest along a thin axis.
///
/// As an anomaly score (Lee et al. 2018 used it on a classifier's features), the Gaussian is
/// fitted to the training codes: `init(prior:)` takes the one of a plain VAE's
/// `FittedCodePrior`, whose covariance Cov[μ] + E[diag σ²] is that of the aggregate posterior.
/// The E[σ²] part keeps Σ well conditioned: along a direction the encoder does not use, every μ
/// sits near 0 (Cov[μ] ≈ 0) but σ ≈ 1, so that direction weighs like the prior's instead of
/// dividing by nearly nothing.
public struct MahalanobisDistance: Sendable {
    /// D.
    public let dimension: Int
    /// m (D).
    public let mean: [Double]
    /// Row k is v_k / √λ_k (D×D row-major): d² is the squared norm of W(μ − m).
    private let whitening: [Double]

    /// The distance under N(`mean`, `covariance`), Σ given D×D row-major.
    /// - Throws: `AnomalyError` for mismatched sizes, a covariance that is not symmetric or not
    ///   positive definite (an eigenvalue ≤ 10⁻¹² of the largest).
    public init(mean: [Double], covariance: [Double]) throws {
        let d = mean.count
        guard d >= 1, covariance.count == d * d else {
            throw AnomalyError("a Gaussian of \(d) dimensions needs a \(d)×\(d) covariance, not \(covariance.count) values")
        }
        let eigen: SymmetricEigendecomposition
        do { eigen = try SymmetricEigendecomposition(symmetric: covariance, dimension: d) } catch {
            throw AnomalyError("the covariance cannot be decomposed: \(error)")
        }
        let largest = eigen.eigenvalues.last ?? 0
        guard largest > 0, let smallest = eigen.eigenvalues.first, smallest > 1e-12 * largest else {
            throw AnomalyError("the covariance is not positive definite (eigenvalues from \(eigen.eigenvalues.first ?? .nan) to \(largest))")
        }
        var w = [Double](repeating: 0, count: d * d)
        for k in 0..<d {
            let scale = 1 / eigen.eigenvalues[k].squareRoot()
            for j in 0..<d { w[k * d + j] = eigen.eigenvectors[j * d + k] * scale }
        }
        dimension = d
        self.mean = mean
        whitening = w
    }

    /// The distance under the Gaussian a `FittedCodePrior` fitted for `label` (0 for a plain VAE).
    /// - Throws: `AnomalyError` for a label out of range or a covariance that is not positive definite.
    public init(prior: FittedCodePrior, label: Int = 0) throws {
        guard (0..<prior.classCount).contains(label) else {
            throw AnomalyError("the fitted prior has \(prior.classCount) labels; there is no label \(label)")
        }
        try self.init(mean: prior.means[label], covariance: prior.covariances[label])
    }

    /// d² of each row of `points` (N, D).
    /// - Throws: `AnomalyError` for another shape or a non-finite point.
    /// - Complexity: O(N·D²).
    public func squaredDistances(_ points: Tensor) throws -> [Double] {
        let d = dimension
        guard points.rank == 2, points.shape[1] == d else {
            throw AnomalyError("points must be (N, \(d)), not \(points.shape)")
        }
        guard points.isFinite else { throw AnomalyError("the points hold a NaN or an infinity") }
        let n = points.shape[0]
        var centred = [Double](repeating: 0, count: d)
        return points.withUnsafeBufferPointer { p in
            (0..<n).map { i in
                for j in 0..<d { centred[j] = Double(p[i * d + j]) - mean[j] }
                var total = 0.0
                for k in 0..<d {
                    var projection = 0.0
                    for j in 0..<d { projection += whitening[k * d + j] * centred[j] }
                    total += projection * projection
                }
                return total
            }
        }
    }
}
