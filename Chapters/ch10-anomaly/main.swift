// Chapter 10 — Does the VAE know what it has not seen? Anomaly detection with a likelihood model
// ============================================================================================
//
// A VAE trained on digits gives every image a number, −log p(x): the nats it would take to
// describe x with the model. An image unlike the training data should cost many nats, so the
// number looks like a ready-made detector of the unfamiliar. This chapter measures how good a
// detector it is, honestly, including its famous failure: a model trained on clothing
// (Fashion-MNIST: Xiao, Rasul and Vollgraf 2017) finds handwritten digits *more* likely than
// clothes (Nalisnick et al. 2019a, "Do deep generative models know what they don't know?"), and
// a model of digits finds a blank page the most likely image of all. It builds eight scores
// from one model's outputs, the metrics that judge them, and the corrections the literature
// proposes (a background model's likelihood ratio, input complexity, the typicality test), and
// ends with a harder test: train without one digit and ask whether the model notices that digit.
//
//     swift run -c release ch10-anomaly [--images N] [--samples K] [--fashion-epochs N] [--background-epochs N] [--flip-rate R]
//                                       [--leave-out-epochs N] [--leave-out-samples K]
//                                       [--quick] [--retrain] [--data DIR] [--figures DIR] [--seed N]
//
// Models (each trained once, then reused by fingerprint): chapter 5's (runs/vae: the same
// configuration, so whichever chapter runs first trains it and the other reuses it), the same
// recipe on Fashion-MNIST (runs/fashion-vae), a background model for each on corrupted copies
// of their training sets (runs/background-mnist, runs/background-fashion), and 20
// leave-one-digit-out models (runs/leave-out/digit-D-latent-N). With --quick all live under
// runs/quick/. It writes the figures ch10-*.png.
// Time on this project's two cores (AMD EPYC, quiet): 12 min 07 s the first time with chapter 5's
// run reused (section 1's three new models 4 min 03 s, sections 3 and 5's scores 2 min, section
// 7's twenty models and their scores 6 min 01 s), 33 s with every run and score reused; --quick
// (everything trained small) 37 s.

import ArgumentParser
import CourseSupport
import Foundation
import VAECore

// MARK: What an anomaly score is
//
// An anomaly score s(x) is any number that should be larger for images unlike the training
// data. Given a set of normal images (the test set of the training distribution, "in") and a set
// of anomalies ("out"), a threshold t turns it into a detector, "flag x when s(x) ≥ t", and the
// question is how well *some* threshold separates the two sets. A VAE offers several scores at
// once, because it computes several things about each image:
//
//   - the negative ELBO, −log p(x|z) + KL(q(z|x) ‖ p(z)) with one z ~ q(z|x): the bound on the
//     code length the model was trained to minimise;
//   - the importance-weighted NLL, −log (1/k) Σ_i p(x, z_i)/q(z_i|x) (chapter 5): the same
//     code length, estimated more tightly;
//   - the reconstruction term alone, and the KL term alone: how badly x is redrawn from its
//     code, and how much the code has to say (how far q(z|x) moves from the prior);
//   - the Mahalanobis distance of μ(x) under a Gaussian fitted to the training codes: whether the
//     encoder puts x where it puts training images;
//
// and three corrected scores, which the experiments below will need:
//
//   - the likelihood ratio against a background model (Ren et al. 2019);
//   - input complexity, S = −log₂ p(x) − L(x) with L the length of x compressed by deflate
//     (Serrà et al. 2020);
//   - the typicality test, |mean of −log p over a batch of M images − Ĥ| (Nalisnick et al. 2019b).
//
// Every score is computed in `Sources/VAECore/Anomaly/`, each in a file of its own, from the
// evaluation functions of chapter 5: `scoreImages` calls `evaluateELBO`,
// `evaluateImportanceWeighted` and `encodePosteriors`, and nothing here estimates a likelihood
// a second way.

