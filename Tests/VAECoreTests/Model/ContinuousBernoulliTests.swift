import Foundation
import Testing
@testable import VAECore
@testable import VAENeural

/// The continuous Bernoulli likelihood (`ContinuousBernoulliLikelihood`): its gradient against
/// finite differences, its density's normalisation and mean by quadrature, PyTorch's
/// `ContinuousBernoulli` (fixture `continuous_bernoulli.py`), and its use by training, the test
/// ELBO and the importance-weighted bound.
@Suite struct ContinuousBernoulliTests {
    typealias CB = ContinuousBernoulliLikelihood

    /// Logits across the range: large |ℓ|, ordinary ones, and both sides of the Taylor window's
    /// edge log(0.501/0.499) ≈ 0.0040000053 and its inside, 0 included.
    static let logits: [Double] = [-30, -8, -2.5, -0.7, -0.0045, -0.0040005, -0.0039995, -0.001, 0, 5e-4,
                                   0.0039995, 0.0040005, 0.3, 1.7, 6, 25]

    /// −log p's derivative in Double against central differences, h = 10⁻⁷·max(1, |ℓ|) (both
    /// points on the same side of the window's edge for every ℓ above): the difference's error
    /// is about h²·|f‴| + ε·|f|/h < 10⁻⁸ here, so 10⁻⁷ catches any wrong term (the smallest
    /// term of the derivative near the edge, ℓ/6, is 7·10⁻⁴).
    @Test func derivativeMatchesFiniteDifferences() {
        for l in Self.logits {
            for x in [0.0, 0.3, 0.85, 1.0] {
                let h = 1e-7 * max(1, abs(l))
                let numeric = (CB.negativeLogDensity(l + h, x).value - CB.negativeLogDensity(l - h, x).value) / (2 * h)
                let analytic = CB.negativeLogDensity(l, x).derivative
                #expect(abs(analytic - numeric) < 1e-7, "ℓ = \(l), x = \(x): \(analytic) against \(numeric)")
            }
        }
    }

    /// The batch loss (Float outputs, B = 3) along a random direction, as the Gaussians' test
    /// does (h = 10⁻³, relative error below 2·10⁻³); and the loss is minus the per-image
    /// log-likelihood of evaluation, averaged.
    @Test func batchLossGradientAndEvaluationAgree() throws {
        let (output, targets) = LikelihoodTests.batch(seed: 4)
        let part = Likelihood.continuousBernoulli.makePart()
        let result = try part.loss(output: output, targets: targets)
        var random = RandomSource(seed: 9)
        let v = Tensor.gaussian(output.shape, using: &random)
        let h: Float = 1e-3
        let numeric = (try part.loss(output: output + v * h, targets: targets).value
                       - part.loss(output: output - v * h, targets: targets).value) / (2 * Double(h))
        let analytic = zip(result.gradient.scalars, v.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(analytic - numeric) / max(abs(numeric), 1e-6) < 2e-3, "∂/∂ℓ: \(analytic) against \(numeric)")

        let prepared = part.prepared(pixels: 784)
        var total = 0.0
        output.withUnsafeBufferPointer { o in
            targets.withUnsafeBufferPointer { t in
                for n in 0..<3 {
                    let logLikelihood = prepared.logLikelihood(output: o.baseAddress! + n * 784, targets: t.baseAddress! + n * 784, count: 784)
                    let naive = part.referenceLogLikelihood(output: Array(o[(n * 784)..<((n + 1) * 784)]),
                                                            targets: Array(t[(n * 784)..<((n + 1) * 784)]))
                    #expect(abs(logLikelihood - naive) < 1e-9 * max(1, abs(naive)), "image \(n): \(logLikelihood) against \(naive)")
                    total += logLikelihood
                }
            }
        }
        #expect(abs(result.value + total / 3) < 1e-12 * max(1, abs(total)))
        #expect(throws: LossError.self) { try part.loss(output: output, targets: targets * 2) }
    }

