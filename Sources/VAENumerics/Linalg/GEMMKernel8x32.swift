/// The AVX-512 micro-kernel of the fast GEMM: one MR×NR = 8×32 tile of C, and its packing.
///
/// ## Why 8×32 on AVX-512
/// With AVX-512 the CPU has 32 zmm registers of 16 floats and two 512-bit FMA pipes (Zen 4 splits
/// each into two 256-bit halves, Zen 5 and Intel's server cores do them whole). An 8×32 tile is
/// 8 rows × 2 zmm = 16 accumulators: twice the 2 pipes × 4 cycles of latency, so the pipes never
/// wait, and with the two zmm of a B row 18 registers are live, far from spilling. Each step p
/// loads 2 vectors of B and broadcasts 8 scalars of A straight from memory into the FMAs
/// (`vfmadd231ps (mem){1to16}`): 16 FMAs of 16 lanes, 512 flops, per 10 loads. Like the 6×16
/// kernel it is bound by the FMA pipes, not by the loads, but each FMA does twice the work.
///
/// MR = 8 divides every channel count of the course's networks (16, 32, 64, 512) and its batch
/// sizes, so no FMA is spent on padding rows; NR = 32 keeps a KC×NR sliver of B, 256 × 32 floats =
/// 32 KB, inside a 48 KB L1.
///
/// ## Same bits as the 6×16 kernel
/// Each element of C is the same chain of FMAs over p in both kernels, sliced at the same KC and
/// stored by the same `gemmStoreTile`; only which elements share a tile differs. So a build with
/// AVX-512 and one without compute bit-identical products (the tests check it on any machine:
/// without AVX-512 this kernel still runs, on pairs of 256-bit registers, only slower).

/// Computes the 8×32 tile acc = Σₚ a[p·8 + r] · b[p·32 + j] over `kc` steps and stores it,
/// row-major, to `tile` (256 floats, 64-byte aligned). See `gemmMicroKernel6x16` for why the
/// kernel only multiplies and is `@inline(never)`.
/// - Complexity: 256·`kc` multiply-adds.
@inline(never)
@usableFromInline
func gemmMicroKernel8x32(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                         tile: UnsafeMutablePointer<Float>) {
    var c00 = SIMD16<Float>(), c01 = SIMD16<Float>()
    var c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
    var c20 = SIMD16<Float>(), c21 = SIMD16<Float>()
    var c30 = SIMD16<Float>(), c31 = SIMD16<Float>()
    var c40 = SIMD16<Float>(), c41 = SIMD16<Float>()
    var c50 = SIMD16<Float>(), c51 = SIMD16<Float>()
    var c60 = SIMD16<Float>(), c61 = SIMD16<Float>()
    var c70 = SIMD16<Float>(), c71 = SIMD16<Float>()

    /// One step p: the rank-1 update of the 8×32 tile by column p of the A sliver (eight
    /// broadcast scalars) and row p of the B sliver (two registers).
    @inline(__always)
    func step(_ pa: UnsafePointer<Float>, _ pb: UnsafeRawPointer) {
        let b0 = pb.load(as: SIMD16<Float>.self)
        let b1 = pb.load(fromByteOffset: 64, as: SIMD16<Float>.self)
        var ar = SIMD16<Float>(repeating: pa[0])
        c00.addProduct(ar, b0); c01.addProduct(ar, b1)
        ar = SIMD16<Float>(repeating: pa[1])
        c10.addProduct(ar, b0); c11.addProduct(ar, b1)
        ar = SIMD16<Float>(repeating: pa[2])
        c20.addProduct(ar, b0); c21.addProduct(ar, b1)
        ar = SIMD16<Float>(repeating: pa[3])
        c30.addProduct(ar, b0); c31.addProduct(ar, b1)
        ar = SIMD16<Float>(repeating: pa[4])
        c40.addProduct(ar, b0); c41.addProduct(ar, b1)
        ar = SIMD16<Float>(repeating: pa[5])
        c50.addProduct(ar, b0); c51.addProduct(ar, b1)
        ar = SIMD16<Float>(repeating: pa[6])
        c60.addProduct(ar, b0); c61.addProduct(ar, b1)
        ar = SIMD16<Float>(repeating: pa[7])
        c70.addProduct(ar, b0); c71.addProduct(ar, b1)
    }

    var pa = a
    var pb = UnsafeRawPointer(b)
    var p = 0
    while p + 4 <= kc {
        step(pa, pb)
        step(pa + 8, pb + 128)
        step(pa + 16, pb + 256)
        step(pa + 24, pb + 384)
        pa += 32
        pb += 512
        p += 4
    }
    while p < kc {
        step(pa, pb)
        pa += 8
        pb += 128
        p += 1
    }

    let t = UnsafeMutableRawPointer(tile)
    t.storeBytes(of: c00, toByteOffset: 0, as: SIMD16<Float>.self)
    t.storeBytes(of: c01, toByteOffset: 64, as: SIMD16<Float>.self)
    t.storeBytes(of: c10, toByteOffset: 128, as: SIMD16<Float>.self)
    t.storeBytes(of: c11, toByteOffset: 192, as: SIMD16<Float>.self)
    t.storeBytes(of: c20, toByteOffset: 256, as: SIMD16<Float>.self)
    t.storeBytes(of: c21, toByteOffset: 320, as: SIMD16<Float>.self)
    t.storeBytes(of: c30, toByteOffset: 384, as: SIMD16<Float>.self)
    t.storeBytes(of: c31, toByteOffset: 448, as: SIMD16<Float>.self)
    t.storeBytes(of: c40, toByteOffset: 512, as: SIMD16<Float>.self)
    t.storeBytes(of: c41, toByteOffset: 576, as: SIMD16<Float>.self)
    t.storeBytes(of: c50, toByteOffset: 640, as: SIMD16<Float>.self)
    t.storeBytes(of: c51, toByteOffset: 704, as: SIMD16<Float>.self)
    t.storeBytes(of: c60, toByteOffset: 768, as: SIMD16<Float>.self)
    t.storeBytes(of: c61, toByteOffset: 832, as: SIMD16<Float>.self)
    t.storeBytes(of: c70, toByteOffset: 896, as: SIMD16<Float>.self)
    t.storeBytes(of: c71, toByteOffset: 960, as: SIMD16<Float>.self)
}

