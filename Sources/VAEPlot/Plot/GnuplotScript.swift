import VAENumerics
import Foundation

/// Figure → gnuplot script text. Pure: no files, no processes, so every figure is testable
/// without gnuplot installed.
///
/// The script is self-contained: the data of each panel sits in datablocks just before the
/// commands that draw it, and `set output` names the PNG relative to the current directory, so
/// `cd figures && gnuplot name.gp` re-renders it after a student edits colours or labels.
extension Figure {
    /// The complete gnuplot script that draws this figure into the file `output` (a name
    /// relative to the directory gnuplot runs in): a PNG, or an SVG or PDF of the same look.
    func gnuplotScript(output: String, format: FigureFormat = .png) throws -> String {
        guard !panels.isEmpty else { throw PlotError.invalidFigure("a figure needs at least one panel") }
        guard columns >= 1 else { throw PlotError.invalidFigure("a figure needs at least one panel column, got \(columns)") }
        let (w, h) = try pixelSize()
        let suffix = "." + format.fileExtension
        let stem = output.hasSuffix(suffix) ? String(output.dropLast(suffix.count)) : output
        // The rules of FigureLint this figure waives, one comment line each with its reason.
        let waivers = lintWaivers.map { waiver -> String in
            FigureLint.waiverMarker + waiver.rule.rawValue + ": " + waiver.reason.replacingOccurrences(of: "\n", with: " ") + "\n"
        }.joined()
        var s = """
        # \(output): a gnuplot script written by VAEPlot (Sources/VAEPlot).
        # Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
        # Edit it, then re-render from the folder that holds this file, e.g.
        #     cd figures && gnuplot \(stem).gp
        # (`set output` below names the figure relative to the current directory, so it is
        # written beside this script only when gnuplot runs in this script's folder.)
        # Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.
        \(waivers)
        \(format.terminalCommand(width: w, height: h))
        set output \(GnuplotText.quoted(output))
        set encoding utf8

        """
        var blocks = 0
        let panels = drawnPanels
        let multiplot = panels.count > 1
        if multiplot {
            s += "set multiplot layout \(panelRows),\(columns)"
            if let title { s += " title \(GnuplotText.quoted(title)) font ',13'" }
            s += "\n"
        }
        for (index, panel) in panels.enumerated() {
            if multiplot {
                s += "\n# ---- panel \(index + 1) of \(panels.count) ----\n"
                if index > 0 { s += "reset   # forget the previous panel's settings (not the terminal or data)\n" }
            }
            s += try panelScript(panel, blocks: &blocks)
        }
        if multiplot { s += "unset multiplot\n" }
        s += "unset output\n"
        return s
    }

    /// The PNG size: the figure's own, or the panels' preferred size times the grid of panels.
    func pixelSize() throws -> (width: Int, height: Int) {
        let preferred = try drawnPanels.map { try $0.preferredSize() }
        let w = width ?? preferred.map(\.width).max()! * columns
        let h = height ?? preferred.map(\.height).max()! * panelRows + (panels.count > 1 && title != nil ? 30 : 0)
        guard w > 0, h > 0, w <= 20_000, h <= 20_000 else {
            throw PlotError.invalidFigure("figure size \(w)×\(h) pixels is not between 1 and 20000 on each side")
        }
        return (w, h)
    }

