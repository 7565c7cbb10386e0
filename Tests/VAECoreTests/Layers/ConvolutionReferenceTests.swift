import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// The im2col + GEMM layers against the seven-loop reference convolutions, on random
/// configurations: forward, and every gradient of backward.
///
/// Both sides compute the same sums in a different order (the reference in Double, the GEMM in
/// whatever order its blocking takes), so they differ by a few Float roundings of the *terms*,
/// whatever the size of the sum: an output near zero that cancels terms of size 1 carries the
/// same absolute error as a large one. Hence `scaledRelativeError`, which judges values smaller
/// than a tenth of the largest against that tenth; 1e-5 of it is still tight (observed: at most 1.4e-6).
@Suite struct ConvolutionReferenceTests {
    static let tolerance: Float = 1e-5

    struct Config: CustomStringConvertible {
        var batch, inChannels, outChannels, height, width: Int
        var kernel, stride, padding, outputPadding: (Int, Int)
        var bias: Bool
        var description: String {
            "B\(batch) \(inChannels)→\(outChannels) on \(height)×\(width) k\(kernel) s\(stride) p\(padding) op\(outputPadding) bias=\(bias)"
        }
    }

    /// A random small configuration: kernels 1…4, strides 1…3, paddings 0…2, sizes 1…9, non-square.
    static func randomConfig(_ random: inout RandomSource) -> Config {
        let stride = (1 + random.uniformInt(below: 3), 1 + random.uniformInt(below: 3))
        return Config(batch: 1 + random.uniformInt(below: 3), inChannels: 1 + random.uniformInt(below: 4),
                      outChannels: 1 + random.uniformInt(below: 5),
                      height: 1 + random.uniformInt(below: 9), width: 1 + random.uniformInt(below: 9),
                      kernel: (1 + random.uniformInt(below: 4), 1 + random.uniformInt(below: 4)), stride: stride,
                      padding: (random.uniformInt(below: 3), random.uniformInt(below: 3)),
                      outputPadding: (random.uniformInt(below: stride.0), random.uniformInt(below: stride.1)),
                      bias: random.bernoulli(0.7))
    }

    @Test func conv2dMatchesSevenLoops() throws {
        var random = RandomSource(seed: 20)
        var tested = 0
        while tested < 40 {
            let c = Self.randomConfig(&random)
            guard c.height + 2 * c.padding.0 >= c.kernel.0, c.width + 2 * c.padding.1 >= c.kernel.1 else { continue }
            let layer = try Conv2d(inputChannels: c.inChannels, outputChannels: c.outChannels, kernel: c.kernel,
                                   stride: c.stride, padding: c.padding, bias: c.bias, using: &random)
            let x = Tensor.gaussian([c.batch, c.inChannels, c.height, c.width], using: &random)
            let y = layer.forward(x)
            let expectedY = try conv2dReference(input: x, weight: layer.weight.value, bias: layer.bias?.value,
                                                stride: c.stride, padding: c.padding)
            #expect(y.shape == expectedY.shape, "\(c)")
            #expect(scaledRelativeError(y, expectedY) < Self.tolerance, "forward \(c)")

            let g = Tensor.gaussian(y.shape, using: &random)
            layer.zeroGradients()
            let dx = layer.backward(g)
            let expected = try conv2dBackwardReference(input: x, weight: layer.weight.value, outputGradient: g,
                                                       stride: c.stride, padding: c.padding)
            #expect(scaledRelativeError(dx, expected.input) < Self.tolerance, "∂x \(c)")
            #expect(scaledRelativeError(layer.weight.gradient, expected.weight) < Self.tolerance, "∂W \(c)")
            if let bias = layer.bias {
                #expect(scaledRelativeError(bias.gradient, expected.bias) < Self.tolerance, "∂b \(c)")
            }
            tested += 1
        }
    }

