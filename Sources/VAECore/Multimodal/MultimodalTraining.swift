import Foundation

/// How a multimodal VAE is trained: the recipe of the course's VAE (Adam at 10⁻³ with a cosine
/// decay to 10⁻⁴, batches of 128, dynamic binarization of binary images), on paired data.
/// Saved in the checkpoint; a saved run is reused when this and the data match.
public struct MultimodalTrainingConfiguration: Codable, Equatable, Sendable {
    public var model: MultimodalConfiguration
    /// Passes over the tuples; epoch e uses pairing e mod P of the data.
    public var epochs: Int
    public var batchSize: Int = 128
    public var learningRate: Double = 1e-3
    /// The learning rate the cosine decay ends at, after the last step.
    public var finalLearningRate: Double = 1e-4
    /// The KL terms' weight (1: the objective as derived).
    public var beta: Double = 1
    /// The first `subset` tuples only (nil: all).
    public var subset: Int?
    /// Random pairings of the data (digit ↔ clothing); 1 for image + label.
    public var pairings: Int = 1
    /// The seed of the weights, the pairings, the batch order, the binarization and ε.
    public var seed: UInt64 = 1

    public init(model: MultimodalConfiguration, epochs: Int, pairings: Int = 1, seed: UInt64 = 1) {
        self.model = model
        self.epochs = epochs
        self.pairings = pairings
        self.seed = seed
    }

    /// Throws for settings that cannot train.
    public func validate() throws {
        try model.validate()
        guard epochs >= 1, batchSize >= 2, pairings >= 1 else {
            throw VAEConfigurationError("epochs (\(epochs)) and pairings (\(pairings)) must be ≥ 1, the batch size (\(batchSize)) ≥ 2")
        }
        guard learningRate.isFinite, learningRate > 0, finalLearningRate.isFinite, finalLearningRate >= 0,
              finalLearningRate <= learningRate, beta.isFinite, beta > 0 else {
            throw VAEConfigurationError("learning rates \(learningRate) → \(finalLearningRate) and β \(beta) must be finite, positive and decreasing")
        }
        if let subset, subset < batchSize { throw VAEConfigurationError("a subset of \(subset) tuples is smaller than one batch (\(batchSize))") }
    }
}

/// One epoch of a multimodal training run, as the history keeps it.
public struct MultimodalEpoch: Codable, Equatable, Sendable {
    public var epoch: Int
    /// The training objective (with the λ weights), nats per tuple, averaged over the epoch's batches.
    public var objective: Double
    /// The joint ELBO of the training batches (true likelihoods), averaged.
    public var jointELBO: Double
    public var seconds: Double
}

/// One batch's numbers a multimodal run adds up over an epoch.
public struct MultimodalEpochTotals: EpochTotals {
    var objective: Double
    var jointELBO: Double

    public static var zero: MultimodalEpochTotals { MultimodalEpochTotals(objective: 0, jointELBO: 0) }

    public func adding(_ other: MultimodalEpochTotals) -> MultimodalEpochTotals {
        MultimodalEpochTotals(objective: objective + other.objective, jointELBO: jointELBO + other.jointELBO)
    }

    public func progressText(updates: Int) -> String {
        let n = Double(max(updates, 1))
        return String(format: "loss %.2f  joint ELBO %.2f", objective / n, jointELBO / n)
    }
}

/// Trains a `MultimodalVAE` on a `MultimodalDataset`, an epoch at a time, and saves a checkpoint
/// after each, from which training resumes exactly: the course's one trainer, `ModelTrainer`, on
/// the multimodal VAE's `TrainingTask`.
///
/// The checkpoint (safetensors): the model's tensors under their names (`mnist.encoder.conv1.weight`,
/// `label.decoder.fc2.bias`, …), Adam's moments as `optimizer.exp_avg.<name>` and
/// `optimizer.exp_avg_sq.<name>`, and the metadata `format` ("vae-course multimodal"),
/// `format_version` (1), `training_config` (this configuration, with the model's, as JSON),
/// `trainer_state` (epoch, step, the generators' states, the optimizer's step count, the history)
/// and `data_sha256` (`MultimodalDataset.contentDigest`).
public typealias MultimodalTrainer = ModelTrainer<MultimodalTraining>

/// The multimodal VAE's side of training, which `ModelTrainer` drives (as `MultimodalTrainer`):
/// epoch e trains on pairing e mod P of the data, in an order drawn for the epoch, each binary
/// image binarized afresh; Adam with a cosine decay.
public final class MultimodalTraining: TrainingTask {
    static let formatName = "vae-course multimodal"
    static let formatVersion = "1"

