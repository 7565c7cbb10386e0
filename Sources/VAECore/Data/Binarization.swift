/// Binary images from grey ones: each pixel value x ∈ [0, 1] is read as the probability that
/// the pixel is on, and x_bin = 1 when a uniform draw u < x, else 0. So E[x_bin] = x.
///
/// A Bernoulli decoder models binary pixels; MNIST's are grey. Training on a *fresh* draw every
/// time an image is served ("dynamic binarization") shows the model the whole distribution and
/// avoids overfitting one sample; evaluation uses one *fixed* draw, so that numbers compare.

/// Writes x_bin = (u < x ? 1 : 0) for each of the `count` pixels, one uniform draw per pixel,
/// in order.
/// - Complexity: O(count), one 64-bit draw per pixel.
@inline(__always)
func sampleBernoulli(_ probabilities: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
                     count: Int, using random: inout RandomSource) {
    for i in 0..<count {
        output[i] = random.uniform() < probabilities[i] ? 1 : 0
    }
}

extension MNIST {
    /// A copy whose pixels are one Bernoulli draw each, from `RandomSource(seed: seed)` taken
    /// in image order, then pixel order. The same seed gives the same binary images: this is the
    /// fixed binarized test set for evaluation.
    /// - Complexity: O(N·H·W).
    public func binarized(seed: UInt64) -> MNIST {
        var random = RandomSource(seed: seed)
        var binary = Tensor(shape: images.shape)
        images.withUnsafeBufferPointer { source in
            binary.withUnsafeMutableBufferPointer { out in
                guard let s = source.baseAddress, let o = out.baseAddress else { return }
                sampleBernoulli(s, into: o, count: out.count, using: &random)
            }
        }
        return MNIST(images: binary, labels: labels)
    }
}
