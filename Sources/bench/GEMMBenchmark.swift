import ArgumentParser
import Foundation
import VAECore

/// `bench gemm`: GFLOP/s of our `gemm` against OpenBLAS's `cblas_sgemm`, measured in the same run.
///
/// Prints a table, then, last, one line per headline shape in a fixed format that scripts read:
///
///     gemm 512x512x512 swift=131.2 openblas=140.5 ratio=0.93
struct GEMMBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "Matrix multiply: our gemm vs OpenBLAS (when libopenblas.so.0 is present)."
    )

    @Option(help: "Timed runs per shape and implementation (the best is kept).")
    var repeats: Int = 40

    @Option(help: "Seconds of timing per shape and implementation, at most (after the first run).")
    var budget: Double = 1.0

    @Option(help: "Alternating rounds of ours then OpenBLAS; the repeats are spread over them.")
    var rounds: Int = 4

    @Option(help: "Milliseconds to wait after each OpenBLAS round, while its spinning worker threads go to sleep.")
    var pause: Int = 200

    @Option(help: "Threads for both implementations.")
    var threads: Int = 2

    @Option(help: "Seed of the random matrices.")
    var seed: UInt64 = 1

    @Flag(inversion: .prefixedNo, help: "Compare with OpenBLAS when libopenblas.so.0 is present.")
    var openblas = true

    @Flag(help: "Only the headline shapes.")
    var quick = false

    @Option(name: .customLong("shape"),
            help: "Measure only this shape, MxKxN with an optional :NN, :TN, :NT or :TT (transposes of A, B). Repeatable.")
    var customShapes: [String] = []

    /// One product to time: op(A) is M×K, op(B) is K×N.
    struct Shape {
        var m: Int, k: Int, n: Int
        var transposeA = false, transposeB = false
        var note: String
        var label: String { "\(m)x\(k)x\(n)" }
        var ops: String { (transposeA ? "Aᵀ" : "A") + "·" + (transposeB ? "Bᵀ" : "B") }
        var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
    }

    /// The shapes whose summary lines close the output.
    static let headline = [
        Shape(m: 512, k: 512, n: 512, note: "square"),
        Shape(m: 64, k: 512, n: 6272, note: "VAE conv2 forward: W·col, batch 128"),
    ]

    /// Square sizes, then the GEMMs of the reference VAE at batch 128 (convolutions as
    /// W·im2col over the whole batch, and their backward products).
    static let others: [Shape] = [64, 128, 256, 1024].map { Shape(m: $0, k: $0, n: $0, note: "square") } + [
        Shape(m: 32, k: 16, n: 25088, note: "conv1 forward"),
        Shape(m: 64, k: 6272, n: 512, transposeB: true, note: "conv2 dW = dY·colᵀ"),
        Shape(m: 512, k: 64, n: 6272, transposeA: true, note: "conv2 dcol = Wᵀ·dY; convT1 forward"),
        Shape(m: 32, k: 25088, n: 16, transposeB: true, note: "conv1 dW = dY·colᵀ"),
        Shape(m: 16, k: 32, n: 25088, transposeA: true, note: "convT2 forward"),
        Shape(m: 128, k: 3136, n: 40, transposeB: true, note: "linear 3136→40, X·Wᵀ"),
        Shape(m: 128, k: 20, n: 3136, transposeB: true, note: "linear 20→3136, X·Wᵀ"),
    ]

    struct Result {
        var shape: Shape
        var ours: Double
        var openBLAS: Double?
        var maxError: Float?
        var ratio: Double? { openBLAS.map { ours / $0 } }
    }

    /// Parses "MxKxN" or "MxKxN:TN" (T = that operand is stored transposed).
    static func parseShape(_ text: String) throws -> Shape {
        let parts = text.split(separator: ":")
        let sizes = parts.first.map { $0.split(separator: "x").compactMap { Int($0) } } ?? []
        let flags = parts.count > 1 ? Array(parts[1].uppercased()) : ["N", "N"]
        guard parts.count <= 2, sizes.count == 3, sizes.allSatisfy({ $0 > 0 }),
              flags.count == 2, flags.allSatisfy({ $0 == "N" || $0 == "T" }) else {
            throw ValidationError("--shape \(text): expected MxKxN or MxKxN:TN with positive sizes")
        }
        // A, B, and C with its reference, in floats: refused before allocating when they cannot fit.
        let (m, k, n) = (sizes[0], sizes[1], sizes[2])
        try MemoryBudget.total([
            try MemoryBudget.bytes([m, k], bytesPerElement: 4, for: "--shape \(text): A (\(m) × \(k))"),
            try MemoryBudget.bytes([k, n], bytesPerElement: 4, for: "--shape \(text): B (\(k) × \(n))"),
            try MemoryBudget.bytes([m, n, 2], bytesPerElement: 4, for: "--shape \(text): C and its reference (\(m) × \(n))"),
        ], for: "--shape \(text)")
        return Shape(m: sizes[0], k: sizes[1], n: sizes[2], transposeA: flags[0] == "T",
                     transposeB: flags[1] == "T", note: "custom")
    }

    func validate() throws {
        for text in customShapes { _ = try Self.parseShape(text) }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        guard pause >= 0 else { throw ValidationError("--pause must not be negative") }
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard budget > 0 else { throw ValidationError("--budget must be positive") }
    }

    func run() throws {
        let blas = openblas ? OpenBLAS.shared : nil
        blas?.setThreads(threads)
        print("gemm benchmark: best of \(repeats) runs in \(rounds) alternating rounds (≤ \(budget) s each side), \(threads) thread(s), seed \(seed)")
        if let blas {
            print("OpenBLAS: \(blas.configuration)")
        } else if !openblas {
            print("OpenBLAS: not compared (--no-openblas)")
        } else {
            print("OpenBLAS: unavailable: \(OpenBLAS.loadError ?? "unknown reason")")
        }
        print("")
        let header = pad("M×K×N", 16) + pad("op", 7) + pad("ours GFLOP/s", 14, right: true)
            + pad("OpenBLAS", 10, right: true) + pad("ratio", 8, right: true)
            + pad("max rel Δ", 11, right: true) + "  shape"
        print(header)
        print(String(repeating: "-", count: header.count + 20))

        var random = RandomSource(seed: seed)
        let shapes = !customShapes.isEmpty ? try customShapes.map(Self.parseShape)
            : quick ? Self.headline : Self.others.prefix(3) + Self.headline + Self.others.dropFirst(3)
        var headlineResults: [Result] = []
        for shape in shapes {
            let result = measure(shape, blas: blas, random: &random)
            print(pad(shape.label, 16) + pad(shape.ops, 7) + pad(format(result.ours), 14, right: true)
                  + pad(result.openBLAS.map(format) ?? "none", 10, right: true)
                  + pad(result.ratio.map { String(format: "%.2f", $0) } ?? "none", 8, right: true)
                  + pad(result.maxError.map { String(format: "%.1e", $0) } ?? "-", 11, right: true)
                  + "  " + shape.note)
            if Self.headline.contains(where: { $0.label == shape.label && $0.ops == shape.ops }) {
                headlineResults.append(result)
            }
        }
        print("")
        for r in headlineResults {
            print("gemm \(r.shape.label) swift=\(format(r.ours)) openblas=\(r.openBLAS.map(format) ?? "none") "
                  + "ratio=\(r.ratio.map { String(format: "%.3f", $0) } ?? "none")")
        }
    }

    /// Times both implementations on one shape and compares their results.
    func measure(_ s: Shape, blas: OpenBLAS?, random: inout RandomSource) -> Result {
        // op(A) is M×K: stored K×M when transposed. Same for B.
        let lda = s.transposeA ? s.m : s.k, ldb = s.transposeB ? s.k : s.n
        let a = Tensor.uniform([s.m * s.k], lower: -1, upper: 1, using: &random).scalars
        let b = Tensor.uniform([s.k * s.n], lower: -1, upper: 1, using: &random).scalars
        var c = [Float](repeating: 0, count: s.m * s.n)
        var reference = [Float](repeating: 0, count: s.m * s.n)

        // Rounds alternate between the two, so that both see the same background load of this
        // shared machine; each keeps its best time over all rounds.
        let perRound = max(1, (repeats + rounds - 1) / rounds)
        var best = Double.infinity, blasBest = Double.infinity
        for _ in 0..<rounds {
            best = min(best, a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        measureBest(maxRepeats: perRound, budget: budget / Double(rounds)) {
                            gemm(transposeA: s.transposeA, transposeB: s.transposeB, m: s.m, n: s.n, k: s.k,
                                 alpha: 1, a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                                 beta: 0, c: pc.baseAddress!, ldc: s.n, threads: threads)
                        }
                    }
                }
            })
            guard let blas else { continue }
            blasBest = min(blasBest, a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    reference.withUnsafeMutableBufferPointer { pr in
                        measureBest(maxRepeats: perRound, budget: budget / Double(rounds)) {
                            blas.sgemm(transposeA: s.transposeA, transposeB: s.transposeB, m: s.m, n: s.n, k: s.k,
                                       alpha: 1, a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                                       beta: 0, c: pr.baseAddress!, ldc: s.n)
                        }
                    }
                }
            })
            // OpenBLAS's worker threads spin for a while after a call; let them go to sleep
            // before our next measurement shares the cores with them.
            usleep(useconds_t(pause * 1000))
        }
        var result = Result(shape: s, ours: s.flops / best / 1e9)
        guard blas != nil else { return result }
        result.openBLAS = s.flops / blasBest / 1e9
        // Largest difference, relative to the largest |C|: both are float sums of k products.
        let scale = reference.reduce(0) { max($0, abs($1)) }
        result.maxError = zip(c, reference).reduce(0) { max($0, abs($1.0 - $1.1)) } / max(scale, .leastNormalMagnitude)
        return result
    }

    func format(_ gflops: Double) -> String { String(format: "%.1f", gflops) }

    func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let space = String(repeating: " ", count: max(0, width - text.count))
        return right ? space + text : text + space
    }
}
