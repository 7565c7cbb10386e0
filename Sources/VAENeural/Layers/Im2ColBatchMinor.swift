import Foundation

// im2col and col2im in the "batch-minor" layout that the convolution layers use internally.
//
// A batch of images (B, C, H, W) transposed to the matrix (C·H·W, B) holds, for every pixel
// (c, h, w), the B values of that pixel in the B images side by side. The im2col matrix is then
// built with its columns ordered (position, image), column p·B + n for output position p and
// image n:
//
//     col[(c, ki, kj), p·B + n] = x[(c, oh·sh − ph + ki, ow·sw − pw + kj), n]     (0 in the padding)
//
// so every entry of the image-major im2col becomes a contiguous run of B floats: the copies are
// whole vectors (128 floats at batch 128) instead of runs of OW floats (7 for the VAE's second
// convolution), and the bookkeeping per run is paid once per B values instead of once per OW.
// The GEMMs are the same, with their N columns in another order; the layers convert between
// NCHW and this layout with one `transpose` on the way in and one on the way out.
//
// The image-major kernels in `Im2Col.swift` are the reference these are tested against.

/// d[0..<count] = s[0..<count], by vectors.
@inline(__always)
private func copyRun(_ s: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, _ count: Int) {
    var i = 0
    while i + 16 <= count {
        store8(load8(s + i), d + i)
        store8(load8(s + i + 8), d + i + 8)
        i += 16
    }
    while i < count { d[i] = s[i]; i += 1 }
}

/// d[0..<count] += s[0..<count], by vectors.
@inline(__always)
private func addRun(_ s: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, _ count: Int) {
    var i = 0
    while i + 16 <= count {
        store8(load8(d + i) + load8(s + i), d + i)
        store8(load8(d + i + 8) + load8(s + i + 8), d + i + 8)
        i += 16
    }
    while i < count { d[i] += s[i]; i += 1 }
}

/// Row r = (c, ki, kj) of the batch-minor im2col matrix, OH·OW·B floats.
@inline(__always)
private func im2colRowBatchMinor(_ r: Int, of x: UnsafePointer<Float>, batch: Int, geometry g: ConvGeometry,
                                 into row: UnsafeMutablePointer<Float>) {
    let (c, ki, kj) = (r / (g.kernelHeight * g.kernelWidth), (r / g.kernelWidth) % g.kernelHeight, r % g.kernelWidth)
    let (W, OW, B) = (g.width, g.outputWidth, batch)
    let (ohLo, ohHi) = validOutputRange(kernelOffset: ki, stride: g.strideHeight, padding: g.paddingHeight,
                                        inputSize: g.height, outputSize: g.outputHeight)
    let (lo, hi) = validOutputRange(kernelOffset: kj, stride: g.strideWidth, padding: g.paddingWidth,
                                    inputSize: W, outputSize: OW)
    let plane = x + c * g.height * W * B
    row.update(repeating: 0, count: ohLo * OW * B)
    for oh in ohLo..<ohHi {
        let destination = row + oh * OW * B
        let sourceRow = plane + (oh * g.strideHeight - g.paddingHeight + ki) * W * B
        destination.update(repeating: 0, count: lo * B)
        for ow in lo..<hi {
            copyRun(sourceRow + (ow * g.strideWidth - g.paddingWidth + kj) * B, destination + ow * B, B)
        }
        (destination + hi * B).update(repeating: 0, count: (OW - hi) * B)
    }
    (row + ohHi * OW * B).update(repeating: 0, count: (g.outputHeight - ohHi) * OW * B)
}

/// im2col of a batch in batch-minor layout: `x` is (C·H·W, B), `columns` becomes
/// (C·kh·kw, OH·OW·B) with column p·B + n for position p of image n.
///
/// Rows are split over the cores (each writes its own rows).
/// - Complexity: C·kh·kw·OH·OW·B copies, in runs of B.
func im2colBatchMinor(_ x: UnsafePointer<Float>, batch: Int, geometry g: ConvGeometry,
                      into columns: UnsafeMutablePointer<Float>) {
    let rowLength = g.columns * batch
    nonisolated(unsafe) let (source, destination) = (x, columns)
    forEachChunk(count: g.rows, workPerItem: rowLength) { rows in
        for r in rows {
            im2colRowBatchMinor(r, of: source, batch: batch, geometry: g, into: destination + r * rowLength)
        }
    }
}

