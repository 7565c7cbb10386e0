// The figures of chapter 5. Each function takes what the lecture computed and draws it; the
// mathematics lives in main.swift and the library.

import CourseSupport
import Foundation
import VAECore

enum Pictures {
    /// Rows of a batch (N, 1, 28, 28) as the flat pixel arrays an image grid takes.
    static func rows(_ images: Tensor) -> [[Float]] {
        (0..<images.shape[0]).map { images.slice($0).scalars }
    }

    /// A tick step for an axis of `epochs` epochs: every epoch up to 10, then 2, 5 or 10, so that
    /// the ticks stay whole epochs.
    static func epochTicks(_ epochs: Int) -> Double {
        switch epochs {
        case ...10: 1
        case ...20: 2
        case ...50: 5
        default: 10
        }
    }

    /// Epochs spread evenly on a log scale from the first to the last of `available` (0 kept
    /// when there), at most `count` of them, always including the last.
    static func logSpaced(_ available: [Int], count: Int) -> [Int] {
        guard let last = available.last, available.count > count else { return available }
        let positive = available.filter { $0 > 0 }
        var chosen: [Int] = available.first == 0 ? [0] : []
        let slots = count - chosen.count
        guard let first = positive.first, slots > 1 else { return chosen + [last] }
        for i in 0..<slots {
            let target = exp(log(Double(first)) + (log(Double(last)) - log(Double(first))) * Double(i) / Double(slots - 1))
            let nearest = positive.min { abs(log(Double($0)) - log(target)) < abs(log(Double($1)) - log(target)) }!
            if !chosen.contains(nearest) { chosen.append(nearest) }
        }
        return chosen.sorted()
    }

    // MARK: The model

    /// The network as boxes and arrows, drawn from the model's own layout.
    static func architecture(_ model: VAE, figures: FigureWriter) throws {
        let name = model.configuration.architecture.presetName.map { "the \($0) architecture" } ?? "its architecture"
        try figures.save(Figure(.diagram(Diagram.architecture(of: model),
                                         title: "The VAE, \(name), \(model.configuration.latentDimensions) latent dimensions: every layer with its output shape")),
                         as: "ch05-architecture")
    }

    // MARK: Training curves

    /// Reconstruction, KL and their sum per epoch, for the training batches and the test set,
    /// and the loss of the recorded batches against the epoch.
    static func lossCurves(_ history: TrainingHistory, stepsPerEpoch: Int, figures: FigureWriter) throws {
        let epochs = history.epochs.map(\.epoch)
        let last = epochs.last ?? 1
        let ticks = epochTicks(last)
        let span: ClosedRange<Double>? = last > 1 ? 1...Double(last) : nil
        func panel(_ title: String, _ value: (ELBOTerms) -> Double) -> Panel {
            var series = [Series("train (mean over the epoch's batches)", x: epochs, y: history.epochs.map { value($0.train) }, style: .linesPoints)]
            let tested = history.epochs.filter { $0.test != nil }
            if !tested.isEmpty {
                series.append(Series("test (after the epoch)", x: tested.map(\.epoch), y: tested.map { value($0.test!) }, style: .linesPoints))
            }
            // The legend where the curve is not: below it when the term rises over training.
            let train = history.epochs.map { value($0.train) }
            return .lines(series, title: title, xlabel: "epoch", ylabel: "nats per image", xRange: span,
                          legend: (train.last ?? 0) > (train.first ?? 0) ? .bottomRight : .topRight, xTickStep: ticks)
        }
        // The batches' loss on a linear axis: the first half epoch, where it falls from hundreds
        // of nats, runs off the top, so that the slow part of the curve is not flattened.
        let steps = history.steps
        let x = steps.map { Double($0.step) / Double(stepsPerEpoch) }
        let loss = steps.map { $0.terms.reconstruction + $0.terms.kl }
        let settled = zip(x, loss).filter { $0.0 >= 0.5 }.map(\.1)
        let low = (loss.min() ?? 0) - 1, high = (settled.max() ?? loss.max() ?? 1) + 1
        let perStep = Panel.lines([Series("−ELBO of one batch", x: x, y: loss, lineWidth: 1)],
                                  title: String(format: "One training batch in %d (the first, at %.0f nats, is off the top)",
                                                history.steps.count > 1 ? steps[1].step - steps[0].step : 1, loss.first ?? 0),
                                  xlabel: "epoch", ylabel: "nats per image", xRange: 0...Double(max(last, 1)),
                                  yRange: low < high ? low...high : nil, legend: .hidden, xTickStep: ticks)
        try figures.save(Figure(title: "Loss curves", panels: [
            panel("Reconstruction −E_q[log p(x|z)]") { $0.reconstruction },
            panel("KL(q(z|x) ‖ p(z))") { $0.kl },
            panel("Total: −ELBO") { $0.reconstruction + $0.kl },
            perStep,
        ], columns: 2, width: 1200, height: 900), as: "ch05-loss-curves")
    }

