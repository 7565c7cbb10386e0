/// General matrix multiply, C = α·op(A)·op(B) + β·C, row-major.
///
/// op(A) is M×K and op(B) is K×N: with `transposeA`, A is stored K×M and read transposed;
/// with `transposeB`, B is stored N×K. The leading dimensions `lda`, `ldb`, `ldc` are the row
/// lengths in memory, so a GEMM can work on a block of a larger matrix. A backward pass needs
/// exactly these two variants: dW = dYᵀ·X is `transposeA`, and dX = dY·W is plain, or
/// Y = X·Wᵀ is `transposeB`.
///
/// When β is 0, C is written without being read (as BLAS does), so C may hold garbage or NaN.
public func gemm(
    transposeA: Bool, transposeB: Bool,
    m: Int, n: Int, k: Int,
    alpha: Float,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int
) {
    gemmNaive(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
              a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
}

/// The reference GEMM: the textbook triple loop, one dot product per element of C,
/// accumulated in Double. Slow on purpose, and obviously right; the fast kernel is tested
/// against it.
///
/// - Complexity: M·N·K multiply-adds, with no reuse of anything in cache.
public func gemmNaive(
    transposeA: Bool, transposeB: Bool,
    m: Int, n: Int, k: Int,
    alpha: Float,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int
) {
    for i in 0..<m {
        for j in 0..<n {
            var dot = 0.0
            for p in 0..<k {
                let aip = transposeA ? a[p * lda + i] : a[i * lda + p]
                let bpj = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                dot += Double(aip) * Double(bpj)
            }
            let scaled = alpha * Float(dot)
            c[i * ldc + j] = beta == 0 ? scaled : scaled + beta * c[i * ldc + j]
        }
    }
}
