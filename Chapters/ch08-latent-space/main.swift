// Chapter 8 — Reading the code: t-SNE, a 2-D code, uncertainty, arithmetic and diversity
// =====================================================================================
//
// Chapter 5 trained a VAE and glanced at its code: a PCA of μ and an interpolation. This chapter
// reads that code properly. It maps the 20-dimensional codes of test digits to a plane with
// t-SNE, written here from the paper, and measures what the map keeps against PCA's; trains the
// same model with a code of two numbers, whose every corner can be drawn and whose true
// posterior can be computed on a grid; shows where the decoder is unsure; puts an interval on
// every number it prints; does arithmetic with codes; and asks whether the samples are varied,
// balanced over the digits and new.
//
//     swift run -c release ch08-latent-space [--tsne-points N] [--perplexity P] [--epochs-2d N] [--samples N]
//                                            [--quick] [--data DIR] [--figures DIR] [--seed N]
//
// It reads chapter 5's trained model (runs/vae, or runs/quick/vae with --quick: run ch05-elbo
// first) and the digit classifier of chapter 7 (runs/classifier, trained there if missing),
// trains (or reuses) its 2-D model in runs/latent-2d (runs/quick/latent-2d), and writes the
// figures ch08-*.png.
// Time, measured on this project's two quiet cores (a full figures run): the full run
// took 1 min 03 s the first time with chapter 5's run present (28 s of it training the 2-D model)
// and 25 s once both runs are reused; --quick took 46 s the first time and 34 s reused (measured
// earlier, on shared cores).

import ArgumentParser
import CourseSupport
import Foundation
import VAECore

// MARK: What a code is for
//
// A VAE's encoder turns each image x into a Gaussian q(z|x) = N(μ(x), diag σ²(x)) over codes,
// and its decoder turns any code z into an image. Training pulls every q(z|x) towards the
// prior N(0, I) and makes the decoder read the codes back: codes that decode alike must lie
// close, since a small step in z is a small change of the decoder's input. So the geometry of
// the code space *is* what the model learned about the data: which digits it thinks alike,
// which directions mean "thicker" or "slanted", where it is unsure. Everything below asks the
// trained model one such question and answers it with a number and a figure.

