import CZlib
import Foundation

/// The length in bits of an image compressed by a general-purpose compressor: L(x) of Serrà et
/// al. (2020), "Input complexity and out-of-distribution detection with likelihood-based
/// generative models".
///
/// **Why.** A likelihood model's code length −log₂ p(x) mixes two things: how *unusual* x is for
/// the model, and how *complex* x is at all. A blank image costs few bits under any sensible
/// model, a page of noise many. A compressor that knows nothing about digits or clothes measures
/// the second part alone; subtracting it,
///
///     S(x) = −log₂ p(x) − L(x)      (bits),
///
/// leaves what the model adds over a generic compressor: negative for images the model
/// compresses better than deflate (its own kind), near or above zero for images it has no
/// better idea about. Serrà et al. used PNG and FLIF; we use deflate (the compressor inside PNG
/// and gzip) through the system zlib, which is already linked to read the gzip-compressed data.
///
/// **What is compressed.** One byte per pixel, row by row, each the pixel's value in [0, 1]
/// scaled to 0…255 and rounded (a binary image becomes bytes 0 and 255), as a raw deflate stream
/// (no zlib header or checksum: those would add the same 48 bits to every image), at the
/// strongest level, 9. The length is the compressed byte count × 8.
public enum InputComplexity {
    /// The bytes deflate sees for one image: round(255·x) per pixel.
    /// - Precondition: every value lies in [0, 1] (checked by the callers, which throw).
    static func bytes(_ pixels: UnsafeBufferPointer<Float>) -> [UInt8] {
        pixels.map { UInt8((max(0, min(1, $0)) * 255).rounded()) }
    }

    /// The raw deflate stream of `bytes` at level 9 (a 32 KiB window, zlib's default memory level
    /// raised to its largest, 9).
    /// - Throws: `AnomalyError` if zlib refuses (it should not, for any input).
    public static func deflate(_ bytes: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        // windowBits −15: a raw deflate stream, without the zlib wrapper.
        guard deflateInit2_(&stream, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                            Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw AnomalyError("zlib could not start deflate")
        }
        defer { deflateEnd(&stream) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 16)
        let status: Int32
        let produced: Int
        (status, produced) = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = UInt32(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = UInt32(target.count)
                let status = CZlib.deflate(&stream, Z_FINISH)
                return (status, target.count - Int(stream.avail_out))
            }
        }
        guard status == Z_STREAM_END else { throw AnomalyError("zlib's deflate stopped with status \(status)") }
        return Array(output[..<produced])
    }

    /// L(x) of each image of `images` (N, 1, H, W), values in [0, 1]: bits of its raw deflate
    /// stream.
    /// - Throws: `AnomalyError` for another shape, no images, or a pixel outside [0, 1].
    /// - Complexity: one deflate of H·W bytes per image (about 30 µs for 784 bytes at level 9).
    public static func bits(of images: Tensor) throws -> [Double] {
        guard images.rank == 4, images.shape[1] == 1, images.shape[0] > 0 else {
            throw AnomalyError("images must be (N, 1, H, W) with N ≥ 1, not \(images.shape)")
        }
        guard images.scalars.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
            throw AnomalyError("pixels must lie in [0, 1]")
        }
        let n = images.shape[0], size = images.count / n
        return try images.withUnsafeBufferPointer { all in
            try (0..<n).map { i in
                let image = UnsafeBufferPointer(rebasing: all[(i * size)..<((i + 1) * size)])
                return Double(8 * (try deflate(bytes(image))).count)
            }
        }
    }

    /// S(x) = NLL(x)/ln 2 − L(x), in bits, from the model's negative log-likelihood in nats and
    /// the compressed length in bits of each image.
    /// - Throws: `AnomalyError` when the two lists differ in length.
    public static func scores(negativeLogLikelihood nats: [Double], compressedBits: [Double]) throws -> [Double] {
        guard nats.count == compressedBits.count else {
            throw AnomalyError("\(nats.count) likelihoods but \(compressedBits.count) compressed lengths")
        }
        return zip(nats, compressedBits).map { $0 / log(2) - $1 }
    }
}
