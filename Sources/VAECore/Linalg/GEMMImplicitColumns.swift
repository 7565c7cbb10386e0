/// Implicit im2col: the GEMM's B operand read straight from a batch-minor image instead of from
/// a materialised im2col matrix ("implicit GEMM" convolution).
///
/// The convolutions multiply by the batch-minor im2col matrix (see `Im2ColBatchMinor.swift`)
///
///     col[(c, ki, kj), p·B + n] = X[(c, oh·sh − ph + ki, ow·sw − pw + kj), n]     (0 in the padding)
///
/// with X (C·H·W, B) and p = oh·OW + ow. Written out, col is kh·kw/(sh·sw) times larger than X
/// (4 times for the VAE's 4×4 kernels at stride 2: 12.8 MB for its second convolution at batch
/// 128, against 3.2 MB of X), so building it and then packing it from memory streams the larger
/// matrix through the caches twice. The GEMM packs B into slivers anyway: here it packs them from
/// X, which stays in cache, and col is never written. The packed slivers hold exactly the values
/// the explicit im2col would have put there, so the product is the same to the last bit.
///
/// Two readings of col are needed:
/// - col itself (K = C·kh·kw rows, N = OH·OW·B columns): the forward GEMM W·col of `Conv2d`, and
///   W·∂col in `ConvTranspose2d`'s backward pass. A row of a sliver is NR consecutive columns:
///   when B is a multiple of NR, NR consecutive images at one output position, which are NR
///   consecutive floats of X (or zeros in the padding).
/// - colᵀ (K = OH·OW·B rows, N = C·kh·kw columns): the weight gradients G·colᵀ. A sliver then
///   needs, for each (p, n), NR taps of one image: eight images at a time are read as eight
///   vectors of X, one per tap, and transposed in registers.

/// The im2col matrix of a batch-minor image, described rather than stored.
@usableFromInline
struct ImplicitColumns: @unchecked Sendable {
    /// X, (C·H·W, B).
    let x: UnsafePointer<Float>
    let geometry: ConvGeometry
    let batch: Int
    /// Per row r = (c, ki, kj) of col: the offset of X's value for output position (0, 0),
    /// image 0, before the padding is subtracted: (c·H + ki)·W·B + kj·B.
    let rowOffsets: UnsafePointer<Int>
    /// Per row: (ki, kj).
    let rowTaps: UnsafePointer<(Int, Int)>

    /// The number of rows, C·kh·kw, and of columns, OH·OW·B.
    var rows: Int { geometry.rows }
    var columns: Int { geometry.columns * batch }

    /// The tables of `rowOffsets` and `rowTaps` for `geometry` and `batch`, written into the
    /// caller's scratch (grown as needed, so a layer allocates them once).
    static func tables(for geometry: ConvGeometry, batch: Int, offsets: inout [Int], taps: inout [(Int, Int)]) {
        let r = geometry.rows
        if offsets.count < r { offsets = [Int](repeating: 0, count: r) }
        if taps.count < r { taps = [(Int, Int)](repeating: (0, 0), count: r) }
        let (kh, kw, h, w) = (geometry.kernelHeight, geometry.kernelWidth, geometry.height, geometry.width)
        for row in 0..<r {
            let (c, ki, kj) = (row / (kh * kw), (row / kw) % kh, row % kw)
            offsets[row] = ((c * h + ki) * w + kj) * batch
            taps[row] = (ki, kj)
        }
    }

    /// The offset in X of col[row, p·B + n] for row's tap, or nil in the padding.
    @inline(__always)
    func source(row: Int, position p: Int, image n: Int) -> Int? {
        let g = geometry
        let (oh, ow) = (p / g.outputWidth, p % g.outputWidth)
        let (ki, kj) = rowTaps[row]
        let ih = oh * g.strideHeight - g.paddingHeight + ki, iw = ow * g.strideWidth - g.paddingWidth + kj
        guard ih >= 0, ih < g.height, iw >= 0, iw < g.width else { return nil }
        return rowOffsets[row] + ((oh * g.strideHeight - g.paddingHeight) * g.width + ow * g.strideWidth - g.paddingWidth) * batch + n
    }

