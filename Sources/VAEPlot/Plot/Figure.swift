import VAENumerics

/// Where a panel's legend (gnuplot's *key*) goes.
public enum Legend: Sendable, Equatable {
    case topRight, topLeft, bottomRight, bottomLeft
    /// Right of the plot area, outside the data (good for ten digit classes).
    case outside
    case hidden
}

/// One plot: what is drawn (`content`) and its axes.
///
/// Build one with the static constructors, which read like the plot they make:
/// `.lines(...)`, `.histogram(...)`, `.scatter(...)`, `.heatmap(...)`, `.images(...)`.
/// Every field is a public `var`, so a panel can be adjusted after it is built.
public struct Panel: Sendable, Equatable {
    /// What the panel draws.
    public enum Content: Sendable, Equatable {
        /// Named curves.
        case lines([Series])
        /// Bars of a histogram, with curves drawn over them (such as the density the samples
        /// should follow).
        case histogram(Histogram, overlays: [Series])
        /// Points coloured by class.
        case scatter(LabeledPoints)
        /// A matrix as coloured cells.
        case heatmap(Heatmap)
        /// A grid of small images.
        case images(ImageGrid)
        /// Bars over named categories, with curves drawn over them.
        case bars(BarChart, overlays: [Series])
        /// Boxes, arrows and text on a canvas of pixels (a network's layers).
        case diagram(Diagram)
    }

    public var content: Content
    public var title: String?
    public var xlabel: String?
    public var ylabel: String?
    /// Logarithmic axes (lines, histograms and scatter plots; ignored by heatmaps and images).
    public var logX: Bool
    public var logY: Bool
    /// Axis ranges; `nil` lets gnuplot choose.
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    public var legend: Legend
    /// Named ticks that replace the x axis's numbers, for categories placed at x = 0, 1, 2, …
    /// (one point per layer, say); empty for ordinary numbered ticks. Lines, histograms and
    /// scatter plots only.
    public var xTickLabels: [TickLabel]
    /// The distance between numbered x ticks (1 for one tick per epoch); nil lets gnuplot choose.
    public var xTickStep: Double?
    /// Horizontal and vertical lines across the panel, each with its text (a threshold, a true
    /// value, a number from the literature). Lines, histograms, scatter plots and bars.
    public var referenceLines: [ReferenceLine]

    public init(_ content: Content, title: String? = nil, xlabel: String? = nil, ylabel: String? = nil,
                logX: Bool = false, logY: Bool = false, xRange: ClosedRange<Double>? = nil,
                yRange: ClosedRange<Double>? = nil, legend: Legend = .topRight, xTickLabels: [TickLabel] = [],
                xTickStep: Double? = nil, referenceLines: [ReferenceLine] = []) {
        self.content = content
        self.title = title
        self.xlabel = xlabel
        self.ylabel = ylabel
        self.logX = logX
        self.logY = logY
        self.xRange = xRange
        self.yRange = yRange
        self.legend = legend
        self.xTickLabels = xTickLabels
        self.xTickStep = xTickStep
        self.referenceLines = referenceLines
    }

    /// Named curves, e.g. training and validation loss against the step, on a log y axis.
    public static func lines(_ series: [Series], title: String? = nil, xlabel: String? = nil, ylabel: String? = nil,
                             logX: Bool = false, logY: Bool = false, xRange: ClosedRange<Double>? = nil,
                             yRange: ClosedRange<Double>? = nil, legend: Legend = .topRight,
                             xTickLabels: [TickLabel] = [], xTickStep: Double? = nil,
                             referenceLines: [ReferenceLine] = []) -> Panel {
        Panel(.lines(series), title: title, xlabel: xlabel, ylabel: ylabel, logX: logX, logY: logY,
              xRange: xRange, yRange: yRange, legend: legend, xTickLabels: xTickLabels, xTickStep: xTickStep,
              referenceLines: referenceLines)
    }

    /// A histogram with optional curves over it.
    public static func histogram(_ histogram: Histogram, overlays: [Series] = [], title: String? = nil,
                                 xlabel: String? = nil, ylabel: String? = nil, logY: Bool = false,
                                 xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil,
                                 legend: Legend = .topRight, referenceLines: [ReferenceLine] = []) -> Panel {
        Panel(.histogram(histogram, overlays: overlays), title: title, xlabel: xlabel,
              ylabel: ylabel ?? (histogram.normalization == .density ? "density" : "count"),
              logY: logY, xRange: xRange, yRange: yRange, legend: legend, referenceLines: referenceLines)
    }

    /// Points coloured by class, with one legend entry per class.
    public static func scatter(_ points: LabeledPoints, title: String? = nil, xlabel: String? = nil,
                               ylabel: String? = nil, xRange: ClosedRange<Double>? = nil,
                               yRange: ClosedRange<Double>? = nil, legend: Legend = .outside) -> Panel {
        Panel(.scatter(points), title: title, xlabel: xlabel, ylabel: ylabel, xRange: xRange, yRange: yRange, legend: legend)
    }

