import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A set of named tensors in the safetensors format, the format of Hugging Face's `safetensors`
/// library, which PyTorch users load with `safetensors.torch.load_file`.
///
/// The file is: an 8-byte little-endian header length N; N bytes of JSON mapping each tensor's
/// name to `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets into the data that follows)
/// plus an optional `"__metadata__"` object of strings; then the raw little-endian data. Nothing
/// in it can execute code (unlike a pickled `torch.save` file), and a reader can check every
/// offset before touching the data.
///
/// Tensors are `Float` in memory. A tensor saved with `.int64` (BatchNorm's `num_batches_tracked`
/// is an int64 in PyTorch's `state_dict`) is converted on the way out and back.
public struct SafeTensors: Equatable {
    /// The element types we write and read.
    public enum DType: String, Sendable {
        case float32 = "F32"
        case int64 = "I64"
        var byteCount: Int { self == .float32 ? 4 : 8 }
    }

    public struct Entry: Equatable {
        public var name: String
        public var tensor: Tensor
        var dtype: DType
        public init(name: String, tensor: Tensor, dtype: DType = .float32) {
            self.name = name; self.tensor = tensor; self.dtype = dtype
        }
    }

    /// The tensors in file order.
    public var entries: [Entry]
    /// Free-form strings stored in the header's `__metadata__`.
    public var metadata: [String: String]

    public init(entries: [Entry] = [], metadata: [String: String] = [:]) {
        self.entries = entries
        self.metadata = metadata
    }

    /// The tensor named `name`, if present.
    public subscript(name: String) -> Tensor? {
        entries.first { $0.name == name }?.tensor
    }

    // MARK: Writing

