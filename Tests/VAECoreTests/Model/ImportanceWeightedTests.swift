import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// The importance-weighted training objective (`VAE.accumulateImportanceWeightedGradients`):
/// against PyTorch's autograd (`Fixtures/iwae.py`, k = 5, both estimators, β = 1 and ½, batch norm
/// in the decoder or not; `Fixtures/importance_parts.py`, with a flow or the VampPrior), against
/// central differences of its own loss, against the ELBO at k = 1 (bit for bit without the KL
/// term; in expectation with it), DReG against IWAE in expectation, and the bound tightening with
/// k on a briefly trained model.
@Suite struct ImportanceWeightedTests {
    nonisolated(unsafe) static let fixture = Result { try Fixture("iwae") }

    // MARK: PyTorch

    /// One training-mode pass of a small VAE (batch norm over all k·B codes in the decoder): the
    /// loss, every image's bound, every parameter's gradient (judged as in `VAETests.matchesPyTorch`:
    /// 10⁻³ of each gradient's scale) and batch norm's running statistics after the pass.
    @Test(arguments: ["iwae_bn", "iwae_beta_half", "dreg", "dreg_beta_half", "dreg_bn"])
    func matchesPyTorch(_ name: String) throws {
        let f = try Self.fixture.get()
        let model = try VAETests.model(name, f)
        let k = try f.integers(name, "k")[0], beta = try f.number(name, "beta")
        var unused = RandomSource(seed: 1)
        let result = try model.accumulateImportanceWeightedGradients(
            images: try f.tensor(name, "images"), samples: k, estimator: name.hasPrefix("dreg") ? .dreg : .iwae,
            beta: beta, noise: try f.tensor(name, "epsilon"), using: &unused)
        // PyTorch's loss is a float32 sum of float32 terms; ours sums the same terms in Double.
        #expect(LossTests.relativeError(result.terms.objective, try f.number(name, "loss")) < 1e-5)
        let bounds = try f.numbers(name, "bounds")
        #expect(zip(result.bounds, bounds).allSatisfy { LossTests.relativeError($0, $1) < 1e-5 }, "\(result.bounds) against \(bounds)")
        try VAETests.expectGradientsMatch(model.parameters, f, name)
        for b in model.buffers where b.name.contains("running") {
            #expect(maxRelativeError(b.value, try f.tensor(name, "after:" + b.name), floor: 1e-3) < 1e-4, "\(name): \(b.name)")
        }
    }

    nonisolated(unsafe) static let partsFixture = Result { try Fixture("importance_parts") }

    /// The bound with the posterior or the prior as a part (`composedCodes`,
    /// `composedLatentGradient`): an IAF after the Gaussian (β = 1 with 2 steps, β = ½ with 3), the
    /// VampPrior of 4 pseudo-inputs, and both at once, k = 3, against PyTorch's autograd
    /// (`Fixtures/importance_parts.py`): the loss and every image's bound to 10⁻⁵, every gradient
    /// as `matchesPyTorch` judges them, the pseudo-inputs' also on their own scale (small beside
    /// the decoder's, as `VampPriorTests.trainingStepMatchesPyTorch` says). `iwae_conditional` and
    /// `iwae_iaf_conditional` are chapter 7's CVAE (a centre per label) with the Gaussian (the fused
    /// loops) and with the flow (the composed pass).
    @Test(arguments: ["iwae_iaf", "iwae_iaf_beta_half", "iwae_vamp", "iwae_iaf_vamp", "iwae_conditional", "iwae_iaf_conditional"])
    func composedPartsMatchPyTorch(_ name: String) throws {
        let f = try Self.partsFixture.get()
        let model = try VAETests.model(name, f)
        let labels = f.cases[name]?["labels"] as? [Int]
        #expect(model.flow != nil || model.configuration.prior == .vamp(pseudoInputs: 4) || labels != nil)
        #expect((labels != nil) == name.hasSuffix("conditional") && (labels == nil || model.labelCentres != nil))
        let k = try f.integers(name, "k")[0], beta = try f.number(name, "beta")
        var unused = RandomSource(seed: 1)
        let result = try model.accumulateImportanceWeightedGradients(
            images: try f.tensor(name, "images"), labels: labels, samples: k, beta: beta, noise: try f.tensor(name, "epsilon"),
            using: &unused)
        #expect(LossTests.relativeError(result.terms.objective, try f.number(name, "loss")) < 1e-5)
        let bounds = try f.numbers(name, "bounds")
        #expect(zip(result.bounds, bounds).allSatisfy { LossTests.relativeError($0, $1) < 1e-5 }, "\(result.bounds) against \(bounds)")
        try VAETests.expectGradientsMatch(model.parameters, f, name)
        if let logits = model.parameters.last, logits.name == VampPrior.parameterName {
            let expected = try f.tensor(name, "grad:" + logits.name)
            let scale = expected.scalars.map(abs).max() ?? 1
            #expect(scale > 0 && maxRelativeError(logits.gradient, expected, floor: scale * 1e-2) < 1e-3)
        }
    }

