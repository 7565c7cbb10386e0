import Foundation

/// The memory a computation asks for, checked before anything is allocated.
///
/// A count that a user types (`-k`, `--count`, `--chunk-size`, a matrix shape) sizes buffers:
/// k = 10⁹ importance samples need 800 GB of log-weights for 100 images, and k = 2⁶³ − 1 does not
/// even have a byte count that fits in an `Int`. Swift traps on the overflow, and an allocation
/// larger than the machine aborts the process: neither says what was wrong. Every such size goes
/// through `MemoryBudget.bytes` first, which multiplies with overflow checks and compares the
/// total with half of this machine's physical memory (the rest is for the model, the data and
/// everything else the machine runs), and refuses in words.
public enum MemoryBudget {
    /// This machine's physical memory in bytes (what `ProcessInfo` reports).
    static var physicalBytes: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory) }

    /// The most one computation's buffers may take: half of the physical memory.
    public static var limit: Int { physicalBytes / 2 }

    /// The bytes of a buffer of `elements` (a product of counts) of `bytesPerElement` bytes each,
    /// when that product fits in an `Int` and is at most `limit` (by default half of this
    /// machine's physical memory).
    ///
    /// - Parameters:
    ///   - elements: the factors of the element count, e.g. `[batch, k]` for (B, k) log-weights.
    ///   - bytesPerElement: 4 for `Float`, 8 for `Double`.
    ///   - what: the buffer in words, for the message ("the log-weights of -k 1000000000").
    /// - Throws: `MemoryBudgetError` naming `what`, its size and the machine's memory.
    @discardableResult
    public static func bytes(_ elements: [Int], bytesPerElement: Int, for what: String,
                             limit: Int = MemoryBudget.limit) throws -> Int {
        var total = bytesPerElement
        for factor in elements {
            guard factor >= 0 else { throw MemoryBudgetError("\(what) has a negative size (\(factor))") }
            let (product, overflow) = total.multipliedReportingOverflow(by: factor)
            guard !overflow else {
                throw MemoryBudgetError("\(what) would need more than 2⁶³ bytes (\(describe(elements)) elements of \(bytesPerElement) bytes), "
                                        + "more than any machine holds")
            }
            total = product
        }
        guard total <= limit else {
            throw MemoryBudgetError("\(what) would need \(gibibytes(total)) (\(describe(elements)) elements of \(bytesPerElement) bytes), "
                                    + "more than the \(gibibytes(limit)) one computation may take here (\(limitText(limit)))")
        }
        return total
    }

    /// The sum of several buffers' bytes (each from `bytes`), checked the same way.
    @discardableResult
    public static func total(_ parts: [Int], for what: String, limit: Int = MemoryBudget.limit) throws -> Int {
        var sum = 0
        for part in parts {
            let (next, overflow) = sum.addingReportingOverflow(part)
            guard !overflow, next <= limit else {
                throw MemoryBudgetError("\(what) would need more than the \(gibibytes(limit)) one computation may take here (\(limitText(limit)))")
            }
            sum = next
        }
        return sum
    }

    /// "1.5 GiB", "512 KiB", "10 bytes".
    static func gibibytes(_ bytes: Int) -> String {
        let b = Double(bytes)
        let (kibi, mebi, gibi) = (1024.0, 1024.0 * 1024, 1024.0 * 1024 * 1024)
        if b >= gibi { return String(format: "%.1f GiB", b / gibi) }
        if b >= mebi { return String(format: "%.1f MiB", b / mebi) }
        if b >= kibi { return String(format: "%.1f KiB", b / kibi) }
        return "\(bytes) bytes"
    }

    private static func limitText(_ limit: Int) -> String {
        limit == MemoryBudget.limit ? "half of this machine's \(gibibytes(physicalBytes))" : "the limit asked for"
    }

    private static func describe(_ factors: [Int]) -> String { factors.map(String.init).joined(separator: " × ") }
}

/// A computation that would not fit in this machine's memory (or whose size overflows).
public struct MemoryBudgetError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
