import Foundation

/// The trained runs a program used, each once: which file, which fingerprint, and whether it was
/// trained in this process (and for how long) or reused.
///
/// The course's runs are reported here when a finished one is handed back: `Trainer.train` (the
/// VAEs), `MultimodalTrainer.trainOrReuse` and `DigitClassifier.loadOrTrain`. `figures`
/// reads what each chapter used, so that the course can say, before a run starts, which runs it
/// will train and which it will reuse (`CoursePlan`): when the environment variable
/// `VAE_RUN_LEDGER` names a file, the entries so far are rewritten to it (atomically, as JSON)
/// after each report.
public struct RunLedger: Sendable {
    /// One run that a program used.
    public struct Entry: Codable, Equatable, Sendable {
        /// Which trainer's files these are: how to read a fingerprint back from one.
        public enum Kind: String, Codable, Sendable {
            case vae, multimodal, classifier
        }

        public var kind: Kind
        /// The run's file (`checkpoint.safetensors` in its folder, or the classifier's file).
        public var checkpoint: String
        /// What decides the run's weights: `RunFingerprint` for a VAE, the multimodal trainer's
        /// fingerprint, the classifier's settings hash.
        public var fingerprint: String
        /// Epochs the run is trained for (0 where the trainer does not count epochs).
        public var epochs: Int
        /// Whether this process trained it (all of it, or the epochs a stopped run had left),
        /// rather than finding it trained.
        public var trainedHere: Bool
        /// Seconds its training took: the epochs' own recorded seconds where the trainer keeps
        /// them (a VAE's `epoch_seconds`, so a reused or resumed run still knows), else those spent
        /// in this process (0 for a run reused as it was).
        public var trainingSeconds: Double

        public init(kind: Kind, checkpoint: String, fingerprint: String, epochs: Int, trainedHere: Bool, trainingSeconds: Double) {
            self.kind = kind
            self.checkpoint = checkpoint
            self.fingerprint = fingerprint
            self.epochs = epochs
            self.trainedHere = trainedHere
            self.trainingSeconds = trainingSeconds
        }
    }

    /// The entries, in the order the runs were first used.
    public private(set) var entries: [Entry] = []

    public init() {}

    /// Adds `entry`; a second report of the same file and fingerprint (a run trained, then
    /// reused by the same program) leaves one entry, trained here if either says so, with the
    /// larger training time.
    public mutating func add(_ entry: Entry) {
        if let index = entries.firstIndex(where: { $0.checkpoint == entry.checkpoint && $0.fingerprint == entry.fingerprint }) {
            entries[index].trainedHere = entries[index].trainedHere || entry.trainedHere
            entries[index].trainingSeconds = max(entries[index].trainingSeconds, entry.trainingSeconds)
        } else {
            entries.append(entry)
        }
    }

    /// The environment variable naming the file the process's ledger is written to.
    public static let environmentVariable = "VAE_RUN_LEDGER"

    nonisolated(unsafe) private static var shared = RunLedger()
    private static let lock = NSLock()
    private static let file: URL? = ProcessInfo.processInfo.environment[environmentVariable]
        .flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }

    /// Reports a run this process used (see the type's notes). The file is a convenience for
    /// `figures`: one that cannot be written does not stop the caller.
    public static func report(_ entry: Entry) {
        lock.lock()
        shared.add(entry)
        let entries = shared.entries
        lock.unlock()
        if let file, let data = try? JSONEncoder().encode(entries) { try? AtomicFile.write(data, to: file) }
    }

    /// The entries a ledger file holds (empty when there is none: a program that used no run).
    /// - Throws: when the file exists but is not a ledger.
    public static func read(from url: URL) throws -> [Entry] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        do {
            return try JSONDecoder().decode([Entry].self, from: Data(contentsOf: url))
        } catch {
            throw UnreadableLedger(description: "the run ledger \(url.path) cannot be read: \(decodingExplanation(error))")
        }
    }

    /// A ledger file that is not one.
    public struct UnreadableLedger: Error, CustomStringConvertible {
        public let description: String
    }

    /// Whether the run of `entry` is there, finished, to be reused: in its file, or set aside
    /// beside it under its fingerprint (`RunStore`), where its trainer would take it back from.
    public static func isAvailable(_ entry: Entry, at checkpoint: URL) -> Bool {
        let store = RunStore(checkpoint: checkpoint)
        return [checkpoint, store.setAsideURL(fingerprint: entry.fingerprint)].contains {
            FileManager.default.fileExists(atPath: $0.path) && finishedFingerprint(of: entry.kind, in: $0) == entry.fingerprint
        }
    }

    /// The fingerprint of the finished run saved in `url` by a trainer of `kind`; nil when the file
    /// is unreadable, of another kind, or (a VAE's) not trained to its last epoch.
    static func finishedFingerprint(of kind: Entry.Kind, in url: URL) -> String? {
        switch kind {
        case .vae:
            guard let saved = try? Checkpoint.read(from: url), let epochs = saved.training?.epochs,
                  (saved.state?.epoch ?? 0) >= epochs else { return nil }
            return saved.fingerprint
        case .multimodal:
            return MultimodalTrainer.savedFingerprint(in: url)
        case .classifier:
            return (try? DigitClassifier.load(from: url))?.settings.hash
        }
    }
}
