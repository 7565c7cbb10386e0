// The figures of chapter 10. Each function takes what the lecture measured and draws it; the
// ideas live in main.swift and in Sources/VAECore/Anomaly/.

import CourseSupport
import Foundation
import VAECore

enum Pictures {
    /// The colour of the in-distribution set and of the out-of-distribution one, in every figure.
    static let inColor = "#1f77b4", outColor = "#d62728"

    /// Ten images of each set, as the model sees them (binarized), one row per set.
    static func examples(_ sets: [(name: String, data: MNIST)], figures: FigureWriter) throws {
        let perRow = 10
        let images = sets.flatMap { set in (0..<perRow).map { set.data.images.slice($0).scalars } }
        let grid = try ImageGrid(images: images, rows: sets.count, columns: perRow, rowTitles: sets.map(\.name))
        try figures.save(Figure(.images(grid, title: "The sets, binarized as the model sees them: the test digits, then what it never saw")),
                         as: "ch10-sets")
    }

    /// A table of AUROCs as coloured cells, each with its value written in it: one row per score,
    /// one column per set (or held-out digit). The colour scale is fixed, so that every such
    /// table reads alike: red detects (1), white is chance (0.5), blue is reversed (0), the
    /// anomalies scoring as more normal than the normal images.
    static func aurocTable(scores: [String], columns: [String], auroc: (Int, Int) -> Double) -> Heatmap {
        let values = scores.indices.flatMap { r in columns.indices.map { c in auroc(r, c) } }
        var table = Heatmap(rows: scores.count, columns: columns.count, values: values, palette: .blueWhiteRed, valueRange: 0...1)
        table.cellLabels = values.map { String(format: "%.2f", $0) }
        table.rowNames = scores
        table.columnNames = columns
        return table
    }

    /// AUROC of each score (a row) against each out-of-distribution set (a column).
    static func aurocBySet(_ table: [(set: String, scores: [(name: String, metrics: DetectionMetrics)])], train: String,
                           figures: FigureWriter) throws {
        let names = table[0].scores.map(\.name)
        let cells = aurocTable(scores: names, columns: table.map(\.set)) { r, c in
            table[c].scores.first { $0.name == names[r] }!.metrics.auroc
        }
        try figures.save(Figure(.heatmap(cells, title: "The model of \(train == "mnist" ? "digits" : train): AUROC of each score against each set it never saw\n"
                                         + "(1, red: every anomaly scores above every test image; 0.5, white: chance; 0, blue: reversed)",
                                         xlabel: "out-of-distribution set", ylabel: "score"),
                                width: 1000, height: 620), as: "ch10-auroc-\(train)")
    }

    /// A density histogram as a staircase: `values` binned over `range` into `bins` bins.
    static func density(_ title: String, _ values: [Double], range: ClosedRange<Double>, bins: Int = 40, color: String) throws -> Series {
        let (edges, heights) = try Histogram(values, bins: bins, range: range).binned()
        // A closed staircase: up at the first edge, across each bin, down at the last edge.
        var x = [edges[0]], y = [0.0]
        for b in 0..<bins { x += [edges[b], edges[b + 1]]; y += [heights[b], heights[b]] }
        x.append(edges[bins]); y.append(0)
        return Series(title, x: x, y: y, style: .lines, color: color, lineWidth: 2)
    }

    /// The 1st and 99th percentiles of the union of two lists, widened a little: a histogram
    /// range that a few extreme images do not flatten.
    static func span(_ a: [Double], _ b: [Double]) -> ClosedRange<Double> {
        let all = (a + b).sorted()
        let low = all[Int(Double(all.count - 1) * 0.01)], high = all[Int(Double(all.count - 1) * 0.99)]
        let pad = max(1e-6, 0.03 * (high - low))
        return (low - pad)...(high + pad)
    }

