/// The result of comparing a layer's backward pass with finite differences of its forward pass.
public struct GradientCheckResult: Sendable {
    /// Relative error of ∂L/∂input along a random direction.
    public var input: Double
    /// Relative error of ∂L/∂θ along a random direction, per parameter name.
    public var parameters: [String: Double]
    /// The largest of all the errors.
    public var worst: Double { ([input] + parameters.values).max() ?? 0 }

    public init(input: Double, parameters: [String: Double]) {
        self.input = input
        self.parameters = parameters
    }
}

/// Checks a layer's backward pass against central finite differences of its forward pass, along
/// random directions (directional derivatives), in Float with the sums taken in Double. The
/// course's one gradient check: the tests run it on every layer, and chapter 3 plots it.
///
/// The scalar loss is L = ⟨g, f(x)⟩ for a fixed random upstream gradient g, so ∂L/∂x is exactly
/// what `backward(g)` must return. For a random unit direction v, the analytic derivative is
/// ⟨∂L/∂x, v⟩ and the numeric one is (L(x + hv) − L(x − hv)) / 2h; the relative error is
/// |a − n| / max(|a|, |n|, 1e-6). One direction checks every coordinate at once: a wrong entry
/// of the gradient changes ⟨∂L/∂x, v⟩ unless it happens to be orthogonal to v, which a random v
/// almost never is. Each parameter is checked the same way, along its own direction.
///
/// Errors come from two sides: the truncation error of the central difference, O(h²·f‴), and
/// Float rounding in the forward passes, about ε·|L|/h. With h near 1e-2 both are small for
/// smooth layers, and tolerances near 1e-3 are right; a layer that is affine in what is varied
/// (Linear, convolutions) has no truncation error, so a larger h makes the check tighter.
///
/// The layer's parameter values are restored afterwards, and its caches refilled by a final
/// forward pass on `input`. Its gradients hold the analytic ones (zeroed first).
///
/// - Complexity: 3 + 2·(number of parameters) forward passes and one backward pass.
public func checkGradients(of layer: Layer, input: Tensor, seed: UInt64 = 7, step h: Float = 1e-2) -> GradientCheckResult {
    var random = RandomSource(seed: seed)
    let output = layer.forward(input)
    let upstream = Tensor.gaussian(output.shape, using: &random)
    func loss(_ y: Tensor) -> Double {
        var total = 0.0
        for i in 0..<y.count { total += Double(y.scalars[i]) * Double(upstream.scalars[i]) }
        return total
    }
    layer.zeroGradients()
    let inputGradient = layer.backward(upstream)
    let parameterGradients = layer.parameters.map { $0.gradient }

    func relativeError(analytic: Double, numeric: Double) -> Double {
        let scale = max(abs(analytic), abs(numeric), 1e-6)
        return abs(analytic - numeric) / scale
    }
    func unitDirection(_ shape: [Int]) -> Tensor {
        let v = Tensor.gaussian(shape, using: &random)
        return v * Float(1 / max(v.norm(), 1e-12))
    }
    func dot(_ a: Tensor, _ b: Tensor) -> Double {
        var total = 0.0
        for i in 0..<a.count { total += Double(a.scalars[i]) * Double(b.scalars[i]) }
        return total
    }

    // Input direction.
    let v = unitDirection(input.shape)
    let plus = loss(layer.forward(input + v * h))
    let minus = loss(layer.forward(input - v * h))
    let inputError = relativeError(analytic: dot(inputGradient, v), numeric: (plus - minus) / Double(2 * h))

    // One direction per parameter.
    var parameterErrors: [String: Double] = [:]
    for (index, parameter) in layer.parameters.enumerated() {
        let original = parameter.value
        let d = unitDirection(original.shape)
        parameter.value = original + d * h
        let lossPlus = loss(layer.forward(input))
        parameter.value = original - d * h
        let lossMinus = loss(layer.forward(input))
        parameter.value = original
        parameterErrors[parameter.name] = relativeError(
            analytic: dot(parameterGradients[index], d), numeric: (lossPlus - lossMinus) / Double(2 * h))
    }
    _ = layer.forward(input)
    return GradientCheckResult(input: inputError, parameters: parameterErrors)
}
