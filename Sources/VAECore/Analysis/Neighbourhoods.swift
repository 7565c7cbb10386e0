import Foundation

// Distances between points and what a 2-D map keeps of them: squared Euclidean distances
// (fast kernel and naive reference), trustworthiness (Venna & Kaski, 2001), k-nearest-neighbour
// class agreement, and each query's nearest row of a large reference set (via GEMM).

/// All squared Euclidean distances between the N rows of `points` (N × D, row-major):
/// an N × N matrix, zero on the diagonal.
///
/// Rows i in blocks over the cores; for each pair the D differences are squared and summed
/// eight at a time in SIMD registers (the tail one by one). No allocation in the loops.
/// - Complexity: N² · D multiply-adds (each pair computed once per row, i.e. twice).
public func pairwiseSquaredDistances(_ points: [Float], count n: Int, dimension d: Int) throws -> [Float] {
    guard n >= 1, d >= 1, points.count == n * d else {
        throw AnalysisError("points must be N × D = \(n) × \(d) = \(n * d) values, not \(points.count)")
    }
    var out = [Float](repeating: 0, count: n * n)
    points.withUnsafeBufferPointer { p in
        out.withUnsafeMutableBufferPointer { o in
            nonisolated(unsafe) let (pp, po) = (p.baseAddress!, o.baseAddress!)
            let rowsPerBlock = 8
            parallelFor(iterations: (n + rowsPerBlock - 1) / rowsPerBlock) { block in
                for i in (block * rowsPerBlock)..<min(n, block * rowsPerBlock + rowsPerBlock) {
                    let a = pp + i * d
                    for j in 0..<n {
                        let b = pp + j * d
                        var acc = SIMD8<Float>()
                        var k = 0
                        while k + 8 <= d {
                            let diff = UnsafeRawPointer(a + k).loadUnaligned(as: SIMD8<Float>.self)
                                - UnsafeRawPointer(b + k).loadUnaligned(as: SIMD8<Float>.self)
                            acc = acc.addingProduct(diff, diff)
                            k += 8
                        }
                        var sum = acc.sum()
                        while k < d { let diff = a[k] - b[k]; sum += diff * diff; k += 1 }
                        po[i * n + j] = i == j ? 0 : sum
                    }
                }
            }
        }
    }
    return out
}

/// Naive reference of `pairwiseSquaredDistances`, in Double.
func pairwiseSquaredDistancesReference(_ points: [Float], count n: Int, dimension d: Int) -> [Double] {
    var out = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
        for j in 0..<n {
            var sum = 0.0
            for k in 0..<d { let diff = Double(points[i * d + k]) - Double(points[j * d + k]); sum += diff * diff }
            out[i * n + j] = sum
        }
    }
    return out
}

/// The indices of row i's points ordered by distance (nearest first, ties by index), i itself left out.
func neighbourOrder(_ distances: UnsafePointer<Float>, count n: Int, row i: Int) -> [Int] {
    var order = Array(0..<n)
    order.remove(at: i)
    let row = distances + i * n
    order.sort { row[$0] < row[$1] || (row[$0] == row[$1] && $0 < $1) }
    return order
}

/// How far a low-dimensional map can be trusted (Venna & Kaski, 2001): of each point's k
/// nearest neighbours in the map, those that are *not* among its k nearest in the original
/// space are intruders, each penalised by how far down the original ranking it sits:
///
///     T(k) = 1 − 2 / (N k (2N − 3k − 1)) · Σ_i Σ_{j ∈ U_k(i)} (r(i, j) − k),
///
/// r(i, j) the rank of j among i's neighbours in the original space (1 = nearest). T = 1 when
/// every map neighbourhood is an original one; a random map scores about 0.5.
///
/// Returns T and each point's penalty Σ_j (r(i, j) − k) scaled so that T = 1 − mean(penalty):
/// the mean's standard error is T's.
/// - Throws: `AnalysisError` for matrices of different sizes or k outside 1..<N/2 (where the
///   normalisation is defined).
/// - Complexity: a sort of N distances per point, in parallel: O(N² log N).
public func trustworthiness(original: [Float], embedded: [Float], count n: Int, neighbours k: Int) throws
    -> (value: Double, perPoint: [Double]) {
    guard original.count == n * n, embedded.count == n * n else {
        throw AnalysisError("trustworthiness needs two N × N distance matrices for N = \(n)")
    }
    guard k >= 1, 2 * n - 3 * k - 1 > 0 else { throw AnalysisError("trustworthiness needs 1 ≤ k < (2N − 1)/3; k = \(k), N = \(n)") }
    var penalties = [Double](repeating: 0, count: n)
    let normaliser = 2 / (Double(n) * Double(k) * Double(2 * n - 3 * k - 1))
    original.withUnsafeBufferPointer { o in
        embedded.withUnsafeBufferPointer { e in
            penalties.withUnsafeMutableBufferPointer { out in
                nonisolated(unsafe) let (po, pe, pout) = (o.baseAddress!, e.baseAddress!, out.baseAddress!)
                let rowsPerBlock = 16
                parallelFor(iterations: (n + rowsPerBlock - 1) / rowsPerBlock) { block in
                    var rank = [Int](repeating: 0, count: n)
                    for i in (block * rowsPerBlock)..<min(n, block * rowsPerBlock + rowsPerBlock) {
                        for (position, j) in neighbourOrder(po, count: n, row: i).enumerated() { rank[j] = position + 1 }
                        var penalty = 0
                        for j in neighbourOrder(pe, count: n, row: i).prefix(k) where rank[j] > k { penalty += rank[j] - k }
                        pout[i] = Double(penalty) * normaliser * Double(n)
                    }
                }
            }
        }
    }
    return (1 - penalties.reduce(0, +) / Double(n), penalties)
}

