/// Layers that run on *batch-minor* activations, and the chains that pass them along without
/// changing layout.
///
/// ## Why a second layout
/// A layer's public `forward` takes and returns NCHW tensors, (B, C, H, W): sample by sample,
/// the layout of the data, of PyTorch and of every figure. The convolutions compute in the
/// batch-minor layout instead, the matrix (C·H·W, B) in which the B values of each pixel sit side
/// by side (see `Conv2d` and `Im2ColBatchMinor.swift`): their GEMMs read and write it directly.
/// Called one at a time, each convolution transposes its input to batch-minor and its output back,
/// and the next one transposes again: on the reference VAE's training step those transposes moved
/// about 8 million floats, some 7% of the step. A chain of layers that all speak batch-minor
/// (`Sequential.runsBatchMinor`) transposes once on the way in and once on the way out; between
/// them every layer takes (F, B) and returns (F', B), with F = the product of the sample's shape.
///
/// ## Same bits in both layouts
/// Every layer has one computation, written on the batch-minor layout, and its NCHW `forward`
/// and `backward` transpose around it (transposes are exact), or compute the very same
/// operations in another order of memory (`Linear`, elementwise layers). So a network trained
/// through its `Sequential` in batch-minor and the same layers called one by one on NCHW tensors
/// (chapter 5 writes its training step out that way) agree to the last bit; the tests check it.
///
/// A batch-minor activation is a `Tensor` of shape [F, B]. The per-sample shape ([C, H, W] for
/// an image, [F] for a vector) travels beside it: the layers that need it (a convolution's
/// geometry) are told it.
public protocol BatchMinorLayer: Layer {
    /// The shape of one output sample for one input sample of `shape` (no batch axis).
    /// Stops with the layer's message when it cannot take the input (as `forward` does).
    func outputSampleShape(forInput shape: [Int]) -> [Int]
    /// forward on x (F, B), each sample of shape `sampleShape`: returns (F', B); caches what
    /// `backwardBatchMinor` needs.
    func forwardBatchMinor(_ x: Tensor, sampleShape: [Int]) -> Tensor
    /// backward on ∂L/∂y (F', B): accumulates the parameter gradients, returns ∂L/∂x (F, B) (or an
    /// empty tensor, shape [0], from a first convolution that skips it).
    func backwardBatchMinor(_ dy: Tensor) -> Tensor
}

/// The batch-minor matrix (F, B) of a batch `x` (B, sample…), by one transpose.
package func batchMinor(_ x: Tensor) -> Tensor {
    precondition(x.rank >= 1, "a batch needs a batch axis, got shape \(x.shape)")
    let b = x.shape[0], f = b == 0 ? 0 : x.count / b
    return x.withUnsafeBufferPointer { px in
        makeLayerOutput(shape: [f, b]) { out in transpose(px.baseAddress!, rows: b, columns: f, into: out) }
    }
}

/// The batch (B, sampleShape…) of a batch-minor matrix (F, B), by one transpose.
package func batchMajor(_ x: Tensor, sampleShape: [Int]) -> Tensor {
    precondition(x.rank == 2 && x.shape[0] == sampleShape.reduce(1, *),
                 "a batch-minor matrix of samples \(sampleShape) must be (\(sampleShape.reduce(1, *)), B), got \(x.shape)")
    let (f, b) = (x.shape[0], x.shape[1])
    return x.withUnsafeBufferPointer { px in
        makeLayerOutput(shape: [b] + sampleShape) { out in transpose(px.baseAddress!, rows: f, columns: b, into: out) }
    }
}

/// What an elementwise layer keeps for its backward pass (its input or its output), and the
/// layout the forward pass ran in.
public struct ElementwiseCache {
    public var tensor: Tensor
    /// The per-sample shape when the forward pass ran batch-minor (`tensor` is then (F, B)); nil
    /// for an NCHW forward pass.
    var batchMinorSample: [Int]?

    public init(_ tensor: Tensor) { self.tensor = tensor }
}

/// A layer y = f(x) applied element by element: the same computation in any layout. It writes
/// `forward` (which stores its `elementwiseCache`) and `elementwiseGradient` (∂L/∂x from the
/// cache and ∂L/∂y, element by element); `backward` and the batch-minor passes come from here.
/// A backward pass called in the other layout than its forward pass (a chain's forward, then the
/// layers' NCHW backward passes one by one) transposes the gradient to the cache's layout and back.
public protocol ElementwiseLayer: BatchMinorLayer {
    var elementwiseCache: ElementwiseCache? { get set }
    /// ∂L/∂x from the cached tensor and ∂L/∂y, both in the same layout and shape.
    func elementwiseGradient(cached: Tensor, outputGradient: Tensor) -> Tensor
}

extension ElementwiseLayer {
    public func outputSampleShape(forInput shape: [Int]) -> [Int] { shape }

    public func forwardBatchMinor(_ x: Tensor, sampleShape: [Int]) -> Tensor {
        let y = forward(x)
        elementwiseCache?.batchMinorSample = sampleShape
        return y
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        backward(outputGradient, batchMinor: false)
    }

    public func backwardBatchMinor(_ dy: Tensor) -> Tensor {
        backward(dy, batchMinor: true)
    }

    /// ∂L/∂x in the layout of `dy` (batch-minor or NCHW), computed in the layout of the cache.
    private func backward(_ dy: Tensor, batchMinor dyIsBatchMinor: Bool) -> Tensor {
        guard let cache = elementwiseCache else { preconditionFailure("\(Self.self).backward called before forward") }
        let cacheIsBatchMinor = cache.batchMinorSample != nil
        let inCacheLayout: Tensor
        switch (dyIsBatchMinor, cacheIsBatchMinor) {
        case (true, true), (false, false): inCacheLayout = dy
        case (false, true): inCacheLayout = VAENeural.batchMinor(dy)
        case (true, false): inCacheLayout = batchMajor(dy, sampleShape: Array(cache.tensor.shape.dropFirst()))
        }
        precondition(inCacheLayout.shape == cache.tensor.shape,
                     "\(Self.self).backward: gradient shape \(dy.shape) differs from the forward pass's \(cache.tensor.shape)")
        let dx = elementwiseGradient(cached: cache.tensor, outputGradient: inCacheLayout)
        switch (dyIsBatchMinor, cacheIsBatchMinor) {
        case (true, true), (false, false): return dx
        case (false, true): return batchMajor(dx, sampleShape: cache.batchMinorSample!)
        case (true, false): return VAENeural.batchMinor(dx)
        }
    }
}