    /// The learning rate at every recorded step, under the run's schedule.
    static func learningRate(_ history: TrainingHistory, schedule: LearningRateScheduleKind, stepsPerEpoch: Int,
                             figures: FigureWriter) throws {
        let shape = switch schedule {
        case .constant: "constant"
        case .cosine: "cosine decay to a tenth"
        case .step: "three steps down to a tenth"
        case .warmupCosine: "linear warm-up, then cosine decay to a tenth"
        }
        let steps = history.steps
        let epochs = Double(history.epochs.last?.epoch ?? 1)
        let rates = steps.map { Double($0.learningRate) }
        try figures.save(Figure(.lines([Series("learning rate", x: steps.map { Double($0.step) / Double(stepsPerEpoch) }, y: rates)],
                                       title: "Learning-rate schedule: \(shape)",
                                       xlabel: "epoch", ylabel: "learning rate", xRange: 0...epochs,
                                       yRange: 0...((rates.max() ?? 1e-3) * 1.08), legend: .hidden,
                                       xTickStep: epochTicks(Int(epochs)))),
                         as: "ch05-learning-rate")
    }

    /// The same ten codes decoded after each epoch: the model learning to draw, at epochs spread
    /// on a log scale up to the last (most of the change is early).
    static func progressive(_ snapshots: [(epoch: Int, images: Tensor)], figures: FigureWriter) throws {
        guard !snapshots.isEmpty else { return }
        let epochs = logSpaced(snapshots.map(\.epoch), count: 8)
        let chosen = snapshots.filter { epochs.contains($0.epoch) }
        let grid = try ImageGrid(images: chosen.flatMap { rows($0.images) }, rows: chosen.count, columns: 10,
                                 rowTitles: chosen.map { "epoch \($0.epoch)" })
        try figures.save(Figure(.images(grid, title: "Progressive generation: the same 10 codes z after epochs \(epochs.map(String.init).joined(separator: ", "))")),
                         as: "ch05-progressive")
    }

    // MARK: Inside the training

