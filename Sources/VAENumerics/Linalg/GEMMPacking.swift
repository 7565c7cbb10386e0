/// Packing: copying blocks of op(A) and op(B) into the order the micro-kernel reads them.
///
/// ## Why pack
/// The micro-kernel wants, at every step p, MR consecutive elements of a column of op(A) and NR
/// consecutive elements of a row of op(B) (6 and 16, or 8 and 32 for the AVX-512 kernel). In the caller's memory these are strided: a column of
/// a row-major A is `lda` floats apart, and with `transposeB` a row of op(B) is `ldb` floats apart.
/// Strided reads waste cache lines and TLB entries, and every KC×NR sliver of B is reused by
/// all MC/MR slivers of A (and each MC×KC block of A by all NC/NR slivers of B). So each block is
/// copied once into a contiguous, 64-byte-aligned buffer, in exactly the order of use:
///
/// - A sliver (MR rows × kc): `packed[p·MR + r] = op(A)[i₀ + r, p₀ + p]`
/// - B sliver (kc × NR cols): `packed[p·NR + j] = op(B)[p₀ + p, j₀ + j]`
///
/// The copy costs O(M·K + K·N) against the O(M·N·K) of the product. Packing is also where the
/// transposes are absorbed (the kernel never knows about them) and where ragged edges are padded
/// with zeros to full MR or NR, so the kernel never needs a bounds check in its k loop.

/// Packs one A sliver: rows `i0 ..< i0 + rows` (rows ≤ 6) and columns `p0 ..< p0 + kc` of
/// op(A), into `dst` as `kc` groups of 6 floats; rows past `rows` are zero.
///
/// - Complexity: 6·`kc` copies.
@inline(__always)
@usableFromInline
func gemmPackA(transposed: Bool, a: UnsafePointer<Float>, lda: Int,
               i0: Int, rows: Int, p0: Int, kc: Int, dst: UnsafeMutablePointer<Float>) {
    if transposed {
        // A is stored K×M: a column of op(A) is a row in memory, so 6 consecutive floats.
        if rows == 6 {
            var src = a + p0 * lda + i0
            var d = dst
            for _ in 0..<kc {
                d[0] = src[0]; d[1] = src[1]; d[2] = src[2]
                d[3] = src[3]; d[4] = src[4]; d[5] = src[5]
                src += lda
                d += 6
            }
        } else {
            for p in 0..<kc {
                let src = a + (p0 + p) * lda + i0
                let d = dst + p * 6
                for r in 0..<6 { d[r] = r < rows ? src[r] : 0 }
            }
        }
    } else {
        // A is stored M×K: walk the `rows` rows side by side, interleaving them.
        if rows == 6 {
            let r0 = a + i0 * lda + p0
            let r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda
            var d = dst
            var p = 0
            // Eight columns at a time: one vector load per row instead of eight scalar ones.
            while p + 8 <= kc {
                let v0 = UnsafeRawPointer(r0 + p).loadUnaligned(as: SIMD8<Float>.self)
                let v1 = UnsafeRawPointer(r1 + p).loadUnaligned(as: SIMD8<Float>.self)
                let v2 = UnsafeRawPointer(r2 + p).loadUnaligned(as: SIMD8<Float>.self)
                let v3 = UnsafeRawPointer(r3 + p).loadUnaligned(as: SIMD8<Float>.self)
                let v4 = UnsafeRawPointer(r4 + p).loadUnaligned(as: SIMD8<Float>.self)
                let v5 = UnsafeRawPointer(r5 + p).loadUnaligned(as: SIMD8<Float>.self)
                for q in 0..<8 {
                    d[0] = v0[q]; d[1] = v1[q]; d[2] = v2[q]
                    d[3] = v3[q]; d[4] = v4[q]; d[5] = v5[q]
                    d += 6
                }
                p += 8
            }
            while p < kc {
                d[0] = r0[p]; d[1] = r1[p]; d[2] = r2[p]
                d[3] = r3[p]; d[4] = r4[p]; d[5] = r5[p]
                d += 6
                p += 1
            }
        } else {
            for p in 0..<kc {
                let d = dst + p * 6
                for r in 0..<6 { d[r] = r < rows ? a[(i0 + r) * lda + p0 + p] : 0 }
            }
        }
    }
}

