import Foundation

/// What every optimizer in the course offers: one update of its parameters from their
/// gradients, the learning rate a schedule may change between updates, and a state that can be
/// saved and restored exactly.
///
/// A training step reads:
///
///     optimizer.zeroGradients()
///     ...                                                // forward, loss, backward: fills the gradients
///     try clipGradientNorm(model.parameters, maxNorm: 1) // optional
///     optimizer.learningRate = schedule.learningRate(atStep: optimizer.stepCount)
///     optimizer.step()
///
/// Concrete optimizers (`SGD`, `Adam`, `AdamW`, `RMSprop`) are created over an array of `Parameter`s,
/// which they share with the layers (`Parameter` is a class), and throw on invalid
/// hyperparameters or on two parameters with the same name (names key the saved state).
///
/// The semantics follow PyTorch's `torch.optim` exactly, including the order of floating-point
/// operations where that is cheap to copy, so that trajectories agree with PyTorch to a few ulps.
public protocol Optimizer: AnyObject {
    /// The parameters this optimizer updates, in the order it was given them.
    var parameters: [Parameter] { get }

    /// The learning rate of the next `step()`. Schedules set it before each update.
    /// Not validated here (a setter cannot throw); the initialisers reject negative values.
    var learningRate: Float { get set }

    /// How many updates have been taken (PyTorch's `state["step"]`). Adam's bias correction
    /// depends on it, and a schedule evaluated at it gives the learning rate of the next update.
    var stepCount: Int { get }

    /// Applies one update to every parameter from its current gradient, then increments `stepCount`.
    /// Does not zero the gradients.
    ///
    /// - Precondition: every parameter's value and gradient still have the element count they had
    ///   when the optimizer was created (the optimizer's buffers were sized from them).
    func step()

    /// A copy of everything `step()` depends on besides the parameters and hyperparameters:
    /// the step count, the learning rate and the per-parameter moment buffers, bit for bit.
    func state() -> OptimizerState

    /// The names of the buffers `state()` holds for every parameter, in PyTorch's naming
    /// (`exp_avg` and `exp_avg_sq` for Adam, `momentum_buffer` for SGD with momentum, none for
    /// plain SGD): what a checkpoint saves and reads back for each parameter.
    var bufferNames: [String] { get }

    /// Replaces the step count, learning rate and buffers with `state`, so that the following
    /// updates are bit-identical to those the saving optimizer would have made.
    ///
    /// - Throws: `OptimizerError.stateMismatch` when `state` comes from another kind of optimizer,
    ///   lacks a parameter or buffer, has one this optimizer does not know, or has a wrong size.
    ///   Nothing is changed when it throws.
    func restore(from state: OptimizerState) throws
}

extension Optimizer {
    /// Sets every parameter's gradient to zero.
    public func zeroGradients() {
        for parameter in parameters { parameter.zeroGradient() }
    }

    /// Sets `learningRate` to `schedule`'s value for the next update, the update numbered
    /// `stepCount` (0 for the first).
    package func setLearningRate(from schedule: some LearningRateSchedule) {
        learningRate = schedule.learningRate(atStep: stepCount)
    }
}

/// Why an optimizer could not be created or restored.
public enum OptimizerError: Error, Equatable, CustomStringConvertible {
    /// A hyperparameter outside its valid range, e.g. a negative learning rate or β ≥ 1.
    case invalidHyperparameter(String)
    /// Two parameters share a name, so their saved buffers could not be told apart.
    case duplicateParameterName(String)
    /// A saved state that does not fit this optimizer and its parameters.
    case stateMismatch(String)
    /// Gradient clipping found a NaN or infinite total norm and was asked to refuse it.
    case nonfiniteGradientNorm(Float)

    public var description: String {
        switch self {
        case .invalidHyperparameter(let message): "invalid hyperparameter: \(message)"
        case .duplicateParameterName(let name): "two parameters are named '\(name)'; optimizer state is keyed by name"
        case .stateMismatch(let message): "optimizer state does not match: \(message)"
        case .nonfiniteGradientNorm(let norm): "the total gradient norm is \(norm); refusing to clip"
        }
    }
}

