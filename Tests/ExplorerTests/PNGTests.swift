import CZlib
import Foundation
import Testing
@testable import Explorer

/// The PNG writer and reader: round trips, the five row filters, a real PNG from gnuplot, and
/// every refusal of a bad upload.
@Suite struct PNGTests {
    @Test func greyRoundTrip() throws {
        let pixels = (0..<(13 * 7)).map { UInt8(($0 * 37) % 256) }
        let file = PNG.grey(width: 13, height: 7, pixels: pixels)
        #expect(Array(file.prefix(8)) == PNG.signature)
        let image = try PNG.read(file)
        #expect(image.width == 13 && image.height == 7)
        #expect(image.grey.map { UInt8(($0 * 255).rounded()) } == pixels)
    }

    @Test func rgbIsReadAsLuminance() throws {
        let pixels: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]
        let image = try PNG.read(PNG.rgb(width: 2, height: 2, pixels: pixels))
        let expected: [Float] = [0.299, 0.587, 0.114, 1]
        for (a, b) in zip(image.grey, expected) { #expect(abs(a - b) < 1e-5) }
    }

    /// Rows filtered with each of PNG's five filters, written by this test's own filter code
    /// (the forward direction), must come back as they were.
    @Test func everyRowFilterIsUndone() throws {
        let (width, height, bpp) = (9, 10, 2)                                  // grey + alpha
        let rowBytes = width * bpp
        var random = UInt32(12345)
        let samples = (0..<(rowBytes * height)).map { _ -> UInt8 in random = random &* 1103515245 &+ 12345; return UInt8(random >> 24) }
        var raw: [UInt8] = []
        for y in 0..<height {
            let filter = UInt8(y % 5)
            raw.append(filter)
            for x in 0..<rowBytes {
                let a = x >= bpp ? Int(samples[y * rowBytes + x - bpp]) : 0
                let b = y > 0 ? Int(samples[(y - 1) * rowBytes + x]) : 0
                let c = x >= bpp && y > 0 ? Int(samples[(y - 1) * rowBytes + x - bpp]) : 0
                let p = a + b - c
                let paeth = abs(p - a) <= abs(p - b) && abs(p - a) <= abs(p - c) ? a : (abs(p - b) <= abs(p - c) ? b : c)
                let predictor = [0, a, b, (a + b) / 2, paeth][Int(filter)]
                raw.append(UInt8(truncatingIfNeeded: Int(samples[y * rowBytes + x]) - predictor))
            }
        }
        #expect(try PNG.unfilter(raw, rowBytes: rowBytes, height: height, bytesPerPixel: bpp) == samples)
    }

    /// A PNG from another program: gnuplot's pngcairo (RGB or RGBA, filtered rows, several IDAT
    /// chunks), as committed in figures/.
    @Test func readsGnuplotsPNGs() throws {
        let figures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("figures")
        let data = try Data(contentsOf: figures.appendingPathComponent("ch05-loss-curves.png"))
        let width = Int(data[16]) << 24 | Int(data[17]) << 16 | Int(data[18]) << 8 | Int(data[19])
        let image = try PNG.read(data)
        #expect(image.width == width && image.grey.count == image.width * image.height)
        let distinct = Set(image.grey.map { UInt8($0 * 255) }).count
        #expect(distinct > 10, "a plot has axes, text and lines: \(distinct) grey levels")
        #expect(image.grey.filter { $0 > 0.98 }.count > image.grey.count / 2, "mostly white paper")
    }

    /// The PNG fuzz target's seed corpus (Tests/Fuzz/corpus/png: grey, RGB, RGBA, palette and
    /// grey with alpha, every row filter, split image data, ancillary chunks) is read, and each
    /// seed makes a digit.
    @Test func fuzzSeedsAreRead() throws {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/corpus/png")
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".png") }.sorted()
        #expect(files.count >= 5)
        for file in files {
            let image = try PNG.read(try Data(contentsOf: corpus.appendingPathComponent(file)))
            #expect(image.grey.count == image.width * image.height, "\(file)")
            #expect(try DigitImage.mnistStyle(image).count == 784, "\(file)")
        }
    }

    @Test func refusesBadFiles() throws {
        let good = PNG.grey(width: 4, height: 4, pixels: [UInt8](repeating: 200, count: 16))
        func refusal(_ data: Data) -> String {
            do { _ = try PNG.read(data); return "read" } catch { return "\(error)" }
        }
        #expect(refusal(Data("GIF89a....".utf8)).contains("not a PNG"))
        #expect(refusal(Data()).contains("not a PNG"))
        var damaged = good
        damaged[20] ^= 0xFF                                                      // inside IHDR's data
        #expect(refusal(damaged).contains("CRC"))
        #expect(refusal(good.prefix(good.count - 12)).contains("IEND"))
        #expect(refusal(good.prefix(30)).contains("truncated"))

        /// A PNG with a hand-made IHDR (and a valid CRC): depth, colour type, interlace, size.
        func header(width: UInt32 = 4, height: UInt32 = 4, depth: UInt8 = 8, colour: UInt8 = 0, interlace: UInt8 = 0) -> Data {
            var body: [UInt8] = []
            for v in [width, height] { body += [UInt8(v >> 24), UInt8((v >> 16) & 255), UInt8((v >> 8) & 255), UInt8(v & 255)] }
            body += [depth, colour, 0, 0, interlace]
            let type = Array("IHDR".utf8)
            let crc = PNG.crc(type + body)
            var file = Data(PNG.signature)
            file += [0, 0, 0, 13] + type + body + [UInt8(crc >> 24), UInt8((crc >> 16) & 255), UInt8((crc >> 8) & 255), UInt8(crc & 255)]
            return file + good.suffix(from: 33)                                  // good's IDAT and IEND
        }
        #expect(refusal(header()) == "read")
        #expect(refusal(header(depth: 16)).contains("16-bit"))
        #expect(refusal(header(interlace: 1)).contains("interlaced"))
        #expect(refusal(header(colour: 5)).contains("colour type"))
        #expect(refusal(header(width: 100_000)).contains("at most"))
        #expect(refusal(header(width: 8)).contains("does not hold"))           // IDAT too short for the size
    }
}
