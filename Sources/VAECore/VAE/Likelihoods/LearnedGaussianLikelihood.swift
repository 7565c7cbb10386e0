import Foundation

extension Likelihood.Kind {
    static let gaussianLearned = Self(declaring: "gaussian_learned")
}

extension Likelihood {
    static let learnedGaussian = Likelihood(.gaussianLearned)
    /// The name of the learned variance in the `state_dict`.
    static let parameterName = LearnedGaussianLikelihood.parameterName
}

/// x grey, x_j ~ N(σ(ℓ_j), v_j) with a variance v_j per pixel learned with the model, as
/// v_j = v_min + e^{s_j} (the parameter `likelihood.log_variance`, s, shape (1, 28, 28)). The
/// floor v_min = 10⁻⁴ (σ ≥ 0.01) stops the always-black border pixels from shrinking their
/// variance to zero, where their density, and the ELBO, would grow without bound. The arithmetic
/// is `GaussianPixelLikelihood`'s, and s's gradient its ∂/∂v times ∂v/∂s = e^s:
///
///     ∂/∂s = ½ [1/v − (x − μ)²/v²] · e^s
public final class LearnedGaussianLikelihood: GaussianPixelLikelihood {
    public static let kind = Likelihood.Kind.gaussianLearned
    public static let commandLineName = "gaussian-learned"
    public static let commandLineHelp = "a learned variance per pixel"
    public static let binarizesData = false

    /// The floor v_min of a learned variance.
    static let minimumVariance: Float = 1e-4
    /// The learned log-variance parameter's start, s = log 0.01: σ ≈ 0.1 for every pixel.
    static let initialLogVariance: Float = log(0.01)
    /// The name of the learned variance in the `state_dict`.
    static let parameterName = "likelihood.log_variance"

    public static func summary(_ configuration: Likelihood) -> String { "gaussian, learned variance per pixel" }

    /// s, (1, 28, 28), at `initialLogVariance`.
    public static func makeParameters(_ configuration: Likelihood) -> [Parameter] {
        [Parameter(name: parameterName,
                   value: Tensor(shape: Architecture.imageShape, scalars: [Float](repeating: initialLogVariance, count: 784)))]
    }

    public let configuration: Likelihood
    /// s, the log-variance above the floor.
    let logVariance: Parameter

    public init(_ configuration: Likelihood, parameters: [Parameter]) {
        guard let logVariance = parameters.first else { preconditionFailure("a learned Gaussian needs its log-variance") }
        self.configuration = configuration
        self.logVariance = logVariance
    }

    public var parameters: [Parameter] { [logVariance] }

    /// v_min + e^{s_j}.
    func pixelVariances(count: Int) -> [Float] {
        guard logVariance.value.count == count else {
            preconditionFailure("a learned Gaussian needs its log-variance of \(count) pixels")
        }
        return logVariance.value.scalars.map { LearnedGaussianLikelihood.minimumVariance + exp($0) }
    }

    func accumulateVarianceGradient(_ varianceGradient: [Double], scale: Float) {
        logVariance.gradient.withUnsafeMutableBufferPointer { ds in
            logVariance.value.withUnsafeBufferPointer { s in
                for j in 0..<varianceGradient.count { ds[j] += Float(varianceGradient[j]) * exp(s[j]) * scale }
            }
        }
    }
}
