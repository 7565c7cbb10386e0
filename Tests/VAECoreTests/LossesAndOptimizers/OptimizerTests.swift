import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// Optimizers, gradient clipping and state save/restore, against PyTorch (`Fixtures/optim.py`)
/// and against themselves.
@Suite struct OptimizerTests {
    /// Loaded once; read-only afterwards.
    nonisolated(unsafe) static let fixture = Result { try Fixture("optim") }
    static let parameterCount = 4

    /// Fresh parameters at the fixture's initial values, named p0, p1, …
    static func initialParameters() throws -> [Parameter] {
        let f = try fixture.get()
        return try (0..<parameterCount).map { Parameter(name: "p\($0)", value: try f.tensor("initial", "p\($0)")) }
    }

    /// The stored gradient of parameter `k` at step `t`.
    static func gradient(_ k: Int, step t: Int) throws -> Tensor {
        try fixture.get().tensor("gradients", "p\(k)").slice(t)
    }

    /// The optimizer a fixture case describes.
    static func makeOptimizer(_ name: String, _ parameters: [Parameter]) throws -> any Optimizer {
        let f = try fixture.get()
        guard let kind = f.cases[name]?["kind"] as? String else { throw FixtureError.malformed("\(name) has no kind") }
        let lr = Float(try f.number(name, "lr"))
        switch kind {
        case "SGD":
            return try SGD(parameters, learningRate: lr, momentum: try f.number(name, "momentum"),
                           dampening: try f.number(name, "dampening"), weightDecay: try f.number(name, "weight_decay"),
                           nesterov: try f.number(name, "nesterov") != 0)
        case "Adam", "AdamW":
            let betas = (try f.number(name, "beta1"), try f.number(name, "beta2"))
            let eps = try f.number(name, "eps"), wd = try f.number(name, "weight_decay")
            return kind == "Adam"
                ? try Adam(parameters, learningRate: lr, betas: betas, epsilon: eps, weightDecay: wd)
                : try AdamW(parameters, learningRate: lr, betas: betas, epsilon: eps, weightDecay: wd)
        case "RMSprop":
            return try RMSprop(parameters, learningRate: lr, alpha: try f.number(name, "alpha"), epsilon: try f.number(name, "eps"),
                               momentum: try f.number(name, "momentum"), centered: try f.number(name, "centered") != 0,
                               weightDecay: try f.number(name, "weight_decay"))
        default:
            throw FixtureError.malformed("unknown optimizer kind \(kind)")
        }
    }

    static let trajectoryCases = [
        "sgd_plain", "sgd_momentum", "sgd_nesterov", "sgd_weight_decay", "sgd_dampening",
        "adam_defaults", "adam_lr", "adam_weight_decay", "adam_betas", "adam_small_beta1",
        "adamw_defaults", "adamw_lr", "adam_clipped",
        "rmsprop_defaults", "rmsprop_lr", "rmsprop_momentum", "rmsprop_centered", "rmsprop_weight_decay", "rmsprop_small_alpha",
    ]

    /// Replays PyTorch's gradients and compares every parameter after every update.
    /// Relative error with a floor of 1e-3 (coordinates within 1e-3 of zero are judged absolutely,
    /// to 1e-8), and absolute error against the O(1) scale of the parameters.
    @Test(arguments: trajectoryCases)
    func matchesPyTorchTrajectory(_ name: String) throws {
        let f = try Self.fixture.get()
        let parameters = try Self.initialParameters()
        let optimizer = try Self.makeOptimizer(name, parameters)
        let steps = Int(try f.number("gradients", "steps"))
        let maxNorm = f.cases[name]?["max_norm"] as? Double
        let expectedNorms = maxNorm != nil ? try f.numbers(name, "norms") : []
        var worst: Float = 0, worstAbsolute: Float = 0
        for t in 0..<steps {
            for (k, parameter) in parameters.enumerated() { parameter.gradient = try Self.gradient(k, step: t) }
            if let maxNorm {
                let norm = try clipGradientNorm(parameters, maxNorm: Float(maxNorm))
                #expect(abs(Double(norm) - expectedNorms[t]) <= 1e-6 * expectedNorms[t], "step \(t) norm")
            }
            optimizer.step()
            for (k, parameter) in parameters.enumerated() {
                let expected = try f.tensor(name, "p\(k)").slice(t)
                worst = max(worst, maxRelativeError(parameter.value, expected))
                worstAbsolute = max(worstAbsolute, parameter.value.maxAbsDifference(expected))
            }
        }
        #expect(optimizer.stepCount == steps)
        // Observed: SGD is bit-identical to PyTorch. Adam differs by at most 1 ulp of the O(1)
        // values (1.2e-7), since PyTorch's vectorised sqrt is not correctly rounded; relative to a
        // floor of 1e-3 that reaches 7e-6 at coordinates that pass within 0.02 of zero. RMSprop
        // shares Adam's square root.
        #expect(worst <= 1e-5, "\(name): worst relative error \(worst)")
        #expect(worstAbsolute <= 2.5e-7, "\(name): worst absolute error \(worstAbsolute)")
    }