struct Chapter8: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ch08-latent-space",
        abstract: "Chapter 8: read a trained VAE's code: t-SNE against PCA, a 2-D code, uncertainty, arithmetic, diversity.",
        discussion: "Reads chapter 5's run (runs/vae; run ch05-elbo first). Full: 1 min 03 s the first time on two quiet cores (28 s of it "
            + "training the 2-D model), 25 s when its run is reused. --quick: 46 s the first time, 34 s reused.")

    @OptionGroup var options: ChapterOptions

    @Option(parsing: .unconditional, help: "Test codes mapped by t-SNE and PCA (default: 3000, or 600 with --quick).")
    var tsnePoints: Int?

    @Option(parsing: .unconditional, help: "t-SNE's perplexity, the effective number of neighbours of each point.")
    var perplexity = 30.0

    @Option(parsing: .unconditional, help: "t-SNE's gradient steps (default: 1000, or 500 with --quick).")
    var iterations: Int?

    @Option(name: .customLong("epochs-2d"), parsing: .unconditional,
            help: "Training epochs of the 2-D model on 20,000 digits (default: 10, or 2 on 5,000 digits with --quick).")
    var epochs2D: Int?

    @Option(parsing: .unconditional, help: "Prior samples judged in section 6 and after each epoch of the 2-D model (default: 2000, or 500 with --quick).")
    var samples: Int?

    static let neighbours = 10
    static let classes = MNIST.classCount

    func validate() throws {
        if let tsnePoints, tsnePoints < 100 { throw ValidationError("--tsne-points must be at least 100, not \(tsnePoints)") }
        if let iterations, iterations < 10 { throw ValidationError("--iterations must be at least 10, not \(iterations)") }
        if let epochs2D, epochs2D < 1 { throw ValidationError("--epochs-2d must be at least 1, not \(epochs2D)") }
        if let samples, samples < 100 { throw ValidationError("--samples must be at least 100, not \(samples)") }
        guard perplexity.isFinite, perplexity >= 2 else { throw ValidationError("--perplexity must be at least 2, not \(perplexity)") }
        if perplexity * 3 >= Double(tsnePoints ?? (options.quick ? 600 : 3000)) {
            throw ValidationError("--perplexity \(perplexity) is too large for \(tsnePoints ?? (options.quick ? 600 : 3000)) points (at most a third)")
        }
    }

    func run() throws {
        options.announcePlan()                    // what it will train or reuse, and for how long
        let watch = Stopwatch()
        let figures = try options.figureWriter()
        let train = try options.loadMNIST(.train)
        let test = try options.loadMNIST(.test)
        let binaryTest = test.binarized(seed: EvaluationDefaults.binarizationSeed)
        let (model, measurements) = try loadChapter5Model(train: train)
        let judgeURL = CoursePaths.root.appendingPathComponent("runs/classifier/classifier.safetensors")
        let judge = try DigitClassifier.loadOrTrain(at: judgeURL, data: options.dataDirectory, log: log)
        let sampleCount = samples ?? (options.quick ? 500 : 2_000)
        // The real test digits the judge compares samples with (as many as the samples, so that
        // both sides of every comparison are estimated from equal counts).
        let real = test.prefix(sampleCount)
        let reference = try judge.reference(images: real.images, labels: real.labels.map(Int.init))

        var lap = Stopwatch()
        func timed<T>(_ body: () throws -> T) rethrows -> T {
            defer { log(String(format: "(section: %.1f s)", lap.elapsedSeconds)); lap = Stopwatch() }
            return try body()
        }
        log(String(format: "(setup: %.1f s)", lap.elapsedSeconds)); lap = Stopwatch()
        try timed { try mapTheCode(model, measurements: measurements, test: binaryTest, grey: test, figures: figures) }
        let twoD = try timed { try codeOfTwoNumbers(train: train, test: binaryTest, judge: judge, reference: reference, figures: figures) }
        try timed { try uncertainty(model, test: test, binaryTest: binaryTest, judge: judge, figures: figures) }
        try timed { try intervals(model, measurements: measurements, test: binaryTest, figures: figures) }
        try timed { try arithmetic(model, train: train, test: test, judge: judge, figures: figures) }
        let fromPrior = try timed { try diversity(model, train: train, real: real, judge: judge, reference: reference, figures: figures) }
        try timed { try overTraining(twoD, chapter5: fromPrior, reference: reference, figures: figures) }
        print(String(format: "\nchapter 8 ran in %.1f s", watch.elapsedSeconds))
    }

    /// Chapter 5's trained model, found by the configuration chapter 5 trains (so the same
    /// fingerprint), and the measurements kept beside it. A missing or unfinished run is an
    /// error that says to run chapter 5 (its minutes of training belong to chapter 5).
    func loadChapter5Model(train: MNIST) throws -> (VAE, RunMeasurements?) {
        let folder = options.runFolder(Chapter5Run.folderName)
        let checkpoint = TrainingRun.checkpoint(in: folder)
        let ch05 = "swift run -c release ch05-elbo" + (options.quick ? " --quick" : "")
        guard FileManager.default.fileExists(atPath: checkpoint.path) else {
            throw ValidationError("chapter 5's trained model is missing (\(checkpoint.path)): run `\(ch05)` first")
        }
        let configuration = Chapter5Run.configuration(quick: options.quick, seed: options.seed)
        // Only a run of exactly that fingerprint is used: anything else is left as it is (a
        // mismatch would otherwise set chapter 5's run aside), and never retrained here.
        let data = configuration.subset.map { train.prefix($0) } ?? train
        let fingerprint = try RunFingerprint(configuration: configuration, dataDigest: data.contentDigest).value
        let stored = folder.appendingPathComponent("checkpoint-\(fingerprint.prefix(12)).safetensors")
        var damage: String?   // a checkpoint that is there but cannot be read is said to be damaged, not missing
        let found = [checkpoint, stored].contains { url in
            guard FileManager.default.fileExists(atPath: url.path) else { return false }
            do { return try Checkpoint.read(from: url).fingerprint == fingerprint } catch {
                damage = damage ?? "\(error)"
                return false
            }
        }
        guard found else {
            if let damage { throw ValidationError("chapter 5's run in \(folder.path) is damaged: \(damage); run `\(ch05)` to train it again") }
            throw ValidationError("\(folder.path) holds no run of chapter 5 trained with seed \(options.seed)"
                                  + (options.quick ? " in quick mode" : "") + ": run `\(ch05)" + (options.seed == 1 ? "" : " --seed \(options.seed)") + "` first")
        }
        let trainer = try TrainingRun.trainer(for: configuration, in: folder, trainingSet: train, retrain: false) { print(CoursePaths.relative($0)) }
        guard trainer.isFinished else {
            throw ValidationError("chapter 5's run in \(folder.path) is not finished or not the one chapter 5 trains with seed "
                                  + "\(options.seed) (epoch \(trainer.epoch) of \(trainer.configuration.epochs)): run `\(ch05)` first")
        }
        trainer.model.isTraining = false
        return (trainer.model, RunMeasurements(trainer: trainer, folder: folder))
    }

    // MARK: 1. A map of the code: t-SNE against PCA
    //
    // PCA (chapter 5) keeps the two directions of largest variance: a linear shadow of the
    // 20-D cloud, in which clusters that differ along the other 18 directions land on top of
    // each other. t-SNE (van der Maaten & Hinton, 2008) keeps *neighbourhoods* instead:
    //
    //   - In the code space, each point i spreads its attention over the others with a Gaussian,
    //     p(j|i) ∝ exp(−|μ_i − μ_j|² / 2σ_i²). Its width σ_i is chosen per point, by binary
    //     search, so that the distribution's perplexity 2^H (H its entropy in bits) equals a
    //     set number, about the count of neighbours that matter (30 here): dense regions get
    //     narrow Gaussians, sparse ones wide. Symmetrised, p_ij = (p(j|i) + p(i|j)) / 2N.
    //   - In the plane, points y_i get a heavy-tailed Student-t similarity
    //     q_ij ∝ (1 + |y_i − y_j|²)⁻¹. The heavy tail lets moderately far points sit far apart
    //     in 2-D without cost, which opens gaps between clusters (the "crowding problem" of
    //     squeezing 20 dimensions into 2).
    //   - The y_i minimise KL(P ‖ Q) by gradient descent; the gradient is
    //         ∂KL/∂y_i = 4 Σ_j (p_ij − q_ij)(1 + |y_i − y_j|²)⁻¹ (y_i − y_j):
    //     a spring between every pair, attracting when the code space says "neighbours" more
    //     than the map does, repelling otherwise.
    //
    // Two tricks of the paper make it work: *early exaggeration* (P × 12 for the first 250
    // steps: clusters form and move as wholes before the fine structure settles) and *momentum*
    // (0.5, then 0.8) with per-coordinate gains. The gradient is exact, all N² pairs per step,
    // on SIMD registers over both cores (Sources/VAECore/Analysis/TSNE.swift); at a few
    // thousand points that fits in seconds, so Barnes–Hut's O(N log N) approximation is not
    // needed here.
    //
    // Which map is better is measured, not looked at:
    //   - trustworthiness T(k) (Venna & Kaski, 2001): of each point's k = 10 nearest neighbours
    //     in the map, how many are impostors, not among its k nearest in the full code, and how
    //     far down the true ranking they sit (1: none; about 0.5 for a random map);
    //   - k-NN class agreement: how often the majority digit of a point's 10 nearest map
    //     neighbours is its own digit; the same in the full 20-D code is the ceiling.
    // Each with its standard error over the points (both are means of per-point terms).
    //
    // The map is kept beside chapter 5's run (its measurements file), so that `vae explore`
    // can show it next to its own PCA of the same test codes.
    func mapTheCode(_ model: VAE, measurements: RunMeasurements?, test: MNIST, grey: MNIST, figures: FigureWriter) throws {
        section("1. A map of the code: t-SNE against PCA")
        let n = tsnePoints ?? (options.quick ? 600 : 3_000)
        guard n <= test.count else { throw ValidationError("--tsne-points must be at most \(test.count)") }
        let d = model.configuration.latentDimensions
        let means = try encodePosteriors(model: model, images: test.images, limit: n).mean.scalars
        let labels = test.labels.prefix(n).map(Int.init)
        let full = try pairwiseSquaredDistances(means, count: n, dimension: d)

        let pca = try PrincipalAxes(points: means, count: n, dimension: d)
        let pcaMap = pca.project(means, count: 2)

        let calibration = Stopwatch()
        let affinities = try TSNEAffinities(squaredDistances: full, count: n, perplexity: perplexity)
        let entropyError = affinities.entropies.map { abs($0 - log(perplexity)) }.max() ?? 0
        print(String(format: "t-SNE affinities of %d codes: perplexity %.0f reached within %.1e nats in every row (%.1f s)",
                     n, perplexity, entropyError, calibration.elapsedSeconds))
        var configuration = TSNEConfiguration(perplexity: perplexity, iterations: iterations ?? (options.quick ? 500 : 1000),
                                              seed: options.seed &+ 81)
        configuration.exaggerationIterations = min(configuration.exaggerationIterations, configuration.iterations / 2)
        configuration.momentumSwitchIteration = configuration.exaggerationIterations
        let map = try tsne(affinities, configuration: configuration)
        print(String(format: "t-SNE: %d steps in %.1f s, KL(P ‖ Q) = %.3f nats", configuration.iterations, map.seconds, map.divergence))
        let saved = SavedCodeMap(method: String(format: "t-SNE, perplexity %g, %d steps, seed %llu", perplexity, configuration.iterations,
                                                configuration.seed), labels: labels, points: map.embedding)
        _ = try measurements?.value(SavedCodeMap.tsneName(points: n, perplexity: perplexity, iterations: configuration.iterations,
                                                          seed: configuration.seed)) { saved }

        let k = Chapter8.neighbours
        func measure(_ points: [Float]) throws -> (trust: MeanEstimate, knn: MeanEstimate) {
            let distances = try pairwiseSquaredDistances(points, count: n, dimension: 2)
            let trust = try trustworthiness(original: full, embedded: distances, count: n, neighbours: k)
            let agree = try nearestNeighbourAgreement(distances: distances, labels: labels, neighbours: k)
            return (MeanEstimate(trust.perPoint.map { 1 - $0 }), MeanEstimate(agree.map { $0 ? 1 : 0 }))
        }
        let (tsneTrust, tsneKNN) = try measure(map.embedding)
        let (pcaTrust, pcaKNN) = try measure(pcaMap)
        let fullKNN = MeanEstimate(try nearestNeighbourAgreement(distances: full, labels: labels, neighbours: k).map { $0 ? 1 : 0 })
        print(String(format: "PCA: the first two axes explain %.1f%% of the variance of μ", 100 * pca.explained(2)))
        for (name, trust, knn) in [("t-SNE", tsneTrust, tsneKNN), ("PCA", pcaTrust, pcaKNN)] {
            print(String(format: "%@ map: trustworthiness T(%d) %.4f ± %.4f, %d-NN class agreement %.4f ± %.4f",
                         name, k, trust.mean, trust.standardError, k, knn.mean, knn.standardError))
        }
        print(String(format: "the full %d-D code: %d-NN class agreement %.4f ± %.4f (the ceiling of a map)", d, k, fullKNN.mean, fullKNN.standardError))
        print(String(format: "latent tsne_trustworthiness=%.4f pca_trustworthiness=%.4f tsne_knn=%.4f pca_knn=%.4f",
                     tsneTrust.mean, pcaTrust.mean, tsneKNN.mean, pcaKNN.mean))
        if tsneTrust.mean <= pcaTrust.mean || tsneKNN.mean <= pcaKNN.mean {
            print("note: t-SNE did not beat PCA on both measures here; with few points or steps (--quick) the map has not "
                  + "settled: rerun with more --tsne-points or --iterations")
        }
        try Pictures.maps(tsne: map.embedding, pca: pcaMap, labels: labels, images: grey.images,
                          scores: (tsneTrust.mean, tsneKNN.mean, pcaTrust.mean, pcaKNN.mean), figures: figures)
    }

    // MARK: 2. A code of two numbers
    //
    // With D = 2 nothing needs projecting: the code *is* a plane. The same recipe as chapter 5
    // (architecture, Adam, cosine schedule, dynamic binarization), with a code of two numbers,
    // trained here (10 epochs on 20,000 of the training digits, to fit the chapter's time;
    // its checkpoint is reused next time). Three
    // pictures:
    //
    //   - the decoded manifold: decode a regular grid of z over [−2.5, 2.5]² and lay the images
    //     out where their codes are: every digit the model can draw, and how one turns into the
    //     next;
    //   - the aggregate posterior: every test digit's μ, coloured by digit, with the 1-σ ellipse
    //     of q(z|x) around some of them. The prior asks the cloud to be N(0, I); where it is not,
    //     samples from the prior land in regions no digit uses;
    //   - the true posterior. With two dimensions, p(z|x) = p(x|z) p(z) / p(x) can be computed
    //     on a grid: log p(x, z) at each grid point, normalised over the grid (its sum, times the
    //     cell area, is p(x) itself, the exact likelihood up to the grid's resolution). The
    //     encoder's q(z|x) is a Gaussian with a diagonal covariance; the true posterior is
    //     whatever shape the decoder makes it, often tilted, skewed or with two modes. The gap
    //     between the two is exactly what the ELBO loses: log p(x) − ELBO(x) = KL(q ‖ p(z|x)).
    //     The section prints both sides for a few digits.
    //
    // While it trains, after every epoch, the chapter decodes the same prior samples and hands
    // them to the digit classifier (section 7 plots what it found): the records are kept in the
    // checkpoint, so a reused run still has them.
    func codeOfTwoNumbers(train: MNIST, test: MNIST, judge: DigitClassifier, reference: JudgeReference,
                          figures: FigureWriter) throws -> Trainer {
        section("2. A code of two numbers")
        let folder = options.runFolder("latent-2d")
        var configuration = TrainingConfiguration(model: VAEConfiguration(latentDimensions: 2),
                                                  epochs: epochs2D ?? (options.quick ? 2 : 10), seed: options.seed)
        configuration.subset = options.quick ? 5_000 : 20_000
        let trainer = try options.trainer(for: configuration, in: folder, trainingSet: train)
        let count = samples ?? (options.quick ? 500 : 2_000)
        var codeSource = RandomSource(seed: options.seed &+ 61)
        let codes = Tensor.gaussian([count, 2], using: &codeSource)
        trainer.recordEpoch = { trainer in
            trainer.model.isTraining = false
            defer { trainer.model.isTraining = true }
            let verdict = try judge.judge(samples: try trainer.model.decodeMeans(codes), labels: nil, against: reference)
            let row = Tensor(shape: [1, 4], scalars: [Float(trainer.epoch), Float(verdict.frechetDistance),
                                                      Float(verdict.inceptionScore.mean), Float(verdict.inceptionScore.standardDeviation)])
            trainer.records["judged"] = trainer.records["judged"].map { Tensor.concatenateRows($0, row) } ?? row
        }
        trainer.epochEnded = { trainer, summary in print(summary.line(of: trainer.configuration.epochs)) }
        trainer.showsProgress = true
        let watch = Stopwatch()
        let before = trainer.epoch
        _ = try trainer.train(checkpoint: TrainingRun.checkpoint(in: folder))
        if trainer.epoch > before {
            print(String(format: "trained %d epochs in %.1f minutes", trainer.epoch - before, watch.elapsedSeconds / 60))
        }
        let model = trainer.model
        model.isTraining = false
        let elbo = try evaluateELBO(model: model, images: test.images, batchSize: 500, limit: options.quick ? 2_000 : 10_000, seed: 11)
        print(String(format: "2-D model: test ELBO %.2f ± %.2f nats (reconstruction %.2f, KL %.2f) on %d test digits",
                     elbo.elbo.mean, elbo.elbo.standardError, elbo.reconstruction, elbo.kl, elbo.count))

        try Pictures.manifold(model, figures: figures)
        let shown = options.quick ? 2_000 : 5_000
        let posteriors = try encodePosteriors(model: model, images: test.images, limit: shown)
        try Pictures.aggregatePosterior(posteriors, labels: test.labels.prefix(shown).map(Int.init), figures: figures)

        // The true posterior of a few test digits, on a grid around their q(z|x).
        let side = options.quick ? 31 : 61
        var picks: [Int] = []
        for digit in [1, 4, 7, 9] { if let i = test.labels.firstIndex(of: UInt8(digit)) { picks.append(i) } }
        var panels: [(image: [Float], truePosterior: [Double], q: [Double], window: (x: ClosedRange<Double>, y: ClosedRange<Double>))] = []
        for index in picks {
            let image = test.images.slice(index).reshaped([1, 1, 28, 28])
            let (mean, logVariance) = try model.encode(image)
            let mu = mean.scalars.map(Double.init), sigma = logVariance.scalars.map { exp(0.5 * Double($0)) }
            let half = max(8 * (sigma.max() ?? 0.1), 1.0)
            let xs = (0..<side).map { mu[0] - half + 2 * half * Double($0) / Double(side - 1) }
            let ys = (0..<side).map { mu[1] + half - 2 * half * Double($0) / Double(side - 1) }   // row 0 at the top
            var grid = [Float]()
            for y in ys { for x in xs { grid += [Float(x), Float(y)] } }
            let logJointValues = try logJoint(model: model, image: image, codes: Tensor(shape: [side * side, 2], scalars: grid))
            let cell = (2 * half / Double(side - 1)) * (2 * half / Double(side - 1))
            let top = logJointValues.max()!
            let mass = logJointValues.reduce(0.0) { $0 + exp($1 - top) }
            let logEvidence = top + log(mass * cell)                        // log p(x) on the grid
            let truePosterior = logJointValues.map { exp($0 - top) / mass }  // per cell, sums to 1
            var q = [Double]()
            for y in ys {
                for x in xs {
                    let a = (x - mu[0]) / sigma[0], b = (y - mu[1]) / sigma[1]
                    q.append(exp(-0.5 * (a * a + b * b)) / (2 * Double.pi * sigma[0] * sigma[1]) * cell)
                }
            }
            let qMass = q.reduce(0, +)
            var gap = 0.0
            for (a, b) in zip(q, truePosterior) where a > 0 { gap += a / qMass * log((a / qMass) / max(b, 1e-300)) }
            let k = options.quick ? 200 : 1_000
            let iw = try evaluateImportanceWeighted(model: model, images: image, samples: k, seed: 17).logLikelihoods[0]
            print(String(format: "a %d: log p(x) on the grid %.2f nats (importance-sampled, k = %d: %.2f); KL(q ‖ p(z|x)) on the grid "
                         + "%.2f nats, so ELBO = %.2f (q holds %.3f of its mass in the window)", Int(test.labels[index]),
                         logEvidence, k, iw, gap, logEvidence - gap, qMass))
            panels.append((test.images.slice(index).scalars.map { $0 }, truePosterior, q.map { $0 / qMass },
                           (xs.first!...xs.last!, ys.last!...ys.first!)))
        }
        try Pictures.truePosteriors(panels, labels: picks.map { Int(test.labels[$0]) }, figures: figures)
        return trainer
    }

    // MARK: 3. Where the decoder is unsure
    //
    // q(z|x) is a cloud, not a point. Draw S codes z_s ~ q(z|x) for one test digit and decode
    // each to its pixel probabilities p_s = σ(f(z_s)). Two kinds of uncertainty per pixel, and
    // the law of total variance adds them up exactly:
    //
    //     Var[x_j] = E_s[p_sj(1 − p_sj)] + Var_s[p_sj] = p̄_j(1 − p̄_j),   p̄ = mean of p_s.
    //
    // Var_s[p_sj] is the *code's* uncertainty: the encoder is not sure which digit it saw, and
    // different codes draw the pixel differently. E_s[p(1 − p)] is the *pixel's* own noise: the
    // Bernoulli of one code, large on the blurry edges of every stroke. Are ambiguous digits (the
    // ones the classifier is least sure of, by the entropy of its p(y|x)) uncertain to the VAE
    // too? Nothing in the ELBO asks the encoder to widen q(z|x) where a *classifier* hesitates:
    // it widens q where the decoder can afford it, where a wider cloud of codes still decodes
    // to the same pixels. The two printed totals, ambiguous against clear, say how much the
    // two notions of doubt overlap for this model; the figure shows where on the digit each sits.
    //
    // And per code dimension: the mean σ of q(z|x) by digit. A dimension whose σ stays near 1 for
    // every digit is inactive (the encoder sends the prior); a small σ is a dimension the
    // encoder is sure of, and for which digits.
    func uncertainty(_ model: VAE, test: MNIST, binaryTest: MNIST, judge: DigitClassifier, figures: FigureWriter) throws {
        section("3. Where the decoder is unsure")
        let pool = options.quick ? 1_000 : 5_000
        let probabilities = try judge.probabilities(test.prefix(pool).images).scalars
        let entropy = (0..<pool).map { i in
            (0..<Chapter8.classes).reduce(0.0) { s, c in let p = Double(probabilities[i * 10 + c]); return p > 0 ? s - p * log(p) : s }
        }
        let order = entropy.indices.sorted { entropy[$0] > entropy[$1] || (entropy[$0] == entropy[$1] && $0 < $1) }
        let group = options.quick ? 40 : 100
        let ambiguous = Array(order.prefix(group)), clear = Array(order.suffix(group).reversed())
        let draws = options.quick ? 16 : 32
        var random = RandomSource(seed: options.seed &+ 21)
        // For each image: p̄, Var_s p, E_s p(1 − p), per pixel.
        func decodeCloud(_ index: Int) throws -> (mean: [Float], codeVariance: [Float], pixelVariance: [Float]) {
            let (mu, logVariance) = try model.encode(binaryTest.images.slice(index).reshaped([1, 1, 28, 28]))
            let d = mu.count
            var z = Tensor(shape: [draws, d])
            for s in 0..<draws { for j in 0..<d { z.scalars[s * d + j] = mu.scalars[j] + exp(0.5 * logVariance.scalars[j]) * random.gaussian() } }
            let p = try model.decodeMeans(z).scalars
            var mean = [Float](repeating: 0, count: 784), second = mean, bernoulli = mean
            for s in 0..<draws {
                for j in 0..<784 {
                    let v = p[s * 784 + j]
                    mean[j] += v / Float(draws); second[j] += v * v / Float(draws); bernoulli[j] += v * (1 - v) / Float(draws)
                }
            }
            return (mean, zip(second, mean).map { max(0, $0 - $1 * $1) }, bernoulli)
        }
        var shown: [(input: [Float], mean: [Float], code: [Float], pixel: [Float], caption: String)] = []
        for (name, indices) in [("ambiguous", ambiguous), ("clear", clear)] {
            var codeTotals: [Double] = [], pixelTotals: [Double] = []
            for (rank, index) in indices.enumerated() {
                let cloud = try decodeCloud(index)
                codeTotals.append(cloud.codeVariance.reduce(0.0) { $0 + Double($1) })
                pixelTotals.append(cloud.pixelVariance.reduce(0.0) { $0 + Double($1) })
                if rank < 4 {
                    shown.append((test.images.slice(index).scalars, cloud.mean, cloud.codeVariance, cloud.pixelVariance,
                                  String(format: "%@ %d, H=%.2f", name, Int(test.labels[index]), entropy[index])))
                }
            }
            let code = MeanEstimate(codeTotals), pixel = MeanEstimate(pixelTotals)
            print(String(format: "%d %@ test digits (classifier entropy %.3f … %.3f nats), %d codes each: Σ_pixels Var_z p = %.2f ± %.2f, "
                         + "Σ_pixels E_z p(1 − p) = %.2f ± %.2f", indices.count, name, entropy[indices.last!], entropy[indices.first!], draws,
                         code.mean, code.standardError, pixel.mean, pixel.standardError))
        }
        try Pictures.uncertaintyMaps(shown, figures: figures)

        let count = options.quick ? 2_000 : 10_000
        let posteriors = try encodePosteriors(model: model, images: binaryTest.images, limit: count)
        let d = model.configuration.latentDimensions
        var sums = [Double](repeating: 0, count: Chapter8.classes * d), counts = [Double](repeating: 0, count: Chapter8.classes)
        for i in 0..<count {
            let label = Int(binaryTest.labels[i])
            counts[label] += 1
            for j in 0..<d { sums[label * d + j] += exp(0.5 * Double(posteriors.logVariance.scalars[i * d + j])) }
        }
        let sigmas = (0..<(Chapter8.classes * d)).map { sums[$0] / max(1, counts[$0 / d]) }
        let perDimension = (0..<d).map { j in (0..<Chapter8.classes).reduce(0.0) { $0 + sigmas[$1 * d + j] } / Double(Chapter8.classes) }
        print("mean σ of q(z|x) per dimension over \(count) test digits: "
              + perDimension.map { String(format: "%.2f", $0) }.joined(separator: " "))
        try Pictures.sigmaByDigit(sigmas, dimensions: d, figures: figures)
    }

    // MARK: 4. Every number with an interval
    //
    // A number measured on a sample of test images is itself a random quantity: another draw of
    // the test set would give another. Where it is a mean over images, the standard error
    // s/√N (s the images' standard deviation) says how far it would move; the ELBO and the
    // NLL are such means. Where no formula fits (a ratio, a log of a mean, a median), the
    // bootstrap does: resample the N items with replacement many times, recompute, and read the
    // 2.5% and 97.5% quantiles (Efron, 1979). For a mean both should agree, which this section
    // checks once.
    //
    // Inside each image there is a second uncertainty: its log p(x) is *estimated* from k
    // importance weights, log (1/k) Σ_s w_s. The weights of one image span many nats, and the
    // estimate leans on the few largest, so its spread is read from the image's own k weights,
    // by a bootstrap over them. The figure plots each image's NLL with that interval, and its
    // ELBO beside it: the gap between them is what the encoder's Gaussian costs. The ELBO of one
    // image is E_q[w], here the mean (1/k) Σ_s w_s of the same k weights (a single draw, k = 1,
    // scatters by several nats and can land below the NLL); by Jensen's inequality the mean of
    // the weights never exceeds the log of their mean exponential, so −ELBO ≥ NLL holds for every
    // image of the figure.
    func intervals(_ model: VAE, measurements: RunMeasurements?, test: MNIST, figures: FigureWriter) throws {
        section("4. Every number with an interval")
        let count = options.quick ? 2_000 : 10_000
        let elbo = try evaluateELBO(model: model, images: test.images, batchSize: 500, limit: count, seed: 11)
        let values = elbo.perImage
        let bootstrap = try BootstrapInterval(count: values.count, resamples: 1_000, seed: options.seed &+ 31) { indices in
            indices.reduce(0.0) { $0 + values[$1] } / Double(indices.count)
        }
        print(String(format: "test ELBO on %d digits: %.2f ± %.2f nats (standard error); bootstrap 95%% interval [%.2f, %.2f], "
                     + "mean ± 1.96 s.e. [%.2f, %.2f]", count, elbo.elbo.mean, elbo.elbo.standardError, bootstrap.lower,
                     bootstrap.upper, elbo.elbo.mean - 1.96 * elbo.elbo.standardError, elbo.elbo.mean + 1.96 * elbo.elbo.standardError))

        // Chapter 5's own estimate, under the name chapter 5 keeps it by (measured once per run).
        let (k, images) = options.quick ? (100, 200) : (1_000, 1_000)
        let measure = { () throws -> NLLMeasurement in
            let result = try evaluateImportanceWeighted(model: model, images: test.images, samples: k, limit: images, seed: 13)
            return NLLMeasurement(nll: result.negativeLogLikelihood, seconds: result.seconds)
        }
        let (nll, reused) = try measurements?.value("nll k=\(k) images=\(images) seed=13", compute: measure) ?? (try measure(), false)
        print(String(format: "test NLL (k = %d, first %d digits): %.2f ± %.2f nats%@", k, images, nll.nll.mean, nll.nll.standardError,
                     reused ? " (chapter 5 measured it on this run)" : ""))

        let shown = options.quick ? 30 : 80
        let weightCount = options.quick ? 100 : 500
        let subset = test.prefix(shown).images
        let weights = try importanceLogWeights(model: model, images: subset, samples: weightCount, seed: options.seed &+ 41)
        var rows: [(nll: Double, lower: Double, upper: Double, elbo: Double)] = []
        var gaps: [Double] = []   // −ELBO − NLL with the one-draw ELBO of the evaluation above
        for (i, w) in weights.enumerated() {
            let interval = try BootstrapInterval(count: w.count, resamples: 300, seed: options.seed &+ 43 &+ UInt64(i)) { indices in
                -logMeanExp(indices.map { w[$0] })
            }
            rows.append((interval.estimate, interval.lower, interval.upper, -w.reduce(0, +) / Double(w.count)))
            gaps.append(-values[i] - interval.estimate)
        }
        let widths = rows.map { $0.upper - $0.lower }.sorted()
        let averagedGaps = MeanEstimate(rows.map { $0.elbo - $0.nll })
        print(String(format: "per-image NLL of %d test digits, k = %d: 95%% bootstrap interval over the k weights, median width %.2f nats "
                     + "(widest %.2f); −ELBO − NLL per image %.2f ± %.2f nats", shown, weightCount, widths[widths.count / 2],
                     widths.last!, MeanEstimate(gaps).mean, MeanEstimate(gaps).standardError))
        print(String(format: "the same with each image's ELBO averaged over its %d draws (as drawn): −ELBO − NLL %.2f ± %.2f nats, "
                     + "smallest %.3f (never below 0: Jensen)", weightCount, averagedGaps.mean, averagedGaps.standardError,
                     rows.map { $0.elbo - $0.nll }.min()!))
        try Pictures.perImageNLL(rows, samples: weightCount, figures: figures)
    }

    // MARK: 5. Arithmetic with codes
    //
    // If directions in the code mean something, vectors can be measured from the data and added:
    //
    //   - class means c_y, the mean μ of the training digits of class y. z(x) − c_y + c_k asks for
    //     "this digit's style, but a k": an analogy "c_y is to x as c_k is to ?", one code away;
    //   - attribute vectors. Stroke thickness is read from the ink mass Σ pixels, slant from the
    //     image's second moments (the shear −μ₁₁/μ₀₂). Within each digit class, the mean code of
    //     the quarter of training digits with the most ink minus that of the quarter with the
    //     least, averaged over the classes, is v_thickness (within a class, so that the vector
    //     is not "turn a 1 into a 0", which also adds ink); v_slant likewise. Then z(x) + α·v
    //     should thicken or slant a test digit, and the section *measures* that it does: the ink
    //     and slant of the decoded images as α goes from −1 to 1.
    //
    // And the path between two codes. A straight line from z_a to z_b passes, half way, through
    // a code of norm |z_a + z_b|/2, about √(D/2) for two independent draws from N(0, I), while
    // nearly all of the prior's mass lies near norm √D (in 20 dimensions, 4.5 against 3.2):
    // the midpoint of a straight line is an unusual code. Spherical interpolation (slerp) follows
    // the great circle instead and keeps the norm typical. The judge's confidence on the decoded
    // midpoints says whether that matters to the decoder. It need not: a shorter code lies
    // nearer the origin, where the decoder draws its most average digit, which a classifier
    // may find as clear as any; the norm says how typical a code is for the *prior*, not how
    // good its image is.
    func arithmetic(_ model: VAE, train: MNIST, test: MNIST, judge: DigitClassifier, figures: FigureWriter) throws {
        section("5. Arithmetic with codes")
        let count = options.quick ? 5_000 : 20_000
        let grey = train.prefix(count)
        let binary = grey.binarized(seed: EvaluationDefaults.binarizationSeed)
        let d = model.configuration.latentDimensions
        let codes = try encodePosteriors(model: model, images: binary.images).mean.scalars
        let labels = grey.labels.map(Int.init)
        let attributes = (0..<count).map { imageAttributes(grey.images.scalars[($0 * 784)..<(($0 + 1) * 784)]) }
        var classMeans = [[Float]](repeating: [Float](repeating: 0, count: d), count: Chapter8.classes)
        var classCounts = [Float](repeating: 0, count: Chapter8.classes)
        for i in 0..<count {
            classCounts[labels[i]] += 1
            for j in 0..<d { classMeans[labels[i]][j] += codes[i * d + j] }
        }
        for c in 0..<Chapter8.classes { for j in 0..<d { classMeans[c][j] /= max(1, classCounts[c]) } }
        func attributeVector(_ value: (Int) -> Double) -> [Float] {
            var vector = [Float](repeating: 0, count: d)
            for c in 0..<Chapter8.classes {
                let members = (0..<count).filter { labels[$0] == c }.sorted { value($0) < value($1) }
                let quarter = members.count / 4
                guard quarter > 0 else { continue }
                for j in 0..<d {
                    let high = members.suffix(quarter).reduce(Float(0)) { $0 + codes[$1 * d + j] } / Float(quarter)
                    let low = members.prefix(quarter).reduce(Float(0)) { $0 + codes[$1 * d + j] } / Float(quarter)
                    vector[j] += (high - low) / Float(Chapter8.classes)
                }
            }
            return vector
        }
        let thickness = attributeVector { attributes[$0].ink }
        let slant = attributeVector { attributes[$0].slant }
        func norm(_ v: [Float]) -> Double { v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() }
        var cosine = 0.0
        for j in 0..<d { cosine += Double(thickness[j]) * Double(slant[j]) }
        print(String(format: "attribute vectors from %d training digits: |v_thickness| %.2f, |v_slant| %.2f, cos(angle) %.2f",
                     count, norm(thickness), norm(slant), cosine / norm(thickness) / norm(slant)))

        // Apply them to test digits and measure the decoded images.
        let shown = options.quick ? 100 : 300
        let binaryTest = test.prefix(shown).binarized(seed: EvaluationDefaults.binarizationSeed)
        let testCodes = try encodePosteriors(model: model, images: binaryTest.images).mean.scalars
        let alphas: [Float] = [-1, -0.5, 0, 0.5, 1]
        var strips: [(name: String, rows: [[Float]])] = []
        for (name, vector) in [("thickness", thickness), ("slant", slant)] {
            var ink: [String] = [], slants: [String] = []
            var rows: [[Float]] = []
            for alpha in alphas {
                var z = Tensor(shape: [shown, d])
                for i in 0..<shown { for j in 0..<d { z.scalars[i * d + j] = testCodes[i * d + j] + alpha * vector[j] } }
                let decoded = try model.decodeMeans(z).scalars
                let measured = (0..<shown).map { imageAttributes(decoded[($0 * 784)..<(($0 + 1) * 784)]) }
                let inkEstimate = MeanEstimate(measured.map(\.ink)), slantEstimate = MeanEstimate(measured.map(\.slant))
                ink.append(String(format: "%.1f ± %.1f", inkEstimate.mean, inkEstimate.standardError))
                slants.append(String(format: "%.3f ± %.3f", slantEstimate.mean, slantEstimate.standardError))
                rows.append(Array(decoded[0..<(6 * 784)]))
            }
            print("z + α·v_\(name), α = " + alphas.map { String(format: "%.1f", $0) }.joined(separator: ", ") + ", on \(shown) test digits:")
            print("  ink of the decoded digits:   " + ink.joined(separator: "; "))
            print("  slant of the decoded digits: " + slants.joined(separator: "; "))
            strips.append((name, rows))
        }
        try Pictures.attributeStrips(strips, alphas: alphas, figures: figures)

        // Analogies: z(x) − c_y + c_k for five test digits and every k.
        let picks = Array(0..<5)
        var analogies: [[Float]] = []
        for i in picks {
            let y = Int(binaryTest.labels[i])
            var z = Tensor(shape: [Chapter8.classes, d])
            for k in 0..<Chapter8.classes { for j in 0..<d { z.scalars[k * d + j] = testCodes[i * d + j] - classMeans[y][j] + classMeans[k][j] } }
            let decoded = try model.decodeMeans(z)
            analogies.append(test.images.slice(i).scalars)
            analogies += (0..<Chapter8.classes).map { decoded.slice($0).scalars }
        }
        let analogyPredictions = try judge.predictions(Tensor(shape: [picks.count * 11, 1, 28, 28], scalars: Array(analogies.joined())))
        var asked = 0, hits = 0
        for r in 0..<picks.count { for k in 0..<Chapter8.classes { asked += 1; if analogyPredictions[r * 11 + 1 + k] == k { hits += 1 } } }
        print(String(format: "analogies z(x) − c_y + c_k: the judge sees digit k in %d of %d (%.0f%%)", hits, asked, 100 * Double(hits) / Double(asked)))
        try Pictures.analogies(analogies, labels: picks.map { Int(binaryTest.labels[$0]) }, figures: figures)

        // Straight line against great circle, between pairs of prior draws.
        let pairs = options.quick ? 100 : 500
        var random = RandomSource(seed: options.seed &+ 51)
        let steps: [Float] = (0...8).map { Float($0) / 8 }
        var linear = Tensor(shape: [pairs, d]), spherical = Tensor(shape: [pairs, d])
        var paths: [[Float]] = []
        var norms: [(t: Float, linear: Double, spherical: Double)] = steps.map { ($0, 0, 0) }
        for p in 0..<pairs {
            let a = (0..<d).map { _ in random.gaussian() }, b = (0..<d).map { _ in random.gaussian() }
            let mid = zip(a, b).map { 0.5 * $0 + 0.5 * $1 }, arc = slerp(a, b, 0.5)
            for j in 0..<d { linear.scalars[p * d + j] = mid[j]; spherical.scalars[p * d + j] = arc[j] }
            for (s, t) in steps.enumerated() {
                norms[s].linear += norm(zip(a, b).map { (1 - t) * $0 + t * $1 }) / Double(pairs)
                norms[s].spherical += norm(slerp(a, b, t)) / Double(pairs)
            }
            if p < 3 {
                paths.append(Array(steps.map { t in zip(a, b).map { (1 - t) * $0 + t * $1 } }.joined()))
                paths.append(Array(steps.map { slerp(a, b, $0) }.joined()))
            }
        }
        func confidence(_ z: Tensor) throws -> MeanEstimate {
            let p = try judge.probabilities(try model.decodeMeans(z)).scalars
            return MeanEstimate((0..<(p.count / 10)).map { i in Double((0..<10).map { p[i * 10 + $0] }.max()!) })
        }
        let lc = try confidence(linear), sc = try confidence(spherical)
        print(String(format: "midpoints of %d pairs z_a, z_b ~ N(0, I): mean norm %.2f (straight line) against %.2f (slerp), √D = %.2f; "
                     + "the judge's confidence max_y p(y|x) %.3f ± %.3f against %.3f ± %.3f", pairs, norms[4].linear, norms[4].spherical,
                     Double(d).squareRoot(), lc.mean, lc.standardError, sc.mean, sc.standardError))
        let decodedPaths = try paths.map { try model.decodeMeans(Tensor(shape: [steps.count, d], scalars: $0)).scalars }
        try Pictures.interpolation(decodedPaths, steps: steps, norms: norms, dimension: d, figures: figures)
    }

    // MARK: 6. Are the samples varied, balanced and new?
    //
    // Three questions about z ~ N(0, I) decoded by chapter 5's model, each against the same
    // number of real test digits, in the judge's 128 hidden features (distances in pixels say
    // little about what a digit looks like):
    //
    //   - varied: the mean distance between two samples, against between two real digits. A
    //     model that draws the same few digits (mode collapse) has a small one;
    //   - balanced: the judge's class of each sample, as a histogram, and its entropy in bits
    //     (log₂ 10 = 3.32 when all ten digits are equally frequent);
    //   - new: each sample's nearest training image, in pixels. If the model had memorised its
    //     training set, samples would sit much closer to a training image than real test digits
    //     (which the model never saw) do.
    //
    // Intervals by the bootstrap: over the samples for the mean distance and the entropy.
    func diversity(_ model: VAE, train: MNIST, real: MNIST, judge: DigitClassifier, reference: JudgeReference,
                   figures: FigureWriter) throws -> SampleJudgement {
        section("6. Are the samples varied, balanced and new?")
        let count = real.count
        var random = RandomSource(seed: options.seed &+ 91)
        let images = try model.samplePrior(count: count, using: &random)
        let verdict = try judge.judge(samples: images, labels: nil, against: reference)
        let sampleFeatures = try judge.features(images).scalars, realFeatures = try judge.features(real.images).scalars
        let f = sampleFeatures.count / count
        func meanDistance(_ features: [Float]) throws -> (MeanEstimate, BootstrapInterval, [Double]) {
            let squared = try pairwiseSquaredDistances(features, count: count, dimension: f)
            let distances = squared.map { Double($0).squareRoot() }
            // Mean over pairs i ≠ j; per point, its mean distance to the others.
            let perPoint = (0..<count).map { i in (0..<count).reduce(0.0) { $0 + distances[i * count + $1] } / Double(count - 1) }
            let interval = try BootstrapInterval(count: count, resamples: 200, seed: options.seed &+ 93) { indices in
                indices.reduce(0.0) { $0 + perPoint[$1] } / Double(indices.count)
            }
            var sample: [Double] = []
            for i in stride(from: 0, to: count, by: 7) { for j in stride(from: i + 1, to: count, by: 13) { sample.append(distances[i * count + j]) } }
            return (MeanEstimate(perPoint), interval, sample)
        }
        let (sampleSpread, sampleInterval, sampleHistogram) = try meanDistance(sampleFeatures)
        let (realSpread, realInterval, realHistogram) = try meanDistance(realFeatures)
        print(String(format: "mean feature distance between two of %d samples: %.2f [%.2f, %.2f]; between two real test digits: %.2f [%.2f, %.2f]",
                     count, sampleSpread.mean, sampleInterval.lower, sampleInterval.upper, realSpread.mean, realInterval.lower, realInterval.upper))

        let predictions = verdict.predictions
        func entropyBits(_ indices: [Int]) -> Double {
            var counts = [Double](repeating: 0, count: Chapter8.classes)
            for i in indices { counts[predictions[i]] += 1 }
            return counts.reduce(0.0) { s, c in c > 0 ? s - c / Double(indices.count) * log2(c / Double(indices.count)) : s }
        }
        let entropy = try BootstrapInterval(count: count, resamples: 1_000, seed: options.seed &+ 95, statistic: entropyBits)
        var histogram = [Int](repeating: 0, count: Chapter8.classes)
        for p in predictions { histogram[p] += 1 }
        print(String(format: "classes the judge sees in the samples: %@; entropy %.3f bits [%.3f, %.3f] (uniform: %.3f)",
                     histogram.map(String.init).joined(separator: " "), entropy.estimate, entropy.lower, entropy.upper, log2(10.0)))

        let checked = min(count, options.quick ? 200 : 1_000)
        let trainFlat = train.images.reshaped([train.count, 784])
        let nearestSample = try nearestRows(queries: images.reshaped([count, 784]).prefixRows(checked), reference: trainFlat)
        let nearestReal = try nearestRows(queries: real.images.reshaped([count, 784]).prefixRows(checked), reference: trainFlat)
        let sampleNearest = nearestSample.squaredDistance.map { Double($0).squareRoot() }
        let realNearest = nearestReal.squaredDistance.map { Double($0).squareRoot() }
        let sn = MeanEstimate(sampleNearest), rn = MeanEstimate(realNearest)
        print(String(format: "distance (pixels, L2) to the nearest of the %d training images, %d each: samples %.2f ± %.2f "
                     + "(closest %.2f), real test digits %.2f ± %.2f (closest %.2f)", train.count, checked, sn.mean, sn.standardError,
                     sampleNearest.min()!, rn.mean, rn.standardError, realNearest.min()!))
        print(String(format: "latent diversity samples=%.2f real=%.2f class_entropy=%.3f nearest_train=%.2f",
                     sampleSpread.mean, realSpread.mean, entropy.estimate, sn.mean))
        try Pictures.diversity(sampleDistances: sampleHistogram, realDistances: realHistogram, classCounts: histogram,
                               entropy: entropy, figures: figures)
        try Pictures.nearestTraining(samples: images, train: train, nearest: nearestSample.index, distances: sampleNearest,
                                     figures: figures)
        return verdict
    }

    // MARK: 7. Fréchet distance and Inception Score over training
    //
    // Chapter 7's two sample scores, on the judge's features and probabilities: the Fréchet
    // distance between Gaussians fitted to the features of samples and of real digits (lower is
    // better), and the Inception Score exp(E KL(p(y|x) ‖ p(y))) (higher is better, 10 at most).
    // Recorded after every epoch of section 2's training, on the same prior draws each time, so
    // the curve shows what the samples gain epoch by epoch. (Chapter 5's run records no such
    // scores while it trains, and retraining it in this chapter would cost its whole training again: the curve is
    // the 2-D model's, whose training this chapter owns.) Chapter 5's 20-D model, measured the
    // same way in section 6 once its training is over, is the black dashed line: what a richer
    // code buys. Both scores are the judge's own: the Fréchet distance is the FID recipe on the
    // course's classifier's 128 features, not on the Inception network's, so its values compare
    // with each other and not with the FIDs of papers (and the Inception Score likewise uses the
    // judge's ten class probabilities); the figure says so in its titles.
    func overTraining(_ trainer: Trainer, chapter5: SampleJudgement, reference: JudgeReference, figures: FigureWriter) throws {
        section("7. Fréchet distance and Inception Score over training")
        guard let judged = trainer.records["judged"], judged.shape.count == 2, judged.shape[1] == 4 else {
            print("note: the 2-D run in runs/ holds no per-epoch scores (it was not trained by this chapter): --retrain records them")
            return
        }
        var rows: [(epoch: Int, fid: Double, inception: Double, sd: Double)] = []
        for r in 0..<judged.shape[0] {
            let v = Array(judged.scalars[(r * 4)..<((r + 1) * 4)]).map(Double.init)
            rows.append((Int(v[0]), v[1], v[2], v[3]))
            print(String(format: "2-D model after epoch %2d: Fréchet distance %.2f, Inception Score %.3f ± %.3f (10 splits)", Int(v[0]), v[1], v[2], v[3]))
        }
        print(String(format: "chapter 5's 20-D model: Fréchet distance %.2f, Inception Score %@; real test digits: Inception Score %@",
                     chapter5.frechetDistance, chapter5.inceptionScore.description, reference.inceptionScore.description))
        try Pictures.scoresOverTraining(rows, chapter5: chapter5, realInception: reference.inceptionScore.mean, figures: figures)
    }
}