    /// ∫₀¹ p(x|ℓ) dx = 1 and ∫₀¹ x p(x|ℓ) dx = E[x|ℓ], by Simpson's rule on 20,000 intervals (its
    /// error is below 10⁻¹² for |ℓ| ≤ 12), to 10⁻⁹: a wrong normaliser misses by far more
    /// (log C differs from log 2 by 10⁻⁶ already at |ℓ| = 0.004).
    @Test(arguments: [-12.0, -3, -0.5, -0.004001, -0.002, 0, 1e-4, 0.0039999, 0.004001, 0.7, 4, 12])
    func densityIntegratesToOne(_ l: Double) {
        let n = 20_000
        var mass = 0.0, first = 0.0
        for i in 0...n {
            let x = Double(i) / Double(n)
            let weight: Double = i == 0 || i == n ? 1 : (i % 2 == 1 ? 4 : 2)
            let density = exp(-CB.negativeLogDensity(l, x).value)
            mass += weight * density
            first += weight * x * density
        }
        mass /= 3 * Double(n)
        first /= 3 * Double(n)
        #expect(abs(mass - 1) < 1e-9, "ℓ = \(l): ∫ p = \(mass)")
        #expect(abs(first - CB.normaliserAndMean(l).mean) < 1e-9, "ℓ = \(l): ∫ x p = \(first), mean \(CB.normaliserAndMean(l).mean)")
    }

    /// log p(x|ℓ) per pixel and summed, E[x|ℓ] and ∂Σ log p/∂ℓ against PyTorch's
    /// `ContinuousBernoulli(logits=ℓ)` in float64, on 96 logits from inside the Taylor window to
    /// |ℓ| = 20. The per-pixel values are stored as float32 (relative 10⁻⁶); the sum is a
    /// float64, and PyTorch's own λ-based arithmetic is good to about 10⁻¹⁰ at |ℓ| = 20.
    @Test func matchesPyTorch() throws {
        let fixture = try Fixture("continuous_bernoulli")
        let logits = try fixture.tensor("pixels", "logits"), targets = try fixture.tensor("pixels", "targets")
        let logProb = try fixture.tensor("pixels", "log_prob"), mean = try fixture.tensor("pixels", "mean")
        let grad = try fixture.tensor("pixels", "grad")
        let count = logits.count
        let part = Likelihood.continuousBernoulli.makePart()
        for i in 0..<count {
            let value = -CB.negativeLogDensity(Double(logits.scalars[i]), Double(targets.scalars[i])).value
            let expected = Double(logProb.scalars[i])
            #expect(abs(value - expected) < 1e-6 * max(1, abs(expected)), "ℓ = \(logits.scalars[i]): log p \(value) against \(expected)")
        }
        let row = Tensor(shape: [1, count], scalars: logits.scalars), x = Tensor(shape: [1, count], scalars: targets.scalars)
        let sum = row.withUnsafeBufferPointer { l in
            x.withUnsafeBufferPointer { t in part.prepared(pixels: count).logLikelihood(output: l.baseAddress!, targets: t.baseAddress!, count: count) }
        }
        #expect(abs(sum - (try fixture.number("pixels", "log_prob_sum"))) < 1e-8)
        #expect(maxRelativeError(part.mean(row), mean.reshaped([1, count]), floor: 1) < 1e-6)
        let loss = try part.loss(output: row, targets: x)                 // B = 1: ∂(−Σ log p)/∂ℓ
        #expect(maxRelativeError(loss.gradient.map { -$0 }, grad.reshaped([1, count]), floor: 1) < 1e-6)
        #expect(abs(loss.value + sum) < 1e-12 * abs(sum))
    }

    /// The mode is the density's argmax (0 or 1, ½ where flat), a draw lies in [0, 1] and
    /// averages to the mean.
    @Test func modeAndDraws() {
        let part = Likelihood.continuousBernoulli.makePart()
        #expect(part.mode(Tensor(shape: [1, 3], scalars: [-2, 0, 0.5])).scalars == [0, 0.5, 1])
        var random = RandomSource(seed: 3)
        for l: Float in [-40, -3, -0.002, 0, 0.003, 1.5, 40] {
            let draws = part.draw(Tensor(shape: [20_000, 1], scalars: [Float](repeating: l, count: 20_000)), using: &random)
            #expect(draws.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
            let average = draws.scalars.reduce(0.0) { $0 + Double($1) } / 20_000
            // x's standard deviation is at most 1/√12 ≈ 0.29 (at λ = ½): 0.01 is five standard errors.
            #expect(abs(average - CB.normaliserAndMean(Double(l)).mean) < 0.01, "ℓ = \(l): \(average)")
        }
    }