/// Throws `OptimizerError.invalidHyperparameter` ("weight decay -1.0 must be finite and ≥ 0")
/// unless `value` is finite and ≥ 0: the check the optimizers make of their rates, momenta,
/// epsilons and decays.
func requireFiniteNonNegative<T: BinaryFloatingPoint>(_ value: T, _ name: String) throws {
    guard value >= 0, value.isFinite else {
        throw OptimizerError.invalidHyperparameter("\(name) \(value) must be finite and ≥ 0")
    }
}

/// Checks that parameter names are unique: they key the buffers in `OptimizerState`.
func checkUniqueNames(_ parameters: [Parameter]) throws {
    var seen = Set<String>()
    for parameter in parameters where !seen.insert(parameter.name).inserted {
        throw OptimizerError.duplicateParameterName(parameter.name)
    }
}

/// Everything an optimizer needs, besides parameters and hyperparameters, to continue exactly
/// where it stopped: PyTorch's `optimizer.state_dict()` in spirit.
///
/// `buffers[parameterName][bufferName]` holds one moment buffer, in the parameter's row-major
/// order: `"momentum_buffer"` for SGD with momentum, `"exp_avg"` and `"exp_avg_sq"` for Adam,
/// `"square_avg"` (and `"momentum_buffer"`, `"grad_avg"`) for RMSprop (PyTorch's names). A
/// parameter without buffers (SGD without momentum) has no entry.
///
/// The `Codable` form is exact: floats are stored as their IEEE-754 bit patterns (little-endian
/// bytes, which JSON shows as base64), never as decimal text, so that a checkpoint written and
/// read back resumes bit-identically, NaNs included. Parameters are encoded in the optimizer's
/// order and buffers sorted by name, so with `JSONEncoder.outputFormatting = .sortedKeys` the
/// encoding of a state is byte-for-byte deterministic.
public struct OptimizerState: Codable, Equatable, Sendable {
    /// The optimizer that wrote it: "SGD", "Adam", "AdamW" or "RMSprop".
    public var kind: String
    /// Updates taken so far.
    package var stepCount: Int
    /// The learning rate at the time of saving.
    public var learningRate: Float
    /// The parameter names in the optimizer's order (also the encoding order).
    package var parameterNames: [String]
    /// Moment buffers: parameter name → buffer name → values.
    public var buffers: [String: [String: [Float]]]

    public init(kind: String, stepCount: Int, learningRate: Float, parameterNames: [String],
                buffers: [String: [String: [Float]]]) {
        self.kind = kind
        self.stepCount = stepCount
        self.learningRate = learningRate
        self.parameterNames = parameterNames
        self.buffers = buffers
    }

    private enum CodingKeys: String, CodingKey { case kind, stepCount, learningRateBits, parameters }

    /// One parameter's buffers, as encoded.
    private struct EncodedParameter: Codable {
        var name: String
        var buffers: [EncodedBuffer]
    }

    /// One buffer, as encoded: its name and its floats as little-endian bit patterns.
    private struct EncodedBuffer: Codable {
        var name: String
        var bytes: [UInt8]

