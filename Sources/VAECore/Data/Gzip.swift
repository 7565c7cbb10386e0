import CZlib

/// Decompression of gzip files (RFC 1952) through the system zlib.
///
/// MNIST ships as `.gz` files. Deflate itself is not what this course is about, so we call
/// zlib's `inflate` rather than writing our own; everything around it (buffer growth, error
/// reporting, multi-member files) is here.
///
/// zlib checks each member's trailer for us: the CRC-32 of the output and its length modulo 2³²
/// (ISIZE). A stream that stops early is reported as `truncated`, damaged data as `corrupt`.
enum Gzip {
    /// The two bytes every gzip member starts with.
    public static let magic: (UInt8, UInt8) = (0x1f, 0x8b)

    /// Whether `bytes` starts like a gzip file.
    static func hasMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 2 && bytes[0] == magic.0 && bytes[1] == magic.1
    }

    /// The whole decompressed content of the gzip file `bytes`.
    ///
    /// Several gzip members one after another (what `cat a.gz b.gz` makes) decompress to the
    /// concatenation of their contents, as `gunzip` does. Anything else after the last member
    /// is an error: we never return part of a file.
    ///
    /// The output buffer starts at the size the last member's ISIZE trailer announces (the
    /// uncompressed size modulo 2³²), but only as a hint: it is capped by the largest size deflate
    /// can expand `bytes` to (about 1032:1), and the buffer doubles whenever it fills up.
    ///
    /// A few kilobytes of gzip can hold gigabytes of zeros (a "gzip bomb"), so the output is
    /// bounded before it is produced: inflate never writes more than `limit` bytes, nor more than
    /// the size that `announcedSize` reads from the output's first bytes (a file format's header,
    /// e.g. an IDX file's dimensions) once it can. One byte past either is an error, so memory
    /// stays within the bound whatever the input.
    ///
    /// - Parameters:
    ///   - file: the name to put in errors.
    ///   - limit: the most bytes of output accepted.
    ///   - announcedSize: reads the whole content's size from its first bytes, or nil while it
    ///     cannot tell yet (or the content has no such header).
    /// - Throws: `DataError.empty`, `.notGzip`, `.truncated`, `.corrupt`, or `.sizeMismatch` for
    ///   an output beyond the limit or the announced size.
    /// - Complexity: O(output size); one pass of inflate, plus the zero-fill of the buffer.
    static func decompress(_ bytes: UnsafeRawBufferPointer, file: String, limit: Int = .max,
                                  announcedSize: ((ArraySlice<UInt8>) -> Int?)? = nil) throws(DataError) -> [UInt8] {
        guard bytes.count > 0 else { throw .empty(file: file) }
        if bytes.count == 1 && bytes[0] == magic.0 {
            throw .truncated(file: file, detail: "1 byte, the start of a gzip header")
        }
        guard hasMagic(bytes) else { throw .notGzip(file: file) }
        guard bytes.count >= 18 else {
            // 10 bytes of header, at least 2 of deflate data, 8 of trailer.
            throw .truncated(file: file, detail: "\(bytes.count) bytes is shorter than the smallest gzip file (18 bytes)")
        }

        // The ISIZE hint: the last four bytes, little-endian.
        let n = bytes.count
        let isize = Int(bytes[n - 4]) | Int(bytes[n - 3]) << 8 | Int(bytes[n - 2]) << 16 | Int(bytes[n - 1]) << 24
        let largestPossible = n.multipliedReportingOverflow(by: 1032)
        let cap = largestPossible.overflow ? Int.max / 2 : largestPossible.partialValue
        // The bound on the output: `limit`, lowered to the announced size once that is known.
        var bound = limit, announced: Int? = nil
        // +1 so that an exact hint leaves room for inflate to read the trailer without a regrow
        // (and so that one byte past the bound can be seen).
        // With a header to read, the buffer starts small (ISIZE is only the size modulo 2³², and a
        // bomb's says what it likes) and grows to the announced size once the header is read.
        let start = min(isize, cap, bound, announcedSize == nil ? Int.max : 1 << 16)
        var output = [UInt8](repeating: 0, count: max(1, start) + 1)
        var produced = 0

        var stream = z_stream()
        // 15 + 32: a 32 KiB window, and detect the gzip (or zlib) header automatically.
        // We already checked for the gzip magic, so only gzip streams reach inflate.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corrupt(file: file, detail: "zlib could not start inflate (\(zlibMessage(stream)))")
        }
        defer { inflateEnd(&stream) }

        let input = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var consumed = 0                 // bytes of input handed to zlib and used
        let chunkLimit = Int(UInt32.max) // avail_in / avail_out are 32-bit

        /// Reads the announced size as soon as the output shows it; refuses output past the bound.
        func checkBound() throws(DataError) {
            if announced == nil, let announcedSize, let size = announcedSize(output[..<produced]) {
                announced = size
                bound = min(bound, size)
            }
            guard produced <= bound else {
                throw .sizeMismatch(file: file, detail: announced.map {
                    $0 <= limit ? "it decompresses to more than the \($0) bytes its header announces"
                                : "its header announces \($0) bytes, more than the \(limit) accepted" }
                    ?? "it decompresses to more than \(limit) bytes, the most accepted")
            }
        }

        while true {
            try checkBound()
            if produced == output.count {
                // Double (or, once the header has announced the size, straight to it), but never
                // past one byte beyond the bound.
                let ceiling = bound == .max ? Int.max : bound + 1
                let target = min(announced != nil ? ceiling : 2 * output.count, ceiling)
                output.append(contentsOf: repeatElement(0, count: max(1, target - output.count)))
            }
            let inChunk = min(n - consumed, chunkLimit)
            stream.next_in = UnsafeMutablePointer(mutating: input + consumed)  // zlib never writes it
            stream.avail_in = UInt32(inChunk)
            let outChunk = min(output.count - produced, chunkLimit, bound == .max ? .max : bound - produced + 1)
            let status = output.withUnsafeMutableBufferPointer { out -> Int32 in
                stream.next_out = out.baseAddress! + produced
                stream.avail_out = UInt32(outChunk)
                return inflate(&stream, Z_NO_FLUSH)
            }
            consumed += inChunk - Int(stream.avail_in)
            produced += outChunk - Int(stream.avail_out)
            stream.next_in = nil
            stream.next_out = nil

            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                // One member done. Another may follow; anything else is junk.
                try checkBound()
                if consumed == n { return Array(output[..<produced]) }
                let rest = UnsafeRawBufferPointer(rebasing: bytes[consumed...])
                guard hasMagic(rest) else {
                    throw .corrupt(file: file, detail: "\(n - consumed) bytes of trailing data after the gzip stream")
                }
                guard inflateReset(&stream) == Z_OK else {
                    throw .corrupt(file: file, detail: "zlib could not restart inflate for the next gzip member")
                }
            case Z_BUF_ERROR:
                // No progress was possible: either the output is full (grow, above) or the input
                // ran out before the end of the stream.
                if stream.avail_out == 0 && outChunk > 0 { continue }
                throw .truncated(file: file, detail: "the gzip stream ends early, after \(produced) bytes of output")
            case Z_DATA_ERROR:
                throw .corrupt(file: file, detail: zlibMessage(stream))
            case Z_MEM_ERROR:
                throw .corrupt(file: file, detail: "zlib ran out of memory")
            default:
                throw .corrupt(file: file, detail: "zlib inflate returned \(status) (\(zlibMessage(stream)))")
            }
        }
    }

    /// `decompress(_:file:)` for an array of bytes.
    static func decompress(_ bytes: [UInt8], file: String = "<memory>", limit: Int = .max,
                                  announcedSize: ((ArraySlice<UInt8>) -> Int?)? = nil) throws(DataError) -> [UInt8] {
        let result = bytes.withUnsafeBytes { buffer -> Result<[UInt8], DataError> in
            do throws(DataError) {
                return .success(try decompress(buffer, file: file, limit: limit, announcedSize: announcedSize))
            } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// zlib's own explanation of the last error, when it gave one.
    private static func zlibMessage(_ stream: z_stream) -> String {
        stream.msg.map { String(cString: $0) } ?? "no message from zlib"
    }
}
