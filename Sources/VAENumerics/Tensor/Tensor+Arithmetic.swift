/// Elementwise arithmetic and reductions.
///
/// Elementwise operations need equal shapes (no broadcasting: every layer in the course says
/// exactly which axis it reduces over, so hidden broadcasting would only hide shape bugs).
/// Reductions accumulate in `Double`: a sum of 47 million pixels in `Float` would lose the
/// low digits of every addend once the total passed 2²⁴.
extension Tensor {
    /// Applies `transform` to every element.
    @inlinable
    public func map(_ transform: (Float) -> Float) -> Tensor {
        var result = self
        result.withUnsafeMutableBufferPointer { out in
            for i in out.indices { out[i] = transform(out[i]) }
        }
        return result
    }

    /// Combines two tensors of equal shape element by element.
    @inlinable
    public func zipWith(_ other: Tensor, _ combine: (Float, Float) -> Float) -> Tensor {
        precondition(shape == other.shape, "shapes differ: \(shape) and \(other.shape)")
        var result = self
        result.withUnsafeMutableBufferPointer { out in
            other.withUnsafeBufferPointer { b in
                for i in out.indices { out[i] = combine(out[i], b[i]) }
            }
        }
        return result
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { a.zipWith(b, +) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { a.zipWith(b, -) }
    /// The elementwise (Hadamard) product.
    public static func * (a: Tensor, b: Tensor) -> Tensor { a.zipWith(b, *) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { a.zipWith(b, /) }
    public static func + (a: Tensor, s: Float) -> Tensor { a.map { $0 + s } }
    public static func - (a: Tensor, s: Float) -> Tensor { a.map { $0 - s } }
    public static func * (a: Tensor, s: Float) -> Tensor { a.map { $0 * s } }
    public static func * (s: Float, a: Tensor) -> Tensor { a.map { $0 * s } }
    public static prefix func - (a: Tensor) -> Tensor { a.map { -$0 } }
    public static func += (a: inout Tensor, b: Tensor) { a = a + b }
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
    public static func *= (a: inout Tensor, s: Float) { a = a * s }

    /// The sum of all elements, accumulated in Double.
    public func sum() -> Double {
        withUnsafeBufferPointer { p in
            var total = 0.0
            for x in p { total += Double(x) }
            return total
        }
    }

    /// The mean of all elements (0 for an empty tensor).
    public func mean() -> Double { count == 0 ? 0 : sum() / Double(count) }

    /// The population variance of all elements, by the two-pass formula (stable when the mean is
    /// large compared with the spread).
    public func variance() -> Double {
        guard count > 0 else { return 0 }
        let m = mean()
        return withUnsafeBufferPointer { p in
            var total = 0.0
            for x in p { let d = Double(x) - m; total += d * d }
            return total / Double(p.count)
        }
    }

    /// The largest element, or nil when empty.
    public func max() -> Float? { scalars.max() }
    /// The smallest element, or nil when empty.
    public func min() -> Float? { scalars.min() }

    /// The largest absolute difference from `other`, which must have the same shape.
    public func maxAbsDifference(_ other: Tensor) -> Float {
        precondition(shape == other.shape, "shapes differ: \(shape) and \(other.shape)")
        var worst: Float = 0
        for i in 0..<count { worst = Swift.max(worst, abs(scalars[i] - other.scalars[i])) }
        return worst
    }

    /// The Euclidean norm, accumulated in Double.
    public func norm() -> Double {
        withUnsafeBufferPointer { p in
            var total = 0.0
            for x in p { total += Double(x) * Double(x) }
            return total.squareRoot()
        }
    }

    /// Whether every element is finite (no NaN, no ±∞).
    public var isFinite: Bool { scalars.allSatisfy(\.isFinite) }
}
