/// How a loss turns its per-element terms into one number. Every loss takes one explicitly;
/// there is no default, because the choice changes the scale of the gradient and so the
/// effective learning rate.
///
/// The gradient is always the gradient of the reduced value: a loss reduced by `.mean` over
/// E elements has gradients 1/E times those of `.sum`.
public enum Reduction: Sendable, Equatable, CaseIterable {
    /// The sum of every term (over the batch and every other axis).
    case sum
    /// The sum divided by the number of terms: PyTorch's default `reduction='mean'`. For losses
    /// with one term per element (BCE, MSE, KL) that is N·(everything else); for softmax
    /// cross-entropy, which has one term per sample, it is N.
    case mean
    /// The sum divided by the batch size N (the first axis): the loss per sample, summed over
    /// pixels or latent dimensions. This is the VAE's "nats per image".
    case sumPerSample

    /// What the sum is divided by, for `termCount` terms in a batch of `batchSize` samples.
    @inlinable
    func divisor(termCount: Int, batchSize: Int) -> Double {
        switch self {
        case .sum: return 1
        case .mean: return Double(termCount)
        case .sumPerSample: return Double(batchSize)
        }
    }
}

/// A loss value and its gradient with respect to the loss's (first) input.
public struct LossResult: Sendable {
    /// The reduced loss, accumulated in Double.
    public var value: Double
    /// ∂value/∂input, with the input's shape.
    public var gradient: Tensor

    public init(value: Double, gradient: Tensor) {
        self.value = value
        self.gradient = gradient
    }
}

/// Invalid input to a loss function: mismatched shapes, an empty batch, a label or target out
/// of range. The message names the loss and the offending values.
public struct LossError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }

    /// Checks that `a` and `b` have the same non-empty shape of rank ≥ 1.
    package static func requireSameShape(_ loss: String, _ nameA: String, _ a: Tensor, _ nameB: String, _ b: Tensor) throws {
        guard a.shape == b.shape else {
            throw LossError("\(loss): \(nameA) has shape \(a.shape) but \(nameB) has shape \(b.shape)")
        }
        guard a.rank >= 1, a.count > 0 else {
            throw LossError("\(loss): needs a non-empty batch with the batch on axis 0, got shape \(a.shape)")
        }
    }
}
