import Foundation
import Testing
@testable import VAECore
@testable import VAENeural

/// The VampPrior (`VampPrior`, `Prior`): its log p(z) and gradients against PyTorch's logsumexp and
/// autograd (`Fixtures/vamp_prior.py`) and against central differences, the case of one component
/// at N(0, I) (the standard normal), a whole training step against PyTorch and central
/// differences, the evaluations, sampling, checkpoints and the refusals.
@Suite struct VampPriorTests {
    nonisolated(unsafe) static let fixture = Result { try Fixture("vamp_prior") }

    // MARK: The density

    /// log p(z) of every code within 10⁻⁹ relative of PyTorch's float64 logsumexp (both in Double
    /// from the same float32 inputs), and the gradients of Σ_n w_n log p(z_n) with respect to z,
    /// μ_k and log σ²_k within 10⁻⁵ of their scale. "fn_far" holds codes hundreds of standard
    /// deviations from every component, where only a log-sum-exp that subtracts the largest term
    /// stays finite.
    @Test(arguments: ["fn_small", "fn_wide", "fn_far"])
    func densityMatchesPyTorch(_ name: String) throws {
        let f = try Self.fixture.get()
        let z = try f.tensor(name, "z")
        let components = DiagonalGaussian(mean: try f.tensor(name, "mu_k"), logVariance: try f.tensor(name, "logvar_k"))
        let weights = try f.tensor(name, "weights").scalars.map(Double.init)
        let expected = try f.numbers(name, "log_p_list")
        let logP = VampPrior.logDensity(z, components: components)
        #expect(logP.count == expected.count)
        for (a, e) in zip(logP, expected) { #expect(abs(a - e) <= 1e-9 * abs(e), "\(name): log p \(a) vs \(e)") }
        let (logP2, dz, dComponents) = VampPrior.logDensityGradients(z, components: components, rowWeights: weights)
        #expect(logP2 == logP, "the gradient pass reports the same densities, bit for bit")
        for (actual, key) in [(dz, "grad_z"), (dComponents.mean, "grad_mu_k"), (dComponents.logVariance, "grad_logvar_k")] {
            let expectedGradient = try f.tensor(name, key)
            let scale = expectedGradient.scalars.map(abs).max() ?? 1
            #expect(maxRelativeError(actual, expectedGradient, floor: scale * 1e-3) < 1e-5, "\(name): \(key)")
        }
    }

    /// Components and codes for the central differences: K = 4, D = 3, N = 5, variances from
    /// e^{−2} to e^{1}.
    static func randomCase(seed: UInt64) -> (z: Tensor, components: DiagonalGaussian, weights: [Double]) {
        var random = RandomSource(seed: seed)
        let components = DiagonalGaussian(mean: Tensor.gaussian([4, 3], using: &random),
                                          logVariance: Tensor.uniform([4, 3], lower: -2, upper: 1, using: &random))
        let z = Tensor.gaussian([5, 3], standardDeviation: 1.5, using: &random)
        let weights = (0..<5).map { _ in Double(random.gaussian()) }
        return (z, components, weights)
    }

    /// Each gradient entry against the central difference of Σ_n w_n log p(z_n) (in Double) over
    /// the Float step that moving that one input by h = 10⁻³ really takes: within 10⁻⁵ of the
    /// largest entry (the truncation error is O(h²); nothing else is lost).
    @Test func densityMatchesFiniteDifferences() throws {
        let (z, components, weights) = Self.randomCase(seed: 11)
        let (_, dz, dComponents) = VampPrior.logDensityGradients(z, components: components, rowWeights: weights)
        func objective(_ z: Tensor, _ q: DiagonalGaussian) -> Double {
            zip(VampPrior.logDensity(z, components: q), weights).reduce(0) { $0 + $1.0 * $1.1 }
        }
        func central(_ value: Float, _ evaluate: (Float) -> Double) -> Double {
            let h: Float = 1e-3
            let (up, down) = (value + h, value - h)
            return (evaluate(up) - evaluate(down)) / (Double(up) - Double(down))
        }
        var worst = 0.0, largest = 0.0
        for i in 0..<z.count {
            let numeric = central(z.scalars[i]) { v in var moved = z; moved.scalars[i] = v; return objective(moved, components) }
            worst = max(worst, abs(numeric - Double(dz.scalars[i])))
            largest = max(largest, abs(numeric))
        }
        for i in 0..<components.mean.count {
            let dMean = central(components.mean.scalars[i]) { v in
                var q = components; q.mean.scalars[i] = v; return objective(z, q)
            }
            let dLogVariance = central(components.logVariance.scalars[i]) { v in
                var q = components; q.logVariance.scalars[i] = v; return objective(z, q)
            }
            worst = max(worst, abs(dMean - Double(dComponents.mean.scalars[i])), abs(dLogVariance - Double(dComponents.logVariance.scalars[i])))
            largest = max(largest, abs(dMean), abs(dLogVariance))
        }
        #expect(largest > 0.1, "the gradients should not be negligible")
        #expect(worst < 1e-5 * largest, "largest difference \(worst) against a scale of \(largest)")
    }

    /// One component at N(0, I) (μ = 0, log σ² = 0) is the standard normal: log p(z) =
    /// Σ_d −½(z_d² + log 2π) and ∂log p/∂z = −z; so are three identical such components (the
    /// log-sum-exp of three equal terms minus log 3), whose gradients share Σ_n w_n z_n and
    /// Σ_n w_n (z_n² − 1)/2 equally.
    @Test func oneComponentAtTheOriginIsTheStandardNormal() throws {
        let (z, _, weights) = Self.randomCase(seed: 12)
        let standard = StandardNormalPrior(latentDimensions: 3).logDensity(z, inputPosteriors: nil)
        for k in [1, 3] {
            let origin = DiagonalGaussian(mean: Tensor(shape: [k, 3]), logVariance: Tensor(shape: [k, 3]))
            let (logP, dz, dComponents) = VampPrior.logDensityGradients(z, components: origin, rowWeights: weights)
            for (a, e) in zip(logP, standard) { #expect(abs(a - e) <= 1e-12 * abs(e), "K = \(k): \(a) vs \(e)") }
            for n in 0..<5 {
                for j in 0..<3 {
                    let expected = -weights[n] * Double(z.scalars[n * 3 + j])
                    #expect(abs(Double(dz.scalars[n * 3 + j]) - expected) <= 1e-6 * max(1, abs(expected)))
                }
            }
            for j in 0..<3 {
                let mean = (0..<5).reduce(0.0) { $0 + weights[$1] * Double(z.scalars[$1 * 3 + j]) } / Double(k)
                let variance = (0..<5).reduce(0.0) { total, n in
                    let v = Double(z.scalars[n * 3 + j])
                    return total + weights[n] * 0.5 * (v * v - 1)
                } / Double(k)
                for c in 0..<k {
                    #expect(abs(Double(dComponents.mean.scalars[c * 3 + j]) - mean) <= 1e-6 * max(1, abs(mean)))
                    #expect(abs(Double(dComponents.logVariance.scalars[c * 3 + j]) - variance) <= 1e-6 * max(1, abs(variance)))
                }
            }
        }
    }

    // MARK: The training step

    /// One training-mode pass of a small VAE with K = 4 pseudo-inputs, the encoder run once over
    /// [x; u] (batch norm over all 9 rows): the terms and every gradient, the pseudo-inputs'
    /// included, as PyTorch's autograd gives them (judged as `VAETests.matchesPyTorch` judges).
    @Test func trainingStepMatchesPyTorch() throws {
        let f = try Self.fixture.get()
        let name = "vae_small"
        let model = try VAETests.model(name, f)
        #expect(model.configuration.prior == .vamp(pseudoInputs: 4))
        var unused = RandomSource(seed: 1)
        let terms = try model.accumulateGradients(images: try f.tensor(name, "images"), noise: try f.tensor(name, "epsilon"), using: &unused)
        let reconstruction = try f.number(name, "reconstruction"), objective = try f.number(name, "objective")
        #expect(abs(terms.reconstruction - reconstruction) <= 1e-5 * reconstruction)
        #expect(abs(terms.objective - objective) <= 1e-5 * objective)
        // KL̂ is a difference of log-densities of about 5 nats each: judged on their scale.
        let kl = try f.number(name, "kl")
        #expect(abs(terms.kl - kl) <= 1e-5 * 5, "KL̂ \(terms.kl) vs \(kl)")
        try VAETests.expectGradientsMatch(model.parameters, f, name)
        // The pseudo-inputs' gradient is small beside the decoder's: judged on its own scale too.
        let logits = try #require(model.parameters.last)
        #expect(logits.name == VampPrior.parameterName)
        let expected = try f.tensor(name, "grad:" + logits.name)
        let scale = expected.scalars.map(abs).max() ?? 1
        #expect(scale > 0 && maxRelativeError(logits.gradient, expected, floor: scale * 1e-2) < 1e-3)
    }

    /// `ImportanceWeightedTests.smoothModel` (Swish, batch norm in the decoder) with a VampPrior
    /// of 3 pseudo-inputs spread over (0, 1), so that their posteriors differ and the pseudo-inputs'
    /// gradient is not negligible.
    static func smoothVampModel(seed: UInt64, flow: FlowConfiguration? = nil) throws -> VAE {
        var configuration = ImportanceWeightedTests.smoothModel
        configuration.prior = .vamp(pseudoInputs: 3)
        configuration.flow = flow
        var random = RandomSource(seed: seed)
        let model = try VAE(configuration, using: &random)
        let logits = try #require(model.parameters.last)
        logits.value = Tensor.uniform(logits.value.shape, lower: -3, upper: 3, using: &random)
        return model
    }

    /// Central differences of the whole loss for every parameter tensor, the pseudo-inputs' logits
    /// included, for β = 1 and ½ with a fixed ε: each along the direction v = unit(ĝ + r), ĝ the
    /// unit gradient and r a random unit vector, so that ⟨∇L, v⟩ is about 0.7‖∇L‖ (a purely random
    /// direction in thousands of dimensions is nearly orthogonal to the gradient, and its small
    /// directional derivative drowns in the Float rounding of a 600-nat loss); a wrong gradient
    /// still shows, since v is not orthogonal to the error either. Every tensor within 10⁻², their
    /// median within 2·10⁻³. The step is h = 10⁻², and 10⁻¹ for the pseudo-inputs: they act only
    /// through the KL of six images, and a step of 10⁻² moves their encodings by less than Float
    /// resolves cleanly (the networks are smooth, Swish, so the larger step's truncation error is
    /// small). The transposed convolution before batch norm has a true gradient of 0 and is left out.
    @Test(arguments: [1.0, 0.5])
    func trainingStepMatchesFiniteDifferences(_ beta: Double) throws {
        let model = try Self.smoothVampModel(seed: 21)
        let images = try MNIST.load(split: .test).prefix(6).binarized(seed: 2).images
        var random = RandomSource(seed: 22)
        let noise = Tensor.gaussian([6, 3], using: &random)
        try Self.expectFiniteDifferences(model, "β = \(beta)", using: &random) {
            var unused = RandomSource(seed: 0)
            return try model.accumulateGradients(images: images, objective: .beta(beta), noise: noise, using: &unused).objective
        }
    }

    /// The importance-weighted bound with the VampPrior (the IWAE estimator, k = 4; the prior's
    /// log-density and its gradients with respect to the codes and the pseudo-inputs' posteriors
    /// weighted by each code's w̃): against central differences as the ELBO's step above.
    @Test(arguments: [1.0, 0.5])
    func importanceWeightedStepMatchesFiniteDifferences(_ beta: Double) throws {
        let model = try Self.smoothVampModel(seed: 21)
        let images = try MNIST.load(split: .test).prefix(6).binarized(seed: 2).images
        var random = RandomSource(seed: 23)
        let noise = Tensor.gaussian([4, 6, 3], using: &random)
        try Self.expectFiniteDifferences(model, "k = 4, β = \(beta)", using: &random) {
            var unused = RandomSource(seed: 0)
            return try model.accumulateImportanceWeightedGradients(images: images, samples: 4, beta: beta, noise: noise,
                                                                   using: &unused).terms.objective
        }
    }

    /// Checks every parameter's gradient of `loss` (one pass that accumulates it) against central
    /// differences along v = unit(ĝ + r), as `trainingStepMatchesFiniteDifferences` describes.
    static func expectFiniteDifferences(_ model: VAE, _ label: String, using random: inout RandomSource,
                                        _ pass: () throws -> Double) throws {
        func loss() throws -> Double {
            let saved = model.buffers.map(\.value)
            defer { for (b, v) in zip(model.buffers, saved) { b.value = v } }
            model.zeroGradients()
            return try pass()
        }
        _ = try loss()
        let gradients = model.parameters.map(\.gradient)
        var errors: [String: Double] = [:]
        for (p, gradient) in zip(model.parameters, gradients) where p.name != "decoder.deconv1.bias" {
            let r = Tensor.gaussian(p.value.shape, using: &random)
            let direction = gradient * Float(1 / gradient.norm()) + r * Float(1 / r.norm())
            let v = direction * Float(1 / direction.norm())
            let analytic = zip(gradient.scalars, v.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let h: Float = p.name == VampPrior.parameterName ? 1e-1 : 1e-2
            let original = p.value
            p.value = original + v * h
            let up = try loss()
            p.value = original - v * h
            let down = try loss()
            p.value = original
            errors[p.name] = abs((up - down) / Double(2 * h) - analytic) / abs(analytic)
        }
        #expect(errors.count == model.parameters.count - 1 && errors[VampPrior.parameterName] != nil)
        for (name, error) in errors.sorted(by: { $0.key < $1.key }) {
            #expect(error < 1e-2, "\(label): \(name) differs from its finite difference by \(error)")
        }
        let median = errors.values.sorted()[errors.count / 2]
        #expect(median < 2e-3, "\(label): the median error is \(median)")
    }

    /// At k = 1 (w̃ = 1) the importance-weighted bound with the VampPrior is the ELBO with its
    /// one-sample KL̂ at the same code, the pseudo-inputs' gradient included
    /// (`ImportanceWeightedTests.expectOneSampleIsTheOneSampleELBO`), for β = 1 and ½.
    @Test(arguments: [1.0, 0.5])
    func oneImportanceSampleIsTheELBO(_ beta: Double) throws {
        let model = try Self.smoothVampModel(seed: 31)
        let images = try MNIST.load(split: .test).prefix(8).binarized(seed: 2).images
        var random = RandomSource(seed: 32)
        let noise = Tensor.gaussian([1, 8, 3], using: &random)
        try ImportanceWeightedTests.expectOneSampleIsTheOneSampleELBO(model, images: images, noise: noise, beta: beta)
    }

    // MARK: With a flow

    /// The VampPrior after an IAF posterior (2 steps): the prior scores the flow's z_T, and log q
    /// gains the flow's log-determinant.
    static let smallFlow = FlowConfiguration(steps: 2, hiddenUnits: 12, contextFeatures: 5)

    /// A Vamp model with a flow made strong and kept away from ReLU's kinks on the codes of `noise`
    /// ((k, B, D)) for `images` (`FlowTests.strengthen`, `FlowTests.awayFromKinks`).
    static func flowingVampModel(seed: UInt64, images: Tensor, noise: Tensor) throws -> VAE {
        let model = try smoothVampModel(seed: seed, flow: smallFlow)
        let (k, b, d) = (noise.shape[0], noise.shape[1], noise.shape[2])
        let (mean, logVariance, features) = try model.encodeWithFeatures(images)
        let image = (0..<k * b).map { $0 % b }
        var unused = RandomSource(seed: 0)
        let z0 = VAE.reparameterize(mean: mean.rows(at: image), logVariance: logVariance.rows(at: image),
                                    noise: noise.reshaped([k * b, d]), using: &unused).z
        let flow = try FlowTests.iaf(model)
        FlowTests.strengthen(flow)
        try FlowTests.awayFromKinks(flow, z0: z0, features: features.rows(at: image))
        return model
    }

    /// The ELBO's step (k = 1) and the importance-weighted bound's (k = 4) of a model with both
    /// the flow and the VampPrior, against central differences as the steps above.
    @Test(arguments: [1, 4])
    func withAFlowTheStepsMatchFiniteDifferences(_ k: Int) throws {
        let images = try MNIST.load(split: .test).prefix(6).binarized(seed: 2).images
        var random = RandomSource(seed: 24)
        let noise = Tensor.gaussian([k, 6, 3], using: &random)
        let model = try Self.flowingVampModel(seed: 21, images: images, noise: noise)
        try Self.expectFiniteDifferences(model, "flow, k = \(k)", using: &random) {
            var unused = RandomSource(seed: 0)
            if k == 1 {
                return try model.accumulateGradients(images: images, noise: noise.reshaped([6, 3]), using: &unused).objective
            }
            return try model.accumulateImportanceWeightedGradients(images: images, samples: k, noise: noise, using: &unused).terms.objective
        }
    }

    /// With the flow too, one importance sample is the ELBO with its one-sample KL̂.
    @Test func withAFlowOneImportanceSampleIsTheELBO() throws {
        let images = try MNIST.load(split: .test).prefix(8).binarized(seed: 2).images
        var random = RandomSource(seed: 33)
        let noise = Tensor.gaussian([1, 8, 3], using: &random)
        let model = try Self.smoothVampModel(seed: 31, flow: Self.smallFlow)
        FlowTests.strengthen(try FlowTests.iaf(model))
        try ImportanceWeightedTests.expectOneSampleIsTheOneSampleELBO(model, images: images, noise: noise, beta: 1)
    }

    /// K = 1 and an encoder head of zeros: every posterior, the pseudo-input's and the images',
    /// is N(0, I), so the prior is the standard normal and q(z|x) = p(z). Then KL̂ = log q(z|x) −
    /// log p(z) is 0 for every image (up to rounding), and the KL's gradients with respect to the
    /// head's bias cancel (moving every posterior's μ or log σ² together moves p with q), so the
    /// bias's gradient is the reconstruction's alone, β = 0's; nothing reaches the pseudo-input
    /// through a head of zeros.
    @Test func oneComponentAtTheOriginGivesNoKL() throws {
        var configuration = ImportanceWeightedTests.smoothModel
        configuration.prior = .vamp(pseudoInputs: 1)
        var random = RandomSource(seed: 31)
        let model = try VAE(configuration, using: &random)
        model.encoderHead.weight.value = Tensor(shape: model.encoderHead.weight.value.shape)
        model.encoderHead.bias!.value = Tensor(shape: model.encoderHead.bias!.value.shape)
        let images = try MNIST.load(split: .test).prefix(8).binarized(seed: 3).images
        let noise = Tensor.gaussian([8, 3], using: &random)
        func gradients(_ beta: Double) throws -> (ELBOTerms, [String: Tensor]) {
            let saved = model.buffers.map(\.value)
            defer { for (b, v) in zip(model.buffers, saved) { b.value = v } }
            model.zeroGradients()
            var unused = RandomSource(seed: 0)
            let terms = try model.accumulateGradients(images: images, objective: .beta(beta), noise: noise, using: &unused)
            return (terms, Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0.gradient) }))
        }
        let (terms, withKL) = try gradients(1)
        let (_, withoutKL) = try gradients(0)
        #expect(abs(terms.kl) < 1e-6, "KL̂ = \(terms.kl)")
        let bias = try #require(model.encoderHead.bias?.name)
        let expected = try #require(withoutKL[bias]), actual = try #require(withKL[bias])
        #expect(maxRelativeError(actual, expected, floor: (expected.scalars.map(abs).max() ?? 1) * 1e-3) < 1e-4)
        #expect(withKL[VampPrior.parameterName]?.scalars.allSatisfy { $0 == 0 } == true)
    }

