// Chapter 6 — β-VAE: how much the code may say
// ==============================================
//
// Chapter 5 trained a VAE on the ELBO, in which reconstruction and KL count equally. This
// chapter puts a weight β on the KL and watches what it buys: one model per β in
// {0.5, 1, 2, 4, 8}, each trained with the same seed on MNIST and measured on the same binarized
// test set. The sweep traces the trade-off between how many nats the code carries (the rate) and
// how well the digit is redrawn (the distortion), shows latent dimensions switching off as β
// grows, and ends with two schedules that move the KL weight during training.
//
//     swift run -c release ch06-beta-vae [--betas 0.5 1 2 4 8] [--epochs N] [--quick] [--seed N]
//                                        [--capacity-max NATS] [--capacity-gamma γ] [--run DIR] [--retrain] [--data DIR] [--figures DIR]
//
// It writes one checkpoint per run under runs/beta/ and the figures ch06-*.png.

import ArgumentParser
import CourseSupport
import Foundation
import VAECore

// MARK: The ELBO's two terms, weighted
//
// Per image, chapter 5's ELBO is
//
//     ELBO(x) = E_q[log p(x|z)] − KL(q(z|x) ‖ p(z)).
//
// Higgins et al. (2017) train on a variant, the β-VAE objective, which weights the KL by β:
//
//     L_β(x) = E_q[−log p(x|z)] + β · KL(q(z|x) ‖ p(z))          (minimised)
//
// β = 1 is the negative ELBO. β > 1 taxes every nat the code carries more heavily than the ELBO
// does; β < 1 taxes it less. Only at β = 1 is the loss a bound on −log p(x), so every model below
// is *trained* with its own β but *measured* with the true ELBO (β = 1).
//
// Alemi et al. (2018, "Fixing a broken ELBO") read the two terms, averaged over the data, as
//
//     distortion  D = E_x E_q[−log p(x|z)]       the reconstruction term: nats to redraw x from z
//     rate        R = E_x KL(q(z|x) ‖ p(z))      the KL term: nats the code spends on x
//
// so that −ELBO = D + R. The rate bounds the information the code holds about the image:
// R = I(x; z) + KL(q(z) ‖ p(z)) ≥ I(x; z), with q(z) the codes of all images pooled. And a code
// that holds I nats cannot cut the distortion below H − I, H the entropy of the data. Every
// model therefore lies in the region D ≥ H − R of the (R, D) plane, and the best models of each
// rate trace a convex curve along its edge. Minimising D + β·R picks the point of that curve
// where its slope is −β: a small β buys low distortion with a high rate (towards an
// autoencoder), a large β a low rate at a high distortion. At R = 0 the code says nothing: the
// decoder ignores z and draws the average digit. Models on a line D + R = constant (slope −1)
// share one ELBO: the ELBO alone cannot tell them apart, though they use their codes very
// differently.
//
// Why a large β switches dimensions off. The KL of a diagonal Gaussian is a sum over the
// dimensions, R = Σ_d KL_d, so each dimension pays its own rate β·KL_d and earns whatever
// distortion it removes. A dimension is worth keeping only while the nats of distortion it
// saves exceed β times the nats it costs; as β rises, the least useful ones fail the test and
// collapse onto the prior: μ_d(x) ≈ 0 and σ_d ≈ 1 for every x, KL_d ≈ 0, an *inactive* unit
// (chapter 5's test: Var_x(μ_d) ≤ 0.01). The survivors must carry the most distortion per nat:
// the broad factors of a digit (its class, slant, width, stroke). Because the prior is
// factorised and the posterior diagonal, the pressure also favours codes whose dimensions vary
// independently, which is Higgins et al.'s argument for "disentangling" (Burgess et al., 2018,
// develop it). It is a tendency, not a guarantee: Locatello et al. (2019) show that without
// labels or other biases nothing forces the dimensions to align with the factors we would name.
// The traversals below let us look.
//
// Posterior collapse is the extreme: q(z|x) = p(z) for every x in every dimension, rate 0. A
// decoder strong enough to model the digits without z (an autoregressive one) can reach it even
// at β = 1, because early in training, when the decoder cannot yet use z, the KL is the one
// term the encoder can lower. Section 5 shows the two usual remedies, KL warm-up and a capacity
// target; ours is a factorised decoder, which cannot model the digits without z, so it collapses
// dimension by dimension only as β grows.

