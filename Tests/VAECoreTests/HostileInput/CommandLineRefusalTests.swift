import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// The course's programs, run as a user runs them, on input they must refuse in words with a
/// non-zero exit: an empty run folder, a Python that is not there, a book folder under a file, a
/// matrix shape that overflows, a test set of another image size. `swift test` builds the
/// executables beside the test bundle, where these tests find them.
@Suite struct CommandLineRefusalTests {
    /// The folder of the built products (the test bundle's own).
    static let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()

    /// Runs a built program; returns its exit status and its standard output and error together.
    static func run(_ program: String, _ arguments: [String], in folder: URL? = nil) throws -> (status: Int32, output: String) {
        let executable = products.appendingPathComponent(program)
        try #require(FileManager.default.isExecutableFile(atPath: executable.path),
                     "\(program) is not built in \(products.path): build the package first")
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = folder }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func expectRefusal(_ program: String, _ arguments: [String], saying words: String, in folder: URL? = nil) throws {
        let (status, output) = try run(program, arguments, in: folder)
        #expect(status != 0, "\(program) \(arguments) exited 0:\n\(output)")
        #expect(output.contains(words), "\(program) \(arguments) should say \"\(words)\":\n\(output)")
        #expect(!output.contains("Error Domain="), "a raw Foundation error: \(output)")
    }

    @Test func anEmptyRunFolderIsRefusedNotTheCurrentFolder() throws {
        let folder = try RefusalTests.scratch("empty-run")
        try Self.expectRefusal("ch05-elbo", ["--run", "", "--quick"], saying: "--run needs a folder, not an empty path", in: folder)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "nothing written to the current folder")
    }

    /// The options the first chapters' exercises use refuse what would crash or measure nothing.
    @Test func theFirstChaptersRefuseExerciseOptionsOutOfRange() throws {
        try Self.expectRefusal("ch01-tensors", ["--blocks", "16"], saying: "--blocks takes two sizes, kc and nc, not 1")
        try Self.expectRefusal("ch01-tensors", ["--blocks", "0", "32"], saying: "every --blocks value must lie between 1 and 4096, not 0")
        try Self.expectRefusal("ch01-tensors", ["--sampler", "uniform"], saying: "--sampler")
        try Self.expectRefusal("ch02-convolution", ["--bilinear", "0.5", "0.5", "0.5"], saying: "--bilinear takes four weights, not 3")
        try Self.expectRefusal("ch02-convolution", ["--bilinear", "0.5", "nan", "0.5", "0.5"],
                               saying: "every --bilinear weight must be a number between −100 and 100, not nan")
        try Self.expectRefusal("ch02-convolution", ["--speed-batch", "0"], saying: "--speed-batch must lie between 1 and 512, not 0")
        try Self.expectRefusal("ch03-backprop", ["--loss-gradient-error", "1"],
                               saying: "--loss-gradient-error must be a number between −1 and 1, not 1.0")
        try Self.expectRefusal("ch03-backprop", ["--check-activation", "elu"], saying: "--check-activation")
    }

    @Test func aPythonThatIsNotThereIsAnError() throws {
        try Self.expectRefusal("bench", ["train-step", "--python", "/nonexistent/python", "--steps", "1", "--rounds", "1", "--warmup", "0"],
                               saying: "cannot run /nonexistent/python: no executable file there")
    }

    @Test func aBookFolderUnderAFileIsSaidInWords() throws {
        let file = try RefusalTests.scratch("book").appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        try Self.expectRefusal("book", ["--figures", file.path], saying: "which is a file")
    }

    @Test func matrixShapesThatCannotBeAllocatedAreRefused() throws {
        try Self.expectRefusal("bench", ["gemm", "--shape", "9223372036854775807x2x2", "--no-openblas"], saying: "more than 2⁶³ bytes")
        try Self.expectRefusal("bench", ["gemm", "--shape", "100000000x100000000x100000000", "--no-openblas"],
                               saying: "one computation may take here")
        try Self.expectRefusal("bench", ["layers", "--batch", "1000000000"], saying: "one computation may take here")
    }

    @Test func aTestSetOfAnotherSizeIsRefusedBeforeTraining() throws {
        let folder = try RefusalTests.scratch("test-29")
        for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"] {
            try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent(name),
                                                       withDestinationURL: MNIST.bundledDirectory.appendingPathComponent(name))
        }
        try DataFiles.write(DataFiles.gzip(DataFiles.idx(magic: IDXFile.imagesMagic, dimensions: [2, 29, 29],
                                                         payload: [UInt8](repeating: 0, count: 2 * 29 * 29))),
                            "t10k-images-idx3-ubyte.gz", in: folder)
        try DataFiles.write(DataFiles.gzip(DataFiles.idx(magic: IDXFile.labelsMagic, dimensions: [2], payload: [1, 2])),
                            "t10k-labels-idx1-ubyte.gz", in: folder)
        let started = Date()
        try Self.expectRefusal("vae", ["train", "--data", folder.path, "--subset", "256", "--epochs", "1",
                                       "--output", folder.appendingPathComponent("run").path],
                               saying: "the test images in \(folder.path) are 29×29 pixels")
        #expect(Date().timeIntervalSince(started) < 30)
    }
}
