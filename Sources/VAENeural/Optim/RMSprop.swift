/// RMSprop (Hinton's lecture 6e, 2012), exactly as `torch.optim.RMSprop`: each coordinate's step
/// is divided by a running root mean square of its gradients, so that coordinates with large
/// gradients take small steps and those with small gradients large ones.
///
/// For each parameter p with gradient g, at learning rate η, smoothing constant α, ε, momentum μ
/// and weight decay λ:
///
///     g ← g + λ·p                                   (if λ ≠ 0: L2 folded into the gradient)
///     s ← α·s + (1 − α)·g²                          (PyTorch's `square_avg`)
///     a ← lerp(a, g, 1 − α) = a + (1 − α)·(g − a)   (centered only: `grad_avg`, the mean gradient)
///     r ← √(s − a²) + ε    (centered)    or    √s + ε
///     b ← μ·b + g / r,  p ← p − η·b                 (if μ > 0: `momentum_buffer`)
///     p ← p − η·g / r                               (otherwise)
///
/// Adam is RMSprop's denominator with a momentum on the numerator and bias corrections: here s
/// starts at zero and is not corrected, so the first steps are large (η·g/√((1 − α)g²) ≈ 10·η for
/// α = 0.99). The centred form divides by an estimate of the gradient's standard deviation
/// instead of its root mean square (Graves, 2013).
///
/// Hyperparameters other than the learning rate are `Double`, rounded to `Float` once (1 − α is
/// formed before rounding), as PyTorch's Python floats are; the kernels follow PyTorch's CPU
/// operations (see `RMSpropKernel`).
public final class RMSprop: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    /// α: how much of the running mean square each update keeps.
    public let alpha: Double
    /// ε: added to the root mean square to keep the step bounded.
    public let epsilon: Double
    /// μ: the momentum of the normalised step; 0 disables it.
    public let momentum: Double
    /// Whether to divide by the gradient's running standard deviation instead of its RMS.
    public let centered: Bool
    /// λ: the L2 coefficient added to the gradient as λ·p.
    public let weightDecay: Double
    public private(set) var stepCount = 0

    /// The running mean square s of all parameters, concatenated.
    private var squareAverage: [Float]
    /// The running mean gradient a (centred only; else empty).
    private var gradientAverage: [Float]
    /// The momentum buffers b (μ > 0 only; else empty).
    private var momentumBuffer: [Float]
    /// Parameter `i` owns elements `offsets[i] ..< offsets[i + 1]` of each buffer.
    private let offsets: [Int]

    /// PyTorch's names of the three buffers.
    static let squareAverageName = "square_avg", gradientAverageName = "grad_avg", momentumName = "momentum_buffer"

    /// PyTorch's defaults: η = 10⁻², α = 0.99, ε = 10⁻⁸, no momentum, not centred, λ = 0.
    ///
    /// - Throws: `OptimizerError.invalidHyperparameter` for η < 0, α outside [0, 1), ε < 0,
    ///   μ < 0 or λ < 0 (or any non-finite value); `OptimizerError.duplicateParameterName`.
    public init(_ parameters: [Parameter], learningRate: Float = 1e-2, alpha: Double = 0.99, epsilon: Double = 1e-8,
                momentum: Double = 0, centered: Bool = false, weightDecay: Double = 0) throws {
        try requireFiniteNonNegative(learningRate, "learning rate")
        guard alpha >= 0, alpha < 1 else {
            throw OptimizerError.invalidHyperparameter("alpha = \(alpha) must lie in [0, 1)")
        }
        try requireFiniteNonNegative(epsilon, "epsilon")
        try requireFiniteNonNegative(momentum, "momentum")
        try requireFiniteNonNegative(weightDecay, "weight decay")
        try checkUniqueNames(parameters)
        self.parameters = parameters
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
        self.centered = centered
        self.weightDecay = weightDecay
        offsets = concatenationOffsets(parameters)
        let total = offsets.last!
        squareAverage = [Float](repeating: 0, count: total)
        gradientAverage = [Float](repeating: 0, count: centered ? total : 0)
        momentumBuffer = [Float](repeating: 0, count: momentum > 0 ? total : 0)
    }

    public var bufferNames: [String] {
        [Self.squareAverageName] + (momentum > 0 ? [Self.momentumName] : []) + (centered ? [Self.gradientAverageName] : [])
    }

    /// The per-update constants, each rounded to `Float` once.
    var coefficients: RMSpropKernel.Coefficients {
        let lerpWeight = Float(1 - alpha)
        let weightIsSmall = abs(lerpWeight) < 0.5
        return RMSpropKernel.Coefficients(
            negativeLearningRate: -learningRate, weightDecay: Float(weightDecay), alpha: Float(alpha),
            alphaComplement: Float(1 - alpha),
            lerpCoefficient: weightIsSmall ? lerpWeight : lerpWeight - 1, lerpFromStart: weightIsSmall,
            epsilon: Float(epsilon), momentum: Float(momentum))
    }

    /// - Complexity: O(total parameter count); no allocation.
    public func step() {
        stepCount += 1
        let c = coefficients
        squareAverage.withUnsafeMutableBufferPointer { s in
            gradientAverage.withUnsafeMutableBufferPointer { a in
                momentumBuffer.withUnsafeMutableBufferPointer { b in
                    for (i, parameter) in parameters.enumerated() {
                        let start = offsets[i], count = offsets[i + 1] - start
                        checkParameterSize(parameter, count)
                        guard count > 0 else { continue }
                        parameter.value.withUnsafeMutableBufferPointer { p in
                            parameter.gradient.withUnsafeBufferPointer { g in
                                RMSpropKernel.update(count: count, value: p.baseAddress!, gradient: g.baseAddress!,
                                                     squareAverage: s.baseAddress! + start,
                                                     gradientAverage: centered ? a.baseAddress! + start : nil,
                                                     momentumBuffer: momentum > 0 ? b.baseAddress! + start : nil, c)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The buffers this optimizer keeps, by name, in `bufferNames` order.
    private var namedBuffers: [(String, [Float])] {
        [(Self.squareAverageName, squareAverage)] + (momentum > 0 ? [(Self.momentumName, momentumBuffer)] : [])
            + (centered ? [(Self.gradientAverageName, gradientAverage)] : [])
    }

    public func state() -> OptimizerState {
        var buffers = [String: [String: [Float]]]()
        for (i, parameter) in parameters.enumerated() {
            let range = offsets[i] ..< offsets[i + 1]
            buffers[parameter.name] = Dictionary(uniqueKeysWithValues: namedBuffers.map { ($0.0, Array($0.1[range])) })
        }
        return OptimizerState(kind: "RMSprop", stepCount: stepCount, learningRate: learningRate,
                              parameterNames: parameters.map(\.name), buffers: buffers)
    }

    public func restore(from state: OptimizerState) throws {
        let names = bufferNames
        let saved = try state.validatedBuffers(kind: "RMSprop", parameters: parameters, bufferNames: names)
        for (b, name) in names.enumerated() {
            let values = Array(saved[b].joined())
            switch name {
            case Self.squareAverageName: squareAverage = values
            case Self.momentumName: momentumBuffer = values
            default: gradientAverage = values
            }
        }
        stepCount = state.stepCount
        learningRate = state.learningRate
    }
}

/// The elementwise RMSprop update, fast (SIMD) and reference (scalar), bit-identical to each
/// other.
///
/// Both follow PyTorch's CPU kernels operation by operation: weight decay `g.add(p, alpha: λ)`
/// is fma(p, λ, g); `square_avg.mul_(α).addcmul_(g, g, 1 − α)` is fma((1 − α)·g, g, α·s);
/// `grad_avg.lerp_(g, 1 − α)` is Adam's lerp; `square_avg.addcmul(a, a, −1)` is fma(−a, a, s);
/// then √ and + ε; `buf.mul_(μ).addcdiv_(g, r)` is μ·b + g / r and `p.add_(buf, alpha: −η)`
/// fma(b, −η, p); without momentum `p.addcdiv_(g, r, −η)` is p + (−η·g) / r. PyTorch's
/// vectorised `sqrt` may differ from the correctly rounded one by an ulp, so agreement with it
/// is to a few ulps, not bitwise.
enum RMSpropKernel {
    struct Coefficients {
        var negativeLearningRate: Float
        var weightDecay: Float
        var alpha: Float
        /// 1 − α.
        var alphaComplement: Float
        /// The lerp coefficient of the mean gradient: w = 1 − α when w < 0.5, else w − 1.
        var lerpCoefficient: Float
        /// Whether the lerp starts from a (w < 0.5) or from g.
        var lerpFromStart: Bool
        var epsilon: Float
        var momentum: Float
    }

    /// Updates `count` elements of one parameter and its buffers in place; `gradientAverage` is
    /// nil unless centred, `momentumBuffer` nil without momentum.
    ///
    /// - Complexity: O(count), eight lanes at a time: one square root and one division per element.
    @inline(__always)
    static func update(count: Int, value: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>,
                       squareAverage: UnsafeMutablePointer<Float>, gradientAverage: UnsafeMutablePointer<Float>?,
                       momentumBuffer: UnsafeMutablePointer<Float>?, _ c: Coefficients) {
        typealias V = SIMD8<Float>
        let lr = V(repeating: c.negativeLearningRate), wd = V(repeating: c.weightDecay)
        let alpha = V(repeating: c.alpha), complement = V(repeating: c.alphaComplement)
        let lerp = V(repeating: c.lerpCoefficient), eps = V(repeating: c.epsilon), mu = V(repeating: c.momentum)
        let decays = c.weightDecay != 0
        var i = 0
        while i + 8 <= count {
            var p = UnsafeRawPointer(value + i).loadUnaligned(as: V.self)
            var g = UnsafeRawPointer(gradient + i).loadUnaligned(as: V.self)
            var s = UnsafeRawPointer(squareAverage + i).loadUnaligned(as: V.self)
            if decays { g = g.addingProduct(p, wd) }
            s = (s * alpha).addingProduct(complement * g, g)
            UnsafeMutableRawPointer(squareAverage + i).storeBytes(of: s, as: V.self)
            var meanSquare = s
            if let gradientAverage {
                var a = UnsafeRawPointer(gradientAverage + i).loadUnaligned(as: V.self)
                a = (c.lerpFromStart ? a : g).addingProduct(lerp, g - a)
                UnsafeMutableRawPointer(gradientAverage + i).storeBytes(of: a, as: V.self)
                meanSquare = s.addingProduct(-a, a)
            }
            let root = meanSquare.squareRoot() + eps
            if let momentumBuffer {
                var b = UnsafeRawPointer(momentumBuffer + i).loadUnaligned(as: V.self)
                b = b * mu + g / root
                UnsafeMutableRawPointer(momentumBuffer + i).storeBytes(of: b, as: V.self)
                p = p.addingProduct(b, lr)
            } else {
                p = p + (lr * g) / root
            }
            UnsafeMutableRawPointer(value + i).storeBytes(of: p, as: V.self)
            i += 8
        }
        if i < count {
            updateReference(count: count - i, value: value + i, gradient: gradient + i, squareAverage: squareAverage + i,
                            gradientAverage: gradientAverage.map { $0 + i }, momentumBuffer: momentumBuffer.map { $0 + i }, c)
        }
    }

    /// The same update one element at a time, in the order of PyTorch's `_single_tensor_rmsprop`.
    static func updateReference(count: Int, value: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>,
                                squareAverage: UnsafeMutablePointer<Float>, gradientAverage: UnsafeMutablePointer<Float>?,
                                momentumBuffer: UnsafeMutablePointer<Float>?, _ c: Coefficients) {
        for i in 0..<count {
            var g = gradient[i]
            if c.weightDecay != 0 { g = g.addingProduct(value[i], c.weightDecay) }              // g + λ·p
            squareAverage[i] = (squareAverage[i] * c.alpha).addingProduct(c.alphaComplement * g, g)  // α·s + (1 − α)·g²
            var meanSquare = squareAverage[i]
            if let gradientAverage {
                let a = gradientAverage[i]
                gradientAverage[i] = (c.lerpFromStart ? a : g).addingProduct(c.lerpCoefficient, g - a)  // lerp(a, g, 1 − α)
                meanSquare = meanSquare.addingProduct(-gradientAverage[i], gradientAverage[i])       // s − a²
            }
            let root = meanSquare.squareRoot() + c.epsilon                                      // √(·) + ε
            if let momentumBuffer {
                momentumBuffer[i] = momentumBuffer[i] * c.momentum + g / root                    // μ·b + g / r
                value[i] = value[i].addingProduct(momentumBuffer[i], c.negativeLearningRate)     // p − η·b
            } else {
                value[i] = value[i] + (c.negativeLearningRate * g) / root                        // p − η·g / r
            }
        }
    }
}
