import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

@Suite struct TensorTests {
    @Test func nchwOffsetsAndStrides() {
        var t = Tensor(shape: [2, 3, 4, 5])
        #expect(t.strides == [60, 20, 5, 1])
        t[1, 2, 3, 4] = 7
        #expect(t.scalars[((1 * 3 + 2) * 4 + 3) * 5 + 4] == 7)
        #expect(t.offset(of: [1, 0, 2, 1]) == 60 + 10 + 1)
    }

    @Test func reshapeKeepsOrderAndInfersOneAxis() {
        let t = Tensor(shape: [2, 6], scalars: (0..<12).map(Float.init))
        let r = t.reshaped([3, -1])
        #expect(r.shape == [3, 4])
        #expect(r.scalars == t.scalars)
        #expect(t.slice(1).scalars == (6..<12).map(Float.init))
    }

    @Test func arithmeticAndReductions() {
        let a = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        let b = Tensor(shape: [2, 2], scalars: [4, 3, 2, 1])
        #expect((a + b).scalars == [5, 5, 5, 5])
        #expect((a * b).scalars == [4, 6, 6, 4])
        #expect((a * 2 - 1).scalars == [1, 3, 5, 7])
        #expect(a.sum() == 10)
        #expect(a.mean() == 2.5)
        #expect(a.variance() == 1.25)
        #expect(abs(a.norm() - 30.0.squareRoot()) < 1e-12)
        #expect(a.maxAbsDifference(b) == 3)
    }

    /// A Float accumulator would stall at 2²⁴ = 16,777,216; the Double one does not.
    @Test func sumAccumulatesInDouble() {
        let t = Tensor(shape: [20_000_000], repeating: 1)
        #expect(t.sum() == 20_000_000)
    }

    @Test func matmulMatchesHandComputedProduct() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12])
        #expect(Tensor.matmul(a, b).scalars == [58, 64, 139, 154])
        #expect(Tensor.matmul(b, a, transposeA: true, transposeB: true).scalars == [58, 139, 64, 154])
    }

    @Test func seededConstructorsAreReproducible() {
        var r1 = RandomSource(seed: 11), r2 = RandomSource(seed: 11)
        #expect(Tensor.gaussian([3, 5], using: &r1) == Tensor.gaussian([3, 5], using: &r2))
        #expect(Tensor.uniform([4], lower: -1, upper: 1, using: &r1).scalars.allSatisfy { $0 >= -1 && $0 < 1 })
    }
}
