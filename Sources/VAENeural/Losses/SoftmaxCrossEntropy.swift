import Foundation

/// Cross-entropy of integer class labels under softmax probabilities: for logits z (N, K) and
/// labels y_n ∈ 0..<K, ℓ_n = −log softmax(z_n)[y_n] = logSumExp(z_n) − z_{n, y_n}. PyTorch's
/// `F.cross_entropy`.
///
/// The log-sum-exp subtracts each row's maximum, so logits of any size work (z = 1000 included).
///
/// Gradient: ∂ℓ_n/∂z_{n,k} = softmax(z_n)_k − [k = y_n], divided by the reduction's divisor.
/// There is one term per sample, so `.mean` and `.sumPerSample` both divide by N.
///
/// - Parameters:
///   - logits: (N, K) unnormalised log-probabilities; −∞ is allowed (a class with probability 0).
///   - labels: N class indices in 0..<K.
/// - Throws: `LossError` for a non-(N, K) or empty input, a label count other than N, a label
///   out of range, or a row containing NaN or +∞ or only −∞.
/// - Complexity: two passes over the logits, one `exp` per element.
public func softmaxCrossEntropy(logits: Tensor, labels: [Int], reduction: Reduction) throws -> LossResult {
    guard logits.rank == 2, logits.shape[0] > 0, logits.shape[1] > 0 else {
        throw LossError("softmaxCrossEntropy: logits must be a non-empty (N, K), got shape \(logits.shape)")
    }
    let (n, k) = (logits.shape[0], logits.shape[1])
    guard labels.count == n else {
        throw LossError("softmaxCrossEntropy: \(labels.count) labels for \(n) rows of logits")
    }
    if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= k }) {
        throw LossError("softmaxCrossEntropy: label \(labels[bad]) of sample \(bad) is outside 0..<\(k)")
    }
    let scale = 1 / reduction.divisor(termCount: n, batchSize: n)
    var gradient = Tensor(shape: logits.shape)
    var total = 0.0
    var badRow: Int? = nil
    logits.withUnsafeBufferPointer { z in
        gradient.withUnsafeMutableBufferPointer { g in
            for row in 0..<n {
                let zr = z.baseAddress! + row * k, gr = g.baseAddress! + row * k
                var m = -Float.infinity
                var hasNaN = false
                for j in 0..<k {
                    if zr[j].isNaN { hasNaN = true }
                    m = max(m, zr[j])
                }
                guard !hasNaN, m.isFinite else { badRow = row; return }
                // e_j = exp(z_j − m) into the gradient buffer, then normalise in place.
                var sum = 0.0
                for j in 0..<k {
                    let e = exp(zr[j] - m)
                    gr[j] = e
                    sum += Double(e)
                }
                let label = labels[row]
                total += Double(m) + log(sum) - Double(zr[label])
                let factor = Float(scale / sum)
                for j in 0..<k { gr[j] *= factor }
                gr[label] -= Float(scale)
            }
        }
    }
    if let badRow {
        throw LossError("softmaxCrossEntropy: row \(badRow) of the logits has a NaN, a +∞, or only −∞")
    }
    return LossResult(value: total * scale, gradient: gradient)
}

/// Naive reference in Double: log Σ e^{z} by the max-subtracted formula, minus the label's logit.
func softmaxCrossEntropyReference(logits: [Double], classes: Int, labels: [Int], divisor: Double) -> Double {
    var total = 0.0
    for (row, label) in labels.enumerated() {
        let z = Array(logits[row * classes ..< (row + 1) * classes])
        total += logSumExp(z) - z[label]
    }
    return total / divisor
}
