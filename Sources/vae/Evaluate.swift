import ArgumentParser
import CourseSupport
import Foundation
import VAECore

/// `vae evaluate <checkpoint>`: the test-set numbers of a trained model.
///
/// The MNIST test images are binarized once, with `EvaluationDefaults.binarizationSeed`, so that
/// every checkpoint is measured on the same binary images. Then:
/// 1. the ELBO with its reconstruction and KL terms (one z per image, seeded by `--seed`);
/// 2. the KL per latent dimension and the active units (Var_x μ_d > 0.01);
/// 3. the importance-weighted log-likelihood with k samples per image (seed `--seed` + 1).
///
/// The last line of standard output is machine-readable:
///
///     test elbo=<mean ELBO, negative> nll=<mean −log p̂_k(x), positive> k=<k> active=<units>
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a VAE checkpoint on the binarized MNIST test set: ELBO, importance-weighted NLL, active units.")

    @Argument(help: ArgumentHelp("A safetensors checkpoint with the model's configuration under the metadata key \"model_config\".",
                                 valueName: "checkpoint"))
    var checkpoint: String

    @Option(name: .customShort("k"), parsing: .unconditional, help: "Importance samples per image for the log-likelihood.")
    var samples: Int = EvaluationDefaults.importanceSamples

    @Option(name: .long, parsing: .unconditional, help: "Evaluate only the first N test images.")
    var limit: Int?

    @Option(name: .long, parsing: .unconditional, help: "Images encoded at once.")
    var batchSize: Int = 100

    @Option(name: .long, parsing: .unconditional, help: "Latent codes decoded at once by the importance-weighted estimate.")
    var chunkSize: Int = 512

    @Option(name: .long, parsing: .unconditional, help: "Seed of the ε draws (the binarization seed is fixed).")
    var seed: UInt64 = 1

    @Option(name: .long, help: ArgumentHelp("Folder of the MNIST-named IDX files (t10k-images-idx3-ubyte.gz, ...).",
                                            discussion: "Defaults to the copy of MNIST bundled with the package.",
                                            valueName: "dir"))
    var data: String?

    func validate() throws {
        guard samples >= 1 else { throw ValidationError("-k must be at least 1, not \(samples)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard chunkSize >= 1 else { throw ValidationError("--chunk-size must be at least 1") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let url = URL(fileURLWithPath: checkpoint)
        let model = try Checkpoint.loadModel(from: url)
        let c = model.configuration
        print("checkpoint  \(CoursePaths.relative(url.path))")
        print("model       \(c.summary), \(model.parameterCount) parameters")

        let directory = data.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? MNIST.bundledDirectory
        let test = c.likelihood.evaluationSet(try MNIST.load(split: .test, from: directory).prefix(limit ?? .max))
        let labels = test.labels.map(Int.init)
        let source = directory == MNIST.bundledDirectory ? "the bundled MNIST" : CoursePaths.relative(directory.path)
        print("data        \(test.count) test images from \(source), "
              + (c.likelihood.binarizesData ? "binarized with seed \(EvaluationDefaults.binarizationSeed)" : "grey pixels"))

        // -k, --batch-size and --chunk-size size the estimate's buffers: refused now if they
        // cannot fit, rather than after the ELBO's pass.
        _ = try ImportanceWeightedMemory.evaluationChunk(model: c, samples: samples, batchSize: min(batchSize, max(1, test.count)),
                                                         chunkSize: chunkSize)
        let elboWatch = Stopwatch()
        let elbo = try evaluateELBO(model: model, images: test.images, labels: labels, batchSize: batchSize, seed: seed)
        let elboSeconds = elboWatch.elapsedSeconds
        guard elbo.elbo.mean.isFinite else {
            throw ValidationError("the test ELBO of \(url.path) is not finite (\(elbo.elbo.mean)): the model is broken")
        }
        print("")
        print(String(format: "ELBO            %9.3f ± %.3f nats per image (one z per image, seed %llu)",
                     elbo.elbo.mean, elbo.elbo.standardError, seed))
        print(String(format: "  reconstruction %9.3f  (−log p(x|z) summed over pixels: %@)", elbo.reconstruction, c.likelihood.summary))
        print(String(format: "  KL             %9.3f", elbo.kl))

        let latent = elbo.latent
        print("")
        print("latent units (active: Var_x μ_d > \(latent.threshold))")
        print("   d      KL_d   Var_x μ_d")
        for d in latent.klPerDimension.indices {
            print(String(format: "  %2d  %8.4f  %10.5f", d, latent.klPerDimension[d], latent.meanVariance[d])
                  + (latent.meanVariance[d] > latent.threshold ? "  active" : ""))
        }
        print("active units  \(latent.activeUnits) of \(latent.klPerDimension.count)")

        let report = ProgressReport(total: test.count)
        let iw = try evaluateImportanceWeighted(model: model, images: test.images, labels: labels, samples: samples,
                                                batchSize: batchSize, chunkSize: chunkSize, seed: seed &+ 1,
                                                progress: report.update)
        let nll = iw.negativeLogLikelihood.mean
        guard nll.isFinite else { throw ValidationError("the importance-weighted NLL of \(url.path) is not finite (\(nll))") }
        let perThousand = iw.seconds / Double(iw.count) * 1000
        let fullEstimate = iw.seconds / (Double(iw.count) * Double(samples)) * 10_000 * Double(EvaluationDefaults.importanceSamples)
        print("")
        print(String(format: "NLL (k = %d)    %9.3f ± %.3f nats per image (importance-weighted, seed %llu)",
                     samples, nll, iw.negativeLogLikelihood.standardError, seed &+ 1))
        print(String(format: "  gap to ELBO    %9.3f", -elbo.elbo.mean - nll))
        print(String(format: "timing  ELBO %.2f s; importance-weighted %.1f s = %.1f s per 1,000 images at k = %d",
                     elboSeconds, iw.seconds, perThousand, samples))
        print(String(format: "        estimate for k = %d on 10,000 images: %.0f s (%.1f h)",
                     EvaluationDefaults.importanceSamples, fullEstimate, fullEstimate / 3600))
        print(String(format: "test elbo=%.2f nll=%.2f k=%d active=%d", elbo.elbo.mean, nll, samples, latent.activeUnits))
    }
}

/// Progress of a long estimate on standard error, at most every few seconds (`evaluate`, `score`).
final class ProgressReport: @unchecked Sendable {
    let total: Int
    let start = Date()
    var last = Date.distantPast

    init(total: Int) { self.total = total }

    func update(done: Int, total: Int) {
        let now = Date()
        guard now.timeIntervalSince(last) > 5 || done == total else { return }
        last = now
        let elapsed = now.timeIntervalSince(start)
        let remaining = elapsed / Double(done) * Double(total - done)
        log(String(format: "  importance-weighted: %d / %d images, %.0f s, about %.0f s left", done, total, elapsed, remaining))
    }
}
