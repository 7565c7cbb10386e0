import VAENumerics

/// A drawing of boxes, arrows and text on a canvas measured in pixels, x to the right and y
/// upwards from the bottom-left corner: a network's layers as boxes joined by arrows.
///
/// gnuplot draws each box as a filled rectangle object (`set object rect`), each arrow as an
/// arrow (`set arrow`), each text as a label, over an empty plot whose axes span the canvas
/// exactly, so one unit is one pixel of the PNG.
public struct Diagram: Sendable, Equatable {
    /// A filled rectangle with centred lines of text.
    public struct Box: Sendable, Equatable {
        public var centre: (x: Double, y: Double)
        public var width: Double
        public var height: Double
        /// The lines written in the box, top first; the first in bold when `boldFirstLine`.
        public var lines: [String]
        /// `#rrggbb` of the fill and of the border.
        public var fill: String
        public var border: String
        /// A dashed border (a step that is not a layer, such as sampling).
        public var dashed: Bool
        public var fontSize: Double

        public init(centre: (x: Double, y: Double), width: Double, height: Double, lines: [String],
                    fill: String = "#eeeeee", border: String = "#555555", dashed: Bool = false, fontSize: Double = 9) {
            self.centre = centre
            self.width = width
            self.height = height
            self.lines = lines
            self.fill = fill
            self.border = border
            self.dashed = dashed
            self.fontSize = fontSize
        }

        public static func == (a: Box, b: Box) -> Bool {
            a.centre == b.centre && a.width == b.width && a.height == b.height && a.lines == b.lines
                && a.fill == b.fill && a.border == b.border && a.dashed == b.dashed && a.fontSize == b.fontSize
        }

        /// The middle of an edge: where an arrow leaves or enters the box.
        public var top: (x: Double, y: Double) { (centre.x, centre.y + height / 2) }
        public var bottom: (x: Double, y: Double) { (centre.x, centre.y - height / 2) }
        public var left: (x: Double, y: Double) { (centre.x - width / 2, centre.y) }
        public var right: (x: Double, y: Double) { (centre.x + width / 2, centre.y) }
    }

    /// A straight arrow with its head at `to`.
    public struct Arrow: Sendable, Equatable {
        public var from: (x: Double, y: Double)
        public var to: (x: Double, y: Double)
        public var color: String
        public var dashed: Bool

        public init(from: (x: Double, y: Double), to: (x: Double, y: Double), color: String = "#555555", dashed: Bool = false) {
            self.from = from
            self.to = to
            self.color = color
            self.dashed = dashed
        }

        public static func == (a: Arrow, b: Arrow) -> Bool {
            a.from == b.from && a.to == b.to && a.color == b.color && a.dashed == b.dashed
        }
    }

    /// Free text.
    public struct Text: Sendable, Equatable {
        public enum Alignment: String, Sendable { case left, center, right }
        public var position: (x: Double, y: Double)
        public var text: String
        public var alignment: Alignment
        public var fontSize: Double
        public var color: String

        public init(_ text: String, at position: (x: Double, y: Double), alignment: Alignment = .center,
                    fontSize: Double = 10, color: String = "#000000") {
            self.text = text
            self.position = position
            self.alignment = alignment
            self.fontSize = fontSize
            self.color = color
        }

        public static func == (a: Text, b: Text) -> Bool {
            a.position == b.position && a.text == b.text && a.alignment == b.alignment && a.fontSize == b.fontSize && a.color == b.color
        }
    }

    /// The canvas, in pixels.
    public var width: Int
    public var height: Int
    public var boxes: [Box]
    public var arrows: [Arrow]
    public var texts: [Text]

    public init(width: Int, height: Int, boxes: [Box] = [], arrows: [Arrow] = [], texts: [Text] = []) {
        self.width = width
        self.height = height
        self.boxes = boxes
        self.arrows = arrows
        self.texts = texts
    }

    func validate() throws {
        guard width > 0, height > 0, width <= 20_000, height <= 20_000 else {
            throw PlotError.invalidFigure("a diagram of \(width)×\(height) pixels is not between 1 and 20000 on each side")
        }
        let points = boxes.flatMap { [$0.centre.x, $0.centre.y, $0.width, $0.height, $0.fontSize] }
            + arrows.flatMap { [$0.from.x, $0.from.y, $0.to.x, $0.to.y] } + texts.flatMap { [$0.position.x, $0.position.y, $0.fontSize] }
        guard points.allSatisfy(\.isFinite) else { throw PlotError.invalidFigure("a diagram's coordinates must be finite") }
        for box in boxes {
            guard box.width > 0, box.height > 0 else { throw PlotError.invalidFigure("a diagram's box '\(box.lines.first ?? "")' is empty") }
            _ = try GnuplotText.color(box.fill); _ = try GnuplotText.color(box.border)
        }
        for arrow in arrows { _ = try GnuplotText.color(arrow.color) }
        for text in texts { _ = try GnuplotText.color(text.color) }
    }
}
