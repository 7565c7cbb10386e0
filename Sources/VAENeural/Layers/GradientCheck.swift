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

/// Why a gradient check against a Double reference could not be made.
public enum GradientCheckError: Error, Equatable, CustomStringConvertible {
    /// The reference returned `got` values where the layer's output has `expected`.
    case referenceSize(expected: Int, got: Int)
    /// The reference computes another function than the layer: the largest difference between
    /// the two outputs, relative to the largest output.
    case referenceDisagrees(relativeDifference: Double)

    public var description: String {
        switch self {
        case .referenceSize(let expected, let got):
            return "the Double reference returned \(got) values, the layer's output has \(expected)"
        case .referenceDisagrees(let difference):
            return String(format: "the Double reference is not the layer's forward pass: their outputs differ by %.2g of the largest output", difference)
        }
    }
}

/// The gradient check in Float64: the layer's backward pass (in Float, as it trains) against
/// central differences of `reference`, the same forward pass written in Double.
///
/// In Float the forward pass rounds to about ε = 6·10⁻⁸ of |L|, and the finite difference divides
/// that by h: where the directional derivative is small against L (a BatchNorm inside a network
/// leaves little of a random direction), the check's error reaches 10⁻², as large as a real bug's.
/// In Double the rounding is 10⁻¹⁶·|L|/h, and with h = 10⁻⁴ the truncation error O(h²) is near
/// 10⁻⁸: what remains is the analytic gradient's own Float rounding, about 10⁻⁶ or less for a
/// correct backward pass, so a wrong one stands out by orders of magnitude.
///
/// The loss, the random upstream gradient g and the directions are those of
/// `checkGradients(of:input:seed:step:)` with the same seed, drawn in Float and used in Double.
///
/// - Parameters:
///   - reference: the layer's forward pass in Double: (the input's values in row-major order, each
///     of `layer.parameters`' values in order) → the output's values, in the layer's layout.
///   - step: h, applied in Double.
/// - Throws: `GradientCheckError` when the reference's output at `input` is not the layer's
///   (another length, or values apart by more than 10⁻³ of the largest), since the check would
///   then compare the backward pass with another function.
public func checkGradients(of layer: Layer, input: Tensor, seed: UInt64 = 7, step h: Double = 1e-4,
                           reference: (_ input: [Double], _ parameters: [[Double]]) -> [Double]) throws -> GradientCheckResult {
    var random = RandomSource(seed: seed)
    let output = layer.forward(input)
    let upstream = Tensor.gaussian(output.shape, using: &random).scalars.map(Double.init)
    let x = input.scalars.map(Double.init)
    let parameters = layer.parameters.map { $0.value.scalars.map(Double.init) }

    let atInput = reference(x, parameters)
    guard atInput.count == output.count else { throw GradientCheckError.referenceSize(expected: output.count, got: atInput.count) }
    let largest = output.scalars.reduce(0.0) { max($0, abs(Double($1))) }
    let difference = zip(atInput, output.scalars).reduce(0.0) { max($0, abs($1.0 - Double($1.1))) }
    guard difference <= 1e-3 * max(largest, 1e-6) else {
        throw GradientCheckError.referenceDisagrees(relativeDifference: difference / max(largest, 1e-6))
    }

    func loss(_ y: [Double]) -> Double { zip(y, upstream).reduce(0.0) { $0 + $1.0 * $1.1 } }
    func dot(_ a: Tensor, _ b: [Double]) -> Double { zip(a.scalars, b).reduce(0.0) { $0 + Double($1.0) * $1.1 } }
    func unitDirection(_ shape: [Int]) -> [Double] {
        let v = Tensor.gaussian(shape, using: &random).scalars.map(Double.init)
        let norm = v.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
        return v.map { $0 / max(norm, 1e-12) }
    }
    func relativeError(analytic: Double, numeric: Double) -> Double {
        abs(analytic - numeric) / max(abs(analytic), abs(numeric), 1e-6)
    }
    func moved(_ values: [Double], _ direction: [Double], by t: Double) -> [Double] { zip(values, direction).map { $0 + t * $1 } }

    layer.zeroGradients()
    let inputGradient = layer.backward(Tensor(shape: output.shape, scalars: upstream.map(Float.init)))
    let parameterGradients = layer.parameters.map { $0.gradient }

    let v = unitDirection(input.shape)
    let numericInput = (loss(reference(moved(x, v, by: h), parameters)) - loss(reference(moved(x, v, by: -h), parameters))) / (2 * h)
    let inputError = relativeError(analytic: dot(inputGradient, v), numeric: numericInput)

    var parameterErrors: [String: Double] = [:]
    for (index, parameter) in layer.parameters.enumerated() {
        let d = unitDirection(parameter.value.shape)
        var plus = parameters, minus = parameters
        plus[index] = moved(parameters[index], d, by: h)
        minus[index] = moved(parameters[index], d, by: -h)
        let numeric = (loss(reference(x, plus)) - loss(reference(x, minus))) / (2 * h)
        parameterErrors[parameter.name] = relativeError(analytic: dot(parameterGradients[index], d), numeric: numeric)
    }
    return GradientCheckResult(input: inputError, parameters: parameterErrors)
}
