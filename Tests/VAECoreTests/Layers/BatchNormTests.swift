import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// BatchNorm1d/2d against the naive Double references, finite differences, and its own invariants.
@Suite struct BatchNormTests {
    /// A BatchNorm2d with a random non-trivial γ (some negative) and β.
    static func makeBatchNorm2d(_ channels: Int, random: inout RandomSource) -> BatchNorm2d {
        let bn = BatchNorm2d(channels: channels)
        bn.weight.value = Tensor.uniform([channels], lower: 0.5, upper: 2, using: &random)
            .map { $0 } * Tensor(shape: [channels], scalars: (0..<channels).map { $0 % 3 == 1 ? -1 : 1 })
        bn.bias.value = Tensor.gaussian([channels], standardDeviation: 0.7, using: &random)
        return bn
    }

    /// Input with a per-channel offset, so that a wrong mean would show.
    static func makeInput(_ shape: [Int], random: inout RandomSource) -> Tensor {
        var x = Tensor.gaussian(shape, standardDeviation: 1.5, using: &random)
        let c = shape[1], s = shape.dropFirst(2).reduce(1, *)
        for i in 0..<x.count { x.scalars[i] += Float((i / s) % c) * 0.75 - 1 }
        return x
    }

    /// The largest |a − b| / max(|b|, floor). BatchNorm's outputs and gradients are O(1) by
    /// construction (unit-variance x̂, unit-Gaussian upstream gradients, γ and β of order 1), and
    /// y = γx̂ + β can cancel to near 0 where Float carries an absolute error of ~1e-7·(|γx̂| + |β|):
    /// so errors are measured relative to max(|b|, 1), i.e. absolutely below 1.
    static func maxRelative(_ a: [Float], _ b: [Double], floor: Double = 1) -> Double {
        zip(a, b).map { abs(Double($0) - $1) / max(abs($1), floor) }.max() ?? 0
    }

    @Test(arguments: [[4, 3, 5, 5], [2, 4, 1, 7], [3, 2, 4, 4], [2, 3, 17, 1], [5, 2, 7, 7], [2, 2, 40, 41], [2, 32, 14, 14]])
    func trainingMatchesNaiveReference(shape: [Int]) {
        var random = RandomSource(seed: 11)
        let c = shape[1], s = shape[2] * shape[3], n = shape[0]
        let bn = Self.makeBatchNorm2d(c, random: &random)
        let x = Self.makeInput(shape, random: &random)
        let g = Tensor.gaussian(shape, using: &random)
        let y = bn.forward(x)
        let dx = bn.backward(g)

        let gamma = bn.weight.value.scalars.map(Double.init), beta = bn.bias.value.scalars.map(Double.init)
        let xd = x.scalars.map(Double.init), gd = g.scalars.map(Double.init)
        let reference = batchNormReferenceForward(xd, n: n, c: c, s: s, gamma: gamma, beta: beta, epsilon: 1e-5)
        let referenceGradient = batchNormReferenceBackward(xd, gd, n: n, c: c, s: s, gamma: gamma, epsilon: 1e-5)
        #expect(Self.maxRelative(y.scalars, reference.y) < 1e-5)
        #expect(Self.maxRelative(dx.scalars, referenceGradient.dx) < 1e-4)
        #expect(Self.maxRelative(bn.weight.gradient.scalars, referenceGradient.dgamma) < 1e-5)
        #expect(Self.maxRelative(bn.bias.gradient.scalars, referenceGradient.dbeta) < 1e-5)
        // Running statistics after one step from (0, 1), with the unbiased variance.
        let m = Double(n * s)
        let expectedMean = reference.mean.map { 0.1 * $0 }
        let expectedVariance = reference.variance.map { 0.9 + 0.1 * $0 * m / (m - 1) }
        #expect(Self.maxRelative(bn.runningMean.value.scalars, expectedMean) < 1e-5)
        #expect(Self.maxRelative(bn.runningVariance.value.scalars, expectedVariance) < 1e-5)
        #expect(bn.batchesTracked.value.scalars == [1])
    }

