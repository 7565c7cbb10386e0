import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// The evaluation: log-mean-exp, the Bernoulli likelihood, the importance-weighted bound (against
/// PyTorch, a naive one-sample-at-a-time reference, closed forms and its known inequalities),
/// the ELBO, latent activity, and checkpoint loading.
@Suite struct EvaluationTests {
    nonisolated(unsafe) static let fixture = Result { try Fixture("evaluation") }
    /// The first 200 test images, binarized with the evaluation's fixed seed (checksums are
    /// tested elsewhere, and SHA-256 of the whole file is slow in debug builds).
    static let testImages = Result {
        try MNIST.load(split: .test, verifyChecksums: false).prefix(200).binarized(seed: EvaluationDefaults.binarizationSeed)
    }

    /// The model of a fixture case, with PyTorch's trained weights, in evaluation mode.
    static func model(_ name: String, _ f: Fixture) throws -> VAE {
        let configuration = VAEConfiguration(latentDimensions: try f.integers(name, "latent")[0],
                                             channels: try f.integers(name, "channels"),
                                             classCount: try f.integers(name, "classes")[0])
        var random = RandomSource(seed: 3)
        let model = try VAE(configuration, using: &random)
        let state = f.keys(name).filter { $0.hasPrefix("state:") }
        try model.load(stateDict: state.map { SafeTensors.Entry(name: String($0.dropFirst(6)), tensor: try f.tensor(name, $0)) })
        model.isTraining = false
        return model
    }

    // MARK: log-mean-exp

    @Test func logMeanExpMatchesNaive() {
        var random = RandomSource(seed: 1)
        for k in [1, 2, 17, 1000] {
            let values = (0..<k).map { _ in Double(random.uniform() * 25 - 20) }    // [−20, 5]
            let expected = logMeanExpNaive(values)
            #expect(abs(logMeanExp(values) - expected) <= 1e-12 * max(1, abs(expected)), "k = \(k)")
        }
        #expect(logMeanExp([-3.5]) == -3.5)
        #expect(abs(logMeanExp([0, 0, 0, 0]) - 0) < 1e-15)
    }

    @Test func logMeanExpIsStableFarBelowZero() {
        var random = RandomSource(seed: 2)
        let offsets = (0..<500).map { _ in Double(random.uniform() * 6 - 3) }
        let values = offsets.map { -1e4 + $0 }
        #expect(logMeanExpNaive(values) == -.infinity, "the naive form underflows: the test would not test anything")
        let expected = -1e4 + logMeanExpNaive(offsets)
        #expect(abs(logMeanExp(values) - expected) < 1e-9)
        // A zero weight (log-weight −∞) among finite ones counts as 0 in the mean.
        #expect(abs(logMeanExp([-1e4, -.infinity]) - (-1e4 - log(2.0))) < 1e-9)
    }

    /// The estimator on a problem with a known answer: p(z) = N(0, 1), p(x|z) = N(z, 1), so
    /// p(x) = N(x; 0, 2) and the posterior is N(x/2, 1/2).
    @Test func estimatorOnLinearGaussian() {
        let x = 1.3
        let log2π = log(2 * Double.pi)
        func logNormal(_ v: Double, mean: Double, variance: Double) -> Double {
            -0.5 * (log2π + log(variance) + (v - mean) * (v - mean) / variance)
        }
        let truth = logNormal(x, mean: 0, variance: 2)
        func logWeight(_ z: Double, qMean: Double, qVariance: Double) -> Double {
            logNormal(x, mean: z, variance: 1) + logNormal(z, mean: 0, variance: 1) - logNormal(z, mean: qMean, variance: qVariance)
        }
        var random = RandomSource(seed: 3)
        // q = the exact posterior: every weight is p(x), for any k.
        let exact = (0..<7).map { _ in logWeight(x / 2 + 0.5.squareRoot() * Double(random.gaussian()), qMean: x / 2, qVariance: 0.5) }
        #expect(abs(logMeanExp(exact) - truth) < 1e-12)

        // q = N(x/2 + 0.5, 1) ≠ posterior.
        let (qMean, qVariance) = (x / 2 + 0.5, 1.0)
        func estimate(_ k: Int) -> Double {
            logMeanExp((0..<k).map { _ in logWeight(qMean + Double(random.gaussian()), qMean: qMean, qVariance: qVariance) })
        }
        // k = 1 is the ELBO: E[log w] = log p(x) − KL(q ‖ posterior), in closed form.
        let kl = 0.5 * (log(0.5 / qVariance) + (qVariance + 0.5 * 0.5) / 0.5 - 1)
        let single = MeanEstimate((0..<20_000).map { _ in estimate(1) })
        #expect(abs(single.mean - (truth - kl)) < 4 * single.standardError, "\(single.mean) vs \(truth - kl)")
        // The bound rises with k towards log p(x), and stays below it on average.
        let k10 = MeanEstimate((0..<2000).map { _ in estimate(10) })
        let k100 = MeanEstimate((0..<500).map { _ in estimate(100) })
        #expect(single.mean < k10.mean && k10.mean < k100.mean)
        #expect(k100.mean < truth + 3 * k100.standardError)
        #expect(abs(estimate(100_000) - truth) < 0.02)
    }

