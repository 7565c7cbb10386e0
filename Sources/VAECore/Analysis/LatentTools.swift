import Foundation

// Small tools for reading a code space: principal axes, spherical interpolation, image moments
// (ink mass and slant), bootstrap intervals, and the importance log-weights of single images.

/// The principal axes of N points (N × D): their mean, and the eigenvectors of their covariance
/// C = 1/(N − 1) Σ (x − c)(x − c)ᵀ by decreasing eigenvalue.
public struct PrincipalAxes: Sendable {
    public let dimension: Int
    public let centre: [Double]
    /// axes[a] is the a-th direction (unit length), largest variance first.
    public let axes: [[Double]]
    /// The variance along each axis, largest first.
    public let variances: [Double]

    public init(points: [Float], count n: Int, dimension d: Int) throws {
        guard n >= 2, d >= 1, points.count == n * d else {
            throw AnalysisError("PCA needs at least 2 points of N × D = \(n) × \(d) values, not \(points.count)")
        }
        var centre = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { centre[j] += Double(points[i * d + j]) / Double(n) } }
        var covariance = [Double](repeating: 0, count: d * d)
        var row = [Double](repeating: 0, count: d)
        for i in 0..<n {
            for j in 0..<d { row[j] = Double(points[i * d + j]) - centre[j] }
            for a in 0..<d { for b in a..<d { covariance[a * d + b] += row[a] * row[b] / Double(n - 1) } }
        }
        for a in 0..<d { for b in 0..<a { covariance[a * d + b] = covariance[b * d + a] } }
        let eigen = try SymmetricEigendecomposition(symmetric: covariance, dimension: d)
        let order = Array((0..<d).reversed())                                   // eigenvalues ascend
        self.dimension = d
        self.centre = centre
        self.axes = order.map { column in (0..<d).map { eigen.eigenvectors[$0 * d + column] } }
        self.variances = order.map { eigen.eigenvalues[$0] }
    }

    /// The share of the total variance the first `count` axes hold.
    public func explained(_ count: Int) -> Double { variances.prefix(count).reduce(0, +) / variances.reduce(0, +) }

    /// The first `count` coordinates of each point, (N × count), row-major.
    public func project(_ points: [Float], count k: Int) -> [Float] {
        let d = dimension, n = points.count / d
        var out = [Float](repeating: 0, count: n * k)
        for i in 0..<n {
            for a in 0..<k {
                var s = 0.0
                for j in 0..<d { s += (Double(points[i * d + j]) - centre[j]) * axes[a][j] }
                out[i * k + a] = Float(s)
            }
        }
        return out
    }
}

/// Spherical linear interpolation (Shoemake, 1985) from `a` (t = 0) to `b` (t = 1): along the
/// great circle, with the norm interpolated linearly, so that a path between two typical codes
/// of N(0, I) (norm ≈ √D) keeps a typical norm, where the straight line's midpoint is shorter:
///
///     slerp(a, b, t) = r(t) · (sin((1 − t)Ω) â + sin(tΩ) b̂) / sin Ω,  cos Ω = â·b̂,
///
/// r(t) = (1 − t)|a| + t|b|. Falls back to the straight line when a and b are (anti)parallel
/// or zero (Ω = 0 or π leave the circle undefined).
public func slerp(_ a: [Float], _ b: [Float], _ t: Float) -> [Float] {
    precondition(a.count == b.count, "slerp: vectors of different lengths")
    let na = a.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
    let nb = b.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
    let straight = zip(a, b).map { (1 - t) * $0 + t * $1 }
    guard na > 0, nb > 0 else { return straight }
    var cosine = 0.0
    for (x, y) in zip(a, b) { cosine += Double(x) / na * Double(y) / nb }
    cosine = min(1, max(-1, cosine))
    let omega = acos(cosine)
    let s = sin(omega)
    guard s > 1e-6 else { return straight }
    let t = Double(t)
    let wa = sin((1 - t) * omega) / s / na, wb = sin(t * omega) / s / nb
    let radius = (1 - t) * na + t * nb
    return zip(a, b).map { Float(radius * (wa * Double($0) + wb * Double($1))) }
}

/// Two measurable attributes of a digit image (side × side, values in [0, 1]):
/// its ink mass Σ pixels (thick strokes carry more ink), and its slant, the shear −μ₁₁/μ₀₂ of
/// its second central moments (x to the right, y downwards): how many columns the ink moves
/// right per row upwards, positive for a digit leaning right.
public func imageAttributes(_ pixels: ArraySlice<Float>, side: Int = 28) -> (ink: Double, slant: Double) {
    var mass = 0.0, mx = 0.0, my = 0.0
    for (k, v) in pixels.enumerated() {
        let p = Double(v)
        mass += p; mx += p * Double(k % side); my += p * Double(k / side)
    }
    guard mass > 0 else { return (0, 0) }
    mx /= mass; my /= mass
    var mu11 = 0.0, mu02 = 0.0
    for (k, v) in pixels.enumerated() {
        let p = Double(v), dx = Double(k % side) - mx, dy = Double(k / side) - my
        mu11 += p * dx * dy; mu02 += p * dy * dy
    }
    return (mass, mu02 > 0 ? -mu11 / mu02 : 0)
}