/// col2im of a batch in batch-minor layout: `x` (C·H·W, B) is OVERWRITTEN with the sum, over
/// every entry of `columns` (C·kh·kw, OH·OW·B), of that entry on the pixel it was read from.
///
/// Written as a scatter, tap by tap: channel c's plane of x is zeroed, then each of its kh·kw
/// rows of col is streamed once, left to right, and added run by run (B floats) onto the pixels
/// it came from. col is the large operand (kh·kw/(sh·sw) times x): read as kh·kw sequential
/// streams it goes at the speed of memory, while the plane being summed (H·W·B floats) stays in
/// the core's cache. (Gathering the taps of each pixel in turn instead reads every row of col a
/// few floats at a time, kh·kw streams at once, which measured 2–3 times slower.) The taps are
/// added in order (ki, kj), so each pixel's sum is the same as `col2im(batch:…)`'s.
///
/// Channels are split over the cores (each writes its own planes); with a single channel, the
/// images are, in runs of B / cores.
/// - Complexity: C·kh·kw·OH·OW·B additions, C·H·W·B stores of zero.
func col2imBatchMinor(_ columns: UnsafePointer<Float>, batch: Int, geometry g: ConvGeometry,
                      into x: UnsafeMutablePointer<Float>) {
    col2imBatchMinor(rows: StoredColumns(base: columns, rowLength: g.columns * batch), batch: batch, geometry: g, into: x)
}

/// col2im of ∂col = w·g, the outer product of a column w (C·kh·kw) and a row g (OH·OW·B), without
/// writing ∂col: the input gradient of a convolution with one output channel, whose ∂col GEMM
/// Wᵀ·G has K = 1. Each entry is the one rounded product w[r]·g[j] that the GEMM stores, added
/// in the same order, so the result has the same bits as the GEMM followed by
/// `col2imBatchMinor(_:batch:geometry:into:)`, without streaming the C·kh·kw·OH·OW·B floats of
/// ∂col (115 MB for chapter 9's last upsampling convolution at batch 128) to memory and back.
/// - Complexity: C·kh·kw·OH·OW·B multiplications and additions, C·H·W·B stores of zero.
func col2imBatchMinor(outerProductOf w: UnsafePointer<Float>, _ g: UnsafePointer<Float>, batch: Int,
                      geometry: ConvGeometry, into x: UnsafeMutablePointer<Float>) {
    col2imBatchMinor(rows: OuterProductColumns(w: w, g: g), batch: batch, geometry: geometry, into: x)
}

/// Where col2im reads the rows of the im2col matrix (C·kh·kw, OH·OW·B) from.
protocol ColumnRows {
    /// d[0..<count] += the `count` entries of row r from column `column` on.
    func add(row r: Int, from column: Int, to d: UnsafeMutablePointer<Float>, count: Int)
}

/// A matrix in memory, row after row.
struct StoredColumns: ColumnRows {
    let base: UnsafePointer<Float>
    let rowLength: Int

    @inline(__always)
    func add(row r: Int, from column: Int, to d: UnsafeMutablePointer<Float>, count: Int) {
        addRun(base + r * rowLength + column, d, count)
    }
}

/// The outer product w·g, row r being w[r]·g, formed as it is read.
struct OuterProductColumns: ColumnRows {
    let w: UnsafePointer<Float>
    let g: UnsafePointer<Float>

    @inline(__always)
    func add(row r: Int, from column: Int, to d: UnsafeMutablePointer<Float>, count: Int) {
        addScaledRun(w[r], g + column, d, count)
    }
}