/// One importance-weighted estimate as chapter 5 keeps it in the run's measurements (the same
/// fields, so that the two chapters share the file).
struct NLLMeasurement: Codable {
    var nll: MeanEstimate
    var seconds: Double
}

extension Tensor {
    /// The first `rows` rows of a rank-2 tensor.
    func prefixRows(_ rows: Int) -> Tensor {
        Tensor(shape: [rows, shape[1]], scalars: Array(scalars[0..<(rows * shape[1])]))
    }
}

Chapter8.main()

// MARK: What you learned
//
// The geometry of the code is what the model learned about the data, and each section reads it with
// a number and a figure. t-SNE, written from the paper (perplexity-matched Gaussians in the code, a
// heavy-tailed Student-t in the plane, gradient descent on KL(P ‖ Q)), keeps each test digit's
// neighbours far better than PCA's linear shadow, as the run's trustworthiness and k-NN agreement
// show against the full code's ceiling. A code of two numbers can be drawn whole: the decoded
// manifold, the aggregate posterior against N(0, I), and the true posterior p(z|x) computed on a
// grid, whose KL from the encoder's diagonal Gaussian is exactly the gap log p(x) − ELBO(x). The
// law of total variance splits each pixel's uncertainty into the code's part and the Bernoulli's
// own, and the run's totals for ambiguous and clear digits show how little a classifier's doubt and
// the VAE's overlap; every printed number carries a standard error or a bootstrap interval, and
// Jensen's inequality keeps each image's −ELBO above its NLL. Codes support arithmetic: class-mean
// analogies, and thickness and slant vectors whose effect the run measures on the decoded ink and
// shear. The samples are measured for variety, balance over the digits and novelty (they lie no
// nearer to a training image than real test digits do), and the Fréchet distance and Inception
// Score follow the 2-D model's training epoch by epoch.

