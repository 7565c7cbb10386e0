import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// Bad input is refused with a clear error, and nothing is lost: corrupt checkpoints, absurd
/// sizes, stale temporary files, two writers on one run folder, unusable folders, truncated
/// figures, and a classifier path that holds another kind of file.
@Suite struct RefusalTests {
    static func scratch(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vae-refusal-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A safetensors file from a header and data bytes.
    static func file(header: String, data: [UInt8]) -> Data {
        let json = Array(header.utf8)
        var bytes: [UInt8] = (0..<8).map { UInt8((UInt64(json.count) >> (8 * UInt64($0))) & 0xff) }
        bytes += json + data
        return Data(bytes)
    }

    @Test func aHugeDimensionIsAnErrorNotATrap() throws {
        let header = #"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,16]}}"#
        #expect(throws: SafeTensorsError.self) { try SafeTensors(parsing: Self.file(header: header, data: [UInt8](repeating: 0, count: 16))) }
        let reversed = #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[4,-9223372036854775808]}}"#
        #expect(throws: SafeTensorsError.self) { try SafeTensors(parsing: Self.file(header: reversed, data: [UInt8](repeating: 0, count: 16))) }
        let negative = #"{"w":{"dtype":"F32","shape":[-1,-4],"data_offsets":[0,16]}}"#
        #expect(throws: SafeTensorsError.self) { try SafeTensors(parsing: Self.file(header: negative, data: [UInt8](repeating: 0, count: 16))) }
    }

    @Test func aCheckpointPathThatIsAFolderIsSaidInWords() throws {
        let folder = try Self.scratch("folder-checkpoint")
        #expect(throws: SafeTensorsError.unreadable(folder.path, "it is a folder, not a checkpoint file")) { try SafeTensors.read(from: folder) }
        let missing = folder.appendingPathComponent("none.safetensors")
        #expect(throws: SafeTensorsError.unreadable(missing.path, "there is no such file")) { try SafeTensors.read(from: missing) }
    }

    @Test func absurdModelSizesAreRefusedBeforeAllocating() throws {
        var random = RandomSource(seed: 1)
        for json in [#"{"latentDimensions":1000000000000,"channels":[32,64],"classCount":0}"#,
                     #"{"latentDimensions":20,"channels":[32,64],"classCount":-3}"#,
                     #"{"latentDimensions":20,"channels":[4611686018427387904],"classCount":0}"#] {
            #expect(throws: VAEConfigurationError.self, "\(json)") {
                try VAE(try JSONDecoder().decode(VAEConfiguration.self, from: Data(json.utf8)), using: &random)
            }
        }
        let wide = Architecture(encoder: [.flatten, .linear(1 << 20)], decoder: Architecture.mlp.decoder)
        #expect(throws: VAEConfigurationError.self) { try VAEConfiguration(architecture: wide).validate() }
        let reshape = Architecture(encoder: [.flatten, .reshape([16_777_216, 16_777_216, 16_777_216, 16_777_216]), .flatten],
                                   decoder: Architecture.mlp.decoder)
        #expect(throws: VAEConfigurationError.self) { try VAEConfiguration(architecture: reshape).validate() }
        let hugeKernel = Architecture(encoder: [.conv(4096, kernel: 16_384, padding: 8_192), .flatten], decoder: Architecture.mlp.decoder)
        #expect(throws: VAEConfigurationError.self) { try VAEConfiguration(architecture: hugeKernel).validate() }
        #expect(throws: VAEConfigurationError.self) { try VAEConfiguration(latentDimensions: 65_536).validate() }   // the head's weight
        for sigma in [1e-30, 1e30] {
            #expect(throws: VAEConfigurationError.self) { try Likelihood(.gaussian, sigma: sigma).validate() }
        }
        let growing = Architecture(encoder: Array(repeating: LayerSpec.upsample(16), count: 6) + [.flatten], decoder: Architecture.mlp.decoder)
        #expect(throws: VAEConfigurationError.self) { try VAEConfiguration(architecture: growing).validate() }
    }

