import Foundation
import VAECore

/// Grey images laid out for the page: one digit, a strip of digits, a grid of feature maps.
///
/// Values in [0, 1] become bytes 0…255 (MNIST's convention: 0 is the black background, 1 the
/// white ink). Feature maps, which can take any value, are first stretched to [0, 1] each by
/// its own minimum and maximum (`Tiles.stretched`), so that a map whose values are all small
/// still shows its pattern; the page says so.
public struct Tiles: Sendable {
    /// Width and height of one tile, in pixels.
    public let tileWidth: Int, tileHeight: Int
    /// Tiles per row.
    public let columns: Int
    /// Pixels of background between tiles.
    public let gap: Int
    /// The tiles, each `tileWidth · tileHeight` values in [0, 1], row-major.
    public private(set) var tiles: [[Float]] = []

    public init(tileWidth: Int, tileHeight: Int, columns: Int, gap: Int = 1) {
        precondition(tileWidth > 0 && tileHeight > 0 && columns > 0 && gap >= 0)
        self.tileWidth = tileWidth; self.tileHeight = tileHeight; self.columns = columns; self.gap = gap
    }

    /// Adds one tile; values are clamped to [0, 1].
    public mutating func append<C: Collection<Float>>(_ values: C) {
        precondition(values.count == tileWidth * tileHeight, "a tile of \(tileWidth)×\(tileHeight) needs \(tileWidth * tileHeight) values, not \(values.count)")
        tiles.append(values.map { $0.isNaN ? 0 : min(1, max(0, $0)) })
    }

    /// Adds every image of `images` (N, 1, H, W), N tiles.
    public mutating func append(images: Tensor) {
        let pixels = tileWidth * tileHeight
        precondition(images.count == images.shape[0] * pixels, "images \(images.shape) are not of \(tileWidth)×\(tileHeight) tiles")
        for n in 0..<images.shape[0] { append(images.scalars[(n * pixels)..<((n + 1) * pixels)]) }
    }

    /// The picture as a grey PNG, each pixel repeated `scale` times in both directions
    /// (nearest neighbour: the digits stay sharp when the page enlarges them).
    public func png(scale: Int = 1) -> Data {
        precondition(scale >= 1 && !tiles.isEmpty, "Tiles.png needs a scale ≥ 1 and at least one tile")
        let rows = (tiles.count + columns - 1) / columns
        let used = min(columns, tiles.count)
        let width = used * tileWidth + (used - 1) * gap, height = rows * tileHeight + (rows - 1) * gap
        var canvas = [UInt8](repeating: Tiles.background, count: width * height)
        for (t, tile) in tiles.enumerated() {
            let x0 = (t % columns) * (tileWidth + gap), y0 = (t / columns) * (tileHeight + gap)
            for y in 0..<tileHeight {
                for x in 0..<tileWidth {
                    canvas[(y0 + y) * width + x0 + x] = UInt8((tile[y * tileWidth + x] * 255).rounded())
                }
            }
        }
        guard scale > 1 else { return PNG.grey(width: width, height: height, pixels: canvas) }
        var big = [UInt8](repeating: 0, count: width * scale * height * scale)
        for y in 0..<(height * scale) {
            for x in 0..<(width * scale) { big[y * width * scale + x] = canvas[(y / scale) * width + x / scale] }
        }
        return PNG.grey(width: width * scale, height: height * scale, pixels: big)
    }

    /// The grey of the gaps between tiles: mid-grey, apart from both black and white.
    public static let background: UInt8 = 96

    /// `values` mapped linearly onto [0, 1] by their own minimum and maximum (all 0.5 when
    /// they are all equal).
    public static func stretched<C: Collection<Float>>(_ values: C) -> [Float] {
        guard let low = values.min(), let high = values.max(), high > low else { return [Float](repeating: 0.5, count: values.count) }
        return values.map { ($0 - low) / (high - low) }
    }

    /// A `data:` URL of a PNG, which the page can show in an `<img>` without another request.
    public static func dataURL(_ png: Data) -> String {
        "data:image/png;base64," + png.base64EncodedString()
    }
}
