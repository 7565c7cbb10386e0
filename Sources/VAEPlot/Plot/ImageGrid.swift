import VAENumerics

/// A grid of small images (MNIST digits, reconstructions, samples, filters), `rows × columns`
/// of them, filled left to right then top to bottom, with optional captions under each image and
/// titles beside each row and above each column.
///
/// Each image is one matrix block of a datablock (block k = image k, one image row per line),
/// drawn with gnuplot's `matrix with image` shifted to its cell of the grid, with `gap` empty
/// pixels between cells. Pixel (r, c) of an image, r counted from its top row, is drawn r pixels
/// below its top edge and c pixels right of its left edge: digits come out upright and
/// unmirrored, because the y axis runs downwards (`set yrange [bottom:top]` reversed).
public struct ImageGrid: Sendable, Equatable {
    /// All images, one after another, each `imageHeight × imageWidth` row-major values.
    public var pixels: [Double]
    public var imageCount: Int
    public var imageHeight: Int
    public var imageWidth: Int
    public var rows: Int
    public var columns: Int
    /// Text under image `k` (e.g. its label, or "7→1" for a misclassification); may be shorter
    /// than the number of images, or empty for no captions.
    public var captions: [String]
    /// Text left of each row (e.g. "input", "reconstruction"); empty, or one per row.
    public var rowTitles: [String]
    /// Text above each column (e.g. "β=1"); empty, or one per column.
    public var columnTitles: [String]
    public var palette: Palette
    /// The values drawn as the two ends of the palette; [0, 1] for MNIST pixels. Values outside
    /// are clamped to the end colours.
    public var valueRange: ClosedRange<Double>
    /// Empty pixels between neighbouring images.
    public var gap: Int
    /// Screen pixels per image pixel in the PNG (3 draws a 28×28 digit 84 pixels wide).
    public var pixelScale: Int
    /// Show a colour bar right of the grid, mapping colours back to values (feature maps,
    /// filters); off for digits, whose grey needs no key.
    public var showColorbar = false

    /// A grid of `images`, each `height × width` values in row-major order.
    public init<T: BinaryFloatingPoint>(
        images: [[T]], height: Int = 28, width: Int = 28, rows: Int, columns: Int,
        captions: [String] = [], rowTitles: [String] = [], columnTitles: [String] = [],
        palette: Palette = .gray, valueRange: ClosedRange<Double> = 0...1, gap: Int = 2, pixelScale: Int = 3
    ) throws {
        for (k, image) in images.enumerated() where image.count != height * width {
            throw PlotError.invalidFigure("image \(k) has \(image.count) pixels, expected \(height)×\(width) = \(height * width)")
        }
        self.pixels = images.flatMap { $0.map { Double($0) } }
        self.imageCount = images.count
        self.imageHeight = height
        self.imageWidth = width
        self.rows = rows
        self.columns = columns
        self.captions = captions
        self.rowTitles = rowTitles
        self.columnTitles = columnTitles
        self.palette = palette
        self.valueRange = valueRange
        self.gap = gap
        self.pixelScale = pixelScale
        try validate()
    }

    /// A grid of the images of `batch`, shaped (N, H, W), (N, 1, H, W), or (N, H·W) with H·W a
    /// perfect square (a flattened MNIST batch (N, 784) gives 28×28).
    public init(
        _ batch: Tensor, rows: Int, columns: Int,
        captions: [String] = [], rowTitles: [String] = [], columnTitles: [String] = [],
        palette: Palette = .gray, valueRange: ClosedRange<Double> = 0...1, gap: Int = 2, pixelScale: Int = 3
    ) throws {
        let s = batch.shape
        let (h, w): (Int, Int)
        switch s.count {
        case 4 where s[1] == 1: (h, w) = (s[2], s[3])
        case 3: (h, w) = (s[1], s[2])
        case 2:
            let side = Int(Double(s[1]).squareRoot().rounded())
            guard side * side == s[1] else {
                throw PlotError.invalidFigure("image batch of shape \(s): \(s[1]) pixels per image is not a square; reshape to (N, H, W)")
            }
            (h, w) = (side, side)
        default:
            throw PlotError.invalidFigure("image batch must be (N, H, W), (N, 1, H, W) or (N, H·W), got shape \(s)")
        }
        let n = s[0]
        let size = h * w
        let images = (0..<n).map { Array(batch.scalars[$0 * size ..< ($0 + 1) * size]) }
        try self.init(images: images, height: h, width: w, rows: rows, columns: columns, captions: captions,
                      rowTitles: rowTitles, columnTitles: columnTitles, palette: palette, valueRange: valueRange,
                      gap: gap, pixelScale: pixelScale)
    }