    @Test func aNegativeRunningVarianceIsRefusedAtLoad() throws {
        var random = RandomSource(seed: 3)
        let model = try VAE(VAEConfiguration(latentDimensions: 2, channels: [4]), using: &random)
        var entries = model.stateDict()
        let index = try #require(entries.firstIndex { $0.name == "encoder.bn1.running_var" })
        entries[index].tensor.scalars[0] = -0.5
        #expect(throws: CheckpointError.self) { try model.load(stateDict: entries) }
    }

    @Test func aNonFiniteEvaluationStopsTraining() throws {
        let data = try MNIST.load(split: .test).prefix(128)
        let trainer = try Trainer(configuration: TrainingConfiguration(model: VAEConfiguration(latentDimensions: 2, channels: [2]),
                                                                       epochs: 2, batchSize: 64), trainingSet: data)
        trainer.evaluation = { _ in ELBOTerms(reconstruction: .nan, kl: 1, objective: .nan) }
        do {
            try trainer.trainEpoch()
            Issue.record("a NaN test term should stop training")
        } catch let error as TrainingError {
            guard case .nonFiniteEvaluation(epoch: 1, _, _) = error else { Issue.record("unexpected \(error)"); return }
        }
        let url = try Self.scratch("nan-eval").appendingPathComponent("checkpoint.safetensors")
        #expect(throws: TrainingError.self) { try trainer.save(to: url) }
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }

    @Test func aCorruptAdamMomentNamesTheCheckpoint() throws {
        let data = try MNIST.load(split: .test).prefix(128)
        let folder = try Self.scratch("adam")
        let url = folder.appendingPathComponent("checkpoint.safetensors")
        let trainer = try Trainer(configuration: TrainingConfiguration(model: VAEConfiguration(latentDimensions: 2, channels: [2]),
                                                                       epochs: 2, batchSize: 64), trainingSet: data)
        try trainer.trainEpoch()
        try trainer.save(to: url)
        for (moment, value) in [("exp_avg", Float.nan), ("exp_avg_sq", -1)] {
            var file = try SafeTensors.read(from: url)
            let index = try #require(file.entries.firstIndex { $0.name == "optimizer.\(moment).encoder.fc.weight" })
            file.entries[index].tensor.scalars[0] = value
            let broken = folder.appendingPathComponent("broken-\(moment).safetensors")
            try file.write(to: broken)
            do {
                _ = try Trainer(resumingFrom: broken, trainingSet: data)
                Issue.record("a corrupt \(moment) should be refused")
            } catch let error as CheckpointError {
                #expect("\(error)".contains("optimizer tensor 'optimizer.\(moment).encoder.fc.weight'") && "\(error)".contains("corrupt"))
            }
        }
    }

    @Test func staleTemporaryFilesOfDeadWritersAreRemoved() throws {
        let folder = try Self.scratch("tmp")
        let target = folder.appendingPathComponent("checkpoint.safetensors")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        let dead = folder.appendingPathComponent(".checkpoint.safetensors.\(process.processIdentifier).tmp")
        let alive = folder.appendingPathComponent(".checkpoint.safetensors.\(getppid()).tmp")
        for url in [dead, alive] { try Data([1, 2, 3]).write(to: url) }
        try AtomicFile.write(Data([9]), to: target)
        #expect(!FileManager.default.fileExists(atPath: dead.path), "a dead writer's temporary file is removed")
        #expect(FileManager.default.fileExists(atPath: alive.path), "a running process's temporary file is left alone")
        #expect(try Data(contentsOf: target) == Data([9]))
    }

    @Test func oneOwnerPerRunFolder() throws {
        let folder = try Self.scratch("lock")
        do {
            let first = try RunLock(folder)
            do {
                _ = try RunLock(folder)
                Issue.record("a second lock on the same folder should be refused")
            } catch {
                #expect("\(error)".contains("is training in \(folder.path)"), "\(error)")
            }
            withExtendedLifetime(first) {}
        }
        _ = try RunLock(folder)            // released with the first
    }

