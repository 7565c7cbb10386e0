import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// The digit classifier's plumbing, fast: names, shapes, evaluation mode, checkpoints and
/// `loadOrTrain` on a tiny net and a synthetic data set. (Its real accuracy on MNIST, ≥ 99%, is
/// measured by `vae samples`, which trains it once; see the report in `DigitClassifier+Training`.)
@Suite struct DigitClassifierTests {
    /// A tiny net, cheap even in debug builds.
    static let tiny = DigitClassifierArchitecture(stageWidths: [4], featureCount: 16)

    /// A synthetic MNIST-shaped set: image i shows a 6×6 bright block at one of 10 places,
    /// chosen by its label i mod 10, plus faint noise. Easy to learn, so a few steps suffice.
    static func blocks(_ count: Int, seed: UInt64) -> MNIST {
        var random = RandomSource(seed: seed)
        var images = Tensor.uniform([count, 1, 28, 28], upper: 0.1, using: &random)
        let labels = (0..<count).map { UInt8($0 % 10) }
        for (n, label) in labels.enumerated() {
            let (top, left) = (2 + Int(label / 5) * 13, 1 + Int(label % 5) * 5)
            for h in top..<(top + 6) { for w in left..<(left + 6) { images.scalars[n * 784 + h * 28 + w] = 1 } }
        }
        return MNIST(images: images, labels: labels)
    }

