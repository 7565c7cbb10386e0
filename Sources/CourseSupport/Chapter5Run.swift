import VAECore

/// Chapter 5's run: the reference VAE that chapter 5 trains in `runs/vae` and chapters 8 and 10
/// reuse. Its recipe is written here once, so that every chapter asks for the same fingerprint (a
/// copy that drifted would set chapter 5's run aside), and whichever chapter trains it records
/// what chapter 5 shows of its training.
public enum Chapter5Run {
    /// The run's folder name under `runs/` (or `runs/quick/`).
    public static let folderName = "vae"

    /// Chapter 5's training configuration: `model` (by default the reference VAE with a 20-d code)
    /// for 30 epochs on all 60,000 digits, or 2 epochs on the first 20,000 with `quick`, under the
    /// cosine learning-rate schedule, from `seed`.
    public static func configuration(model: VAEConfiguration = VAEConfiguration(latentDimensions: 20), epochs: Int? = nil,
                                     schedule: LearningRateScheduleKind = .cosine, quick: Bool, seed: UInt64) -> TrainingConfiguration {
        var configuration = TrainingConfiguration(model: model, epochs: epochs ?? (quick ? 2 : TrainingConfiguration.defaultEpochs), seed: seed)
        configuration.schedule = schedule
        if quick { configuration.subset = 20_000 }
        return configuration
    }

    /// Has `trainer` record, after every epoch, what chapter 5 shows of its training:
    /// - the held-out terms on `binaryTest` (the binarized test set; its first 2,000 images with
    ///   `quick`), one z per image from seed 7;
    /// - ten fixed codes, drawn once from `seed` + 55, decoded to images (progressive generation,
    ///   `records["progressive"]` with the epochs in `records["progressive_epochs"]`);
    /// - the per-layer measurements of `TrainingProbe` (from `seed` + 57), also once before the
    ///   first epoch.
    ///
    /// None of it changes the trained weights (the probe puts back what it touches), and all of it
    /// is saved in the checkpoint, so a reused run still shows it.
    public static func record(_ trainer: Trainer, binaryTest: MNIST, quick: Bool, seed: UInt64) throws {
        let evaluationImages = quick ? 2_000 : binaryTest.count
        trainer.evaluation = { model in
            try evaluateELBO(model: model, images: binaryTest.images, batchSize: 500, limit: evaluationImages, seed: 7).terms
        }
        var codeSource = RandomSource(seed: seed &+ 55)
        let fixedCodes = Tensor.gaussian([10, trainer.model.configuration.latentDimensions], using: &codeSource)
        let probe = try TrainingProbe(trainingSet: trainer.trainingSet, model: trainer.configuration.model, seed: seed &+ 57)
        if trainer.epoch == 0 { try probe.record(trainer) }
        trainer.recordEpoch = { trainer in
            try probe.record(trainer)
            trainer.model.isTraining = false
            let images = try trainer.model.decodeMeans(fixedCodes)                              // (10, 1, 28, 28)
            trainer.records["progressive"] = trainer.records["progressive"].map { Tensor.concatenateRows($0, images) } ?? images
            let epoch = Tensor(shape: [1], scalars: [Float(trainer.epoch)])
            trainer.records["progressive_epochs"] = trainer.records["progressive_epochs"].map { Tensor.concatenateRows($0, epoch) } ?? epoch
            trainer.model.isTraining = true
        }
    }
}
