import ArgumentParser
import CourseSupport
import Foundation
import VAECore

/// `vae score <checkpoint> --data DIR` (or `--in DIR --out DIR`): the anomaly scores of every
/// image, as chapter 10 computes them (`scoreImages`), in a CSV table; given an in and an out
/// set, the AUROC, AUPR and FPR at 95% of every score.
///
/// Each folder holds IDX files in MNIST's naming; the `--split` (test by default) is read,
/// binarized once with the evaluation's fixed seed for a Bernoulli model. Scores: −ELBO,
/// reconstruction, KL, importance-weighted NLL (k = `-k`; 0 leaves it out), input complexity
/// S = −log₂ p(x) − L(x) with L from deflate; with `--train DIR` also the Mahalanobis distance of
/// μ under the Gaussian of the training codes and the typicality |−log p − Ĥ|; with
/// `--background CHECKPOINT` the likelihood ratio. The table is written atomically. With an in
/// and an out set, one line per score ends the report:
///
///     detection score=<name> auroc=<0..1> aupr=<0..1> fpr95=<0..1>
struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Anomaly scores of every image under a VAE, as a CSV table; with an in and an out set, the AUROC of each score.",
        discussion: "Scores: neg-elbo, iw-nll, reconstruction, kl, complexity; mahalanobis and typicality with --train; "
            + "likelihood-ratio with --background. Chapter 10 explains each.")

    @Argument(help: ArgumentHelp("The VAE checkpoint (.safetensors) whose scores to compute.", valueName: "checkpoint"))
    var checkpoint: String

    @Option(help: ArgumentHelp("Folder of IDX files in MNIST's naming: the one set to score.", valueName: "dir"))
    var data: String?

    @Option(name: .customLong("in"), help: ArgumentHelp("Folder of the in-distribution images (with --out).", valueName: "dir"))
    var inData: String?

    @Option(name: .customLong("out"), help: ArgumentHelp("Folder of the out-of-distribution images (with --in).", valueName: "dir"))
    var outData: String?

    @Option(help: "Which split of each folder to score: test (t10k-*) or train (train-*).")
    var split: Split = .test

    @Option(help: ArgumentHelp("Folder whose training split holds the model's training images: fits the Gaussian of the "
                               + "Mahalanobis score and the typicality test's entropy.", valueName: "dir"))
    var train: String?

    @Option(parsing: .unconditional, help: "Training images of --train used for the fit.")
    var referenceImages = 2_000

    @Option(help: ArgumentHelp("A background model's checkpoint for the likelihood ratio (same likelihood as the model).",
                               valueName: "checkpoint"))
    var background: String?

    @Option(name: .customShort("k"), parsing: .unconditional, help: "Importance samples per image for the NLL (0: leave it out).")
    var samples = 100

    @Option(parsing: .unconditional, help: "Score only the first N images of each set.")
    var limit: Int?

    @Option(parsing: .unconditional, help: "Seed of the ELBO's z (the importance samples use seed + 1; the binarization seed is fixed).")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("The CSV table to write.", valueName: "file"))
    var output = "scores.csv"

    func validate() throws {
        guard samples >= 0 else { throw ValidationError("-k must be 0 (no importance-weighted NLL) or more, not \(samples)") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, not \(limit)") }
        guard referenceImages >= 2 else { throw ValidationError("--reference-images must be at least 2 (a covariance needs two codes), not \(referenceImages)") }
    }

    func run() throws {
        let sets = try ScoreInputs.sets(data: data, in: inData, out: outData)
        let outputURL = try ScoreInputs.output(output)
        let trainFolder = try train.map { try ScoreInputs.folder($0, role: "--train") }
        // The table never replaces what the command reads (the checkpoints, the data files) nor
        // any file that is not a score table.
        let folders = [data, inData, outData, train].compactMap { $0 }.map { URL(fileURLWithPath: $0, isDirectory: true) }
        let inputs = [checkpoint, background].compactMap { $0 }.map { URL(fileURLWithPath: $0) }
            + folders.flatMap { folder in
                ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).map { folder.appendingPathComponent($0) }
            }
        try AtomicFile.checkReplaceable(outputURL, option: "--output", kind: "a score table", signature: ScoreReport.csvSignature,
                                        inputs: inputs)
        let model = try Checkpoint.loadModel(from: URL(fileURLWithPath: checkpoint))
        model.isTraining = false
        let likelihood = model.configuration.likelihood
        let backgroundModel = try background.map { path -> VAE in
            let other = try Checkpoint.loadModel(from: URL(fileURLWithPath: path))
            try ScoreReport.checkBackground(other.configuration, for: model.configuration)
            other.isTraining = false
            return other
        }
        print("model       \(checkpoint): \(model.configuration.summary)")
        if let background, let backgroundModel { print("background  \(background): \(backgroundModel.configuration.summary)") }

        // The Gaussian of the training codes and Ĥ, from the first training images.
        var gaussian: MahalanobisDistance?
        var entropy: Double?
        if let trainFolder {
            let reference = likelihood.evaluationSet(try MNIST.load(split: .train, from: trainFolder).prefix(referenceImages))
            gaussian = try MahalanobisDistance(prior: try model.fitCodePrior(images: reference.images, labels: nil))
            let scores = try scoreImages(model: model, images: reference.images, settings: ScoringSettings(importanceSamples: samples, seed: seed))
            entropy = MeanEstimate(scores.bestNegativeLogLikelihood).mean
            print(String(format: "reference   %d training images of %@: Ĥ = %.2f nats", reference.count, trainFolder.path, entropy!))
        }
        let settings = ScoringSettings(importanceSamples: samples, seed: seed, codeGaussian: gaussian)
        func scored(_ name: String, _ folder: URL) throws -> ScoredSet {
            let set = likelihood.evaluationSet(try MNIST.load(split: split, from: folder).prefix(limit ?? .max))
            let watch = Stopwatch()
            let report = ProgressReport(total: set.count)
            let progress: ((Int, Int) -> Void)? = samples > 0 ? { report.update(done: $0, total: $1) } : nil
            let scores = try scoreImages(model: model, images: set.images, settings: settings, progress: progress)
            let backgroundScores = try backgroundModel.map {
                try scoreImages(model: $0, images: set.images, settings: ScoringSettings(importanceSamples: samples, seed: seed))
            }
            let result = ScoredSet(name: name, labels: set.labels, scores: scores, background: backgroundScores, entropy: entropy)
            let means = try result.columns().map { String(format: "%@ %.2f", $0.name, MeanEstimate($0.values).mean) }
            print(name.padding(toLength: 12, withPad: " ", startingAt: 0)
                  + String(format: "%d images (%@ split of %@, %.1f s): mean ", set.count, split.rawValue, folder.path, watch.elapsedSeconds)
                  + means.joined(separator: ", "))
            return result
        }
        let scoredSets: [ScoredSet]
        switch sets {
        case .one(let folder): scoredSets = [try scored("data", folder)]
        case .pair(let i, let o): scoredSets = [try scored("in", i), try scored("out", o)]
        }
        try AtomicFile.write(Data(try ScoreReport.csv(scoredSets).utf8), to: outputURL)
        print("wrote       \(outputURL.path): one row per image")
        if scoredSets.count == 2 {
            let fitting = [1, 2, 5, 10].filter { $0 <= min(scoredSets[0].labels.count, scoredSets[1].labels.count) }
            for (name, metrics) in try ScoreReport.detection(in: scoredSets[0], out: scoredSets[1], batchSizes: fitting) {
                print("detection score=\(name) \(metrics.line)")
            }
        }
    }
}

extension Split: ExpressibleByArgument {}