    /// The commands (datablocks included) for one panel. `blocks` numbers datablocks across the
    /// whole figure, so every panel's data keeps its own name.
    private func panelScript(_ panel: Panel, blocks: inout Int) throws -> String {
        func nextBlock() -> String { blocks += 1; return "D\(blocks)" }
        var data = ""      // datablocks
        var set = ""       // settings
        var plots: [String] = []

        if let t = panel.title {
            // Above an image grid's column titles, one line higher, so that the two never touch.
            var raised = false
            if case .images(let grid) = panel.content, !grid.columnTitles.isEmpty { raised = true }
            set += "set title \(GnuplotText.quoted(t)) font ',12'\(raised ? " offset 0,1.2" : "")\n"
        }
        if let t = panel.xlabel { set += "set xlabel \(GnuplotText.quoted(t))\n" }
        if let t = panel.ylabel { set += "set ylabel \(GnuplotText.quoted(t))\n" }
        let axesApply: Bool
        switch panel.content {
        case .lines, .histogram, .scatter, .bars: axesApply = true
        case .heatmap, .images, .diagram: axesApply = false
        }
        if axesApply {
            // '%g' labels a log axis 1e-07 … 0.001 … 100 instead of gnuplot's 0.0000001.
            if panel.logX { set += "set logscale x\nset format x '%g'\n" }
            if panel.logY { set += "set logscale y\nset format y '%g'\n" }
            if let r = panel.xRange { set += "set xrange [\(try range(r))]\n" }
            if let r = panel.yRange { set += "set yrange [\(try range(r))]\n" }
            set += "set grid lc rgb '#dddddd'\n"
            if !panel.xTickLabels.isEmpty {
                // Slanted, so that long names do not run into each other.
                let ticks = try panel.xTickLabels.map { tick -> String in
                    guard tick.position.isFinite else {
                        throw PlotError.invalidFigure("tick label '\(tick.label)' has position \(tick.position)")
                    }
                    return "\(GnuplotText.quoted(tick.label)) \(GnuplotText.number(tick.position))"
                }
                // Slanted only when a name is longer than a few characters.
                let slant = panel.xTickLabels.contains { $0.label.count > 3 } ? " rotate by 30 right" : ""
                set += "set xtics (\(ticks.joined(separator: ", ")))\(slant)\n"
            } else if let step = panel.xTickStep {
                guard step > 0, step.isFinite else { throw PlotError.invalidFigure("x tick step \(step) must be positive") }
                set += "set xtics \(GnuplotText.number(step))\n"
            }
            set += Self.keyCommand(panel.legend)
            // Reference texts sit on a white box, so that they stay legible over the data.
            if !panel.referenceLines.isEmpty { set += "set style textbox opaque noborder margins 0.5,0.5\n" }
            for (i, line) in panel.referenceLines.enumerated() {
                guard line.value.isFinite else { throw PlotError.invalidFigure("reference line '\(line.label)' is at \(line.value)") }
                let color = try GnuplotText.color(line.color), v = GnuplotText.number(line.value)
                switch line.axis {
                case .x:
                    set += "set arrow \(i + 1) from first \(v), graph 0 to first \(v), graph 1 nohead dt 2 lw 1.5 lc rgb \(color) front\n"
                    // Along the line, reading upwards, clear of a legend at the top.
                    set += "set label \(GnuplotText.quoted(line.label)) at first \(v), graph 0.03 left rotate by 90 offset 1.2,0 font ',9' tc rgb \(color) boxed front\n"
                case .y:
                    // The text above the line, or below it when the line runs along the top of a
                    // known range (where the text would meet the title).
                    var nearTop = false
                    if let r = panel.yRange, r.upperBound > r.lowerBound {
                        let position = panel.logY && r.lowerBound > 0 && line.value > 0
                            ? log(line.value / r.lowerBound) / log(r.upperBound / r.lowerBound)
                            : (line.value - r.lowerBound) / (r.upperBound - r.lowerBound)
                        nearTop = position > 0.88
                    }
                    set += "set arrow \(i + 1) from graph 0, first \(v) to graph 1, first \(v) nohead dt 2 lw 1.5 lc rgb \(color) front\n"
                    set += "set label \(GnuplotText.quoted(line.label)) at graph 0.01, first \(v) left offset 0,\(nearTop ? "-0.7" : "0.6") font ',9' tc rgb \(color) boxed front\n"
                }
            }
        }

        switch panel.content {
        case .lines(let series):
            guard !series.isEmpty else { throw PlotError.invalidFigure("a line plot needs at least one series") }
            for (i, one) in series.enumerated() {
                try one.validate()
                let name = nextBlock()
                if one.style == .points, one.yErrors == nil, !one.title.isEmpty, one.lineWidth / 2 < Self.keyPointSize {
                    // Markers this small would be specks in the legend: the data goes untitled and
                    // the legend gets its own entry (a plot of NaN) with large markers.
                    var untitled = one
                    untitled.title = ""
                    plots.append(Self.seriesData(one, name: name, index: i, data: &data) + " " + (try Self.style(untitled, index: i)))
                    let color = try GnuplotText.color(one.color ?? ClassColors.color(i))
                    plots.append("NaN with points pt \(one.pointType) ps \(GnuplotText.number(Self.keyPointSize)) lc rgb \(color) title \(GnuplotText.quoted(one.title))")
                } else {
                    plots.append(Self.seriesData(one, name: name, index: i, data: &data) + " " + (try Self.style(one, index: i)))
                }
                if let labels = one.pointLabels {
                    let block = nextBlock()
                    data += "# point labels of series '\(one.title.replacingOccurrences(of: "\n", with: " "))': x y label\n$\(block) << EOD\n"
                    for (k, label) in labels.enumerated() {
                        data += "\(GnuplotText.number(one.x[k])) \(GnuplotText.number(one.y[k])) \"\(label)\"\n"
                    }
                    data += "EOD\n"
                    let color = try GnuplotText.color(one.color ?? ClassColors.color(i))
                    let placement = one.pointLabelSide == .right ? "left offset char 0.9,0.5" : "right offset char -0.9,0.5"
                    plots.append("$\(block) using 1:2:3 with labels \(placement) font ',11' tc rgb \(color) notitle")
                }
            }

        case .histogram(let histogram, let overlays):
            let (edges, heights) = try histogram.binned()
            let name = nextBlock()
            data += GnuplotText.datablock(name, comment: "histogram '\(histogram.title)': bin centre, height, bin width",
                                          rows: heights.count, columns: 3) { r, c in
                switch c {
                case 0: return (edges[r] + edges[r + 1]) / 2
                case 1: return heights[r]
                default: return edges[r + 1] - edges[r]
                }
            }
            set += "set style fill solid 0.5 border lc rgb '#333333'\n"
            plots.append("$\(name) using 1:2:3 with boxes lc rgb \(try GnuplotText.color(histogram.color)) title \(GnuplotText.quoted(histogram.title))")
            for (i, one) in overlays.enumerated() {
                try one.validate()
                // Overlay colours start after blue, so a curve never matches the bars.
                plots.append(Self.seriesData(one, name: nextBlock(), index: i, data: &data) + " " + (try Self.style(one, index: i + 3)))
            }

        case .scatter(let points):
            let groups = try points.groups()
            if points.equalAxes { set += "set size ratio -1\n" }
            set += "set key samplen 1 spacing 1.1 title 'class'\n"
            var keys: [String] = []
            for (label, indices) in groups {
                let name = nextBlock()
                data += GnuplotText.datablock(name, comment: "class '\(points.name(of: label))': x y", rows: indices.count, columns: 2) {
                    r, c in c == 0 ? points.x[indices[r]] : points.y[indices[r]]
                }
                let color = try GnuplotText.color(ClassColors.color(label))
                plots.append("$\(name) using 1:2 with points pt 7 ps \(GnuplotText.number(points.pointSize)) lc rgb \(color) notitle")
                keys.append("NaN with points pt 7 ps 1.5 lc rgb \(color) title \(GnuplotText.quoted(points.name(of: label)))")
            }
            // The legend entries are separate, empty plots (of NaN) with large markers, so the
            // legend stays readable when the points themselves are tiny.
            plots += keys

        case .heatmap(let heatmap):
            try heatmap.validate()
            let name = nextBlock()
            data += GnuplotText.datablock(name, comment: "matrix \(heatmap.rows)x\(heatmap.columns), one row per line",
                                          rows: heatmap.rows, columns: heatmap.columns) { r, c in heatmap.values[r * heatmap.columns + c] }
            let cb = heatmap.resolvedRange()
            set += heatmap.palette.gnuplotCommand + "\n"
            if heatmap.logColor {
                // gnuplot's log scale ticks only the powers of ten, which a range such as
                // 0.08–0.7 holds one of: tick 1, 2 and 5 × 10ⁿ instead.
                let ticks = Self.logTicks(cb).map { GnuplotText.number($0) }.joined(separator: ", ")
                set += "set logscale cb\nset format cb '%g'\n" + (ticks.isEmpty ? "" : "set cbtics (\(ticks))\n")
            }
            set += "set cbrange [\(try range(cb))]\n"
            if !heatmap.showColorbar { set += "unset colorbox\n" }
            for (k, text) in heatmap.cellLabels.enumerated() where !text.isEmpty {
                // Dark text on the light end of the palette, light text on the dark end.
                let t = heatmap.colorPosition(heatmap.values[k])
                let light: Bool
                switch heatmap.palette {
                case .gray: light = (t ?? 1) < 0.55
                case .grayInverted: light = (t ?? 0) > 0.45
                case .viridis: light = (t ?? 1) < 0.6
                case .blueWhiteRed: light = abs((t ?? 0.5) - 0.5) > 0.35
                }
                let (r, c) = (k / heatmap.columns, k % heatmap.columns)
                let at = heatmap.coordinates.map { grid in
                    let dx = (grid.x.upperBound - grid.x.lowerBound) / Double(heatmap.columns - 1)
                    let dy = (grid.y.upperBound - grid.y.lowerBound) / Double(heatmap.rows - 1)
                    return "\(GnuplotText.number(grid.x.lowerBound + Double(c) * dx)), \(GnuplotText.number(grid.y.upperBound - Double(r) * dy))"
                } ?? "\(c), \(r)"
                set += "set label \(GnuplotText.quoted(text)) at \(at) center front font ',8' tc rgb '\(light ? "#ffffff" : "#000000")'\n"
            }
            if heatmap.squareCells { set += "set size ratio -1\n" }
            set += "unset key\nset tics out nomirror\n"
            if heatmap.ticksAtEveryCell {
                set += "set xtics 0, 1, \(heatmap.columns - 1)\nset ytics 0, 1, \(heatmap.rows - 1)\n"
            }
            if !heatmap.columnNames.isEmpty {
                // Slanted only when a name is longer than a few characters.
                let slant = heatmap.columnNames.contains { $0.count > 3 } ? " rotate by 30 right" : ""
                set += "set xtics (" + heatmap.columnNames.enumerated().map { "\(GnuplotText.quoted($1)) \($0)" }.joined(separator: ", ") + ")\(slant)\n"
            }
            if !heatmap.rowNames.isEmpty {
                set += "set ytics (" + heatmap.rowNames.enumerated().map { "\(GnuplotText.quoted($1)) \($0)" }.joined(separator: ", ") + ")\n"
            }
            if let grid = heatmap.coordinates {
                let dx = (grid.x.upperBound - grid.x.lowerBound) / Double(heatmap.columns - 1)
                let dy = (grid.y.upperBound - grid.y.lowerBound) / Double(heatmap.rows - 1)
                let n = GnuplotText.number
                set += "# Column c at x = \(n(grid.x.lowerBound)) + c·\(n(dx)), row r at y = \(n(grid.y.upperBound)) − r·\(n(dy)): y grows upwards.\n"
                set += "set xrange [\(n(grid.x.lowerBound - dx / 2)):\(n(grid.x.upperBound + dx / 2))]\n"
                set += "set yrange [\(n(grid.y.lowerBound - dy / 2)):\(n(grid.y.upperBound + dy / 2))]\n"
                plots.append("$\(name) matrix using (\(n(grid.x.lowerBound)) + $1 * \(n(dx))):(\(n(grid.y.upperBound)) - $2 * \(n(dy))):3 with image notitle")
            } else {
                set += "# Row 0 at the top: the y axis runs downwards, as a matrix is written.\n"
                set += "set xrange [-0.5:\(heatmap.columns) - 0.5]\nset yrange [\(heatmap.rows) - 0.5:-0.5]\n"
                plots.append("$\(name) matrix with image notitle")
            }

        case .images(let grid):
            let layout = try grid.layout()
            let name = nextBlock()
            data += "# \(grid.imageCount) images of \(grid.imageHeight)x\(grid.imageWidth) pixels: block k (index k) is image k,\n"
            data += "# one image row per line, top row first; blocks are separated by two blank lines.\n"
            data += "$\(name) << EOD\n"
            data.reserveCapacity(data.utf8.count + grid.pixels.count * 4)
            for k in 0..<grid.imageCount {
                data += "# image \(k)\n"
                for r in 0..<grid.imageHeight {
                    for c in 0..<grid.imageWidth {
                        if c > 0 { data += " " }
                        data += GnuplotText.number(grid.pixel(k, r, c))
                    }
                    data += "\n"
                }
                data += k == grid.imageCount - 1 ? "EOD\n" : "\n\n"
            }
            set += grid.palette.gnuplotCommand + "\n"
            set += "set cbrange [\(try range(grid.valueRange))]\n"
            if grid.showColorbar {
                // Three ticks, the ends and the middle, so that a short bar stays legible.
                let (lo, hi) = (grid.valueRange.lowerBound, grid.valueRange.upperBound)
                let ticks = [lo, (lo + hi) / 2, hi].map { String(format: "'%.2g' %@", $0, GnuplotText.number($0)) }
                set += "set colorbox user origin graph 1.02, graph 0 size graph 0.025, graph 1\n"
                set += "set cbtics (\(ticks.joined(separator: ", "))) out nomirror font ',8'\n"
            } else {
                set += "unset colorbox\n"
            }
            set += "unset key\nunset border\nunset xtics\nunset ytics\nset size ratio -1\n"
            let left = grid.rowTitles.isEmpty ? 1 : (grid.rowTitles.map(\.count).max() ?? 0) + 2
            // The column titles and a title above them: one text line each, and a little air.
            let top = panel.title == nil ? (grid.columnTitles.isEmpty ? 1 : 2)
                : (grid.columnTitles.isEmpty ? 3 : 5) + panel.extraTitleLines
            set += "set lmargin \(left)\nset rmargin \(grid.showColorbar ? 11 : 1)\nset tmargin \(top)\nset bmargin 1\n"
            set += "# The y axis runs downwards, so image rows go top to bottom and digits are upright.\n"
            set += "set xrange [-0.5:\(layout.width) - 0.5]\nset yrange [\(layout.height) - 0.5:-0.5]\n"
            for (k, caption) in grid.captions.enumerated() {
                let o = layout.origins[k]
                let x = Double(o.column) + Double(grid.imageWidth - 1) / 2
                let y = Double(o.row + grid.imageHeight) - 0.5 + Double(grid.captionSpace) / 2
                set += "set label \(GnuplotText.quoted(caption)) at first \(GnuplotText.number(x)), first \(GnuplotText.number(y)) center font ',9'\n"
            }
            for (r, title) in grid.rowTitles.enumerated() {
                let y = Double(r * layout.cellHeight) + Double(grid.imageHeight - 1) / 2
                set += "set label \(GnuplotText.quoted(title)) at graph 0, first \(GnuplotText.number(y)) right offset -1,0\n"
            }
            for (c, title) in grid.columnTitles.enumerated() {
                let x = Double(c * layout.cellWidth) + Double(grid.imageWidth - 1) / 2
                set += "set label \(GnuplotText.quoted(title)) at first \(GnuplotText.number(x)), graph 1 center offset 0,0.8\n"
            }
            set += "grid_columns = \(grid.columns); cell_width = \(layout.cellWidth); cell_height = \(layout.cellHeight)\n"
            set += "left(k) = (k % grid_columns) * cell_width    # image k's left edge, in image pixels\n"
            set += "top(k) = (k / grid_columns) * cell_height    # its top edge (integer division)\n"
            plots.append("for [k=0:\(grid.imageCount - 1)] $\(name) matrix index k using ($1 + left(k)):($2 + top(k)):3 with image notitle")

        case .bars(let chart, let overlays):
            let groups = try chart.bars()
            // Bars rise from zero; on a log axis, from the bottom of the axis.
            var floor = 0.0
            if panel.logY {
                let positive = groups.flatMap { $0.map(\.top) }.filter { $0 > 0 && $0.isFinite }
                floor = panel.yRange?.lowerBound ?? ((positive.min() ?? 1) / 2)
                guard floor > 0 else { throw PlotError.invalidFigure("bars on a log axis need a positive lower y range") }
                if panel.yRange == nil { set += "set yrange [\(GnuplotText.number(floor)):*]\n" }
            }
            let tops = groups.flatMap { $0.map { $0.top + ($0.error ?? 0) } }.filter(\.isFinite)
            if panel.yRange == nil, !panel.logY, let low = groups.flatMap({ $0.map(\.top) }).filter(\.isFinite).min(), low >= 0 {
                // Air above the tallest bar for its value and the legend.
                set += "set yrange [0:\(GnuplotText.number((tops.max() ?? 1) * (chart.valueFormat == nil ? 1.08 : 1.15)))]\n"
            }
            set += "set xrange [-0.6:\(GnuplotText.number(Double(chart.categories.count) - 0.4))]\n"
            set += "set style fill solid 0.85 border lc rgb '#333333'\nset grid noxtics\n"
            for (g, bars) in groups.enumerated() {
                let group = chart.groups[g]
                let name = nextBlock()
                data += GnuplotText.datablock(name, comment: "bars '\(group.title)': x, top, left, right, bottom, top, error",
                                              rows: bars.count, columns: 7) { r, c in
                    let b = bars[r]
                    switch c {
                    case 0: return b.x
                    case 1, 5: return b.top
                    case 2: return b.x - b.width / 2
                    case 3: return b.x + b.width / 2
                    case 4: return max(b.bottom, floor)
                    default: return b.error ?? 0
                    }
                }
                let color = try GnuplotText.color(group.color ?? ClassColors.color(g))
                plots.append("$\(name) using 1:2:3:4:5:6 with boxxyerror lc rgb \(color) title \(GnuplotText.quoted(group.title))")
                if group.errors != nil {
                    plots.append("$\(name) using 1:2:7 with yerrorbars lc rgb '#222222' lw 1.2 pt 0 ps 0 notitle")
                }
                if let format = chart.valueFormat {
                    plots.append("$\(name) using 1:($2 + $7):(sprintf(\(GnuplotText.quoted(format)), $2)) with labels offset 0,0.7 font ',8' notitle")
                }
            }
            for (i, one) in overlays.enumerated() {
                try one.validate()
                plots.append(Self.seriesData(one, name: nextBlock(), index: i, data: &data) + " " + (try Self.style(one, index: i + groups.count)))
            }

        case .diagram(let diagram):
            try diagram.validate()
            set += "unset key\nunset border\nunset xtics\nunset ytics\nunset grid\n"
            // The plot fills the whole canvas, so that one unit is one pixel.
            // (A title gets a strip of its own above the canvas.)
            let top = Double(diagram.height) / Double(diagram.height + panel.diagramTitleSpace)
            set += "set lmargin at screen 0\nset rmargin at screen 1\nset bmargin at screen 0\nset tmargin at screen \(GnuplotText.number(top))\n"
            set += "set xrange [0:\(diagram.width)]\nset yrange [0:\(diagram.height)]\n"
            let n = GnuplotText.number
            for (k, box) in diagram.boxes.enumerated() {
                set += "set object \(k + 1) rect center \(n(box.centre.x)), \(n(box.centre.y)) size \(n(box.width)), \(n(box.height)) "
                    + "fc rgb \(try GnuplotText.color(box.fill)) fs solid 1.0 border lc rgb \(try GnuplotText.color(box.border))"
                    + " lw 1.2\(box.dashed ? " dt 2" : "") back\n"
                if !box.lines.isEmpty {
                    // gnuplot puts a label's first line at its anchor: half the block higher centres it.
                    let raise = Double(box.lines.count - 1) * 0.5 * box.fontSize / 10
                    set += "set label \(GnuplotText.quoted(box.lines.joined(separator: "\n"))) at \(n(box.centre.x)), \(n(box.centre.y)) "
                        + "center offset 0,\(n(raise)) front font ',\(n(box.fontSize))'\n"
                }
            }
            for (k, arrow) in diagram.arrows.enumerated() {
                set += "set arrow \(k + 1) from \(n(arrow.from.x)), \(n(arrow.from.y)) to \(n(arrow.to.x)), \(n(arrow.to.y)) "
                    + "head filled size screen 0.008,25 lw 1.5 lc rgb \(try GnuplotText.color(arrow.color))\(arrow.dashed ? " dt 2" : "") front\n"
            }
            for text in diagram.texts {
                set += "set label \(GnuplotText.quoted(text.text)) at \(n(text.position.x)), \(n(text.position.y)) \(text.alignment.rawValue) "
                    + "front font ',\(n(text.fontSize))' tc rgb \(try GnuplotText.color(text.color))\n"
            }
            plots.append("NaN notitle")
        }

        return data + set + "plot " + plots.joined(separator: ", \\\n     ") + "\n"
    }

