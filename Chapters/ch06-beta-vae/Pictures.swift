// The figures of chapter 6. Each function takes the runs the lecture trained and draws them; the
// mathematics lives in main.swift.

import CourseSupport
import Foundation
import VAECore

enum Pictures {
    /// The decoder's Bernoulli means σ(logits) for codes z (N, D): (N, 1, 28, 28) in [0, 1],
    /// rounded to 0.001 for drawing: a PNG has 256 grey levels, and the figures' scripts, which
    /// hold every pixel as text, stay half as long.
    static func means(_ model: VAE, _ z: Tensor) throws -> Tensor {
        try model.decode(z).map { (StableMath.sigmoid($0) * 1000).rounded() / 1000 }
    }

    /// The legend entry of a sweep run.
    static func label(_ run: Run) -> String { "β = \(Sweep.format(run.beta))" }

    /// How long the compared models trained, for a title: "each trained 4 epochs" (a few epochs
    /// leave a model's ELBO well short of chapter 5's 30-epoch run, so a reader must be told).
    static func trainedFor(_ runs: [Run]) -> String {
        let epochs = Set(runs.map(\.history.epochs.count)).sorted()
        let count = epochs.map(String.init).joined(separator: " or ")
        return "each trained \(count) epoch\(epochs == [1] ? "" : "s") (chapter 5's full run: \(TrainingConfiguration.defaultEpochs))"
    }

    // MARK: Rate and distortion

    /// One point (R, D) per β on the test set, joined in order of β, with the line of equal ELBO
    /// through β = 1; and the three numbers against β.
    static func rateDistortion(_ runs: [Run], figures: FigureWriter) throws {
        var plane = runs.map { run in
            Series(label(run) + String(format: ": R %.1f, D %.1f", run.evaluation.kl, run.evaluation.reconstruction),
                   x: [run.evaluation.kl], y: [run.evaluation.reconstruction], style: .points, lineWidth: 3)
        }
        plane.append(Series("the sweep, β rising", x: runs.map(\.evaluation.kl), y: runs.map(\.evaluation.reconstruction),
                            style: .lines, color: "#999999", lineWidth: 1))
        var distortions = runs.map(\.evaluation.reconstruction)
        if let reference = runs.first(where: { $0.beta == 1 }) {
            // D + R = −ELBO(β = 1): every model on this line has β = 1's ELBO.
            let total = reference.evaluation.reconstruction + reference.evaluation.kl
            let rates = runs.map(\.evaluation.kl)
            let low = max(0, rates.min()! - 5), high = rates.max()! + 5
            plane.append(Series(String(format: "D + R = %.1f (the ELBO of β = 1)", total), x: [low, high],
                                y: [total - low, total - high], style: .dashed, color: "#555555", lineWidth: 1))
            distortions += [total - low, total - high]
        }
        // The points and lines in the lower 60% of the plane, the legend (a line per β, and two)
        // in the air above them: the points run from the top left to the bottom right, so no
        // corner inside their range is sure to be free of them.
        let (lowest, highest) = (distortions.min()!, distortions.max()!)
        let spread = max(highest - lowest, 1)
        let planeRange = (lowest - 0.05 * spread)...(lowest - 0.05 * spread + 1.1 * spread / 0.6)
        let betas = runs.map(\.beta)
        let againstBeta = Panel.lines([
            Series("−ELBO = D + R, ± 1 standard error", x: betas, y: runs.map { -$0.evaluation.elbo.mean }, style: .linesPoints)
                .withErrorBars(runs.map(\.evaluation.elbo.standardError)),
            Series("distortion D", x: betas, y: runs.map(\.evaluation.reconstruction), style: .linesPoints),
            Series("rate R", x: betas, y: runs.map(\.evaluation.kl), style: .linesPoints),
        ], title: "The test terms against β", xlabel: "β (log scale)", ylabel: "nats per image", logX: true,
           xRange: betaRange(betas), legend: .outside, xTickLabels: betaTicks(betas))
        try figures.save(Figure(title: "Rate against distortion on the binarized test set, one model per β, \(trainedFor(runs))", panels: [
            .lines(plane, title: "Rate–distortion plane (Alemi et al., 2018)", xlabel: "rate R = KL(q(z|x) ‖ p(z))  [nats]",
                   ylabel: "distortion D = −E_q[log p(x|z)]  [nats]", yRange: planeRange, legend: .topRight),
            againstBeta,
        ], columns: 2, width: 1500, height: 550), as: "ch06-rate-distortion")
    }

    /// A log axis of β that spans the sweep, with a tick at each β.
    static func betaRange(_ betas: [Double]) -> ClosedRange<Double> {
        let (low, high) = (betas.min() ?? 1, betas.max() ?? 1)
        return low / 1.3...(high > low ? high : low * 2) * 1.3
    }
    static func betaTicks(_ betas: [Double]) -> [TickLabel] { betas.map { TickLabel(Sweep.format($0), at: $0) } }

