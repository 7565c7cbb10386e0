import Foundation

/// log((1/k) Σ_i e^{w_i}) = logSumExp(w) − log k: the importance-weighted estimate of log p(x)
/// from the k log-weights w_i = log p(x, z_i) − log q(z_i|x).
///
/// `logSumExp` subtracts the real maximum before exponentiating, so log-weights around −100
/// (a typical log p(x, z) of an MNIST digit) or −10⁴ neither underflow to log 0 nor lose the
/// spread between them: e^{w − max} ∈ (0, 1] and the sum is at least 1.
///
/// - Precondition: `logWeights` is not empty (k ≥ 1 is checked by the callers, which throw).
/// - Complexity: two passes, one `exp` per weight.
public func logMeanExp(_ logWeights: [Double]) -> Double {
    precondition(!logWeights.isEmpty, "logMeanExp of no values")
    return logSumExp(logWeights) - log(Double(logWeights.count))
}

/// Naive reference: log of the mean of the exponentials, literally, in Double. Exact for
/// moderate values; underflows to −∞ below about −745.
func logMeanExpNaive(_ values: [Double]) -> Double {
    log(values.map(exp).reduce(0, +) / Double(values.count))
}
