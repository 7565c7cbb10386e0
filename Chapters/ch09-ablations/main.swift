// Chapter 9 — Ablations: what each choice is worth
// ===================================================
//
// Chapters 5 to 8 trained one recipe: chapter 5's reference VAE (two stride-2 convolutions each
// way, 20 latent dimensions, batch norm and ReLU), Adam at 10⁻³ with a cosine decay to a tenth,
// batches of 128, dynamic binarization and the plain ELBO. Chapter 6 varied β. This chapter
// varies everything else, one choice at a time, and measures what each is worth on the same
// binarized test digits:
//
//   1. the size of the code, D ∈ {2, 5, 10, 20, 50, 100};
//   2. the networks: the four presets (MLP, reference, deeper, wider), the reference without
//      batch norm, with ELU or Swish in place of ReLU, and with nearest-neighbour upsampling and
//      a convolution in place of its transposed convolutions;
//   3. the training: the optimizer (SGD, SGD with momentum, Adam, AdamW, RMSprop), the
//      learning-rate schedule (constant, step, cosine, warm-up), the batch size (32, 128, 512),
//      KL warm-up and free bits, and static against dynamic binarization.
//
//     swift run -c release ch09-ablations [--quick] [--epochs N] [--sweeps latent arch optimizer schedule batch kl binarization]
//                                         [--one-seed] [--free-bits λ] [--sgd-rate η] [--momentum-rate η] [--adam-rate η]
//                                         [--adamw-rate η] [--rmsprop-rate η] [--seed N] [--run DIR] [--retrain] [--data DIR] [--figures DIR]
//
// Time, measured on two quiet cores (a full figures run): 23 min 07 s the first time
// (47 runs of 2 epochs each on all 60,000 digits, the binarization runs 20 epochs on 6,000: 17
// minutes of training; 14 importance-weighted NLL estimates and the test ELBOs: 5 minutes), 55 s
// once the runs are saved (each run's measurements are kept beside it); --quick, one epoch on
// 2,000 digits per run, under 90 seconds. The longer setting is --epochs N: every run N epochs
// (the binarization runs 10·N), about 9 minutes per epoch (--epochs 10: about an hour and a half).
//
// It writes its runs under runs/ablations/ (runs/quick/ablations/ with --quick) and the figures
// ch09-*.png.

import ArgumentParser
import CourseSupport
import Foundation
import VAECore

// MARK: What an ablation needs
//
// An ablation changes one choice and keeps everything else: here every run is chapter 5's recipe
// (`Recipe.baseline`) with one change, trained for the same number of epochs from the same seed.
// The seed decides the initial weights, the order of the batches, the binarization of each batch
// and the noise ε of the reparameterisation, each from a stream of its own (`Trainer`), so two
// runs that differ in one setting start from the same weights (where their shapes agree) and see
// the same digits in the same order.
//
// That does not make the comparison noise-free. After the first update the two runs' weights
// differ, and from then on every later batch meets them in another state: the runs drift apart as
// two runs of one setting with different seeds would. A difference between two settings is only
// worth reading when it is larger than what another seed alone changes. So the cheap sweeps (all
// but the architectures') train every point twice, with `--seed` and the next seed, and each
// table says which differences are larger than that noise. The comparison is paired: a seed
// tends to shift all settings alike, so what matters is how much a setting's difference from the
// baseline moves with the seed, not how much the ELBO itself does (`SeedComparison` has the rule).
//
// The runs are short: 2 epochs each by default (about 12 seconds an epoch for the reference model
// on two cores), so the chapter compares models after 2 epochs, not trained to convergence. Some
// choices rank the same after 2 epochs as after 100 (a two-number code is worse whatever the
// length); others depend on the length (a learning-rate schedule is a plan for a run of a given
// length; a larger batch takes fewer updates per epoch, and the runs are equal in epochs, not in
// updates). `--epochs N` repeats the chapter N epochs long.
//
// Every model is measured the same way: the ELBO on the binarized test set (all 10,000 digits, one
// z per image, chapter 5's estimator) with its reconstruction and KL terms, Burda et al.'s active
// units (Var_x E_q[z_d] > 0.01), the fewest dimensions that hold 90% of the KL, and for the latent
// and architecture sweeps the importance-weighted NLL (chapter 5, section 7) on the first test
// digits. Each run's measurements are kept beside its checkpoint (`RunMeasurements`), so a second
// run of the chapter measures nothing again; the seconds per epoch are kept in the checkpoint as
// what the run took when it was trained, not as a result of its settings.

