import Foundation

/// The VAE's trainer (and so the CVAE's and the flows'): the course's one trainer, `ModelTrainer`,
/// on the VAE's `TrainingTask`, which owns the model, the optimizer, the shuffled and binarized
/// batches, the generator of ε and the history, and checkpoints all of them so that a run stopped
/// after any epoch and resumed continues **bit-identically**.
///
///     let train = try MNIST.load(split: .train)
///     let trainer = try Trainer(configuration: config, trainingSet: train)
///     trainer.evaluation = { model in try testTerms(model: model, dataset: test, batchSize: 500, seed: 1) }
///     trainer.epochEnded = { trainer, summary in print(summary.line(of: config.epochs)) }
///     try trainer.train(checkpoint: runFolder.appendingPathComponent("checkpoint.safetensors"))
///
///     // later, in another process:
///     let resumed = try Trainer(resumingFrom: checkpointURL, trainingSet: train)
///     try resumed.train(checkpoint: checkpointURL)
///
/// Each update:
///
///     β or (γ, C) ← KL schedule at update t;  η ← learning-rate schedule at t
///     zero the gradients
///     loss = BCE + KL term on the batch (fresh binarization, fresh ε); backward   (VAE.trainingStep)
///       or, with configuration.importanceSamples = k > 1 (or the DReG estimator), the
///       importance-weighted bound on k codes per image   (the same step, its objective the bound's)
///     optimizer step with η      (configuration.optimizer: Adam unless asked otherwise)
///
/// All randomness comes from `configuration.seed`, split into independent streams for the
/// initial weights, the batch order (with the dynamic binarization), ε, and the one draw of a
/// static binarization (SplitMix64 seeds of one master generator), so that changing one use of
/// randomness leaves the others as they were.
///
/// A non-finite loss stops training with `TrainingError.diverged`; a non-finite parameter at the
/// end of an epoch stops it with `TrainingError.nonFiniteState` before saving. Either way the
/// checkpoint file still holds the last good epoch, and this trainer refuses to continue.
public typealias Trainer = ModelTrainer<VAETraining>

/// The VAE's side of training, which `ModelTrainer` drives (as `Trainer`): the model, its
/// optimizer and schedules, the batches and ε, the history and the records, and the checkpoint
/// format (`Checkpoint`). A chapter reaches it through `Trainer`'s properties.
public final class VAETraining: TrainingTask {
    /// The run's settings (with the epoch count possibly extended by a resume).
    public private(set) var configuration: TrainingConfiguration
    public let model: VAE
    /// The optimizer `configuration.optimizer` describes (Adam by default).
    public let optimizer: any Optimizer
    /// The images trained on: the training set, or its first `configuration.subset` images, as
    /// given (grey); with static binarization `batches.dataset` holds their one binary draw.
    public let trainingSet: MNIST
    /// Updates in one epoch: ⌊N / B⌋ (the last, partial batch is dropped).
    public let stepsPerEpoch: Int
    public var plannedEpochs: Int { configuration.epochs }
    /// Per-epoch means, optional test terms, and sampled steps.
    public fileprivate(set) var history: TrainingHistory
    /// Shuffled batches: dynamically binarized, or of the static draw, or grey for a Gaussian.
    public fileprivate(set) var batches: BatchIterator
    /// The generator of ε in z = μ + σ·ε.
    public fileprivate(set) var noise: RandomSource
    let schedule: any LearningRateSchedule

    fileprivate var evaluation: ((VAE) throws -> ELBOTerms)?
    fileprivate var stepEnded: ((StepRecord) -> Void)?
    fileprivate var records: [String: Tensor] = [:]
    fileprivate var dataDigest: String?
    fileprivate var lock: RunLock?
    /// The learning rate and KL objective of the epoch's last update, for its record.
    private var lastRate: Float = 0
    private var lastObjective = KLObjective.beta(0)
    /// Updates taken after the epoch's last update, for its record.
    private var stepAfterUpdate = 0

    fileprivate init(configuration: TrainingConfiguration, model: VAE, trainingSet: MNIST, batches: BatchIterator,
                     noise: RandomSource, history: TrainingHistory) throws {
        self.configuration = configuration
        self.model = model
        self.trainingSet = trainingSet
        self.batches = batches
        self.noise = noise
        self.history = history
        stepsPerEpoch = batches.batchesPerEpoch
        schedule = try configuration.learningRateSchedule(stepsPerEpoch: stepsPerEpoch)
        optimizer = try configuration.optimizer.makeOptimizer(model.parameters, learningRate: Float(configuration.learningRate))
    }

