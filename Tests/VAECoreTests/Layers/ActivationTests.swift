import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// Activations against finite differences, and against Double formulas over the whole range.
@Suite struct ActivationTests {
    /// Every activation with its forward and derivative in Double, written from the definitions.
    static let cases: [(name: String, make: @Sendable () -> Layer, f: @Sendable (Double) -> Double, df: @Sendable (Double) -> Double)] = [
        ("ReLU", { ReLU() }, { max($0, 0) }, { $0 > 0 ? 1 : 0 }),
        ("LeakyReLU", { LeakyReLU() }, { $0 > 0 ? $0 : 0.01 * $0 }, { $0 > 0 ? 1 : 0.01 }),
        ("LeakyReLU(0.2)", { LeakyReLU(slope: 0.2) }, { $0 > 0 ? $0 : 0.2 * $0 }, { $0 > 0 ? 1 : 0.2 }),
        ("ELU", { ELU() }, { $0 > 0 ? $0 : expm1($0) }, { $0 > 0 ? 1 : exp($0) }),
        ("ELU(0.5)", { ELU(alpha: 0.5) }, { $0 > 0 ? $0 : 0.5 * expm1($0) }, { $0 > 0 ? 1 : 0.5 * exp($0) }),
        ("Sigmoid", { Sigmoid() }, { 1 / (1 + exp(-$0)) }, { 1 / (1 + exp(-$0)) * (1 / (1 + exp($0))) }),
        ("Tanh", { Tanh() }, { tanh($0) }, { 1 - tanh($0) * tanh($0) }),
        ("Softplus", { Softplus() }, { $0 > 20 ? $0 : log1p(exp($0)) }, { $0 > 20 ? 1 : 1 / (1 + exp(-$0)) }),
        ("Swish", { Swish() }, { $0 / (1 + exp(-$0)) },
         { let s = 1 / (1 + exp(-$0)); return s * (1 + $0 * (1 - s)) }),
        ("Softplus(β=2)", { Softplus(beta: 2) }, { 2 * $0 > 20 ? $0 : log1p(exp(2 * $0)) / 2 },
         { 2 * $0 > 20 ? 1 : 1 / (1 + exp(-2 * $0)) }),
    ]

    @Test(arguments: 0..<cases.count)
    func gradientCheck(index: Int) {
        let (name, make, _, _) = Self.cases[index]
        var random = RandomSource(seed: 21)
        // Inputs away from 0 (|x| ≥ 0.1), so that the ±h steps never cross a kink.
        let x = Tensor.gaussian([3, 4, 5], standardDeviation: 2, using: &random).map { $0 >= 0 ? $0 + 0.1 : $0 - 0.1 }
        let layer = make()
        for seed: UInt64 in [1, 2, 3] {
            let result = checkGradients(of: layer, input: x, seed: seed)
            #expect(result.worst < 1e-3, "\(name) seed \(seed): \(result)")
        }
    }