    // MARK: Bernoulli likelihood

    @Test func bernoulliLogLikelihoodMatchesReference() throws {
        var random = RandomSource(seed: 4)
        var logits = (0..<784).map { _ in random.uniform() * 60 - 30 }
        logits[0] = 1000; logits[1] = -1000; logits[2] = 0
        for binary in [true, false] {
            var targets = (0..<784).map { _ in binary ? (random.bernoulli(0.3) ? Float(1) : 0) : random.uniform() }
            targets[1] = 1                                                          // confident and wrong
            let expected = bernoulliLogLikelihoodReference(logits: logits, targets: targets)
            let actual = bernoulliLogLikelihood(logits: logits, targets: targets, count: 784)
            #expect(abs(actual - expected) <= 1e-6 * abs(expected), "binary \(binary): \(actual) vs \(expected)")
            #expect(expected < -1000)
            let library = try binaryCrossEntropyWithLogits(logits: Tensor(shape: [1, 784], scalars: logits),
                                                           targets: Tensor(shape: [1, 784], scalars: targets), reduction: .sum)
            #expect(abs(actual + library.value) <= 1e-6 * library.value)
        }
    }

    // MARK: Importance-weighted bound

    /// Our one-sample-at-a-time reference, given PyTorch's ε, reproduces PyTorch's log-weights
    /// and log-mean-exp (float32 networks, then float64, on briefly trained models).
    @Test(arguments: ["trained_small", "conditional_small"])
    func logWeightsMatchPyTorch(_ name: String) throws {
        let f = try Self.fixture.get()
        let model = try Self.model(name, f)
        let images = try f.tensor(name, "images")                                  // (N, 1, 28, 28)
        let epsilon = try f.tensor(name, "epsilon")                                 // (N, k, D)
        let expected = try f.tensor(name, "log_weights")                            // (N, k)
        let expectedMean = try f.numbers(name, "log_mean_exp")
        let labels = f.cases[name]?["labels"] as? [Int]
        let (n, k, d) = (epsilon.shape[0], epsilon.shape[1], epsilon.shape[2])
        for i in 0..<n {
            let weights = try importanceLogWeightsReference(
                model: model, image: images.rows(i..<(i + 1)), label: labels?[i],
                epsilon: Array(epsilon.scalars[(i * k * d)..<((i + 1) * k * d)]))
            for s in 0..<k {
                let e = Double(expected.scalars[i * k + s])
                #expect(abs(weights[s] - e) <= 2e-3 + 1e-5 * abs(e), "\(name) image \(i) sample \(s): \(weights[s]) vs \(e)")
            }
            #expect(abs(logMeanExp(weights) - expectedMean[i]) <= 2e-3 + 1e-5 * abs(expectedMean[i]))
        }
    }