/// A bootstrap percentile interval (Efron, 1979): the statistic recomputed on `resamples`
/// resamples of the N items drawn with replacement, and the (1 − confidence)/2 and
/// (1 + confidence)/2 quantiles of those values. `statistic` gets the resample as indices
/// into the items.
public struct BootstrapInterval: Sendable, Equatable, CustomStringConvertible {
    public let estimate: Double
    public let lower: Double
    public let upper: Double
    public let confidence: Double

    public init(count n: Int, resamples: Int = 1000, confidence: Double = 0.95, seed: UInt64,
                statistic: ([Int]) throws -> Double) throws {
        guard n >= 2, resamples >= 10, confidence > 0, confidence < 1 else {
            throw AnalysisError("a bootstrap needs N ≥ 2 items, at least 10 resamples and a confidence in (0, 1)")
        }
        estimate = try statistic(Array(0..<n))
        var random = RandomSource(seed: seed)
        var values: [Double] = []
        values.reserveCapacity(resamples)
        var indices = [Int](repeating: 0, count: n)
        for _ in 0..<resamples {
            for i in 0..<n { indices[i] = random.uniformInt(below: n) }
            values.append(try statistic(indices))
        }
        values.sort()
        func quantile(_ q: Double) -> Double {
            let position = q * Double(values.count - 1)
            let low = Int(position.rounded(.down)), high = min(low + 1, values.count - 1)
            return values[low] + (position - Double(low)) * (values[high] - values[low])
        }
        lower = quantile((1 - confidence) / 2)
        upper = quantile((1 + confidence) / 2)
        self.confidence = confidence
    }

    public var description: String { String(format: "%.4g [%.4g, %.4g]", estimate, lower, upper) }
}

/// The k importance log-weights w_s = log p(x|z_s) + log p(z_s) − log q(z_s|x), z_s ~ q(z|x), of
/// each image of `images` (N, 1, 28, 28, binary), as `evaluateImportanceWeighted` draws them:
/// result[i][s]. Kept whole, so that each image's estimate log (1/k) Σ e^{w_s} can be given an
/// interval from the spread of its own weights.
/// - Complexity: N·k decoder passes.
public func importanceLogWeights(model: VAE, images: Tensor, samples k: Int, seed: UInt64) throws -> [[Double]] {
    let n = try checkEvaluationInputs(model: model, images: images, labels: nil, batchSize: 50)
    guard k >= 1 else { throw EvaluationError("the number of importance samples k must be at least 1, not \(k)") }
    var random = RandomSource(seed: seed)
    var workspace = ImportanceWorkspace(samples: k, chunkSize: 512, latent: model.configuration.latentDimensions)
    var weights = [Double](repeating: 0, count: min(50, n) * k)
    var result: [[Double]] = []
    try inEvaluationMode(model) {
        for start in stride(from: 0, to: n, by: 50) {
            let range = start..<min(start + 50, n)
            try workspace.logWeights(model: model, images: images.rows(range), labels: nil, using: &random, into: &weights)
            for i in 0..<range.count { result.append(Array(weights[(i * k)..<((i + 1) * k)])) }
        }
    }
    return result
}

/// log p(x, z) = log p(x|z) + log p(z) of one binary image x (1, 1, 28, 28) at each code of
/// `codes` (M, D), in nats, log 2π included: the unnormalised true posterior p(z|x) ∝ p(x, z),
/// which a 2-D model lets us evaluate on a grid, under the model's likelihood.
/// - Complexity: M decoder passes, `chunk` at a time.
public func logJoint(model: VAE, image: Tensor, codes: Tensor, chunk: Int = 500) throws -> [Double] {
    guard model.configuration.classCount == 0 else {
        throw AnalysisError("log p(x, z) is written for an unconditional VAE")
    }
    let d = model.configuration.latentDimensions
    guard codes.rank == 2, codes.shape[1] == d, image.count == 784 else {
        throw AnalysisError("logJoint needs one 28×28 image and (M, \(d)) codes; got \(image.shape) and \(codes.shape)")
    }
    let m = codes.shape[0]
    var result = [Double](repeating: 0, count: m)
    let likelihood = model.preparedLikelihood(pixels: 784)
    try inEvaluationMode(model) {
        for start in stride(from: 0, to: m, by: chunk) {
            let rows = min(chunk, m - start)
            let z = Tensor(shape: [rows, d], scalars: Array(codes.scalars[(start * d)..<((start + rows) * d)]))
            let logits = try model.decode(z)
            logits.withUnsafeBufferPointer { l in
                image.withUnsafeBufferPointer { x in
                    for r in 0..<rows {
                        var prior = 0.0
                        for j in 0..<d { let v = Double(z.scalars[r * d + j]); prior -= 0.5 * (v * v + log(2 * Double.pi)) }
                        result[start + r] = likelihood.logLikelihood(output: l.baseAddress! + r * 784, targets: x.baseAddress!, count: 784)
                            + prior
                    }
                }
            }
        }
    }
    return result
}
