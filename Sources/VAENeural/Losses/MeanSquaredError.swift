/// Squared error ℓ = (p − t)² per element, summed or averaged according to `reduction`
/// (`.mean` is PyTorch's default `mse_loss`).
///
/// Gradient: ∂ℓ/∂p = 2(p − t), divided by the reduction's divisor. The gradient with respect to
/// the target is its negative; only the prediction's is returned.
///
/// - Parameters:
///   - prediction: p, any shape (N, …) with the batch on axis 0.
///   - target: t, the same shape.
/// - Throws: `LossError` for different or empty shapes.
/// - Complexity: one pass; differences and squares in Double.
func meanSquaredError(prediction: Tensor, target: Tensor, reduction: Reduction) throws -> LossResult {
    try LossError.requireSameShape("meanSquaredError", "prediction", prediction, "target", target)
    let scale = 1 / reduction.divisor(termCount: prediction.count, batchSize: prediction.shape[0])
    let gradientScale = Float(2 * scale)
    var gradient = Tensor(shape: prediction.shape)
    var total = 0.0
    prediction.withUnsafeBufferPointer { p in
        target.withUnsafeBufferPointer { t in
            gradient.withUnsafeMutableBufferPointer { g in
                for i in 0..<p.count {
                    let d = Double(p[i]) - Double(t[i])
                    total += d * d
                    g[i] = Float(d) * gradientScale
                }
            }
        }
    }
    return LossResult(value: total * scale, gradient: gradient)
}

/// Naive reference in Double.
func meanSquaredErrorReference(prediction: [Double], target: [Double], divisor: Double) -> Double {
    zip(prediction, target).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / divisor
}
