/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2
/// weight decay, exactly as `torch.optim.SGD`.
///
/// For each parameter p with gradient g, at learning rate η, momentum μ, dampening τ and weight
/// decay λ:
///
///     g ← g + λ·p                       (if λ ≠ 0: L2 regularisation folded into the gradient)
///     b ← g                             (first update: the buffer starts as the gradient, undamped)
///     b ← μ·b + (1 − τ)·g               (later updates)
///     g ← g + μ·b   (Nesterov)   or   g ← b   (classical momentum)      (if μ ≠ 0)
///     p ← p − η·g
///
/// Note PyTorch's form of momentum: the buffer accumulates raw gradients and η multiplies the
/// result, so changing η mid-run rescales the whole velocity at once (unlike the textbook
/// v ← μ·v − η·g, which changes only the new contributions).
///
/// Hyperparameters other than the learning rate are `Double`, as PyTorch's Python floats are:
/// each derived coefficient (such as 1 − τ) is formed in `Double` and rounded to `Float` once,
/// as PyTorch does when it passes a Python float to a `float32` kernel.
public final class SGD: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    /// μ: how much of the previous buffer each update keeps; 0 disables momentum.
    public let momentum: Double
    /// τ: the fraction of each new gradient the buffer drops (after the first update).
    let dampening: Double
    /// λ: the L2 coefficient added to the gradient as λ·p.
    public let weightDecay: Double
    /// Whether to step along g + μ·b (look-ahead) instead of b.
    public let nesterov: Bool
    public private(set) var stepCount = 0

    /// The momentum buffers of all parameters, concatenated (empty without momentum).
    private var momentumBuffer: [Float]
    /// Parameter `i` owns `momentumBuffer[offsets[i] ..< offsets[i + 1]]`.
    private let offsets: [Int]

    /// PyTorch's buffer name, used in `OptimizerState`.
    static let bufferName = "momentum_buffer"

    /// - Throws: `OptimizerError.invalidHyperparameter` for a negative or non-finite learning rate,
    ///   momentum or weight decay, or Nesterov without momentum or with dampening (PyTorch's
    ///   checks); `OptimizerError.duplicateParameterName` when two parameters share a name.
    public init(_ parameters: [Parameter], learningRate: Float = 1e-3, momentum: Double = 0,
                dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false) throws {
        try requireFiniteNonNegative(learningRate, "learning rate")
        try requireFiniteNonNegative(momentum, "momentum")
        guard dampening.isFinite else {
            throw OptimizerError.invalidHyperparameter("dampening \(dampening) must be finite")
        }
        try requireFiniteNonNegative(weightDecay, "weight decay")
        guard !nesterov || (momentum > 0 && dampening == 0) else {
            throw OptimizerError.invalidHyperparameter("Nesterov momentum requires a momentum > 0 and zero dampening")
        }
        try checkUniqueNames(parameters)
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        offsets = concatenationOffsets(parameters)
        momentumBuffer = [Float](repeating: 0, count: momentum != 0 ? offsets.last! : 0)
    }

    /// The per-update constants, rounded to `Float` the way PyTorch rounds them.
    var coefficients: SGDKernel.Coefficients {
        SGDKernel.Coefficients(
            negativeLearningRate: -learningRate,
            weightDecay: Float(weightDecay),
            momentum: Float(momentum),
            dampingComplement: Float(1 - dampening),
            usesMomentum: momentum != 0, nesterov: nesterov, isFirstStep: stepCount == 0)
    }

    /// - Complexity: O(total parameter count); no allocation.
    public func step() {
        let c = coefficients
        momentumBuffer.withUnsafeMutableBufferPointer { buffer in
            for (i, parameter) in parameters.enumerated() {
                let start = offsets[i], count = offsets[i + 1] - start
                checkParameterSize(parameter, count)
                guard count > 0 else { continue }
                parameter.value.withUnsafeMutableBufferPointer { p in
                    parameter.gradient.withUnsafeBufferPointer { g in
                        SGDKernel.update(count: count, value: p.baseAddress!, gradient: g.baseAddress!,
                                         buffer: c.usesMomentum ? buffer.baseAddress! + start : nil, c)
                    }
                }
            }
        }
        stepCount += 1
    }

    public var bufferNames: [String] { momentum != 0 ? [Self.bufferName] : [] }

    public func state() -> OptimizerState {
        var buffers = [String: [String: [Float]]]()
        if momentum != 0 {
            for (i, parameter) in parameters.enumerated() {
                buffers[parameter.name] = [Self.bufferName: Array(momentumBuffer[offsets[i] ..< offsets[i + 1]])]
            }
        }
        return OptimizerState(kind: "SGD", stepCount: stepCount, learningRate: learningRate,
                              parameterNames: parameters.map(\.name), buffers: buffers)
    }

    public func restore(from state: OptimizerState) throws {
        let saved = try state.validatedBuffers(kind: "SGD", parameters: parameters, bufferNames: bufferNames)
        if momentum != 0 { momentumBuffer = Array(saved[0].joined()) }
        stepCount = state.stepCount
        learningRate = state.learningRate
    }
}

