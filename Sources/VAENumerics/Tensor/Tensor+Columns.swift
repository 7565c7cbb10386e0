extension Tensor {
    /// Joins two matrices side by side: (B, n) and (B, m) give (B, n + m). A conditional VAE
    /// appends a one-hot label to the features this way.
    ///
    /// - Complexity: one copy of both inputs.
    public static func concatenateColumns(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2 && a.shape[0] == b.shape[0],
                     "concatenateColumns needs (B, n) and (B, m), got \(a.shape) and \(b.shape)")
        let (rows, n, m) = (a.shape[0], a.shape[1], b.shape[1])
        var out = Tensor(shape: [rows, n + m])
        out.withUnsafeMutableBufferPointer { o in
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    for r in 0..<rows {
                        (o.baseAddress! + r * (n + m)).update(from: pa.baseAddress! + r * n, count: n)
                        (o.baseAddress! + r * (n + m) + n).update(from: pb.baseAddress! + r * m, count: m)
                    }
                }
            }
        }
        return out
    }

    /// Stacks two tensors along the first axis: (n, …) and (m, …) with the same trailing shape
    /// give (n + m, …). Records that grow by one batch of images per epoch use it.
    public static func concatenateRows(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.rank >= 1 && a.rank == b.rank && a.shape.dropFirst() == b.shape.dropFirst(),
                     "concatenateRows needs the same trailing shape, got \(a.shape) and \(b.shape)")
        return Tensor(shape: [a.shape[0] + b.shape[0]] + Array(a.shape.dropFirst()), scalars: a.scalars + b.scalars)
    }

    /// Rows `range` along the first axis, as their own tensor: images `range` of a batch
    /// (N, C, H, W), codes `range` of (N, D). Evaluation walks a data set in such chunks.
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0],
                     "rows \(range) out of range for shape \(shape)")
        let size = shape[0] == 0 ? 0 : count / shape[0]
        return Tensor(shape: [range.count] + shape.dropFirst(), scalars: Array(scalars[range.lowerBound * size ..< range.upperBound * size]))
    }

    /// The rows at `indices` along the first axis, in that order, as their own tensor:
    /// (indices.count, …). Picks the images of a data set that a measurement reads.
    public func rows(at indices: [Int]) -> Tensor {
        precondition(rank >= 1 && indices.allSatisfy { $0 >= 0 && $0 < shape[0] }, "row indices out of range for shape \(shape)")
        let size = shape[0] == 0 ? 0 : count / shape[0]
        var picked = [Float]()
        picked.reserveCapacity(indices.count * size)
        for i in indices { picked.append(contentsOf: scalars[i * size ..< (i + 1) * size]) }
        return Tensor(shape: [indices.count] + shape.dropFirst(), scalars: picked)
    }

    /// Columns `range` of a matrix (B, n): (B, range.count). Splits the encoder's output into
    /// μ and log σ², and a gradient back into its parts.
    public func columns(_ range: Range<Int>) -> Tensor {
        precondition(rank == 2 && range.lowerBound >= 0 && range.upperBound <= shape[1],
                     "columns \(range) out of range for shape \(shape)")
        let (rows, n, width) = (shape[0], shape[1], range.count)
        var out = Tensor(shape: [rows, width])
        out.withUnsafeMutableBufferPointer { o in
            withUnsafeBufferPointer { p in
                for r in 0..<rows {
                    (o.baseAddress! + r * width).update(from: p.baseAddress! + r * n + range.lowerBound, count: width)
                }
            }
        }
        return out
    }

    /// Adds a matrix (B, k) into columns `start ..< start + k` of this one (B, n): the backward
    /// pass of `columns`, where the gradient of a part of the columns flows back into the whole.
    public mutating func addColumns(_ part: Tensor, at start: Int) {
        precondition(rank == 2 && part.rank == 2 && part.shape[0] == shape[0] && start >= 0 && start + part.shape[1] <= shape[1],
                     "addColumns: \(part.shape) at column \(start) of \(shape)")
        let (rows, n, width) = (shape[0], shape[1], part.shape[1])
        withUnsafeMutableBufferPointer { o in
            part.withUnsafeBufferPointer { p in
                for r in 0..<rows {
                    for j in 0..<width { o[r * n + start + j] += p[r * width + j] }
                }
            }
        }
    }

    /// One-hot rows for integer labels: (B, classes), 1 at each label's column.
    public static func oneHot(_ labels: [Int], classes: Int) -> Tensor {
        var out = Tensor(shape: [labels.count, classes])
        for (row, label) in labels.enumerated() {
            precondition(label >= 0 && label < classes, "label \(label) is outside 0..<\(classes)")
            out.scalars[row * classes + label] = 1
        }
        return out
    }
}