    /// The first convolution's filters at a few epochs (log-spaced, from the initial weights to
    /// the last), on one colour scale; below them, each later epoch's change from the initial
    /// filters, w_e − w_0, on a colour scale of its own (the change is a fraction of the weights,
    /// and on theirs it would not show).
    static func filterEvolution(_ recorded: TrainingProbe.Recorded, figures: FigureWriter) throws {
        guard let shape = recorded.filters.first?.shape, shape.count == 4, shape[1] == 1,
              let initialIndex = recorded.epochs.firstIndex(of: recorded.epochs.min()!) else { return }
        let epochs = logSpaced(recorded.epochs, count: 6)
        let rowsOfEpochs = epochs.compactMap { e in recorded.epochs.firstIndex(of: e).map { (e, recorded.filters[$0]) } }
        let (count, kh, kw) = (shape[0], shape[2], shape[3])
        let size = kh * kw
        func filters(_ w: [Float]) -> [[Float]] { (0..<count).map { Array(w[($0 * size)..<(($0 + 1) * size)]) } }
        func name(_ epoch: Int) -> String { epoch == 0 ? "initial" : "epoch \(epoch)" }
        let initialEpoch = recorded.epochs[initialIndex]
        let initial = recorded.filters[initialIndex].scalars
        let largest = Double(rowsOfEpochs.flatMap { $0.1.scalars.map(abs) }.max() ?? 1)
        var weights = try ImageGrid(images: rowsOfEpochs.flatMap { filters($0.1.scalars) },
                                    height: kh, width: kw, rows: rowsOfEpochs.count, columns: count,
                                    rowTitles: rowsOfEpochs.map { name($0.0) },
                                    palette: .blueWhiteRed, valueRange: -largest...largest, gap: 1, pixelScale: 8)
        weights.showColorbar = true
        let later = rowsOfEpochs.filter { $0.0 != initialEpoch }
        guard !later.isEmpty else {
            try figures.save(Figure(.images(weights, title: String(format: "encoder.conv1's %d filters (%d×%d), one colour scale (±%.2f)",
                                                                   count, kh, kw, largest))),
                             as: "ch05-filter-evolution")
            return
        }
        let changes = later.map { _, w in zip(w.scalars, initial).map { $0 - $1 } }
        let largestChange = Double(max(changes.joined().map(abs).max() ?? 0, 1e-6))
        // As many rows as the grid above, the last one empty: the two grids come out the same
        // size, each filter under itself.
        let changeRows = max(rowsOfEpochs.count, later.count)
        var change = try ImageGrid(images: changes.flatMap(filters), height: kh, width: kw, rows: changeRows, columns: count,
                                   rowTitles: later.map { name($0.0) } + Array(repeating: "", count: changeRows - later.count),
                                   palette: .blueWhiteRed, valueRange: -largestChange...largestChange, gap: 1, pixelScale: 8)
        change.showColorbar = true
        // How far the filters moved by the last epoch, relative to where they started, filter by filter.
        let last = changes.last!
        let relative = (0..<count).map { k -> Double in
            let moved = last[(k * size)..<((k + 1) * size)].reduce(0.0) { $0 + Double($1 * $1) }
            let start = initial[(k * size)..<((k + 1) * size)].reduce(0.0) { $0 + Double($1 * $1) }
            return (moved / max(start, 1e-12)).squareRoot()
        }.sorted()
        let median = relative[relative.count / 2]
        print(String(format: "encoder.conv1's filters, ‖w − w_0‖/‖w_0‖ at %@: median %.2f, range %.2f to %.2f (largest change of a weight %.3f)",
                     name(later.last!.0), median, relative.first!, relative.last!, largestChange))
        try figures.save(Figure(title: String(format: "encoder.conv1's %d filters (%d×%d) during training; by %@ the median filter has moved %.0f%% of its initial norm",
                                              count, kh, kw, name(later.last!.0), 100 * median), panels: [
            .images(weights, title: String(format: "The filters w_e, one colour scale for every epoch (±%.2f)", largest)),
            .images(change, title: String(format: "Their change since the initial filters, w_e − w_0, on a finer colour scale of its own (±%.3f)", largestChange)),
        ], columns: 1, width: (count * (kw + 1) - 1) * 8 + 220),   // room right of the grids for the colour bars' numbers
                         as: "ch05-filter-evolution")
    }

