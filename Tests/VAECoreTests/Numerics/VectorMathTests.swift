import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
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

/// `VectorMath`'s e^x and e^x − 1 against the C library's, in Double, over the whole range where
/// they are neither 0 nor ∞ nor −1 (every Float of it was checked once: at most 0.98 ulp), here
/// on every 509th Float, and at the ends of the range.
extension VectorMathTests {
    /// |value − exact| in units of the spacing of Floats at `exact` (2⁻¹⁴⁹ among the subnormals).
    static func spacings(_ value: Float, _ exact: Double) -> Double {
        let nearest = Float(exact)
        let spacing = nearest.isSubnormal || nearest == 0 ? Double(Float.leastNonzeroMagnitude) : Double(nearest.ulp)
        return abs(Double(value) - exact) / spacing
    }

    /// Every 509th Float from bit pattern `first` to `last`, eight at a time (the last vector
    /// repeats its last value), through `check`.
    static func sweep(from first: Float, to last: Float, _ check: (SIMD8<Float>) -> Void) {
        var bits = first.bitPattern
        while bits <= last.bitPattern {
            var v = SIMD8<Float>()
            for l in 0..<8 { v[l] = Float(bitPattern: min(bits &+ UInt32(l) * 509, last.bitPattern)) }
            check(v)
            bits += 8 * 509
        }
    }

    @Test func expIsWithinOneUlpOverTheRange() {
        var (worst, worstRelative, count) = (0.0, 0.0, 0)
        for (first, last): (Float, Float) in [(0, 89), (-0.0, -104)] {
            Self.sweep(from: first, to: last) { v in
                let e = VectorMath.exp(v)
                for l in 0..<8 {
                    let exact = Foundation.exp(Double(v[l]))
                    count += 1
                    guard exact <= Double(Float.greatestFiniteMagnitude) else { #expect(e[l] == .infinity); continue }
                    worst = max(worst, Self.spacings(e[l], exact))
                    if exact >= Double(Float.leastNormalMagnitude) { worstRelative = max(worstRelative, abs(Double(e[l]) - exact) / exact) }
                }
            }
        }
        #expect(count > 4_000_000)
        #expect(worst < 1 && worstRelative < 8.2e-8, "worst \(worst) ulp, relative \(worstRelative)")
    }

    @Test func expAtTheEndsOfTheRange() {
        let largest: Float = 88.72283                                   // e^x just below Float.max
        let e = VectorMath.exp(SIMD8(.nan, .infinity, -.infinity, largest, largest.nextUp, -103.972, -103.9721, -1e30))
        #expect(e[0].isNaN && e[1] == .infinity && e[2] == 0)
        #expect(e[3].isFinite && Self.spacings(e[3], Foundation.exp(Double(largest))) < 1 && e[4] == .infinity)
        #expect(e[5] == Float.leastNonzeroMagnitude && e[6] == 0 && e[7] == 0)
        #expect(VectorMath.exp(SIMD8<Float>(repeating: 0)) == SIMD8<Float>(repeating: 1))
        #expect(VectorMath.exp(SIMD8<Float>(repeating: -100))[0].isSubnormal)
    }

    @Test func expm1IsWithinOneUlpForNonPositiveX() {
        var (worst, worstRelative) = (0.0, 0.0)
        Self.sweep(from: -0.0, to: -104) { v in
            let e = VectorMath.expm1NonPositive(v)
            for l in 0..<8 {
                let exact = Foundation.expm1(Double(v[l]))
                worst = max(worst, Self.spacings(e[l], exact))
                if v[l] != 0 { worstRelative = max(worstRelative, abs(Double(e[l]) - exact) / abs(exact)) }
            }
        }
        #expect(worst < 1 && worstRelative < 8.6e-8, "worst \(worst) ulp, relative \(worstRelative)")
        // Small |x| keep their digits; −0 stays −0; positive x are taken as 0; −∞ gives −1.
        let e = VectorMath.expm1NonPositive(SIMD8(-1e-30, -0.0, 0, 3, -.infinity, .nan, -80, -1e-6))
        #expect(e[0] == -1e-30 && e[1] == 0 && e[1].sign == .minus && e[2] == 0 && e[2].sign == .plus && e[3] == 0)
        #expect(e[4] == -1 && e[5].isNaN && e[6] == -1 && Self.spacings(e[7], Foundation.expm1(-1e-6)) < 1)
    }

    @Test func doubleExpIsWithinOneUlpOfTheCLibrary() {
        var random = RandomSource(seed: 5)
        var worst = 0.0
        for scale in [745.0, 20, 1] {
            for _ in 0..<20_000 {
                var v = SIMD8<Double>()
                for l in 0..<8 { v[l] = (2 * random.uniformDouble() - 1) * scale }
                let e = VectorMath.exp(v)
                for l in 0..<8 {
                    let exact = Foundation.exp(v[l])
                    worst = max(worst, abs(e[l] - exact) / (exact.isSubnormal ? Double.leastNonzeroMagnitude : exact.ulp))
                }
            }
        }
        #expect(worst <= 1, "worst \(worst) ulp")
        let e = VectorMath.exp(SIMD8<Double>(.nan, .infinity, -.infinity, 709.78, 709.79, -745.1, -745.2, 0))
        #expect(e[0].isNaN && e[1] == .infinity && e[2] == 0 && e[3].isFinite && e[4] == .infinity)
        #expect(e[5] == Double.leastNonzeroMagnitude && e[6] == 0 && e[7] == 1)
    }
}
