/// Flattens every sample of a batch into a vector: (B, d₁, …, dₖ) → (B, d₁·…·dₖ), for example
/// (B, C, H, W) → (B, C·H·W) between the VAE's last convolution and its Linear layer.
///
/// Row-major order already stores each sample's values contiguously in (c, h, w) order, which is
/// also PyTorch's `nn.Flatten` order, so forward and backward only change the shape: no copy.
public final class Flatten: BatchMinorLayer {
    public var isTraining = true
    /// The input shape of the last forward pass, which backward restores.
    private var inputShape: [Int]?

    public init() {}

    /// (B, d₁, …, dₖ) → (B, d₁·…·dₖ); throws for a rank below 2 or an empty batch.
    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.count >= 2, shape[0] > 0 else {
            throw LayerConfigurationError("Flatten expects (B, …) with at least two axes, got \(shape)")
        }
        return [shape[0], shape.dropFirst().reduce(1, *)]
    }

    public func forward(_ x: Tensor) -> Tensor {
        let shape = requireShape { try outputShape(forInput: x.shape) }
        inputShape = x.shape
        return x.reshaped(shape)
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let inputShape else { preconditionFailure("Flatten.backward called before forward") }
        precondition(dy.count == inputShape.reduce(1, *) && dy.rank == 2 && dy.shape[0] == inputShape[0],
                     "Flatten.backward: output gradient \(dy.shape) does not match input \(inputShape)")
        return dy.reshaped(inputShape)
    }

    /// (d₁, …, dₖ) → (d₁·…·dₖ). On batch-minor data (F, B) a flatten changes nothing at all.
    public func outputSampleShape(forInput shape: [Int]) -> [Int] { [shape.reduce(1, *)] }
    public func forwardBatchMinor(_ x: Tensor, sampleShape: [Int]) -> Tensor {
        inputShape = [x.shape[1]] + sampleShape   // for an NCHW backward pass called on its own
        return x
    }
    public func backwardBatchMinor(_ dy: Tensor) -> Tensor { dy }
}
