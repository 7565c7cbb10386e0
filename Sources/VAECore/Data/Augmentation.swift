/// Random translations of a batch of images, the light augmentation that helps a small
/// classifier generalise: a digit moved by a pixel or two is the same digit.
///
/// Each image (all its channels) moves by its own (dy, dx), each drawn uniformly from
/// −maxShift…maxShift; pixels that come in from outside the frame are 0 (MNIST's background).
/// The draws come from `random`, two per image, so the same seed gives the same batch.
/// - Complexity: O(B·C·H·W) copies; two random integers per image.
/// - Throws: `LayerConfigurationError` for an input that is not (B, C, H, W) or a negative shift.
func randomlyShifted(_ images: Tensor, maxShift: Int, using random: inout RandomSource) throws -> Tensor {
    guard images.rank == 4, maxShift >= 0 else {
        throw LayerConfigurationError("randomlyShifted expects (B, C, H, W) and maxShift ≥ 0, got \(images.shape) and \(maxShift)")
    }
    guard maxShift > 0 else { return images }
    let batch = images.shape[0]
    var offsets = [(dy: Int, dx: Int)]()
    offsets.reserveCapacity(batch)
    for _ in 0..<batch {
        let dy = random.uniformInt(below: 2 * maxShift + 1) - maxShift
        let dx = random.uniformInt(below: 2 * maxShift + 1) - maxShift
        offsets.append((dy, dx))
    }
    return try shifted(images, by: offsets)
}

/// Each image n of (B, C, H, W) translated by `offsets[n]`: out[n, c, h, w] = in[n, c, h − dy, w − dx]
/// where that lies inside the image, 0 elsewhere (a positive dy moves the content down, dx right).
/// - Throws: `LayerConfigurationError` unless the input is (B, C, H, W) with B offsets.
public func shifted(_ images: Tensor, by offsets: [(dy: Int, dx: Int)]) throws -> Tensor {
    guard images.rank == 4, offsets.count == images.shape[0] else {
        throw LayerConfigurationError("shifted expects (B, C, H, W) and B offsets, got \(images.shape) and \(offsets.count)")
    }
    let (channels, height, width) = (images.shape[1], images.shape[2], images.shape[3])
    var out = Tensor(shape: images.shape)   // zeros: the uncovered border
    images.withUnsafeBufferPointer { source in
        out.withUnsafeMutableBufferPointer { target in
            for (n, (dy, dx)) in offsets.enumerated() {
                // Output columns w with 0 ≤ w − dx < W; rows likewise.
                let w0 = max(0, dx), w1 = min(width, width + dx)
                let h0 = max(0, dy), h1 = min(height, height + dy)
                guard w0 < w1, h0 < h1 else { continue }
                for c in 0..<channels {
                    let plane = (n * channels + c) * height * width
                    for h in h0..<h1 {
                        let to = target.baseAddress! + plane + h * width + w0
                        let from = source.baseAddress! + plane + (h - dy) * width + (w0 - dx)
                        to.update(from: from, count: w1 - w0)
                    }
                }
            }
        }
    }
    return out
}
