import VAECore

// # Making matrix multiply fast, one step at a time
//
// C = A·B with A of M×K, B of K×N and C of M×N, all row-major, costs M·N·K multiply-adds:
// 2·M·N·K floating-point operations (flops). Nearly all the time of a neural network goes into
// products like this one (a convolution is one, after im2col), so its speed bounds everything.
//
// What is the best we can hope for? A recent x86 core with AVX2 issues two 8-wide FMA (fused
// multiply-add) instructions per cycle: 2 × 8 × 2 = 32 flops per cycle, about 100 GFLOP/s per
// core at a 3 GHz clock; one with full-width AVX-512 units (Zen 5, Intel's server cores) issues
// two 16-wide ones, 64 flops per cycle, about 200 GFLOP/s per core. Times the number of cores
// (the chapter prints how many this machine has, and which kernel it built). Memory is far
// slower: a few tens of GB/s from RAM, that is a few floats per nanosecond, while the FMA units
// eat 64 floats (128 with AVX-512) per nanosecond per core. Yet a
// 512×512 product does 2·512³ flops on 3·512² floats: 340 flops per float. So multiply can run
// at the peak of the arithmetic *if* every float brought in from memory is reused hundreds of
// times from registers and caches. Each step below gets closer to that.
//
// The steps are ordinary functions, so that the chapter can time them side by side
// (`measureMatmulSteps`); steps 4 and 5 are the library's `gemm`.

/// Step 1, the textbook triple loop: C[i, j] = Σₚ A[i, p]·B[p, j], one dot product per element.
///
/// The inner loop walks down a *column* of B: consecutive p are N floats apart, so each
/// multiply-add touches a new cache line of B (64 bytes, of which it uses 4). For N = 512 the
/// whole of B is 1 MB: no cache level keeps it, and every element of C re-reads a column of it
/// from far away. The loop is also one chain of dependent additions (`sum += …`), which the
/// compiler may not reorder (floating-point addition is not associative), so it cannot use
/// SIMD. Expect a few GFLOP/s (the table prints this machine's): bound by memory latency, a
/// small fraction of the peak.
///
/// - Complexity: M·N·K multiply-adds; reads B column-wise M times.
func matmulNaiveIJK(m: Int, n: Int, k: Int,
                    a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) {
    for i in 0..<m {
        for j in 0..<n {
            var sum: Float = 0
            for p in 0..<k {
                sum += a[i * k + p] * b[p * n + j]
            }
            c[i * n + j] = sum
        }
    }
}

/// Step 2, the same sums with the loops reordered i, p, j: row i of C accumulates
/// A[i, p] × (row p of B), for each p.
///
/// Now the inner loop streams along a row of B and a row of C, both contiguous: every byte of
/// each cache line is used, and the hardware prefetcher sees two simple streams. The N
/// updates of the inner loop are independent of each other, so the compiler vectorises it:
/// 8 floats per AVX instruction. The order of additions into each C[i, j] is still p = 0, 1, …,
/// so the result is the same as step 1's up to rounding of the products.
///
/// What still limits it: each inner iteration loads a float of B *and* loads and stores a float
/// of C, for one multiply-add. That is 3 memory operations per FMA, when the core can do
/// 2 FMAs but only 2–3 memory operations per cycle; and for large N the rows of B come from
/// L2 or RAM again for every i.
///
/// - Complexity: M·N·K multiply-adds; reads all of B M times, row by row.
func matmulReorderedIKJ(m: Int, n: Int, k: Int,
                        a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) {
    c.update(repeating: 0, count: m * n)
    for i in 0..<m {
        let cRow = c + i * n
        for p in 0..<k {
            let aip = a[i * k + p]
            let bRow = b + p * n
            for j in 0..<n {
                cRow[j] += aip * bRow[j]
            }
        }
    }
}

