import Dispatch
import Foundation

/// The block sizes of the fast GEMM, in the GotoBLAS/BLIS scheme.
///
/// Each level of the loop nest keeps one operand in one level of the memory hierarchy:
///
/// | block                   | size (floats)          | lives in | reused by                   |
/// |-------------------------|------------------------|----------|-----------------------------|
/// | C tile (MR×NR)          | 6×16 = 96              | registers| the kc steps of the kernel  |
/// | B sliver (KC×NR)        | 256×16 = 16 KB         | L1 (32 KB)| every A sliver of the MC block |
/// | A block (MC×KC)         | 96×256 = 96 KB         | L2 (1 MB) | every B sliver of the row |
/// | packed B (KC×N_block)   | ≤ maxPackedB           | L3 (32 MB)| every A block                |
///
/// KC is the depth of one slice: large enough to amortise loading and storing the C tile
/// (2·96 floats per 96·KC multiply-adds) and small enough that a B sliver stays in L1 while
/// the A slivers stream past it. MC keeps the A block in L2 with room for B slivers and C.
@usableFromInline
struct GEMMBlocking: Sendable {
    /// Depth of one slice of the product (the KC of the literature).
    var kc: Int
    /// A slivers per L2 block: MC = `mcSlivers`·MR rows.
    var mcSlivers: Int
    /// Depth of one packed super-block (a multiple of `kc`); bounds the packed buffers when K is huge.
    var maxK: Int
    /// Floats in the packed A of one super-block (bounds its rows).
    var maxPackedA: Int
    /// Floats in the packed B of one super-block (bounds its columns).
    var maxPackedB: Int
    /// Below this many multiply-adds (M·N·K), one thread: forking costs more than it saves.
    var minParallelWork: Int

    @usableFromInline
    static let `default` = GEMMBlocking(kc: 256, mcSlivers: 16, maxK: 2048,
                                        maxPackedA: 1 << 20, maxPackedB: 1 << 17,
                                        minParallelWork: 1 << 17)
}

/// The threads a GEMM uses by default: every online core.
@usableFromInline
let gemmDefaultThreads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

/// One super-block of the product: C[i0 ..< i0+mb, j0 ..< j0+nb] += α·op(A)·op(B) over the
/// depth p0 ..< p0+kb, with its packed buffers. A value type of raw pointers, handed to the
/// worker threads; they only read A, B and the packed buffers after packing, and each writes
/// a disjoint rectangle of C, so sharing it is safe.
struct GEMMSuperBlock: @unchecked Sendable {
    let transposeA: Bool, transposeB: Bool
    let a: UnsafePointer<Float>, lda: Int
    let b: UnsafePointer<Float>, ldb: Int
    let c: UnsafeMutablePointer<Float>, ldc: Int
    let alpha: Float
    /// β for the first slice; later slices add onto what the first wrote (β = 1).
    let beta: Float
    let i0: Int, mb: Int
    let j0: Int, nb: Int
    let p0: Int, kb: Int
    let kc: Int, mcSlivers: Int
    let packedA: UnsafeMutablePointer<Float>
    let packedB: UnsafeMutablePointer<Float>
    let tiles: UnsafeMutablePointer<Float>

    /// B slivers packed together, row by row (a 256-float run of each row of a row-major B).
    static let packGroup = 8

    /// A slivers and B slivers in this block.
    var aSlivers: Int { (mb + gemmMR - 1) / gemmMR }
    var bSlivers: Int { (nb + gemmNR - 1) / gemmNR }

    /// Packs A slivers `aRange` and B slivers `bRange`, for every KC slice of the depth.
    ///
    /// Layout: slice s (starting at depth q) begins at q·(aSlivers·MR) in `packedA` and at
    /// q·(bSlivers·NR) in `packedB`; inside it, sliver i is at i·MR·kc (resp. i·NR·kc).
    func pack(aRange: Range<Int>, bRange: Range<Int>) {
        let mPad = aSlivers * gemmMR, nPad = bSlivers * gemmNR
        var q = 0
        while q < kb {
            let kcq = min(kc, kb - q)
            for i in aRange {
                let rows = min(gemmMR, mb - i * gemmMR)
                gemmPackA(transposed: transposeA, a: a, lda: lda, i0: i0 + i * gemmMR, rows: rows,
                          p0: p0 + q, kc: kcq, dst: packedA + q * mPad + i * gemmMR * kcq)
            }
            // Full slivers a group at a time (see `gemmPackBFull`), then a ragged last one.
            let fullEnd = min(bRange.upperBound, nb / gemmNR)
            var j = bRange.lowerBound
            while j < fullEnd {
                let count = min(GEMMSuperBlock.packGroup, fullEnd - j)
                gemmPackBFull(transposed: transposeB, b: b, ldb: ldb, p0: p0 + q, kc: kcq,
                              j0: j0 + j * gemmNR, count: count, dst: packedB + q * nPad + j * gemmNR * kcq)
                j += count
            }
            for j in max(fullEnd, bRange.lowerBound)..<bRange.upperBound {
                let cols = min(gemmNR, nb - j * gemmNR)
                gemmPackB(transposed: transposeB, b: b, ldb: ldb, p0: p0 + q, kc: kcq,
                          j0: j0 + j * gemmNR, cols: cols, dst: packedB + q * nPad + j * gemmNR * kcq)
            }
            q += kcq
        }
    }