    /// Per layer and epoch: the norm of the reconstruction's gradient and of the KL's.
    static func gradientFlow(_ recorded: TrainingProbe.Recorded, figures: FigureWriter) throws {
        let names = recorded.layers.map(\.name)
        let epochs = recorded.epochs
        let last = epochs.last ?? 1
        func lines(_ table: [[Double]], only: (String) -> Bool) -> [Series] {
            names.indices.filter { only(names[$0]) }.map { l in
                Series(names[l], x: epochs, y: table.map { max($0[l], 1e-12) }, style: .linesPoints, color: ClassColors.color(l), lineWidth: 1.5)
            }
        }
        let encoderOnly = { (name: String) in name.hasPrefix("encoder.") }
        let ratio = names.indices.filter { encoderOnly(names[$0]) }.map { l in
            Series(names[l], x: epochs, y: zip(recorded.klGradient, recorded.reconstructionGradient).map { $0[l] / max($1[l], 1e-30) },
                   style: .linesPoints, color: ClassColors.color(l), lineWidth: 1.5)
        }
        let lastRow = recorded.epochs.count - 1
        let bars = BarChart(categories: names.map { $0.replacingOccurrences(of: "encoder.", with: "enc.").replacingOccurrences(of: "decoder.", with: "dec.") },
                            groups: [.init("reconstruction", values: recorded.reconstructionGradient[lastRow], color: "#1f77b4"),
                                     .init("KL", values: recorded.klGradient[lastRow].map { $0 > 0 ? $0 : .nan }, color: "#d62728")])
        let ticks = epochTicks(last)
        try figures.save(Figure(title: "Gradient flow in the VAE: each layer's gradient norm ‖∂/∂θ‖₂ on a fixed batch of 128 training digits, per term of the loss",
                                panels: [
            .lines(lines(recorded.reconstructionGradient) { _ in true }, title: "Reconstruction term −log p(x|z): every layer",
                   xlabel: "epoch (0: the initial weights)", ylabel: "gradient norm", logY: true, legend: .outside, xTickStep: ticks),
            .lines(lines(recorded.klGradient, only: encoderOnly), title: "KL term: the encoder only (the decoder gets none)",
                   xlabel: "epoch (0: the initial weights)", ylabel: "gradient norm", logY: true, legend: .outside, xTickStep: ticks),
            .lines(ratio, title: "KL against reconstruction in the encoder: ‖g_KL‖ / ‖g_rec‖",
                   xlabel: "epoch (0: the initial weights)", ylabel: "ratio", logY: true, legend: .outside, xTickStep: ticks),
            .bars(bars, title: "After epoch \(last): both terms per layer", ylabel: "gradient norm", logY: true, legend: .topRight),
        ], columns: 2, width: 1400, height: 950), as: "ch05-gradient-flow")
    }

    /// Per layer and epoch: the weights' norm, Adam's last update relative to it, and the weights'
    /// histograms at a few epochs.
    static func parameterEvolution(_ recorded: TrainingProbe.Recorded, figures: FigureWriter) throws {
        let names = recorded.layers.map(\.name)
        let epochs = recorded.epochs
        let last = epochs.last ?? 1
        let ticks = epochTicks(last)
        let norms = names.indices.map { l in
            Series(names[l], x: epochs, y: recorded.weightNorm.map { $0[l] }, style: .linesPoints, color: ClassColors.color(l), lineWidth: 1.5)
        }
        let trained = recorded.epochs.indices.filter { recorded.epochs[$0] > 0 }
        let ratios = names.indices.map { l in
            Series(names[l], x: trained.map { epochs[$0] }, y: trained.map { recorded.updateRatio[$0][l] },
                   style: .linesPoints, color: ClassColors.color(l), lineWidth: 1.5)
        }
        var panels: [Panel] = [
            .lines(norms, title: "Weight norm ‖θ‖₂ of each layer (weights and biases)", xlabel: "epoch (0: the initial weights)",
                   ylabel: "norm", logY: true, legend: .outside, xTickStep: ticks),
            .lines(ratios.filter { !$0.x.isEmpty }, title: "Adam's last update of each epoch, ‖Δθ‖₂ / ‖θ‖₂",
                   xlabel: "epoch", ylabel: "update / weight", logY: true, legend: .outside, xTickStep: ticks,
                   referenceLines: [.horizontal(at: 1e-3, "10⁻³, the usual rule of thumb")]),
        ]
        // The weights in units of their initial bound 1/√fan_in: the initial weights are uniform on ±1.
        let shown = logSpaced(epochs, count: 4)
        let bins = TrainingProbe.histogramBins, span = TrainingProbe.histogramSpan
        let centres = (0..<bins).map { -span + (Double($0) + 0.5) * 2 * span / Double(bins) }
        for (h, layer) in recorded.layers.filter(\.hasHistogram).enumerated() {
            let series = shown.compactMap { e -> Series? in
                guard let row = epochs.firstIndex(of: e) else { return nil }
                let counts = recorded.weightHistogram[row][h]
                let total = max(counts.reduce(0, +), 1)
                return Series(e == 0 ? "initial" : "epoch \(e)", x: centres, y: counts.map { $0 > 0 ? $0 / total : .nan }, style: .steps,
                              color: ["#bbbbbb", "#9ecae1", "#3182bd", "#08306b"][min(shown.firstIndex(of: e)!, 3)], lineWidth: 1.5)
            }
            panels.append(.lines(series, title: "\(layer.name).weight",
                                 xlabel: String(format: "weight × √fan_in (initial weights: uniform on ±1; beyond ±%g in the end bins)", span),
                                 ylabel: "share of the weights", logY: true, xRange: -span...span, legend: .topRight))
        }
        try figures.save(Figure(title: "The VAE's parameters over training", panels: panels, columns: 2, width: 1300,
                                height: 400 * ((panels.count + 1) / 2))
                            .waiving(.axisRange, because: "every weight histogram spans its recorded bins, ±8 initial bounds, one scale for all layers"),
                         as: "ch05-parameter-evolution")
    }