    /// Bars over named categories (their names are the x ticks), with curves over them.
    public static func bars(_ chart: BarChart, overlays: [Series] = [], title: String? = nil, xlabel: String? = nil,
                            ylabel: String? = nil, logY: Bool = false, yRange: ClosedRange<Double>? = nil,
                            legend: Legend = .topRight, referenceLines: [ReferenceLine] = []) -> Panel {
        Panel(.bars(chart, overlays: overlays), title: title, xlabel: xlabel, ylabel: ylabel, logY: logY, yRange: yRange,
              legend: legend, xTickLabels: TickLabel.categories(chart.categories), referenceLines: referenceLines)
    }

    /// Boxes, arrows and text, one unit a pixel.
    public static func diagram(_ diagram: Diagram, title: String? = nil) -> Panel {
        Panel(.diagram(diagram), title: title, legend: .hidden)
    }

    /// A matrix as coloured cells, row 0 at the top.
    public static func heatmap(_ heatmap: Heatmap, title: String? = nil, xlabel: String? = nil, ylabel: String? = nil) -> Panel {
        Panel(.heatmap(heatmap), title: title, xlabel: xlabel, ylabel: ylabel, legend: .hidden)
    }

    /// A grid of images, upright.
    public static func images(_ grid: ImageGrid, title: String? = nil) -> Panel {
        Panel(.images(grid), title: title, legend: .hidden)
    }
}

/// A line across a panel at a fixed x (vertical) or y (horizontal), dashed, with its text beside
/// it: an activity threshold, the true value an estimator aims at, a published result.
public struct ReferenceLine: Sendable, Equatable {
    public enum Axis: Sendable, Equatable { case x, y }
    public var axis: Axis
    public var value: Double
    public var label: String
    /// `#rrggbb`.
    public var color: String

    /// A vertical line at x = `value`.
    public static func vertical(at value: Double, _ label: String, color: String = "#444444") -> ReferenceLine {
        ReferenceLine(axis: .x, value: value, label: label, color: color)
    }

    /// A horizontal line at y = `value`.
    public static func horizontal(at value: Double, _ label: String, color: String = "#444444") -> ReferenceLine {
        ReferenceLine(axis: .y, value: value, label: label, color: color)
    }
}

/// A named tick on an axis: `label` written at `position`, in place of a number.
public struct TickLabel: Sendable, Equatable {
    public var position: Double
    public var label: String

    public init(_ label: String, at position: Double) {
        self.label = label
        self.position = position
    }

    /// One tick per name, at 0, 1, 2, …: a categorical axis.
    public static func categories(_ names: [String]) -> [TickLabel] {
        names.enumerated().map { TickLabel($0.element, at: Double($0.offset)) }
    }
}

/// A picture to write as one PNG: a single panel, or several panels in a grid (gnuplot's
/// multiplot) under an optional overall title.
///
///     let figure = Figure(.lines([Series("train", y: losses)], title: "Loss", xlabel: "step", logY: true))
///     try FigureWriter(directory: figuresURL).write(figure, name: "ch05-loss")
///
/// `gnuplotScript(output:)` turns a figure into the text of a self-contained gnuplot script (the
/// data inline); it is a pure function, so every figure can be tested without gnuplot.
public struct Figure: Sendable, Equatable {
    /// Overall title above all panels. A figure of one panel draws it as that panel's title, on a
    /// line above the panel's own title when it has one, so that it is never lost.
    public var title: String?
    public var panels: [Panel]
    /// Panels per row; the panels fill rows left to right, top to bottom.
    public var columns: Int
    /// PNG size in pixels; `nil` for a size that suits the content (images at `pixelScale`).
    public var width: Int?
    public var height: Int?
    /// The rules of `FigureLint` this figure does not follow, each with its reason (written into
    /// the script as a comment); add one with `waiving(_:because:)`.
    var lintWaivers: [FigureLint.Waiver] = []

    /// A figure of one panel.
    public init(_ panel: Panel, width: Int? = nil, height: Int? = nil) {
        self.init(title: nil, panels: [panel], columns: 1, width: width, height: height)
    }

    /// A figure of several panels, `columns` to a row.
    public init(title: String? = nil, panels: [Panel], columns: Int, width: Int? = nil, height: Int? = nil) {
        self.title = title
        self.panels = panels
        self.columns = columns
        self.width = width
        self.height = height
    }

    /// The number of panel rows.
    var panelRows: Int { columns > 0 ? (panels.count + columns - 1) / columns : 0 }

    /// The panels as they are drawn. Several panels share gnuplot's multiplot title; a single
    /// panel is drawn without multiplot, so the figure's title becomes the panel's (its first line,
    /// above the panel's own title).
    var drawnPanels: [Panel] {
        guard panels.count == 1, let title else { return panels }
        var panel = panels[0]
        panel.title = panel.title.map { title + "\n" + $0 } ?? title
        return [panel]
    }
}