    /// `lo:hi` for a range, checked finite and non-empty.
    private func range(_ r: ClosedRange<Double>) throws -> String {
        guard r.lowerBound.isFinite, r.upperBound.isFinite, r.lowerBound < r.upperBound else {
            throw PlotError.invalidFigure("range \(r) must be finite and non-empty")
        }
        return "\(GnuplotText.number(r.lowerBound)):\(GnuplotText.number(r.upperBound))"
    }

    private static func keyCommand(_ legend: Legend) -> String {
        switch legend {
        case .topRight: return "set key top right Left reverse opaque box lc rgb '#bbbbbb'\n"
        case .topLeft: return "set key top left Left reverse opaque box lc rgb '#bbbbbb'\n"
        case .bottomRight: return "set key bottom right Left reverse opaque box lc rgb '#bbbbbb'\n"
        case .bottomLeft: return "set key bottom left Left reverse opaque box lc rgb '#bbbbbb'\n"
        case .outside: return "set key outside right top\n"
        case .hidden: return "unset key\n"
        }
    }

    /// The size of a legend's markers for points drawn smaller than this.
    static let keyPointSize = 1.5

    /// Ticks at 1, 2 and 5 × 10ⁿ inside a positive range, for a logarithmic axis (empty for a
    /// range that is not positive).
    static func logTicks(_ range: ClosedRange<Double>) -> [Double] {
        guard range.lowerBound > 0, range.upperBound.isFinite, range.upperBound >= range.lowerBound else { return [] }
        var ticks: [Double] = []
        var decade = pow(10, floor(log10(range.lowerBound)))
        while decade <= range.upperBound {
            for m in [1.0, 2, 5] {
                let t = m * decade
                if t >= range.lowerBound * (1 - 1e-9), t <= range.upperBound * (1 + 1e-9) { ticks.append(t) }
            }
            decade *= 10
        }
        return ticks
    }