struct Chapter9: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ch09-ablations",
        abstract: "Chapter 9: ablations. The code size, the networks and the training recipe, one change at a time, with two seeds to show the noise.",
        discussion: "Full: 2 epochs per run on all 60,000 digits (the binarization runs 20 epochs on 6,000), about 23 minutes on two "
            + "quiet cores the first time and about a minute with the runs reused. --quick: 1 epoch on 2,000 digits per run, under "
            + "90 seconds. --epochs N: the longer setting, about 9 minutes per epoch (N = 10: about an hour and a half).")

    @OptionGroup var options: ChapterOptions

    @Option(parsing: .unconditional, help: "Epochs of every run (default: 2, or 1 with --quick); the binarization runs train 10 times as many.")
    var epochs: Int?

    @Option(parsing: .upToNextOption, help: ArgumentHelp("The sweeps to run (default: all).", valueName: "sweep"))
    var sweeps: [SweepKind] = SweepKind.allCases

    @Flag(help: "Train every point with --seed only (the noise is not measured; about half the time).")
    var oneSeed = false

    @Option(parsing: .unconditional, help: ArgumentHelp("λ of the free-bits run, in nats per latent dimension.", valueName: "λ"))
    var freeBits = 0.5

    @Option(parsing: .unconditional, help: ArgumentHelp("The learning rate of plain SGD in the optimizer sweep.", valueName: "η"))
    var sgdRate = 3e-3

    @Option(parsing: .unconditional, help: ArgumentHelp("The learning rate of SGD with momentum 0.9.", valueName: "η"))
    var momentumRate = 3e-3

    @Option(parsing: .unconditional, help: ArgumentHelp("The learning rate of Adam in the optimizer sweep (the baseline keeps 0.001).", valueName: "η"))
    var adamRate = 3e-3

    @Option(parsing: .unconditional, help: ArgumentHelp("The learning rate of AdamW.", valueName: "η"))
    var adamwRate = 3e-3

    @Option(parsing: .unconditional, help: ArgumentHelp("The learning rate of RMSprop.", valueName: "η"))
    var rmspropRate = 1e-3

    @Option(name: .customLong("run"), help: "Folder of the runs, one subfolder each (default: runs/ablations, or runs/quick/ablations with --quick). Runs whose settings match are reused.")
    var runFolder: String?

    func validate() throws {
        try ChapterOptions.requireFolderPath(runFolder, option: "--run")
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if sweeps.isEmpty { throw ValidationError("--sweeps needs at least one of \(SweepKind.allCases.map(\.rawValue).joined(separator: ", "))") }
        if Set(sweeps).count != sweeps.count { throw ValidationError("--sweeps names a sweep twice") }
        if !(freeBits.isFinite && freeBits > 0) { throw ValidationError("--free-bits must be a positive number of nats") }
        for (flag, rate) in [("--sgd-rate", sgdRate), ("--momentum-rate", momentumRate), ("--adam-rate", adamRate),
                             ("--adamw-rate", adamwRate), ("--rmsprop-rate", rmspropRate)] where !(rate.isFinite && rate > 0) {
            throw ValidationError("\(flag) must be a positive number")
        }
    }

    func run() throws {
        options.announcePlan()                    // what it will train or reuse, and for how long
        let figures = try options.figureWriter()
        let train = try options.loadMNIST(.train)
        // Every number below is measured on chapter 5's fixed binarization of the test digits.
        let greyTest = try options.loadMNIST(.test)
        let quick = options.quick
        let epochCount = epochs ?? (quick ? 1 : 2)
        let recipe = Recipe(epochs: epochCount, trainImages: quick ? 2_000 : nil,
                            binarizationImages: quick ? 1_000 : 6_000, binarizationEpochs: quick ? 3 : 10 * epochCount,
                            seeds: oneSeed ? [options.seed] : [options.seed, options.seed &+ 1],
                            curveImages: quick ? 500 : 2_000, testImages: quick ? 1_000 : greyTest.count,
                            latentNLL: quick ? (50, 100) : (1000, 1000), architectureNLL: quick ? (20, 100) : (100, 1000))
        let lab = Laboratory(recipe: recipe, train: train, greyTest: greyTest,
                             folder: runFolder.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? options.runFolder("ablations"),
                             retrain: options.retrain)
        describeProtocol(recipe)
        var comparisons: [(SweepKind, SeedComparison)] = []
        for sweep in SweepKind.allCases where sweeps.contains(sweep) {   // in the lecture's order
            let comparison: SeedComparison?
            switch sweep {
            case .latent: comparison = try latentSweep(lab, figures: figures)
            case .arch: try architectureSweep(lab, figures: figures); comparison = nil
            case .optimizer: comparison = try optimizerSweep(lab, figures: figures)
            case .schedule: comparison = try scheduleSweep(lab, figures: figures)
            case .batch: comparison = try batchSweep(lab, figures: figures)
            case .kl: comparison = try klSweep(lab, figures: figures)
            case .binarization: try binarizationSweep(lab, figures: figures); comparison = nil
            }
            if let comparison { comparisons.append((sweep, comparison)) }
        }
        try noiseSummary(comparisons, figures: figures)
    }

    /// Each sweep's points. Every point is the baseline with the point's change (the binarization
    /// points also take that sweep's images and epochs, section 8).
    func points(_ sweep: SweepKind, _ recipe: Recipe) -> [Point] {
        switch sweep {
        case .latent: Self.latentSizes.map { d in Point("\(d)") { $0.model.latentDimensions = d } }
        case .arch: architectures.map { name, architecture in Point(name) { $0.model.architecture = architecture } }
        case .optimizer: optimizerPoints
        case .schedule: schedulePoints(recipe)
        case .batch: Self.batchSizes.map { size in Point("\(size)") { $0.batchSize = size } }
        case .kl: klPoints(recipe)
        case .binarization:
            BinarizationMode.allCases.map { mode in
                Point(mode.rawValue) {
                    $0.subset = recipe.binarizationImages
                    $0.epochs = recipe.binarizationEpochs
                    $0.binarization = mode
                }
            }
        }
    }

    /// The value of the point each two-seed sweep's differences are taken from.
    static func reference(_ sweep: SweepKind) -> String {
        switch sweep {
        case .latent: "20"
        case .arch: "reference"
        case .optimizer: "adam"
        case .schedule: "cosine"
        case .batch: "128"
        case .kl: "none"
        case .binarization: "dynamic"
        }
    }

    /// Trains (or reuses) every point of `sweep` with each of its seeds: `[point][seed]`.
    func train(_ sweep: SweepKind, _ lab: Laboratory) throws -> [[Outcome]] {
        let seeds = sweep.hasTwoSeeds ? lab.recipe.seeds : [lab.recipe.seeds[0]]
        return try points(sweep, lab.recipe).map { point in
            try seeds.map { seed in try lab.outcome("\(sweep.rawValue)=\(point.value)", point.configuration(lab.recipe.baseline(seed: seed))) }
        }
    }

    // MARK: 1. The protocol
    //
    // One line per sweep: its points, how many runs it needs, and how long each run is. Runs the
    // sweeps share (the baseline is the reference point of six of them) are trained once.
    func describeProtocol(_ recipe: Recipe) {
        section("1. The protocol")
        let baseline = recipe.baseline(seed: options.seed)
        print("baseline: \(TrainingRun.describe(baseline)); Adam η = \(baseline.learningRate), \(baseline.schedule.rawValue) to a tenth")
        print("every run: \(recipe.epochs) epoch\(recipe.epochs == 1 ? "" : "s") on \(recipe.trainImages.map(String.init) ?? "all 60000") training images"
              + " (the binarization runs: \(recipe.binarizationEpochs) epochs on \(recipe.binarizationImages)); seeds "
              + recipe.seeds.map(String.init).joined(separator: " and ") + " for the two-seed sweeps")
        print("measured on the first \(recipe.testImages) binarized test digits; NLL at k = \(recipe.latentNLL.samples) on \(recipe.latentNLL.images)"
              + " (latent sweep) and k = \(recipe.architectureNLL.samples) on \(recipe.architectureNLL.images) (architectures)")
        var configurations: [TrainingConfiguration] = []
        for sweep in SweepKind.allCases where sweeps.contains(sweep) {
            let points = points(sweep, recipe)
            let seeds = sweep.hasTwoSeeds ? recipe.seeds : [recipe.seeds[0]]
            for point in points {
                for seed in seeds where !configurations.contains(point.configuration(recipe.baseline(seed: seed))) {
                    configurations.append(point.configuration(recipe.baseline(seed: seed)))
                }
            }
            print("  \(sweep.rawValue): \(points.count) points × \(seeds.count) seed\(seeds.count == 1 ? "" : "s"): "
                  + points.map(\.value).joined(separator: ", "))
        }
        print("\(configurations.count) runs in all (a run two sweeps share, such as the baseline, is trained once)")
    }

    /// The comparison of a two-seed sweep with its reference point, printed as a table: per
    /// point, each seed's ELBO and its difference from the reference, the mean, the spread and the
    /// verdict. Nil with one seed.
    func compare(_ sweep: SweepKind, _ outcomes: [[Outcome]], _ recipe: Recipe, title: String) -> SeedComparison? {
        guard let seeds = outcomes.first?.map(\.seed), seeds.count > 1 else { return nil }
        let values = points(sweep, recipe).map(\.value)
        guard let reference = values.firstIndex(of: Self.reference(sweep)) else { return nil }
        let comparison = SeedComparison(values: values, elbos: outcomes.map { $0.map(\.test.elbo.mean) }, reference: reference)
        print("\n\(title.padding(toLength: 14, withPad: " ", startingAt: 0))" + seeds.map { "  ELBO seed \($0)       Δ" }.joined()
              + "   mean Δ   spread   verdict")
        for (row, runs) in zip(comparison.rows, outcomes) {
            var text = row.value.padding(toLength: 14, withPad: " ", startingAt: 0)
            for (run, difference) in zip(runs, row.differences) { text += String(format: "  %11.2f  %+7.2f", run.test.elbo.mean, difference) }
            text += String(format: "  %+7.2f  %7.2f   %@", row.mean, row.spread, comparison.verdict(row))
            print(text)
        }
        print(String(format: "Δ is the ELBO minus %@'s; noise: the median spread of a difference between the seeds, %.2f nats (%@ itself moves by %.2f)",
                     Self.reference(sweep), comparison.noise, Self.reference(sweep), comparison.referenceShift))
        return comparison
    }

    // MARK: 2. The size of the code
    //
    // The KL term charges every dimension of z for what it says about x; a dimension that would
    // save fewer nats of reconstruction than it costs in KL is better off saying nothing, and
    // collapses onto the prior (chapter 6). So a larger code need not be a richer one: beyond the
    // number of dimensions the data and the decoder can use, the extra ones should switch off
    // (inactive units), the KL should stop growing, and the NLL should stop improving. Too small
    // a code is the opposite failure: two numbers cannot hold the details of a digit, and the
    // reconstruction term stays high. The sweep measures where between the two the ELBO and the
    // NLL are best after short training, and how many dimensions each model actually uses: the
    // active units, and the fewest dimensions that hold 90% of its KL.
    //
    // Only the encoder's head and the decoder's first layer change size with D (by 2·3136·D and
    // 3136·D weights), so the models cost nearly the same per image. The NLL is the
    // importance-weighted estimate at k = 1000 on the first 1,000 test digits, seed 1 only.
    static let latentSizes = [2, 5, 10, 20, 50, 100]

    func latentSweep(_ lab: Laboratory, figures: FigureWriter) throws -> SeedComparison? {
        section("2. The size of the code")
        let outcomes = try train(.latent, lab)
        let (k, n) = lab.recipe.latentNLL
        let nll = try outcomes.map { try lab.negativeLogLikelihood($0[0], samples: k, images: n) }
        print("\n  D  seed   test ELBO (± s.e.)   reconstruction      KL   active units   dims holding 90% of KL   NLL (k = \(k), \(n) images)")
        for (d, (runs, estimate)) in zip(Self.latentSizes, zip(outcomes, nll)) {
            for (s, run) in runs.enumerated() {
                let t = run.test
                print(String(format: "%3d  %4llu   %9.2f (± %.2f)   %14.2f  %6.2f   %12d   %22d   %@", d, run.seed, t.elbo.mean,
                             t.elbo.standardError, t.reconstruction, t.kl, t.latent.activeUnits, t.latent.dimensionsHolding(0.9),
                             s == 0 ? String(format: "%.2f ± %.2f", estimate.mean, estimate.standardError) : ""))
            }
        }
        print("(active units: dimensions with Var_x μ_d > 0.01, which a dimension on its way to collapse still passes; "
              + "dims holding 90% of KL: the fewest whose KL_d add up to 90% of the KL)")
        print("")
        for (d, (runs, estimate)) in zip(Self.latentSizes, zip(outcomes, nll)) {
            let t = runs[0].test
            print(String(format: "ablation sweep=latent value=%d elbo=%.2f nll=%.2f kl=%.2f active=%d kl90=%d", d, t.elbo.mean, estimate.mean,
                         t.kl, t.latent.activeUnits, t.latent.dimensionsHolding(0.9)))
        }
        let comparison = compare(.latent, outcomes, lab.recipe, title: "D")
        try Pictures.latent(sizes: Self.latentSizes, outcomes: outcomes, nll: nll, samples: k, figures: figures)
        return comparison
    }

    // MARK: 3. The networks
    //
    // Eight models, one seed (the deep and wide ones cost three to five reference runs each):
    //
    //   mlp        fully connected, 784–512–256 and back: four times the reference's parameters, a
    //              third of its multiply-adds, no notion of neighbouring pixels;
    //   reference  chapter 5's model;
    //   deep       a stride-1 convolution before the two stride-2 ones, and one after the decoder's;
    //   wide       the reference with twice the channels (64, 128);
    //   no-bn      the reference without its three batch norms;
    //   elu, swish the reference with ELU (x for x > 0, eˣ − 1 below) or Swish (x·sigmoid(x)) in
    //              place of every ReLU: smooth activations whose gradient is not zero below 0;
    //   upsample   the reference whose decoder doubles the image by nearest-neighbour upsampling and
    //              then convolves (3×3), in place of each transposed convolution.
    //
    // The table gives each model's parameters, its multiply-adds per image (a training step costs
    // about six FLOP per multiply-add: forward, and backward at twice its cost), the seconds per
    // epoch it took when trained, the test ELBO and the NLL (at k = 100 on 1,000 digits: a tenth
    // of the latent sweep's k, which the deep and wide decoders would make too slow; the estimates
    // compare with each other, and lie a little above the k = 1000 ones). Parameters, FLOPs and
    // time are three different costs: the MLP has the most parameters and the fewest FLOPs, and
    // its large GEMMs run fastest per FLOP; the deep model's stride-1 layers at 28×28 make many
    // small GEMMs, slow per FLOP.
    //
    // The checkerboard. A transposed convolution of stride s paints a copy of its kernel, scaled by
    // each input pixel, every s output pixels. When the kernel size k is not a multiple of s the
    // copies overlap unevenly, and some output pixels sum more copies than their neighbours: a
    // pattern of period s, the "checkerboard artefact" of Odena, Dumoulin and Olah (2016). The
    // reference's k = 4, s = 2 overlap evenly, so the pattern is not built in, but nothing stops
    // the weights from learning one; resizing by nearest neighbour and then convolving cannot make
    // it at all. The close-up decodes the same codes with both decoders at eight screen pixels per
    // image pixel, beside each image's period-2 component (the image convolved with
    // [1, −2, 1]ᵀ[1, −2, 1]/16, which passes a pattern alternating every pixel and removes anything
    // smooth). And one number per model, the *checkerboard index*: the share of each decoded image's
    // spectral energy (its mean removed) that lies on the Nyquist row and column of its 2-D Fourier
    // transform, the frequencies of patterns that alternate every pixel. By Parseval's theorem it
    // needs no FFT:
    //
    //     index = 28·[Σ_j (Σ_i (−1)^i p_ij)² + Σ_i (Σ_j (−1)^j p_ij)²] / (784·Σ_ij p_ij² − (Σ_ij p_ij)²),
    //
    // averaged over 1,000 decoded prior samples, and printed beside the same index of the grey test
    // digits themselves: a decoder whose index lies well above the real digits' adds a
    // period-2 pattern of its own.
    var architectures: [(name: String, architecture: Architecture)] {
        let reference = Architecture.reference
        var upsampling = reference
        upsampling.decoder = [.linear(64 * 7 * 7), .relu, .reshape([64, 7, 7]),
                              .upsample(2), .conv(32, kernel: 3, stride: 1, padding: 1), .batchNorm, .relu,
                              .upsample(2), .conv(1, kernel: 3, stride: 1, padding: 1)]
        return [("mlp", .mlp), ("reference", reference), ("deep", .deep), ("wide", .wide),
                ("no-bn", reference.removingBatchNorm()), ("elu", reference.replacingActivations(with: .elu())),
                ("swish", reference.replacingActivations(with: .swish)), ("upsample", upsampling)]
    }

    func architectureSweep(_ lab: Laboratory, figures: FigureWriter) throws {
        section("3. The networks")
        let outcomes = try train(.arch, lab).map { $0[0] }
        let names = architectures.map(\.name)
        let (k, n) = lab.recipe.architectureNLL
        let nll = try outcomes.map { try lab.negativeLogLikelihood($0, samples: k, images: n) }
        let real = Pictures.checkerboardIndex(images: lab.greyTest.prefix(1000).images)
        let indices = try outcomes.map { try Pictures.checkerboardIndex(of: try Checkpoint.loadModel(from: $0.checkpoint), seed: options.seed) }
        print("\nmodel       parameters   MFLOP/image   s/epoch   test ELBO (± s.e.)   NLL k=\(k)   active   90% KL   checkerboard index")
        for (name, (run, (estimate, index))) in zip(names, zip(outcomes, zip(nll, indices))) {
            print(String(format: "%@  %10d   %11.1f   %7.1f   %9.2f (± %.2f)   %9.2f   %6d   %6d   %.5f", name.padding(toLength: 10, withPad: " ", startingAt: 0),
                         run.parameters, run.trainingMFLOP, run.secondsPerEpoch, run.test.elbo.mean, run.test.elbo.standardError,
                         estimate.mean, run.test.latent.activeUnits, run.test.latent.dimensionsHolding(0.9), index))
        }
        print("(active: dimensions with Var_x μ_d > 0.01; 90% KL: the fewest dimensions holding 90% of the KL)")
        print(String(format: "the grey test digits' own checkerboard index: %.5f", real))
        if outcomes.contains(where: { !$0.trainedNow }) { print("(seconds per epoch as measured when each run was trained)") }
        print("")
        for (name, (run, estimate)) in zip(names, zip(outcomes, nll)) {
            print(String(format: "ablation sweep=arch value=%@ params=%d sec_per_epoch=%.1f elbo=%.2f nll=%.2f", name, run.parameters,
                         run.secondsPerEpoch, run.test.elbo.mean, estimate.mean))
        }
        try Pictures.architectures(names: names, outcomes: outcomes, nll: nll, samples: k, figures: figures)
        let closeUp = ["reference", "upsample", "deep"].compactMap { names.firstIndex(of: $0) }
        try Pictures.checkerboard(names: closeUp.map { names[$0] },
                                  models: try closeUp.map { try Checkpoint.loadModel(from: outcomes[$0].checkpoint) },
                                  indices: closeUp.map { indices[$0] }, seed: options.seed, figures: figures)
    }

    // MARK: 4. The optimizer
    //
    // Five optimizers over the same gradients (chapter 3 derived them; `Optim/` has them, each
    // checked against PyTorch):
    //
    //     SGD              w ← w − η·g
    //     SGD + momentum   b ← μ·b + g,  w ← w − η·b                     (μ = 0.9)
    //     Adam             w ← w − η·m̂/(√v̂ + ε)                          (chapter 5, section 2)
    //     AdamW            w ← w·(1 − η·λ) − η·m̂/(√v̂ + ε)                (λ = 0.01, PyTorch's)
    //     RMSprop          s ← α·s + (1 − α)·g²,  w ← w − η·g/(√s + ε)    (α = 0.99)
    //
    // SGD's step is proportional to the gradient, which for this loss (a sum over 784 pixels) is
    // large and very unequal between layers; Adam and RMSprop divide each coordinate's step by a
    // running root mean square of its gradients, so every weight moves by about η per update
    // whatever its gradient's scale (Adam adds momentum and bias corrections to RMSprop). So a
    // learning rate means something else for each optimizer, and comparing them at one η would
    // compare η as much as the optimizers. Each runs at its own: the rate that did best in a
    // short trial of 10⁻⁴, 3·10⁻⁴, 10⁻³, 3·10⁻³ and 10⁻² (two epochs on 20,000 digits, one seed;
    // the book's about page gives the trial's command; --sgd-rate … --rmsprop-rate change them), all with
    // the baseline's cosine decay. The differences are taken from Adam at its trial rate; the
    // baseline, Adam at chapter 5's 10⁻³ (a rate chosen for 30 epochs), is the last row, to show
    // what the rate alone is worth over a short run.
    //
    // The curves show the training loss (a running mean over recorded batches) against epochs and
    // against seconds. An optimizer's own pass over the weights is small beside the forward and
    // backward passes, so the two axes should tell the same story; the seconds are measured.
    var optimizerPoints: [Point] {
        func at(_ settings: OptimizerSettings, _ rate: Double) -> (inout TrainingConfiguration) -> Void {
            { $0.optimizer = settings; $0.learningRate = rate }
        }
        return [Point("sgd", at(.sgd(), sgdRate)), Point("sgd-momentum", at(.sgd(momentum: 0.9), momentumRate)),
                Point("adam", at(.default, adamRate)), Point("adamw", at(.adamW(), adamwRate)),
                Point("rmsprop", at(.rmsprop(), rmspropRate)), Point("adam-baseline") { _ in }]
    }

    func optimizerSweep(_ lab: Laboratory, figures: FigureWriter) throws -> SeedComparison? {
        section("4. The optimizer")
        let outcomes = try train(.optimizer, lab)
        let points = optimizerPoints
        print("")
        for (point, runs) in zip(points, outcomes) {
            print(String(format: "ablation sweep=optimizer value=%@ elbo=%.2f lr=%g", point.value, runs[0].test.elbo.mean,
                         runs[0].configuration.learningRate))
        }
        let comparison = compare(.optimizer, outcomes, lab.recipe, title: "optimizer")
        try Pictures.trainingCurves(names: zip(points, outcomes).map { "\($0.value) (η = \(String(format: "%g", $1[0].configuration.learningRate)))" },
                                    runs: outcomes.map { $0[0] }, title: "The optimizer", as: "ch09-optimizers", figures: figures)
        return comparison
    }

    // MARK: 5. The learning-rate schedule
    //
    // Four plans for η over the same run, all from η₀ = 10⁻³ with Adam:
    //
    //     constant        η₀ throughout;
    //     step            η₀, then η₀/√10, then η₀/10, a third of the run each;
    //     cosine          η₀ · (1 + cos(π·t/T))/2 down to η₀/10 at the last update T (the baseline);
    //     warm-up         η rising linearly from 0 to η₀ over the first quarter of the run, then the
    //                     cosine over the rest.
    //
    // A decaying rate lets the last updates settle the weights instead of rattling them around
    // the optimum at the scale of the gradient noise; a warm-up protects the first updates, taken
    // while Adam's second moments are still poor estimates. Cosine and step end at the same rate,
    // and differ in how long they stay high. The figure shows each η and the training loss against
    // the update.
    func schedulePoints(_ recipe: Recipe) -> [Point] {
        [Point("constant") { $0.schedule = .constant }, Point("step") { $0.schedule = .step }, Point("cosine") { _ in },
         Point("warmup") { $0.schedule = .warmupCosine; $0.learningRateWarmupEpochs = 0.25 * Double(recipe.epochs) }]
    }

    func scheduleSweep(_ lab: Laboratory, figures: FigureWriter) throws -> SeedComparison? {
        section("5. The learning-rate schedule")
        let outcomes = try train(.schedule, lab)
        let values = points(.schedule, lab.recipe).map(\.value)
        print("")
        for (value, runs) in zip(values, outcomes) {
            print(String(format: "ablation sweep=schedule value=%@ elbo=%.2f", value, runs[0].test.elbo.mean))
        }
        let comparison = compare(.schedule, outcomes, lab.recipe, title: "schedule")
        try Pictures.schedules(names: values, runs: outcomes.map { $0[0] }, figures: figures)
        return comparison
    }

    // MARK: 6. The batch size
    //
    // 32, 128 and 512 images per update, at the baseline's η = 10⁻³ and the same number of epochs:
    // the small batch takes four times as many updates as the baseline, each on a noisier
    // gradient, and the large one a quarter as many. Per image, a small batch is slower (its
    // matrix products are too small to keep both cores busy), a large one faster: the figure puts
    // the curves against epochs and against seconds. (Keeping η while changing the batch is one
    // choice; scaling η with the batch, as large-batch training does, would be another sweep.)
    static let batchSizes = [32, 128, 512]

    func batchSweep(_ lab: Laboratory, figures: FigureWriter) throws -> SeedComparison? {
        section("6. The batch size")
        let outcomes = try train(.batch, lab)
        print("")
        for (size, runs) in zip(Self.batchSizes, outcomes) {
            print(String(format: "ablation sweep=batch value=%d elbo=%.2f sec_per_epoch=%.1f", size, runs[0].test.elbo.mean, runs[0].secondsPerEpoch))
        }
        let comparison = compare(.batch, outcomes, lab.recipe, title: "batch")
        try Pictures.trainingCurves(names: Self.batchSizes.map { "batch \($0)" }, runs: outcomes.map { $0[0] }, title: "The batch size",
                                    as: "ch09-batch-size", figures: figures)
        return comparison
    }

    // MARK: 7. KL warm-up and free bits
    //
    // Two remedies for dimensions that collapse before the decoder has learned to use them:
    //
    //   - KL warm-up (chapter 6): β rises from 0 to 1 over the first half of the run, so the code
    //     is first trained as an autoencoder's;
    //   - free bits (Kingma et al., 2016): the loss counts each dimension's KL, averaged over the
    //     batch, as at least λ nats (λ = 0.5 here, `freeBitsKL`): below λ a dimension pays nothing
    //     and feels no pull towards the prior, so it may carry up to λ nats about x for free.
    //     The loss is then no longer the ELBO (it is a looser bound), but the model is still
    //     measured with the true ELBO.
    //
    // With 20 dimensions the reference model keeps all of them active already (chapter 5), so
    // the question here is what the remedies cost or buy in ELBO, and how they move the KL per
    // dimension (the figure, sorted, with λ marked).
    func klPoints(_ recipe: Recipe) -> [Point] {
        let λ = freeBits
        return [Point("none") { _ in }, Point("warmup") { $0.kl = .warmup(beta: 1, epochs: 0.5 * Double(recipe.epochs)) },
                Point("free-bits") { $0.freeBits = λ }]
    }

    func klSweep(_ lab: Laboratory, figures: FigureWriter) throws -> SeedComparison? {
        section("7. KL warm-up and free bits")
        let outcomes = try train(.kl, lab)
        let values = points(.kl, lab.recipe).map(\.value)
        print("")
        for (value, runs) in zip(values, outcomes) {
            let t = runs[0].test
            print(String(format: "ablation sweep=kl value=%@ elbo=%.2f kl=%.2f active=%d kl90=%d", value, t.elbo.mean, t.kl, t.latent.activeUnits,
                         t.latent.dimensionsHolding(0.9)))
            print("  KL per dimension, largest first: "
                  + t.latent.klPerDimension.sorted(by: >).map { String(format: "%.2f", $0) }.joined(separator: " "))
        }
        let comparison = compare(.kl, outcomes, lab.recipe, title: "KL")
        try Pictures.klStrategies(names: values, runs: outcomes.map { $0[0] }, freeBits: freeBits, figures: figures)
        return comparison
    }

    // MARK: 8. Static against dynamic binarization
    //
    // The Bernoulli decoder models binary pixels, MNIST's are grey. Dynamic binarization (the
    // baseline) draws every pixel afresh, x_bin ~ Bernoulli(x), each time an image is served: an
    // epoch never shows the same binary image twice. Static binarization draws once, before
    // training (from the run's seed), and serves that one draw every epoch, as the fixed
    // "binarized MNIST" of the papers does (Larochelle and Murray 2011). A model can then learn the noise of its particular
    // draw, and it overfits: its ELBO on the images it trained on keeps improving while the test
    // ELBO stalls or worsens.
    //
    // Overfitting needs many passes over few images, so this sweep trains on 6,000 digits for 20
    // epochs (10 times the others' epochs, about the cost of two full epochs). Both runs are
    // measured on the same images: the static run's draw of its 6,000 training digits (the
    // dynamic run has seen other draws of the same digits), and the binarized test digits. The
    // gap between the two is the generalisation gap; the figure shows it after every epoch (on
    // the first 2,000 images of each set).
    func binarizationSweep(_ lab: Laboratory, figures: FigureWriter) throws {
        section("8. Static against dynamic binarization")
        let recipe = lab.recipe
        let points = points(.binarization, recipe)
        let outcomes = try recipe.seeds.map { seed in
            let configurations = points.map { $0.configuration(recipe.baseline(seed: seed)) }
            // Both runs are measured on the static run's draw of their training images.
            let draw = Trainer.servedImages(lab.train.prefix(recipe.binarizationImages), configurations.first { $0.binarization == .static }!)
            return try zip(points, configurations).map { point, configuration in
                try lab.outcome("binarization=\(point.value)", configuration, trainDraw: draw)
            }
        }
        print("\nbinarization  seed   train ELBO (the static draw)   test ELBO   gap (train − test)")
        for runs in outcomes {
            for (point, run) in zip(points, runs) {
                let train = run.trainDraw!.elbo.mean, test = run.test.elbo.mean
                print(String(format: "%@  %4llu   %26.2f   %9.2f   %18.2f", point.value.padding(toLength: 12, withPad: " ", startingAt: 0),
                             run.seed, train, test, train - test))
            }
        }
        print("")
        for (point, run) in zip(points, outcomes[0]) {
            print(String(format: "ablation sweep=binarization value=%@ train_elbo=%.2f test_elbo=%.2f", point.value,
                         run.trainDraw!.elbo.mean, run.test.elbo.mean))
        }
        try Pictures.binarization(runs: outcomes[0], curveImages: recipe.curveImages, figures: figures)
    }

    // MARK: 9. What is noise
    //
    // Every two-seed sweep's differences from its baseline, seed by seed, on one figure: a
    // difference whose two seeds fall on either side of zero, or whose mean is smaller than the
    // noise (the larger of the sweep's median spread and its own), is not shown to be a result of
    // the setting. The lines below name them.
    func noiseSummary(_ comparisons: [(SweepKind, SeedComparison)], figures: FigureWriter) throws {
        section("9. What is noise")
        guard !comparisons.isEmpty else {
            print("no two-seed sweep ran (--one-seed, or --sweeps without one): nothing to compare")
            return
        }
        for (sweep, comparison) in comparisons {
            let within = comparison.rows.filter { comparison.verdict($0) == "within the noise" }.map(\.value)
            let larger = comparison.rows.filter { comparison.verdict($0) == "larger than the noise" }.map(\.value)
            print(String(format: "%@ against %@ (noise %.2f nats; the reference itself moves %.2f with the seed): larger than the noise: %@; within it: %@",
                         sweep.rawValue, Self.reference(sweep), comparison.noise, comparison.referenceShift,
                         larger.isEmpty ? "none" : larger.joined(separator: ", "), within.isEmpty ? "none" : within.joined(separator: ", ")))
        }
        try Pictures.noise(comparisons.map { ($0.0.rawValue, $0.1) }, figures: figures)
    }
}