/// Leave-one-out k-nearest-neighbour classification in a space given by its squared distances:
/// whether the majority label of each point's k nearest others is its own label (a tie goes to
/// the tied class with the nearest member). The mean of the result is the accuracy; how well a
/// map keeps the classes apart.
/// - Complexity: a sort of N distances per point, in parallel.
public func nearestNeighbourAgreement(distances: [Float], labels: [Int], neighbours k: Int) throws -> [Bool] {
    let n = labels.count
    guard distances.count == n * n, n > k, k >= 1 else {
        throw AnalysisError("k-NN agreement needs an N × N distance matrix, N = \(n) labels and 1 ≤ k < N; k = \(k)")
    }
    guard let classes = labels.max().map({ $0 + 1 }), labels.allSatisfy({ $0 >= 0 }) else {
        throw AnalysisError("labels must be non-negative")
    }
    var agree = [Bool](repeating: false, count: n)
    distances.withUnsafeBufferPointer { dist in
        agree.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let (pd, pout) = (dist.baseAddress!, out.baseAddress!)
            parallelFor(iterations: (n + 15) / 16) { block in
                var votes = [Int](repeating: 0, count: classes)
                for i in (block * 16)..<min(n, block * 16 + 16) {
                    for c in 0..<classes { votes[c] = 0 }
                    let nearest = neighbourOrder(pd, count: n, row: i).prefix(k)
                    for j in nearest { votes[labels[j]] += 1 }
                    let most = votes.max()!
                    let winner = nearest.first { votes[labels[$0]] == most }.map { labels[$0] }!
                    pout[i] = winner == labels[i]
                }
            }
        }
    }
    return agree
}

/// For each row of `queries` (Q × D), the index of the nearest row of `reference` (R × D) and
/// the squared distance to it, through |q − r|² = |q|² + |r|² − 2 q·r with the products q·r as
/// one GEMM per chunk of `chunk` reference rows. Rounding can make a tiny distance slightly
/// negative; it is clamped at 0.
/// - Complexity: Q·R·D multiply-adds in GEMM, plus Q·R comparisons.
public func nearestRows(queries: Tensor, reference: Tensor, chunk: Int = 4096) throws -> (index: [Int], squaredDistance: [Float]) {
    guard queries.rank == 2, reference.rank == 2, queries.shape[1] == reference.shape[1], reference.shape[0] > 0 else {
        throw AnalysisError("nearest rows need (Q, D) queries and (R, D) reference rows; got \(queries.shape) and \(reference.shape)")
    }
    let (q, r, d) = (queries.shape[0], reference.shape[0], queries.shape[1])
    func squaredNorms(_ t: Tensor, _ rows: Int) -> [Float] {
        (0..<rows).map { i in
            var s: Float = 0
            for k in 0..<d { let v = t.scalars[i * d + k]; s += v * v }
            return s
        }
    }
    let queryNorms = squaredNorms(queries, q), referenceNorms = squaredNorms(reference, r)
    var best = [Float](repeating: .infinity, count: q)
    var index = [Int](repeating: 0, count: q)
    for start in stride(from: 0, to: r, by: chunk) {
        let rows = min(chunk, r - start)
        let block = Tensor(shape: [rows, d], scalars: Array(reference.scalars[(start * d)..<((start + rows) * d)]))
        let products = Tensor.matmul(queries, block, transposeB: true)     // (Q, rows)
        for i in 0..<q {
            for j in 0..<rows {
                let distance = max(0, queryNorms[i] + referenceNorms[start + j] - 2 * products.scalars[i * rows + j])
                if distance < best[i] { best[i] = distance; index[i] = start + j }
            }
        }
    }
    return (index, best)
}
