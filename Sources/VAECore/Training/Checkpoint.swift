import Foundation

/// A training checkpoint: one safetensors file that holds everything to evaluate the model or
/// to resume its training bit-identically.
///
/// Tensors (float32; `num_batches_tracked` int64, as in PyTorch):
///
///     encoder.conv1.weight, encoder.bn1.running_mean, …, decoder.deconv2.bias
///                                           the model's state_dict, under PyTorch's names
///     optimizer.exp_avg.<parameter>         Adam's first moment m of each parameter
///     optimizer.exp_avg_sq.<parameter>      Adam's second moment v of each parameter
///                                           (another optimizer saves its own buffers the same
///                                           way: optimizer.momentum_buffer.<parameter> for SGD
///                                           with momentum, optimizer.square_avg.<parameter> for
///                                           RMSprop, none for plain SGD)
///
/// `__metadata__` (strings; the last three are JSON):
///
///     format            "vae-course-checkpoint"
///     format_version    "1"
///     model_config      VAEConfiguration: {"latentDimensions", "architecture", "likelihood", "classCount"[, "labelCentres"]}
///     training_config   TrainingConfiguration (it embeds the model config too)
///     trainer_state     TrainerState: epoch, step, ε generator, batch iterator (order,
///                       binarization generator, position), the optimizer's kind, step count
///                       and learning rate, and the history
///     data_sha256       SHA-256 of the training set the run saw (`MNIST.contentDigest`)
///     run_fingerprint   `RunFingerprint`: what decides the trained weights, hashed
///
/// and `record.<name>` tensors: what a chapter recorded during training (`Trainer.records`,
/// such as images decoded after each epoch), so that a reused run still has them.
///
/// A file with the model's tensors and `model_config` alone is enough for evaluation
/// (`Checkpoint.loadModel(from:)`); resuming needs the rest. Loading the model tensors into
/// PyTorch: `model.load_state_dict(safetensors.torch.load_file(path), strict=False)` (the
/// optimizer's tensors are the unexpected keys).
public struct Checkpoint {
    /// The version of this layout; readers refuse others.
    static let formatVersion = 1
    /// The value of the `format` key.
    static let formatName = "vae-course-checkpoint"

    /// The metadata keys.
    public enum Key {
        public static let format = "format"
        static let formatVersion = "format_version"
        public static let model = "model_config"
        public static let training = "training_config"
        public static let state = "trainer_state"
        public static let dataDigest = "data_sha256"
        public static let fingerprint = "run_fingerprint"
    }

    /// The prefix of the tensors a trainer recorded (`Trainer.records`).
    static let recordPrefix = "record."

    /// The training set's digest; nil in a file written without it.
    public var dataDigest: String? { tensors.metadata[Key.dataDigest] }
    /// The run's fingerprint; nil in a file written without it.
    public var fingerprint: String? { tensors.metadata[Key.fingerprint] }
    /// The tensors recorded during training, by name (without the prefix).
    public var records: [String: Tensor] {
        Dictionary(tensors.entries.filter { $0.name.hasPrefix(Checkpoint.recordPrefix) }
                       .map { (String($0.name.dropFirst(Checkpoint.recordPrefix.count)), $0.tensor) },
                   uniquingKeysWith: { a, _ in a })
    }

    /// The architecture of the saved model.
    public var model: VAEConfiguration
    /// The run's settings; nil in a model-only file.
    public var training: TrainingConfiguration?
    /// Where the run stood; nil in a model-only file.
    public var state: TrainerState?
    /// Every tensor of the file.
    public var tensors: SafeTensors

    // MARK: Reading

    /// Reads and checks a checkpoint.
    /// - Throws: `SafeTensorsError` for an unreadable or corrupt file; `CheckpointError.badMetadata`
    ///   when it is not a checkpoint of this format.
    public static func read(from url: URL) throws -> Checkpoint {
        try Checkpoint(try SafeTensors.read(from: url), name: url.path)
    }

    /// Interprets parsed safetensors; `name` is used in error messages.
    public init(_ file: SafeTensors, name: String = "the checkpoint") throws {
        let meta = file.metadata
        guard let version = meta[Key.formatVersion] else {
            throw CheckpointError.badMetadata("\(name) has no \(Key.formatVersion): it was not written by the course's trainer")
        }
        guard version == String(Checkpoint.formatVersion) else {
            throw CheckpointError.badMetadata("\(name) has format version \(version); this program reads version \(Checkpoint.formatVersion)")
        }
        model = try Checkpoint.decode(VAEConfiguration.self, meta, Key.model, name, required: true)!
        training = try Checkpoint.decode(TrainingConfiguration.self, meta, Key.training, name, required: false)
        state = try Checkpoint.decode(TrainerState.self, meta, Key.state, name, required: false)
        if let training, training.model != model {
            throw CheckpointError.badMetadata("\(name): \(Key.model) and \(Key.training) describe different models")
        }
        tensors = file
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ meta: [String: String], _ key: String,
                                             _ name: String, required: Bool) throws -> T? {
        guard let text = meta[key] else {
            if required { throw CheckpointError.badMetadata("\(name) has no \(key)") }
            return nil
        }
        do {
            return try Checkpoint.decoder.decode(T.self, from: Data(text.utf8))
        } catch {
            throw CheckpointError.badMetadata("\(name): its \(key) is not a valid \(T.self): \(decodingExplanation(error))")
        }
    }

