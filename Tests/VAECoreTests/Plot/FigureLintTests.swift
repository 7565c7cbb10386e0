import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// FigureLint on figures known to be right and known to be wrong, and the single-panel title.
@Suite struct FigureLintTests {
    /// A falling line from (0, 100) to (100, 0): the top left and bottom right corners are taken.
    static let falling = Series("loss", x: (0...100).map(Double.init), y: (0...100).map { 100 - Double($0) })

    @Test func aSinglePanelFigureDrawsItsTitle() throws {
        let grid = try ImageGrid(images: [[Float](repeating: 0.5, count: 784)], rows: 1, columns: 1)
        let alone = Figure(title: "Analogies: z(x) − c_y + c_k", panels: [.images(grid)], columns: 1)
        #expect(try alone.gnuplotScript(output: "a.png").contains("set title 'Analogies: z(x) − c_y + c_k'"))
        #expect(try FigureLint.check(alone).isEmpty)
        // With a title of its own, the panel's title goes on a second line, under the figure's.
        let both = Figure(title: "Figure", panels: [.images(grid, title: "panel")], columns: 1)
        let script = try both.gnuplotScript(output: "b.png")
        #expect(script.contains(#"set title 'Figure'."\n".'panel'"#))
        // The second line gets its room: the image grid's top margin and the PNG grow by one line.
        #expect(script.contains("set tmargin 4"))
        #expect(try both.pixelSize().height == (try Figure(.images(grid, title: "panel")).pixelSize().height) + Panel.titleLineHeight)
        #expect(try FigureLint.check(both).isEmpty)
        // Several panels keep the multiplot title, and every panel its own.
        let two = Figure(title: "Two", panels: [.images(grid, title: "left"), .images(grid, title: "right")], columns: 2)
        let twoScript = try two.gnuplotScript(output: "c.png")
        #expect(twoScript.contains("set multiplot layout 1,2 title 'Two'"))
        #expect(twoScript.contains("set title 'left'") && twoScript.contains("set title 'right'"))
    }

    @Test func aGoodFigureHasNoFindings() throws {
        // The key at the top right, where the falling curve has long gone down; a log axis may be
        // as wide as it likes.
        let figure = Figure(.lines([Self.falling], title: "Loss", xlabel: "step", ylabel: "nats", legend: .topRight))
        #expect(try FigureLint.check(figure) == [])
        let log = Figure(.lines([Self.falling], title: "Loss", xlabel: "step", ylabel: "nats (log scale)", logY: true,
                                yRange: 1e-3...1e6, legend: .topRight))
        #expect(try FigureLint.check(log) == [])
        // Images have no axes to label; bars over named categories are labelled by their names.
        let grid = try ImageGrid(images: [[Float](repeating: 0.5, count: 784)], rows: 1, columns: 1)
        #expect(try FigureLint.check(Figure(.images(grid, title: "a digit"))) == [])
        let bars = BarChart(categories: ["a", "b", "c"], groups: [.init("share", values: [0.2, 0.5, 0.3])])
        #expect(try FigureLint.check(Figure(.bars(bars, title: "shares", ylabel: "share", legend: .hidden))) == [])
    }

    @Test func aBadFigureIsReportedRuleByRule() throws {
        // No title, no axis labels, the key at the top left over the curve's start, and a y range
        // ten times the data's.
        let figure = Figure(.lines([Self.falling], legend: .topLeft))
        let findings = try FigureLint.check(figure)
        #expect(findings.map(\.rule) == [.title, .axisLabels, .axisLabels, .keyOverData])
        #expect(findings[3].message.hasSuffix("free: top right, bottom left"), "\(findings[3])")
        var wide = Figure(.lines([Self.falling], title: "Loss", xlabel: "step", ylabel: "nats", yRange: 0...1000, legend: .topRight))
        let range = try FigureLint.check(wide)
        #expect(range.map(\.rule) == [.axisRange])
        #expect(range.first?.message.contains("the y range [0:1000] is 10.0 times") == true, "\(range)")
        // A stated reason waives a rule, and the script says so; the other rules still apply.
        wide = wide.waiving(.axisRange, because: "the same scale as the figure beside it")
        let script = try wide.gnuplotScript(output: "w.png")
        #expect(script.contains("# figure-lint waives axis-range: the same scale as the figure beside it\n"))
        #expect(FigureLint.check(script: script) == [])
        // A waiver without a reason does not count.
        let bare = script.replacingOccurrences(of: "axis-range: the same scale as the figure beside it", with: "axis-range:")
        #expect(FigureLint.check(script: bare).map(\.rule) == [.axisRange])
    }

    @Test func severalPanelsNeedTheOverallTitle() throws {
        let panel = Panel.lines([Self.falling], title: "Loss", xlabel: "step", ylabel: "nats")
        let untitled = FigureLint.check(script: try Figure(title: nil, panels: [panel, panel], columns: 2).gnuplotScript(output: "m.png"))
        #expect(untitled.map(\.rule) == [.title])
        #expect(FigureLint.check(script: try Figure(title: "Two losses", panels: [panel, panel], columns: 2).gnuplotScript(output: "m.png")) == [])
        // A heatmap has axes: they need labels.
        let heat = Figure(.heatmap(Heatmap(rows: 2, columns: 2, values: [1.0, 2, 3, 4]), title: "cells"))
        #expect(try FigureLint.check(heat).map(\.rule) == [.axisLabels, .axisLabels])
        // Every row and column can be numbered (ten digits, twenty code dimensions).
        var numbered = Heatmap(rows: 10, columns: 20, values: [Double](repeating: 0.5, count: 200))
        numbered.ticksAtEveryCell = true
        let numberedScript = try Figure(.heatmap(numbered, title: "σ", xlabel: "dimension", ylabel: "digit")).gnuplotScript(output: "h.png")
        #expect(numberedScript.contains("set xtics 0, 1, 19\nset ytics 0, 1, 9\n"))
        #expect(FigureLint.check(script: numberedScript) == [])
        // A script with no plot command at all is reported, not a crash.
        #expect(FigureLint.check(script: "set terminal pngcairo size 10,10\n").map(\.rule) == [.title])
    }
}
