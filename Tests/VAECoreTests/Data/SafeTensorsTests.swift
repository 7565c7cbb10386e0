import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

@Suite struct SafeTensorsTests {
    let fixtures = Fixture.folder

    /// A file written by the reference Python library reads back with the right names, shapes,
    /// values, dtypes and metadata.
    @Test func readsAFileWrittenByPython() throws {
        let file = try SafeTensors.read(from: fixtures.appendingPathComponent("safetensors_example.safetensors"))
        #expect(file.metadata == ["epoch": "3", "beta": "1.0"])
        let weight = try #require(file["encoder.conv1.weight"])
        #expect(weight.shape == [2, 3, 2, 2])
        #expect(weight.scalars == (0..<24).map { Float($0) / 8 - 1 })
        let count = try #require(file.entries.first { $0.name == "encoder.bn1.num_batches_tracked" })
        #expect(count.dtype == .int64 && count.tensor.shape == [] && count.tensor.scalars == [469])
        #expect(file["decoder.fc.bias"]?.scalars == [1.5, -2.25, 3.0e-8])
    }

    @Test func roundTripsThroughAnAtomicWrite() throws {
        var random = RandomSource(seed: 1)
        let original = SafeTensors(entries: [
            .init(name: "a.weight", tensor: .gaussian([4, 3], using: &random)),
            .init(name: "a.num_batches_tracked", tensor: Tensor(shape: [], scalars: [12]), dtype: .int64),
        ], metadata: ["config": "{\"latent\":20}"])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.safetensors")
        try original.write(to: url)
        try original.write(to: url) // overwriting works too
        let bytes = try Data(contentsOf: url)
        #expect((8 + Int(bytes[0])) % 8 == 0) // data starts 8-byte aligned
        #expect(try SafeTensors.read(from: url) == original)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.safetensors"]) // no temporary left
    }

    @Test func rejectsCorruptFiles() throws {
        let good = try SafeTensors(entries: [.init(name: "w", tensor: Tensor(shape: [2], scalars: [1, 2]))]).serialized()
        #expect(throws: SafeTensorsError.self) { try SafeTensors(parsing: Data([1, 2, 3])) }
        #expect(throws: SafeTensorsError.self) { try SafeTensors(parsing: good.prefix(good.count - 1)) } // truncated data
        var hugeHeader = good
        hugeHeader[6] = 0xFF
        #expect(throws: SafeTensorsError.self) { try SafeTensors(parsing: hugeHeader) }
        var notJSON = good
        notJSON[8] = UInt8(ascii: "#")
        #expect(throws: SafeTensorsError.self) { try SafeTensors(parsing: notJSON) }
        #expect(throws: SafeTensorsError.self) { try SafeTensors.read(from: URL(fileURLWithPath: "/nonexistent/x.safetensors")) }
        #expect(throws: SafeTensorsError.duplicateName("w")) {
            try SafeTensors(entries: [.init(name: "w", tensor: .zeros([1])), .init(name: "w", tensor: .zeros([1]))]).serialized()
        }
    }
}
