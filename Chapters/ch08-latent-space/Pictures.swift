// The figures of chapter 8. Each function takes what the lecture measured and draws it; the
// ideas live in main.swift.

import CourseSupport
import Foundation
import VAECore

enum Pictures {
    static let digits = (0..<MNIST.classCount).map(String.init)

    /// The t-SNE and PCA maps side by side, coloured by digit, and the t-SNE map again with
    /// digit thumbnails placed at their points (a canvas of pixels, thumbnails that would
    /// overlap an earlier one skipped).
    static func maps(tsne: [Float], pca: [Float], labels: [Int], images: Tensor,
                     scores: (tsneTrust: Double, tsneKNN: Double, pcaTrust: Double, pcaKNN: Double), figures: FigureWriter) throws {
        let n = labels.count
        func points(_ map: [Float]) -> LabeledPoints {
            LabeledPoints(x: (0..<n).map { map[2 * $0] }, y: (0..<n).map { map[2 * $0 + 1] }, labels: labels, pointSize: 0.45)
        }
        try figures.save(Figure(title: "\(n) test codes μ(x) of chapter 5's VAE (20-D), mapped to 2-D", panels: [
            .scatter(points(tsne), title: String(format: "t-SNE: trustworthiness %.3f, 10-NN agreement %.3f", scores.tsneTrust, scores.tsneKNN),
                     xlabel: "t-SNE 1", ylabel: "t-SNE 2", legend: .outside),
            .scatter(points(pca), title: String(format: "PCA: trustworthiness %.3f, 10-NN agreement %.3f", scores.pcaTrust, scores.pcaKNN),
                     xlabel: "PC 1", ylabel: "PC 2", legend: .outside),
        ], columns: 2, width: 1500, height: 640), as: "ch08-tsne-pca")

        // The thumbnail canvas.
        let side = 448, cell = 28
        var canvas = [Float](repeating: 0, count: side * side)
        let xs = (0..<n).map { tsne[2 * $0] }, ys = (0..<n).map { tsne[2 * $0 + 1] }
        let (x0, x1, y0, y1) = (xs.min()!, xs.max()!, ys.min()!, ys.max()!)
        var placed: [(Int, Int)] = []
        for i in 0..<n {
            let left = Int(Float(side - cell) * (xs[i] - x0) / max(x1 - x0, 1e-6))
            let top = Int(Float(side - cell) * (y1 - ys[i]) / max(y1 - y0, 1e-6))
            guard !placed.contains(where: { abs($0.0 - left) < cell && abs($0.1 - top) < cell }) else { continue }
            placed.append((left, top))
            for r in 0..<cell {
                for c in 0..<cell {
                    let v = images.scalars[i * 784 + r * 28 + c]
                    canvas[(top + r) * side + left + c] = max(canvas[(top + r) * side + left + c], v)
                }
            }
        }
        let grid = try ImageGrid(images: [canvas], height: side, width: side, rows: 1, columns: 1, gap: 0, pixelScale: 2)
        try figures.save(Figure(.images(grid, title: "The t-SNE map with \(placed.count) of its \(n) test digits drawn at their points")),
                         as: "ch08-tsne-thumbnails")
    }

    /// The 2-D model's decoder on a regular grid of codes over [−2.5, 2.5]²: every digit it can draw.
    static func manifold(_ model: VAE, figures: FigureWriter) throws {
        let steps = 15
        let values = (0..<steps).map { -2.5 + 5 * Double($0) / Double(steps - 1) }
        var z = Tensor(shape: [steps * steps, 2])
        for (r, y) in values.reversed().enumerated() {
            for (c, x) in values.enumerated() { z.scalars[(r * steps + c) * 2] = Float(x); z.scalars[(r * steps + c) * 2 + 1] = Float(y) }
        }
        let images = try model.decodeMeans(z)
        let grid = try ImageGrid(images, rows: steps, columns: steps, gap: 0, pixelScale: 2)
        try figures.save(Figure(.images(grid, title: "The 2-D model's decoder on a grid: z₁ from −2.5 (left) to 2.5, z₂ from 2.5 (top) to −2.5")),
                         as: "ch08-manifold")
    }