    /// For each score, the density of the in set and of the out set `out`.
    static func histograms(_ scored: Chapter10.ScoredModel, out: String, figures: FigureWriter) throws {
        let outSet = scored.outSets.first { $0.name == out }!
        let inColumns = try scored.inSet.columns(), outColumns = try outSet.columns()
        var panels: [Panel] = []
        for (i, o) in zip(inColumns, outColumns) {
            let range = span(i.values, o.values)
            let metrics = try DetectionMetrics(inScores: i.values, outScores: o.values)
            let curves = [try density(scored.inSet.name, i.values, range: range, color: inColor),
                          try density(out, o.values, range: range, color: outColor)]
            // The axis spans the histogram's range exactly (gnuplot would round it out to whole
            // ticks, past zero for a score that cannot be negative), with about five ticks; the
            // tallest bin stays clear of the frame.
            let tallest = curves.flatMap(\.y).max() ?? 1
            panels.append(.lines(curves, title: String(format: "%@: AUROC %.3f", i.name, metrics.auroc), xlabel: unit(i.name),
                                 ylabel: "density", xRange: range, yRange: 0...(1.12 * tallest), legend: quieterTopCorner(curves),
                                 xTickStep: tickStep(range.upperBound - range.lowerBound)))
        }
        try figures.save(Figure(title: "Model of \(scored.name == "mnist" ? "digits" : "clothes"): each score on its test images (\(scored.inSet.name)) "
                                + "and on \(out) (1st–99th percentile shown)",
                                panels: panels, columns: 4, width: 1600, height: 800), as: "ch10-histograms-\(scored.name)")
    }

