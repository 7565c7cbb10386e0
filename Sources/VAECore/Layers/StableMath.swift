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
}
