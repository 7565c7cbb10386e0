import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// The fast layout kernels of the convolution layers against their references: `transpose`
/// against `transposeNaive`, and the batch-minor im2col/col2im against the image-major ones of
/// `Im2Col.swift`, rearranged.
@Suite struct BatchMinorTests {
    /// Shapes around the 8×8 tiles and 32×32 blocks (ragged edges on both sides), and shapes the
    /// VAE uses, large enough to be split over the cores.
    @Test(arguments: [(1, 1), (3, 5), (8, 8), (9, 17), (31, 33), (64, 7), (128, 784), (6272, 128), (40, 1000)])
    func transposeMatchesNaive(rows: Int, columns: Int) {
        var random = RandomSource(seed: UInt64(rows * 1000 + columns))
        let source = Tensor.uniform([rows * columns], lower: -1, upper: 1, using: &random).scalars
        let bias = Tensor.uniform([rows], lower: -1, upper: 1, using: &random).scalars
        for withBias in [false, true] {
            var fast = [Float](repeating: .nan, count: rows * columns)
            var naive = [Float](repeating: .nan, count: rows * columns)
            source.withUnsafeBufferPointer { s in
                bias.withUnsafeBufferPointer { b in
                    fast.withUnsafeMutableBufferPointer { d in
                        transpose(s.baseAddress!, rows: rows, columns: columns, into: d.baseAddress!,
                                  rowBias: withBias ? b.baseAddress! : nil)
                    }
                    naive.withUnsafeMutableBufferPointer { d in
                        transposeNaive(s.baseAddress!, rows: rows, columns: columns, into: d.baseAddress!,
                                       rowBias: withBias ? b.baseAddress! : nil)
                    }
                }
            }
            #expect(fast == naive, "\(rows)×\(columns) bias \(withBias)")
        }
    }

    /// (B, F) → (F, B).
    static func batchMinor(_ x: Tensor) -> [Float] {
        let (b, f) = (x.shape[0], x.count / x.shape[0])
        var out = [Float](repeating: 0, count: x.count)
        for n in 0..<b { for i in 0..<f { out[i * b + n] = x.scalars[n * f + i] } }
        return out
    }