    // MARK: One epoch

    public func beginEpoch(_ number: Int) {
        model.isTraining = true
        lastRate = 0
        lastObjective = .beta(0)
    }

    /// The next batch of `batches`, at the scheduled learning rate and KL objective; a sampled
    /// step goes into the history.
    public func nextUpdate(epoch: Int, loop: TrainingLoop) throws -> (terms: ELBOTerms, images: Int)? {
        guard let batch = batches.next() else { return nil }
        let step = loop.step
        let objective = configuration.kl.objective(atStep: step, stepsPerEpoch: stepsPerEpoch)
        let rate = schedule.learningRate(atStep: step)
        let terms = try update(on: batch, objective: objective, learningRate: rate, epoch: epoch, loop: loop)
        let record = StepRecord(step: step, terms: terms, learningRate: rate, klWeight: KLWeight(objective))
        if step % configuration.historyInterval == 0 { history.steps.append(record) }
        stepEnded?(record)
        lastRate = rate; lastObjective = objective; stepAfterUpdate = loop.step
        return (terms, batch.count)
    }

    /// One update on `batch` (see `Trainer.update(on:objective:learningRate:)`).
    fileprivate func update(on batch: Batch, objective: KLObjective, learningRate: Float, epoch: Int, loop: TrainingLoop) throws -> ELBOTerms {
        let labels: [Int]? = model.configuration.classCount > 0 ? batch.labels.map { Int($0) } : nil
        return try loop.update(epoch: epoch, learningRate: learningRate) {
            try model.trainingStep(images: batch.images, labels: labels, objective: configuration.stepObjective(objective),
                                   using: &noise).terms
        }
    }

    /// The epoch's seconds into the records, its means and the test terms (`evaluation`) into the history.
    public func endEpoch(_ number: Int, _ run: TrainingLoop.Epoch<ELBOTerms>) throws -> EpochSummary {
        let seconds = run.seconds
        let secondsRecord = Tensor(shape: [1], scalars: [Float(seconds)])
        records[Trainer.epochSecondsRecord] = records[Trainer.epochSecondsRecord].map { Tensor.concatenateRows($0, secondsRecord) } ?? secondsRecord
        let n = Double(max(run.updates, 1))
        let train = ELBOTerms(reconstruction: run.totals.reconstruction / n, kl: run.totals.kl / n, objective: run.totals.objective / n)

        var test: ELBOTerms? = nil
        var evaluationSeconds = 0.0
        if let evaluation {
            let evaluationStart = ProgressLine.now()
            test = try evaluation(model)
            if let test, !(test.reconstruction.isFinite && test.kl.isFinite) {
                throw TrainingError.nonFiniteEvaluation(epoch: number, reconstruction: test.reconstruction, kl: test.kl)
            }
            model.isTraining = true
            evaluationSeconds = Double(ProgressLine.now() - evaluationStart) * 1e-9
        }
        let record = EpochRecord(epoch: number, step: stepAfterUpdate, train: train, test: test,
                                 learningRate: lastRate, klWeight: KLWeight(lastObjective))
        history.epochs.append(record)
        return EpochSummary(record: record, seconds: seconds, imagesPerSecond: Double(run.images) / seconds,
                            evaluationSeconds: evaluationSeconds)
    }

    public func epochEndedReturned() { model.isTraining = true }

    /// A finished run kept under its fingerprint is one a later program can reuse: say so.
    public func trainingEnded(checkpoint url: URL?, trainedNow: Bool, seconds: Double) throws {
        guard let url, let dataDigest, let fingerprint = try? RunFingerprint(configuration: configuration, dataDigest: dataDigest) else { return }
        let recorded = epochSeconds.reduce(0, +)
        RunLedger.report(.init(kind: .vae, checkpoint: url.path, fingerprint: fingerprint.value, epochs: configuration.epochs,
                               trainedHere: trainedNow, trainingSeconds: recorded > 0 ? recorded : trainedNow ? seconds : 0))
    }

    fileprivate var epochSeconds: [Double] { (records[Trainer.epochSecondsRecord]?.scalars ?? []).map { Double($0) } }