    /// Training keeps the pseudo-inputs in (0, 1) and moves them; the terms stay finite.
    @Test func trainingMovesThePseudoInputs() throws {
        let model = try Self.smoothVampModel(seed: 41)
        let images = try MNIST.load(split: .test).prefix(16).binarized(seed: 4).images
        let logits = try #require(model.parameters.last)
        let before = logits.value
        let optimizer = try Adam(model.parameters, learningRate: 1e-2)
        var random = RandomSource(seed: 42)
        for _ in 0..<3 {
            model.zeroGradients()
            let terms = try model.accumulateGradients(images: images, using: &random)
            #expect(terms.kl.isFinite && terms.reconstruction.isFinite)
            optimizer.step()
        }
        #expect(logits.value.scalars != before.scalars)
        let inputs = try #require(model.prior.encoderInputs())
        #expect(inputs.shape == [3, 1, 28, 28] && inputs.scalars.allSatisfy { $0 > 0 && $0 < 1 })
    }

    // MARK: Evaluation, sampling, checkpoints

    /// The ELBO's KL column is KL̂ = log q(z|x) − log p(z) at its one z, with the VampPrior's
    /// log p; the chunked importance-weighted estimate equals the naive reference (one sample at
    /// a time, log 2π kept) fed the same ε, for several batch and chunk sizes. With a flow, z is
    /// its z_T and log q gains its log-determinant, in both.
    @Test(arguments: [false, true])
    func evaluationsUseTheVampPrior(withFlow: Bool) throws {
        let model = try Self.smoothVampModel(seed: 51, flow: withFlow ? Self.smallFlow : nil)
        model.isTraining = false
        let images = try MNIST.load(split: .test).prefix(5).binarized(seed: 5).images
        let (n, k, d) = (5, 7, 3)

        let elbo = try evaluateELBO(model: model, images: images, batchSize: 2, seed: 9)
        var random = RandomSource(seed: 9)
        let prior = try model.preparedPrior()
        #expect(!prior.isStandardNormal)
        for i in 0..<n {
            let (mean, logVariance, features) = try model.encodeWithFeatures(images.rows(i..<(i + 1)))
            let epsilon = Tensor.gaussian([1, d], using: &random)
            var z = VAE.reparameterize(mean: mean, logVariance: logVariance, noise: epsilon, using: &random).z
            var logQ = 0.0
            for j in 0..<d {
                logQ += -0.5 * (Double(epsilon.scalars[j]) * Double(epsilon.scalars[j]) + Double(logVariance.scalars[j]) + log(2 * Double.pi))
            }
            if let flow = model.flow {              // z_T, and log q(z_T|x) = log q(z₀|x) − log-determinant
                let (zT, logDeterminants) = flow.forward(z, context: flow.contextVectors(features))
                (z, logQ) = (zT, logQ - logDeterminants[0])
            }
            let expected = logQ - VampPrior.logDensity(z, components: try #require(prior.inputPosteriors))[0]
            #expect(abs(elbo.perImageKL[i] - expected) <= 1e-4 * max(1, abs(expected)), "image \(i): \(elbo.perImageKL[i]) vs \(expected)")
        }

        random = RandomSource(seed: 6)
        var expected: [Double] = []
        for i in 0..<n {
            var epsilon = [Float](repeating: 0, count: k * d)
            epsilon.withUnsafeMutableBufferPointer { random.fillGaussian($0) }
            expected.append(logMeanExp(try importanceLogWeightsReference(model: model, image: images.rows(i..<(i + 1)), label: nil, epsilon: epsilon)))
        }
        for (batchSize, chunkSize) in [(2, 4), (5, 100), (1, 3)] {
            let result = try evaluateImportanceWeighted(model: model, images: images, samples: k, batchSize: batchSize,
                                                        chunkSize: chunkSize, seed: 6)
            for i in 0..<n {
                #expect(abs(result.logLikelihoods[i] - expected[i]) <= 2e-3 + 1e-5 * abs(expected[i]),
                        "batch \(batchSize) chunk \(chunkSize) image \(i): \(result.logLikelihoods[i]) vs \(expected[i])")
            }
        }
    }

