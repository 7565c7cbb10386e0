/// General matrix multiply, C = α·op(A)·op(B) + β·C, row-major.
///
/// op(A) is M×K and op(B) is K×N: with `transposeA`, A is stored K×M and read transposed;
/// with `transposeB`, B is stored N×K. The leading dimensions `lda`, `ldb`, `ldc` are the row
/// lengths in memory, so a GEMM can work on a block of a larger matrix. A backward pass needs
/// exactly these two variants: dW = dYᵀ·X is `transposeA`, and dX = dY·W is plain, or
/// Y = X·Wᵀ is `transposeB`.
///
/// When β is 0, C is written without being read (as BLAS does), so C may hold garbage or NaN.
/// When α is 0 or K is 0, A and B are not read either: C becomes β·C.
///
/// ## How it is fast
/// A GEMM does 2·M·N·K flops on M·K + K·N + M·N numbers: at 512³ that is 340 flops per float,
/// so it can run at the peak of the FMA units *if* each number fetched from memory is reused
/// from registers and caches many times. That peak (the roofline's flat part) on this machine:
/// 2 FMA pipes × 8 lanes × 2 flops = 32 flops per cycle per core, about 100 GFLOP/s per core
/// and 200 on both; memory delivers a few floats per nanosecond, so the naive triple loop,
/// which reuses nothing, runs at 1–3 GFLOP/s. The implementation follows GotoBLAS/BLIS:
/// - a 6×16 micro-kernel keeps a tile of C in 12 ymm registers (`GEMMKernel.swift`);
/// - operands are packed into contiguous slivers in the kernel's reading order, which also
///   absorbs the transposes and zero-pads the edges (`GEMMPacking.swift`);
/// - KC/MC/NC blocks keep a B sliver in L1 and blocks of A and B in L2 (`GEMMDriver.swift`);
/// - both cores work on disjoint rectangles of C (`parallelFor`, spinning workers).
/// It runs within a few percent of OpenBLAS (`swift run -c release bench gemm`).
/// `gemmNaive` is the reference it is tested against.
///
/// Uses every core (see `gemm(…, threads:)` to choose). The result does not depend on the
/// number of threads. Sizes and leading dimensions are checked with `precondition`.
///
/// - Complexity: 2·M·N·K flops; O(M·K + K·N) extra for packing.
public func gemm(
    transposeA: Bool, transposeB: Bool,
    m: Int, n: Int, k: Int,
    alpha: Float,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int
) {
    gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
         a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: gemmDefaultThreads)
}

/// `gemm` on at most `threads` threads (1 runs on the calling thread only). Small products
/// (under about 2¹⁷ multiply-adds) always run on one thread.
public func gemm(
    transposeA: Bool, transposeB: Bool,
    m: Int, n: Int, k: Int,
    alpha: Float,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    threads: Int
) {
    gemmChecked(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                threads: threads, blocking: .default(columns: n))
}

/// The number of threads `gemm` uses when not told: the number of online cores.
public var gemmMaxThreads: Int { gemmDefaultThreads }

/// Validates the arguments, handles the degenerate cases, and runs the blocked GEMM with the
/// given block sizes (tests use tiny ones to exercise every loop on small matrices).
@usableFromInline
func gemmChecked(
    transposeA: Bool, transposeB: Bool,
    m: Int, n: Int, k: Int,
    alpha: Float,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    threads: Int, blocking: GEMMBlocking,
    implicitB: ImplicitColumns? = nil
) {
    precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative size m=\(m) n=\(n) k=\(k)")
    precondition(threads >= 1, "gemm: threads must be at least 1, got \(threads)")
    guard m > 0 && n > 0 else { return }
    precondition(ldc >= n, "gemm: ldc=\(ldc) is less than n=\(n)")
    guard k > 0 && alpha != 0 else {
        gemmScaleC(m: m, n: n, beta: beta, c: c, ldc: ldc)
        return
    }
    precondition(lda >= (transposeA ? m : k),
                 "gemm: lda=\(lda) is less than \(transposeA ? "m" : "k")=\(transposeA ? m : k) (transposeA=\(transposeA))")
    if let columns = implicitB {
        precondition(transposeB ? (k == columns.columns && n == columns.rows) : (k == columns.rows && n == columns.columns),
                     "gemm: the im2col operand is \(columns.rows)×\(columns.columns), not op(B) \(k)×\(n) (transposeB=\(transposeB))")
    } else {
        precondition(ldb >= (transposeB ? k : n),
                     "gemm: ldb=\(ldb) is less than \(transposeB ? "k" : "n")=\(transposeB ? k : n) (transposeB=\(transposeB))")
    }
    gemmBlocked(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                threads: threads, blocking: blocking, implicitB: implicitB)
}

/// C = α·op(A)·op(col) + β·C where col is the batch-minor im2col matrix of `columns` (its
/// transpose with `transposeColumns`), packed straight from the image instead of being written
/// out (see `GEMMImplicitColumns.swift`): the same product, to the bit, as `gemm` on the
/// materialised matrix.
package func gemm(transposeA: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                  columns: ImplicitColumns, transposeColumns: Bool, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    gemmChecked(transposeA: transposeA, transposeB: transposeColumns, m: m, n: n, k: k, alpha: alpha,
                a: a, lda: lda, b: columns.x, ldb: max(n, k), beta: beta, c: c, ldc: ldc,
                threads: gemmDefaultThreads, blocking: .default(columns: n), implicitB: columns)
}

/// The reference GEMM: the textbook triple loop, one dot product per element of C,
/// accumulated in Double. Slow on purpose, and obviously right; the fast kernel is tested
/// against it.
///
/// - Complexity: M·N·K multiply-adds, with no reuse of anything in cache.
func gemmNaive(
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
