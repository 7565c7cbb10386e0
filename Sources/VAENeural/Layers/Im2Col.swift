import Dispatch
import Foundation

// im2col and col2im: the rearrangements that turn a convolution into one matrix multiply.
//
// A convolution's output at (o, oh, ow) is a dot product of the filter W[o] (C·kh·kw numbers)
// with the input patch under it. im2col copies every patch into a column of a matrix, so that
// all the dot products become one GEMM:
//
//     col[(c, ki, kj), (oh, ow)] = x[c, oh·sh − ph + ki, ow·sw − pw + kj]   (0 outside the image)
//     Y (O, OH·OW) = W (O, C·kh·kw) · col (C·kh·kw, OH·OW)
//
// Rows are ordered (channel, kernel row, kernel column), exactly the memory order of one filter
// in PyTorch's weight (O, C, kh, kw), so the weight is used as stored, as an O×(C·kh·kw) matrix.
// col2im is the adjoint (transpose) of im2col: it adds every column entry back onto the pixel it
// was copied from. Overlapping patches read a pixel several times, so col2im must ACCUMULATE;
// that sum is exactly the chain rule for a value used several times.

// MARK: One image

/// Copies the patches of one image (C, H, W) into the columns of its im2col matrix
/// (C·kh·kw, OH·OW); padding reads as zero.
///
/// - Parameters:
///   - image: C·H·W floats, channel-major.
///   - columns: where row r, column j of the matrix goes: `columns[r·rowStride + j]`. A batch
///     lays its images side by side by passing `rowStride` = B·OH·OW and an offset of n·OH·OW.
/// - Complexity: C·kh·kw·OH·OW copies; each run along `ow` is contiguous when the stride is 1.
public func im2col(_ image: UnsafePointer<Float>, geometry g: ConvGeometry,
                   into columns: UnsafeMutablePointer<Float>, rowStride: Int) {
    for r in 0..<g.rows {
        im2colRow(r, of: image, geometry: g, into: columns + r * rowStride)
    }
}

/// Adds every entry of one image's im2col matrix (C·kh·kw, OH·OW) back onto the pixel of the
/// image (C, H, W) it was read from; entries that came from the padding are dropped.
///
/// The adjoint of `im2col`: ⟨im2col(x), M⟩ = ⟨x, col2im(M)⟩. It ACCUMULATES into `image`
/// (zero it first for a plain col2im), because overlapping patches share pixels.
/// - Complexity: C·kh·kw·OH·OW additions.
public func col2im(_ columns: UnsafePointer<Float>, rowStride: Int, geometry g: ConvGeometry,
                   accumulatingInto image: UnsafeMutablePointer<Float>) {
    for r in 0..<g.rows {
        col2imRow(r, from: columns + r * rowStride, geometry: g, accumulatingInto: image)
    }
}

/// Row r = (c, ki, kj) of one image's im2col matrix: the OH·OW values
/// x[c, oh·sh − ph + ki, ow·sw − pw + kj], zero where that falls in the padding.
@inline(__always)
private func im2colRow(_ r: Int, of image: UnsafePointer<Float>, geometry g: ConvGeometry,
                       into row: UnsafeMutablePointer<Float>) {
    let (c, ki, kj) = (r / (g.kernelHeight * g.kernelWidth), (r / g.kernelWidth) % g.kernelHeight, r % g.kernelWidth)
    let (W, OW, sw) = (g.width, g.outputWidth, g.strideWidth)
    let (ohLo, ohHi) = validOutputRange(kernelOffset: ki, stride: g.strideHeight, padding: g.paddingHeight,
                                        inputSize: g.height, outputSize: g.outputHeight)
    let (lo, hi) = validOutputRange(kernelOffset: kj, stride: sw, padding: g.paddingWidth, inputSize: W, outputSize: OW)
    let plane = image + c * g.height * W
    for j in 0 ..< ohLo * OW { row[j] = 0 }
    for oh in ohLo..<ohHi {
        let destination = row + oh * OW
        // source[ow·sw] is input column ow·sw − pw + kj of input row oh·sh − ph + ki.
        let source = plane + (oh * g.strideHeight - g.paddingHeight + ki) * W + (kj - g.paddingWidth)
        for ow in 0..<lo { destination[ow] = 0 }
        switch sw {
        case 1: for ow in lo..<hi { destination[ow] = source[ow] }
        case 2: for ow in lo..<hi { destination[ow] = source[2 * ow] }
        default: for ow in lo..<hi { destination[ow] = source[ow * sw] }
        }
        for ow in hi..<OW { destination[ow] = 0 }
    }
    for j in ohHi * OW ..< g.outputHeight * OW { row[j] = 0 }
}

/// Adds row r = (c, ki, kj) of one image's im2col matrix back onto the pixels it was read from.
@inline(__always)
private func col2imRow(_ r: Int, from row: UnsafePointer<Float>, geometry g: ConvGeometry,
                       accumulatingInto image: UnsafeMutablePointer<Float>) {
    let (c, ki, kj) = (r / (g.kernelHeight * g.kernelWidth), (r / g.kernelWidth) % g.kernelHeight, r % g.kernelWidth)
    let (W, OW, sw) = (g.width, g.outputWidth, g.strideWidth)
    let (ohLo, ohHi) = validOutputRange(kernelOffset: ki, stride: g.strideHeight, padding: g.paddingHeight,
                                        inputSize: g.height, outputSize: g.outputHeight)
    let (lo, hi) = validOutputRange(kernelOffset: kj, stride: sw, padding: g.paddingWidth, inputSize: W, outputSize: OW)
    let plane = image + c * g.height * W
    for oh in ohLo..<ohHi {
        let source = row + oh * OW
        let destination = plane + (oh * g.strideHeight - g.paddingHeight + ki) * W + (kj - g.paddingWidth)
        switch sw {
        case 1: for ow in lo..<hi { destination[ow] += source[ow] }
        case 2: for ow in lo..<hi { destination[2 * ow] += source[ow] }
        default: for ow in lo..<hi { destination[ow * sw] += source[ow] }
        }
    }
}

