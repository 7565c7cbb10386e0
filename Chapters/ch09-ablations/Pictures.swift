// The figures of chapter 9, and the checkerboard index. Each function takes the runs a sweep
// trained and draws them; what the sweeps mean lives in main.swift.

import CourseSupport
import Foundation
import VAECore

enum Pictures {
    /// The span of the smoothing of the training batches' curves, in recorded batches.
    static let smoothingSpan = 25.0

    /// The recorded batches' values smoothed (an exponential moving average of span 25 records,
    /// bias-corrected, so that the start of the curve bends nowhere the data does not): each
    /// point is one batch, and noisy.
    static func smoothed(_ values: [Double]) -> [Double] {
        exponentialMovingAverage(values, span: smoothingSpan)
    }

    /// The recorded training batches of a run: step and −ELBO (reconstruction + KL, whatever the
    /// objective), smoothed.
    static func trainingLoss(_ run: Outcome) -> (steps: [Double], loss: [Double]) {
        let steps = run.history.steps
        return (steps.map { Double($0.step) }, smoothed(steps.map { $0.terms.reconstruction + $0.terms.kl }))
    }

    // MARK: The size of the code

    static func latent(sizes: [Int], outcomes: [[Outcome]], nll: [MeanEstimate], samples: Int, figures: FigureWriter) throws {
        let d = sizes.map(Double.init)
        let seeds = outcomes[0].map(\.seed)
        var likelihood = [Series("NLL, k = \(samples) (seed \(seeds[0]))", x: d, y: nll.map(\.mean), style: .linesPoints, lineWidth: 2.5)]
        for (s, seed) in seeds.enumerated() {
            likelihood.append(Series("−ELBO, seed \(seed)", x: d, y: outcomes.map { -$0[s].test.elbo.mean }, style: s == 0 ? .linesPoints : .dashed))
        }
        var terms: [Series] = []
        for (s, seed) in seeds.enumerated() {
            terms.append(Series("reconstruction, seed \(seed)", x: d, y: outcomes.map { $0[s].test.reconstruction },
                                style: s == 0 ? .linesPoints : .dashed, color: "#1f77b4"))
            terms.append(Series("KL, seed \(seed)", x: d, y: outcomes.map { $0[s].test.kl }, style: s == 0 ? .linesPoints : .dashed,
                                color: "#d62728"))
        }
        let used = [
            Series("D (every dimension)", x: d, y: d, style: .dashed, color: "#999999", lineWidth: 1),
            Series("active units (Var_x μ_d > 0.01)", x: d, y: outcomes.map { Double($0[0].test.latent.activeUnits) }, style: .linesPoints),
            Series("dimensions holding 90% of the KL", x: d, y: outcomes.map { Double($0[0].test.latent.dimensionsHolding(0.9)) },
                   style: .linesPoints),
        ]
        let perDimension = zip(sizes, outcomes).map { size, runs in
            let kl = runs[0].test.latent.klPerDimension.sorted(by: >)
            return Series("D = \(size)", x: Array(1...kl.count), y: kl.map { max($0, 1e-3) }, style: .linesPoints, lineWidth: 1.5)
        }
        try figures.save(Figure(title: "The size of the code, D: every model the baseline with another D (test set, \(outcomes[0][0].configuration.epochs) epochs)",
                                panels: [
            .lines(likelihood, title: "NLL and −ELBO", xlabel: "latent dimensions D (log scale)", ylabel: "nats per image",
                   logX: true, legend: .topRight),
            .lines(terms, title: "The ELBO's two terms", xlabel: "latent dimensions D (log scale)", ylabel: "nats per image",
                   logX: true, legend: .outside),
            .lines(used, title: "Dimensions the code uses", xlabel: "latent dimensions D (log scale)", ylabel: "dimensions (log scale)",
                   logX: true, logY: true, legend: .topLeft),
            .lines(perDimension, title: "KL per dimension, largest first (seed \(seeds[0]); floor 0.001)", xlabel: "rank (log scale)",
                   ylabel: "KL_d [nats]", logX: true, logY: true, legend: .topRight),
        ], columns: 2, width: 1500, height: 1050), as: "ch09-latent")
    }

