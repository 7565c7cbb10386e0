/// A dense tensor of `Float`: one contiguous buffer and a shape, row-major.
///
/// Images are stored NCHW, (batch, channels, height, width): the element at (n, c, h, w) lives
/// at `((n·C + c)·H + h)·W + w`. The *strides* say how far apart neighbours along each axis are,
/// (C·H·W, H·W, W, 1) for NCHW; a reshape that keeps the order of elements only changes the shape.
///
/// `Tensor` is a value type: copies share the buffer until one of them is written
/// (copy-on-write, through Swift's `Array`). Hot loops enter `withUnsafeBufferPointer` once,
/// so they never pay for uniqueness or bounds checks per element.
public struct Tensor: Equatable, Sendable, CustomStringConvertible {
    /// The size along each axis, outermost first.
    public private(set) var shape: [Int]
    /// The elements in row-major order. Their count always equals the product of `shape`: an
    /// element may be written in place, but a write that changes the count (an append, a whole
    /// array of another size) stops the program rather than leave a tensor whose storage
    /// disagrees with its shape.
    public var scalars: [Float] {
        didSet {
            precondition(scalars.count == shape.reduce(1, *),
                         "Tensor of shape \(shape) needs \(shape.reduce(1, *)) elements; its scalars were set to \(scalars.count)")
        }
    }

    /// A tensor of `shape` whose every element is `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative size")
        self.shape = shape
        self.scalars = Array(repeating: value, count: shape.reduce(1, *))
    }

    /// A tensor of `shape` holding `scalars` in row-major order.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative size")
        precondition(shape.reduce(1, *) == scalars.count,
                     "Tensor shape \(shape) needs \(shape.reduce(1, *)) elements, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape) }

    /// A tensor of independent N(mean, std²) draws from `random`.
    public static func gaussian(_ shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
                                using random: inout RandomSource) -> Tensor {
        var t = Tensor(shape: shape)
        t.withUnsafeMutableBufferPointer { random.fillGaussian($0, mean: mean, standardDeviation: standardDeviation) }
        return t
    }

    /// A tensor of independent uniform draws from [lower, upper).
    public static func uniform(_ shape: [Int], lower: Float = 0, upper: Float = 1,
                               using random: inout RandomSource) -> Tensor {
        var t = Tensor(shape: shape)
        t.withUnsafeMutableBufferPointer { random.fillUniform($0, lower: lower, upper: upper) }
        return t
    }

    // MARK: Shape

    /// The number of elements.
    @inlinable public var count: Int { scalars.count }
    /// The number of axes.
    @inlinable public var rank: Int { shape.count }

    /// How many elements apart two neighbours along each axis are (row-major).
    public var strides: [Int] { Tensor.strides(for: shape) }

    /// Row-major strides for `shape`: the last axis has stride 1.
    public static func strides(for shape: [Int]) -> [Int] {
        var strides = Array(repeating: 1, count: shape.count)
        var step = 1
        for axis in shape.indices.reversed() {
            strides[axis] = step
            step *= shape[axis]
        }
        return strides
    }

    /// The offset into `scalars` of the element at `indices`.
    @inlinable
    public func offset(of indices: [Int]) -> Int {
        precondition(indices.count == shape.count, "\(indices.count) indices for a rank-\(rank) tensor")
        var offset = 0
        for axis in indices.indices {
            precondition(indices[axis] >= 0 && indices[axis] < shape[axis],
                         "index \(indices[axis]) out of range 0..<\(shape[axis]) on axis \(axis)")
            offset = offset * shape[axis] + indices[axis]
        }
        return offset
    }

    /// The element at the given indices, one per axis: `t[n, c, h, w]`.
    public subscript(indices: Int...) -> Float {
        get { scalars[offset(of: indices)] }
        set { scalars[offset(of: indices)] = newValue }
    }

    /// The same elements under another shape with the same count. One axis may be -1, inferred.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var newShape = newShape
        if let unknown = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != unknown }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            newShape[unknown] = count / known
        }
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) (\(count) elements) to \(newShape)")
        var copy = self
        copy.shape = newShape
        return copy
    }

    /// The `index`-th slice along the first axis: for a batch (N, C, H, W), image `index` as (C, H, W).
    public func slice(_ index: Int) -> Tensor {
        precondition(rank >= 1 && index >= 0 && index < shape[0], "slice \(index) out of range for shape \(shape)")
        let size = count / shape[0]
        return Tensor(shape: Array(shape.dropFirst()), scalars: Array(scalars[index * size ..< (index + 1) * size]))
    }

    // MARK: Raw access

    /// Calls `body` with a pointer to the elements, for the duration of the call.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with a mutable pointer to the elements, for the duration of the call.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer { try body($0) }
    }

    public var description: String {
        let preview = scalars.prefix(8).map { String(format: "%.4g", Double($0)) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(preview)\(count > 8 ? ", …" : "")])"
    }
}

import Foundation