    @Test func outputHasChannelMeanBetaAndStdGamma() {
        var random = RandomSource(seed: 3)
        let bn = Self.makeBatchNorm2d(6, random: &random)
        let x = Self.makeInput([8, 6, 5, 3], random: &random) * 10 + 100  // large mean, large spread
        let y = bn.forward(x)
        let s = 15
        for ch in 0..<6 {
            var values: [Double] = []
            for i in 0..<8 { for j in 0..<s { values.append(Double(y.scalars[(i * 6 + ch) * s + j])) } }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
            let gamma = Double(bn.weight.value.scalars[ch]), beta = Double(bn.bias.value.scalars[ch])
            #expect(abs(mean - beta) < 1e-4)
            // ε = 1e-5 shrinks the std by a factor √(v/(v+ε)), negligible for v ≈ 225.
            #expect(abs(variance.squareRoot() - abs(gamma)) < 1e-4 * abs(gamma))
        }
    }

    @Test func gradientCheckTrainingMode() {
        var random = RandomSource(seed: 5)
        for shape in [[4, 3, 3, 5], [2, 2, 1, 3], [3, 4, 2, 2]] {
            // (M = N·H·W ≥ 6 values per channel: with M = 2, x̂ = ±1 whatever x is, and the
            // gradient is ~0, all rounding noise.)
            let bn = Self.makeBatchNorm2d(shape[1], random: &random)
            let x = Self.makeInput(shape, random: &random)
            for seed: UInt64 in [1, 2, 3] {
                let result = checkGradients(of: bn, input: x, seed: seed)
                #expect(result.worst < 1e-3, "shape \(shape) seed \(seed): \(result)")
            }
        }
    }

    @Test func gradientCheckEvaluationMode() {
        var random = RandomSource(seed: 6)
        let bn = Self.makeBatchNorm2d(3, random: &random)
        for _ in 0..<3 { _ = bn.forward(Self.makeInput([4, 3, 3, 3], random: &random) * 2 + 1) }
        bn.isTraining = false
        let x = Self.makeInput([4, 3, 3, 5], random: &random)
        // In evaluation the layer is affine in x and θ, so a larger step has no truncation error
        // and divides the Float rounding noise of the forward passes.
        for seed: UInt64 in [1, 2, 3] {
            let result = checkGradients(of: bn, input: x, seed: seed, step: 5e-2)
            #expect(result.worst < 1e-3, "seed \(seed): \(result)")
        }
        #expect(bn.batchesTracked.value.scalars == [3], "evaluation forwards must not count")
    }

    @Test func gradientCheckBatchNorm1d() {
        var random = RandomSource(seed: 8)
        let bn = BatchNorm1d(features: 5)
        bn.weight.value = Tensor.uniform([5], lower: 0.5, upper: 2, using: &random)
        bn.bias.value = Tensor.gaussian([5], using: &random)
        let x = Tensor.gaussian([6, 5], standardDeviation: 2, using: &random)
        for seed: UInt64 in [1, 2, 3] {
            let result = checkGradients(of: bn, input: x, seed: seed)
            #expect(result.worst < 1e-3, "seed \(seed): \(result)")
        }
        bn.isTraining = false
        let evaluation = checkGradients(of: bn, input: x, step: 5e-2)
        #expect(evaluation.worst < 1e-3, "\(evaluation)")
    }

    @Test func batchNorm1dMatchesNaiveReference() {
        var random = RandomSource(seed: 9)
        let (n, f) = (7, 19)
        let bn = BatchNorm1d(features: f)
        bn.weight.value = Tensor.uniform([f], lower: -2, upper: 2, using: &random)
        bn.bias.value = Tensor.gaussian([f], using: &random)
        let x = Tensor.gaussian([n, f], standardDeviation: 3, using: &random) + 2
        let g = Tensor.gaussian([n, f], using: &random)
        let y = bn.forward(x)
        let dx = bn.backward(g)
        let gamma = bn.weight.value.scalars.map(Double.init), beta = bn.bias.value.scalars.map(Double.init)
        let xd = x.scalars.map(Double.init)
        let reference = batchNormReferenceForward(xd, n: n, c: f, s: 1, gamma: gamma, beta: beta, epsilon: 1e-5)
        let referenceGradient = batchNormReferenceBackward(xd, g.scalars.map(Double.init), n: n, c: f, s: 1,
                                                           gamma: gamma, epsilon: 1e-5)
        #expect(Self.maxRelative(y.scalars, reference.y) < 1e-5)
        #expect(Self.maxRelative(dx.scalars, referenceGradient.dx) < 1e-4)
        #expect(Self.maxRelative(bn.weight.gradient.scalars, referenceGradient.dgamma) < 1e-5)
    }