    func validate() throws {
        guard rows > 0, columns > 0 else { throw PlotError.invalidFigure("image grid of \(rows)×\(columns) cells is empty") }
        guard imageCount > 0 else { throw PlotError.invalidFigure("image grid has no images") }
        guard imageHeight > 0, imageWidth > 0 else {
            throw PlotError.invalidFigure("images of \(imageHeight)×\(imageWidth) pixels are empty")
        }
        guard pixels.count == imageCount * imageHeight * imageWidth else {
            throw PlotError.invalidFigure("image grid holds \(pixels.count) pixels for \(imageCount) images of \(imageHeight)×\(imageWidth)")
        }
        guard imageCount <= rows * columns else {
            throw PlotError.invalidFigure("\(imageCount) images do not fit a grid of \(rows)×\(columns)")
        }
        guard captions.count <= imageCount else {
            throw PlotError.invalidFigure("\(captions.count) captions for \(imageCount) images")
        }
        guard rowTitles.isEmpty || rowTitles.count == rows else {
            throw PlotError.invalidFigure("\(rowTitles.count) row titles for \(rows) rows")
        }
        guard columnTitles.isEmpty || columnTitles.count == columns else {
            throw PlotError.invalidFigure("\(columnTitles.count) column titles for \(columns) columns")
        }
        guard gap >= 0, pixelScale >= 1 else { throw PlotError.invalidFigure("gap must be ≥ 0 and pixel scale ≥ 1") }
        guard valueRange.lowerBound.isFinite, valueRange.upperBound.isFinite, valueRange.lowerBound < valueRange.upperBound else {
            throw PlotError.invalidFigure("image value range \(valueRange) must be finite and non-empty")
        }
    }

    /// Mosaic pixels left empty under each image for its caption (0 without captions): about
    /// 18 screen pixels, enough for one line of small text.
    var captionSpace: Int { captions.isEmpty ? 0 : max(4, (18 + pixelScale - 1) / pixelScale) }

    /// Where the images go, in image-pixel units: the canvas spans `height × width` pixels, and
    /// image k's top-left pixel sits at `origins[k]`.
    public struct Layout: Sendable {
        /// The canvas, all rows and columns of cells (gaps and caption space included).
        public var height: Int
        public var width: Int
        /// One cell: an image and the space below and right of it.
        var cellHeight: Int
        var cellWidth: Int
        /// The canvas row and column of the top-left pixel of image k.
        var origins: [(row: Int, column: Int)]
    }

    /// Lays the images out: image k goes to grid cell (k / columns, k % columns), whose top-left
    /// pixel is (row · (H + captionSpace + gap), column · (W + gap)).
    public func layout() throws -> Layout {
        try validate()
        let cellH = imageHeight + captionSpace + gap, cellW = imageWidth + gap
        return Layout(height: rows * cellH - gap, width: columns * cellW - gap, cellHeight: cellH, cellWidth: cellW,
                      origins: (0..<imageCount).map { ((($0 / columns) * cellH), ($0 % columns) * cellW) })
    }

    /// Pixel (r, c) of image k, r counted from the top.
    @inlinable
    public func pixel(_ k: Int, _ r: Int, _ c: Int) -> Double {
        pixels[(k * imageHeight + r) * imageWidth + c]
    }
}
