import Foundation

/// How the KL term is weighted over a run: the `KLObjective` of each update.
///
/// Schedules are pure functions of the update number t (0 for the first update) and of the
/// number of updates per epoch S, so that a resumed run weights every step exactly as an
/// uninterrupted one. "Over N epochs" means over N·S updates, moving a little at every update
/// rather than jumping once per epoch.
public enum KLSchedule: Codable, Equatable, Sendable {
    /// reconstruction + β·KL at every update (β = 1: the ELBO).
    case constant(beta: Double)
    /// KL warm-up (Bowman et al., 2016; Sønderby et al., 2016): β rises linearly from 0 at the
    /// first update to `beta` after `epochs` epochs, then stays. Early on the decoder learns to
    /// use z before the KL pushes q(z|x) onto the prior, which helps against posterior collapse.
    case warmup(beta: Double, epochs: Double)
    /// Burgess et al.'s (2018) capacity objective: reconstruction + γ·|KL − C|, with the target
    /// capacity C raised linearly from 0 nats to `maximum` over `epochs` epochs, then held. The
    /// KL is held near C, so the code carries information at a controlled, growing rate.
    case capacity(gamma: Double, maximum: Double, epochs: Double)

    /// The objective of update `step` (0-based) in a run of `stepsPerEpoch` updates per epoch.
    /// - Complexity: O(1), no allocation: it runs at every step.
    public func objective(atStep step: Int, stepsPerEpoch: Int) -> KLObjective {
        switch self {
        case .constant(let beta):
            return .beta(beta)
        case .warmup(let beta, let epochs):
            return .beta(beta * KLSchedule.ramp(step, epochs: epochs, stepsPerEpoch: stepsPerEpoch))
        case .capacity(let gamma, let maximum, let epochs):
            return .capacity(gamma: gamma, target: maximum * KLSchedule.ramp(step, epochs: epochs, stepsPerEpoch: stepsPerEpoch))
        }
    }

    /// min(1, t / (N·S)): 0 at the first update, 1 from update N·S on.
    static func ramp(_ step: Int, epochs: Double, stepsPerEpoch: Int) -> Double {
        let length = epochs * Double(stepsPerEpoch)
        guard length > 0 else { return 1 }
        return min(1, Double(max(step, 0)) / length)
    }

    /// Throws `TrainingConfigurationError` for a weight or length that cannot work.
    public func validate() throws {
        func check(_ ok: Bool, _ message: @autoclosure () -> String) throws {
            if !ok { throw TrainingConfigurationError(message()) }
        }
        // Upper bounds keep the objective's terms far inside Float's range (and every printed
        // loss a readable number).
        let largest = TrainingConfiguration.maximumNats
        let longest = Double(TrainingConfiguration.maximumEpochs)
        switch self {
        case .constant(let beta):
            try check(beta.isFinite && beta >= 0, "β must be a finite number ≥ 0, not \(beta)")
            try check(beta <= largest, "β = \(beta) is larger than the \(Int(largest)) accepted")
        case .warmup(let beta, let epochs):
            try check(beta.isFinite && beta >= 0, "β must be a finite number ≥ 0, not \(beta)")
            try check(beta <= largest, "β = \(beta) is larger than the \(Int(largest)) accepted")
            try check(epochs.isFinite && epochs > 0, "the KL warm-up must last more than 0 epochs, not \(epochs)")
            try check(epochs <= longest, "a KL warm-up of \(epochs) epochs is longer than the longest run (\(Int(longest)))")
        case .capacity(let gamma, let maximum, let epochs):
            try check(gamma.isFinite && gamma > 0, "the capacity weight γ must be a positive number, not \(gamma)")
            try check(gamma <= largest, "the capacity weight γ = \(gamma) is larger than the \(Int(largest)) accepted")
            try check(maximum.isFinite && maximum >= 0, "the maximum capacity must be ≥ 0 nats, not \(maximum)")
            try check(maximum <= largest, "a capacity of \(maximum) nats is more than the \(Int(largest)) accepted")
            try check(epochs.isFinite && epochs > 0, "the capacity must grow over more than 0 epochs, not \(epochs)")
            try check(epochs <= longest, "a capacity ramp of \(epochs) epochs is longer than the longest run (\(Int(longest)))")
        }
    }
}
