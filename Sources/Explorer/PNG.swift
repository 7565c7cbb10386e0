import CZlib
import Foundation

/// PNG files (ISO/IEC 15948), written and read by hand around zlib: what the explorer sends to
/// the page (decoded digits, feature maps) and what it accepts as an upload.
///
/// A PNG is an 8-byte signature and a list of chunks, each `length (4 bytes, big-endian) · type
/// (4 ASCII letters) · data · CRC-32 of type and data`:
///
///     IHDR   width, height, bit depth, colour type (0 grey, 2 RGB, 3 palette, 4 grey+alpha,
///            6 RGBA), compression 0, filter 0, interlace 0 (none) or 1 (Adam7)
///     PLTE   the palette of colour type 3
///     IDAT   the zlib stream of the image: each row is one filter byte (0 none, 1 sub, 2 up,
///            3 average, 4 Paeth) then the row's bytes, filtered
///     IEND   the end
///
/// The writer emits 8-bit grey or RGB with filter 0 on every row (these images are tiny; the
/// filters would buy a few bytes). The reader takes every 8-bit colour type, without
/// interlacing, and refuses the rest with a reason.
public enum PNG {
    /// The eight bytes every PNG starts with.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    /// The largest side the reader accepts, so that an upload cannot ask for gigabytes.
    public static let maximumSide = 4096

    // MARK: Writing

    /// An 8-bit grey PNG of `width` × `height` pixels, rows top to bottom, 0 black … 255 white.
    public static func grey(width: Int, height: Int, pixels: [UInt8]) -> Data {
        precondition(width > 0 && height > 0 && pixels.count == width * height, "PNG.grey: \(pixels.count) pixels for \(width)×\(height)")
        return encode(width: width, height: height, colourType: 0, channels: 1, pixels: pixels)
    }

    /// An 8-bit RGB PNG; `pixels` holds r, g, b per pixel.
    public static func rgb(width: Int, height: Int, pixels: [UInt8]) -> Data {
        precondition(width > 0 && height > 0 && pixels.count == 3 * width * height, "PNG.rgb: \(pixels.count) bytes for \(width)×\(height)")
        return encode(width: width, height: height, colourType: 2, channels: 3, pixels: pixels)
    }

    private static func encode(width: Int, height: Int, colourType: UInt8, channels: Int, pixels: [UInt8]) -> Data {
        var header = [UInt8]()
        header += bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [8, colourType, 0, 0, 0]             // bit depth, colour type, compression, filter, interlace
        let rowBytes = width * channels
        var raw = [UInt8](repeating: 0, count: height * (rowBytes + 1))   // filter byte 0 ("none") per row
        for y in 0..<height {
            raw.replaceSubrange((y * (rowBytes + 1) + 1)..<((y + 1) * (rowBytes + 1)), with: pixels[(y * rowBytes)..<((y + 1) * rowBytes)])
        }
        var file = Data(signature)
        appendChunk("IHDR", header, to: &file)
        appendChunk("IDAT", deflate(raw), to: &file)
        appendChunk("IEND", [], to: &file)
        return file
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to file: inout Data) {
        let typeBytes = Array(type.utf8)
        file.append(contentsOf: bigEndian(UInt32(data.count)))
        file.append(contentsOf: typeBytes)
        file.append(contentsOf: data)
        file.append(contentsOf: bigEndian(crc(typeBytes + data)))
    }