    @Test func unusableFoldersAreNamedInWords() throws {
        let folder = try Self.scratch("folders")
        let file = folder.appendingPathComponent("a-file")
        try Data([1]).write(to: file)
        #expect(throws: AtomicFileError.self) { try WritableFolder.prepare(file, purpose: "run") }
        do { try WritableFolder.prepare(file, purpose: "run") } catch {
            #expect("\(error)".contains("is a file, not a folder"))
        }
        do { try WritableFolder.prepare(file.appendingPathComponent("sub/deeper"), purpose: "figures") } catch {
            #expect("\(error)".contains("lies under \(file.path), which is a file"), "\(error)")
        }
        try WritableFolder.prepare(folder.appendingPathComponent("new/nested"), purpose: "run")
    }

    /// A "gnuplot" that writes a PNG cut short (as on a full disk): no figure is kept.
    @Test func aTruncatedPNGIsNotKept() throws {
        let folder = try Self.scratch("png")
        let fake = folder.appendingPathComponent("truncating-gnuplot")
        try writeExecutable("""
            #!/bin/sh
            out=$(sed -n "s/^set output '\\(.*\\)'$/\\1/p" | head -n 1)
            printf '\\211PNG\\r\\n\\032\\nonly the start' > "$out"
            """, to: fake)
        let writer = FigureWriter(directory: folder.appendingPathComponent("out"), gnuplotPath: fake.path)
        let png = folder.appendingPathComponent("out/f.png")
        #expect(throws: PlotError.outputTruncated(png.path)) { try writer.write(Figure(.lines([Series("a", y: [1.0, 2.0])])), name: "f") }
        #expect(!FileManager.default.fileExists(atPath: png.path))
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("out").path)
        #expect(left == ["f.gp"], "only the script stays: \(left)")
    }

    @Test func aClassifierPathHoldingAnotherFileIsLeftAlone() throws {
        let folder = try Self.scratch("classifier")
        let url = folder.appendingPathComponent("classifier.safetensors")
        var random = RandomSource(seed: 4)
        let vae = try VAE(VAEConfiguration(latentDimensions: 2, channels: [4]), using: &random)
        try Checkpoint.modelFile(vae).write(to: url)
        let before = try Data(contentsOf: url)
        #expect(throws: DigitClassifierError.self) {
            try DigitClassifier.loadOrTrain(at: url, architecture: DigitClassifierArchitecture(stageWidths: [2], featureCount: 8), minimumAccuracy: 0.5)
        }
        #expect(try Data(contentsOf: url) == before)
    }

    /// Uncompressed IDX files where the `.gz` is missing load as the compressed ones do.
    @Test func uncompressedIDXFilesAreAccepted() throws {
        let folder = try Self.scratch("raw-idx")
        let bundled = MNIST.bundledDirectory
        for name in ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
            let content = try Gzip.decompress([UInt8](try Data(contentsOf: bundled.appendingPathComponent(name + ".gz"))))
            try Data(content).write(to: folder.appendingPathComponent(name))
        }
        let raw = try MNIST.load(split: .test, from: folder)
        let compressed = try MNIST.load(split: .test)
        #expect(raw.labels == compressed.labels && raw.images == compressed.images)
        #expect(throws: DataError.self) { try MNIST.load(split: .train, from: folder) }
    }

    /// A `$GNUPLOT` that names no program falls back to the gnuplot on PATH.
    @Test func aMissingGnuplotVariableFallsBackToPath() throws {
        let folder = try Self.scratch("gnuplot-path")
        let fake = folder.appendingPathComponent("gnuplot")
        try writeExecutable("#!/bin/sh\nexit 0\n", to: fake)
        let found = GnuplotProcess.locate(environment: ["GNUPLOT": "/no/such/gnuplot", "PATH": folder.path])
        #expect(found?.path == fake.path)
    }

    /// Epoch counts beyond 32 bits print as they are.
    @Test func largeEpochCountsPrintWhole() {
        let record = EpochRecord(epoch: 5_000_000_001, step: 1, train: ELBOTerms(reconstruction: 1, kl: 1, objective: 2), test: nil,
                                 learningRate: 1e-3, klWeight: KLWeight(.beta(1)))
        let line = EpochSummary(record: record, seconds: 1, imagesPerSecond: 1, evaluationSeconds: 0).line(of: 6_000_000_000)
        #expect(line.contains("5000000001/6000000000"), "\(line)")
    }
}
