import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// Trained runs are reused only when they match: the same fingerprint is reused or resumed, any
/// other run is set aside (never overwritten) and taken back when asked for again.
@Suite struct TrainingRunTests {
    static let data = Result { try MNIST.load(split: .test).prefix(256) }

    static func configuration(epochs: Int = 2, seed: UInt64 = 5) -> TrainingConfiguration {
        TrainingConfiguration(model: VAEConfiguration(latentDimensions: 2, channels: [2]), epochs: epochs, batchSize: 64,
                              seed: seed, historyInterval: 1)
    }

    /// Runs `body` with a fresh folder and a log collector.
    static func inFolder(_ body: (URL, (String) -> Void, () -> [String]) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vae-run-tests-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        final class Lines: @unchecked Sendable { var all: [String] = [] }
        let lines = Lines()
        try body(folder, { lines.all.append($0) }, { lines.all })
    }

    /// The data's digest is computed once and shared by copies, and forgotten by a copy whose
    /// images or labels change (otherwise a changed set could be taken for the run of the old one).
    @Test func contentDigestFollowsTheData() {
        var set = MNIST(images: Tensor(shape: [2, 1, 2, 2], scalars: [0, 1, 0, 1, 1, 0, 1, 0]), labels: [0, 1])
        let first = set.contentDigest
        let copy = set
        set.images.scalars[0] = 1
        #expect(set.contentDigest != first)
        #expect(copy.contentDigest == first)
        set.images.withUnsafeMutableBufferPointer { $0[0] = 0 }
        #expect(set.contentDigest == first)
        set.labels[1] = 2
        #expect(set.contentDigest != first)
    }

    static func weights(_ trainer: Trainer) -> [UInt32] {
        (trainer.model.parameters + trainer.model.buffers).flatMap { $0.value.scalars.map(\.bitPattern) }
    }

    /// A run of `configuration` in `folder`, trained to its end, its folder's lock released.
    static func trainedRun(_ configuration: TrainingConfiguration, in folder: URL, _ data: MNIST,
                           log: (String) -> Void) throws -> Trainer {
        let trainer = try TrainingRun.trainer(for: configuration, in: folder, trainingSet: data, log: log)
        try trainer.train(checkpoint: TrainingRun.checkpoint(in: folder))
        trainer.lock = nil
        return trainer
    }