    /// The comparison means something only if the parameters really move.
    @Test func fixtureTrajectoriesMove() throws {
        let f = try Self.fixture.get()
        for name in Self.trajectoryCases {
            let last = try f.tensor(name, "p2").slice(Int(try f.number("gradients", "steps")) - 1)
            let lr = Float(try f.number(name, "lr"))
            #expect(last.maxAbsDifference(try f.tensor("initial", "p2")) > 5 * lr, "\(name)")
        }
    }

    // MARK: Fast kernels against their references

    /// Random vectors of an awkward length (SIMD body plus a tail).
    static func randomVectors(_ count: Int, seed: UInt64) -> (p: [Float], g: [Float], a: [Float], b: [Float]) {
        var random = RandomSource(seed: seed)
        let p = (0..<count).map { _ in random.gaussian() }
        var g = (0..<count).map { _ in random.gaussian() }
        g[3] = 0; g[5] = 1e-10
        let a = (0..<count).map { _ in 0.1 * random.gaussian() }
        let b = (0..<count).map { _ in 0.01 * abs(random.gaussian()) }
        return (p, g, a, b)
    }

    @Test(arguments: [false, true], [false, true])
    func sgdKernelMatchesReference(nesterov: Bool, firstStep: Bool) {
        let n = 43
        let (p0, g, b0, _) = Self.randomVectors(n, seed: 7)
        for (momentum, weightDecay) in [(Float(0), Float(0)), (0.9, 0), (0.9, 0.01)] where !(nesterov && momentum == 0) {
            let c = SGDKernel.Coefficients(negativeLearningRate: -0.03, weightDecay: weightDecay, momentum: momentum,
                                           dampingComplement: nesterov ? 1 : 0.75, usesMomentum: momentum != 0,
                                           nesterov: nesterov, isFirstStep: firstStep)
            var (pFast, bFast, pRef, bRef) = (p0, b0, p0, b0)
            pFast.withUnsafeMutableBufferPointer { p in bFast.withUnsafeMutableBufferPointer { b in
                SGDKernel.update(count: n, value: p.baseAddress!, gradient: g, buffer: momentum != 0 ? b.baseAddress! : nil, c)
            } }
            pRef.withUnsafeMutableBufferPointer { p in bRef.withUnsafeMutableBufferPointer { b in
                SGDKernel.updateReference(count: n, value: p.baseAddress!, gradient: g, buffer: momentum != 0 ? b.baseAddress! : nil, c)
            } }
            #expect(pFast == pRef)
            #expect(bFast == bRef)
            #expect(pFast != p0)
        }
    }

    @Test(arguments: [(0.9, 0.0, false), (0.9, 0.1, false), (0.9, 0.1, true), (0.3, 0.0, false)])
    func adamKernelMatchesReference(beta1: Double, weightDecay: Double, decoupled: Bool) throws {
        let n = 45
        let (p0, g, m0, v0) = Self.randomVectors(n, seed: 11)
        let parameter = Parameter(name: "w", value: Tensor(shape: [n], scalars: p0))
        let adam = try Adam([parameter], learningRate: 0.01, betas: (beta1, 0.999), epsilon: 1e-8,
                            weightDecay: weightDecay, decoupledWeightDecay: decoupled, kind: "Adam")
        let c = adam.coefficients(atStep: 3)
        var (pFast, mFast, vFast) = (p0, m0, v0)
        var (pRef, mRef, vRef) = (p0, m0, v0)
        AdamKernel.update(count: n, value: &pFast, gradient: g, firstMoment: &mFast, secondMoment: &vFast, c)
        AdamKernel.updateReference(count: n, value: &pRef, gradient: g, firstMoment: &mRef, secondMoment: &vRef, c)
        #expect(pFast == pRef)
        #expect(mFast == mRef)
        #expect(vFast == vRef)
        #expect(pFast != p0)
    }

