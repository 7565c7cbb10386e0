import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// The Jacobi eigen-decomposition, the Fréchet distance and the Inception Score, against
/// matrices and distributions whose answers are known in closed form.
@Suite struct SampleQualityTests {
    // MARK: Helpers

    /// A random n×k matrix of N(0, 1) entries, row-major.
    static func gaussianMatrix(_ n: Int, _ k: Int, seed: UInt64) -> [Double] {
        var random = RandomSource(seed: seed)
        return (0..<(n * k)).map { _ in Double(random.gaussian()) }
    }

    /// B·Bᵀ (+ shift·I) for B n×k: symmetric positive semi-definite of rank ≤ k (definite with a shift).
    static func gram(_ b: [Double], _ n: Int, _ k: Int, shift: Double = 0) -> [Double] {
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n {
            var sum = 0.0
            for p in 0..<k { sum += b[i * k + p] * b[j * k + p] }
            a[i * n + j] = sum + (i == j ? shift : 0)
        } }
        return a
    }

    static func maxAbs(_ x: [Double]) -> Double { x.map(abs).max() ?? 0 }

    /// Checks A = VΛVᵀ, VᵀV = I, ascending eigenvalues, to `tolerance` relative to max|A|.
    static func expectDecomposes(_ a: [Double], _ n: Int, tolerance: Double) throws -> SymmetricEigendecomposition {
        let e = try SymmetricEigendecomposition(symmetric: a, dimension: n)
        let scale = max(maxAbs(a), 1e-300)
        let back = e.reconstructed()
        #expect(maxAbs(zip(back, a).map { $0 - $1 }) <= tolerance * scale, "A ≠ VΛVᵀ")
        var orthogonality = 0.0
        for i in 0..<n { for j in 0..<n {
            var dot = 0.0
            for k in 0..<n { dot += e.eigenvectors[k * n + i] * e.eigenvectors[k * n + j] }
            orthogonality = max(orthogonality, abs(dot - (i == j ? 1 : 0)))
        } }
        #expect(orthogonality <= 1e-12, "VᵀV ≠ I by \(orthogonality)")
        #expect(zip(e.eigenvalues, e.eigenvalues.dropFirst()).allSatisfy { $0 <= $1 })
        return e
    }

    // MARK: Jacobi

    @Test func jacobiDiagonalIsAlreadyDone() throws {
        let a: [Double] = [3, 0, 0,
                           0, -1, 0,
                           0, 0, 2]
        let e = try Self.expectDecomposes(a, 3, tolerance: 0)
        #expect(e.eigenvalues == [-1, 2, 3])
        #expect(e.sweeps == 1, "a diagonal matrix needs no rotation")
        // The eigenvectors are the unit vectors e₂, e₃, e₁.
        #expect(e.eigenvectors == [0, 0, 1,
                                   1, 0, 0,
                                   0, 1, 0])
    }

    /// [[a, b], [b, c]]: λ = (a + c)/2 ± √(((a − c)/2)² + b²), eigenvector (b, λ − a).
    @Test(arguments: [(2.0, 1.0, 2.0), (4.0, -3.0, 1.0), (1e-3, 5.0, -7.0), (1.0, 1e-9, 1.0)])
    func jacobi2x2ClosedForm(_ a: Double, _ b: Double, _ c: Double) throws {
        let e = try Self.expectDecomposes([a, b, b, c], 2, tolerance: 1e-15)
        let centre = (a + c) / 2, radius = (((a - c) / 2) * ((a - c) / 2) + b * b).squareRoot()
        // Backward stability: errors of a few ulps of the matrix's scale.
        let scale = max(abs(a), abs(b), abs(c))
        #expect(abs(e.eigenvalues[0] - (centre - radius)) <= 1e-15 * scale)
        #expect(abs(e.eigenvalues[1] - (centre + radius)) <= 1e-15 * scale)
        for j in 0..<2 {
            let lambda = e.eigenvalues[j]
            let (v0, v1) = (e.eigenvectors[j], e.eigenvectors[2 + j])
            // A v = λ v.
            #expect(abs(a * v0 + b * v1 - lambda * v0) <= 1e-15 * scale)
            #expect(abs(b * v0 + c * v1 - lambda * v1) <= 1e-15 * scale)
        }
    }

    @Test(arguments: [5, 40, 128])
    func jacobiRandomSPDReconstructs(_ n: Int) throws {
        let a = Self.gram(Self.gaussianMatrix(n, n, seed: UInt64(n)), n, n, shift: 0.1)
        let e = try Self.expectDecomposes(a, n, tolerance: 1e-12)
        #expect(e.eigenvalues[0] > 0, "B·Bᵀ + 0.1·I is positive definite")
        let trace = (0..<n).reduce(0.0) { $0 + a[$1 * n + $1] }
        #expect(abs(e.eigenvalues.reduce(0, +) - trace) <= 1e-12 * trace)
        #expect(e.sweeps <= 15, "cyclic Jacobi converges quadratically (took \(e.sweeps) sweeps)")
        // The square root squares back to A.
        let root = e.reconstructed { $0.squareRoot() }
        var worst = 0.0
        for i in 0..<n { for j in 0..<n {
            var sum = 0.0
            for k in 0..<n { sum += root[i * n + k] * root[k * n + j] }
            worst = max(worst, abs(sum - a[i * n + j]))
        } }
        #expect(worst <= 1e-11 * Self.maxAbs(a))
    }

    /// A rank-k Gram matrix: n − k eigenvalues are zero up to rounding.
    @Test func jacobiRankDeficient() throws {
        let (n, k) = (30, 7)
        let a = Self.gram(Self.gaussianMatrix(n, k, seed: 9), n, k)
        let e = try Self.expectDecomposes(a, n, tolerance: 1e-12)
        let scale = e.eigenvalues.last!
        #expect(e.eigenvalues.prefix(n - k).allSatisfy { abs($0) <= 1e-12 * scale })
        #expect(e.eigenvalues[n - k] > 1e-3 * scale)
    }

    @Test func jacobiRejectsBadInput() {
        #expect(throws: EigenError.self) { try SymmetricEigendecomposition(symmetric: [1, 2, 3], dimension: 2) }
        #expect(throws: EigenError.self) { try SymmetricEigendecomposition(symmetric: [1, 2, 3, 4], dimension: 2) }
        #expect(throws: EigenError.self) { try SymmetricEigendecomposition(symmetric: [1, .nan, .nan, 4], dimension: 2) }
        #expect(throws: EigenError.self) { try SymmetricEigendecomposition(symmetric: [], dimension: 0) }
    }

    // MARK: Feature statistics and the Fréchet distance

    /// N draws of D-dimensional correlated Gaussian features, as a Float tensor (N, D).
    static func features(_ n: Int, _ d: Int, seed: UInt64, shift: [Float]? = nil) -> Tensor {
        var random = RandomSource(seed: seed)
        var x = Tensor.gaussian([n, d], using: &random)
        // Correlate the coordinates: x_j += 0.5·x_{j−1}, and give them different scales.
        for row in 0..<n { for j in 1..<d { x.scalars[row * d + j] += 0.5 * x.scalars[row * d + j - 1] } }
        for row in 0..<n { for j in 0..<d { x.scalars[row * d + j] = x.scalars[row * d + j] * Float(1 + j % 3) + (shift?[j] ?? 0) } }
        return x
    }

    @Test func covarianceMatchesTheDefinition() throws {
        let x = Self.features(50, 4, seed: 3)
        let s = try FeatureStatistics(features: x)
        let rows = (0..<50).map { r in (0..<4).map { Double(x.scalars[r * 4 + $0]) } }
        for i in 0..<4 {
            let mean = rows.reduce(0) { $0 + $1[i] } / 50
            #expect(abs(s.mean[i] - mean) <= 1e-12)
            for j in 0..<4 {
                let meanJ = rows.reduce(0) { $0 + $1[j] } / 50
                let cov = rows.reduce(0) { $0 + ($1[i] - mean) * ($1[j] - meanJ) } / 49
                #expect(abs(s.covariance[i * 4 + j] - cov) <= 1e-12 * max(1, abs(cov)))
            }
        }
        #expect(throws: SampleQualityError.self) { try FeatureStatistics(features: Tensor(shape: [1, 4])) }
    }

    @Test func frechetOfIdenticalSetsIsZero() throws {
        let x = Self.features(2000, 32, seed: 4)
        let d = try frechetDistance(features: x, x)
        #expect(abs(d) <= 1e-9, "d(X, X) = \(d)")
    }

    /// Y = X + c: the covariances are equal, so d² = ‖c‖² exactly.
    @Test func frechetOfShiftedSetsIsTheSquaredShift() throws {
        let shift: [Float] = (0..<16).map { Float($0 % 5) * 0.25 - 0.5 }
        let x = Self.features(1000, 16, seed: 5)
        let y = Self.features(1000, 16, seed: 5, shift: shift)
        let expected = shift.reduce(0.0) { $0 + Double($1) * Double($1) }
        let d = try frechetDistance(features: x, y)
        #expect(abs(d - expected) <= 1e-6 * expected, "d = \(d), ‖c‖² = \(expected)")
    }

    /// Commuting (diagonal) covariances: d² = ‖μ₁ − μ₂‖² + Σⱼ (√aⱼ − √bⱼ)².
    @Test func frechetOfDiagonalGaussians() throws {
        let a: [Double] = [1, 4, 0.25, 9], b: [Double] = [2, 1, 0.25, 0]
        func diagonal(_ v: [Double]) -> [Double] {
            var m = [Double](repeating: 0, count: 16)
            for j in 0..<4 { m[j * 4 + j] = v[j] }
            return m
        }
        let s1 = try FeatureStatistics(mean: [0, 1, 2, 3], covariance: diagonal(a))
        let s2 = try FeatureStatistics(mean: [1, 1, 2, 1], covariance: diagonal(b))
        let expected = 1 + 4 + zip(a, b).reduce(0.0) { $0 + ($1.0.squareRoot() - $1.1.squareRoot()) * ($1.0.squareRoot() - $1.1.squareRoot()) }
        #expect(abs(try frechetDistance(s1, s2) - expected) <= 1e-12 * expected)
    }

    /// Non-commuting 2×2 covariances. Σ₁Σ₂ has non-negative eigenvalues λ₁, λ₂ with
    /// λ₁ + λ₂ = tr(Σ₁Σ₂) and λ₁λ₂ = det Σ₁·det Σ₂, so tr((Σ₁Σ₂)^{1/2}) = √λ₁ + √λ₂
    /// = √(tr(Σ₁Σ₂) + 2√(det Σ₁ det Σ₂)).
    @Test func frechetOfNonCommuting2x2() throws {
        let c1: [Double] = [2, 0.8, 0.8, 1], c2: [Double] = [0.5, -0.3, -0.3, 3]
        let traceProduct = c1[0] * c2[0] + c1[1] * c2[2] + c1[2] * c2[1] + c1[3] * c2[3]
        let det1 = c1[0] * c1[3] - c1[1] * c1[2], det2 = c2[0] * c2[3] - c2[1] * c2[2]
        let rootTrace = (traceProduct + 2 * (det1 * det2).squareRoot()).squareRoot()
        let expected = 0.5 * 0.5 + 1 + (c1[0] + c1[3] + c2[0] + c2[3]) - 2 * rootTrace
        let d = try frechetDistance(try FeatureStatistics(mean: [0, 0], covariance: c1),
                                    try FeatureStatistics(mean: [0.5, -1], covariance: c2))
        #expect(abs(d - expected) <= 1e-12 * expected, "d = \(d), closed form \(expected)")
        // And it is symmetric in its arguments.
        let back = try frechetDistance(try FeatureStatistics(mean: [0.5, -1], covariance: c2),
                                       try FeatureStatistics(mean: [0, 0], covariance: c1))
        #expect(abs(back - d) <= 1e-12 * d)
    }

    /// A feature that is constant in both sets (a dead ReLU) makes both covariances singular.
    @Test func frechetWithSingularCovariances() throws {
        var x = Self.features(500, 8, seed: 6)
        for row in 0..<500 { x.scalars[row * 8 + 3] = 0 }
        let d = try frechetDistance(features: x, x)
        #expect(abs(d) <= 1e-9)
        #expect(throws: SampleQualityError.self) {
            try frechetDistance(features: x, Self.features(10, 4, seed: 7))
        }
    }

    // MARK: Inception Score and accuracy

    /// N rows of K probabilities from a closure.
    static func probabilities(_ n: Int, _ k: Int, _ p: (Int, Int) -> Float) -> Tensor {
        Tensor(shape: [n, k], scalars: (0..<(n * k)).map { p($0 / k, $0 % k) })
    }

    @Test func inceptionScoreOfUniformPredictionsIsOne() throws {
        let score = try inceptionScore(probabilities: Self.probabilities(100, 10) { _, _ in 0.1 })
        #expect(abs(score.mean - 1) <= 1e-6)
    }

    @Test func inceptionScoreOfConfidentBalancedPredictionsIsTheClassCount() throws {
        for k in [2, 10] {
            let p = Self.probabilities(10 * k, k) { row, j in row % k == j ? 1 : 0 }
            #expect(abs(try inceptionScore(probabilities: p).mean - Double(k)) <= 1e-12)
            // Ten splits, each balanced: every split scores k, so the spread is 0.
            let split = try inceptionScore(probabilities: p, splits: 10)
            #expect(split.values.count == 10 && split.values.allSatisfy { abs($0 - Double(k)) <= 1e-12 })
            #expect(split.standardDeviation <= 1e-12)
        }
        // Confident but all the same class: no diversity, score 1.
        let collapsed = Self.probabilities(50, 10) { _, j in j == 3 ? 1 : 0 }
        #expect(abs(try inceptionScore(probabilities: collapsed).mean - 1) <= 1e-12)
    }

    /// Two samples, p₁ = (1, 0) and p₂ = (½, ½): p(y) = (¾, ¼),
    /// KL₁ = log(4/3), KL₂ = ½ log(2/3) + ½ log 2, IS = exp((KL₁ + KL₂)/2).
    @Test func inceptionScoreByHand() throws {
        let p = Tensor(shape: [2, 2], scalars: [1, 0, 0.5, 0.5])
        let expected = exp((log(4.0 / 3) + 0.5 * log(2.0 / 3) + 0.5 * log(2.0)) / 2)
        #expect(abs(try inceptionScore(probabilities: p).mean - expected) <= 1e-12)
        // Splits of one sample each: each split's own marginal equals its p(y|x), so IS = 1.
        let split = try inceptionScore(probabilities: p, splits: 2)
        #expect(split.values == [1, 1] && split.standardDeviation == 0)
    }

    @Test func inceptionScoreRejectsNonProbabilities() {
        #expect(throws: SampleQualityError.self) { try inceptionScore(probabilities: Tensor(shape: [2, 2], scalars: [0.5, 0.4, 0.5, 0.5])) }
        #expect(throws: SampleQualityError.self) { try inceptionScore(probabilities: Tensor(shape: [1, 2], scalars: [1.5, -0.5])) }
        #expect(throws: SampleQualityError.self) { try inceptionScore(probabilities: Tensor(shape: [4])) }
        #expect(throws: SampleQualityError.self) { try inceptionScore(probabilities: Tensor(shape: [2, 2], scalars: [1, 0, 0, 1]), splits: 3) }
    }

    @Test func conditionalAccuracyCountsMatchingArgmax() throws {
        let p = Tensor(shape: [4, 3], scalars: [0.7, 0.2, 0.1,
                                                0.1, 0.8, 0.1,
                                                0.3, 0.3, 0.4,
                                                0.5, 0.4, 0.1])
        #expect(try conditionalAccuracy(probabilities: p, labels: [0, 1, 2, 1]) == 0.75)
        let split = try perClassAccuracy(probabilities: p, labels: [0, 1, 2, 1])
        #expect(split.perClass == [1, 0.5, 1])
        #expect(try perClassAccuracy(probabilities: p, labels: [0, 0, 0, 0]).perClass == [0.5, nil, nil])
        #expect(throws: SampleQualityError.self) { try conditionalAccuracy(probabilities: p, labels: [0, 1, 3, 1]) }
        #expect(throws: SampleQualityError.self) { try conditionalAccuracy(probabilities: p, labels: [0]) }
    }
}
