import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// Losses against their naive Double references: values, and gradients against central finite
/// differences of the reference in Double (one coordinate at a time).
@Suite struct LossTests {
    /// Central differences (f(x + h·e_i) − f(x − h·e_i)) / 2h for every coordinate i.
    static func centralDifferences(_ f: ([Double]) -> Double, at x: [Double], step h: Double = 1e-4) -> [Double] {
        var x = x
        return (0..<x.count).map { i in
            let original = x[i]
            x[i] = original + h; let plus = f(x)
            x[i] = original - h; let minus = f(x)
            x[i] = original
            return (plus - minus) / (2 * h)
        }
    }

    /// Whether every |analytic − numeric| ≤ tolerance·max(|numeric|, 1e-3·‖numeric‖∞): relative,
    /// except for entries a thousand times smaller than the largest, which are judged against it.
    static func gradientsAgree(_ analytic: Tensor, _ numeric: [Double], tolerance: Double = 1e-5) -> Bool {
        let largest = numeric.map(abs).max() ?? 0
        var ok = true
        for (i, (a, n)) in zip(analytic.scalars, numeric).enumerated() where abs(Double(a) - n) > tolerance * max(abs(n), 1e-3 * largest) {
            print("gradient \(i): analytic \(a), numeric \(n)")
            ok = false
        }
        return ok
    }