/// The same product for a sliver with at most 4 real rows (the last sliver of A when M is not a
/// multiple of 8, e.g. a 20-dimensional code): rows 0–3 of the 8×32 tile, 8 accumulators.
/// Rows 4–7 of `tile` are not written.
/// - Complexity: 128·`kc` multiply-adds.
@inline(never)
@usableFromInline
func gemmMicroKernel4x32(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                         tile: UnsafeMutablePointer<Float>) {
    var c00 = SIMD16<Float>(), c01 = SIMD16<Float>()
    var c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
    var c20 = SIMD16<Float>(), c21 = SIMD16<Float>()
    var c30 = SIMD16<Float>(), c31 = SIMD16<Float>()

    @inline(__always)
    func step(_ pa: UnsafePointer<Float>, _ pb: UnsafeRawPointer) {
        let b0 = pb.load(as: SIMD16<Float>.self)
        let b1 = pb.load(fromByteOffset: 64, as: SIMD16<Float>.self)
        var ar = SIMD16<Float>(repeating: pa[0])
        c00.addProduct(ar, b0); c01.addProduct(ar, b1)
        ar = SIMD16<Float>(repeating: pa[1])
        c10.addProduct(ar, b0); c11.addProduct(ar, b1)
        ar = SIMD16<Float>(repeating: pa[2])
        c20.addProduct(ar, b0); c21.addProduct(ar, b1)
        ar = SIMD16<Float>(repeating: pa[3])
        c30.addProduct(ar, b0); c31.addProduct(ar, b1)
    }

    var pa = a
    var pb = UnsafeRawPointer(b)
    var p = 0
    while p + 4 <= kc {
        step(pa, pb)
        step(pa + 8, pb + 128)
        step(pa + 16, pb + 256)
        step(pa + 24, pb + 384)
        pa += 32
        pb += 512
        p += 4
    }
    while p < kc {
        step(pa, pb)
        pa += 8
        pb += 128
        p += 1
    }

    let t = UnsafeMutableRawPointer(tile)
    t.storeBytes(of: c00, toByteOffset: 0, as: SIMD16<Float>.self)
    t.storeBytes(of: c01, toByteOffset: 64, as: SIMD16<Float>.self)
    t.storeBytes(of: c10, toByteOffset: 128, as: SIMD16<Float>.self)
    t.storeBytes(of: c11, toByteOffset: 192, as: SIMD16<Float>.self)
    t.storeBytes(of: c20, toByteOffset: 256, as: SIMD16<Float>.self)
    t.storeBytes(of: c21, toByteOffset: 320, as: SIMD16<Float>.self)
    t.storeBytes(of: c30, toByteOffset: 384, as: SIMD16<Float>.self)
    t.storeBytes(of: c31, toByteOffset: 448, as: SIMD16<Float>.self)
}

// MARK: Packing A for the 8×32 tile (see `GEMMPacking.swift` for the layout and why; B slivers
// of either width are packed there)

/// Packs one 8-row A sliver: rows `i0 ..< i0 + rows` (rows ≤ 8) and columns `p0 ..< p0 + kc` of
/// op(A), into `dst` as `kc` groups of 8 floats; rows past `rows` are zero.
/// - Complexity: 8·`kc` copies.
@inline(__always)
@usableFromInline
func gemmPackA8(transposed: Bool, a: UnsafePointer<Float>, lda: Int,
                i0: Int, rows: Int, p0: Int, kc: Int, dst: UnsafeMutablePointer<Float>) {
    if transposed {
        // A is stored K×M: the 8 floats of a column of op(A) are consecutive in memory.
        if rows == 8 {
            var src = a + p0 * lda + i0
            var d = dst
            for _ in 0..<kc {
                store8(load8(src), d)
                src += lda
                d += 8
            }
        } else {
            for p in 0..<kc {
                let src = a + (p0 + p) * lda + i0
                let d = dst + p * 8
                for r in 0..<8 { d[r] = r < rows ? src[r] : 0 }
            }
        }
    } else if rows == 8 {
        // A is stored M×K: the 8 rows of the sliver, 8 columns at a time, transposed in registers.
        let src = a + i0 * lda + p0
        var p = 0
        while p + 8 <= kc {
            transposeTile8x8(src + p, lda, dst + p * 8, 8, bias: SIMD8(repeating: -0.0))
            p += 8
        }
        while p < kc {
            let d = dst + p * 8
            for r in 0..<8 { d[r] = src[r * lda + p] }
            p += 1
        }
    } else {
        for p in 0..<kc {
            let d = dst + p * 8
            for r in 0..<8 { d[r] = r < rows ? a[(i0 + r) * lda + p0 + p] : 0 }
        }
    }
}