    /// Every test digit's μ in the 2-D code, coloured by digit, with the 1-σ ellipses of the first
    /// few posteriors of each digit and the prior's 1- and 2-σ circles.
    static func aggregatePosterior(_ posteriors: (mean: Tensor, logVariance: Tensor), labels: [Int], figures: FigureWriter) throws {
        let n = labels.count
        var series: [Series] = []
        for digit in 0..<MNIST.classCount {
            let members = (0..<n).filter { labels[$0] == digit }
            series.append(Series(digits[digit], x: members.map { posteriors.mean.scalars[2 * $0] }, y: members.map { posteriors.mean.scalars[2 * $0 + 1] },
                                 style: .points, color: ClassColors.color(digit), lineWidth: 0.5))
        }
        for digit in 0..<MNIST.classCount {
            var xs: [Double] = [], ys: [Double] = []
            for i in (0..<n).filter({ labels[$0] == digit }).prefix(4) {
                let (mx, my) = (Double(posteriors.mean.scalars[2 * i]), Double(posteriors.mean.scalars[2 * i + 1]))
                let (sx, sy) = (exp(0.5 * Double(posteriors.logVariance.scalars[2 * i])), exp(0.5 * Double(posteriors.logVariance.scalars[2 * i + 1])))
                for k in 0...48 { let a = 2 * Double.pi * Double(k) / 48; xs.append(mx + sx * cos(a)); ys.append(my + sy * sin(a)) }
                xs.append(.nan); ys.append(.nan)
            }
            series.append(Series("", x: xs, y: ys, style: .lines, color: ClassColors.color(digit), lineWidth: 1.5))
        }
        for radius in [1.0, 2.0] {
            let angles = (0...96).map { 2 * Double.pi * Double($0) / 96 }
            series.append(Series(radius == 1 ? "prior N(0, I): 1σ and 2σ" : "", x: angles.map { radius * cos($0) },
                                 y: angles.map { radius * sin($0) }, style: .dashed, color: "#000000", lineWidth: 1.5))
        }
        let all = posteriors.mean.scalars.map(Double.init)
        let extent = min(5, max(3, all.map(abs).max() ?? 3) + 0.3)
        try figures.save(Figure(.lines(series, title: "The 2-D code: μ of \(n) test digits; ellipses: 1σ of q(z|x) for four of each digit",
                                       xlabel: "z₁", ylabel: "z₂", xRange: -extent...extent, yRange: -extent...extent, legend: .outside),
                                width: 900, height: 760), as: "ch08-aggregate-posterior")
    }

    /// For each digit: its image, the true posterior p(z|x) on the grid and the encoder's q(z|x).
    static func truePosteriors(_ panels: [(image: [Float], truePosterior: [Double], q: [Double],
                                           window: (x: ClosedRange<Double>, y: ClosedRange<Double>))],
                               labels: [Int], figures: FigureWriter) throws {
        var out: [Panel] = []
        for (k, panel) in panels.enumerated() {
            let side = Int(Double(panel.q.count).squareRoot())
            let top = max(panel.truePosterior.max()!, panel.q.max()!)
            let window = String(format: "z₁ ∈ [%.2f, %.2f], z₂ ∈ [%.2f, %.2f]", panel.window.x.lowerBound, panel.window.x.upperBound,
                                panel.window.y.lowerBound, panel.window.y.upperBound)
            out.append(.images(try ImageGrid(images: [panel.image], rows: 1, columns: 1, pixelScale: 4), title: "a test \(labels[k])"))
            // The grid's cells on the plane of codes (row 0 at the window's top), one colour scale
            // per row, its bar beside the encoder's panel.
            var truePosterior = Heatmap(rows: side, columns: side, values: panel.truePosterior, valueRange: 0...top, squareCells: true,
                                        showColorbar: false)
            truePosterior.coordinates = panel.window
            var q = Heatmap(rows: side, columns: side, values: panel.q, valueRange: 0...top, squareCells: true, showColorbar: true)
            q.coordinates = panel.window
            out.append(.heatmap(truePosterior, title: "true p(z|x) on " + window, xlabel: "z₁", ylabel: "z₂"))
            out.append(.heatmap(q, title: "the encoder's q(z|x), same window and colours", xlabel: "z₁", ylabel: "z₂"))
        }
        try figures.save(Figure(title: "The 2-D model: the true posterior against the encoder's Gaussian (probability per grid cell, one colour scale per row)",
                                panels: out, columns: 3, width: 1400, height: 420 * panels.count), as: "ch08-true-posterior")
    }

