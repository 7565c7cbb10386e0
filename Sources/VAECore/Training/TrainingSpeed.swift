import Foundation

/// How fast this machine trains now: what the course's plan scales its recorded times by.
public enum TrainingSpeed {
    /// Images per second of whole training steps of the reference VAE (zero the gradients,
    /// forward, loss, backward, Adam) at batch 128, the step every chapter's training is made of,
    /// timed for about `seconds` after two untimed steps, with the threads the kernels use.
    ///
    /// The images are random binary ones (13% of pixels on, MNIST's share): the step's
    /// arithmetic does not depend on the pixels, and no data has to be loaded. The median step is
    /// what is reported, so one step slowed by another program does not move it; a machine that
    /// stays busy does, as it should, since it slows the training that is planned too.
    /// - Throws: only if the reference model cannot be built (never, for a correct library).
    public static func referenceImagesPerSecond(seconds: Double = 1, seed: UInt64 = 1) throws -> Double {
        let batchSize = 128
        var random = RandomSource(seed: seed)
        let model = try VAE(.reference, using: &random)
        let optimizer = try Adam(model.parameters, learningRate: 1e-3)
        let uniform = Tensor.uniform([batchSize, 1, 28, 28], using: &random)
        let images = Tensor(shape: uniform.shape, scalars: uniform.scalars.map { $0 < 0.13 ? 1 : 0 })
        func step() throws {
            optimizer.zeroGradients()
            _ = try model.accumulateGradients(images: images, using: &random)
            optimizer.step()
        }
        for _ in 0..<2 { try step() }
        var steps: [Double] = []
        let total = Stopwatch()
        while steps.count < 3 || total.elapsedSeconds < seconds {
            let watch = Stopwatch()
            try step()
            steps.append(watch.elapsedSeconds)
        }
        steps.sort()
        return Double(batchSize) / steps[steps.count / 2]
    }
}
