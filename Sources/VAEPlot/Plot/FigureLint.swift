import Foundation

/// Checks that a figure can go into a report as it is: read from the gnuplot script the project
/// writes (`Figure.gnuplotScript`), so that it runs on every committed `figures/*.gp` and on the
/// scripts of any run, without gnuplot.
///
/// What it reports, panel by panel (`Rule`):
///
/// - `title`: the figure says nothing of what it shows: a single panel without `set title`, or
///   several panels without the multiplot's overall title.
/// - `axisLabels`: an axis that is drawn (its tics are not unset) has no label. Named ticks (one
///   per category) label the x axis by themselves.
/// - `keyOverData`: the legend sits inside the plot, over data points or lines, in the corner it
///   was asked for. The legend is opaque, so what is under it is hidden. Its box is estimated
///   from the number and length of its entries at the terminal's 10-point font, the plot area
///   from the figure's size and the panel grid, and the axes from the explicit ranges or, like
///   gnuplot's autoscaling, from the data extended to the next tick. The report names the
///   corners that are free.
/// - `axisRange`: an explicit linear range more than twice as wide as the data it shows (the
///   data's extent, reference lines included), which squeezes the data into a strip.
///
/// A figure may waive a rule with a reason (`Figure.waiving(_:because:)`), which the script states
/// in a comment, `# figure-lint waives RULE: REASON`; a waiver without a reason does not count.
/// `check(_ figure:)` also checks what the script cannot show: that the figure's title and every
/// panel's title made it into the script.
public enum FigureLint {
    /// What is checked; the raw value is the name a waiver uses.
    public enum Rule: String, Sendable, CaseIterable, Equatable {
        case title = "title"
        case axisLabels = "axis-labels"
        case keyOverData = "key-over-data"
        case axisRange = "axis-range"
        /// A title of the `Figure` that the script does not draw (not waivable).
        case titleLost = "title-lost"
    }

    /// A rule a figure does not follow, and why.
    public struct Waiver: Sendable, Equatable {
        public var rule: Rule
        public var reason: String

        public init(_ rule: Rule, because reason: String) {
            self.rule = rule
            self.reason = reason
        }
    }

    /// One problem found.
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public var rule: Rule
        /// The panel, from 1 in the order drawn; nil for the figure as a whole.
        public var panel: Int?
        public var message: String

        public var description: String {
            "\(rule.rawValue)\(panel.map { " (panel \($0))" } ?? ""): \(message)"
        }
    }

    /// The marker of a waiver in a script.
    static let waiverMarker = "# figure-lint waives "

    /// The findings of `script`, a gnuplot script as `Figure.gnuplotScript` writes it.
    public static func check(script: String) -> [Finding] {
        let parsed = ParsedScript(script)
        var findings: [Finding] = []
        let waived = parsed.waived
        let numbered = parsed.panels.count > 1
        func add(_ rule: Rule, _ panel: Int?, _ message: String) {
            if !waived.contains(rule) { findings.append(Finding(rule: rule, panel: panel, message: message)) }
        }

        if parsed.panels.isEmpty {
            add(.title, nil, "no plot command found")
            return findings
        }
        if parsed.multiplot ? parsed.multiplotTitle == nil : parsed.panels[0].title == nil {
            add(.title, nil, parsed.multiplot ? "several panels and no overall title (set multiplot ... title)" : "no title (set title)")
        }
        for (index, panel) in parsed.panels.enumerated() {
            let number = numbered ? index + 1 : nil
            if panel.hasData || panel.isMatrix {
                if panel.hasXAxis, panel.xlabel == nil, !panel.namedXTics { add(.axisLabels, number, "the x axis has no label") }
                if panel.hasYAxis, panel.ylabel == nil { add(.axisLabels, number, "the y axis has no label") }
            }
            guard !panel.isMatrix else { continue }
            for axis in [Axis.x, .y] {
                guard let range = panel.range[axis], let low = range.low, let high = range.high, !panel.log[axis]! else { continue }
                guard let extent = panel.extent(axis), extent.upperBound > extent.lowerBound else { continue }
                let width = extent.upperBound - extent.lowerBound
                if high - low > 2 * width {
                    add(.axisRange, number, String(format: "the %@ range [%g:%g] is %.1f times the data's extent [%g:%g]", axis.name, low, high,
                                                   (high - low) / width, extent.lowerBound, extent.upperBound))
                }
            }
            if let message = parsed.keyOverlap(panel) { add(.keyOverData, number, message) }
        }
        return findings
    }

    /// The findings of `figure`'s script, and a `titleLost` finding for each title of the figure or
    /// of a panel that the script does not draw.
    public static func check(_ figure: Figure) throws -> [Finding] {
        let script = try figure.gnuplotScript(output: "lint.png")
        var findings = check(script: script)
        let titles = [figure.title].compactMap { $0 }.map { ($0, nil as Int?) }
            + figure.panels.enumerated().compactMap { i, p in p.title.map { ($0, figure.panels.count > 1 ? i + 1 : nil) } }
        for (title, panel) in titles where !title.isEmpty {
            // Each line of a title is written as its own quoted string.
            let lines = title.split(separator: "\n", omittingEmptySubsequences: false).map { GnuplotText.quoted(String($0)) }
            if !lines.allSatisfy({ script.contains($0) }) {
                findings.append(Finding(rule: .titleLost, panel: panel, message: "the title '\(title)' is not drawn"))
            }
        }
        return findings
    }
}