    // MARK: The checkpoint

    public func numbersToSave() -> [(name: String, scalars: [Float])] {
        let optimizerState = optimizer.state()
        let moments = optimizerState.parameterNames.flatMap { name in
            optimizer.bufferNames.map { ("optimizer.\($0).\(name)", optimizerState.buffers[name]?[$0] ?? []) }
        }
        return (model.parameters + model.buffers).map { ($0.name, $0.value.scalars) } + moments
    }

    /// Writes the whole state to `url` atomically (see `Checkpoint` for the layout).
    public func write(to url: URL, epoch: Int, step: Int) throws {
        let optimizerState = optimizer.state()
        let state = TrainerState(epoch: epoch, step: step, noise: noise.state, batches: batches.state,
                                 optimizer: .init(optimizerState), history: history)
        try Checkpoint.file(model: model, configuration: configuration, state: state, optimizer: optimizerState,
                            bufferNames: optimizer.bufferNames, dataDigest: dataDigest, records: records).write(to: url)
    }
}

/// The VAE's trainer as chapters use it: `Trainer(configuration:trainingSet:)`, the model, the
/// history and the hooks (`train(checkpoint:)` and `trainEpoch()` are `ModelTrainer`'s).
public extension ModelTrainer where Task == VAETraining {
    /// The run's settings (with the epoch count possibly extended by a resume).
    var configuration: TrainingConfiguration { task.configuration }
    var model: VAE { task.model }
    /// The optimizer `configuration.optimizer` describes (Adam by default).
    var optimizer: any Optimizer { task.optimizer }
    /// The images trained on: the training set, or its first `configuration.subset` images, as
    /// given (grey); with static binarization `batches.dataset` holds their one binary draw.
    var trainingSet: MNIST { task.trainingSet }
    /// Per-epoch means, optional test terms, and sampled steps.
    var history: TrainingHistory { task.history }
    /// Shuffled batches: dynamically binarized, or of the static draw, or grey for a Gaussian.
    var batches: BatchIterator { task.batches }
    /// The generator of ε in z = μ + σ·ε.
    var noise: RandomSource { task.noise }

    /// Computes the held-out terms after every epoch (e.g. `testTerms` on the binarized test
    /// set); they go into the history. It must not draw from the trainer's generators.
    var evaluation: ((VAE) throws -> ELBOTerms)? {
        get { task.evaluation }
        set { task.evaluation = newValue }
    }
    /// Called after every update of `trainEpoch`, with its terms, learning rate and KL weight,
    /// inside the training loop: cheap work only (the live view copies the numbers into a buffer
    /// that its server reads). Nil costs nothing; it must not touch the model or the generators.
    var stepEnded: ((StepRecord) -> Void)? {
        get { task.stepEnded }
        set { task.stepEnded = newValue }
    }
    /// Tensors recorded during training (images decoded after each epoch, filters, …), saved in
    /// the checkpoint as `record.<name>` and restored with it (`recordEpoch` is the place to add
    /// them). The trainer itself keeps `epoch_seconds` here: each epoch's seconds of training (its
    /// evaluation excluded), measured while it ran: a timing, not a result of the settings, so
    /// outside the fingerprint.
    var records: [String: Tensor] {
        get { task.records }
        set { task.records = newValue }
    }
    /// SHA-256 of the training set (`MNIST.contentDigest`), saved with the checkpoint so that a
    /// later run can tell whether it saw the same data; set by `TrainingRun`, restored on resume.
    var dataDigest: String? {
        get { task.dataDigest }
        set { task.dataDigest = newValue }
    }
    /// The lock of the run's folder, held as long as this trainer lives (`TrainingRun` takes it).
    var lock: RunLock? {
        get { task.lock }
        set { task.lock = newValue }
    }

