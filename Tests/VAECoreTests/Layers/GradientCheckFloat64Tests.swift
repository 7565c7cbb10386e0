import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// The gradient check in Float64, on a Linear layer (and a wrong one) with its Double reference.
@Suite struct GradientCheckFloat64Tests {
    /// y = x Wᵀ + b in Double, the definition.
    static func linearReference(inputs: Int, outputs: Int) -> ([Double], [[Double]]) -> [Double] {
        { x, p in
            let batch = x.count / inputs
            return (0..<(batch * outputs)).map { k in
                let (n, o) = (k / outputs, k % outputs)
                return (0..<inputs).reduce(p[1][o]) { $0 + x[n * inputs + $1] * p[0][o * inputs + $1] }
            }
        }
    }

    /// A Linear layer whose backward pass returns ∂L/∂x 1% too large: a bug that a Float check
    /// at h = 1e-2 sees only as well as its own rounding allows.
    final class ScaledInputGradient: Layer {
        let inner: Linear
        var isTraining = true
        var parameters: [Parameter] { inner.parameters }
        init(_ inner: Linear) { self.inner = inner }
        func forward(_ input: Tensor) -> Tensor { inner.forward(input) }
        func backward(_ outputGradient: Tensor) -> Tensor { inner.backward(outputGradient) * 1.01 }
    }

    @Test func aCorrectLayerIsExactToFloatRoundingAndABugStandsOut() throws {
        var random = RandomSource(seed: 3)
        let layer = try Linear(inputFeatures: 20, outputFeatures: 10, using: &random)
        let x = Tensor.gaussian([8, 20], using: &random)
        let reference = Self.linearReference(inputs: 20, outputs: 10)
        for seed: UInt64 in 1...5 {
            let right = try checkGradients(of: layer, input: x, seed: seed, reference: reference)
            #expect(right.worst < 1e-5, "seed \(seed): \(right)")
            #expect(right.parameters.keys.sorted() == ["bias", "weight"])
            let wrong = try checkGradients(of: ScaledInputGradient(layer), input: x, seed: seed, reference: reference)
            #expect(wrong.input > 5e-3, "seed \(seed): \(wrong)")
            #expect(wrong.input > 100 * right.worst)
        }
    }

    @Test func aReferenceOfAnotherFunctionIsRefused() throws {
        var random = RandomSource(seed: 4)
        let layer = try Linear(inputFeatures: 5, outputFeatures: 3, using: &random)
        let x = Tensor.gaussian([2, 5], using: &random)
        let reference = Self.linearReference(inputs: 5, outputs: 3)
        #expect(throws: GradientCheckError.referenceSize(expected: 6, got: 5)) {
            try checkGradients(of: layer, input: x) { x, p in Array(reference(x, p).prefix(5)) }
        }
        let error = #expect(throws: GradientCheckError.self) {
            try checkGradients(of: layer, input: x) { x, p in reference(x, p).map { $0 * 1.1 } }
        }
        guard case .referenceDisagrees(let difference) = error else {
            Issue.record("expected referenceDisagrees, got \(String(describing: error))")
            return
        }
        #expect(difference > 0.01)
    }
}