    /// Appends the datablock of `series` (x y, or x y error) to `data`; returns `$NAME using …`.
    private static func seriesData(_ series: Series, name: String, index: Int, data: inout String) -> String {
        if let errors = series.yErrors {
            data += GnuplotText.datablock(name, comment: "series '\(series.title)': x y ±error", rows: series.x.count, columns: 3) {
                r, c in c == 0 ? series.x[r] : c == 1 ? series.y[r] : errors[r]
            }
            return "$\(name) using 1:2:3"
        }
        data += GnuplotText.datablock(name, comment: "series '\(series.title)': x y", rows: series.x.count, columns: 2) {
            r, c in c == 0 ? series.x[r] : series.y[r]
        }
        return "$\(name) using 1:2"
    }

    /// `with … lw … lc rgb … title …` for a series; `index` picks the default colour.
    private static func style(_ series: Series, index: Int) throws -> String {
        let color = try GnuplotText.color(series.color ?? ClassColors.color(index))
        let lw = GnuplotText.number(series.lineWidth)
        let with: String
        if series.yErrors != nil {
            let ps = GnuplotText.number(series.lineWidth / 2)
            switch series.style {
            case .points: with = "with yerrorbars lw \(lw) pt 7 ps \(ps)"
            case .dashed: with = "with yerrorlines lw \(lw) dt 2 pt 7 ps \(ps)"
            default: with = "with yerrorlines lw \(lw) pt 7 ps \(ps)"
            }
            return "\(with) lc rgb \(color) title \(GnuplotText.quoted(series.title))"
        }
        switch series.style {
        case .lines: with = "with lines lw \(lw)"
        case .dashed: with = "with lines lw \(lw) dt 2"
        case .steps: with = "with steps lw \(lw)"
        case .points: with = "with points pt \(series.pointType) ps \(GnuplotText.number(series.lineWidth / 2))"
        case .linesPoints: with = "with linespoints lw \(lw) pt \(series.pointType) ps \(GnuplotText.number(series.lineWidth / 2))"
        }
        return "\(with) lc rgb \(color) title \(GnuplotText.quoted(series.title))"
    }
}

