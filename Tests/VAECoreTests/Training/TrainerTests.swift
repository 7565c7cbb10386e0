import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// The training loop: exact resume from a checkpoint, the checkpoint's layout, divergence
/// handling, schedules, configuration checks and the test-set terms. Models are tiny (a few
/// thousand parameters, 512 images) so that the suite takes seconds.
@Suite struct TrainerTests {
    /// MNIST's test split, loaded once: the source of the small training sets below.
    static let mnist = Result { try MNIST.load(split: .test) }

    /// A tiny run: latent 4, channels [4, 8], 512 images in batches of 64 (8 updates per epoch).
    static func tiny(epochs: Int = 2, classes: Int = 0, kl: KLSchedule = .warmup(beta: 1, epochs: 1.5),
                     schedule: LearningRateScheduleKind = .cosine) -> TrainingConfiguration {
        TrainingConfiguration(model: VAEConfiguration(latentDimensions: 4, channels: [4, 8], classCount: classes),
                              epochs: epochs, batchSize: 64, learningRate: 3e-3, schedule: schedule,
                              learningRateWarmupEpochs: 0.5, kl: kl, seed: 7, subset: 512, historyInterval: 3)
    }

    /// 200 fixed binary images that are not in the training subset.
    static func heldOut() throws -> MNIST {
        let all = try mnist.get()
        return MNIST(images: Tensor(shape: [200, 1, 28, 28], scalars: Array(all.images.scalars[(9800 * 784)...])),
                     labels: Array(all.labels[9800...])).binarized(seed: EvaluationDefaults.binarizationSeed)
    }

    static func withFolder<R>(_ body: (URL) throws -> R) throws -> R {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vae-trainer-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try body(folder)
    }

    /// Every value's bit pattern, so NaNs and signed zeros compare exactly.
    static func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

    /// Expects two trainers to hold bit-identical models, optimizers, generators and histories.
    static func expectIdentical(_ a: Trainer, _ b: Trainer) {
        for (p, q) in zip(a.model.parameters + a.model.buffers, b.model.parameters + b.model.buffers) {
            #expect(p.name == q.name)
            let differing = zip(bits(p.value.scalars), bits(q.value.scalars)).filter { $0 != $1 }.count
            #expect(differing == 0, "\(p.name) differs in \(differing) of \(p.value.count) values")
        }
        let sa = a.optimizer.state(), sb = b.optimizer.state()
        #expect(sa.kind == sb.kind && a.optimizer.bufferNames == b.optimizer.bufferNames)
        #expect(sa.stepCount == sb.stepCount && sa.learningRate.bitPattern == sb.learningRate.bitPattern)
        for name in sa.parameterNames {
            for buffer in a.optimizer.bufferNames {
                let same = bits(sa.buffers[name]![buffer]!) == bits(sb.buffers[name]![buffer]!)
                #expect(same, "\(buffer) of \(name) differs")
            }
        }
        #expect(a.history == b.history)
        #expect(a.step == b.step && a.epoch == b.epoch)
        #expect(a.noise.state == b.noise.state)
        #expect(a.batches.state == b.batches.state)
    }

    // MARK: Resume

    /// The configurations the resume test covers: KL warm-up with the cosine schedule (Adam), a
    /// conditional model with the capacity objective and warm-up + cosine, and each other
    /// optimizer with one of the other settings: SGD with Nesterov momentum and the step schedule,
    /// plain SGD with free bits, centred RMSprop with momentum, free bits and the step schedule,
    /// and AdamW with static binarization; the importance-weighted bound with k = 3 (IWAE's
    /// gradient, KL warm-up of its prior ratio) and with k = 2 and DReG's gradient; a model with a
    /// 2-step IAF posterior (KL warm-up of its one-sample KL).
    static func resumeVariant(_ variant: Int) -> TrainingConfiguration {
        var config = tiny()
        switch variant {
        case 1: config = tiny(classes: 10, kl: .capacity(gamma: 5, maximum: 8, epochs: 1.25), schedule: .warmupCosine)
        case 2:
            config.optimizer = .sgd(momentum: 0.9, nesterov: true, weightDecay: 1e-4)
            config.learningRate = 1e-4
            config.schedule = .step
        case 3:
            config.optimizer = .sgd()
            config.learningRate = 1e-4
            config.freeBits = 0.25
        case 4:
            config.optimizer = .rmsprop(momentum: 0.5, centered: true)
            config.learningRate = 5e-4
            config.schedule = .step
            config.learningRateStepEpochs = 0.75
            config.learningRateStepFactor = 0.5
            config.freeBits = 0.1
        case 5:
            config.optimizer = .adamW(weightDecay: 0.05)
            config.binarization = .static
        case 6:
            config.importanceSamples = 3
        case 7:
            config.importanceSamples = 2
            config.importanceEstimator = .dreg
            config.kl = .constant(beta: 1)
        case 8:
            config.model.flow = FlowConfiguration(steps: 2, hiddenUnits: 16, contextFeatures: 4)
        default: break
        }
        return config
    }