    /// The name of the record of each epoch's training seconds.
    static var epochSecondsRecord: String { "epoch_seconds" }
    /// Each finished epoch's seconds of training, as measured when it was trained (empty for a run
    /// trained before the trainer kept them).
    var epochSeconds: [Double] { task.epochSeconds }
    /// The epochs already trained, as their log lines showed them: each record of the history
    /// with its recorded seconds (`epoch_seconds`), marked as recorded. What a chapter prints
    /// for a run it reuses or resumes, so that its page shows how that run trained.
    var recordedEpochs: [EpochSummary] {
        let seconds = epochSeconds
        var previousStep = 0
        return history.epochs.enumerated().map { index, record in
            let time = index < seconds.count ? seconds[index] : .nan
            let images = Double((record.step - previousStep) * configuration.batchSize)
            previousStep = record.step
            return EpochSummary(record: record, seconds: time, imagesPerSecond: images / time, evaluationSeconds: 0, isRecorded: true)
        }
    }

    // MARK: Creating

    /// A fresh run: random initial weights, the optimizer's buffers at zero, epoch 0.
    /// - Throws: `TrainingConfigurationError` for a bad configuration, or a data set too small
    ///   for one batch.
    convenience init(configuration: TrainingConfiguration, trainingSet: MNIST) throws {
        try configuration.validate()
        let streams = Trainer.seeds(configuration.seed)
        var weights = RandomSource(seed: streams.weights)
        let model = try VAE(configuration.model, using: &weights)
        let data = try Trainer.trainingData(trainingSet, configuration)
        let batches = BatchIterator(dataset: Trainer.servedImages(data, configuration), batchSize: configuration.batchSize,
                                    seed: streams.batches, dropLast: true, binarize: configuration.binarizesEachBatch)
        try self.init(VAETraining(configuration: configuration, model: model, trainingSet: data, batches: batches,
                                  noise: RandomSource(seed: streams.noise), history: TrainingHistory()))
    }

    /// Continues the run saved in `url` (by `save(to:)`), on the same training set.
    ///
    /// - Parameter epochs: a new total number of epochs, to extend a finished run; nil keeps the
    ///   saved one. With a cosine schedule the remaining decay is stretched to the new end, so the
    ///   learning rate jumps up a little at the resume: the run then differs from one planned with
    ///   that length from the start.
    /// - Throws: `CheckpointError` when the file is not a training checkpoint or does not fit the
    ///   data; `TrainingConfigurationError` for an epoch count below the epochs done.
    convenience init(resumingFrom url: URL, trainingSet: MNIST, epochs: Int? = nil) throws {
        let checkpoint = try Checkpoint.read(from: url)
        guard var configuration = checkpoint.training, let state = checkpoint.state else {
            throw CheckpointError.badMetadata("\(url.path) holds a model but no training state: it cannot be resumed")
        }
        if let epochs {
            guard epochs >= state.epoch else {
                throw TrainingConfigurationError("the checkpoint has done \(state.epoch) epochs already; ask for at least that many, not \(epochs)")
            }
            configuration.epochs = epochs
        }
        try configuration.validate()
        let model = try checkpoint.makeModel()
        let data = try Trainer.trainingData(trainingSet, configuration)
        let batches: BatchIterator
        do { batches = try BatchIterator(dataset: Trainer.servedImages(data, configuration), state: state.batches) } catch {
            throw CheckpointError.badMetadata("\(error)")
        }
        guard batches.batchSize == configuration.batchSize, batches.dropLast,
              batches.binarize == configuration.binarizesEachBatch,
              batches.epoch == state.epoch, batches.position == 0 else {
            throw CheckpointError.badMetadata("the saved batch order (batch \(batches.batchSize), epoch \(batches.epoch), position \(batches.position)) does not fit the run (batch \(configuration.batchSize), epoch \(state.epoch))")
        }
        let noise: RandomSource
        do { noise = try RandomSource(state: state.noise) } catch { throw CheckpointError.badMetadata("\(error)") }
        let task = try VAETraining(configuration: configuration, model: model, trainingSet: data, batches: batches,
                                   noise: noise, history: state.history)
        try task.optimizer.restore(from: checkpoint.optimizerState(for: model.parameters, buffers: task.optimizer.bufferNames))
        task.records = checkpoint.records
        // An extended run (a new epoch count) stretches its schedule: its weights are not those of
        // a run planned that long, so it keeps no fingerprint and no chapter reuses it as one.
        task.dataDigest = checkpoint.training?.epochs == configuration.epochs ? checkpoint.dataDigest : nil
        try self.init(task, epoch: state.epoch, step: state.step)
    }