    /// A model with the saved weights and BatchNorm statistics, in evaluation mode.
    /// - Throws: `CheckpointError` when a tensor is missing or has another shape.
    public func makeModel() throws -> VAE {
        var unused = RandomSource(seed: 0)          // the initial weights are all replaced
        let vae = try VAE(model, using: &unused)
        try vae.load(stateDict: tensors.entries)
        vae.isTraining = false
        return vae
    }

    /// The model saved in `url`, in evaluation mode, its architecture taken from the metadata.
    public static func loadModel(from url: URL) throws -> VAE {
        try read(from: url).makeModel()
    }

    /// The optimizer's state for `parameters`: its buffers named `bufferNames` from the tensors,
    /// scalars from `state`.
    func optimizerState(for parameters: [Parameter], buffers bufferNames: [String]) throws -> OptimizerState {
        guard let saved = state?.optimizer else { throw CheckpointError.badMetadata("no optimizer state") }
        let byName = Dictionary(tensors.entries.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        let buffers = try OptimizerMoments.buffers(for: parameters, bufferNames: bufferNames) { byName[$0] }
        return OptimizerState(kind: saved.kind, stepCount: saved.stepCount,
                              learningRate: Float(bitPattern: saved.learningRateBits),
                              parameterNames: parameters.map(\.name), buffers: buffers)
    }

    // MARK: Writing

    /// A model-only file: the state_dict and the architecture, enough for evaluation and sampling
    /// (`Checkpoint.loadModel(from:)`), not for resuming. `extra` adds metadata keys.
    static func modelFile(_ model: VAE, extra: [String: String] = [:]) throws -> SafeTensors {
        var metadata = extra
        metadata[Key.format] = formatName
        metadata[Key.formatVersion] = String(formatVersion)
        metadata[Key.model] = try json(model.configuration)
        return SafeTensors(entries: model.stateDict(), metadata: metadata)
    }

    /// The safetensors file of a trainer's state.
    static func file(model: VAE, configuration: TrainingConfiguration, state: TrainerState,
                     optimizer: OptimizerState, bufferNames: [String], dataDigest: String?,
                     records: [String: Tensor]) throws -> SafeTensors {
        var entries = model.stateDict()
        entries += OptimizerMoments.entries(of: optimizer, parameters: model.parameters, bufferNames: bufferNames)
        for name in records.keys.sorted() {
            entries.append(SafeTensors.Entry(name: recordPrefix + name, tensor: records[name]!))
        }
        var metadata = [
            Key.format: formatName,
            Key.formatVersion: String(formatVersion),
            Key.model: try json(model.configuration),
            Key.training: try json(configuration),
            Key.state: try json(state),
        ]
        if let dataDigest {
            metadata[Key.dataDigest] = dataDigest
            metadata[Key.fingerprint] = try RunFingerprint(configuration: configuration, dataDigest: dataDigest).value
        }
        return SafeTensors(entries: entries, metadata: metadata)
    }

    /// Compact, key-sorted JSON: the same state gives the same bytes.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}

/// Where a run stands, besides its tensors: saved as JSON in the checkpoint's `trainer_state`.
public struct TrainerState: Codable, Equatable, Sendable {
    /// Epochs finished.
    public var epoch: Int
    /// Updates taken.
    public var step: Int
    /// The generator of ε.
    public var noise: RandomSource.State
    /// The batch order and the binarization generator.
    public var batches: BatchIterator.State
    /// The optimizer's scalar state (its buffers are tensors).
    public var optimizer: OptimizerScalars
    public var history: TrainingHistory

    /// An optimizer's state without its buffers.
    public struct OptimizerScalars: Codable, Equatable, Sendable {
        public var kind: String
        var stepCount: Int
        /// The learning rate's bit pattern, exact.
        var learningRateBits: UInt32

        init(_ state: OptimizerState) {
            kind = state.kind
            stepCount = state.stepCount
            learningRateBits = state.learningRate.bitPattern
        }
    }
}
