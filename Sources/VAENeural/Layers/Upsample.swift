/// Nearest-neighbour upsampling by an integer factor: (B, C, H, W) → (B, C, f·H, f·W), each
/// pixel copied into an f×f block (PyTorch's `nn.Upsample(scale_factor=f, mode="nearest")`).
///
/// Followed by a stride-1 convolution it is the usual alternative to a transposed convolution
/// in a decoder: every output pixel then sees the same number of input pixels, so it cannot
/// leave the checkerboard pattern that a stride-2, kernel-3 transposed convolution can (Odena
/// et al. 2016).
///
/// Backward: each input pixel was copied to f² outputs, so its gradient is the sum of theirs.
/// - Complexity: B·C·f²·H·W copies forward, as many additions backward.
package final class Upsample: BatchMinorLayer {
    public let factor: Int
    public var isTraining = true
    /// The sample shape (C, H, W) and batch size of the last forward pass.
    private var cache: (sample: [Int], batch: Int)?

    public init(factor: Int) throws {
        guard factor >= 1 else { throw LayerConfigurationError("Upsample needs a factor of at least 1, not \(factor)") }
        self.factor = factor
    }

    /// (B, C, H, W) → (B, C, f·H, f·W); throws for any other rank.
    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.count == 4, shape.allSatisfy({ $0 > 0 }) else {
            throw LayerConfigurationError("Upsample expects (B, C, H, W), got \(shape)")
        }
        return [shape[0], shape[1], shape[2] * factor, shape[3] * factor]
    }

    /// (B, C, H, W) → (B, C, f·H, f·W): the batch-minor computation between two transposes.
    public func forward(_ x: Tensor) -> Tensor {
        let out = requireShape { try outputShape(forInput: x.shape) }
        return batchMajor(forwardBatchMinor(batchMinor(x), sampleShape: Array(x.shape.dropFirst())), sampleShape: Array(out.dropFirst()))
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let (sample, batch) = cache else { preconditionFailure("Upsample.backward called before forward") }
        let f = factor
        precondition(dy.shape == [batch, sample[0], sample[1] * f, sample[2] * f],
                     "Upsample.backward: output gradient \(dy.shape) does not match input \([batch] + sample) × \(f)")
        return batchMajor(backwardBatchMinor(batchMinor(dy)), sampleShape: sample)
    }

    /// (C, H, W) → (C, f·H, f·W).
    public func outputSampleShape(forInput shape: [Int]) -> [Int] {
        Array(requireShape { try outputShape(forInput: [1] + shape) }.dropFirst())
    }

    /// X (C·H·W, B) → Y (C·fH·fW, B): row (c, i, j) of Y is row (c, ⌊i/f⌋, ⌊j/f⌋) of X, B values.
    public func forwardBatchMinor(_ x: Tensor, sampleShape: [Int]) -> Tensor {
        let out = outputSampleShape(forInput: sampleShape)
        precondition(x.rank == 2 && x.shape[0] == sampleShape.reduce(1, *) && x.shape[1] > 0,
                     "Upsample: a batch-minor input of samples \(sampleShape) must be (\(sampleShape.reduce(1, *)), B), got \(x.shape)")
        let (b, c, h, w, f) = (x.shape[1], sampleShape[0], sampleShape[1], sampleShape[2], factor)
        cache = (sampleShape, b)
        return makeLayerOutput(shape: [out.reduce(1, *), b]) { y in
            x.withUnsafeBufferPointer { px in
                for plane in 0..<c {
                    for i in 0..<(h * f) {
                        for j in 0..<(w * f) {
                            let source = px.baseAddress! + ((plane * h + i / f) * w + j / f) * b
                            (y + ((plane * h * f + i) * w * f + j) * b).update(from: source, count: b)
                        }
                    }
                }
            }
        }
    }

    /// ∂Y (C·fH·fW, B) → ∂X (C·H·W, B): each input pixel's gradient is the sum of its f² copies',
    /// added in row-major order of the block.
    public func backwardBatchMinor(_ dy: Tensor) -> Tensor {
        guard let (sample, b) = cache else { preconditionFailure("Upsample.backward called before forward") }
        let (c, h, w, f) = (sample[0], sample[1], sample[2], factor)
        precondition(dy.shape == [c * h * w * f * f, b], "Upsample.backward: batch-minor gradient \(dy.shape) should be \([c * h * w * f * f, b])")
        return makeLayerOutput(shape: [c * h * w, b]) { dx in
            dx.update(repeating: 0, count: c * h * w * b)
            dy.withUnsafeBufferPointer { g in
                for plane in 0..<c {
                    for i in 0..<(h * f) {
                        for j in 0..<(w * f) {
                            let source = g.baseAddress! + ((plane * h * f + i) * w * f + j) * b
                            let target = dx + ((plane * h + i / f) * w + j / f) * b
                            for n in 0..<b { target[n] += source[n] }
                        }
                    }
                }
            }
        }
    }
}

/// A residual block, y = x + f(x) (He et al. 2016), where the body f keeps the input's shape.
///
/// Backward: ∂L/∂x = ∂L/∂y + f′ᵀ·∂L/∂y, the identity path's gradient plus the body's. Its
/// parameters are named `body.<layer>.<name>`, as a PyTorch module with `self.body = Sequential(…)`.
public final class Residual: BatchMinorLayer {
    public let body: Sequential
    public var isTraining = true {
        didSet { body.isTraining = isTraining }
    }

    public init(_ body: Sequential) {
        self.body = body
        for p in body.parameters + body.buffers { p.name = "body." + p.name }
    }

    public var parameters: [Parameter] { body.parameters }
    public var buffers: [Parameter] { body.buffers }

    public func forward(_ x: Tensor) -> Tensor {
        let fx = body.forward(x)
        precondition(fx.shape == x.shape, "Residual: the body maps \(x.shape) to \(fx.shape); it must keep the shape")
        return x + fx
    }

    public func backward(_ dy: Tensor) -> Tensor {
        dy + body.backward(dy)
    }

    public func outputSampleShape(forInput shape: [Int]) -> [Int] {
        let out = body.outputSampleShape(forInput: shape)
        precondition(out == shape, "Residual: the body maps samples \(shape) to \(out); it must keep the shape")
        return shape
    }

    public func forwardBatchMinor(_ x: Tensor, sampleShape: [Int]) -> Tensor {
        let fx = body.forwardBatchMinor(x, sampleShape: sampleShape)
        precondition(fx.shape == x.shape, "Residual: the body maps \(x.shape) to \(fx.shape); it must keep the shape")
        return x + fx
    }

    public func backwardBatchMinor(_ dy: Tensor) -> Tensor {
        dy + body.backwardBatchMinor(dy)
    }
}