struct Chapter6: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ch06-beta-vae",
        abstract: "Chapter 6: the β-VAE. A sweep over β, the rate–distortion plane, active units, traversals and two KL schedules.")

    @OptionGroup var options: ChapterOptions

    @Option(parsing: .upToNextOption, help: ArgumentHelp("The KL weights of the sweep, one model each.", valueName: "β"))
    var betas: [Double] = [0.5, 1, 2, 4, 8]

    @Option(parsing: .unconditional, help: "Training epochs of every run (default: 4 on all 60,000 images, or 1 on 10,000 with --quick).")
    var epochs: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Training images: the first n of the training set (default: all, or 10,000 with --quick).",
                               valueName: "n"))
    var trainImages: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("The capacity schedule's final target C_max, in nats.", valueName: "nats"))
    var capacityMax = 15.0

    @Option(parsing: .unconditional, help: ArgumentHelp("The capacity schedule's weight γ in γ·|KL − C|.", valueName: "γ"))
    var capacityGamma = 100.0

    @Option(name: .customLong("run"), help: "Folder of the runs' checkpoints, one subfolder per run (default: runs/beta, or runs/quick/beta with --quick). Runs whose settings match are reused.")
    var runFolder: String?

    func validate() throws {
        try ChapterOptions.requireFolderPath(runFolder, option: "--run")
        if betas.isEmpty { throw ValidationError("--betas needs at least one value") }
        for beta in betas where !(beta.isFinite && beta > 0) {
            throw ValidationError("every β must be a positive number, not \(beta)")
        }
        if Set(betas).count != betas.count { throw ValidationError("--betas lists a value twice: \(betas)") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let trainImages, !(128...60_000).contains(trainImages) {
            throw ValidationError("--train-images must lie between 128 (one batch) and 60000, not \(trainImages)")
        }
        if !(capacityMax.isFinite && capacityMax > 0) {
            throw ValidationError("--capacity-max must be a positive number of nats, not \(capacityMax)")
        }
        if !(capacityGamma.isFinite && capacityGamma > 0) {
            throw ValidationError("--capacity-gamma must be a positive number, not \(capacityGamma)")
        }
    }

    func run() throws {
        options.announcePlan()                    // what it will train or reuse, and for how long
        let figures = try options.figureWriter()
        let train = try options.loadMNIST(.train)
        // Every number below is measured on one fixed binarization of the 10,000 test digits, the
        // same draw as chapter 5's, so the models compare with each other and with chapter 5.
        let binaryTest = try options.loadMNIST(.test).binarized(seed: EvaluationDefaults.binarizationSeed)
        let sweep = Sweep(betas: betas.sorted(), epochs: epochs ?? (options.quick ? 1 : 4),
                          trainImages: min(trainImages ?? (options.quick ? 10_000 : train.count), train.count),
                          seed: options.seed,
                          folder: runFolder.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? options.runFolder("beta"),
                          retrain: options.retrain)

        let runs = try trainOneModelPerBeta(sweep, train: train, test: binaryTest)
        try rateDistortion(runs, figures: figures)
        try activeUnits(runs, figures: figures)
        try traversals(runs, test: binaryTest, figures: figures)
        try schedules(sweep, baseline: runs.first { $0.beta == 1 }, train: train, test: binaryTest, figures: figures)
    }

    // MARK: 1. One model per β
    //
    // The sweep trains one model for each β of --betas, each in a run folder of its own
    // (runs/beta/beta-B), reused when it matches (`Sweep` and `Run` below hold how).
    func trainOneModelPerBeta(_ sweep: Sweep, train: MNIST, test: MNIST) throws -> [Run] {
        section("1. One model per β")
        return try sweep.betas.map { beta in
            try sweep.train(name: "β = \(Sweep.format(beta))", folder: "beta-\(Sweep.format(beta))",
                            kl: .constant(beta: beta), train: train, test: test)
        }
    }

    // MARK: 2. Rate and distortion
    //
    // Each trained model gives one point (R, D) on the test set: R the mean KL, D the mean
    // reconstruction term, both in nats per image, with one z per image for D. As β grows the
    // points should walk up and to the left: fewer nats in the code, more to redraw the digit.
    // The test ELBO, −(D + R), is printed beside them; β = 1 trains on exactly that quantity, so
    // it should have the best ELBO of the sweep (up to the noise of short training), while the
    // others trade ELBO for a code that is richer (β < 1) or leaner (β > 1). ch06-rate-distortion.png
    // draws the plane, and the three terms against β, the −ELBO with its standard error over the
    // test images as error bars (the ± of the table).
    func rateDistortion(_ runs: [Run], figures: FigureWriter) throws {
        section("2. Rate against distortion")
        print("   β   distortion D    rate R   test ELBO (± s.e.)   active units   90% of KL   train time")
        for run in runs {
            let e = run.evaluation
            print(String(format: "%5g  %12.2f  %9.2f  %10.2f (± %.2f)  %8d of %d  %9d  %@",
                         run.beta, e.reconstruction, e.kl, e.elbo.mean, e.elbo.standardError,
                         e.latent.activeUnits, e.latent.klPerDimension.count, e.latent.dimensionsHolding(0.9), run.timing))
        }
        print("(active units: dimensions with Var_x μ_d > 0.01; 90% of KL: the fewest dimensions whose KL_d add up to 90% of the rate)")
        try Pictures.rateDistortion(runs, figures: figures)
    }

    // MARK: 3. Active units
    //
    // Chapter 5's test counts a dimension as active when its mean μ_d(x) varies over the test
    // digits by more than 0.01 (variance). The test is lenient: after a short training a
    // dimension on its way to collapse can pass it while carrying a hundredth of a nat. So
    // the chapter also counts the fewest dimensions that together hold 90% of the rate, read
    // off the KL per dimension: that number falls faster with β.
    func activeUnits(_ runs: [Run], figures: FigureWriter) throws {
        section("3. Active units")
        try Pictures.activeUnits(runs, figures: figures)
    }

    // MARK: 4. Latent traversals
    //
    // A traversal asks what one latent dimension does: take one code, change only dimension d
    // through −3, …, 3 (three prior standard deviations either way), decode each code and show
    // the decoder's Bernoulli means in a row. One row per dimension, the dimensions sorted by how
    // many nats they carry (KL_d, on the test set). The code we start from is μ(x) of one test
    // digit, the same digit for both models.
    //
    // For the smallest β every row changes the digit a little, often several features at once
    // (a stroke here, a serif there). For the largest β the few dimensions that hold most of the
    // rate change it a lot, each in one broad way (the digit's class, its width or slant); the
    // rows of the nearly collapsed ones are the same image eleven times over, since the decoder
    // has learnt to ignore them. Which factor lands in which dimension is up to the training run.
    //
    // Which rows count as used? Chapter 5's test, Var_x(μ_d) > 0.01, passes most of the rows of
    // the largest β, though only the first few change the digit: a dimension whose mean wanders
    // a little over the test digits, carrying a few hundredths of a nat, passes it, and its row
    // is the same image eleven times. The count of section 3 that holds 90% of the KL agrees with
    // the rows: the figure marks with · the rows outside it, and each panel's title gives both
    // counts.
    func traversals(_ runs: [Run], test: MNIST, figures: FigureWriter) throws {
        section("4. Latent traversals")
        let chosen = runs.count > 1 ? [runs.first!, runs.last!] : runs
        let seedImage = 0   // the first test digit
        print("traversals from μ(x) of test digit \(seedImage) (a \(test.labels[seedImage])), values −3…3, for "
              + chosen.map { "β = \(Sweep.format($0.beta))" }.joined(separator: " and "))
        let values = (0...10).map { Double($0 - 5) * 3 / 5 }   // −3, −2.4, …, 3
        try Pictures.traversals(chosen, seedImage: test.images.slice(seedImage), values: values, figures: figures)
        try Pictures.reconstructionsAndSamples(runs, test: test, figures: figures, seed: options.seed)
    }

    // MARK: 5. Schedules for the KL weight
    //
    // Two ways to move the KL's weight during training, both in the library's KLSchedule:
    //
    //   - KL warm-up (Bowman et al., 2016; Sønderby et al., 2016): β_t = min(1, t/T)·β, rising
    //     linearly over the first T updates. Early on the model is nearly an autoencoder: the
    //     encoder learns codes the decoder relies on before the KL's pull towards the prior
    //     arrives. The KL shoots up at first and comes down as β_t grows.
    //   - Burgess et al.'s (2018) capacity objective: minimise D + γ·|KL − C| with the target
    //     capacity C raised linearly from 0 to C_max. With a large γ the KL is pinned to C: the
    //     model has a budget of nats that grows during training, and spends the first nats on
    //     the features that cut the distortion most. C_max sets the final rate directly, which
    //     is easier to choose than a β.
    //
    // Both runs use the sweep's settings (same seed, epochs and learning-rate schedule) so that
    // their KL per step compares with the plain β = 1 run. The warm-up lasts half of the run;
    // C rises over three quarters of it and is then held. Both are measured with the true ELBO.
    func schedules(_ sweep: Sweep, baseline: Run?, train: MNIST, test: MNIST, figures: FigureWriter) throws {
        section("5. Two schedules for the KL weight")
        let warmupEpochs = 0.5 * Double(sweep.epochs)
        let capacityEpochs = 0.75 * Double(sweep.epochs)
        var runs: [Run] = []
        if let baseline {
            runs.append(baseline)
        } else {
            runs.append(try sweep.train(name: "β = 1", folder: "beta-1", kl: .constant(beta: 1), train: train, test: test))
        }
        runs.append(try sweep.train(name: String(format: "warm-up: β 0 → 1 over %g epochs", warmupEpochs), folder: "warmup",
                                    kl: .warmup(beta: 1, epochs: warmupEpochs), train: train, test: test))
        runs.append(try sweep.train(name: String(format: "capacity: γ = %g, C 0 → %g nats over %g epochs", capacityGamma, capacityMax, capacityEpochs),
                                    folder: "capacity",
                                    kl: .capacity(gamma: capacityGamma, maximum: capacityMax, epochs: capacityEpochs),
                                    train: train, test: test))
        print("\nrun                                                    distortion D    rate R   test ELBO   active units   90% of KL")
        for run in runs {
            let e = run.evaluation
            print(String(format: "%@  %12.2f  %9.2f  %10.2f  %8d of %d  %9d", run.name.padding(toLength: 52, withPad: " ", startingAt: 0),
                         e.reconstruction, e.kl, e.elbo.mean, e.latent.activeUnits, e.latent.klPerDimension.count,
                         e.latent.dimensionsHolding(0.9)))
        }
        // How closely the KL followed C: the mean |KL − C| over the recorded steps after the first
        // tenth of the ramp (at the very start the KL cannot yet be pushed down to a C near 0).
        let capacitySteps = runs[2].history.steps.filter { $0.step >= Int(0.1 * capacityEpochs * Double(runs[2].stepsPerEpoch)) }
        let gaps = capacitySteps.compactMap { step in step.klWeight.capacity.map { abs(step.terms.kl - $0) } }
        if !gaps.isEmpty {
            print(String(format: "capacity run: mean |KL − C| over %d recorded training batches: %.2f nats",
                         gaps.count, gaps.reduce(0, +) / Double(gaps.count)))
        }
        try Pictures.schedules(runs, figures: figures)
    }
}

