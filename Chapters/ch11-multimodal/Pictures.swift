// The figures of chapter 11. Each function takes a trained model (or what the lecture measured)
// and draws it; the ideas live in main.swift.

import CourseSupport
import Foundation
import VAECore

enum Pictures {
    static let classes = MNIST.classCount
    static let clothing = DatasetKind.fashionMNIST.classNames

    /// The tuples of `data` of each class in turn, `perClass` of each: 0, 0, …, 1, 1, ….
    static func tuplesByClass(_ data: MultimodalDataset, perClass: Int) -> [Int] {
        (0..<classes).flatMap { c in Array(data.labels.indices.filter { data.labels[$0] == c }.prefix(perClass)) }
    }

    /// Rows of `images` (N, 1, 28, 28) as the grid's cells.
    static func cells(_ images: Tensor) -> [[Float]] { (0..<images.shape[0]).map { images.slice($0).scalars } }

    /// Label → image (ten codes z ~ q(z | y) per label, one row per label) beside image → label
    /// (test digits captioned with the label decoded from z ~ q(z | x)).
    static func imageLabel(_ model: MultimodalVAE, test: MultimodalDataset, predictions: [Int], figures: FigureWriter,
                           seed: UInt64) throws {
        let columns = 10
        var random = RandomSource(seed: seed &+ 51)
        let labels = Tensor.oneHot((0..<classes * columns).map { $0 / columns }, classes: classes)
        let images = try model.translate(from: 1, labels, to: 0, using: &random)
        let fromLabels = try ImageGrid(images, rows: classes, columns: columns, rowTitles: (0..<classes).map { "y = \($0)" })
        let shown = Array(0..<50)
        let digits = test.batch(shown)[0]
        let toLabels = try ImageGrid(images: cells(digits), rows: 5, columns: 10,
                                     captions: shown.map { predictions[$0] == test.labels[$0] ? "→ \(predictions[$0])" : "→ \(predictions[$0]) ✗" })
        try figures.save(Figure(title: "One code for a digit and its label: each direction through z", panels: [
            .images(fromLabels, title: "label → image: z ~ q(z | y), decoded by the image decoder"),
            .images(toLabels, title: "image → label: z ~ q(z | x), the most probable decoded label"),
        ], columns: 2, width: 1300, height: 620), as: "ch11-image-label")
    }

    /// Digit → clothing and clothing → digit: per class, one test input and six translations
    /// (six codes drawn from the one-modality posterior).
    static func mnistFashion(_ model: MultimodalVAE, test: MultimodalDataset, figures: FigureWriter, seed: UInt64) throws {
        let draws = 6
        var random = RandomSource(seed: seed &+ 53)
        let picks = tuplesByClass(test, perClass: 1)
        let batch = test.batch(picks)
        var panels: [Panel] = []
        for (from, to, title) in [(0, 1, "digit → clothing: z ~ q(z | digit)"), (1, 0, "clothing → digit: z ~ q(z | item)")] {
            // Each input repeated `draws` times: one code drawn per copy.
            let repeated = Tensor(shape: [classes * draws, 1, 28, 28],
                                  scalars: Array(picks.indices.map { i in Array(repeatElement(batch[from].slice(i).scalars, count: draws).joined()) }.joined()))
            let out = try model.translate(from: from, repeated, to: to, using: &random)
            var grid: [[Float]] = []
            for i in picks.indices {
                grid.append(batch[from].slice(i).scalars)
                grid += (0..<draws).map { out.slice(i * draws + $0).scalars }
            }
            panels.append(.images(try ImageGrid(images: grid, rows: classes, columns: draws + 1,
                                                rowTitles: (0..<classes).map { "\($0): \(clothing[$0])" },
                                                columnTitles: ["input"] + (1...draws).map { "z\($0)" }), title: title))
        }
        try figures.save(Figure(title: "Cross-modal generation between MNIST and Fashion-MNIST (class k ↔ class k)",
                                panels: panels, columns: 2, width: 1300, height: 680), as: "ch11-mnist-fashion")
    }

    /// Joint samples: z ~ N(0, I) decoded by both decoders of each model.
    static func jointSamples(imageLabel: MultimodalVAE, mnistFashion: MultimodalVAE, figures: FigureWriter, seed: UInt64) throws {
        var random = RandomSource(seed: seed &+ 55)
        let pairs = imageLabel.sampleJoint(count: 50, using: &random)
        let decodedLabels = argmaxRows(pairs[1])
        let left = try ImageGrid(images: cells(pairs[0]), rows: 5, columns: 10, captions: decodedLabels.map { "y = \($0)" })
        let both = mnistFashion.sampleJoint(count: 30, using: &random)
        // Three bands of two rows: ten digits above the ten items decoded from the same codes.
        var grid: [[Float]] = []
        for band in 0..<3 {
            grid += (0..<10).map { both[0].slice(band * 10 + $0).scalars }
            grid += (0..<10).map { both[1].slice(band * 10 + $0).scalars }
        }
        let right = try ImageGrid(images: grid, rows: 6, columns: 10,
                                  rowTitles: ["digit", "clothing", "digit", "clothing", "digit", "clothing"])
        try figures.save(Figure(title: "Joint generation: one code z ~ N(0, I), every modality decoded from it", panels: [
            .images(left, title: "digit + label (the decoded label's most probable class)"),
            .images(right, title: "digit + clothing (each column one code)"),
        ], columns: 2, width: 1300, height: 560), as: "ch11-joint-samples")
    }