// MARK: Experiments
//
// 1. The perplexity. `swift run -c release ch08-latent-space --perplexity 5 --figures /tmp/perplexity5`, then
//    `--perplexity 100`: the number of neighbours each point listens to. Compare section 1's
//    "latent tsne_trustworthiness" line and ch08-tsne-pca.png with the default run's (30): small
//    perplexities cut the digits into many small islands, large ones merge them back towards
//    PCA's picture. Which value keeps the 10 nearest neighbours best?
//    Answer: run `ch08-latent-space --perplexity 5 --figures /tmp/perplexity5`, section 1
//    Answer: run `ch08-latent-space --perplexity 100 --figures /tmp/perplexity100`, section 1
// 2. More points. `--tsne-points 6000 --figures /tmp/ch08-6000` (twice the default; four times the gradient's cost):
//    does T(10) move outside the interval section 1 printed for 3000 points? The k-NN
//    agreement of the full code is the ceiling both maps are measured against.
//    Answer: run `ch08-latent-space --tsne-points 6000 --figures /tmp/ch08-6000`, section 1
// 3. A longer-trained 2-D code. `--epochs-2d 30 --figures /tmp/ch08-30` trains the 2-D model
//    again (in runs/latent-2d, the 10-epoch run is set aside and taken back later): section 7's
//    curves go on for 30 epochs. Does the Fréchet distance still fall? Compare section 2's
//    "KL(q ‖ p(z|x))" lines: does the encoder's Gaussian get closer to the true posterior?
//    Answer: run `ch08-latent-space --epochs-2d 30 --figures /tmp/ch08-30`, sections 2 and 7
// 4. Another seed. `--seed 2 --figures /tmp/ch08-seed2` (chapter 5 must have a run with that seed:
//    `swift run -c release ch05-elbo --seed 2` first): every number moves, and the intervals
//    printed beside them say by how much it should; check that the new values fall inside.
