import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// Synthetic 28×28 "digits" drawn from a 5×7 bitmap font, so a test can draw recognisable,
/// asymmetric glyphs (2, 4, 7 …) without the data loader: a mirrored or upside-down render is
/// obvious when the PNG is viewed.
enum GlyphDigits {
    static let font: [[String]] = [
        ["01110", "10001", "10011", "10101", "11001", "10001", "01110"], // 0
        ["00100", "01100", "00100", "00100", "00100", "00100", "01110"], // 1
        ["01110", "10001", "00001", "00010", "00100", "01000", "11111"], // 2
        ["11110", "00001", "00001", "01110", "00001", "00001", "11110"], // 3
        ["00010", "00110", "01010", "10010", "11111", "00010", "00010"], // 4
        ["11111", "10000", "11110", "00001", "00001", "10001", "01110"], // 5
        ["00110", "01000", "10000", "11110", "10001", "10001", "01110"], // 6
        ["11111", "00001", "00010", "00100", "01000", "01000", "01000"], // 7
        ["01110", "10001", "10001", "01110", "10001", "10001", "01110"], // 8
        ["01110", "10001", "10001", "01111", "00001", "00010", "01100"], // 9
    ]

    /// Digit `d` as 28×28 values in [0, 1], row 0 at the top; `shade` scales the ink.
    static func image(_ d: Int, shade: Double = 1) -> [Float] {
        var pixels = [Float](repeating: 0, count: 28 * 28)
        for (r, row) in font[d].enumerated() {
            for (c, bit) in row.enumerated() where bit == "1" {
                // Each font cell is 3×3 pixels; the 15×21 glyph sits at (row 3, column 6).
                for dr in 0..<3 { for dc in 0..<3 { pixels[(3 + r * 3 + dr) * 28 + 6 + c * 3 + dc] = Float(shade) } }
            }
        }
        return pixels
    }
}

