// The runs of chapter 9: the settings every sweep shares (`Recipe`), the training, reuse and
// measurement of one run (`Laboratory`), and what each run measured (`Outcome`). The lecture,
// the sweeps and their reading live in main.swift; the figures in Pictures.swift.

import ArgumentParser
import CourseSupport
import Foundation
import VAECore

/// The chapter's sweeps, in the order it runs them (`--sweeps`).
enum SweepKind: String, CaseIterable, ExpressibleByArgument {
    case latent, arch, optimizer, schedule, batch, kl, binarization

    /// Whether the sweep runs with both seeds: all but the architectures', whose deep and wide
    /// models cost three to five reference runs each.
    var hasTwoSeeds: Bool { self != .arch }
}

/// One setting of a sweep: its value as the lines print it, and the change it makes to the
/// baseline.
struct Point {
    var value: String
    var change: (inout TrainingConfiguration) -> Void

    init(_ value: String, _ change: @escaping (inout TrainingConfiguration) -> Void) {
        self.value = value
        self.change = change
    }

    /// `baseline` with this point's change.
    func configuration(_ baseline: TrainingConfiguration) -> TrainingConfiguration {
        var configuration = baseline
        change(&configuration)
        return configuration
    }
}

/// What every run of the chapter shares, and the sizes of its measurements.
struct Recipe {
    /// Epochs of every sweep's runs (the binarization runs excepted).
    var epochs: Int
    /// Training images of those runs: nil for all 60,000.
    var trainImages: Int?
    /// The binarization sweep's runs: fewer images, more epochs, so that overfitting shows.
    var binarizationImages: Int
    var binarizationEpochs: Int
    /// The seeds of the two-seed sweeps; the first is the chapter's `--seed`, and the only one of
    /// the architectures'.
    var seeds: [UInt64]
    /// Test images evaluated after every epoch, for the curves (the first of the binarized test set).
    var curveImages: Int
    /// Test images of each run's final measurement.
    var testImages: Int
    /// The importance-weighted NLL of the latent sweep, and of the architectures'.
    var latentNLL: (samples: Int, images: Int)
    var architectureNLL: (samples: Int, images: Int)
    /// Evaluation seeds, fixed: every run is measured with the same ε.
    static let testSeed: UInt64 = 11, curveSeed: UInt64 = 7, likelihoodSeed: UInt64 = 13

    /// The control: chapter 5's recipe (the reference model, Adam at 10⁻³ with the cosine decay
    /// to a tenth, batches of 128, dynamic binarization, β = 1), `epochs` long. Every point of a
    /// sweep is this with one change.
    func baseline(seed: UInt64) -> TrainingConfiguration {
        var configuration = TrainingConfiguration(model: .reference, epochs: epochs, seed: seed)
        configuration.subset = trainImages
        configuration.historyInterval = 4          // a training batch every 4 updates, for the curves
        return configuration
    }
}

/// One run's measurements on the binarized test set (or on a training draw): cached beside the run.
struct TestMeasurement: Codable {
    var elbo: MeanEstimate
    var reconstruction: Double
    var kl: Double
    var latent: LatentActivity

    init(_ evaluation: ELBOEvaluation) {
        elbo = evaluation.elbo
        reconstruction = evaluation.reconstruction
        kl = evaluation.kl
        latent = evaluation.latent
    }
}

/// What one trained run is and measured.
struct Outcome {
    /// "latent=50", "arch=deep": how the run reads in the lines.
    var name: String
    var configuration: TrainingConfiguration
    var checkpoint: URL
    var history: TrainingHistory
    var stepsPerEpoch: Int
    /// Seconds of training of each epoch, measured while that epoch was trained (kept in the
    /// checkpoint's records, outside the fingerprint: a timing, not a result of the settings).
    var epochSeconds: [Double]
    /// Whether this process trained any of its epochs (else every timing is from an earlier run).
    var trainedNow: Bool
    var test: TestMeasurement
    var parameters: Int
    var multiplyAdds: Int
    /// The binarization runs: the ELBO after each epoch on the first training images of the static
    /// draw, and at the end on the whole draw.
    var trainCurve: [Double]
    var trainDraw: TestMeasurement?
    /// The run's cache of measurements (`RunMeasurements`, by fingerprint).
    var measurements: RunMeasurements

