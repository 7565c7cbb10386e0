import ArgumentParser
import Foundation
import VAECore

struct Experiment: ParsableCommand {
    @Option var m = 64
    @Option var k = 512
    @Option var n = 6272
    @Option var threads = 1
    @Option var reps = 60
    func run() throws {
        var random = RandomSource(seed: 1)
        let a = Tensor.uniform([m * k], lower: -1, upper: 1, using: &random).scalars
        let b = Tensor.uniform([k * n], lower: -1, upper: 1, using: &random).scalars
        var c = [Float](repeating: 0, count: m * n)
        let blas = OpenBLAS.shared!
        blas.setThreads(threads)
        let flops = 2.0 * Double(m * n * k)
        for round in 0..<3 {
            var ours: [Double] = [], theirs: [Double] = []
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                for _ in 0..<reps {
                    let w = Stopwatch()
                    gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: pa.baseAddress!, lda: k, b: pb.baseAddress!, ldb: n, beta: 0, c: pc.baseAddress!, ldc: n, threads: threads)
                    ours.append(flops / w.elapsedSeconds / 1e9)
                }
                for _ in 0..<reps {
                    let w = Stopwatch()
                    blas.sgemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: pa.baseAddress!, lda: k, b: pb.baseAddress!, ldb: n, beta: 0, c: pc.baseAddress!, ldc: n)
                    theirs.append(flops / w.elapsedSeconds / 1e9)
                }
            }}}
            usleep(50_000)
            ours.sort(); theirs.sort()
            func q(_ x: [Double]) -> String { String(format: "max %.1f p90 %.1f med %.1f", x[x.count - 1], x[x.count * 9 / 10], x[x.count / 2]) }
            print("round \(round): ours \(q(ours)) | openblas \(q(theirs))")
        }
    }
}

struct Peak: ParsableCommand {
    func run() throws {
        var acc = (0..<12).map { SIMD8<Float>(repeating: Float($0) * 1e-3) }
        var c0 = acc[0], c1 = acc[1], c2 = acc[2], c3 = acc[3], c4 = acc[4], c5 = acc[5]
        var c6 = acc[6], c7 = acc[7], c8 = acc[8], c9 = acc[9], c10 = acc[10], c11 = acc[11]
        let x = SIMD8<Float>(repeating: 0.999999), y = SIMD8<Float>(repeating: 1e-7)
        for _ in 0..<5 {
            let iters = 20_000_000
            let w = Stopwatch()
            for _ in 0..<iters {
                c0 = c0.addingProduct(x, y); c1 = c1.addingProduct(x, y); c2 = c2.addingProduct(x, y)
                c3 = c3.addingProduct(x, y); c4 = c4.addingProduct(x, y); c5 = c5.addingProduct(x, y)
                c6 = c6.addingProduct(x, y); c7 = c7.addingProduct(x, y); c8 = c8.addingProduct(x, y)
                c9 = c9.addingProduct(x, y); c10 = c10.addingProduct(x, y); c11 = c11.addingProduct(x, y)
            }
            let s = w.elapsedSeconds
            print(String(format: "peak 1 thread: %.1f GFLOP/s", Double(iters) * 12 * 16 / s / 1e9))
        }
        acc = [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11]
        print(acc.map { $0.sum() }.reduce(0, +))
    }
}