    /// Computes the tiles of C for A slivers `aRange` × B slivers `bRange`, from packed data.
    ///
    /// Loop order (outer to inner): KC slice → MC block of A slivers → B sliver → A sliver. The
    /// B sliver (KC×16) stays in L1 across the inner loop; the MC block of A stays in L2 across
    /// the loop over B slivers.
    func compute(aRange: Range<Int>, bRange: Range<Int>, thread: Int) {
        let mPad = aSlivers * gemmMR, nPad = bSlivers * gemmNR
        let scratch = tiles + thread * GEMMWorkspace.tileStride
        var q = 0
        while q < kb {
            let kcq = min(kc, kb - q)
            let betaQ: Float = q == 0 ? beta : 1
            let sliceA = packedA + q * mPad, sliceB = packedB + q * nPad
            var ic = aRange.lowerBound
            while ic < aRange.upperBound {
                let icEnd = min(ic + mcSlivers, aRange.upperBound)
                for j in bRange {
                    let bSliver = sliceB + j * gemmNR * kcq
                    let col = j * gemmNR
                    let nr = min(gemmNR, nb - col)
                    for i in ic..<icEnd {
                        let row = i * gemmMR
                        let mr = min(gemmMR, mb - row)
                        if mr > 4 {
                            gemmMicroKernel6x16(kc: kcq, a: sliceA + i * gemmMR * kcq, b: bSliver, tile: scratch)
                        } else {
                            gemmMicroKernel4x16(kc: kcq, a: sliceA + i * gemmMR * kcq, b: bSliver, tile: scratch)
                        }
                        gemmStoreTile(scratch, mr: mr, nr: nr,
                                      c: c + (i0 + row) * ldc + j0 + col, ldc: ldc,
                                      alpha: alpha, beta: betaQ)
                    }
                }
                ic = icEnd
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
/// the largest rectangle (the critical path). Ties go to splitting columns (more tn), which keeps
/// each thread on whole rows of packed B slivers.
func gemmThreadGrid(threads: Int, mSlivers: Int, nSlivers: Int) -> (tm: Int, tn: Int) {
    var best = (tm: 1, tn: threads)
    var bestCost = Int.max
    for tm in 1...threads where threads % tm == 0 {
        let tn = threads / tm
        if tm > mSlivers || tn > nSlivers { continue }
        let cost = ((mSlivers + tm - 1) / tm) * ((nSlivers + tn - 1) / tn)
        if cost < bestCost || (cost == bestCost && tn > best.tn) {
            best = (tm, tn)
            bestCost = cost
        }
    }
    if bestCost == Int.max { best = mSlivers >= nSlivers ? (threads, 1) : (1, threads) }
    return best
}

/// The fast GEMM: blocked, packed, register-tiled and threaded. See `gemm` for the contract.
///
/// For each super-block of C (at most `maxPackedA` floats of A and `maxPackedB` of B, packed at
/// once) and each depth range of at most `maxK`:
/// 1. all threads pack their share of the A and B slivers into the shared workspace;
/// 2. all threads compute their own rectangle of C tiles from the packed data.
/// Two fork-joins per super-block, and none per slice or tile. Each element of C is computed by
/// one thread with the same order of additions whatever the thread count, so the result does not
/// depend on `threads`.
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
    blocking: GEMMBlocking
) {
    precondition(blocking.kc > 0 && blocking.mcSlivers > 0 && blocking.maxK >= blocking.kc,
                 "gemm: invalid blocking \(blocking)")
    let kb = min(k, blocking.maxK / blocking.kc * blocking.kc)
    let mbMax = max(gemmMR, blocking.maxPackedA / kb / gemmMR * gemmMR)
    let nbMax = max(gemmNR, blocking.maxPackedB / kb / gemmNR * gemmNR)
    let threads = m * n * k < blocking.minParallelWork ? 1 : max(1, requestedThreads)

    let pool = GEMMWorkspacePool.shared
    let workspace = pool.take()
    defer { pool.giveBack(workspace) }
    workspace.reserve(a: min(mbMax, (m + gemmMR - 1) / gemmMR * gemmMR) * kb,
                      b: min(nbMax, (n + gemmNR - 1) / gemmNR * gemmNR) * kb,
                      threads: threads)

    var p0 = 0
    while p0 < k {
        let kbHere = min(kb, k - p0)
        var i0 = 0
        while i0 < m {
            let mb = min(mbMax, m - i0)
            var j0 = 0
            while j0 < n {
                let nb = min(nbMax, n - j0)
                let block = GEMMSuperBlock(
                    transposeA: transposeA, transposeB: transposeB,
                    a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
                    alpha: alpha, beta: p0 == 0 ? beta : 1,
                    i0: i0, mb: mb, j0: j0, nb: nb, p0: p0, kb: kbHere,
                    kc: blocking.kc, mcSlivers: blocking.mcSlivers,
                    packedA: workspace.packedA, packedB: workspace.packedB, tiles: workspace.tiles)
                let mS = block.aSlivers, nS = block.bSlivers
                if threads == 1 {
                    block.pack(aRange: 0..<mS, bRange: 0..<nS)
                    block.compute(aRange: 0..<mS, bRange: 0..<nS, thread: 0)
                } else {
                    DispatchQueue.concurrentPerform(iterations: threads) { t in
                        block.pack(aRange: gemmSplit(mS, parts: threads, part: t),
                                   bRange: gemmSplit(nS, parts: threads, part: t))
                    }
                    let grid = gemmThreadGrid(threads: threads, mSlivers: mS, nSlivers: nS)
                    DispatchQueue.concurrentPerform(iterations: grid.tm * grid.tn) { t in
                        block.compute(aRange: gemmSplit(mS, parts: grid.tm, part: t / grid.tn),
                                      bRange: gemmSplit(nS, parts: grid.tn, part: t % grid.tn),
                                      thread: t)
                    }
                }
                j0 += nb
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