Chapter9.main()

// MARK: What you learned
//
// An ablation changes one choice of chapter 5's recipe and keeps everything else (the seed, the
// batches, the epochs), and a difference is only worth reading when it exceeds what another seed
// alone changes, so the cheap sweeps train every point twice and judge paired differences against
// that noise. The code size shows both failures at once: too few dimensions cannot hold a digit,
// while past what the data and the decoder can use the extra dimensions carry little and the KL
// stops growing, so the run's ELBO is best at a middling size. Among the networks, parameters,
// multiply-adds and seconds turn out to be three different costs, and the checkerboard index,
// computed through Parseval's theorem from the Nyquist row and column, says whether a decoder adds
// a period-2 pattern of its own. Each optimizer runs at the learning rate its own trial chose,
// because Adam and RMSprop move every weight by about η while SGD's step follows the gradient's
// scale; in these short runs Adam and AdamW come out ahead, and a schedule or a batch size is
// judged for the run length it plans for, not once and for all. KL warm-up and free bits change
// little when every dimension is already active, and static binarization, serving one draw every
// epoch, opens a wider gap between train and test ELBO than dynamic binarization does.

// MARK: Experiments
//
// 1. Longer runs. `swift run -c release ch09-ablations --epochs 10 --sweeps latent schedule --run runs/ablations-10 --figures /tmp/ch09-10`:
//    every run five times longer. Compare the latent sweep's ablation lines (elbo, nll, active)
//    and the schedule sweep's table with this run's: does the best code size move, do more
//    dimensions switch off, and does the order of the schedules change once the runs are long
//    enough for a decay to matter?
//    Answer: run `ch09-ablations --epochs 10 --sweeps latent schedule --run runs/ablations-10 --figures /tmp/ch09-10`, sections 2 and 5
// 2. Free bits that bind. `swift run -c release ch09-ablations --sweeps kl --free-bits 2 --figures /tmp/ch09-fb`:
//    λ = 2 nats per dimension is more than most dimensions carry. Compare the free-bits line's
//    kl and active with this run's, the sorted KL per dimension in ch09-kl-strategies.png, and
//    the ELBO's difference from "none" in the table.
//    Answer: run `ch09-ablations --sweeps kl --free-bits 2 --figures /tmp/ch09-fb`, section 7
// 3. One learning rate for all. `swift run -c release ch09-ablations --sweeps optimizer --sgd-rate 1e-3 --momentum-rate 1e-3 --adam-rate 1e-3 --adamw-rate 1e-3 --one-seed --figures /tmp/ch09-one-rate`:
//    every optimizer at η = 10⁻³ (RMSprop's trial rate already). Compare the optimizer lines'
//    elbo with this run's: how much of each optimizer's difference from Adam was its rate? (A
//    rate far above the trial's, such as --sgd-rate 3e-2, diverges: the run stops with the error
//    in words, and its checkpoint is kept as it was.)
//    Answer: run `ch09-ablations --sweeps optimizer --sgd-rate 1e-3 --momentum-rate 1e-3 --adam-rate 1e-3 --adamw-rate 1e-3 --one-seed --figures /tmp/ch09-one-rate`, section 4
// 4. One seed. `swift run -c release ch09-ablations --quick --one-seed --figures /tmp/ch09-one`:
//    without the second seed every table loses its verdicts, and section 9 has nothing to say.
//    Which of this run's "larger than the noise" differences would you have believed anyway?
//    Answer: run `ch09-ablations --quick --one-seed --figures /tmp/ch09-one`, sections 2 and 9
