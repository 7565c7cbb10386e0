import VAENumerics

/// A histogram of samples, binned here (not by gnuplot) so the heights can be tested and the
/// script holds only bin centres and heights.
///
/// With `.density` the bar heights integrate to the fraction of samples inside the range (1 when
/// nothing falls outside), so a sampler's histogram can be laid over the density it should follow:
/// `Panel.histogram(Histogram(draws), overlays: [Series.function("N(0,1)", over: -4...4, pdf)])`.
public struct Histogram: Sendable, Equatable {
    /// What a bar's height means.
    public enum Normalization: Sendable, Equatable {
        /// The number of samples in the bin.
        case count
        /// count / (number of finite samples × bin width): an estimate of the probability density.
        case density
    }

    /// The samples; NaN and ±infinity are skipped (and not counted in the total).
    public var values: [Double]
    public var bins: Int
    /// The span the bins cover; `nil` for [min, max] of the finite samples. Samples outside are
    /// left out of every bin, but still count in the `.density` total.
    public var range: ClosedRange<Double>?
    var normalization: Normalization
    /// The legend entry for the bars.
    public var title: String
    /// `#rrggbb` for the bars.
    public var color: String

    public init<V: BinaryFloatingPoint>(
        _ values: [V], bins: Int = 50, range: ClosedRange<Double>? = nil,
        normalization: Normalization = .density, title: String = "samples", color: String = "#4e79a7"
    ) {
        self.values = values.map { Double($0) }
        self.bins = bins
        self.range = range
        self.normalization = normalization
        self.title = title
        self.color = color
    }

    /// The bin edges (`bins + 1` of them, evenly spaced) and the height of each bin.
    ///
    /// A sample `v` falls in bin ⌊(v − lower) / width⌋; the upper edge itself belongs to the last
    /// bin, as in NumPy. - Complexity: O(values.count + bins).
    public func binned() throws -> (edges: [Double], heights: [Double]) {
        guard bins >= 1 else { throw PlotError.invalidFigure("histogram '\(title)' needs at least 1 bin, got \(bins)") }
        let finite = values.filter(\.isFinite)
        guard !finite.isEmpty else { throw PlotError.invalidFigure("histogram '\(title)' has no finite samples") }
        var lower: Double, upper: Double
        if let range {
            lower = range.lowerBound; upper = range.upperBound
            guard lower.isFinite, upper.isFinite, lower < upper else {
                throw PlotError.invalidFigure("histogram '\(title)' range \(range) must be finite and non-empty")
            }
        } else {
            lower = finite.min()!; upper = finite.max()!
            if lower == upper { lower -= 0.5; upper += 0.5 }   // all samples equal: one unit-wide span
        }
        let width = (upper - lower) / Double(bins)
        var counts = [Double](repeating: 0, count: bins)
        for v in finite where v >= lower && v <= upper {
            counts[min(Int((v - lower) / width), bins - 1)] += 1
        }
        let edges = (0...bins).map { $0 == bins ? upper : lower + Double($0) * width }
        switch normalization {
        case .count: return (edges, counts)
        case .density:
            let scale = 1 / (Double(finite.count) * width)
            return (edges, counts.map { $0 * scale })
        }
    }
}
