import Dispatch
import Foundation

/// The block sizes of the fast GEMM, in the GotoBLAS/BLIS scheme.
///
/// Each level of the loop nest keeps one operand in one level of the memory hierarchy of these
/// CPUs (per core: 32–48 KB L1d, 1–2 MB L2; 32 MB L3 shared), for the 6×16 (AVX2) and the 8×32
/// (AVX-512) micro-kernel:
///
/// | block                      | 6×16 tile                  | 8×32 tile                  | lives in  | reused by                      |
/// |----------------------------|----------------------------|----------------------------|-----------|--------------------------------|
/// | C tile (MR×NR)             | 6×16 floats                | 8×32 floats                | registers | the KC steps of the kernel     |
/// | B sliver (KC×NR)           | 256×16 floats = 16 KB      | 256×32 floats = 32 KB      | L1        | the A slivers of an MC block   |
/// | A block (MC×KC)            | 96×256 floats = 96 KB      | 96×256 floats = 96 KB      | L2        | the B slivers of a chunk       |
/// | B chunk (KC×NC), per part  | 256×256 floats = 256 KB    | 256×256 floats = 256 KB    | L2        | every A block of the part      |
/// | packed A (≤ maxPackedA)    | ≤ 4 MB                     | ≤ 4 MB                     | L3        | every B chunk                  |
///
/// KC is the depth of one slice: long enough to amortise loading and storing the C tile
/// (2·MR·NR floats per MR·NR·KC multiply-adds), short enough that a B sliver stays in L1 while A
/// slivers stream past it. NC keeps a part's freshly packed B chunk in its core's L2, so the kernel
/// reads B from L2, not from L3 (measured: about 10% faster on the 64×512×6272 conv shape than
/// packing all of B first).
@usableFromInline
struct GEMMBlocking: Sendable {
    /// Depth of one slice of the product (KC).
    var kc: Int
    /// A slivers per L2 block: MC = `mcSlivers`·MR rows.
    var mcSlivers: Int
    /// B slivers per packed chunk: NC = `ncSlivers`·NR columns.
    var ncSlivers: Int
    /// Depth of one super-block (rounded down to a multiple of `kc`); bounds packed A when K is huge.
    var maxK: Int
    /// Floats of packed A per super-block (bounds its rows).
    var maxPackedA: Int
    /// Parts of the columns of C per thread (dynamically shared out by `parallelFor`).
    var partsPerThread: Int
    /// Below this many multiply-adds (M·N·K), one thread: forking costs more than it saves.
    var minParallelWork: Int
    /// The micro-kernel's register tile (and the sliver shapes of the packing).
    var tile: GEMMMicroTile = .native

    /// The blocking of this build's micro-kernel. KC is the same for both tiles (it decides how
    /// each element's sum is sliced, so it must be, for the two to agree bit for bit); MC and NC
    /// count slivers, so the 8×32 tile's blocks hold about the same bytes as the 6×16 tile's
    /// (its B chunk is 8 slivers of 32 columns, its A block 12 slivers of 8 rows).
    @usableFromInline
    static let `default` = GEMMBlocking.standard(for: .native)

    /// The blocking `gemm` uses for a product `n` columns wide: the default, except that a
    /// product at most 16 columns wide (the weight gradients of the first and last convolutions,
    /// whose C·kh·kw is 16) takes the 6×16 tile, whose B slivers it fills, where the 8×32 tile
    /// would multiply as many zeros as numbers. The tiles give the same bits, so the choice only
    /// changes the speed.
    @usableFromInline
    static func `default`(columns n: Int) -> GEMMBlocking {
        n <= 16 && GEMMBlocking.default.tile == .zmm8x32 ? narrow : .default
    }
    private static let narrow = GEMMBlocking.standard(for: .ymm6x16)

    /// The default blocking for `tile`.
    static func standard(for tile: GEMMMicroTile) -> GEMMBlocking {
        switch tile {
        case .ymm6x16:
            GEMMBlocking(kc: 256, mcSlivers: 16, ncSlivers: 16, maxK: 2048,
                         maxPackedA: 1 << 20, partsPerThread: 4, minParallelWork: 1 << 19, tile: .ymm6x16)
        case .zmm8x32:
            GEMMBlocking(kc: 256, mcSlivers: 12, ncSlivers: 8, maxK: 2048,
                         maxPackedA: 1 << 20, partsPerThread: 4, minParallelWork: 1 << 19, tile: .zmm8x32)
        }
    }
}