    /// Draws from the mixture: images in [0, 1], the same for the same seed; at temperature 0
    /// every code is one of the components' means.
    @Test func samplesComeFromTheMixture() throws {
        let model = try Self.smoothVampModel(seed: 61)
        model.isTraining = false
        var a = RandomSource(seed: 3), b = RandomSource(seed: 3)
        let first = try model.samplePrior(count: 6, using: &a), second = try model.samplePrior(count: 6, using: &b)
        #expect(first.shape == [6, 1, 28, 28] && first.scalars == second.scalars)
        #expect(first.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        let prepared = try model.preparedPrior()
        var random = RandomSource(seed: 4)
        let codes = prepared.sample(count: 20, temperature: 0, using: &random)
        let means = try #require(prepared.inputPosteriors).mean
        for row in 0..<20 {
            let code = Array(codes.scalars[(row * 3)..<(row * 3 + 3)])
            #expect((0..<3).contains { Array(means.scalars[($0 * 3)..<($0 * 3 + 3)]) == code })
        }
    }

    /// A model file holds the pseudo-inputs' logits under their name and the prior in its
    /// `model_config`; reloaded, it gives the same log p(z). A model with N(0, I) writes no
    /// `prior` key (its JSON, and every fingerprint made from it, unchanged).
    @Test func checkpointsKeepThePrior() throws {
        let model = try Self.smoothVampModel(seed: 71)
        model.isTraining = false
        let file = try Checkpoint.modelFile(model)
        let entry = try #require(file.entries.first { $0.name == VampPrior.parameterName })
        #expect(entry.tensor.shape == [3, 1, 28, 28])
        let json = try #require(file.metadata[Checkpoint.Key.model])
        #expect(json.contains("\"prior\":{\"pseudoInputs\":3,\"type\":\"vamp\"}"))
        let loaded = try Checkpoint(SafeTensors(parsing: file.serialized())).makeModel()
        #expect(loaded.configuration == model.configuration)
        var random = RandomSource(seed: 1)
        let z = Tensor.gaussian([4, 3], using: &random)
        #expect(try loaded.preparedPrior().logDensity(z) == (try model.preparedPrior().logDensity(z)))

        let plain = try Checkpoint.json(VAEConfiguration.reference)
        #expect(!plain.contains("prior"))
        let decoded = try JSONDecoder().decode(VAEConfiguration.self, from: Data(plain.utf8))
        #expect(decoded.prior == .standardNormal)
    }