    @Test func parameterNamesFollowPyTorch() throws {
        var random = RandomSource(seed: 1)
        let model = try DigitClassifier(using: &random)
        var expected: [String] = []
        for i in 1...4 { expected += ["features.conv\(i).weight", "features.bn\(i).weight", "features.bn\(i).bias"] }
        expected += ["features.fc.weight", "features.fc.bias", "classifier.weight", "classifier.bias"]
        #expect(model.parameters.map(\.name) == expected)
        #expect(model.buffers.map(\.name) == (1...4).flatMap { i in
            ["running_mean", "running_var", "num_batches_tracked"].map { "features.bn\(i).\($0)" } })
        let shapes = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0.value.shape) })
        #expect(shapes["features.conv1.weight"] == [32, 1, 3, 3])
        #expect(shapes["features.conv4.weight"] == [64, 64, 3, 3])
        #expect(shapes["features.fc.weight"] == [128, 3136])
        #expect(shapes["classifier.weight"] == [10, 128])
        #expect(model.parameters.reduce(0) { $0 + $1.value.count } == 468_010)
        #expect(DigitClassifierArchitecture.standard.flattenedCount == 3136)
    }

    @Test func theJudgesMemoReturnsTheVerdictItWouldCompute() throws {
        var random = RandomSource(seed: 4)
        let model = try DigitClassifier(Self.tiny, using: &random)
        let images = Self.blocks(9, seed: 5).images
        _ = try model.logits(images)              // running statistics that are not the initial ones
        let computed = try model.evaluate(images, chunk: 4)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("judge-memo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let memo = JudgeMemo(of: model, checkpoint: folder.appendingPathComponent("classifier.safetensors"))
        model.memo = memo
        let file = memo.file(images: images, chunk: 4)
        #expect(!FileManager.default.fileExists(atPath: file.path))
        let first = try model.evaluate(images, chunk: 4)
        #expect(FileManager.default.fileExists(atPath: file.path), "the verdict is kept")
        #expect(first.features.scalars == computed.features.scalars && first.probabilities.scalars == computed.probabilities.scalars)
        // Read back: the same bits. A file that does not hold the verdict is computed again.
        let kept = try #require(memo.read(file, images: 9, features: 16, classes: 10))
        #expect(kept.features.scalars == computed.features.scalars && kept.probabilities.scalars == computed.probabilities.scalars)
        #expect(memo.read(file, images: 8, features: 16, classes: 10) == nil, "other shapes are not this verdict")
        try Data("not a memo".utf8).write(to: file)
        let again = try model.evaluate(images, chunk: 4)
        #expect(again.probabilities.scalars == computed.probabilities.scalars)
        #expect(memo.read(file, images: 9, features: 16, classes: 10) != nil, "the broken file was replaced")
        // Another pixel, another chunk size or other weights file the verdict elsewhere.
        var changed = images
        changed.scalars[100] += 0.5
        #expect(memo.file(images: changed, chunk: 4) != file)
        #expect(memo.file(images: images, chunk: 3) != file)
        model.classifier.weight.value.scalars[0] += 1
        #expect(JudgeMemo(of: model, checkpoint: folder.appendingPathComponent("classifier.safetensors")).weights != memo.weights)
    }

    @Test func evaluationShapesAndChunking() throws {
        var random = RandomSource(seed: 2)
        let model = try DigitClassifier(Self.tiny, using: &random)
        let images = Self.blocks(7, seed: 3).images
        _ = try model.logits(images)              // one training-mode pass moves BatchNorm's statistics
        #expect(model.isTraining)
        let (features, probabilities) = try model.evaluate(images, chunk: 3)
        #expect(model.isTraining, "evaluate restores the mode")
        #expect(features.shape == [7, 16] && probabilities.shape == [7, 10])
        #expect(features.scalars.allSatisfy { $0 >= 0 }, "features come after a ReLU")
        for row in 0..<7 {
            let sum = probabilities.scalars[(row * 10)..<(row * 10 + 10)].reduce(0.0) { $0 + Double($1) }
            #expect(abs(sum - 1) <= 1e-5)
        }
        // In evaluation mode each image is processed independently: chunking changes nothing.
        let whole = try model.evaluate(images, chunk: 500)
        #expect(whole.features.maxAbsDifference(features) <= 1e-6)
        #expect(whole.probabilities.maxAbsDifference(probabilities) <= 1e-6)
        #expect(try model.features(images).shape == [7, 16])
        #expect(try model.predictions(images).count == 7)
        #expect(throws: DigitClassifierError.self) { try model.probabilities(Tensor(shape: [2, 1, 27, 28])) }
        #expect(throws: DigitClassifierError.self) { try model.probabilities(Tensor(shape: [0, 1, 28, 28])) }
    }

    @Test func trainsAndRoundTripsThroughACheckpoint() throws {
        let training = DigitClassifierTraining(epochs: 3, batchSize: 20, learningRate: 1e-2, warmupSteps: 2, seed: 4)
        var lines: [String] = []
        let (model, report) = try DigitClassifier.train(Self.tiny, training: training, on: Self.blocks(200, seed: 5),
                                                        test: Self.blocks(50, seed: 6), log: { lines.append($0) })
        #expect(report.steps == 30 && lines.count == 4)
        #expect(report.testAccuracy >= 0.9, "the blocks are easy: \(report.testAccuracy)")
        #expect(report.finalTrainingLoss < log(10.0) / 2)

        try DataFiles.withFolder { folder in
            let url = folder.appendingPathComponent("sub/classifier.safetensors")
            try model.save(to: url)
            let loaded = try DigitClassifier.load(from: url)
            #expect(loaded.architecture == Self.tiny && loaded.report == report && loaded.training == training)
            #expect(!loaded.isTraining)
            let images = Self.blocks(10, seed: 7).images
            #expect(try loaded.probabilities(images) == (try model.probabilities(images)))
            let file = try SafeTensors.read(from: url)
            #expect(file.metadata["test_accuracy"] == String(format: "%.4f", report.testAccuracy))
            #expect(file.entries.first { $0.name.hasSuffix("num_batches_tracked") }?.dtype == .int64)
        }
    }

    @Test func loadRefusesOtherFiles() throws {
        try DataFiles.withFolder { folder in
            let url = folder.appendingPathComponent("x.safetensors")
            #expect(throws: DigitClassifierError.self) { try DigitClassifier.load(from: url) }   // missing
            try Data("not a checkpoint".utf8).write(to: url)
            #expect(throws: DigitClassifierError.self) { try DigitClassifier.load(from: url) }   // corrupt
            var random = RandomSource(seed: 8)
            let vae = try VAE(VAEConfiguration(latentDimensions: 2, channels: [4]), using: &random)
            try SafeTensors(entries: vae.stateDict(), metadata: [:]).write(to: url)
            #expect(throws: DigitClassifierError.self) { try DigitClassifier.load(from: url) }   // not ours
            let model = try DigitClassifier(Self.tiny, using: &random)
            var entries = model.stateDict()
            entries.removeLast()
            try SafeTensors(entries: entries, metadata: ["format": DigitClassifier.checkpointFormat,
                                                         "architecture": #"{"stageWidths":[4],"featureCount":16,"classCount":10,"imageSide":28}"#])
                .write(to: url)
            #expect(throws: DigitClassifierError.self) { try DigitClassifier.load(from: url) }   // a tensor missing
        }
    }

    /// The whole `loadOrTrain` path on synthetic IDX files: train and save when missing, load
    /// when present (measuring it again on the test data), retrain when the file is of another
    /// architecture.
    @Test func loadOrTrainTrainsOnceThenLoads() throws {
        try DataFiles.withFolder { folder in
            let data = try Self.writeBlockFiles(in: folder)
            let url = folder.appendingPathComponent("runs/classifier.safetensors")
            let training = DigitClassifierTraining(epochs: 2, batchSize: 20, learningRate: 1e-2, warmupSteps: 2, seed: 11)
            let trained = try DigitClassifier.loadOrTrain(at: url, data: data, architecture: Self.tiny, training: training, minimumAccuracy: 0.5)
            #expect(FileManager.default.fileExists(atPath: url.path) && !trained.isTraining)

            // Present and valid: loaded, once its recorded accuracy is measured again on the test
            // images (so without them it cannot be trusted, and is not).
            let loaded = try DigitClassifier.loadOrTrain(at: url, data: data, architecture: Self.tiny, training: training, minimumAccuracy: 0.5)
            #expect(loaded.report == trained.report)
            let nowhere = folder.appendingPathComponent("nowhere")
            #expect(throws: DataError.self) { try DigitClassifier.loadOrTrain(at: url, data: nowhere, architecture: Self.tiny, training: training, minimumAccuracy: 0.5) }
            // A minimum above the recorded accuracy, or another architecture, sets it aside and retrains (and fails here, without data).
            #expect(throws: DataError.self) {
                try DigitClassifier.loadOrTrain(at: url, data: nowhere, architecture: Self.tiny, training: training, minimumAccuracy: 1.01)
            }
            #expect(throws: DataError.self) {
                try DigitClassifier.loadOrTrain(at: url, data: nowhere, architecture: DigitClassifierArchitecture(stageWidths: [2], featureCount: 8), training: training, minimumAccuracy: 0.5)
            }
            // A new classifier below the minimum is refused and not saved.
            let other = folder.appendingPathComponent("other.safetensors")
            #expect(throws: DigitClassifierError.belowMinimumAccuracy(accuracy: try #require(trained.report).testAccuracy, minimum: 1.01)) {
                try DigitClassifier.loadOrTrain(at: other, data: data, architecture: Self.tiny, training: training, minimumAccuracy: 1.01)
            }
            #expect(!FileManager.default.fileExists(atPath: other.path))
        }
    }

    /// A classifier's run stopped after an epoch resumes from its file and ends with the bits of
    /// an uninterrupted run (weights, buffers, report but its seconds); `loadOrTrain` finds such a
    /// file, resumes it and saves the finished classifier in its place; `load(from:)` refuses it.
    @Test func aStoppedRunResumesBitForBit() throws {
        var training = DigitClassifierTraining.standard
        (training.epochs, training.batchSize, training.learningRate, training.warmupSteps, training.seed) = (3, 20, 1e-2, 2, 11)
        let (train, test) = (Self.blocks(200, seed: 9), Self.blocks(50, seed: 10))
        let (whole, wholeReport) = try DigitClassifier.train(Self.tiny, training: training, on: train, test: test)
        try DataFiles.withFolder { folder in
            let url = folder.appendingPathComponent("runs/classifier.safetensors")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let first = try DigitClassifierTrainer(Self.tiny, training: training, on: train)
            try first.trainEpoch(log: { _ in })
            try first.saveUnfinished(to: url)
            #expect(throws: DigitClassifierError.self) { try DigitClassifier.load(from: url) }

            let resumed = try DigitClassifierTrainer(resumingFrom: url, on: train)
            #expect(resumed.epoch == 1 && !resumed.isFinished)
            while !resumed.isFinished { try resumed.trainEpoch(log: { _ in }) }
            let report = try resumed.finish(test: test, log: { _ in })
            for (a, b) in zip(resumed.model.parameters + resumed.model.buffers, whole.parameters + whole.buffers) {
                #expect(a.value == b.value, "\(a.name)")
            }
            #expect(report.testAccuracy == wholeReport.testAccuracy && report.finalTrainingLoss == wholeReport.finalTrainingLoss
                    && report.steps == wholeReport.steps)

            // Through loadOrTrain: the unfinished file of these settings is resumed, not set aside.
            let data = try Self.writeBlockFiles(in: folder)
            let second = try DigitClassifierTrainer(Self.tiny, training: training, on: try MNIST.load(split: .train, from: data))
            try second.trainEpoch(log: { _ in })
            try second.saveUnfinished(to: url)
            var lines: [String] = []
            let finished = try DigitClassifier.loadOrTrain(at: url, data: data, architecture: Self.tiny, training: training,
                                                           minimumAccuracy: 0.5, log: { lines.append($0) })
            #expect(lines.contains { $0.hasPrefix("resuming the classifier") && $0.contains("after epoch 1 of 3") }, "\(lines)")
            #expect(try DigitClassifier.load(from: url).report == finished.report)
            #expect(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path) == ["classifier.safetensors"])
            let fresh = try DigitClassifier.loadOrTrain(at: folder.appendingPathComponent("other.safetensors"), data: data,
                                                        architecture: Self.tiny, training: training, minimumAccuracy: 0.5)
            #expect(fresh.parameters.map(\.value) == finished.parameters.map(\.value))
        }
    }

    /// `blocks` as MNIST's gzipped IDX files (200 training, 50 test images) in `folder/data`.
    static func writeBlockFiles(in folder: URL) throws -> URL {
        let data = folder.appendingPathComponent("data", isDirectory: true)
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for (split, count) in [(Split.train, 200), (.test, 50)] {
            let set = Self.blocks(count, seed: split == .train ? 9 : 10)
            let pixels = set.images.scalars.map { UInt8(($0 * 255).rounded()) }
            let names = MNIST.fileNames(split)
            try Data(DataFiles.gzip(DataFiles.idx(magic: IDXFile.imagesMagic, dimensions: [count, 28, 28], payload: pixels)))
                .write(to: data.appendingPathComponent(names.images + ".gz"))
            try Data(DataFiles.gzip(DataFiles.idx(magic: IDXFile.labelsMagic, dimensions: [count], payload: set.labels)))
                .write(to: data.appendingPathComponent(names.labels + ".gz"))
        }
        return data
    }

    /// A judge of other settings (training, or an older file without the numerics version) is
    /// set aside as classifier-<hash of its settings>.safetensors, never deleted, and taken back
    /// when its settings are asked for again.
    @Test func loadOrTrainSetsOtherSettingsAsideAndTakesThemBack() throws {
        try DataFiles.withFolder { folder in
            let data = try Self.writeBlockFiles(in: folder)
            let url = folder.appendingPathComponent("runs/classifier.safetensors")
            let first = DigitClassifierTraining(epochs: 2, batchSize: 20, learningRate: 1e-2, warmupSteps: 2, seed: 11)
            var second = first
            second.blurProbability = 0.5
            second.maxBlur = 1
            let files = FileManager.default
            func settings(_ training: DigitClassifierTraining, numerics: Int? = RunFingerprint.numericsVersion) -> DigitClassifier.Settings {
                DigitClassifier.Settings(architecture: Self.tiny, training: training, numericsVersion: numerics)
            }
            let a = try DigitClassifier.loadOrTrain(at: url, data: data, architecture: Self.tiny, training: first, minimumAccuracy: 0.5)
            #expect(a.settings == settings(first))
            #expect(try SafeTensors.read(from: url).metadata["numerics"] == String(RunFingerprint.numericsVersion))
            #expect(settings(first).hash != settings(second).hash && settings(first).hash.count == 12)

            var lines: [String] = []
            let b = try DigitClassifier.loadOrTrain(at: url, data: data, architecture: Self.tiny, training: second, minimumAccuracy: 0.5,
                                                    log: { lines.append($0) })
            let asideA = folder.appendingPathComponent("runs/classifier-\(settings(first).hash).safetensors")
            #expect(b.training == second)
            #expect(try DigitClassifier.load(from: url).training == second)
            #expect(try DigitClassifier.load(from: asideA).report == a.report, "the first judge is kept, not deleted")
            #expect(lines.contains { $0.contains("other settings (other training settings)") && $0.contains(asideA.lastPathComponent) })

            lines = []
            let back = try DigitClassifier.loadOrTrain(at: url, data: data, architecture: Self.tiny, training: first, minimumAccuracy: 0.5,
                                                       log: { lines.append($0) })
            #expect(back.report == a.report && lines.contains { $0.hasPrefix("taking back") })
            #expect(!files.fileExists(atPath: asideA.path))
            #expect(files.fileExists(atPath: folder.appendingPathComponent("runs/classifier-\(settings(second).hash).safetensors").path))

            // A file of the older format (no numerics version): other settings, set aside and retrained.
            var old = try SafeTensors.read(from: url)
            old.metadata["numerics"] = nil
            try old.write(to: url)
            lines = []
            let retrained = try DigitClassifier.loadOrTrain(at: url, data: data, architecture: Self.tiny, training: first, minimumAccuracy: 0.5,
                                                            log: { lines.append($0) })
            let asideOld = folder.appendingPathComponent("runs/classifier-\(settings(first, numerics: nil).hash).safetensors")
            #expect(files.fileExists(atPath: asideOld.path))
            #expect(try DigitClassifier.load(from: asideOld).settings == settings(first, numerics: nil))
            #expect(lines.contains { $0.contains("no record of the numerics version") })
            #expect(retrained.settings == settings(first) && retrained.report?.testAccuracy == a.report?.testAccuracy)

            // A recorded accuracy below the minimum: set aside under a name of its own, then retrained.
            lines = []
            _ = try? DigitClassifier.loadOrTrain(at: url, data: data, architecture: Self.tiny, training: first, minimumAccuracy: 1.01,
                                                 log: { lines.append($0) })
            let kept = try files.contentsOfDirectory(atPath: folder.appendingPathComponent("runs").path)
            #expect(kept.contains { $0.hasPrefix("classifier-unfingerprinted-") }, "\(kept)")
        }
    }

    @Test func shiftsMoveContentAndFillWithZeros() throws {
        let image = Tensor(shape: [1, 1, 3, 4], scalars: (1...12).map(Float.init))
        #expect(try shifted(image, by: [(0, 0)]) == image)
        // Down 1, left 2: out[h][w] = in[h − 1][w + 2].
        #expect(try shifted(image, by: [(1, -2)]).scalars == [0, 0, 0, 0,
                                                              3, 4, 0, 0,
                                                              7, 8, 0, 0])
        #expect(try shifted(image, by: [(0, 4)]).scalars.allSatisfy { $0 == 0 })
        #expect(throws: LayerConfigurationError.self) { try shifted(image, by: []) }

        let batch = Self.blocks(20, seed: 12).images
        var a = RandomSource(seed: 13), b = RandomSource(seed: 13)
        let x = try randomlyShifted(batch, maxShift: 2, using: &a)
        #expect(x == (try randomlyShifted(batch, maxShift: 2, using: &b)), "same seed, same shifts")
        #expect(x != batch)
        #expect(try randomlyShifted(batch, maxShift: 0, using: &a) == batch)
    }
}