    // MARK: What the model does

    /// Test digits and their reconstructions (the decoder's Bernoulli means for z = μ(x)).
    static func reconstructions(_ model: VAE, test: MNIST, figures: FigureWriter, seed: UInt64) throws {
        var random = RandomSource(seed: seed &+ 21)
        let picks = (0..<20).map { _ in random.uniformInt(below: test.count) }
        var batch = Tensor(shape: [20, 1, 28, 28])
        for (row, index) in picks.enumerated() {
            batch.scalars.replaceSubrange(row * 784..<(row + 1) * 784, with: test.images.slice(index).scalars)
        }
        let (mean, _) = try model.encode(batch)
        let reconstructed = try model.decodeMeans(mean)
        let originals = rows(batch), outputs = rows(reconstructed)
        // Rows alternate: 10 originals, their 10 reconstructions, the next 10, theirs.
        let images = Array(originals[0..<10]) + Array(outputs[0..<10]) + Array(originals[10..<20]) + Array(outputs[10..<20])
        let grid = try ImageGrid(images: images, rows: 4, columns: 10,
                                 rowTitles: ["original", "reconstruction", "original", "reconstruction"])
        try figures.save(Figure(.images(grid, title: "Binarized test digits and their reconstructions (decoder mean at z = μ(x))")),
                         as: "ch05-reconstructions")
    }

    /// New digits: z ~ N(0, I) from the prior, decoded.
    static func priorSamples(_ model: VAE, figures: FigureWriter, seed: UInt64) throws {
        var random = RandomSource(seed: seed &+ 31)
        let z = Tensor.gaussian([64, model.configuration.latentDimensions], using: &random)
        let grid = try ImageGrid(images: rows(try model.decodeMeans(z)), rows: 8, columns: 8)
        try figures.save(Figure(.images(grid, title: "Samples from the prior: z ~ N(0, I), decoder means")),
                         as: "ch05-samples")
    }