    @Test(arguments: [(0.99, 0.0, 0.0, false), (0.99, 0.9, 0.01, false), (0.9, 0.0, 0.0, true), (0.3, 0.5, 0.1, true)])
    func rmspropKernelMatchesReference(alpha: Double, momentum: Double, weightDecay: Double, centered: Bool) throws {
        let n = 45
        let (p0, g, a0, b) = Self.randomVectors(n, seed: 13)
        let s0 = zip(a0, b).map { $0 * $0 + $1 }     // a mean square is at least its mean's square: s ≥ a²
        let b0 = a0.map { -2 * $0 }
        let parameter = Parameter(name: "w", value: Tensor(shape: [n], scalars: p0))
        let c = try RMSprop([parameter], learningRate: 0.01, alpha: alpha, momentum: momentum, centered: centered,
                            weightDecay: weightDecay).coefficients
        var (pFast, sFast, aFast, bFast) = (p0, s0, a0, b0)
        var (pRef, sRef, aRef, bRef) = (p0, s0, a0, b0)
        aFast.withUnsafeMutableBufferPointer { a in bFast.withUnsafeMutableBufferPointer { b in
            RMSpropKernel.update(count: n, value: &pFast, gradient: g, squareAverage: &sFast,
                                 gradientAverage: centered ? a.baseAddress! : nil, momentumBuffer: momentum > 0 ? b.baseAddress! : nil, c)
        } }
        aRef.withUnsafeMutableBufferPointer { a in bRef.withUnsafeMutableBufferPointer { b in
            RMSpropKernel.updateReference(count: n, value: &pRef, gradient: g, squareAverage: &sRef,
                                          gradientAverage: centered ? a.baseAddress! : nil, momentumBuffer: momentum > 0 ? b.baseAddress! : nil, c)
        } }
        #expect(pFast == pRef && sFast == sRef && aFast == aRef && bFast == bRef)
        #expect(pFast != p0 && sFast != s0)
        #expect((aFast != a0) == centered && (bFast != b0) == (momentum > 0))
    }

    /// Adam's coefficients are formed in Double from Double hyperparameters, as PyTorch's are.
    @Test func adamCoefficientsRoundOnce() throws {
        let adam = try Adam([Parameter(name: "w", value: Tensor(shape: [1]))])
        let c = adam.coefficients(atStep: 1)
        #expect(c.beta2Complement == Float(1 - 0.999 as Double))
        #expect(c.beta2Complement != 1 - Float(0.999))   // the cancellation the Double keeps away
        #expect(c.lerpCoefficient == Float(1 - 0.9 as Double))
        #expect(abs(Double(c.negativeStepSize) + 1e-3 / 0.1) < 1e-8)   // −η / (1 − β₁)
        #expect(abs(Double(c.biasCorrection2Root) - 0.001.squareRoot()) < 1e-7 * 0.001.squareRoot())
    }

    // MARK: Behaviour

    /// Plain SGD is p ← p − η·g, and with zero gradients nothing moves (even with momentum).
    @Test func sgdBasics() throws {
        let w = Parameter(name: "w", value: Tensor(shape: [3], scalars: [1, -2, 3]))
        w.gradient = Tensor(shape: [3], scalars: [0.5, 0.5, -1])
        let sgd = try SGD([w], learningRate: 0.5)
        sgd.step()
        #expect(w.value.scalars == [0.75, -2.25, 3.5])
        sgd.zeroGradients()
        #expect(w.gradient.scalars == [0, 0, 0])
        let momentum = try SGD([w], learningRate: 0.5, momentum: 0.9)
        momentum.step()
        #expect(w.value.scalars == [0.75, -2.25, 3.5])
    }

