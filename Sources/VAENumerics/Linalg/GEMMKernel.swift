/// The register-blocked micro-kernel of the fast GEMM: one MR×NR = 6×16 tile of C.
///
/// ## Why 6×16
/// The CPU (compiled for x86-64-v3: AVX2 + FMA) has 16 ymm registers of 8 floats and two FMA
/// pipes, each with a latency of about 4 cycles. To keep both pipes busy, at least 2·4 = 8
/// independent accumulators must be in flight. A 6×16 tile of C is 6 rows × 2 ymm = 12
/// accumulators; with the two ymm of one row of the B panel and one broadcast element of A, that
/// is 15 of the 16 registers, and nothing spills.
///
/// Per step p of the k loop the kernel loads 2 vectors of B and broadcasts 6 scalars of A
/// (8 loads), and issues 12 FMAs = 192 flops. Loads are cheaper than FMAs on this core (2–3 per
/// cycle), so the kernel is bound by the FMA pipes, not by memory: that is the point of register
/// blocking. A 1×8 "vectorised dot" would do 1 FMA per 2 loads and run at a fraction of the peak.
///
/// ## Why packed operands
/// The kernel reads A and B from *packed* panels (see `GEMMPacking.swift`): A as MR-row slivers
/// stored column by column (`a[p·MR + r]`), B as NR-column slivers stored row by row
/// (`b[p·NR + j]`). Both are then read strictly sequentially, with unit stride, from a buffer
/// aligned to 64 bytes, whatever the transposes and leading dimensions of the caller; so there is
/// one kernel, and the hardware prefetcher sees two simple streams.

/// The shape of the register tile of C that one micro-kernel call computes, and with it the
/// shapes of the packed slivers (MR rows of A, NR columns of B).
@usableFromInline
enum GEMMMicroTile: Sendable, CaseIterable {
    /// 6×16 on 16 ymm registers (AVX2 + FMA): `gemmMicroKernel6x16`, this file.
    case ymm6x16
    /// 8×32 on 32 zmm registers (AVX-512): `gemmMicroKernel8x32`, `GEMMKernel8x32.swift`.
    case zmm8x32

    /// Rows of C per call: the elements of A broadcast at each step p.
    @usableFromInline var mr: Int { self == .ymm6x16 ? 6 : 8 }
    /// Columns of C per call: the floats of one row of a B sliver.
    @usableFromInline var nr: Int { self == .ymm6x16 ? 16 : 32 }

    /// The tile this build was compiled for: 8×32 when the package was built for AVX-512
    /// (`Package.swift` defines `VAE_AVX512` on a machine that has it), else 6×16. Both give
    /// the same bits (see `gemmStoreTile`); only their speed differs.
    @usableFromInline static let native: GEMMMicroTile = {
        #if VAE_AVX512
        return .zmm8x32
        #else
        return .ymm6x16
        #endif
    }()
}

/// The micro-kernel this build's `gemm` uses, in words: what chapter 1 prints beside its timings.
public var gemmMicroKernelSummary: String {
    switch GEMMMicroTile.native {
    case .ymm6x16: "6×16 tile of C in 12 of AVX2's 16 ymm registers (8 floats each)"
    case .zmm8x32: "8×32 tile of C in 16 of AVX-512's 32 zmm registers (16 floats each)"
    }
}

