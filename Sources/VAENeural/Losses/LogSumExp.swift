import Foundation

/// log Σ_i e^{x_i}, computed as m + log Σ_i e^{x_i − m} with m = max_i x_i, so that no
/// exponential overflows (the largest is e⁰ = 1) and the sum is at least 1 (no log 0).
///
/// Edge cases: an empty row or a row of only −∞ gives −∞ (log of an empty sum); any +∞ gives +∞;
/// any NaN gives NaN. −∞ entries among finite ones contribute e^{−∞} = 0, as they should (a
/// weight of zero in importance sampling). Sums run in Double.
///
/// - Complexity: two passes, one `exp` per element.
package func logSumExp(_ values: [Double]) -> Double {
    var m = -Double.infinity
    for x in values {
        if x.isNaN { return .nan }
        if x > m { m = x }
    }
    if m == -.infinity || m == .infinity { return m }
    var sum = 0.0
    for x in values { sum += exp(x - m) }
    return m + log(sum)
}

/// `logSumExp` of a row of Floats, with the sum in Double.
package func logSumExp(_ values: [Float]) -> Float {
    values.withUnsafeBufferPointer { logSumExp($0) }
}

/// `logSumExp` of a row of Floats in memory (a row of a tensor), with the sum in Double.
package func logSumExp(_ values: UnsafeBufferPointer<Float>) -> Float {
    var m = -Float.infinity
    for x in values {
        if x.isNaN { return .nan }
        if x > m { m = x }
    }
    if m == -.infinity || m == .infinity { return m }
    var sum = 0.0
    for x in values { sum += Double(exp(x - m)) }
    return Float(Double(m) + log(sum))
}
