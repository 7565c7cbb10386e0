import Foundation

/// Saving and loading the classifier as a safetensors file: its `state_dict` under PyTorch's
/// names, plus metadata (all strings, as the format requires):
///
///     "format":        "vae-course digit classifier 1"
///     "architecture":  DigitClassifierArchitecture as JSON
///     "training":      DigitClassifierTraining as JSON
///     "report":        DigitClassifierReport as JSON (test accuracy, training time, …)
///     "numerics":      `RunFingerprint.numericsVersion` of the arithmetic that trained it, e.g. "2"
///     "test_accuracy": the test accuracy alone, e.g. "0.9935", for a quick look
extension DigitClassifier {
    /// The value of the "format" metadata key.
    static let checkpointFormat = "vae-course digit classifier 1"

    /// The model's tensors under PyTorch's `state_dict` names, parameters then buffers.
    func stateDict() -> [SafeTensors.Entry] { stateDictEntries(of: parameters + buffers) }

    /// Loads every parameter and buffer from `entries` by name. Throws, changing nothing, when a
    /// name is missing, a size differs or a value is not finite.
    public func load(stateDict entries: [SafeTensors.Entry]) throws {
        try loadStateDict(entries, into: parameters + buffers)
    }

    /// Writes the checkpoint atomically (a temporary file renamed over `url`), creating the folder.
    public func save(to url: URL) throws {
        try save(to: url, moments: [], progress: nil)
    }

