import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// The inverse autoregressive flow posterior (`InverseAutoregressiveFlow`, `VAE.accumulateGradients` with a flow):
/// each step's Jacobian is triangular with log-determinant Σ log σ (central differences), the
/// whole loss's gradient against central differences and against PyTorch's autograd
/// (`Fixtures/iaf.py`), the flow at σ = 1 against the plain Gaussian posterior, the evaluations,
/// checkpoints, and the refusals.
@Suite struct FlowTests {
    nonisolated(unsafe) static let fixture = Result { try Fixture("iaf") }

    /// A small VAE with smooth activations (no kink within a finite-difference step but the
    /// MADEs' ReLUs) and a two-step flow on 4 latent dimensions: `ImportanceWeightedTests`'s
    /// smooth networks without the decoder's batch norm (which would leave the bias before it a
    /// gradient of 0, all rounding noise, for the finite differences to judge).
    static let smoothModel: VAEConfiguration = {
        var architecture = ImportanceWeightedTests.smoothModel.architecture
        architecture.decoder.removeAll { $0 == .batchNorm }
        return VAEConfiguration(latentDimensions: 4, architecture: architecture,
                                flow: FlowConfiguration(steps: 2, hiddenUnits: 12, contextFeatures: 5))
    }()

    static func images(_ count: Int) throws -> Tensor {
        try MNIST.load(split: .test).prefix(count).binarized(seed: 2).images
    }

    // MARK: The Jacobian