/// The threads a GEMM uses by default: `computeThreads` (every online core, unless `VAE_THREADS` says).
@usableFromInline
let gemmDefaultThreads: Int = computeThreads

/// One super-block of the product: C[i0 ..< i0+mb, 0 ..< n] += α·op(A)·op(B) over the depth
/// p0 ..< p0+kb, with its packed buffers. A value type of raw pointers handed to the worker
/// threads: they read A, B and the packed A; each part of the work packs B into its own buffer
/// and writes its own rectangle of C, so sharing it is safe.
struct GEMMSuperBlock: @unchecked Sendable {
    let transposeA: Bool, transposeB: Bool
    let a: UnsafePointer<Float>, lda: Int
    let b: UnsafePointer<Float>, ldb: Int
    let c: UnsafeMutablePointer<Float>, ldc: Int
    let n: Int
    let alpha: Float
    /// β for the first slice; later slices add onto what the first wrote (β = 1).
    let beta: Float
    let i0: Int, mb: Int
    let p0: Int, kb: Int
    let blocking: GEMMBlocking
    /// All A slivers of the block, every slice (shared, read-only once packed).
    let packedA: UnsafeMutablePointer<Float>
    /// One B chunk per part of the work (parts never share one), `bChunkStride` floats apart.
    let packedB: UnsafeMutablePointer<Float>
    let bChunkStride: Int
    /// One tile of scratch per part of the work (`GEMMWorkspace.tileStride` floats apart).
    let tiles: UnsafeMutablePointer<Float>
    /// When set, B is this im2col matrix (or its transpose, with `transposeB`), packed straight
    /// from the image; `b` and `ldb` are not read.
    let implicitB: ImplicitColumns?

    /// Rows of an A sliver and columns of a B sliver (the micro-kernel's tile).
    var mr: Int { blocking.tile.mr }
    var nr: Int { blocking.tile.nr }
    /// A slivers and B slivers in this block.
    var aSlivers: Int { (mb + mr - 1) / mr }
    var bSlivers: Int { (n + nr - 1) / nr }

    /// Packs A slivers `range` for every KC slice of the depth.
    ///
    /// Layout: the slice starting at depth q begins at q·(aSlivers·MR); inside it, sliver i is
    /// at i·MR·kc.
    func packA(_ range: Range<Int>) {
        let (mr, mPad) = (self.mr, aSlivers * self.mr)
        var q = 0
        while q < kb {
            let kcq = min(blocking.kc, kb - q)
            for i in range {
                let (first, rows, dst) = (i0 + i * mr, min(mr, mb - i * mr), packedA + q * mPad + i * mr * kcq)
                switch blocking.tile {
                case .ymm6x16:
                    gemmPackA(transposed: transposeA, a: a, lda: lda, i0: first, rows: rows, p0: p0 + q, kc: kcq, dst: dst)
                case .zmm8x32:
                    gemmPackA8(transposed: transposeA, a: a, lda: lda, i0: first, rows: rows, p0: p0 + q, kc: kcq, dst: dst)
                }
            }
            q += kcq
        }
    }

    /// Packs B slivers `range` of depth p0+q ..< p0+q+kcq into `dst`, sliver j at
    /// (j − range.lowerBound)·NR·kcq.
    func packB(_ range: Range<Int>, q: Int, kcq: Int, dst: UnsafeMutablePointer<Float>) {
        let nr = self.nr
        if let columns = implicitB {
            for j in range {
                let (cols, sliver) = (min(nr, n - j * nr), dst + (j - range.lowerBound) * nr * kcq)
                if transposeB {
                    columns.packTransposedSliver(p0: p0 + q, kc: kcq, j0: j * nr, cols: cols, width: nr, dst: sliver)
                } else {
                    columns.packSliver(p0: p0 + q, kc: kcq, j0: j * nr, cols: cols, width: nr, dst: sliver)
                }
            }
            return
        }
        // Full slivers together, row by row (see `gemmPackBFull`), then a ragged last one.
        let fullEnd = min(range.upperBound, n / nr)
        if range.lowerBound < fullEnd {
            gemmPackBFull(transposed: transposeB, b: b, ldb: ldb, p0: p0 + q, kc: kcq, j0: range.lowerBound * nr,
                          count: fullEnd - range.lowerBound, width: nr, dst: dst)
        }
        for j in max(fullEnd, range.lowerBound)..<range.upperBound {
            gemmPackB(transposed: transposeB, b: b, ldb: ldb, p0: p0 + q, kc: kcq, j0: j * nr, cols: min(nr, n - j * nr),
                      width: nr, dst: dst + (j - range.lowerBound) * nr * kcq)
        }
    }

