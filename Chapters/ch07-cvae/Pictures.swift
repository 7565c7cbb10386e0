// The figures of chapter 7. Each function takes the trained CVAE (or what the lecture measured)
// and draws it; the ideas live in main.swift.

import CourseSupport
import Foundation
import VAECore

enum Pictures {
    static let digits = (0..<MNIST.classCount).map(String.init)

    /// The CVAE's promise in one picture: eight codes z from the prior, each decoded under all
    /// ten labels. Rows are digits, columns are codes: reading down a column, one hand writes
    /// 0 to 9; reading along a row, one digit in eight hands.
    static func digitStyleGrid(_ model: VAE, figures: FigureWriter, seed: UInt64) throws {
        let styles = 8, classes = MNIST.classCount
        var random = RandomSource(seed: seed &+ 31)
        let codes = Tensor.gaussian([styles, model.configuration.latentDimensions], using: &random)   // (8, D)
        // Row k: the eight codes under label k; row-major, as the grid fills.
        let d = model.configuration.latentDimensions
        let z = Tensor(shape: [classes * styles, d],
                       scalars: Array((0..<classes).map { _ in codes.scalars }.joined()))
        let labels = (0..<classes * styles).map { $0 / styles }
        let images = try model.decodeMeans(z, labels: labels)
        let grid = try ImageGrid(images, rows: classes, columns: styles, rowTitles: digits,
                                 columnTitles: (1...styles).map { "z\($0)" })
        try figures.save(Figure(.images(grid, title: "One row per label y, one column per code z ~ N(0, I): f(z, y)")),
                         as: "ch07-digit-style-grid")
    }

    /// Style transfer: test digits encoded with their own label, z = μ(x, y), then decoded under
    /// each of the ten labels. The style of the handwriting goes along; the digit changes.
    static func styleTransfer(_ model: VAE, test: MNIST, figures: FigureWriter, seed: UInt64) throws {
        let count = 6, classes = MNIST.classCount
        var random = RandomSource(seed: seed &+ 41)
        // Six test digits of six different classes, chosen at random.
        var picks: [Int] = []
        while picks.count < count {
            let index = random.uniformInt(below: test.count)
            if !picks.contains(where: { test.labels[$0] == test.labels[index] }) { picks.append(index) }
        }
        let batch = Tensor(shape: [count, 1, 28, 28], scalars: Array(picks.map { test.images.slice($0).scalars }.joined()))
        let (mean, _) = try model.encode(batch, labels: picks.map { Int(test.labels[$0]) })
        var cells: [[Float]] = []
        for (row, index) in picks.enumerated() {
            let z = Tensor(shape: [classes, mean.shape[1]],
                           scalars: Array(repeatElement(mean.slice(row).scalars, count: classes).joined()))
            let decoded = try model.decodeMeans(z, labels: Array(0..<classes))
            cells.append(test.images.slice(index).scalars)
            cells += (0..<classes).map { decoded.slice($0).scalars }
        }
        let grid = try ImageGrid(images: cells, rows: count, columns: classes + 1,
                                 rowTitles: picks.map { "a \(test.labels[$0])" }, columnTitles: ["input"] + digits)
        try figures.save(Figure(.images(grid, title: "Style transfer: z = μ(x, y) of a test digit, decoded under every label")),
                         as: "ch07-style-transfer")
    }

    /// How often the judge sees the requested digit, per label, for codes from the prior and
    /// from the Gaussians fitted to the training codes, beside the prior's whole confusion
    /// matrix: row = the label asked for, column = the digit the classifier saw.
    /// The dashed line is the judge's own accuracy on the real test digits, `realAccuracy`
    /// (a share): about the best the samples can score.
    static func perLabelAccuracy(fromPrior: SampleJudgement, fitted: SampleJudgement, realAccuracy: Double,
                                 figures: FigureWriter) throws {
        guard let accuracy = fromPrior.accuracy, let fittedAccuracy = fitted.accuracy else { return }
        let classes = accuracy.perClass.count
        let xs = (0..<classes).map(Double.init)
        func percent(_ a: LabelAccuracy) -> [Double] { a.perClass.map { 100 * ($0 ?? .nan) } }
        let lowest = (percent(accuracy) + percent(fittedAccuracy)).filter(\.isFinite).min() ?? 0
        let shares = accuracy.confusion.flatMap { row -> [Double] in
            let total = max(1, row.reduce(0, +))
            return row.map { Double($0) / Double(total) }
        }
        let title = String(format: "%d conditional samples judged by the digit classifier: %.2f%% as asked with z ~ N(0, I), "
                           + "%.2f%% with z from the fitted Gaussians", fromPrior.count, 100 * accuracy.overall,
                           100 * fittedAccuracy.overall)
        try figures.save(Figure(title: title, panels: [
            .lines([
                Series("z ~ N(0, I), the prior", x: xs, y: percent(accuracy), style: .linesPoints),
                Series("z ~ N(c_y, Σ_y), fitted to the training codes", x: xs, y: percent(fittedAccuracy), style: .linesPoints),
                Series(String(format: "the judge on real test digits, %.2f%%", 100 * realAccuracy), x: xs,
                       y: xs.map { _ in 100 * realAccuracy }, style: .dashed),
            ], title: "Accuracy per requested label", xlabel: "label y", ylabel: "% judged as y",
               yRange: min(90, (lowest - 2).rounded(.down))...100.5, legend: .bottomLeft,
               xTickLabels: TickLabel.categories(digits)),
            .heatmap(Heatmap(rows: classes, columns: classes, values: shares, palette: .viridis, valueRange: 0...1,
                             squareCells: true),
                     title: "z ~ N(0, I): share judged as each digit (row: asked, column: judged)",
                     xlabel: "judged digit", ylabel: "requested label"),
        ], columns: 2, width: 1300, height: 520), as: "ch07-per-label-accuracy")
    }

    /// The first samples the judge did not see as asked, captioned "asked→judged": what the
    /// misses look like.
    static func misses(_ images: Tensor, labels: [Int], predictions: [Int], figures: FigureWriter) throws {
        let wrong = Array(labels.indices.filter { labels[$0] != predictions[$0] }.prefix(40))
        guard !wrong.isEmpty else { print("no sample was misjudged"); return }
        let columns = 10, rows = (wrong.count + columns - 1) / columns
        let grid = try ImageGrid(images: wrong.map { images.slice($0).scalars }, rows: rows, columns: columns,
                                 captions: wrong.map { "\(labels[$0])→\(predictions[$0])" })
        try figures.save(Figure(.images(grid, title: "Samples the judge did not see as asked (asked→judged), the first \(wrong.count)")),
                         as: "ch07-misses")
    }
}
