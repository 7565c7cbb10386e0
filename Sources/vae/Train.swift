import ArgumentParser
import CourseSupport
import Explorer
import Foundation
import VAECore

/// `vae train`: trains the VAE on MNIST, checkpointing every epoch into `--output`.
///
///     swift run -c release vae train                       # the default: 30 epochs, ~10 minutes
///     swift run -c release vae train --latent 2 --beta 4 --kl-warmup-epochs 3 --output runs/beta4
///     swift run -c release vae train --subset 2048 --epochs 2 --channels 8,16     # a quick run
///     swift run -c release vae train --arch deep --likelihood gaussian --output runs/deep-gaussian
///     swift run -c release vae train --resume --epochs 60                          # continue, extended
///     swift run -c release vae train --optimizer sgd --momentum 0.9 --learning-rate 1e-4 --output runs/sgd
///     swift run -c release vae train --free-bits 0.5 --binarization static --schedule step --output runs/variants
///     swift run -c release vae train --importance-samples 5 --estimator dreg --output runs/iwae5
///     swift run -c release vae train --prior vamp --pseudo-inputs 500 --epochs 5 --output runs/bounds/vamp-5
///     swift run -c release vae train --pair image-label                            # chapter 11's runs
///     swift run -c release vae train --pair mnist-fashion --objective mvae --output runs/mvae-fashion
///
/// Per-epoch summaries (train terms, test terms on the fixed binarized test set, learning rate
/// and KL weight, time) go to standard output; the live progress line and notes to standard error.
/// Settings flags are optional so that `--resume` can tell which were given: a resumed run takes
/// its settings from the checkpoint, and only `--epochs` may change them.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the VAE on MNIST, checkpointing every epoch.",
        discussion: """
            The run is written to <output>/checkpoint.safetensors after every epoch (atomically); \
            --resume continues it bit-identically. The KL term is β·KL (optionally warmed up from 0), \
            or Burgess et al.'s γ·|KL − C| when --capacity-max is given. --importance-samples k > 1 \
            trains on the importance-weighted bound instead of the ELBO (β then weighs its prior ratio).
            """)

    // MARK: Model

    @Option(parsing: .unconditional, help: ArgumentHelp("Latent dimensions D (default 20).", valueName: "n"))
    var latent: Int?

    @Option(help: ArgumentHelp("Architecture preset: \(Architecture.presets.map(\.name).joined(separator: ", ")) (default reference).",
                               valueName: "name"))
    var arch: String?

    @Option(help: ArgumentHelp("Architecture from a JSON file: {\"encoder\": [layers], \"decoder\": [layers]}, as in a checkpoint's model_config.",
                               valueName: "spec.json"))
    var archFile: String?

    @Option(help: ArgumentHelp("A stack of stride-2 convolutions of these widths, comma-separated (the reference is 32,64).",
                               valueName: "widths"))
    var channels: String?

    @Option(help: ArgumentHelp("Likelihood p(x|z): \(Likelihood.commandLineHelp).",
                               valueName: "kind"))
    var likelihood: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("σ of --likelihood gaussian (default 0.1).", valueName: "σ"))
    var sigma: Double?

    @Flag(help: "Train a conditional VAE (CVAE): encoder and decoder also see the digit's one-hot label.")
    var conditional = false

    @Flag(help: "With --conditional: learn a centre per label in code space, so that z holds the style alone (chapter 7).")
    var labelCentres = false

    @Option(parsing: .unconditional, help: ArgumentHelp("An inverse autoregressive flow of n steps after the encoder's Gaussian (Kingma et al. 2016; default 0: none). Trains on the ELBO with a one-sample KL (β and KL warm-up apply), or with --importance-samples k > 1 on the importance-weighted bound (IWAE estimator); with --conditional too; not with --free-bits, --capacity-max or --estimator dreg.",
                               valueName: "n"))
    var flowSteps: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("With --flow-steps: hidden units of each step's MADE (default 320).", valueName: "H"))
    var flowHidden: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("With --flow-steps: features of the context h that every step sees (default 20).", valueName: "C"))
    var flowContext: Int?

    @Option(help: ArgumentHelp("The prior p(z): standard-normal (N(0, I); default) or vamp (Tomczak and Welling's VampPrior, a mixture of the encoder's posteriors at learned pseudo-inputs; trains on the ELBO with a one-sample KL (β and KL warm-up apply), or with --importance-samples k > 1 on the importance-weighted bound (IWAE estimator); not with --conditional, --free-bits, --capacity-max or --estimator dreg).",
                               valueName: "kind"))
    var prior: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("With --prior vamp: the number K of pseudo-inputs (default 500); each update encodes all of them beside the batch.",
                               valueName: "K"))
    var pseudoInputs: Int?

    // MARK: Objective

    @Option(parsing: .unconditional, help: ArgumentHelp("KL weight β (default 1: the ELBO).", valueName: "β"))
    var beta: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Raise β linearly from 0 over this many epochs (per update).", valueName: "epochs"))
    var klWarmupEpochs: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Use the capacity objective γ·|KL − C|, C rising to this many nats.", valueName: "nats"))
    var capacityMax: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("γ of the capacity objective (default 100).", valueName: "γ"))
    var capacityGamma: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Epochs over which C rises from 0 to --capacity-max (default: the whole run).",
                               valueName: "epochs"))
    var capacityEpochs: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Free bits: each latent dimension's KL, averaged over the batch, counts at least this many nats (default: none).",
                               valueName: "nats"))
    var freeBits: Double?

    @Option(help: ArgumentHelp("How the grey training images are binarized: dynamic (a fresh draw each time; default) or static (one draw for the whole run, from the seed).",
                               valueName: "kind"))
    var binarization: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Train on the importance-weighted bound with k samples per image (Burda et al. 2016; default 1: the ELBO). Each update decodes k·batch codes, about k times the decoder's work; a k whose codes would not fit in half the machine's memory is refused.",
                               valueName: "k"))
    var importanceSamples: Int?

    @Option(help: ArgumentHelp("The encoder's gradient of the importance-weighted bound: iwae (the bound's own; default) or dreg (doubly reparameterised, Tucker et al. 2019: lower variance as k grows).",
                               valueName: "kind"))
    var estimator: String?

    // MARK: Optimisation

    @Option(parsing: .unconditional, help: ArgumentHelp("Passes over the training set (default 30). With --resume: the new total.", valueName: "n"))
    var epochs: Int?

    @Option(help: ArgumentHelp("Optimizer: \(OptimizerSettings.names.joined(separator: ", ")) (default adam), with PyTorch's settings unless changed below.",
                               valueName: "name"))
    var optimizer: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Momentum of --optimizer sgd or rmsprop (default 0).", valueName: "μ"))
    var momentum: Double?

    @Flag(help: "Nesterov momentum, with --optimizer sgd and a --momentum.")
    var nesterov = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Weight decay λ: L2 for sgd, adam and rmsprop (default 0), decoupled for adamw (default 0.01).",
                               valueName: "λ"))
    var weightDecay: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Smoothing constant α of --optimizer rmsprop (default 0.99).", valueName: "α"))
    var rmspropAlpha: Double?

    @Flag(help: "Centred RMSprop (divides by the gradient's running standard deviation), with --optimizer rmsprop.")
    var centered = false

    @Option(parsing: .unconditional, help: ArgumentHelp("The optimizer's peak learning rate (default 0.001).", valueName: "η"))
    var learningRate: Double?

    @Option(help: ArgumentHelp("Learning-rate schedule: constant, cosine (to η/10 at the end; default), step (η, η/√10, η/10 over three thirds of the run) or warmup-cosine (1 epoch of warm-up).",
                               valueName: "kind"))
    var schedule: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("With --schedule step: epochs between two decays (default: a third of the run).", valueName: "epochs"))
    var lrStepEpochs: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("With --schedule step: the factor of each decay (default √0.1 ≈ 0.316).", valueName: "γ"))
    var lrStepFactor: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Images per update (default 128).", valueName: "n"))
    var batchSize: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Seed of every random draw (default 1).", valueName: "n"))
    var seed: UInt64?

    @Option(parsing: .unconditional, help: ArgumentHelp("Train on the first n training images only, and test on at most the first n test images: quick runs.",
                               valueName: "n"))
    var subset: Int?

    // MARK: Multimodal (chapter 11)

    @Option(help: ArgumentHelp("Train chapter 11's multimodal VAE on pairs instead: image-label (a digit and its label) or mnist-fashion (a digit and a Fashion-MNIST item of its class). Reads --latent, --epochs, --beta, --learning-rate, --batch-size, --seed, --subset and the options below; the default folder is runs/multimodal/PAIR, the chapter's.",
                               valueName: "pair"))
    var pair: MultimodalPair?

    @Option(help: ArgumentHelp("With --pair: mvae (the sub-sampled ELBO) or mopoe (every subset reconstructs every modality); default mopoe.",
                               valueName: "kind"))
    var objective: MultimodalObjective?

    @Option(parsing: .unconditional, help: ArgumentHelp("With --pair image-label: the weight λ of the label's reconstruction (default 50).", valueName: "λ"))
    var labelWeight: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("With --pair mnist-fashion: random digit ↔ item pairings of the training set (default 5).", valueName: "n"))
    var pairings: Int?

    @Option(name: .customLong("private"), parsing: .unconditional,
            help: ArgumentHelp("With --pair: the size of each image's private code beside the shared one (default \(MultimodalPair.imageLabel.defaultPrivateDimensions): none).", valueName: "P"))
    var privateDimensions: Int?

    @Option(name: .customLong("alignment"), parsing: .unconditional,
            help: ArgumentHelp("With --pair: the weight α of JMVAE's alignment term KL(q(z|all) ‖ q(z|one)) (default \(MultimodalPair.imageLabel.defaultAlignmentWeight): none).", valueName: "α"))
    var alignmentWeight: Double?

    // MARK: Files

    @Option(help: ArgumentHelp("Folder of MNIST's IDX files (default: the copy bundled with the package).",
                               valueName: "dir"))
    var data: String?

    @Option(help: ArgumentHelp("Folder of the run's checkpoint (default: runs/vae in the package).", valueName: "dir"))
    var output: String?

    @Flag(help: "Continue the run saved in --output from its checkpoint.")
    var resume = false

    @Flag(help: "Start afresh even if --output already holds a checkpoint (it is replaced after the first epoch).")
    var overwrite = false

    @Flag(help: "Reuse the run in --output when it was trained with exactly these settings on this data (the same fingerprint): print its recorded epochs and train nothing, or resume it when unfinished. Another run there is set aside beside it (checkpoint-<fingerprint>.safetensors, never deleted) and this one trains. What the chapters do with their runs; the exercises' answers use it.")
    var reuse = false

    // MARK: Watching

    @Flag(help: "Serve a live view of the training at http://127.0.0.1:PORT/ (loss per step, samples per epoch); it stays up after training until Ctrl-C.")
    var live = false

    @OptionGroup var server: ServerOptions

    // MARK: Checking

    /// The settings flags that were given, by flag name: a resumed run refuses them.
    var givenSettings: [String] {
        var names: [String] = []
        if latent != nil { names.append("--latent") }
        if channels != nil { names.append("--channels") }
        if arch != nil { names.append("--arch") }
        if archFile != nil { names.append("--arch-file") }
        if likelihood != nil { names.append("--likelihood") }
        if sigma != nil { names.append("--sigma") }
        if conditional { names.append("--conditional") }
        if labelCentres { names.append("--label-centres") }
        if flowSteps != nil { names.append("--flow-steps") }
        if flowHidden != nil { names.append("--flow-hidden") }
        if flowContext != nil { names.append("--flow-context") }
        if prior != nil { names.append("--prior") }
        if pseudoInputs != nil { names.append("--pseudo-inputs") }
        if beta != nil { names.append("--beta") }
        if klWarmupEpochs != nil { names.append("--kl-warmup-epochs") }
        if capacityMax != nil { names.append("--capacity-max") }
        if capacityGamma != nil { names.append("--capacity-gamma") }
        if capacityEpochs != nil { names.append("--capacity-epochs") }
        if freeBits != nil { names.append("--free-bits") }
        if binarization != nil { names.append("--binarization") }
        if importanceSamples != nil { names.append("--importance-samples") }
        if estimator != nil { names.append("--estimator") }
        if optimizer != nil { names.append("--optimizer") }
        if momentum != nil { names.append("--momentum") }
        if nesterov { names.append("--nesterov") }
        if weightDecay != nil { names.append("--weight-decay") }
        if rmspropAlpha != nil { names.append("--rmsprop-alpha") }
        if centered { names.append("--centered") }
        if learningRate != nil { names.append("--learning-rate") }
        if schedule != nil { names.append("--schedule") }
        if lrStepEpochs != nil { names.append("--lr-step-epochs") }
        if lrStepFactor != nil { names.append("--lr-step-factor") }
        if batchSize != nil { names.append("--batch-size") }
        if seed != nil { names.append("--seed") }
        if subset != nil { names.append("--subset") }
        return names
    }

    var checkpointURL: URL {
        (output.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? CoursePaths.root.appendingPathComponent(pair.map { "runs/multimodal/\($0.rawValue)" } ?? "runs/vae", isDirectory: true))
            .appendingPathComponent("checkpoint.safetensors")
    }

    func validate() throws {
        try server.check()
        if output?.isEmpty == true { throw ValidationError("--output needs a folder, not an empty path") }
        if data?.isEmpty == true { throw ValidationError("--data needs a folder, not an empty path") }
        if pair != nil {
            if reuse { throw ValidationError("--reuse is written for a VAE's run, not a multimodal one (--pair)") }
            _ = try multimodalConfiguration()
            return
        }
        guard objective == nil, labelWeight == nil, pairings == nil, privateDimensions == nil, alignmentWeight == nil else {
            throw ValidationError("--objective, --label-weight, --pairings, --private and --alignment are settings of a multimodal VAE: give --pair")
        }
        if reuse, resume || overwrite {
            throw ValidationError("--reuse decides by itself whether to resume or start afresh: give it without --resume and --overwrite")
        }
        if resume {
            let given = givenSettings
            guard given.isEmpty else {
                throw ValidationError("\(given.joined(separator: ", ")) cannot change a resumed run: its settings come from its checkpoint (only --epochs may extend it)")
            }
            guard !overwrite else { throw ValidationError("--resume and --overwrite contradict each other") }
            if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, not \(epochs)") }
        } else {
            _ = try trainingConfiguration()
        }
    }

    /// The run's settings from the flags, checked.
    func trainingConfiguration() throws -> TrainingConfiguration {
        var config = TrainingConfiguration()
        var model = VAEConfiguration()
        if let latent { model.latentDimensions = latent }
        guard [arch != nil, archFile != nil, channels != nil].filter({ $0 }).count <= 1 else {
            throw ValidationError("--arch, --arch-file and --channels each choose the architecture: give one of them")
        }
        if let arch {
            do { model.architecture = try Architecture.preset(named: arch) } catch { throw ValidationError("--arch: \(error)") }
        }
        if let archFile {
            let url = URL(fileURLWithPath: archFile)
            let data: Data
            do { data = try Data(contentsOf: url) } catch {
                throw ValidationError("cannot read --arch-file \(url.path): \(error.localizedDescription)")
            }
            do { model.architecture = try JSONDecoder().decode(Architecture.self, from: data) } catch {
                throw ValidationError("--arch-file \(url.path) is not an architecture ({\"encoder\": [...], \"decoder\": [...]}): \(decodingExplanation(error))")
            }
        }
        if let channels {
            let parts = channels.split(separator: ",", omittingEmptySubsequences: false)
                .map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, parts.count <= 4, parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw ValidationError("--channels takes one to four positive widths separated by commas, such as 32,64; not '\(channels)'")
            }
            model.architecture = .convolutional(channels: parts.map { $0! })
        }
        if let likelihood {
            do {
                model.likelihood = try Likelihood.named(likelihood, sigma: sigma)
                try model.likelihood.validate()
            } catch { throw ValidationError("--likelihood \(likelihood): \(error)") }
        } else if sigma != nil {
            throw ValidationError("--sigma needs --likelihood gaussian")
        }
        if conditional { model.classCount = MNIST.classCount }
        if labelCentres {
            guard conditional else { throw ValidationError("--label-centres needs --conditional") }
            model.labelCentres = true
        }
        model.flow = try flowConfiguration()
        if let prior {
            do { model.prior = try PriorConfiguration.named(prior, pseudoInputs: pseudoInputs) } catch { throw ValidationError("--prior: \(error)") }
        } else if pseudoInputs != nil {
            throw ValidationError("--pseudo-inputs needs --prior vamp")
        }
        config.model = model
        if let epochs { config.epochs = epochs }
        if let learningRate { config.learningRate = learningRate }
        if let schedule {
            guard let kind = LearningRateScheduleKind(rawValue: schedule) else {
                throw ValidationError("--schedule must be one of \(LearningRateScheduleKind.allCases.map(\.rawValue).joined(separator: ", ")); not '\(schedule)'")
            }
            config.schedule = kind
        }
        if lrStepEpochs != nil || lrStepFactor != nil, config.schedule != .step {
            throw ValidationError("--lr-step-epochs and --lr-step-factor need --schedule step")
        }
        config.learningRateStepEpochs = lrStepEpochs
        config.learningRateStepFactor = lrStepFactor
        config.optimizer = try optimizerSettings()
        config.freeBits = freeBits
        if let binarization {
            guard let mode = BinarizationMode(rawValue: binarization) else {
                throw ValidationError("--binarization must be dynamic or static, not '\(binarization)'")
            }
            config.binarization = mode
        }
        if let importanceSamples {
            guard importanceSamples >= 1 else {
                throw ValidationError("--importance-samples must be at least 1 (1 is the ELBO), not \(importanceSamples)")
            }
            config.importanceSamples = importanceSamples
        }
        if let estimator {
            guard let kind = ImportanceWeightedEstimator(rawValue: estimator) else {
                throw ValidationError("--estimator must be one of \(ImportanceWeightedEstimator.allCases.map(\.rawValue).joined(separator: ", ")); not '\(estimator)'")
            }
            config.importanceEstimator = kind
        }
        if let batchSize { config.batchSize = batchSize }
        if let seed { config.seed = seed }
        if let subset { config.subset = subset }

        if let capacityMax {
            guard beta == nil, klWarmupEpochs == nil else {
                throw ValidationError("--capacity-max selects the capacity objective γ·|KL − C|; it cannot be combined with --beta or --kl-warmup-epochs")
            }
            config.kl = .capacity(gamma: capacityGamma ?? 100, maximum: capacityMax,
                                  epochs: capacityEpochs ?? Double(config.epochs))
        } else {
            guard capacityGamma == nil, capacityEpochs == nil else {
                throw ValidationError("--capacity-gamma and --capacity-epochs need --capacity-max")
            }
            let target = beta ?? 1
            config.kl = klWarmupEpochs.map { .warmup(beta: target, epochs: $0) } ?? .constant(beta: target)
        }
        do { try config.validate() } catch let error as TrainingConfigurationError {
            throw ValidationError(error.description)
        }
        return config
    }

    /// The flow from --flow-steps, --flow-hidden and --flow-context: nil for 0 steps (the default),
    /// refusing the width flags without steps.
    func flowConfiguration() throws -> FlowConfiguration? {
        let steps = flowSteps ?? 0
        guard steps >= 0 else { throw ValidationError("--flow-steps must be 0 (no flow) or more, not \(steps)") }
        guard steps > 0 else {
            guard flowHidden == nil, flowContext == nil else {
                throw ValidationError("--flow-hidden and --flow-context shape the flow of --flow-steps n (n ≥ 1), which was not given")
            }
            return nil
        }
        let defaults = FlowConfiguration()
        let flow = FlowConfiguration(steps: steps, hiddenUnits: flowHidden ?? defaults.hiddenUnits,
                                     contextFeatures: flowContext ?? defaults.contextFeatures)
        do { try flow.validate() } catch { throw ValidationError("--flow-steps: \(error)") }
        return flow
    }

    /// The optimizer from --optimizer and its settings' flags, refusing a flag the optimizer does not read.
    func optimizerSettings() throws -> OptimizerSettings {
        let name = optimizer ?? "adam"
        func refuse(_ flag: String, _ readers: String) -> ValidationError {
            ValidationError("\(flag) is a setting of --optimizer \(readers), not of \(name)")
        }
        if momentum != nil, !["sgd", "rmsprop"].contains(name) { throw refuse("--momentum", "sgd or rmsprop") }
        if nesterov, name != "sgd" { throw refuse("--nesterov", "sgd") }
        if rmspropAlpha != nil, name != "rmsprop" { throw refuse("--rmsprop-alpha", "rmsprop") }
        if centered, name != "rmsprop" { throw refuse("--centered", "rmsprop") }
        switch name {
        case "sgd": return .sgd(momentum: momentum ?? 0, nesterov: nesterov, weightDecay: weightDecay ?? 0)
        case "adam": return .adam(weightDecay: weightDecay ?? 0)
        case "adamw": return .adamW(weightDecay: weightDecay ?? 0.01)
        case "rmsprop": return .rmsprop(alpha: rmspropAlpha ?? 0.99, momentum: momentum ?? 0, centered: centered, weightDecay: weightDecay ?? 0)
        default:
            throw ValidationError("--optimizer must be one of \(OptimizerSettings.names.joined(separator: ", ")); not '\(name)'")
        }
    }

    // MARK: Running

    func run() throws {
        if let pair { return try trainMultimodal(pair) }
        let dataDirectory = data.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? MNIST.bundledDirectory
        let checkpoint = checkpointURL
        // Before any data is loaded: the folder must be writable and this process its only writer
        // (with --reuse, the trainer takes the folder's lock itself).
        let lock = reuse ? nil : try RunLock(checkpoint.deletingLastPathComponent())
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: checkpoint.path, isDirectory: &isFolder), isFolder.boolValue {
            throw ValidationError("\(checkpoint.path) is a folder; the checkpoint must be a file there")
        }
        let exists = FileManager.default.fileExists(atPath: checkpoint.path)
        if resume && !exists {
            throw ValidationError("there is no checkpoint to resume at \(checkpoint.path); run without --resume to start")
        }
        if !resume && !reuse && exists && !overwrite {
            throw ValidationError("\(checkpoint.path) already holds a run: --resume continues it, --overwrite replaces it, or choose another --output")
        }

        let loadStart = Date()
        let train = try MNIST.load(split: .train, from: dataDirectory)
        let greyTest = try MNIST.load(split: .test, from: dataDirectory)
        log(String(format: "loaded MNIST from %@ (%d train, %d test images) in %.2f s",
                   dataDirectory.path, train.count, greyTest.count, Date().timeIntervalSince(loadStart)))
        // The test set is first used after an epoch: it must be usable before training starts.
        guard greyTest.count >= 1 else { throw ValidationError("the test set in \(dataDirectory.path) holds no images") }
        guard (greyTest.height, greyTest.width) == (train.height, train.width) else {
            throw ValidationError("the test images in \(dataDirectory.path) are \(greyTest.height)×\(greyTest.width) pixels, "
                                  + "the training images \(train.height)×\(train.width): a model cannot be tested on both")
        }

        let trainer: Trainer
        if reuse {
            trainer = try ChapterOptions.trainer(for: trainingConfiguration(), in: checkpoint.deletingLastPathComponent(),
                                                 trainingSet: train, retrain: false)
            if trainer.isFinished {
                log("checkpoint: \(checkpoint.path)")
                return
            }
        } else if resume {
            trainer = try Trainer(resumingFrom: checkpoint, trainingSet: train, epochs: epochs)
            log("resuming \(checkpoint.path) after epoch \(trainer.epoch) (update \(trainer.step))")
            if let saved = trainer.dataDigest, saved != trainer.trainingSet.contentDigest {
                log("warning: \(checkpoint.path) was trained on other data than \(dataDirectory.path) holds "
                    + "(SHA-256 \(saved.prefix(12))… against \(trainer.trainingSet.contentDigest.prefix(12))…); it continues on the new data, "
                    + "and the run loses its fingerprint (no chapter will take it for a run of either data set)")
                trainer.dataDigest = nil
            }
            if trainer.epoch >= trainer.configuration.epochs {
                log("the run has already done all \(trainer.configuration.epochs) of its epochs; pass a larger --epochs to extend it")
                return
            }
        } else {
            trainer = try Trainer(configuration: trainingConfiguration(), trainingSet: train)
            // The data's digest makes the run's fingerprint: a chapter asking for the same run reuses it.
            trainer.dataDigest = trainer.trainingSet.contentDigest
        }
        let config = trainer.configuration
        log(describe(config, trainer))
        let test = config.model.likelihood.evaluationSet(greyTest)
        // A quick run on a subset is tested on as many images at most, so the test pass stays
        // small beside the epoch; a full run on all 10,000.
        let testSet = config.subset.map { test.prefix($0) } ?? test

        trainer.showsProgress = true
        trainer.evaluation = { model in try testTerms(model: model, dataset: testSet, batchSize: 500, seed: 1) }
        trainer.epochEnded = { _, summary in
            var line = summary.line(of: config.epochs)
            if summary.evaluationSeconds > 0 { line += String(format: " (+%.1f s test)", summary.evaluationSeconds) }
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        let board = live ? try startLiveView(trainer, test: test, folder: checkpoint.deletingLastPathComponent()) : nil
        do {
            try trainer.train(checkpoint: checkpoint)
        } catch let error as TrainingError {
            log("error: \(error)")
            if FileManager.default.fileExists(atPath: checkpoint.path) {
                log("the last good checkpoint is \(checkpoint.path) (epoch \(trainer.history.epochs.last?.epoch ?? 0) or earlier)")
            }
            board?.finish("failed: \(error)")
            if board != nil { lingerForTheLiveView() }
            throw ExitCode.failure
        }
        log("checkpoint: \(checkpoint.path)")
        withExtendedLifetime(lock) {}
        if let board {
            board.finish("finished")
            lingerForTheLiveView()
        }
    }

    /// Starts the live view's server and connects the trainer to its board (`LiveRecorder`): the
    /// numbers of every update, and after every epoch samples of fixed codes, reconstructions
    /// and the KL per dimension. Fails before training when the port is taken.
    private func startLiveView(_ trainer: Trainer, test: MNIST, folder: URL) throws -> LiveBoard {
        let board = LiveBoard()
        let c = trainer.configuration
        board.start(LiveBoard.Run(title: folder.lastPathComponent, summary: c.model.summary, epochs: c.epochs,
                                  stepsPerEpoch: trainer.stepsPerEpoch, batchSize: c.batchSize,
                                  latentDimensions: c.model.latentDimensions, objective: describe(c.kl)))
        let recorder = LiveRecorder(board: board, configuration: c.model, test: test)
        try recorder.attach(to: trainer)
        let recorded = trainer.epochEnded
        trainer.epochEnded = { trainer, summary in
            try recorded?(trainer, summary)
            log(String(format: "  (live view: %.3f s for this epoch's pictures and KL per dimension)", recorder.lastRecordSeconds))
        }
        let routes = LiveRoutes(board: board, assets: try WebAssets())
        let (host, hosts) = (server.host, server.allowedHosts)
        try WebServer.serveForever(host: host, port: UInt16(server.port), allowedHosts: hosts,
                                   stream: LiveStream(board: board), respond: routes.respond) { url in
            log("live view: \(url.absoluteString)")
            for line in ServerOptions.warnings(host: host, allowedHosts: hosts, url: url) { log(line) }
        }
        return board
    }

    /// Keeps the process (and the live view) up after training, until it is interrupted.
    private func lingerForTheLiveView() -> Never {
        log("the live view stays up to look back through the epochs; Ctrl-C stops it")
        while true { sleep(3600) }
    }

    /// A summary of the run's settings for the log.
    private func describe(_ c: TrainingConfiguration, _ trainer: Trainer) -> String {
        let parameters = trainer.model.parameterCount
        let kl = describe(c.kl)
        return """
            model: \(c.model.summary), \(parameters) parameters, \(String(format: "%.1f", Double(trainer.model.forwardMultiplyAdds) * 6e-6)) MFLOP per image for a training step
            training: \(c.epochs) epoch\(c.epochs == 1 ? "" : "s") of \(trainer.stepsPerEpoch) updates (batch \(c.batchSize), \(trainer.trainingSet.count) images), \
            \(c.optimizer.summary) η = \(c.learningRate) (\(c.schedule.rawValue)), \(kl)\(c.freeBits.map { ", free bits \($0) nats per dimension" } ?? ""), \
            \(c.usesImportanceWeighting ? TrainingRun.importanceSummary(c) + ", " : "")\
            \(c.model.likelihood.binarizesData ? "\(c.binarization.rawValue) binarization, " : "")seed \(c.seed)
            """
    }

    /// The KL term in words: "β = 1", "β from 0 to 1 over 2 epochs", "γ·|KL − C|, …".
    private func describe(_ schedule: KLSchedule) -> String {
        switch schedule {
        case .constant(let beta): "β = \(beta)"
        case .warmup(let beta, let epochs): "β from 0 to \(beta) over \(epochs) epochs"
        case .capacity(let gamma, let maximum, let epochs): "γ·|KL − C|, γ = \(gamma), C from 0 to \(maximum) nats over \(epochs) epochs"
        }
    }
}
