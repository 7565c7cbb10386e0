import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

@Suite struct Im2ColTests {
    /// A 3×3 image 1…9 with a 2×2 kernel: each column is one patch, read row by row.
    @Test func smallExampleByHand() throws {
        let x = Tensor(shape: [1, 3, 3], scalars: (1...9).map(Float.init))
        let col = try im2col(x, kernel: (2, 2))
        #expect(col.shape == [4, 4])
        #expect(col.scalars == [1, 2, 4, 5,   // tap (0, 0) of the four patches
                                2, 3, 5, 6,   // tap (0, 1)
                                4, 5, 7, 8,   // tap (1, 0)
                                5, 6, 8, 9])  // tap (1, 1)
    }

    /// Padding reads as zero, and a stride skips positions.
    @Test func paddingAndStrideByHand() throws {
        let x = Tensor(shape: [1, 3, 3], scalars: (1...9).map(Float.init))
        let col = try im2col(x, kernel: (2, 2), stride: (2, 2), padding: (1, 1))
        #expect(col.shape == [4, 4])
        #expect(col.scalars == [0, 0, 0, 5,
                                0, 0, 4, 6,
                                0, 2, 0, 8,
                                1, 3, 7, 9])
    }

    /// A batch lays its images' columns side by side: image n owns columns n·OH·OW ..< (n+1)·OH·OW.
    @Test func batchLaysImagesSideBySide() throws {
        var random = RandomSource(seed: 1)
        let batch = Tensor.gaussian([3, 2, 5, 4], using: &random)
        let whole = try im2col(batch, kernel: (3, 2), stride: (2, 1), padding: (1, 1))
        let P = 3 * 5  // OH = 3, OW = 5
        #expect(whole.shape == [2 * 3 * 2, 3 * P])
        for n in 0..<3 {
            let single = try im2col(batch.slice(n), kernel: (3, 2), stride: (2, 1), padding: (1, 1))
            for r in 0..<single.shape[0] {
                for j in 0..<P { #expect(whole.scalars[r * 3 * P + n * P + j] == single.scalars[r * P + j]) }
            }
        }
    }

    /// col2im is the adjoint of im2col, ⟨im2col(x), M⟩ = ⟨x, col2im(M)⟩, over many geometries;
    /// this is exactly what makes col2im the backward pass of im2col.
    @Test func col2imIsTheAdjointOfIm2col() throws {
        var random = RandomSource(seed: 2)
        var checked = 0
        for _ in 0..<60 {
            let (c, h, w) = (1 + random.uniformInt(below: 3), 1 + random.uniformInt(below: 7), 1 + random.uniformInt(below: 7))
            let kernel = (1 + random.uniformInt(below: 4), 1 + random.uniformInt(below: 4))
            let stride = (1 + random.uniformInt(below: 3), 1 + random.uniformInt(below: 3))
            let padding = (random.uniformInt(below: 3), random.uniformInt(below: 3))
            guard h + 2 * padding.0 >= kernel.0, w + 2 * padding.1 >= kernel.1 else { continue }
            let batch = 1 + random.uniformInt(below: 3)
            let x = Tensor.gaussian([batch, c, h, w], using: &random)
            let col = try im2col(x, kernel: kernel, stride: stride, padding: padding)
            let m = Tensor.gaussian(col.shape, using: &random)
            let back = try col2im(m, imageShape: x.shape, kernel: kernel, stride: stride, padding: padding)
            let lhs = (col * m).sum(), rhs = (x * back).sum()
            #expect(abs(lhs - rhs) <= 1e-5 * max(1, abs(lhs)), "\(x.shape) k\(kernel) s\(stride) p\(padding)")
            checked += 1
        }
        #expect(checked >= 40)
    }

    /// col2im adds overlapping patches: with a 2×2 kernel at stride 1 on 3×3, the centre pixel
    /// is in all four patches, a corner in one.
    @Test func col2imAccumulatesOverlaps() throws {
        let ones = Tensor(shape: [4, 4], repeating: 1)
        let counts = try col2im(ones, imageShape: [1, 3, 3], kernel: (2, 2))
        #expect(counts.scalars == [1, 2, 1, 2, 4, 2, 1, 2, 1])
    }

    @Test func badGeometryThrows() {
        #expect(throws: LayerConfigurationError.self) {
            try ConvGeometry(channels: 1, height: 2, width: 2, kernel: (3, 3))
        }
        #expect(throws: LayerConfigurationError.self) {
            try ConvGeometry(channels: 1, height: 4, width: 4, kernel: (3, 3), stride: (0, 1))
        }
        #expect(throws: LayerConfigurationError.self) {
            try ConvGeometry(channels: 1, height: 4, width: 4, kernel: (3, 3), padding: (-1, 0))
        }
        #expect(throws: LayerConfigurationError.self) {
            try im2col(Tensor(shape: [4, 4]), kernel: (2, 2))
        }
        #expect(throws: LayerConfigurationError.self) {
            try col2im(Tensor(shape: [4, 5]), imageShape: [1, 3, 3], kernel: (2, 2))
        }
    }
}
