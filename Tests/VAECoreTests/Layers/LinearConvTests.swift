import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// Backward passes against finite differences of forward passes (`checkGradients`, in
/// Sources/VAENeural/Layers/GradientCheck.swift).
///
/// Every layer here is affine in its input and in each parameter separately (a Sequential of
/// them is affine in each one, the others held fixed), so L = ⟨g, f⟩ is too, and the central
/// difference (L(θ + hv) − L(θ − hv))/2h has no truncation error at any step h: what remains is
/// Float rounding, about ε·Σ|terms|/h. A step of 0.5 keeps it near 1e-6, so a tolerance of 1e-4
/// is tight and honest; a wrong index or a missing term gives errors of order 1.
@Suite struct LinearConvTests {
    static let step: Float = 0.5
    static let tolerance = 1e-4

    static func expectGradientsMatch(_ layer: Layer, input: Tensor, _ label: String) {
        let result = checkGradients(of: layer, input: input, step: step)
        #expect(result.input < tolerance, "\(label): input gradient error \(result.input)")
        #expect(result.parameters.count == layer.parameters.count, "\(label)")
        for (name, error) in result.parameters.sorted(by: { $0.key < $1.key }) {
            #expect(error < tolerance, "\(label): \(name) gradient error \(error)")
        }
    }

    @Test func linear() throws {
        var random = RandomSource(seed: 10)
        for (b, i, o, bias) in [(1, 1, 1, true), (3, 7, 5, true), (4, 9, 2, false), (2, 64, 10, true)] {
            let layer = try Linear(inputFeatures: i, outputFeatures: o, bias: bias, using: &random)
            Self.expectGradientsMatch(layer, input: .gaussian([b, i], using: &random), "Linear(\(i)→\(o)) B=\(b) bias=\(bias)")
        }
    }

    /// (C, O, H, W, kernel, stride, padding, bias): stride 1 and 2 (and 3), padding 0…2,
    /// non-square kernels and inputs, with and without bias, and the VAE's k4 s2 p1.
    static let convConfigs: [(Int, Int, Int, Int, (Int, Int), (Int, Int), (Int, Int), Bool)] = [
        (1, 1, 3, 3, (1, 1), (1, 1), (0, 0), true),
        (2, 3, 5, 5, (3, 3), (1, 1), (0, 0), true),
        (2, 3, 5, 5, (3, 3), (1, 1), (1, 1), false),
        (3, 2, 6, 6, (3, 3), (2, 2), (2, 2), true),
        (3, 5, 7, 6, (3, 2), (2, 1), (1, 0), true),
        (2, 4, 8, 7, (2, 4), (3, 2), (2, 1), false),
        (1, 4, 8, 8, (4, 4), (2, 2), (1, 1), true),
        (4, 3, 6, 9, (1, 3), (1, 2), (0, 2), true),
    ]

    @Test func conv2d() throws {
        var random = RandomSource(seed: 11)
        for (c, o, h, w, k, s, p, bias) in Self.convConfigs {
            let layer = try Conv2d(inputChannels: c, outputChannels: o, kernel: k, stride: s, padding: p, bias: bias, using: &random)
            Self.expectGradientsMatch(layer, input: .gaussian([2, c, h, w], using: &random),
                                      "Conv2d(\(c)→\(o)) on \(h)×\(w) k\(k) s\(s) p\(p) bias=\(bias)")
        }
    }

    /// (Cin, Cout, H, W, kernel, stride, padding, outputPadding, bias): the VAE's k4 s2 p1, then odd ones.
    static let convTransposeConfigs: [(Int, Int, Int, Int, (Int, Int), (Int, Int), (Int, Int), (Int, Int), Bool)] = [
        (4, 3, 4, 4, (4, 4), (2, 2), (1, 1), (0, 0), true),
        (3, 1, 5, 5, (4, 4), (2, 2), (1, 1), (0, 0), true),
        (3, 2, 4, 5, (3, 3), (2, 2), (1, 1), (1, 1), true),
        (2, 3, 5, 4, (3, 2), (1, 2), (0, 1), (0, 1), false),
        (4, 2, 3, 3, (2, 3), (3, 2), (1, 0), (2, 1), true),
        (2, 2, 3, 3, (3, 3), (1, 1), (2, 2), (0, 0), true),
    ]

