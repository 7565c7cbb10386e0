// Chapter 4 — The reparameterisation trick
// ========================================
//
// A VAE's encoder maps an image x to a Gaussian q(z|x) = N(μ, σ²) over a latent code z; the
// decoder must then be trained on a *sample* z from it. The loss is an expectation,
//
//     L(μ, σ) = E_{z ~ N(μ, σ²)} [ f(z) ],
//
// and training needs ∂L/∂μ and ∂L/∂σ. This chapter shows why "draw z, then differentiate"
// does not work, how writing z = μ + σ·ε (the trick of Kingma and Welling 2014) moves the
// randomness out of the way, and how much better the resulting gradient estimator is than the
// general-purpose alternative.
//
//     swift run -c release ch04-reparameterization [--quick] [--mu μ] [--sigma σ] [--figures DIR] [--seed N]
//
// Figures: ch04-samples.png, ch04-gradient-variance.png, ch04-gradient-histogram.png.

import ArgumentParser
import CourseSupport
import Foundation
import VAECore

struct Chapter4: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ch04-reparameterization",
        abstract: "Chapter 4: sampling N(μ, σ²), why sampling blocks gradients, and the reparameterisation trick.")

    @OptionGroup var options: ChapterOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("The mean μ at which section 3 estimates ∂L/∂μ.", valueName: "μ"))
    var mu = 0.5

    @Option(parsing: .unconditional, help: ArgumentHelp("The standard deviation σ of section 3's N(μ, σ²).", valueName: "σ"))
    var sigma = 1.0

    func validate() throws {
        guard mu.isFinite, abs(mu) <= 100 else { throw ValidationError("--mu must be a number between -100 and 100, not \(mu)") }
        guard sigma.isFinite, sigma >= 0.01, sigma <= 100 else {
            throw ValidationError("--sigma must lie between 0.01 and 100, not \(sigma)")
        }
    }

    func run() throws {
        options.announcePlan()                    // what it will train or reuse, and for how long
        let figures = try options.figureWriter()
        try sampling(figures)
        whySamplingBlocksGradients()
        try estimatorVariance(figures)
    }

    // MARK: 1. Sampling N(μ, σ²) from uniforms
    //
    // Chapter 1 built standard normals ε ~ N(0, 1) from pairs of uniforms (Box–Muller). Any other
    // Gaussian is an affine map of one: if ε ~ N(0, 1) then z = μ + σ·ε ~ N(μ, σ²), because
    // shifting moves the mean by μ and scaling multiplies the variance by σ². Its density is
    //
    //     q(z) = exp(−(z − μ)² / 2σ²) / (σ √(2π)).
    //
    // The encoder predicts log σ² rather than σ: any real number is a valid log-variance, so the
    // network's output needs no constraint, and σ = exp(½ log σ²) is always positive.
    func sampling(_ figures: FigureWriter) throws {
        section("1. Sampling N(μ, σ²) as μ + σ·ε")
        var random = RandomSource(seed: options.seed)
        let n = options.quick ? 20_000 : 100_000
        let gaussians: [(mu: Double, sigma: Double)] = [(0, 1), (2, 0.5), (-1.5, 1.5)]
        var panels: [Panel] = []
        for (mu, sigma) in gaussians {
            let draws = (0..<n).map { _ in mu + sigma * Double(random.gaussian()) }
            let mean = draws.reduce(0, +) / Double(n)
            let sd = (draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)).squareRoot()
            print(String(format: "μ = %5.2f, σ = %4.2f: sample mean %6.3f, sample sd %5.3f", mu, sigma, mean, sd))
            let density = Series.function("density", over: -6...6) { z in
                exp(-(z - mu) * (z - mu) / (2 * sigma * sigma)) / (sigma * (2 * Double.pi).squareRoot())
            }
            panels.append(.histogram(Histogram(draws, bins: 80, range: -6...6, title: "samples"), overlays: [density],
                                     title: String(format: "N(%.1f, %.2f²)", mu, sigma), xlabel: "z", ylabel: "density"))
        }
        try figures.save(Figure(title: "z = μ + σ·ε with ε ~ N(0,1): \(n) draws each", panels: panels, columns: 3,
                                width: 1500, height: 450),
                         as: "ch04-samples")
    }

    // MARK: 2. Why sampling blocks gradients
    //
    // Backpropagation needs every step from the parameters to the loss to be a differentiable
    // function. "Draw z from N(μ, σ²)" is not a function of μ: ask for a sample at μ and at μ + h
    // and you get two unrelated numbers, so (z(μ + h) − z(μ)) / h is the difference of two
    // independent draws divided by h: noise of standard deviation √2·σ/h, which grows as h
    // shrinks. There is no derivative to pass back to the encoder.
    //
    // The trick is to draw the randomness first, from a distribution with no parameters,
    // ε ~ N(0, 1), and then compute z = μ + σ·ε, a deterministic, differentiable function of
    // (μ, σ) for that fixed ε:
    //
    //     ∂z/∂μ = 1,   ∂z/∂σ = ε,   and with s = log σ²:  ∂z/∂s = ½ σ ε.
    //
    // The sample is still exactly N(μ, σ²), so nothing about the model changes; only where the
    // randomness enters the computation graph does.
    func whySamplingBlocksGradients() {
        section("2. Why sampling blocks gradients, and how ε moves the randomness aside")
        var random = RandomSource(seed: options.seed)
        let mu: Double = 0.5, sigma: Double = 1, h = 1e-3
        print("finite-difference slope of a sample z with respect to μ (step h = \(h)):")
        for trial in 1...3 {
            let redrawn = ((mu + h + sigma * Double(random.gaussian())) - (mu + sigma * Double(random.gaussian()))) / h
            let epsilon = Double(random.gaussian())
            let fixed = ((mu + h + sigma * epsilon) - (mu + sigma * epsilon)) / h
            print(String(format: "  trial %d: redraw the sample: %+10.1f    reuse one ε: %+.4f", trial, redrawn, fixed))
        }
        print("with ε fixed the slope is exactly ∂z/∂μ = 1; redrawn, it is noise of standard deviation √2·σ/h ≈ \(Int((2.0.squareRoot() * sigma / h).rounded())).")
    }

    // MARK: 3. Two gradient estimators, and their variance
    //
    // Take a small problem with a known answer: f(z) = (z − 2)², z ~ N(μ, σ²). Then
    // L(μ) = (μ − 2)² + σ², so the true gradient is ∂L/∂μ = 2(μ − 2). Both estimators below
    // average S samples and are unbiased; what differs is their variance, which is what makes
    // training slow or fast.
    //
    // The score-function (REINFORCE) estimator works for any f, even one we cannot differentiate,
    // by differentiating the density instead: ∂/∂μ E[f(z)] = E[f(z) ∂ log q(z)/∂μ], and
    // ∂ log q(z)/∂μ = (z − μ)/σ². Its estimate (1/S) Σ f(z_s)(z_s − μ)/σ² multiplies the value of
    // f (large, and mostly not about μ at all) by random noise.
    //
    // The reparameterised (pathwise) estimator differentiates through the sample:
    // ∂/∂μ E_ε[f(μ + σε)] = E_ε[f′(μ + σε)], estimated by (1/S) Σ f′(μ + σε_s). It uses the
    // slope of f, which is what the gradient is about, so its variance is far smaller.
    // Both variances fall as 1/S; the gap between them is a constant factor, here large. The
    // section runs at μ = 0.5, σ = 1 (`--mu` and `--sigma` change them).
    //
    // For this f both variances can be worked out, and the table prints them beside the
    // measurements. The pathwise estimate is 2(μ − 2) + 2σε, of variance 4σ²/S. The score-function
    // one multiplies f(z) = (a + σε)² by ε/σ, with a = μ − 2: g = (a²ε + 2aσε² + σ²ε³)/σ. With the
    // Gaussian's moments E[ε²] = 1, E[ε⁴] = 3, E[ε⁶] = 15 and the odd ones 0, E[g] = 2a (unbiased)
    // and E[g²] = a⁴/σ² + 18a² + 15σ², so
    //
    //     Var[score-function estimate] = [a⁴/σ² + 14a² + 15σ²] / S      (a = μ − 2)
    //
    // which grows with (μ − 2)⁴/σ² as well as with σ²: the further μ is from 2 and the narrower
    // the Gaussian, the worse it gets, even where the true gradient is small.
    //
    // ch04-gradient-variance.png draws both variances against S on log axes; ch04-gradient-
    // histogram.png the single-sample estimates of each on one x range, the true gradient marked:
    // the pathwise estimates gather around it, the score function's mostly sit near 0 with a
    // long tail that brings their mean to the truth.
    func estimatorVariance(_ figures: FigureWriter) throws {
        section("3. Score-function against reparameterised gradients")
        var random = RandomSource(seed: options.seed &+ 1)
        let (mu, sigma) = (self.mu, self.sigma)   // 0.5 and 1 unless --mu and --sigma say otherwise
        let truth = 2 * (mu - 2)
        let f = { (z: Double) in (z - 2) * (z - 2) }
        let fPrime = { (z: Double) in 2 * (z - 2) }
        let repeats = options.quick ? 500 : 4000
        let sampleCounts = [1, 2, 4, 8, 16, 32, 64, 128, 256]

        func estimates(samples: Int) -> (score: [Double], pathwise: [Double]) {
            var score: [Double] = [], pathwise: [Double] = []
            for _ in 0..<repeats {
                var s = 0.0, p = 0.0
                for _ in 0..<samples {
                    let epsilon = Double(random.gaussian())
                    let z = mu + sigma * epsilon
                    s += f(z) * (z - mu) / (sigma * sigma)
                    p += fPrime(z)
                }
                score.append(s / Double(samples)); pathwise.append(p / Double(samples))
            }
            return (score, pathwise)
        }
        func meanAndVariance(_ xs: [Double]) -> (Double, Double) {
            let m = xs.reduce(0, +) / Double(xs.count)
            return (m, xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1))
        }

        print(String(format: "true gradient ∂L/∂μ = %.3f at μ = %g, σ = %g; %d repeats per S", truth, mu, sigma, repeats))
        // The exact variances of the two estimators (derived above), per sample.
        let a = mu - 2
        let exactScore = (a * a * a * a / (sigma * sigma) + 14 * a * a + 15 * sigma * sigma)
        let exactPathwise = 4 * sigma * sigma
        print("   S   score mean   score var   (exact)   pathwise mean   pathwise var   (exact)   ratio")
        var scoreVariance: [Double] = [], pathwiseVariance: [Double] = []
        var singleSample: (score: [Double], pathwise: [Double]) = ([], [])
        for s in sampleCounts {
            let (score, pathwise) = estimates(samples: s)
            if s == 1 { singleSample = (score, pathwise) }
            let (ms, vs) = meanAndVariance(score), (mp, vp) = meanAndVariance(pathwise)
            scoreVariance.append(vs); pathwiseVariance.append(vp)
            print(String(format: "%4d   %10.3f   %9.3f   %7.3f   %13.3f   %12.4f   %7.4f   %5.1f",
                         s, ms, vs, exactScore / Double(s), mp, vp, exactPathwise / Double(s), vs / vp))
        }
        // The axes span the measured points (both variances fall as 1/S).
        let xs = sampleCounts.map(Double.init)
        let variances = (scoreVariance + pathwiseVariance).filter { $0 > 0 }
        try figures.save(Figure(.lines([
            Series("score function (REINFORCE)", x: xs, y: scoreVariance, style: .linesPoints),
            Series("reparameterised (pathwise)", x: xs, y: pathwiseVariance, style: .linesPoints),
        ], title: String(format: "Variance of the gradient estimate ∂L/∂μ, f(z) = (z−2)², μ = %g, σ = %g", mu, sigma),
           xlabel: "samples S per estimate", ylabel: "variance over repeats", logX: true, logY: true,
           xRange: xs.first! / 1.3...xs.last! * 1.3, yRange: (variances.min() ?? 1) / 2...(variances.max() ?? 1) * 2)),
                         as: "ch04-gradient-variance")
        // Both histograms on one x range, the middle 99.6% of all the estimates, with the true
        // gradient marked: the pathwise estimates centre on it, the score function's only on average.
        let pooled = (singleSample.score + singleSample.pathwise).sorted()
        let span = pooled[pooled.count / 500]...pooled[pooled.count - 1 - pooled.count / 500]
        let panels = [("score function (REINFORCE)", singleSample.score), ("reparameterised (pathwise)", singleSample.pathwise)]
            .map { title, values in
                let histogram = Histogram(values, bins: 100, range: span, title: "single-sample estimates")
                // Air above the tallest bar for the legend.
                let peak = (try? histogram.binned().heights.max()).flatMap { $0 } ?? 1
                return Panel.histogram(histogram, overlays: [], title: title, xlabel: "estimate of ∂L/∂μ", ylabel: "density", xRange: span,
                                       yRange: 0...(1.3 * peak),
                                       referenceLines: [.vertical(at: truth, String(format: "true ∂L/∂μ = %.1f", truth), color: "#d62728")])
            }
        try figures.save(Figure(title: String(format: "Single-sample gradient estimates (truth %.1f)", truth),
                                panels: panels, columns: 2, width: 1200, height: 450),
                         as: "ch04-gradient-histogram")
    }
}

