import Foundation

/// How much of its code a VAE uses, per latent dimension d, over a data set:
///
/// - KL_d = mean over images of KL(q(z_d|x) ‖ N(0, 1)), the nats each dimension carries; their
///   sum is the KL term of the ELBO.
/// - A_d = Var_x(E_q[z_d]) = the variance over the images of the posterior mean μ_d(x).
///   A dimension whose μ_d does not change with x tells the decoder nothing about x: it has
///   collapsed onto the prior. Burda et al. (2016) call d *active* when A_d > 0.01.
///
/// The variance is the population one (÷ N), accumulated by Welford's update in Double, so a
/// large mean does not cancel the spread as Σμ² − (Σμ)²/N would.
public struct LatentActivity: Sendable, Equatable, Codable {
    /// KL_d, in nats per image, (D).
    public var klPerDimension: [Double]
    /// A_d = Var_x(μ_d), (D).
    public var meanVariance: [Double]
    /// The activity threshold on A_d.
    public var threshold: Double
    /// The number of images measured.
    public var count: Int

    /// The dimensions with A_d > threshold, in increasing order.
    var activeDimensions: [Int] { meanVariance.indices.filter { meanVariance[$0] > threshold } }
    /// The number of active units.
    public var activeUnits: Int { activeDimensions.count }
    /// Σ_d KL_d: the mean KL term, in nats per image.
    public var totalKL: Double { klPerDimension.reduce(0, +) }

    /// The fewest dimensions whose KL_d add up to `fraction` of the total: how many dimensions
    /// carry the code. Stricter than the active units after short training, when a dimension on
    /// its way to collapse still passes Var_x(μ_d) > 0.01 while carrying a hundredth of a nat.
    public func dimensionsHolding(_ fraction: Double) -> Int {
        var sum = 0.0
        for (count, kl) in klPerDimension.sorted(by: >).enumerated() {
            sum += kl
            if sum >= fraction * totalKL { return count + 1 }
        }
        return klPerDimension.count
    }

    /// The activity of the codes `mean` and `logVariance`, (N, D) each.
    /// - Throws: `LossError` for shapes that differ or are not (N, D).
    public init(mean: Tensor, logVariance: Tensor, threshold: Double = EvaluationDefaults.activeUnitThreshold) throws {
        var accumulator = LatentActivityAccumulator(dimensions: mean.rank == 2 ? mean.shape[1] : 0)
        try accumulator.add(mean: mean, logVariance: logVariance)
        self = accumulator.result(threshold: threshold)
    }

    init(klPerDimension: [Double], meanVariance: [Double], threshold: Double, count: Int) {
        self.klPerDimension = klPerDimension; self.meanVariance = meanVariance
        self.threshold = threshold; self.count = count
    }
}

/// Adds up `LatentActivity` batch by batch, so that the codes of a whole test set need not be
/// kept.
struct LatentActivityAccumulator {
    private var klSum: [Double]
    private var runningMean: [Double]
    /// Σ (μ − running mean)², Welford's M₂.
    private var squaredDeviations: [Double]
    private(set) var count = 0

    init(dimensions: Int) {
        klSum = [Double](repeating: 0, count: dimensions)
        runningMean = klSum
        squaredDeviations = klSum
    }

    /// Adds a batch of codes (B, D); returns the KL of each image (B), for the caller's ELBO.
    @discardableResult
    mutating func add(mean: Tensor, logVariance: Tensor) throws -> [Double] {
        let breakdown = try klDivergenceBreakdown(mean: mean, logVariance: logVariance)
        let (b, d) = (mean.shape[0], mean.shape[1])
        precondition(d == klSum.count, "codes of \(d) dimensions added to an accumulator of \(klSum.count)")
        for j in 0..<d { klSum[j] += breakdown.perDimension[j] * Double(b) }
        for i in 0..<b {
            count += 1
            for j in 0..<d {
                let x = Double(mean.scalars[i * d + j])
                let delta = x - runningMean[j]
                runningMean[j] += delta / Double(count)
                squaredDeviations[j] += delta * (x - runningMean[j])
            }
        }
        return breakdown.perSample
    }

    func result(threshold: Double) -> LatentActivity {
        let n = Double(max(count, 1))
        return LatentActivity(klPerDimension: klSum.map { $0 / n }, meanVariance: squaredDeviations.map { $0 / n },
                              threshold: threshold, count: count)
    }
}

/// The KL per latent dimension and the active units of `model` on `images` (N, 1, 28, 28),
/// encoded in batches in evaluation mode (the mode is restored afterwards). No sampling.
/// - Parameters:
///   - labels: one label per image for a conditional model; ignored by a plain one.
///   - limit: only the first `limit` images.
/// - Throws: `EvaluationError` for bad shapes, pixels outside [0, 1], a batch size below 1 or
///   missing labels of a conditional model.
func measureLatentActivity(model: VAE, images: Tensor, labels: [Int]? = nil, batchSize: Int = 500,
                                  limit: Int? = nil,
                                  threshold: Double = EvaluationDefaults.activeUnitThreshold) throws -> LatentActivity {
    let n = try checkEvaluationInputs(model: model, images: images, labels: labels, batchSize: batchSize, limit: limit)
    return try inEvaluationMode(model) {
        var accumulator = LatentActivityAccumulator(dimensions: model.configuration.latentDimensions)
        for start in stride(from: 0, to: n, by: batchSize) {
            let range = start..<min(start + batchSize, n)
            let (mean, logVariance) = try model.encode(images.rows(range), labels: labels.map { Array($0[range]) })
            try accumulator.add(mean: mean, logVariance: logVariance)
        }
        return accumulator.result(threshold: threshold)
    }
}
