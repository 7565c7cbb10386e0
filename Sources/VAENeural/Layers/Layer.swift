/// A trainable tensor and the gradient that backward passes accumulate into it.
///
/// A class, so that a layer and the optimizer that updates it hold the same storage.
/// `name` is the key under which PyTorch's `state_dict` would store it (for example
/// `weight` inside a layer; containers prefix it, as in `encoder.conv1.weight`).
public final class Parameter {
    public var name: String
    public var value: Tensor
    public var gradient: Tensor

    public init(name: String, value: Tensor) {
        self.name = name
        self.value = value
        self.gradient = Tensor(shape: value.shape)
    }

    /// Sets the gradient to zero, before the backward pass of the next step accumulates into it.
    public func zeroGradient() {
        gradient.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }
}

/// One differentiable step of a network: a forward/backward pair.
///
/// - `forward` computes the output and caches exactly what `backward` will need.
/// - `backward` takes ∂L/∂output, **accumulates** ∂L/∂θ into each parameter's gradient (so that
///   gradients from several uses or several batches add up), and returns ∂L/∂input.
/// - `parameters` lists what an optimizer updates; `buffers` lists state that is saved but not
///   trained (BatchNorm's running statistics).
/// - `isTraining` switches layers that behave differently at evaluation (BatchNorm).
public protocol Layer: AnyObject {
    func forward(_ input: Tensor) -> Tensor
    func backward(_ outputGradient: Tensor) -> Tensor
    var parameters: [Parameter] { get }
    var buffers: [Parameter] { get }
    var isTraining: Bool { get set }
}

extension Layer {
    public var parameters: [Parameter] { [] }
    public var buffers: [Parameter] { [] }
    /// Sets every parameter's gradient to zero.
    public func zeroGradients() { for p in parameters { p.zeroGradient() } }
}
