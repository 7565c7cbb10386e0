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

/// The kernel taps that reach each input row (or column) of a convolution: for input index i,
/// the pairs (k, o) with o·stride − padding + k = i and 0 ≤ o < outputSize, k ascending.
/// `taps[i·kernel + t]` for t < `counts[i]`.
private func tapsReaching(inputSize: Int, kernel: Int, stride: Int, padding: Int, outputSize: Int)
    -> (taps: [(k: Int, o: Int)], counts: [Int]) {
    var taps = [(k: Int, o: Int)](repeating: (0, 0), count: inputSize * kernel)
    var counts = [Int](repeating: 0, count: inputSize)
    for i in 0..<inputSize {
        for k in 0..<kernel {
            let t = i + padding - k
            guard t >= 0, t % stride == 0, t / stride < outputSize else { continue }
            taps[i * kernel + counts[i]] = (k, t / stride)
            counts[i] += 1
        }
    }
    return (taps, counts)
}

/// col2im of a batch in batch-minor layout: `x` (C·H·W, B) is OVERWRITTEN with the sum, over
/// every entry of `columns` (C·kh·kw, OH·OW·B), of that entry on the pixel it was read from.
///
/// Written as a gather: each pixel (c, h, w) adds up the entries of the taps that read it
/// (for the VAE's 4×4 kernels at stride 2, four of them) and is written once, instead of being
/// zeroed and then updated once per tap. The terms are added in tap order, as `col2im(batch:…)`
/// adds them, so the two agree to the last bit.
///
/// The batch is split over the cores: each share writes the values of its own images, in runs
/// of B / cores.
/// - Complexity: C·kh·kw·OH·OW·B additions; each pixel written once.
func col2imBatchMinor(_ columns: UnsafePointer<Float>, batch: Int, geometry g: ConvGeometry,
                      into x: UnsafeMutablePointer<Float>) {
    let B = batch
    let rowLength = g.columns * B
    let taps = g.kernelHeight * g.kernelWidth
    let rows = tapsReaching(inputSize: g.height, kernel: g.kernelHeight, stride: g.strideHeight,
                            padding: g.paddingHeight, outputSize: g.outputHeight)
    let cols = tapsReaching(inputSize: g.width, kernel: g.kernelWidth, stride: g.strideWidth,
                            padding: g.paddingWidth, outputSize: g.outputWidth)
    nonisolated(unsafe) let (source, destination) = (columns, x)
    rows.taps.withUnsafeBufferPointer { rowTaps in
        cols.taps.withUnsafeBufferPointer { colTaps in
            rows.counts.withUnsafeBufferPointer { rowCounts in
                cols.counts.withUnsafeBufferPointer { colCounts in
                    nonisolated(unsafe) let (rowTaps, colTaps, rowCounts, colCounts) = (rowTaps, colTaps, rowCounts, colCounts)
                    // Shares of 8 images, so that runs start on whole vectors.
                    let groups = (B + 7) / 8
                    forEachChunk(count: groups, workPerItem: 8 * g.rows * g.columns) { range in
                        let n0 = range.lowerBound * 8, count = min(B, range.upperBound * 8) - n0
                        for c in 0..<g.channels {
                            let channelRows = source + c * taps * rowLength + n0
                            var out = destination + c * g.height * g.width * B + n0
                            for h in 0..<g.height {
                                for w in 0..<g.width {
                                    var first = true
                                    for i in 0..<rowCounts[h] {
                                        let (ki, oh) = rowTaps[h * g.kernelHeight + i]
                                        for j in 0..<colCounts[w] {
                                            let (kj, ow) = colTaps[w * g.kernelWidth + j]
                                            let run = channelRows + (ki * g.kernelWidth + kj) * rowLength + (oh * g.outputWidth + ow) * B
                                            if first { copyRun(run, out, count); first = false } else { addRun(run, out, count) }
                                        }
                                    }
                                    if first { out.update(repeating: 0, count: count) }
                                    out += B
                                }
                            }
                        }
                    }
                }
            }
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
