/// e^x and e^x − 1 on eight lanes at once, for the elementwise kernels (ELU, Swish, the binary
/// cross-entropy's softplus).
///
/// The C library's `expf` is one scalar call per element, forward and backward, on layers of a
/// million activations; these take eight lanes through a few dozen vector instructions.
///
/// ## Method (Cody and Waite, Cephes)
/// x = n·ln2 + r with n = round(x·log₂e) an integer and |r| ≤ ln2/2, so e^x = 2ⁿ·e^r:
/// - n is rounded by the "magic number" 1.5·2²³: adding it to a float of magnitude below 2²²
///   rounds the float to an integer (to nearest even) and leaves that integer in the low bits of
///   the sum (Swift's SIMD rounding and Float→Int32 conversion compile to scalar loops instead);
/// - r = x − n·ln2 with ln2 split into a short high part (n·high is exact) and a low correction;
/// - e^r = 1 + r + r²·p(r), with Cephes' degree-5 minimax polynomial p;
/// - 2ⁿ is built from its exponent bits, as two factors 2^⌊n/2⌋·2^(n−⌊n/2⌋), so that the
///   results that overflow (n = 128) or are subnormal (n down to −150) round once, correctly.
///
/// ## Accuracy, measured on every Float
/// Against the C library's `exp` and `expm1` in Double: `exp` is within 0.98 ulp of e^x for all
/// 2.24 billion Floats in [−104, 89] (relative error at most 8.2e-8 where e^x is a normal Float;
/// subnormal results within 0.98 of their spacing, 2⁻¹⁴⁹), and `expm1NonPositive` within
/// 0.95 ulp (relative 8.6e-8) for every Float x ≤ 0. The Double `exp` is within 1 ulp of the
/// C library's on 4 million random arguments.
///
/// ## Ends of the range
/// `exp`: x > 88.7228 gives +∞, x < −103.97 gives 0 (the clamp to [−104, 89] keeps n in range,
/// and both ends still overflow or underflow); NaN gives NaN (every step propagates it).
@usableFromInline package enum VectorMath {
    /// e^x, eight lanes, to within 1 ulp (subnormal results included); +∞ above ln(Float.max),
    /// 0 below −103.97, NaN for NaN.
    ///
    /// For x ≤ 0 down to −87.33 its bits are those of the binary cross-entropy's e^{−|z|}
    /// (`StableMath.exponentialOfNegative`, which is this function below that bound).
    @inlinable @inline(__always)
    package static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        typealias V = SIMD8<Float>
        let (low, high) = (V(repeating: -104), V(repeating: 89))
        // Comparisons with NaN are false: a NaN lane passes both clamps and stays NaN.
        let (expm1OfR, n) = reduced(x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high))
        let half = n &>> 1
        let scale1 = unsafeBitCast((half &+ 127) &<< 23, to: V.self)                 // 2^⌊n/2⌋
        let scale2 = unsafeBitCast((n &- half &+ 127) &<< 23, to: V.self)           // 2^(n − ⌊n/2⌋)
        return (expm1OfR + V(repeating: 1)) * scale1 * scale2
    }

    /// e^x − 1 for x ≤ 0, eight lanes, to within 1 ulp, without the cancellation of e^x − 1 for
    /// small |x| (ELU's negative branch). A positive x is taken as 0; −∞ gives −1, NaN gives NaN,
    /// and −0 stays −0.
    ///
    /// With x = n·ln2 + r: e^x − 1 = 2ⁿ·(e^r − 1) + (2ⁿ − 1), one fused multiply-add of exact
    /// terms (2ⁿ − 1 is exact for n ≥ −24; below, e^x − 1 rounds to −1 anyway). For n = 0
    /// (|x| ≤ ln2/2) it is e^r − 1 = r + r²·p(r) itself, never formed as (1 + …) − 1.
    @inlinable @inline(__always)
    package static func expm1NonPositive(_ x: SIMD8<Float>) -> SIMD8<Float> {
        typealias V = SIMD8<Float>
        let (low, zero) = (V(repeating: -80), V())
        // Below −80 e^x − 1 is −1 in Float; the clamp keeps 2ⁿ a normal number (n ≥ −115).
        let clamped = x.replacing(with: low, where: x .< low).replacing(with: zero, where: x .> zero)
        let (expm1OfR, n) = reduced(clamped)
        let scale = unsafeBitCast((n &+ 127) &<< 23, to: V.self)                    // 2ⁿ, n ≤ 0
        let result = (scale - V(repeating: 1)).addingProduct(scale, expm1OfR)
        return result.replacing(with: clamped, where: clamped .== zero)              // ±0 → ±0
    }

    /// e^r − 1 and n, with x = n·ln2 + r, |r| ≤ ln2/2, for x in [−104, 89] (or NaN).
    @inlinable @inline(__always)
    static func reduced(_ x: SIMD8<Float>) -> (expm1OfR: SIMD8<Float>, n: SIMD8<Int32>) {
        typealias V = SIMD8<Float>
        let magic = V(repeating: 12_582_912)                                         // 1.5·2²³
        let shifted = x * V(repeating: 1.44269504088896341) + magic                  // x·log₂e + magic
        let n = shifted - magic                                                      // round(x·log₂e)
        var r = x.addingProduct(n, V(repeating: -0.693359375))                       // ln2's high part
        r = r.addingProduct(n, V(repeating: 2.12194440e-4))                          // and low part
        var p = V(repeating: 1.9875691500e-4)
        p = p * r + V(repeating: 1.3981999507e-3)
        p = p * r + V(repeating: 8.3334519073e-3)
        p = p * r + V(repeating: 4.1665795894e-2)
        p = p * r + V(repeating: 1.6666665459e-1)
        p = p * r + V(repeating: 5.0000001201e-1)
        // The low bits of `shifted` hold n, as 0x4B40_0000 + n.
        return (p * (r * r) + r, unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000)
    }

    /// e^x in Double, eight lanes, to within 1 ulp of the C library's: for the few places that
    /// need more than Float's digits (Swish's derivative, which cancels near x ≈ −1.28). +∞ above
    /// ln(Double.max) ≈ 709.78, 0 below −745.13, NaN for NaN.
    ///
    /// The same reduction in Double (magic number 1.5·2⁵², fdlibm's split of ln2), and e^r from
    /// its Taylor series to r¹³/13!, whose remainder is below 5e-18 for |r| ≤ ln2/2.
    @inlinable @inline(__always)
    package static func exp(_ x: SIMD8<Double>) -> SIMD8<Double> {
        typealias V = SIMD8<Double>
        let (low, high) = (V(repeating: -746), V(repeating: 710))
        let clamped = x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
        let magic = V(repeating: 6_755_399_441_055_744)                              // 1.5·2⁵²
        let shifted = clamped * V(repeating: 1.4426950408889634074) + magic
        let nearest = shifted - magic
        var r = clamped.addingProduct(nearest, V(repeating: -6.93147180369123816490e-01))
        r = r.addingProduct(nearest, V(repeating: -1.90821492927058770002e-10))
        var p = V(repeating: 1.0 / 6_227_020_800)                                     // 1/13!
        p = V(repeating: 1.0 / 479_001_600).addingProduct(p, r)
        p = V(repeating: 1.0 / 39_916_800).addingProduct(p, r)
        p = V(repeating: 1.0 / 3_628_800).addingProduct(p, r)
        p = V(repeating: 1.0 / 362_880).addingProduct(p, r)
        p = V(repeating: 1.0 / 40_320).addingProduct(p, r)
        p = V(repeating: 1.0 / 5_040).addingProduct(p, r)
        p = V(repeating: 1.0 / 720).addingProduct(p, r)
        p = V(repeating: 1.0 / 120).addingProduct(p, r)
        p = V(repeating: 1.0 / 24).addingProduct(p, r)
        p = V(repeating: 1.0 / 6).addingProduct(p, r)
        p = V(repeating: 0.5).addingProduct(p, r)
        p = V(repeating: 1).addingProduct(p, r)
        p = V(repeating: 1).addingProduct(p, r)                                      // e^r
        let n = unsafeBitCast(shifted, to: SIMD8<Int64>.self) &- 0x4338_0000_0000_0000
        let half = n &>> 1
        let scale1 = unsafeBitCast((half &+ 1023) &<< 52, to: V.self)
        let scale2 = unsafeBitCast((n &- half &+ 1023) &<< 52, to: V.self)
        return p * scale1 * scale2
    }

    /// The eight Floats as Doubles (exact), lane by lane: the standard library's generic
    /// conversion stayed an out-of-line call per vector in the activations' loops.
    @inlinable @inline(__always)
    package static func widen(_ x: SIMD8<Float>) -> SIMD8<Double> {
        var wide = SIMD8<Double>()
        for l in 0..<8 { wide[l] = Double(x[l]) }
        return wide
    }

    /// The eight Doubles rounded to Floats, lane by lane (see `widen`).
    @inlinable @inline(__always)
    package static func narrow(_ x: SIMD8<Double>) -> SIMD8<Float> {
        var narrow = SIMD8<Float>()
        for l in 0..<8 { narrow[l] = Float(x[l]) }
        return narrow
    }
}
