import Foundation

/// One file in the IDX format, the format of the MNIST distribution.
///
/// Layout, all integers big-endian:
///
///     magic   UInt32   0x0000TTDD: two zero bytes, the element type TT (0x08 = UInt8),
///                      the number of dimensions DD
///     size    UInt32   × DD, outermost first
///     data    the elements, row-major
///
/// MNIST images are `0x00000803` (UInt8, 3 dimensions: count, rows, columns) and labels
/// `0x00000801` (UInt8, 1 dimension: count). Only UInt8 elements are supported, which is all
/// that MNIST and Fashion-MNIST use.
public struct IDXFile: Sendable {
    /// The magic number of a file of UInt8 images: (count, rows, columns).
    public static let imagesMagic: UInt32 = 0x0000_0803
    /// The magic number of a file of UInt8 labels: (count).
    public static let labelsMagic: UInt32 = 0x0000_0801

    /// The size along each dimension, outermost first.
    public let dimensions: [Int]
    /// The whole decompressed file; the elements start at `dataOffset`.
    public let bytes: [UInt8]
    /// Where the elements start: 4 bytes of magic and 4 per dimension.
    public var dataOffset: Int { 4 + 4 * dimensions.count }
    /// The number of elements, the product of the dimensions.
    public var elementCount: Int { dimensions.reduce(1, *) }

    /// Parses decompressed IDX bytes that must carry `expectedMagic`.
    ///
    /// - Throws: `.truncated` when the header or the data is shorter than the header says,
    ///   `.wrongMagic`, or `.sizeMismatch` when there are more bytes than the header says or the
    ///   sizes overflow.
    public init(bytes: [UInt8], expectedMagic: UInt32, file: String) throws(DataError) {
        func word(_ offset: Int) -> UInt32 {
            UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
        }
        guard bytes.count >= 4 else {
            throw .truncated(file: file, detail: "\(bytes.count) bytes of content, too short for the 4-byte IDX magic number")
        }
        let magic = word(0)
        guard magic == expectedMagic else { throw .wrongMagic(file: file, expected: expectedMagic, found: magic) }
        let rank = Int(magic & 0xff)
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw .truncated(file: file, detail: "\(bytes.count) bytes of content, but the IDX header alone needs \(headerSize)")
        }
        var dimensions: [Int] = []
        var elements = 1
        for axis in 0..<rank {
            let size = Int(word(4 + 4 * axis))
            dimensions.append(size)
            let product = elements.multipliedReportingOverflow(by: size)
            guard !product.overflow else {
                throw .sizeMismatch(file: file, detail: "dimensions \(dimensions) overflow")
            }
            elements = product.partialValue
        }
        let dataBytes = bytes.count - headerSize
        if dataBytes < elements {
            throw .truncated(file: file, detail: "the header \(dimensions) promises \(elements) bytes of data, the file has \(dataBytes)")
        }
        if dataBytes > elements {
            throw .sizeMismatch(file: file, detail: "the header \(dimensions) promises \(elements) bytes of data, the file has \(dataBytes)")
        }
        self.dimensions = dimensions
        self.bytes = bytes
    }

    /// Reads, decompresses and parses the gzip-compressed IDX file at `url`.
    ///
    /// - Parameters:
    ///   - checksums: when given, the decompressed bytes must match the entry for the file's
    ///     name without `.gz`.
    /// - Throws: `DataError`, naming `url`.
    public init(gzipFile url: URL, expectedMagic: UInt32, checksums: ChecksumList? = nil) throws(DataError) {
        let path = url.path
        let content = try readGzip(url)
        if let checksums {
            try checksums.verify(content, name: url.deletingPathExtension().lastPathComponent, file: path)
        }
        try self.init(bytes: content, expectedMagic: expectedMagic, file: path)
    }
}

extension IDXFile {
    /// The IDX file at `url` (a `.gz` path): gzip-compressed, or, when only the uncompressed file
    /// beside it exists (the same name without `.gz`), that one. Checksums apply to both alike.
    /// - Throws: `DataError.missing` naming the `.gz` when neither exists.
    public init(gzipOrRaw url: URL, expectedMagic: UInt32, checksums: ChecksumList? = nil) throws(DataError) {
        let raw = url.deletingPathExtension()
        guard !FileManager.default.fileExists(atPath: url.path), url.pathExtension == "gz",
              FileManager.default.fileExists(atPath: raw.path) else {
            try self.init(gzipFile: url, expectedMagic: expectedMagic, checksums: checksums)
            return
        }
        let content: [UInt8]
        do { content = [UInt8](try Data(contentsOf: raw)) } catch {
            throw .unreadable(file: raw.path, reason: error.localizedDescription)
        }
        if let checksums { try checksums.verify(content, name: raw.lastPathComponent, file: raw.path) }
        try self.init(bytes: content, expectedMagic: expectedMagic, file: raw.path)
    }
}

/// The decompressed content of the gzip file at `url`.
/// - Throws: `.missing`, `.unreadable`, then whatever `Gzip.decompress` throws.
func readGzip(_ url: URL) throws(DataError) -> [UInt8] {
    let path = url.path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .missing(file: path) }
    guard !isDirectory.boolValue else { throw .unreadable(file: path, reason: "it is a directory") }
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
        throw .unreadable(file: path, reason: error.localizedDescription)
    }
    let result = data.withUnsafeBytes { raw -> Result<[UInt8], DataError> in
        do throws(DataError) { return .success(try Gzip.decompress(raw, file: path)) } catch { return .failure(error) }
    }
    return try result.get()
}
