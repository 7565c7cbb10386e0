import Foundation

extension Likelihood.Kind {
    public static let bernoulli = Self(declaring: "bernoulli")
}

extension Likelihood {
    public static let bernoulli = Likelihood(.bernoulli)
}

/// x binary, p(x_j = 1 | z) = σ(ℓ_j): log p(x|z) = −BCE(ℓ, x). Training redraws the grey pixels
/// as coin flips every time it sees an image (dynamic binarization); the test set is binarized
/// once, with a fixed seed. The course's default, and the one the papers' MNIST numbers use.
/// The loss is `binaryCrossEntropyWithLogits`, the per-image log-likelihood
/// `bernoulliLogLikelihood`, the importance-weighted bound's the BCE's eight-lane kernel.
final class BernoulliLikelihood: PixelLikelihood {
    public static let kind = Likelihood.Kind.bernoulli
    static let commandLineName = "bernoulli"
    public static let commandLineHelp = "binarized pixels; default"
    public static let binarizesData = true
    public static let diagramLine = "p(x|z) = Bernoulli(sigmoid(ℓ))"

    public let configuration: Likelihood

    public init(_ configuration: Likelihood, parameters: [Parameter]) {
        self.configuration = configuration
    }

    public func loss(output: Tensor, targets: Tensor) throws -> LossResult {
        try binaryCrossEntropyWithLogits(logits: output, targets: targets, reduction: .sumPerSample)
    }

    public func prepared(pixels: Int) -> PreparedLikelihood { PreparedBernoulli() }

    /// Each pixel 1 where σ(ℓ) ≥ ½, else 0. What a classifier trained on real, nearly binary
    /// digits should judge: a blurry mean of many digits is out of its distribution.
    public func mode(_ output: Tensor) -> Tensor { output.map { $0 >= 0 ? 1 : 0 } }

    /// 0/1 coin flips, one uniform draw per pixel.
    public func draw(_ output: Tensor, using random: inout RandomSource) -> Tensor {
        let means = mean(output)
        return Tensor(shape: means.shape, scalars: means.scalars.map { random.uniform() < $0 ? 1 : 0 })
    }

    public func referenceLogLikelihood(output: [Float], targets: [Float]) -> Double {
        bernoulliLogLikelihoodReference(logits: output, targets: targets)
    }

    /// The BCE of every code, −log p(x|z_i) summed over pixels in pixel order, and its gradient
    /// (σ(ℓ) − x)/B, by the BCE's eight-lane kernel (`bceLaneTerms`). Blocks of eight codes (of
    /// one sample) are shared out over the cores.
    public func codeLosses(logits: Tensor, targets: Tensor, negativeLogLikelihoods: inout [Double]) throws -> Tensor {
        let (pixels, codes, b) = (logits.shape[0], logits.shape[1], targets.shape[1])
        let k = codes / b
        let vectors = (b + 7) / 8                        // blocks of ≤ 8 codes per sample
        let units = k * vectors
        let scale = Float(1 / Double(b))                 // the ELBO's .sumPerSample gradient scale
        var badTargets = [Float](repeating: 0, count: units)   // a bad target of each block, or 0
        let gradient = logits.withUnsafeBufferPointer { l in
            targets.withUnsafeBufferPointer { t in
                negativeLogLikelihoods.withUnsafeMutableBufferPointer { nll in
                    badTargets.withUnsafeMutableBufferPointer { bad in
                        makeLayerOutput(shape: [pixels, codes]) { g in
                            nonisolated(unsafe) let (pl, pt, pg, pn, pb) = (l.baseAddress!, t.baseAddress!, g, nll.baseAddress!, bad.baseAddress!)
                            forEachChunk(count: units, workPerItem: 16 * 8 * pixels) { range in
                                for unit in range {
                                    let s = unit / vectors, first = (unit % vectors) * 8
                                    let lanes = min(8, b - first), column = s * b + first
                                    var sums = SIMD8<Double>()
                                    for p in 0..<pixels {
                                        let (terms, badLane) = bceLaneTerms(pl + p * codes + column, pt + p * b + first,
                                                                            pg + p * codes + column, lanes: lanes, gradientScale: scale)
                                        sums += terms
                                        if let badLane { pb[unit] = pt[p * b + first + badLane] }   // never 0; NaN != 0
                                    }
                                    for lane in 0..<lanes { pn[column + lane] = sums[lane] }
                                }
                            }
                        }
                    }
                }
            }
        }
        if let badTarget = badTargets.first(where: { $0 != 0 }) {
            throw VAEConfigurationError("the targets must lie in [0, 1], found \(badTarget)")
        }
        return gradient
    }
}

/// `bernoulliLogLikelihood` of each image.
struct PreparedBernoulli: PreparedPixelLikelihood {
    @inline(__always)
    func logLikelihood(output: UnsafePointer<Float>, targets: UnsafePointer<Float>, count: Int) -> Double {
        bernoulliLogLikelihood(logits: output, targets: targets, count: count)
    }
}
