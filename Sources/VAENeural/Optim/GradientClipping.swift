/// Gradient clipping by global norm, as `torch.nn.utils.clip_grad_norm_`.
///
/// All gradients are treated as one long vector g. If its Euclidean norm ‖g‖ exceeds `maxNorm`,
/// every gradient is scaled by maxNorm / (‖g‖ + 10⁻⁶), so the direction of the update is kept
/// and only its length is capped; otherwise nothing changes. One exploding batch then cannot
/// throw the parameters far away.
///
/// - Returns: ‖g‖ before clipping (log it: a growing norm is an early warning).
/// - Throws: `OptimizerError.invalidHyperparameter` if `maxNorm` is negative or NaN;
///   `OptimizerError.nonfiniteGradientNorm` if ‖g‖ is NaN or infinite and `errorIfNonfinite`
///   (then nothing is changed). Without that flag a non-finite norm is handled as PyTorch does:
///   the coefficient is 0 (norm ∞) or NaN, and the gradients are multiplied by it.
/// - Complexity: two passes over the gradients (one when no clipping is needed).
@discardableResult
func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float,
                             errorIfNonfinite: Bool = false) throws -> Float {
    guard maxNorm >= 0 else {
        throw OptimizerError.invalidHyperparameter("maxNorm \(maxNorm) must be ≥ 0")
    }
    let total = gradientNorm(parameters)
    if errorIfNonfinite && !total.isFinite { throw OptimizerError.nonfiniteGradientNorm(total) }
    // PyTorch: clip_coef = max_norm / (total_norm + 1e-6), clamped to at most 1, in float32.
    let coefficient = maxNorm / (total + 1e-6)
    let clamped = coefficient.isNaN ? coefficient : Swift.min(coefficient, 1)
    if clamped != 1 {   // multiplying by exactly 1 would change nothing
        for parameter in parameters {
            parameter.gradient.withUnsafeMutableBufferPointer { g in
                for i in g.indices { g[i] *= clamped }
            }
        }
    }
    return total
}

/// The Euclidean norm of all gradients of `parameters` taken as one vector, √(Σ g²).
///
/// Squares are accumulated in `Double` (PyTorch sums per-tensor norms in `float32`; the two
/// agree to about 10⁻⁷ relative), then the root is rounded to `Float`.
///
/// - Complexity: O(total parameter count), eight lanes at a time.
func gradientNorm(_ parameters: [Parameter]) -> Float {
    var sum = 0.0
    for parameter in parameters {
        sum += parameter.gradient.withUnsafeBufferPointer { sumOfSquares($0) }
    }
    return Float(sum.squareRoot())
}

/// Σ x² over `x`, accumulated in `Double`: four lanes of two accumulators.
func sumOfSquares(_ x: UnsafeBufferPointer<Float>) -> Double {
    guard let base = x.baseAddress else { return 0 }
    var low = SIMD4<Double>(), high = SIMD4<Double>()
    var i = 0
    while i + 8 <= x.count {
        let v = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD8<Float>.self)
        let a = SIMD4<Double>(v.lowHalf), b = SIMD4<Double>(v.highHalf)
        low.addProduct(a, a)
        high.addProduct(b, b)
        i += 8
    }
    var total = (low + high).sum()
    while i < x.count {
        let d = Double(base[i])
        total += d * d
        i += 1
    }
    return total
}

/// Σ x², one element at a time: the reference for `sumOfSquares`.
func sumOfSquaresReference(_ x: UnsafeBufferPointer<Float>) -> Double {
    var total = 0.0
    for value in x { total += Double(value) * Double(value) }
    return total
}