    /// Walks in latent space between the codes μ(x) of two test digits, decoding each point.
    static func interpolations(_ model: VAE, test: MNIST, figures: FigureWriter, seed: UInt64) throws {
        var random = RandomSource(seed: seed &+ 41)
        let steps = 10, pairs = 6
        var images: [[Float]] = []
        var titles: [String] = []
        for _ in 0..<pairs {
            let a = random.uniformInt(below: test.count)
            var b = random.uniformInt(below: test.count)
            while test.labels[b] == test.labels[a] { b = random.uniformInt(below: test.count) }
            let both = Tensor(shape: [2, 1, 28, 28], scalars: test.images.slice(a).scalars + test.images.slice(b).scalars)
            let (mean, _) = try model.encode(both)
            let d = model.configuration.latentDimensions
            var path = Tensor(shape: [steps, d])
            for s in 0..<steps {
                let t = Float(s) / Float(steps - 1)
                for j in 0..<d { path.scalars[s * d + j] = (1 - t) * mean.scalars[j] + t * mean.scalars[d + j] }
            }
            images += rows(try model.decodeMeans(path))
            titles.append("\(test.labels[a]) → \(test.labels[b])")
        }
        let grid = try ImageGrid(images: images, rows: pairs, columns: steps, rowTitles: titles)
        try figures.save(Figure(.images(grid, title: "Interpolation: z = (1 − t)·μ(x₁) + t·μ(x₂), t from 0 to 1")),
                         as: "ch05-interpolation")
    }

    // MARK: The latent space

    /// The codes μ(x) of test digits projected on their two principal axes, coloured by digit.
    static func latentProjection(xs: [Double], ys: [Double], labels: [Int], explained: Double, figures: FigureWriter) throws {
        try figures.save(Figure(.scatter(LabeledPoints(x: xs, y: ys, labels: labels, equalAxes: true),
                                         title: String(format: "Latent means μ(x) of %d test digits: 2-D PCA (%.0f%% of the variance)", xs.count, 100 * explained),
                                         xlabel: "first principal axis", ylabel: "second principal axis")),
                         as: "ch05-latent-pca")
    }

    /// The aggregate posterior q(z) = (1/N) Σ_n q(z|x_n), sampled, against the prior; the means μ
    /// against q(z)'s density; the standard deviations σ. All dimensions pooled.
    static func posteriorHistograms(means: [Float], sigmas: [Float], samples: [Float], dimensions d: Int,
                                    figures: FigureWriter) throws {
        // q(z)'s density, pooled over the dimensions: the mixture of every N(μ_nd, σ_nd²).
        let grid = (0...160).map { -4 + Double($0) * 0.05 }
        var density = [Double](repeating: 0, count: grid.count)
        for (m, s) in zip(means, sigmas) {
            let (mu, sigma) = (Double(m), Double(s))
            let scale = 1 / (sigma * (2 * Double.pi).squareRoot())
            for (i, z) in grid.enumerated() { let u = (z - mu) / sigma; density[i] += scale * exp(-0.5 * u * u) }
        }
        density = density.map { $0 / Double(means.count) }
        let largestSigma = min(1.2, Double(sigmas.max() ?? 1) * 1.1)
        let prior = Series.function("prior N(0, 1)", over: -4...4, style: .dashed, color: "#333333") { exp(-$0 * $0 / 2) / (2 * Double.pi).squareRoot() }
        let aggregate = Series("aggregate q(z)", x: grid, y: density, color: "#d62728")
        let sampled = Histogram(samples, bins: 80, range: -4.5...4.5, title: "z ~ q(z|x)")
        let meanHistogram = Histogram(means, bins: 80, range: -4.5...4.5, title: "μ_d(x)")
        // Short legend entries, in the top right corner, with room above the peaks: the legend
        // stays clear of the histogram and of the curves' tails.
        let peak = try [sampled.binned().heights.max() ?? 0, meanHistogram.binned().heights.max() ?? 0, density.max() ?? 0, 0.4].max()!
        try figures.save(Figure(title: "Posterior over test digits, all \(d) dimensions pooled", panels: [
            .histogram(sampled, overlays: [prior], title: "The aggregate posterior q(z) against the prior\n(one z per digit and dimension)",
                       xlabel: "z_d", ylabel: "density", xRange: -4.5...4.5, yRange: 0...(1.45 * peak), legend: .topRight),
            .histogram(meanHistogram, overlays: [aggregate, prior],
                       title: "The means μ: narrower than q(z),\nthe σ's fill the rest", xlabel: "μ_d", ylabel: "density",
                       xRange: -4.5...4.5, yRange: 0...(1.45 * peak), legend: .topRight),
            // One histogram, named by the title: no legend, which could sit on the spike of
            // collapsed dimensions (σ ≈ 1) near the right end.
            .histogram(Histogram(sigmas, bins: 80, range: 0...largestSigma, title: "σ_d(x)"), title: "Standard deviations σ_d(x)",
                       xlabel: "σ_d", ylabel: "density", xRange: 0...largestSigma, legend: .hidden),
        ], columns: 3, width: 1500, height: 450), as: "ch05-posterior-histograms")
    }