    /// For each step of a 2-step flow on D = 5 (the second in reversed order), with the context
    /// fixed: the Jacobian ∂z_t/∂z_{t−1} by central differences (h = ¼, Float) is exactly zero
    /// wherever input j comes after output i in the step's order (MADE's masks make every path
    /// from z_j to z_t,i a product with an exact zero), has non-zero entries before the diagonal
    /// (the step does mix dimensions), and its diagonal is σ_t: Σ_i log J_ii equals the step's reported
    /// log-determinant within 10⁻⁴ (each z_t,i is affine in z_{t−1},i, so even this large step
    /// has only rounding error, about 10⁻⁶ per entry). Triangular, so log |det J| = Σ_i log J_ii.
    @Test func stepJacobianIsTriangularWithTheReportedDeterminant() throws {
        var random = RandomSource(seed: 3)
        let d = 5, c = 3
        let flow = try InverseAutoregressiveFlow(FlowConfiguration(steps: 2, hiddenUnits: 16, contextFeatures: c),
                                                 latentDimensions: d, features: 7, using: &random)
        // Larger weights than the initialisation's, so that σ_t and m vary visibly.
        for p in flow.parameters where p.name.hasSuffix("weight") { p.value = p.value * 3 }
        let h = Tensor.gaussian([1, c], using: &random)
        var z = Tensor.gaussian([1, d], using: &random)
        for (t, step) in flow.steps.enumerated() {
            var logDeterminant = [0.0]
            let next = step.forward(z, context: h, logDeterminants: &logDeterminant)
            let order = AutoregressiveDegrees.inputs(d, reversed: step.reversed)     // degree of each dimension
            let eps: Float = 0.25
            var jacobian = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)   // [i][j] = ∂z′_i/∂z_j
            for j in 0..<d {
                var plus = z, minus = z
                plus.scalars[j] += eps
                minus.scalars[j] -= eps
                var unused = [0.0]
                let up = step.forward(plus, context: h, logDeterminants: &unused)
                let down = step.forward(minus, context: h, logDeterminants: &unused)
                for i in 0..<d { jacobian[i][j] = (Double(up.scalars[i]) - Double(down.scalars[i])) / Double(2 * eps) }
            }
            var below = 0
            for i in 0..<d {
                for j in 0..<d where order[j] > order[i] {
                    #expect(jacobian[i][j] == 0, "step \(t): z′_\(i) should not depend on z_\(j), which comes after it")
                }
                for j in 0..<d where order[j] < order[i] && jacobian[i][j] != 0 { below += 1 }
            }
            #expect(below >= d, "step \(t): only \(below) entries before the diagonal are non-zero")
            let logDiagonal = (0..<d).reduce(0.0) { $0 + log(jacobian[$1][$1]) }
            #expect(abs(logDiagonal - logDeterminant[0]) < 1e-4, "step \(t): Σ log J_ii = \(logDiagonal), reported \(logDeterminant[0])")
            #expect(logDeterminant[0] < -1e-2, "step \(t): the gates should not all be 1")
            z = next
        }
    }

    /// The masked weights start at zero and stay zero through a training step's gradient; a
    /// weight set with non-zero masked entries has them cleared by the next forward pass.
    @Test func maskedWeightsStayZero() throws {
        var random = RandomSource(seed: 4)
        let model = try VAE(Self.smoothModel, using: &random)
        let flow = try Self.iaf(model)
        let masked = flow.steps.flatMap { [$0.input, $0.mean, $0.scale] }
        func maskedEntries(_ t: Tensor, _ layer: MaskedLinear) -> [Float] {
            (0..<t.count).filter { layer.mask.scalars[$0] == 0 }.map { t.scalars[$0] }
        }
        #expect(masked.allSatisfy { maskedEntries($0.weight.value, $0).allSatisfy { $0 == 0 } })
        #expect(masked.allSatisfy { !maskedEntries($0.weight.value, $0).isEmpty }, "every MADE layer cuts some connections")
        masked[0].weight.value = masked[0].weight.value + 1
        _ = try model.accumulateGradients(images: try Self.images(8), using: &random)
        #expect(masked.allSatisfy { maskedEntries($0.weight.gradient, $0).allSatisfy { $0 == 0 } })
        #expect(masked.allSatisfy { maskedEntries($0.weight.value, $0).allSatisfy { $0 == 0 } })
        #expect(masked.allSatisfy { $0.weight.gradient.scalars.contains { $0 != 0 } })
    }

    // MARK: Finite differences

    /// Central differences of the loss (h = 10⁻²) along a random direction of every parameter
    /// tensor (the flow's, the context layer's, the head's, whose gradient is ∂L/∂(μ, log σ²)
    /// summed over the batch, and the rest), for β = 1 and ½, with a fixed ε. The tolerances are
    /// `ImportanceWeightedTests.matchesFiniteDifferences`'s, for the same reasons (a loss of about
    /// 600 nats in Float, a direction nearly orthogonal to a gradient): every tensor below
    /// 2·10⁻², their median below 2·10⁻³.
    ///
    /// A step of 10⁻² across one of the MADEs' ReLU kinks would spoil a difference (with the
    /// initial weights a few of the 144 hidden units lie that close to 0), so `awayFromKinks`
    /// moves every hidden unit at least 0.5 from it, half of them on each side: the loss is
    /// smooth, and both of ReLU's pieces are checked. (The PyTorch fixture checks the
    /// initialisation's units, wherever they lie.) Near its initialisation (σ_t ≈ 0.88) the flow
    /// barely moves the loss, and its parameters' directional derivatives would drown in the
    /// loss's rounding; `strengthen` makes it a strong transformation first.
    @Test(arguments: [1.0, 0.5])
    func matchesFiniteDifferences(_ beta: Double) throws {
        var random = RandomSource(seed: 21)
        let model = try VAE(Self.smoothModel, using: &random)
        let images = try Self.images(6)
        let noise = Tensor.gaussian([6, 4], using: &random)
        let (mean, logVariance, features) = try model.encodeWithFeatures(images)
        let z0 = VAE.reparameterize(mean: mean, logVariance: logVariance, noise: noise, using: &random).z
        Self.strengthen(try Self.iaf(model))
        try Self.awayFromKinks(try Self.iaf(model), z0: z0, features: features)
        let layer = try ObjectiveLayer(model: model) {
            var unused = RandomSource(seed: 0)
            return try model.accumulateGradients(images: images, objective: .beta(beta), noise: noise, using: &unused).objective
        }
        let result = checkGradients(of: layer, input: Tensor(shape: [1]), seed: 1, step: 1e-2)
        #expect(result.parameters.keys.filter { $0.hasPrefix("flow.") }.count == 2 + 2 * 7)
        expectWholeLossGradients(result, of: model.parameters, "β = \(beta)")
    }

    /// The same check for a conditional model with a centre per label (chapter 7's CVAE) and the
    /// flow as its posterior: q(z₀|x, y) from the encoder that sees the label, the flow on the code
    /// relative to m_y (its context from the image's features), the decoder fed z_T + m_y and the
    /// label. Every tensor, the label centres included, against central differences, with the
    /// tolerances above.
    @Test func aConditionalFlowMatchesFiniteDifferences() throws {
        var configuration = Self.smoothModel
        configuration.classCount = 10
        configuration.labelCentres = true
        let data = try MNIST.load(split: .test).prefix(6).binarized(seed: 2)
        let (images, labels) = (data.images, data.labels.map { Int($0) })
        // The first seed (from 22) whose shifted hidden units all lie 0.5 or more from ReLU's kink
        // (`awayFromKinks`): a precondition of the check, not a choice of its outcome.
        var found: (model: VAE, noise: Tensor)?
        for seed in UInt64(22)..<UInt64(72) where found == nil {
            var random = RandomSource(seed: seed)
            let model = try VAE(configuration, using: &random)
            let centres = try #require(model.labelCentres)
            centres.value = Tensor.gaussian(centres.value.shape, using: &random)   // apart from 0, where they start
            let noise = Tensor.gaussian([6, 4], using: &random)
            let (mean, logVariance, features) = try model.encodeWithFeatures(images, labels: labels)
            let z0 = VAE.reparameterize(mean: mean, logVariance: logVariance, noise: noise, using: &random).z
            Self.strengthen(try Self.iaf(model))
            if Self.shiftedFromKinks(try Self.iaf(model), z0: z0, features: features) > 0.5 { found = (model, noise) }
        }
        let (model, noise) = try #require(found, "no seed keeps the flow's hidden units away from ReLU's kink")
        let layer = try ObjectiveLayer(model: model) {
            var unused = RandomSource(seed: 0)
            return try model.accumulateGradients(images: images, labels: labels, objective: .beta(1), noise: noise, using: &unused).objective
        }
        let result = checkGradients(of: layer, input: Tensor(shape: [1]), seed: 1, step: 1e-2)
        #expect(result.parameters.keys.contains("label_centres.weight"))
        expectWholeLossGradients(result, of: model.parameters, "conditional, label centres")
    }

    /// The model's flow, which these tests build as an IAF.
    static func iaf(_ model: VAE) throws -> InverseAutoregressiveFlow {
        try #require(model.flow as? InverseAutoregressiveFlow)
    }

    /// Makes the flow far from the identity, so that its parameters move the loss visibly: the
    /// scale's biases at 0 (σ_t ≈ ½, where both σ_t's and log σ_t's slopes are large), the mean's
    /// and the scale's weights tripled.
    static func strengthen(_ flow: InverseAutoregressiveFlow) {
        for step in flow.steps {
            step.scale.bias!.value = Tensor(shape: step.scale.bias!.value.shape)
            step.scale.weight.value = step.scale.weight.value * 3
            step.mean.weight.value = step.mean.weight.value * 3
        }
    }

    /// Shifts each MADE's input bias by +4 on even hidden units and −4 on odd ones, then checks
    /// that on the codes z₀ (N, D) with context from `features` every hidden unit's
    /// preactivation lies at least 0.5 from ReLU's kink: half the units pass their gradient, half
    /// cut it, and no finite-difference step crosses a kink.
    static func awayFromKinks(_ flow: InverseAutoregressiveFlow, z0: Tensor, features: Tensor) throws {
        let closest = shiftedFromKinks(flow, z0: z0, features: features)
        #expect(closest > 0.5, "a hidden unit lies within \(closest) of ReLU's kink")
    }

    /// `awayFromKinks`' shift, returning how close to ReLU's kink the nearest hidden unit then lies.
    static func shiftedFromKinks(_ flow: InverseAutoregressiveFlow, z0: Tensor, features: Tensor) -> Float {
        let h = flow.configuration.hiddenUnits
        let shift = Tensor(shape: [h], scalars: (0..<h).map { $0 % 2 == 0 ? 4 : -4 })
        for step in flow.steps { step.input.bias!.value = step.input.bias!.value + shift }
        let context = flow.contextVectors(features)
        var z = z0, closest = Float.infinity
        for step in flow.steps {
            let preactivation = step.input.forward(z) + step.context.forward(context)
            closest = min(closest, preactivation.scalars.map(abs).min()!)
            var unused = [Double](repeating: 0, count: z.shape[0])
            z = step.forward(z, context: context, logDeterminants: &unused)
        }
        return closest
    }

    /// The flow alone as a layer: z₀ (N, D) → [z_T, Σ_rows log-determinant] (N·D + 1), with the
    /// context computed inside from fixed features (so the context layer is checked too), against
    /// central differences (h = 10⁻²) of its input and of every parameter, the flow strengthened
    /// and its hidden units kept away from ReLU's kink (`strengthen`, `awayFromKinks`). The function is then smooth and its outputs of
    /// order 1, so each error must stay below 10⁻³, the tolerance of the layers' own checks.
    @Test func flowMatchesFiniteDifferences() throws {
        final class FlowLayer: Layer {
            let flow: InverseAutoregressiveFlow, features: Tensor
            var isTraining = true
            var parameters: [Parameter] { flow.parameters }
            init(_ flow: InverseAutoregressiveFlow, features: Tensor) { self.flow = flow; self.features = features }
            func forward(_ z0: Tensor) -> Tensor {
                let (z, logDeterminants) = flow.forward(z0, context: flow.contextVectors(features))
                return Tensor(shape: [z.count + 1], scalars: z.scalars + [Float(logDeterminants.reduce(0, +))])
            }
            func backward(_ g: Tensor) -> Tensor {
                let n = g.count - 1
                let dz = Tensor(shape: [n / flow.latentDimensions, flow.latentDimensions], scalars: Array(g.scalars[0..<n]))
                let (dz0, dh) = flow.backward(dz, logDeterminantGradient: g.scalars[n])
                _ = flow.contextBackward(dh)
                return dz0
            }
        }
        var random = RandomSource(seed: 5)
        let flow = try InverseAutoregressiveFlow(FlowConfiguration(steps: 2, hiddenUnits: 10, contextFeatures: 3),
                                                 latentDimensions: 4, features: 6, using: &random)
        let features = Tensor.gaussian([4, 6], using: &random), z0 = Tensor.gaussian([4, 4], using: &random)
        Self.strengthen(flow)
        try Self.awayFromKinks(flow, z0: z0, features: features)
        let layer = FlowLayer(flow, features: features)
        let result = checkGradients(of: layer, input: z0, seed: 2, step: 1e-2)
        #expect(result.parameters.count == flow.parameters.count)
        #expect(result.input < 1e-3, "∂/∂z₀ differs by \(result.input)")
        for (name, error) in result.parameters.sorted(by: { $0.key < $1.key }) {
            #expect(error < 1e-3, "\(name) differs from its finite difference by \(error)")
        }
    }

    // MARK: The importance-weighted bound with a flow

    /// The importance-weighted bound of a model with an IAF posterior (the IWAE estimator): its
    /// gradient against central differences, as `ImportanceWeightedTests.matchesFiniteDifferences`
    /// and `matchesFiniteDifferences` above judge theirs (every tensor below 2·10⁻², the median
    /// below 2·10⁻³), at k = 4 with β = 1 and ½, the flow strengthened and away from ReLU's kinks.
    @Test(arguments: [1.0, 0.5])
    func importanceWeightedMatchesFiniteDifferences(_ beta: Double) throws {
        var random = RandomSource(seed: 21)
        let model = try VAE(Self.smoothModel, using: &random)
        let images = try Self.images(6)
        let k = 4
        let noise = Tensor.gaussian([k, 6, 4], using: &random)
        let (mean, logVariance, features) = try model.encodeWithFeatures(images)
        let image = (0..<k * 6).map { $0 % 6 }
        let z0 = VAE.reparameterize(mean: mean.rows(at: image), logVariance: logVariance.rows(at: image),
                                    noise: noise.reshaped([k * 6, 4]), using: &random).z
        Self.strengthen(try Self.iaf(model))
        try Self.awayFromKinks(try Self.iaf(model), z0: z0, features: features.rows(at: image))
        let layer = try ObjectiveLayer(model: model) {
            var unused = RandomSource(seed: 0)
            return try model.accumulateImportanceWeightedGradients(images: images, samples: k, beta: beta, noise: noise,
                                                                   using: &unused).terms.objective
        }
        let result = checkGradients(of: layer, input: Tensor(shape: [1]), seed: 1, step: 1e-2)
        expectWholeLossGradients(result, of: model.parameters, "k = \(k), β = \(beta)")
    }

    /// At k = 1 (w̃ = 1) the importance-weighted bound of a flow model is its one-sample ELBO
    /// (`accumulateGradients` with the flow, whose KL̂ is log q(z_T|x) − log p(z_T) at the same code), the
    /// flow's gradients included (`ImportanceWeightedTests.expectOneSampleIsTheOneSampleELBO`).
    /// β = ½ checks that β weighs the log-determinant and the prior alike.
    @Test(arguments: [1.0, 0.5])
    func oneImportanceSampleIsTheFlowELBO(_ beta: Double) throws {
        var random = RandomSource(seed: 4)
        let model = try VAE(Self.smoothModel, using: &random)
        Self.strengthen(try Self.iaf(model))
        let noise = Tensor.gaussian([1, 8, 4], using: &random)
        try ImportanceWeightedTests.expectOneSampleIsTheOneSampleELBO(model, images: try Self.images(8), noise: noise, beta: beta)
    }

    // MARK: PyTorch

    /// One training-mode pass of a small VAE with a 2- or 3-step flow (batch norm in encoder and
    /// decoder) against PyTorch's autograd: the loss and its terms to 10⁻⁵, every parameter's
    /// gradient as `VAETests.matchesPyTorch` judges them (10⁻³ of each gradient's scale), and
    /// the flow's z_T, log-determinant and log q(z_T|x) of each image. `iaf_conditional` is
    /// chapter 7's CVAE (a centre per label) with the flow as its posterior.
    @Test(arguments: ["iaf_bn", "iaf_beta_half", "iaf_conditional"])
    func matchesPyTorch(_ name: String) throws {
        let f = try Self.fixture.get()
        let model = try VAETests.model(name, f)
        #expect(model.flow != nil && model.parameters.contains { $0.name == "flow.step1.scale.bias" })
        let labels = f.cases[name]?["labels"] as? [Int]
        #expect((labels != nil) == (name == "iaf_conditional") && (labels == nil || model.labelCentres != nil))
        let beta = try f.number(name, "beta")
        let images = try f.tensor(name, "images"), epsilon = try f.tensor(name, "epsilon")
        var unused = RandomSource(seed: 1)
        let terms = try model.accumulateGradients(images: images, labels: labels, objective: .beta(beta), noise: epsilon, using: &unused)
        #expect(LossTests.relativeError(terms.objective, try f.number(name, "loss")) < 1e-5)
        #expect(LossTests.relativeError(terms.reconstruction, try f.number(name, "reconstruction")) < 1e-5)
        #expect(abs(terms.kl - (try f.number(name, "kl"))) < 1e-5 * max(1, abs(terms.kl)))
        try VAETests.expectGradientsMatch(model.parameters, f, name)

        // The flow alone, from the same encoder pass (training mode: the batch's statistics).
        let (mean, logVariance, features) = try model.encodeWithFeatures(images, labels: labels)
        let flow = try Self.iaf(model)
        let z0 = VAE.reparameterize(mean: mean, logVariance: logVariance, noise: epsilon, using: &unused).z
        let (z, logDeterminants) = flow.forward(z0, context: flow.contextVectors(features))
        #expect(maxRelativeError(z, try f.tensor(name, "z"), floor: 1e-2) < 1e-4)
        let expectedLogDeterminants = try f.tensor(name, "log_det").scalars
        let expectedLogQ = try f.tensor(name, "log_q").scalars
        let kl = VAE.flowKLEstimates(z: z, epsilon: epsilon, logVariance: logVariance, logDeterminants: logDeterminants)
        let log2π = log(2 * Double.pi)
        for n in 0..<images.shape[0] {
            #expect(abs(logDeterminants[n] - Double(expectedLogDeterminants[n])) < 1e-5 * max(1, abs(logDeterminants[n])))
            // log q = log p(z_T) + KL̂, log p(z_T) = −½ Σ (z² + log 2π).
            let logPrior = (0..<z.shape[1]).reduce(0.0) { $0 - 0.5 * (Double(z.scalars[n * z.shape[1] + $1]) * Double(z.scalars[n * z.shape[1] + $1]) + log2π) }
            #expect(abs(logPrior + kl[n] - Double(expectedLogQ[n])) < 1e-5 * max(1, abs(Double(expectedLogQ[n]))), "\(name) image \(n)")
        }
    }

    // MARK: The flow at the identity

    /// A plain model and the same model with a flow whose gates are exactly 1 (scale weights 0,
    /// biases 40: sigmoid(40) rounds to 1 in Float, log σ to −4·10⁻¹⁸), so that z_T = z₀ bit for
    /// bit. The encoder and decoder are drawn alike (the flow's weights come last).
    static func identityPair(seed: UInt64) throws -> (plain: VAE, flowing: VAE) {
        var a = RandomSource(seed: seed), b = RandomSource(seed: seed)
        let plain = try VAE(VAEConfiguration(latentDimensions: 3, channels: [4, 8]), using: &a)
        let flowing = try VAE(VAEConfiguration(latentDimensions: 3, architecture: .convolutional(channels: [4, 8]),
                                                       flow: FlowConfiguration(steps: 2, hiddenUnits: 8, contextFeatures: 4)),
                              using: &b)
        for step in try Self.iaf(flowing).steps {
            step.scale.weight.value = Tensor(shape: step.scale.weight.value.shape)
            step.scale.bias!.value = Tensor(shape: step.scale.bias!.value.shape, repeating: 40)
        }
        #expect(zip(plain.parameters, flowing.parameters).allSatisfy { $0.name == $1.name && $0.value == $1.value })
        return (plain, flowing)
    }

    /// Every gradient bit (the flow's aside) of one pass, with fresh gradients, the running
    /// statistics restored afterwards.
    static func gradients(_ model: VAE, _ body: () throws -> ELBOTerms) rethrows -> ([Tensor], ELBOTerms) {
        let saved = model.buffers.map(\.value)
        defer { for (b, v) in zip(model.buffers, saved) { b.value = v } }
        model.zeroGradients()
        let terms = try body()
        return (model.parameters.filter { !$0.name.hasPrefix("flow.") }.map(\.gradient), terms)
    }

    /// At σ_t = 1 the flow is the identity and log q is the Gaussian's:
    /// - with β = 0 the training pass gives the plain model's reconstruction and gradients bit for bit;
    /// - with β = 1 its loss is the one-sample ELBO, the importance-weighted bound at k = 1
    ///   (`accumulateImportanceWeightedGradients`, whose KL term is that same estimate), and so are
    ///   its gradients (to rounding: 10⁻⁵ of each gradient's scale);
    /// - `evaluateImportanceWeighted` (k = 20) and `evaluateELBO`'s reconstruction agree with the
    ///   plain model's, and its KL column is the one-sample estimate whose mean over the images is
    ///   near the closed form's.
    @Test func identityFlowIsTheGaussianPosterior() throws {
        let (plain, flowing) = try Self.identityPair(seed: 8)
        let images = try Self.images(16)
        var random = RandomSource(seed: 2)
        let noise = Tensor.gaussian([16, 3], using: &random)

        let (plainZero, plainTerms) = try Self.gradients(plain) {
            try plain.accumulateGradients(images: images, objective: .beta(0), noise: noise, using: &random)
        }
        let (flowZero, flowTerms) = try Self.gradients(flowing) {
            try flowing.accumulateGradients(images: images, objective: .beta(0), noise: noise, using: &random)
        }
        #expect(flowTerms.reconstruction == plainTerms.reconstruction && flowTerms.objective == plainTerms.reconstruction)
        #expect(plainZero.map(\.scalars) == flowZero.map(\.scalars), "at β = 0 every gradient should agree bit for bit")

        let (oneSample, iwTerms) = try Self.gradients(plain) {
            try plain.accumulateImportanceWeightedGradients(images: images, samples: 1, noise: noise.reshaped([1, 16, 3]),
                                                            using: &random).terms
        }
        let (flowOne, flowOneTerms) = try Self.gradients(flowing) {
            try flowing.accumulateGradients(images: images, objective: .beta(1), noise: noise, using: &random)
        }
        #expect(LossTests.relativeError(flowOneTerms.objective, iwTerms.objective) < 1e-6)
        let scale = oneSample.map { $0.scalars.map(abs).max() ?? 0 }.max() ?? 1
        for (name, (a, b)) in zip(plain.parameters.map(\.name), zip(flowOne, oneSample)) {
            #expect(maxRelativeError(a, b, floor: max(1e-5 * scale, (b.scalars.map(abs).max() ?? 0) * 0.1)) < 1e-3, "\(name)")
        }

        let test = try Self.images(24)
        let plainIW = try evaluateImportanceWeighted(model: plain, images: test, samples: 20, chunkSize: 32, seed: 5)
        let flowIW = try evaluateImportanceWeighted(model: flowing, images: test, samples: 20, chunkSize: 32, seed: 5)
        #expect(zip(plainIW.logLikelihoods, flowIW.logLikelihoods).allSatisfy { LossTests.relativeError($1, $0) < 1e-9 })
        let plainELBO = try evaluateELBO(model: plain, images: test, seed: 6)
        let flowELBO = try evaluateELBO(model: flowing, images: test, seed: 6)
        #expect(plainELBO.perImageReconstruction == flowELBO.perImageReconstruction)
        // The sampled KL̂ against the closed form, image by image: unbiased, so their mean
        // difference lies within four standard errors of zero.
        let differences = MeanEstimate(zip(flowELBO.perImageKL, plainELBO.perImageKL).map { $0 - $1 })
        #expect(differences.standardError > 0, "the flow model's KL is the sampled estimate")
        #expect(abs(differences.mean) < 4 * differences.standardError, "\(differences)")
    }

    // MARK: Evaluation

    /// On a briefly trained flow model: the chunked importance-weighted estimate equals the naive
    /// reference fed the same ε (chunks that split an image's samples and span images), at
    /// k = 50 it lies above the ELBO on average and every estimate is finite.
    @Test func importanceWeightedEstimateOfAFlowModel() throws {
        var config = TrainerTests.tiny(epochs: 1)
        config.model.flow = FlowConfiguration(steps: 2, hiddenUnits: 16, contextFeatures: 4)
        let trainer = try Trainer(configuration: config, trainingSet: try TrainerTests.mnist.get())
        try trainer.train()
        let model = trainer.model
        let test = try TrainerTests.heldOut().images
        let images = test.rows(0..<12)

        let (n, k, d) = (5, 7, model.configuration.latentDimensions)
        var random = RandomSource(seed: 9)
        model.isTraining = false
        var expected: [Double] = []
        for i in 0..<n {
            var epsilon = [Float](repeating: 0, count: k * d)
            epsilon.withUnsafeMutableBufferPointer { random.fillGaussian($0) }
            expected.append(logMeanExp(try importanceLogWeightsReference(model: model, image: images.rows(i..<(i + 1)),
                                                                         label: nil, epsilon: epsilon)))
        }
        for (batchSize, chunkSize) in [(2, 4), (n, 100), (3, 1)] {
            let result = try evaluateImportanceWeighted(model: model, images: images, samples: k, batchSize: batchSize,
                                                        chunkSize: chunkSize, limit: n, seed: 9)
            for i in 0..<n {
                #expect(abs(result.logLikelihoods[i] - expected[i]) <= 2e-3 + 1e-5 * abs(expected[i]),
                        "batch \(batchSize), chunk \(chunkSize), image \(i): \(result.logLikelihoods[i]) vs \(expected[i])")
            }
        }

        let bound = try evaluateImportanceWeighted(model: model, images: images, samples: 50, seed: 3)
        let elbo = try evaluateELBO(model: model, images: images, seed: 3)
        #expect(bound.logLikelihoods.allSatisfy(\.isFinite) && elbo.perImage.allSatisfy(\.isFinite))
        let meanBound = bound.logLikelihoods.reduce(0, +) / 12
        #expect(meanBound > elbo.elbo.mean, "IW \(meanBound) should exceed the ELBO \(elbo.elbo.mean)")
        #expect(elbo.kl > 0, "a trained model's KL̂ should be positive on average, not \(elbo.kl)")
    }

    // MARK: Checkpoints and configuration

    /// A flow model saves and loads (its configuration and every tensor, the flow's included);
    /// a configuration without a flow writes no `flow` key and one with it round-trips through JSON.
    @Test func checkpointRoundTrip() throws {
        var random = RandomSource(seed: 12)
        let model = try VAE(Self.smoothModel, using: &random)
        for p in model.parameters where p.name.hasPrefix("flow.") { p.value = p.value + 0.25 }   // masked ones cleared on use
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("flow-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Checkpoint.modelFile(model).write(to: url)
        let loaded = try Checkpoint.loadModel(from: url)
        #expect(loaded.configuration == model.configuration && loaded.flow != nil)
        #expect(loaded.stateDict() == model.stateDict())
        #expect(model.stateDict().filter { $0.name.hasPrefix("flow.") }.count == 16)
        #expect(loaded.parameterCount == model.parameterCount)
        let images = try Self.images(4)
        loaded.isTraining = false; model.isTraining = false
        #expect(try evaluateELBO(model: loaded, images: images, seed: 1) == evaluateELBO(model: model, images: images, seed: 1))

        let plain = try JSONEncoder().encode(VAEConfiguration.reference)
        #expect(!String(decoding: plain, as: UTF8.self).contains("flow"))
        let decoded = try JSONDecoder().decode(VAEConfiguration.self, from: try JSONEncoder().encode(Self.smoothModel))
        #expect(decoded == Self.smoothModel && decoded.flow == FlowConfiguration(steps: 2, hiddenUnits: 12, contextFeatures: 5))
        #expect(Self.smoothModel.summary.hasSuffix(", an IAF posterior of 2 steps (12 hidden units, context 5)"))
        // A checkpoint of a model without a flow still loads into one without a flow.
        let reference = try VAE(VAEConfiguration(latentDimensions: 3, channels: [4, 8]), using: &random)
        try Checkpoint.modelFile(reference).write(to: url)
        #expect(try Checkpoint.loadModel(from: url).flow == nil)
    }

    /// The flow's multiply-adds enter the model's count: F·C for the context, then
    /// T·(D·H + C·H + 2·H·D) per image.
    @Test func multiplyAddsCountTheFlow() throws {
        var random = RandomSource(seed: 1)
        var plainConfig = Self.smoothModel
        plainConfig.flow = nil
        let plain = try VAE(plainConfig, using: &random)
        let flowing = try VAE(Self.smoothModel, using: &random)
        let (f, c, d, h) = (flowing.featureCount, 5, 4, 12)
        #expect(flowing.forwardMultiplyAdds - plain.forwardMultiplyAdds == f * c + 2 * (d * h + c * h + 2 * h * d))
        #expect(flowing.parameterCount - plain.parameterCount == (f * c + c) + 2 * ((h * d + h) + h * c + 2 * (d * h + d)))
    }

    // MARK: Refusals

    @Test func refusesBadSettings() throws {
        func refusal(_ body: () throws -> Void) -> String {
            do { try body(); return "" } catch { return "\(error)" }
        }
        for bad in [FlowConfiguration(steps: 0), FlowConfiguration(steps: 17), FlowConfiguration(hiddenUnits: 0),
                    FlowConfiguration(contextFeatures: 0), FlowConfiguration(hiddenUnits: 1 << 20)] {
            #expect(refusal { try bad.validate() }.contains("IAF"), "\(bad)")
            var random = RandomSource(seed: 1)
            #expect(refusal { _ = try VAE(VAEConfiguration(latentDimensions: 3, architecture: .convolutional(channels: [4]), flow: bad), using: &random) }.contains("IAF"))
        }
        try VAEConfiguration(classCount: 10, labelCentres: true, flow: FlowConfiguration()).validate()   // a conditional flow is a model

        var config = TrainerTests.tiny()
        config.model.flow = FlowConfiguration(steps: 1, hiddenUnits: 8, contextFeatures: 4)
        try config.validate()
        var freeBits = config
        freeBits.freeBits = 0.5
        #expect(refusal { try freeBits.validate() }.contains("free bits"))
        var capacity = config
        capacity.kl = .capacity(gamma: 5, maximum: 8, epochs: 1)
        #expect(refusal { try capacity.validate() }.contains("capacity"))
        var weighted = config
        weighted.importanceSamples = 5
        try weighted.validate()
        weighted.importanceEstimator = .dreg
        #expect(refusal { try weighted.validate() }.contains("DReG"))

        var random = RandomSource(seed: 2)
        let model = try VAE(Self.smoothModel, using: &random)
        let images = try Self.images(4)
        #expect(refusal { _ = try model.accumulateGradients(images: images, freeBits: 0.5, using: &random) }.contains("free bits"))
        #expect(refusal { _ = try model.accumulateGradients(images: images, objective: .capacity(gamma: 1, target: 1), using: &random) }
            .contains("capacity"))
        #expect(refusal { _ = try model.accumulateImportanceWeightedGradients(images: images, samples: 2, estimator: .dreg, using: &random) }
            .contains("DReG"))
        #expect(refusal { _ = try model.termGradients(images: images, using: &random) }.contains("IAF"))
    }
}