    // MARK: Active units

    /// Active units against β (with the dimensions that hold 90% of the rate), and each model's
    /// KL per dimension, largest first.
    static func activeUnits(_ runs: [Run], figures: FigureWriter) throws {
        let dimensions = runs[0].evaluation.latent.klPerDimension.count
        for run in runs {
            let latent = run.evaluation.latent
            let sorted = latent.klPerDimension.sorted(by: >)
            print("\(label(run)): \(latent.activeUnits) of \(dimensions) units active (Var_x μ_d > 0.01), \(latent.dimensionsHolding(0.9)) hold 90% of the KL;"
                  + " KL per dimension, largest first: " + sorted.map { String(format: "%.2f", $0) }.joined(separator: " "))
        }
        let ranks = Array(1...dimensions)
        let kls = runs.flatMap { $0.evaluation.latent.klPerDimension.map { max($0, 1e-3) } }
        try figures.save(Figure(title: "How many latent dimensions each β keeps (\(trainedFor(runs)))", panels: [
            .lines([Series("active units (Var_x μ_d > 0.01)", x: runs.map(\.beta), y: runs.map { Double($0.evaluation.latent.activeUnits) },
                           style: .linesPoints),
                    Series("dimensions holding 90% of the KL", x: runs.map(\.beta),
                           y: runs.map { Double($0.evaluation.latent.dimensionsHolding(0.9)) }, style: .linesPoints)],
                   title: "Dimensions in use against β, by two criteria", xlabel: "β (log scale)", ylabel: "dimensions (of \(dimensions))",
                   logX: true, xRange: betaRange(runs.map(\.beta)), yRange: 0...Double(dimensions + 1), legend: .bottomLeft,
                   xTickLabels: betaTicks(runs.map(\.beta))),
            .lines(runs.map { run in
                Series(label(run), x: ranks, y: run.evaluation.latent.klPerDimension.sorted(by: >).map { max($0, 1e-3) }, style: .linesPoints)
            }, title: "KL per dimension, sorted (nats per test image; floor 0.001)", xlabel: "dimension, by rank", ylabel: "KL_d [nats]",
               logY: true, xRange: 0.5...Double(dimensions) + 0.5, yRange: (kls.min() ?? 1e-3) / 2...(kls.max() ?? 1) * 2,
               legend: .bottomLeft, xTickStep: dimensions > 10 ? 2 : 1),
        ], columns: 2, width: 1400, height: 500)
            .waiving(.axisRange, because: "dimensions counted on their whole scale, from 0 to every dimension of the code"),
                         as: "ch06-active-units")
    }

    // MARK: Traversals

    /// For each run, one row per latent dimension (sorted by KL_d, largest first): the code μ(x)
    /// of `seedImage` with that dimension set to each of `values`, decoded.
    static func traversals(_ runs: [Run], seedImage: Tensor, values: [Double], figures: FigureWriter) throws {
        var panels: [Panel] = []
        for run in runs {
            let model = run.model
            let d = model.configuration.latentDimensions
            let (mean, _) = try model.encode(seedImage.reshaped([1, 1, 28, 28]))
            let kl = run.evaluation.latent.klPerDimension
            let order = kl.indices.sorted { kl[$0] > kl[$1] }
            var codes = Tensor(shape: [d * values.count, d])
            for (row, dimension) in order.enumerated() {
                for (column, value) in values.enumerated() {
                    let offset = (row * values.count + column) * d
                    codes.scalars.replaceSubrange(offset..<offset + d, with: mean.scalars)
                    codes.scalars[offset + dimension] = Float(value)
                }
            }
            // The rows are sorted by KL_d, so the dimensions that carry 90% of the KL are the
            // first `carrying` rows: the others are marked.
            let latent = run.evaluation.latent
            let carrying = latent.dimensionsHolding(0.9)
            let grid = try ImageGrid(try means(model, codes), rows: d, columns: values.count,
                                     rowTitles: order.enumerated().map { row, dimension in
                                         String(format: "z%d %.2f%@", dimension, kl[dimension], row < carrying ? "" : " ·")
                                     },
                                     columnTitles: values.map { String(format: "%g", $0) }, pixelScale: 2)
            panels.append(.images(grid, title: "\(label(run)): \(carrying) units carry 90% of the KL (rows without ·);\n"
                                  + "Var_x μ_d > 0.01 counts \(latent.activeUnits)"))
        }
        try figures.save(Figure(title: "Latent traversals: one dimension at a time from −3 to 3 (rows: dimension, its KL in nats, largest first;"
                                + " ·: outside the fewest dimensions that carry 90% of the KL)",
                                panels: panels, columns: panels.count), as: "ch06-traversals")
    }