/// Step 3, cache blocking: the ikj loops of step 2, run on blocks of B small enough to stay in
/// cache while they are reused, with four rows of the block applied per pass over C.
///
/// A block of B of `blocks.kc` rows × `blocks.nc` columns (128 × 256 floats = 128 KB) fits in the
/// L2 cache (1 MB per core). All M rows of A then pass over that block before moving on, so
/// each float of B is fetched from RAM once per block instead of once per row of A; and the
/// stretch of a C row being updated (256 floats, 1 KB) stays in L1.
///
/// Blocking alone changes little at these sizes (step 2's rows of B mostly come from L2 or L3
/// anyway): what limits step 2 is the load and store of C for every multiply-add. So inside the
/// block, four consecutive rows of B are applied in one pass over the C row:
/// C[i, j] += A[i,p]·B[p,j] + … + A[i,p+3]·B[p+3,j], added left to right. That is one load and
/// one store of C per four multiply-adds instead of per one, and the same additions in the
/// same order as before, so the result is unchanged (up to the rounding of the products).
///
/// The next limit: B is still loaded once per multiply-add, and C once per four. Keeping a
/// whole tile of C in registers removes both (step 4).
///
/// - Complexity: M·N·K multiply-adds; reads B from RAM about once.
func matmulBlocked(m: Int, n: Int, k: Int,
                   a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                   blocks: CacheBlocks = CacheBlocks()) {
    c.update(repeating: 0, count: m * n)
    var j0 = 0
    while j0 < n {
        let jEnd = min(j0 + blocks.nc, n)
        var p0 = 0
        while p0 < k {
            let pEnd = min(p0 + blocks.kc, k)
            // The block B[p0..<pEnd, j0..<jEnd] is now reused by every row of A.
            for i in 0..<m {
                let cRow = c + i * n
                let aRow = a + i * k
                var p = p0
                while p + 4 <= pEnd {
                    let a0 = aRow[p], a1 = aRow[p + 1], a2 = aRow[p + 2], a3 = aRow[p + 3]
                    let b0 = b + p * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n
                    for j in j0..<jEnd {
                        cRow[j] = cRow[j] + a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j]
                    }
                    p += 4
                }
                while p < pEnd {
                    let aip = aRow[p], bRow = b + p * n
                    for j in j0..<jEnd { cRow[j] += aip * bRow[j] }
                    p += 1
                }
            }
            p0 = pEnd
        }
        j0 = jEnd
    }
}

/// Step 4, the library's `gemm` on one thread: a register-blocked SIMD micro-kernel on packed
/// operands (GotoBLAS/BLIS; see `Sources/VAENumerics/Linalg/GEMM*.swift`).
///
/// - The micro-kernel keeps a tile of C in vector registers for a whole slice of 256 steps of p:
///   with AVX2, 6×16 floats in 12 of its 16 registers (each step loads 16 floats of B and 6 of
///   A and does 12 FMAs of 8 lanes); with AVX-512, 8×32 floats in 16 of its 32 (32 floats of B,
///   8 of A, 16 FMAs of 16 lanes). The package builds the one the machine has, section 2
///   prints which ran, and both give the same bits. C is not touched at all inside the loop, so
///   the FMA units, not memory, set the pace.
/// - Packing copies a sliver of A (6 or 8 rows) and of B (16 or 32 columns) into contiguous
///   buffers in exactly the order the kernel reads them (which also handles transposes and
///   ragged edges).
/// - Blocking keeps the B sliver (16 KB for the AVX2 kernel, 32 KB for the AVX-512 one) in L1
///   and a block of A (96 KB) in L2 while they are reused (`GEMMBlocking`).
func matmulKernelSingleThread(m: Int, n: Int, k: Int,
                              a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) {
    gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n,
         beta: 0, c: c, ldc: n, threads: 1)
}

/// Step 5, the same `gemm` on `threads` threads (by default one per core): the threads compute
/// disjoint rectangles of C, handed out by the library's `parallelFor`
/// (`Sources/VAENumerics/Util/Parallel.swift`: a pool of worker threads that spin briefly between
/// jobs, so the many short fork-joins of a training step cost microseconds), so they never
/// write the same memory and need no locks. Each element of C is still summed in the same
/// order, so the result is bit for bit the one of step 4.
func matmulKernelAllCores(m: Int, n: Int, k: Int,
                          a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                          threads: Int = gemmMaxThreads) {
    gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n,
         beta: 0, c: c, ldc: n, threads: threads)
}

