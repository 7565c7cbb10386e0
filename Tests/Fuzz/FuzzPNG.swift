// libFuzzer target `png`: the explorer's PNG reader and what an upload goes through next
// (`DigitImage.mnistStyle`), as POST /api/encode-image uses them. Any input must give an image or
// a `PNGError`, never a crash, a trap or a hang; a decoded image must hold its size's grey
// values in [0, 1], and the digit made of it 28 × 28 values in [0, 1]. Built and run by run.sh.
import Foundation

func fuzzPNG(_ data: UnsafePointer<UInt8>, _ size: Int) {
    let bytes = [UInt8](UnsafeBufferPointer(start: data, count: size))
    checkPNG(bytes)
    // The same input with every chunk's CRC made right: a mutation inside a chunk (a size in
    // IHDR, a byte of the zlib stream) then reaches the code past the CRC check.
    let repaired = withValidCRCs(bytes)
    if repaired != bytes { checkPNG(repaired) }
}

/// `bytes` with the CRC of every whole chunk after the signature recomputed.
private func withValidCRCs(_ bytes: [UInt8]) -> [UInt8] {
    var out = bytes, position = 8
    while position + 12 <= out.count {
        let length = Int(out[position]) << 24 | Int(out[position + 1]) << 16 | Int(out[position + 2]) << 8 | Int(out[position + 3])
        guard length <= out.count - position - 12 else { break }
        let crc = PNG.crc(Array(out[(position + 4)..<(position + 8 + length)]))
        for k in 0..<4 { out[position + 8 + length + k] = UInt8((crc >> (24 - 8 * k)) & 0xFF) }
        position += 12 + length
    }
    return out
}

private func checkPNG(_ bytes: [UInt8]) {
    guard let image = try? PNG.read(Data(bytes)) else { return }
    precondition((1...PNG.maximumSide).contains(image.width) && (1...PNG.maximumSide).contains(image.height),
                 "a decoded image must lie within the largest side: \(image.width)×\(image.height)")
    precondition(image.grey.count == image.width * image.height, "a decoded image must hold one grey value per pixel")
    precondition(image.grey.allSatisfy { $0 >= 0 && $0 <= 1 }, "grey values must lie in [0, 1]")
    guard let digit = try? DigitImage.mnistStyle(image) else { return }
    precondition(digit.count == DigitImage.side * DigitImage.side, "a digit must be 28 × 28")
    precondition(digit.allSatisfy { $0 >= 0 && $0 <= 1 }, "a digit's values must lie in [0, 1]")
    // What the writer makes of the digit, the reader must read back exactly.
    let pixels = digit.map { UInt8(($0 * 255).rounded()) }
    let again = try! PNG.read(PNG.grey(width: DigitImage.side, height: DigitImage.side, pixels: pixels))
    precondition(again.grey.map { UInt8(($0 * 255).rounded()) } == pixels, "a written PNG must read back as written")
}