@Suite struct PlotTests {
    /// A fresh directory for one test's figures; kept under $PLOT_TEST_DIR when that is set, so
    /// the PNGs can be looked at.
    static func scratchDirectory(_ name: String) throws -> URL {
        let base = ProcessInfo.processInfo.environment["PLOT_TEST_DIR"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("vae-plot-tests-\(UUID().uuidString)")
        let dir = base.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static let hasGnuplot = GnuplotProcess.locate() != nil

    /// Writes `figure` with the real gnuplot and checks a PNG came out.
    static func render(_ figure: Figure, name: String) throws -> URL {
        let dir = try scratchDirectory(name)
        let outcome = try FigureWriter(directory: dir).write(figure, name: name)
        guard case .rendered(let png, let script, let warnings) = outcome else {
            Issue.record("expected a rendered PNG, got \(outcome)")
            return dir
        }
        let bytes = try Data(contentsOf: png)
        #expect(bytes.count > 1000)
        #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "PNG magic bytes")
        #expect(FileManager.default.fileExists(atPath: script.path))
        #expect(warnings.isEmpty, "gnuplot warned: \(warnings)")
        return png
    }

    static func standardNormal(_ x: Double) -> Double { exp(-x * x / 2) / (2 * Double.pi).squareRoot() }

    // MARK: Text

    @Test func numbersAreCompactAndNaNSafe() {
        #expect(GnuplotText.number(0) == "0")
        #expect(GnuplotText.number(-0.0) == "0")
        #expect(GnuplotText.number(3) == "3")
        #expect(GnuplotText.number(-1234567) == "-1234567")
        #expect(GnuplotText.number(0.1) == "0.1")
        #expect(GnuplotText.number(1.0 / 3) == "0.333333")
        #expect(GnuplotText.number(Double(Float(0.1))) == "0.1")
        #expect(GnuplotText.number(2.5e-7) == "2.5e-07")
        #expect(GnuplotText.number(.nan) == "NaN")
        #expect(GnuplotText.number(.infinity) == "NaN")
        #expect(GnuplotText.number(-.infinity) == "NaN")
    }

    @Test func stringsAreSingleQuotedWithQuotesDoubled() {
        #expect(GnuplotText.quoted("loss") == "'loss'")
        #expect(GnuplotText.quoted("it's") == "'it''s'")
        // Double quotes, backslashes, backquotes, @ and $ mean nothing inside single quotes.
        #expect(GnuplotText.quoted(#"say "hi" \n `rm` @x $D"#) == #"'say "hi" \n `rm` @x $D'"#)
        #expect(GnuplotText.quoted("a\nb") == #"'a'."\n".'b'"#)
        #expect(GnuplotText.quoted("tab\there") == "'tab here'")
    }

    // MARK: Script generation (no gnuplot needed)

    @Test func lineScriptHasTerminalOutputDatablocksAndTitles() throws {
        let figure = Figure(.lines([
            Series("train", y: [3.0, 2.0, 1.5]),
            Series("validation", x: [0, 2], y: [Float(3.1), Float.nan]),
        ], title: "ELBO", xlabel: "step", ylabel: "loss", logY: true))
        let script = try figure.gnuplotScript(output: "loss.png")
        #expect(script.contains("set terminal pngcairo size 800,500"))
        #expect(script.contains("set output 'loss.png'\n"))
        #expect(script.contains("$D1 << EOD\n0 3\n1 2\n2 1.5\nEOD\n"))
        #expect(script.contains("$D2 << EOD\n0 3.1\n2 NaN\nEOD\n"))
        #expect(script.contains("set logscale y\nset format y '%g'\n"))
        #expect(!script.contains("set logscale x"))
        #expect(script.contains("$D1 using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'train'"))
        #expect(script.contains("$D2 using 1:2 with lines lw 2 lc rgb '#ff7f0e' title 'validation'"))
        #expect(script.contains("set title 'ELBO'"))
        #expect(script.hasSuffix("unset output\n"))
        // The re-render instructions are at the top.
        #expect(script.hasPrefix("# loss.png: a gnuplot script"))
        #expect(script.contains("gnuplot loss.gp"))
    }

    /// Small markers keep a readable legend: the data goes untitled and the legend gets its
    /// own large marker of the same colour and shape; large markers and lines are left alone.
    @Test func tinyPointsGetLargeLegendMarkers() throws {
        var tiny = Series("digit 3", x: [0, 1], y: [1.0, 2.0], style: .points, color: "#d62728", lineWidth: 0.5)
        tiny.pointType = 5
        let large = Series("large", x: [0, 1], y: [1.0, 2.0], style: .points, color: "#1f77b4", lineWidth: 4)
        let script = try Figure(.lines([tiny, large], title: "codes")).gnuplotScript(output: "p.png")
        #expect(script.contains("$D1 using 1:2 with points pt 5 ps 0.25 lc rgb '#d62728' title '', \\\n     NaN with points pt 5 ps 1.5 lc rgb '#d62728' title 'digit 3'"))
        #expect(script.contains("$D2 using 1:2 with points pt 7 ps 2 lc rgb '#1f77b4' title 'large'"))
        #expect(!script.contains("title 'large', \\\n     NaN"))
        #expect(script.contains("# series 'digit 3': x y"), "the data keeps its name in the script")
    }

    /// A logarithmic colour scale is ticked at 1, 2 and 5 × 10ⁿ, not only at powers of ten.
    @Test func logarithmicScalesTickOneTwoFive() {
        #expect(Figure.logTicks(0.08...0.7) == [0.1, 0.2, 0.5])
        #expect(Figure.logTicks(1...100) == [1, 2, 5, 10, 20, 50, 100])
        #expect(Figure.logTicks(0...1).isEmpty)
        var heat = Heatmap(rows: 1, columns: 2, values: [0.08, 0.7], palette: .viridis)
        heat.logColor = true
        heat.valueRange = 0.08...0.7
        let script = (try? Figure(.heatmap(heat)).gnuplotScript(output: "h.png")) ?? ""
        #expect(script.contains("set cbtics (0.1, 0.2, 0.5)\n"))
    }

    /// Named x ticks (a categorical axis): quoted like every other text, at their positions.
    @Test func namedTicksReplaceTheXAxisNumbers() throws {
        let names = ["Linear", "Conv2d", "it's"]
        let panel = Panel.lines([Series("error", x: [0, 1, 2], y: [1e-6, 2e-5, 3e-7], style: .points)],
                                logY: true, xTickLabels: TickLabel.categories(names))
        let script = try Figure(panel).gnuplotScript(output: "t.png")
        #expect(script.contains("set xtics ('Linear' 0, 'Conv2d' 1, 'it''s' 2) rotate by 30 right\n"))
        #expect(!(try Figure(.lines([Series("a", y: [1.0, 2.0])])).gnuplotScript(output: "u.png")).contains("set xtics"))
        var bad = panel
        bad.xTickLabels = [TickLabel("x", at: .nan)]
        #expect(throws: PlotError.self) { try Figure(bad).gnuplotScript(output: "t.png") }
        if Self.hasGnuplot { _ = try Self.render(Figure(panel), name: "named-ticks") }
    }

    @Test func quotesInTitlesCannotBreakTheScript() throws {
        let nasty = #"it's a "test" \ `echo pwned` @x"#
        let figure = Figure(.lines([Series(nasty, y: [1.0, 2.0])], title: nasty + "\nline 2", xlabel: "x'", ylabel: "y\""))
        let script = try figure.gnuplotScript(output: "q.png")
        #expect(script.contains(#"title 'it''s a "test" \ `echo pwned` @x'"#))
        #expect(script.contains(#"set title 'it''s a "test" \ `echo pwned` @x'."\n".'line 2'"#))
        #expect(script.contains("set xlabel 'x'''"))
        // No double-quoted string anywhere: gnuplot would run `backquoted` text inside one.
        let unquoted = script.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n")
            .replacingOccurrences(of: #"."\n"."#, with: "")
        for line in unquoted.split(separator: "\n") {
            var inSingle = false
            for ch in line {
                if ch == "'" { inSingle.toggle() }
                if ch == "\"" || ch == "`" { #expect(inSingle, "unquoted \(ch) in: \(line)") }
            }
            #expect(!inSingle, "unterminated quote in: \(line)")
        }
        if Self.hasGnuplot { _ = try Self.render(figure, name: "quotes") }
    }

    @Test func histogramBinsAndDensity() throws {
        let h = Histogram([0.0, 0.1, 0.5, 0.99, 1.0, 2.0, .nan, -5], bins: 2, range: 0...1, normalization: .count)
        let (edges, counts) = try h.binned()
        #expect(edges == [0, 0.5, 1])
        #expect(counts == [2, 3])          // 1.0 (the upper edge) is in the last bin; 2.0 and -5 are out
        var d = h
        d.normalization = .density
        let (_, density) = try d.binned()
        // 7 finite samples, width 0.5: heights count / 3.5.
        #expect(density == [2 / 3.5, 3 / 3.5])

        var random = RandomSource(seed: 7)
        let draws = Tensor.gaussian([20_000], using: &random).scalars
        let (e, heights) = try Histogram(draws, bins: 40, range: -4...4).binned()
        let area = zip(heights, zip(e, e.dropFirst())).map { $0 * ($1.1 - $1.0) }.reduce(0, +)
        #expect(abs(area - 1) < 1e-3)      // only the tails beyond ±4 (p ≈ 6e-5) are missing
        #expect(abs(heights[20] - Self.standardNormal(0.1)) < 0.03)

        #expect(throws: PlotError.self) { _ = try Histogram([Double.nan], bins: 3).binned() }
        #expect(throws: PlotError.self) { _ = try Histogram([1.0], bins: 0).binned() }
        #expect(throws: PlotError.self) { _ = try Histogram([1.0], bins: 3, range: 1...1).binned() }
    }

    @Test func histogramScriptHasBoxesAndOverlay() throws {
        let panel = Panel.histogram(Histogram([0.0, 1, 1, 2], bins: 2, title: "sampler"),
                                    overlays: [Series.function("N(0,1)", over: -1...1, samples: 3, Self.standardNormal)])
        let script = try Figure(panel).gnuplotScript(output: "h.png")
        // Bins [0, 1) and [1, 2] hold 1 and 3 of the 4 samples; width 1, so density 1/4 and 3/4.
        #expect(script.contains("$D1 << EOD\n0.5 0.25 1\n1.5 0.75 1\nEOD\n"))
        #expect(script.contains("$D1 using 1:2:3 with boxes"))
        #expect(script.contains("title 'sampler'"))
        #expect(script.contains("$D2 << EOD\n-1 0.241971\n0 0.398942\n1 0.241971\nEOD\n"))
        #expect(script.contains("$D2 using 1:2 with lines"))
        #expect(script.contains("set ylabel 'density'"))
    }

    @Test func imageGridLayoutAndDataBlocks() throws {
        // Six 2×3 images whose pixel (r, c) of image k is 100k + 10r + c, in a 2×4 grid with gap 1.
        let images: [[Double]] = (0..<6).map { (k: Int) -> [Double] in
            (0..<6).map { (i: Int) -> Double in Double(100 * k + 10 * (i / 3) + i % 3) }
        }
        let grid = try ImageGrid(images: images, height: 2, width: 3, rows: 2, columns: 4, gap: 1)
        for k in 0..<6 { for r in 0..<2 { for c in 0..<3 { #expect(grid.pixel(k, r, c) == Double(100 * k + 10 * r + c)) } } }
        let layout = try grid.layout()
        #expect(layout.height == 2 * 2 + 1 && layout.width == 4 * 3 + 3)
        #expect(layout.cellHeight == 3 && layout.cellWidth == 4)
        #expect(layout.origins.count == 6)
        for k in 0..<6 { #expect(layout.origins[k] == ((k / 4) * 3, (k % 4) * 4)) }

        // The script holds image k as block k: one image row per line, top row first, blocks
        // separated by two blank lines; y runs downwards and each block is shifted to its cell.
        let script = try Figure(.images(grid)).gnuplotScript(output: "g.png")
        #expect(script.contains("$D1 << EOD\n# image 0\n0 1 2\n10 11 12\n\n\n# image 1\n100 101 102\n110 111 112\n\n\n# image 2\n"))
        #expect(script.contains("# image 5\n500 501 502\n510 511 512\nEOD\n"))
        #expect(script.contains("set yrange [5 - 0.5:-0.5]"))
        #expect(script.contains("grid_columns = 4; cell_width = 4; cell_height = 3\n"))
        #expect(script.contains("for [k=0:5] $D1 matrix index k using ($1 + left(k)):($2 + top(k)):3 with image"))

        // Captions leave room under each image and are placed there.
        let captioned = try ImageGrid(images: images, height: 2, width: 3, rows: 2, columns: 4, captions: ["a", "b'"], gap: 1)
        let space = captioned.captionSpace
        #expect(space >= 4)
        #expect(try captioned.layout().origins[4] == (2 + space + 1, 0))
        let s2 = try Figure(.images(captioned)).gnuplotScript(output: "g.png")
        #expect(s2.contains("set label 'b''' at first 5, first \(GnuplotText.number(1.5 + Double(space) / 2)) center"))
    }

    @Test func imageGridFromTensorShapes() throws {
        let flat = Tensor(shape: [3, 784], scalars: (0..<3).flatMap { GlyphDigits.image($0) })
        for batch in [flat, flat.reshaped([3, 28, 28]), flat.reshaped([3, 1, 28, 28])] {
            let grid = try ImageGrid(batch, rows: 1, columns: 3)
            #expect(grid.imageHeight == 28 && grid.imageWidth == 28 && grid.imageCount == 3)
            #expect(grid.pixels == flat.scalars.map(Double.init))
        }
        #expect(throws: PlotError.self) { try ImageGrid(Tensor(shape: [2, 10]), rows: 1, columns: 2) }
        #expect(throws: PlotError.self) { try ImageGrid(Tensor(shape: [2, 3, 4, 4]), rows: 1, columns: 2) }
        #expect(throws: PlotError.self) { try ImageGrid(flat, rows: 1, columns: 2) }                         // 3 > 2 cells
        #expect(throws: PlotError.self) { try ImageGrid(flat, rows: 1, columns: 3, rowTitles: ["a", "b"]) }
        #expect(throws: PlotError.self) { try ImageGrid(images: [[0.0, 1]], height: 1, width: 3, rows: 1, columns: 1) }
    }

    @Test func heatmapAndScatterScripts() throws {
        let heat = try Heatmap(Tensor(shape: [2, 3], scalars: [-1, 0, 1, 2, 3, -4]), palette: .blueWhiteRed)
        let hs = try Figure(.heatmap(heat)).gnuplotScript(output: "m.png")
        #expect(hs.contains("$D1 << EOD\n-1 0 1\n2 3 -4\nEOD\n"))
        #expect(hs.contains("set cbrange [-4:4]"))              // diverging: symmetric about 0
        #expect(hs.contains("set yrange [2 - 0.5:-0.5]"))        // row 0 at the top
        #expect(throws: PlotError.self) { try Figure(.heatmap(Heatmap(rows: 2, columns: 2, values: [1.0]))).gnuplotScript(output: "m.png") }

        let pts = LabeledPoints(x: [0.0, 1, 2, 3], y: [0.0, 1, 4, 9], labels: [3, 1, 3, 1])
        let ss = try Figure(.scatter(pts)).gnuplotScript(output: "s.png")
        #expect(ss.contains("# class '1': x y\n$D1 << EOD\n1 1\n3 9\nEOD\n"))
        #expect(ss.contains("# class '3': x y\n$D2 << EOD\n0 0\n2 4\nEOD\n"))
        #expect(ss.contains("lc rgb '\(ClassColors.color(1))' title '1'"))
        #expect(ss.contains("lc rgb '\(ClassColors.color(3))' title '3'"))
        #expect(throws: PlotError.self) {
            try Figure(.scatter(LabeledPoints(x: [0.0], y: [0.0], labels: [-1]))).gnuplotScript(output: "s.png")
        }
        #expect(throws: PlotError.self) {
            try Figure(.scatter(LabeledPoints(x: [0.0, 1], y: [0.0], labels: [0, 0]))).gnuplotScript(output: "s.png")
        }
    }

    @Test func badFiguresAndNamesThrowBeforeAnythingIsWritten() throws {
        #expect(throws: PlotError.self) { try Figure(.lines([])).gnuplotScript(output: "x.png") }
        #expect(throws: PlotError.self) { try Figure(.lines([Series("a", x: [1.0, 2], y: [1.0])])).gnuplotScript(output: "x.png") }
        #expect(throws: PlotError.self) { try Figure(.lines([Series("a", y: [1.0], color: "red")])).gnuplotScript(output: "x.png") }
        #expect(throws: PlotError.self) { try Figure(title: nil, panels: [], columns: 1).gnuplotScript(output: "x.png") }
        let dir = try Self.scratchDirectory("names")
        let writer = FigureWriter(directory: dir, gnuplotPath: "/nonexistent/gnuplot", reportsMissingGnuplot: false)
        let ok = Figure(.lines([Series("a", y: [1.0, 2.0])]))
        for bad in ["", "../up", "a/b", ".hidden", "sp ace", "quote'"] {
            #expect(throws: PlotError.invalidName(bad)) { try writer.write(ok, name: bad) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    // MARK: Without gnuplot

    @Test func missingGnuplotWritesTheScriptAndSaysHowToRender() throws {
        let dir = try Self.scratchDirectory("missing")
        let writer = FigureWriter(directory: dir.appendingPathComponent("figures"), gnuplotPath: "/nonexistent/gnuplot",
                                  reportsMissingGnuplot: false)
        #expect(writer.gnuplot == nil)
        let outcome = try writer.write(Figure(.lines([Series("a", y: [1.0, 2.0])])), name: "no-gnuplot")
        guard case .scriptOnly(let script, let instructions) = outcome else {
            Issue.record("expected .scriptOnly, got \(outcome)")
            return
        }
        #expect(script.lastPathComponent == "no-gnuplot.gp")
        #expect(outcome.png == nil)
        let text = try String(contentsOf: script, encoding: .utf8)
        #expect(text.contains("$D1 << EOD") && text.contains("set output 'no-gnuplot.png'"))
        #expect(instructions.contains("apt-get install gnuplot-nox"))
        #expect(instructions.contains("gnuplot no-gnuplot.gp"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("figures/no-gnuplot.png").path))

        #expect(GnuplotProcess.locate(environment: ["GNUPLOT": "/nonexistent/gnuplot", "PATH": "/nonexistent-dir"]) == nil)
        #expect(GnuplotProcess.locate(environment: ["PATH": "/nonexistent-dir"]) == nil)
    }

    // MARK: With gnuplot

    @Test(.enabled(if: PlotTests.hasGnuplot)) func gnuplotErrorTextIsPassedOn() throws {
        let gnuplot = GnuplotProcess(executable: GnuplotProcess.locate()!)
        let dir = try Self.scratchDirectory("error")
        do {
            try gnuplot.run(script: "set terminal pngcairo\nset output 'e.png'\nplot sin(x) frobnicate 3\n", in: dir)
            Issue.record("a bad script should throw")
        } catch PlotError.gnuplotFailed(let status, let stderr, _) {
            #expect(status == 1)
            #expect(stderr.contains("frobnicate"))          // gnuplot echoes the bad line
            #expect(stderr.contains("line 3 of the script"))
        }
    }

    /// The writer passes a failing gnuplot's text on, and notices a PNG that never appeared.
    /// A stand-in shell script plays gnuplot, so the test does not need gnuplot installed.
    @Test func writerReportsGnuplotFailureAndMissingOutput() throws {
        let dir = try Self.scratchDirectory("fake-gnuplot")
        func fake(_ name: String, _ body: String) throws -> String {
            let url = dir.appendingPathComponent(name)
            try writeExecutable("#!/bin/sh\ncat > /dev/null\n\(body)\n", to: url)
            return url.path
        }
        let figure = Figure(.lines([Series("a", y: [1.0, 2.0])]))
        let failing = FigureWriter(directory: dir.appendingPathComponent("out"), gnuplotPath: try fake("bad", "echo 'fake gnuplot: no can do' >&2; exit 3"))
        do {
            try failing.write(figure, name: "f")
            Issue.record("a failing gnuplot should throw")
        } catch PlotError.gnuplotFailed(let status, let stderr, let script) {
            #expect(status == 3)
            #expect(stderr.contains("fake gnuplot: no can do"))
            #expect(script.hasSuffix("out/f.gp"))
            #expect(FileManager.default.fileExists(atPath: script))   // kept for re-running by hand
        }
        let silent = FigureWriter(directory: dir.appendingPathComponent("out"), gnuplotPath: try fake("silent", "exit 0"))
        #expect(throws: PlotError.outputMissing(dir.appendingPathComponent("out/f.png").path)) { try silent.write(figure, name: "f") }
    }

    /// A "gnuplot" that dies without reading while ~2 MB of script are still to come (real
    /// gnuplot reading a pipe goes on after an error, so a stand-in plays the dying one): with
    /// SIGPIPE ignored the write fails instead of killing the test process, and the error carries
    /// both the program's last words and the broken write.
    @Test func earlyGnuplotDeathIsAnErrorNotACrashOrHang() throws {
        let dir = try Self.scratchDirectory("broken-pipe")
        let fake = dir.appendingPathComponent("dying-gnuplot")
        try writeExecutable("#!/bin/sh\necho 'dying early' >&2\nexit 2\n", to: fake)
        let filler = String(repeating: "# padding padding padding padding padding padding padding\n", count: 40_000)
        do {
            try GnuplotProcess(executable: fake).run(script: "plot sin(x)\n" + filler, in: dir)
            Issue.record("a dying gnuplot should throw")
        } catch PlotError.gnuplotFailed(let status, let stderr, _) {
            #expect(status == 2)
            #expect(stderr.contains("dying early"))
            #expect(stderr.contains("stopped early"))      // the write really did hit the closed pipe
        }
    }

    /// Real gnuplot reading a pipe reports every bad command, runs the rest, and exits 1.
    @Test(.enabled(if: PlotTests.hasGnuplot)) func gnuplotReportsTheFirstFailingLine() throws {
        let gnuplot = GnuplotProcess(executable: GnuplotProcess.locate()!)
        let dir = try Self.scratchDirectory("two-errors")
        let script = "set terminal pngcairo\nset output 'e.png'\nset nonsense_one\nplot x\nset nonsense_two\n"
        do {
            try gnuplot.run(script: script, in: dir)
            Issue.record("a bad script should throw")
        } catch PlotError.gnuplotFailed(let status, let stderr, _) {
            #expect(status == 1)
            #expect(stderr.contains("nonsense_one") && stderr.contains("nonsense_two"))
            #expect(stderr.contains("line 3 of the script"))
        }
    }

    @Test(.enabled(if: PlotTests.hasGnuplot)) func rendersLines() throws {
        let steps = Array(1...200)
        let train = steps.map { 200 / Double($0) + 5 }
        let valid = steps.map { 220 / Double($0) + 7 + ($0 > 150 ? Double($0 - 150) * 0.05 : 0) }
        let lr = steps.map { $0 < 100 ? 1e-3 : 1e-4 }
        let figure = Figure(title: "Training", panels: [
            .lines([Series("train loss", x: steps, y: train), Series("validation loss", x: steps, y: valid, style: .dashed)],
                   title: "Loss (log y)", xlabel: "step", ylabel: "-ELBO", logY: true),
            .lines([Series("learning rate", x: steps, y: lr, style: .steps)],
                   title: "Schedule η (log-log)", xlabel: "step", ylabel: "learning_rate σ²", logX: true, logY: true, legend: .bottomLeft),
        ], columns: 2)
        _ = try Self.render(figure, name: "lines")
    }

    @Test(.enabled(if: PlotTests.hasGnuplot)) func rendersHistogramWithDensity() throws {
        var random = RandomSource(seed: 1)
        let draws = Tensor.gaussian([20_000], using: &random).scalars
        let figure = Figure(.histogram(Histogram(draws, bins: 60, range: -4...4, title: "Box-Muller samples"),
                                       overlays: [Series.function("N(0,1) density", over: -4...4, color: "#d62728", Self.standardNormal)],
                                       title: "Gaussian sampler vs N(0,1)", xlabel: "x"))
        _ = try Self.render(figure, name: "histogram")
    }

    @Test(.enabled(if: PlotTests.hasGnuplot)) func rendersScatterByClass() throws {
        var random = RandomSource(seed: 2)
        var xs: [Float] = [], ys: [Float] = [], labels: [Int] = []
        for i in 0..<3000 {
            let k = i % 10
            let angle = Float(k) * 2 * .pi / 10
            xs.append(3 * cos(angle) + 0.6 * random.gaussian())
            ys.append(3 * sin(angle) + 0.6 * random.gaussian())
            labels.append(k)
        }
        let figure = Figure(.scatter(LabeledPoints(x: xs, y: ys, labels: labels, equalAxes: true),
                                     title: "Latent means by digit", xlabel: "z1", ylabel: "z2"))
        _ = try Self.render(figure, name: "scatter")
    }

    @Test(.enabled(if: PlotTests.hasGnuplot)) func rendersHeatmaps() throws {
        // A 16×49 matrix with a gradient and a marked corner cell (row 0, column 0) = top-left.
        var values: [Double] = (0..<(16 * 49)).map { (i: Int) -> Double in Double(i % 49) / 48 - Double(i / 49) / 15 }
        values[0] = 3
        let wide = Heatmap(rows: 16, columns: 49, values: values, palette: .viridis)
        // Square 5×5 "filter": an L shape, red where positive.
        var filter = [Float](repeating: -0.2, count: 25)
        for r in 0..<5 { filter[r * 5] = 1 }
        for c in 0..<5 { filter[20 + c] = 1 }
        let square = Heatmap(rows: 5, columns: 5, values: filter, palette: .blueWhiteRed, squareCells: true)
        let figure = Figure(title: "Heatmaps", panels: [
            .heatmap(wide, title: "im2col-like matrix (marked top-left)", xlabel: "column", ylabel: "row"),
            .heatmap(square, title: "an L-shaped filter"),
        ], columns: 2, width: 1200, height: 450)
        _ = try Self.render(figure, name: "heatmap")
    }

    @Test(.enabled(if: PlotTests.hasGnuplot)) func rendersUprightDigitGrid() throws {
        let images = (0..<20).map { GlyphDigits.image($0 % 10, shade: $0 < 10 ? 1 : 0.6) }
        let grid = try ImageGrid(images: images, rows: 2, columns: 10,
                                 captions: (0..<20).map { $0 < 10 ? "label \($0)" : "\($0 % 10)'s \"copy\"" },
                                 rowTitles: ["input", "reconstruction"],
                                 columnTitles: (0..<10).map { "c\($0)" })
        _ = try Self.render(Figure(.images(grid, title: "Digits, upright")), name: "digits")

        let plain = try ImageGrid(images: Array(images.prefix(16)), rows: 4, columns: 4, palette: .grayInverted)
        _ = try Self.render(Figure(.images(plain)), name: "digits-plain")
    }

    // MARK: Bars, diagrams, reference lines, error bars, vector formats

    /// Grouped bars rise from zero in clusters; error bars, value labels and reference lines
    /// are in the script; bad bar charts are refused.
    @Test func barChartsClusterTheirBarsAndStartAtZero() throws {
        let chart = BarChart(categories: ["0", "1", "2"], groups: [
            .init("prior", values: [0.9, 0.95, 0.8]),
            .init("fitted", values: [0.92, 0.97, 0.85], errors: [0.01, 0.02, 0.03]),
        ], valueFormat: "%.2f")
        let bars = try chart.bars()
        #expect(bars.count == 2 && bars[0].count == 3)
        #expect(abs(bars[0][1].x - 0.8) < 1e-12 && abs(bars[1][1].x - 1.2) < 1e-12 && abs(bars[0][1].width - 0.4) < 1e-12)
        let panel = Panel.bars(chart, title: "accuracy", referenceLines: [.horizontal(at: 0.99, "real digits")])
        let script = try Figure(panel).gnuplotScript(output: "b.png")
        #expect(script.contains("using 1:2:3:4:5:6 with boxxyerror lc rgb '#1f77b4' title 'prior'"))
        #expect(script.contains("using 1:2:7 with yerrorbars"))
        #expect(script.contains("sprintf('%.2f', $2)"))
        #expect(script.contains("set yrange [0:"))
        #expect(script.contains("set xtics ('0' 0, '1' 1, '2' 2)\n"), "short names are not slanted")
        #expect(script.contains("set arrow 1 from graph 0, first 0.99 to graph 1, first 0.99 nohead"))
        #expect(script.contains("set label 'real digits' at graph 0.01, first 0.99"))
        let stacked = try BarChart(categories: ["a", "b"], groups: [.init("x", values: [1.0, 2]), .init("y", values: [3.0, 4])],
                                   stacked: true).bars()
        #expect(stacked[1][1].bottom == 2 && stacked[1][1].top == 6)
        #expect(throws: PlotError.self) { try BarChart(categories: ["a"], groups: [.init("x", values: [1.0, 2])]).bars() }
        #expect(throws: PlotError.self) { try BarChart(categories: ["a"], groups: [.init("x", values: [-1.0])], stacked: true).bars() }
        if Self.hasGnuplot { _ = try Self.render(Figure(panel), name: "bars") }
    }

    /// Error bars go into a third column; a series with as many errors as points is required.
    @Test func errorBarsAreAThirdColumn() throws {
        let series = Series("NLL", x: [1.0, 10, 100], y: [95.0, 92, 90], style: .linesPoints).withErrorBars([0.5, 0.4, 0.3])
        let panel = Panel.lines([series], logX: true, xTickStep: nil, referenceLines: [.vertical(at: 10, "k = 10")])
        let script = try Figure(panel).gnuplotScript(output: "e.png")
        #expect(script.contains("$D1 << EOD\n1 95 0.5\n10 92 0.4\n100 90 0.3\nEOD\n"))
        #expect(script.contains("$D1 using 1:2:3 with yerrorlines"))
        #expect(script.contains("set arrow 1 from first 10, graph 0 to first 10, graph 1 nohead"))
        var bad = series
        bad.yErrors = [1]
        #expect(throws: PlotError.self) { try Figure(.lines([bad])).gnuplotScript(output: "e.png") }
        let stepped = try Figure(.lines([Series("a", y: [1.0, 2.0])], xTickStep: 1)).gnuplotScript(output: "s.png")
        #expect(stepped.contains("set xtics 1\n"))
        if Self.hasGnuplot { _ = try Self.render(Figure(panel), name: "error-bars") }
    }

    /// Point labels are a datablock of their own, drawn `with labels` in the series' colour; a
    /// label per point is required, and one that would break the datablock's quoting is refused.
    @Test func pointLabelsNameEachPoint() throws {
        var series = Series("models", x: [1.0, 2], y: [95.0, 92], style: .points, color: "#d62728")
        series.pointLabels = ["reference", "wide"]
        let script = try Figure(.lines([series], legend: .hidden)).gnuplotScript(output: "p.png")
        #expect(script.contains("$D2 << EOD\n1 95 \"reference\"\n2 92 \"wide\"\nEOD\n"), "\(script)")
        #expect(script.contains("$D2 using 1:2:3 with labels left offset char 0.9,0.5 font ',11' tc rgb '#d62728' notitle"))
        var leftward = series
        leftward.pointLabelSide = .left
        let left = try Figure(.lines([leftward], legend: .hidden)).gnuplotScript(output: "p.png")
        #expect(left.contains("$D2 using 1:2:3 with labels right offset char -0.9,0.5 font ',11' tc rgb '#d62728' notitle"),
                "a name on the left ends at its point")
        var short = series
        short.pointLabels = ["reference"]
        #expect(throws: PlotError.self) { try Figure(.lines([short])).gnuplotScript(output: "p.png") }
        var quoted = series
        quoted.pointLabels = ["a \"b\"", "c"]
        #expect(throws: PlotError.self) { try Figure(.lines([quoted])).gnuplotScript(output: "p.png") }
        if Self.hasGnuplot { _ = try Self.render(Figure(.lines([series], legend: .hidden)), name: "point-labels") }
    }

    /// A diagram's boxes, arrows and texts become objects, arrows and labels on a canvas of pixels.
    @Test func diagramsDrawBoxesArrowsAndText() throws {
        let a = Diagram.Box(centre: (100, 150), width: 160, height: 40, lines: ["conv1", "32×14×14"], fill: "#dbe9f6")
        let b = Diagram.Box(centre: (100, 50), width: 160, height: 40, lines: ["sample z"], dashed: true)
        let diagram = Diagram(width: 400, height: 200, boxes: [a, b], arrows: [Diagram.Arrow(from: a.bottom, to: b.top)],
                              texts: [Diagram.Text("it's a note", at: (300, 100), alignment: .left)])
        let figure = Figure(.diagram(diagram, title: "A network"))
        let script = try figure.gnuplotScript(output: "d.png")
        #expect(script.contains("set terminal pngcairo size 400,236"))
        #expect(script.contains("set object 1 rect center 100, 150 size 160, 40 fc rgb '#dbe9f6'"))
        #expect(script.contains("dt 2 back"))
        #expect(script.contains("set label 'conv1'.\"\\n\".'32×14×14' at 100, 150 center"))
        #expect(script.contains("set arrow 1 from 100, 130 to 100, 70 head filled"))
        #expect(script.contains("set label 'it''s a note' at 300, 100 left"))
        #expect(script.contains("set xrange [0:400]\nset yrange [0:200]"))
        #expect(throws: PlotError.self) { try Figure(.diagram(Diagram(width: 0, height: 10))).gnuplotScript(output: "d.png") }
        if Self.hasGnuplot { _ = try Self.render(figure, name: "diagram") }
    }

    /// Heatmap cells can carry text (light on dark cells, dark on light ones) and a log colour
    /// scale; an image grid can show its colour bar.
    @Test func heatmapLabelsLogColoursAndImageColourBars() throws {
        var heat = Heatmap(rows: 2, columns: 2, values: [0.9, 0.001, .nan, 0.5], palette: .viridis)
        heat.cellLabels = ["90%", "0.1%", "diag", ""]
        heat.logColor = true
        let script = try Figure(.heatmap(heat)).gnuplotScript(output: "h.png")
        #expect(script.contains("set logscale cb"))
        #expect(script.contains("set label '90%' at 0, 0 center front font ',8' tc rgb '#000000'"))
        #expect(script.contains("set label '0.1%' at 1, 0 center front font ',8' tc rgb '#ffffff'"))
        #expect(!script.contains("set label '' at"))
        var bad = heat
        bad.cellLabels = ["x"]
        #expect(throws: PlotError.self) { try Figure(.heatmap(bad)).gnuplotScript(output: "h.png") }

        // Rows and columns named at their ticks (a score per row, a data set per column).
        var named = heat
        named.rowNames = ["neg-elbo", "kl"]
        named.columnNames = ["fashion", "noise"]
        let namedScript = try Figure(.heatmap(named)).gnuplotScript(output: "h.png")
        #expect(namedScript.contains("set xtics ('fashion' 0, 'noise' 1) rotate by 30 right"))
        #expect(namedScript.contains("set ytics ('neg-elbo' 0, 'kl' 1)"))
        var misnamed = heat
        misnamed.rowNames = ["only one"]
        #expect(throws: PlotError.self) { try Figure(.heatmap(misnamed)).gnuplotScript(output: "h.png") }

        // Cells on a plane, as on a map: column 0 at x = −1, row 0 at the top (y = 3), y growing upwards.
        var map = heat
        map.coordinates = (x: -1...1, y: 1...3)
        let mapScript = try Figure(.heatmap(map)).gnuplotScript(output: "h.png")
        #expect(mapScript.contains("set xrange [-2:2]\nset yrange [0:4]\n"), "half a cell beyond the first and last centres")
        #expect(mapScript.contains("matrix using (-1 + $1 * 2):(3 - $2 * 2):3 with image notitle"))
        #expect(mapScript.contains("set label '90%' at -1, 3 center"), "a cell's label at its centre, in the plane's units")
        var flat = heat
        flat.coordinates = (x: 0...1, y: 0...1)
        flat.rows = 1
        flat.values = [1, 2]
        flat.cellLabels = []
        #expect(throws: PlotError.self) { try Figure(.heatmap(flat)).gnuplotScript(output: "h.png") }

        var grid = try ImageGrid(images: [[Float](repeating: 0.5, count: 16), [Float](repeating: -0.5, count: 16)], height: 4, width: 4,
                                 rows: 1, columns: 2, palette: .blueWhiteRed, valueRange: -1...1, pixelScale: 10)
        #expect(try Figure(.images(grid)).gnuplotScript(output: "g.png").contains("unset colorbox"))
        grid.showColorbar = true
        let withBar = try Figure(.images(grid)).gnuplotScript(output: "g.png")
        #expect(withBar.contains("set colorbox user") && !withBar.contains("unset colorbox"))
        if Self.hasGnuplot {
            // (gnuplot warns about the blank cell, NaN, as it should: drawn without the check for no warnings.)
            let outcome = try FigureWriter(directory: try Self.scratchDirectory("heatmap-labels")).write(Figure(.heatmap(heat, title: "labelled")), name: "heatmap-labels")
            #expect(outcome.png != nil)
            _ = try Self.render(Figure(.images(grid, title: "with a colour bar")), name: "images-colorbar")
        }
    }

    /// SVG and PDF come from gnuplot's svg and pdfcairo terminals at the PNG's proportions, and
    /// are written whole (ending with </svg>, %%EOF) or not at all.
    @Test func vectorFormatsUseTheirTerminalsAndAreKeptOnlyWhole() throws {
        let figure = Figure(.lines([Series("a", y: [1.0, 2.0])]))
        #expect(try figure.gnuplotScript(output: "f.svg", format: .svg).contains("set terminal svg size 800,500 noenhanced font 'Sans,10' fontscale 1.333"))
        #expect(try figure.gnuplotScript(output: "f.pdf", format: .pdf).contains("set terminal pdfcairo size 8.333in,5.208in"))
        #expect(FigureFormat.svg.isComplete(Data("<?xml version=\"1.0\"?>\n<svg>\n</svg>\n\n".utf8)))
        #expect(!FigureFormat.svg.isComplete(Data("<?xml version=\"1.0\"?>\n<svg>\n<g>".utf8)))
        #expect(FigureFormat.pdf.isComplete(Data("%PDF-1.5\n...\n%%EOF\n".utf8)))
        #expect(!FigureFormat.pdf.isComplete(Data("%PDF-1.5\n...\nstream".utf8)))
        #expect(!FigureFormat.png.isComplete(Data("%PDF-1.5\n%%EOF".utf8)))

        let dir = try Self.scratchDirectory("vector-truncated")
        let fake = dir.appendingPathComponent("truncating-gnuplot")
        try writeExecutable("""
            #!/bin/sh
            out=$(sed -n "s/^set output '\\(.*\\)'$/\\1/p" | head -n 1)
            case "$out" in *.svg.*) printf '<?xml version="1.0"?>\\n<svg><g>' > "$out" ;; *) printf '%%PDF-1.5\\nstream' > "$out" ;; esac
            """, to: fake)
        for format in [FigureFormat.svg, .pdf] {
            let writer = FigureWriter(directory: dir.appendingPathComponent("out"), gnuplotPath: fake.path, format: format)
            let file = dir.appendingPathComponent("out/f.\(format.fileExtension)")
            #expect(throws: PlotError.outputTruncated(file.path)) { try writer.write(figure, name: "f") }
            #expect(!FileManager.default.fileExists(atPath: file.path))
            do { try writer.write(figure, name: "f") } catch {
                #expect("\(error)".contains(format == .svg ? "does not end with </svg>" : "does not end with %%EOF"), "\(error)")
            }
        }
        guard Self.hasGnuplot else { return }
        for format in [FigureFormat.svg, .pdf] {
            let out = try Self.scratchDirectory("vector-\(format.rawValue)")
            let outcome = try FigureWriter(directory: out, format: format).write(Figure(.lines([Series("a", y: [1.0, 2.0, 1.5])], title: "vector")), name: "v")
            let file = try #require(outcome.png)
            #expect(file.lastPathComponent == "v.\(format.fileExtension)")
            #expect(format.isComplete(try Data(contentsOf: file)))
        }
    }

    /// The architecture diagram is drawn from the model's layout for every preset (and a
    /// conditional model): a box per layer, the image, the head, the sample and the output, each
    /// layer's shape and parameter count in its box, and the parameter counts add up.
    @Test func architectureDiagramsFollowTheModel() throws {
        for (name, architecture) in Architecture.presets {
            for classes in [0, 10] {
                var random = RandomSource(seed: 1)
                let model = try VAE(VAEConfiguration(latentDimensions: 8, architecture: architecture, classCount: classes), using: &random)
                let diagram = Diagram.architecture(of: model)
                let layout = model.layout
                #expect(diagram.boxes.count == layout.encoder.count + layout.decoder.count + 4, "\(name)")
                #expect(diagram.arrows.count == diagram.boxes.count - 1, "\(name): a chain of arrows through every box")
                let text = diagram.boxes.flatMap(\.lines).joined(separator: "\n")
                for layer in layout.encoder + layout.decoder {
                    #expect(text.contains("\(layer.name): \(layer.spec.summary)"), "\(name): \(layer.name)")
                    #expect(text.contains("→ " + layer.output.map(String.init).joined(separator: "×")))
                }
                let counted = diagram.boxes.flatMap(\.lines).compactMap { line -> Int? in
                    guard let r = line.range(of: #"[0-9,]+ params"#, options: .regularExpression) else { return nil }
                    return Int(line[r].dropLast(" params".count).replacingOccurrences(of: ",", with: ""))
                }.reduce(0, +)
                #expect(counted == model.parameterCount - (model.labelCentres?.value.count ?? 0), "\(name): \(counted) vs \(model.parameterCount)")
                _ = try Figure(.diagram(diagram)).gnuplotScript(output: "a.png")
            }
        }
        if Self.hasGnuplot {
            var random = RandomSource(seed: 1)
            let model = try VAE(VAEConfiguration(latentDimensions: 20), using: &random)
            _ = try Self.render(Figure(.diagram(Diagram.architecture(of: model), title: "The reference VAE")), name: "architecture")
        }
    }
}
