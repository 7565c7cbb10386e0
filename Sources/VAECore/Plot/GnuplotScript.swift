/// Figure → gnuplot script text. Pure: no files, no processes, so every figure is testable
/// without gnuplot installed.
///
/// The script is self-contained: the data of each panel sits in datablocks just before the
/// commands that draw it, and `set output` names the PNG relative to the current directory, so
/// `cd figures && gnuplot name.gp` re-renders it after a student edits colours or labels.
extension Figure {
    /// The complete gnuplot script that draws this figure into the PNG file `output` (a name
    /// relative to the directory gnuplot runs in).
    public func gnuplotScript(output: String) throws -> String {
        guard !panels.isEmpty else { throw PlotError.invalidFigure("a figure needs at least one panel") }
        guard columns >= 1 else { throw PlotError.invalidFigure("a figure needs at least one panel column, got \(columns)") }
        let (w, h) = try pixelSize()
        let stem = output.hasSuffix(".png") ? String(output.dropLast(4)) : output
        var s = """
        # \(output): a gnuplot script written by VAECore (Sources/VAECore/Plot).
        # Self-contained: all the data is inline below, in datablocks ($D1 << EOD ... EOD).
        # Edit it, then re-render from the folder that holds this file, e.g.
        #     cd figures && gnuplot \(stem).gp
        # (`set output` below names the PNG relative to the current directory, so the PNG is
        # written beside this script only when gnuplot runs in this script's folder.)
        # Text is drawn literally (noenhanced): '_' and '^' are not sub- or superscripts.

        set terminal pngcairo size \(w),\(h) noenhanced font 'Sans,10'
        set output \(GnuplotText.quoted(output))
        set encoding utf8

        """
        var blocks = 0
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
        let preferred = try panels.map { try $0.preferredSize() }
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

        if let t = panel.title { set += "set title \(GnuplotText.quoted(t)) font ',12'\n" }
        if let t = panel.xlabel { set += "set xlabel \(GnuplotText.quoted(t))\n" }
        if let t = panel.ylabel { set += "set ylabel \(GnuplotText.quoted(t))\n" }
        let axesApply: Bool
        switch panel.content {
        case .lines, .histogram, .scatter: axesApply = true
        case .heatmap, .images: axesApply = false
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
                set += "set xtics (\(ticks.joined(separator: ", "))) rotate by 30 right\n"
            }
            set += Self.keyCommand(panel.legend)
        }

        switch panel.content {
        case .lines(let series):
            guard !series.isEmpty else { throw PlotError.invalidFigure("a line plot needs at least one series") }
            for (i, one) in series.enumerated() {
                try one.validate()
                let name = nextBlock()
                data += GnuplotText.datablock(name, comment: "series '\(one.title)': x y", rows: one.x.count, columns: 2) {
                    r, c in c == 0 ? one.x[r] : one.y[r]
                }
                plots.append("$\(name) using 1:2 \(try Self.style(one, index: i))")
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
                let overlay = nextBlock()
                data += GnuplotText.datablock(overlay, comment: "curve '\(one.title)': x y", rows: one.x.count, columns: 2) {
                    r, c in c == 0 ? one.x[r] : one.y[r]
                }
                // Overlay colours start after blue, so a curve never matches the bars.
                plots.append("$\(overlay) using 1:2 \(try Self.style(one, index: i + 3))")
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
            set += "set cbrange [\(try range(cb))]\n"
            if !heatmap.showColorbar { set += "unset colorbox\n" }
            if heatmap.squareCells { set += "set size ratio -1\n" }
            set += "unset key\nset tics out nomirror\n"
            set += "# Row 0 at the top: the y axis runs downwards, as a matrix is written.\n"
            set += "set xrange [-0.5:\(heatmap.columns) - 0.5]\nset yrange [\(heatmap.rows) - 0.5:-0.5]\n"
            plots.append("$\(name) matrix with image notitle")

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
            set += "set cbrange [\(try range(grid.valueRange))]\nunset colorbox\n"
            set += "unset key\nunset border\nunset tics\nset size ratio -1\n"
            let left = grid.rowTitles.isEmpty ? 1 : (grid.rowTitles.map(\.count).max() ?? 0) + 2
            let top = (panel.title == nil ? 1 : 3) + (grid.columnTitles.isEmpty ? 0 : 1)
            set += "set lmargin \(left)\nset rmargin 1\nset tmargin \(top)\nset bmargin 1\n"
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

    /// `with … lw … lc rgb … title …` for a series; `index` picks the default colour.
    private static func style(_ series: Series, index: Int) throws -> String {
        let color = try GnuplotText.color(series.color ?? ClassColors.color(index))
        let lw = GnuplotText.number(series.lineWidth)
        let with: String
        switch series.style {
        case .lines: with = "with lines lw \(lw)"
        case .dashed: with = "with lines lw \(lw) dt 2"
        case .steps: with = "with steps lw \(lw)"
        case .points: with = "with points pt 7 ps \(GnuplotText.number(series.lineWidth / 2))"
        case .linesPoints: with = "with linespoints lw \(lw) pt 7 ps \(GnuplotText.number(series.lineWidth / 2))"
        }
        return "\(with) lc rgb \(color) title \(GnuplotText.quoted(series.title))"
    }
}

extension Panel {
    /// The size in pixels this panel looks best at, alone.
    func preferredSize() throws -> (width: Int, height: Int) {
        switch content {
        case .lines, .histogram: return (800, 500)
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
            let top = (title == nil ? 16 : 44) + (grid.columnTitles.isEmpty ? 0 : 18)
            return (canvas.width * grid.pixelScale + left + 12, canvas.height * grid.pixelScale + top + 16)
        }
    }
}