struct Chapter10: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ch10-anomaly",
        abstract: "Chapter 10: does the VAE know what it has not seen? Anomaly scores, their metrics, the Fashion-MNIST failure, leave-one-digit-out.",
        discussion: "Full: about 12 minutes the first time on two cores (with chapter 5's run there), half a minute with its runs reused. --quick: under a minute.")

    @OptionGroup var options: ChapterOptions

    @Option(parsing: .unconditional, help: "Images scored in each set (default: 2000, or 200 with --quick).")
    var images: Int?

    @Option(parsing: .unconditional, help: "Importance samples k of the NLL of each image (default: 100, or 10 with --quick).")
    var samples: Int?

    @Option(parsing: .unconditional, help: "Training epochs of the model of Fashion-MNIST (default: 20, or 2 on 20,000 images with --quick).")
    var fashionEpochs: Int?

    @Option(parsing: .unconditional, help: "Training epochs of the two background models (default: 5, or 1 on 10,000 images with --quick).")
    var backgroundEpochs: Int?

    @Option(parsing: .unconditional, help: "Share of the pixels flipped (x → 1 − x) in the background models' training sets.")
    var flipRate = 0.2

    @Option(parsing: .unconditional, help: "Training epochs of each of the 20 leave-one-digit-out models (default: 2, or 1 on 2,000 images with --quick).")
    var leaveOutEpochs: Int?

    @Option(parsing: .unconditional, help: "Importance samples k of the leave-one-digit-out models' NLL (default: 10, or 5 with --quick).")
    var leaveOutSamples: Int?

    /// The typicality test's batch sizes.
    static let batchSizes = [1, 2, 5, 10]
    /// The code sizes of the leave-one-digit-out models.
    static let leaveOutLatents = [2, 20]

    var imageCount: Int { images ?? (options.quick ? 200 : 2_000) }
    var importanceSamples: Int { samples ?? (options.quick ? 10 : 100) }

    func validate() throws {
        if let images, images < 20 { throw ValidationError("--images must be at least 20 (the typicality test needs 2 batches of 10), not \(images)") }
        if let images, images > 10_000 { throw ValidationError("--images must be at most 10000 (the size of the test sets), not \(images)") }
        if let samples, samples < 1 { throw ValidationError("--samples must be at least 1, not \(samples)") }
        if let leaveOutSamples, leaveOutSamples < 1 { throw ValidationError("--leave-out-samples must be at least 1, not \(leaveOutSamples)") }
        if let fashionEpochs, fashionEpochs < 1 { throw ValidationError("--fashion-epochs must be at least 1, not \(fashionEpochs)") }
        if let backgroundEpochs, backgroundEpochs < 1 { throw ValidationError("--background-epochs must be at least 1, not \(backgroundEpochs)") }
        if let leaveOutEpochs, leaveOutEpochs < 1 { throw ValidationError("--leave-out-epochs must be at least 1, not \(leaveOutEpochs)") }
        guard flipRate.isFinite, flipRate > 0, flipRate < 1 else { throw ValidationError("--flip-rate must lie strictly between 0 and 1, not \(flipRate)") }
    }

    func run() throws {
        options.announcePlan()                    // what it will train or reuse, and for how long
        let watch = Stopwatch()
        let figures = try options.figureWriter()
        let mnistTrain = try options.loadMNIST(.train)
        let mnistTest = try options.loadMNIST(.test)
        let fashionTrain = try MNIST.load(.fashionMNIST, split: .train)
        let fashionTest = try MNIST.load(.fashionMNIST, split: .test)

        var lap = Stopwatch()
        func timed<T>(_ body: () throws -> T) rethrows -> T {
            defer { log(String(format: "(section: %.1f s)", lap.elapsedSeconds)); lap = Stopwatch() }
            return try body()
        }
        let models = try timed { try trainModels(mnistTrain: mnistTrain, mnistTest: mnistTest, fashionTrain: fashionTrain, fashionTest: fashionTest) }
        let sets = try timed { try outlierSets(mnistTest: mnistTest, fashionTest: fashionTest, figures: figures) }
        let mnist = try timed { try scoreEverything(models.mnist, background: models.mnistBackground, inSet: sets[0], outSets: Array(sets[1...]),
                                                    reference: trainingReference(mnistTrain)) }
        try timed { try metrics(mnist, figures: figures) }
        let fashion = try timed { try fashionFailure(models, mnistSet: sets[0], fashionSet: sets[1], fashionTrain: fashionTrain, mnist: mnist,
                                                     figures: figures) }
        try timed { try typicality(mnist: mnist, fashion: fashion, figures: figures) }
        try timed { try leaveOneDigitOut(train: mnistTrain, test: mnistTest, figures: figures) }
        try timed { try extremes(mnist: mnist, fashion: fashion, figures: figures) }
        print(String(format: "\nchapter 10 ran in %.1f s", watch.elapsedSeconds))
    }

    // MARK: 1. Four models: digits, clothes, and a background for each
    //
    // The model of digits is chapter 5's, with chapter 5's configuration exactly (the reference
    // architecture, 20 latent dimensions, Adam with a cosine decay, 30 epochs on all 60,000
    // digits, seed 1): its fingerprint is the same, so this chapter reuses chapter 5's run when
    // it is there and trains it when it is not, and chapter 5 then reuses this one. The model of
    // clothes is the same recipe on Fashion-MNIST's 60,000 training images: same layers, same
    // optimiser, another training set, hence another fingerprint and another run; 20 epochs
    // instead of 30 (`--fashion-epochs`), to keep the chapter within its quarter of an hour. Its
    // test ELBO is printed after every epoch: the last lines show how little it still moves,
    // against the tens of nats that separate the sets below.
    //
    // The background models serve section 5's likelihood ratio: the same architecture trained on a copy of each
    // training set in which every pixel was flipped (x → 1 − x) with probability 0.2, drawn once
    // from a fixed seed. The corrupted copy is a training set of its own, with its own SHA-256,
    // so the run's fingerprint tells it from a model of clean images without any new setting.
    // (A fresh corruption of every batch would be the other choice; one fixed draw of the flips
    // is the simplest honest variant, and the dynamic binarization still redraws every grey pixel
    // in every epoch.) Fewer epochs than the clean models, five: the background model must learn
    // what flipped pixels and coarse shapes cost, not every stroke.
    struct Models {
        var mnist: TrainedModel
        var fashion: TrainedModel
        var mnistBackground: TrainedModel
        var fashionBackground: TrainedModel
    }

    func trainModels(mnistTrain: MNIST, mnistTest: MNIST, fashionTrain: MNIST, fashionTest: MNIST) throws -> Models {
        section("1. Four models: digits, clothes, and a background for each")
        // Chapter 5's configuration (`Chapter5Run`), so that its run is shared.
        let recipe = Chapter5Run.configuration(quick: options.quick, seed: options.seed)
        var background = recipe
        background.epochs = backgroundEpochs ?? (options.quick ? 1 : 5)
        if options.quick { background.subset = 10_000 }
        let flipSeed = options.seed &+ 1_000

        let mnist = try train("mnist", recipe, on: mnistTrain, folder: options.runFolder(Chapter5Run.folderName), test: mnistTest, chapter5: true)
        var clothes = recipe
        clothes.epochs = fashionEpochs ?? (options.quick ? 2 : 20)
        let fashion = try train("fashion", clothes, on: fashionTrain, folder: options.runFolder("fashion-vae"), test: fashionTest)
        let corruptedMNIST = try mnistTrain.flippingPixels(rate: flipRate, seed: flipSeed)
        let corruptedFashion = try fashionTrain.flippingPixels(rate: flipRate, seed: flipSeed &+ 1)
        print(String(format: "background training sets: each pixel flipped with probability %.2f (%.1f%% of MNIST's and %.1f%% of Fashion-MNIST's pixels changed)",
                     flipRate, 100 * changedShare(mnistTrain, corruptedMNIST), 100 * changedShare(fashionTrain, corruptedFashion)))
        let suffix = flipRate == 0.2 ? "" : String(format: "-flip%.2f", flipRate)
        let mnistBackground = try train("background-mnist", background, on: corruptedMNIST,
                                        folder: options.runFolder("background-mnist" + suffix), test: nil)
        let fashionBackground = try train("background-fashion", background, on: corruptedFashion,
                                          folder: options.runFolder("background-fashion" + suffix), test: nil)
        return Models(mnist: mnist, fashion: fashion, mnistBackground: mnistBackground, fashionBackground: fashionBackground)
    }

    // MARK: 2. What the model of digits has never seen
    //
    // The out-of-distribution sets, from the easiest to spot to the hardest:
    //
    //   - Fashion-MNIST's test images: the same format, another world (clothes);
    //   - uniform noise: every grey pixel drawn from U(0, 1);
    //   - blank images: all black, nothing written;
    //   - constant images: one grey level c ~ U(0, 1) per image;
    //   - inverted digits: 1 − x, black ink on white;
    //   - mirrored digits (left to right) and digits turned a quarter turn clockwise: strokes
    //     exactly like the training strokes, in arrangements no digit has.
    //
    // A Bernoulli model scores binary images, so every set is binarized exactly as the test set
    // is, once, with the evaluation's fixed seed (each grey value read as the probability that
    // the pixel is on). A constant grey image thus becomes sparse or dense noise of density c:
    // the model never sees a "grey" image, only its coin flips. Blank images stay blank.
    //
    // Each set holds the first `--images` images (2000 by default): the test digits, their
    // transformed copies, or images made from the seed.
    struct ImageSet {
        var name: String
        var data: MNIST
    }

    func outlierSets(mnistTest: MNIST, fashionTest: MNIST, figures: FigureWriter) throws -> [ImageSet] {
        section("2. What the model of digits has never seen")
        let n = imageCount
        let digits = mnistTest.prefix(n)
        let grey: [(String, MNIST)] = [
            ("mnist", digits),
            ("fashion", fashionTest.prefix(n)),
            ("noise", MNIST.uniformNoise(count: n, seed: options.seed &+ 101)),
            ("blank", MNIST.blankImages(count: n)),
            ("constant", MNIST.constantImages(count: n, seed: options.seed &+ 103)),
            ("inverted", digits.inverted()),
            ("mirrored", digits.mirrored()),
            ("rotated", digits.rotatedQuarterTurn()),
        ]
        let sets = grey.map { ImageSet(name: $0.0, data: Likelihood.bernoulli.evaluationSet($0.1)) }
        for set in sets {
            let on = MeanEstimate(onPixels(set.data).map(Double.init))
            print(set.name.padding(toLength: 9, withPad: " ", startingAt: 0)
                  + String(format: " %d images, %5.1f ± %4.1f pixels on of 784 (%.1f%% black)", set.data.count,
                           on.mean, on.standardError, 100 * (1 - on.mean / 784)))
        }
        try Pictures.examples(sets.map { ($0.name, $0.data) }, figures: figures)
        return sets
    }

    /// The number of white pixels of each binary image.
    func onPixels(_ set: MNIST) -> [Int] {
        (0..<set.count).map { i in set.images.scalars[(i * 784)..<((i + 1) * 784)].reduce(0) { $0 + ($1 > 0.5 ? 1 : 0) } }
    }

    /// The first images of the model's training set, binarized like the test set: where the
    /// Gaussian of the training codes is fitted and the typicality test's entropy Ĥ measured.
    func trainingReference(_ train: MNIST) -> ImageSet {
        ImageSet(name: "train", data: Likelihood.bernoulli.evaluationSet(train.prefix(imageCount)))
    }

    // MARK: 3. Scoring every image
    //
    // `scoreImages` (Sources/VAECore/Anomaly/ImageScores.swift) gives, for each image x:
    //
    //   - −ELBO(x), its reconstruction term −log p(x|z) and its KL term, all from one z ~ q(z|x);
    //   - −log p̂_k(x), the importance-weighted estimate with k samples (k = 100 by default);
    //   - d²(μ(x)) = (μ − m)ᵀ Σ⁻¹ (μ − m), the squared Mahalanobis distance of the code, where
    //     N(m, Σ) is the Gaussian of the training codes: m the mean of μ over the training images,
    //     Σ = Cov[μ] + E[diag σ²] (the aggregate posterior's covariance; chapter 7's
    //     `FittedCodePrior`, fitted here to the first training images). Σ⁻¹ is applied through
    //     the eigendecomposition Σ = V Λ Vᵀ: d² = Σ_k ((μ − m)·v_k)² / λ_k;
    //   - L(x), the bits of the binary image compressed by deflate (`InputComplexity`).
    //
    // The background model scores the same images, and the likelihood ratio of section 4 is the
    // difference of the two NLLs. Each model keeps the scores of each set in its run's
    // measurements (they depend only on the weights, the images and the seeds), so a second run
    // of the chapter reads them instead of spending minutes again.
    struct ScoredModel {
        var name: String
        var inSet: ScoredSet
        var outSets: [ScoredSet]
        var images: [String: MNIST]
    }

    func scoreEverything(_ model: TrainedModel, background: TrainedModel, inSet: ImageSet, outSets: [ImageSet],
                         reference: ImageSet, heading: Bool = true) throws -> ScoredModel {
        if heading { section("3. Scoring every image") }
        print("the model of \(model.name == "mnist" ? "digits" : "clothes") and its background model, on \(([inSet] + outSets).map(\.name).joined(separator: ", ")):")
        let watch = Stopwatch()
        let gaussian = try MahalanobisDistance(prior: try model.vae.fitCodePrior(images: reference.data.images, labels: nil))
        let fit = "train\(reference.data.count)"
        let settings = ScoringSettings(importanceSamples: importanceSamples, seed: options.seed &+ 7, codeGaussian: gaussian)
        var measured = 0, kept = 0
        func scores(_ model: TrainedModel, _ set: ImageSet, _ settings: ScoringSettings, fit: String) throws -> ImageScores {
            let (value, reused) = try cachedScores(model, set.data, set: set.name, settings: settings, fit: fit)
            if reused { kept += 1 } else { measured += 1 }
            return value
        }
        let entropy = MeanEstimate(try scores(model, reference, settings, fit: fit).bestNegativeLogLikelihood)
        let backgroundSettings = ScoringSettings(importanceSamples: importanceSamples, seed: options.seed &+ 7)
        func scored(_ set: ImageSet) throws -> ScoredSet {
            ScoredSet(name: set.name, labels: set.data.labels, scores: try scores(model, set, settings, fit: fit),
                      background: try scores(background, set, backgroundSettings, fit: "none"), entropy: entropy.mean)
        }
        let result = ScoredModel(name: model.name, inSet: try scored(inSet), outSets: try outSets.map(scored),
                                 images: Dictionary(uniqueKeysWithValues: ([inSet] + outSets).map { ($0.name, $0.data) }))
        print(String(format: "%d sets of %d images, k = %d: %d measured now, %d kept from an earlier run (%.1f s)", outSets.count + 1,
                     imageCount, importanceSamples, measured, kept, watch.elapsedSeconds))
        print(String(format: "Ĥ = %.2f ± %.2f nats: the mean −log p̂(x) of the first %d training images (the typicality test's entropy)",
                     entropy.mean, entropy.standardError, reference.data.count))
        print("mean of each score per set (nats, or bits for complexity; d² is measured on μ, under a Gaussian whose covariance"
              + " Cov[μ] + E[σ²] also holds the posteriors' spread, so the training codes' mean d² falls below"
              + " D = \(model.vae.configuration.latentDimensions)):")
        let header = try result.inSet.columns().map(\.name)
        print("  " + "set".padding(toLength: 10, withPad: " ", startingAt: 0)
              + header.map { $0.padding(toLength: 17, withPad: " ", startingAt: 0) }.joined())
        for set in [result.inSet] + result.outSets {
            let means = try set.columns().map { MeanEstimate($0.values).mean }
            print("  " + set.name.padding(toLength: 10, withPad: " ", startingAt: 0)
                  + means.map { String(format: "%-17.1f", $0) }.joined())
        }
        return result
    }

    /// The scores of `images` under `model`, kept in the run's measurements under a name that
    /// says what they depend on besides the weights; `reused` says whether they were measured
    /// before.
    func cachedScores(_ model: TrainedModel, _ images: MNIST, set: String, settings: ScoringSettings,
                      fit: String) throws -> (scores: ImageScores, reused: Bool) {
        let compute = { try scoreImages(model: model.vae, images: images.images, settings: settings) }
        guard let measurements = model.measurements else { return (try compute(), false) }
        let name = "anomaly scores set=\(set) images=\(images.count) k=\(settings.importanceSamples) seed=\(settings.seed) gaussian=\(fit)"
        let (value, reused) = try measurements.value(name, compute: compute)
        return (value, reused)
    }

    // MARK: 4. Judging a score: ROC, AUROC, AUPR, FPR at 95%
    //
    // A score separates in from out when some threshold puts most anomalies above it and most
    // normal images below. Sweeping the threshold from the top (`ROCCurve`,
    // Sources/VAECore/Anomaly/DetectionMetrics.swift) gives at each value t
    //
    //     TPR(t) = share of out images with s ≥ t      (anomalies caught)
    //     FPR(t) = share of in images with s ≥ t       (false alarms)
    //
    // and the ROC curve is TPR against FPR, from (0, 0) to (1, 1). Three numbers summarise it:
    //
    //   - AUROC, the area under it: the probability that a random anomaly scores above a random
    //     normal image, a tie counting as half. 1 is perfect, 0.5 is a coin, and 0 is perfect the
    //     wrong way round (the score is then a fine detector of the opposite);
    //   - AUPR, the area under the precision–recall curve (average precision): how pure the
    //     flagged images are as more anomalies are caught. Its chance level is the share of
    //     anomalies (one half here, with as many out images as in);
    //   - FPR at 95% TPR: the false alarms when 95% of the anomalies must be caught, the
    //     operating point a user of a detector cares about.
    //
    // Tied scores share one threshold (the ROC then moves diagonally), which matters for blank
    // images: with one z each their scores differ only by the noise of z, and with identical
    // inputs some scores (L(x), for one) tie exactly. The area, in whole counts, ties as half:
    //
    // Quoted from the library: Sources/VAECore/Anomaly/DetectionMetrics.swift, var area
    //
    // The blank page is where the likelihood fails outright: a model of digits predicts black
    // everywhere outside the strokes, so an image with no strokes at all is the cheapest it can
    // describe, cheaper than any digit, and every likelihood-based score calls it the most normal
    // image there is. Input complexity asks another question: how much does the model save over
    // deflate? On a digit, a great deal (deflate knows nothing of strokes); on a blank page,
    // almost nothing, since deflate too needs only a few bytes for 784 zeros; on noise, less than
    // nothing, since the model pays for every unexpected white pixel. So S(x) is high for all
    // three kinds of anomaly, and the line below names the score that separates blank *and*
    // constant images from digits best.
    func metrics(_ scored: ScoredModel, figures: FigureWriter) throws {
        section("4. How well each score separates digits from what the model has never seen")
        var table: [(set: String, scores: [(name: String, metrics: DetectionMetrics)])] = []
        for out in scored.outSets {
            let detection = try ScoreReport.detection(in: scored.inSet, out: out, batchSizes: [])
            table.append((out.name, detection))
            for (name, m) in detection { print("ood train=\(scored.name) out=\(out.name) score=\(name) \(m.line)") }
        }
        // Blank and constant images, together: the score whose worse AUROC of the two is highest.
        let blank = table.first { $0.set == "blank" }!.scores, constant = table.first { $0.set == "constant" }!.scores
        let both = zip(blank, constant).map { (name: $0.name, blank: $0.metrics.auroc, constant: $1.metrics.auroc) }
            .max { min($0.blank, $0.constant) < min($1.blank, $1.constant) }!
        print(String(format: "blank and constant images: the score that catches both best is %@ (AUROC %.4f on blank, %.4f on constant)",
                     both.name, both.blank, both.constant))
        try Pictures.aurocBySet(table, train: scored.name, figures: figures)
        try Pictures.histograms(scored, out: "fashion", figures: figures)
        // Why the direction digits → clothes is easy: clothes are large filled shapes, hundreds of
        // white pixels where a digit has a hundred; a model of digits pays for every one it did not
        // expect, so the clothes' −ELBO is several times the digits'.
        let fashion = scored.outSets.first { $0.name == "fashion" }!
        print(String(format: "mean −ELBO under the model of digits: test digits %.1f nats, Fashion-MNIST %.1f nats",
                     MeanEstimate(scored.inSet.scores.negativeELBO).mean, MeanEstimate(fashion.scores.negativeELBO).mean))
    }

    // MARK: 5. The famous failure: a model of clothes finds digits more likely
    //
    // Now the other way round: the model trained on Fashion-MNIST, asked about MNIST digits. The
    // likelihood says digits are *more* probable than the clothes the model was trained on. Why?
    // Three reasons, each measured by a line printed below:
    //
    //   - pixel counts: a binarized digit has far fewer white pixels than a garment (section 2's
    //     counts). Under a Bernoulli decoder every pixel costs −log of the probability the decoder
    //     gave its value, and a white pixel is where the decoder is unsure; so −log p̂(x) follows
    //     the number of white pixels, over both sets (the correlation printed below, and the left
    //     panel of ch10-fashion-failure.png);
    //   - the proportion of zeros: the black background is what a model of clothes predicts best
    //     (every garment has one around it), and a digit is mostly background. The lines "black
    //     pixels cost …" split the reconstruction cost at z = μ(x) into its black and its white
    //     pixels: per black pixel, a digit is cheaper than a garment, and it has many of them;
    //   - the decoder's strokes: the same lines give the cost per white pixel. A garment's white
    //     pixels are a binarized texture, coin flips that no model can predict; a digit's are a
    //     few strokes, which the decoder of clothes draws only as a blur (the right panel) and
    //     pays for pixel by pixel. Few pixels at any price still cost less than the texture of a
    //     shirt.
    //
    // The likelihood measures how cheap an image is to describe, not how typical it is of the
    // training data. The corrections take that cost out:
    //
    //   - likelihood ratio (Ren et al. 2019): LR(x) = −log p(x) + log p_background(x). The
    //     background model, trained on corrupted clothes, should know what backgrounds and pixel
    //     counts cost but little of the shapes; subtracting its NLL removes what the two models
    //     share and keeps what only the clean model knows. It works only as far as the background
    //     model shares the clean model's preference for simple images: trained on images with
    //     flipped pixels everywhere, it also expects white specks on every background, which a
    //     clean digit lacks. The line "the background model …" says how much of the clean
    //     model's preference for digits it cancels;
    //   - input complexity (Serrà et al. 2020): S(x) = −log₂ p(x) − L(x), the model's code
    //     length minus deflate's. A digit is cheap for the model *and* for deflate; a garment is
    //     dear for both; what the model saves over a general-purpose compressor is what it knows
    //     about clothes;
    //   - the Mahalanobis distance and the KL look at the code instead of the pixels.
    func fashionFailure(_ models: Models, mnistSet: ImageSet, fashionSet: ImageSet, fashionTrain: MNIST,
                        mnist: ScoredModel, figures: FigureWriter) throws -> ScoredModel {
        section("5. The famous failure: a model of clothes finds digits more likely")
        let fashion = try scoreEverything(models.fashion, background: models.fashionBackground,
                                          inSet: ImageSet(name: "fashion", data: fashionSet.data), outSets: [ImageSet(name: "mnist", data: mnistSet.data)],
                                          reference: trainingReference(fashionTrain), heading: false)
        let digits = fashion.outSets[0]
        print("")
        for (name, m) in try ScoreReport.detection(in: fashion.inSet, out: digits, batchSizes: []) {
            print("ood train=fashion out=mnist score=\(name) \(m.line)")
        }
        let clothesNLL = MeanEstimate(fashion.inSet.scores.bestNegativeLogLikelihood)
        let digitsNLL = MeanEstimate(digits.scores.bestNegativeLogLikelihood)
        let below = digits.scores.bestNegativeLogLikelihood.filter { $0 < clothesNLL.mean }.count
        print(String(format: "\nthe model of clothes: −log p̂(x) of its own test images %.1f ± %.1f nats, of digits %.1f ± %.1f: "
                     + "%d of %d digits are more likely than the average garment", clothesNLL.mean, clothesNLL.standardError,
                     digitsNLL.mean, digitsNLL.standardError, below, digits.labels.count))

        // Why: white pixels, and where the nats go.
        let clothesOn = onPixels(fashionSet.data).map(Double.init), digitsOn = onPixels(mnistSet.data).map(Double.init)
        let nll = fashion.inSet.scores.bestNegativeLogLikelihood + digits.scores.bestNegativeLogLikelihood
        print(String(format: "white pixels: clothes %.1f, digits %.1f of 784 on average; correlation of −log p̂(x) with the white-pixel count "
                     + "over both sets: %.3f", MeanEstimate(clothesOn).mean, MeanEstimate(digitsOn).mean, correlation(nll, clothesOn + digitsOn)))
        let clothesSplit = try nats(models.fashion.vae, fashionSet.data), digitsSplit = try nats(models.fashion.vae, mnistSet.data)
        for (name, split) in [("clothes", clothesSplit), ("digits", digitsSplit)] {
            print(String(format: "model of clothes, code z = μ(x), %@: black pixels cost %.1f nats in all (%.3f each), white pixels %.1f (%.3f each)",
                         name, split.black, split.blackEach, split.white, split.whiteEach))
        }
        // What the background model adds: its own −log p̂ of both sets, against the clean model's.
        if let clothesBackground = fashion.inSet.background, let digitsBackground = digits.background {
            let (cb, db) = (MeanEstimate(clothesBackground.bestNegativeLogLikelihood).mean, MeanEstimate(digitsBackground.bestNegativeLogLikelihood).mean)
            print(String(format: "the background model (corrupted clothes): −log p̂(x) of clothes %.1f, of digits %.1f nats; it prefers digits by %.1f nats, "
                         + "the clean model by %.1f: the ratio keeps a preference of %.1f nats for digits", cb, db, cb - db,
                         clothesNLL.mean - digitsNLL.mean, (clothesNLL.mean - digitsNLL.mean) - (cb - db)))
        }
        let fashionOnMNIST = try ScoreReport.detection(in: fashion.inSet, out: digits, batchSizes: [])
        let best = fashionOnMNIST.filter { !["neg-elbo", "iw-nll", "reconstruction"].contains($0.name) }.max { $0.metrics.auroc < $1.metrics.auroc }!
        print(String(format: "the best corrected score on digits against clothes: %@, AUROC %.4f", best.name, best.metrics.auroc))
        try Pictures.histograms(fashion, out: "mnist", figures: figures)
        try Pictures.roc(mnist: mnist, fashion: fashion, figures: figures)
        try Pictures.failure(clothesNLL: fashion.inSet.scores.bestNegativeLogLikelihood, digitsNLL: digits.scores.bestNegativeLogLikelihood,
                             clothesOn: clothesOn, digitsOn: digitsOn, model: models.fashion.vae, digits: mnistSet.data, figures: figures)
        return fashion
    }

    /// Pearson's correlation of two lists.
    func correlation(_ a: [Double], _ b: [Double]) -> Double {
        let (ma, mb) = (a.reduce(0, +) / Double(a.count), b.reduce(0, +) / Double(b.count))
        var (sab, saa, sbb) = (0.0, 0.0, 0.0)
        for (x, y) in zip(a, b) { sab += (x - ma) * (y - mb); saa += (x - ma) * (x - ma); sbb += (y - mb) * (y - mb) }
        return sab / (saa * sbb).squareRoot()
    }

    /// The reconstruction cost −log p(x|z) at z = μ(x), split into the black and the white pixels
    /// of the images (per image, and per pixel of each kind). For a Bernoulli with logit ℓ, a
    /// black pixel costs softplus(ℓ) = log(1 + e^ℓ) and a white one softplus(−ℓ).
    func nats(_ model: VAE, _ set: MNIST) throws -> (black: Double, white: Double, blackEach: Double, whiteEach: Double) {
        let mean = try encodePosteriors(model: model, images: set.images).mean
        var black = 0.0, white = 0.0, blackCount = 0.0, whiteCount = 0.0
        for start in stride(from: 0, to: set.count, by: 500) {
            let rows = min(500, set.count - start)
            let z = Tensor(shape: [rows, mean.shape[1]], scalars: Array(mean.scalars[(start * mean.shape[1])..<((start + rows) * mean.shape[1])]))
            let logits = try model.decode(z).scalars
            for j in 0..<(rows * 784) {
                let l = Double(logits[j])
                if set.images.scalars[start * 784 + j] > 0.5 { white += StableMath.softplus(-l); whiteCount += 1 } else { black += StableMath.softplus(l); blackCount += 1 }
            }
        }
        let n = Double(set.count)
        return (black / n, white / n, black / blackCount, white / whiteCount)
    }

    // MARK: 6. Typical, not likely: the typicality test
    //
    // Section 5's failure has a clean explanation in information theory. For a model of images in
    // 784 dimensions, the single most probable image is not a typical one: a blank page is the
    // cheapest image for a model of digits (section 3's table: far fewer nats than any test
    // digit), yet no training digit is blank. Typical images are those whose code length is
    // close to the entropy H = E[−log p(x)] of the model; the typicality test of Nalisnick et al.
    // 2019b (`Typicality`) flags a batch of M images when the mean of their −log p̂ lies far from an
    // estimate Ĥ, on either side:
    //
    //     ε̂ = | (1/M) Σ_m −log p̂(x_m) − Ĥ |,     Ĥ = mean −log p̂ over training images.
    //
    // Digits under the model of clothes are too likely, noise too unlikely, blank pages far too
    // likely: all atypical. With M = 1 it is a per-image score; for larger M the mean's spread
    // shrinks as 1/√M while the offset of an out set stays, so the test sharpens with M. (It
    // tests batches drawn from one source: a user must know that the M images belong together.)
    func typicality(mnist: ScoredModel, fashion: ScoredModel, figures: FigureWriter) throws {
        section("6. Typical, not likely: the typicality test on batches of M images")
        var curves: [(name: String, auroc: [Double])] = []
        for (model, out) in mnist.outSets.map({ (mnist, $0) }) + fashion.outSets.map({ (fashion, $0) }) {
            let detection = try ScoreReport.detection(in: model.inSet, out: out, batchSizes: Chapter10.batchSizes)
                .filter { $0.name.hasPrefix("typicality") }
            for (name, m) in detection { print("ood train=\(model.name) out=\(out.name) score=\(name) \(m.line)") }
            curves.append(("\(model.name) → \(out.name)", detection.map(\.metrics.auroc)))
        }
        try Pictures.typicality(curves, batchSizes: Chapter10.batchSizes, figures: figures)
    }

    // MARK: 7. Leave one digit out
    //
    // The hardest test: anomalies that look like the training data. Train on the 54,000 or so
    // training images of nine digits, and ask the model to spot the tenth among the test digits
    // (its ~1,000 test images are "out", the other ~9,000 "in"). Ten digits, and two code sizes
    // (2 and 20 dimensions), make 20 models, the cost of this section: each trains for two
    // epochs (under 20 seconds on two quiet cores), enough for the scores to settle into their
    // order (experiment 3 below trains them longer), and is kept in runs/leave-out/ (its scores
    // beside it).
    //
    // L. Tonnaer's doctoral thesis (Tonnaer 2023, Eindhoven University of Technology), in its chapter 3,
    // "Anomaly Detection with Variational Autoencoders" (Table 3.3), reports for the ELBO an
    // AUROC of 0.09 for the held-out digit 1 at 32 latent dimensions (0.73 at 2): a model that
    // never saw a 1 finds 1s *more* likely than the digits it was trained on. The lines below
    // say whether this model agrees; the reason would be section 5's: a 1 is one short stroke,
    // the fewest white pixels of any digit, and every other digit has such a stroke in it.
    func leaveOneDigitOut(train: MNIST, test: MNIST, figures: FigureWriter) throws {
        section("7. Leave one digit out: 10 digits × latent 2 and 20")
        let epochs = leaveOutEpochs ?? (options.quick ? 1 : 2)
        let k = leaveOutSamples ?? (options.quick ? 5 : 10)
        let testImages = options.quick ? 1_000 : test.count
        let binaryTest = Likelihood.bernoulli.evaluationSet(test.prefix(testImages))
        let watch = Stopwatch()
        var trained = 0
        var results: [(latent: Int, digit: Int, scores: [(name: String, metrics: DetectionMetrics)])] = []
        for digit in 0..<MNIST.classCount {
            let without = train.selecting { Int($0) != digit }
            let reference = trainingReference(without)
            let outIndices = binaryTest.labels.indices.filter { Int(binaryTest.labels[$0]) == digit }
            let inIndices = binaryTest.labels.indices.filter { Int(binaryTest.labels[$0]) != digit }
            for latent in Chapter10.leaveOutLatents {
                var configuration = TrainingConfiguration(model: VAEConfiguration(latentDimensions: latent), epochs: epochs, seed: options.seed)
                if options.quick { configuration.subset = 2_000 }
                let folder = options.runFolder("leave-out/digit-\(digit)-latent-\(latent)")
                let model = try self.train("without \(digit), latent \(latent)", configuration, on: without, folder: folder, test: nil, quiet: true)
                if model.epochsTrainedNow > 0 { trained += 1 }
                let gaussian = try MahalanobisDistance(prior: try model.vae.fitCodePrior(images: reference.data.images, labels: nil))
                let settings = ScoringSettings(importanceSamples: k, seed: options.seed &+ 7, codeGaussian: gaussian)
                let fit = "train\(reference.data.count)"
                let all = try cachedScores(model, binaryTest, set: "mnist-test", settings: settings, fit: fit).scores
                let entropy = MeanEstimate(try cachedScores(model, reference.data, set: "train", settings: settings, fit: fit).scores
                    .bestNegativeLogLikelihood).mean
                let inSet = ScoredSet(name: "other", labels: inIndices.map { binaryTest.labels[$0] }, scores: all.subset(inIndices), entropy: entropy)
                let outSet = ScoredSet(name: "held-out", labels: outIndices.map { binaryTest.labels[$0] }, scores: all.subset(outIndices), entropy: entropy)
                let detection = try ScoreReport.detection(in: inSet, out: outSet, batchSizes: [1])
                for (name, m) in detection { print(String(format: "leave-out digit=%d latent=%d score=%@ auroc=%.4f", digit, latent, name, m.auroc)) }
                results.append((latent, digit, detection))
            }
        }
        print(String(format: "20 models (%d epochs each, k = %d on %d test images): %d trained now, %.1f s in all", epochs, k, testImages, trained,
                     watch.elapsedSeconds))
        for latent in Chapter10.leaveOutLatents {
            func elbo(_ r: (latent: Int, digit: Int, scores: [(name: String, metrics: DetectionMetrics)])) -> Double {
                r.scores.first { $0.name == AnomalyScore.negativeELBO.rawValue }!.metrics.auroc
            }
            let ofLatent = results.filter { $0.latent == latent }
            let lowest = ofLatent.min { elbo($0) < elbo($1) }!
            print(String(format: "latent %d: −ELBO's AUROC for the held-out 1 is %.4f; the lowest is digit %d's (%.4f)", latent,
                         elbo(ofLatent.first { $0.digit == 1 }!), lowest.digit, elbo(lowest)))
        }
        try Pictures.leaveOut(results, figures: figures)
    }

    // MARK: 8. The most and the least normal test images, by each score
    //
    // What does each score call normal? Sort the in-distribution test images by each score and
    // look at both ends. The likelihood-based scores put thin, simple digits (ones, above all) at
    // the normal end and thick, unusual ones at the other; the Mahalanobis distance and the KL sort
    // by where the code lands; and the complexity score rewards images the model compresses better
    // than deflate does, which turns the order round: a thin 1 is cheap for deflate too, so the
    // model saves little on it, and its ones move to the anomalous end (the same reason makes it
    // the score that spots the held-out 1 best in section 7).
    func extremes(mnist: ScoredModel, fashion: ScoredModel, figures: FigureWriter) throws {
        section("8. The most and the least normal test images, by each score")
        for model in [mnist, fashion] {
            try Pictures.extremes(model, figures: figures)
        }
    }
}

