import ArgumentParser
import CourseSupport
import Foundation
import VAECore

/// `vae train --pair …`: chapter 11's multimodal VAE, trained outside the chapter. The run's
/// settings are `MultimodalPair`'s defaults with the flags' changes, so that the defaults train
/// exactly the run the chapter reuses (runs/multimodal/PAIR).
extension Train {
    /// The flags of the VAE alone, refused with --pair.
    private var singleModalityFlags: [String] {
        let allowed: Set<String> = ["--latent", "--epochs", "--beta", "--learning-rate", "--batch-size", "--seed", "--subset"]
        var given = givenSettings.filter { !allowed.contains($0) }
        if live { given.append("--live") }
        return given
    }

    /// The run's settings from the flags, checked.
    func multimodalConfiguration() throws -> MultimodalTrainingConfiguration {
        guard let pair else { throw ValidationError("no --pair") }
        guard singleModalityFlags.isEmpty else {
            throw ValidationError("\(singleModalityFlags.joined(separator: ", ")) cannot be used with --pair (it trains chapter 11's multimodal VAE)")
        }
        do {
            var model = try pair.model(objective: objective, labelWeight: labelWeight, privateDimensions: privateDimensions,
                                       alignmentWeight: alignmentWeight)
            if let latent { model.latentDimensions = latent }
            var configuration = try pair.training(model, epochs: epochs, pairings: pairings, seed: seed ?? 1)
            if let beta { configuration.beta = beta }
            if let learningRate {
                configuration.learningRate = learningRate
                configuration.finalLearningRate = learningRate / 10
            }
            if let batchSize { configuration.batchSize = batchSize }
            configuration.subset = subset
            try configuration.validate()
            return configuration
        } catch let error as VAEConfigurationError {
            throw ValidationError("--pair \(pair.rawValue): \(error)")
        }
    }

    func trainMultimodal(_ pair: MultimodalPair) throws {
        let configuration = try multimodalConfiguration()
        let checkpoint = checkpointURL, folder = checkpoint.deletingLastPathComponent()
        let dataDirectory = data.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? MNIST.bundledDirectory
        let mnist = try MNIST.load(split: .train, from: dataDirectory)
        let fashion = pair == .mnistFashion ? try MNIST.load(.fashionMNIST, split: .train) : nil
        let tuples = try pair.trainingData(configuration, mnist: mnist, fashion: fashion)
        if FileManager.default.fileExists(atPath: checkpoint.path), !overwrite {
            guard MultimodalTrainer.savedFingerprint(in: checkpoint) == (try MultimodalTrainer.fingerprint(configuration, dataDigest: tuples.contentDigest)) else {
                throw ValidationError("\(checkpoint.path) holds another run: --overwrite sets it aside, or choose another --output")
            }
        }
        let updates = min(tuples.count, configuration.subset ?? .max) / configuration.batchSize
        log("model: \(configuration.model.summary); \(configuration.epochs) epochs of \(updates) updates "
            + "(batch \(configuration.batchSize)), Adam η = \(configuration.learningRate) (cosine to \(configuration.finalLearningRate)), "
            + "β = \(configuration.beta), seed \(configuration.seed)")
        let trainer = try MultimodalTrainer.trainOrReuse(configuration, data: tuples, in: folder, retrain: overwrite, log: log) { epoch in
            print(String(format: "epoch %d/%d: objective %.2f, joint ELBO of the training batches %.2f nats, %.1f s",
                         epoch.epoch, configuration.epochs, epoch.objective, epoch.jointELBO, epoch.seconds))
        }
        log("checkpoint: \(checkpoint.path) (\(trainer.epoch) epochs); chapter 11 reuses it when its settings are the chapter's")
    }
}
