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
public final class Upsample: Layer {
    public let factor: Int
    public var isTraining = true
    private var inputShape: [Int]?

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

    public func forward(_ x: Tensor) -> Tensor {
        let outShape = requireShape { try outputShape(forInput: x.shape) }
        inputShape = x.shape
        let (planes, h, w, f) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3], factor)
        return makeLayerOutput(shape: outShape) { y in
            x.withUnsafeBufferPointer { px in
                for p in 0..<planes {
                    let source = px.baseAddress! + p * h * w, target = y + p * h * w * f * f
                    for i in 0..<(h * f) {
                        let row = source + (i / f) * w, out = target + i * w * f
                        for j in 0..<(w * f) { out[j] = row[j / f] }
                    }
                }
            }
        }
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let inputShape else { preconditionFailure("Upsample.backward called before forward") }
        let (planes, h, w, f) = (inputShape[0] * inputShape[1], inputShape[2], inputShape[3], factor)
        precondition(dy.shape == [inputShape[0], inputShape[1], h * f, w * f],
                     "Upsample.backward: output gradient \(dy.shape) does not match input \(inputShape) × \(f)")
        return makeLayerOutput(shape: inputShape) { dx in
            dx.update(repeating: 0, count: planes * h * w)
            dy.withUnsafeBufferPointer { g in
                for p in 0..<planes {
                    let source = g.baseAddress! + p * h * w * f * f, target = dx + p * h * w
                    for i in 0..<(h * f) {
                        let row = source + i * w * f, out = target + (i / f) * w
                        for j in 0..<(w * f) { out[j / f] += row[j] }
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
public final class Residual: Layer {
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
}