    /// The file's bytes.
    func serialized() throws -> Data {
        var header: [String: Any] = [:]
        var offset = 0
        for entry in entries {
            guard header[entry.name] == nil, entry.name != "__metadata__" else {
                throw SafeTensorsError.duplicateName(entry.name)
            }
            let size = entry.tensor.count * entry.dtype.byteCount
            header[entry.name] = ["dtype": entry.dtype.rawValue, "shape": entry.tensor.shape,
                                  "data_offsets": [offset, offset + size]] as [String: Any]
            offset += size
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces so that the data starts 8-byte aligned, as the format advises.
        while (8 + json.count) % 8 != 0 { json.append(0x20) }

        var bytes = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(json)
        for entry in entries {
            switch entry.dtype {
            case .float32:
                entry.tensor.withUnsafeBufferPointer { p in
                    for x in p { withUnsafeBytes(of: x.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
                }
            case .int64:
                for x in entry.tensor.scalars {
                    guard x.isFinite, x == x.rounded() else { throw SafeTensorsError.notAnInteger(entry.name, x) }
                    withUnsafeBytes(of: Int64(x).littleEndian) { bytes.append(contentsOf: $0) }
                }
            }
        }
        return bytes
    }

    /// Writes the file atomically: to a temporary file in the same folder, flushed to disk, then
    /// renamed over `url`. A crash at any moment leaves either the old file or the new one,
    /// never half of one.
    public func write(to url: URL) throws {
        try AtomicFile.write(try serialized(), to: url)
    }

    // MARK: Reading

    /// Reads and checks a safetensors file.
    public static func read(from url: URL) throws -> SafeTensors {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw SafeTensorsError.unreadable(url.path, "there is no such file")
        }
        guard !isFolder.boolValue else { throw SafeTensorsError.unreadable(url.path, "it is a folder, not a checkpoint file") }
        // A device (/dev/zero), a FIFO or a socket never ends or blocks: refused before reading.
        let type = (try? FileManager.default.attributesOfItem(atPath: url.resolvingSymlinksInPath().path)[.type]) as? FileAttributeType
        guard type == nil || type == .typeRegular else {
            throw SafeTensorsError.unreadable(url.path, "it is not a regular file (a device, a FIFO or a socket), so not a checkpoint")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SafeTensorsError.unreadable(url.path, posixReason(error))
        }
        return try SafeTensors(parsing: data, name: url.path)
    }

    /// Parses the bytes of a safetensors file; `name` is used in error messages.
    public init(parsing data: Data, name: String = "safetensors data") throws {
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else { throw SafeTensorsError.corrupt(name, "shorter than its 8-byte header length") }
        let headerLength = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw SafeTensorsError.corrupt(name, "header length \(headerLength) exceeds the file's \(bytes.count) bytes")
        }
        let dataStart = 8 + Int(headerLength)
        guard let header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart])) as? [String: Any] else {
            throw SafeTensorsError.corrupt(name, "the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        if let meta = header["__metadata__"] {
            guard let strings = meta as? [String: String] else {
                throw SafeTensorsError.corrupt(name, "__metadata__ must map strings to strings")
            }
            metadata = strings
        }
        let dataCount = bytes.count - dataStart
        var parsed: [(begin: Int, end: Int, entry: Entry)] = []
        for (key, value) in header where key != "__metadata__" {
            guard let info = value as? [String: Any],
                  let dtypeName = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int],
                  let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
                throw SafeTensorsError.corrupt(name, "tensor \(key) lacks dtype, shape or data_offsets")
            }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw SafeTensorsError.corrupt(name, "tensor \(key) has dtype \(dtypeName); only F32 and I64 are read")
            }
            // The element count, refused rather than trapping when it overflows or cannot fit the file.
            var count = 1
            for dimension in shape {
                guard dimension >= 0 else { throw SafeTensorsError.corrupt(name, "tensor \(key) has a negative dimension in its shape \(shape)") }
                let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
                guard !overflow, product <= dataCount else {
                    throw SafeTensorsError.corrupt(name, "tensor \(key) has shape \(shape), more values than the file's \(dataCount) data bytes hold")
                }
                count = product
            }
            guard offsets[0] >= 0, offsets[1] >= offsets[0], offsets[1] <= dataCount,
                  offsets[1] - offsets[0] == count * dtype.byteCount else {
                throw SafeTensorsError.corrupt(name, "tensor \(key) of shape \(shape) does not fit its offsets \(offsets) in \(dataCount) data bytes")
            }
            var scalars = [Float](repeating: 0, count: count)
            let base = dataStart + offsets[0]
            for i in 0..<count {
                let at = base + i * dtype.byteCount
                switch dtype {
                case .float32:
                    var bits: UInt32 = 0
                    for b in 0..<4 { bits |= UInt32(bytes[at + b]) << (8 * UInt32(b)) }
                    scalars[i] = Float(bitPattern: bits)
                case .int64:
                    var bits: UInt64 = 0
                    for b in 0..<8 { bits |= UInt64(bytes[at + b]) << (8 * UInt64(b)) }
                    scalars[i] = Float(Int64(bitPattern: bits))
                }
            }
            parsed.append((offsets[0], offsets[1], Entry(name: key, tensor: Tensor(shape: shape, scalars: scalars), dtype: dtype)))
        }
        // The tensors must tile the data section exactly, in order: no two read the same bytes
        // (a tensor that reads another's would load silently wrong weights), no gap, nothing after
        // the last (as Python's safetensors demands).
        parsed.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var end = 0, previous = "the start of the data"
        for item in parsed {
            guard item.begin == end else {
                throw SafeTensorsError.corrupt(name, item.begin < end
                    ? "tensor \(item.entry.name) (bytes \(item.begin)..<\(item.end)) overlaps tensor \(previous) (bytes ..<\(end)): offsets must not overlap"
                    : "the data bytes \(end)..<\(item.begin) between \(previous) and tensor \(item.entry.name) belong to no tensor")
            }
            (end, previous) = (item.end, item.entry.name)
        }
        guard end == dataCount else {
            throw SafeTensorsError.corrupt(name, "the data bytes \(end)..<\(dataCount) after the last tensor belong to no tensor")
        }
        self.entries = parsed.map(\.entry)
        self.metadata = metadata
    }
}

/// What can go wrong with a safetensors file.
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    case unreadable(String, String)
    case corrupt(String, String)
    case duplicateName(String)
    case notAnInteger(String, Float)

    public var description: String {
        switch self {
        case .unreadable(let path, let why): "cannot read checkpoint \(path): \(why)"
        case .corrupt(let path, let why): "corrupt checkpoint \(path): \(why)"
        case .duplicateName(let name): "two tensors are named '\(name)'"
        case .notAnInteger(let name, let value): "tensor \(name) is saved as int64 but holds \(value)"
        }
    }
}