    // MARK: Refusals

    @Test func refusesWhatItDoesNotSupport() throws {
        var random = RandomSource(seed: 81)
        for bad in [VAEConfiguration(classCount: 10, prior: .vamp(pseudoInputs: 5)),
                    VAEConfiguration(prior: .vamp(pseudoInputs: 0)),
                    VAEConfiguration(prior: .vamp(pseudoInputs: PriorConfiguration.maximumPseudoInputs + 1))] {
            #expect(throws: VAEConfigurationError.self) { try VAE(bad, using: &random) }
        }
        #expect(throws: VAEConfigurationError.self) { try PriorConfiguration.named("laplace") }
        #expect(throws: VAEConfigurationError.self) { try PriorConfiguration.named("standard-normal", pseudoInputs: 5) }
        #expect(try PriorConfiguration.named("vamp") == .vamp(pseudoInputs: 500))

        var training = TrainingConfiguration(model: VAEConfiguration(prior: .vamp(pseudoInputs: 5)))
        try training.validate()
        training.freeBits = 0.5
        #expect(throws: TrainingConfigurationError.self) { try training.validate() }
        training.freeBits = nil
        training.kl = .capacity(gamma: 100, maximum: 20, epochs: 10)
        #expect(throws: TrainingConfigurationError.self) { try training.validate() }
        training.kl = .constant(beta: 1)
        training.importanceSamples = 5
        try training.validate()
        training.importanceEstimator = .dreg
        #expect(throws: TrainingConfigurationError.self) { try training.validate() }

        let model = try Self.smoothVampModel(seed: 82)
        let images = try MNIST.load(split: .test).prefix(4).binarized(seed: 1).images
        #expect(throws: VAEConfigurationError.self) { try model.accumulateGradients(images: images, freeBits: 0.5, using: &random) }
        #expect(throws: VAEConfigurationError.self) {
            try model.accumulateImportanceWeightedGradients(images: images, samples: 2, estimator: .dreg, using: &random)
        }
        #expect(throws: VAEConfigurationError.self) { try model.termGradients(images: images, using: &random) }
    }
}