    public let configuration: MultimodalTrainingConfiguration
    public let model: MultimodalVAE
    public let data: MultimodalDataset
    public fileprivate(set) var history: [MultimodalEpoch] = []
    public let stepsPerEpoch: Int
    public var plannedEpochs: Int { configuration.epochs }
    public var optimizer: any Optimizer { adam }

    private let adam: Adam
    private let schedule: CosineAnnealing
    private var noise: RandomSource
    private var binarization: RandomSource
    fileprivate let dataDigest: String
    private var trainingCount: Int { min(data.count, configuration.subset ?? .max) }
    /// The epoch's order of the tuples, its pairing, and the next batch's number.
    private var permutation: [Int] = []
    private var pairing = 0
    private var nextBatch = 0

    /// A new run: weights from the seed.
    fileprivate init(_ configuration: MultimodalTrainingConfiguration, data: MultimodalDataset) throws {
        try configuration.validate()
        guard data.modalities == configuration.model.modalities, data.pairings.count == configuration.pairings else {
            throw VAEConfigurationError("the data's modalities or pairings (\(data.pairings.count)) are not the configuration's")
        }
        self.configuration = configuration
        self.data = data
        var weights = RandomSource(seed: configuration.seed)
        model = try MultimodalVAE(configuration.model, using: &weights)
        adam = try Adam(model.parameters, learningRate: Float(configuration.learningRate))
        stepsPerEpoch = min(data.count, configuration.subset ?? .max) / configuration.batchSize
        schedule = try CosineAnnealing(initial: Float(configuration.learningRate), minimum: Float(configuration.finalLearningRate),
                                       steps: max(configuration.epochs * stepsPerEpoch, 1))
        noise = RandomSource(seed: configuration.seed &+ 1)
        binarization = RandomSource(seed: configuration.seed &+ 2)
        dataDigest = data.contentDigest
    }

    // MARK: One epoch

    public func beginEpoch(_ number: Int) {
        var order = RandomSource(seed: configuration.seed &+ 1000 &+ UInt64(number - 1))
        permutation = order.permutation(trainingCount)
        pairing = (number - 1) % data.pairings.count
        nextBatch = 0
        model.isTraining = true
    }

    public func nextUpdate(epoch: Int, loop: TrainingLoop) throws -> (terms: MultimodalEpochTotals, images: Int)? {
        guard nextBatch < stepsPerEpoch else { return nil }
        let size = configuration.batchSize
        let tuples = Array(permutation[nextBatch * size ..< (nextBatch + 1) * size])
        nextBatch += 1
        let batch = data.trainingBatch(tuples, pairing: pairing, using: &binarization)
        let terms = try loop.update(epoch: epoch, learningRate: schedule.learningRate(atStep: loop.step)) {
            let terms = try model.accumulateGradients(inputs: batch, targets: batch, beta: configuration.beta, using: &noise)
            guard terms.objective.isFinite else {
                throw TrainingError.nonFiniteLoss(reconstruction: terms.reconstruction.joined().reduce(0) { $0 + ($1 ?? 0) },
                                                  kl: terms.kl.reduce(0, +))
            }
            return terms
        }
        return (MultimodalEpochTotals(objective: terms.objective, jointELBO: terms.jointELBO), size)
    }

    public func endEpoch(_ number: Int, _ run: TrainingLoop.Epoch<MultimodalEpochTotals>) throws -> MultimodalEpoch {
        let steps = Double(run.updates)
        let record = MultimodalEpoch(epoch: number, objective: run.totals.objective / steps, jointELBO: run.totals.jointELBO / steps,
                                     seconds: run.seconds)
        history.append(record)
        return record
    }

    /// The model is left in evaluation mode, ready to be measured.
    public func trainingEnded(checkpoint: URL?, trainedNow: Bool, seconds: Double) throws {
        model.isTraining = false
    }

    // MARK: Checkpoints

    struct State: Codable {
        var step: Int
        var noise: RandomSource.State
        var binarization: RandomSource.State
        var optimizerSteps: Int
        var history: [MultimodalEpoch]
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    public func numbersToSave() -> [(name: String, scalars: [Float])] {
        entries().map { ($0.name, $0.tensor.scalars) }
    }

    /// The model's tensors and Adam's moments, as the file holds them.
    private func entries() -> [SafeTensors.Entry] {
        stateDictEntries(of: model.parameters + model.buffers)
            + OptimizerMoments.entries(of: adam.state(), parameters: model.parameters, bufferNames: adam.bufferNames)
    }

