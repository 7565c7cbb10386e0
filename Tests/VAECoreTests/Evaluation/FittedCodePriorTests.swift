import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// `FittedCodePrior`: the Gaussian per label fitted to a VAE's training codes (ex-post density
/// estimation). It must recover known moments, its draws must have them, it must match the
/// encoder it was fitted from, and bad input must be refused.
@Suite struct FittedCodePriorTests {
    /// Codes of two labels drawn from known Gaussians N(m_y, A_y A_yᵀ), with a constant posterior
    /// variance v_y per label: the fit should give m_y and A_y A_yᵀ + v_y I.
    static let mixingMatrices: [[Double]] = [[1.0, 0.0, 0.0,
                                              0.5, 0.8, 0.0,
                                              -0.3, 0.2, 0.6],
                                             [0.4, 0.0, 0.0,
                                              0.0, 1.5, 0.0,
                                              0.7, 0.0, 0.3]]
    static let centres: [[Double]] = [[1, -2, 0.5], [-1, 0, 3]]
    static let posteriorVariances: [Double] = [0.25, 0.04]

    static func expectedCovariance(_ label: Int) -> [Double] {
        let a = mixingMatrices[label]
        return (0..<9).map { index in
            let (i, j) = (index / 3, index % 3)
            return (0..<3).reduce(0.0) { $0 + a[i * 3 + $1] * a[j * 3 + $1] } + (i == j ? posteriorVariances[label] : 0)
        }
    }

    static func syntheticCodes(perLabel: Int, seed: UInt64) -> (means: Tensor, logVariances: Tensor, labels: [Int]) {
        var random = RandomSource(seed: seed)
        var means = [Float](), logVariances = [Float](), labels = [Int]()
        for n in 0..<(2 * perLabel) {
            let label = n % 2
            let e = Tensor.gaussian([3], using: &random).scalars.map(Double.init)
            let a = mixingMatrices[label]
            for i in 0..<3 {
                means.append(Float(centres[label][i] + (0..<3).reduce(0.0) { $0 + a[i * 3 + $1] * e[$1] }))
                logVariances.append(Float(log(posteriorVariances[label])))
            }
            labels.append(label)
        }
        return (Tensor(shape: [2 * perLabel, 3], scalars: means), Tensor(shape: [2 * perLabel, 3], scalars: logVariances), labels)
    }

