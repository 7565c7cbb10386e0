import Foundation

/// What may follow the encoder's Gaussian in q(z|x): an invertible map z₀ ↦ z, conditioned on a
/// context computed from the encoder's features, whose log-determinant is cheap (a normalising
/// flow, Rezende and Mohamed 2015; the course's is Kingma et al.'s inverse autoregressive flow,
/// `InverseAutoregressiveFlow`). The posterior is the Gaussian pushed through the map, and by the
/// change of variables
///
///     log q(z|x) = log N(z₀; μ, diag σ²) − log |det ∂z/∂z₀|,
///
/// which is all that training on either objective and every evaluation need of it: the ELBO's
/// one-sample KL̂, the importance-weighted bound's log-weights and their gradients
/// (`VAE.trainingStep` on either objective, `ImportanceWorkspace`)
/// are written once against this protocol. No inverse is asked for, so DReG (which evaluates
/// log q at a code held fixed) is refused for a model with a flow.
///
/// The model calls, in this order, with N rows (a batch's images, or k codes of each):
///
///     h          = contextVectors(features)                     (N, F) → (N, C)
///     (z, log|det|) = forward(z₀, context: h)                   caches what backward needs
///     (∂L/∂z₀, ∂L/∂h) = backward(∂L/∂z, logDeterminantGradients: ∂L/∂log|det| of each row)
///     ∂L/∂features = contextBackward(∂L/∂h)                     (rows summed per image first, if repeated)
///
/// A new flow is one file: a class conforming to this, with its parameters named `flow.…`, built
/// by its configuration (`FlowConfiguration.makeFlow`).
protocol PosteriorFlow: AnyObject {
    /// Every trained tensor, in state_dict order, named `flow.…`.
    var parameters: [Parameter] { get }
    /// Multiply-adds of one image's pass with one code (the model's cost in benchmarks).
    var multiplyAdds: Int { get }
    /// The context h (N, C) of encoder features (N, F). Caches the features for `contextBackward`.
    func contextVectors(_ features: Tensor) -> Tensor
    /// ∂L/∂features (N, F) from ∂L/∂h (N, C); accumulates the context's parameter gradients.
    func contextBackward(_ dh: Tensor) -> Tensor
    /// z (N, D) from z₀ (N, D) and each row's context (N, C), and log |det ∂z/∂z₀| of each row,
    /// in Double.
    func forward(_ z0: Tensor, context h: Tensor) -> (z: Tensor, logDeterminants: [Double])
    /// ∂L/∂z₀ (N, D) and ∂L/∂h (N, C) from ∂L/∂z (N, D) and c_n = ∂L/∂(log-determinant of row n);
    /// accumulates the map's parameter gradients (not the context's). Call after `forward`.
    func backward(_ dz: Tensor, logDeterminantGradients c: [Float]) -> (z0: Tensor, context: Tensor)
}

extension PosteriorFlow {
    /// `backward` with the same c for every row (the ELBO's one-sample KL̂ weighs every
    /// log-determinant alike).
    func backward(_ dz: Tensor, logDeterminantGradient c: Float) -> (z0: Tensor, context: Tensor) {
        backward(dz, logDeterminantGradients: [Float](repeating: c, count: dz.shape[0]))
    }
}