    /// Writes the checkpoint atomically.
    public func write(to url: URL, epoch: Int, step: Int) throws {
        let state = State(step: step, noise: noise.state, binarization: binarization.state,
                          optimizerSteps: adam.stepCount, history: history)
        let metadata = [
            "format": Self.formatName,
            "format_version": Self.formatVersion,
            "training_config": String(decoding: try Self.encoder.encode(configuration), as: UTF8.self),
            "trainer_state": String(decoding: try Self.encoder.encode(state), as: UTF8.self),
            "data_sha256": dataDigest,
            "numerics_version": String(RunFingerprint.numericsVersion),
        ]
        try SafeTensors(entries: entries(), metadata: metadata).write(to: url)
    }

    /// The training configuration saved in `url`, and whether the file is a multimodal checkpoint.
    /// - Throws: `CheckpointError.badMetadata` for a file of another format or version.
    static func savedConfiguration(in url: URL) throws -> (configuration: MultimodalTrainingConfiguration, dataDigest: String?) {
        let file = try SafeTensors.read(from: url)
        return try savedConfiguration(file, name: url.path)
    }

    static func savedConfiguration(_ file: SafeTensors, name: String) throws -> (configuration: MultimodalTrainingConfiguration, dataDigest: String?) {
        guard file.metadata["format"] == formatName, file.metadata["format_version"] == formatVersion else {
            throw CheckpointError.badMetadata("\(name) is not a multimodal checkpoint of version \(formatVersion) "
                                              + "(format \(file.metadata["format"] ?? "none"), version \(file.metadata["format_version"] ?? "none"))")
        }
        guard let text = file.metadata["training_config"],
              let configuration = try? JSONDecoder().decode(MultimodalTrainingConfiguration.self, from: Data(text.utf8)) else {
            throw CheckpointError.badMetadata("\(name) has no valid training_config")
        }
        return (configuration, file.metadata["data_sha256"])
    }

    /// The run saved in `url`, read back on `data`: the weights, Adam's moments, the generators
    /// and the history, with the epochs and updates it has done.
    fileprivate static func resumed(from url: URL, data: MultimodalDataset) throws -> (task: MultimodalTraining, epoch: Int, step: Int) {
        let file = try SafeTensors.read(from: url)
        let (configuration, digest) = try savedConfiguration(file, name: url.path)
        let task = try MultimodalTraining(configuration, data: data)
        guard digest == task.dataDigest else {
            throw CheckpointError.badMetadata("\(url.path) was trained on other data (digest \(digest ?? "none"), this data \(task.dataDigest))")
        }
        guard let text = file.metadata["trainer_state"], let state = try? JSONDecoder().decode(State.self, from: Data(text.utf8)) else {
            throw CheckpointError.badMetadata("\(url.path) has no valid trainer_state")
        }
        try loadStateDict(file.entries, into: task.model.parameters + task.model.buffers)
        let buffers = try OptimizerMoments.buffers(for: task.model.parameters, bufferNames: task.adam.bufferNames) { file[$0] }
        try task.adam.restore(from: OptimizerState(kind: "Adam", stepCount: state.optimizerSteps,
                                                   learningRate: task.schedule.learningRate(atStep: max(state.step - 1, 0)),
                                                   parameterNames: task.model.parameters.map(\.name), buffers: buffers))
        task.noise = try RandomSource(state: state.noise)
        task.binarization = try RandomSource(state: state.binarization)
        task.history = state.history
        task.model.isTraining = false
        return (task, state.history.count, state.step)
    }
}

/// The multimodal VAE's trainer as chapter 11 and `vae train-multimodal` use it.
public extension ModelTrainer where Task == MultimodalTraining {
    var configuration: MultimodalTrainingConfiguration { task.configuration }
    var model: MultimodalVAE { task.model }
    var data: MultimodalDataset { task.data }
    var history: [MultimodalEpoch] { task.history }

    /// A new run: weights from the seed.
    /// - Throws: `VAEConfigurationError` for settings that cannot train, or data of other modalities or pairings.
    convenience init(_ configuration: MultimodalTrainingConfiguration, data: MultimodalDataset) throws {
        try self.init(MultimodalTraining(configuration, data: data))
    }

    /// Resumes (or just reloads, when finished) the run saved in `url`, on `data`.
    /// - Throws: `CheckpointError` for a file of another format, another data set, a missing or
    ///   misshapen tensor, or a corrupt state.
    convenience init(resumingFrom url: URL, data: MultimodalDataset) throws {
        let (task, epoch, step) = try MultimodalTraining.resumed(from: url, data: data)
        do { try self.init(task, epoch: epoch, step: step) } catch CheckpointError.badMetadata(let reason) {
            throw CheckpointError.badMetadata("\(url.path): \(reason)")
        }
    }

