import VAENumerics

/// A scatter plot of 2-D points coloured by an integer class label: a 2-D latent space with one
/// colour per digit, and a legend entry per class.
public struct LabeledPoints: Sendable, Equatable {
    public var x: [Double]
    public var y: [Double]
    /// One label per point, each ≥ 0. Class `k` gets colour `ClassColors.color(k)`.
    public var labels: [Int]
    /// Legend entry of class `k` is `classNames[k]`; `nil` for the label itself ("0" … "9").
    public var classNames: [String]?
    /// Marker size (gnuplot `pointsize`; 1 is a normal marker). Small for thousands of points.
    public var pointSize: Double
    /// Same scale on both axes (`set size ratio -1`), so a circle in latent space looks round.
    public var equalAxes: Bool

    public init<T: BinaryFloatingPoint>(
        x: [T], y: [T], labels: [Int], classNames: [String]? = nil, pointSize: Double = 0.4, equalAxes: Bool = false
    ) {
        self.x = x.map { Double($0) }
        self.y = y.map { Double($0) }
        self.labels = labels
        self.classNames = classNames
        self.pointSize = pointSize
        self.equalAxes = equalAxes
    }

    /// Points from the first two columns of `points`, shape (N, D) with D ≥ 2, e.g. latent means.
    public init(points: Tensor, labels: [Int], classNames: [String]? = nil, pointSize: Double = 0.4, equalAxes: Bool = false) throws {
        guard points.rank == 2, points.shape[1] >= 2 else {
            throw PlotError.invalidFigure("scatter points must have shape (N, D) with D ≥ 2, got \(points.shape)")
        }
        let (n, d) = (points.shape[0], points.shape[1])
        let xs = (0..<n).map { points.scalars[$0 * d] }
        let ys = (0..<n).map { points.scalars[$0 * d + 1] }
        self.init(x: xs, y: ys, labels: labels, classNames: classNames, pointSize: pointSize, equalAxes: equalAxes)
    }

    /// The classes present, in increasing order, each with the indices of its points.
    func groups() throws -> [(label: Int, indices: [Int])] {
        guard x.count == y.count, x.count == labels.count else {
            throw PlotError.invalidFigure("scatter has \(x.count) x, \(y.count) y and \(labels.count) labels; they must match")
        }
        guard !x.isEmpty else { throw PlotError.invalidFigure("scatter has no points") }
        guard pointSize > 0, pointSize.isFinite else { throw PlotError.invalidFigure("scatter point size must be positive") }
        var byLabel: [Int: [Int]] = [:]
        for (i, label) in labels.enumerated() {
            guard label >= 0 else { throw PlotError.invalidFigure("scatter label \(label) at point \(i) is negative") }
            byLabel[label, default: []].append(i)
        }
        if let classNames, let top = byLabel.keys.max(), top >= classNames.count {
            throw PlotError.invalidFigure("scatter label \(top) has no name: classNames has \(classNames.count) entries")
        }
        return byLabel.keys.sorted().map { ($0, byLabel[$0]!) }
    }

    /// The legend entry for class `label`.
    func name(of label: Int) -> String { classNames?[label] ?? String(label) }
}