// MARK: The sweep's runs
//
// Every run is chapter 5's recipe: the reference architecture (20 latent dimensions), Adam at
// 1e-3 with a cosine decay to a tenth, batches of 128, dynamic binarization, and the same seed,
// so the runs start from the same weights and see the same batches: β is the only difference.
// The full settings train 4 epochs per model (five models plus the two schedule runs; each
// run prints its training time); --quick trains 1 epoch on 10,000 images. Four epochs are not
// convergence (chapter 5 trains 30), so the absolute numbers are worse than chapter 5's; the
// trade-off between the models is what the chapter is about.

/// What one trained model is and measured.
struct Run {
    var name: String
    /// The constant β of a sweep run (the warm-up's final β; 0 for the capacity run).
    var beta: Double
    var model: VAE
    var history: TrainingHistory
    var stepsPerEpoch: Int
    /// The true ELBO (β = 1) on the binarized test set, with KL per dimension and active units.
    var evaluation: ELBOEvaluation
    /// Seconds of training in this process.
    var seconds: Double
    /// Epochs trained in this process (fewer than the run's when it was resumed or reused).
    var epochsTrained: Int

    /// "147.0 s", or how much was loaded from the checkpoint.
    var timing: String {
        let total = history.epochs.count
        if epochsTrained == total { return String(format: "%9.1f s", seconds) }
        if epochsTrained == 0 { return "  reused from its checkpoint" }
        return String(format: "%9.1f s for %d of %d epochs (resumed)", seconds, epochsTrained, total)
    }
}