    /// Two epochs in one go versus one epoch, a checkpoint, a trainer built from the file alone,
    /// and the second epoch: everything must be bit-identical (`resumeVariant` lists the settings).
    @Test(arguments: 0..<9)
    func resumeIsBitIdentical(_ variant: Int) throws {
        let data = try Self.mnist.get()
        let test = try Self.heldOut()
        let config = Self.resumeVariant(variant)
        let evaluate: (VAE) throws -> ELBOTerms = { try testTerms(model: $0, dataset: test, batchSize: 64, seed: 3) }

        let straight = try Trainer(configuration: config, trainingSet: data)
        straight.evaluation = evaluate
        var afterFirst: [[Float]] = []
        straight.epochEnded = { trainer, _ in
            if trainer.epoch == 1 { afterFirst = trainer.model.parameters.map(\.value.scalars) }
        }
        try straight.train()
        #expect(straight.epoch == 2 && straight.step == 16 && straight.history.epochs.count == 2)
        #expect(afterFirst != straight.model.parameters.map(\.value.scalars), "the second epoch must change the weights")

        try Self.withFolder { folder in
            let url = folder.appendingPathComponent("checkpoint.safetensors")
            let first = try Trainer(configuration: config, trainingSet: data)
            first.evaluation = evaluate
            try first.trainEpoch()
            try first.save(to: url)
            let resumed = try Trainer(resumingFrom: url, trainingSet: data)
            resumed.evaluation = evaluate
            #expect(resumed.epoch == 1 && resumed.step == 8 && resumed.configuration == config)
            Self.expectIdentical(first, resumed)
            try resumed.train(checkpoint: url)
            Self.expectIdentical(straight, resumed)
            // The checkpoint written at the end holds the final state too, byte for byte the
            // file the uninterrupted run writes.
            let reloaded = try Trainer(resumingFrom: url, trainingSet: data)
            Self.expectIdentical(straight, reloaded)
            // Each run keeps its own epochs' timings, the one record that differs between them:
            // the straight run takes the resumed one's before the files are compared.
            #expect(straight.epochSeconds.count == 2 && reloaded.epochSeconds.count == 2)
            #expect(straight.epochSeconds.allSatisfy { $0 > 0 } && reloaded.epochSeconds.allSatisfy { $0 > 0 })
            straight.records[Trainer.epochSecondsRecord] = reloaded.records[Trainer.epochSecondsRecord]
            let straightURL = folder.appendingPathComponent("straight.safetensors")
            try straight.save(to: straightURL)
            let same = try Data(contentsOf: straightURL) == Data(contentsOf: url)
            #expect(same, "the two runs' checkpoints should be identical files")
        }
        // The history is complete and sensible.
        let h = straight.history
        #expect(h.epochs.map(\.epoch) == [1, 2] && h.epochs.map(\.step) == [8, 16])
        #expect(h.steps.map(\.step) == [0, 3, 6, 9, 12, 15])
        #expect(h.epochs.allSatisfy { $0.test != nil && $0.train.reconstruction > 0 && $0.train.kl >= 0 })
        #expect(h.epochs[1].train.objective < h.epochs[0].train.objective, "a second epoch should lower the loss")
    }

    @Test func resumeRefusesAnotherDataSet() throws {
        let data = try Self.mnist.get()
        try Self.withFolder { folder in
            let url = folder.appendingPathComponent("c.safetensors")
            let trainer = try Trainer(configuration: Self.tiny(epochs: 1), trainingSet: data)
            try trainer.train(checkpoint: url)
            #expect(throws: TrainingConfigurationError.self) { try Trainer(resumingFrom: url, trainingSet: data.prefix(100)) }
            #expect(throws: TrainingConfigurationError.self) { try Trainer(resumingFrom: url, trainingSet: data, epochs: 0) }
            let extended = try Trainer(resumingFrom: url, trainingSet: data, epochs: 2)
            try extended.train()
            #expect(extended.epoch == 2 && extended.configuration.epochs == 2)
        }
    }

    // MARK: Checkpoint layout