    /// The chunked estimator equals the naive reference fed the same ε stream, whatever the
    /// chunk and batch sizes (chunks that split an image's samples and span images included).
    @Test(arguments: ["trained_small", "conditional_small"])
    func fastEstimatorMatchesReference(_ name: String) throws {
        let f = try Self.fixture.get()
        let model = try Self.model(name, f)
        model.isTraining = true
        let images = try f.tensor(name, "images")
        let labels = f.cases[name]?["labels"] as? [Int]
        let (n, k, d) = (images.shape[0], 37, model.configuration.latentDimensions)
        let seed: UInt64 = 5

        var random = RandomSource(seed: seed)
        var expected: [Double] = []
        model.isTraining = false
        for i in 0..<n {
            var epsilon = [Float](repeating: 0, count: k * d)
            epsilon.withUnsafeMutableBufferPointer { random.fillGaussian($0) }
            let weights = try importanceLogWeightsReference(model: model, image: images.rows(i..<(i + 1)),
                                                            label: labels?[i], epsilon: epsilon)
            expected.append(logMeanExp(weights))
        }
        model.isTraining = true

        for (batchSize, chunkSize) in [(2, 16), (n, 1000), (1, 37), (3, 1)] {
            let result = try evaluateImportanceWeighted(model: model, images: images, labels: labels, samples: k,
                                                        batchSize: batchSize, chunkSize: chunkSize, seed: seed)
            #expect(model.isTraining, "the mode is restored")
            #expect(result.count == n && result.samples == k)
            for i in 0..<n {
                #expect(abs(result.logLikelihoods[i] - expected[i]) <= 2e-3 + 1e-5 * abs(expected[i]),
                        "\(name) batch \(batchSize) chunk \(chunkSize) image \(i): \(result.logLikelihoods[i]) vs \(expected[i])")
            }
            #expect(abs(result.negativeLogLikelihood.mean + expected.reduce(0, +) / Double(n)) < 2e-3)
        }
        let limited = try evaluateImportanceWeighted(model: model, images: images, labels: labels, samples: k,
                                                     limit: 2, seed: seed)
        #expect(limited.count == 2 && abs(limited.logLikelihoods[1] - expected[1]) <= 2e-3 + 1e-5 * abs(expected[1]))
    }

    /// On real images and a trained model: k = 1 agrees with the ELBO in expectation (paired over
    /// 200 images, different ε), and k = 64 is above k = 1.
    @Test func boundRisesWithSamples() throws {
        let f = try Self.fixture.get()
        let model = try Self.model("trained_small", f)
        let test = try Self.testImages.get()
        let elbo = try evaluateELBO(model: model, images: test.images, seed: 10)
        let k1 = try evaluateImportanceWeighted(model: model, images: test.images, samples: 1, seed: 11)
        let k64 = try evaluateImportanceWeighted(model: model, images: test.images, samples: 64, seed: 12)
        let difference = MeanEstimate(zip(k1.logLikelihoods, elbo.perImage).map { $0 - $1 })
        #expect(abs(difference.mean) < 4 * difference.standardError,
                "k = 1 and the ELBO differ by \(difference.mean) ± \(difference.standardError)")
        let gain = MeanEstimate(zip(k64.logLikelihoods, k1.logLikelihoods).map { $0 - $1 })
        #expect(gain.mean > 0, "k = 64 should beat k = 1: \(gain.mean) ± \(gain.standardError)")
        #expect(k64.negativeLogLikelihood.mean < -elbo.elbo.mean)
        #expect(k64.negativeLogLikelihood.standardError > 0 && k64.negativeLogLikelihood.standardError < 5)
    }

    /// A decoder that ignores z (its first layer's weights are 0) makes p(x|z) = p(x), known
    /// exactly. With q = p(z) every weight is p(x); otherwise E_q[p(z)/q(z|x)] = 1 and the
    /// estimate converges to log p(x), while the ELBO is log p(x) − KL exactly.
    @Test func decoderIgnoringCodeGivesExactLikelihood() throws {
        var random = RandomSource(seed: 6)
        let model = try VAE(VAEConfiguration(latentDimensions: 2, channels: [4]), using: &random)
        let decoderFC = model.decoder.parameters.first { $0.name == "decoder.fc.weight" }!
        let encoderFC = model.encoderHead.parameters
        decoderFC.value = Tensor(shape: decoderFC.value.shape)
        encoderFC[0].value = Tensor(shape: encoderFC[0].value.shape)              // μ, log σ² = bias
        let test = try Self.testImages.get().prefix(5)
        model.isTraining = false
        let logits = try model.decode(Tensor(shape: [1, 2]))
        let truth = (0..<5).map { i in
            bernoulliLogLikelihoodReference(logits: logits.scalars, targets: Array(test.images.scalars[(i * 784)..<((i + 1) * 784)]))
        }

        // q = p(z): bias 0.
        encoderFC[1].value = Tensor(shape: [4])
        let exact = try evaluateImportanceWeighted(model: model, images: test.images, samples: 9, chunkSize: 4, seed: 1)
        let exactELBO = try evaluateELBO(model: model, images: test.images, seed: 1)
        for i in 0..<5 {
            #expect(abs(exact.logLikelihoods[i] - truth[i]) < 1e-3, "\(exact.logLikelihoods[i]) vs \(truth[i])")
            #expect(abs(exactELBO.perImage[i] - truth[i]) < 1e-3)
        }
        #expect(exactELBO.kl == 0)

        // q = N((0.3, −0.2), diag e^{(0.2, −0.1)}): Var_q(p/q) = 0.143, so k = 4000 has a
        // standard error of about 0.006 nats.
        let (mu, logVariance) = ([0.3, -0.2], [0.2, -0.1])
        encoderFC[1].value = Tensor(shape: [4], scalars: (mu + logVariance).map(Float.init))
        let kl = (0..<2).map { 0.5 * (mu[$0] * mu[$0] + exp(logVariance[$0]) - 1 - logVariance[$0]) }.reduce(0, +)
        let estimate = try evaluateImportanceWeighted(model: model, images: test.images, samples: 4000, seed: 2)
        let elbo = try evaluateELBO(model: model, images: test.images, seed: 2)
        #expect(abs(elbo.kl - kl) < 1e-6)
        for i in 0..<5 {
            #expect(abs(estimate.logLikelihoods[i] - truth[i]) < 0.04, "\(estimate.logLikelihoods[i]) vs \(truth[i])")
            #expect(abs(elbo.perImage[i] - (truth[i] - kl)) < 1e-3)
        }
    }

    // MARK: ELBO

    @Test func evaluateELBOMatchesNaiveAndRestoresMode() throws {
        let f = try Self.fixture.get()
        let model = try Self.model("conditional_small", f)
        let test = try Self.testImages.get().prefix(30)
        let labels = test.labels.map(Int.init)
        model.isTraining = true
        let buffersBefore = model.buffers.map(\.value)
        let a = try evaluateELBO(model: model, images: test.images, labels: labels, batchSize: 7, seed: 8)
        let b = try evaluateELBO(model: model, images: test.images, labels: labels, batchSize: 30, seed: 8)
        #expect(model.isTraining)
        #expect(model.buffers.map(\.value) == buffersBefore, "evaluation must not move BatchNorm's running statistics")
        for i in 0..<30 { #expect(abs(a.perImage[i] - b.perImage[i]) <= 1e-4 * abs(b.perImage[i])) }

        // Naive: the whole batch at once, ε in image order from the same seed, library losses.
        model.isTraining = false
        var random = RandomSource(seed: 8)
        let (mean, logVariance) = try model.encode(test.images, labels: labels)
        let z = VAE.reparameterize(mean: mean, logVariance: logVariance, using: &random).z
        let logits = try model.decode(z, labels: labels)
        let reconstruction = try binaryCrossEntropyWithLogits(logits: logits, targets: test.images, reduction: .sumPerSample).value
        let kl = try klDivergenceStandardNormal(mean: mean, logVariance: logVariance, reduction: .sumPerSample).value
        #expect(abs(a.reconstruction - reconstruction) <= 1e-5 * reconstruction)
        #expect(abs(a.kl - kl) <= 1e-5 * kl)
        #expect(abs(a.elbo.mean + reconstruction + kl) <= 1e-5 * (reconstruction + kl))
        #expect(a.count == 30 && a.latent.count == 30)
        let limited = try evaluateELBO(model: model, images: test.images, labels: labels, limit: 4, seed: 8)
        #expect(limited.count == 4 && abs(limited.perImage[3] - a.perImage[3]) <= 1e-4 * abs(a.perImage[3]))
    }

    // MARK: Latent activity

    @Test func latentActivityMatchesTwoPassReference() throws {
        var random = RandomSource(seed: 9)
        let (n, d) = (50, 5)
        // Columns: spread 1 (active), constant (dead), spread 0.05 (variance 0.0025, inactive),
        // offset 1000 with spread 0.2 (variance 0.04, active: a one-pass Σx² would cancel), spread 0.3.
        let spreads: [Float] = [1, 0, 0.05, 0.2, 0.3]
        let offsets: [Float] = [0, 0.7, 0, 1000, -2]
        var mean = Tensor(shape: [n, d]), logVariance = Tensor(shape: [n, d])
        for i in 0..<n {
            for j in 0..<d {
                mean.scalars[i * d + j] = offsets[j] + spreads[j] * random.gaussian()
                logVariance.scalars[i * d + j] = random.uniform() * 2 - 1
            }
        }
        let activity = try LatentActivity(mean: mean, logVariance: logVariance)
        var accumulator = LatentActivityAccumulator(dimensions: d)
        for start in stride(from: 0, to: n, by: 7) {
            let rows = start..<min(start + 7, n)
            try accumulator.add(mean: Tensor(shape: [rows.count, d], scalars: Array(mean.scalars[(rows.lowerBound * d)..<(rows.upperBound * d)])),
                                logVariance: Tensor(shape: [rows.count, d], scalars: Array(logVariance.scalars[(rows.lowerBound * d)..<(rows.upperBound * d)])))
        }
        let batched = accumulator.result(threshold: 0.01)
        let breakdown = try klDivergenceBreakdown(mean: mean, logVariance: logVariance)
        for j in 0..<d {
            let column = (0..<n).map { Double(mean.scalars[$0 * d + j]) }
            let m = column.reduce(0, +) / Double(n)
            let variance = column.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(n)
            for result in [activity, batched] {
                #expect(abs(result.meanVariance[j] - variance) <= 1e-9 * max(variance, 1e-6), "dimension \(j)")
                #expect(abs(result.klPerDimension[j] - breakdown.perDimension[j]) <= 1e-9 * breakdown.perDimension[j])
            }
        }
        #expect(activity.activeDimensions == [0, 3, 4])
        #expect(activity.activeUnits == 3 && batched.activeUnits == 3)
        #expect(abs(activity.totalKL - breakdown.totalPerSample) < 1e-9 * breakdown.totalPerSample)
    }

    /// The fewest dimensions holding a fraction of the KL, and the activity's exact JSON round trip
    /// (chapters cache it beside a run).
    @Test func dimensionsHoldingAFractionOfTheKL() throws {
        let activity = LatentActivity(klPerDimension: [0.5, 4, 0, 1.5, 4], meanVariance: [0.02, 1, 0, 0.3, 2], threshold: 0.01, count: 7)
        #expect(activity.totalKL == 10)
        #expect(activity.dimensionsHolding(0.4) == 1 && activity.dimensionsHolding(0.8) == 2)    // 4, then 4 + 4 = 8
        #expect(activity.dimensionsHolding(0.9) == 3 && activity.dimensionsHolding(0.95) == 3 && activity.dimensionsHolding(1) == 4)
        let silent = LatentActivity(klPerDimension: [0, 0], meanVariance: [0, 0], threshold: 0.01, count: 1)
        #expect(silent.dimensionsHolding(0.9) == 1)
        let decoded = try JSONDecoder().decode(LatentActivity.self, from: try JSONEncoder().encode(activity))
        #expect(decoded == activity)
    }

    /// A latent unit whose encoder weights are zero has a constant μ_d: inactive, whatever its bias.
    @Test func deadUnitsOfAModelAreInactive() throws {
        let f = try Self.fixture.get()
        let model = try Self.model("trained_small", f)
        let weight = model.encoderHead.parameters[0]                               // (2D, F)
        let features = weight.value.shape[1]
        for row in [1, 3] { for c in 0..<features { weight.value.scalars[row * features + c] = 0 } }
        let test = try Self.testImages.get()
        let activity = try measureLatentActivity(model: model, images: test.images, batchSize: 64)
        #expect(activity.count == 200)
        #expect(activity.meanVariance[1] < 1e-12 && activity.meanVariance[3] < 1e-12)
        #expect(!activity.activeDimensions.contains(1) && !activity.activeDimensions.contains(3))
        let elbo = try evaluateELBO(model: model, images: test.images, batchSize: 64, seed: 1)
        #expect(elbo.latent == activity)
    }

    @Test func meanEstimate() {
        let estimate = MeanEstimate([1, 2, 3, 4])
        #expect(estimate.mean == 2.5 && estimate.count == 4)
        #expect(abs(estimate.standardError - (5.0 / 3).squareRoot() / 2) < 1e-15)
        #expect(MeanEstimate([7]).standardError.isNaN)
    }

    // MARK: Checkpoints and bad input

    @Test func checkpointRoundTrip() throws {
        var random = RandomSource(seed: 12)
        let model = try VAE(VAEConfiguration(latentDimensions: 3, channels: [4, 6], classCount: 10), using: &random)
        for p in model.buffers where p.name.hasSuffix("running_mean") {
            p.value = Tensor.gaussian(p.value.shape, using: &random)
        }
        var checkpoint = try Checkpoint.modelFile(model, extra: ["epoch": "3"])
        checkpoint.entries.append(SafeTensors.Entry(name: "optimizer.step", tensor: Tensor(shape: [1], scalars: [7])))
        checkpoint.entries.append(SafeTensors.Entry(name: "optimizer.m.encoder.fc.weight", tensor: Tensor(shape: [2, 2])))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("evaluation-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try checkpoint.write(to: url)
        let config = try #require(try SafeTensors.read(from: url).metadata["model_config"])
        #expect(try JSONDecoder().decode(VAEConfiguration.self, from: Data(config.utf8)) == model.configuration)

        let loaded = try Checkpoint.loadModel(from: url)
        #expect(loaded.configuration == model.configuration)
        #expect(loaded.stateDict() == model.stateDict())

        func load(_ file: SafeTensors) throws -> VAE { try Checkpoint(file).makeModel() }
        var missing = checkpoint
        missing.metadata = [:]
        #expect(throws: CheckpointError.self) { try load(missing) }
        var garbled = checkpoint
        garbled.metadata["model_config"] = "{\"latent\": 3"
        #expect(throws: CheckpointError.self) { try load(garbled) }
        var invalid = checkpoint
        invalid.metadata["model_config"] = #"{"channels":[4,6,8,8],"classCount":0,"latentDimensions":3}"#
        #expect(throws: VAEConfigurationError.self) { try load(invalid) }
        var short = checkpoint
        short.entries.removeAll { $0.name == "decoder.fc.bias" }
        #expect(throws: CheckpointError.missingTensor("decoder.fc.bias")) { try load(short) }
        #expect(throws: SafeTensorsError.self) { try Checkpoint.loadModel(from: url.appendingPathExtension("missing")) }
    }

    @Test func badInputsThrow() throws {
        var random = RandomSource(seed: 13)
        let plain = try VAE(VAEConfiguration(latentDimensions: 2, channels: [4]), using: &random)
        let conditional = try VAE(VAEConfiguration(latentDimensions: 2, channels: [4], classCount: 10), using: &random)
        let images = Tensor(shape: [3, 1, 28, 28])
        #expect(throws: EvaluationError.self) { try evaluateImportanceWeighted(model: plain, images: images, samples: 0, seed: 1) }
        #expect(throws: EvaluationError.self) { try evaluateImportanceWeighted(model: plain, images: images, samples: 2, chunkSize: 0, seed: 1) }
        #expect(throws: EvaluationError.self) { try evaluateImportanceWeighted(model: plain, images: images, samples: 2, batchSize: 0, seed: 1) }
        #expect(throws: EvaluationError.self) { try evaluateELBO(model: plain, images: images, limit: 0, seed: 1) }
        #expect(throws: EvaluationError.self) { try evaluateELBO(model: plain, images: Tensor(shape: [3, 784]), seed: 1) }
        #expect(throws: EvaluationError.self) { try evaluateELBO(model: plain, images: Tensor(shape: [0, 1, 28, 28]), seed: 1) }
        #expect(throws: EvaluationError.self) { try evaluateELBO(model: conditional, images: images, seed: 1) }
        #expect(throws: EvaluationError.self) { try evaluateELBO(model: conditional, images: images, labels: [1, 2], seed: 1) }
        #expect(throws: EvaluationError.self) { try measureLatentActivity(model: plain, images: images + 1.5) }
        var nan = images
        nan.scalars[5] = .nan
        #expect(throws: EvaluationError.self) { try evaluateELBO(model: plain, images: nan, seed: 1) }
        #expect(throws: VAEConfigurationError.self) {
            try evaluateELBO(model: conditional, images: images, labels: [1, 2, 10], seed: 1)
        }
    }
}