/// The five steps, in teaching order, with the largest square size each is timed at (the slow
/// ones would take seconds at 1024 and teach nothing more).
typealias MatmulStep = (name: String, maxSize: Int,
                        run: @Sendable (Int, Int, Int, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void)

/// The blocks of step 3 (`matmulBlocked`): these defaults, unless an experiment asks for others.
struct CacheBlocks: Sendable {
    var kc = 128
    var nc = 256
}

/// The five steps, step 3 with `blocks`, step 5 on `threads` threads, then OpenBLAS when it is
/// installed.
func matmulSteps(threads: Int, blocks: CacheBlocks = CacheBlocks()) -> [MatmulStep] {
    teachingSteps(threads: threads, blocks: blocks) + openBLASStep
}

func teachingSteps(threads: Int, blocks: CacheBlocks = CacheBlocks()) -> [MatmulStep] {
    [
        ("1 naive ijk", 512, { matmulNaiveIJK(m: $0, n: $1, k: $2, a: $3, b: $4, c: $5) }),
        ("2 reordered ikj", 1024, { matmulReorderedIKJ(m: $0, n: $1, k: $2, a: $3, b: $4, c: $5) }),
        ("3 cache-blocked", 1024, { matmulBlocked(m: $0, n: $1, k: $2, a: $3, b: $4, c: $5, blocks: blocks) }),
        ("4 SIMD kernel, 1 thread", Int.max, { matmulKernelSingleThread(m: $0, n: $1, k: $2, a: $3, b: $4, c: $5) }),
        ("5 SIMD kernel, \(threads) thread\(threads == 1 ? "" : "s")", Int.max,
         { matmulKernelAllCores(m: $0, n: $1, k: $2, a: $3, b: $4, c: $5, threads: threads) }),
    ]
}

/// OpenBLAS, a mature hand-tuned BLAS, as the yardstick, when `libopenblas.so.0` is installed.
let openBLASStep: [MatmulStep] =
    OpenBLAS.shared == nil ? [] : [("OpenBLAS, \(gemmMaxThreads) threads", Int.max, { @Sendable m, n, k, a, b, c in
        OpenBLAS.shared!.sgemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1,
                               a: a, lda: k, b: b, ldb: n, beta: 0, c: c, ldc: n)
    })]

/// Times every step on square N×N×N products, for each N in `sizes` (skipping a step above its
/// `maxSize`), and returns the measured GFLOP/s: 2·N³ flops divided by the best of a few runs.
///
/// Each step's result is checked against step 4 (the library, itself tested against a
/// double-precision reference): a wrong fast version would be no lesson. The slow steps stop at
/// their `maxSize`, so sizes up to 1024 take seconds, not minutes.
///
/// - Precondition: every size is positive, and `threads` is at least 1.
func measureMatmulSteps(sizes: [Int], threads: Int = gemmMaxThreads, blocks: CacheBlocks = CacheBlocks(),
                        seed: UInt64 = 1) -> [(step: String, size: Int, gflops: Double)] {
    precondition(sizes.allSatisfy { $0 > 0 }, "measureMatmulSteps: sizes must be positive, got \(sizes)")
    precondition(threads >= 1, "measureMatmulSteps: threads must be at least 1, got \(threads)")
    let steps = matmulSteps(threads: threads, blocks: blocks)
    var results: [(step: String, size: Int, gflops: Double)] = []
    var random = RandomSource(seed: seed)
    for size in sizes {
        let a = Tensor.uniform([size, size], lower: -1, upper: 1, using: &random)
        let b = Tensor.uniform([size, size], lower: -1, upper: 1, using: &random)
        var reference = Tensor(shape: [size, size])
        var c = Tensor(shape: [size, size])
        let flops = 2 * Double(size) * Double(size) * Double(size)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                reference.withUnsafeMutableBufferPointer { pr in
                    matmulKernelSingleThread(m: size, n: size, k: size, a: pa.baseAddress!, b: pb.baseAddress!,
                                             c: pr.baseAddress!)
                }
                for step in steps where size <= step.maxSize {
                    let seconds = c.withUnsafeMutableBufferPointer { pc in
                        // Slow runs (over ~50 Mflop) are not worth a warm-up; fast ones are timed
                        // many times within a 0.3 s budget and the best run is kept.
                        measureBest(maxRepeats: 20, budget: 0.3, warmup: flops > 5e7 && step.maxSize < Int.max ? 0 : 1) {
                            step.run(size, size, size, pa.baseAddress!, pb.baseAddress!, pc.baseAddress!)
                        }
                    }
                    // Same sums in a different order: equal up to rounding, ~√N·ε relative.
                    let tolerance = Float(size).squareRoot() * 4 * Float.ulpOfOne * Float(size)
                    let worst = zip(c.scalars, reference.scalars).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
                    precondition(worst <= tolerance, "step \(step.name) at N=\(size) differs from gemm by \(worst)")
                    results.append((step: step.name, size: size, gflops: flops / seconds / 1e9))
                }
            }
        }
    }
    return results
}