    // MARK: The networks

    static func architectures(names: [String], outcomes: [Outcome], nll: [MeanEstimate], samples: Int, figures: FigureWriter) throws {
        // A log axis spans whole decades unless told: a margin of a fifth of the data's span each side.
        func logRange(_ values: [Double]) -> ClosedRange<Double> {
            let (lo, hi) = (values.min() ?? 1, values.max() ?? 10)
            let margin = max(pow(hi / lo, 0.2), 1.3)
            return (lo / margin)...(hi * margin)
        }
        // One point per model, named beside it, in the three panels alike. A name is written on
        // the right of its point unless another model's point lies where it would run (to its
        // right within the name's width, NLL within 1.5 nats; of two points at the same cost, the
        // first): then on the left. Swish and the reference have the same parameters and FLOPs.
        func points(_ x: (Outcome) -> Double, range: ClosedRange<Double>, log logScale: Bool) -> [Series] {
            let xs = outcomes.map(x), ys = nll.map(\.mean)
            // Where a cost falls across the panel, 0 to 1; a name's width in that unit (about a
            // sixtieth of the panel per letter at this size).
            func across(_ value: Double) -> Double {
                logScale ? log(value / range.lowerBound) / log(range.upperBound / range.lowerBound)
                    : (value - range.lowerBound) / (range.upperBound - range.lowerBound)
            }
            return names.indices.map { i in
                var point = Series(names[i], x: [xs[i]], y: [ys[i]], style: .points, lineWidth: 3)
                point.pointLabels = [names[i]]
                let width = Double(names[i].count + 2) / 60
                let crowded = names.indices.contains { j in
                    guard j != i, abs(ys[j] - ys[i]) < 1.5 else { return false }
                    let dx = across(xs[j]) - across(xs[i])
                    return (dx > 1e-9 || (abs(dx) <= 1e-9 && i < j)) && dx < width
                }
                if crowded { point.pointLabelSide = .left }
                return point
            }
        }
        let seconds = outcomes.map(\.secondsPerEpoch), parameters = outcomes.map { Double($0.parameters) }, flop = outcomes.map(\.trainingMFLOP)
        let secondsRange = 0...(1.25 * (seconds.max() ?? 1))
        try figures.save(Figure(title: "The networks: NLL (k = \(samples), first test digits) against three costs, one point per model, \(trainedFor(outcomes))",
                                panels: [
            .lines(points(\.secondsPerEpoch, range: secondsRange, log: false), title: "against seconds per epoch (as measured when trained)",
                   xlabel: "seconds per epoch", ylabel: "NLL [nats]", xRange: secondsRange, legend: .hidden),
            .lines(points({ Double($0.parameters) }, range: logRange(parameters), log: true), title: "against parameters",
                   xlabel: "parameters (log scale)", ylabel: "NLL [nats]", logX: true, xRange: logRange(parameters), legend: .hidden),
            .lines(points(\.trainingMFLOP, range: logRange(flop), log: true), title: "against FLOPs",
                   xlabel: "MFLOP per image, training step (log scale)", ylabel: "NLL [nats]", logX: true, xRange: logRange(flop),
                   legend: .hidden),
        ], columns: 3, width: 1900, height: 560), as: "ch09-architectures")
    }

    /// The share of the images' spectral energy (their means removed) on the Nyquist row and column
    /// of their 2-D DFTs, averaged over the images (N, 1, 28, 28): by Parseval,
    /// 28·[Σ_j (Σ_i (−1)^i p_ij)² + Σ_i (Σ_j (−1)^j p_ij)²] / (784·Σ p² − (Σ p)²). A blank image counts 0.
    static func checkerboardIndex(images: Tensor) -> Double {
        let (n, h, w) = (images.shape[0], images.shape[2], images.shape[3])
        var total = 0.0
        images.withUnsafeBufferPointer { p in
            for k in 0..<n {
                let base = k * h * w
                var columns = [Double](repeating: 0, count: w), rows = [Double](repeating: 0, count: h)
                var sum = 0.0, squares = 0.0
                for i in 0..<h {
                    for j in 0..<w {
                        let v = Double(p[base + i * w + j])
                        columns[j] += (i % 2 == 0 ? v : -v)
                        rows[i] += (j % 2 == 0 ? v : -v)
                        sum += v; squares += v * v
                    }
                }
                let energy = Double(h * w) * squares - sum * sum
                guard energy > 1e-12 else { continue }
                let nyquist = Double(h) * columns.reduce(0) { $0 + $1 * $1 } + Double(w) * rows.reduce(0) { $0 + $1 * $1 }
                total += nyquist / energy
            }
        }
        return total / Double(n)
    }