    // MARK: Finite differences

    /// A small VAE with smooth activations (Swish) and batch norm in the decoder (whose statistics
    /// over the k·B codes are part of the function), so that no kink lies within a step.
    static let smoothModel = VAEConfiguration(
        latentDimensions: 3,
        architecture: Architecture(
            encoder: [.conv(4, kernel: 4, stride: 2, padding: 1), .swish,
                      .conv(8, kernel: 4, stride: 2, padding: 1), .swish, .flatten],
            decoder: [.linear(196), .swish, .reshape([4, 7, 7]), .deconv(4, kernel: 4, stride: 2, padding: 1),
                      .batchNorm, .swish, .deconv(1, kernel: 4, stride: 2, padding: 1)]))

    /// The same check for a conditional model with a centre per label (chapter 7's CVAE, the centres
    /// drawn away from 0 where they start), k = 5, β = 1 and ½: the labels reach the encoder's head
    /// and, beside each code shifted by its label's centre, the decoder. The label carries much of
    /// what the encoder's code did, so the encoder's gradients are small (about 0.3 in norm for its
    /// second convolution at β = ½) and a directional derivative of 0.02 is within reach of the
    /// loss's Float rounding (about 10⁻⁴ nats over 2h): the step is h = 3·10⁻², where the
    /// differences along three random directions agreed with the gradient to 0.1% (at h = 10⁻² to 1%,
    /// at 10⁻³ to 4%: rounding, not the derivation), with the tolerances above.
    @Test(arguments: [1.0, 0.5])
    func aConditionalModelMatchesFiniteDifferences(_ beta: Double) throws {
        var configuration = Self.smoothModel
        configuration.classCount = 10
        configuration.labelCentres = true
        var random = RandomSource(seed: 23)
        let model = try VAE(configuration, using: &random)
        let centres = try #require(model.labelCentres)
        centres.value = Tensor.gaussian(centres.value.shape, using: &random)
        let data = try MNIST.load(split: .test).prefix(6).binarized(seed: 2)
        let (images, labels) = (data.images, data.labels.map { Int($0) })
        let noise = Tensor.gaussian([5, 6, 3], using: &random)
        let layer = try ObjectiveLayer(model: model) {
            var unused = RandomSource(seed: 0)
            return try model.accumulateImportanceWeightedGradients(images: images, labels: labels, samples: 5, beta: beta,
                                                                   noise: noise, using: &unused).terms.objective
        }
        let result = checkGradients(of: layer, input: Tensor(shape: [1]), seed: 1, step: 3e-2)
        #expect(result.parameters.keys.contains("label_centres.weight"))
        expectWholeLossGradients(result, of: model.parameters, skipping: "decoder.deconv1.bias", "conditional, β = \(beta)")
        // A conditional model needs its labels, and DReG is refused for it in words.
        var unused = RandomSource(seed: 0)
        #expect(throws: VAEConfigurationError.self) {
            try model.accumulateImportanceWeightedGradients(images: images, samples: 5, noise: noise, using: &unused)
        }
        #expect(throws: VAEConfigurationError.self) {
            try model.accumulateImportanceWeightedGradients(images: images, labels: labels, samples: 5, estimator: .dreg,
                                                            noise: noise, using: &unused)
        }
    }

    /// Central differences of the loss (h = 10⁻²) along a random direction of each parameter
    /// tensor, for k = 1 and 5 and β = 1 and ½, batch norm training. The loss, about 600 nats, comes
    /// from Float forward passes whose rounding moves it by about 10⁻⁶ nats from step to step, and
    /// a random direction can be nearly orthogonal to a tensor's gradient (a directional derivative
    /// of 10⁻³ where the gradient's norm is 3): such a direction's relative error reaches a few
    /// 10⁻³. So every tensor's error must stay below 2·10⁻² (a wrong term of the derivation is off
    /// by order 1) and their median below 2·10⁻³. The bias of the transposed convolution that batch
    /// norm follows has a true gradient of 0 (batch norm removes any constant): both sides hold
    /// rounding noise there, so it is checked to be negligible instead.
    @Test(arguments: [(1, 1.0), (5, 1.0), (5, 0.5)])
    func matchesFiniteDifferences(_ k: Int, _ beta: Double) throws {
        var random = RandomSource(seed: 21)
        let model = try VAE(Self.smoothModel, using: &random)
        let images = try MNIST.load(split: .test).prefix(6).binarized(seed: 2).images
        let noise = Tensor.gaussian([k, 6, 3], using: &random)
        let layer = try ObjectiveLayer(model: model) {
            var unused = RandomSource(seed: 0)
            return try model.accumulateImportanceWeightedGradients(images: images, samples: k, beta: beta, noise: noise,
                                                                   using: &unused).terms.objective
        }
        let result = checkGradients(of: layer, input: Tensor(shape: [1]), seed: 1, step: 1e-2)
        let zeroGradient = "decoder.deconv1.bias"
        expectWholeLossGradients(result, of: model.parameters, skipping: zeroGradient, "k = \(k), β = \(beta)")
        _ = layer.forward(Tensor(shape: [1]))
        _ = layer.backward(Tensor(shape: [1], scalars: [1]))
        let largest = model.parameters.map { $0.gradient.scalars.map(abs).max() ?? 0 }.max() ?? 0
        let p = try #require(model.parameters.first { $0.name == zeroGradient })
        #expect((p.gradient.scalars.map(abs).max() ?? 0) < 1e-5 * largest, "\(zeroGradient) should have no gradient")
    }

    // MARK: k = 1 and the ELBO

    static let plain = VAEConfiguration(latentDimensions: 3, channels: [4, 8])

    /// Every parameter's gradient bits, and the terms, of one pass with fresh gradients, the
    /// running statistics restored afterwards (so that two passes start alike).
    static func pass(_ model: VAE, _ body: () throws -> ELBOTerms) rethrows -> ([[UInt32]], ELBOTerms, [[UInt32]]) {
        let saved = model.buffers.map(\.value)
        defer { for (b, v) in zip(model.buffers, saved) { b.value = v } }
        model.zeroGradients()
        let terms = try body()
        return (model.parameters.map { $0.gradient.scalars.map(\.bitPattern) }, terms,
                model.buffers.map { $0.value.scalars.map(\.bitPattern) })
    }

    /// One pass of the ELBO with KL weight β and one of the bound at k = 1 with β, on the same
    /// 16 images, the same ε and the same starting state; and the model, images and ε.
    static func oneSampleAndELBO(seed: UInt64, beta: Double)
        throws -> (elbo: ([[UInt32]], ELBOTerms, [[UInt32]]), iwae: ([[UInt32]], ELBOTerms, [[UInt32]]), VAE, Tensor, Tensor) {
        var random = RandomSource(seed: seed)
        let model = try VAE(Self.plain, using: &random)
        let images = try MNIST.load(split: .test).prefix(16).binarized(seed: 1).images
        let noise = Tensor.gaussian([1, 16, 3], using: &random)
        var unused = RandomSource(seed: 0)
        let elbo = try Self.pass(model) {
            try model.accumulateGradients(images: images, objective: .beta(beta), noise: noise.reshaped([16, 3]), using: &unused)
        }
        let iwae = try Self.pass(model) {
            try model.accumulateImportanceWeightedGradients(images: images, samples: 1, beta: beta, noise: noise, using: &unused).terms
        }
        return (elbo, iwae, model, images, noise)
    }

    /// One pass of the ELBO (`accumulateGradients` with KL weight β) and one of the bound at k = 1
    /// with β, from the same state, on `images` with the same ε `noise` (1, B, D), for a model
    /// whose ELBO uses the one-sample KL̂ (a flow, the VampPrior), so that the two are the same
    /// function: the loss and the KL to 10⁻⁵ nats, every parameter's gradient to 10⁻⁴ of its
    /// tensor's largest (the passes order their sums differently: a batch-minor decoder, sums in
    /// Double), and no parameter without a gradient.
    static func expectOneSampleIsTheOneSampleELBO(_ model: VAE, images: Tensor, noise: Tensor, beta: Double) throws {
        let (b, d) = (noise.shape[1], noise.shape[2])
        var unused = RandomSource(seed: 0)
        let saved = model.buffers.map(\.value)
        model.zeroGradients()
        let elbo = try model.accumulateGradients(images: images, objective: .beta(beta), noise: noise.reshaped([b, d]), using: &unused)
        let elboGradients = model.parameters.map(\.gradient)
        for (buffer, value) in zip(model.buffers, saved) { buffer.value = value }
        model.zeroGradients()
        let bound = try model.accumulateImportanceWeightedGradients(images: images, samples: 1, beta: beta, noise: noise,
                                                                    using: &unused).terms
        #expect(abs(bound.objective - elbo.objective) < 1e-5 * max(1, abs(elbo.objective)), "\(bound) against \(elbo)")
        #expect(abs(bound.kl - elbo.kl) < 1e-5 * max(1, abs(elbo.kl)), "\(bound) against \(elbo)")
        #expect(abs(bound.reconstruction - elbo.reconstruction) < 1e-5 * max(1, elbo.reconstruction))
        for (p, expected) in zip(model.parameters, elboGradients) {
            let scale = expected.scalars.map(abs).max() ?? 0
            let difference = zip(p.gradient.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? 0
            #expect(scale > 0, "\(p.name) has no gradient")
            #expect(difference <= 1e-4 * scale, "β = \(beta): \(p.name) differs by \(difference) (scale \(scale))")
        }
    }

    /// Without the KL term (β = 0) one importance sample is the ELBO's reconstruction: the same
    /// loss (to the order of summation) and the same gradient bits in every parameter, encoder
    /// and decoder; batch norm's running statistics move alike.
    @Test func oneSampleWithoutTheKLIsTheELBOBitForBit() throws {
        let (elbo, iwae, _, _, _) = try Self.oneSampleAndELBO(seed: 3, beta: 0)
        #expect(elbo.0 == iwae.0, "every gradient bit should agree")
        #expect(LossTests.relativeError(iwae.1.reconstruction, elbo.1.reconstruction) < 1e-12)
        #expect(LossTests.relativeError(iwae.1.objective, elbo.1.reconstruction) < 1e-12)
        #expect(iwae.1.kl == elbo.1.kl)
        #expect(iwae.2 == elbo.2, "batch norm's running statistics should move alike")
    }

    /// With the KL term, one sample is the ELBO whose KL is estimated from that sample: the loss is
    /// the reconstruction plus log q(z|x) − log p(z) at the drawn z (a Double reference, log 2π
    /// kept), and the decoder's gradient is the ELBO's bit for bit (the KL does not reach it).
    @Test func oneSampleIsTheELBOWithTheSamplesKL() throws {
        let (elbo, iwae, model, images, noise) = try Self.oneSampleAndELBO(seed: 4, beta: 1)
        let (mean, logVariance) = try model.encode(images)
        let log2π = log(2 * Double.pi)
        var sampleKL = 0.0
        for i in 0..<mean.count {
            let e = Double(noise.scalars[i]), v = Double(logVariance.scalars[i])
            let z = Double(mean.scalars[i]) + exp(0.5 * v) * e
            sampleKL += -0.5 * (e * e + log2π + v) + 0.5 * (z * z + log2π)      // log q − log p
        }
        sampleKL /= 16
        #expect(LossTests.relativeError(iwae.1.objective, elbo.1.reconstruction + sampleKL) < 1e-9)
        #expect(iwae.1.kl == elbo.1.kl && LossTests.relativeError(iwae.1.reconstruction, elbo.1.reconstruction) < 1e-12)
        let decoder = model.parameters.indices.filter { model.parameters[$0].name.hasPrefix("decoder.") }
        #expect(decoder.allSatisfy { elbo.0[$0] == iwae.0[$0] }, "the decoder's gradients should agree bit for bit")
        #expect(decoder.count == 8)
    }

    /// The gradient of ∂L/∂(μ, log σ²) summed over the batch: the encoder head's bias gradient.
    static func headBiasGradient(_ model: VAE) -> [Double] {
        model.encoderHead.parameters.first { $0.name.hasSuffix("bias") }!.gradient.scalars.map(Double.init)
    }

    /// The mean of each component over draws, with its standard error.
    static func componentMeans(_ draws: [[Double]]) -> [MeanEstimate] {
        (0..<draws[0].count).map { j in MeanEstimate(draws.map { $0[j] }) }
    }

    /// `plain`'s model from `seed`, in evaluation mode (each code decoded on its own), and 8 binary
    /// test images: the setting of the tests in expectation.
    static func evaluationSetting(seed: UInt64) throws -> (VAE, Tensor, RandomSource) {
        var random = RandomSource(seed: seed)
        let model = try VAE(Self.plain, using: &random)
        model.isTraining = false
        return (model, try MNIST.load(split: .test).prefix(8).binarized(seed: 1).images, random)
    }

    /// Over many draws of ε (the same for both), one sample's gradient of (μ, log σ²) differs from
    /// the ELBO's only by noise: the one-sample KL's gradients z and (zσε − 1)/2 average to the
    /// closed form's μ and (σ² − 1)/2. Each of the 2D components' mean difference lies within 4.5
    /// standard errors of 0; a missing −β/(2B) term would shift the log σ² components by ½
    /// (summed over the batch), many standard errors away.
    @Test func oneSampleIsTheELBOInExpectation() throws {
        var (model, images, random) = try Self.evaluationSetting(seed: 5)
        var differences: [[Double]] = []
        for _ in 0..<400 {
            let noise = Tensor.gaussian([1, 8, 3], using: &random)
            var unused = RandomSource(seed: 0)
            model.zeroGradients()
            _ = try model.accumulateGradients(images: images, noise: noise.reshaped([8, 3]), using: &unused)
            let elbo = Self.headBiasGradient(model)
            model.zeroGradients()
            _ = try model.accumulateImportanceWeightedGradients(images: images, samples: 1, noise: noise, using: &unused)
            differences.append(zip(Self.headBiasGradient(model), elbo).map { $0 - $1 })
        }
        for (j, s) in Self.componentMeans(differences).enumerated() {
            #expect(abs(s.mean) < 4.5 * s.standardError && s.standardError < 0.05, "component \(j): mean difference \(s.mean) ± \(s.standardError)")
        }
    }

    // MARK: DReG

    /// DReG changes only the encoder's gradient: the decoder's is IWAE's bit for bit. In
    /// evaluation mode (each code decoded on its own, as DReG's identity needs) its encoder
    /// gradient has IWAE's expectation: over many draws of ε, at k = 8 and β = 1 and ½, every
    /// component of the mean difference of the head's gradient lies within 4.5 standard errors of 0.
    @Test(arguments: [1.0, 0.5])
    func dregHasIWAEsExpectation(_ beta: Double) throws {
        var (model, images, random) = try Self.evaluationSetting(seed: 6)
        var differences: [[Double]] = []
        for draw in 0..<300 {
            let noise = Tensor.gaussian([8, 8, 3], using: &random)
            var unused = RandomSource(seed: 0)
            let iwae = try Self.pass(model) {
                try model.accumulateImportanceWeightedGradients(images: images, samples: 8, beta: beta, noise: noise, using: &unused).terms
            }
            let iwaeHead = Self.headBiasGradient(model)
            let dreg = try Self.pass(model) {
                try model.accumulateImportanceWeightedGradients(images: images, samples: 8, estimator: .dreg, beta: beta,
                                                                noise: noise, using: &unused).terms
            }
            differences.append(zip(Self.headBiasGradient(model), iwaeHead).map { $0 - $1 })
            if draw == 0 {
                #expect(iwae.1 == dreg.1, "the loss does not depend on the estimator")
                let decoder = model.parameters.indices.filter { model.parameters[$0].name.hasPrefix("decoder.") }
                #expect(decoder.allSatisfy { iwae.0[$0] == dreg.0[$0] })
                let encoder = model.parameters.indices.filter { model.parameters[$0].name.hasPrefix("encoder.") }
                #expect(encoder.contains { iwae.0[$0] != dreg.0[$0] }, "the encoder's gradients should differ")
            }
        }
        for (j, s) in Self.componentMeans(differences).enumerated() {
            #expect(abs(s.mean) < 4.5 * s.standardError, "β = \(beta), component \(j): mean difference \(s.mean) ± \(s.standardError)")
        }
    }

    // MARK: The bound tightens with k

    /// A small model trained for 64 updates, then in evaluation mode on 400 held-out binary
    /// images: the mean bound rises from k = 1 to 5 to 25, each step by more than 4 standard
    /// errors of the paired per-image differences and by more than 0.2 nats; k = 1 agrees with the
    /// test ELBO (closed-form KL) and k = 25 with `evaluateImportanceWeighted` at k = 25 (other
    /// draws of ε), each within 4 standard errors.
    @Test func theBoundTightensWithK() throws {
        let data = try TrainerTests.mnist.get()
        let config = TrainingConfiguration(model: VAEConfiguration(latentDimensions: 8, channels: [8, 16]), epochs: 2,
                                           batchSize: 64, learningRate: 3e-3, seed: 9, subset: 2048)
        let trainer = try Trainer(configuration: config, trainingSet: data)
        try trainer.train()
        let model = trainer.model
        model.isTraining = false
        let all = try MNIST.load(split: .train)
        let test = MNIST(images: all.images.rows(50_000..<50_400), labels: Array(all.labels[50_000..<50_400]))
            .binarized(seed: EvaluationDefaults.binarizationSeed)
        var random = RandomSource(seed: 17)
        func bounds(_ k: Int) throws -> [Double] {
            try stride(from: 0, to: 400, by: 100).flatMap { start in
                try model.accumulateImportanceWeightedGradients(images: test.images.rows(start..<(start + 100)),
                                                                samples: k, using: &random).bounds
            }
        }
        let (b1, b5, b25) = (try bounds(1), try bounds(5), try bounds(25))
        func paired(_ a: [Double], _ b: [Double]) -> MeanEstimate { MeanEstimate(zip(a, b).map { $1 - $0 }) }
        for (low, high, label) in [(b1, b5, "1 → 5"), (b5, b25, "5 → 25")] {
            let gain = paired(low, high)
            #expect(gain.mean > 4 * gain.standardError && gain.mean > 0.2, "k \(label): the bound rose by \(gain.mean) ± \(gain.standardError)")
        }
        let elbo = try testTerms(model: model, dataset: test, batchSize: 100, seed: 23)
        let one = MeanEstimate(b1)
        #expect(abs(one.mean - elbo.elbo) < 4 * one.standardError, "k = 1: \(one.mean) against the ELBO \(elbo.elbo)")
        let evaluated = try evaluateImportanceWeighted(model: model, images: test.images, samples: 25, seed: 29)
        let agreement = paired(b25, evaluated.logLikelihoods)
        #expect(abs(agreement.mean) < 4 * agreement.standardError, "k = 25 against the evaluation: \(agreement.mean) ± \(agreement.standardError)")
    }

    // MARK: Refusals

    @Test func refusesWhatItCannotTrain() throws {
        var random = RandomSource(seed: 7)
        let model = try VAE(Self.plain, using: &random)
        let images = try MNIST.load(split: .test).prefix(4).binarized(seed: 1).images
        func refuses(_ words: String, _ body: () throws -> Void) {
            let error = #expect(throws: VAEConfigurationError.self) { try body() }
            #expect(error?.description.contains(words) == true, "\(String(describing: error)) should say '\(words)'")
        }
        refuses("at least 1") { _ = try model.accumulateImportanceWeightedGradients(images: images, samples: 0, using: &random) }
        refuses("β") { _ = try model.accumulateImportanceWeightedGradients(images: images, samples: 2, beta: -1, using: &random) }
        refuses("noise") {
            _ = try model.accumulateImportanceWeightedGradients(images: images, samples: 2, noise: Tensor(shape: [2, 4, 2]), using: &random)
        }
        refuses("[0, 1]") {
            _ = try model.accumulateImportanceWeightedGradients(images: images, targets: images * 2, samples: 2, using: &random)
        }
        let conditional = try VAE(VAEConfiguration(latentDimensions: 3, channels: [4], classCount: 10), using: &random)
        refuses("label") { _ = try conditional.accumulateImportanceWeightedGradients(images: images, samples: 2, using: &random) }
        refuses("IWAE estimator") {
            _ = try conditional.accumulateImportanceWeightedGradients(images: images, labels: [1, 2, 3, 4], samples: 2, estimator: .dreg,
                                                                      using: &random)
        }
    }
}