    @Test func convTranspose2d() throws {
        var random = RandomSource(seed: 12)
        for (ci, co, h, w, k, s, p, op, bias) in Self.convTransposeConfigs {
            let layer = try ConvTranspose2d(inputChannels: ci, outputChannels: co, kernel: k, stride: s, padding: p,
                                            outputPadding: op, bias: bias, using: &random)
            Self.expectGradientsMatch(layer, input: .gaussian([2, ci, h, w], using: &random),
                                      "ConvTranspose2d(\(ci)→\(co)) on \(h)×\(w) k\(k) s\(s) p\(p) op\(op) bias=\(bias)")
        }
    }

    /// A miniature of the VAE: conv → conv → flatten → linear → linear → reshape → convT → convT.
    ///
    /// Kaiming initialisation with gain 1 keeps the signal's size through the eight layers; with
    /// PyTorch's default scale it shrinks about threefold a layer, ∂L/∂x becomes tiny next to L,
    /// and the finite difference drowns in rounding (5e-4 relative at this step).
    @Test func sequentialOfAllLayers() throws {
        var random = RandomSource(seed: 13)
        let scheme = Initialization.kaimingNormal(.linear)
        let net = try Sequential([
            ("conv1", Conv2d(inputChannels: 1, outputChannels: 3, kernelSize: 4, stride: 2, padding: 1,
                             initialization: scheme, using: &random)),
            ("conv2", Conv2d(inputChannels: 3, outputChannels: 4, kernelSize: 4, stride: 2, padding: 1,
                             initialization: scheme, using: &random)),
            ("flatten", Flatten()),
            ("encode", Linear(inputFeatures: 16, outputFeatures: 6, initialization: scheme, using: &random)),
            ("decode", Linear(inputFeatures: 6, outputFeatures: 16, initialization: scheme, using: &random)),
            ("unflatten", Reshape([4, 2, 2])),
            ("deconv1", ConvTranspose2d(inputChannels: 4, outputChannels: 3, kernelSize: 4, stride: 2, padding: 1,
                                        initialization: scheme, using: &random)),
            ("deconv2", ConvTranspose2d(inputChannels: 3, outputChannels: 1, kernelSize: 4, stride: 2, padding: 1,
                                        initialization: scheme, using: &random)),
        ])
        let x = Tensor.gaussian([2, 1, 8, 8], using: &random)
        #expect(net.forward(x).shape == [2, 1, 8, 8])
        Self.expectGradientsMatch(net, input: x, "Sequential")
    }

    /// backward adds to the parameter gradients: two backward passes give twice one.
    @Test func backwardAccumulatesParameterGradients() throws {
        var random = RandomSource(seed: 14)
        let layers: [(Layer, Tensor)] = [
            (try Linear(inputFeatures: 5, outputFeatures: 3, using: &random), .gaussian([2, 5], using: &random)),
            (try Conv2d(inputChannels: 2, outputChannels: 3, kernelSize: 3, stride: 2, padding: 1, using: &random),
             .gaussian([2, 2, 5, 5], using: &random)),
            (try ConvTranspose2d(inputChannels: 2, outputChannels: 3, kernelSize: 4, stride: 2, padding: 1, using: &random),
             .gaussian([2, 2, 3, 3], using: &random)),
        ]
        for (layer, x) in layers {
            let g = Tensor.gaussian(layer.forward(x).shape, using: &random)
            layer.zeroGradients()
            let dx1 = layer.backward(g)
            let once = layer.parameters.map(\.gradient)
            #expect(once.allSatisfy { $0.norm() > 0 })
            let dx2 = layer.backward(g)
            #expect(dx1 == dx2, "the input gradient is returned, not accumulated")
            for (p, first) in zip(layer.parameters, once) {
                #expect(maxRelativeError(p.gradient, first * 2, floor: 1e-3) < 1e-6, "\(type(of: layer)) \(p.name)")
            }
            layer.zeroGradients()
            #expect(layer.parameters.allSatisfy { $0.gradient.norm() == 0 })
        }
    }