    @Test func evaluationUsesRunningStatistics() {
        var random = RandomSource(seed: 10)
        let bn = Self.makeBatchNorm2d(4, random: &random)
        var expectedMean = [Double](repeating: 0, count: 4), expectedVariance = [Double](repeating: 1, count: 4)
        for step in 0..<3 {
            let x = Self.makeInput([3, 4, 2, 5], random: &random) * Float(step + 1)
            _ = bn.forward(x)
            let stats = batchNormReferenceForward(x.scalars.map(Double.init), n: 3, c: 4, s: 10,
                                                  gamma: [1, 1, 1, 1], beta: [0, 0, 0, 0], epsilon: 1e-5)
            for ch in 0..<4 {
                expectedMean[ch] = 0.9 * expectedMean[ch] + 0.1 * stats.mean[ch]
                expectedVariance[ch] = 0.9 * expectedVariance[ch] + 0.1 * stats.variance[ch] * 30 / 29
            }
        }
        #expect(Self.maxRelative(bn.runningMean.value.scalars, expectedMean) < 1e-5)
        #expect(Self.maxRelative(bn.runningVariance.value.scalars, expectedVariance) < 1e-5)
        #expect(bn.batchesTracked.value.scalars == [3])
        #expect(bn.buffers.map(\.name) == ["running_mean", "running_var", "num_batches_tracked"])
        #expect(bn.parameters.map(\.name) == ["weight", "bias"])

        bn.isTraining = false
        let x = Self.makeInput([2, 4, 2, 5], random: &random)
        let y = bn.forward(x)
        let g = Tensor.gaussian(x.shape, using: &random)
        bn.zeroGradients()
        let dx = bn.backward(g)
        var expectedDgamma = [Double](repeating: 0, count: 4), expectedDbeta = [Double](repeating: 0, count: 4)
        for i in 0..<x.count {
            let ch = (i / 10) % 4
            let sigma = (expectedVariance[ch] + 1e-5).squareRoot()
            let gamma = Double(bn.weight.value.scalars[ch]), beta = Double(bn.bias.value.scalars[ch])
            let xhat = (Double(x.scalars[i]) - expectedMean[ch]) / sigma
            #expect(abs(Double(y.scalars[i]) - (gamma * xhat + beta)) < 1e-5 * max(1, abs(gamma * xhat + beta)))
            #expect(abs(Double(dx.scalars[i]) - gamma / sigma * Double(g.scalars[i])) < 1e-5 * max(1, abs(gamma / sigma)))
            expectedDgamma[ch] += Double(g.scalars[i]) * xhat
            expectedDbeta[ch] += Double(g.scalars[i])
        }
        #expect(Self.maxRelative(bn.weight.gradient.scalars, expectedDgamma) < 1e-5)
        #expect(Self.maxRelative(bn.bias.gradient.scalars, expectedDbeta) < 1e-5)
        // Evaluation does not move the running statistics.
        #expect(Self.maxRelative(bn.runningMean.value.scalars, expectedMean) < 1e-5)
        #expect(bn.batchesTracked.value.scalars == [3])
    }

    @Test func backwardAccumulatesParameterGradients() {
        var random = RandomSource(seed: 12)
        let bn = Self.makeBatchNorm2d(3, random: &random)
        let x = Self.makeInput([2, 3, 4, 4], random: &random)
        let g = Tensor.gaussian(x.shape, using: &random)
        _ = bn.forward(x)
        let dx1 = bn.backward(g)
        let (dgamma, dbeta) = (bn.weight.gradient, bn.bias.gradient)
        let dx2 = bn.backward(g)
        #expect(dx1 == dx2, "the input gradient does not accumulate")
        #expect(bn.weight.gradient.maxAbsDifference(dgamma * 2) < 1e-5)
        #expect(bn.bias.gradient.maxAbsDifference(dbeta * 2) < 1e-5)
        bn.zeroGradients()
        #expect(bn.weight.gradient.scalars.allSatisfy { $0 == 0 })
    }

    /// A constant channel has zero variance: x̂ = 0, y = β, and finite gradients (ε keeps σ > 0).
    @Test func constantChannelIsFinite() {
        let bn = BatchNorm2d(channels: 2)
        var x = Tensor(shape: [2, 2, 3, 3], repeating: 4)
        for i in 0..<9 { x.scalars[9 + i] = Float(i) }      // channel 1 of sample 0 varies
        let y = bn.forward(x)
        #expect(y.isFinite)
        #expect((0..<9).allSatisfy { y.scalars[$0] == 0 })
        var random = RandomSource(seed: 1)
        let dx = bn.backward(Tensor.gaussian(x.shape, using: &random))
        #expect(dx.isFinite)
    }
}
