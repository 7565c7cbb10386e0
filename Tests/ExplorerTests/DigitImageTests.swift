import Foundation
import Testing
@testable import Explorer

/// Making a drawing MNIST-like: the box scaled to 20 pixels, the centre of mass at the centre.
@Suite struct DigitImageTests {
    /// A picture `side` × `side` with one filled rectangle of ink.
    static func picture(side: Int, x: Range<Int>, y: Range<Int>, ink: Float = 1, paper: Float = 0) -> PNG.Image {
        var grey = [Float](repeating: paper, count: side * side)
        for j in y { for i in x { grey[j * side + i] = ink } }
        return PNG.Image(width: side, height: side, grey: grey)
    }

    static func box(_ pixels: [Float]) -> (width: Int, height: Int, cx: Double, cy: Double) {
        var (left, right, top, bottom) = (28, -1, 28, -1)
        var mass = 0.0, cx = 0.0, cy = 0.0
        for y in 0..<28 { for x in 0..<28 where pixels[y * 28 + x] > 0.01 {
            left = min(left, x); right = max(right, x); top = min(top, y); bottom = max(bottom, y)
            let v = Double(pixels[y * 28 + x]); mass += v; cx += v * (Double(x) + 0.5); cy += v * (Double(y) + 0.5)
        } }
        return (right - left + 1, bottom - top + 1, cx / mass, cy / mass)
    }

    @Test func aSmallDigitInACornerIsScaledAndCentred() throws {
        // A bar 10 wide and 40 tall in the top-left corner of a 200 × 200 drawing.
        let out = try DigitImage.mnistStyle(Self.picture(side: 200, x: 5..<15, y: 3..<43))
        #expect(out.count == 784 && out.allSatisfy { (0...1).contains($0) })
        let b = Self.box(out)
        #expect(b.height == 20 && b.width == 5, "the longer side becomes 20 pixels, the aspect ratio kept: \(b)")
        #expect(abs(b.cx - 14) <= 0.5 && abs(b.cy - 14) <= 0.5, "centre of mass at the centre: \(b)")
        // Area averaging keeps the ink's total in proportion: 10 × 40 source pixels at scale 1/2.
        #expect(abs(out.reduce(0, +) - 100) < 1)
    }

    @Test func darkInkOnPaperIsInverted() throws {
        let light = try DigitImage.mnistStyle(Self.picture(side: 56, x: 20..<30, y: 10..<46, ink: 1, paper: 0))
        let dark = try DigitImage.mnistStyle(Self.picture(side: 56, x: 20..<30, y: 10..<46, ink: 0, paper: 1))
        #expect(light == dark)
    }

    @Test func anEmptyDrawingIsRefused() {
        #expect(throws: PNGError.self) { try DigitImage.mnistStyle(Self.picture(side: 30, x: 0..<0, y: 0..<0)) }
    }

    @Test func weightsAverageTheCoveredArea() {
        for (source, target) in [(40, 20), (7, 20), (28, 28), (3, 2)] {
            let w = DigitImage.weights(source: source, target: target)
            #expect(w.count == target)
            for taps in w { #expect(abs(taps.reduce(Float(0)) { $0 + $1.1 } - 1) < 1e-5) }
        }
    }
}
