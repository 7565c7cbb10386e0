import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// Inputs a hostile but realistic user types or crafts: counts that size allocations (up to
/// 2⁶³ − 1), training settings that overflow, an output path naming an input, weights that
/// overflow, tensors that share bytes, a gzip bomb, a forged judge. Each is refused in words
/// before anything large is allocated or anything is overwritten.
@Suite struct HostileInputTests {
    static func smallModel(seed: UInt64 = 1) throws -> VAE {
        var random = RandomSource(seed: seed)
        return try VAE(VAEConfiguration(latentDimensions: 2, architecture: .mlp), using: &random)
    }

    static func images(_ count: Int, seed: UInt64 = 2) -> Tensor {
        var random = RandomSource(seed: seed)
        return Tensor(shape: [count, 1, 28, 28], scalars: (0..<count * 784).map { _ in random.uniform() < 0.3 ? 1 : 0 })
    }

    // MARK: 1. Counts that size allocations

    @Test func memoryBudgetRefusesOverflowAndWhatDoesNotFit() throws {
        #expect(try MemoryBudget.bytes([3, 4], bytesPerElement: 8, for: "x") == 96)
        #expect(throws: MemoryBudgetError.self) { try MemoryBudget.bytes([Int.max, 2], bytesPerElement: 8, for: "x") }
        #expect(throws: MemoryBudgetError.self) { try MemoryBudget.bytes([-1], bytesPerElement: 8, for: "x") }
        #expect(throws: MemoryBudgetError.self) { try MemoryBudget.bytes([1 << 40], bytesPerElement: 8, for: "x", limit: 1 << 30) }
        let error = #expect(throws: MemoryBudgetError.self) {
            try MemoryBudget.bytes([100, 1_000_000_000], bytesPerElement: 8, for: "the log-weights", limit: 1 << 34)
        }
        #expect(error?.description.contains("the log-weights would need 745.1 GiB") == true, "\(String(describing: error))")
        #expect(error?.description.contains("more than the 16.0 GiB one computation may take") == true)
        #expect(MemoryBudget.limit == MemoryBudget.physicalBytes / 2)
    }

    @Test func aHugeKIsRefusedBeforeAllocating() throws {
        let model = try Self.smallModel()
        let images = Self.images(2)
        for k in [Int.max, 1 << 40, 1_000_000_000_000] {
            #expect(throws: MemoryBudgetError.self, "k = \(k)") {
                try evaluateImportanceWeighted(model: model, images: images, samples: k, seed: 1)
            }
            #expect(throws: MemoryBudgetError.self, "k = \(k)") {
                try scoreImages(model: model, images: images, settings: ScoringSettings(importanceSamples: k, seed: 1))
            }
        }
        // A chunk larger than a batch's codes is clamped to them, not allocated.
        #expect(try ImportanceWeightedMemory.evaluationChunk(model: model.configuration, samples: 3, batchSize: 2,
                                                             chunkSize: 1_000_000_000_000) == 6)
        let result = try evaluateImportanceWeighted(model: model, images: images, samples: 3, chunkSize: 1_000_000_000_000, seed: 1)
        let reference = try evaluateImportanceWeighted(model: model, images: images, samples: 3, chunkSize: 6, seed: 1)
        #expect(result.logLikelihoods == reference.logLikelihoods)
    }

    @Test func aHugeSampleCountIsRefusedBeforeAllocating() throws {
        let model = try Self.smallModel()
        model.isTraining = false
        var random = RandomSource(seed: 1)
        for count in [Int.max, 1_000_000_000_000] {
            #expect(throws: MemoryBudgetError.self, "count \(count)") { try model.samplePrior(count: count, using: &random) }
        }
    }

    // MARK: 2. Training settings that overflow

    @Test func trainingSettingsThatWouldTrapAreRefused() throws {
        func refused(_ change: (inout TrainingConfiguration) -> Void) -> TrainingConfigurationError? {
            var c = TrainingConfiguration(model: VAEConfiguration(latentDimensions: 2, architecture: .mlp), epochs: 2)
            change(&c)
            return #expect(throws: TrainingConfigurationError.self) { try c.validate() }
        }
        #expect(refused { $0.epochs = Int.max }?.description.contains("more than the 100000 a run may have") == true)
        _ = refused { $0.schedule = .step; $0.learningRateStepEpochs = 1e300 }
        _ = refused { $0.schedule = .warmupCosine; $0.learningRateWarmupEpochs = 1e300 }
        #expect(refused { $0.freeBits = 1e300 }?.description.contains("free bits") == true)
        _ = refused { $0.kl = .constant(beta: 1e300) }
        _ = refused { $0.kl = .warmup(beta: 1, epochs: 1e300) }
        _ = refused { $0.kl = .capacity(gamma: 1e300, maximum: 25, epochs: 1) }
        _ = refused { $0.kl = .capacity(gamma: 1000, maximum: 1e300, epochs: 1) }
        // The schedule itself never traps, even on a configuration that skipped validation.
        var unchecked = TrainingConfiguration(model: VAEConfiguration(latentDimensions: 2, architecture: .mlp), epochs: Int.max)
        #expect(throws: TrainingConfigurationError.self) { try unchecked.learningRateSchedule(stepsPerEpoch: 2) }
        unchecked.epochs = 3
        _ = try unchecked.learningRateSchedule(stepsPerEpoch: 2)
    }

    // MARK: 3. An output that would replace an input or another kind of file

    @Test func anOutputNeverReplacesAnInputOrAnotherKindOfFile() throws {
        let folder = try RefusalTests.scratch("output")
        let checkpoint = folder.appendingPathComponent("model.safetensors")
        try Data("not a table".utf8).write(to: checkpoint)
        let link = folder.appendingPathComponent("link.csv")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: checkpoint)
        func check(_ url: URL) throws {
            try AtomicFile.checkReplaceable(url, option: "--output", kind: "a score table", signature: ScoreReport.csvSignature,
                                            inputs: [checkpoint])
        }
        let same = #expect(throws: AtomicFileError.self) { try check(checkpoint) }
        #expect(same?.description.contains("is one of this command's inputs") == true)
        #expect(throws: AtomicFileError.self) { try check(link) }   // the same file through a link
        let other = folder.appendingPathComponent("t10k-images-idx3-ubyte.gz")
        try Data([0x1f, 0x8b, 8, 0]).write(to: other)
        let foreign = #expect(throws: AtomicFileError.self) { try check(other) }
        #expect(foreign?.description.contains("is not a score table") == true)
        // A score table is replaced, and a new file is written.
        let table = folder.appendingPathComponent("scores.csv")
        try Data((ScoreReport.csvSignature + "neg-elbo\n").utf8).write(to: table)
        try check(table)
        try check(folder.appendingPathComponent("new.csv"))
    }

    // MARK: 4. Weights that overflow

    @Test func scoresThatAreNotNumbersAreRefused() throws {
        let model = try Self.smallModel()
        for parameter in model.parameters { parameter.value = Tensor(shape: parameter.value.shape, repeating: 3e38) }
        let error = #expect(throws: AnomalyError.self) {
            try scoreImages(model: model, images: Self.images(3), settings: ScoringSettings(importanceSamples: 2, seed: 1))
        }
        #expect(error?.description.contains("not a finite number") == true, "\(String(describing: error))")
    }

    // MARK: 5. Tensors whose bytes overlap, or bytes no tensor owns

    @Test func tensorOffsetsMustTileTheData() throws {
        let data = [UInt8](repeating: 0, count: 16)
        func parse(_ header: String, _ bytes: [UInt8] = data) throws {
            _ = try SafeTensors(parsing: RefusalTests.file(header: header, data: bytes))
        }
        try parse(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#)
        let overlap = #expect(throws: SafeTensorsError.self) {
            try parse(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]},"c":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}"#)
        }
        #expect(overlap?.description.contains("overlaps") == true, "\(String(describing: overlap))")
        // The same bytes read twice (a bias reading another bias's values).
        #expect(throws: SafeTensorsError.self) {
            try parse(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"c":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#)
        }
        let gap = #expect(throws: SafeTensorsError.self) {
            try parse(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}"#)
        }
        #expect(gap?.description.contains("belong to no tensor") == true)
        #expect(throws: SafeTensorsError.self) { try parse(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#) }
    }

    @Test func aCheckpointThatIsADeviceOrAFIFOIsSaidToBeOne() throws {
        let zero = URL(fileURLWithPath: "/dev/zero")
        let error = #expect(throws: SafeTensorsError.self) { try SafeTensors.read(from: zero) }
        #expect(error?.description.contains("not a regular file") == true, "\(String(describing: error))")
        let folder = try RefusalTests.scratch("fifo")
        let fifo = folder.appendingPathComponent("checkpoint.safetensors")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        #expect(throws: SafeTensorsError.self) { try SafeTensors.read(from: fifo) }   // refused, not blocked on
    }

    // MARK: 6. A gzip bomb

    @Test func aGzipBombStopsAtTheSizeItsHeaderAnnounces() throws {
        // An IDX header announcing 1 image of 2 × 2 pixels, then 64 MiB of zeros.
        let header: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2]
        let bomb = DataFiles.gzip(header + [UInt8](repeating: 0, count: 64 << 20))
        #expect(bomb.count < 1 << 20)
        let error = #expect(throws: DataError.self) {
            try Gzip.decompress(bomb, limit: IDXFile.maximumSize, announcedSize: IDXFile.announcedSize)
        }
        #expect(error?.description.contains("more than the 20 bytes its header announces") == true, "\(String(describing: error))")
        // Without a header that says, the limit stops it.
        let zeros = DataFiles.gzip([UInt8](repeating: 0, count: 8 << 20))
        #expect(throws: DataError.self) { try Gzip.decompress(zeros, limit: 1 << 20) }
        // Through the loader: the data folder's images are such a bomb.
        let folder = try RefusalTests.scratch("bomb")
        try DataFiles.write(bomb, "t10k-images-idx3-ubyte.gz", in: folder)
        try DataFiles.write(DataFiles.gzip(DataFiles.idx(magic: IDXFile.labelsMagic, dimensions: [1], payload: [3])),
                            "t10k-labels-idx1-ubyte.gz", in: folder)
        #expect(throws: DataError.self) { try MNIST.load(split: .test, from: folder, verifyChecksums: false) }
        // A good file still loads exactly.
        let good = header + [1, 2, 3, 4]
        #expect(try Gzip.decompress(DataFiles.gzip(good), limit: IDXFile.maximumSize, announcedSize: IDXFile.announcedSize) == good)
    }

    // MARK: 11. Errors in words

    @Test func aBadModelDescriptionIsExplainedNotDumped() throws {
        let error = #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Architecture.self, from: Data(#"{"encoder": [{"type": "conv", "channels": "many"}], "decoder": []}"#.utf8))
        }
        let text = error?.explanation ?? ""
        #expect(text.contains("encoder[0].channels must be a whole number"), "\(text)")
        #expect(decodingExplanation(try #require(error)) == text)
        let notJSON = #expect(throws: DecodingError.self) { try JSONDecoder().decode(Architecture.self, from: Data("{".utf8)) }
        #expect(notJSON?.explanation.contains("not valid JSON") == true)
    }

    // MARK: 13. A judge is measured, not trusted

    @Test func aForgedJudgeIsRefused() throws {
        let folder = try RefusalTests.scratch("judge")
        // Two tiny classes of 4 × 4 "digits" stand in for MNIST: the judge's test set.
        var pixels: [UInt8] = [], labels: [UInt8] = []
        for i in 0..<20 {
            let label = UInt8(i % 2)
            labels.append(label)
            pixels += (0..<16).map { p in (p < 8) == (label == 0) ? 255 : 0 }
        }
        try DataFiles.write(DataFiles.gzip(DataFiles.idx(magic: IDXFile.imagesMagic, dimensions: [20, 4, 4], payload: pixels)),
                            "t10k-images-idx3-ubyte.gz", in: folder)
        try DataFiles.write(DataFiles.gzip(DataFiles.idx(magic: IDXFile.labelsMagic, dimensions: [20], payload: labels)),
                            "t10k-labels-idx1-ubyte.gz", in: folder)
        let test = try MNIST.load(split: .test, from: folder, verifyChecksums: false)
        var random = RandomSource(seed: 5)
        let architecture = DigitClassifierArchitecture(stageWidths: [2], featureCount: 4, classCount: 10, imageSide: 4)
        let judge = try DigitClassifier(architecture, using: &random)
        judge.isTraining = false
        let measured = try judge.accuracy(on: test)
        // It records a perfect accuracy that its weights do not have.
        judge.report = DigitClassifierReport(testAccuracy: 1, testCount: 20, finalTrainingLoss: 0, steps: 1, trainingSeconds: 1)
        // (and the settings asked for, so that it is not merely set aside as another judge).
        judge.training = .standard
        judge.numericsVersion = RunFingerprint.numericsVersion
        let url = folder.appendingPathComponent("classifier.safetensors")
        try judge.save(to: url)
        let before = try Data(contentsOf: url)
        #expect(measured < 1 - DigitClassifier.recordedAccuracyTolerance)
        let error = #expect(throws: DigitClassifierError.self) {
            try DigitClassifier.loadOrTrain(at: url, data: folder, architecture: architecture, minimumAccuracy: 0)
        }
        #expect(error?.description.contains("records a test accuracy of 100.00%") == true, "\(String(describing: error))")
        #expect(try Data(contentsOf: url) == before)   // left as it is
        // Recording what it measures, it loads.
        judge.report?.testAccuracy = measured
        try judge.save(to: url)
        _ = try DigitClassifier.loadOrTrain(at: url, data: folder, architecture: architecture, minimumAccuracy: 0)
    }

    @Test func aClassifierPathThatCannotBeWrittenIsRefusedBeforeTraining() throws {
        let folder = try RefusalTests.scratch("judge-path")
        let file = folder.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let started = Date()
        let error = #expect(throws: AtomicFileError.self) {
            try DigitClassifier.loadOrTrain(at: file.appendingPathComponent("classifier.safetensors"), data: folder)
        }
        #expect(error?.description.contains("is a file, not a folder") == true, "\(String(describing: error))")
        #expect(Date().timeIntervalSince(started) < 5)   // refused before any data is loaded or trained on
    }
}
