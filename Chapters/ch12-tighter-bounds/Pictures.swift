// The figures of chapter 12. Each function takes what the lecture measured and draws it; the
// ideas live in main.swift.

import CourseSupport
import Foundation
import VAECore

enum Pictures {
    /// Numbers from the literature, drawn as reference lines: (NLL in nats, what reported it).
    /// Citations, not measurements of this course.
    static let literature: [(nll: Double, source: String)] = [
        (86.76, "86.76: one-layer VAE, k = 1 (Burda et al. 2016)"),
        (84.78, "84.78: one-layer IWAE, k = 50 (Burda et al. 2016)"),
        (82.90, "82.90: two-layer IWAE, k = 50 (Burda et al. 2016)"),
    ]

    /// The colour of each configuration, the same in every figure.
    static func color(_ kind: BoundKind) -> String { ClassColors.color(BoundKind.allCases.firstIndex(of: kind) ?? 0) }

    /// −L_k against k (log axis) for every run, with standard errors.
    static func boundAgainstK(_ curves: [(name: String, values: [(k: Int, nll: MeanEstimate)])], images: Int,
                              figures: FigureWriter) throws {
        let series = curves.enumerated().map { i, curve in
            Series(curve.name, x: curve.values.map { Double($0.k) }, y: curve.values.map(\.nll.mean), style: .linesPoints,
                   color: ClassColors.color(i)).withErrorBars(curve.values.map(\.nll.standardError))
        }
        try figures.save(Figure(.lines(series, title: "−L_k on the first \(images) test digits: the bound tightens as k grows",
                                       xlabel: "importance samples k (log scale)", ylabel: "−L_k (nats; lower is tighter)",
                                       logX: true, legend: .outside), width: 1000, height: 560), as: "ch12-bound-vs-k")
    }

    /// Test −ELBO after every epoch against the hours of training, for every run, with each run's
    /// NLL as a point at its end, and the literature's numbers as lines.
    static func perHour(_ outcomes: [BoundOutcome], figures: FigureWriter) throws {
        var series: [Series] = []
        var lowest = Double.infinity, highest = -Double.infinity
        for outcome in outcomes {
            let tested = outcome.history.epochs.compactMap { $0.test.map { -$0.elbo } }
            // Hours at the end of each epoch, at the probe's speed (the same conditions for every run).
            guard tested.count == outcome.history.epochs.count, !tested.isEmpty else {
                log("\(outcome.name): no test curve to draw (the run was trained without a test evaluation)")
                continue
            }
            let hours = outcome.history.epochs.map { outcome.hoursAtProbeSpeed(epochs: $0.epoch) }
            let total = outcome.probeHours
            series.append(Series("\(outcome.name): test −ELBO", x: hours, y: tested, style: tested.count < 4 ? .linesPoints : .lines,
                                 color: color(outcome.kind)))
            let best = outcome.reported
            var point = Series(String(format: "%@: NLL (k = %d, %d images)", outcome.name, best.samples, best.images), x: [total],
                               y: [best.value.nll.mean], style: .points, color: color(outcome.kind))
                .withErrorBars([best.value.nll.standardError])
            point.pointType = 5
            series.append(point)
            lowest = min(lowest, best.value.nll.mean)
            highest = max(highest, tested.suffix(max(1, tested.count * 3 / 4)).max() ?? highest)
        }
        guard !series.isEmpty else { return }
        // The literature's lines where they are near what was measured (a quick run's tiny models
        // are a hundred nats away, and the lines would squash the curves flat).
        let near = literature.filter { $0.nll > lowest - 15 }
        let lines = near.map { ReferenceLine.horizontal(at: $0.nll, $0.source) }
        let bottom = min(lowest, near.map(\.nll).min() ?? lowest) - 1
        try figures.save(Figure(.lines(series, title: "Nats per hour: test −ELBO after every epoch, and each run's NLL at its end",
                                       xlabel: "hours of training on two cores, at the speed probed in section 1 (log scale)", ylabel: "nats per test digit (lower is better)",
                                       logX: true, yRange: bottom...max(highest, bottom + 5) + 1, legend: .outside,
                                       referenceLines: lines), width: 1300, height: 650), as: "ch12-nll-vs-hours")
    }

    /// Each run's most careful NLL as a dot with its standard error, with the literature's numbers
    /// as lines. Dots rather than bars: the differences are a few nats out of ninety, so the axis
    /// cannot start at zero, and a bar cut off at its foot would misstate its length.
    static func literature(_ outcomes: [BoundOutcome], figures: FigureWriter) throws {
        var values: [Double] = [], errors: [Double] = [], names: [String] = []
        for outcome in outcomes {
            let best = outcome.reported
            values.append(best.value.nll.mean); errors.append(best.value.nll.standardError)
            names.append(best.images == 10_000 ? outcome.name : "\(outcome.name) (\(best.images) digits)")
        }
        var dots = Series("NLL, importance-weighted (± standard error)", x: names.indices.map(Double.init), y: values, style: .points,
                          color: "#1f77b4", lineWidth: 3).withErrorBars(errors)
        dots.pointLabels = values.map { String(format: "%.2f", $0) }
        // The literature's lines where they are near what was measured, as in the figure above (a
        // quick run's models lie a hundred nats and more above them).
        let lowest = values.min() ?? 80, highest = values.max() ?? 90
        let near = literature.filter { $0.nll > lowest - 15 }
        let bottom = (min(lowest, near.map(\.nll).min() ?? lowest) - 2).rounded(.down)
        let top = highest + max(2, 0.08 * (highest - bottom))
        let absent = near.count == literature.count ? "" : String(format: "\n(the literature's %.2f to %.2f nats lie below this range)",
                                                                   literature.map(\.nll).min()!, literature.map(\.nll).max()!)
        try figures.save(Figure(.lines([dots], title: "The configurations' NLL (dots, ± one standard error) against the literature's (dashed)\(absent)",
                                       xlabel: "configuration", ylabel: "NLL [nats per test digit] (lower is better)",
                                       xRange: -0.5...(Double(names.count) - 0.5), yRange: bottom...top, legend: .hidden,
                                       xTickLabels: TickLabel.categories(names),
                                       referenceLines: near.map { ReferenceLine.horizontal(at: $0.nll, $0.source) }),
                                width: 1200, height: 600), as: "ch12-literature")
    }
}