    /// KL per latent dimension as bars from zero, sorted, with each dimension's activity
    /// Var_x(μ_d) in the same order and the activity threshold.
    static func latentStatistics(_ latent: LatentActivity, figures: FigureWriter) throws {
        let order = latent.klPerDimension.indices.sorted { latent.klPerDimension[$0] > latent.klPerDimension[$1] }
        let names = order.map { "z\($0)" }
        let kl = BarChart(categories: names, groups: [.init("KL_d", values: order.map { latent.klPerDimension[$0] })])
        let activity = BarChart(categories: names, groups: [.init("Var_x(μ_d)", values: order.map { max(latent.meanVariance[$0], 1e-6) },
                                                                   color: "#2ca02c")])
        let highest = order.map { latent.meanVariance[$0] }.max() ?? 1
        let lowest = min(order.map { latent.meanVariance[$0] }.min() ?? latent.threshold, latent.threshold)
        try figures.save(Figure(title: "How the code is used, per latent dimension (sorted by KL)", panels: [
            .bars(kl, title: String(format: "KL per dimension, nats per image (total %.2f; the first %d hold 90%%)", latent.totalKL,
                                    latent.dimensionsHolding(0.9)), xlabel: "dimension",
                  ylabel: "nats", legend: .hidden),
            .bars(activity, title: "Activity Var_x(μ_d): \(latent.activeUnits) of \(order.count) active units (above \(latent.threshold))",
                  xlabel: "dimension",
                  ylabel: "variance of μ_d over test digits", logY: true, yRange: max(lowest / 3, 1e-6)...(highest * 3), legend: .hidden,
                  referenceLines: [.horizontal(at: latent.threshold, "active above \(latent.threshold)", color: "#d62728")]),
        ], columns: 2, width: 1300, height: 450), as: "ch05-kl-per-dimension")
    }

    /// The importance-weighted NLL estimate as k grows, with its standard error, against the
    /// −ELBO on the same images and a published number.
    static func likelihoodAgainstSamples(_ estimates: [(k: Int, nll: MeanEstimate)], elbo: MeanEstimate, images: Int,
                                         figures: FigureWriter) throws {
        let ks = estimates.map { Double($0.k) }
        let published = 86.76
        let values = estimates.flatMap { [$0.nll.mean - $0.nll.standardError, $0.nll.mean + $0.nll.standardError] } + [elbo.mean, published]
        let (low, high) = (values.filter(\.isFinite).min() ?? 80, values.filter(\.isFinite).max() ?? 100)
        try figures.save(Figure(.lines([
            Series("importance-weighted NLL, ± 1 standard error", x: ks, y: estimates.map(\.nll.mean), style: .linesPoints)
                .withErrorBars(estimates.map { $0.nll.standardError.isFinite ? $0.nll.standardError : 0 }),
        ], title: "Importance-sampled NLL against the number of samples k (the first \(images) test digits)",
           xlabel: "k (importance samples per digit)", ylabel: "nats per image", logX: true,
           xRange: (ks.first ?? 1) / 1.5...(ks.last ?? 10) * 1.5, yRange: (low - 1)...(high + 1), legend: .topRight,
           referenceLines: [
               .horizontal(at: elbo.mean, String(format: "−ELBO on the same %d digits: %.2f ± %.2f", images, elbo.mean, elbo.standardError),
                           color: "#ff7f0e"),
               .horizontal(at: published, "86.76: a one-layer VAE in Burda et al. (2016), trained far longer, k = 5000", color: "#2ca02c"),
           ])),
                         as: "ch05-nll")
    }
}
