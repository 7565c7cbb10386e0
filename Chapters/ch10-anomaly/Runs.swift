// How chapter 10 trains each of its models, or reuses its run: the plumbing its lecture calls.
// The lecture (the four models, what they score and how the scores are judged) lives in
// main.swift; the figures in Pictures.swift.

import CourseSupport
import Foundation
import VAECore

extension Chapter10 {
    /// A trained network, named, and the measurements kept beside its run.
    struct TrainedModel {
        var name: String
        var vae: VAE
        var measurements: RunMeasurements?
        /// Epochs trained by this process (0 when the run was reused).
        var epochsTrainedNow: Int
    }

    /// The share of pixels that differ between two sets of the same images.
    func changedShare(_ a: MNIST, _ b: MNIST) -> Double {
        Double(zip(a.images.scalars, b.images.scalars).filter { $0 != $1 }.count) / Double(a.images.count)
    }

    /// Trains `configuration` on `trainingSet` in `folder`, or reuses the run there (one line says
    /// which), and returns the model in evaluation mode. With `test`, the test terms are recorded
    /// after each epoch. With `chapter5`, the run records what chapter 5 records
    /// (`Chapter5Run.record`), so that the shared run is the same whichever chapter trained it.
    func train(_ name: String, _ configuration: TrainingConfiguration, on trainingSet: MNIST, folder: URL,
               test: MNIST?, chapter5: Bool = false, quiet: Bool = false) throws -> TrainedModel {
        let trainer = quiet
            ? try TrainingRun.trainer(for: configuration, in: folder, trainingSet: trainingSet, retrain: options.retrain, log: log)
            : try options.trainer(for: configuration, in: folder, trainingSet: trainingSet, epochPrefix: "\(name): ")
        if chapter5, let test {
            try Chapter5Run.record(trainer, binaryTest: Likelihood.bernoulli.evaluationSet(test), quick: options.quick, seed: options.seed)
        } else if let test {
            let binary = Likelihood.bernoulli.evaluationSet(test)
            trainer.evaluation = { model in try evaluateELBO(model: model, images: binary.images, batchSize: 500, seed: 7).terms }
        }
        trainer.epochEnded = { trainer, summary in
            let line = "\(name): " + summary.line(of: trainer.configuration.epochs)
            if quiet { log(line) } else { print(line) }
        }
        trainer.showsProgress = true
        let before = trainer.epoch
        let watch = Stopwatch()
        try trainer.train(checkpoint: TrainingRun.checkpoint(in: folder))
        if trainer.epoch > before, !quiet {
            print(String(format: "%@: trained %d epochs in %.1f minutes", name, trainer.epoch - before, watch.elapsedSeconds / 60))
        }
        trainer.model.isTraining = false
        return TrainedModel(name: name, vae: trainer.model, measurements: RunMeasurements(trainer: trainer, folder: folder),
                            epochsTrainedNow: trainer.epoch - before)
    }
}
