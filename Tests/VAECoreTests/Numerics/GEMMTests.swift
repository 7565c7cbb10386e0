import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// The fast `gemm` against the textbook `gemmNaive`, on shapes chosen to hit every edge of the
/// blocked implementation, with each micro-kernel (the 6×16 AVX2 tile and the 8×32 AVX-512 one,
/// which runs on any machine, more slowly without AVX-512): sizes that are not multiples of the
/// tiles, size 1, depths longer
/// than one KC slice, all four transposes, α/β variants, leading dimensions wider than the rows
/// (with NaN in the padding, so that reading it would show), and enough work for two threads.
@Suite struct GEMMTests {
    /// One GEMM problem with its operands stored in padded buffers.
    struct Problem {
        var transposeA = false, transposeB = false
        var m: Int, n: Int, k: Int
        var alpha: Float = 1, beta: Float = 0
        /// Extra floats at the end of each stored row (the padding is NaN).
        var padA = 0, padB = 0, padC = 0

        var lda: Int { (transposeA ? m : k) + padA }
        var ldb: Int { (transposeB ? k : n) + padB }
        var ldc: Int { n + padC }
        var rowsA: Int { transposeA ? k : m }
        var rowsB: Int { transposeB ? n : k }
        var colsA: Int { transposeA ? m : k }
        var colsB: Int { transposeB ? k : n }
    }

    /// The value written into C's padding columns: it must survive untouched.
    static let sentinel: Float = 12345.5

    /// A random row-major matrix of `rows`×`cols` in rows of `ld` floats, NaN in the padding.
    static func matrix(rows: Int, cols: Int, ld: Int, random: inout RandomSource) -> [Float] {
        var x = [Float](repeating: .nan, count: max(1, rows * ld))
        for r in 0..<rows {
            for c in 0..<cols { x[r * ld + c] = random.uniform() * 2 - 1 }
        }
        return x
    }