    @Test func convTranspose2dMatchesSevenLoops() throws {
        var random = RandomSource(seed: 21)
        var tested = 0
        while tested < 40 {
            let c = Self.randomConfig(&random)
            let outH = convTransposeOutputSize(input: c.height, kernel: c.kernel.0, stride: c.stride.0,
                                               padding: c.padding.0, outputPadding: c.outputPadding.0)
            let outW = convTransposeOutputSize(input: c.width, kernel: c.kernel.1, stride: c.stride.1,
                                               padding: c.padding.1, outputPadding: c.outputPadding.1)
            guard outH > 0, outW > 0 else { continue }
            let layer = try ConvTranspose2d(inputChannels: c.inChannels, outputChannels: c.outChannels, kernel: c.kernel,
                                            stride: c.stride, padding: c.padding, outputPadding: c.outputPadding,
                                            bias: c.bias, using: &random)
            let x = Tensor.gaussian([c.batch, c.inChannels, c.height, c.width], using: &random)
            let y = layer.forward(x)
            let expectedY = try convTranspose2dReference(input: x, weight: layer.weight.value, bias: layer.bias?.value,
                                                         stride: c.stride, padding: c.padding, outputPadding: c.outputPadding)
            #expect(y.shape == expectedY.shape, "\(c)")
            #expect(y.shape == [c.batch, c.outChannels, outH, outW], "\(c)")
            #expect(scaledRelativeError(y, expectedY) < Self.tolerance, "forward \(c)")

            let g = Tensor.gaussian(y.shape, using: &random)
            layer.zeroGradients()
            let dx = layer.backward(g)
            let expected = try convTranspose2dBackwardReference(input: x, weight: layer.weight.value, outputGradient: g,
                                                                stride: c.stride, padding: c.padding)
            #expect(scaledRelativeError(dx, expected.input) < Self.tolerance, "∂x \(c)")
            #expect(scaledRelativeError(layer.weight.gradient, expected.weight) < Self.tolerance, "∂W \(c)")
            if let bias = layer.bias {
                #expect(scaledRelativeError(bias.gradient, expected.bias) < Self.tolerance, "∂b \(c)")
            }
            tested += 1
        }
    }

    /// A transposed convolution is the adjoint of the convolution with the same weight:
    /// ⟨conv(x), u⟩ = ⟨x, convT(u)⟩ (no bias), and its forward pass equals the convolution's
    /// input gradient. This is the sense of "transposed".
    @Test func transposedConvolutionIsTheConvolutionsAdjoint() throws {
        var random = RandomSource(seed: 22)
        for (c, o, h, w, k, s, p) in [(3, 4, 8, 8, (4, 4), (2, 2), (1, 1)), (2, 3, 7, 6, (3, 2), (2, 1), (1, 0)),
                                      (1, 2, 9, 9, (3, 3), (3, 3), (2, 2))] {
            let conv = try Conv2d(inputChannels: c, outputChannels: o, kernel: k, stride: s, padding: p, bias: false, using: &random)
            let x = Tensor.gaussian([2, c, h, w], using: &random)
            let y = conv.forward(x)
            // The output padding that makes convT map y's size back to x's exactly.
            let op = ((h + 2 * p.0 - k.0) % s.0, (w + 2 * p.1 - k.1) % s.1)
            let convT = try ConvTranspose2d(inputChannels: o, outputChannels: c, kernel: k, stride: s, padding: p,
                                            outputPadding: op, bias: false, using: &random)
            convT.weight.value = conv.weight.value  // (O, C, kh, kw) read as (Cin, Cout, kh, kw) of convT
            let u = Tensor.gaussian(y.shape, using: &random)
            let back = convT.forward(u)
            #expect(back.shape == x.shape)
            let lhs = (y * u).sum(), rhs = (x * back).sum()
            #expect(abs(lhs - rhs) <= 1e-5 * max(1, abs(lhs)))
            #expect(scaledRelativeError(back, conv.backward(u)) < 1e-5)
        }
    }
}

/// The largest elementwise relative error of `actual` against `expected`, where values smaller
/// than a tenth of the largest |expected| are judged against that tenth: the error of a sum
/// scales with its terms, not with the sum, so small sums are judged on the scale of the tensor.
func scaledRelativeError(_ actual: Tensor, _ expected: Tensor) -> Float {
    let largest = expected.scalars.reduce(0) { max($0, abs($1)) }
    return maxRelativeError(actual, expected, floor: max(0.1 * largest, .leastNormalMagnitude))
}