    /// Ambiguous and clear test digits: the input, the mean decoded image over codes from q(z|x),
    /// and the two variances per pixel.
    static func uncertaintyMaps(_ shown: [(input: [Float], mean: [Float], code: [Float], pixel: [Float], caption: String)],
                                figures: FigureWriter) throws {
        let images = try ImageGrid(images: shown.flatMap { [$0.input, $0.mean] }, rows: shown.count, columns: 2,
                                   rowTitles: shown.map(\.caption), columnTitles: ["input", "mean p̄"])
        let codeTop = max(1e-3, Double(shown.flatMap(\.code).max() ?? 0))
        var code = try ImageGrid(images: shown.map(\.code), rows: shown.count, columns: 1,
                                 columnTitles: [String(format: "Var_z p, 0…%.3f", codeTop)],
                                 palette: .viridis, valueRange: 0...codeTop)
        var pixel = try ImageGrid(images: shown.flatMap { [$0.pixel, zip($0.code, $0.pixel).map { $0 + $1 }] },
                                  rows: shown.count, columns: 2, columnTitles: ["E_z p(1−p), 0…0.25", "p̄(1−p̄), 0…0.25"],
                                  palette: .viridis, valueRange: 0...0.25)
        code.showColorbar = true
        pixel.showColorbar = true
        try figures.save(Figure(title: "Pixel variance over codes z ~ q(z|x): the code's (Var_z p), the pixel's own (E_z p(1−p)) and their sum p̄(1−p̄)\n"
                                + "(H: the entropy of the judge's class probabilities, in nats: the ambiguous digits have the largest, the clear ones 0)", panels: [
            .images(images), .images(code), .images(pixel),
        ], columns: 3, width: 1250, height: 1100), as: "ch08-uncertainty")
    }

    /// The mean σ of q(z|x) per digit (rows) and code dimension (columns).
    static func sigmaByDigit(_ sigmas: [Double], dimensions d: Int, figures: FigureWriter) throws {
        var heatmap = Heatmap(rows: MNIST.classCount, columns: d, values: sigmas, valueRange: 0...1, squareCells: true)
        heatmap.ticksAtEveryCell = true
        try figures.save(Figure(.heatmap(heatmap, title: "Mean σ of q(z|x) by digit and code dimension (1: the prior's σ)",
                                         xlabel: "code dimension", ylabel: "digit")), as: "ch08-sigma-by-digit")
    }

    /// Each image's NLL with its bootstrap interval over the k weights, sorted, and its −ELBO, the
    /// mean of the same k weights.
    static func perImageNLL(_ rows: [(nll: Double, lower: Double, upper: Double, elbo: Double)], samples: Int,
                            figures: FigureWriter) throws {
        let sorted = rows.sorted { $0.nll < $1.nll }
        let xs = (1...sorted.count).map(Double.init)
        try figures.save(Figure(.lines([
            Series("−ELBO = −(1/k) Σ_s w_s, the same \(samples) draws", x: xs, y: sorted.map(\.elbo), style: .points, color: "#7f7f7f",
                   lineWidth: 1.5),
            Series("NLL = −log (1/k) Σ_s e^(w_s), k = \(samples)", x: xs, y: sorted.map(\.nll), style: .points, color: "#1f77b4",
                   lineWidth: 1.5),
            Series("NLL's 95% bootstrap interval over its k weights", x: xs, y: sorted.map(\.upper), style: .lines, color: "#d62728",
                   lineWidth: 1),
            Series("", x: xs, y: sorted.map(\.lower), style: .lines, color: "#d62728", lineWidth: 1),
        ], title: "Per-image −log p(x) of \(rows.count) test digits, sorted\n"
           + "weights w_s = log p(x, z_s) − log q(z_s|x), z_s ~ q(z|x); −ELBO ≥ NLL for every image (Jensen)",
           xlabel: "test digit (by NLL)", ylabel: "nats", legend: .topLeft), width: 1000, height: 560), as: "ch08-nll-intervals")
    }

    /// z + α·v for six test digits per attribute: one block of rows per attribute.
    static func attributeStrips(_ strips: [(name: String, rows: [[Float]])], alphas: [Float], figures: FigureWriter) throws {
        var panels: [Panel] = []
        for strip in strips {
            // strip.rows[a] holds the six digits decoded at alphas[a]; lay digits out as rows.
            let digitsShown = strip.rows[0].count / 784
            var cells: [[Float]] = []
            for i in 0..<digitsShown { for a in alphas.indices { cells.append(Array(strip.rows[a][(i * 784)..<((i + 1) * 784)])) } }
            let grid = try ImageGrid(images: cells, rows: digitsShown, columns: alphas.count,
                                     rowTitles: ["v_\(strip.name)"] + Array(repeating: "", count: digitsShown - 1),
                                     columnTitles: alphas.map { String(format: "α = %.1f", $0) })
            panels.append(.images(grid))
        }
        try figures.save(Figure(title: "Attribute vectors measured from the data, added to test codes: z(x) + α·v", panels: panels, columns: 2,
                                width: 1100, height: 620), as: "ch08-attributes")
    }