extension Figure {
    /// The same figure, exempt from `rule` of `FigureLint` for the reason given, which its script
    /// states.
    public func waiving(_ rule: FigureLint.Rule, because reason: String) -> Figure {
        var copy = self
        copy.lintWaivers.append(FigureLint.Waiver(rule, because: reason))
        return copy
    }
}

// MARK: Reading a script

private enum Axis: Hashable {
    case x, y
    var name: String { self == .x ? "x" : "y" }
}

/// One plotted thing, in data coordinates: a point, or a rectangle (a bar, a box).
private struct Mark {
    var x: ClosedRange<Double>
    var y: ClosedRange<Double>
}

/// What the lint knows of one panel: its settings and the marks its plot command draws.
private struct PanelSettings {
    var title: String?
    var xlabel: String?
    var ylabel: String?
    var log: [Axis: Bool] = [.x: false, .y: false]
    var range: [Axis: (low: Double?, high: Double?)] = [:]
    /// The key's corner inside the plot ("top right", …); nil when outside or unset.
    var keyCorner: (top: Bool, right: Bool)?
    var keyHidden = false
    var keyTitle = false
    var hasXAxis = true
    var hasYAxis = true
    var namedXTics = false
    /// Reference lines (`set arrow from first v, graph 0 …`), per axis.
    var references: [Axis: [Double]] = [.x: [], .y: []]
    /// The plot command, its continuation lines joined.
    var plot = ""
    var marks: [Mark] = []
    /// Marks joined by lines: each list one curve, in order.
    var curves: [[Mark]] = []
    /// The key's entries (non-empty titles).
    var entries: [String] = []
    var isMatrix = false

    var hasData: Bool { !marks.isEmpty || !curves.isEmpty }

    /// The data's extent on `axis`, the reference lines included.
    func extent(_ axis: Axis) -> ClosedRange<Double>? {
        var values: [Double] = references[axis]!
        for mark in marks + curves.flatMap({ $0 }) {
            let r = axis == .x ? mark.x : mark.y
            values += [r.lowerBound, r.upperBound]
        }
        values = values.filter { $0.isFinite && (!log[axis]! || $0 > 0) }
        guard let low = values.min(), let high = values.max() else { return nil }
        return low...high
    }
}

private struct ParsedScript {
    var width = 800.0, height = 500.0
    var multiplot = false
    var multiplotTitle: String?
    var rows = 1, columns = 1
    var panels: [PanelSettings] = []
    var waived: Set<FigureLint.Rule> = []
    var blocks: [String: [[Double]]] = [:]

