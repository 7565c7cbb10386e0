import Foundation

/// Scalar functions written so that they neither overflow nor lose all their digits for large |x|.
///
/// The textbook forms fail at the ends of the range: `1 / (1 + exp(-x))` computes `exp(1000) = inf`
/// for x = −1000 (harmless here, but `exp(x) / (1 + exp(x))` gives inf/inf = NaN for x = +1000), and
/// `log(1 + exp(x))` is `inf` for x > 88 in `Float`. The forms below only ever exponentiate a
/// non-positive number, so `exp` stays in (0, 1].
public enum StableMath {
    /// The logistic sigmoid σ(x) = 1 / (1 + e^{−x}), in (0, 1).
    ///
    /// For x ≥ 0 it uses 1 / (1 + e^{−x}); for x < 0 the algebraically equal e^{x} / (1 + e^{x}),
    /// so the exponent is always ≤ 0. For x ≪ 0 the result is tiny but has full relative precision
    /// until it underflows (x < −103 in `Float`).
    @inlinable
    public static func sigmoid(_ x: Float) -> Float {
        if x >= 0 {
            return 1 / (1 + exp(-x))
        } else {
            let e = exp(x)
            return e / (1 + e)
        }
    }

    /// The softplus function log(1 + e^{x}), the smooth version of max(x, 0).
    ///
    /// Uses log(1 + e^{x}) = max(x, 0) + log1p(e^{−|x|}): the exponent is ≤ 0 and `log1p` keeps the
    /// digits of the small correction when e^{−|x|} ≪ 1.
    @inlinable
    public static func softplus(_ x: Float) -> Float {
        max(x, 0) + log1p(exp(-abs(x)))
    }

    /// `softplus` in `Double`, for naive references and Double-precision checks.
    @inlinable
    public static func softplus(_ x: Double) -> Double {
        max(x, 0) + log1p(exp(-abs(x)))
    }

    /// `sigmoid` in `Double`.
    @inlinable
    public static func sigmoid(_ x: Double) -> Double {
        if x >= 0 { return 1 / (1 + exp(-x)) }
        let e = exp(x)
        return e / (1 + e)
    }

    /// e^{−a} for a ≥ 0 (NaN gives NaN), eight lanes at once, to within 1 ulp: `VectorMath.exp`
    /// (Cody and Waite's reduction, Cephes' polynomial, 2ⁿ from its exponent bits), except that
    /// below e^{−87.3} (the smallest normal Float) it returns 0. The binary cross-entropy's
    /// softplus and the Bernoulli log-likelihood run on it.
    @inlinable
    package static func exponentialOfNegative(_ a: SIMD8<Float>) -> SIMD8<Float> {
        let x = -a
        return VectorMath.exp(x).replacing(with: SIMD8<Float>(), where: x .<= SIMD8<Float>(repeating: -87.33654))
    }

    /// log(1 + e) for e in [0, 1], eight lanes at once, to about 1 ulp, without the cancellation
    /// of log(1 + e) for small e: log1p(e) = 2·atanh(s) with s = e/(2 + e) ∈ [0, 1/3], and
    /// 2·atanh(s) = 2s·(1 + s²/3 + s⁴/5 + … + s¹⁶/17) (the next term is below 10⁻⁹ relative).
    @inlinable
    package static func log1pOfUnit(_ e: SIMD8<Float>) -> SIMD8<Float> {
        typealias V = SIMD8<Float>
        let s = e / (V(repeating: 2) + e)
        let s2 = s * s
        var p = V(repeating: 1.0 / 17)
        p = p * s2 + V(repeating: 1.0 / 15)
        p = p * s2 + V(repeating: 1.0 / 13)
        p = p * s2 + V(repeating: 1.0 / 11)
        p = p * s2 + V(repeating: 1.0 / 9)
        p = p * s2 + V(repeating: 1.0 / 7)
        p = p * s2 + V(repeating: 1.0 / 5)
        p = p * s2 + V(repeating: 1.0 / 3)
        p = p * s2 + V(repeating: 1)
        return (s + s) * p
    }
}