    /// z(x) − c_y + c_k for each k: the digit's style under every class mean.
    static func analogies(_ cells: [[Float]], labels: [Int], figures: FigureWriter) throws {
        let grid = try ImageGrid(images: cells, rows: labels.count, columns: 11, rowTitles: labels.map { "a \($0)" },
                                 columnTitles: ["input"] + digits.map { "→ \($0)" })
        try figures.save(Figure(title: "Analogies: z(x) − c_y + c_k, c_k the mean code of digit k", panels: [.images(grid)], columns: 1),
                         as: "ch08-analogies")
    }

    /// Straight line against great circle: three pairs of prior draws, and the mean norm along the paths.
    static func interpolation(_ paths: [[Float]], steps: [Float], norms: [(t: Float, linear: Double, spherical: Double)],
                              dimension d: Int, figures: FigureWriter) throws {
        let grid = try ImageGrid(images: paths.flatMap { path in (0..<steps.count).map { Array(path[($0 * 784)..<(($0 + 1) * 784)]) } },
                                 rows: paths.count, columns: steps.count,
                                 rowTitles: (0..<paths.count).map { $0 % 2 == 0 ? "line \($0 / 2 + 1)" : "slerp \($0 / 2 + 1)" },
                                 columnTitles: steps.map { String(format: "t=%.2f", $0) })
        let ts = norms.map { Double($0.t) }
        let lines: [Series] = [
            Series("straight line", x: ts, y: norms.map(\.linear), style: .linesPoints),
            Series("slerp", x: ts, y: norms.map(\.spherical), style: .linesPoints),
            Series(String(format: "√D = %.2f", Double(d).squareRoot()), x: [0.0, 1.0], y: [Double(d).squareRoot(), Double(d).squareRoot()], style: .dashed, color: "#000000"),
        ]
        // The norms' own range with some air (starting at 0 would squeeze the two curves together).
        let all = norms.flatMap { [$0.linear, $0.spherical] } + [Double(d).squareRoot()]
        let (low, high) = (all.min() ?? 0, all.max() ?? 5)
        let air = 0.15 * (high - low) + 0.05
        try figures.save(Figure(title: "Interpolating between two codes z_a, z_b ~ N(0, I)", panels: [
            .images(grid),
            .lines(lines, title: "mean |z| along the path", xlabel: "t", ylabel: "|z|", yRange: (low - air)...(high + air),
                   legend: .bottomLeft),
        ], columns: 2, width: 1400, height: 520), as: "ch08-interpolation")
    }

    /// Pairwise feature distances (samples against real digits) and the judge's class histogram.
    static func diversity(sampleDistances: [Double], realDistances: [Double], classCounts: [Int], entropy: BootstrapInterval,
                          figures: FigureWriter) throws {
        let all = sampleDistances + realDistances
        let range = (all.min() ?? 0)...(all.max() ?? 1)
        func curve(_ values: [Double], _ title: String, _ color: String) throws -> Series {
            let (edges, heights) = try Histogram(values, bins: 40, range: range).binned()
            return Series(title, x: (0..<heights.count).map { (edges[$0] + edges[$0 + 1]) / 2 }, y: heights, style: .lines, color: color)
        }
        let total = Double(classCounts.reduce(0, +))
        let shares = classCounts.map { 100 * Double($0) / total }
        let distances = [try curve(sampleDistances, "between two samples", "#1f77b4"), try curve(realDistances, "between two real test digits", "#ff7f0e")]
        // Room above the peaks for the legend.
        let peak = distances.flatMap(\.y).filter(\.isFinite).max() ?? 1
        try figures.save(Figure(title: "Are the samples varied and balanced? (chapter 5's model, z ~ N(0, I), in the judge's features)", panels: [
            .lines(distances, title: "Distances between pairs, in the judge's 128 features", xlabel: "distance", ylabel: "density",
                   yRange: 0...(1.35 * peak), legend: .topRight),
            .bars(BarChart(categories: digits, groups: [.init("samples", values: shares)]),
                  title: String(format: "Class the judge sees: entropy %.3f bits [%.3f, %.3f] (uniform: 3.322)", entropy.estimate,
                                entropy.lower, entropy.upper),
                  xlabel: "digit the judge sees", ylabel: "% of samples", yRange: 0...(max(20, (shares.max() ?? 0) + 2)), legend: .hidden,
                  referenceLines: [.horizontal(at: 10, "uniform, 10%", color: "#000000")]),
        ], columns: 2, width: 1400, height: 520), as: "ch08-diversity")
    }