    @Test func aFinishedRunIsReusedAndAHalfDoneOneResumed() throws {
        let data = try Self.data.get()
        try Self.inFolder { folder, log, lines in
            let first = try TrainingRun.trainer(for: Self.configuration(), in: folder, trainingSet: data, log: log)
            #expect(lines().last?.hasPrefix("training a new run") == true)
            try first.train(checkpoint: TrainingRun.checkpoint(in: folder))
            first.lock = nil                               // done with the folder

            let again = try TrainingRun.trainer(for: Self.configuration(), in: folder, trainingSet: data, log: log)
            #expect(again.isFinished && again.epoch == 2)
            #expect(lines().last?.hasPrefix("reusing the run") == true, "\(lines())")
            #expect(Self.weights(again) == Self.weights(first))
            #expect(again.history == first.history)
            // While a trainer holds the folder, nobody else trains there.
            #expect(throws: AtomicFileError.self) {
                try TrainingRun.trainer(for: Self.configuration(), in: folder, trainingSet: data, log: log)
            }
            again.lock = nil

            // Stop a second run after one epoch: the next call resumes it, and the result is the
            // uninterrupted run's, bit for bit.
            let other = folder.appendingPathComponent("other")
            let half = try TrainingRun.trainer(for: Self.configuration(), in: other, trainingSet: data, log: log)
            try half.trainEpoch()
            try half.save(to: TrainingRun.checkpoint(in: other))
            half.lock = nil                                // as if the process had been stopped
            let resumed = try TrainingRun.trainer(for: Self.configuration(), in: other, trainingSet: data, log: log)
            #expect(resumed.epoch == 1)
            #expect(lines().last?.contains("resuming the run") == true)
            try resumed.train(checkpoint: TrainingRun.checkpoint(in: other))
            #expect(Self.weights(resumed) == Self.weights(first))
        }
    }

    @Test func anotherRunIsSetAsideAndTakenBack() throws {
        let data = try Self.data.get()
        try Self.inFolder { folder, log, lines in
            let two = try Self.trainedRun(Self.configuration(epochs: 2), in: folder, data, log: log)
            let twoFingerprint = try RunFingerprint(configuration: Self.configuration(epochs: 2), dataDigest: data.contentDigest)

            // Another epoch count is another run: the first is kept under its fingerprint.
            let three = try TrainingRun.trainer(for: Self.configuration(epochs: 3), in: folder, trainingSet: data, log: log)
            #expect(three.epoch == 0)
            #expect(lines().contains { $0.contains("held another run (2 epochs, not 3)") }, "\(lines())")
            let aside = folder.appendingPathComponent("checkpoint-\(twoFingerprint.short).safetensors")
            #expect(FileManager.default.fileExists(atPath: aside.path))
            try three.train(checkpoint: TrainingRun.checkpoint(in: folder))
            three.lock = nil

            // Asking for the 2-epoch run again takes it back, finished, and sets the 3-epoch one aside.
            let back = try TrainingRun.trainer(for: Self.configuration(epochs: 2), in: folder, trainingSet: data, log: log)
            #expect(back.isFinished)
            #expect(Self.weights(back) == Self.weights(two))
            #expect(lines().last?.hasPrefix("taking back the run") == true, "\(lines())")
            back.lock = nil

            // Other data: never reused.
            let otherData = try TrainingRun.trainer(for: Self.configuration(epochs: 2), in: folder,
                                                    trainingSet: try MNIST.load(split: .test).prefix(192), log: log)
            #expect(otherData.epoch == 0)
            otherData.lock = nil

            // --retrain: the matching run is set aside and a new one starts.
            let retrained = try TrainingRun.trainer(for: Self.configuration(epochs: 3), in: folder, trainingSet: data,
                                                    retrain: true, log: log)
            #expect(retrained.epoch == 0)
        }
    }

    /// A run extended past its planned epochs (its schedule stretched) keeps no fingerprint: no
    /// chapter may take it for a run planned that long.
    @Test func anExtendedRunLosesItsFingerprint() throws {
        let data = try Self.data.get()
        try Self.inFolder { folder, log, _ in
            _ = try Self.trainedRun(Self.configuration(epochs: 1), in: folder, data, log: log)
            let extended = try Trainer(resumingFrom: TrainingRun.checkpoint(in: folder), trainingSet: data, epochs: 2)
            #expect(extended.dataDigest == nil)
            try extended.train(checkpoint: TrainingRun.checkpoint(in: folder))
            #expect(try Checkpoint.read(from: TrainingRun.checkpoint(in: folder)).fingerprint == nil)
            let planned = try TrainingRun.trainer(for: Self.configuration(epochs: 2), in: folder, trainingSet: data, log: log)
            #expect(planned.epoch == 0, "the extended run must not pass for a planned one")
        }
    }

    @Test func recordsTravelWithTheCheckpoint() throws {
        let data = try Self.data.get()
        try Self.inFolder { folder, log, _ in
            let trainer = try TrainingRun.trainer(for: Self.configuration(), in: folder, trainingSet: data, log: log)
            trainer.recordEpoch = { t in
                let row = Tensor(shape: [1, 1], scalars: [Float(t.epoch)])
                t.records["epochs"] = t.records["epochs"].map { Tensor.concatenateRows($0, row) } ?? row
            }
            try trainer.train(checkpoint: TrainingRun.checkpoint(in: folder))
            trainer.lock = nil
            let reused = try TrainingRun.trainer(for: Self.configuration(), in: folder, trainingSet: data, log: log)
            #expect(reused.records["epochs"]?.scalars == [1, 2])
        }
    }

    @Test func theFingerprintCoversSettingsAndData() throws {
        let data = try Self.data.get()
        let base = try RunFingerprint(configuration: Self.configuration(), dataDigest: data.contentDigest)
        #expect(base == (try RunFingerprint(configuration: Self.configuration(), dataDigest: data.contentDigest)))
        #expect(base != (try RunFingerprint(configuration: Self.configuration(seed: 6), dataDigest: data.contentDigest)))
        var gaussian = Self.configuration()
        gaussian.model.likelihood = .gaussian
        #expect(base != (try RunFingerprint(configuration: gaussian, dataDigest: data.contentDigest)))
        #expect(base != (try RunFingerprint(configuration: Self.configuration(), dataDigest: data.prefix(255).contentDigest)))
    }

    @Test func measurementsAreKeptPerFingerprint() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vae-measurements-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = RunMeasurements(folder: folder, fingerprint: String(repeating: "a", count: 64))
        var calls = 0
        let first = try a.value("nll k=10") { calls += 1; return MeanEstimate([1, 2, 3]) }
        let second = try a.value("nll k=10") { calls += 1; return MeanEstimate([9]) }
        #expect(!first.reused && second.reused && calls == 1)
        #expect(second.value == MeanEstimate([1, 2, 3]))
        // Another name, or another run's fingerprint, measures afresh.
        #expect(try a.value("nll k=100") { calls += 1; return 7.0 }.reused == false)
        let b = RunMeasurements(folder: folder, fingerprint: String(repeating: "b", count: 64))
        #expect(try b.value("nll k=10") { calls += 1; return MeanEstimate([4]) }.reused == false)
        #expect(calls == 3)
    }
}

/// The run store's two moves on plain files: set aside under a fingerprint (keeping the further
/// trained of two copies of one run), and take back.
@Suite struct RunStoreTests {
    @Test func setsAsideKeepsTheFurtherCopyAndTakesBack() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("run-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = RunStore(folder: folder)
        let progress: (URL) -> Int = { (try? Int(String(contentsOf: $0, encoding: .utf8))) ?? -1 }
        try "3".write(to: store.checkpoint, atomically: true, encoding: .utf8)
        #expect(try store.setAsideCurrent(fingerprint: "abcdef0123456789", progress: progress) == "checkpoint-abcdef012345.safetensors")
        #expect(!FileManager.default.fileExists(atPath: store.checkpoint.path))
        // A less trained copy of the same run does not replace the kept one; a further one does.
        try "1".write(to: store.checkpoint, atomically: true, encoding: .utf8)
        try store.setAsideCurrent(fingerprint: "abcdef0123456789", progress: progress)
        #expect(progress(store.setAsideURL(fingerprint: "abcdef0123456789")) == 3)
        try "5".write(to: store.checkpoint, atomically: true, encoding: .utf8)
        try store.setAsideCurrent(fingerprint: "abcdef0123456789", progress: progress)
        #expect(progress(store.setAsideURL(fingerprint: "abcdef0123456789")) == 5)
        // Taken back only when the file is that run.
        #expect(try store.takeBack(fingerprint: "abcdef0123456789", isThatRun: { _ in false }) == nil)
        #expect(try store.takeBack(fingerprint: "abcdef0123456789", isThatRun: { _ in true }) != nil)
        #expect(progress(store.checkpoint) == 5)
        #expect(try store.takeBack(fingerprint: "ffff", isThatRun: { _ in true }) == nil)
        // A file without a fingerprint gets a name of its own.
        #expect(try store.setAsideCurrent(fingerprint: nil, progress: progress).hasPrefix("checkpoint-unfingerprinted-"))
    }
}