    /// Packs one sliver of col: rows `p0 ..< p0 + kc` and columns `j0 ..< j0 + cols`
    /// (cols ≤ `width`), as `kc` rows of `width` floats (16 or 32), zeros past `cols`.
    @inline(__always)
    func packSliver(p0: Int, kc: Int, j0: Int, cols: Int, width: Int, dst: UnsafeMutablePointer<Float>) {
        let (p, n0) = (j0 / batch, j0 % batch)
        if cols == width && n0 + width <= batch {
            // One output position, `width` consecutive images: a run of X per row.
            let g = geometry
            let (oh, ow) = (p / g.outputWidth, p % g.outputWidth)
            let (ih0, iw0) = (oh * g.strideHeight - g.paddingHeight, ow * g.strideWidth - g.paddingWidth)
            let shift = (ih0 * g.width + iw0) * batch + n0
            for q in 0..<kc {
                let row = p0 + q
                let (ki, kj) = rowTaps[row]
                let d = UnsafeMutableRawPointer(dst + q * width)
                let (ih, iw) = (ih0 + ki, iw0 + kj)
                if ih >= 0 && ih < g.height && iw >= 0 && iw < g.width {
                    let s = UnsafeRawPointer(x + rowOffsets[row] + shift)
                    var o = 0
                    while o < 4 * width {
                        d.storeBytes(of: s.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self), toByteOffset: o, as: SIMD8<Float>.self)
                        o += 32
                    }
                } else {
                    var o = 0
                    while o < 4 * width {
                        d.storeBytes(of: SIMD8<Float>(), toByteOffset: o, as: SIMD8<Float>.self)
                        o += 32
                    }
                }
            }
            return
        }
        // Any other sliver (a batch that is not a multiple of the width, a ragged last one):
        // element by element.
        for q in 0..<kc {
            let d = dst + q * width
            for j in 0..<width {
                guard j < cols else { d[j] = 0; continue }
                let column = j0 + j
                d[j] = source(row: p0 + q, position: column / batch, image: column % batch).map { x[$0] } ?? 0
            }
        }
    }

    /// Packs one sliver of colᵀ: rows `p0 ..< p0 + kc` of colᵀ (columns of col: (p, n) pairs) and
    /// its columns `j0 ..< j0 + cols` (rows of col: taps), as `kc` rows of `width` floats.
    @inline(__always)
    func packTransposedSliver(p0: Int, kc: Int, j0: Int, cols: Int, width: Int, dst: UnsafeMutablePointer<Float>) {
        var q = 0
        while q < kc {
            let column = p0 + q
            let (p, n) = (column / batch, column % batch)
            if q + 8 <= kc && n + 8 <= batch {
                // Eight images at one position: for each group of eight taps, eight vectors of X
                // (one per tap, zero in the padding), transposed into eight packed rows.
                var group = 0
                while group + 8 <= cols {
                    let v0 = vector(row: j0 + group, p, n), v1 = vector(row: j0 + group + 1, p, n)
                    let v2 = vector(row: j0 + group + 2, p, n), v3 = vector(row: j0 + group + 3, p, n)
                    let v4 = vector(row: j0 + group + 4, p, n), v5 = vector(row: j0 + group + 5, p, n)
                    let v6 = vector(row: j0 + group + 6, p, n), v7 = vector(row: j0 + group + 7, p, n)
                    transposeRegisters8x8(v0, v1, v2, v3, v4, v5, v6, v7, dst + q * width + group, width)
                    group += 8
                }
                for j in group..<width {
                    for i in 0..<8 {
                        dst[(q + i) * width + j] = j < cols ? (source(row: j0 + j, position: p, image: n + i).map { x[$0] } ?? 0) : 0
                    }
                }
                q += 8
            } else {
                for j in 0..<width {
                    dst[q * width + j] = j < cols ? (source(row: j0 + j, position: p, image: n).map { x[$0] } ?? 0) : 0
                }
                q += 1
            }
        }
    }

    /// X's eight values of images n ..< n + 8 for `row`'s tap at position p (zeros in the padding).
    @inline(__always)
    private func vector(row: Int, _ p: Int, _ n: Int) -> SIMD8<Float> {
        guard let offset = source(row: row, position: p, image: n) else { return SIMD8() }
        return load8(x + offset)
    }
}
