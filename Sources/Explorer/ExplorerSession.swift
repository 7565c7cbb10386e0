import Foundation
import VAECore

/// A trained model opened for exploring: the model, the test set's codes, their maps, and the
/// test scores an unusual digit is compared with. Everything the page asks for is answered
/// here; `ExplorerRoutes` only reads requests and writes responses.
///
/// The model's layers keep what their forward pass saw (for a backward pass), so one model
/// cannot run two forward passes at once: every use of it takes `lock`. A decode holds it for
/// about a millisecond. The checkpoint is read once, at start, and never written.
public final class ExplorerSession: @unchecked Sendable {
    public let checkpointURL: URL
    public let configuration: VAEConfiguration
    /// What the page says about the model ("reference architecture, 20 latent dimensions, …").
    public let summary: String
    public let parameterCount: Int
    /// The epoch the checkpoint was saved after, if it holds a training state.
    public let epoch: Int?
    /// The test images as the model's likelihood scores them (binarized for a Bernoulli).
    public let test: MNIST
    /// The grey test images, shown on the page.
    public let greyTest: MNIST
    public let labels: [Int]
    /// μ and σ of every test image, N × D, row-major.
    public let means: [Float]
    public let sigmas: [Float]
    /// The principal axes of the test μ and the test codes on the first two.
    public let pca: PrincipalAxes
    public let pcaPoints: [Float]
    /// Chapter 8's t-SNE of these codes, when it was saved beside the run.
    public let savedMap: SavedCodeMap?
    /// Why there is no t-SNE map, in words (nil when there is one).
    public let savedMapNote: String?
    public let score: any UnusualnessScore
    public let reference: UnusualnessReference
    /// Seconds spent opening: encoding the test set, its scores, the PCA.
    public let openingSeconds: Double

    private let model: VAE
    private let lock = NSLock()

    /// The largest |z_d| a request may ask to decode: far beyond the prior's ±3 (where the
    /// decoder has never been), but finite, so that nothing overflows.
    public static let largestCode: Double = 50

    /// Opens `url` as `vae evaluate` does (`Checkpoint.read`, then `makeModel`), so that a
    /// missing or broken checkpoint fails with the same message, then encodes the first `limit`
    /// images of `testSet` (all by default).
    public static func open(checkpoint url: URL, testSet: MNIST, limit: Int? = nil,
                            score: any UnusualnessScore = NegativeELBOScore()) throws -> ExplorerSession {
        let checkpoint = try Checkpoint.read(from: url)
        let model = try checkpoint.makeModel()
        return try ExplorerSession(checkpoint: checkpoint, model: model, url: url, testSet: limit.map { testSet.prefix($0) } ?? testSet,
                                   score: score)
    }

    /// Opens `model`, read from `checkpoint` at `url`, over the test images `grey` (as MNIST
    /// stores them; binarized here for a Bernoulli model).
    public init(checkpoint: Checkpoint, model: VAE, url: URL, testSet grey: MNIST,
                score: any UnusualnessScore = NegativeELBOScore()) throws {
        let watch = Stopwatch()
        model.isTraining = false
        self.model = model
        self.checkpointURL = url
        configuration = model.configuration
        summary = configuration.summary
        parameterCount = model.parameterCount
        epoch = checkpoint.state?.epoch
        greyTest = grey
        test = configuration.likelihood.evaluationSet(grey)
        labels = test.labels.map(Int.init)
        let conditionLabels = configuration.classCount > 0 ? labels : nil
        let posteriors = try encodePosteriors(model: model, images: test.images, labels: conditionLabels)
        means = posteriors.mean.scalars
        sigmas = posteriors.logVariance.scalars.map { exp(0.5 * $0) }
        let d = configuration.latentDimensions
        pca = try PrincipalAxes(points: means, count: test.count, dimension: d)
        pcaPoints = pca.project(means, count: 2)
        self.score = score
        reference = try UnusualnessReference(scores: score.scores(model: model, images: test.images, labels: conditionLabels))
        (savedMap, savedMapNote) = ExplorerSession.findSavedMap(checkpoint: checkpoint, url: url, labels: labels)
        openingSeconds = watch.elapsedSeconds
    }

    /// Chapter 8's t-SNE of this run's test codes, if it was kept beside the checkpoint (the
    /// one of most points), and checked against the test labels.
    static func findSavedMap(checkpoint: Checkpoint, url: URL, labels: [Int]) -> (SavedCodeMap?, String?) {
        guard let fingerprint = checkpoint.fingerprint else {
            return (nil, "no t-SNE map: the checkpoint has no run fingerprint (chapter 8 maps chapter 5's run only)")
        }
        let measurements = RunMeasurements(folder: url.deletingLastPathComponent(), fingerprint: fingerprint)
        let maps = measurements.names.filter { $0.hasPrefix(SavedCodeMap.namePrefix) }
            .compactMap { measurements.saved($0, as: SavedCodeMap.self) }
        guard let best = maps.max(by: { $0.labels.count < $1.labels.count }) else {
            return (nil, "no t-SNE map beside this run: chapter 8 computes one for chapter 5's run (swift run -c release ch08-latent-space)")
        }
        guard best.labels.count <= labels.count, Array(labels.prefix(best.labels.count)) == best.labels else {
            return (nil, "the t-SNE map beside this run was made for other test images than these (--data or --test-images differ)")
        }
        return (best, nil)
    }