    /// Writes the checkpoint, with, for a run not yet finished (`DigitClassifierTrainer`), the
    /// optimizer's moments as extra tensors and where the run stands as the `progress` metadata.
    func save(to url: URL, moments: [SafeTensors.Entry], progress: String?) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        var metadata = ["format": Self.checkpointFormat, "architecture": try json(architecture)]
        if let training { metadata["training"] = try json(training) }
        if let numericsVersion { metadata["numerics"] = String(numericsVersion) }
        if let report {
            metadata["report"] = try json(report)
            metadata["test_accuracy"] = String(format: "%.4f", report.testAccuracy)
        }
        if let progress { metadata["progress"] = progress }
        try SafeTensors(entries: stateDict() + moments, metadata: metadata).write(to: url)
    }

    /// Reads a checkpoint written by `save(to:)`: builds the architecture its metadata names and
    /// loads the weights, in evaluation mode.
    /// - Throws: `DigitClassifierError.badCheckpoint` saying what is wrong (unreadable, not a
    ///   classifier checkpoint, an unfinished training run, bad metadata, missing or mis-shaped
    ///   tensors).
    public static func load(from url: URL) throws -> DigitClassifier {
        let file: SafeTensors
        do { file = try SafeTensors.read(from: url) } catch { throw DigitClassifierError.badCheckpoint(path: url.path, reason: "\(error)") }
        if let progress = try savedProgress(file, url: url) {
            let epochs = (try? load(file, url: url))?.training.map { " of \($0.epochs)" } ?? ""
            throw DigitClassifierError.badCheckpoint(
                path: url.path, reason: "it is a training run stopped after epoch \(progress.epoch)\(epochs), not a finished classifier "
                    + "(`DigitClassifier.loadOrTrain` at this path resumes it)")
        }
        return try load(file, url: url)
    }

    /// The classifier in `file` (read from `url`, named in errors), finished or not.
    static func load(_ file: SafeTensors, url: URL) throws -> DigitClassifier {
        func bad(_ reason: String) -> DigitClassifierError { .badCheckpoint(path: url.path, reason: reason) }
        guard file.metadata["format"] == checkpointFormat else {
            throw bad("its metadata \"format\" is \(file.metadata["format"].map { "\"\($0)\"" } ?? "missing"), "
                      + "not \"\(checkpointFormat)\"")
        }
        let decoder = JSONDecoder()
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T? {
            guard let text = file.metadata[key] else { return nil }
            do { return try decoder.decode(type, from: Data(text.utf8)) } catch {
                throw bad("metadata \"\(key)\" is not valid: \(error)")
            }
        }
        guard let architecture = try decode(DigitClassifierArchitecture.self, "architecture") else {
            throw bad("metadata \"architecture\" is missing")
        }
        var random = RandomSource(seed: 0)   // overwritten by the load
        let model: DigitClassifier
        do {
            model = try DigitClassifier(architecture, using: &random)
            try model.load(stateDict: file.entries)
        } catch {
            throw bad("\(error)")
        }
        model.training = try decode(DigitClassifierTraining.self, "training")
        model.report = try decode(DigitClassifierReport.self, "report")
        model.numericsVersion = try decode(Int.self, "numerics")
        model.isTraining = false
        return model
    }

    /// Where the training run saved in `file` stands, when it is unfinished (nil for a finished classifier).
    /// - Throws: `DigitClassifierError.badCheckpoint` when its `progress` metadata is not valid.
    static func savedProgress(_ file: SafeTensors, url: URL) throws -> ClassifierTraining.Progress? {
        guard let text = file.metadata["progress"] else { return nil }
        do { return try JSONDecoder().decode(ClassifierTraining.Progress.self, from: Data(text.utf8)) } catch {
            throw DigitClassifierError.badCheckpoint(path: url.path, reason: "metadata \"progress\" is not valid: \(error)")
        }
    }

    /// How far below its recorded test accuracy a loaded classifier may measure (0.5%, 50 of
    /// 10,000 images: room for a change of kernels' rounding, none for other weights).
    static let recordedAccuracyTolerance = 0.005

    /// The settings that decide a judge's weights, as `loadOrTrain` compares them: the
    /// architecture, the training settings and the version of the training arithmetic
    /// (`RunFingerprint.numericsVersion`; nil for a file saved before it was recorded).
    public struct Settings: Equatable, Sendable {
        public var architecture: DigitClassifierArchitecture
        public var training: DigitClassifierTraining?
        public var numericsVersion: Int?

        public init(architecture: DigitClassifierArchitecture, training: DigitClassifierTraining?, numericsVersion: Int?) {
            self.architecture = architecture
            self.training = training
            self.numericsVersion = numericsVersion
        }

        /// The first 12 hex digits of the SHA-256 of the three, as key-sorted JSON: the name a
        /// judge of these settings is set aside under, `classifier-<hash>.safetensors`.
        public var hash: String {
            let text = "architecture \((try? Checkpoint.json(architecture)) ?? "?")\n"
                + "training \(training.flatMap { try? Checkpoint.json($0) } ?? "unknown")\n"
                + "numerics \(numericsVersion.map(String.init) ?? "unknown")"
            return String(SHA256.hash(Array(text.utf8)).hex.prefix(12))
        }

        /// What differs from `asked`, in words ("other training settings; trained by numerics
        /// version 1, not 2").
        func difference(from asked: Settings) -> String {
            var parts: [String] = []
            if architecture != asked.architecture { parts.append("another architecture") }
            if training != asked.training {
                parts.append(training == nil ? "no record of its training settings" : "other training settings")
            }
            if numericsVersion != asked.numericsVersion {
                parts.append(numericsVersion.map { "trained by numerics version \($0), not \(asked.numericsVersion.map(String.init) ?? "?")" }
                             ?? "no record of the numerics version (an older file)")
            }
            return parts.joined(separator: "; ")
        }
    }

    /// This classifier's settings, as saved with it.
    public var settings: Settings {
        Settings(architecture: architecture, training: training, numericsVersion: numericsVersion)
    }

    /// The classifier saved at `url` when that file is a valid checkpoint of `architecture`,
    /// trained with `training` by this version of the arithmetic (`RunFingerprint.numericsVersion`),
    /// whose recorded test accuracy reaches `minimumAccuracy` and is reproduced on the test images
    /// of `data` (measured again at every load); otherwise a new one trained on the MNIST files
    /// in `data` (see `DigitClassifierTrainer`) and saved at `url`.
    ///
    /// The run is saved after every epoch, so a training stopped half way (the program killed, the
    /// machine shut down) resumes from its last epoch at the next call, and ends with the bits an
    /// uninterrupted run has.
    ///
    /// A file of other settings (or older, without them) is never overwritten: it is set aside as
    /// `<name>-<hash of its settings>.safetensors` beside `url`, and taken back from there when
    /// its settings are asked for again. A file that cannot be read, or whose recorded accuracy
    /// is below `minimumAccuracy`, is set aside under a name of its own.
    ///
    /// Chapters call this with `runs/classifier/classifier.safetensors` under the package root,
    /// so the classifier is trained once (a few minutes) and then loaded in well under a second.
    /// - Throws: data and training errors; `DigitClassifierError.belowMinimumAccuracy` (nothing
    ///   saved) when a new classifier misses `minimumAccuracy`; `.badCheckpoint` (the file left as
    ///   it is) when a saved one does not reproduce its recorded accuracy, or is not a classifier at
    ///   all; write errors, before any training.
    public static func loadOrTrain(at url: URL, data: URL = MNIST.bundledDirectory,
                                   architecture: DigitClassifierArchitecture = .standard,
                                   training: DigitClassifierTraining = .standard,
                                   minimumAccuracy: Double = 0.99,
                                   log: (String) -> Void = { _ in }) throws -> DigitClassifier {
        let asked = Settings(architecture: architecture, training: training, numericsVersion: RunFingerprint.numericsVersion)
        let files = FileManager.default
        // A file that is not a classifier checkpoint at all (a VAE's, say) is someone else's:
        // refuse it rather than set it aside.
        if files.fileExists(atPath: url.path) {
            let format = (try? SafeTensors.read(from: url))?.metadata["format"]
            guard format?.hasPrefix("vae-course digit classifier") == true else {
                throw DigitClassifierError.badCheckpoint(
                    path: url.path, reason: "it is not a digit classifier checkpoint (format \(format.map { "\"\($0)\"" } ?? "unreadable")); "
                        + "it is left as it is: choose another path for the classifier")
            }
        } else {
            log("no classifier at \(url.path); training one")
        }
        /// What a file holds, as the reuse rule sees it: its settings' hash when it loads and is
        /// either unfinished or records an accuracy that reaches the minimum; nil (and why)
        /// otherwise. `epochs` says how far it is trained (−1: unreadable).
        func judged(_ file: URL) -> (fingerprint: String?, epochs: Int, why: String) {
            let model: DigitClassifier
            let progress: ClassifierTraining.Progress?
            do {
                let saved = try SafeTensors.read(from: file)
                progress = try savedProgress(saved, url: file)
                model = try load(saved, url: file)
            } catch {
                return (nil, -1, "a classifier that cannot be loaded (\(error))")
            }
            let other = "of other settings (\(model.settings.difference(from: asked)))"
            if let progress {
                return (model.settings.hash, progress.epoch, "an unfinished digit classifier \(other)")
            }
            let epochs = model.training?.epochs ?? 0
            guard let recorded = model.report?.testAccuracy, recorded >= minimumAccuracy else {
                let what = model.report.map { "a recorded test accuracy of \($0.testAccuracy)" } ?? "no recorded test accuracy"
                return (nil, epochs, "a digit classifier with \(what), below the minimum \(minimumAccuracy)")
            }
            return (model.settings.hash, epochs, "a digit classifier \(other)")
        }
        let inUse = files.fileExists(atPath: url.path) ? judged(url) : nil
        var trainedHere = false
        /// Trains `trainer` to the end, saving it after each epoch, then measures it, refuses it
        /// below the minimum (removing its unfinished file: nothing is saved) and saves it.
        func finish(_ trainer: DigitClassifierTrainer) throws -> DigitClassifier {
            let test = try MNIST.load(split: .test, from: data)
            while !trainer.isFinished {
                try trainer.trainEpoch(log: log)
                if !trainer.isFinished { try trainer.saveUnfinished(to: url) }
            }
            trainedHere = true
            let report = try trainer.finish(test: test, log: log)
            guard report.testAccuracy >= minimumAccuracy else {
                if files.fileExists(atPath: url.path) { try files.removeItem(at: url) }
                throw DigitClassifierError.belowMinimumAccuracy(accuracy: report.testAccuracy, minimum: minimumAccuracy)
            }
            try trainer.model.save(to: url)
            log("saved the classifier to \(url.path)")
            trainer.model.memo = JudgeMemo(of: trainer.model, checkpoint: url)
            return trainer.model
        }
        func trainingSet() throws -> MNIST {
            let all = try MNIST.load(split: .train, from: data)
            return training.subset.map { all.prefix($0) } ?? all
        }
        let model = try RunStore(checkpoint: url).findOrStart(
            fingerprint: asked.hash, retrain: false, inUse: inUse?.fingerprint, savedFingerprint: { judged($0).fingerprint },
            progress: { judged($0).epochs },
            resume: { file in
                let saved = try SafeTensors.read(from: file)
                guard let progress = try savedProgress(saved, url: file) else {
                    return try loadMeasured(file, data: data, minimumAccuracy: minimumAccuracy, log: log)
                }
                log("resuming the classifier in \(file.path) after epoch \(progress.epoch) of \(training.epochs)")
                return try finish(try DigitClassifierTrainer(resumingFrom: file, on: try trainingSet()))
            },
            start: {
                // Where the new classifier is saved must be writable before minutes of training, not after.
                try WritableFolder.prepare(url.deletingLastPathComponent(), purpose: "classifier")
                return try finish(try DigitClassifierTrainer(architecture, training: training, on: try trainingSet()))
            },
            report: { event, _ in
                switch event {
                case .setAsideAsAnother(let aside), .setAsideToRetrain(let aside):
                    log("\(url.path) held \(inUse?.why ?? "another classifier"); it is kept as \(aside)")
                case .takenBack(let stored):
                    log("taking back the classifier set aside in \(stored.path)")
                case .inUse, .started:
                    break
                }
            })
        RunLedger.report(.init(kind: .classifier, checkpoint: url.path, fingerprint: asked.hash, epochs: training.epochs,
                               trainedHere: trainedHere, trainingSeconds: model.report?.trainingSeconds ?? 0))
        return model
    }

    /// The classifier saved at `url`, once its recorded test accuracy is reproduced on the test
    /// images of `data`.
    /// - Throws: `DigitClassifierError.badCheckpoint` (the file left as it is) when it does not.
    private static func loadMeasured(_ url: URL, data: URL, minimumAccuracy: Double, log: (String) -> Void) throws -> DigitClassifier {
        let model = try load(from: url)
        let recorded = model.report?.testAccuracy ?? 0
        // A judge is not trusted on its word: the accuracy it records is measured again on
        // the test images (a second or two), and a file that does not reproduce it is refused.
        // (Its verdicts are kept under the hash of these very weights, so a memo never stands in
        // for other weights.)
        model.memo = JudgeMemo(of: model, checkpoint: url)
        let test = try MNIST.load(split: .test, from: data)
        let measured = try model.accuracy(on: test)
        guard measured >= recorded - recordedAccuracyTolerance, measured >= minimumAccuracy else {
            throw DigitClassifierError.badCheckpoint(
                path: url.path, reason: String(format: "it records a test accuracy of %.2f%%, but classifies %.2f%% of the %d test "
                    + "images in %@ correctly: its weights are not the ones that were measured (or the data is another). "
                    + "It is left as it is: remove it to train a new classifier there, or choose another path",
                    100 * recorded, 100 * measured, test.count, data.path))
        }
        log(String(format: "loaded digit classifier from %@ (test accuracy %.2f%%, measured now on %d test images)",
                   url.path, 100 * measured, test.count))
        return model
    }
}
