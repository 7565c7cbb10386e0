import Foundation

// t-SNE (van der Maaten & Hinton, 2008), exact O(N²): each point's Gaussian neighbourhood in the
// input space, calibrated to a perplexity by binary search, and a 2-D map whose Student-t
// neighbourhoods are moved to match them by gradient descent on KL(P ‖ Q), with early
// exaggeration, momentum and per-coordinate gains, as in the authors' reference code.

/// An error of the analysis tools: inputs of the wrong size or settings out of range.
public struct AnalysisError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = "analysis: " + description }
}

/// The settings of a t-SNE run. The defaults are the paper's and its reference code's, except
/// the learning rate, which follows Belkina et al. (2019): N / exaggeration, at least 50.
public struct TSNEConfiguration: Sendable, Equatable {
    /// The effective number of neighbours each point's Gaussian covers, 2^H (H in bits).
    public var perplexity: Double = 30
    public var iterations = 1000
    /// P is multiplied by this for the first `exaggerationIterations`: clusters form first,
    /// and the map then relaxes.
    public var exaggeration: Float = 12
    public var exaggerationIterations = 250
    /// nil: max(N / exaggeration, 50).
    public var learningRate: Float? = nil
    var initialMomentum: Float = 0.5
    var finalMomentum: Float = 0.8
    public var momentumSwitchIteration = 250
    var minimumGain: Float = 0.01
    public var seed: UInt64 = 1

    public init(perplexity: Double = 30, iterations: Int = 1000, seed: UInt64 = 1) {
        self.perplexity = perplexity
        self.iterations = iterations
        self.seed = seed
    }
}

/// The input-space affinities of t-SNE: for each point i, the conditional distribution
/// p(j|i) ∝ exp(−β_i d²_ij) over the other points, with β_i found by binary search so that its
/// entropy H_i = −Σ_j p(j|i) ln p(j|i) equals ln(perplexity); then the symmetric joint
/// p_ij = (p(j|i) + p(i|j)) / 2N, which sums to 1.
public struct TSNEAffinities: Sendable {
    public let count: Int
    /// p_ij, N × N row-major, zero on the diagonal.
    public let joint: [Float]
    /// β_i = 1 / (2σ_i²) of each point's Gaussian.
    public let precisions: [Double]
    /// The entropy (nats) each calibrated row reached.
    public let entropies: [Double]

    /// Calibrates every row of the squared distances `distances` (N × N, row-major).
    /// - Throws: `AnalysisError` for a matrix of the wrong size, fewer than 3 points or a
    ///   perplexity outside (1, N − 1).
    /// - Complexity: about 50 binary-search steps of N exponentials per row; rows in parallel.
    public init(squaredDistances distances: [Float], count n: Int, perplexity: Double, tolerance: Double = 1e-5) throws {
        guard n >= 3, distances.count == n * n else {
            throw AnalysisError("t-SNE needs at least 3 points and an N × N distance matrix; got \(distances.count) entries for N = \(n)")
        }
        guard perplexity > 1, perplexity < Double(n - 1) else {
            throw AnalysisError("perplexity \(perplexity) must lie in (1, N − 1) = (1, \(n - 1))")
        }
        guard distances.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw AnalysisError("squared distances must be finite and non-negative")
        }
        var conditional = [Float](repeating: 0, count: n * n)
        var precisions = [Double](repeating: 1, count: n)
        var entropies = [Double](repeating: 0, count: n)
        let target = log(perplexity)
        distances.withUnsafeBufferPointer { dist in
            conditional.withUnsafeMutableBufferPointer { cond in
                precisions.withUnsafeMutableBufferPointer { beta in
                    entropies.withUnsafeMutableBufferPointer { entropy in
                        nonisolated(unsafe) let (pd, pc, pb, pe) = (dist.baseAddress!, cond.baseAddress!, beta.baseAddress!, entropy.baseAddress!)
                        let blocks = (n + 31) / 32
                        parallelFor(iterations: blocks) { block in
                            var row = [Double](repeating: 0, count: n)
                            for i in (block * 32)..<min(n, block * 32 + 32) {
                                let (b, h) = calibrateRow(pd + i * n, count: n, skip: i, target: target,
                                                          tolerance: tolerance, into: &row)
                                pb[i] = b
                                pe[i] = h
                                for j in 0..<n { pc[i * n + j] = Float(row[j]) }
                            }
                        }
                    }
                }
            }
        }
        var joint = [Float](repeating: 0, count: n * n)
        let scale = 1 / Float(2 * n)
        for i in 0..<n {
            for j in 0..<n where j != i { joint[i * n + j] = (conditional[i * n + j] + conditional[j * n + i]) * scale }
        }
        self.count = n
        self.joint = joint
        self.precisions = precisions
        self.entropies = entropies
    }
}