    /// The configuration: its JSON, its command-line name, its refusals, grey data.
    @Test func configuration() throws {
        let likelihood = try Likelihood.named("continuous-bernoulli")
        #expect(likelihood == .continuousBernoulli && !likelihood.binarizesData)
        try likelihood.validate()
        #expect(String(decoding: try JSONEncoder().encode(likelihood), as: UTF8.self) == #"{"type":"continuous_bernoulli"}"#)
        #expect(try JSONDecoder().decode(Likelihood.self, from: Data(#"{"type":"continuous_bernoulli"}"#.utf8)) == likelihood)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Likelihood.self, from: Data(#"{"type":"poisson"}"#.utf8)) }
        #expect(throws: VAEConfigurationError.self) { try Likelihood(.continuousBernoulli, sigma: 0.1).validate() }
        #expect(throws: VAEConfigurationError.self) { try Likelihood.named("bernoulli", sigma: 0.1).validate() }
    }

    /// A small model trains on grey pixels with the importance-weighted bound (k = 3), and its
    /// test ELBO rises; its importance-weighted NLL comes out finite and below −ELBO.
    @Test func modelTrainsOnTheBoundAndEvaluates() throws {
        let test = try MNIST.load(split: .test).prefix(256)
        var configuration = TrainingConfiguration(model: VAEConfiguration(latentDimensions: 3, architecture: .mlp, likelihood: .continuousBernoulli),
                                                  epochs: 2, batchSize: 64, seed: 2)
        configuration.importanceSamples = 3
        let trainer = try Trainer(configuration: configuration, trainingSet: test)
        let elbo = { try evaluateELBO(model: trainer.model, images: test.images, limit: 64, seed: 3) }
        let before = try elbo().elbo.mean
        try trainer.train()
        let after = try elbo()
        #expect(!trainer.batches.binarize && after.elbo.mean > before, "training should raise the ELBO: \(before) → \(after.elbo.mean)")
        let iw = try evaluateImportanceWeighted(model: trainer.model, images: test.images, samples: 20, limit: 64, seed: 3)
        #expect(iw.negativeLogLikelihood.mean.isFinite && iw.negativeLogLikelihood.mean < -after.elbo.mean)
    }
}

/// Importance weighting with any likelihood: at k = 1 without the KL term (β = 0) the bound's
/// pass is the ELBO's reconstruction, gradient bit for bit in every parameter (the likelihood's
/// own included), as `ImportanceWeightedTests.oneSampleWithoutTheKLIsTheELBOBitForBit` shows for
/// the Bernoulli.
@Suite struct LikelihoodPartImportanceTests {
    @Test(arguments: [Likelihood.gaussian, .learnedGaussian, .continuousBernoulli])
    func oneSampleWithoutTheKLIsTheELBOBitForBit(_ likelihood: Likelihood) throws {
        var random = RandomSource(seed: 3)
        var configuration = ImportanceWeightedTests.plain
        configuration.likelihood = likelihood
        let model = try VAE(configuration, using: &random)
        // A learned variance that differs per pixel, so that its gradient is not uniform.
        for p in model.likelihood.parameters { p.value = Tensor.gaussian(p.value.shape, using: &random).map { 0.5 * $0 - 3 } }
        let images = try MNIST.load(split: .test).prefix(16).images            // grey pixels
        let noise = Tensor.gaussian([1, 16, 3], using: &random)
        var unused = RandomSource(seed: 0)
        let elbo = try ImportanceWeightedTests.pass(model) {
            try model.accumulateGradients(images: images, objective: .beta(0), noise: noise.reshaped([16, 3]), using: &unused)
        }
        let iwae = try ImportanceWeightedTests.pass(model) {
            try model.accumulateImportanceWeightedGradients(images: images, samples: 1, beta: 0, noise: noise, using: &unused).terms
        }
        #expect(elbo.0 == iwae.0, "\(likelihood.summary): every gradient bit should agree")
        #expect(LossTests.relativeError(iwae.1.reconstruction, elbo.1.reconstruction) < 1e-12)
        if likelihood == .learnedGaussian {
            #expect(model.likelihood.parameters.count == 1 && model.parameters.contains { $0 === model.likelihood.parameters[0] })
        }
    }

    /// A non-Bernoulli model may train on the importance-weighted bound.
    @Test func trainingConfigurationTakesAnyLikelihood() throws {
        for likelihood in [Likelihood.gaussian, .learnedGaussian, .continuousBernoulli] {
            var configuration = TrainingConfiguration()
            configuration.importanceSamples = 5
            configuration.model.likelihood = likelihood
            try configuration.validate()
        }
    }
}