    @Test func checkpointHoldsModelOptimizerAndMetadata() throws {
        let data = try Self.mnist.get()
        try Self.withFolder { folder in
            let url = folder.appendingPathComponent("checkpoint.safetensors")
            let trainer = try Trainer(configuration: Self.tiny(epochs: 1), trainingSet: data)
            try trainer.train(checkpoint: url)
            let file = try SafeTensors.read(from: url)
            let names = Set(file.entries.map(\.name))
            let model = trainer.model
            #expect(names.isSuperset(of: (model.parameters + model.buffers).map(\.name)))
            for p in model.parameters {
                #expect(file["optimizer.exp_avg.\(p.name)"]?.shape == p.value.shape)
                #expect(file["optimizer.exp_avg_sq.\(p.name)"]?.shape == p.value.shape)
            }
            // The weights, Adam's two moments of each, the buffers, and the trainer's one record of
            // the epochs' training seconds (one epoch: one positive number).
            #expect(names.count == model.parameters.count * 3 + model.buffers.count + 1)
            let seconds = try #require(file[Checkpoint.recordPrefix + Trainer.epochSecondsRecord])
            #expect(seconds.shape == [1] && seconds.scalars[0] > 0)
            #expect(!names.contains { $0.hasPrefix("optimizer.momentum_buffer.") || $0.hasPrefix("optimizer.square_avg.") })
            #expect(file.entries.first { $0.name.hasSuffix("num_batches_tracked") }?.dtype == .int64)
            #expect(Set(file.metadata.keys) == ["format", "format_version", "model_config", "training_config", "trainer_state"])
            #expect(file.metadata["format_version"] == "1" && file.metadata["format"] == "vae-course-checkpoint")

            let loaded = try Checkpoint.loadModel(from: url)
            #expect(!loaded.isTraining && loaded.configuration == trainer.configuration.model)
            for (p, q) in zip(loaded.parameters + loaded.buffers, model.parameters + model.buffers) {
                #expect(Self.bits(p.value.scalars) == Self.bits(q.value.scalars), "\(p.name)")
            }
            let checkpoint = try Checkpoint.read(from: url)
            #expect(checkpoint.training == trainer.configuration && checkpoint.state?.history == trainer.history)

            // A model-only file loads for evaluation but cannot be resumed.
            var modelOnly = file
            modelOnly.entries.removeAll { $0.name.hasPrefix("optimizer.") }
            modelOnly.metadata = modelOnly.metadata.filter { ["format", "format_version", "model_config"].contains($0.key) }
            let modelURL = folder.appendingPathComponent("model.safetensors")
            try modelOnly.write(to: modelURL)
            #expect(try Checkpoint.loadModel(from: modelURL).configuration == trainer.configuration.model)
            #expect(throws: CheckpointError.self) { try Trainer(resumingFrom: modelURL, trainingSet: data) }

            // Another format version, or no metadata, is refused with a clear error.
            var future = file
            future.metadata["format_version"] = "2"
            #expect(throws: CheckpointError.badMetadata("\(url.path) has format version 2; this program reads version 1")) {
                try Checkpoint(future, name: url.path)
            }
            #expect(throws: CheckpointError.self) { try Checkpoint(SafeTensors(entries: file.entries)) }
        }
    }

    /// Each optimizer saves exactly its own buffers, one tensor per parameter, and the file
    /// names its kind: plain SGD none, SGD with momentum one, RMSprop with momentum and centring three.
    @Test func checkpointHoldsEachOptimizersBuffers() throws {
        let data = try Self.mnist.get()
        let cases: [(OptimizerSettings, String, [String])] = [
            (.sgd(), "SGD", []), (.sgd(momentum: 0.9), "SGD", ["momentum_buffer"]), (.adamW(), "AdamW", ["exp_avg", "exp_avg_sq"]),
            (.rmsprop(), "RMSprop", ["square_avg"]), (.rmsprop(momentum: 0.9, centered: true), "RMSprop", ["square_avg", "momentum_buffer", "grad_avg"]),
        ]
        try Self.withFolder { folder in
            for (settings, kind, buffers) in cases {
                var config = Self.tiny(epochs: 1)
                config.optimizer = settings
                config.learningRate = 1e-4
                let url = folder.appendingPathComponent("\(kind)-\(buffers.count).safetensors")
                let trainer = try Trainer(configuration: config, trainingSet: data)
                try trainer.train(checkpoint: url)
                let file = try SafeTensors.read(from: url)
                let model = trainer.model
                let saved = Set(file.entries.map(\.name).filter { $0.hasPrefix("optimizer.") })
                #expect(saved == Set(model.parameters.flatMap { p in buffers.map { "optimizer.\($0).\(p.name)" } }), "\(settings)")
                #expect(try Checkpoint.read(from: url).state?.optimizer.kind == kind)
                #expect(try Trainer(resumingFrom: url, trainingSet: data).optimizer.state() == trainer.optimizer.state())
            }
        }
    }

    /// A checkpoint whose RMSprop mean square is negative is corrupt, and refused like Adam's.
    @Test func aNegativeMeanSquareIsRefused() throws {
        let data = try Self.mnist.get()
        try Self.withFolder { folder in
            var config = Self.tiny(epochs: 2)
            config.optimizer = .rmsprop()
            config.learningRate = 1e-4
            let url = folder.appendingPathComponent("checkpoint.safetensors")
            let trainer = try Trainer(configuration: config, trainingSet: data)
            try trainer.trainEpoch()
            try trainer.save(to: url)
            var file = try SafeTensors.read(from: url)
            let index = try #require(file.entries.firstIndex { $0.name == "optimizer.square_avg.encoder.fc.weight" })
            file.entries[index].tensor.scalars[1] = -0.5
            try file.write(to: url)
            let error = #expect(throws: CheckpointError.self) { try Trainer(resumingFrom: url, trainingSet: data) }
            #expect(error?.description.contains("negative second moment") == true)
        }
    }

    // MARK: Binarization

    /// Static binarization serves one fixed binary draw of each image, the same in every epoch and
    /// on every resume, drawn from the seed; dynamic draws afresh; the trainer keeps the grey
    /// images it was given (so the data's digest, and the fingerprint, are of those).
    @Test func staticBinarizationServesOneDraw() throws {
        let data = try Self.mnist.get()
        var config = Self.tiny(epochs: 2)
        config.binarization = .static
        let trainer = try Trainer(configuration: config, trainingSet: data)
        #expect(trainer.trainingSet.images == data.prefix(512).images)
        var batches = trainer.batches
        #expect(!batches.binarize)
        var firstSeen: [Int: [Float]] = [:], changed = 0, compared = 0
        for _ in 0..<2 {
            while let batch = batches.next() {
                #expect(batch.images.scalars.allSatisfy { $0 == 0 || $0 == 1 })
                for (row, index) in batch.indices.enumerated() {
                    let image = Array(batch.images.scalars[(row * 784)..<((row + 1) * 784)])
                    if let seen = firstSeen[index] { compared += 1; if seen != image { changed += 1 } } else { firstSeen[index] = image }
                }
            }
        }
        #expect(compared > 300 && changed == 0, "a static draw must not change between epochs")
        #expect(trainer.batches.dataset.images == data.prefix(512).binarized(seed: Trainer.seeds(7).staticBinarization).images)
        var reseeded = config
        reseeded.seed = 8
        #expect(try Trainer(configuration: reseeded, trainingSet: data).batches.dataset.images != trainer.batches.dataset.images)

        // Dynamic: the same image comes back with other bits.
        var dynamic = BatchIterator(dataset: data.prefix(512), batchSize: 64, seed: 1, dropLast: true, binarize: true)
        let first = dynamic.next()!
        while dynamic.next() != nil {}
        var again: Batch? = nil
        while let batch = dynamic.next() { if batch.indices.contains(first.indices[0]) { again = batch; break } }
        let row = try #require(again?.indices.firstIndex(of: first.indices[0]))
        #expect(Array(again!.images.scalars[(row * 784)..<((row + 1) * 784)]) != Array(first.images.scalars[0..<784]))
        // A Gaussian model trains on grey pixels: static binarization is refused.
        var gaussian = config
        gaussian.model.likelihood = .gaussian
        #expect(throws: TrainingConfigurationError.self) { try gaussian.validate() }
    }

    /// With free bits above every dimension's KL, the objective is reconstruction + D·λ at every
    /// step, and the KL, now free, grows beyond a plain run's.
    @Test func freeBitsEnterTheObjective() throws {
        let data = try Self.mnist.get()
        var config = Self.tiny(epochs: 1, kl: .constant(beta: 1), schedule: .constant)
        config.historyInterval = 1
        let plain = try Trainer(configuration: config, trainingSet: data)
        try plain.train()
        config.freeBits = 1e3
        let free = try Trainer(configuration: config, trainingSet: data)
        try free.train()
        #expect(free.history.steps.allSatisfy { abs($0.terms.objective - ($0.terms.reconstruction + 4e3)) < 1e-6 })
        #expect(free.history.steps.first?.terms.kl == plain.history.steps.first?.terms.kl, "the first batch sees the same weights")
        #expect(free.history.epochs[0].train.kl > plain.history.epochs[0].train.kl)
    }

    // MARK: Divergence

    /// A NaN weight makes the next loss NaN: training stops with `diverged`, the checkpoint of
    /// the last good epoch is left byte for byte, and the trainer refuses to go on.
    @Test func nonFiniteLossStopsAndKeepsTheCheckpoint() throws {
        let data = try Self.mnist.get()
        try Self.withFolder { folder in
            let url = folder.appendingPathComponent("checkpoint.safetensors")
            let trainer = try Trainer(configuration: Self.tiny(epochs: 3), trainingSet: data)
            var good = Data()
            trainer.epochEnded = { trainer, _ in
                good = try Data(contentsOf: url)                                   // written after epoch 1
                trainer.model.encoderHead.parameters[0].value.scalars[0] = .nan     // poison the next step
            }
            let error = #expect(throws: TrainingError.self) { try trainer.train(checkpoint: url) }
            guard case .diverged(let epoch, let step, let reconstruction, let kl)? = error else {
                Issue.record("expected TrainingError.diverged, got \(String(describing: error))")
                return
            }
            // (The KL is NaN; the reconstruction is NaN too, since ReLU passes NaN on, but never infinite.)
            #expect(epoch == 2 && step == 8 && kl.isNaN && !reconstruction.isInfinite)
            let after = try Data(contentsOf: url)
            #expect(!good.isEmpty && after == good, "the good checkpoint must stay as it was")
            let saved = try Checkpoint.read(from: url)
            #expect(saved.state?.epoch == 1 && saved.state?.step == 8)
            #expect(try saved.makeModel().parameters.allSatisfy { $0.value.scalars.allSatisfy(\.isFinite) })
            // The trainer is unusable now: neither training nor saving goes on.
            #expect(throws: TrainingError.self) { try trainer.trainEpoch() }
            #expect(throws: TrainingError.self) { try trainer.save(to: url) }
            #expect((try Data(contentsOf: url)) == good)
        }
    }

    /// A NaN in a BatchNorm running statistic leaves training losses finite (training mode uses
    /// batch statistics) but must not be saved: `nonFiniteState`, checkpoint kept.
    @Test func nonFiniteStateIsNeverSaved() throws {
        let data = try Self.mnist.get()
        try Self.withFolder { folder in
            let url = folder.appendingPathComponent("checkpoint.safetensors")
            let trainer = try Trainer(configuration: Self.tiny(epochs: 2), trainingSet: data)
            var good = Data()
            trainer.epochEnded = { trainer, _ in
                good = try Data(contentsOf: url)
                let mean = trainer.model.buffers.first { $0.name.hasSuffix("running_mean") }!
                mean.value.scalars[0] = .infinity
            }
            let error = #expect(throws: TrainingError.self) { try trainer.train(checkpoint: url) }
            guard case .nonFiniteState(let epoch, let tensor)? = error else {
                Issue.record("expected TrainingError.nonFiniteState, got \(String(describing: error))")
                return
            }
            #expect(epoch == 2 && tensor == "encoder.bn1.running_mean")
            #expect((try Data(contentsOf: url)) == good)
        }
    }

    /// The trainer hands a conditional model's labels to the importance-weighted bound: a CVAE with
    /// a centre per label trains on it (k = 5), its loss falls, and its centres move.
    @Test func aConditionalModelTrainsOnTheImportanceWeightedBound() throws {
        var config = Self.tiny(epochs: 2, classes: 10, kl: .constant(beta: 1))
        config.model.labelCentres = true
        config.importanceSamples = 5
        let trainer = try Trainer(configuration: config, trainingSet: try Self.mnist.get())
        try trainer.train()
        let losses = trainer.history.epochs.map(\.train.objective)
        #expect(losses.count == 2 && losses.allSatisfy(\.isFinite) && losses[1] < losses[0], "\(losses)")
        #expect(try #require(trainer.model.labelCentres).value.scalars.contains { $0 != 0 })
    }

    /// A learning rate of 10⁶ blows the weights up at the first update: the second update's
    /// loss is infinite, a clear error follows, and no checkpoint is written.
    @Test func hugeLearningRateDiverges() throws {
        let data = try Self.mnist.get()
        var config = Self.tiny(epochs: 3, kl: .constant(beta: 1), schedule: .constant)
        config.learningRate = 1e6
        try Self.withFolder { folder in
            let url = folder.appendingPathComponent("checkpoint.safetensors")
            let trainer = try Trainer(configuration: config, trainingSet: data)
            let error = #expect(throws: TrainingError.self) { try trainer.train(checkpoint: url) }
            guard case .diverged(let epoch, let step, let reconstruction, let kl)? = error else {
                Issue.record("expected TrainingError.diverged, got \(String(describing: error))")
                return
            }
            #expect(epoch == 1 && step < 8 && !(reconstruction.isFinite && kl.isFinite))
            #expect(error?.description.contains("lower the learning rate") == true)
            #expect(!FileManager.default.fileExists(atPath: url.path))
        }
    }

    // MARK: Schedules

    @Test func klSchedulesRampPerStep() {
        let s = 10   // updates per epoch
        #expect(KLSchedule.constant(beta: 0.5).objective(atStep: 1234, stepsPerEpoch: s) == .beta(0.5))
        let warmup = KLSchedule.warmup(beta: 2, epochs: 4)       // 40 updates
        #expect(warmup.objective(atStep: 0, stepsPerEpoch: s) == .beta(0))
        #expect(warmup.objective(atStep: 10, stepsPerEpoch: s) == .beta(0.5))
        #expect(warmup.objective(atStep: 20, stepsPerEpoch: s) == .beta(1))
        #expect(warmup.objective(atStep: 40, stepsPerEpoch: s) == .beta(2))
        #expect(warmup.objective(atStep: 400, stepsPerEpoch: s) == .beta(2))
        let capacity = KLSchedule.capacity(gamma: 100, maximum: 25, epochs: 5)   // 50 updates
        #expect(capacity.objective(atStep: 0, stepsPerEpoch: s) == .capacity(gamma: 100, target: 0))
        #expect(capacity.objective(atStep: 10, stepsPerEpoch: s) == .capacity(gamma: 100, target: 5))
        #expect(capacity.objective(atStep: 99, stepsPerEpoch: s) == .capacity(gamma: 100, target: 25))
    }

    @Test func learningRateSchedules() throws {
        var config = TrainingConfiguration(epochs: 4, learningRate: 1e-3, schedule: .constant)
        let constant = try config.learningRateSchedule(stepsPerEpoch: 10)
        #expect((0..<40).allSatisfy { constant.learningRate(atStep: $0) == Float(1e-3) })
        config.schedule = .cosine
        let cosine = try config.learningRateSchedule(stepsPerEpoch: 10)
        #expect(cosine.learningRate(atStep: 0) == Float(1e-3))
        #expect(abs(cosine.learningRate(atStep: 39) - 1e-4) < 1e-9)            // the last update: η_min
        #expect(abs(cosine.learningRate(atStep: 13) + cosine.learningRate(atStep: 26) - 1.1e-3) < 1e-9)  // symmetric about (η₀ + η_min) / 2
        #expect((1..<40).allSatisfy { cosine.learningRate(atStep: $0) < cosine.learningRate(atStep: $0 - 1) })
        config.schedule = .warmupCosine
        config.learningRateWarmupEpochs = 1
        let warm = try config.learningRateSchedule(stepsPerEpoch: 10)
        #expect(warm.learningRate(atStep: 0) == 0)
        #expect(abs(warm.learningRate(atStep: 5) - 5e-4) < 1e-9)
        #expect(warm.learningRate(atStep: 10) == Float(1e-3))
        #expect(abs(warm.learningRate(atStep: 39) - 1e-4) < 1e-9)
        // Step, by default: three levels over the thirds of the run (⌈40/3⌉ = 14 updates each),
        // from η₀ down to the cosine's floor η₀/10.
        config.schedule = .step
        let step = try config.learningRateSchedule(stepsPerEpoch: 10)
        let levels = (0..<40).map { step.learningRate(atStep: $0) }
        #expect(Set(levels).count == 3 && levels[0] == Float(1e-3) && levels[13] == Float(1e-3))
        #expect(abs(levels[14] - Float(1e-3 * 0.1.squareRoot())) < 1e-10 && levels[27] == levels[14])
        #expect(abs(levels[28] - 1e-4) < 1e-10 && levels[39] == levels[28])
        config.learningRateStepEpochs = 1.5
        config.learningRateStepFactor = 0.5
        let explicit = try config.learningRateSchedule(stepsPerEpoch: 10)
        #expect(explicit.learningRate(atStep: 14) == Float(1e-3) && explicit.learningRate(atStep: 15) == Float(5e-4))
        #expect(explicit.learningRate(atStep: 30) == Float(2.5e-4) && explicit.learningRate(atStep: 39) == Float(2.5e-4))
    }

    // MARK: Configuration

    @Test func badConfigurationsThrowClearly() throws {
        func rejects(_ change: (inout TrainingConfiguration) -> Void, _ words: String) {
            var config = TrainingConfiguration()
            change(&config)
            let error = #expect(throws: TrainingConfigurationError.self) { try config.validate() }
            #expect(error?.description.contains(words) == true, "\(String(describing: error)) should mention '\(words)'")
        }
        rejects({ $0.epochs = 0 }, "epochs")
        rejects({ $0.batchSize = 0 }, "batch size")
        rejects({ $0.learningRate = -1 }, "learning rate")
        rejects({ $0.learningRate = .nan }, "learning rate")
        rejects({ $0.minimumLearningRateFactor = 2 }, "minimum learning-rate factor")
        rejects({ $0.subset = 0 }, "subset")
        rejects({ $0.subset = 100 }, "cannot fill one batch")
        rejects({ $0.historyInterval = 0 }, "history interval")
        rejects({ $0.kl = .constant(beta: -1) }, "β")
        rejects({ $0.kl = .warmup(beta: 1, epochs: 0) }, "warm-up")
        rejects({ $0.kl = .capacity(gamma: 0, maximum: 25, epochs: 10) }, "γ")
        rejects({ $0.kl = .capacity(gamma: 100, maximum: -1, epochs: 10) }, "maximum capacity")
        rejects({ $0.model.architecture = .convolutional(channels: [8, 8, 8]) }, "decoder must end with [1, 28, 28]")
        rejects({ $0.model.latentDimensions = 0 }, "latent")
        rejects({ $0.optimizer = .sgd(momentum: -1) }, "optimizer sgd")
        rejects({ $0.optimizer = .rmsprop(alpha: 1) }, "optimizer rmsprop")
        rejects({ $0.learningRateStepEpochs = 2 }, "step schedule")
        rejects({ $0.schedule = .step; $0.learningRateStepEpochs = 0 }, "more than 0 epochs")
        rejects({ $0.schedule = .step; $0.learningRateStepFactor = 1.5 }, "step factor")
        rejects({ $0.freeBits = 0 }, "free bits")
        rejects({ $0.freeBits = .infinity }, "free bits")
        rejects({ $0.binarization = .static; $0.model.likelihood = .gaussian }, "static binarization")
        rejects({ $0.importanceSamples = 0 }, "at least 1")
        rejects({ $0.importanceSamples = -3 }, "at least 1")
        rejects({ $0.importanceSamples = 100_000 }, "half of this machine's")
        rejects({ $0.importanceSamples = .max }, "more than any machine holds")
        rejects({ $0.importanceSamples = 5; $0.importanceEstimator = .dreg; $0.model.classCount = 10 }, "IWAE estimator")
        rejects({ $0.importanceSamples = 5; $0.kl = .capacity(gamma: 100, maximum: 20, epochs: 5) }, "capacity")
        rejects({ $0.importanceEstimator = .dreg; $0.freeBits = 0.5 }, "free bits")
        try TrainingConfiguration().validate()
    }

    @Test func configurationRoundTripsThroughJSON() throws {
        for kl in [KLSchedule.constant(beta: 0.25), .warmup(beta: 4, epochs: 2.5), .capacity(gamma: 30, maximum: 12.5, epochs: 7)] {
            let config = TrainingConfiguration(model: VAEConfiguration(latentDimensions: 7, channels: [16], classCount: 10),
                                               epochs: 3, batchSize: 32, learningRate: 2.5e-4, schedule: .warmupCosine,
                                               kl: kl, seed: .max, subset: 1000, historyInterval: 7)
            let decoded = try Checkpoint.decoder.decode(TrainingConfiguration.self, from: Data(try Checkpoint.json(config).utf8))
            #expect(decoded == config)
        }
        let optimizers: [OptimizerSettings] = [.sgd(momentum: 0.9, nesterov: true, weightDecay: 1e-4), .adam(beta1: 0.5),
                                               .adamW(weightDecay: 0.1), .rmsprop(alpha: 0.9, epsilon: 1e-6, momentum: 0.5, centered: true)]
        for optimizer in optimizers {
            var config = TrainingConfiguration(epochs: 3, schedule: .step, optimizer: optimizer)
            config.learningRateStepEpochs = 0.5
            config.learningRateStepFactor = 0.25
            config.freeBits = 0.125
            config.binarization = .static
            let json = try Checkpoint.json(config)
            for key in ["optimizer", "learningRateStepEpochs", "learningRateStepFactor", "freeBits", "binarization"] {
                #expect(json.contains("\"\(key)\""))
            }
            #expect(try Checkpoint.decoder.decode(TrainingConfiguration.self, from: Data(json.utf8)) == config)
        }
    }

    // MARK: Test-set terms

    /// The terms do not depend on the evaluation batch size (ε is drawn in image order), the
    /// objective is reconstruction + KL, and the model's mode is restored.
    @Test func testTermsAreBatchIndependent() throws {
        let test = try Self.heldOut()
        var random = RandomSource(seed: 5)
        for classes in [0, 10] {
            let model = try VAE(VAEConfiguration(latentDimensions: 3, channels: [4], classCount: classes), using: &random)
            let whole = try testTerms(model: model, dataset: test, batchSize: 200, seed: 9)
            let pieces = try testTerms(model: model, dataset: test, batchSize: 33, seed: 9)
            #expect(model.isTraining)
            #expect(abs(whole.reconstruction - pieces.reconstruction) / whole.reconstruction < 1e-6)
            #expect(abs(whole.kl - pieces.kl) / whole.kl < 1e-6)
            #expect(abs(whole.objective - (whole.reconstruction + whole.kl)) < 1e-9)
            let other = try testTerms(model: model, dataset: test, batchSize: 200, seed: 10)
            #expect(other.reconstruction != whole.reconstruction, "another ε should give another estimate")
            #expect(other.kl == whole.kl, "the KL does not depend on ε")
        }
        var model = try VAE(VAEConfiguration(latentDimensions: 3, channels: [4]), using: &random)
        #expect(throws: TrainingConfigurationError.self) { try testTerms(model: model, dataset: test, batchSize: 0) }
        model = try VAE(VAEConfiguration(latentDimensions: 3, channels: [4]), using: &random)
        // Single image, by hand: the same formula on one batch of one.
        let one = test.prefix(1)
        model.isTraining = false
        var eps = RandomSource(seed: 4)
        let (mu, logVar) = try model.encode(one.images)
        let z = VAE.reparameterize(mean: mu, logVariance: logVar, using: &eps).z
        let bce = try binaryCrossEntropyWithLogits(logits: try model.decode(z), targets: one.images, reduction: .sum).value
        let kl = try klDivergenceStandardNormal(mean: mu, logVariance: logVar, reduction: .sum).value
        model.isTraining = true
        let terms = try testTerms(model: model, dataset: one, batchSize: 5, seed: 4)
        // The evaluator sums the Bernoulli log-likelihood in its own order: equal up to rounding.
        #expect(abs(terms.reconstruction - bce) / bce < 1e-6 && abs(terms.kl - kl) / kl < 1e-6)
    }
}