/// Computes the 6×16 tile acc = Σₚ a[p·6 + r] · b[p·16 + j] over `kc` steps and stores it,
/// row-major, to `tile` (96 floats, 32-byte aligned).
///
/// The kernel only multiplies; scaling by α and β and the copy into C (full or partial tile)
/// happen in `gemmStoreTile`. Keeping α, β and the C pointer out of this function leaves all 16
/// ymm registers to the loop: when they were live across it, the compiler kept one of them in a
/// register and spilled two accumulators to the stack on every step (a few percent slower).
/// `@inline(never)` keeps that register allocation independent of the caller.
///
/// - Parameters:
///   - kc: the depth of this slice of the product (the KC block).
///   - a: a packed A sliver, `kc` columns of 6 floats (zero-padded past the last row of A).
///   - b: a packed B sliver, `kc` rows of 16 floats (zero-padded past the last column of B),
///     32-byte aligned.
/// - Complexity: 96·`kc` multiply-adds.
@inline(never)
@usableFromInline
func gemmMicroKernel6x16(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                         tile: UnsafeMutablePointer<Float>) {
    var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
    var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
    var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
    var c40 = SIMD8<Float>(), c41 = SIMD8<Float>()
    var c50 = SIMD8<Float>(), c51 = SIMD8<Float>()

    /// One step p: a rank-1 update of the 6×16 accumulator tile by column p of the A sliver
    /// (six scalars, each broadcast to 8 lanes) and row p of the B sliver (two registers).
    @inline(__always)
    func step(_ pa: UnsafePointer<Float>, _ pb: UnsafeRawPointer) {
        let b0 = pb.load(as: SIMD8<Float>.self)
        let b1 = pb.load(fromByteOffset: 32, as: SIMD8<Float>.self)
        var ar = SIMD8<Float>(repeating: pa[0])
        c00.addProduct(ar, b0); c01.addProduct(ar, b1)
        ar = SIMD8<Float>(repeating: pa[1])
        c10.addProduct(ar, b0); c11.addProduct(ar, b1)
        ar = SIMD8<Float>(repeating: pa[2])
        c20.addProduct(ar, b0); c21.addProduct(ar, b1)
        ar = SIMD8<Float>(repeating: pa[3])
        c30.addProduct(ar, b0); c31.addProduct(ar, b1)
        ar = SIMD8<Float>(repeating: pa[4])
        c40.addProduct(ar, b0); c41.addProduct(ar, b1)
        ar = SIMD8<Float>(repeating: pa[5])
        c50.addProduct(ar, b0); c51.addProduct(ar, b1)
    }

    var pa = a
    var pb = UnsafeRawPointer(b)
    // Unrolled by 4: fewer loop instructions per FMA, and the compiler no longer shuffles the
    // accumulators between registers at the loop edge (measured at 512³ on one core: about
    // 76 → 99 GFLOP/s).
    var p = 0
    while p + 4 <= kc {
        step(pa, pb)
        step(pa + 6, pb + 64)
        step(pa + 12, pb + 128)
        step(pa + 18, pb + 192)
        pa += 24
        pb += 256
        p += 4
    }
    while p < kc {
        step(pa, pb)
        pa += 6
        pb += 64
        p += 1
    }

    let t = UnsafeMutableRawPointer(tile)
    t.storeBytes(of: c00, toByteOffset: 0, as: SIMD8<Float>.self)
    t.storeBytes(of: c01, toByteOffset: 32, as: SIMD8<Float>.self)
    t.storeBytes(of: c10, toByteOffset: 64, as: SIMD8<Float>.self)
    t.storeBytes(of: c11, toByteOffset: 96, as: SIMD8<Float>.self)
    t.storeBytes(of: c20, toByteOffset: 128, as: SIMD8<Float>.self)
    t.storeBytes(of: c21, toByteOffset: 160, as: SIMD8<Float>.self)
    t.storeBytes(of: c30, toByteOffset: 192, as: SIMD8<Float>.self)
    t.storeBytes(of: c31, toByteOffset: 224, as: SIMD8<Float>.self)
    t.storeBytes(of: c40, toByteOffset: 256, as: SIMD8<Float>.self)
    t.storeBytes(of: c41, toByteOffset: 288, as: SIMD8<Float>.self)
    t.storeBytes(of: c50, toByteOffset: 320, as: SIMD8<Float>.self)
    t.storeBytes(of: c51, toByteOffset: 352, as: SIMD8<Float>.self)
}

