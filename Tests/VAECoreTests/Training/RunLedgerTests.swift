import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics

/// What the course's plan knows of trained runs: the ledger of those a program used, and whether
/// a recorded run is on disk, finished, to be reused.
@Suite struct RunLedgerTests {
    @Test func aRunReportedTwiceIsOneEntryWithItsTrainingAddedUp() {
        var ledger = RunLedger()
        ledger.add(.init(kind: .vae, checkpoint: "a", fingerprint: "1", epochs: 2, trainedHere: true, trainingSeconds: 3))
        ledger.add(.init(kind: .vae, checkpoint: "a", fingerprint: "1", epochs: 2, trainedHere: false, trainingSeconds: 3))
        ledger.add(.init(kind: .vae, checkpoint: "a", fingerprint: "2", epochs: 2, trainedHere: false, trainingSeconds: 0))
        #expect(ledger.entries.map(\.fingerprint) == ["1", "2"])
        #expect(ledger.entries[0].trainingSeconds == 3 && ledger.entries[0].trainedHere)
        #expect(!ledger.entries[1].trainedHere)
    }

    @Test func aFinishedRunIsThereAndAHalfDoneOrOtherOneIsNot() throws {
        let data = try TrainingRunTests.data.get()
        try TrainingRunTests.inFolder { folder, log, _ in
            let configuration = TrainingRunTests.configuration()
            let fingerprint = try RunFingerprint(configuration: configuration, dataDigest: data.contentDigest).value
            let checkpoint = TrainingRun.checkpoint(in: folder)
            let entry = RunLedger.Entry(kind: .vae, checkpoint: checkpoint.path, fingerprint: fingerprint, epochs: 2, trainedHere: true, trainingSeconds: 0)
            #expect(!RunLedger.isAvailable(entry, at: checkpoint))           // nothing yet

            let half = try TrainingRun.trainer(for: configuration, in: folder, trainingSet: data, log: log)
            try half.trainEpoch()
            try half.save(to: checkpoint)
            half.lock = nil
            #expect(!RunLedger.isAvailable(entry, at: checkpoint))           // one epoch of two

            _ = try TrainingRunTests.trainedRun(configuration, in: folder, data, log: log)
            #expect(RunLedger.isAvailable(entry, at: checkpoint))
            var other = entry
            other.fingerprint = String(repeating: "0", count: 64)
            #expect(!RunLedger.isAvailable(other, at: checkpoint))

            // Another run in the folder sets this one aside: it is still there, to be taken back.
            _ = try TrainingRunTests.trainedRun(TrainingRunTests.configuration(seed: 6), in: folder, data, log: log)
            #expect(RunLedger.isAvailable(entry, at: checkpoint))
            #expect(FileManager.default.fileExists(atPath: RunStore(folder: folder).setAsideURL(fingerprint: fingerprint).path))
        }
    }

    @Test func theReferenceStepIsTimed() throws {
        let speed = try TrainingSpeed.referenceImagesPerSecond(seconds: 0.05)
        #expect(speed.isFinite && speed > 0)
    }
}
