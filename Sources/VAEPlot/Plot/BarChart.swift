import VAENumerics

/// Bars over named categories, one cluster per category and one bar of each group in it: the
/// accuracy per digit for two ways of sampling, the KL of each latent dimension, a step's memory
/// by layer.
///
///     BarChart(categories: ["0", "1", …, "9"], groups: [
///         .init("prior", values: prior), .init("fitted", values: fitted, errors: standardErrors),
///     ])
///
/// Category k sits at x = k (its name as the tick); the bars of its cluster share `clusterWidth`
/// side by side, in the order of `groups`. The bars rise from zero (or from the bottom of a log
/// axis), so their lengths compare; `Panel.yRange` can still start the axis elsewhere, and a
/// chapter that does so says where it starts.
public struct BarChart: Sendable, Equatable {
    /// One colour of bars: a value per category, with optional error bars.
    public struct Group: Sendable, Equatable {
        /// The legend entry.
        public var title: String
        /// One value per category (NaN for none: no bar).
        public var values: [Double]
        /// ± half-lengths of error bars, one per category; nil for none.
        public var errors: [Double]?
        /// `#rrggbb`, or nil for the group's colour from `ClassColors.tab10`.
        public var color: String?

        public init<V: BinaryFloatingPoint>(_ title: String, values: [V], errors: [V]? = nil, color: String? = nil) {
            self.title = title
            self.values = values.map { Double($0) }
            self.errors = errors?.map { Double($0) }
            self.color = color
        }
    }

    /// The names under the clusters, one per category.
    public var categories: [String]
    public var groups: [Group]
    /// The width of one cluster of bars, in units of the category spacing.
    public var clusterWidth: Double
    /// A `printf` format to print each bar's value above it (e.g. "%.1f"), or nil.
    public var valueFormat: String?
    /// Whether the groups' bars are stacked on top of each other (parts of one total) rather
    /// than side by side.
    public var stacked: Bool

    public init(categories: [String], groups: [Group], clusterWidth: Double = 0.8, valueFormat: String? = nil,
                stacked: Bool = false) {
        self.categories = categories
        self.groups = groups
        self.clusterWidth = clusterWidth
        self.valueFormat = valueFormat
        self.stacked = stacked
    }

    /// One bar: its centre, width, bottom and top.
    struct Bar { var x: Double; var width: Double; var bottom: Double; var top: Double; var error: Double? }

    /// The bars of each group, laid out.
    func bars() throws -> [[Bar]] {
        guard !categories.isEmpty else { throw PlotError.invalidFigure("a bar chart needs at least one category") }
        guard !groups.isEmpty else { throw PlotError.invalidFigure("a bar chart needs at least one group of bars") }
        guard clusterWidth > 0, clusterWidth <= 1 else {
            throw PlotError.invalidFigure("a bar chart's cluster width must lie in (0, 1], got \(clusterWidth)")
        }
        for group in groups {
            guard group.values.count == categories.count else {
                throw PlotError.invalidFigure("bars '\(group.title)' have \(group.values.count) values for \(categories.count) categories")
            }
            if let errors = group.errors, errors.count != categories.count {
                throw PlotError.invalidFigure("bars '\(group.title)' have \(errors.count) error bars for \(categories.count) categories")
            }
            if stacked, group.values.contains(where: { $0 < 0 }) {
                throw PlotError.invalidFigure("stacked bars '\(group.title)' hold a negative value")
            }
            if let color = group.color { _ = try GnuplotText.color(color) }
        }
        var tops = [Double](repeating: 0, count: categories.count)
        return groups.enumerated().map { g, group in
            group.values.indices.map { k in
                let value = group.values[k]
                if stacked {
                    let bottom = tops[k]
                    if value.isFinite { tops[k] += value }
                    return Bar(x: Double(k), width: clusterWidth, bottom: bottom, top: bottom + value, error: group.errors?[k])
                }
                let width = clusterWidth / Double(groups.count)
                let x = Double(k) - clusterWidth / 2 + (Double(g) + 0.5) * width
                return Bar(x: x, width: width, bottom: 0, top: value, error: group.errors?[k])
            }
        }
    }
}
