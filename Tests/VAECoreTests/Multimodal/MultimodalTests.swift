import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// The multimodal VAE of chapter 11: the product of Gaussian experts and its backward pass, the
/// label modality, both training objectives against finite differences, the evaluation's
/// estimates, paired data, checkpoints and refusals.
@Suite struct MultimodalTests {
    /// Chapter 12's smooth image networks (Swish, no batch norm, 3-d code), so that finite
    /// differences see a smooth loss.
    static let smoothArchitecture: Architecture = FlowTests.smoothModel.architecture

    /// A digit and its label on the smooth networks, with a small label network.
    static func imageLabel(_ objective: MultimodalObjective, labelWeight: Double = 5) -> MultimodalConfiguration {
        MultimodalConfiguration(latentDimensions: 3, modalities: [
            .image("mnist", architecture: smoothArchitecture),
            .label(hiddenUnits: 8, weight: labelWeight),
        ], objective: objective)
    }

    static func experts(_ count: Int, shape: [Int], using random: inout RandomSource) -> [DiagonalGaussian] {
        (0..<count).map { _ in DiagonalGaussian(mean: Tensor.gaussian(shape, using: &random),
                                                logVariance: Tensor.gaussian(shape, using: &random)) }
    }

    // MARK: PyTorch

    nonisolated(unsafe) static let fixture = Result { try Fixture("multimodal") }

