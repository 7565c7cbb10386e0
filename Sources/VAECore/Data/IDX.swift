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
struct IDXFile: Sendable {
    /// The magic number of a file of UInt8 images: (count, rows, columns).
    static let imagesMagic: UInt32 = 0x0000_0803
    /// The magic number of a file of UInt8 labels: (count).
    static let labelsMagic: UInt32 = 0x0000_0801

    /// The size along each dimension, outermost first.
    public let dimensions: [Int]
    /// The whole decompressed file; the elements start at `dataOffset`.
    public let bytes: [UInt8]
    /// Where the elements start: 4 bytes of magic and 4 per dimension.
    var dataOffset: Int { 4 + 4 * dimensions.count }
    /// The number of elements, the product of the dimensions.
    var elementCount: Int { dimensions.reduce(1, *) }

    /// The largest IDX file read, 256 MiB: more than five times MNIST's largest (47 MB of
    /// training images). A header that announces more, or a gzip stream that inflates past it,
    /// is refused before the memory is taken.
    static let maximumSize = 256 << 20

    /// The size of the whole file that an IDX header announces (4 bytes of magic, 4 per
    /// dimension, then the elements), read from the first decompressed bytes: nil until the
    /// header is complete, or when the bytes do not start like an IDX file of UInt8 elements.
    /// `Int.max` when the dimensions overflow.
    static func announcedSize(_ prefix: ArraySlice<UInt8>) -> Int? {
        let start = prefix.startIndex
        guard prefix.count >= 4, prefix[start] == 0, prefix[start + 1] == 0, prefix[start + 2] == 0x08 else { return nil }
        let rank = Int(prefix[start + 3])
        guard prefix.count >= 4 + 4 * rank else { return nil }
        var size = 1
        for axis in 0..<rank {
            let at = start + 4 + 4 * axis
            let dimension = Int(prefix[at]) << 24 | Int(prefix[at + 1]) << 16 | Int(prefix[at + 2]) << 8 | Int(prefix[at + 3])
            let (product, overflow) = size.multipliedReportingOverflow(by: dimension)
            if overflow { return .max }
            size = product
        }
        let (total, overflow) = size.addingReportingOverflow(4 + 4 * rank)
        return overflow ? .max : total
    }

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
        try checkFileSize(raw)
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
    try checkFileSize(url)
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
        throw .unreadable(file: path, reason: error.localizedDescription)
    }
    // Decompressed no further than the size its IDX header announces (a gzip bomb stops there).
    let result = data.withUnsafeBytes { raw -> Result<[UInt8], DataError> in
        do throws(DataError) {
            return .success(try Gzip.decompress(raw, file: path, limit: IDXFile.maximumSize, announcedSize: IDXFile.announcedSize))
        } catch { return .failure(error) }
    }
    return try result.get()
}

/// Refuses a data file that is not a regular file (a FIFO would block the read forever) or that
/// is larger than any IDX file read (`IDXFile.maximumSize`), before reading it.
func checkFileSize(_ url: URL) throws(DataError) {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.resolvingSymlinksInPath().path) else {
        return   // the read itself says why
    }
    if let type = attributes[.type] as? FileAttributeType, type != .typeRegular {
        throw .unreadable(file: url.path, reason: "it is not a regular file (a device, a FIFO or a socket)")
    }
    if let size = (attributes[.size] as? NSNumber)?.intValue, size > IDXFile.maximumSize {
        throw .sizeMismatch(file: url.path, detail: "the file holds \(size) bytes, more than the \(IDXFile.maximumSize) an IDX file may")
    }
}