        init(name: String, values: [Float]) {
            self.name = name
            var bytes = [UInt8]()
            bytes.reserveCapacity(values.count * 4)
            for value in values {
                let bits = value.bitPattern
                for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> shift)) }
            }
            self.bytes = bytes
        }

        func values() throws -> [Float] {
            guard bytes.count % 4 == 0 else {
                throw OptimizerError.stateMismatch("buffer \(name) has \(bytes.count) bytes, not a multiple of 4")
            }
            return stride(from: 0, to: bytes.count, by: 4).map { i in
                var bits: UInt32 = 0
                for k in 0..<4 { bits |= UInt32(bytes[i + k]) << (8 * k) }
                return Float(bitPattern: bits)
            }
        }

        // The bytes go out as base64 text, explicitly, so the encoding is compact in JSON and
        // does not depend on an encoder's `Data` strategy.
        enum CodingKeys: String, CodingKey { case name, base64 }
        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            let text = try container.decode(String.self, forKey: .base64)
            guard let decoded = Data(base64Encoded: text) else {
                throw DecodingError.dataCorruptedError(forKey: .base64, in: container,
                                                       debugDescription: "buffer \(name) is not valid base64")
            }
            bytes = [UInt8](decoded)
        }
        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(Data(bytes).base64EncodedString(), forKey: .base64)
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(String.self, forKey: .kind)
        stepCount = try container.decode(Int.self, forKey: .stepCount)
        learningRate = Float(bitPattern: try container.decode(UInt32.self, forKey: .learningRateBits))
        let encoded = try container.decode([EncodedParameter].self, forKey: .parameters)
        parameterNames = encoded.map(\.name)
        buffers = [:]
        for parameter in encoded {
            guard buffers[parameter.name] == nil else {
                throw DecodingError.dataCorruptedError(forKey: .parameters, in: container,
                                                       debugDescription: "parameter \(parameter.name) appears twice")
            }
            var named = [String: [Float]]()
            for buffer in parameter.buffers { named[buffer.name] = try buffer.values() }
            if !named.isEmpty { buffers[parameter.name] = named }
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(stepCount, forKey: .stepCount)
        try container.encode(learningRate.bitPattern, forKey: .learningRateBits)
        let encoded = parameterNames.map { name in
            EncodedParameter(name: name, buffers: (buffers[name] ?? [:]).sorted { $0.key < $1.key }
                .map { EncodedBuffer(name: $0.key, values: $0.value) })
        }
        try container.encode(encoded, forKey: .parameters)
    }

    /// Checks that this state fits an optimizer of `kind` over `parameters` whose buffers are
    /// named `bufferNames`, and returns the buffers in parameter order: `result[b][i]` is buffer
    /// `bufferNames[b]` of parameter `i`.
    func validatedBuffers(kind expectedKind: String, parameters: [Parameter],
                          bufferNames: [String]) throws -> [[[Float]]] {
        guard kind == expectedKind else {
            throw OptimizerError.stateMismatch("saved by \(kind), restoring into \(expectedKind)")
        }
        guard stepCount >= 0 else { throw OptimizerError.stateMismatch("negative step count \(stepCount)") }
        guard learningRate >= 0, learningRate.isFinite else {
            throw OptimizerError.stateMismatch("learning rate \(learningRate) is not a finite non-negative number")
        }
        let names = Set(parameters.map(\.name))
        guard Set(parameterNames) == names, parameterNames.count == names.count else {
            throw OptimizerError.stateMismatch(
                "saved for parameters \(parameterNames), restoring into \(parameters.map(\.name))")
        }
        if let unknown = buffers.keys.sorted().first(where: { !names.contains($0) }) {
            throw OptimizerError.stateMismatch("state has buffers for unknown parameter '\(unknown)'")
        }
        var result = [[[Float]]](repeating: [], count: bufferNames.count)
        for parameter in parameters {
            let saved = buffers[parameter.name] ?? [:]
            if let extra = saved.keys.sorted().first(where: { !bufferNames.contains($0) }) {
                throw OptimizerError.stateMismatch("parameter '\(parameter.name)' has unexpected buffer '\(extra)'")
            }
            for (b, bufferName) in bufferNames.enumerated() {
                guard let values = saved[bufferName] else {
                    throw OptimizerError.stateMismatch("parameter '\(parameter.name)' lacks buffer '\(bufferName)'")
                }
                guard values.count == parameter.value.count else {
                    throw OptimizerError.stateMismatch(
                        "buffer '\(bufferName)' of '\(parameter.name)' has \(values.count) values, the parameter \(parameter.value.count)")
                }
                result[b].append(values)
            }
        }
        return result
    }
}

/// Where each parameter's slice starts in a buffer that concatenates all parameters, in order:
/// parameter `i` owns `offsets[i] ..< offsets[i + 1]`. Optimizers keep each kind of moment in one
/// such flat array, so that a step enters one pointer per moment instead of one per parameter.
func concatenationOffsets(_ parameters: [Parameter]) -> [Int] {
    var offsets = [0]
    for parameter in parameters { offsets.append(offsets.last! + parameter.value.count) }
    return offsets
}

/// Stops with a clear message if `parameter` no longer has the `count` elements its optimizer
/// sized its buffers for (its value was replaced by one of another shape after creation): the
/// update kernels read through raw pointers and must never run past a buffer.
@inline(__always)
func checkParameterSize(_ parameter: Parameter, _ count: Int) {
    precondition(parameter.value.count == count && parameter.gradient.count == count,
                 "parameter '\(parameter.name)' has \(parameter.value.count) values and \(parameter.gradient.count) gradients; its optimizer expects \(count)")
}