    /// The checkerboard index of 1,000 prior samples' Bernoulli means (the same ε for every model).
    static func checkerboardIndex(of model: VAE, seed: UInt64) throws -> Double {
        var random = RandomSource(seed: seed &+ 91)
        return checkerboardIndex(images: try model.samplePrior(count: 1000, using: &random))
    }

    /// Each image's period-2 component: the image convolved with [1, −2, 1]ᵀ[1, −2, 1]/16 (edges
    /// replicated), in absolute value.
    static func periodTwoComponent(_ images: Tensor) -> Tensor {
        let (n, h, w) = (images.shape[0], images.shape[2], images.shape[3])
        let kernel: [Double] = [1, -2, 1]
        var out = Tensor(shape: images.shape)
        for k in 0..<n {
            for i in 0..<h {
                for j in 0..<w {
                    var value = 0.0
                    for a in 0..<3 {
                        for b in 0..<3 {
                            let r = min(max(i + a - 1, 0), h - 1), c = min(max(j + b - 1, 0), w - 1)
                            value += kernel[a] * kernel[b] * Double(images.scalars[(k * h + r) * w + c])
                        }
                    }
                    out.scalars[(k * h + i) * w + j] = Float(abs(value) / 16)
                }
            }
        }
        return out
    }

    /// The close-up: the same prior codes decoded by each model, at eight screen pixels per
    /// image pixel, and each image's period-2 component.
    static func checkerboard(names: [String], models: [VAE], indices: [Double], seed: UInt64, figures: FigureWriter) throws {
        let columns = 5
        var images: [Float] = [], components: [Float] = []
        for model in models {
            var random = RandomSource(seed: seed &+ 92)
            let means = try model.samplePrior(count: columns, using: &random)
            images += means.scalars
            components += periodTwoComponent(means).scalars
        }
        let titles = zip(names, indices).map { String(format: "%@ (index %.4f)", $0, $1) }
        let shape = [columns * models.count, 1, 28, 28]
        let decoded = try ImageGrid(Tensor(shape: shape, scalars: images), rows: models.count, columns: columns, rowTitles: titles, pixelScale: 6)
        let periodTwo = try ImageGrid(Tensor(shape: shape, scalars: components), rows: models.count, columns: columns, rowTitles: titles,
                                      palette: .viridis, valueRange: 0...0.15, pixelScale: 6)
        // One panel above the other, so that the figure stays about as wide as a page.
        try figures.save(Figure(title: "The checkerboard, close up: the same codes z ~ N(0, I) through each decoder\n"
                                + "index: the images' share of spectral energy on the Nyquist row and column (0 for none)", panels: [
            .images(decoded, title: "decoder means σ(ℓ), grey scale 0 (black) to 1 (white)"),
            .images(periodTwo, title: "their period-2 component |[1 −2 1]ᵀ[1 −2 1]/16 ∗ p|, viridis 0 (dark) to 0.15 (yellow)"),
        ], columns: 1), as: "ch09-checkerboard")
    }

    /// How long the compared runs trained, for a title: "2 epochs each" (a sweep's runs are short,
    /// so their ELBOs lie well above chapter 5's 30-epoch run).
    static func trainedFor(_ runs: [Outcome]) -> String {
        let epochs = Set(runs.map(\.history.epochs.count)).sorted()
        return epochs.map(String.init).joined(separator: " or ") + " epoch\(epochs == [1] ? "" : "s") each"
    }

    // MARK: Training curves

