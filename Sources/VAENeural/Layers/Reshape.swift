/// Gives every sample of a batch a new shape with the same number of values:
/// (B, …) → (B, shape…), for example (B, 3136) → (B, 64, 7, 7) at the start of the VAE's decoder.
/// Like `Flatten`, it only relabels the row-major data; backward restores the input's shape.
public final class Reshape: BatchMinorLayer {
    /// The shape of one output sample.
    public let shape: [Int]
    public var isTraining = true
    private var inputShape: [Int]?

    /// A reshape of each sample to `shape`, whose sizes must be positive.
    public init(_ shape: [Int]) throws {
        guard !shape.isEmpty, shape.allSatisfy({ $0 > 0 }) else {
            throw LayerConfigurationError("Reshape needs a non-empty shape of positive sizes, got \(shape)")
        }
        self.shape = shape
    }

    /// (B, …) → (B, shape…); throws when a sample does not hold exactly ∏shape values.
    public func outputShape(forInput input: [Int]) throws -> [Int] {
        guard input.count >= 1, input[0] > 0, input.dropFirst().reduce(1, *) == shape.reduce(1, *) else {
            throw LayerConfigurationError("Reshape to \(shape) needs (B, …) with \(shape.reduce(1, *)) values per sample, got \(input)")
        }
        return [input[0]] + shape
    }

    public func forward(_ x: Tensor) -> Tensor {
        let outShape = requireShape { try outputShape(forInput: x.shape) }
        inputShape = x.shape
        return x.reshaped(outShape)
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let inputShape else { preconditionFailure("Reshape.backward called before forward") }
        precondition(dy.shape == [inputShape[0]] + shape,
                     "Reshape.backward: output gradient \(dy.shape) should be \([inputShape[0]] + shape)")
        return dy.reshaped(inputShape)
    }

    /// (…) → `shape`. On batch-minor data (F, B) a reshape changes nothing at all.
    public func outputSampleShape(forInput input: [Int]) -> [Int] {
        precondition(input.reduce(1, *) == shape.reduce(1, *), "Reshape to \(shape) needs samples of \(shape.reduce(1, *)) values, got \(input)")
        return shape
    }
    public func forwardBatchMinor(_ x: Tensor, sampleShape: [Int]) -> Tensor {
        _ = outputSampleShape(forInput: sampleShape)
        inputShape = [x.shape[1]] + sampleShape   // for an NCHW backward pass called on its own
        return x
    }
    public func backwardBatchMinor(_ dy: Tensor) -> Tensor { dy }
}
