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
        func percent(_ a: LabelAccuracy) -> [Double] { a.perClass.map { 100 * ($0 ?? .nan) } }
        let lowest = (percent(accuracy) + percent(fittedAccuracy)).filter(\.isFinite).min() ?? 0
        // The bars start at `floor`, not at zero (every label is above 90%): the title says so.
        let floor = max(0, min(90, (lowest - 2).rounded(.down)))
        let bars = BarChart(categories: digits, groups: [
            .init("prior N(0, I)", values: percent(accuracy)),
            .init("fitted N(c_y, Σ_y)", values: percent(fittedAccuracy)),
        ])
        // The confusion matrix without its diagonal (the share as asked, printed but not coloured),
        // the misses on a log colour scale, every cell's percentage printed. A cell without a miss
        // is left uncoloured too: a log scale has no place for 0, and the scale's darkest colour
        // would make it look like the rarest miss.
        let shares = accuracy.confusion.enumerated().flatMap { r, row -> [Double] in
            let total = max(1, row.reduce(0, +))
            return row.enumerated().map { c, n in r == c || n == 0 ? .nan : 100 * Double(n) / Double(total) }
        }
        let labels = accuracy.confusion.enumerated().flatMap { r, row -> [String] in
            let total = Double(max(1, row.reduce(0, +)))
            return row.enumerated().map { c, n in
                n == 0 ? "" : String(format: "%.1f", 100 * Double(n) / total)
            }
        }
        let misses = shares.filter { $0.isFinite && $0 > 0 }
        var confusion = Heatmap(rows: classes, columns: classes, values: shares, palette: .viridis,
                                valueRange: misses.isEmpty ? nil : (misses.min()! * 0.8)...max(misses.max()!, misses.min()! * 2), squareCells: true)
        confusion.cellLabels = labels
        confusion.logColor = !misses.isEmpty
        confusion.ticksAtEveryCell = true
        let title = String(format: "%d conditional samples judged by the digit classifier: %.2f%% as asked with z ~ N(0, I), "
                           + "%.2f%% with z from the fitted Gaussians", fromPrior.count, 100 * accuracy.overall,
                           100 * fittedAccuracy.overall)
        try figures.save(Figure(title: title, panels: [
            .bars(bars, title: "Accuracy per requested label" + (floor > 0 ? String(format: " (the axis starts at %.0f%%)", floor) : ""),
                  xlabel: "label y", ylabel: "% judged as y", yRange: floor...100.8, legend: .outside,
                  referenceLines: [.horizontal(at: 100 * realAccuracy, String(format: "the judge on real test digits: %.2f%%", 100 * realAccuracy))]),
            .heatmap(confusion,
                     title: "z ~ N(0, I): % judged as each digit\n(in %; misses coloured on a log scale, the diagonal and cells of no miss white)",
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
