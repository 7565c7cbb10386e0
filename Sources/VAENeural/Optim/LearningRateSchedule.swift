import Foundation

/// A learning rate as a pure function of a step counter.
///
/// **The counter counts optimizer updates**: `learningRate(atStep: t)` is the rate of update
/// number t, where t = 0 is the first update — exactly `optimizer.stepCount` before `step()`,
/// which `optimizer.setLearningRate(from:)` uses. Sizes such as `stepSize` or a warm-up length
/// are therefore in updates; for a decay every k epochs pass k × (batches per epoch). (A caller
/// may pass an epoch index instead, and get PyTorch's usual once-per-epoch behaviour.)
///
/// Being pure functions of t, schedules carry no state: resuming needs only the step count,
/// which the optimizer's state already holds.
///
/// PyTorch's schedulers update the rate recursively (lr ← lr·γ, …) once per `scheduler.step()`;
/// these are the closed forms of the same sequences. Each is computed in `Double`, from
/// dimensionless factors kept in `Double`, and rounded to `Float` once, so long runs do not
/// accumulate rounding.
public protocol LearningRateSchedule: Sendable {
    /// The learning rate of update `step` (0 for the first). A negative step is treated as 0.
    func learningRate(atStep step: Int) -> Float
}

/// Checks a learning rate given to a schedule.
private func checkRate(_ rate: Float, _ name: String) throws {
    guard rate >= 0, rate.isFinite else {
        throw OptimizerError.invalidHyperparameter("\(name) \(rate) must be finite and ≥ 0")
    }
}

/// The same rate at every step.
package struct ConstantLearningRate: LearningRateSchedule {
    public let rate: Float

    /// - Throws: `OptimizerError.invalidHyperparameter` for a negative or non-finite rate.
    public init(_ rate: Float) throws {
        try checkRate(rate, "learning rate")
        self.rate = rate
    }

    public func learningRate(atStep step: Int) -> Float { rate }
}

/// η₀ · γ^⌊t / stepSize⌋: multiply by γ every `stepSize` steps (PyTorch's `StepLR`).
package struct StepDecay: LearningRateSchedule {
    public let initial: Float
    let stepSize: Int
    public let gamma: Double

    /// - Throws: `OptimizerError.invalidHyperparameter` unless stepSize > 0, γ ≥ 0 and η₀ ≥ 0.
    public init(initial: Float, stepSize: Int, gamma: Double = 0.1) throws {
        try checkRate(initial, "initial learning rate")
        guard stepSize > 0 else { throw OptimizerError.invalidHyperparameter("stepSize \(stepSize) must be > 0") }
        guard gamma >= 0, gamma.isFinite else {
            throw OptimizerError.invalidHyperparameter("gamma \(gamma) must be finite and ≥ 0")
        }
        self.initial = initial
        self.stepSize = stepSize
        self.gamma = gamma
    }

    public func learningRate(atStep step: Int) -> Float {
        Float(Double(initial) * pow(gamma, Double(max(step, 0) / stepSize)))
    }
}

/// η₀ · γᵗ: multiply by γ every step (PyTorch's `ExponentialLR`).
struct ExponentialDecay: LearningRateSchedule {
    public let initial: Float
    public let gamma: Double

    /// - Throws: `OptimizerError.invalidHyperparameter` unless γ ≥ 0 and η₀ ≥ 0.
    public init(initial: Float, gamma: Double) throws {
        try checkRate(initial, "initial learning rate")
        guard gamma >= 0, gamma.isFinite else {
            throw OptimizerError.invalidHyperparameter("gamma \(gamma) must be finite and ≥ 0")
        }
        self.initial = initial
        self.gamma = gamma
    }

    public func learningRate(atStep step: Int) -> Float {
        Float(Double(initial) * pow(gamma, Double(max(step, 0))))
    }
}

/// Half a cosine from η₀ down to η_min over `steps` steps, then η_min for ever:
///
///     η(t) = η_min + (η₀ − η_min) · (1 + cos(π·t / T)) / 2     for t ≤ T,    η_min for t ≥ T.
///
/// Up to T this is PyTorch's `CosineAnnealingLR(T_max: T, eta_min:)`. Past T, PyTorch keeps
/// following the cosine back up (η returns to η₀ at 2T); here the rate stays at the minimum,
/// which is what "anneal to a minimum" means when training runs longer than planned.
package struct CosineAnnealing: LearningRateSchedule {
    public let initial: Float
    public let minimum: Float
    /// T: the number of steps from η₀ to η_min.
    public let steps: Int

    /// - Throws: `OptimizerError.invalidHyperparameter` unless steps > 0 and both rates are
    ///   finite and ≥ 0.
    public init(initial: Float, minimum: Float = 0, steps: Int) throws {
        try checkRate(initial, "initial learning rate")
        try checkRate(minimum, "minimum learning rate")
        guard steps > 0 else { throw OptimizerError.invalidHyperparameter("steps \(steps) must be > 0") }
        self.initial = initial
        self.minimum = minimum
        self.steps = steps
    }

    public func learningRate(atStep step: Int) -> Float {
        let t = max(step, 0)
        guard t < steps else { return minimum }
        let low = Double(minimum), high = Double(initial)
        return Float(low + (high - low) * (1 + cos(Double.pi * Double(t) / Double(steps))) / 2)
    }
}

/// A linear warm-up, then another schedule, which starts its own count when warm-up ends:
///
///     η(t) = η_target · (f + (1 − f) · t / W)     for t < W,      after(t − W)   for t ≥ W,
///
/// where η_target = after(0) is the rate warm-up climbs to and f the start factor. Large
/// learning rates are unstable while Adam's second-moment estimates are still poor; warming up
/// over the first few hundred updates avoids that. The same as PyTorch's
/// `SequentialLR([LinearLR(start_factor: f, total_iters: W), after], milestones: [W])`.
package struct LinearWarmup: LearningRateSchedule {
    /// W: the number of warm-up steps (0 means none).
    public let steps: Int
    /// f: the fraction of the target rate used at step 0, in [0, 1].
    let startFactor: Double
    /// The schedule that follows, counted from the end of warm-up.
    public let after: any LearningRateSchedule

    /// - Throws: `OptimizerError.invalidHyperparameter` unless steps ≥ 0 and 0 ≤ f ≤ 1.
    public init(steps: Int, startFactor: Double = 0, then after: any LearningRateSchedule) throws {
        guard steps >= 0 else { throw OptimizerError.invalidHyperparameter("warm-up steps \(steps) must be ≥ 0") }
        guard startFactor >= 0 && startFactor <= 1 else {
            throw OptimizerError.invalidHyperparameter("start factor \(startFactor) must lie in [0, 1]")
        }
        self.steps = steps
        self.startFactor = startFactor
        self.after = after
    }

    public func learningRate(atStep step: Int) -> Float {
        let t = max(step, 0)
        guard t < steps else { return after.learningRate(atStep: t - steps) }
        let target = Double(after.learningRate(atStep: 0))
        // PyTorch's LinearLR closed form: start + (end − start) · t / total, with end = 1.
        return Float(target * (startFactor + (1 - startFactor) * Double(t) / Double(steps)))
    }
}