    /// Geometries with padding, strides, non-square kernels, and the VAE's two convolutions.
    static let geometries: [(shape: [Int], kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int))] = [
        ([3, 2, 5, 4], (3, 2), (2, 1), (1, 1)),
        ([2, 1, 3, 3], (2, 2), (1, 1), (0, 0)),
        ([9, 3, 6, 7], (4, 4), (2, 2), (1, 1)),
        ([17, 2, 5, 5], (1, 3), (1, 2), (0, 2)),
        ([128, 1, 28, 28], (4, 4), (2, 2), (1, 1)),
        ([128, 32, 14, 14], (4, 4), (2, 2), (1, 1)),
    ]

    /// col[r, p·B + n] of the batch-minor matrix equals col[r, n·P + p] of the image-major one.
    @Test(arguments: 0..<geometries.count)
    func im2colMatchesImageMajor(index: Int) throws {
        let c = Self.geometries[index]
        var random = RandomSource(seed: UInt64(index))
        let x = Tensor.gaussian(c.shape, using: &random)
        let reference = try im2col(x, kernel: c.kernel, stride: c.stride, padding: c.padding)
        let g = try ConvGeometry(channels: c.shape[1], height: c.shape[2], width: c.shape[3],
                                 kernel: c.kernel, stride: c.stride, padding: c.padding)
        let (B, P, R) = (c.shape[0], g.columns, g.rows)
        var fast = [Float](repeating: .nan, count: R * P * B)
        Self.batchMinor(x).withUnsafeBufferPointer { px in
            fast.withUnsafeMutableBufferPointer { col in
                im2colBatchMinor(px.baseAddress!, batch: B, geometry: g, into: col.baseAddress!)
            }
        }
        var mismatches = 0
        for r in 0..<R {
            for n in 0..<B {
                for p in 0..<P where fast[r * P * B + p * B + n] != reference.scalars[r * B * P + n * P + p] { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
    }

    /// col2im of the batch-minor matrix equals col2im of the same matrix in image-major order,
    /// transposed; and it overwrites (whatever its output held before does not matter).
    @Test(arguments: 0..<geometries.count)
    func col2imMatchesImageMajor(index: Int) throws {
        let c = Self.geometries[index]
        var random = RandomSource(seed: UInt64(100 + index))
        let g = try ConvGeometry(channels: c.shape[1], height: c.shape[2], width: c.shape[3],
                                 kernel: c.kernel, stride: c.stride, padding: c.padding)
        let (B, P, R) = (c.shape[0], g.columns, g.rows)
        let imageMajor = Tensor.gaussian([R, B * P], using: &random)
        var batchMinorColumns = [Float](repeating: 0, count: R * P * B)
        for r in 0..<R { for n in 0..<B { for p in 0..<P {
            batchMinorColumns[r * P * B + p * B + n] = imageMajor.scalars[r * B * P + n * P + p]
        } } }
        let reference = try col2im(imageMajor, imageShape: c.shape, kernel: c.kernel, stride: c.stride, padding: c.padding)
        var fast = [Float](repeating: .nan, count: g.imageSize * B)
        batchMinorColumns.withUnsafeBufferPointer { col in
            fast.withUnsafeMutableBufferPointer { px in
                col2imBatchMinor(col.baseAddress!, batch: B, geometry: g, into: px.baseAddress!)
            }
        }
        // Sums of the same terms in the same order (tap by tap), so equal to the last bit.
        #expect(fast == Self.batchMinor(reference))
    }

    /// A convolution with one output channel: col2im of the outer product w·g, formed as it is
    /// added, has the bits of the ∂col GEMM Wᵀ·G (K = 1) written out and then col2im'd, for
    /// every geometry above and chapter 9's last upsampling convolution (k3, s1, p1 at 28×28).
    @Test(arguments: 0...geometries.count)
    func col2imOfAnOuterProductMatchesTheGEMMThenCol2im(index: Int) throws {
        let c = index < Self.geometries.count ? Self.geometries[index] : (shape: [40, 32, 28, 28], kernel: (3, 3), stride: (1, 1), padding: (1, 1))
        var random = RandomSource(seed: UInt64(300 + index))
        let g = try ConvGeometry(channels: c.shape[1], height: c.shape[2], width: c.shape[3],
                                 kernel: c.kernel, stride: c.stride, padding: c.padding)
        let (B, R) = (c.shape[0], g.rows)
        let N = g.columns * B
        let w = Tensor.gaussian([R], using: &random).scalars, gy = Tensor.gaussian([N], using: &random).scalars
        var columns = [Float](repeating: .nan, count: R * N)
        var throughMatrix = [Float](repeating: .nan, count: g.imageSize * B), fused = throughMatrix
        w.withUnsafeBufferPointer { pw in
            gy.withUnsafeBufferPointer { pg in
                columns.withUnsafeMutableBufferPointer { col in
                    gemm(transposeA: true, transposeB: false, m: R, n: N, k: 1, alpha: 1, a: pw.baseAddress!, lda: R,
                         b: pg.baseAddress!, ldb: N, beta: 0, c: col.baseAddress!, ldc: N)
                    throughMatrix.withUnsafeMutableBufferPointer { col2imBatchMinor(col.baseAddress!, batch: B, geometry: g, into: $0.baseAddress!) }
                }
                fused.withUnsafeMutableBufferPointer {
                    col2imBatchMinor(outerProductOf: pw.baseAddress!, pg.baseAddress!, batch: B, geometry: g, into: $0.baseAddress!)
                }
            }
        }
        #expect(fused.map { $0.bitPattern } == throughMatrix.map { $0.bitPattern })
    }

    /// The implicit im2col packs exactly what the explicit matrix holds: W·col and G·colᵀ with
    /// col read from the image agree to the last bit with the same GEMMs on the materialised
    /// batch-minor im2col matrix, for both micro-kernels (ragged slivers, padding, strides, batches
    /// that are not multiples of 8 or of the tile width), with β = 0 and accumulation.
    @Test(arguments: 0..<geometries.count)
    func implicitColumnsMatchTheMaterialisedMatrix(index: Int) throws {
        let c = Self.geometries[index]
        var random = RandomSource(seed: UInt64(200 + index))
        let g = try ConvGeometry(channels: c.shape[1], height: c.shape[2], width: c.shape[3],
                                 kernel: c.kernel, stride: c.stride, padding: c.padding)
        for batch in Set([c.shape[0], 13, 40]) {
            let (P, R) = (g.columns, g.rows)
            let N = P * batch
            let x = Tensor.gaussian([g.imageSize * batch], using: &random).scalars
            let o = 11
            let w = Tensor.gaussian([o * R], using: &random).scalars          // (O, R)
            let gy = Tensor.gaussian([o * N], using: &random).scalars         // (O, N)
            var col = [Float](repeating: .nan, count: R * N)
            x.withUnsafeBufferPointer { px in
                col.withUnsafeMutableBufferPointer { pc in im2colBatchMinor(px.baseAddress!, batch: batch, geometry: g, into: pc.baseAddress!) }
            }
            var offsets: [Int] = [], taps: [(Int, Int)] = []
            ImplicitColumns.tables(for: g, batch: batch, offsets: &offsets, taps: &taps)
            for tile in GEMMMicroTile.allCases {
                let blocking = GEMMBlocking.standard(for: tile)
                for (transposed, beta) in [(false, Float(0)), (true, Float(1)), (false, Float(1))] {
                    let (m, n, k) = transposed ? (o, R, N) : (o, N, R)
                    let a = transposed ? gy : w
                    let c0 = Tensor.gaussian([m * n], using: &random).scalars
                    var explicit = c0, implicit = c0
                    a.withUnsafeBufferPointer { pa in
                        col.withUnsafeBufferPointer { pb in
                            explicit.withUnsafeMutableBufferPointer { pc in
                                gemmChecked(transposeA: false, transposeB: transposed, m: m, n: n, k: k, alpha: 1,
                                            a: pa.baseAddress!, lda: k, b: pb.baseAddress!, ldb: N, beta: beta,
                                            c: pc.baseAddress!, ldc: n, threads: 2, blocking: blocking)
                            }
                        }
                        x.withUnsafeBufferPointer { px in
                            offsets.withUnsafeBufferPointer { po in
                                taps.withUnsafeBufferPointer { pt in
                                    let columns = ImplicitColumns(x: px.baseAddress!, geometry: g, batch: batch,
                                                                  rowOffsets: po.baseAddress!, rowTaps: pt.baseAddress!)
                                    implicit.withUnsafeMutableBufferPointer { pc in
                                        gemmChecked(transposeA: false, transposeB: transposed, m: m, n: n, k: k, alpha: 1,
                                                    a: pa.baseAddress!, lda: k, b: px.baseAddress!, ldb: max(n, k), beta: beta,
                                                    c: pc.baseAddress!, ldc: n, threads: 2, blocking: blocking, implicitB: columns)
                                    }
                                }
                            }
                        }
                    }
                    let differing = zip(explicit, implicit).filter { $0.bitPattern != $1.bitPattern }.count
                    #expect(differing == 0, "\(g) batch \(batch) \(tile) transposed \(transposed) β \(beta): \(differing) differ")
                }
            }
        }
    }

    /// A first convolution that skips ∂L/∂x accumulates the same parameter gradients, bit for
    /// bit, and says so by returning an empty tensor.
    @Test func conv2dWithoutInputGradient() throws {
        var random = RandomSource(seed: 7)
        let full = try Conv2d(inputChannels: 2, outputChannels: 5, kernelSize: 4, stride: 2, padding: 1, using: &random)
        let skipping = try Conv2d(inputChannels: 2, outputChannels: 5, kernelSize: 4, stride: 2, padding: 1, using: &random)
        skipping.weight.value = full.weight.value
        skipping.bias!.value = full.bias!.value
        skipping.computesInputGradient = false
        let x = Tensor.gaussian([3, 2, 8, 8], using: &random)
        let y = full.forward(x)
        #expect(skipping.forward(x) == y)
        let dy = Tensor.gaussian(y.shape, using: &random)
        #expect(full.backward(dy).shape == x.shape)
        #expect(skipping.backward(dy).shape == [0])
        #expect(skipping.weight.gradient == full.weight.gradient)
        #expect(skipping.bias!.gradient == full.bias!.gradient)
    }
}