Chapter10.main()

// MARK: What you learned
//
// An anomaly score is any number that should be larger for images unlike the training data, and a
// VAE offers several at once: −ELBO, the importance-weighted NLL, its reconstruction and KL terms,
// and the Mahalanobis distance of μ(x) under the training codes' Gaussian. A score is judged by
// sweeping a threshold: the AUROC is the probability that a random anomaly scores above a random
// normal image, with the AUPR and the false alarms at 95% of anomalies caught beside it. The run
// shows the likelihood of a model of digits catching clothes, noise and inverted digits easily, yet
// calling a blank page the most normal image of all, and a model of clothes finding digits more
// likely than its own clothes, because a Bernoulli likelihood mostly counts white pixels and
// rewards a black background. The likelihood measures how cheap an image is to describe, not how
// typical it is: input complexity, the model's code length minus deflate's, is the score that
// catches blank and constant images and spots digits among clothes, the background model's
// likelihood ratio cancels only part of the preference for simple images, and the typicality test,
// comparing a batch's mean −log p with the entropy Ĥ, sharpens as the batch grows. Leaving one
// digit out is the hardest test, and there too a model that never saw a 1 finds 1s more likely than
// the digits it was trained on.

// MARK: Experiments
//
// 1. The background's corruption. `swift run -c release ch10-anomaly --flip-rate 0.1 --figures /tmp/flip01`, then
//    `--flip-rate 0.3`: each trains two new background models (in runs/background-*-flip0.10, …).
//    Compare section 5's line "ood train=fashion out=mnist score=likelihood-ratio" with the
//    default run's (0.2): Ren et al. tune the rate on held-out anomalies; how sensitive is it?
//    Answer: run `ch10-anomaly --flip-rate 0.1 --figures /tmp/flip01`, lines "background training sets", "train=fashion out=mnist score=likelihood-ratio", "the background model ("
//    Answer: run `ch10-anomaly --flip-rate 0.3 --figures /tmp/flip03`, lines "background training sets", "train=fashion out=mnist score=likelihood-ratio", "the background model ("
// 2. A tighter likelihood. `--samples 1000 --images 500 --figures /tmp/ch10-k1000` (a quarter of the images, ten times the
//    importance samples): does section 5's iw-nll line move, or is the failure the model's and
//    not the estimator's? The gap between the neg-elbo and iw-nll lines says how much the one z
//    of the ELBO adds.
//    Answer: run `ch10-anomaly --samples 1000 --images 500 --figures /tmp/ch10-k1000`, section 5
// 3. Longer leave-out models. `--leave-out-epochs 10 --figures /tmp/leave10` trains the 20 models
//    again for five times as long (kept beside the two-epoch runs): compare the
//    "leave-out digit=1" lines and ch10-leave-out.png. Does a better model of nine digits find
//    the 1 more or less likely?
//    Answer: run `ch10-anomaly --leave-out-epochs 10 --figures /tmp/leave10`, lines "leave-out digit=1 ", "models (", "for the held-out 1"
// 4. Another seed. `--seed 2 --figures /tmp/ch10-seed2` trains every model again with seed 2
//    (chapter 5's run too, in runs/vae beside the first): which AUROCs move in the second
//    decimal, and which stay?
//    Answer: run `ch10-anomaly --seed 2 --figures /tmp/ch10-seed2`, section 4