/// d[0..<count] += a·s[0..<count], by vectors: each product rounded, then added (not fused), as
/// adding a stored product would round.
@inline(__always)
private func addScaledRun(_ a: Float, _ s: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, _ count: Int) {
    let scale = SIMD8<Float>(repeating: a)
    var i = 0
    while i + 16 <= count {
        let (p0, p1) = (scale * load8(s + i), scale * load8(s + i + 8))
        store8(load8(d + i) + p0, d + i)
        store8(load8(d + i + 8) + p1, d + i + 8)
        i += 16
    }
    while i < count { let p = a * s[i]; d[i] += p; i += 1 }
}

/// col2im with the rows of col read from `rows` (see `col2imBatchMinor(_:batch:geometry:into:)`).
func col2imBatchMinor<Rows: ColumnRows>(rows: Rows, batch: Int, geometry g: ConvGeometry,
                                        into x: UnsafeMutablePointer<Float>) {
    let B = batch
    let rowLength = g.columns * B
    let plane = g.height * g.width * B
    nonisolated(unsafe) let destination = x
    /// The planes `channels`, images n0 ..< n0 + count of each.
    func scatter(channels: Range<Int>, n0: Int, count: Int) {
        for c in channels {
            let out = destination + c * plane + n0
            for pixel in 0..<(g.height * g.width) { (out + pixel * B).update(repeating: 0, count: count) }
            for ki in 0..<g.kernelHeight {
                let (ohLo, ohHi) = validOutputRange(kernelOffset: ki, stride: g.strideHeight, padding: g.paddingHeight,
                                                    inputSize: g.height, outputSize: g.outputHeight)
                for kj in 0..<g.kernelWidth {
                    let (owLo, owHi) = validOutputRange(kernelOffset: kj, stride: g.strideWidth, padding: g.paddingWidth,
                                                        inputSize: g.width, outputSize: g.outputWidth)
                    let r = (c * g.kernelHeight + ki) * g.kernelWidth + kj
                    for oh in ohLo..<ohHi {
                        let ih = oh * g.strideHeight - g.paddingHeight + ki
                        for ow in owLo..<owHi {
                            let iw = ow * g.strideWidth - g.paddingWidth + kj
                            rows.add(row: r, from: (oh * g.outputWidth + ow) * B + n0, to: out + (ih * g.width + iw) * B, count: count)
                        }
                    }
                }
            }
        }
    }
    if g.channels > 1 {
        forEachChunk(count: g.channels, workPerItem: g.kernelHeight * g.kernelWidth * rowLength) { scatter(channels: $0, n0: 0, count: B) }
    } else {
        // Shares of 8 images, so that runs start on whole vectors.
        let groups = (B + 7) / 8
        forEachChunk(count: groups, workPerItem: 8 * g.rows * g.columns) { range in
            let n0 = range.lowerBound * 8
            scatter(channels: 0..<1, n0: n0, count: min(B, range.upperBound * 8) - n0)
        }
    }
}

/// Σ of each channel's block of a batch-minor matrix (C·S, B): `sums[c] += Σ` of the S·B values
/// of channel c, in Double (a bias gradient: the sum over positions and images).
/// - Complexity: C·S·B additions.
func addChannelSums(_ x: UnsafePointer<Float>, channels: Int, valuesPerChannel: Int,
                    into sums: UnsafeMutablePointer<Float>) {
    for c in 0..<channels {
        sums[c] += Float(batchNormBlockSum(x + c * valuesPerChannel, valuesPerChannel))
    }
}

/// `x[c·V + i] += values[c]` for each channel c of a batch-minor matrix (C·S, B), V = S·B
/// values per channel: a bias added to every value of its channel, by vectors, split over the
/// cores for large matrices.
/// - Complexity: C·V additions.
func addChannelValues(_ values: UnsafePointer<Float>, channels: Int, valuesPerChannel v: Int,
                      to x: UnsafeMutablePointer<Float>) {
    nonisolated(unsafe) let (values, x) = (values, x)
    forEachChunk(count: channels, workPerItem: v) { range in
        for c in range {
            let add = SIMD8<Float>(repeating: values[c]), block = x + c * v
            var i = 0
            while i + 8 <= v { store8(load8(block + i) + add, block + i); i += 8 }
            while i < v { block[i] += values[c]; i += 1 }
        }
    }
}
