import Foundation

/// What decides a run's trained weights, hashed: the training configuration (which embeds the
/// model's description), the training data's SHA-256 and the checkpoint format version. Two runs
/// with the same fingerprint train bit for bit the same weights, so a finished one can stand in
/// for the other.
public struct RunFingerprint: Equatable, Sendable, CustomStringConvertible {
    /// 64 hex digits.
    public let value: String

    /// The version of the training arithmetic. The fingerprint cannot see the code, so a change
    /// that alters what training computes (a kernel's rounding, an initialisation) must raise
    /// this number, or old runs and their measurements would pass for new ones. Version 1 adds
    /// nothing to the hash, so runs fingerprinted before the number existed stay valid.
    ///
    /// Version 2: the GEMM micro-kernels' edge tiles store with a fused multiply-add (the AVX-512
    /// 8×32 tile and the 6×16 one give the same bits), batch norm sums over the batch-minor layout
    /// in another order, and the Bernoulli log-likelihood runs on eight-lane exp and log1p.
    public static let numericsVersion = 2

    /// The version of ELU's and Swish's arithmetic, hashed only for a model that has one of
    /// them, so that a change to those two layers retrains their runs and leaves every other
    /// run's fingerprint as it was. Version 1 (the C library's exp, one element at a time) adds
    /// nothing to the hash.
    ///
    /// Version 2: both layers run on eight-lane exp (`VectorMath`), forward and backward.
    static let exponentialActivationsVersion = 2

    public init(configuration: TrainingConfiguration, dataDigest: String) throws {
        try self.init(configuration: configuration, dataDigest: dataDigest, numericsVersion: RunFingerprint.numericsVersion)
    }

    /// The fingerprint a run had, or has, under a given version of the arithmetic (tests pin the
    /// fingerprints of version 1 with it).
    init(configuration: TrainingConfiguration, dataDigest: String, numericsVersion: Int) throws {
        var text = "format \(Checkpoint.formatVersion)\ndata \(dataDigest)\ntraining \(try Checkpoint.json(configuration))"
        if numericsVersion > 1 { text += "\nnumerics \(numericsVersion)" }
        if numericsVersion > 1, configuration.model.architecture.contains([.elu, .swish]) {
            text += "\nexponential activations \(RunFingerprint.exponentialActivationsVersion)"
        }
        value = SHA256.hash(Array(text.utf8)).hex
    }

    /// The first 12 digits: enough to tell runs apart in a log line or a file name.
    public var short: String { String(value.prefix(12)) }
    public var description: String { short }
}

extension MNIST {
    /// SHA-256 of the images' Float bits and the labels: what `RunFingerprint` calls the data.
    /// - Complexity: one hash pass over N·(4·H·W + 1) bytes (about 0.6 s for MNIST's training set)
    ///   the first time; copies of the same value share the result.
    public var contentDigest: String {
        digest.value {
            var hash = SHA256()
            images.withUnsafeBufferPointer { hash.update(UnsafeRawBufferPointer($0)) }
            hash.update(labels)
            return hash.finalize().hex
        }
    }
}

/// A value computed at most once and shared by every copy of the struct that holds it, safely
/// from several threads: `MNIST.contentDigest`'s memory.
final class DigestCache: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: String?

    /// The stored value, or `compute()`'s result, stored for next time.
    func value(_ compute: () -> String) -> String {
        lock.lock(); defer { lock.unlock() }
        if let stored { return stored }
        let computed = compute()
        stored = computed
        return computed
    }
}

/// A training run in a folder, reused when it matches: what every chapter calls instead of
/// training from scratch.
///
/// `TrainingRun.trainer(for:in:trainingSet:)` looks at `folder/checkpoint.safetensors`:
/// - the same fingerprint, every epoch done: the trainer comes back finished, and `train` does
///   nothing; the chapter goes on with the saved model, history and records;
/// - the same fingerprint, some epochs done: the run resumes where it stopped (bit-identical to
///   an uninterrupted one);
/// - another fingerprint (other settings, other data, an older format): that run is kept, renamed
///   to `checkpoint-<fingerprint>.safetensors` beside it, and a run of this fingerprint is taken
///   from such a file if one is there, or started afresh. Nothing trained is ever overwritten.
///
/// One line on `log` says which of these happened and how the run was trained.
public enum TrainingRun {
    /// The checkpoint of the run in `folder`.
    public static func checkpoint(in folder: URL) -> URL {
        RunStore(folder: folder).checkpoint
    }