    /// Runs the fast gemm (with `threads` and `blocking`) and the naive one on the same
    /// problem and checks every element of C against an error bound, and C's padding.
    static func check(_ p: Problem, threads: Int = 2, blocking: GEMMBlocking = .default, seed: UInt64 = 7) {
        var random = RandomSource(seed: seed)
        let a = matrix(rows: p.rowsA, cols: p.colsA, ld: p.lda, random: &random)
        let b = matrix(rows: p.rowsB, cols: p.colsB, ld: p.ldb, random: &random)
        // C starts random (β ≠ 0) or NaN (β = 0: it must not be read); padding holds a sentinel.
        var c0 = [Float](repeating: sentinel, count: max(1, p.m * p.ldc))
        for i in 0..<p.m {
            for j in 0..<p.n { c0[i * p.ldc + j] = p.beta == 0 ? .nan : random.uniform() * 2 - 1 }
        }
        var fast = c0, reference = c0
        // Σₚ |a_ip|·|b_pj|: the scale of the rounding error of each dot product.
        var scale = [Float](repeating: 0, count: max(1, p.m * p.n))
        let absA = a.map { $0.isNaN ? $0 : abs($0) }, absB = b.map { $0.isNaN ? $0 : abs($0) }

        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                fast.withUnsafeMutableBufferPointer { pc in
                    gemmChecked(transposeA: p.transposeA, transposeB: p.transposeB, m: p.m, n: p.n, k: p.k,
                                alpha: p.alpha, a: pa.baseAddress!, lda: p.lda, b: pb.baseAddress!, ldb: p.ldb,
                                beta: p.beta, c: pc.baseAddress!, ldc: p.ldc, threads: threads, blocking: blocking)
                }
                reference.withUnsafeMutableBufferPointer { pc in
                    gemmNaive(transposeA: p.transposeA, transposeB: p.transposeB, m: p.m, n: p.n, k: p.k,
                              alpha: p.alpha, a: pa.baseAddress!, lda: p.lda, b: pb.baseAddress!, ldb: p.ldb,
                              beta: p.beta, c: pc.baseAddress!, ldc: p.ldc)
                }
            }
        }
        absA.withUnsafeBufferPointer { pa in
            absB.withUnsafeBufferPointer { pb in
                scale.withUnsafeMutableBufferPointer { ps in
                    gemmNaive(transposeA: p.transposeA, transposeB: p.transposeB, m: p.m, n: p.n, k: p.k,
                              alpha: 1, a: pa.baseAddress!, lda: p.lda, b: pb.baseAddress!, ldb: p.ldb,
                              beta: 0, c: ps.baseAddress!, ldc: p.n)
                }
            }
        }

        // Float accumulation of k products: error about √k·ε relative to Σ|a||b| (a random
        // walk of roundings), plus the roundings of α·acc + β·c. A factor 2 of headroom.
        let eps = Float.ulpOfOne
        let factor = 2 * (Float(p.k).squareRoot() + 2) * eps
        var worst: Float = 0, failures = 0
        for i in 0..<p.m {
            for j in 0..<p.n {
                let got = fast[i * p.ldc + j], want = reference[i * p.ldc + j]
                let beforeC = p.beta == 0 ? 0 : abs(p.beta * c0[i * p.ldc + j])
                let tolerance = factor * (abs(p.alpha) * scale[i * p.n + j] + beforeC) + .leastNormalMagnitude
                let error = abs(got - want)
                if !(error <= tolerance) {
                    failures += 1
                    if failures <= 3 {
                        Issue.record("\(p): C[\(i),\(j)] = \(got), expected \(want) ± \(tolerance)")
                    }
                }
                worst = max(worst, error / tolerance)
            }
            for j in p.n..<p.ldc where fast[i * p.ldc + j] != sentinel {
                Issue.record("\(p): padding C[\(i),\(j)] was overwritten with \(fast[i * p.ldc + j])")
                break
            }
        }
        #expect(failures == 0, "\(p): \(failures) of \(p.m * p.n) elements out of tolerance (threads \(threads))")
    }

    static let transposes = [(false, false), (true, false), (false, true), (true, true)]

    /// Odd and degenerate sizes, one tile or less, several tiles with ragged edges, and depths
    /// past one KC slice (256), each with all four transposes.
    @Test(arguments: [
        (1, 1, 1), (1, 1, 17), (7, 1, 5), (1, 9, 3), (5, 3, 1), (6, 16, 8), (4, 16, 7), (2, 33, 5),
        (13, 37, 29), (31, 33, 65), (64, 64, 64), (37, 45, 300), (23, 17, 513),
    ])
    func matchesNaive(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        for tile in GEMMMicroTile.allCases {
            for (tA, tB) in Self.transposes {
                Self.check(Problem(transposeA: tA, transposeB: tB, m: m, n: n, k: k), blocking: .standard(for: tile))
            }
        }
    }

    /// α and β: scaling, accumulation into C, negative values; β = 0 with NaN in C (C must not
    /// be read); leading dimensions wider than the rows, with NaN padding in A and B.
    @Test(arguments: [(Float(1), Float(0)), (2.5, 0), (1, 1), (-0.5, 2), (0.75, -1)])
    func alphaBetaAndLeadingDimensions(alpha: Float, beta: Float) {
        for tile in GEMMMicroTile.allCases {
            for (tA, tB) in Self.transposes {
                Self.check(Problem(transposeA: tA, transposeB: tB, m: 29, n: 41, k: 270,
                                   alpha: alpha, beta: beta), blocking: .standard(for: tile))
                Self.check(Problem(transposeA: tA, transposeB: tB, m: 19, n: 35, k: 23,
                                   alpha: alpha, beta: beta, padA: 3, padB: 5, padC: 7), blocking: .standard(for: tile))
            }
        }
    }

    /// Enough work for both threads, with either split of C: by columns (wide), by rows
    /// (tall and narrow: one B sliver), and a big square-ish product.
    @Test(arguments: GEMMMicroTile.allCases)
    func largeShapesOnTwoThreads(tile: GEMMMicroTile) {
        let blocking = GEMMBlocking.standard(for: tile)
        for (tA, tB) in Self.transposes {
            Self.check(Problem(transposeA: tA, transposeB: tB, m: 200, n: 150, k: 300, alpha: 1.5, beta: 0.5,
                               padA: 1, padB: 2, padC: 3), blocking: blocking)
        }
        Self.check(Problem(m: 300, n: 10, k: 60), threads: 2, blocking: blocking)
        Self.check(Problem(transposeB: true, m: 64, n: 700, k: 40), threads: 2, blocking: blocking)
    }

    /// Tiny block sizes make small problems go through every loop of the blocked driver: several
    /// KC slices, several depth super-blocks (β applied once), several row super-blocks, MC blocks
    /// and NC chunks, and grids of 1 to 4 threads.
    @Test(arguments: [1, 2, 3, 4], GEMMMicroTile.allCases)
    func everyLoopWithTinyBlocks(threads: Int, tile: GEMMMicroTile) {
        let tiny = GEMMBlocking(kc: 8, mcSlivers: 2, ncSlivers: 2, maxK: 20,
                                maxPackedA: 6 * 16 * 2, partsPerThread: 3, minParallelWork: 0, tile: tile)
        for (tA, tB) in Self.transposes {
            Self.check(Problem(transposeA: tA, transposeB: tB, m: 41, n: 75, k: 53, alpha: 0.5, beta: -2,
                               padA: 2, padB: 1, padC: 4), threads: threads, blocking: tiny)
            Self.check(Problem(transposeA: tA, transposeB: tB, m: 13, n: 150, k: 9), threads: threads, blocking: tiny)
            Self.check(Problem(transposeA: tA, transposeB: tB, m: 90, n: 5, k: 33, beta: 1), threads: threads, blocking: tiny)
        }
    }

    /// The two micro-kernels compute each element by the same chain of FMAs, sliced at the same KC
    /// and stored the same way, so they agree bit for bit: a build with AVX-512 and one without
    /// train the same weights. Shapes with ragged edges in both tiles, depths of several KC
    /// slices and several super-blocks, β ≠ 0 (accumulation), all four transposes.
    @Test func bothMicroKernelsGiveTheSameBits() {
        let shapes = [(64, 512, 300), (37, 45, 600), (20, 3136, 128), (128, 40, 2100), (8, 33, 7), (5, 16, 257)]
        for (m, n, k) in shapes {
            for (tA, tB) in Self.transposes {
                for beta: Float in [0, 1, -0.5] {
                    var random = RandomSource(seed: UInt64(m * 1000 + n + k))
                    let a = Self.matrix(rows: tA ? k : m, cols: tA ? m : k, ld: tA ? m : k, random: &random)
                    let b = Self.matrix(rows: tB ? n : k, cols: tB ? k : n, ld: tB ? k : n, random: &random)
                    let c0 = Self.matrix(rows: m, cols: n, ld: n, random: &random)
                    var results: [[Float]] = []
                    for tile in GEMMMicroTile.allCases {
                        var c = c0
                        a.withUnsafeBufferPointer { pa in
                            b.withUnsafeBufferPointer { pb in
                                c.withUnsafeMutableBufferPointer { pc in
                                    gemmChecked(transposeA: tA, transposeB: tB, m: m, n: n, k: k, alpha: 0.75,
                                                a: pa.baseAddress!, lda: tA ? m : k, b: pb.baseAddress!, ldb: tB ? k : n,
                                                beta: beta, c: pc.baseAddress!, ldc: n, threads: 2,
                                                blocking: .standard(for: tile))
                                }
                            }
                        }
                        results.append(c)
                    }
                    let differing = zip(results[0], results[1]).filter { $0.bitPattern != $1.bitPattern }.count
                    #expect(differing == 0, "\(m)×\(n)×\(k) tA=\(tA) tB=\(tB) β=\(beta): \(differing) elements differ")
                }
            }
        }
    }

    /// Each element is summed in the same order whatever the split: 1 and 2 threads agree bit for bit.
    @Test func resultDoesNotDependOnThreadCount() {
        let m = 150, n = 260, k = 300
        var random = RandomSource(seed: 3)
        let a = Self.matrix(rows: m, cols: k, ld: k, random: &random)
        let b = Self.matrix(rows: n, cols: k, ld: k, random: &random)
        var one = [Float](repeating: 0, count: m * n), two = one
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                one.withUnsafeMutableBufferPointer { pc in
                    gemm(transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1, a: pa.baseAddress!, lda: k,
                         b: pb.baseAddress!, ldb: k, beta: 0, c: pc.baseAddress!, ldc: n, threads: 1)
                }
                two.withUnsafeMutableBufferPointer { pc in
                    gemm(transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1, a: pa.baseAddress!, lda: k,
                         b: pb.baseAddress!, ldb: k, beta: 0, c: pc.baseAddress!, ldc: n, threads: 2)
                }
            }
        }
        #expect(one == two)
    }

    /// K = 0 or α = 0: C = β·C and A, B are not read (they are NaN here); β = 0 clears NaN.
    @Test func degenerateProducts() {
        let m = 5, n = 7
        let nanA = [Float](repeating: .nan, count: 64), nanB = nanA
        for (k, beta) in [(0, Float(2)), (0, 0), (9, 3)] {
            var c = [Float](repeating: beta == 0 ? .nan : 1.5, count: m * n)
            nanA.withUnsafeBufferPointer { pa in
                nanB.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: k == 0 ? 1 : 0,
                             a: pa.baseAddress!, lda: max(k, 1), b: pb.baseAddress!, ldb: n, beta: beta,
                             c: pc.baseAddress!, ldc: n)
                    }
                }
            }
            #expect(c.allSatisfy { $0 == (beta == 0 ? 0 : 1.5 * beta) }, "k=\(k) β=\(beta): \(c.prefix(3))")
        }
    }

    /// The thread grid splits the larger dimension and never leaves a thread without work when
    /// there is enough.
    @Test func threadGrid() {
        #expect(gemmThreadGrid(threads: 2, mSlivers: 11, nSlivers: 392) == (1, 2))
        #expect(gemmThreadGrid(threads: 2, mSlivers: 50, nSlivers: 1) == (2, 1))
        #expect(gemmThreadGrid(threads: 4, mSlivers: 10, nSlivers: 10) == (2, 2))
        #expect(gemmThreadGrid(threads: 1, mSlivers: 3, nSlivers: 3) == (1, 1))
    }

    /// When OpenBLAS is installed, the wrapper computes the same product (it is only a yardstick
    /// for the benchmark, so the test is skipped without it).
    @Test(.enabled(if: OpenBLAS.shared != nil, "libopenblas.so.0 is not installed"))
    func openBLASAgrees() throws {
        let blas = try #require(OpenBLAS.shared)
        let m = 33, n = 47, k = 65
        var random = RandomSource(seed: 11)
        let a = Self.matrix(rows: k, cols: m, ld: m, random: &random)
        let b = Self.matrix(rows: k, cols: n, ld: n, random: &random)
        var ours = [Float](repeating: 1, count: m * n), theirs = ours
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                ours.withUnsafeMutableBufferPointer { pc in
                    gemm(transposeA: true, transposeB: false, m: m, n: n, k: k, alpha: 2, a: pa.baseAddress!, lda: m,
                         b: pb.baseAddress!, ldb: n, beta: 0.5, c: pc.baseAddress!, ldc: n)
                }
                theirs.withUnsafeMutableBufferPointer { pc in
                    blas.sgemm(transposeA: true, transposeB: false, m: m, n: n, k: k, alpha: 2, a: pa.baseAddress!, lda: m,
                               b: pb.baseAddress!, ldb: n, beta: 0.5, c: pc.baseAddress!, ldc: n)
                }
            }
        }
        let worst = zip(ours, theirs).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < 1e-4, "largest difference from OpenBLAS: \(worst)")
    }

    /// A missing library is a clear error, not a crash.
    @Test func openBLASMissingLibraryThrows() {
        #expect(throws: OpenBLAS.LoadError.self) { try OpenBLAS(path: "libdoes-not-exist.so.0") }
    }

    @Test func measureBestReturnsTheFastestRun() {
        var runs = 0
        let best = measureBest(repeats: 3, warmup: 2) { runs += 1 }
        #expect(runs == 5)
        #expect(best >= 0 && best < 1)
        let watch = Stopwatch()
        #expect(watch.elapsedSeconds >= 0)
    }
}
