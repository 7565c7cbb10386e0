import ArgumentParser
import CourseSupport
import Foundation
import VAECore

/// `vae samples <checkpoint>`: draws digits from a trained VAE's prior and judges them with the
/// course's digit classifier (`DigitClassifier`, trained once and cached on first use).
///
/// Samples are z ~ N(0, I) (or N(0, T²I) with `--temperature`, or from Gaussians fitted to the
/// training codes with `--fitted-prior`; a VampPrior model's from its mixture), decoded, with the sigmoid of the logits: the Bernoulli
/// means, grey images in [0, 1] like the classifier's training data. A conditional checkpoint (classCount 10)
/// gets N/10 samples of each label, interleaved (label i mod 10) so that every split of the
/// Inception Score sees all classes.
///
/// The report ends with one line for scripts:
///
///     samples is=<Inception Score> fid=<Fréchet distance to the test set> acc=<accuracy | n/a>
///
/// `fid` here is the Fréchet distance on the classifier's 128 hidden features, *not* the FID
/// of the literature (Inception-v3 features): compare it only between models judged by the
/// same classifier.
struct Samples: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Judge samples from a VAE's prior: Inception Score, Fréchet distance and conditional accuracy.",
        discussion: """
            The judge is a small conv classifier trained on MNIST (≥ 99% test accuracy), cached at \
            --classifier and trained there (a few minutes) if missing. Its Fréchet distance uses the \
            classifier's hidden features, so it is NOT comparable with FID on Inception features.
            """)

    @Argument(help: ArgumentHelp("The VAE checkpoint (.safetensors) to sample from.", valueName: "vae-checkpoint"))
    var checkpoint: String

    @Option(help: ArgumentHelp("The digit classifier checkpoint; trained and saved there if missing.",
                               discussion: "Defaults to runs/classifier/classifier.safetensors in the package.",
                               valueName: "path"))
    var classifier: String?

    @Option(parsing: .unconditional, help: "Samples to draw (a multiple of 10 for a conditional model).")
    var count: Int = 10_000

    @Option(parsing: .unconditional, help: "Seed of the latent draws.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Folder of MNIST IDX files (defaults to the bundled copy).", valueName: "dir"))
    var data: String?

    @Option(parsing: .unconditional, help: "Splits of the Inception Score (mean ± sd over them).")
    var splits: Int = 10

    @Option(parsing: .unconditional, help: ArgumentHelp("Draw z ~ N(0, T²·I): T < 1 gives more typical, less varied digits.", valueName: "T"))
    var temperature: Float = 1

    @Flag(help: """
        Draw z from Gaussians fitted to the training images' codes (one per label), not from N(0, I):         ex-post density estimation, chapter 7's section 5.
        """)
    var fittedPrior = false

    static let defaultClassifier = CoursePaths.root
        .appendingPathComponent("runs/classifier/classifier.safetensors")

    func validate() throws {
        guard count >= max(splits, 2) else { throw ValidationError("--count must be at least --splits and 2, got \(count)") }
        guard splits >= 1 else { throw ValidationError("--splits must be positive, got \(splits)") }
        guard temperature.isFinite, temperature >= 0 else { throw ValidationError("--temperature must be a number ≥ 0, got \(temperature)") }
        if fittedPrior && temperature != 1 { throw ValidationError("--temperature applies to N(0, I), not to --fitted-prior") }
        try MemoryBudget.bytes([count, 784], bytesPerElement: MemoryLayout<Float>.size, for: "--count \(count) sampled images")
    }

    func run() throws {
        let dataDirectory = data.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? MNIST.bundledDirectory
        let model = try Checkpoint.loadModel(from: URL(fileURLWithPath: checkpoint))
        let classes = model.configuration.classCount
        guard classes == 0 || classes == MNIST.classCount else {
            throw ValidationError("the VAE is conditional on \(classes) classes; the judge knows \(MNIST.classCount)")
        }
        guard classes == 0 || count % classes == 0 else {
            throw ValidationError("--count \(count) must be a multiple of \(classes) for a conditional model")
        }

        let judgeURL = classifier.map { URL(fileURLWithPath: $0) } ?? Self.defaultClassifier
        let judge = try DigitClassifier.loadOrTrain(at: judgeURL, data: dataDirectory, log: log)

        let watch = Stopwatch()
        let test = try MNIST.load(split: .test, from: dataDirectory)
        let reference = try judge.reference(images: test.images, labels: test.labels.map(Int.init), splits: splits)

        let labels: [Int]? = classes > 0 ? VAE.interleavedLabels(count: count, classes: classes) : nil
        var random = RandomSource(seed: seed)
        model.isTraining = false
        let images: Tensor
        if fittedPrior {
            let train = model.configuration.likelihood.evaluationSet(try MNIST.load(split: .train, from: dataDirectory))
            let prior = try model.fitCodePrior(images: train.images, labels: classes > 0 ? train.labels.map(Int.init) : nil)
            images = try model.sample(count: count, labels: labels, from: prior, using: &random)
        } else {
            images = try model.samplePrior(count: count, labels: labels, temperature: temperature, using: &random)
        }
        let verdict = try judge.judge(samples: images, labels: labels, against: reference, splits: splits)
        log(String(format: "sampled and judged in %.1f s", watch.elapsedSeconds))

        let configuration = model.configuration
        print("VAE \(checkpoint): \(configuration.summary)")
        print(String(format: "judge %@: test accuracy %.2f%% on the %d test images, measured now", judgeURL.path, 100 * reference.accuracy, test.count)
              + (judge.report.map { String(format: " (%.2f%% recorded)", 100 * $0.testAccuracy) } ?? ""))
        print(String(format: "real test images (%d): IS %@ over %d splits, judge accuracy %.2f%%",
                     test.count, reference.inceptionScore.description, splits, 100 * reference.accuracy))
        let source = fittedPrior ? "the Gaussians fitted to the training codes"
                                 : temperature == 1 ? "the prior" : String(format: "the prior at temperature %g", temperature)
        print(String(format: "samples (%d from %@, seed %llu): IS %@ over %d splits", count, source, seed,
                     verdict.inceptionScore.description, splits))
        print(String(format: "Fréchet distance to the test set on the judge's %d features: %.3f (not Inception FID)",
                     judge.architecture.featureCount, verdict.frechetDistance))
        if let accuracy = verdict.accuracy {
            let perClass = accuracy.perClass.enumerated()
                .map { "\($0.offset): " + ($0.element.map { String(format: "%.1f%%", 100 * $0) } ?? "-") }
            print(String(format: "conditional accuracy %.2f%%; per label ", 100 * accuracy.overall) + perClass.joined(separator: ", "))
        }
        print(String(format: "samples is=%.4f fid=%.4f acc=", verdict.inceptionScore.mean, verdict.frechetDistance)
              + (verdict.accuracy.map { String(format: "%.4f", $0.overall) } ?? "n/a"))
    }
}
