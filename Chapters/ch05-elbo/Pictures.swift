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

    // MARK: Training curves

    /// Reconstruction, KL and their sum per epoch, for the training batches and the test set.
    static func lossCurves(_ history: TrainingHistory, figures: FigureWriter) throws {
        let epochs = history.epochs.map(\.epoch)
        func panel(_ title: String, _ value: (ELBOTerms) -> Double) -> Panel {
            var series = [Series("train", x: epochs, y: history.epochs.map { value($0.train) }, style: .linesPoints)]
            let tested = history.epochs.filter { $0.test != nil }
            if !tested.isEmpty {
                series.append(Series("test", x: tested.map(\.epoch), y: tested.map { value($0.test!) }, style: .linesPoints))
            }
            return .lines(series, title: title, xlabel: "epoch", ylabel: "nats per image")
        }
        let steps = history.steps
        let perStep = Panel.lines([
            Series("−ELBO (one batch)", x: steps.map(\.step), y: steps.map { $0.terms.reconstruction + $0.terms.kl }),
        ], title: "Training loss every few steps", xlabel: "step", ylabel: "nats per image", logY: true)
        try figures.save(Figure(title: "Loss curves", panels: [
            panel("Reconstruction −E_q[log p(x|z)]") { $0.reconstruction },
            panel("KL(q(z|x) ‖ p(z))") { $0.kl },
            panel("Total: −ELBO") { $0.reconstruction + $0.kl },
            perStep,
        ], columns: 2, width: 1200, height: 900), as: "ch05-loss-curves")
    }

    /// The learning rate at every recorded step, under the run's schedule.
    static func learningRate(_ history: TrainingHistory, schedule: LearningRateScheduleKind, figures: FigureWriter) throws {
        let shape = switch schedule {
        case .constant: "constant"
        case .cosine: "cosine decay to a tenth"
        case .step: "three steps down to a tenth"
        case .warmupCosine: "linear warm-up, then cosine decay to a tenth"
        }
        let steps = history.steps
        try figures.save(Figure(.lines([Series("learning rate", x: steps.map(\.step), y: steps.map { Double($0.learningRate) })],
                                       title: "Learning-rate schedule: \(shape)",
                                       xlabel: "step", ylabel: "learning rate", legend: .hidden)),
                         as: "ch05-learning-rate")
    }

    /// The same ten codes decoded after each epoch: the model learning to draw.
    static func progressive(_ snapshots: [(epoch: Int, images: Tensor)], figures: FigureWriter) throws {
        guard !snapshots.isEmpty else { return }
        // At most 8 rows: the first epochs, where most of the change happens, and the last.
        var chosen = snapshots
        if chosen.count > 8 { chosen = Array(snapshots.prefix(7)) + [snapshots.last!] }
        let grid = try ImageGrid(images: chosen.flatMap { rows($0.images) }, rows: chosen.count, columns: 10,
                                 rowTitles: chosen.map { "epoch \($0.epoch)" })
        try figures.save(Figure(.images(grid, title: "Progressive generation: the same 10 codes z after each epoch")),
                         as: "ch05-progressive")
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

    /// Histograms of the posterior means μ and standard deviations σ over all dimensions.
    static func posteriorHistograms(means: [Float], sigmas: [Float], dimensions d: Int, figures: FigureWriter) throws {
        try figures.save(Figure(title: "Posterior parameters over test digits and all \(d) dimensions", panels: [
            .histogram(Histogram(means, bins: 80, title: "μ"), overlays: [
                Series.function("N(0,1)", over: -4...4) { exp(-$0 * $0 / 2) / (2 * Double.pi).squareRoot() },
            ], title: "Means μ_d(x)", xlabel: "μ", ylabel: "density"),
            .histogram(Histogram(sigmas, bins: 80, range: 0...1.2, title: "σ"), title: "Standard deviations σ_d(x)",
                       xlabel: "σ", ylabel: "density"),
        ], columns: 2, width: 1200, height: 450), as: "ch05-posterior-histograms")
    }

    /// KL per latent dimension, with each dimension's activity Var_x(μ_d).
    static func latentStatistics(_ latent: LatentActivity, figures: FigureWriter) throws {
        let dims = Array(latent.klPerDimension.indices)
        try figures.save(Figure(title: "How the code is used, per latent dimension", panels: [
            .lines([Series("KL_d", x: dims, y: latent.klPerDimension, style: .linesPoints)],
                   title: "KL per dimension (nats per image)", xlabel: "dimension d", ylabel: "nats", legend: .hidden),
            .lines([Series("Var_x(μ_d)", x: dims, y: latent.meanVariance.map { max($0, 1e-6) }, style: .linesPoints),
                    Series("active threshold 0.01", x: dims, y: dims.map { _ in latent.threshold }, style: .dashed)],
                   title: "Activity Var_x(μ_d): active above 0.01", xlabel: "dimension d", ylabel: "variance", logY: true),
        ], columns: 2, width: 1200, height: 450), as: "ch05-kl-per-dimension")
    }

    /// The importance-weighted NLL estimate as k grows, against −ELBO.
    static func likelihoodAgainstSamples(_ estimates: [(k: Int, nll: MeanEstimate)], elbo: Double, images: Int,
                                         figures: FigureWriter) throws {
        let ks = estimates.map { Double($0.k) }
        try figures.save(Figure(.lines([
            Series("importance-weighted NLL", x: ks, y: estimates.map(\.nll.mean), style: .linesPoints),
            Series("−ELBO (all test images)", x: ks, y: ks.map { _ in elbo }, style: .dashed),
        ], title: "Negative log-likelihood estimate against the number of importance samples (\(images) test digits)",
           xlabel: "k", ylabel: "nats per image", logX: true)),
                         as: "ch05-nll")
    }
}