/// Packs one B sliver: rows `p0 ..< p0 + kc` and columns `j0 ..< j0 + cols` (cols ≤ `width`) of
/// op(B), into `dst` as `kc` groups of `width` floats (the micro-kernel's NR: 16 or 32, a
/// multiple of 8); columns past `cols` are zero.
///
/// - Complexity: `width`·`kc` copies.
@inline(__always)
@usableFromInline
func gemmPackB(transposed: Bool, b: UnsafePointer<Float>, ldb: Int,
               p0: Int, kc: Int, j0: Int, cols: Int, width: Int, dst: UnsafeMutablePointer<Float>) {
    guard cols == width else {
        if transposed {
            gemmPackBTransposedPartial(b: b, ldb: ldb, p0: p0, kc: kc, j0: j0, cols: cols, width: width, dst: dst)
        } else {
            for p in 0..<kc {
                let src = b + (p0 + p) * ldb + j0
                let d = dst + p * width
                for j in 0..<width { d[j] = j < cols ? src[j] : 0 }
            }
        }
        return
    }
    if transposed {
        // B is stored N×K: a row of op(B) is a column in memory. The `width` rows of memory of the
        // sliver are transposed 8×8 tile by tile (8 steps of p at a time): rows j0 + 8q ..< j0 + 8q + 8
        // give columns 8q ..< 8q + 8 of the packed rows.
        let base = b + j0 * ldb + p0
        var p = 0
        while p + 8 <= kc {
            for q in 0..<(width / 8) {
                transposeTile8x8(base + q * 8 * ldb + p, ldb, dst + p * width + q * 8, width, bias: SIMD8(repeating: -0.0))
            }
            p += 8
        }
        while p < kc {
            let d = dst + p * width
            for j in 0..<width { d[j] = base[j * ldb + p] }
            p += 1
        }
    } else {
        // B is stored K×N: each row of the sliver is `width` consecutive floats in memory.
        var src = UnsafeRawPointer(b + p0 * ldb + j0)
        let stride = ldb * MemoryLayout<Float>.stride
        var d = UnsafeMutableRawPointer(dst)
        for _ in 0..<kc {
            var o = 0
            while o < 4 * width {
                d.storeBytes(of: src.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self), toByteOffset: o, as: SIMD8<Float>.self)
                o += 32
            }
            src += stride
            d += 4 * width
        }
    }
}

/// Packs `count` consecutive full B slivers (columns `j0 ..< j0 + width·count` of op(B), rows
/// `p0 ..< p0 + kc`) into `dst`, sliver s at `dst + s·width·kc`.
///
/// For a row-major B this walks each row of the block once, left to right: the reads are long
/// contiguous runs that the hardware prefetcher follows, instead of 64- or 128-byte pieces `ldb`
/// apart (one per row of each sliver, a new page each time for a wide B). A transposed B is
/// packed sliver by sliver.
@inline(__always)
@usableFromInline
func gemmPackBFull(transposed: Bool, b: UnsafePointer<Float>, ldb: Int,
                   p0: Int, kc: Int, j0: Int, count: Int, width: Int, dst: UnsafeMutablePointer<Float>) {
    if transposed {
        for s in 0..<count {
            gemmPackB(transposed: true, b: b, ldb: ldb, p0: p0, kc: kc, j0: j0 + width * s, cols: width, width: width,
                      dst: dst + s * width * kc)
        }
        return
    }
    let sliverBytes = width * kc * MemoryLayout<Float>.stride
    for p in 0..<kc {
        let src = UnsafeRawPointer(b + (p0 + p) * ldb + j0)
        var d = UnsafeMutableRawPointer(dst + p * width)
        var offset = 0
        for _ in 0..<count {
            var o = 0
            while o < 4 * width {
                d.storeBytes(of: src.loadUnaligned(fromByteOffset: offset + o, as: SIMD8<Float>.self),
                             toByteOffset: o, as: SIMD8<Float>.self)
                o += 32
            }
            offset += 4 * width
            d += sliverBytes
        }
    }
}

/// Packs a ragged last sliver of a transposed B (B stored N×K, `cols` < `width` columns of op(B)):
/// whole groups of 8 columns by 8×8 transposes, like a full sliver, the last `cols % 8` element
/// by element, and zeros past `cols`. (A weight gradient with C·kh·kw = 16 columns is all ragged
/// sliver under the 8×32 tile: packing it one element at a time took longer than the product.)
/// - Complexity: `width`·`kc` stores.
@inline(__always)
@usableFromInline
func gemmPackBTransposedPartial(b: UnsafePointer<Float>, ldb: Int, p0: Int, kc: Int, j0: Int, cols: Int,
                                width: Int, dst: UnsafeMutablePointer<Float>) {
    let groups = cols / 8
    for g in 0..<groups {
        let source = b + (j0 + 8 * g) * ldb + p0
        var p = 0
        while p + 8 <= kc {
            transposeTile8x8(source + p, ldb, dst + p * width + 8 * g, width, bias: SIMD8(repeating: -0.0))
            p += 8
        }
        while p < kc {
            for j in 0..<8 { dst[p * width + 8 * g + j] = source[j * ldb + p] }
            p += 1
        }
    }
    for p in 0..<kc {
        let d = dst + p * width
        for j in (8 * groups)..<width { d[j] = j < cols ? b[(j0 + j) * ldb + p0 + p] : 0 }
    }
}