/// The training setting: left out of the configuration's JSON at its default, named in the run's
/// description, its memory estimate; refusing what cannot work is in
/// `TrainerTests.badConfigurationsThrowClearly`, resuming in `TrainerTests.resumeIsBitIdentical`
/// (variants 6 and 7).
@Suite struct ImportanceWeightedTrainingTests {
    @Test func theDefaultLeavesTheFingerprintAlone() throws {
        let reference = TrainingConfiguration()
        var explicit = reference
        explicit.importanceSamples = 1
        explicit.importanceEstimator = .iwae
        #expect(try Checkpoint.json(explicit) == Checkpoint.json(reference))
        #expect(!reference.usesImportanceWeighting)
        let digest = String(repeating: "0", count: 64)
        let base = try RunFingerprint(configuration: reference, dataDigest: digest).value
        var five = reference
        five.importanceSamples = 5
        var dreg = five
        dreg.importanceEstimator = .dreg
        var stickingTheLanding = reference
        stickingTheLanding.importanceEstimator = .dreg
        let values = try [five, dreg, stickingTheLanding].map { try RunFingerprint(configuration: $0, dataDigest: digest).value }
        #expect(Set(values + [base]).count == 4)
        for c in [five, dreg, stickingTheLanding] {
            #expect(c.usesImportanceWeighting)
            let json = try Checkpoint.json(c)
            #expect(try Checkpoint.decoder.decode(TrainingConfiguration.self, from: Data(json.utf8)) == c)
        }
        #expect(try Checkpoint.json(dreg).contains("\"importanceSamples\":5") && Checkpoint.json(dreg).contains("\"dreg\""))
        #expect(TrainingRun.describe(dreg).hasSuffix("importance-weighted bound k = 5, DReG gradient"))
        #expect(!TrainingRun.describe(reference).contains("importance"))
    }