    /// The smoothed training −ELBO of each run against the epoch and against the seconds of
    /// training (the run's measured seconds per update), with the test −ELBO after each epoch.
    static func trainingCurves(names: [String], runs: [Outcome], title: String, as name: String, figures: FigureWriter) throws {
        var byEpoch: [Series] = [], bySecond: [Series] = [], tests: [Series] = []
        for (index, (label, run)) in zip(names, runs).enumerated() {
            let (steps, loss) = trainingLoss(run)
            let colour = ClassColors.tab10[index % 10]
            byEpoch.append(Series(label, x: steps.map { $0 / Double(run.stepsPerEpoch) }, y: loss, color: colour))
            bySecond.append(Series(label, x: steps.map { $0 * run.secondsPerStep }, y: loss, color: colour))
            tests.append(Series("", x: run.history.epochs.map { Double($0.epoch) }, y: run.history.epochs.map { -($0.test?.elbo ?? .nan) },
                                style: .points, color: colour, lineWidth: 2.5))
        }
        try figures.save(Figure(title: "\(title): −ELBO of the training batches (exponential moving average, span 25 recorded batches), seed \(runs[0].seed), \(trainedFor(runs))",
                                panels: [
            .lines(byEpoch + tests, title: "against epochs (points: test −ELBO after each epoch, first test digits)", xlabel: "epoch",
                   ylabel: "−ELBO [nats] (log scale)", logY: true, legend: .topRight),
            .lines(bySecond, title: "against seconds of training (as measured when trained)", xlabel: "seconds",
                   ylabel: "−ELBO [nats] (log scale)", logY: true, legend: .topRight),
        ], columns: 2, width: 1600, height: 600), as: name)
    }

    static func schedules(names: [String], runs: [Outcome], figures: FigureWriter) throws {
        let rates = zip(names, runs).map { name, run in
            Series(name, x: run.history.steps.map(\.step), y: run.history.steps.map { Double($0.learningRate) })
        }
        let losses = zip(names, runs).map { name, run -> Series in
            let (steps, loss) = trainingLoss(run)
            return Series(name, x: steps, y: loss)
        }
        try figures.save(Figure(title: "The learning-rate schedule (Adam, η₀ = 10⁻³), seed \(runs[0].seed), \(trainedFor(runs))", panels: [
            // Air above the largest rate for the legend, which would cover the constant schedule.
            .lines(rates, title: "η at each update", xlabel: "update", ylabel: "learning rate",
                   yRange: 0...(1.4 * (rates.flatMap(\.y).max() ?? 1e-3)), legend: .topRight),
            .lines(losses, title: "−ELBO of the training batches (exponential moving average, span 25)", xlabel: "update", ylabel: "−ELBO [nats] (log scale)",
                   logY: true, legend: .topRight),
        ], columns: 2, width: 1600, height: 600), as: "ch09-schedules")
    }

    static func klStrategies(names: [String], runs: [Outcome], freeBits: Double, figures: FigureWriter) throws {
        let d = runs[0].test.latent.klPerDimension.count
        var perDimension = zip(names, runs).map { name, run in
            Series(name, x: Array(1...d), y: run.test.latent.klPerDimension.sorted(by: >).map { max($0, 1e-3) }, style: .linesPoints)
        }
        perDimension.append(Series(String(format: "λ = %g nats (free bits)", freeBits), x: [1, d], y: [freeBits, freeBits],
                                   style: .dashed, color: "#555555", lineWidth: 1))
        let batches = zip(names, runs).map { name, run in
            Series(name, x: run.history.steps.map(\.step), y: smoothed(run.history.steps.map(\.terms.kl)))
        }
        try figures.save(Figure(title: "KL warm-up and free bits, seed \(runs[0].seed), \(trainedFor(runs))", panels: [
            .lines(perDimension, title: "KL per dimension on the test set, largest first (floor 0.001)", xlabel: "rank",
                   ylabel: "KL_d [nats] (log scale)", logY: true, legend: .bottomLeft),
            .lines(batches, title: "KL of the training batches (exponential moving average, span 25)", xlabel: "update", ylabel: "KL [nats]",
                   legend: .topRight),
        ], columns: 2, width: 1600, height: 600), as: "ch09-kl-strategies")
    }

