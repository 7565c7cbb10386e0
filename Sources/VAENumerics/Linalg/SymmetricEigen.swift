import Foundation

/// The eigen-decomposition A = V·Λ·Vᵀ of a real symmetric matrix, by the cyclic Jacobi method,
/// in Double.
///
/// **The method.** A Jacobi rotation J in the (p, q) plane, with cos θ = c and sin θ = s, is
/// chosen so that A′ = JᵀAJ has a′_pq = 0. Writing ϑ = (a_qq − a_pp)/(2a_pq) and
/// t = tan θ = sign(ϑ)/(|ϑ| + √(ϑ² + 1)) (the smaller root, so |θ| ≤ π/4), c = 1/√(t² + 1) and
/// s = t·c, the rotation changes only rows and columns p and q:
///
///     a′_kp = c·a_kp − s·a_kq,   a′_kq = s·a_kp + c·a_kq      (k ≠ p, q, and symmetrically)
///     a′_pp = a_pp − t·a_pq,     a′_qq = a_qq + t·a_pq,       a′_pq = 0
///
/// Each rotation lowers the sum of squares of the off-diagonal elements by 2a_pq², so sweeping
/// over all pairs (p < q) in order, again and again, drives A to the diagonal Λ; the product of
/// the rotations is V. Convergence is quadratic once the off-diagonal part is small: 6 to 10
/// sweeps for the 128×128 covariances of the Fréchet distance.
///
/// **When an element counts as zero.** A rotation is skipped, and a_pq set to 0, when
/// |a_pq| ≤ ε·√(|a_pp|·|a_qq|) (Demmel and Veselić's relative criterion: it leaves the eigenvalues
/// of a positive-definite matrix with high *relative* accuracy, which matters here since small
/// eigenvalues then go through a square root) or when |a_pq| ≤ ε²·‖A‖_F (below anything that can
/// move an eigenvalue, so rank-deficient matrices finish too). The iteration stops after the
/// first sweep that rotates nothing.
///
/// Why Jacobi rather than Householder tridiagonalisation and QR: it is a dozen lines that are
/// easy to check, accurate for the small eigenvalues of covariance matrices, and fast enough
/// for n ≈ 100 (each sweep costs about 4n³ flops).
/// - Complexity: O(n³) per sweep; O(n²) memory.
public struct SymmetricEigendecomposition: Sendable {
    /// n: A is n×n.
    public let dimension: Int
    /// λ₁ ≤ λ₂ ≤ … ≤ λₙ.
    public let eigenvalues: [Double]
    /// V, n×n row-major: column j (elements j, n + j, 2n + j, …) is the unit eigenvector of λⱼ.
    public let eigenvectors: [Double]
    /// How many sweeps the iteration took, counting the final one that rotated nothing.
    public let sweeps: Int

    /// Decomposes the n×n symmetric `matrix` (row-major).
    ///
    /// - Parameters:
    ///   - tolerance: ε of the relative skipping criterion above (default 2⁻⁵², the precision of Double).
    ///   - maxSweeps: give up (and throw) after this many sweeps.
    /// - Throws: `EigenError` when the size is wrong, an element is not finite, the matrix is not
    ///   symmetric (to 10⁻¹⁰ of its largest element; the two triangles are then averaged), or
    ///   the iteration does not converge.
    public init(symmetric matrix: [Double], dimension n: Int, tolerance: Double = .ulpOfOne, maxSweeps: Int = 60) throws {
        guard n >= 1, matrix.count == n * n else {
            throw EigenError.badInput("a \(n)×\(n) matrix needs \(max(n, 0) * max(n, 0)) elements (n ≥ 1), got \(matrix.count)")
        }
        guard matrix.allSatisfy(\.isFinite) else { throw EigenError.badInput("the matrix holds a NaN or an infinity") }
        let largest = matrix.map(abs).max() ?? 0
        var a = matrix
        for i in 0..<n {
            for j in (i + 1)..<n {
                let (x, y) = (matrix[i * n + j], matrix[j * n + i])
                guard abs(x - y) <= 1e-10 * largest else {
                    throw EigenError.badInput("the matrix is not symmetric: a[\(i)][\(j)] = \(x) but a[\(j)][\(i)] = \(y)")
                }
                a[i * n + j] = (x + y) / 2
                a[j * n + i] = a[i * n + j]
            }
        }
        let frobenius = a.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let floor = tolerance * tolerance * frobenius
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }

        var sweep = 0
        var converged = false
        a.withUnsafeMutableBufferPointer { a in
            v.withUnsafeMutableBufferPointer { v in
                while sweep < maxSweeps {
                    sweep += 1
                    var rotated = false
                    for p in 0..<(n - 1) {
                        for q in (p + 1)..<n {
                            let apq = a[p * n + q]
                            if apq == 0 { continue }
                            let (app, aqq) = (a[p * n + p], a[q * n + q])
                            if abs(apq) <= tolerance * (abs(app) * abs(aqq)).squareRoot() || abs(apq) <= floor {
                                a[p * n + q] = 0
                                a[q * n + p] = 0
                                continue
                            }
                            rotated = true
                            let theta = (aqq - app) / (2 * apq)
                            // For huge ϑ, ϑ² overflows; then t ≈ 1/(2ϑ).
                            let t = abs(theta) > 1e150
                                ? 1 / (2 * theta)
                                : (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                            let c = 1 / (t * t + 1).squareRoot()
                            let s = t * c
                            // Columns p and q: A ← A·J.
                            for k in 0..<n {
                                let (akp, akq) = (a[k * n + p], a[k * n + q])
                                a[k * n + p] = c * akp - s * akq
                                a[k * n + q] = s * akp + c * akq
                            }
                            // Rows p and q: A ← Jᵀ·A.
                            for k in 0..<n {
                                let (apk, aqk) = (a[p * n + k], a[q * n + k])
                                a[p * n + k] = c * apk - s * aqk
                                a[q * n + k] = s * apk + c * aqk
                            }
                            // The 2×2 block, from the closed forms (more accurate than the products).
                            a[p * n + p] = app - t * apq
                            a[q * n + q] = aqq + t * apq
                            a[p * n + q] = 0
                            a[q * n + p] = 0
                            // V ← V·J.
                            for k in 0..<n {
                                let (vkp, vkq) = (v[k * n + p], v[k * n + q])
                                v[k * n + p] = c * vkp - s * vkq
                                v[k * n + q] = s * vkp + c * vkq
                            }
                        }
                    }
                    if !rotated { converged = true; break }
                }
            }
        }
        guard converged else { throw EigenError.noConvergence(sweeps: maxSweeps) }

        // Sort ascending, permuting the columns of V alike.
        let order = (0..<n).sorted { a[$0 * n + $0] < a[$1 * n + $1] }
        var vectors = [Double](repeating: 0, count: n * n)
        for (column, source) in order.enumerated() {
            for k in 0..<n { vectors[k * n + column] = v[k * n + source] }
        }
        dimension = n
        eigenvalues = order.map { a[$0 * n + $0] }
        eigenvectors = vectors
        sweeps = sweep
    }

    /// V·f(Λ)·Vᵀ: the matrix function f applied through the eigenvalues, n×n row-major
    /// (f = √ for a square root, exp for the exponential, …).
    /// - Complexity: n³ multiply-adds.
    public func reconstructed(applying f: (Double) -> Double = { $0 }) -> [Double] {
        let n = dimension
        let fl = eigenvalues.map(f)
        var out = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                var sum = 0.0
                for k in 0..<n { sum += eigenvectors[i * n + k] * fl[k] * eigenvectors[j * n + k] }
                out[i * n + j] = sum
                out[j * n + i] = sum
            }
        }
        return out
    }
}

/// Why an eigen-decomposition failed.
public enum EigenError: Error, CustomStringConvertible, Equatable {
    case badInput(String)
    case noConvergence(sweeps: Int)

    public var description: String {
        switch self {
        case .badInput(let why): "symmetric eigen-decomposition: \(why)"
        case .noConvergence(let sweeps): "symmetric eigen-decomposition: Jacobi did not converge in \(sweeps) sweeps"
        }
    }
}