    var seed: UInt64 { configuration.seed }
    /// The mean seconds per epoch (as measured when the run was trained).
    var secondsPerEpoch: Double { epochSeconds.isEmpty ? .nan : epochSeconds.reduce(0, +) / Double(epochSeconds.count) }
    /// MFLOP per image for a training step: forward, and backward at twice its cost.
    var trainingMFLOP: Double { Double(multiplyAdds) * 6e-6 }
    /// Seconds per update, for the curves against wall-clock time.
    var secondsPerStep: Double { secondsPerEpoch / Double(stepsPerEpoch) }
}

/// Trains, reuses and measures the chapter's runs. A run shared by several sweeps (the baseline
/// is the reference of the latent, architecture, optimizer, schedule, batch and KL sweeps) is
/// trained and measured once.
final class Laboratory {
    let recipe: Recipe
    /// The grey training images, the binarized test set, and the grey test set it was drawn from.
    let train: MNIST, test: MNIST, greyTest: MNIST
    /// Runs live in `folder/NAME-seedS`.
    let folder: URL
    let retrain: Bool
    private var done: [Outcome] = []

    init(recipe: Recipe, train: MNIST, greyTest: MNIST, folder: URL, retrain: Bool) {
        self.recipe = recipe; self.train = train; self.greyTest = greyTest; self.folder = folder; self.retrain = retrain
        test = Likelihood.bernoulli.evaluationSet(greyTest)
    }

    /// The run of `configuration`, trained (or reused, or resumed) and measured; `trainDraw`, for
    /// the binarization runs, is the static draw of the training images to measure it on too.
    func outcome(_ name: String, _ configuration: TrainingConfiguration, trainDraw: MNIST? = nil) throws -> Outcome {
        if let known = done.first(where: { $0.configuration == configuration }) { return known }
        let isBaseline = configuration == recipe.baseline(seed: configuration.seed)
        let runName = (isBaseline ? "baseline" : name.replacingOccurrences(of: "=", with: "-")) + "-seed\(configuration.seed)"
        let runFolder = folder.appendingPathComponent(runName, isDirectory: true)
        var line = ""
        let trainer = try TrainingRun.trainer(for: configuration, in: runFolder, trainingSet: train, retrain: retrain) {
            line = $0
            log(CoursePaths.relative("\(name) seed \(configuration.seed): \($0)"))
        }
        let epochsBefore = trainer.epoch
        let test = self.test, curveImages = recipe.curveImages
        trainer.evaluation = { model in
            try evaluateELBO(model: model, images: test.images, limit: curveImages, seed: Recipe.curveSeed).terms
        }
        trainer.recordEpoch = { trainer in
            if let trainDraw {
                let elbo = try evaluateELBO(model: trainer.model, images: trainDraw.images, limit: curveImages, seed: Recipe.curveSeed)
                let value = Tensor(shape: [1], scalars: [Float(elbo.elbo.mean)])
                trainer.records["train_elbo"] = trainer.records["train_elbo"].map { Tensor.concatenateRows($0, value) } ?? value
            }
        }
        trainer.showsProgress = true
        try trainer.train(checkpoint: TrainingRun.checkpoint(in: runFolder))

        guard let measurements = RunMeasurements(trainer: trainer, folder: runFolder) else {
            throw ValidationError("the run in \(runFolder.path) has no fingerprint")
        }
        let model = trainer.model
        model.isTraining = false
        let testImages = recipe.testImages
        let testMeasurement = try measurements.value("test elbo images=\(testImages) seed=\(Recipe.testSeed)") {
            TestMeasurement(try evaluateELBO(model: model, images: test.images, limit: testImages, seed: Recipe.testSeed))
        }.value
        var drawMeasurement: TestMeasurement? = nil
        if let trainDraw {
            drawMeasurement = try measurements.value("train draw elbo images=\(trainDraw.count) seed=\(Recipe.testSeed)") {
                TestMeasurement(try evaluateELBO(model: model, images: trainDraw.images, seed: Recipe.testSeed))
            }.value
        }
        let epochSeconds = trainer.epochSeconds
        let outcome = Outcome(name: name, configuration: configuration, checkpoint: TrainingRun.checkpoint(in: runFolder),
                              history: trainer.history, stepsPerEpoch: trainer.stepsPerEpoch, epochSeconds: epochSeconds,
                              trainedNow: trainer.epoch > epochsBefore, test: testMeasurement,
                              parameters: model.parameterCount, multiplyAdds: model.forwardMultiplyAdds,
                              trainCurve: (trainer.records["train_elbo"]?.scalars ?? []).map { Double($0) },
                              trainDraw: drawMeasurement, measurements: measurements)
        let fingerprint = measurements.file.deletingPathExtension().lastPathComponent.replacingOccurrences(of: "measurements-", with: "")
        let how = outcome.trainedNow
            ? String(format: "trained %d epoch%@ in %.1f s", trainer.epoch - epochsBefore, trainer.epoch - epochsBefore == 1 ? "" : "s",
                     epochSeconds.suffix(trainer.epoch - epochsBefore).reduce(0, +))
            : (line.hasPrefix("reusing") ? "reused" : "taken back")
        print(String(format: "%@ seed %llu [%@]: %@, %.1f s per epoch; test ELBO %.2f", name, configuration.seed, fingerprint, how,
                     outcome.secondsPerEpoch, testMeasurement.elbo.mean))
        done.append(outcome)
        return outcome
    }