    /// Computes the tiles of C for A slivers `aRange` × B slivers `bRange`.
    ///
    /// Loop order, outer to inner: KC slice → NC chunk of B slivers (packed here, into this
    /// part's buffer) → MC block of A slivers → B sliver → A sliver. The B sliver stays in L1
    /// across the innermost loop, the A block and the B chunk in L2.
    func compute(aRange: Range<Int>, bRange: Range<Int>, part: Int) {
        let (mr, nr, mPad) = (self.mr, self.nr, aSlivers * self.mr)
        let tile = blocking.tile
        let chunk = packedB + part * bChunkStride
        let scratch = tiles + part * GEMMWorkspace.tileStride
        var q = 0
        while q < kb {
            let kcq = min(blocking.kc, kb - q)
            let betaQ: Float = q == 0 ? beta : 1
            let sliceA = packedA + q * mPad
            var jc = bRange.lowerBound
            while jc < bRange.upperBound {
                let jcEnd = min(jc + blocking.ncSlivers, bRange.upperBound)
                packB(jc..<jcEnd, q: q, kcq: kcq, dst: chunk)
                var ic = aRange.lowerBound
                while ic < aRange.upperBound {
                    let icEnd = min(ic + blocking.mcSlivers, aRange.upperBound)
                    for j in jc..<jcEnd {
                        let bSliver = chunk + (j - jc) * nr * kcq
                        let col = j * nr
                        let columns = min(nr, n - col)
                        for i in ic..<icEnd {
                            let row = i * mr
                            let rows = min(mr, mb - row)
                            let aSliver = sliceA + i * mr * kcq
                            switch (tile, rows > 4) {
                            case (.ymm6x16, true): gemmMicroKernel6x16(kc: kcq, a: aSliver, b: bSliver, tile: scratch)
                            case (.ymm6x16, false): gemmMicroKernel4x16(kc: kcq, a: aSliver, b: bSliver, tile: scratch)
                            case (.zmm8x32, true): gemmMicroKernel8x32(kc: kcq, a: aSliver, b: bSliver, tile: scratch)
                            case (.zmm8x32, false): gemmMicroKernel4x32(kc: kcq, a: aSliver, b: bSliver, tile: scratch)
                            }
                            gemmStoreTile(scratch, width: nr, mr: rows, nr: columns, c: c + (i0 + row) * ldc + col,
                                          ldc: ldc, alpha: alpha, beta: betaQ)
                        }
                    }
                    ic = icEnd
                }
                jc = jcEnd
            }
            q += kcq
        }
    }
}

/// Splits `count` items into `parts` contiguous ranges whose sizes differ by at most one.
@inline(__always)
func gemmSplit(_ count: Int, parts: Int, part: Int) -> Range<Int> {
    (count * part / parts)..<(count * (part + 1) / parts)
}

/// Chooses a grid of `threads` = tm·tn rectangles over mSlivers × nSlivers tiles that minimises
/// the largest rectangle (the critical path). Ties go to splitting columns (larger tn): threads
/// then share the packed A and each packs only its own B; with tm > 1, threads in the same
/// column of the grid pack the same B slivers.
func gemmThreadGrid(threads: Int, mSlivers: Int, nSlivers: Int) -> (tm: Int, tn: Int) {
    var best = (tm: 1, tn: threads)
    var bestCost = Int.max
    for tm in 1...threads where threads % tm == 0 {
        let tn = threads / tm
        let cost = ((mSlivers + tm - 1) / tm) * ((nSlivers + tn - 1) / tn)
        if cost < bestCost || (cost == bestCost && tn > best.tn) {
            best = (tm, tn)
            bestCost = cost
        }
    }
    return best
}