/// The settings every run of the chapter shares.
struct Sweep {
    var betas: [Double]
    var epochs: Int
    var trainImages: Int
    var seed: UInt64
    var folder: URL
    /// Train every run again, even those saved with the same settings.
    var retrain: Bool

    /// "0.5", "1", "8": β as it reads in names and legends.
    static func format(_ value: Double) -> String { String(format: "%g", value) }

    /// Trains one model with the KL schedule `kl`, checkpointing under `folder/name`, and
    /// evaluates it on the test set.
    func train(name: String, folder subfolder: String, kl: KLSchedule, train: MNIST, test: MNIST) throws -> Run {
        var configuration = TrainingConfiguration(model: .reference, epochs: epochs, kl: kl, seed: seed)
        if trainImages < train.count { configuration.subset = trainImages }
        // About 200 recorded steps per run, for the per-step KL curves of section 5.
        let steps = epochs * (trainImages / configuration.batchSize)
        configuration.historyInterval = max(1, steps / 200)
        let checkpoint = folder.appendingPathComponent(subfolder, isDirectory: true)
            .appendingPathComponent("checkpoint.safetensors")
        let trainer = try TrainingRun.trainer(for: configuration, in: checkpoint.deletingLastPathComponent(),
                                              trainingSet: train, retrain: retrain) { print("\(name): " + CoursePaths.relative($0)) }
        let epochsBefore = trainer.epoch
        print("\(name): \(trainer.trainingSet.count) images, \(epochs) epoch\(epochs == 1 ? "" : "s") "
              + "(\(trainer.stepsPerEpoch) steps each); checkpoint: \(CoursePaths.relative(checkpoint.path))")
        trainer.epochEnded = { trainer, summary in print("  " + summary.line(of: trainer.configuration.epochs)) }
        trainer.showsProgress = true
        let start = Date()
        try trainer.train(checkpoint: checkpoint)
        let seconds = Date().timeIntervalSince(start)
        let model = trainer.model
        model.isTraining = false
        let beta: Double
        switch kl {
        case .constant(let b), .warmup(let b, _): beta = b
        case .capacity: beta = 0
        }
        let evaluation = try evaluateELBO(model: model, images: test.images, batchSize: 500, seed: 11)
        let run = Run(name: name, beta: beta, model: model, history: trainer.history, stepsPerEpoch: trainer.stepsPerEpoch,
                      evaluation: evaluation, seconds: seconds, epochsTrained: trainer.epoch - epochsBefore)
        print(String(format: "  test: D %.2f  R %.2f  ELBO %.2f  active units %d (Var_x μ_d > 0.01), %d hold 90%% of the KL  (training: %@)",
                     evaluation.reconstruction, evaluation.kl, evaluation.elbo.mean, evaluation.latent.activeUnits,
                     evaluation.latent.dimensionsHolding(0.9),
                     run.timing.trimmingCharacters(in: .whitespaces)))
        return run
    }
}