    /// A smaller batch after a larger one reuses the scratch buffers and still gives the right
    /// answer (the layout of the im2col matrix depends on the batch size).
    @Test func batchSizeChangesBetweenCalls() throws {
        var random = RandomSource(seed: 15)
        let conv = try Conv2d(inputChannels: 2, outputChannels: 3, kernel: (3, 2), stride: (2, 1), padding: (1, 1), using: &random)
        let convT = try ConvTranspose2d(inputChannels: 2, outputChannels: 3, kernelSize: 3, stride: 2, padding: 1,
                                        outputPadding: 1, using: &random)
        for layer in [conv, convT] as [Layer] {
            let big = Tensor.gaussian([4, 2, 5, 6], using: &random)
            _ = layer.backward(.gaussian(layer.forward(big).shape, using: &random))
            let small = Tensor.gaussian([1, 2, 5, 6], using: &random)
            let y = layer.forward(small)
            let g = Tensor.gaussian(y.shape, using: &random)
            layer.zeroGradients()
            let dx = layer.backward(g)
            let w = layer.parameters[0].value, b = layer.parameters[1].value
            let expectedY: Tensor, expected: ConvolutionGradients
            if layer === conv {
                expectedY = try conv2dReference(input: small, weight: w, bias: b, stride: (2, 1), padding: (1, 1))
                expected = try conv2dBackwardReference(input: small, weight: w, outputGradient: g, stride: (2, 1), padding: (1, 1))
            } else {
                expectedY = try convTranspose2dReference(input: small, weight: w, bias: b, stride: (2, 2), padding: (1, 1),
                                                         outputPadding: (1, 1))
                expected = try convTranspose2dBackwardReference(input: small, weight: w, outputGradient: g,
                                                                stride: (2, 2), padding: (1, 1))
            }
            #expect(scaledRelativeError(y, expectedY) < 1e-5)
            #expect(scaledRelativeError(dx, expected.input) < 1e-5)
            #expect(scaledRelativeError(layer.parameters[0].gradient, expected.weight) < 1e-5)
            #expect(scaledRelativeError(layer.parameters[1].gradient, expected.bias) < 1e-5)
        }
    }

    @Test func flattenAndReshapeOnlyRelabel() throws {
        var random = RandomSource(seed: 16)
        let x = Tensor.gaussian([2, 3, 4, 5], using: &random)
        let flatten = Flatten()
        let flat = flatten.forward(x)
        #expect(flat.shape == [2, 60] && flat.scalars == x.scalars)
        #expect(flatten.backward(flat) == x)
        let reshape = try Reshape([5, 12])
        let y = reshape.forward(flat)
        #expect(y.shape == [2, 5, 12] && y.scalars == x.scalars)
        #expect(reshape.backward(y) == flat)
        #expect(throws: LayerConfigurationError.self) { try reshape.outputShape(forInput: [2, 59]) }
        #expect(throws: LayerConfigurationError.self) { try flatten.outputShape(forInput: [7]) }
    }

    @Test func badConfigurationsThrow() {
        var random = RandomSource(seed: 17)
        #expect(throws: LayerConfigurationError.self) { try Linear(inputFeatures: 0, outputFeatures: 3, using: &random) }
        #expect(throws: LayerConfigurationError.self) {
            try Conv2d(inputChannels: 1, outputChannels: 2, kernelSize: 3, stride: 0, using: &random)
        }
        #expect(throws: LayerConfigurationError.self) {
            try Conv2d(inputChannels: 1, outputChannels: 2, kernelSize: 3, padding: -1, using: &random)
        }
        #expect(throws: LayerConfigurationError.self) {
            try ConvTranspose2d(inputChannels: 1, outputChannels: 2, kernelSize: 3, stride: 2, outputPadding: 2, using: &random)
        }
        #expect(throws: LayerConfigurationError.self) { try Reshape([4, 0]) }
        // Shapes that the layers reject before forward would stop on them.
        if let conv = try? Conv2d(inputChannels: 3, outputChannels: 2, kernelSize: 5, using: &random) {
            #expect(throws: LayerConfigurationError.self) { try conv.outputShape(forInput: [1, 2, 8, 8]) }  // channels
            #expect(throws: LayerConfigurationError.self) { try conv.outputShape(forInput: [1, 3, 4, 8]) }  // too small
            #expect(throws: LayerConfigurationError.self) { try conv.outputShape(forInput: [3, 8, 8]) }     // rank
            #expect((try? conv.outputShape(forInput: [2, 3, 8, 9])) == [2, 2, 4, 5])
        }
        if let convT = try? ConvTranspose2d(inputChannels: 2, outputChannels: 1, kernelSize: 4, stride: 2, padding: 3,
                                            using: &random) {
            #expect(throws: LayerConfigurationError.self) { try convT.outputShape(forInput: [1, 2, 1, 1]) }  // empty output
            #expect((try? convT.outputShape(forInput: [1, 2, 7, 7])) == [1, 1, 10, 10])
        }
        if let linear = try? Linear(inputFeatures: 4, outputFeatures: 2, using: &random) {
            #expect(throws: LayerConfigurationError.self) { try linear.outputShape(forInput: [2, 5]) }
        }
    }
}
