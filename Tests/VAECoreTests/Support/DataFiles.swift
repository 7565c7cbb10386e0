import CZlib
import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// Small IDX files written to a temporary folder, to test the loader on good and bad input.
enum DataFiles {
    /// An IDX file: big-endian magic, big-endian dimensions, then `payload`.
    static func idx(magic: UInt32, dimensions: [Int], payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        for word in [magic] + dimensions.map(UInt32.init) {
            bytes += [UInt8(word >> 24), UInt8(word >> 16 & 0xff), UInt8(word >> 8 & 0xff), UInt8(word & 0xff)]
        }
        return bytes + payload
    }

    /// `bytes` as one gzip member, compressed by zlib's deflate (windowBits 15 + 16 = gzip).
    static func gzip(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        precondition(deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                                   ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 32)
        let produced = input.withUnsafeMutableBufferPointer { inp in
            output.withUnsafeMutableBufferPointer { out -> Int in
                stream.next_in = inp.baseAddress
                stream.avail_in = UInt32(inp.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END)
                return out.count - Int(stream.avail_out)
            }
        }
        return Array(output[..<produced])
    }

    /// A fresh empty folder under the system's temporary directory.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("vae-data-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `body` with a fresh temporary folder, then deletes it.
    static func withFolder<R>(_ body: (URL) throws -> R) throws -> R {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        return try body(folder)
    }

    /// A small data set: `count` images of `rows`×`columns` pixels with byte (i·31 + j·7) mod 256,
    /// labels i mod 10.
    static func sample(count: Int = 5, rows: Int = 3, columns: Int = 4) -> (pixels: [UInt8], labels: [UInt8]) {
        var pixels: [UInt8] = []
        for i in 0..<count { for j in 0..<(rows * columns) { pixels.append(UInt8((i * 31 + j * 7) % 256)) } }
        return (pixels, (0..<count).map { UInt8($0 % 10) })
    }

    /// Writes `bytes` as `name` in `folder`.
    static func write(_ bytes: [UInt8], _ name: String, in folder: URL) throws {
        try Data(bytes).write(to: folder.appendingPathComponent(name))
    }

    /// Writes a good test split (images and labels, gzipped) into `folder`.
    @discardableResult
    static func writeGoodSplit(in folder: URL, count: Int = 5, rows: Int = 3, columns: Int = 4,
                               split: Split = .test) throws -> (images: [UInt8], labels: [UInt8]) {
        let (pixels, labels) = sample(count: count, rows: rows, columns: columns)
        let images = idx(magic: IDXFile.imagesMagic, dimensions: [count, rows, columns], payload: pixels)
        let labelFile = idx(magic: IDXFile.labelsMagic, dimensions: [count], payload: labels)
        let names = MNIST.fileNames(split)
        try write(gzip(images), names.images + ".gz", in: folder)
        try write(gzip(labelFile), names.labels + ".gz", in: folder)
        return (images, labelFile)
    }

    /// The `SHA256SUMS.raw` line for `content` saved as `name`.
    static func checksumLine(_ content: [UInt8], _ name: String) -> String {
        "\(SHA256.hash(content).hex)  \(name)  (\(content.count) bytes uncompressed)\n"
    }
}

/// Runs `body`, which must throw a `DataError` that `matches` accepts; returns the error.
@discardableResult
func expectDataError(_ body: () throws -> Void, matches: (DataError) -> Bool,
                     sourceLocation: Testing.SourceLocation = #_sourceLocation) -> DataError? {
    do {
        try body()
        Issue.record("expected a DataError, but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as DataError {
        if !matches(error) { Issue.record("unexpected DataError: \(error)", sourceLocation: sourceLocation) }
        return error
    } catch {
        Issue.record("expected a DataError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