/// The elementwise SGD update, fast (SIMD) and reference (scalar), bit-identical to each other.
///
/// Both round like PyTorch's vectorised CPU kernels: `add(x, alpha)` is one fused multiply-add
/// (x·α + self), `buf.mul_(μ).add_(g, alpha)` is a multiply then a fused multiply-add.
enum SGDKernel {
    struct Coefficients {
        var negativeLearningRate: Float
        var weightDecay: Float
        var momentum: Float
        /// 1 − dampening.
        var dampingComplement: Float
        var usesMomentum: Bool
        var nesterov: Bool
        var isFirstStep: Bool
    }

    /// Updates `count` elements of one parameter in place; `buffer` is its momentum buffer, or
    /// nil without momentum.
    ///
    /// - Complexity: O(count), eight lanes at a time.
    @inline(__always)
    static func update(count: Int, value: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>,
                       buffer: UnsafeMutablePointer<Float>?, _ c: Coefficients) {
        typealias V = SIMD8<Float>
        let lr = V(repeating: c.negativeLearningRate), wd = V(repeating: c.weightDecay)
        let mu = V(repeating: c.momentum), damp = V(repeating: c.dampingComplement)
        let decays = c.weightDecay != 0
        var i = 0
        while i + 8 <= count {
            var p = UnsafeRawPointer(value + i).loadUnaligned(as: V.self)
            var g = UnsafeRawPointer(gradient + i).loadUnaligned(as: V.self)
            if decays { g = g.addingProduct(p, wd) }
            if let buffer {
                var b: V
                if c.isFirstStep { b = g } else {
                    b = UnsafeRawPointer(buffer + i).loadUnaligned(as: V.self) * mu
                    b = b.addingProduct(g, damp)
                }
                UnsafeMutableRawPointer(buffer + i).storeBytes(of: b, as: V.self)
                g = c.nesterov ? g.addingProduct(b, mu) : b
            }
            p = p.addingProduct(g, lr)
            UnsafeMutableRawPointer(value + i).storeBytes(of: p, as: V.self)
            i += 8
        }
        if i < count {
            updateReference(count: count - i, value: value + i, gradient: gradient + i,
                            buffer: buffer.map { $0 + i }, c)
        }
    }

    /// The same update one element at a time, written as plainly as PyTorch's Python.
    static func updateReference(count: Int, value: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>,
                                buffer: UnsafeMutablePointer<Float>?, _ c: Coefficients) {
        for i in 0..<count {
            var g = gradient[i]
            if c.weightDecay != 0 { g = g.addingProduct(value[i], c.weightDecay) }  // g + λ·p
            if let buffer {
                if c.isFirstStep { buffer[i] = g } else {
                    buffer[i] = (buffer[i] * c.momentum).addingProduct(g, c.dampingComplement)  // μ·b + (1−τ)·g
                }
                g = c.nesterov ? g.addingProduct(buffer[i], c.momentum) : buffer[i]       // g + μ·b, or b
            }
            value[i] = value[i].addingProduct(g, c.negativeLearningRate)                  // p − η·g
        }
    }
}