Chapter6.main()

// MARK: What you learned
//
// Weighting the KL by β turns the ELBO into L_β = E_q[−log p(x|z)] + β·KL(q(z|x) ‖ p(z)), a bound
// on −log p(x) only at β = 1, so every model is trained with its own β and measured with the true
// ELBO. Read as distortion D and rate R, −ELBO = D + R, and minimising D + β·R picks the point of
// the convex rate–distortion curve where its slope is −β: the run's sweep over
// β ∈ {0.5, 1, 2, 4, 8} walks from a high rate and a low distortion to a low rate and a high
// distortion, with β = 1, the only model trained on the ELBO itself, at the best test ELBO. Because
// the KL is a sum over dimensions, a dimension survives only while it saves more than β times the
// nats it costs, so as β grows the rate gathers in fewer dimensions, which the count of dimensions
// holding 90% of the KL shows more sharply than the lenient active-unit test. The traversals show
// it too: at the largest β a few dimensions change the digit in broad single ways and the rest draw
// the same image again and again. KL warm-up and Burgess et al.'s capacity objective move the
// weight during training instead: the warm-up run's KL shoots up early and settles as its β reaches
// 1, and the capacity run's KL follows its rising target C closely.

// MARK: Experiments
//
// 1. The ends of the sweep. `swift run -c release ch06-beta-vae --betas 0.1 1 16 32 --figures /tmp/ch06-betas`: at
//    β = 0.1 the code carries far more nats than the ELBO would pay for (towards an
//    autoencoder), at 16 and 32 more dimensions collapse. Read the table of section 2 (D, R,
//    test ELBO, active units) and the "… hold 90% of the KL" lines of section 3, and see
//    where the new points fall on ch06-rate-distortion against the default β's.
//    Answer: run `ch06-beta-vae --betas 0.1 1 16 32 --figures /tmp/ch06-betas`, sections 2 and 3
// 2. A tighter capacity. `swift run -c release ch06-beta-vae --capacity-max 5 --figures /tmp/ch06-capacity`:
//    a budget of 5 nats instead of 15 (γ = 100 as before; only the capacity run trains again,
//    the β runs are reused). Compare the capacity run's row of section 5 and its "mean |KL − C|"
//    line with the default run's, and its KL curve in ch06-schedules: does the KL follow a target
//    that low, and what does the reconstruction pay? Then `--capacity-gamma 1000` as well: does a
//    harder penalty pin it closer?
//    Answer: run `ch06-beta-vae --capacity-max 5 --figures /tmp/ch06-capacity`, section 5
// 3. Longer training. `swift run -c release ch06-beta-vae --epochs 10 --betas 1 4 --run runs/beta-10 --figures /tmp/ch06-10`:
//    does β = 1 keep the best test ELBO, and does β = 4 lose or regain active units with more
//    epochs? Compare the two rows of section 2 with the same β in the default run. (The runs go
//    to their own folder, so the default ones stay for the comparison.)
//    Answer: run `ch06-beta-vae --epochs 10 --betas 1 4 --run runs/beta-10 --figures /tmp/ch06-10`, sections 2 and 3
// 4. Less data. `swift run -c release ch06-beta-vae --train-images 2000 --epochs 20 --run runs/beta-2000 --figures /tmp/ch06-2000`:
//    each model sees a thirtieth of the digits, twenty times over. The test ELBO of section 2
//    now also measures how well each β generalises: compare the gap between the train loss of
//    each run's last epoch line and its test ELBO, per β, with the default run.
//    Answer: run `ch06-beta-vae --train-images 2000 --epochs 20 --run runs/beta-2000 --figures /tmp/ch06-2000`, section 1