    /// Twelve samples, each above its nearest training image and the distance between them.
    static func nearestTraining(samples: Tensor, train: MNIST, nearest: [Int], distances: [Double], figures: FigureWriter) throws {
        let shown = min(12, nearest.count)
        var cells: [[Float]] = []
        for i in 0..<shown { cells.append(samples.slice(i).scalars) }
        for i in 0..<shown { cells.append(train.images.slice(nearest[i]).scalars) }
        let grid = try ImageGrid(images: cells, rows: 2, columns: shown,
                                 captions: Array(repeating: "", count: shown) + (0..<shown).map { String(format: "%.1f", distances[$0]) },
                                 rowTitles: ["sample", "nearest train"])
        try figures.save(Figure(title: "Samples from the prior and their nearest training images; under each: the L2 distance between the two images' pixels",
                                panels: [.images(grid)], columns: 1), as: "ch08-nearest-train")
    }

    /// Fréchet distance and Inception Score after each epoch of the 2-D model, with chapter 5's
    /// 20-D model, judged once after its training, as a level line. Both scores are the judge's
    /// (the course's digit classifier): its features and its class probabilities.
    static func scoresOverTraining(_ rows: [(epoch: Int, fid: Double, inception: Double, sd: Double)], chapter5: SampleJudgement,
                                   realInception: Double, figures: FigureWriter) throws {
        let epochs = rows.map { Double($0.epoch) }
        let span = [epochs.first ?? 1, epochs.last ?? 1]
        let fids = rows.map(\.fid) + [chapter5.frechetDistance]
        // A log axis from the power of ten below the lowest value to three times the highest:
        // air above the curve for the legend.
        let fidRange = pow(10, log10(fids.min()!).rounded(.down))...(fids.max()! * 3)
        try figures.save(Figure(title: "Prior samples judged by the course's digit classifier: this chapter's 2-D model after every epoch,"
                                + " chapter 5's 20-D model once, trained", panels: [
            .lines([Series("2-D model, after each epoch", x: epochs, y: rows.map(\.fid), style: .linesPoints),
                    Series(String(format: "chapter 5's 20-D model (trained): %.1f", chapter5.frechetDistance), x: span,
                           y: span.map { _ in chapter5.frechetDistance }, style: .dashed, color: "#000000")],
                   title: "Fréchet distance to real digits in the judge's 128 features\n"
                          + "(lower is better; not comparable with published FIDs, on Inception features)",
                   xlabel: "epoch", ylabel: "Fréchet distance (judge's features; log scale)",
                   logY: true, yRange: fidRange, legend: .topRight),
            .lines([Series("2-D model, after each epoch", x: epochs, y: rows.map(\.inception), style: .linesPoints),
                    Series("± 1 sd over 10 splits", x: epochs, y: rows.map { $0.inception + $0.sd }, style: .dashed, color: "#1f77b4", lineWidth: 1),
                    Series("", x: epochs, y: rows.map { $0.inception - $0.sd }, style: .dashed, color: "#1f77b4", lineWidth: 1),
                    Series(String(format: "chapter 5's 20-D model (trained): %.2f", chapter5.inceptionScore.mean), x: span,
                           y: span.map { _ in chapter5.inceptionScore.mean }, style: .dashed, color: "#000000"),
                    Series(String(format: "real test digits: %.2f", realInception), x: span, y: span.map { _ in realInception },
                           style: .dashed, color: "#2ca02c")],
                   title: "Inception Score of the judge's probabilities\n(higher is better, 10 at most)", xlabel: "epoch",
                   ylabel: "Inception Score (judge's probabilities)",
                   yRange: 0...10.5, legend: .outside),
        ], columns: 2, width: 1400, height: 520), as: "ch08-fid-is")
    }
}