    /// A trainer for `configuration` in `folder`: reused, resumed or new (see the type's notes).
    /// - Parameters:
    ///   - retrain: start afresh even when a matching run is there (the old one is set aside).
    ///   - log: where the line that says what happened goes.
    /// - Throws: `TrainingConfigurationError` for a bad configuration; `AtomicFileError` when the
    ///   folder cannot be written or another process is training in it (the trainer holds the
    ///   folder's `RunLock` as long as it lives).
    public static func trainer(for configuration: TrainingConfiguration, in folder: URL, trainingSet: MNIST,
                               retrain: Bool = false, log: (String) -> Void) throws -> Trainer {
        try configuration.validate()
        let lock = try RunLock(folder)                        // one owner per run folder
        let trainer = try findOrStart(configuration, in: folder, trainingSet: trainingSet, retrain: retrain, log: log)
        trainer.lock = lock
        return trainer
    }

    private static func findOrStart(_ configuration: TrainingConfiguration, in folder: URL, trainingSet: MNIST,
                                    retrain: Bool, log: (String) -> Void) throws -> Trainer {
        let digest = try Trainer.trainingData(trainingSet, configuration).contentDigest
        let fingerprint = try RunFingerprint(configuration: configuration, dataDigest: digest)
        let store = RunStore(folder: folder)
        let runName = "\(folder.path) [\(fingerprint.short)]"
        // The run in use, read before it may be set aside, for the words of what differs.
        let saved = FileManager.default.fileExists(atPath: store.checkpoint.path) ? try? Checkpoint.read(from: store.checkpoint) : nil
        return try store.findOrStart(
            fingerprint: fingerprint.value, retrain: retrain, inUse: saved?.fingerprint,
            savedFingerprint: { (try? Checkpoint.read(from: $0))?.fingerprint },
            progress: { (try? Checkpoint.read(from: $0))?.state?.epoch ?? -1 },
            resume: { try Trainer(resumingFrom: $0, trainingSet: trainingSet) },
            start: {
                let trainer = try Trainer(configuration: configuration, trainingSet: trainingSet)
                trainer.dataDigest = digest
                return trainer
            },
            report: { event, trainer in
                switch event {
                case .inUse:
                    if let trainer, trainer.isFinished {
                        log("reusing the run in \(runName): \(describe(configuration)), all \(trainer.epoch) epochs trained (--retrain trains it again)")
                    } else {
                        log("resuming the run in \(runName) after epoch \(trainer?.epoch ?? 0) of \(configuration.epochs)")
                    }
                case .setAsideToRetrain(let aside):
                    log("--retrain: the run in \(folder.path) is set aside as \(aside)")
                case .setAsideAsAnother(let aside):
                    log("\(folder.path) held another run (\(difference(saved, configuration, digest))); it is kept as \(aside)")
                case .takenBack(let stored):
                    log("taking back the run set aside in \(stored.path): \(describe(configuration)), \(trainer?.epoch ?? 0) of \(configuration.epochs) epochs trained")
                case .started:
                    log("training a new run in \(runName): \(describe(configuration))")
                }
            })
    }

    /// "reference architecture, 20 latent dimensions, bernoulli likelihood; 30 epochs of 60000 images, batch 128, seed 1",
    /// followed by the optimizer, free bits, static binarization and the importance-weighted
    /// objective when they are not the defaults.
    public static func describe(_ c: TrainingConfiguration) -> String {
        var text = "\(c.model.summary); \(c.epochs) epoch\(c.epochs == 1 ? "" : "s") of \(c.subset.map(String.init) ?? "all") images, batch \(c.batchSize), seed \(c.seed)"
        if c.optimizer != .default { text += ", \(c.optimizer.summary)" }
        if let freeBits = c.freeBits { text += ", free bits \(freeBits) nats per dimension" }
        if c.binarization != .dynamic { text += ", \(c.binarization.rawValue) binarization" }
        if c.usesImportanceWeighting { text += ", \(importanceSummary(c))" }
        return text
    }

    /// "importance-weighted bound k = 5, IWAE gradient": the training objective of a run that is
    /// not trained on the ELBO.
    public static func importanceSummary(_ c: TrainingConfiguration) -> String {
        "importance-weighted bound k = \(c.importanceSamples), \(c.importanceEstimator.displayName) gradient"
    }

