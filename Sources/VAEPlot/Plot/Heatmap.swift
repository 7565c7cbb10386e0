import VAENumerics
import Foundation

/// A matrix drawn as coloured cells: row 0 at the top, column 0 at the left, as the matrix is
/// written on paper (an im2col matrix, a weight matrix, a confusion matrix).
public struct Heatmap: Sendable, Equatable {
    public var rows: Int
    public var columns: Int
    /// Row-major, `rows × columns` values: the cell at (r, c) is `values[r * columns + c]`.
    /// A NaN or infinite value is left blank (and gnuplot warns about a missing value).
    public var values: [Double]
    public var palette: Palette
    /// The values mapped to the two ends of the palette; `nil` for [min, max] of the finite
    /// values (symmetric about 0 for a diverging palette).
    public var valueRange: ClosedRange<Double>?
    /// Square cells (`set size ratio -1`) rather than cells stretched to fill the panel.
    public var squareCells: Bool
    /// Show the colour bar that maps colours back to values.
    public var showColorbar: Bool
    /// Text printed in each cell (row-major, like `values`; "" for none), e.g. percentages;
    /// empty for no text. Drawn dark on light cells and light on dark ones.
    public var cellLabels: [String] = []
    /// Colours on a logarithmic scale (for values spanning decades, as a confusion matrix's
    /// off-diagonal shares); cells ≤ 0 are left blank.
    public var logColor = false
    /// A tick with its number at every row and every column (a digit per row, a code dimension
    /// per column), rather than gnuplot's choice of a few.
    public var ticksAtEveryCell = false
    /// A name for each row and for each column (a score, a data set), written at its tick in
    /// place of its number; empty for numbers.
    public var rowNames: [String] = []
    public var columnNames: [String] = []
    /// The cells as samples of a function on a plane, as on a map: column 0 at `x.lowerBound`
    /// and the last at `x.upperBound`, row 0 at the top, `y.upperBound`, and the last row at
    /// `y.lowerBound`; the axes then read in those units, y growing upwards. nil: the axes count
    /// cells, row 0 at the top (a matrix as written).
    public var coordinates: (x: ClosedRange<Double>, y: ClosedRange<Double>)?

    public static func == (a: Heatmap, b: Heatmap) -> Bool {
        a.rows == b.rows && a.columns == b.columns && a.values == b.values
            && a.palette == b.palette && a.valueRange == b.valueRange && a.squareCells == b.squareCells
            && a.showColorbar == b.showColorbar && a.cellLabels == b.cellLabels && a.logColor == b.logColor
            && a.ticksAtEveryCell == b.ticksAtEveryCell && a.rowNames == b.rowNames && a.columnNames == b.columnNames
            && a.coordinates?.x == b.coordinates?.x && a.coordinates?.y == b.coordinates?.y
    }

    public init<T: BinaryFloatingPoint>(
        rows: Int, columns: Int, values: [T], palette: Palette = .viridis,
        valueRange: ClosedRange<Double>? = nil, squareCells: Bool = false, showColorbar: Bool = true
    ) {
        self.rows = rows
        self.columns = columns
        self.values = values.map { Double($0) }
        self.palette = palette
        self.valueRange = valueRange
        self.squareCells = squareCells
        self.showColorbar = showColorbar
    }

    /// The rank-2 tensor `matrix`, shape (rows, columns).
    public init(_ matrix: Tensor, palette: Palette = .viridis, valueRange: ClosedRange<Double>? = nil,
                squareCells: Bool = false, showColorbar: Bool = true) throws {
        guard matrix.rank == 2 else {
            throw PlotError.invalidFigure("a heatmap needs a rank-2 tensor (rows, columns), got shape \(matrix.shape)")
        }
        self.init(rows: matrix.shape[0], columns: matrix.shape[1], values: matrix.scalars, palette: palette,
                  valueRange: valueRange, squareCells: squareCells, showColorbar: showColorbar)
    }

    func validate() throws {
        guard rows > 0, columns > 0 else { throw PlotError.invalidFigure("heatmap of \(rows)×\(columns) cells is empty") }
        guard values.count == rows * columns else {
            throw PlotError.invalidFigure("heatmap of \(rows)×\(columns) cells needs \(rows * columns) values, got \(values.count)")
        }
        if let valueRange, !(valueRange.lowerBound.isFinite && valueRange.upperBound.isFinite && valueRange.lowerBound < valueRange.upperBound) {
            throw PlotError.invalidFigure("heatmap value range \(valueRange) must be finite and non-empty")
        }
        guard cellLabels.isEmpty || cellLabels.count == values.count else {
            throw PlotError.invalidFigure("heatmap of \(values.count) cells has \(cellLabels.count) cell labels")
        }
        if let coordinates {
            let spans = [coordinates.x, coordinates.y]
            guard spans.allSatisfy({ $0.lowerBound.isFinite && $0.upperBound.isFinite && $0.lowerBound < $0.upperBound }), rows > 1, columns > 1 else {
                throw PlotError.invalidFigure("a heatmap on coordinates needs at least 2×2 cells and finite, non-empty spans, not \(coordinates)")
            }
        }
        guard rowNames.isEmpty || rowNames.count == rows, columnNames.isEmpty || columnNames.count == columns else {
            throw PlotError.invalidFigure("heatmap of \(rows)×\(columns) cells has \(rowNames.count) row names and \(columnNames.count) column names")
        }
        if logColor, let valueRange, valueRange.lowerBound <= 0 {
            throw PlotError.invalidFigure("a logarithmic colour scale needs a positive value range, not \(valueRange)")
        }
    }

    /// The colour range actually used: `valueRange`, or one derived from the data.
    func resolvedRange() -> ClosedRange<Double> {
        if let valueRange { return valueRange }
        let finite = values.filter { $0.isFinite && (!logColor || $0 > 0) }
        guard var lo = finite.min(), var hi = finite.max() else { return 0...1 }
        if palette.isDiverging { let m = max(abs(lo), abs(hi)); (lo, hi) = (-m, m) }
        if lo == hi { (lo, hi) = logColor ? (lo / 2, hi * 2) : (lo - 0.5, hi + 0.5) }
        return lo...hi
    }
}

extension Heatmap {
    /// Where `value` falls on the colour scale, 0 (low end) to 1 (high end), clamped; nil for a
    /// blank cell.
    func colorPosition(_ value: Double) -> Double? {
        let r = resolvedRange()
        guard value.isFinite, !logColor || value > 0 else { return nil }
        let t = logColor ? (log(value) - log(r.lowerBound)) / (log(r.upperBound) - log(r.lowerBound))
            : (value - r.lowerBound) / (r.upperBound - r.lowerBound)
        return min(max(t, 0), 1)
    }
}