    /// One training-mode pass of a digit + label model (`Fixtures/multimodal.py`: convolutional
    /// (8, 16) with batch norm for the image, a 16-unit MLP each way for the label, D = 4, a fixed ε
    /// per subset; the `_private` cases give the digit a 3-d private code beside the shared one,
    /// `mopoe_aligned` adds JMVAE's alignment term with α = 2; the `_k` cases train the K-sample
    /// bound, its gradient the bound's own (`iwae`) or DReG's, with ε of K·B rows per subset)
    /// under both objectives: the loss (within 10⁻⁵: PyTorch sums in float32), every
    /// parameter's gradient (within 10⁻³ of each gradient's scale, as `VAETests.matchesPyTorch`)
    /// and batch norm's running statistics after the pass.
    @Test(arguments: ["mvae", "mvae_beta_half", "mopoe", "mopoe_private", "mvae_private", "mopoe_aligned",
                      "mopoe_private_dreg_k3", "mopoe_private_iwae_k3", "mvae_beta_half_dreg_k2", "mopoe_aligned_dreg_k4"])
    func matchesPyTorch(_ name: String) throws {
        let f = try Self.fixture.get()
        let objectiveName = try #require(f.cases[name]?["objective"] as? String)
        let objective = try #require(MultimodalObjective(rawValue: objectiveName))
        let configuration = MultimodalConfiguration(latentDimensions: try f.integers(name, "latent")[0], modalities: [
            .image("mnist", architecture: .convolutional(channels: [8, 16]), privateDimensions: try f.integers(name, "private")[0]),
            .label(hiddenUnits: try f.integers(name, "hidden")[0], weight: try f.number(name, "label_weight")),
        ], objective: objective, alignmentWeight: (f.cases[name]?["alignment"] as? Double) ?? 0,
           importanceSamples: (f.cases[name]?["samples"] as? [Int])?.first ?? 1,
           importanceEstimator: (f.cases[name]?["estimator"] as? String).flatMap(ImportanceWeightedEstimator.init(rawValue:)) ?? .dreg)
        var random = RandomSource(seed: 99)
        let model = try MultimodalVAE(configuration, using: &random)
        let state = f.keys(name).filter { $0.hasPrefix("state:") }
        #expect(Set(state.map { String($0.dropFirst(6)) }) == Set((model.parameters + model.buffers).map(\.name)),
                "parameter names must equal PyTorch's state_dict keys")
        try loadStateDict(state.map { SafeTensors.Entry(name: String($0.dropFirst(6)), tensor: try f.tensor(name, $0)) },
                          into: model.parameters + model.buffers)
        let inputs = [try f.tensor(name, "images"), try f.tensor(name, "labels")]
        let epsilon = try f.tensor(name, "epsilon")
        let noise = (0..<3).map { epsilon.slice($0) }
        for p in model.parameters { p.zeroGradient() }
        let terms = try model.accumulateGradients(inputs: inputs, targets: inputs, beta: try f.number(name, "beta"),
                                                  noise: noise, using: &random)
        #expect(LossTests.relativeError(terms.objective, try f.number(name, "loss")) < 1e-5, "\(terms.objective)")
        try VAETests.expectGradientsMatch(model.parameters, f, name)
        for b in model.buffers where b.name.contains("running") {
            #expect(maxRelativeError(b.value, try f.tensor(name, "after:" + b.name), floor: 1e-3) < 1e-4, "\(name): \(b.name)")
        }
    }

    // MARK: The product of experts

    /// log N(z; μ, σ²) − [log N(z; 0, 1) + Σ_i log N(z; μ_i, σ_i²)] does not depend on z: the
    /// product's density is proportional to the product of the prior's and the experts', which is
    /// what "product of experts" means. Checked per coordinate at five values of z, in Double.
    @Test func productIsProportionalToThePriorTimesTheExperts() throws {
        var random = RandomSource(seed: 1)
        let experts = Self.experts(3, shape: [4, 5], using: &random)
        let q = try productOfExperts(experts).gaussian
        func logNormal(_ z: Double, _ mu: Double, _ logVariance: Double) -> Double {
            -0.5 * (log(2 * Double.pi) + logVariance + (z - mu) * (z - mu) / exp(logVariance))
        }
        for j in 0..<20 {
            let gaps = [-2.0, -0.5, 0, 1, 3].map { z in
                logNormal(z, Double(q.mean.scalars[j]), Double(q.logVariance.scalars[j])) - logNormal(z, 0, 0)
                    - experts.reduce(0.0) { $0 + logNormal(z, Double($1.mean.scalars[j]), Double($1.logVariance.scalars[j])) }
            }
            #expect(gaps.max()! - gaps.min()! < 1e-4, "coordinate \(j): the log-ratio varies with z: \(gaps)")
        }
        // One expert of infinite variance (precision 0) changes nothing; no expert at all is refused.
        let ignorant = DiagonalGaussian(mean: experts[0].mean, logVariance: Tensor(shape: [4, 5], scalars: Array(repeating: 80, count: 20)))
        let same = try productOfExperts([experts[1], ignorant]).gaussian
        let alone = try productOfExperts([experts[1]]).gaussian
        #expect(zip(same.mean.scalars, alone.mean.scalars).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(throws: VAEConfigurationError.self) { try productOfExperts([]) }
        #expect(throws: VAEConfigurationError.self) {
            try productOfExperts([experts[0], DiagonalGaussian(mean: Tensor(shape: [4, 4]), logVariance: Tensor(shape: [4, 4]))])
        }
    }

    /// The backward pass against central differences (h = 10⁻²) of L = Σ a ⊙ μ + Σ b ⊙ log σ²,
    /// for every value of every expert of a product of three. The product is computed in Double
    /// and rounded to Float, so the differences carry about 10⁻⁵ of rounding: 10⁻³ is far below
    /// the error of a wrong term.
    @Test func productBackwardMatchesFiniteDifferences() throws {
        var random = RandomSource(seed: 2)
        let experts = Self.experts(3, shape: [4, 5], using: &random)
        let a = Tensor.gaussian([4, 5], using: &random), b = Tensor.gaussian([4, 5], using: &random)
        func loss(_ experts: [DiagonalGaussian]) throws -> Double {
            let q = try productOfExperts(experts).gaussian
            return (0..<20).reduce(0.0) { $0 + Double(a.scalars[$1]) * Double(q.mean.scalars[$1]) + Double(b.scalars[$1]) * Double(q.logVariance.scalars[$1]) }
        }
        let gradients = productOfExpertsBackward(try productOfExperts(experts), experts: experts,
                                                 upstream: DiagonalGaussian(mean: a, logVariance: b))
        let h: Float = 1e-2
        for e in 0..<3 {
            for j in 0..<20 {
                for mean in [true, false] {
                    var plus = experts, minus = experts
                    if mean { plus[e].mean.scalars[j] += h; minus[e].mean.scalars[j] -= h }
                    else { plus[e].logVariance.scalars[j] += h; minus[e].logVariance.scalars[j] -= h }
                    let numeric = (try loss(plus) - loss(minus)) / Double(2 * h)
                    let analytic = Double(mean ? gradients[e].mean.scalars[j] : gradients[e].logVariance.scalars[j])
                    #expect(abs(numeric - analytic) < 1e-3 * max(1, abs(analytic)),
                            "expert \(e), value \(j), \(mean ? "μ" : "log σ²"): \(analytic) against \(numeric)")
                }
            }
        }
    }

    // MARK: The objectives

    /// Central differences of the whole training loss along a random direction of every parameter
    /// tensor, for both objectives and β = 1 and ½, with the ε of every subset fixed (a fresh
    /// generator of one seed per pass). The tolerances are `ImportanceWeightedTests`'s: every
    /// tensor below 2·10⁻², their median below 2·10⁻³. The step is h = 4·10⁻², not their 10⁻²: this
    /// loss sums two images' reconstructions over three subsets (about 1,500 nats), whose Float
    /// rounding, divided by 2h = 0.02, moved the first convolution's difference by 3–6% (measured);
    /// with Swish everywhere the O(h²) truncation of a larger step stays far below that.
    ///
    /// The model pairs two smooth image modalities (a digit and a clothing item): the label
    /// modality's ReLUs would put kinks within a step of 10⁻² of some of the few hidden units (and
    /// every code of the joint subset passes through them), which spoils a central difference.
    /// The label's backward pass is checked against PyTorch instead (`matchesPyTorch`). Two cases
    /// give both images a 2-d private code, the last adds JMVAE's alignment term with α = 3.
    ///
    /// The last two cases train the K-sample bound (K = 3, its own gradient, `iwae`; DReG's encoder
    /// gradient is not the gradient of a function of the weights, and `matchesPyTorch` checks it
    /// against autograd's surrogate). Their images are weighted by λ = 0.2 and 0.4: the normalised
    /// weights w̃ = softmax(log w) then move smoothly enough over a step of 4·10⁻² for a central
    /// difference (with λ = 1 the K codes' log-weights differ by many nats and w̃ turns within the step).
    @Test(arguments: [(MultimodalObjective.mvae, 1.0, 0, 0.0, 1), (.mopoe, 1.0, 0, 0, 1), (.mvae, 0.5, 0, 0, 1), (.mopoe, 1.0, 2, 0, 1),
                      (.mvae, 0.5, 2, 0, 1), (.mopoe, 1.0, 0, 3, 1), (.mopoe, 1.0, 2, 0, 3), (.mvae, 0.5, 0, 3, 3)])
    func objectiveMatchesFiniteDifferences(_ objective: MultimodalObjective, _ beta: Double, _ privateDimensions: Int,
                                           _ alignment: Double, _ samples: Int) throws {
        var random = RandomSource(seed: 3)
        let imageWeight = samples > 1 ? 0.2 : 1
        let configuration = MultimodalConfiguration(latentDimensions: 3, modalities: [
            .image("mnist", architecture: Self.smoothArchitecture, weight: imageWeight, privateDimensions: privateDimensions),
            .image("fashion", architecture: Self.smoothArchitecture, binarized: false, weight: 2 * imageWeight,
                   privateDimensions: privateDimensions),
        ], objective: objective, alignmentWeight: alignment, importanceSamples: samples, importanceEstimator: .iwae)
        let model = try MultimodalVAE(configuration, using: &random)
        let data = try MultimodalDataset.mnistFashion(configuration, mnist: try MNIST.load(split: .test).prefix(6).binarized(seed: 2),
                                                      fashion: try MNIST.load(.fashionMNIST, split: .test), pairings: 1, seed: 1)
        let batch = data.batch(Array(0..<6))
        let layer = try ObjectiveLayer(parameters: model.parameters) {
            var noise = RandomSource(seed: 9)
            return try model.accumulateGradients(inputs: batch, targets: batch, beta: beta, using: &noise).objective
        }
        let result = checkGradients(of: layer, input: Tensor(shape: [1]), seed: 1, step: 4e-2)
        expectWholeLossGradients(result, of: model.parameters,
                                 "\(objective), β = \(beta), P = \(privateDimensions), α = \(alignment), K = \(samples)")
    }

    /// DReG changes only what reaches the encoders: with the same ε, the K-sample bound, its
    /// terms and every decoder's gradient are IWAE's bit for bit, and some encoder gradient
    /// differs.
    @Test func importanceWeightedEstimatorsShareTheDecoders() throws {
        var results: [(MultimodalTerms, [String: Tensor])] = []
        for estimator in ImportanceWeightedEstimator.allCases {
            var configuration = Self.imageLabel(.mopoe)
            configuration.modalities[0] = .image("mnist", architecture: Self.smoothArchitecture, privateDimensions: 2)
            configuration.importanceSamples = 4
            configuration.importanceEstimator = estimator
            var random = RandomSource(seed: 6)
            let model = try MultimodalVAE(configuration, using: &random)
            let data = try MultimodalDataset.imageLabel(configuration, mnist: try MNIST.load(split: .test).prefix(8).binarized(seed: 2))
            let batch = data.batch(Array(0..<8))
            for p in model.parameters { p.zeroGradient() }
            let terms = try model.accumulateGradients(inputs: batch, targets: batch, using: &random)
            results.append((terms, Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0.gradient) })))
        }
        let (iwae, dreg) = (results[0], results[1])
        #expect(iwae.0 == dreg.0)
        for (name, gradient) in iwae.1 where name.contains(".decoder.") { #expect(gradient == dreg.1[name], "\(name)") }
        #expect(iwae.1.contains { name, gradient in name.contains(".encoder.") && gradient != dreg.1[name] })
        #expect(iwae.0.objective.isFinite && iwae.0.kl.allSatisfy(\.isFinite))
    }

    /// The terms add up: the objective is Σ_S w_S (Σ_{m reconstructed by S} λ_m rec + β KL_S), the
    /// joint ELBO is the last subset's with λ = 1, MVAE's single subsets reconstruct only their own
    /// modality and MoPoE's every modality.
    @Test func termsFollowTheObjective() throws {
        for objective in MultimodalObjective.allCases {
            var random = RandomSource(seed: 4)
            let model = try MultimodalVAE(Self.imageLabel(objective, labelWeight: 7), using: &random)
            #expect(model.subsets == [[0], [1], [0, 1]])
            let data = try MultimodalDataset.imageLabel(model.configuration, mnist: try MNIST.load(split: .test).prefix(8).binarized(seed: 2))
            let batch = data.batch(Array(0..<8))
            let terms = try model.accumulateGradients(inputs: batch, targets: batch, beta: 2, using: &random)
            let lambdas = [1.0, 7.0], w = objective == .mvae ? 1 : 1 / 3.0
            var expected = 0.0
            for (s, subset) in model.subsets.enumerated() {
                let targets = objective == .mvae ? subset : [0, 1]
                for m in 0..<2 { #expect((terms.reconstruction[s][m] != nil) == targets.contains(m)) }
                expected += w * (targets.reduce(0.0) { $0 + lambdas[$1] * terms.reconstruction[s][$1]! } + 2 * terms.kl[s])
            }
            #expect(abs(terms.objective - expected) < 1e-9 * abs(expected))
            #expect(abs(terms.jointELBO + terms.reconstruction[2][0]! + terms.reconstruction[2][1]! + terms.kl[2]) < 1e-9)
        }
    }

    // MARK: The label modality

    /// −log p(y|z) is the softmax cross-entropy of the decoded logits, log p(y|z) its negative, the
    /// readable output a probability vector; a row that is not one-hot is refused.
    @Test func labelModalityIsACategorical() throws {
        var random = RandomSource(seed: 5)
        let label = try LabelModality(.label(hiddenUnits: 6), latentDimensions: 3, using: &random)
        let z = Tensor.gaussian([4, 3], using: &random)
        let y = Tensor.oneHot([0, 3, 9, 3], classes: 10)
        let logits = label.decode(z)
        let loss = try label.reconstructionLoss(output: logits, target: y)
        let logLikelihoods = label.logLikelihoods(output: logits, target: y)
        let probabilities = label.readable(logits)
        for (row, c) in [0, 3, 9, 3].enumerated() {
            let p = probabilities.scalars[row * 10 ..< (row + 1) * 10]
            #expect(abs(p.reduce(0, +) - 1) < 1e-5)
            #expect(abs(log(Double(p[p.startIndex + c])) - logLikelihoods[row]) < 1e-5)
        }
        #expect(abs(loss.value + logLikelihoods.reduce(0, +) / 4) < 1e-5)
        #expect(throws: LossError.self) { try label.encode(Tensor(shape: [2, 10], scalars: Array(repeating: 0.1, count: 20))) }
        #expect(throws: LossError.self) { try label.encode(Tensor(shape: [2, 9])) }
    }

    // MARK: Evaluation

    /// The importance-sampled joint log-likelihood at k = 1 estimates the same expectation as the
    /// joint ELBO, E_q[log p(x, y | z) + log p(z) − log q(z)], with the KL sampled instead of exact:
    /// their per-tuple difference averages to 0 within four standard errors. At k = 50 the bound is
    /// higher (Burda et al.). Both are finite and below 0 for a Bernoulli image.
    @Test func importanceSampledBoundAgreesWithTheELBO() throws {
        var random = RandomSource(seed: 6)
        let model = try MultimodalVAE(Self.imageLabel(.mvae, labelWeight: 1), using: &random)
        let data = try MultimodalDataset.imageLabel(model.configuration, mnist: try MNIST.load(split: .test).prefix(300).binarized(seed: 2))
        let batch = data.batch(Array(0..<300))
        let elbo = try model.jointELBO(batch, using: &random)
        let one = try model.jointLogLikelihood(batch, samples: 1, using: &random)
        let fifty = try model.jointLogLikelihood(batch, samples: 50, using: &random)
        let difference = MeanEstimate(zip(one, elbo).map { $0 - $1 })
        #expect(abs(difference.mean) < 4 * difference.standardError, "k = 1 against the ELBO: \(difference)")
        #expect(MeanEstimate(fifty).mean > MeanEstimate(elbo).mean)
        #expect((elbo + one + fifty).allSatisfy { $0.isFinite && $0 < 0 })
        #expect(throws: VAEConfigurationError.self) { try model.jointLogLikelihood(batch, samples: 0, using: &random) }
        #expect(throws: VAEConfigurationError.self) { try model.jointELBO([batch[0]], using: &random) }
    }

    /// The posterior of a subset is the product of its experts: observing only the label gives
    /// the label expert times the prior, and no observed modality is refused.
    @Test func posteriorOfASubset() throws {
        var random = RandomSource(seed: 7)
        let model = try MultimodalVAE(Self.imageLabel(.mvae), using: &random)
        let y = Tensor.oneHot([1, 2, 3], classes: 10)
        let q = try model.posterior(observing: [nil, y])
        let direct = try productOfExperts([try model.modalities[1].encode(y)]).gaussian
        #expect(q.mean == direct.mean && q.logVariance == direct.logVariance)
        #expect(throws: VAEConfigurationError.self) { try model.posterior(observing: [nil, nil]) }
        #expect(throws: VAEConfigurationError.self) { try model.posterior(observing: [Tensor(shape: [3, 1, 28, 28]), Tensor.oneHot([1, 2], classes: 10)]) }
        #expect(throws: VAEConfigurationError.self) { try model.posterior(observing: [Tensor(shape: [3, 1, 27, 28]), nil]) }
        var nan = Tensor(shape: [1, 1, 28, 28]); nan.scalars[5] = .nan
        #expect(throws: VAEConfigurationError.self) { try model.posterior(observing: [nan, nil]) }
    }

    /// With a private code, the whole code's posterior given the label alone is the shared product
    /// beside the prior N(0, I) on the digit's private code, and given the digit, the digit's
    /// encoder on both. In training too, the label-only subset leaves the digit's private code at
    /// its prior: its KL is the shared product's alone, under either objective. Generation draws
    /// whole codes.
    @Test(arguments: MultimodalObjective.allCases)
    func privateCodes(_ objective: MultimodalObjective) throws {
        var random = RandomSource(seed: 8)
        let configuration = MultimodalConfiguration(latentDimensions: 3, modalities: [
            .image("mnist", architecture: Self.smoothArchitecture, privateDimensions: 2), .label(hiddenUnits: 8),
        ], objective: objective)
        let model = try MultimodalVAE(configuration, using: &random)
        #expect(model.codeWidth == 5 && model.privateColumns == [3..<5, 5..<5])
        let data = try MultimodalDataset.imageLabel(configuration, mnist: try MNIST.load(split: .test).prefix(4).binarized(seed: 2))
        let batch = data.batch(Array(0..<4))
        let fromLabel = try model.codePosterior(observing: [nil, batch[1]])
        let shared = try model.posterior(observing: [nil, batch[1]])
        #expect(fromLabel.mean.columns(0..<3) == shared.mean && fromLabel.logVariance.columns(0..<3) == shared.logVariance)
        #expect(fromLabel.mean.columns(3..<5).scalars.allSatisfy { $0 == 0 } && fromLabel.logVariance.columns(3..<5).scalars.allSatisfy { $0 == 0 })
        let encoded = try model.modalities[0].encode(batch[0])
        let fromDigit = try model.codePosterior(observing: [batch[0], nil])
        #expect(fromDigit.mean.columns(3..<5) == encoded.mean.columns(3..<5))
        #expect(fromDigit.logVariance.columns(3..<5) == encoded.logVariance.columns(3..<5))

        // Training mode: the smooth networks have no batch norm, so the encoders give what they gave.
        model.isTraining = true
        var noise = RandomSource(seed: 1)
        let terms = try model.accumulateGradients(inputs: batch, targets: batch, using: &noise)
        let labelKL = MeanEstimate(try productOfExperts([try model.modalities[1].encode(batch[1])]).gaussian.klFromStandardNormal).mean
        #expect(abs(terms.kl[1] - labelKL) < 1e-4 * labelKL, "\(objective): \(terms.kl[1]) against \(labelKL)")
        let digitKL = MeanEstimate(try productOfExperts([encoded.columns(0..<3)]).gaussian.klFromStandardNormal).mean
        let styleKL = MeanEstimate(encoded.columns(3..<5).klFromStandardNormal).mean
        #expect(abs(terms.kl[0] - digitKL - styleKL) < 1e-4 * terms.kl[0], "the digit-only subset's KL holds the private code's")
        #expect(model.sampleJoint(count: 3, using: &random).map(\.shape) == [[3, 1, 28, 28], [3, 10]])
        #expect(try model.translate(from: 1, batch[1], to: 0, using: &random).shape == [4, 1, 28, 28])
    }

    // MARK: Data, configuration, checkpoints

    /// Every digit is paired, in every pairing, with a clothing item of its own class; the pairings
    /// differ from each other and repeat with the seed; a pairing across classes is refused.
    @Test func digitsPairWithClothingOfTheirClass() throws {
        let mnist = try MNIST.load(split: .test).prefix(500), fashion = try MNIST.load(.fashionMNIST, split: .test).prefix(500)
        let configuration = MultimodalConfiguration.mnistFashion()
        let data = try MultimodalDataset.mnistFashion(configuration, mnist: mnist, fashion: fashion, pairings: 3, seed: 8)
        for pairing in data.pairings {
            #expect(pairing[0] == Array(0..<500))
            #expect(zip(pairing[0], pairing[1]).allSatisfy { mnist.labels[$0] == fashion.labels[$1] })
        }
        #expect(data.pairings[0][1] != data.pairings[1][1])
        let again = try MultimodalDataset.mnistFashion(configuration, mnist: mnist, fashion: fashion, pairings: 3, seed: 8)
        #expect(again.pairings == data.pairings && again.contentDigest == data.contentDigest)
        let other = try MultimodalDataset.mnistFashion(configuration, mnist: mnist, fashion: fashion, pairings: 3, seed: 9)
        #expect(other.contentDigest != data.contentDigest)
        var wrong = data.pairings[0]
        wrong[1][0] = wrong[1].firstIndex { fashion.labels[$0] != mnist.labels[0] }!
        #expect(throws: VAEConfigurationError.self) {
            try MultimodalDataset(modalities: configuration.modalities, sources: [mnist, fashion], pairings: [wrong], labels: data.labels)
        }
        // Training binarizes the digits afresh and leaves the grey clothing as it is.
        var random = RandomSource(seed: 1)
        let batch = data.trainingBatch([0, 1], pairing: 0, using: &random)
        #expect(batch[0].scalars.allSatisfy { $0 == 0 || $0 == 1 })
        #expect(batch[1] == data.batch([0, 1])[1])
    }

    /// Refusals of bad configurations: one modality, a repeated name, a dotted name, λ ≤ 0, a
    /// binarized Gaussian image.
    @Test func refusesBadConfigurations() throws {
        func refused(_ modalities: [ModalityConfiguration]) -> Bool {
            (try? MultimodalConfiguration(modalities: modalities, objective: .mvae).validate()) == nil
        }
        #expect(refused([.image("mnist")]))
        #expect(refused([.image("mnist"), .image("mnist")]))
        #expect(refused([.image("mn.ist"), .label()]))
        #expect(refused([.image("mnist"), .label(weight: 0)]))
        #expect(refused([.image("mnist"), .label(classes: 1)]))
        // A binarized image needs a likelihood that binarizes (a label with a private code, or
        // an image with classes, cannot be written down at all: `Kind` has no place for them).
        let gaussian = ModalityConfiguration(name: "fashion", kind: .image(architecture: .reference, likelihood: .gaussian,
                                                                           binarized: true, privateDimensions: 0))
        #expect(refused([.image("mnist"), gaussian]))
        #expect(refused([.image("mnist", privateDimensions: -1), .label()]))
        #expect(!refused([.image("mnist", privateDimensions: 4), .label()]))
        #expect(!refused([.image("mnist"), .label()]))
        // K codes per subset and tuple: 1 to 64; at its defaults the K-sample bound leaves no
        // trace in the saved configuration (so older runs keep their fingerprints).
        for (k, accepted) in [(0, false), (1, true), (8, true), (64, true), (65, false)] {
            let configuration = MultimodalConfiguration(modalities: [.image("mnist"), .label()], objective: .mopoe, importanceSamples: k)
            #expect(((try? configuration.validate()) != nil) == accepted, "K = \(k)")
        }
        let plain = MultimodalConfiguration(modalities: [.image("mnist"), .label()], objective: .mopoe)
        let text = String(decoding: try JSONEncoder().encode(plain), as: UTF8.self)
        #expect(!text.contains("importance"), "\(text)")
        #expect(try JSONDecoder().decode(MultimodalConfiguration.self, from: Data(text.utf8)) == plain)
        let sampled = MultimodalConfiguration(modalities: [.image("mnist"), .label()], objective: .mopoe,
                                              importanceSamples: 4, importanceEstimator: .iwae)
        #expect(try JSONDecoder().decode(MultimodalConfiguration.self, from: JSONEncoder().encode(sampled)) == sampled)
        // A configuration saved before private codes existed reads as having none.
        var saved = try JSONSerialization.jsonObject(with: JSONEncoder().encode(ModalityConfiguration.image("mnist"))) as! [String: Any]
        saved["privateDimensions"] = nil
        let read = try JSONDecoder().decode(ModalityConfiguration.self, from: JSONSerialization.data(withJSONObject: saved))
        #expect(read == .image("mnist"))
    }

    /// Training two epochs in one go, or one, a checkpoint, and one more in a new trainer, gives
    /// the same weights bit for bit; a checkpoint of other data is refused for resuming.
    @Test func resumesExactly() throws {
        let mnist = try MNIST.load(split: .test).prefix(256)
        var configuration = MultimodalTrainingConfiguration(model: Self.imageLabel(.mopoe), epochs: 2, seed: 3)
        configuration.batchSize = 64
        let data = try MultimodalDataset.imageLabel(configuration.model, mnist: mnist)
        let straight = try MultimodalTrainer(configuration, data: data)
        try straight.train()

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("multimodal-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("checkpoint.safetensors")
        let first = try MultimodalTrainer(configuration, data: data)
        try first.train(checkpoint: url, until: 1)
        #expect(first.epoch == 1 && !first.isFinished)
        let resumed = try MultimodalTrainer(resumingFrom: url, data: data)
        #expect(resumed.epoch == 1)
        try resumed.train()
        #expect(resumed.history.map(\.objective) == straight.history.map(\.objective))
        for (a, b) in zip(straight.model.parameters, resumed.model.parameters) {
            #expect(a.value == b.value, "\(a.name) differs after resuming")
        }
        let other = try MultimodalDataset.imageLabel(configuration.model, mnist: try MNIST.load(split: .train).prefix(256))
        #expect(throws: CheckpointError.self) { try MultimodalTrainer(resumingFrom: url, data: other) }
    }

    /// A run small enough for a test: 128 test digits with their labels, MoPoE, batches of 64 (two
    /// updates an epoch), seed 3, and the checkpoint's path in a fresh folder, removed afterwards.
    static func withSmallRun(epochs: Int, _ body: (MultimodalTrainingConfiguration, MultimodalDataset, URL) throws -> Void) throws {
        let mnist = try MNIST.load(split: .test).prefix(128)
        var configuration = MultimodalTrainingConfiguration(model: imageLabel(.mopoe), epochs: epochs, seed: 3)
        configuration.batchSize = 64
        let data = try MultimodalDataset.imageLabel(configuration.model, mnist: mnist)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("multimodal-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(configuration, data, folder.appendingPathComponent("checkpoint.safetensors"))
    }

    /// A NaN weight makes the next update's loss NaN: training stops with `TrainingError.diverged`
    /// (which says where), the checkpoint keeps the last good epoch byte for byte, and the trainer
    /// refuses to train or save again. A state holding ±∞ is refused at the save with
    /// `TrainingError.nonFiniteState`, the file left as it was.
    @Test func aNonFiniteLossOrStateIsNeverSaved() throws {
        try Self.withSmallRun(epochs: 3) { configuration, data, url in
            let trainer = try MultimodalTrainer(configuration, data: data)
            var good = Data()
            trainer.epochEnded = { trainer, _ in
                good = (try? Data(contentsOf: url)) ?? Data()                         // written after epoch 1
                trainer.model.parameters[0].value.scalars[0] = .nan                    // poison the next update
            }
            let error = #expect(throws: TrainingError.self) { try trainer.train(checkpoint: url) }
            guard case .diverged(let epoch, let step, _, _)? = error else {
                Issue.record("expected TrainingError.diverged, got \(String(describing: error))")
                return
            }
            #expect(epoch == 2 && step == 2)
            let after = try Data(contentsOf: url)
            #expect(!good.isEmpty && after == good, "the good checkpoint must stay as it was")
            #expect(try MultimodalTrainer(resumingFrom: url, data: data).epoch == 1)
            #expect(throws: TrainingError.self) { try trainer.train(checkpoint: url) }
            #expect(throws: TrainingError.self) { try trainer.save(to: url) }
            let untouched = try Data(contentsOf: url)
            #expect(untouched == good)

            let second = try MultimodalTrainer(configuration, data: data)
            try second.train(checkpoint: url, until: 1)
            let saved = try Data(contentsOf: url)
            let weight = second.model.parameters[1]
            weight.value.scalars[0] = .infinity
            let refused = #expect(throws: TrainingError.self) { try second.save(to: url) }
            guard case .nonFiniteState(1, weight.name)? = refused else {
                Issue.record("expected TrainingError.nonFiniteState(1, \(weight.name)), got \(String(describing: refused))")
                return
            }
            let kept = try Data(contentsOf: url)
            #expect(kept == saved)
        }
    }

    /// A checkpoint whose saved Adam moment is corrupt (a negative second moment, a NaN) is refused
    /// for resuming, in words, as the VAE's is (`OptimizerMoments`).
    @Test func aCorruptMomentIsRefused() throws {
        try Self.withSmallRun(epochs: 2) { configuration, data, url in
            try MultimodalTrainer(configuration, data: data).train(checkpoint: url, until: 1)
            #expect(try MultimodalTrainer(resumingFrom: url, data: data).epoch == 1)
            let saved = try SafeTensors.read(from: url)
            for (value, words) in [(Float(-1), "negative second moment"), (.nan, "NaN")] {
                var entries = saved.entries
                let i = try #require(entries.firstIndex { $0.name.hasPrefix("optimizer.exp_avg_sq.") })
                entries[i].tensor.scalars[0] = value
                try SafeTensors(entries: entries, metadata: saved.metadata).write(to: url)
                let error = #expect(throws: CheckpointError.self) { try MultimodalTrainer(resumingFrom: url, data: data) }
                #expect("\(String(describing: error))".contains(words), "\(String(describing: error))")
            }
        }
    }

    /// A run of other settings is set aside under its fingerprint and taken back when asked for
    /// again, never deleted; a run saved under other arithmetic is not reused.
    @Test func runsAreSetAsideAndTakenBackNeverDeleted() throws {
        let mnist = try MNIST.load(split: .test).prefix(128)
        var first = MultimodalTrainingConfiguration(model: Self.imageLabel(.mopoe), epochs: 1, seed: 3)
        first.batchSize = 64
        var second = first
        second.seed = 4
        let data = try MultimodalDataset.imageLabel(first.model, mnist: mnist)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("multimodal-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var lines: [String] = []
        let trained = try MultimodalTrainer.trainOrReuse(first, data: data, in: folder) { lines.append($0) }
        let firstPrint = try MultimodalTrainer.fingerprint(first, dataDigest: data.contentDigest)
        #expect(MultimodalTrainer.savedFingerprint(in: RunStore(folder: folder).checkpoint) == firstPrint)

        _ = try MultimodalTrainer.trainOrReuse(second, data: data, in: folder) { lines.append($0) }
        let aside = RunStore(folder: folder).setAsideURL(fingerprint: firstPrint)
        #expect(FileManager.default.fileExists(atPath: aside.path), "\(lines)")
        // Asked for again: taken back, not trained again (its weights are the first run's), and
        // its recorded epochs are heard as a run trained now would be.
        var heard: [MultimodalEpoch] = []
        let back = try MultimodalTrainer.trainOrReuse(first, data: data, in: folder, log: { lines.append($0) },
                                                      epochEnded: { heard.append($0) })
        #expect(lines.last?.hasPrefix("taking back the run set aside") == true, "\(lines)")
        for (a, b) in zip(trained.model.parameters, back.model.parameters) { #expect(a.value == b.value) }
        #expect(!heard.isEmpty && heard == trained.history)
        let secondPrint = try MultimodalTrainer.fingerprint(second, dataDigest: data.contentDigest)
        #expect(FileManager.default.fileExists(atPath: RunStore(folder: folder).setAsideURL(fingerprint: secondPrint).path))
        // Another version of the arithmetic is another run.
        #expect(try MultimodalTrainer.fingerprint(first, dataDigest: data.contentDigest, numericsVersion: RunFingerprint.numericsVersion + 1)
                != firstPrint)
    }

    /// The training configurations of chapter 11's two runs, as their checkpoints hold them
    /// (written before a modality's kind was an enum): the runs' fingerprints hash this JSON, so it
    /// must come out byte for byte the same.
    @Test func theJSONOfTheTrainedMultimodalRunsIsUnchanged() throws {
        let imageLabel = try MultimodalPair.imageLabel.training(try MultimodalPair.imageLabel.model(), epochs: 12)
        let mnistFashion = try MultimodalPair.mnistFashion.training(try MultimodalPair.mnistFashion.model(), epochs: 10, pairings: 5)
        let saved = [#"{"batchSize":128,"beta":1,"epochs":12,"finalLearningRate":0.0001,"learningRate":0.001,"model":{"alignmentWeight":0,"latentDimensions":20,"modalities":[{"architecture":{"decoder":[{"features":3136,"type":"linear"},{"type":"relu"},{"shape":[64,7,7],"type":"reshape"},{"channels":32,"kernel":4,"padding":1,"stride":2,"type":"deconv"},{"type":"batchnorm"},{"type":"relu"},{"channels":1,"kernel":4,"padding":1,"stride":2,"type":"deconv"}],"encoder":[{"channels":32,"kernel":4,"padding":1,"stride":2,"type":"conv"},{"type":"batchnorm"},{"type":"relu"},{"channels":64,"kernel":4,"padding":1,"stride":2,"type":"conv"},{"type":"batchnorm"},{"type":"relu"},{"type":"flatten"}]},"binarized":true,"classCount":0,"hiddenUnits":0,"kind":"image","likelihood":{"type":"bernoulli"},"name":"mnist","privateDimensions":0,"weight":1},{"binarized":false,"classCount":10,"hiddenUnits":128,"kind":"label","name":"label","privateDimensions":0,"weight":50}],"objective":"mopoe"},"pairings":1,"seed":1}"#,
                     #"{"batchSize":128,"beta":1,"epochs":10,"finalLearningRate":0.0001,"learningRate":0.001,"model":{"alignmentWeight":0,"latentDimensions":20,"modalities":[{"architecture":{"decoder":[{"features":3136,"type":"linear"},{"type":"relu"},{"shape":[64,7,7],"type":"reshape"},{"channels":32,"kernel":4,"padding":1,"stride":2,"type":"deconv"},{"type":"batchnorm"},{"type":"relu"},{"channels":1,"kernel":4,"padding":1,"stride":2,"type":"deconv"}],"encoder":[{"channels":32,"kernel":4,"padding":1,"stride":2,"type":"conv"},{"type":"batchnorm"},{"type":"relu"},{"channels":64,"kernel":4,"padding":1,"stride":2,"type":"conv"},{"type":"batchnorm"},{"type":"relu"},{"type":"flatten"}]},"binarized":true,"classCount":0,"hiddenUnits":0,"kind":"image","likelihood":{"type":"bernoulli"},"name":"mnist","privateDimensions":0,"weight":1},{"architecture":{"decoder":[{"features":3136,"type":"linear"},{"type":"relu"},{"shape":[64,7,7],"type":"reshape"},{"channels":32,"kernel":4,"padding":1,"stride":2,"type":"deconv"},{"type":"batchnorm"},{"type":"relu"},{"channels":1,"kernel":4,"padding":1,"stride":2,"type":"deconv"}],"encoder":[{"channels":32,"kernel":4,"padding":1,"stride":2,"type":"conv"},{"type":"batchnorm"},{"type":"relu"},{"channels":64,"kernel":4,"padding":1,"stride":2,"type":"conv"},{"type":"batchnorm"},{"type":"relu"},{"type":"flatten"}]},"binarized":false,"classCount":0,"hiddenUnits":0,"kind":"image","likelihood":{"type":"bernoulli"},"name":"fashion","privateDimensions":0,"weight":1}],"objective":"mopoe"},"pairings":5,"seed":1}"#]
        for (configuration, json) in zip([imageLabel, mnistFashion], saved) {
            #expect(String(decoding: try MultimodalTraining.encoder.encode(configuration), as: UTF8.self) == json)
            #expect(try JSONDecoder().decode(MultimodalTrainingConfiguration.self, from: Data(json.utf8)) == configuration)
        }
        // A field of the other kind is refused when read, not ignored.
        let label = #"{"binarized":false,"classCount":10,"hiddenUnits":128,"kind":"label","name":"label","privateDimensions":0,"weight":50}"#
        #expect(try JSONDecoder().decode(ModalityConfiguration.self, from: Data(label.utf8)) == .label())
        for bad in [label.replacingOccurrences(of: #""binarized":false"#, with: #""binarized":true"#),
                    label.replacingOccurrences(of: #""privateDimensions":0"#, with: #""privateDimensions":4"#),
                    label.replacingOccurrences(of: #""kind":"label""#, with: #""kind":"sound""#),
                    label.replacingOccurrences(of: #""kind":"label""#, with: #""kind":"image""#)] {
            #expect(throws: DecodingError.self, "\(bad)") { try JSONDecoder().decode(ModalityConfiguration.self, from: Data(bad.utf8)) }
        }
    }
}