    /// The zlib stream (RFC 1950) of `bytes`, at zlib's default level.
    static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        var capacity = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { input in
                compress2(out.baseAddress, &capacity, input.baseAddress, uLong(input.count), Z_DEFAULT_COMPRESSION)
            }
        }
        precondition(status == Z_OK, "zlib's compress2 failed with \(status) on a buffer it sized itself")
        return Array(output.prefix(Int(capacity)))
    }

    /// The CRC-32 of PNG (and zlib, and gzip): zlib's `crc32`.
    static func crc(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    // MARK: Reading

    /// A decoded image: `width` × `height` grey values in [0, 1], rows top to bottom, with any
    /// colour reduced to its luminance (0.299 R + 0.587 G + 0.114 B) and any transparency laid
    /// over white (a drawing on a transparent background reads as a drawing on paper).
    public struct Image: Equatable, Sendable {
        public var width: Int
        public var height: Int
        public var grey: [Float]
    }

    /// Reads a PNG file.
    /// - Throws: `PNGError` naming what is wrong: not a PNG, a damaged chunk (CRC), a size above
    ///   `maximumSide`, a bit depth other than 8, interlacing, a truncated or corrupt stream.
    public static func read(_ data: Data) throws -> Image {
        let bytes = [UInt8](data)
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else { throw PNGError("not a PNG image (it does not start with PNG's signature)") }
        var position = 8
        var width = 0, height = 0, colourType: UInt8 = 0
        var palette: [UInt8] = []
        var compressed: [UInt8] = []
        var sawHeader = false, sawEnd = false
        while position < bytes.count, !sawEnd {
            guard position + 8 <= bytes.count else { throw PNGError("the PNG is truncated inside a chunk header") }
            let length = Int(readUInt32(bytes, position))
            let type = String(decoding: bytes[(position + 4)..<(position + 8)], as: UTF8.self)
            guard length <= bytes.count - position - 12 else { throw PNGError("the PNG is truncated: chunk \(type) announces \(length) bytes") }
            let body = Array(bytes[(position + 8)..<(position + 8 + length)])
            let stored = readUInt32(bytes, position + 8 + length)
            guard stored == crc(Array(bytes[(position + 4)..<(position + 8)]) + body) else {
                throw PNGError("the PNG is damaged: chunk \(type) fails its CRC check")
            }
            position += 12 + length
            switch type {
            case "IHDR":
                guard length == 13 else { throw PNGError("the PNG's IHDR chunk has \(length) bytes, not 13") }
                width = Int(readUInt32(body, 0)); height = Int(readUInt32(body, 4))
                guard (1...maximumSide).contains(width), (1...maximumSide).contains(height) else {
                    throw PNGError("the image is \(width)×\(height) pixels; the explorer takes at most \(maximumSide)×\(maximumSide)")
                }
                guard body[8] == 8 else { throw PNGError("the PNG has \(body[8])-bit samples; only 8-bit PNGs are read") }
                colourType = body[9]
                guard [0, 2, 3, 4, 6].contains(colourType) else { throw PNGError("the PNG has an unknown colour type \(colourType)") }
                guard body[10] == 0, body[11] == 0 else { throw PNGError("the PNG uses an unknown compression or filter method") }
                guard body[12] == 0 else { throw PNGError("the PNG is interlaced (Adam7); save it without interlacing") }
                sawHeader = true
            case "PLTE": palette = body
            case "IDAT": compressed += body
            case "IEND": sawEnd = true
            default: break                                   // ancillary chunks (gamma, text, …) are ignored
            }
            if !sawHeader { throw PNGError("the PNG does not start with its IHDR chunk") }
        }
        guard sawEnd else { throw PNGError("the PNG is truncated: it has no IEND chunk") }
        guard !compressed.isEmpty else { throw PNGError("the PNG has no image data (IDAT)") }
        let channels = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][Int(colourType)]!
        if colourType == 3, palette.isEmpty || palette.count % 3 != 0 { throw PNGError("the palette PNG has no valid PLTE chunk") }
        let rowBytes = width * channels
        let raw = try inflate(compressed, expected: height * (rowBytes + 1))
        let samples = try unfilter(raw, rowBytes: rowBytes, height: height, bytesPerPixel: channels)

        var grey = [Float](repeating: 0, count: width * height)
        for i in 0..<(width * height) {
            let s = i * channels
            var r: Float, g: Float, b: Float, alpha: Float = 1
            switch colourType {
            case 0: r = Float(samples[s]); g = r; b = r
            case 4: r = Float(samples[s]); g = r; b = r; alpha = Float(samples[s + 1]) / 255
            case 3:
                let entry = Int(samples[s]) * 3
                guard entry + 2 < palette.count else { throw PNGError("the PNG uses palette entry \(samples[s]) of \(palette.count / 3)") }
                r = Float(palette[entry]); g = Float(palette[entry + 1]); b = Float(palette[entry + 2])
            default:
                r = Float(samples[s]); g = Float(samples[s + 1]); b = Float(samples[s + 2])
                if colourType == 6 { alpha = Float(samples[s + 3]) / 255 }
            }
            let luminance = (0.299 * r + 0.587 * g + 0.114 * b) / 255
            grey[i] = alpha * luminance + (1 - alpha)                   // over white
        }
        return Image(width: width, height: height, grey: grey)
    }

    /// zlib's inflate of a whole stream that must produce exactly `expected` bytes.
    private static func inflate(_ compressed: [UInt8], expected: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: expected + 1)       // +1: a longer stream is caught
        var produced = uLong(output.count)
        let status = output.withUnsafeMutableBufferPointer { out in
            compressed.withUnsafeBufferPointer { input in
                uncompress(out.baseAddress, &produced, input.baseAddress, uLong(input.count))
            }
        }
        guard status == Z_OK || status == Z_BUF_ERROR else { throw PNGError("the PNG's image data is corrupt (zlib error \(status))") }
        guard status == Z_OK, Int(produced) == expected else {
            throw PNGError("the PNG's image data does not hold \(expected) bytes for its size")
        }
        return Array(output.prefix(expected))
    }

    /// Undoes the per-row filters; returns the rows' samples without their filter bytes.
    static func unfilter(_ raw: [UInt8], rowBytes: Int, height: Int, bytesPerPixel bpp: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: rowBytes * height)
        for y in 0..<height {
            let filter = raw[y * (rowBytes + 1)]
            let source = y * (rowBytes + 1) + 1, row = y * rowBytes, previous = row - rowBytes
            for x in 0..<rowBytes {
                let a = x >= bpp ? Int(out[row + x - bpp]) : 0
                let b = y > 0 ? Int(out[previous + x]) : 0
                let c = (x >= bpp && y > 0) ? Int(out[previous + x - bpp]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c)
                default: throw PNGError("the PNG uses an unknown row filter \(filter)")
                }
                out[row + x] = UInt8(truncatingIfNeeded: Int(raw[source + x]) + predictor)
            }
        }
        return out
    }

    private static func readUInt32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }
}

/// An image the explorer cannot read, with the reason in words.
public struct PNGError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
