/// Why a data file could not be loaded. Every case names the file (its full path), so that the
/// message alone says which file to fetch again.
///
/// The loaders throw these instead of trapping or returning part of a data set: a training run
/// on silently truncated or mislabelled data is worse than one that never starts.
public enum DataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file does not exist.
    case missing(file: String)
    /// The file exists but could not be read (permissions, a directory, an I/O error).
    case unreadable(file: String, reason: String)
    /// The file has no bytes at all.
    case empty(file: String)
    /// The file does not start with the gzip magic bytes 1f 8b.
    case notGzip(file: String)
    /// The gzip stream, or the data inside it, ends before it should.
    case truncated(file: String, detail: String)
    /// The gzip stream is damaged (bad deflate data, CRC-32 or length check failed, trailing junk).
    case corrupt(file: String, detail: String)
    /// The IDX magic number is not the one this kind of file must have.
    case wrongMagic(file: String, expected: UInt32, found: UInt32)
    /// The IDX header's sizes disagree with the data (extra bytes, impossible dimensions).
    case sizeMismatch(file: String, detail: String)
    /// The images file and the labels file hold different numbers of examples.
    case countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int)
    /// A label outside 0..<classCount.
    case labelOutOfRange(file: String, index: Int, value: UInt8, classCount: Int)
    /// The decompressed content does not match `SHA256SUMS.raw`.
    case checksumMismatch(file: String, expected: String, actual: String)
    /// The decompressed size does not match the size listed in `SHA256SUMS.raw`.
    case checksumSizeMismatch(file: String, expected: Int, actual: Int)
    /// The folder has a `SHA256SUMS.raw`, but it lists no sum for this file.
    case checksumMissing(file: String, list: String)
    /// A line of `SHA256SUMS.raw` is not `<64 hex digits>  <name>  (<n> bytes uncompressed)`.
    case malformedChecksumList(file: String, line: Int, detail: String)

    public var description: String {
        switch self {
        case let .missing(file):
            return "\(file): file not found"
        case let .unreadable(file, reason):
            return "\(file): cannot read the file (\(reason))"
        case let .empty(file):
            return "\(file): the file is empty (0 bytes)"
        case let .notGzip(file):
            return "\(file): not a gzip file (it does not start with the bytes 1f 8b)"
        case let .truncated(file, detail):
            return "\(file): truncated: \(detail)"
        case let .corrupt(file, detail):
            return "\(file): corrupt gzip data: \(detail)"
        case let .wrongMagic(file, expected, found):
            return "\(file): wrong IDX magic number \(hex32(found)), expected \(hex32(expected))"
        case let .sizeMismatch(file, detail):
            return "\(file): sizes disagree with the IDX header: \(detail)"
        case let .countMismatch(images, imageCount, labels, labelCount):
            return "\(images) holds \(imageCount) images but \(labels) holds \(labelCount) labels"
        case let .labelOutOfRange(file, index, value, classCount):
            return "\(file): label \(value) at index \(index) is outside 0..<\(classCount)"
        case let .checksumMismatch(file, expected, actual):
            return "\(file): SHA-256 of the uncompressed content is \(actual), but SHA256SUMS.raw says \(expected)"
        case let .checksumSizeMismatch(file, expected, actual):
            return "\(file): uncompressed size is \(actual) bytes, but SHA256SUMS.raw says \(expected)"
        case let .checksumMissing(file, list):
            return "\(file): \(list) lists no SHA-256 for this file"
        case let .malformedChecksumList(file, line, detail):
            return "\(file):\(line): malformed checksum line: \(detail)"
        }
    }
}

/// `0x00000803`: a 32-bit value as 8 hex digits, as the IDX format documents its magic numbers.
func hex32(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