    // MARK: Answers

    /// Checks a code from a request: D finite values within ±`largestCode`.
    public func checkedCode(_ z: [Double]) throws -> [Float] {
        let d = configuration.latentDimensions
        guard z.count == d else { throw RequestError(.badRequest, "z must have \(d) values (the model's latent dimensions), not \(z.count)") }
        if let bad = z.firstIndex(where: { !$0.isFinite || abs($0) > ExplorerSession.largestCode }) {
            throw RequestError(.badRequest, "z[\(bad)] = \(z[bad]) is outside ±\(Int(ExplorerSession.largestCode)) (the prior puts almost all codes within ±3)")
        }
        return z.map { Float($0) }
    }

    /// Checks a label from a request: required (0…classes−1) for a conditional model, ignored otherwise.
    public func checkedLabel(_ label: Int?) throws -> [Int]? {
        let classes = configuration.classCount
        guard classes > 0 else { return nil }
        guard let label else { throw RequestError(.badRequest, "this model is conditional: give a label 0…\(classes - 1)") }
        guard (0..<classes).contains(label) else { throw RequestError(.badRequest, "label must lie in 0…\(classes - 1), not \(label)") }
        return [label]
    }

    /// Checks a test-image index from a request.
    public func checkedIndex(_ index: Int, name: String = "index") throws -> Int {
        guard (0..<test.count).contains(index) else { throw RequestError(.badRequest, "\(name) must lie in 0…\(test.count - 1), not \(index)") }
        return index
    }

    /// Decodes codes (N × D, row-major) under `labels`: the decoder's means, or one draw of
    /// p(x|z) from `seed`. Returns N images of 784 values in [0, 1].
    public func decode(_ codes: [Float], count: Int, labels: [Int]?, sample: Bool, seed: UInt64) throws -> Tensor {
        let z = Tensor(shape: [count, configuration.latentDimensions], scalars: codes)
        return try withModel { model in
            let output = try model.decode(z, labels: labels)
            guard sample else { return model.likelihood.mean(output) }
            var random = RandomSource(seed: seed)
            return model.likelihood.draw(output, using: &random)
        }
    }

    /// What the encoder and the score make of one image (784 values in [0, 1]).
    public struct Encoding: Encodable {
        /// The image as the model saw it (binarized for a Bernoulli model), 784 values.
        public var input: [Float]
        public var mu: [Float]
        public var sigma: [Float]
        /// The decoder's mean at z = μ.
        public var reconstruction: [Float]
        /// ELBO terms with one z (seed 1), nats.
        public var elbo: Double
        public var reconstructionTerm: Double
        public var kl: Double
        public var score: Double
        public var percentile: Double
        public var outOfDistribution: Bool
    }

    public func encode(_ pixels: [Float], labels: [Int]?) throws -> Encoding {
        let likelihood = configuration.likelihood
        // A Bernoulli model scores binary pixels: the test set was binarized once with a fixed
        // seed, and a drawn digit is binarized the same way (the same draws for the same image);
        // it is also what the encoder sees, as the test codes of the map were encoded.
        let grey = MNIST(images: Tensor(shape: [1, 1, 28, 28], scalars: pixels), labels: [UInt8(labels?.first ?? 0)])
        let scored = likelihood.evaluationSet(grey).images
        return try withModel { model in
            let (mean, logVariance) = try model.encode(scored, labels: labels)
            let reconstruction = model.likelihood.mean(try model.decode(mean, labels: labels))
            let elbo = try evaluateELBO(model: model, images: scored, labels: labels, seed: 1)
            let value = try score.scores(model: model, images: scored, labels: labels)[0]
            return Encoding(input: scored.scalars, mu: mean.scalars, sigma: logVariance.scalars.map { exp(0.5 * $0) }, reconstruction: reconstruction.scalars,
                            elbo: elbo.elbo.mean, reconstructionTerm: elbo.reconstruction, kl: elbo.kl,
                            score: value, percentile: reference.percentile(of: value), outOfDistribution: value > reference.threshold)
        }
    }

    /// Every layer's output for one image: the encoder's on the image, the decoder's on z = μ.
    public func activations(_ pixels: [Float], labels: [Int]?) throws -> (encoder: [VAE.Activation], decoder: [VAE.Activation]) {
        try withModel { model in
            let encoder = try model.encoderActivations(Tensor(shape: [1, 1, 28, 28], scalars: pixels), labels: labels)
            let (mean, _) = try model.encode(Tensor(shape: [1, 1, 28, 28], scalars: pixels), labels: labels)
            return (encoder, try model.decoderActivations(mean, labels: labels))
        }
    }

    /// The grey pixels of test image `index`.
    public func testPixels(_ index: Int) -> [Float] {
        Array(greyTest.images.scalars[(index * 784)..<((index + 1) * 784)])
    }

    /// μ (or σ) of test image `index`.
    public func mean(_ index: Int) -> [Float] { row(means, index) }
    public func sigma(_ index: Int) -> [Float] { row(sigmas, index) }
    private func row(_ values: [Float], _ index: Int) -> [Float] {
        let d = configuration.latentDimensions
        return Array(values[(index * d)..<((index + 1) * d)])
    }

    private func withModel<T>(_ body: (VAE) throws -> T) throws -> T {
        lock.lock(); defer { lock.unlock() }
        return try body(model)
    }
}
