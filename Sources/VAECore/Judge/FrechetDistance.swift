import Foundation

/// The mean and covariance of a set of feature vectors, in Double: what the Fréchet distance
/// compares. Computing them once lets one reference set (the MNIST test images) serve many
/// comparisons.
public struct FeatureStatistics: Sendable, Equatable {
    /// N, the number of vectors they summarise (0 when given directly).
    public let count: Int
    /// D, the length of each vector.
    public let dimension: Int
    /// μ (D).
    public let mean: [Double]
    /// Σ (D×D, row-major), the unbiased sample covariance (1/(N − 1)) Σₙ (xₙ − μ)(xₙ − μ)ᵀ,
    /// as NumPy's `np.cov(rowvar=False)` that the usual FID code uses.
    public let covariance: [Double]

    /// The statistics of the rows of `features` (N, D), N ≥ 2.
    /// - Throws: `SampleQualityError` for another shape or a non-finite value.
    /// - Complexity: N·D(D + 1)/2 multiply-adds in Double (two passes: the mean, then the
    ///   centred products, which avoids the cancellation of E[xxᵀ] − μμᵀ).
    public init(features: Tensor) throws {
        guard features.rank == 2, features.shape[0] >= 2, features.shape[1] >= 1 else {
            throw SampleQualityError("features must be (N, D) with N ≥ 2 and D ≥ 1, got \(features.shape)")
        }
        guard features.isFinite else { throw SampleQualityError("the features hold a NaN or an infinity") }
        let (n, d) = (features.shape[0], features.shape[1])
        var mean = [Double](repeating: 0, count: d)
        var covariance = [Double](repeating: 0, count: d * d)
        var centred = [Double](repeating: 0, count: d)
        features.withUnsafeBufferPointer { x in
            for row in 0..<n { for j in 0..<d { mean[j] += Double(x[row * d + j]) } }
            for j in 0..<d { mean[j] /= Double(n) }
            covariance.withUnsafeMutableBufferPointer { c in
                for row in 0..<n {
                    for j in 0..<d { centred[j] = Double(x[row * d + j]) - mean[j] }
                    // Upper triangle: row i of Σ gains centred[i]·centred[i...].
                    for i in 0..<d {
                        let ci = centred[i]
                        if ci == 0 { continue }
                        for j in i..<d { c[i * d + j] += ci * centred[j] }
                    }
                }
                for i in 0..<d {
                    for j in i..<d {
                        c[i * d + j] /= Double(n - 1)
                        c[j * d + i] = c[i * d + j]
                    }
                }
            }
        }
        self.count = n
        self.dimension = d
        self.mean = mean
        self.covariance = covariance
    }

    /// Statistics given directly (closed-form tests, or a published reference).
    /// - Throws: `SampleQualityError` unless the covariance is D×D, finite and symmetric.
    public init(mean: [Double], covariance: [Double]) throws {
        let d = mean.count
        guard d >= 1, covariance.count == d * d, mean.allSatisfy(\.isFinite), covariance.allSatisfy(\.isFinite) else {
            throw SampleQualityError("need a finite mean of D ≥ 1 entries and a finite D×D covariance, "
                                     + "got \(d) and \(covariance.count) entries")
        }
        for i in 0..<d {
            for j in (i + 1)..<d where covariance[i * d + j] != covariance[j * d + i] {
                throw SampleQualityError("the covariance is not symmetric at (\(i), \(j))")
            }
        }
        self.count = 0
        self.dimension = d
        self.mean = mean
        self.covariance = covariance
    }
}

/// The Fréchet distance between the Gaussians N(μ₁, Σ₁) and N(μ₂, Σ₂) fitted to two sets of
/// features: the squared 2-Wasserstein distance between those Gaussians,
///
///     d² = ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^{1/2}).
///
/// Σ₁Σ₂ is not symmetric, but it is similar to the symmetric positive semi-definite
/// M = Σ₁^{1/2} Σ₂ Σ₁^{1/2} (conjugate by Σ₁^{1/2}), so tr((Σ₁Σ₂)^{1/2}) = Σᵢ √λᵢ(M). Both
/// square roots come from our Jacobi eigen-decomposition (`SymmetricEigendecomposition`):
/// Σ₁^{1/2} = V·√Λ·Vᵀ, then the eigenvalues of M. Rounding can leave eigenvalues of these
/// semi-definite matrices at tiny negative values; they are clamped at 0 before the square root.
/// Everything runs in Double. Identical sets give 0 up to rounding (about 10⁻¹⁰ of the traces,
/// which may be slightly negative).
///
/// **Not FID.** The Fréchet Inception Distance (Heusel et al., 2017) applies this formula to the
/// 2048 pool features of an ImageNet-trained Inception-v3. Here the features are the 128 hidden
/// units of the course's small MNIST classifier (`DigitClassifier.features`), so the numbers
/// are on a different scale and **must not be compared with published FID values**; they
/// compare models judged by the same classifier checkpoint only.
///
/// - Throws: `SampleQualityError` when the dimensions differ; `EigenError` if Jacobi fails.
/// - Complexity: two D×D eigen-decompositions and three D×D products: O(D³).
public func frechetDistance(_ a: FeatureStatistics, _ b: FeatureStatistics) throws -> Double {
    guard a.dimension == b.dimension else {
        throw SampleQualityError("feature dimensions differ: \(a.dimension) and \(b.dimension)")
    }
    let d = a.dimension
    var meanTerm = 0.0
    for j in 0..<d { meanTerm += (a.mean[j] - b.mean[j]) * (a.mean[j] - b.mean[j]) }
    var traces = 0.0
    for j in 0..<d { traces += a.covariance[j * d + j] + b.covariance[j * d + j] }

    let rootA = try SymmetricEigendecomposition(symmetric: a.covariance, dimension: d)
        .reconstructed { max($0, 0).squareRoot() }
    let m = symmetricProduct(rootA, b.covariance, rootA, dimension: d)
    let eigen = try SymmetricEigendecomposition(symmetric: m, dimension: d)
    let traceOfRoot = eigen.eigenvalues.reduce(0) { $0 + max($1, 0).squareRoot() }
    return meanTerm + traces - 2 * traceOfRoot
}

/// The Fréchet distance between the rows of two feature sets (N₁, D) and (N₂, D).
public func frechetDistance(features a: Tensor, _ b: Tensor) throws -> Double {
    try frechetDistance(FeatureStatistics(features: a), FeatureStatistics(features: b))
}

/// S·B·S for symmetric S and B (D×D, row-major), made exactly symmetric by averaging the two
/// triangles (the products round them differently).
/// - Complexity: 2·D³ multiply-adds.
func symmetricProduct(_ s: [Double], _ b: [Double], _ s2: [Double], dimension d: Int) -> [Double] {
    func multiply(_ x: [Double], _ y: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for k in 0..<d {
                let xik = x[i * d + k]
                if xik == 0 { continue }
                for j in 0..<d { out[i * d + j] += xik * y[k * d + j] }
            }
        }
        return out
    }
    var m = multiply(multiply(s, b), s2)
    for i in 0..<d {
        for j in (i + 1)..<d {
            let average = (m[i * d + j] + m[j * d + i]) / 2
            m[i * d + j] = average
            m[j * d + i] = average
        }
    }
    return m
}