/// One row's binary search: β such that the entropy of p(j|i) ∝ exp(−β d_ij), j ≠ `skip`, is
/// `target` nats. Distances are shifted by their minimum first (p is unchanged, nothing
/// underflows). Writes p(·|i) into `row` and returns (β, entropy reached).
func calibrateRow(_ d: UnsafePointer<Float>, count n: Int, skip: Int, target: Double, tolerance: Double,
                  into row: inout [Double]) -> (Double, Double) {
    var minimum = Double.infinity
    for j in 0..<n where j != skip { minimum = min(minimum, Double(d[j])) }
    var beta = 1.0, low = 0.0, high = Double.infinity
    var entropy = 0.0
    for _ in 0..<200 {
        // H = ln Σ e^{−β(d − m)} + β Σ p (d − m).
        var sum = 0.0, weighted = 0.0
        for j in 0..<n {
            if j == skip { row[j] = 0; continue }
            let shifted = Double(d[j]) - minimum
            let e = exp(-beta * shifted)
            row[j] = e
            sum += e
            weighted += e * shifted
        }
        entropy = log(sum) + beta * weighted / sum
        for j in 0..<n { row[j] /= sum }
        let gap = entropy - target
        if abs(gap) < tolerance { break }
        if gap > 0 {   // too flat: narrow the Gaussian
            low = beta
            beta = high.isFinite ? (beta + high) / 2 : beta * 2
        } else {
            high = beta
            beta = (beta + low) / 2
        }
    }
    return (beta, entropy)
}

/// The t-SNE map of N points given their squared input distances: (N, 2) coordinates, and the
/// KL(P ‖ Q) reached.
public struct TSNEResult: Sendable {
    /// x₀, y₀, x₁, y₁, …
    public let embedding: [Float]
    public let divergence: Double
    public let seconds: Double
}

/// Runs t-SNE on `affinities` with `configuration`. The start is N(0, 10⁻⁴ I) from the seed.
/// - Complexity: `iterations` × one exact gradient, O(N²) each (`tsneGradient`).
public func tsne(_ affinities: TSNEAffinities, configuration c: TSNEConfiguration) throws -> TSNEResult {
    let n = affinities.count
    guard c.iterations >= 1, c.exaggerationIterations >= 0, c.exaggeration >= 1 else {
        throw AnalysisError("t-SNE needs iterations ≥ 1, exaggeration ≥ 1 and exaggeration iterations ≥ 0")
    }
    let watch = Stopwatch()
    var random = RandomSource(seed: c.seed)
    var xs = (0..<n).map { _ in 1e-2 * random.gaussian() }
    var ys = (0..<n).map { _ in 1e-2 * random.gaussian() }
    var gx = [Float](repeating: 0, count: n), gy = gx
    var ux = gx, uy = gx
    var gainX = [Float](repeating: 1, count: n), gainY = gainX
    let rate = c.learningRate ?? max(Float(n) / c.exaggeration, 50)
    for iteration in 0..<c.iterations {
        let exaggeration: Float = iteration < c.exaggerationIterations ? c.exaggeration : 1
        let momentum = iteration < c.momentumSwitchIteration ? c.initialMomentum : c.finalMomentum
        tsneGradient(joint: affinities.joint, xs: xs, ys: ys, exaggeration: exaggeration, gx: &gx, gy: &gy)
        // Gains: grow a coordinate's step while the gradient keeps pushing the same way as the
        // last update, shrink it when the sign flips (Jacobs' delta-bar-delta).
        for i in 0..<n {
            gainX[i] = (gx[i] > 0) != (ux[i] > 0) ? gainX[i] + 0.2 : max(gainX[i] * 0.8, c.minimumGain)
            gainY[i] = (gy[i] > 0) != (uy[i] > 0) ? gainY[i] + 0.2 : max(gainY[i] * 0.8, c.minimumGain)
            ux[i] = momentum * ux[i] - rate * gainX[i] * gx[i]
            uy[i] = momentum * uy[i] - rate * gainY[i] * gy[i]
            xs[i] += ux[i]
            ys[i] += uy[i]
        }
        // Keep the map centred (the gradient is translation-invariant).
        let mx = xs.reduce(0, +) / Float(n), my = ys.reduce(0, +) / Float(n)
        for i in 0..<n { xs[i] -= mx; ys[i] -= my }
    }
    var embedding = [Float](repeating: 0, count: 2 * n)
    for i in 0..<n { embedding[2 * i] = xs[i]; embedding[2 * i + 1] = ys[i] }
    return TSNEResult(embedding: embedding, divergence: tsneDivergence(joint: affinities.joint, embedding: embedding),
                      seconds: watch.elapsedSeconds)
}

