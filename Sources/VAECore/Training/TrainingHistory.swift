import Foundation

/// What a run has measured so far: one record per epoch, and one sampled step every
/// `TrainingConfiguration.historyInterval` updates. Saved in every checkpoint, so the curves of
/// a resumed run continue where they stopped.
///
/// Everything here is a deterministic function of the configuration and the data (no wall-clock
/// times), so a resumed run's history equals an uninterrupted run's exactly.
public struct TrainingHistory: Codable, Equatable, Sendable {
    public var epochs: [EpochRecord] = []
    public var steps: [StepRecord] = []
    public init() {}
}

/// One finished epoch.
public struct EpochRecord: Codable, Equatable, Sendable {
    /// The epoch's number, from 1.
    public var epoch: Int
    /// Updates taken by the end of it.
    public var step: Int
    /// The training terms, averaged over the epoch's batches (nats per image). They are measured
    /// on the fly, while the weights change, so they lag the end-of-epoch model a little.
    public var train: ELBOTerms
    /// The terms on held-out data after the epoch, when an evaluation was given.
    public var test: ELBOTerms?
    /// The learning rate of the epoch's last update.
    public var learningRate: Float
    /// The KL objective of the epoch's last update (β, or γ and C).
    public var klWeight: KLWeight

    public init(epoch: Int, step: Int, train: ELBOTerms, test: ELBOTerms?, learningRate: Float, klWeight: KLWeight) {
        self.epoch = epoch; self.step = step; self.train = train; self.test = test
        self.learningRate = learningRate; self.klWeight = klWeight
    }
}

/// One update's numbers, sampled.
public struct StepRecord: Codable, Equatable, Sendable {
    /// The update's number, from 0.
    public var step: Int
    /// Its loss terms on its own batch (nats per image).
    public var terms: ELBOTerms
    /// Its learning rate.
    public var learningRate: Float
    /// Its KL objective.
    public var klWeight: KLWeight
}

/// A `KLObjective` as stored: β for the β objectives; γ and the target capacity C for the
/// capacity objective.
public struct KLWeight: Codable, Equatable, Sendable {
    /// β, or γ for the capacity objective.
    public var weight: Double
    /// C in nats for the capacity objective; nil for β.
    public var capacity: Double?

    public init(_ objective: KLObjective) {
        switch objective {
        case .beta(let beta): weight = beta; capacity = nil
        case .capacity(let gamma, let target): weight = gamma; capacity = target
        }
    }

    /// The objective back.
    public var objective: KLObjective {
        capacity.map { .capacity(gamma: weight, target: $0) } ?? .beta(weight)
    }
}