/// The output positions `lo..<hi` whose input position o·stride − padding + kernelOffset falls
/// inside 0..<inputSize; the others read padding.
@inline(__always)
func validOutputRange(kernelOffset k: Int, stride s: Int, padding p: Int,
                              inputSize n: Int, outputSize m: Int) -> (Int, Int) {
    // o·s ≥ p − k  ⇔  o ≥ ⌈(p − k)/s⌉;   o·s ≤ n − 1 + p − k  ⇔  o ≤ ⌊(n − 1 + p − k)/s⌋.
    let lo = p - k <= 0 ? 0 : min(m, (p - k + s - 1) / s)
    let top = n - 1 + p - k
    let hi = top < 0 ? 0 : min(m, top / s + 1)
    return (lo, max(lo, hi))
}

// MARK: A batch

/// im2col of a batch (B, C, H, W) into one matrix (C·kh·kw, B·OH·OW): image n fills columns
/// n·OH·OW ..< (n+1)·OH·OW, so that one GEMM convolves the whole batch.
///
/// Walks the matrix row by row, each row across all images, so the (large) matrix is written
/// sequentially; rows are split over the cores when there is enough work.
public func im2col(batch images: UnsafePointer<Float>, count: Int, geometry g: ConvGeometry,
                   into columns: UnsafeMutablePointer<Float>) {
    let (P, rowStride) = (g.columns, count * g.columns)
    nonisolated(unsafe) let (source, destination) = (images, columns)
    forEachChunk(count: g.rows, workPerItem: rowStride) { rows in
        for r in rows {
            for n in 0..<count {
                im2colRow(r, of: source + n * g.imageSize, geometry: g, into: destination + r * rowStride + n * P)
            }
        }
    }
}

/// col2im of a batch: adds the matrix (C·kh·kw, B·OH·OW) laid out as by `im2col(batch:…)` onto
/// the images (B, C, H, W). ACCUMULATES.
///
/// Images are split over the cores (rows of one image overlap on its pixels, so they stay on
/// one thread); within a share, the matrix is read row by row.
public func col2im(batch columns: UnsafePointer<Float>, count: Int, geometry g: ConvGeometry,
                   accumulatingInto images: UnsafeMutablePointer<Float>) {
    let (P, rowStride) = (g.columns, count * g.columns)
    nonisolated(unsafe) let (source, destination) = (columns, images)
    forEachChunk(count: count, workPerItem: g.rows * P) { batch in
        for r in 0..<g.rows {
            for n in batch {
                col2imRow(r, from: source + r * rowStride + n * P, geometry: g,
                          accumulatingInto: destination + n * g.imageSize)
            }
        }
    }
}

// MARK: Tensor conveniences (for pictures and tests)

/// The im2col matrix of an image (C, H, W) or a batch (B, C, H, W): (C·kh·kw, B·OH·OW).
public func im2col(_ input: Tensor, kernel: (height: Int, width: Int),
                   stride: (height: Int, width: Int) = (1, 1),
                   padding: (height: Int, width: Int) = (0, 0)) throws -> Tensor {
    let shape = input.rank == 3 ? [1] + input.shape : input.shape
    guard shape.count == 4 else {
        throw LayerConfigurationError("im2col needs (C, H, W) or (B, C, H, W), got \(input.shape)")
    }
    let g = try ConvGeometry(channels: shape[1], height: shape[2], width: shape[3],
                             kernel: kernel, stride: stride, padding: padding)
    var columns = Tensor(shape: [g.rows, shape[0] * g.columns])
    input.withUnsafeBufferPointer { x in
        columns.withUnsafeMutableBufferPointer { col in
            im2col(batch: x.baseAddress!, count: shape[0], geometry: g, into: col.baseAddress!)
        }
    }
    return columns
}

/// The image (C, H, W), or batch (B, C, H, W), that col2im makes of an im2col-shaped matrix
/// (C·kh·kw, B·OH·OW): every entry added onto its pixel.
public func col2im(_ columns: Tensor, imageShape: [Int], kernel: (height: Int, width: Int),
                   stride: (height: Int, width: Int) = (1, 1),
                   padding: (height: Int, width: Int) = (0, 0)) throws -> Tensor {
    let shape = imageShape.count == 3 ? [1] + imageShape : imageShape
    guard shape.count == 4, shape[0] > 0 else {
        throw LayerConfigurationError("col2im needs an image shape (C, H, W) or (B, C, H, W), got \(imageShape)")
    }
    let g = try ConvGeometry(channels: shape[1], height: shape[2], width: shape[3],
                             kernel: kernel, stride: stride, padding: padding)
    guard columns.shape == [g.rows, shape[0] * g.columns] else {
        throw LayerConfigurationError(
            "col2im for \(imageShape) with \(g) needs a (\(g.rows), \(shape[0] * g.columns)) matrix, got \(columns.shape)")
    }
    var image = Tensor(shape: imageShape)
    columns.withUnsafeBufferPointer { col in
        image.withUnsafeMutableBufferPointer { x in
            col2im(batch: col.baseAddress!, count: shape[0], geometry: g, accumulatingInto: x.baseAddress!)
        }
    }
    return image
}