    /// The independent seeds of the run's random streams, drawn from one master generator (a
    /// stream added later is drawn after the others, which stay as they were).
    static func seeds(_ seed: UInt64) -> (weights: UInt64, batches: UInt64, noise: UInt64, staticBinarization: UInt64) {
        var master = RandomSource(seed: seed)
        return (master.next(), master.next(), master.next(), master.next())
    }

    /// The images a run of `configuration` draws its batches from, given its training images
    /// `data` (the subset already taken): `data` itself, or with static binarization its one
    /// binary draw from the run's seed (`MNIST.binarized(seed:)`), the same on every resume (and
    /// so the images a static run can overfit: chapter 9 measures models on them).
    /// - Complexity: O(N·H·W) for a static draw (one uniform per pixel), nothing otherwise.
    static func servedImages(_ data: MNIST, _ configuration: TrainingConfiguration) -> MNIST {
        guard configuration.binarization == .static else { return data }
        return data.binarized(seed: seeds(configuration.seed).staticBinarization)
    }

    /// The images a configuration trains on; throws when they cannot fill a batch.
    static func trainingData(_ set: MNIST, _ configuration: TrainingConfiguration) throws -> MNIST {
        if let subset = configuration.subset, subset > set.count {
            throw TrainingConfigurationError("the subset of \(subset) images is larger than the training set (\(set.count))")
        }
        let data = configuration.subset.map { set.prefix($0) } ?? set
        guard data.count >= configuration.batchSize else {
            throw TrainingConfigurationError("\(data.count) training images cannot fill one batch of \(configuration.batchSize)")
        }
        guard data.height == VAEConfiguration.imageSide, data.width == VAEConfiguration.imageSide else {
            throw TrainingConfigurationError("the VAE takes 28×28 images, the training set has \(data.height)×\(data.width)")
        }
        return data
    }

    // MARK: One update

    /// One update on `batch`: zero the gradients, forward and backward (with the run's free bits;
    /// on the importance-weighted bound when `configuration.usesImportanceWeighting`), the
    /// optimizer's step with `learningRate`.
    /// `trainEpoch` calls it with the next batch of `batches` and the scheduled rate and KL
    /// objective; chapter 5 calls it directly to check its written-out step against this one.
    /// It advances `step` but not `batches` or the history.
    /// - Complexity: the model's forward and backward plus one optimizer pass; beyond the model's own
    ///   allocations, only the labels of a conditional model are copied.
    func update(on batch: Batch, objective: KLObjective, learningRate: Float) throws -> ELBOTerms {
        try task.update(on: batch, objective: objective, learningRate: learningRate, epoch: epoch + 1, loop: loop)
    }
}

/// What the trainer reports about a finished epoch: the history record plus timings (which
/// are not saved, being the only part that differs between identical runs).
public struct EpochSummary: Sendable {
    public var record: EpochRecord
    /// Seconds of training in the epoch (evaluation excluded).
    public var seconds: Double
    /// Training throughput over the epoch.
    public var imagesPerSecond: Double
    /// Seconds spent in the evaluation closure.
    public var evaluationSeconds: Double
    /// Whether this is an epoch trained earlier, read back from the run's checkpoint
    /// (`Trainer.recordedEpochs`), rather than one just trained.
    var isRecorded = false

    /// One line for the log:
    /// `epoch  3/10  train recon 92.41 KL 24.87 loss 117.28 | test recon 90.12 KL 25.02 −ELBO 115.14 | lr 9.0e-04 β 1 | 41.2 s, 1457 img/s`
    public func line(of epochs: Int) -> String {
        let r = record
        let width = String(epochs).count
        var text = String(format: "epoch %\(width)ld/%ld  train recon %.2f KL %.2f loss %.2f",
                          r.epoch, epochs, r.train.reconstruction, r.train.kl, r.train.objective)
        if let test = r.test {
            text += String(format: " | test recon %.2f KL %.2f -ELBO %.2f", test.reconstruction, test.kl, -test.elbo)
        }
        text += String(format: " | lr %.2e", Double(r.learningRate))
        if let capacity = r.klWeight.capacity {
            text += String(format: " γ %g C %.2f", r.klWeight.weight, capacity)
        } else {
            text += String(format: " β %.3g", r.klWeight.weight)
        }
        if seconds.isFinite { text += String(format: " | %.1f s, %.0f img/s", seconds, imagesPerSecond) }
        return isRecorded ? text + " (recorded)" : text
    }
}