    /// A saved run of k = 2 is told apart from the ELBO's in words.
    @Test func aSavedRunSaysItsObjective() throws {
        var config = TrainerTests.tiny()
        config.importanceSamples = 2
        let trainer = try Trainer(configuration: config, trainingSet: try TrainerTests.mnist.get())
        try TrainerTests.withFolder { folder in
            let url = folder.appendingPathComponent("checkpoint.safetensors")
            try trainer.save(to: url)
            let saved = try Checkpoint.read(from: url)
            #expect(saved.training == config)
            let words = TrainingRun.difference(saved, TrainerTests.tiny(), String(repeating: "0", count: 64))
            #expect(words.contains("importance-weighted bound k = 2, IWAE gradient, not the ELBO"), "\(words)")
        }
    }

    /// The reference decoder's rough count is what its documentation says, about 0.58 MB per code.
    @Test func theMemoryEstimateOfTheReferenceDecoder() throws {
        let bytes = try ImportanceWeightedMemory.decoderBytesPerCode(.reference)
        // 4 floats per output of fc, relu, reshape (3136), deconv1, bn, relu (6272), deconv2 (784),
        // plus the column matrices 32·16·49 and 1·16·196.
        #expect(bytes == 4 * (4 * (3 * 3136 + 3 * 6272 + 784) + 32 * 16 * 49 + 16 * 196))
    }
}