    static func binarization(runs: [Outcome], curveImages: Int, figures: FigureWriter) throws {
        var curves: [Series] = [], gaps: [Series] = []
        let colours = ["#1f77b4", "#d62728"]
        for (run, colour) in zip(runs, colours) {
            let mode = run.configuration.binarization.rawValue
            let epochs = run.history.epochs.map { Double($0.epoch) }
            let test = run.history.epochs.map { -($0.test?.elbo ?? .nan) }
            let train = run.trainCurve.map { -$0 }
            curves.append(Series("\(mode): training images (the static draw)", x: epochs, y: train, style: .linesPoints, color: colour))
            curves.append(Series("\(mode): test images", x: epochs, y: test, style: .dashed, color: colour))
            gaps.append(Series(mode, x: epochs, y: zip(train, test).map { $1 - $0 }, style: .linesPoints, color: colour))
        }
        try figures.save(Figure(title: "Static against dynamic binarization: \(runs[0].configuration.subset ?? 0) training digits, seed \(runs[0].seed)",
                                panels: [
            .lines(curves, title: "−ELBO after each epoch (first \(curveImages) images of each set)", xlabel: "epoch", ylabel: "−ELBO [nats]",
                   legend: .topRight),
            .lines(gaps, title: "the gap: test −ELBO − training −ELBO", xlabel: "epoch", ylabel: "nats per image", legend: .topLeft),
        ], columns: 2, width: 1600, height: 600), as: "ch09-binarization")
    }

    // MARK: Noise

    /// Per two-seed sweep, each point's ELBO minus the reference's, one marker per seed, with the
    /// band of ± the sweep's (median) noise.
    static func noise(_ sweeps: [(name: String, comparison: SeedComparison)], figures: FigureWriter) throws {
        // The legend is the same in every panel: it is said once, in the title, and the panels
        // keep all their room for the points.
        var panels = sweeps.map { sweep -> Panel in
            let rows = sweep.comparison.rows
            let x = rows.indices.map(Double.init)
            let seeds = rows.first?.differences.count ?? 0
            var series = (0..<seeds).map { s in
                Series(s == 0 ? "first seed (--seed)" : "second seed", x: x, y: rows.map { $0.differences[s] }, style: .points,
                       color: ClassColors.color(s), lineWidth: 3)
            }
            let noise = sweep.comparison.noise
            if noise.isFinite {
                series.append(Series("± noise", x: [-0.5, Double(rows.count) - 0.5], y: [noise, noise], style: .dashed, color: "#777777", lineWidth: 1))
                series.append(Series("", x: [-0.5, Double(rows.count) - 0.5], y: [-noise, -noise], style: .dashed, color: "#777777", lineWidth: 1))
            }
            return .lines(series, title: sweep.name + (noise.isFinite ? String(format: " (noise ± %.2f nats)", noise) : ""), xlabel: "setting",
                          ylabel: "ELBO − the reference's [nats]", xRange: -0.5...(Double(rows.count) - 0.5), legend: .hidden,
                          xTickLabels: TickLabel.categories(rows.map(\.value)))
        }
        // A row of three keeps the panels legible; a last row that would be left part empty
        // gets the noise of every sweep, side by side, in its free place.
        let columns = min(3, panels.count)
        if panels.count > 3, panels.count % 3 != 0 {
            let finite = sweeps.filter { $0.comparison.noise.isFinite }
            panels.append(.bars(BarChart(categories: finite.map(\.name), groups: [.init("noise", values: finite.map(\.comparison.noise))],
                                         valueFormat: "%.2f"),
                                title: "The noise of each sweep: the median seed-to-seed spread", xlabel: "sweep", ylabel: "nats",
                                legend: .hidden))
        }
        let rows = (panels.count + columns - 1) / columns
        try figures.save(Figure(title: "Each setting's ELBO minus its sweep's reference (the baseline, or Adam at its rate): "
                                + "blue the first seed (--seed), orange the second; dashed: ± the sweep's noise",
                                panels: panels, columns: columns, width: 1800, height: 500 * rows),
                         as: "ch09-noise")
    }
}