Chapter4.main()

// MARK: What you learned
//
// Any Gaussian is an affine map of a standard one, z = μ + σ·ε with ε ~ N(0, 1), and the encoder
// predicts log σ² so that its output needs no constraint. Drawing z directly from N(μ, σ²) is not a
// differentiable function of μ: the run's finite differences of redrawn samples are pure noise,
// while with ε fixed the slope is exactly ∂z/∂μ = 1. The reparameterisation moves the randomness
// into a parameter-free ε, so that ∂z/∂μ = 1 and ∂z/∂σ = ε, and backpropagation reaches the encoder
// through the sample without changing its distribution. On f(z) = (z − 2)² the score-function
// (REINFORCE) estimator and the pathwise one are both unbiased and both fall as 1/S with the number
// of samples S, but the run's table, beside the exact variances worked out from the Gaussian's
// moments, shows the score function's variance many times the pathwise one's: the reason every VAE
// of this course trains with the pathwise gradient.

// MARK: Experiments
//
// 1. A narrow Gaussian. `swift run -c release ch04-reparameterization --sigma 0.1 --figures /tmp/ch04-sigma`:
//    the pathwise variance falls with σ², the score function's rises with 1/σ². Compare the
//    "ratio" column of section 3's table (and ch04-gradient-variance) with the default run's.
//    Answer: run `ch04-reparameterization --sigma 0.1 --figures /tmp/ch04-sigma`, section 3
// 2. Near the optimum and far from it. `--mu 2 --figures /tmp/ch04-mu2` puts μ where the true
//    gradient is 0 and f is small: both estimators scatter around 0, the pathwise one with
//    variance 4σ²/S, the score function with 15σ²/S (its estimate is σε³ there), so the ratio
//    column falls to about 4. Then `--mu 6 --figures /tmp/ch04-mu6`: f is large wherever z lands,
//    and the ratio grows far beyond the default run's. Read the "score var", "pathwise var" and
//    "ratio" columns of section 3.
//    Answer: run `ch04-reparameterization --mu 2 --figures /tmp/ch04-mu2`, section 3
//    Answer: run `ch04-reparameterization --mu 6 --figures /tmp/ch04-mu6`, section 3
// 3. A constant that should not matter. In `estimatorVariance`, change
//    `let f = { (z: Double) in (z - 2) * (z - 2) }` to add 100: the true gradient and the
//    pathwise estimates do not change at all (f′ is the same), but the score-function variance
//    grows by orders of magnitude. Then subtract 100 again inside the score estimate only,
//    `s += (f(z) - 100) * (z - mu) / (sigma * sigma)`: a *baseline*, the standard repair of
//    REINFORCE. Compare the "score var" column with the default run's.