    /// Adam's first step has length η in every coordinate whose |g| ≫ ε, whatever the scale of g.
    @Test func adamFirstStepIsLearningRate() throws {
        let w = Parameter(name: "w", value: Tensor(shape: [4], scalars: [0, 0, 0, 0]))
        w.gradient = Tensor(shape: [4], scalars: [1e3, -1e-3, 5, 0])
        let adam = try Adam([w], learningRate: 0.01)
        adam.step()
        let expected: [Float] = [-0.01, 0.01, -0.01, 0]
        for i in 0..<4 { #expect(abs(w.value.scalars[i] - expected[i]) <= 1e-7) }
    }

    /// ε outside the root: with |g| = ε the first step is η·|g|/(|g| + ε) = η/2, not η/√2 or η.
    @Test func adamEpsilonOutsideSquareRoot() throws {
        let w = Parameter(name: "w", value: Tensor(shape: [1], scalars: [0]))
        w.gradient = Tensor(shape: [1], scalars: [1e-4])
        let adam = try Adam([w], learningRate: 1, epsilon: 1e-4)
        adam.step()
        #expect(abs(w.value.scalars[0] + 0.5) < 1e-6)
    }

    /// AdamW decays the weights even with zero gradients; Adam with L2 moves them a full η.
    @Test func adamWDecouplesWeightDecay() throws {
        let a = Parameter(name: "a", value: Tensor(shape: [1], scalars: [2]))
        let adamW = try AdamW([a], learningRate: 0.1, weightDecay: 0.5)
        adamW.step()
        #expect(abs(a.value.scalars[0] - 2 * (1 - 0.05)) < 1e-6)
        let b = Parameter(name: "b", value: Tensor(shape: [1], scalars: [2]))
        let adam = try Adam([b], learningRate: 0.1, weightDecay: 0.5)
        adam.step()
        #expect(abs(b.value.scalars[0] - 1.9) < 1e-6)
    }

    /// RMSprop's first step: s = (1 − α)g², so the step is η·g/(√(1 − α)·|g| + ε) ≈ η/√(1 − α)
    /// = 10η for α = 0.99, whatever the scale of g (no bias correction, unlike Adam's η).
    @Test func rmspropFirstStepIsLarge() throws {
        let w = Parameter(name: "w", value: Tensor(shape: [3], scalars: [0, 0, 0]))
        w.gradient = Tensor(shape: [3], scalars: [1e3, -2, 0])
        let rmsprop = try RMSprop([w], learningRate: 0.01)
        rmsprop.step()
        #expect(abs(w.value.scalars[0] + 0.1) <= 1e-6 && abs(w.value.scalars[1] - 0.1) <= 1e-6 && w.value.scalars[2] == 0)
        // Centred, the first step divides by √((1 − α)g² − ((1 − α)g)²) = |g|·√((1 − α)α): larger still.
        let v = Parameter(name: "v", value: Tensor(shape: [1], scalars: [0]))
        v.gradient = Tensor(shape: [1], scalars: [4])
        let centred = try RMSprop([v], learningRate: 0.01, centered: true)
        centred.step()
        #expect(abs(Double(v.value.scalars[0]) + 0.01 / (0.01 * 0.99).squareRoot()) <= 1e-5)
    }

    /// Every optimizer names the buffers its state holds for each parameter, and nothing else.
    @Test func bufferNamesAreTheStatesBuffers() throws {
        let parameters = try Self.initialParameters()
        let optimizers: [any Optimizer] = [
            try SGD(parameters), try SGD(parameters, momentum: 0.9), try Adam(parameters), try AdamW(parameters),
            try RMSprop(parameters), try RMSprop(parameters, momentum: 0.9, centered: true),
        ]
        let expected = [[], ["momentum_buffer"], ["exp_avg", "exp_avg_sq"], ["exp_avg", "exp_avg_sq"], ["square_avg"],
                        ["square_avg", "momentum_buffer", "grad_avg"]]
        for (optimizer, names) in zip(optimizers, expected) {
            #expect(optimizer.bufferNames == names)
            for p in parameters { #expect(Set(optimizer.state().buffers[p.name]?.keys.map { $0 } ?? []) == Set(names)) }
        }
    }

    @Test func invalidHyperparametersThrow() {
        let w = [Parameter(name: "w", value: Tensor(shape: [2]))]
        #expect(throws: OptimizerError.self) { try SGD(w, learningRate: -1) }
        #expect(throws: OptimizerError.self) { try SGD(w, learningRate: .nan) }
        #expect(throws: OptimizerError.self) { try SGD(w, momentum: -0.1) }
        #expect(throws: OptimizerError.self) { try SGD(w, nesterov: true) }
        #expect(throws: OptimizerError.self) { try SGD(w, momentum: 0.9, dampening: 0.1, nesterov: true) }
        #expect(throws: OptimizerError.self) { try SGD(w, weightDecay: -1) }
        #expect(throws: OptimizerError.self) { try Adam(w, betas: (1.0, 0.999)) }
        #expect(throws: OptimizerError.self) { try Adam(w, betas: (0.9, -0.1)) }
        #expect(throws: OptimizerError.self) { try Adam(w, epsilon: -1e-8) }
        #expect(throws: OptimizerError.self) { try AdamW(w, weightDecay: .infinity) }
        #expect(throws: OptimizerError.self) { try RMSprop(w, alpha: 1) }
        #expect(throws: OptimizerError.self) { try RMSprop(w, alpha: -0.1) }
        #expect(throws: OptimizerError.self) { try RMSprop(w, epsilon: .nan) }
        #expect(throws: OptimizerError.self) { try RMSprop(w, momentum: -1) }
        #expect(throws: OptimizerError.self) { try RMSprop(w, weightDecay: -1) }
        let twins = [Parameter(name: "w", value: Tensor(shape: [2])), Parameter(name: "w", value: Tensor(shape: [3]))]
        #expect(throws: OptimizerError.duplicateParameterName("w")) { try Adam(twins) }
    }

    /// PyTorch's defaults.
    @Test func defaults() throws {
        let w = [Parameter(name: "w", value: Tensor(shape: [2]))]
        let adam = try Adam(w), adamW = try AdamW(w), sgd = try SGD(w)
        #expect(adam.learningRate == 1e-3 && adam.betas == (0.9, 0.999) && adam.epsilon == 1e-8 && adam.weightDecay == 0)
        #expect(!adam.decoupledWeightDecay)
        #expect(adamW.learningRate == 1e-3 && adamW.weightDecay == 0.01 && adamW.decoupledWeightDecay)
        #expect(sgd.learningRate == 1e-3 && sgd.momentum == 0 && !sgd.nesterov)
        let rmsprop = try RMSprop(w)
        #expect(rmsprop.learningRate == 1e-2 && rmsprop.alpha == 0.99 && rmsprop.epsilon == 1e-8 && rmsprop.momentum == 0
                && !rmsprop.centered && rmsprop.weightDecay == 0)
    }

    // MARK: State save and restore

    /// Gradients for `steps` updates of parameters shaped like `initialParameters()`.
    static func randomGradients(steps: Int, seed: UInt64) throws -> [[Tensor]] {
        var random = RandomSource(seed: seed)
        let shapes = try initialParameters().map(\.value.shape)
        return (0..<steps).map { _ in shapes.map { Tensor.gaussian($0, using: &random) } }
    }

    static func make(_ kind: String, _ parameters: [Parameter]) throws -> any Optimizer {
        switch kind {
        case "SGD": try SGD(parameters, learningRate: 0.05, momentum: 0.9, nesterov: true)
        case "SGD-dampened": try SGD(parameters, learningRate: 0.05, momentum: 0.9, dampening: 0.2, weightDecay: 1e-3)
        case "SGD-plain": try SGD(parameters, learningRate: 0.05)
        case "Adam": try Adam(parameters, learningRate: 0.01, weightDecay: 1e-3)
        case "RMSprop": try RMSprop(parameters, learningRate: 0.01, momentum: 0.8, centered: true, weightDecay: 1e-3)
        case "RMSprop-plain": try RMSprop(parameters, learningRate: 0.01)
        default: try AdamW(parameters, learningRate: 0.01)
        }
    }

    /// 10 updates in one go equal 5 updates, a save through JSON, a fresh optimizer restored
    /// from it, and 5 more updates: bit for bit, with a schedule driven by the step count.
    @Test(arguments: ["SGD", "SGD-dampened", "SGD-plain", "Adam", "AdamW", "RMSprop", "RMSprop-plain"])
    func saveAndRestoreIsBitIdentical(_ kind: String) throws {
        let make = { try Self.make(kind, $0) }
        let gradients = try Self.randomGradients(steps: 10, seed: 99)
        let schedule = try LinearWarmup(steps: 3, startFactor: 0.2, then: try CosineAnnealing(initial: 0.02, steps: 10))
        func run(_ optimizer: any Optimizer, _ parameters: [Parameter], steps: Range<Int>) {
            for t in steps {
                for (k, parameter) in parameters.enumerated() { parameter.gradient = gradients[t][k] }
                optimizer.setLearningRate(from: schedule)
                optimizer.step()
            }
        }
        let straight = try Self.initialParameters()
        let a = try make(straight)
        run(a, straight, steps: 0..<10)

        let resumed = try Self.initialParameters()
        let first = try make(resumed)
        run(first, resumed, steps: 0..<5)
        let json = try JSONEncoder().encode(first.state())
        let copies = resumed.map { Parameter(name: $0.name, value: $0.value) }   // as if loaded from a checkpoint
        let second = try make(copies)
        try second.restore(from: try JSONDecoder().decode(OptimizerState.self, from: json))
        #expect(second.stepCount == 5)
        #expect(second.state() == first.state())
        run(second, copies, steps: 5..<10)

        #expect(a.stepCount == 10 && second.stepCount == 10)
        for (x, y) in zip(straight, copies) { #expect(x.value == y.value, "\(kind) \(x.name)") }
        #expect(a.state() == second.state())
    }

    /// The encoding is exact for every float, NaN and subnormals included, and deterministic
    /// (given an encoder with sorted keys).
    @Test func stateEncodingIsExact() throws {
        let values: [Float] = [.nan, .infinity, -0.0, .leastNonzeroMagnitude, 0.1, -.greatestFiniteMagnitude, Float.leastNormalMagnitude.nextDown]
        let state = OptimizerState(kind: "Adam", stepCount: 3, learningRate: (0.1 as Float).nextUp,
                                   parameterNames: ["b", "a"],
                                   buffers: ["b": ["exp_avg": values, "exp_avg_sq": [1, 2]], "a": ["exp_avg": [], "exp_avg_sq": []]])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(state)
        #expect(data == (try encoder.encode(state)))
        let back = try JSONDecoder().decode(OptimizerState.self, from: data)
        #expect(back.learningRate.bitPattern == state.learningRate.bitPattern)
        #expect(back.parameterNames == ["b", "a"])
        #expect(back.buffers["b"]!["exp_avg"]!.map { $0.bitPattern } == values.map { $0.bitPattern })
        #expect(back.buffers["b"]!["exp_avg_sq"]! == [1, 2])
        #expect(back.stepCount == 3)
    }

    @Test func mismatchedStateThrows() throws {
        let parameters = try Self.initialParameters()
        let adam = try Adam(parameters)
        let state = adam.state()
        #expect(throws: OptimizerError.self) { try SGD(parameters, momentum: 0.9).restore(from: state) }
        #expect(throws: OptimizerError.self) { try AdamW(parameters).restore(from: state) }
        #expect(throws: OptimizerError.self) { try RMSprop(parameters).restore(from: state) }
        // An RMSprop state needs the same buffers: a centred one does not restore into a plain one.
        #expect(throws: OptimizerError.self) { try RMSprop(parameters).restore(from: try RMSprop(parameters, centered: true).state()) }
        let fewer = try Adam(Array(parameters.dropLast()))
        #expect(throws: OptimizerError.self) { try fewer.restore(from: state) }
        var wrongSize = state
        wrongSize.buffers["p1"]!["exp_avg"]!.removeLast()
        #expect(throws: OptimizerError.self) { try adam.restore(from: wrongSize) }
        var missing = state
        missing.buffers["p2"]!["exp_avg_sq"] = nil
        #expect(throws: OptimizerError.self) { try adam.restore(from: missing) }
        var renamed = state
        renamed.parameterNames[0] = "q0"
        #expect(throws: OptimizerError.self) { try adam.restore(from: renamed) }
        var negative = state
        negative.stepCount = -1
        #expect(throws: OptimizerError.self) { try adam.restore(from: negative) }
        // A failed restore changes nothing.
        #expect(adam.state() == state)
        let plain = try SGD(parameters)
        #expect(throws: OptimizerError.self) { try plain.restore(from: state) }
        try plain.restore(from: try SGD(parameters, learningRate: 0.5).state())
        #expect(plain.learningRate == 0.5)
    }
}

@Suite struct GradientClippingTests {
    static func parameters(from fixture: Fixture, _ name: String) throws -> [Parameter] {
        try (0..<OptimizerTests.parameterCount).map { k in
            let p = Parameter(name: "p\(k)", value: try fixture.tensor("initial", "p\(k)"))
            p.gradient = try fixture.tensor(name, "g\(k)")
            return p
        }
    }

    @Test(arguments: ["clip_large", "clip_small"])
    func matchesPyTorch(_ name: String) throws {
        let f = try OptimizerTests.fixture.get()
        let parameters = try Self.parameters(from: f, name)
        let norm = try clipGradientNorm(parameters, maxNorm: Float(try f.number(name, "max_norm")))
        let expected = try f.number(name, "total_norm")
        #expect(abs(Double(norm) - expected) <= 1e-6 * expected)
        for (k, p) in parameters.enumerated() {
            #expect(maxRelativeError(p.gradient, try f.tensor(name, "clipped\(k)"), floor: 1e-6) <= 1e-6)
        }
    }

    /// Below the threshold, gradients are left bit-identical; above it, the new norm is maxNorm.
    @Test func clipsOnlyLargeGradients() throws {
        var random = RandomSource(seed: 5)
        let parameters = [Parameter(name: "a", value: Tensor(shape: [7, 5])), Parameter(name: "b", value: Tensor(shape: [13]))]
        for p in parameters { p.gradient = Tensor.gaussian(p.value.shape, using: &random) }
        let before = parameters.map(\.gradient)
        let norm = gradientNorm(parameters)
        #expect(try clipGradientNorm(parameters, maxNorm: norm * 1.01) == norm)
        #expect(parameters.map(\.gradient) == before)
        #expect(try clipGradientNorm(parameters, maxNorm: .infinity) == norm)
        #expect(parameters.map(\.gradient) == before)

        #expect(try clipGradientNorm(parameters, maxNorm: norm / 4) == norm)
        #expect(abs(gradientNorm(parameters) - norm / 4) <= 1e-5 * norm)
        // Same direction: every element scaled by the same factor.
        let ratio = parameters[0].gradient.scalars[0] / before[0].scalars[0]
        for (p, old) in zip(parameters, before) {
            for i in 0..<p.gradient.count { #expect(abs(p.gradient.scalars[i] - ratio * old.scalars[i]) <= 1e-6) }
        }
    }

    @Test func zeroAndBadInput() throws {
        let p = Parameter(name: "w", value: Tensor(shape: [9]))
        #expect(try clipGradientNorm([p], maxNorm: 1) == 0)
        #expect(p.gradient.scalars == Array(repeating: 0, count: 9))
        #expect(try clipGradientNorm([], maxNorm: 1) == 0)
        #expect(throws: OptimizerError.self) { try clipGradientNorm([p], maxNorm: -1) }
        #expect(throws: OptimizerError.self) { try clipGradientNorm([p], maxNorm: .nan) }
        p.gradient.scalars[4] = .infinity
        let before = p.gradient
        #expect(throws: OptimizerError.nonfiniteGradientNorm(.infinity)) {
            try clipGradientNorm([p], maxNorm: 1, errorIfNonfinite: true)
        }
        #expect(p.gradient == before)
    }

    @Test func sumOfSquaresMatchesReference() {
        var random = RandomSource(seed: 3)
        for n in [0, 1, 7, 8, 9, 100, 1001] {
            let x = (0..<n).map { _ in random.gaussian() * 3 }
            let fast = x.withUnsafeBufferPointer { sumOfSquares($0) }
            let reference = x.withUnsafeBufferPointer { sumOfSquaresReference($0) }
            #expect(abs(fast - reference) <= 1e-12 * max(reference, 1), "n = \(n)")
        }
    }
}

@Suite struct LearningRateScheduleTests {
    /// PyTorch's scheduler sequences, update by update, to 1e-6 relative (1e-9 absolute near 0).
    @Test(arguments: ["sched_step", "sched_exponential", "sched_cosine", "sched_warmup_cosine",
                      "sched_warmup_step", "sched_warmup_lambda"])
    func matchesPyTorch(_ name: String) throws {
        let f = try OptimizerTests.fixture.get()
        let base = Float(try f.number(name, "base_lr"))
        let schedule: any LearningRateSchedule
        switch name {
        case "sched_step":
            schedule = try StepDecay(initial: base, stepSize: Int(try f.number(name, "step_size")), gamma: try f.number(name, "gamma"))
        case "sched_exponential":
            schedule = try ExponentialDecay(initial: base, gamma: try f.number(name, "gamma"))
        case "sched_cosine":
            schedule = try CosineAnnealing(initial: base, minimum: Float(try f.number(name, "eta_min")),
                                           steps: Int(try f.number(name, "t_max")))
        case "sched_warmup_cosine":
            schedule = try LinearWarmup(
                steps: Int(try f.number(name, "warmup")), startFactor: try f.number(name, "start_factor"),
                then: try CosineAnnealing(initial: base, minimum: Float(try f.number(name, "eta_min")),
                                          steps: Int(try f.number(name, "t_max"))))
        case "sched_warmup_step":
            schedule = try LinearWarmup(
                steps: Int(try f.number(name, "warmup")), startFactor: try f.number(name, "start_factor"),
                then: try StepDecay(initial: base, stepSize: Int(try f.number(name, "step_size")), gamma: try f.number(name, "gamma")))
        default:
            schedule = try LinearWarmup(steps: Int(try f.number(name, "warmup")), startFactor: try f.number(name, "start_factor"),
                                        then: try ConstantLearningRate(base))
        }
        let expected = try f.numbers(name, "lr")
        #expect(expected.count >= 11)
        for (t, value) in expected.enumerated() {
            let actual = Double(schedule.learningRate(atStep: t))
            #expect(abs(actual - value) <= 1e-6 * max(abs(value), 1e-3), "\(name) step \(t): \(actual) vs \(value)")
        }
    }

    @Test func stepDecayBoundaries() throws {
        let s = try StepDecay(initial: 1, stepSize: 10, gamma: 0.5)
        #expect(s.learningRate(atStep: 0) == 1)
        #expect(s.learningRate(atStep: 9) == 1)
        #expect(s.learningRate(atStep: 10) == 0.5)
        #expect(s.learningRate(atStep: 19) == 0.5)
        #expect(s.learningRate(atStep: 20) == 0.25)
        #expect(s.learningRate(atStep: -3) == 1)
    }

    @Test func exponentialDoesNotAccumulateRounding() throws {
        let s = try ExponentialDecay(initial: 0.1, gamma: 0.9995)
        #expect(s.learningRate(atStep: 0) == 0.1)
        let exact = 0.1 * pow(0.9995, 10_000.0)
        #expect(abs(Double(s.learningRate(atStep: 10_000)) - exact) <= 1e-7 * exact)
    }

    @Test func cosineBoundaries() throws {
        let s = try CosineAnnealing(initial: 0.1, minimum: 0.001, steps: 100)
        #expect(s.learningRate(atStep: 0) == 0.1)
        #expect(abs(s.learningRate(atStep: 50) - 0.0505) <= 1e-8)
        #expect(s.learningRate(atStep: 99) > 0.001)
        #expect(s.learningRate(atStep: 100) == 0.001)
        #expect(s.learningRate(atStep: 150) == 0.001)   // stays at the minimum (PyTorch would climb back)
        #expect(s.learningRate(atStep: 10_000) == 0.001)
        var previous = Float.infinity
        for t in 0...100 {
            let lr = s.learningRate(atStep: t)
            #expect(lr <= previous)
            previous = lr
        }
    }

    @Test func warmupBoundaries() throws {
        let after = try CosineAnnealing(initial: 0.2, steps: 50)
        let s = try LinearWarmup(steps: 10, startFactor: 0, then: after)
        #expect(s.learningRate(atStep: 0) == 0)
        #expect(abs(s.learningRate(atStep: 5) - 0.1) <= 1e-8)
        #expect(abs(s.learningRate(atStep: 9) - 0.18) <= 1e-8)
        #expect(s.learningRate(atStep: 10) == 0.2)             // warm-up ends exactly at the target
        #expect(s.learningRate(atStep: 11) == after.learningRate(atStep: 1))
        #expect(s.learningRate(atStep: 60) == 0)
        let none = try LinearWarmup(steps: 0, startFactor: 0.5, then: after)
        for t in [0, 1, 25] { #expect(none.learningRate(atStep: t) == after.learningRate(atStep: t)) }
        let nested = try LinearWarmup(steps: 2, startFactor: 0.5, then: try LinearWarmup(steps: 2, then: try ConstantLearningRate(1)))
        #expect((0..<6).map { nested.learningRate(atStep: $0) } == [0, 0, 0, 0.5, 1, 1])
    }

    @Test func invalidSchedulesThrow() {
        #expect(throws: OptimizerError.self) { try StepDecay(initial: 0.1, stepSize: 0) }
        #expect(throws: OptimizerError.self) { try StepDecay(initial: -0.1, stepSize: 3) }
        #expect(throws: OptimizerError.self) { try ExponentialDecay(initial: 0.1, gamma: -1) }
        #expect(throws: OptimizerError.self) { try CosineAnnealing(initial: 0.1, steps: 0) }
        #expect(throws: OptimizerError.self) { try CosineAnnealing(initial: 0.1, minimum: .nan, steps: 5) }
        #expect(throws: OptimizerError.self) { try LinearWarmup(steps: -1, then: try ConstantLearningRate(1)) }
        #expect(throws: OptimizerError.self) { try LinearWarmup(steps: 3, startFactor: 1.5, then: try ConstantLearningRate(1)) }
        #expect(throws: OptimizerError.self) { try ConstantLearningRate(.infinity) }
    }

    /// `setLearningRate(from:)` evaluates the schedule at the optimizer's step count.
    @Test func optimizerFollowsSchedule() throws {
        let w = Parameter(name: "w", value: Tensor(shape: [2]))
        let sgd = try SGD([w], learningRate: 1)
        let s = try StepDecay(initial: 0.5, stepSize: 2, gamma: 0.1)
        var seen = [Float]()
        for _ in 0..<5 {
            sgd.setLearningRate(from: s)
            seen.append(sgd.learningRate)
            sgd.step()
        }
        #expect(seen == [0.5, 0.5, s.learningRate(atStep: 2), s.learningRate(atStep: 3), s.learningRate(atStep: 4)])
        #expect(abs(seen[4] - 0.005) <= 1e-9)
    }
}