    /// The shared code: the means of q(z | both), q(z | first alone) and q(z | second alone) of
    /// 2,000 test tuples, projected on the two principal axes of the joint means, coloured by
    /// class; one row per model, one panel per observed modality.
    static func latentSpaces(_ models: [(MultimodalVAE, MultimodalDataset, String)], figures: FigureWriter) throws {
        var panels: [Panel] = []
        for (model, data, name) in models {
            let n = min(2_000, data.count)
            let tuples = Array(0..<n)
            let inputs = data.batch(tuples)
            let d = model.configuration.latentDimensions
            let joint = try model.posterior(observing: inputs).mean
            let axes = try PrincipalAxes(points: joint.scalars, count: n, dimension: d)
            let names = model.configuration.modalities.map(\.name)
            let views: [([Tensor?], String)] = [(inputs, "both observed"), ([inputs[0], nil], "\(names[0]) alone"), ([nil, inputs[1]], "\(names[1]) alone")]
            for (observed, what) in views {
                let mean = try model.posterior(observing: observed).mean
                let projected = axes.project(mean.scalars, count: 2)
                let points = try LabeledPoints(points: Tensor(shape: [n, 2], scalars: projected), labels: Array(data.labels.prefix(n)))
                panels.append(.scatter(points, title: "\(name): μ of q(z | \(what))", xlabel: "PC 1", ylabel: "PC 2",
                                       legend: what == "both observed" ? .outside : .hidden))
            }
        }
        try figures.save(Figure(title: "The shared code: posterior means of 2,000 test tuples on the joint means' two principal axes",
                                panels: panels, columns: 3, width: 1500, height: 900), as: "ch11-latent-space")
    }

    /// Coherence per class, for each direction of each experiment.
    static func coherencePerClass(_ first: [(String, [Double?])], _ second: [(String, [Double?])], figures: FigureWriter) throws {
        func panel(_ directions: [(String, [Double?])], title: String, categories: [String]) -> Panel {
            let groups = directions.map { BarChart.Group($0.0, values: $0.1.map { 100 * ($0 ?? .nan) }) }
            return .bars(BarChart(categories: categories, groups: groups), title: title, xlabel: "class",
                         ylabel: "% coherent", yRange: 0...105, legend: .outside)
        }
        try figures.save(Figure(title: "Coherence per class: how often the generated modality shows the class of the observed one", panels: [
            panel(first, title: "digit + label", categories: (0..<classes).map(String.init)),
            panel(second, title: "digit + clothing", categories: (0..<classes).map { "\($0) \(clothing[$0])" }),
        ], columns: 2, width: 1400, height: 520), as: "ch11-coherence-per-class")
    }

    /// Coherence against within-class diversity, one point per class per kind of draw (the CVAE's,
    /// label → image, clothing → digit): on the pixels, and on the judge's features. The dashed
    /// lines mark what the chapter asks of label → image draws: coherence 0.95, half the real
    /// digits' diversity.
    static func coherenceAgainstDiversity(_ reports: [Chapter11.DrawReport], figures: FigureWriter) throws {
        guard !reports.isEmpty else { return }
        let markers = [7, 5, 9, 13, 6, 4]
        func panel(_ ratios: (Chapter11.DrawReport) -> [Double?], title: String) -> Panel {
            let series = reports.enumerated().map { k, report in
                let points = zip(ratios(report), report.coherence.perClass).compactMap { ratio, coherence in
                    ratio.flatMap { r in coherence.map { (r, $0) } }
                }
                var line = Series(report.name, x: points.map(\.0), y: points.map(\.1), style: .points)
                line.pointType = markers[k % markers.count]
                return line
            }
            let right = max(1.1, (series.flatMap(\.x).max() ?? 1) + 0.1)
            return .lines(series, title: title, xlabel: "diversity: mean distance between two draws of a class / between two real ones",
                          ylabel: "coherence: share judged as the class asked", xRange: 0...right, yRange: 0...1.05, legend: .outside,
                          referenceLines: [.vertical(at: 0.5, "half the real spread"), .horizontal(at: 0.95, "0.95")])
        }
        try figures.save(Figure(title: "Coherent and varied? Each point one class of one kind of draw, judged by the digit classifier", panels: [
            panel({ $0.pixels.ratios }, title: "diversity on the pixels"),
            panel({ $0.features.ratios }, title: "diversity on the judge's 128 features"),
        ], columns: 1, width: 1200, height: 900)
            .waiving(.axisRange, because: "diversity from 0, past the real digits' spread (1) and the target at half of it, so that every kind of draw is read on one scale"),
            as: "ch11-coherence-diversity")
    }
}
