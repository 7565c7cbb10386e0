import Foundation

/// A picture of a digit made into what the model was trained on, as MNIST's own images were
/// made (LeCun et al. 1998): white ink on black, the ink's bounding box scaled so that its longer
/// side is 20 pixels (keeping the aspect ratio, averaging the pixels it covers), then placed in
/// the 28 × 28 frame with its centre of mass at the centre.
///
/// A drawing on the page's canvas, or an uploaded picture of any size, goes through this before
/// the encoder sees it: a digit drawn small in a corner, or dark on white paper, would otherwise
/// be far from every training image and tell nothing about the model.
public enum DigitImage {
    /// MNIST's side.
    public static let side = 28
    /// The longer side of the ink's box after scaling.
    public static let boxSide = 20
    /// A pixel brighter than this counts as ink when the box is found.
    public static let inkThreshold: Float = 0.1

    /// The 28 × 28 digit (values in [0, 1], row-major) of a grey picture.
    /// - Throws: `PNGError` when the picture holds no ink.
    public static func mnistStyle(_ image: PNG.Image) throws -> [Float] {
        let (w, h) = (image.width, image.height)
        var grey = image.grey
        // Dark ink on light paper (a scan, a drawing on white): MNIST's digits are light on dark.
        var border = 0.0
        for x in 0..<w { border += Double(grey[x]) + Double(grey[(h - 1) * w + x]) }
        for y in 0..<h { border += Double(grey[y * w]) + Double(grey[y * w + w - 1]) }
        if border / Double(2 * (w + h)) > 0.5 { grey = grey.map { 1 - $0 } }

        var (left, right, top, bottom) = (w, -1, h, -1)
        for y in 0..<h {
            for x in 0..<w where grey[y * w + x] > inkThreshold {
                left = min(left, x); right = max(right, x); top = min(top, y); bottom = max(bottom, y)
            }
        }
        guard right >= left else { throw PNGError("the picture holds no ink: draw a digit first") }
        let (bw, bh) = (right - left + 1, bottom - top + 1)
        let scale = Double(boxSide) / Double(max(bw, bh))
        let (tw, th) = (max(1, Int((Double(bw) * scale).rounded())), max(1, Int((Double(bh) * scale).rounded())))
        let box = resample(grey, width: w, x0: left, y0: top, sourceWidth: bw, sourceHeight: bh, targetWidth: tw, targetHeight: th)

        // The centre of mass of the scaled box, then the offset that puts it at (14, 14).
        var mass = 0.0, cx = 0.0, cy = 0.0
        for y in 0..<th { for x in 0..<tw { let v = Double(box[y * tw + x]); mass += v; cx += v * (Double(x) + 0.5); cy += v * (Double(y) + 0.5) } }
        let centre = Double(side) / 2
        let dx = Int((centre - cx / mass).rounded()), dy = Int((centre - cy / mass).rounded())
        let ox = min(max(dx, 0), side - tw), oy = min(max(dy, 0), side - th)     // keep the whole box inside
        var out = [Float](repeating: 0, count: side * side)
        for y in 0..<th { for x in 0..<tw { out[(oy + y) * side + ox + x] = min(1, max(0, box[y * tw + x])) } }
        return out
    }

    /// The box (x0, y0, sourceWidth, sourceHeight) of a picture `width` wide resampled to
    /// targetWidth × targetHeight by area averaging: each target pixel is the mean of the source
    /// area it covers, fractional pixels weighted by their overlap. Separable: rows, then columns.
    static func resample(_ grey: [Float], width: Int, x0: Int, y0: Int, sourceWidth sw: Int, sourceHeight sh: Int,
                         targetWidth tw: Int, targetHeight th: Int) -> [Float] {
        let wx = weights(source: sw, target: tw), wy = weights(source: sh, target: th)
        var rows = [Float](repeating: 0, count: sh * tw)                   // (sh, tw)
        for y in 0..<sh {
            for (j, taps) in wx.enumerated() {
                var s: Float = 0
                for (i, weight) in taps { s += weight * grey[(y0 + y) * width + x0 + i] }
                rows[y * tw + j] = s
            }
        }
        var out = [Float](repeating: 0, count: th * tw)
        for (j, taps) in wy.enumerated() {
            for x in 0..<tw {
                var s: Float = 0
                for (i, weight) in taps { s += weight * rows[i * tw + x] }
                out[j * tw + x] = s
            }
        }
        return out
    }

    /// For each of `target` pixels, the source pixels its interval [j·s, (j+1)·s) overlaps
    /// (s = source / target) and the share of the interval each covers (the shares sum to 1).
    static func weights(source: Int, target: Int) -> [[(Int, Float)]] {
        let s = Double(source) / Double(target)
        return (0..<target).map { j in
            let (a, b) = (Double(j) * s, Double(j + 1) * s)
            return (Int(a.rounded(.down))..<min(source, Int(b.rounded(.up)))).compactMap { i in
                let overlap = min(b, Double(i + 1)) - max(a, Double(i))
                return overlap > 0 ? (i, Float(overlap / s)) : nil
            }
        }
    }
}
