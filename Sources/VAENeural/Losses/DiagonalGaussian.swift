import VAENumerics

/// A batch of diagonal Gaussians N(μ, diag e^{log σ²}): μ and log σ², (B, D) each. What an
/// encoder reports for one modality (an "expert"), what the product of experts returns, and, with
/// the same shapes, the gradient of a loss with respect to both.
public struct DiagonalGaussian: Sendable {
    /// μ, (B, D).
    public var mean: Tensor
    /// log σ², (B, D).
    public var logVariance: Tensor

    public init(mean: Tensor, logVariance: Tensor) {
        precondition(mean.rank == 2 && mean.shape == logVariance.shape,
                     "a diagonal Gaussian needs μ and log σ² of one (B, D) shape, not \(mean.shape) and \(logVariance.shape)")
        self.mean = mean
        self.logVariance = logVariance
    }

    /// The encoder head's output (B, 2D) read as μ (first D columns) and log σ² (the rest).
    public init(statistics: Tensor) {
        let d = statistics.shape[1] / 2
        self.init(mean: statistics.columns(0..<d), logVariance: statistics.columns(d..<2 * d))
    }

    /// μ and log σ² side by side, (B, 2D): the layout of an encoder head's output.
    public var statistics: Tensor { Tensor.concatenateColumns(mean, logVariance) }

    /// B, the number of Gaussians.
    public var count: Int { mean.shape[0] }

    /// The marginal of coordinates `range`, (B, range.count): a diagonal Gaussian's coordinates
    /// are independent, so its marginal keeps their μ and log σ².
    public func columns(_ range: Range<Int>) -> DiagonalGaussian {
        DiagonalGaussian(mean: mean.columns(range), logVariance: logVariance.columns(range))
    }

    /// Independent Gaussians side by side: (B, D₁), (B, D₂), … give (B, D₁ + D₂ + …).
    package static func concatenatingColumns(_ parts: [DiagonalGaussian]) -> DiagonalGaussian {
        precondition(!parts.isEmpty, "concatenatingColumns needs at least one Gaussian")
        return parts.dropFirst().reduce(parts[0]) { a, b in
            DiagonalGaussian(mean: Tensor.concatenateColumns(a.mean, b.mean),
                             logVariance: Tensor.concatenateColumns(a.logVariance, b.logVariance))
        }
    }

    /// Adds `b`'s μ and log σ² to `a`'s, as a gradient with respect to both accumulates.
    public static func += (a: inout DiagonalGaussian, b: DiagonalGaussian) {
        a.mean += b.mean
        a.logVariance += b.logVariance
    }

    /// N(0, I) for B rows of D coordinates: μ = 0, log σ² = 0.
    package static func standardNormal(count: Int, dimensions: Int) -> DiagonalGaussian {
        DiagonalGaussian(mean: Tensor(shape: [count, dimensions]), logVariance: Tensor(shape: [count, dimensions]))
    }
}
