import Foundation

/// The typicality test of Nalisnick, Matsukawa, Teh and Lakshminarayanan (2019), "Detecting
/// out-of-distribution inputs to deep generative models using typicality".
///
/// **Why not the likelihood itself.** In high dimensions the most *likely* inputs are not the
/// *typical* ones. For a standard Gaussian in 784 dimensions the density peaks at the origin,
/// yet samples have norm ≈ 28 and never land near it: almost all the probability sits in a thin
/// shell, the typical set, where −log p(x) is close to the entropy H = E[−log p(x)]. A blank image
/// can be the single most probable image of a model of digits and still be nothing like a digit.
/// So test how far an input's code length is from the entropy, on either side:
///
///     ε̂(x₁…x_M) = | (1/M) Σ_m −log p(x_m) − Ĥ |,
///
/// Ĥ the mean −log p over images of the training distribution. Too likely (blank) and too
/// unlikely (noise) both give a large ε̂. Over a batch of M inputs from one source, the mean's
/// spread shrinks as 1/√M, so the test grows sharper with M; with M = 1 it is a per-image score.
public enum Typicality {
    /// ε̂ for each batch of `batchSize` consecutive values of `negativeLogLikelihoods` (the last
    /// batch dropped when incomplete), against the entropy estimate `entropy`.
    /// - Throws: `AnomalyError` for a batch size below 1, fewer values than one batch, or a
    ///   non-finite value.
    /// - Complexity: O(N).
    public static func statistics(negativeLogLikelihoods nll: [Double], entropy: Double, batchSize m: Int) throws -> [Double] {
        guard m >= 1 else { throw AnomalyError("the typicality test needs batches of at least 1 image, not \(m)") }
        guard nll.count >= m else { throw AnomalyError("\(nll.count) images cannot fill one batch of \(m)") }
        guard entropy.isFinite, nll.allSatisfy(\.isFinite) else {
            throw AnomalyError("the typicality test needs finite likelihoods and entropy")
        }
        return (0..<(nll.count / m)).map { b in
            abs(nll[(b * m)..<((b + 1) * m)].reduce(0, +) / Double(m) - entropy)
        }
    }
}
