import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// The per-term gradients and the training probe: the reconstruction's and the KL's gradients add
/// up to the loss's, the probe measures without changing the run, and what it records is saved.
@Suite struct TrainingProbeTests {
    /// A tiny model with a batch of 16 training digits (binarized) and their labels.
    static func tinyModel(conditional: Bool) throws -> (VAE, Tensor, [Int]?) {
        var random = RandomSource(seed: 5)
        let configuration = VAEConfiguration(latentDimensions: 4, channels: [4, 8], classCount: conditional ? 10 : 0,
                                             labelCentres: conditional)
        let model = try VAE(configuration, using: &random)
        if let centres = model.labelCentres {
            // Non-zero centres, so that their gradient is tested too.
            centres.value = Tensor.gaussian(centres.value.shape, using: &random)
        }
        let data = try TrainerTests.mnist.get().prefix(16).binarized(seed: 2)
        return (model, data.images, conditional ? data.labels.map { Int($0) } : nil)
    }

    /// ∂reconstruction/∂θ + ∂KL/∂θ is the gradient `accumulateGradients` computes for the ELBO
    /// with the same ε; the KL's part is zero in the decoder and not in the encoder; and the
    /// model's gradients and BatchNorm statistics are as they were before.
    @Test(arguments: [false, true])
    func termGradientsAddUpToTheLossGradient(conditional: Bool) throws {
        let (model, images, labels) = try Self.tinyModel(conditional: conditional)
        var random = RandomSource(seed: 9)
        let epsilon = Tensor.gaussian([images.shape[0], 4], using: &random)
        // Gradients that are not zero, to see that they come back untouched.
        for p in model.parameters { p.gradient = Tensor.gaussian(p.value.shape, using: &random) }
        let gradientsBefore = model.parameters.map { TrainerTests.bits($0.gradient.scalars) }
        let buffersBefore = model.buffers.map { TrainerTests.bits($0.value.scalars) }

        let parts = try model.termGradients(images: images, labels: labels, noise: epsilon, using: &random)
        #expect(model.parameters.map { TrainerTests.bits($0.gradient.scalars) } == gradientsBefore, "gradients restored")
        #expect(model.buffers.map { TrainerTests.bits($0.value.scalars) } == buffersBefore, "BatchNorm statistics restored")

        model.zeroGradients()
        let terms = try model.accumulateGradients(images: images, labels: labels, objective: .beta(1), noise: epsilon, using: &random)
        #expect(terms.reconstruction == parts.terms.reconstruction && terms.kl == parts.terms.kl)
        func norm(_ t: Tensor) -> Double { t.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() }
        let byName = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0) })
        for p in model.parameters {
            // The two backward passes add in another order than the one pass does (BatchNorm's
            // backward subtracts sums over the batch): compare on the scale of the whole tensor.
            let sum = parts.reconstruction[p.name]! + parts.kl[p.name]!
            let difference = norm(sum - p.gradient), size = norm(p.gradient)
            // A convolution's bias followed by BatchNorm has a gradient of exactly zero (the
            // normalisation removes any shift): what the passes compute is rounding, on both sides.
            if p.name.hasSuffix(".bias"), let weight = byName[String(p.name.dropLast("bias".count)) + "weight"],
               size < 1e-4 * norm(weight.gradient) {
                #expect(norm(sum) < 1e-4 * norm(weight.gradient), "\(p.name): its parts should vanish as the whole does")
                continue
            }
            #expect(difference <= 1e-5 * size, "\(p.name): reconstruction + KL differs from the full gradient by \(difference / size) of its norm")
            let klNorm = parts.kl[p.name]!.scalars.map { abs($0) }.max()!
            if p.name.hasPrefix("decoder.") {
                #expect(klNorm == 0, "\(p.name): the KL does not reach the decoder")
            } else if p.name.hasSuffix(".weight") {
                #expect(klNorm > 0, "\(p.name): the KL reaches every encoder weight")
            }
        }
    }

    /// `lastUpdates` is the step Adam took: the weights before an update minus the weights after.
    @Test func lastUpdatesAreTheStepAdamTook() throws {
        let trainer = try Trainer(configuration: TrainerTests.tiny(), trainingSet: TrainerTests.mnist.get())
        var batches = trainer.batches
        for _ in 0..<3 { _ = try trainer.update(on: batches.next()!, objective: .beta(1), learningRate: 2e-3) }
        let before = trainer.model.parameters.map(\.value)
        _ = try trainer.update(on: batches.next()!, objective: .beta(1), learningRate: 1e-3)
        let updates = try #require(TrainingProbe.lastUpdates(trainer.optimizer, parameters: trainer.model.parameters))
        for (i, p) in trainer.model.parameters.enumerated() {
            let taken = before[i] - p.value
            let rebuilt = Tensor(shape: p.value.shape, scalars: updates[i])
            // The weights are rounded to Float after the step: compare on the scale of the step.
            #expect(maxRelativeError(rebuilt, taken, floor: 1e-4) < 0.02, "\(p.name)")
        }
        #expect(TrainingProbe.lastUpdates(try Trainer(configuration: TrainerTests.tiny(), trainingSet: TrainerTests.mnist.get()).optimizer,
                                          parameters: trainer.model.parameters) == nil, "no update yet")
    }

    /// Two runs of two epochs, one measured by the probe at epochs 0, 1 and 2 and one not, end
    /// bit-identical: weights, BatchNorm statistics, Adam's moments, generators and history. The
    /// probe's records have a row per epoch, survive the checkpoint, and read back.
    @Test(arguments: [0, 10])
    func recordingDoesNotChangeTheTraining(classes: Int) throws {
        let data = try TrainerTests.mnist.get()
        let configuration = TrainerTests.tiny(classes: classes)
        let plain = try Trainer(configuration: configuration, trainingSet: data)
        try plain.train()

        try TrainerTests.withFolder { folder in
            let measured = try Trainer(configuration: configuration, trainingSet: data)
            let probe = try TrainingProbe(trainingSet: data, model: configuration.model, count: 32, seed: 11)
            try probe.record(measured)
            measured.recordEpoch = { try probe.record($0) }
            let checkpoint = folder.appendingPathComponent("checkpoint.safetensors")
            try measured.train(checkpoint: checkpoint)
            TrainerTests.expectIdentical(plain, measured)

            let resumed = try Trainer(resumingFrom: checkpoint, trainingSet: data)
            let recorded = try #require(TrainingProbe.recorded(resumed.records, model: resumed.model))
            #expect(recorded.epochs == [0, 1, 2])
            let names = recorded.layers.map(\.name)
            #expect(names.starts(with: ["encoder.conv1", "encoder.bn1", "encoder.conv2", "encoder.bn2", "encoder.fc", "decoder.fc"]))
            #expect(recorded.filters.count == 3 && recorded.filters[0].shape == [4, 1, 4, 4])
            #expect(recorded.filters[0] != recorded.filters[2], "the filters change in training")
            #expect(recorded.updateRatio[0].allSatisfy { $0 == 0 } && recorded.updateRatio[2].allSatisfy { $0 > 0 })
            let decoderKL = zip(names, recorded.klGradient[1]).filter { $0.0.hasPrefix("decoder.") }.map(\.1)
            #expect(decoderKL.allSatisfy { $0 == 0 } && recorded.klGradient[1][0] > 0)
            #expect(recorded.reconstructionGradient.allSatisfy { $0.allSatisfy { $0 > 0 } })
            // Each histogram counts every weight of its layer.
            let sizes = recorded.layers.filter(\.hasHistogram).map { l in resumed.model.parameters.first { $0.name == l.name + ".weight" }!.value.count }
            for row in recorded.weightHistogram { #expect(row.map { Int($0.reduce(0, +)) } == sizes) }
            #expect(recorded.weightNorm[0] != recorded.weightNorm[2])
        }
    }
}