    /// Forward and backward at every magnitude from 1e-4 to 1e4, both signs, and at 0, against the
    /// Double formulas: relative 1e-6 (a few Float ulps), absolute below the normal Float range.
    @Test(arguments: 0..<cases.count)
    func matchesDoubleFormulasOverTheRange(index: Int) {
        let (name, make, f, df) = Self.cases[index]
        var values: [Float] = [0]
        var magnitude: Float = 1e-4
        while magnitude <= 1e4 { values += [magnitude, -magnitude]; magnitude *= 1.37 }
        values += [17, 19.99, 20, 20.01, 88, 89, 103, 104, -88, -89, -103, -104, 500, -500, 1000, -1000]
        let x = Tensor(shape: [values.count], scalars: values)
        let layer = make()
        let y = layer.forward(x)
        let dx = layer.backward(Tensor(shape: x.shape, repeating: 1))
        #expect(y.isFinite && dx.isFinite, "\(name) is not finite")
        for (i, v) in values.enumerated() {
            let (expected, expectedSlope) = (f(Double(v)), df(Double(v)))
            let yError = abs(Double(y.scalars[i]) - expected) / max(abs(expected), 1e-37)
            #expect(yError < 1e-6, "\(name)(\(v)) = \(y.scalars[i]), expected \(expected)")
            // Sigmoid and Tanh take the slope from their Float output, σ(1 − σ) and 1 − tanh²
            // (PyTorch does the same): where the output is near ±1 its rounding error, half an ulp
            // of 1 (6e-8), becomes an absolute error of up to ~1.2e-7 in the slope.
            let allowance = name == "Sigmoid" || name == "Tanh" ? 1.2e-7 : 0
            let slopeError = abs(Double(dx.scalars[i]) - expectedSlope)
            #expect(slopeError <= 1e-6 * max(abs(expectedSlope), 1e-37) + allowance,
                    "\(name)′(\(v)) = \(dx.scalars[i]), expected \(expectedSlope)")
        }
    }

    @Test func extremeValues() {
        let x = Tensor(shape: [4], scalars: [-1000, -500, 500, 1000])
        #expect(Sigmoid().forward(x).scalars == [0, 0, 1, 1])
        #expect(Tanh().forward(x).scalars == [-1, -1, 1, 1])
        #expect(Softplus().forward(x).scalars == [0, 0, 500, 1000])
        #expect(ELU().forward(x).scalars == [-1, -1, 500, 1000])
        // log(1 + e^{−80}) ≈ e^{−80} = 1.8e-35: log1p keeps it to full relative precision.
        #expect(abs(StableMath.softplus(Float(-80)) / Float(exp(-80.0)) - 1) < 1e-6)
        #expect(abs(StableMath.sigmoid(Float(-80)) / Float(exp(-80.0)) - 1) < 1e-6)
    }

    /// ELU and Swish on eight-lane exp against their scalar definitions through the C library
    /// (`scalarForward`, `scalarGradient`), on 20,003 inputs (not a multiple of 8, so the padded
    /// last vector is checked too) from −87 to 87 (where e^{−|x|} is a normal Float) and an output
    /// gradient of random signs and sizes: within 2 ulps (each exp is within 1 ulp of e^x),
    /// Swish's derivative, computed in Double, within 1. The whole range up to ±1000 is checked
    /// against Double formulas by `matchesDoubleFormulasOverTheRange`.
    @Test func vectorActivationsMatchTheirScalarDefinitions() {
        let count = 20_003
        var random = RandomSource(seed: 8)
        let x = Tensor(shape: [count], scalars: (0..<count).map { Float($0) / Float(count - 1) * 174 - 87 })
        let g = Tensor.gaussian([count], standardDeviation: 3, using: &random)
        func spacings(_ a: Float, _ b: Float) -> Float {
            a == b ? 0 : abs(a - b) / max(a.ulp, b.ulp, Float.leastNormalMagnitude.ulp)
        }
        for (name, layer, forward, gradient, gradientBound): (String, ElementwiseLayer, (Float) -> Float, (Float, Float) -> Float, Float) in [
            ("ELU", ELU(), ELU().scalarForward, ELU().scalarGradient, 2),
            ("ELU(0.5)", ELU(alpha: 0.5), ELU(alpha: 0.5).scalarForward, ELU(alpha: 0.5).scalarGradient, 2),
            ("Swish", Swish(), Swish().scalarForward, Swish().scalarGradient, 1),
        ] {
            let y = layer.forward(x), dx = layer.backward(g)
            let forwardError = (0..<count).map { spacings(y.scalars[$0], forward(x.scalars[$0])) }.max()!
            let gradientError = (0..<count).map { spacings(dx.scalars[$0], gradient(g.scalars[$0], x.scalars[$0])) }.max()!
            #expect(forwardError <= 2 && gradientError <= gradientBound, "\(name): forward \(forwardError) ulp, gradient \(gradientError) ulp")
        }
    }

    /// NaN goes through ELU and Swish, forward and backward, in full vectors and in the padded
    /// last one (11 elements), as through their scalar definitions.
    @Test func expActivationsPropagateNaN() {
        var values = [Float](repeating: -0.5, count: 11)
        values[2] = .nan; values[10] = .nan; values[4] = 3
        let x = Tensor(shape: [11], scalars: values), ones = Tensor(shape: [11], repeating: 1)
        for layer: ElementwiseLayer in [ELU(), Swish()] {
            let y = layer.forward(x).scalars, dx = layer.backward(ones).scalars
            #expect(y.indices.filter { y[$0].isNaN } == [2, 10] && dx.indices.filter { dx[$0].isNaN } == [2, 10], "\(type(of: layer))")
        }
    }

    /// The kink conventions of PyTorch: ReLU′(0) = 0, LeakyReLU′(0) = slope, ELU′(0) = α.
    @Test func derivativesAtZero() {
        let zero = Tensor(shape: [1], scalars: [0]), one = Tensor(shape: [1], scalars: [1])
        let relu = ReLU(), leaky = LeakyReLU(slope: 0.2), elu = ELU(alpha: 0.5)
        _ = relu.forward(zero); _ = leaky.forward(zero); _ = elu.forward(zero)
        #expect(relu.backward(one).scalars == [0])
        #expect(leaky.backward(one).scalars == [0.2])
        #expect(elu.backward(one).scalars == [0.5])
    }

    /// ReLU passes NaN through, as PyTorch does, in the vector loop and in the scalar tail
    /// (17 elements: two vectors of 8 and one more), forward and backward.
    @Test func reluPropagatesNaN() {
        var values = [Float](repeating: -1, count: 17)
        values[3] = .nan; values[16] = .nan; values[5] = 2; values[0] = 0
        let relu = ReLU()
        let y = relu.forward(Tensor(shape: [17], scalars: values)).scalars
        #expect(y[3].isNaN && y[16].isNaN && y[5] == 2 && y[0] == 0 && y[1] == 0)
        #expect(y.enumerated().filter { $0.element.isNaN }.map(\.offset) == [3, 16])
        let dx = relu.backward(Tensor(shape: [17], scalars: [Float](repeating: 1, count: 17))).scalars
        // PyTorch's threshold backward zeroes the gradient where y ≤ 0 and keeps it elsewhere.
        #expect(dx[3] == 1 && dx[16] == 1 && dx[5] == 1 && dx[0] == 0 && dx[1] == 0)
    }
}
