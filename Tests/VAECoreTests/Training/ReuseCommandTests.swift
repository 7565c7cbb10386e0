import Foundation
import Testing
@testable import VAECore
@testable import VAENumerics

/// `vae train --reuse`, run as a user runs it: a run trained once is taken back the next time with
/// the same settings (its recorded epochs printed, nothing trained, the checkpoint untouched); a
/// run of other settings sets it aside beside it, never deleting it, and trains; and `--reuse`
/// refuses the flags it decides for itself.
@Suite struct ReuseCommandTests {
    static func train(_ folder: URL, _ extra: [String] = []) throws -> (status: Int32, output: String) {
        try CommandLineRefusalTests.run("vae", ["train", "--subset", "256", "--epochs", "1", "--batch-size", "128",
                                                "--output", folder.path, "--reuse"] + extra)
    }

    @Test func aMatchingRunIsTakenBackAndAnotherIsSetAside() throws {
        let folder = try RefusalTests.scratch("reuse").appendingPathComponent("run")
        let checkpoint = folder.appendingPathComponent("checkpoint.safetensors")

        let first = try Self.train(folder)
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("training a new run"), "\(first.output)")
        let trained = try Data(contentsOf: checkpoint)

        let second = try Self.train(folder)
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output.contains("reusing the run"), "\(second.output)")
        #expect(second.output.contains("epoch 1/1"), "the recorded epoch is printed: \(second.output)")
        #expect(!second.output.contains("step 1/2"), "nothing is trained: \(second.output)")
        #expect(try Data(contentsOf: checkpoint) == trained, "the checkpoint is untouched")

        let other = try Self.train(folder, ["--seed", "2"])
        #expect(other.status == 0, "\(other.output)")
        #expect(other.output.contains("is kept as"), "\(other.output)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        let aside = try #require(files.first { $0.hasPrefix("checkpoint-") && $0.hasSuffix(".safetensors") }, "\(files)")
        #expect(try Data(contentsOf: folder.appendingPathComponent(aside)) == trained, "the first run is kept, bit for bit")

        let back = try Self.train(folder)
        #expect(back.status == 0 && back.output.contains("taking back the run set aside"), "\(back.output)")
        #expect(try Data(contentsOf: checkpoint) == trained)
    }

    @Test func reuseRefusesTheFlagsItDecides() throws {
        let folder = try RefusalTests.scratch("reuse-flags").appendingPathComponent("run")
        for flag in ["--resume", "--overwrite"] {
            try CommandLineRefusalTests.expectRefusal("vae", ["train", "--output", folder.path, "--reuse", flag],
                                                      saying: "--reuse decides by itself")
        }
        try CommandLineRefusalTests.expectRefusal("vae", ["train", "--pair", "image-label", "--reuse"],
                                                  saying: "--reuse is written for a VAE's run")
    }
}