/// How much the training loop costs beyond the bare update. Opt-in (timings are noisy on a
/// shared machine, so they are printed, not asserted):
///
///     VAE_MEASURE_OVERHEAD=1 swift test -c release --filter TrainerOverhead
///
/// Method: for the same model and batch size, alternate short rounds of (a) the bare update —
/// zero gradients, `accumulateGradients`, Adam step — on one pre-binarized batch, and (b)
/// `Trainer.trainEpoch` over an epoch of the same number of batches, with the progress line on:
/// the shuffled gather, the per-pixel binarization, the schedules, the bookkeeping and the
/// end-of-epoch means (amortised over a few batches instead of 468, so an upper bound). The
/// fastest round of each is the least disturbed by other processes: overhead = b / a − 1.
/// (c) times the batches alone (gather + binarization), the loop's main extra work.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["VAE_MEASURE_OVERHEAD"] != nil))
struct TrainerOverhead {
    @Test(arguments: ["tiny", "reference"])
    func overheadOfTheLoop(_ size: String) throws {
        let data = try MNIST.load(split: .test)
        let model = size == "tiny" ? VAEConfiguration(latentDimensions: 4, channels: [4, 8]) : .reference
        let steps = 5, rounds = size == "tiny" ? 40 : 15
        let config = TrainingConfiguration(model: model, epochs: 1000, batchSize: 128, kl: .warmup(beta: 1, epochs: 10),
                                           subset: 128 * steps)
        func seconds(_ body: () throws -> Void) rethrows -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 / Double(steps)
        }
        let bareTrainer = try Trainer(configuration: config, trainingSet: data)
        let loopTrainer = try Trainer(configuration: config, trainingSet: data)
        loopTrainer.showsProgress = true
        let batch = data.prefix(128).binarized(seed: 1).images
        var noise = RandomSource(seed: 2)
        var batches = BatchIterator(dataset: data.prefix(128 * steps), batchSize: 128, seed: 3, dropLast: true, binarize: true)
        var bare = [Double](), loop = [Double](), gather = [Double]()
        for _ in 0..<rounds {
            bare.append(try seconds {
                for _ in 0..<steps {
                    bareTrainer.model.zeroGradients()
                    _ = try bareTrainer.model.accumulateGradients(images: batch, using: &noise)
                    bareTrainer.optimizer.step()
                }
            })
            loop.append(try seconds { try loopTrainer.trainEpoch() })
            gather.append(seconds { while batches.next() != nil {} })
        }
        let a = bare.min()!, b = loop.min()!, c = gather.min()!
        print(String(format: "%@: bare update %.3f ms, training loop %.3f ms per update (fastest of %d rounds): overhead %+.1f%%; one batch alone %.3f ms (%.1f%% of the bare update)",
                     size, a * 1e3, b * 1e3, rounds, (b / a - 1) * 100, c * 1e3, c / a * 100))
    }
}