/// The same product for a sliver with at most 4 real rows (the last sliver of A when M is not a
/// multiple of 6): rows 0–3 of the 6×16 tile, 8 accumulators, so the FMAs on the padding rows
/// 4 and 5 are skipped. Eight accumulators still cover the FMA latency (2 pipes × 4 cycles).
/// The conv layers of the VAE have M = 16, 32 or 64 channels, all 4 mod 6 or 2 mod 6, so the
/// edge sliver is 1 in 3 to 1 in 11 of all kernel calls there. Rows 4 and 5 of `tile` are not written.
///
/// - Complexity: 64·`kc` multiply-adds.
@inline(never)
@usableFromInline
func gemmMicroKernel4x16(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                         tile: UnsafeMutablePointer<Float>) {
    var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
    var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
    var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()

    @inline(__always)
    func step(_ pa: UnsafePointer<Float>, _ pb: UnsafeRawPointer) {
        let b0 = pb.load(as: SIMD8<Float>.self)
        let b1 = pb.load(fromByteOffset: 32, as: SIMD8<Float>.self)
        var ar = SIMD8<Float>(repeating: pa[0])
        c00.addProduct(ar, b0); c01.addProduct(ar, b1)
        ar = SIMD8<Float>(repeating: pa[1])
        c10.addProduct(ar, b0); c11.addProduct(ar, b1)
        ar = SIMD8<Float>(repeating: pa[2])
        c20.addProduct(ar, b0); c21.addProduct(ar, b1)
        ar = SIMD8<Float>(repeating: pa[3])
        c30.addProduct(ar, b0); c31.addProduct(ar, b1)
    }

    var pa = a
    var pb = UnsafeRawPointer(b)
    var p = 0
    while p + 4 <= kc {
        step(pa, pb)
        step(pa + 6, pb + 64)
        step(pa + 12, pb + 128)
        step(pa + 18, pb + 192)
        pa += 24
        pb += 256
        p += 4
    }
    while p < kc {
        step(pa, pb)
        pa += 6
        pb += 64
        p += 1
    }

    let t = UnsafeMutableRawPointer(tile)
    t.storeBytes(of: c00, toByteOffset: 0, as: SIMD8<Float>.self)
    t.storeBytes(of: c01, toByteOffset: 32, as: SIMD8<Float>.self)
    t.storeBytes(of: c10, toByteOffset: 64, as: SIMD8<Float>.self)
    t.storeBytes(of: c11, toByteOffset: 96, as: SIMD8<Float>.self)
    t.storeBytes(of: c20, toByteOffset: 128, as: SIMD8<Float>.self)
    t.storeBytes(of: c21, toByteOffset: 160, as: SIMD8<Float>.self)
    t.storeBytes(of: c30, toByteOffset: 192, as: SIMD8<Float>.self)
    t.storeBytes(of: c31, toByteOffset: 224, as: SIMD8<Float>.self)
}

/// Writes the top-left `mr`×`nr` corner of a micro-kernel's `tile` (rows of `width` floats: 16
/// for the 6×16 kernel, 32 for the 8×32 one) into C: C = α·tile + β·C, or C = α·tile when β is 0
/// (then C is never read, so it may hold NaN).
///
/// Every element goes through the same two roundings whether its tile is full or an edge one,
/// and whatever the tile's shape: t = α·acc, then C = t + β·C as one fused multiply-add. So the
/// product does not depend on which micro-kernel computed it (the kernels' sums are the same
/// chains of FMAs too), and builds with and without AVX-512 agree bit for bit.
///
/// A full tile moves whole vectors a row; an edge tile, element by element.
@inline(__always)
@usableFromInline
func gemmStoreTile(_ tile: UnsafePointer<Float>, width: Int, mr: Int, nr: Int,
                   c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float) {
    if nr == width {
        let t = UnsafeRawPointer(tile)
        for r in 0..<mr {
            let row = UnsafeMutableRawPointer(c + r * ldc)
            var offset = 0
            while offset < 4 * width {
                let scaled = alpha * t.load(fromByteOffset: r * 4 * width + offset, as: SIMD8<Float>.self)
                if beta == 0 {
                    row.storeBytes(of: scaled, toByteOffset: offset, as: SIMD8<Float>.self)
                } else {
                    let old = UnsafeRawPointer(row).loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                    row.storeBytes(of: scaled.addingProduct(beta, old), toByteOffset: offset, as: SIMD8<Float>.self)
                }
                offset += 32
            }
        }
    } else {
        for r in 0..<mr {
            let row = c + r * ldc
            let acc = tile + r * width
            if beta == 0 {
                for j in 0..<nr { row[j] = alpha * acc[j] }
            } else {
                for j in 0..<nr { row[j] = (alpha * acc[j]).addingProduct(beta, row[j]) }
            }
        }
    }
}