    /// A step of 1, 2 or 5 times a power of ten that puts four to ten ticks across `width`.
    static func tickStep(_ width: Double) -> Double {
        let rough = width / 5, power = pow(10, floor(log10(rough)))
        return [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
    }

    /// The top corner over the lower third of the curves (left or right), for the legend, which
    /// covers what is under it.
    static func quieterTopCorner(_ curves: [Series]) -> Legend {
        let xs = curves.flatMap(\.x).filter(\.isFinite)
        guard let low = xs.min(), let high = xs.max(), high > low else { return .topRight }
        func peak(_ from: Double, _ to: Double) -> Double {
            curves.flatMap { c in zip(c.x, c.y).filter { $0.0 >= from && $0.0 <= to }.map(\.1) }.filter(\.isFinite).max() ?? 0
        }
        let third = (high - low) / 3
        return peak(low, low + third) < peak(high - third, high) ? .topLeft : .topRight
    }

    /// The unit of a score's axis.
    static func unit(_ score: String) -> String {
        switch score {
        case "complexity": "bits"
        case "mahalanobis": "d² (no unit)"
        default: "nats"
        }
    }

    /// ROC curves of every score, digits → clothes and clothes → digits.
    static func roc(mnist: Chapter10.ScoredModel, fashion: Chapter10.ScoredModel, figures: FigureWriter) throws {
        func panel(_ model: Chapter10.ScoredModel, out: String, title: String) throws -> Panel {
            let outSet = model.outSets.first { $0.name == out }!
            let columns = zip(try model.inSet.columns(), try outSet.columns())
            let curves = try columns.map { try ROCCurve(inScores: $0.0.values, outScores: $0.1.values) }
            let series = zip(columns, curves).enumerated().map { k, pair in
                Series(String(format: "%@ (%.3f)", pair.0.0.name, pair.1.area), x: pair.1.falsePositiveRates, y: pair.1.truePositiveRates,
                       style: .lines, color: ClassColors.color(k))
            }
            let diagonal = Series("chance", x: [0, 1], y: [0, 1], style: .dashed, color: "#888888", lineWidth: 1)
            // The legend beside the plot: eight curves, above and below the diagonal, leave no
            // corner free.
            return .lines(series + [diagonal], title: title, xlabel: "false-positive rate (normal images flagged)",
                          ylabel: "true-positive rate (anomalies caught)", xRange: 0...1, yRange: 0...1, legend: .outside)
        }
        try figures.save(Figure(title: "ROC curves (AUROC in brackets)", panels: [
            try panel(mnist, out: "fashion", title: "Model of digits; anomalies: clothes"),
            try panel(fashion, out: "mnist", title: "Model of clothes; anomalies: digits"),
        ], columns: 2, width: 1500, height: 700), as: "ch10-roc")
    }

    /// The failure explained: −log p̂(x) against the white-pixel count for both sets under the
    /// model of clothes, and digits with what that model draws from their codes.
    static func failure(clothesNLL: [Double], digitsNLL: [Double], clothesOn: [Double], digitsOn: [Double], model: VAE,
                        digits: MNIST, figures: FigureWriter) throws {
        let scatter = Panel.lines([
            Series("clothes (its own test images)", x: clothesOn, y: clothesNLL, style: .points, color: inColor, lineWidth: 0.6),
            Series("digits", x: digitsOn, y: digitsNLL, style: .points, color: outColor, lineWidth: 0.6),
        ], title: "The model of clothes: −log p̂(x) follows the number of white pixels", xlabel: "white pixels of the binary image (of 784)",
           ylabel: "−log p̂(x), nats", legend: .topLeft)
        let shown = 10, half = shown / 2
        let first = digits.prefix(shown)
        let codes = try encodePosteriors(model: model, images: first.images).mean
        let redrawn = try model.decodeMeans(codes)
        // Two rows of five: the digits, then what the decoder draws from their codes.
        var images: [[Float]] = []
        for start in [0, half] {
            images += (start..<(start + half)).map { first.images.slice($0).scalars }
            images += (start..<(start + half)).map { redrawn.slice($0).scalars }
        }
        let grid = try ImageGrid(images: images, rows: 4, columns: half, rowTitles: ["digit", "redrawn", "digit", "redrawn"], pixelScale: 4)
        try figures.save(Figure(title: "Why a model of clothes likes digits", panels: [
            scatter, .images(grid, title: "Test digits, and the model of clothes' decoder at z = μ(x)"),
        ], columns: 2, width: 1500, height: 650), as: "ch10-fashion-failure")
    }

    /// AUROC of the typicality test against the batch size M, one curve per pair of sets.
    static func typicality(_ curves: [(name: String, auroc: [Double])], batchSizes: [Int], figures: FigureWriter) throws {
        let series = curves.enumerated().map { k, c in
            Series(c.name, x: batchSizes.map(Double.init), y: c.auroc, style: .linesPoints, color: ClassColors.color(k))
        }
        try figures.save(Figure(.lines(series, title: "The typicality test: AUROC over batches of M images from one source",
                                       xlabel: "batch size M (log scale)", ylabel: "AUROC", logX: true, yRange: 0...1.02, legend: .outside,
                                       xTickLabels: batchSizes.map { TickLabel("\($0)", at: Double($0)) }),
                                width: 1000, height: 560)
                            .waiving(.axisRange, because: "AUROC on its whole scale from 0 to 1, so that chance (0.5) sits in the middle"),
                         as: "ch10-typicality")
    }

    /// AUROC of each score (a row) for each held-out digit (a column), one table per code size.
    /// (typicality-m1 is the typicality test on single images, M = 1: |−log p̂(x) − Ĥ|.)
    static func leaveOut(_ results: [(latent: Int, digit: Int, scores: [(name: String, metrics: DetectionMetrics)])],
                         figures: FigureWriter) throws {
        let latents = Array(Set(results.map(\.latent))).sorted()
        let names = results[0].scores.map(\.name)
        let panels = latents.map { latent in
            let rows = results.filter { $0.latent == latent }.sorted { $0.digit < $1.digit }
            let cells = aurocTable(scores: names, columns: rows.map { "\($0.digit)" }) { r, c in
                rows[c].scores.first { $0.name == names[r] }!.metrics.auroc
            }
            return Panel.heatmap(cells, title: "\(latent) latent dimensions", xlabel: "held-out digit", ylabel: "score")
        }
        try figures.save(Figure(title: "Leave one digit out: AUROC of each score, the held-out digit against the other nine\n"
                                + "(red: found; white: chance; blue: found more normal than the nine; typicality-m1: the test on single images)",
                                panels: panels, columns: 2, width: 1600, height: 620), as: "ch10-leave-out")
    }

    /// For each score, the 8 test images it finds most normal and the 8 least normal.
    static func extremes(_ scored: Chapter10.ScoredModel, figures: FigureWriter) throws {
        let columns = try scored.inSet.columns()
        let images = scored.images[scored.inSet.name]!
        let k = 8
        var rows: [[Float]] = []
        for column in columns {
            let order = column.values.indices.sorted { column.values[$0] < column.values[$1] }
            for i in Array(order.prefix(k)) + Array(order.suffix(k).reversed()) { rows.append(images.images.slice(i).scalars) }
        }
        let grid = try ImageGrid(images: rows, rows: columns.count, columns: 2 * k, rowTitles: columns.map(\.name),
                                 columnTitles: (0..<(2 * k)).map { $0 < k ? ($0 == 0 ? "most normal" : "") : ($0 == k ? "least normal" : "") })
        let what = scored.name == "mnist" ? "digits" : "clothes"
        try figures.save(Figure(.images(grid, title: "Model of \(what), its test images: 8 most normal (left) and 8 least normal (right, most anomalous first) by each score")),
                         as: "ch10-extremes-\(scored.name)")
    }
}