/// The exact t-SNE gradient, ∂KL/∂y_i = 4 Σ_j (e·p_ij − q_ij)(1 + |y_i − y_j|²)⁻¹ (y_i − y_j),
/// with q_ij = w_ij / Z, w_ij = (1 + |y_i − y_j|²)⁻¹, Z = Σ_{k≠l} w_kl and e the exaggeration.
///
/// One pass per row i gathers three sums at once: the attraction A_i = Σ_j p_ij w_ij (y_i − y_j),
/// the repulsion R_i = Σ_j w_ij² (y_i − y_j) and Z_i = Σ_j w_ij; then Z = Σ_i Z_i and
/// g_i = 4(e·A_i − R_i/Z). The j = i term has w = 1 and y_i − y_j = 0: it adds 1 to Z_i only,
/// which is taken off. Rows in blocks over the cores, eight j at a time in SIMD registers, the
/// row sums in Float, Z in Double; the only allocation is three arrays of N per call.
/// - Complexity: N² × about 20 flops.
func tsneGradient(joint: [Float], xs: [Float], ys: [Float], exaggeration: Float,
                         gx: inout [Float], gy: inout [Float]) {
    let n = xs.count
    precondition(ys.count == n && joint.count == n * n && gx.count == n && gy.count == n, "t-SNE gradient: sizes differ")
    var partialZ = [Double](repeating: 0, count: n)
    var repulsionX = [Float](repeating: 0, count: n), repulsionY = repulsionX
    joint.withUnsafeBufferPointer { p in
        xs.withUnsafeBufferPointer { x in
            ys.withUnsafeBufferPointer { y in
                gx.withUnsafeMutableBufferPointer { ogx in
                    gy.withUnsafeMutableBufferPointer { ogy in
                        partialZ.withUnsafeMutableBufferPointer { z in
                            repulsionX.withUnsafeMutableBufferPointer { orx in
                                repulsionY.withUnsafeMutableBufferPointer { ory in
                                    nonisolated(unsafe) let (pp, px, py) = (p.baseAddress!, x.baseAddress!, y.baseAddress!)
                                    nonisolated(unsafe) let (pgx, pgy, pz) = (ogx.baseAddress!, ogy.baseAddress!, z.baseAddress!)
                                    nonisolated(unsafe) let (prx, pry) = (orx.baseAddress!, ory.baseAddress!)
                                    let rowsPerBlock = 16
                                    parallelFor(iterations: (n + rowsPerBlock - 1) / rowsPerBlock) { block in
                                        for i in (block * rowsPerBlock)..<min(n, block * rowsPerBlock + rowsPerBlock) {
                                            let xi = SIMD8<Float>(repeating: px[i]), yi = SIMD8<Float>(repeating: py[i])
                                            var ax = SIMD8<Float>(), ay = SIMD8<Float>(), rx = SIMD8<Float>(), ry = SIMD8<Float>()
                                            var zs = SIMD8<Float>()
                                            let row = pp + i * n
                                            var j = 0
                                            while j + 8 <= n {
                                                let dx = xi - UnsafeRawPointer(px + j).loadUnaligned(as: SIMD8<Float>.self)
                                                let dy = yi - UnsafeRawPointer(py + j).loadUnaligned(as: SIMD8<Float>.self)
                                                let w = 1 / (1 + dx * dx + dy * dy)
                                                let pw = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Float>.self) * w
                                                let ww = w * w
                                                zs += w
                                                ax = ax.addingProduct(pw, dx); ay = ay.addingProduct(pw, dy)
                                                rx = rx.addingProduct(ww, dx); ry = ry.addingProduct(ww, dy)
                                                j += 8
                                            }
                                            var sax = ax.sum(), say = ay.sum(), srx = rx.sum(), sry = ry.sum(), sz = zs.sum()
                                            while j < n {
                                                let dx = px[i] - px[j], dy = py[i] - py[j]
                                                let w = 1 / (1 + dx * dx + dy * dy)
                                                sz += w
                                                sax += row[j] * w * dx; say += row[j] * w * dy
                                                srx += w * w * dx; sry += w * w * dy
                                                j += 1
                                            }
                                            pz[i] = Double(sz) - 1
                                            pgx[i] = 4 * exaggeration * sax
                                            pgy[i] = 4 * exaggeration * say
                                            prx[i] = srx
                                            pry[i] = sry
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    let scale = Float(4 / partialZ.reduce(0, +))
    for i in 0..<n {
        gx[i] -= scale * repulsionX[i]
        gy[i] -= scale * repulsionY[i]
    }
}

/// Naive reference of `tsneGradient`: the formula as written, q_ij first, in Double.
func tsneGradientReference(joint: [Float], xs: [Float], ys: [Float], exaggeration: Double) -> (gx: [Double], gy: [Double]) {
    let n = xs.count
    var w = [Double](repeating: 0, count: n * n)
    var z = 0.0
    for i in 0..<n {
        for j in 0..<n where j != i {
            let dx = Double(xs[i] - xs[j]), dy = Double(ys[i] - ys[j])
            w[i * n + j] = 1 / (1 + dx * dx + dy * dy)
            z += w[i * n + j]
        }
    }
    var gx = [Double](repeating: 0, count: n), gy = gx
    for i in 0..<n {
        for j in 0..<n where j != i {
            let q = w[i * n + j] / z
            let f = 4 * (exaggeration * Double(joint[i * n + j]) - q) * w[i * n + j]
            gx[i] += f * Double(xs[i] - xs[j])
            gy[i] += f * Double(ys[i] - ys[j])
        }
    }
    return (gx, gy)
}

/// KL(P ‖ Q) = Σ_{i≠j} p_ij ln(p_ij / q_ij) of a map (x₀, y₀, x₁, …), in Double.
func tsneDivergence(joint: [Float], embedding: [Float]) -> Double {
    let n = embedding.count / 2
    var z = 0.0
    for i in 0..<n {
        for j in 0..<n where j != i {
            let dx = Double(embedding[2 * i] - embedding[2 * j]), dy = Double(embedding[2 * i + 1] - embedding[2 * j + 1])
            z += 1 / (1 + dx * dx + dy * dy)
        }
    }
    var kl = 0.0
    for i in 0..<n {
        for j in 0..<n where j != i && joint[i * n + j] > 0 {
            let dx = Double(embedding[2 * i] - embedding[2 * j]), dy = Double(embedding[2 * i + 1] - embedding[2 * j + 1])
            let q = 1 / (1 + dx * dx + dy * dy) / z
            let p = Double(joint[i * n + j])
            kl += p * log(p / q)
        }
    }
    return kl
}