    /// What differs between a saved run and the one asked for, in words.
    static func difference(_ saved: Checkpoint?, _ configuration: TrainingConfiguration, _ digest: String) -> String {
        guard let saved else { return "unreadable as a checkpoint of this format" }
        guard let training = saved.training else { return "a model without its training settings" }
        var parts: [String] = []
        if training.model != configuration.model { parts.append("another model: \(training.model.summary)") }
        if training.epochs != configuration.epochs { parts.append("\(training.epochs) epochs, not \(configuration.epochs)") }
        if training.subset != configuration.subset {
            parts.append("\(training.subset.map(String.init) ?? "all") training images, not \(configuration.subset.map(String.init) ?? "all")")
        }
        if training.seed != configuration.seed { parts.append("seed \(training.seed), not \(configuration.seed)") }
        if training.kl != configuration.kl { parts.append("another KL schedule") }
        if training.optimizer != configuration.optimizer {
            parts.append("\(training.optimizer.summary), not \(configuration.optimizer.summary)")
        }
        if training.freeBits != configuration.freeBits { parts.append("other free bits") }
        if training.binarization != configuration.binarization {
            parts.append("\(training.binarization.rawValue) binarization, not \(configuration.binarization.rawValue)")
        }
        if training.importanceSamples != configuration.importanceSamples || training.importanceEstimator != configuration.importanceEstimator {
            let words = { (c: TrainingConfiguration) in c.usesImportanceWeighting ? importanceSummary(c) : "the ELBO" }
            parts.append("\(words(training)), not \(words(configuration))")
        }
        if parts.isEmpty && training != configuration { parts.append("other optimiser or history settings") }
        if let savedDigest = saved.dataDigest, savedDigest != digest { parts.append("other training data") }
        if saved.fingerprint == nil { parts.append("written before runs had fingerprints") }
        return parts.isEmpty ? "another fingerprint" : parts.joined(separator: "; ")
    }
}

/// Measurements of one trained run, kept beside its checkpoint in `measurements-<fingerprint>.json`,
/// so that a reused run does not measure again what only depends on its weights and fixed seeds
/// (an importance-weighted NLL at k = 1000 costs minutes; the same run gives the same number).
///
/// Each measurement is stored under a name that says everything it depends on besides the
/// weights ("nll k=1000 images=1000 seed=13"); the file belongs to one fingerprint, so a run
/// trained with other settings never sees another's numbers. Writes are atomic.
public struct RunMeasurements {
    public let file: URL

    /// The measurements of the run in `folder` whose fingerprint is `fingerprint`.
    public init(folder: URL, fingerprint: String) {
        file = folder.appendingPathComponent("measurements-\(fingerprint.prefix(12)).json")
    }

    /// The measurements of `trainer`'s run in `folder`; nil when the run has no fingerprint (a
    /// trainer not made by `TrainingRun`).
    public init?(trainer: Trainer, folder: URL) {
        guard let digest = trainer.dataDigest,
              let fingerprint = try? RunFingerprint(configuration: trainer.configuration, dataDigest: digest) else { return nil }
        self.init(folder: folder, fingerprint: fingerprint.value)
    }

    /// The measurements of the run saved in `checkpoint` (a VAE's or a multimodal VAE's), kept in
    /// its folder; nil when the file records no fingerprint, or is not a checkpoint of either kind.
    public init?(checkpoint: URL) {
        guard let fingerprint = (try? Checkpoint.read(from: checkpoint))?.fingerprint
                ?? MultimodalTrainer.savedFingerprint(in: checkpoint) else { return nil }
        self.init(folder: checkpoint.deletingLastPathComponent(), fingerprint: fingerprint)
    }

    /// The names of every value saved so far (none when there is no file yet).
    public var names: [String] { Array(savedTexts().keys).sorted() }

    /// The value saved under `name`, or nil when there is none (or it is not a `T`): reading
    /// only, for a program that shows what a chapter measured.
    public func saved<T: Decodable>(_ name: String, as type: T.Type = T.self) -> T? {
        savedTexts()[name].flatMap { try? Checkpoint.decoder.decode(T.self, from: Data($0.utf8)) }
    }

    private func savedTexts() -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(contentsOf: file))) ?? [:]
    }

    /// The value saved under `name`, or `compute()`'s, saved for next time. `reused` says which.
    public func value<T: Codable>(_ name: String, compute: () throws -> T) throws -> (value: T, reused: Bool) {
        var saved = savedTexts()
        if let text = saved[name], let value = try? Checkpoint.decoder.decode(T.self, from: Data(text.utf8)) {
            return (value, true)
        }
        let value = try compute()
        saved[name] = try Checkpoint.json(value)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try AtomicFile.write(try encoder.encode(saved), to: file)
        return (value, false)
    }
}
