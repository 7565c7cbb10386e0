import VAENumerics

/// One named curve of a line plot: points (x, y) joined in order.
///
/// Values are stored as `Double` whatever they came as; a non-finite y (a diverged loss) is
/// written as `NaN` and leaves a gap in the line instead of breaking the plot.
public struct Series: Sendable, Equatable {
    /// How the points are drawn.
    public enum Style: Sendable, Equatable {
        case lines, points, linesPoints, dashed
        /// A staircase: each y holds until the next x (a learning-rate schedule).
        case steps
    }

    /// The legend entry. Any text: quotes and newlines are escaped when the script is written.
    public var title: String
    public var x: [Double]
    public var y: [Double]
    public var style: Style
    /// `#rrggbb`, or `nil` for the next colour of `ClassColors.tab10`.
    public var color: String?
    public var lineWidth: Double
    /// One error bar half-length per point (a standard error, say), drawn as ±yErrors[i] about
    /// y[i]; nil for none.
    public var yErrors: [Double]?
    /// gnuplot's point type for `.points` and `.linesPoints` (7: a filled circle, the default;
    /// 5 a square, 9 a triangle, 13 a diamond, 6 an open circle), so that curves that coincide
    /// stay apart.
    public var pointType = 7
    /// A name written beside each point (one per point, nil for none): the models of a scatter
    /// of costs, so that a point is read by its name rather than matched to the key by colour.
    public var pointLabels: [String]?
    /// Which side of its point each name is written on: right (the default) or left, so that the
    /// names of two points that nearly coincide do not overwrite each other.
    public var pointLabelSide: LabelSide = .right

    /// A side of a point, for its name.
    public enum LabelSide: Sendable, Equatable {
        case right, left
    }

    /// A curve through the points (x[i], y[i]); `x` and `y` must have the same length.
    public init<X: BinaryFloatingPoint, Y: BinaryFloatingPoint>(
        _ title: String, x: [X], y: [Y], style: Style = .lines, color: String? = nil, lineWidth: Double = 2
    ) {
        self.title = title
        self.x = x.map { Double($0) }
        self.y = y.map { Double($0) }
        self.style = style
        self.color = color
        self.lineWidth = lineWidth
    }

    /// A curve through (x[i], y[i]) with integer x, such as training steps or epochs.
    public init<Y: BinaryFloatingPoint>(
        _ title: String, x: [Int], y: [Y], style: Style = .lines, color: String? = nil, lineWidth: Double = 2
    ) {
        self.init(title, x: x.map { Double($0) }, y: y, style: style, color: color, lineWidth: lineWidth)
    }

    /// A curve through (i, y[i]) for i = 0, 1, 2, …: a loss recorded once per step.
    /// (With a log-scale x axis the point at 0 is dropped by gnuplot: pass `x` explicitly.)
    public init<Y: BinaryFloatingPoint>(
        _ title: String, y: [Y], style: Style = .lines, color: String? = nil, lineWidth: Double = 2
    ) {
        self.init(title, x: y.indices.map { Double($0) }, y: y, style: style, color: color, lineWidth: lineWidth)
    }

    /// `f` sampled at `samples` evenly spaced points of `range`, ends included: a density to lay
    /// over a histogram, e.g. `Series.function("N(0,1)", over: -4...4) { exp(-$0*$0/2) / (2 * .pi).squareRoot() }`.
    public static func function(
        _ title: String, over range: ClosedRange<Double>, samples: Int = 201,
        style: Style = .lines, color: String? = nil, lineWidth: Double = 2,
        _ f: (Double) -> Double
    ) -> Series {
        let n = max(samples, 2)
        let step = (range.upperBound - range.lowerBound) / Double(n - 1)
        let xs = (0..<n).map { $0 == n - 1 ? range.upperBound : range.lowerBound + Double($0) * step }
        return Series(title, x: xs, y: xs.map(f), style: style, color: color, lineWidth: lineWidth)
    }

    /// The same series with error bars of half-length `errors[i]` about each point.
    public func withErrorBars<E: BinaryFloatingPoint>(_ errors: [E]) -> Series {
        var copy = self
        copy.yErrors = errors.map { Double($0) }
        return copy
    }

    /// Throws unless the series can be plotted.
    func validate() throws {
        guard x.count == y.count else {
            throw PlotError.invalidFigure("series '\(title)' has \(x.count) x values but \(y.count) y values")
        }
        if let yErrors, yErrors.count != y.count {
            throw PlotError.invalidFigure("series '\(title)' has \(y.count) points but \(yErrors.count) error bars")
        }
        guard !x.isEmpty else { throw PlotError.invalidFigure("series '\(title)' has no points") }
        guard lineWidth > 0, lineWidth.isFinite else {
            throw PlotError.invalidFigure("series '\(title)' has line width \(lineWidth); it must be positive")
        }
        if let color { _ = try GnuplotText.color(color) }
        if let pointLabels {
            guard pointLabels.count == x.count else {
                throw PlotError.invalidFigure("series '\(title)' has \(x.count) points but \(pointLabels.count) point labels")
            }
            if let bad = pointLabels.first(where: { $0.contains("\"") || $0.contains("\n") || $0.contains("\\") }) {
                throw PlotError.invalidFigure("point label '\(bad)' of series '\(title)' holds a quote, a backslash or a line break")
            }
        }
    }
}
