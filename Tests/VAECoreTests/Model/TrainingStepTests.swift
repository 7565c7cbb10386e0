import Foundation
import Testing
@testable import VAECore
@testable import VAENumerics

/// The one training step (`VAE.trainingStep`) as both objectives enter it: the trainer's update is
/// that step with the configuration's objective, and a batch the step cannot take is refused in
/// words before any layer runs (no gradient accumulated, BatchNorm's running statistics as they
/// were). The objectives' own maths is tested where each is derived (`VAETests`,
/// `ImportanceWeightedTests`, `FlowTests`, `VampPriorTests`, `ConditionalVAETests`).
@Suite struct TrainingStepTests {
    static let configuration = VAEConfiguration(latentDimensions: 3, channels: [4, 8])

    static func images(_ count: Int) throws -> Tensor {
        try MNIST.load(split: .test).prefix(count).binarized(seed: 1).images
    }

    /// The configuration's objective for each KL term the schedule can give.
    @Test func theTrainerStepsOnTheConfigurationsObjective() {
        var elbo = TrainingConfiguration(model: Self.configuration, epochs: 1)
        elbo.freeBits = 0.25
        #expect(elbo.stepObjective(.beta(0.5)) == .elbo(.beta(0.5), freeBits: 0.25))
        #expect(elbo.stepObjective(.capacity(gamma: 100, target: 3)) == .elbo(.capacity(gamma: 100, target: 3), freeBits: 0.25))
        var bound = TrainingConfiguration(model: Self.configuration, epochs: 1)
        bound.importanceSamples = 5
        bound.importanceEstimator = .dreg
        #expect(bound.stepObjective(.beta(0.5)) == .importanceWeighted(samples: 5, estimator: .dreg, beta: 0.5))
        #expect(TrainingObjective.elbo(.beta(1)).samplesPerImage == 1)
        #expect(TrainingObjective.importanceWeighted(samples: 7).samplesPerImage == 7)
    }

    /// Two steps from the same state on the same batch and ε, one through the ELBO's entry
    /// (`accumulateGradients`) and one through `trainingStep` with `.elbo`, agree bit for bit; so
    /// do the bound's entry and `.importanceWeighted`.
    @Test func theEntriesAreTheStep() throws {
        var random = RandomSource(seed: 5)
        let model = try VAE(Self.configuration, using: &random)
        let images = try Self.images(8)
        let noise = Tensor.gaussian([3, 8, 3], using: &random)
        var unused = RandomSource(seed: 0)
        let elbo = try ImportanceWeightedTests.pass(model) {
            try model.accumulateGradients(images: images, objective: .beta(0.5), noise: noise.rows(0..<1).reshaped([8, 3]), using: &unused)
        }
        let step = try ImportanceWeightedTests.pass(model) {
            try model.trainingStep(images: images, objective: .elbo(.beta(0.5)), noise: noise.rows(0..<1), using: &unused).terms
        }
        #expect(elbo.0 == step.0 && elbo.1 == step.1 && elbo.2 == step.2)
        let bound = try ImportanceWeightedTests.pass(model) {
            try model.accumulateImportanceWeightedGradients(images: images, samples: 3, estimator: .dreg, noise: noise, using: &unused).terms
        }
        let boundStep = try ImportanceWeightedTests.pass(model) {
            try model.trainingStep(images: images, objective: .importanceWeighted(samples: 3, estimator: .dreg), noise: noise,
                                   using: &unused).terms
        }
        #expect(bound.0 == boundStep.0 && bound.1 == boundStep.1 && bound.2 == boundStep.2)
        #expect(elbo.0 != bound.0, "the two objectives should give different gradients")
    }

    /// Noise of the wrong shape and targets of another shape than the images are refused, for
    /// either objective (and the ELBO's entry refuses its (B, D) noise in its own terms), before
    /// the encoder runs.
    @Test(arguments: [TrainingObjective.elbo(.beta(1)), .importanceWeighted(samples: 2)])
    func aBadBatchIsRefusedBeforeAnythingMoves(_ objective: TrainingObjective) throws {
        var random = RandomSource(seed: 6)
        let model = try VAE(Self.configuration, using: &random)
        let images = try Self.images(4)
        let statistics = model.buffers.map(\.value)
        func refusal(_ body: () throws -> Void) -> String {
            do { try body(); return "" } catch { return "\(error)" }
        }
        let k = objective.samplesPerImage
        #expect(refusal {
            _ = try model.trainingStep(images: images, objective: objective, noise: Tensor(shape: [k, 4, 2]), using: &random)
        }.contains("the noise must be (k, B, D) = [\(k), 4, 3]"))
        #expect(refusal {
            _ = try model.trainingStep(images: images, targets: try Self.images(3), objective: objective, using: &random)
        }.contains("must have the images' shape"))
        if k == 1 {
            #expect(refusal {
                _ = try model.accumulateGradients(images: images, noise: Tensor(shape: [4, 2]), using: &random)
            }.contains("the noise must be (B, D) = [4, 3], not [4, 2]"))
        }
        #expect(model.buffers.map(\.value) == statistics, "BatchNorm's running statistics should not move")
        #expect(model.parameters.allSatisfy { $0.gradient.scalars.allSatisfy { $0 == 0 } }, "no gradient should be accumulated")
    }
}