    static func relativeError(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-300) }

    // MARK: Binary cross-entropy

    static func bceInputs(random: inout RandomSource) -> (Tensor, Tensor) {
        var logits = Tensor.gaussian([3, 2, 7], standardDeviation: 4, using: &random)
        logits.scalars[0] = 600; logits.scalars[1] = -600; logits.scalars[2] = 40; logits.scalars[3] = -40
        var targets = Tensor.uniform([3, 2, 7], using: &random)
        for i in 0..<14 { targets.scalars[i] = targets.scalars[i] < 0.5 ? 0 : 1 }   // sample 0 binary
        return (logits, targets)
    }

    @Test(arguments: Reduction.allCases)
    func bceMatchesReferenceAndFiniteDifferences(reduction: Reduction) throws {
        var random = RandomSource(seed: 31)
        let (logits, targets) = Self.bceInputs(random: &random)
        let result = try binaryCrossEntropyWithLogits(logits: logits, targets: targets, reduction: reduction)
        let divisor = reduction.divisor(termCount: logits.count, batchSize: 3)
        let x = targets.scalars.map(Double.init)
        let reference = { (z: [Double]) in binaryCrossEntropyWithLogitsReference(logits: z, targets: x, divisor: divisor) }
        let z = logits.scalars.map(Double.init)
        #expect(Self.relativeError(result.value, reference(z)) < 1e-6)
        #expect(Self.gradientsAgree(result.gradient, Self.centralDifferences(reference, at: z)))
        #expect(result.gradient.shape == logits.shape)
    }

    /// Logits of ±500 and ±1000: the loss is exactly |z| or 0 for binary targets, the gradient ±1 or 0.
    @Test func bceHugeLogits() throws {
        let z: [Float] = [500, -500, 1000, -1000, 500, -500, 1000, -1000, 1000, -1000, 300]
        let x: [Float] = [0, 0, 0, 0, 1, 1, 1, 1, 0.5, 0.25, 0.75]
        let expected: [Double] = [500, 0, 1000, 0, 0, 500, 0, 1000, 500, 250, 75]
        let expectedGradient: [Float] = [1, 0, 1, 0, 0, -1, 0, -1, 0.5, -0.25, 0.25]
        for i in 0..<z.count {
            let one = try binaryCrossEntropyWithLogits(logits: Tensor(shape: [1], scalars: [z[i]]),
                                                       targets: Tensor(shape: [1], scalars: [x[i]]), reduction: .sum)
            #expect(one.value.isFinite && one.value == expected[i], "ℓ(\(z[i]), \(x[i])) = \(one.value)")
            #expect(one.gradient.scalars == [expectedGradient[i]])
        }
    }

    @Test func bceSumPerSampleIsSumOverBatchSize() throws {
        var random = RandomSource(seed: 32)
        let (logits, targets) = Self.bceInputs(random: &random)
        let sum = try binaryCrossEntropyWithLogits(logits: logits, targets: targets, reduction: .sum)
        let perSample = try binaryCrossEntropyWithLogits(logits: logits, targets: targets, reduction: .sumPerSample)
        let mean = try binaryCrossEntropyWithLogits(logits: logits, targets: targets, reduction: .mean)
        #expect(Self.relativeError(perSample.value, sum.value / 3) < 1e-12)
        #expect(Self.relativeError(mean.value, sum.value / 42) < 1e-12)
        #expect(perSample.gradient.maxAbsDifference(sum.gradient * (1 / 3)) < 1e-7)
    }

    @Test func bceRejectsBadInput() {
        let z = Tensor(shape: [2, 2], scalars: [0, 1, 2, 3])
        #expect(throws: LossError.self) {
            try binaryCrossEntropyWithLogits(logits: z, targets: Tensor(shape: [4], repeating: 0), reduction: .sum)
        }
        #expect(throws: LossError.self) {
            try binaryCrossEntropyWithLogits(logits: z, targets: Tensor(shape: [2, 2], scalars: [0, 1, 1.5, 0]), reduction: .sum)
        }
        #expect(throws: LossError.self) {
            try binaryCrossEntropyWithLogits(logits: z, targets: Tensor(shape: [2, 2], scalars: [0, .nan, 1, 0]), reduction: .sum)
        }
        #expect(throws: LossError.self) {
            try binaryCrossEntropyWithLogits(logits: Tensor(shape: [0, 3]), targets: Tensor(shape: [0, 3]), reduction: .mean)
        }
    }

    // MARK: KL divergence

    @Test(arguments: Reduction.allCases)
    func klMatchesReferenceAndFiniteDifferences(reduction: Reduction) throws {
        var random = RandomSource(seed: 33)
        let mu = Tensor.gaussian([4, 5], standardDeviation: 1.5, using: &random)
        var logVariance = Tensor.gaussian([4, 5], standardDeviation: 2, using: &random)
        logVariance.scalars[0] = 8; logVariance.scalars[1] = -8; logVariance.scalars[2] = 1e-4
        let result = try klDivergenceStandardNormal(mean: mu, logVariance: logVariance, reduction: reduction)
        let divisor = reduction.divisor(termCount: 20, batchSize: 4)
        let m = mu.scalars.map(Double.init), v = logVariance.scalars.map(Double.init)
        #expect(Self.relativeError(result.value, klDivergenceReference(mean: m, logVariance: v, divisor: divisor)) < 1e-9)
        let dMu = Self.centralDifferences({ klDivergenceReference(mean: $0, logVariance: v, divisor: divisor) }, at: m)
        let dLogVariance = Self.centralDifferences({ klDivergenceReference(mean: m, logVariance: $0, divisor: divisor) }, at: v)
        #expect(Self.gradientsAgree(result.meanGradient, dMu))
        #expect(Self.gradientsAgree(result.logVarianceGradient, dLogVariance))
    }

    @Test func klIsZeroAtThePriorAndPositiveElsewhere() throws {
        let zero = Tensor(shape: [3, 4])
        let atPrior = try klDivergenceStandardNormal(mean: zero, logVariance: zero, reduction: .sum)
        #expect(atPrior.value == 0)
        #expect(atPrior.meanGradient.scalars.allSatisfy { $0 == 0 })
        #expect(atPrior.logVarianceGradient.scalars.allSatisfy { $0 == 0 })
        // A tiny log-variance: ½(e^v − 1 − v) ≈ v²/4 must not cancel to 0 or go negative.
        let tiny = try klDivergenceStandardNormal(mean: Tensor(shape: [1, 1]), logVariance: Tensor(shape: [1, 1], scalars: [1e-3]),
                                                  reduction: .sum)
        #expect(Self.relativeError(tiny.value, 0.5 * (expm1(Double(Float(1e-3))) - Double(Float(1e-3)))) < 1e-9)
        #expect(tiny.value > 0)
    }

    @Test func klBreakdownIsConsistent() throws {
        var random = RandomSource(seed: 34)
        let mu = Tensor.gaussian([6, 3], using: &random), logVariance = Tensor.gaussian([6, 3], using: &random)
        let breakdown = try klDivergenceBreakdown(mean: mu, logVariance: logVariance)
        let total = try klDivergenceStandardNormal(mean: mu, logVariance: logVariance, reduction: .sumPerSample)
        #expect(breakdown.perSample.count == 6 && breakdown.perDimension.count == 3 && breakdown.terms.shape == [6, 3])
        #expect(Self.relativeError(breakdown.totalPerSample, total.value) < 1e-12)
        #expect(Self.relativeError(breakdown.perDimension.reduce(0, +), total.value) < 1e-12)
        #expect(Self.relativeError(breakdown.perSample.reduce(0, +) / 6, total.value) < 1e-12)
        for i in 0..<6 {
            let row = (0..<3).map { Double(breakdown.terms.scalars[i * 3 + $0]) }.reduce(0, +)
            #expect(Self.relativeError(row, breakdown.perSample[i]) < 1e-6)
        }
        #expect(throws: LossError.self) { try klDivergenceBreakdown(mean: mu, logVariance: logVariance.reshaped([3, 6])) }
        #expect(throws: LossError.self) {
            try klDivergenceStandardNormal(mean: mu.reshaped([18]), logVariance: logVariance.reshaped([18]), reduction: .sum)
        }
    }

    // MARK: MSE

    @Test(arguments: Reduction.allCases)
    func mseMatchesReferenceAndFiniteDifferences(reduction: Reduction) throws {
        var random = RandomSource(seed: 35)
        let p = Tensor.gaussian([3, 5], standardDeviation: 2, using: &random), t = Tensor.gaussian([3, 5], using: &random)
        let result = try meanSquaredError(prediction: p, target: t, reduction: reduction)
        let divisor = reduction.divisor(termCount: 15, batchSize: 3)
        let td = t.scalars.map(Double.init)
        let reference = { (p: [Double]) in meanSquaredErrorReference(prediction: p, target: td, divisor: divisor) }
        #expect(Self.relativeError(result.value, reference(p.scalars.map(Double.init))) < 1e-12)
        #expect(Self.gradientsAgree(result.gradient, Self.centralDifferences(reference, at: p.scalars.map(Double.init))))
        #expect(throws: LossError.self) { try meanSquaredError(prediction: p, target: t.reshaped([5, 3]), reduction: reduction) }
    }

    // MARK: Softmax cross-entropy

    @Test(arguments: Reduction.allCases)
    func softmaxCrossEntropyMatchesReferenceAndFiniteDifferences(reduction: Reduction) throws {
        var random = RandomSource(seed: 36)
        var logits = Tensor.gaussian([4, 6], standardDeviation: 3, using: &random)
        for j in 0..<6 { logits.scalars[j] += 800 }          // row 0: huge but close logits
        logits.scalars[6] = -.infinity                       // row 1: a class with probability 0
        let labels = [2, 5, 0, 3]
        let result = try softmaxCrossEntropy(logits: logits, labels: labels, reduction: reduction)
        let divisor = reduction.divisor(termCount: 4, batchSize: 4)
        let reference = { (z: [Double]) in softmaxCrossEntropyReference(logits: z, classes: 6, labels: labels, divisor: divisor) }
        let z = logits.scalars.map(Double.init)
        #expect(Self.relativeError(result.value, reference(z)) < 1e-6)
        // Differences skip the −∞ entry, whose gradient is softmax = 0.
        var numeric = Self.centralDifferences(reference, at: z.map { $0.isFinite ? $0 : -1e300 })
        numeric[6] = 0
        #expect(Self.gradientsAgree(result.gradient, numeric))
        #expect(result.gradient.scalars[6] == 0)
    }

    @Test func softmaxCrossEntropyHugeLogits() throws {
        // Row 0: logits ±1000, label on the largest: loss e^{−2000}-ish = 0, gradient 0.
        // Row 1: label on the smallest: loss 2000, gradient (−1 on the label, +1 on the largest).
        let logits = Tensor(shape: [2, 3], scalars: [-1000, 0, 1000, -1000, 0, 1000])
        let result = try softmaxCrossEntropy(logits: logits, labels: [2, 0], reduction: .sum)
        #expect(result.value == 2000)
        #expect(result.gradient.scalars == [0, 0, 0, -1, 0, 1])
        // Equal huge logits: log K.
        let equal = try softmaxCrossEntropy(logits: Tensor(shape: [1, 4], repeating: 3e4), labels: [1], reduction: .mean)
        #expect(Self.relativeError(equal.value, log(4)) < 1e-7)
    }

    @Test func softmaxCrossEntropyRejectsBadInput() {
        let logits = Tensor(shape: [2, 3])
        #expect(throws: LossError.self) { try softmaxCrossEntropy(logits: logits, labels: [0, 3], reduction: .sum) }
        #expect(throws: LossError.self) { try softmaxCrossEntropy(logits: logits, labels: [0, -1], reduction: .sum) }
        #expect(throws: LossError.self) { try softmaxCrossEntropy(logits: logits, labels: [0], reduction: .sum) }
        #expect(throws: LossError.self) { try softmaxCrossEntropy(logits: logits.reshaped([6]), labels: [0], reduction: .sum) }
        let allMinusInfinity = Tensor(shape: [1, 3], repeating: -.infinity)
        #expect(throws: LossError.self) { try softmaxCrossEntropy(logits: allMinusInfinity, labels: [0], reduction: .sum) }
        let withNaN = Tensor(shape: [1, 3], scalars: [0, .nan, 1])
        #expect(throws: LossError.self) { try softmaxCrossEntropy(logits: withNaN, labels: [0], reduction: .sum) }
    }

    // MARK: log-sum-exp

    @Test func logSumExpValuesAndEdgeCases() {
        #expect(Self.relativeError(logSumExp([0.0, 0.0]), log(2)) < 1e-15)
        #expect(Self.relativeError(logSumExp([1000.0, 1000.0]), 1000 + log(2)) < 1e-15)
        #expect(Self.relativeError(logSumExp([-1000.0, -1000.0, -1000.0]), -1000 + log(3)) < 1e-15)
        #expect(Self.relativeError(logSumExp([1.0, 2.0, 3.0]), log(exp(1.0) + exp(2.0) + exp(3.0))) < 1e-15)
        #expect(Self.relativeError(Double(logSumExp([Float(800), 799, -.infinity])), 800 + log(1 + exp(-1.0))) < 1e-7)
        // −∞ entries weigh nothing; all −∞ (or none) is log 0 = −∞.
        #expect(logSumExp([-Double.infinity, 2.0]) == 2)
        #expect(logSumExp([-Double.infinity, -.infinity]) == -.infinity)
        #expect(logSumExp([Double]()) == -.infinity)
        #expect(logSumExp([Float]()) == -.infinity)
        #expect(logSumExp([-Float.infinity]) == -.infinity)
        #expect(logSumExp([1.0, Double.infinity]) == Double.infinity)
        #expect(logSumExp([1.0, Double.nan]).isNaN)
        #expect(logSumExp([Float(1), .nan]).isNaN)
        // The max of a row of −1e30s and one small value is the small value (the real max, not 0).
        #expect(logSumExp([-1e30, -1e30, -5.0] as [Double]) == -5)
        #expect(logSumExp([-1e30, -1e30, -5] as [Float]) == -5)
    }
}