    /// The importance-weighted NLL of a run at k samples on the first `images` test images, kept
    /// with the run (a second request, or a second run of the chapter, reads it back).
    func negativeLogLikelihood(_ outcome: Outcome, samples k: Int, images n: Int) throws -> MeanEstimate {
        var seconds: Double? = nil
        let (value, reused) = try outcome.measurements.value("nll k=\(k) images=\(n) seed=\(Recipe.likelihoodSeed)") {
            let model = try Checkpoint.loadModel(from: outcome.checkpoint)
            let result = try evaluateImportanceWeighted(model: model, images: test.images, samples: k, limit: n, seed: Recipe.likelihoodSeed)
            seconds = result.seconds
            return result.negativeLogLikelihood
        }
        log(String(format: "%@ seed %llu: NLL at k = %d on %d test images %.2f ± %.2f nats (%@)", outcome.name, outcome.seed, k, n,
                   value.mean, value.standardError, reused ? "measured on this run before" : String(format: "%.1f s", seconds ?? 0)))
        return value
    }
}

/// The differences from the reference point (the baseline, or Adam at its own rate) of one sweep's points, seed by seed, and whether each is
/// larger than what another seed alone changes.
///
/// A seed shifts every setting alike (the same initial weights and batch order make seed 2's
/// runs all a little better or all a little worse), so the levels of two seeds differ by more
/// than the differences do: the comparison is paired, setting against reference within each seed.
/// The noise of a difference Δ = ELBO(point) − ELBO(reference) is how much it moves with the seed,
/// |Δ(seed 1) − Δ(seed 2)|. One pair is a poor estimate of it, so the sweep pools them: its noise
/// is the median of |Δ₁ − Δ₂| over its points, or a point's own |Δ₁ − Δ₂| where that is larger
/// (a large effect often moves more with the seed). A difference is *larger than the noise* when
/// both seeds give it the same sign and its mean exceeds that noise; otherwise it is *within* it.
/// Two seeds make this a crude test, and a cautious one.
struct SeedComparison {
    struct Row {
        var value: String
        /// ELBO(point) − ELBO(reference), per seed, in the seeds' order.
        var differences: [Double]
        var mean: Double { differences.reduce(0, +) / Double(max(differences.count, 1)) }
        /// How far apart the seeds put this difference.
        var spread: Double { (differences.max() ?? 0) - (differences.min() ?? 0) }
        var isReference = false
    }
    var rows: [Row]
    /// The median spread of the points' differences (NaN with one seed).
    var noise: Double
    /// How far apart the two seeds put the reference's own ELBO.
    var referenceShift: Double

    /// `elbos[point][seed]`, with the reference's at `reference`.
    init(values: [String], elbos: [[Double]], reference: Int) {
        rows = zip(values, elbos).enumerated().map { index, pair in
            Row(value: pair.0, differences: zip(pair.1, elbos[reference]).map { $0 - $1 }, isReference: index == reference)
        }
        let spreads = rows.filter { !$0.isReference && $0.differences.count >= 2 }.map(\.spread).sorted()
        noise = spreads.isEmpty ? .nan
            : spreads.count % 2 == 1 ? spreads[spreads.count / 2] : (spreads[spreads.count / 2 - 1] + spreads[spreads.count / 2]) / 2
        let levels = elbos[reference]
        referenceShift = levels.count >= 2 ? levels.max()! - levels.min()! : .nan
    }

    /// The noise a row's mean difference is judged against.
    func noise(of row: Row) -> Double { max(noise, row.spread) }

    /// "larger than the noise", "within the noise", "(the reference)", or "" with a single seed.
    func verdict(_ row: Row) -> String {
        if row.isReference { return "(the reference)" }
        guard row.differences.count >= 2, noise.isFinite else { return "" }
        let sameSign = row.differences.allSatisfy { $0 > 0 } || row.differences.allSatisfy { $0 < 0 }
        return sameSign && abs(row.mean) > noise(of: row) ? "larger than the noise" : "within the noise"
    }
}