    /// What decides a multimodal run's trained weights, hashed as `RunFingerprint` hashes a VAE's:
    /// the format, the data's digest, the training configuration and the version of the arithmetic.
    /// A file saved before it recorded `numerics_version` was trained under version 2.
    static func fingerprint(_ configuration: MultimodalTrainingConfiguration, dataDigest: String?,
                            numericsVersion: Int = RunFingerprint.numericsVersion) throws -> String {
        let text = "\(MultimodalTraining.formatName) \(MultimodalTraining.formatVersion)\ndata \(dataDigest ?? "none")\ntraining "
            + String(decoding: try MultimodalTraining.encoder.encode(configuration), as: UTF8.self) + "\nnumerics \(numericsVersion)"
        return SHA256.hash(Array(text.utf8)).hex
    }

    /// The fingerprint of the run saved in `url`, nil when it is not a readable multimodal checkpoint.
    static func savedFingerprint(in url: URL) -> String? {
        guard let file = try? SafeTensors.read(from: url), let (configuration, digest) = try? MultimodalTraining.savedConfiguration(file, name: url.path) else {
            return nil
        }
        return try? fingerprint(configuration, dataDigest: digest, numericsVersion: file.metadata["numerics_version"].flatMap { Int($0) } ?? 2)
    }

    /// The trainer of `configuration` on `data` in `folder` (its `checkpoint.safetensors`): the saved
    /// run when it is this one (resumed if unfinished), a new one otherwise. A saved run of other
    /// settings, data or arithmetic, or any run with `retrain`, is set aside under its fingerprint
    /// (`RunStore`) and taken back when asked for again: nothing trained is deleted. Then trains
    /// what is left. The folder is locked (`RunLock`) while it trains. `epochEnded` hears every
    /// epoch of the run: first those a saved run recorded (its history is in the checkpoint, so a
    /// reused run shows the training log it had), then each one trained now.
    static func trainOrReuse(_ configuration: MultimodalTrainingConfiguration, data: MultimodalDataset, in folder: URL,
                                    retrain: Bool = false, log: (String) -> Void,
                                    epochEnded: ((MultimodalEpoch) -> Void)? = nil) throws -> MultimodalTrainer {
        let lock = try RunLock(folder)
        defer { withExtendedLifetime(lock) {} }
        let store = RunStore(folder: folder)
        let url = store.checkpoint
        let wanted = try fingerprint(configuration, dataDigest: data.contentDigest)
        /// How far a saved run is trained, in updates (−1: unreadable).
        func progress(_ file: URL) -> Int {
            (try? SafeTensors.read(from: file)).flatMap { $0.metadata["trainer_state"] }
                .flatMap { try? JSONDecoder().decode(MultimodalTraining.State.self, from: Data($0.utf8)).step } ?? -1
        }
        let run = try store.findOrStart(
            fingerprint: wanted, retrain: retrain, inUse: savedFingerprint(in: url), savedFingerprint: savedFingerprint(in:),
            progress: progress,
            resume: { try ModelTrainer(resumingFrom: $0, data: data) },
            start: { try ModelTrainer(configuration, data: data) },
            report: { event, trainer in
                switch event {
                case .inUse:
                    log(trainer?.isFinished == true ? "reusing the run in \(folder.path): all \(trainer?.epoch ?? 0) epochs trained (--retrain trains it again)"
                                                    : "resuming the run in \(folder.path) after epoch \(trainer?.epoch ?? 0)")
                case .setAsideToRetrain(let aside):
                    log("--retrain: the run in \(folder.path) is set aside as \(aside)")
                case .setAsideAsAnother(let aside):
                    log("\(folder.path) held another run (other settings, data or arithmetic); it is kept as \(aside)")
                case .takenBack(let stored):
                    log("taking back the run set aside in \(stored.path) after epoch \(trainer?.epoch ?? 0)")
                case .started:
                    break
                }
            })
        run.epochEnded = epochEnded.map { heard in { _, record in heard(record) } }
        for recorded in run.history { epochEnded?(recorded) }
        let watch = Stopwatch(), trainsNow = !run.isFinished
        // Counted as training in the chapter's record of where its time went, as the VAE's epochs
        // are (the evaluations inside an epoch count as evaluation).
        try StageClock.measure(.training) { try run.train(checkpoint: url) }
        RunLedger.report(.init(kind: .multimodal, checkpoint: url.path, fingerprint: wanted, epochs: configuration.epochs,
                               trainedHere: trainsNow, trainingSeconds: trainsNow ? watch.elapsedSeconds : 0))
        return run
    }
}