    /// Test digits and their reconstructions by every model; and the same prior codes decoded by
    /// every model.
    static func reconstructionsAndSamples(_ runs: [Run], test: MNIST, figures: FigureWriter, seed: UInt64) throws {
        let columns = 10
        var random = RandomSource(seed: seed &+ 61)
        let picks = (0..<columns).map { _ in random.uniformInt(below: test.count) }
        let digits = Tensor(shape: [columns, 1, 28, 28], scalars: picks.flatMap { test.images.slice($0).scalars })
        let prior = Tensor.gaussian([columns, runs[0].model.configuration.latentDimensions], using: &random)
        var reconstructed = digits.scalars, sampled: [Float] = []
        for run in runs {
            reconstructed += try means(run.model, try run.model.encode(digits).mean).scalars
            sampled += try means(run.model, prior).scalars
        }
        let names = runs.map(label)
        let left = try ImageGrid(Tensor(shape: [columns * (runs.count + 1), 1, 28, 28], scalars: reconstructed),
                                 rows: runs.count + 1, columns: columns, rowTitles: ["test digit"] + names, pixelScale: 2)
        let right = try ImageGrid(Tensor(shape: [columns * runs.count, 1, 28, 28], scalars: sampled),
                                  rows: runs.count, columns: columns, rowTitles: names, pixelScale: 2)
        try figures.save(Figure(title: "What each β draws (\(trainedFor(runs)))", panels: [
            .images(left, title: "Reconstructions: decoder mean at z = μ(x)"),
            .images(right, title: "Samples: the same z ~ N(0, I) for every model"),
        ], columns: 2), as: "ch06-reconstructions-samples")
    }

    // MARK: Schedules

    /// The KL of the training batches against the step for the plain, warm-up and capacity
    /// runs, with the capacity target C; their reconstruction term; and β_t.
    static func schedules(_ runs: [Run], figures: FigureWriter) throws {
        func steps(_ run: Run) -> [Int] { run.history.steps.map(\.step) }
        // The runs are named in the middle panel's legend, in the same colours: this panel's own
        // legend names only the target, so that it covers none of the curves.
        var kl = runs.enumerated().map { k, run in
            Series("", x: steps(run), y: run.history.steps.map(\.terms.kl), color: ClassColors.color(k))
        }
        for run in runs {
            let targets = run.history.steps.compactMap(\.klWeight.capacity)
            if targets.count == run.history.steps.count {
                kl.append(Series("target C", x: steps(run), y: targets, style: .dashed, color: "#000000", lineWidth: 2.5))
            }
        }
        let reconstruction = runs.map { run in Series(run.name, x: steps(run), y: run.history.steps.map(\.terms.reconstruction)) }
        let weights = runs.filter { $0.history.steps.allSatisfy { $0.klWeight.capacity == nil } }.map { run in
            Series(run.name, x: steps(run), y: run.history.steps.map(\.klWeight.weight))
        }
        let epochEnds = runs[0].history.epochs.map(\.step)
        print("epochs end at steps " + epochEnds.map(String.init).joined(separator: ", "))
        // Warm-up's first steps, at β ≈ 0, put hundreds of nats in the code: the axis stops at
        // twice the largest final KL so that the tracking of C stays visible; the peak is named.
        var title = "KL(q(z|x) ‖ p(z)) of the training batch (colours as beside)"
        var range: ClosedRange<Double>? = nil
        let finals = runs.compactMap { $0.history.steps.last?.terms.kl }
        let peak = runs.flatMap { $0.history.steps.map(\.terms.kl) }.max() ?? 0
        if let top = finals.max(), peak > 2 * top {
            let peakRun = runs.first { $0.history.steps.contains { $0.terms.kl == peak } }!
            range = 0...(2 * top)
            title += String(format: "\n(%@ peaks at %.0f nats, above the axis)", peakRun.name.components(separatedBy: ":")[0], peak)
            print(String(format: "the KL of a training batch peaks at %.1f nats in the %@ run", peak, peakRun.name))
        }
        try figures.save(Figure(title: "Schedules for the KL weight: one training batch every few steps (\(trainedFor(runs)))", panels: [
            .lines(kl, title: title, xlabel: "step", ylabel: "nats per image", yRange: range, legend: .bottomRight),
            // Bottom left: the curves fall from the top left and stay high, so that corner is free.
            .lines(reconstruction, title: "Reconstruction term of the training batch", xlabel: "step", ylabel: "nats per image",
                   logY: true, legend: .bottomLeft),
            .lines(weights, title: "The KL weight β_t", xlabel: "step", ylabel: "β", yRange: 0...1.1, legend: .bottomRight),
        ], columns: 3, width: 1800, height: 520), as: "ch06-schedules")
    }
}
