import Foundation
import Testing
@testable import VAECore
@testable import VAENumerics
@testable import VAEPlot

/// The vectorised e^{−a} and log1p of the binary cross-entropy against Double references.
@Suite struct VectorMathTests {
    /// Relative error in units of Float's epsilon (about 1.2e-7).
    static func ulps(_ value: Float, _ exact: Double) -> Double {
        exact == 0 ? Double(abs(value)) / Double(Float.leastNormalMagnitude) : abs(Double(value) - exact) / abs(exact) / Double(Float.ulpOfOne)
    }

    @Test func exponentialOfNegativeIsAccurate() {
        var worst = 0.0
        var a: Float = 0
        while a < 87 {
            var v = SIMD8<Float>()
            for l in 0..<8 { v[l] = a + Float(l) * 0.0013 }
            let e = StableMath.exponentialOfNegative(v)
            for l in 0..<8 { worst = max(worst, Self.ulps(e[l], Foundation.exp(-Double(v[l])))) }
            a += 0.0371
        }
        #expect(worst < 2, "worst error \(worst) ulp")
        // The ends: e^0 = 1 exactly; far below the smallest normal, 0; NaN stays NaN; ∞ gives 0.
        let ends = StableMath.exponentialOfNegative(SIMD8(0, 88, 500, .infinity, .nan, 1e-9, 87.3, 3))
        #expect(ends[0] == 1 && ends[1] == 0 && ends[2] == 0 && ends[3] == 0 && ends[4].isNaN)
        #expect(Self.ulps(ends[5], Foundation.exp(-1e-9)) < 1 && ends[6] > 0)
    }

    @Test func log1pOfUnitIsAccurate() {
        var worst = 0.0
        for e in stride(from: Float(0), through: 1, by: 1.0 / 4096) + [1e-30, 1e-10, 1e-7, 3e-5] {
            let l = StableMath.log1pOfUnit(SIMD8(repeating: e))[0]
            worst = max(worst, e == 0 ? Double(l) : Self.ulps(l, Foundation.log1p(Double(e))))
        }
        #expect(worst < 2, "worst error \(worst) ulp")
    }
}