    init(_ script: String) {
        var current = PanelSettings()
        var block: (name: String, rows: [[Double]])?
        var plot: String?
        for raw in script.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if var open = block {
                if line == "EOD" { blocks[open.name] = open.rows; block = nil; continue }
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                open.rows.append(trimmed.split(separator: " ").map { Double($0) ?? .nan })
                block = open
                continue
            }
            if var command = plot {
                command += " " + line.trimmingCharacters(in: .whitespaces)
                if command.hasSuffix("\\") { plot = String(command.dropLast()); continue }
                plot = nil
                current.plot = command
                finish(&current)
                panels.append(current)
                current = PanelSettings()
                continue
            }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix(FigureLint.waiverMarker) {
                let rest = trimmed.dropFirst(FigureLint.waiverMarker.count)
                if let colon = rest.firstIndex(of: ":"), let rule = FigureLint.Rule(rawValue: String(rest[..<colon])),
                   !rest[rest.index(after: colon)...].trimmingCharacters(in: .whitespaces).isEmpty {
                    waived.insert(rule)
                }
                continue
            }
            if trimmed.hasPrefix("#") || trimmed.isEmpty { continue }
            if trimmed.hasPrefix("$"), trimmed.hasSuffix("<< EOD") {
                let name = trimmed.dropFirst().split(separator: " ")[0]
                block = (String(name), [])
                continue
            }
            if trimmed.hasPrefix("plot ") {
                let command = String(trimmed.dropFirst(5))
                if command.hasSuffix("\\") { plot = String(command.dropLast()); continue }
                current.plot = command
                finish(&current)
                panels.append(current)
                current = PanelSettings()
                continue
            }
            read(trimmed, into: &current)
        }
    }

    /// One `set`/`unset` command.
    mutating func read(_ line: String, into panel: inout PanelSettings) {
        func quoted(after prefix: String) -> String? {
            guard line.hasPrefix(prefix) else { return nil }
            let text = ParsedScript.firstQuoted(String(line.dropFirst(prefix.count)))
            return text?.isEmpty == false ? text : nil
        }
        if line.hasPrefix("set terminal ") {
            let words = line.split(separator: " ")
            if let i = words.firstIndex(of: "size"), i + 1 < words.count {
                let parts = words[i + 1].split(separator: ",")
                if parts.count == 2 {
                    // pdfcairo's size is in inches (96 pixels each); the others' in pixels.
                    let scale = parts[0].hasSuffix("in") ? 96.0 : 1.0
                    width = (Double(parts[0].replacingOccurrences(of: "in", with: "")) ?? width / scale) * scale
                    height = (Double(parts[1].replacingOccurrences(of: "in", with: "")) ?? height / scale) * scale
                }
            }
        } else if line.hasPrefix("set multiplot") {
            multiplot = true
            let words = line.split(separator: " ")
            if let i = words.firstIndex(of: "layout"), i + 1 < words.count {
                let parts = words[i + 1].split(separator: ",").compactMap { Int($0) }
                if parts.count == 2 { rows = max(parts[0], 1); columns = max(parts[1], 1) }
            }
            if let range = line.range(of: " title ") {
                let text = ParsedScript.firstQuoted(String(line[range.upperBound...]))
                multiplotTitle = text?.isEmpty == false ? text : nil
            }
        } else if let t = quoted(after: "set title ") {
            panel.title = t
        } else if let t = quoted(after: "set xlabel ") {
            panel.xlabel = t
        } else if let t = quoted(after: "set ylabel ") {
            panel.ylabel = t
        } else if line.hasPrefix("set logscale ") {
            let axes = line.dropFirst("set logscale ".count).split(separator: " ").first ?? ""
            if axes.contains("x") { panel.log[.x] = true }
            if axes.contains("y") { panel.log[.y] = true }
        } else if line.hasPrefix("set xrange [") || line.hasPrefix("set yrange [") {
            let axis: Axis = line.hasPrefix("set x") ? .x : .y
            if let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]"), open < close {
                let ends = line[line.index(after: open)..<close].split(separator: ":", omittingEmptySubsequences: false)
                if ends.count == 2 {
                    let low = Double(ends[0].trimmingCharacters(in: .whitespaces)), high = Double(ends[1].trimmingCharacters(in: .whitespaces))
                    panel.range[axis] = (low, high)
                }
            }
        } else if line.hasPrefix("unset key") {
            panel.keyHidden = true
            panel.keyCorner = nil
        } else if line.hasPrefix("set key") {
            let words = Set(line.split(separator: " ").map(String.init))
            if words.contains("title") { panel.keyTitle = true }
            if words.contains("outside") {
                panel.keyCorner = nil
                panel.keyHidden = false
            } else if words.contains("top") || words.contains("bottom") || words.contains("left") || words.contains("right") {
                panel.keyCorner = (!words.contains("bottom"), !words.contains("left"))
                panel.keyHidden = false
            }
        } else if line.hasPrefix("unset xtics") {
            panel.hasXAxis = false
        } else if line.hasPrefix("unset ytics") {
            panel.hasYAxis = false
        } else if line.hasPrefix("set xtics (") {
            panel.namedXTics = true
        } else if line.hasPrefix("set arrow ") {
            // A reference line: `from first V, graph 0 to first V, graph 1` (vertical) or
            // `from graph 0, first V to graph 1, first V` (horizontal).
            if line.contains("from first "), let v = ParsedScript.number(after: "from first ", in: line) {
                panel.references[.x]!.append(v)
            } else if line.contains("from graph 0, first "), let v = ParsedScript.number(after: "from graph 0, first ", in: line) {
                panel.references[.y]!.append(v)
            }
        }
    }

    /// Reads the plot command's clauses: the marks each draws, and the key's entries.
    mutating func finish(_ panel: inout PanelSettings) {
        for clause in ParsedScript.clauses(panel.plot) {
            if let range = clause.range(of: " title ") {
                if let text = ParsedScript.firstQuoted(String(clause[range.upperBound...])), !text.isEmpty { panel.entries.append(text) }
            }
            if clause.contains(" matrix") || clause.contains("with image") { panel.isMatrix = true; continue }
            guard clause.hasPrefix("$") else { continue }
            let name = String(clause.dropFirst().prefix { $0 != " " })
            guard let rows = blocks[name], let using = ParsedScript.words(clause, after: "using") else { continue }
            let columns = using.split(separator: ":").map { Int($0) }
            guard columns.allSatisfy({ $0 != nil }), columns.count >= 2 else { continue }   // labels: computed columns
            let c = columns.map { $0! - 1 }
            func value(_ row: [Double], _ k: Int) -> Double { k < row.count ? row[k] : .nan }
            let style = ParsedScript.words(clause, after: "with") ?? "points"
            var marks: [Mark] = []
            for row in rows {
                let (x, y) = (value(row, c[0]), value(row, c[1]))
                var xs: ClosedRange<Double>?, ys: ClosedRange<Double>?
                switch style {
                case "boxxyerror" where c.count >= 6:
                    (xs, ys) = (Self.span(value(row, c[2]), value(row, c[3])), Self.span(value(row, c[4]), value(row, c[5])))
                case "boxes" where c.count >= 3:
                    let w = value(row, c[2]) / 2
                    (xs, ys) = (Self.span(x - w, x + w), Self.span(0, y))
                case "yerrorbars", "yerrorlines":
                    let e = c.count >= 3 ? abs(value(row, c[2])) : 0
                    (xs, ys) = (Self.span(x, x), Self.span(y - e, y + e))
                default:
                    (xs, ys) = (Self.span(x, x), Self.span(y, y))
                }
                // A missing value (NaN) is a gap, not a mark.
                if let xs, let ys { marks.append(Mark(x: xs, y: ys)) }
            }
            if ["lines", "linespoints", "steps", "yerrorlines"].contains(style) { panel.curves.append(marks) } else { panel.marks += marks }
        }
    }

    /// The key's box inside the plot, in the plot's fractions (0…1 on each axis), when it has one.
    func keyBox(_ panel: PanelSettings) -> (x: ClosedRange<Double>, y: ClosedRange<Double>, plot: (w: Double, h: Double))? {
        guard let corner = panel.keyCorner, !panel.keyHidden, !panel.entries.isEmpty else { return nil }
        let (charWidth, lineHeight) = (7.0, 16.0)   // Sans 10 in pixels: an average character, a key line
        let panelWidth = width / Double(multiplot ? columns : 1)
        let panelHeight = (height - (multiplot && multiplotTitle != nil ? 30 : 0)) / Double(multiplot ? rows : 1)
        let titleLines = panel.title.map { Double($0.components(separatedBy: "\n").count) } ?? 0
        let plotWidth = panelWidth - (panel.ylabel == nil ? 60 : 80) - 25
        let plotHeight = panelHeight - 20 - titleLines * 18 - (panel.xlabel == nil ? 35 : 55) - (panel.namedXTics ? 30 : 0)
        guard plotWidth > 50, plotHeight > 50 else { return nil }
        let longest = Double(panel.entries.map(\.count).max() ?? 0)
        let keyWidth = (longest + 6) * charWidth + 8   // the sample line (4 characters), gaps, the text, the box
        let keyHeight = (Double(panel.entries.count) + (panel.keyTitle ? 1 : 0)) * lineHeight + 8
        let w = min(keyWidth / plotWidth, 1), h = min(keyHeight / plotHeight, 1)
        return (corner.right ? (1 - w)...1 : 0...w, corner.top ? (1 - h)...1 : 0...h, (plotWidth, plotHeight))
    }

    /// Where the key covers data, a sentence saying so and which corners are free; nil otherwise.
    func keyOverlap(_ panel: PanelSettings) -> String? {
        guard let box = keyBox(panel), let corner = panel.keyCorner else { return nil }
        guard let xAxis = axisRange(panel, .x), let yAxis = axisRange(panel, .y) else { return nil }
        func fraction(_ v: Double, _ axis: Axis, _ range: ClosedRange<Double>) -> Double {
            if panel.log[axis]! {
                guard v > 0 else { return -.infinity }
                return (Foundation.log(v) - Foundation.log(range.lowerBound)) / (Foundation.log(range.upperBound) - Foundation.log(range.lowerBound))
            }
            return (v - range.lowerBound) / (range.upperBound - range.lowerBound)
        }
        // Marks (and points along each curve's segments) in the plot's fractions.
        var shapes: [(x: ClosedRange<Double>, y: ClosedRange<Double>)] = []
        func add(_ m: Mark) {
            let xs = (fraction(m.x.lowerBound, .x, xAxis), fraction(m.x.upperBound, .x, xAxis))
            let ys = (fraction(m.y.lowerBound, .y, yAxis), fraction(m.y.upperBound, .y, yAxis))
            guard let x = Self.span(xs.0, xs.1), let y = Self.span(ys.0, ys.1) else { return }
            shapes.append((x, y))
        }
        panel.marks.forEach(add)
        for curve in panel.curves {
            curve.forEach(add)
            for (a, b) in zip(curve, curve.dropFirst()) {
                for t in stride(from: 0.1, to: 1.0, by: 0.1) {
                    let x = a.x.lowerBound + t * (b.x.lowerBound - a.x.lowerBound)
                    let y = panel.log[.y]! && a.y.lowerBound > 0 && b.y.lowerBound > 0
                        ? exp(Foundation.log(a.y.lowerBound) + t * (Foundation.log(b.y.lowerBound) - Foundation.log(a.y.lowerBound)))
                        : a.y.lowerBound + t * (b.y.lowerBound - a.y.lowerBound)
                    add(Mark(x: x...x, y: y...y))
                }
            }
        }
        // Only what is inside the plot can be covered.
        let inside = shapes.filter { $0.x.upperBound >= 0 && $0.x.lowerBound <= 1 && $0.y.upperBound >= 0 && $0.y.lowerBound <= 1 }
        func covered(_ x: ClosedRange<Double>, _ y: ClosedRange<Double>) -> Int {
            inside.filter { $0.x.overlaps(x) && $0.y.overlaps(y) }.count
        }
        let count = covered(box.x, box.y)
        guard count > 0 else { return nil }
        let (w, h) = (box.x.upperBound - box.x.lowerBound, box.y.upperBound - box.y.lowerBound)
        var free: [String] = []
        for (top, right) in [(true, true), (true, false), (false, false), (false, true)] where !(top == corner.top && right == corner.right) {
            if covered(right ? (1 - w)...1 : 0...w, top ? (1 - h)...1 : 0...h) == 0 {
                free.append("\(top ? "top" : "bottom") \(right ? "right" : "left")")
            }
        }
        return "the key (\(corner.top ? "top" : "bottom") \(corner.right ? "right" : "left")) covers \(count) data point\(count == 1 ? "" : "s"); "
            + (free.isEmpty ? "no corner is free: put it outside" : "free: \(free.joined(separator: ", "))")
    }

    /// The axis's range as drawn: the explicit ends, and gnuplot's autoscaling (the data's extent
    /// out to the next tick) for the others.
    func axisRange(_ panel: PanelSettings, _ axis: Axis) -> ClosedRange<Double>? {
        let explicit = panel.range[axis]
        var low = explicit?.low, high = explicit?.high
        if low == nil || high == nil {
            guard let extent = panel.extent(axis) else { return nil }
            let auto = Self.autoscaled(extent, log: panel.log[axis]!)
            low = low ?? auto.lowerBound
            high = high ?? auto.upperBound
        }
        guard let low, let high, low < high, !panel.log[axis]! || low > 0 else { return nil }
        return low...high
    }

    /// gnuplot's autoscaled range: extended to whole decades on a log axis, to the next tick
    /// (its `quantize_normal_tics`, guide 20) on a linear one.
    static func autoscaled(_ extent: ClosedRange<Double>, log: Bool) -> ClosedRange<Double> {
        if log {
            return pow(10, floor(log10(extent.lowerBound)))...pow(10, ceil(log10(extent.upperBound)))
        }
        let width = extent.upperBound - extent.lowerBound
        guard width > 0 else { return (extent.lowerBound - 1)...(extent.upperBound + 1) }
        let power = pow(10, floor(log10(width)))
        let positions = 20 / (width / power)
        let tic = positions > 40 ? 0.05 : positions > 20 ? 0.1 : positions > 10 ? 0.2 : positions > 4 ? 0.5
            : positions > 2 ? 1 : positions > 0.5 ? 2 : ceil(width / power)
        let step = tic * power
        return (floor(extent.lowerBound / step) * step)...(ceil(extent.upperBound / step) * step)
    }

    /// The range between `a` and `b` in either order; nil unless both are finite.
    static func span(_ a: Double, _ b: Double) -> ClosedRange<Double>? {
        guard a.isFinite, b.isFinite else { return nil }
        return min(a, b)...max(a, b)
    }

    /// The plot command split at its top-level commas (not those inside quotes or brackets).
    static func clauses(_ plot: String) -> [String] {
        var out: [String] = [], current = "", depth = 0, quoted = false
        for ch in plot {
            if ch == "'" { quoted.toggle() }
            if !quoted {
                if ch == "(" || ch == "[" { depth += 1 }
                if ch == ")" || ch == "]" { depth -= 1 }
                if ch == ",", depth == 0 {
                    out.append(current.trimmingCharacters(in: .whitespaces)); current = ""; continue
                }
            }
            current.append(ch)
        }
        out.append(current.trimmingCharacters(in: .whitespaces))
        return out.filter { !$0.isEmpty }
    }

    /// The word after `keyword` in `clause` (`using 1:2` → "1:2").
    static func words(_ clause: String, after keyword: String) -> String? {
        let parts = clause.split(separator: " ")
        guard let i = parts.firstIndex(where: { $0 == keyword }), i + 1 < parts.count else { return nil }
        return String(parts[i + 1])
    }

    /// The first single-quoted string of `text`, unescaped ('' → '); lines spliced with ."\n".
    /// are joined by newlines.
    static func firstQuoted(_ text: String) -> String? {
        var result: String?, current = "", inside = false
        var chars = Array(text)[...]
        while let ch = chars.first {
            chars = chars.dropFirst()
            if inside {
                if ch == "'" {
                    if chars.first == "'" { current.append("'"); chars = chars.dropFirst(); continue }
                    inside = false
                    result = (result.map { $0 + "\n" } ?? "") + current
                    current = ""
                    // Another line follows only as ."\n".'…'
                    let rest = String(chars)
                    guard rest.hasPrefix(".\"\\n\".'") else { return result }
                    chars = chars.dropFirst(6)
                    continue
                }
                current.append(ch)
            } else if ch == "'" {
                inside = true
            } else if ch != " " {
                return result
            }
        }
        return result
    }

    /// The number that follows `prefix` in `line` (up to a comma or space).
    static func number(after prefix: String, in line: String) -> Double? {
        guard let r = line.range(of: prefix) else { return nil }
        return Double(line[r.upperBound...].prefix { $0 != "," && $0 != " " })
    }
}
