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

@inline(__always)
private func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
private func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

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
/// (Unlike `col2im(batch:…)` it does not accumulate onto what `x` held: it zeroes each channel
/// just before adding into it, while that channel is in cache.)
///
/// The batch is split over the cores: each share writes the values of its own images, in runs
/// of B / cores.
/// - Complexity: C·kh·kw·OH·OW·B additions and C·H·W·B zeroes.
func col2imBatchMinor(_ columns: UnsafePointer<Float>, batch: Int, geometry g: ConvGeometry,
                      into x: UnsafeMutablePointer<Float>) {
    let B = batch
    let rowLength = g.columns * B
    let plane = g.height * g.width
    let taps = g.kernelHeight * g.kernelWidth
    nonisolated(unsafe) let (source, destination) = (columns, x)
    // Shares of 8 images, so that runs start on whole vectors.
    let groups = (B + 7) / 8
    forEachChunk(count: groups, workPerItem: 8 * g.rows * g.columns) { range in
        let n0 = range.lowerBound * 8, n1 = min(B, range.upperBound * 8)
        let count = n1 - n0
        for c in 0..<g.channels {
            let image = destination + c * plane * B + n0
            for pixel in 0..<plane { (image + pixel * B).update(repeating: 0, count: count) }
            for tap in 0..<taps {
                let (ki, kj) = (tap / g.kernelWidth, tap % g.kernelWidth)
                let row = source + (c * taps + tap) * rowLength + n0
                let (ohLo, ohHi) = validOutputRange(kernelOffset: ki, stride: g.strideHeight, padding: g.paddingHeight,
                                                    inputSize: g.height, outputSize: g.outputHeight)
                let (lo, hi) = validOutputRange(kernelOffset: kj, stride: g.strideWidth, padding: g.paddingWidth,
                                                inputSize: g.width, outputSize: g.outputWidth)
                for oh in ohLo..<ohHi {
                    let ih = oh * g.strideHeight - g.paddingHeight + ki
                    for ow in lo..<hi {
                        let iw = ow * g.strideWidth - g.paddingWidth + kj
                        addRun(row + (oh * g.outputWidth + ow) * B, image + (ih * g.width + iw) * B, count)
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