    @Test func fitRecoversTheMeanAndTheTotalCovariance() throws {
        let codes = Self.syntheticCodes(perLabel: 20_000, seed: 11)
        let prior = try FittedCodePrior(means: codes.means, logVariances: codes.logVariances, labels: codes.labels, classes: 2)
        #expect(prior.classCount == 2 && prior.dimension == 3)
        for label in 0..<2 {
            // Standard errors are about σ/√N ≈ 0.01 for the means, a little more for the covariances.
            for i in 0..<3 { #expect(abs(prior.means[label][i] - Self.centres[label][i]) < 0.05) }
            for (fitted, expected) in zip(prior.covariances[label], Self.expectedCovariance(label)) {
                #expect(abs(fitted - expected) < 0.06, "label \(label): \(fitted) against \(expected)")
            }
        }
    }

    /// Draws z = m + Σ^{1/2} ε have mean m and covariance Σ: the square root is right.
    @Test func drawsHaveTheFittedMoments() throws {
        let codes = Self.syntheticCodes(perLabel: 2_000, seed: 12)
        let prior = try FittedCodePrior(means: codes.means, logVariances: codes.logVariances, labels: codes.labels, classes: 2)
        var random = RandomSource(seed: 13)
        for label in 0..<2 {
            let z = try prior.sample(labels: [Int](repeating: label, count: 40_000), using: &random)
            let statistics = try FeatureStatistics(features: z)
            for i in 0..<3 { #expect(abs(statistics.mean[i] - prior.means[label][i]) < 0.05) }
            for (drawn, fitted) in zip(statistics.covariance, prior.covariances[label]) {
                #expect(abs(drawn - fitted) < 0.06, "label \(label): \(drawn) against \(fitted)")
            }
        }
        // Same seed, same codes.
        var a = RandomSource(seed: 14), b = RandomSource(seed: 14)
        #expect(try prior.sample(labels: [0, 1, 1], using: &a) == prior.sample(labels: [0, 1, 1], using: &b))
    }

    /// Fitted to a small CVAE with label centres, the means are the label-wise averages of the
    /// encoder's μ, and sampling from the fit decodes to images.
    @Test func fitFromAModelMatchesItsEncoder() throws {
        var random = RandomSource(seed: 21)
        let model = try VAE(ConditionalVAETests.centred, using: &random)
        model.labelCentres!.value = Tensor.gaussian([10, 3], using: &random)
        model.isTraining = false
        let images = Tensor.uniform([60, 1, 28, 28], using: &random).map { $0 < 0.3 ? 1 : 0 }
        let labels = (0..<60).map { $0 % 10 }
        let prior = try model.fitCodePrior(images: images, labels: labels, batchSize: 7)
        let mu = try model.encode(images, labels: labels).mean.scalars
        for label in [0, 4, 9] {
            let rows = labels.indices.filter { labels[$0] == label }
            for j in 0..<3 {
                let average = rows.reduce(0.0) { $0 + Double(mu[$1 * 3 + j]) } / Double(rows.count)
                #expect(abs(prior.means[label][j] - average) < 1e-5)
            }
        }
        let samples = try model.sample(count: 20, labels: VAE.interleavedLabels(count: 20, classes: 10), from: prior, using: &random)
        #expect(samples.shape == [20, 1, 28, 28])
        #expect(samples.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    /// Batched encoding gives the whole batch's posteriors, honours the limit, restores the
    /// training mode, and asks a conditional model for its labels.
    @Test func encodePosteriorsBatchesAndRestoresTheMode() throws {
        var random = RandomSource(seed: 22)
        let model = try VAE(ConditionalVAETests.centred, using: &random)
        let images = Tensor.uniform([23, 1, 28, 28], using: &random).map { $0 < 0.3 ? 1 : 0 }
        let labels = (0..<23).map { ($0 * 7) % 10 }
        model.isTraining = false
        let whole = try model.encode(images, labels: labels)
        model.isTraining = true
        let batched = try encodePosteriors(model: model, images: images, labels: labels, batchSize: 5, limit: 17)
        #expect(model.isTraining)
        #expect(batched.mean.shape == [17, 3] && batched.logVariance.shape == [17, 3])
        for (a, b) in zip(batched.mean.scalars, whole.mean.scalars.prefix(17 * 3)) { #expect(abs(a - b) < 1e-5) }
        for (a, b) in zip(batched.logVariance.scalars, whole.logVariance.scalars.prefix(17 * 3)) { #expect(abs(a - b) < 1e-5) }
        #expect(throws: EvaluationError.self) { try encodePosteriors(model: model, images: images) }
    }

    @Test func badInputIsRefused() throws {
        let codes = Self.syntheticCodes(perLabel: 5, seed: 31)
        // A label with no codes.
        #expect(throws: VAEConfigurationError.self) {
            try FittedCodePrior(means: codes.means, logVariances: codes.logVariances, labels: codes.labels, classes: 3)
        }
        // A label out of range, mismatched shapes, a NaN.
        #expect(throws: VAEConfigurationError.self) {
            try FittedCodePrior(means: codes.means, logVariances: codes.logVariances, labels: codes.labels.map { $0 + 1 }, classes: 2)
        }
        #expect(throws: VAEConfigurationError.self) {
            try FittedCodePrior(means: codes.means, logVariances: codes.logVariances, labels: Array(codes.labels.dropLast()), classes: 2)
        }
        var poisoned = codes.means
        poisoned.scalars[4] = .nan
        #expect(throws: VAEConfigurationError.self) {
            try FittedCodePrior(means: poisoned, logVariances: codes.logVariances, labels: codes.labels, classes: 2)
        }
        let prior = try FittedCodePrior(means: codes.means, logVariances: codes.logVariances, labels: codes.labels, classes: 2)
        var random = RandomSource(seed: 32)
        #expect(throws: VAEConfigurationError.self) { try prior.sample(labels: [2], using: &random) }
        // A prior over 3 dimensions cannot feed a model with another code length.
        let other = try VAE(VAEConfiguration(latentDimensions: 4, channels: [4, 6], classCount: 2), using: &random)
        #expect(throws: VAEConfigurationError.self) {
            try other.sample(count: 2, labels: [0, 1], from: prior, using: &random)
        }
    }
}