extension Panel {
    /// Pixels above a diagram's canvas for its title.
    static let diagramTitleHeight = 36
    /// Pixels of one more line of a title.
    static let titleLineHeight = 16

    /// The lines of the title beyond its first (a figure's title above a single panel's own).
    var extraTitleLines: Int { max(0, (title?.split(separator: "\n", omittingEmptySubsequences: false).count ?? 1) - 1) }

    /// Pixels above a diagram's canvas for its title, all its lines.
    var diagramTitleSpace: Int { title == nil ? 0 : Panel.diagramTitleHeight + extraTitleLines * Panel.titleLineHeight }

    /// The size in pixels this panel looks best at, alone.
    func preferredSize() throws -> (width: Int, height: Int) {
        switch content {
        case .lines, .histogram, .bars: return (800, 500)
        case .diagram(let diagram): return (diagram.width, diagram.height + diagramTitleSpace)
        case .scatter: return (760, 640)
        case .heatmap(let h):
            guard h.squareCells, h.rows > 0, h.columns > 0 else { return (800, 500) }
            let scale = max(1, 560 / max(h.rows, h.columns))
            return (h.columns * scale + 200, h.rows * scale + 110)
        case .images(let grid):
            let canvas = (height: grid.rows * (grid.imageHeight + grid.captionSpace + grid.gap) - grid.gap,
                          width: grid.columns * (grid.imageWidth + grid.gap) - grid.gap)
            // Margins in pixels for the row titles (~7 px a character at 10 pt), the panel title
            // and the column titles.
            let left = grid.rowTitles.isEmpty ? 12 : ((grid.rowTitles.map(\.count).max() ?? 0) + 2) * 7 + 8
            let top = (title == nil ? 16 : 44 + extraTitleLines * Panel.titleLineHeight) + (grid.columnTitles.isEmpty ? 0 : (title == nil ? 18 : 36))
            return (canvas.width * grid.pixelScale + left + (grid.showColorbar ? 100 : 12), canvas.height * grid.pixelScale + top + 16)
        }
    }
}