/// The fast GEMM: blocked, packed, register-tiled and threaded. See `gemm` for the contract.
///
/// For each super-block of rows (at most `maxPackedA` floats of packed A) and depth (at most
/// `maxK`):
/// 1. the threads pack their share of the A slivers into the shared workspace (or the calling
///    thread packs all of them, when A is small);
/// 2. C is cut into rectangles ("parts"), normally column strips, a few per thread, which
///    `parallelFor` hands out to the threads as they come free; each part packs the B
///    slivers it needs, chunk by chunk, into its own buffer, and writes only its own rectangle.
/// At most two fork-joins per super-block, none per slice or tile. Each element of C is
/// computed by one part, with the same order of additions whatever the split, so the result
/// does not depend on `threads`.
///
/// Why several parts per thread: on a shared machine a worker thread may start late (woken
/// slowly, or its core busy with another process). With exactly one part per thread the caller
/// then either waits for it or does its half too; with four, the late worker still takes the
/// parts that are left.
@usableFromInline
func gemmBlocked(
    transposeA: Bool, transposeB: Bool,
    m: Int, n: Int, k: Int,
    alpha: Float,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    threads requestedThreads: Int,
    blocking: GEMMBlocking,
    implicitB: ImplicitColumns? = nil
) {
    precondition(blocking.kc > 0 && blocking.mcSlivers > 0 && blocking.ncSlivers > 0
                 && blocking.maxK >= blocking.kc && blocking.maxPackedA > 0,
                 "gemm: invalid blocking \(blocking)")
    let kb = min(k, blocking.maxK / blocking.kc * blocking.kc)
    let (mr, nr) = (blocking.tile.mr, blocking.tile.nr)
    let mbMax = max(mr, blocking.maxPackedA / kb / mr * mr)
    let threads = m * n * k < blocking.minParallelWork ? 1 : max(1, requestedThreads)
    let bChunkStride = (blocking.ncSlivers * nr * blocking.kc + 15) / 16 * 16

    let pool = GEMMWorkspacePool.shared
    let workspace = pool.take()
    defer { pool.giveBack(workspace) }
    let maxParts = threads == 1 ? 1 : threads * blocking.partsPerThread
    workspace.reserve(a: min(mbMax, (m + mr - 1) / mr * mr) * kb,
                      b: bChunkStride * maxParts, parts: maxParts)

    var p0 = 0
    while p0 < k {
        let kbHere = min(kb, k - p0)
        var i0 = 0
        while i0 < m {
            let mb = min(mbMax, m - i0)
            let block = GEMMSuperBlock(
                transposeA: transposeA, transposeB: transposeB,
                a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, n: n,
                alpha: alpha, beta: p0 == 0 ? beta : 1,
                i0: i0, mb: mb, p0: p0, kb: kbHere, blocking: blocking,
                packedA: workspace.packedA, packedB: workspace.packedB, bChunkStride: bChunkStride,
                tiles: workspace.tiles, implicitB: implicitB)
            let mS = block.aSlivers, nS = block.bSlivers
            if threads == 1 {
                block.packA(0..<mS)
                block.compute(aRange: 0..<mS, bRange: 0..<nS, part: 0)
            } else {
                // A small A (the conv layers: 16–64 rows) is packed faster than a fork-join.
                if mb * kbHere < 1 << 16 {
                    block.packA(0..<mS)
                } else {
                    parallelFor(iterations: threads) { t in
                        block.packA(gemmSplit(mS, parts: threads, part: t))
                    }
                }
                var split = gemmThreadGrid(threads: threads, mSlivers: mS, nSlivers: nS)
                if split.tm == 1 {
                    // Columns only: over-decompose, so that a worker that starts late (woken
                    // slowly, or sharing its core with another process) still takes a share.
                    // Each part packs its own B slivers, so more parts cost no extra packing.
                    split.tn = max(split.tn, min(maxParts, nS / 2))
                }
                let grid = split
                parallelFor(iterations: grid.tm * grid.tn) { t in
                    block.compute(aRange: gemmSplit(mS, parts: grid.tm, part: t / grid.tn),
                                  bRange: gemmSplit(nS, parts: grid.tn, part: t % grid.tn),
                                  part: t)
                }
            }
            i0 += mb
        }
        p0 += kbHere
    }
}

/// C = β·C for the degenerate products (K = 0 or α = 0), where A and B are not read.
/// When β is 0, C is set to zero without being read.
func gemmScaleC(m: Int, n: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    for i in 0..<m {
        let row = c + i * ldc
        if beta == 0 {
            row.update(repeating: 0, count: n)
        } else if beta != 1 {
            for j in 0..<n { row[j] *= beta }
        }
    }
}
