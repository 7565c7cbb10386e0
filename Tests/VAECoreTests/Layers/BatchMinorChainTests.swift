import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// A `Sequential` runs its layers on batch-minor activations, transposing only at its ends; the
/// same layers called one by one on NCHW tensors must give the same bits: outputs, input
/// gradients, parameter gradients and BatchNorm's running statistics (chapter 5 relies on it when
/// it checks its written-out step against the Trainer's).
@Suite struct BatchMinorChainTests {
    /// Two copies of one network: the same weights, built twice from one seed.
    static func network(seed: UInt64) throws -> Sequential {
        var random = RandomSource(seed: seed)
        let inner = Sequential([
            try Conv2d(inputChannels: 4, outputChannels: 4, kernelSize: 3, stride: 1, padding: 1, using: &random),
            BatchNorm2d(channels: 4), Swish(),
        ])
        return try Sequential([
            ("conv1", try Conv2d(inputChannels: 1, outputChannels: 8, kernelSize: 4, stride: 2, padding: 1, using: &random)),
            ("bn1", BatchNorm2d(channels: 8)),
            ("relu1", ReLU()),
            ("flatten", Flatten()),
            ("fc1", try Linear(inputFeatures: 8 * 6 * 6, outputFeatures: 40, using: &random)),
            ("bn2", BatchNorm1d(features: 40)),
            ("elu", ELU()),
            ("fc2", try Linear(inputFeatures: 40, outputFeatures: 4 * 3 * 3, using: &random)),
            ("reshape", try Reshape([4, 3, 3])),
            ("deconv", try ConvTranspose2d(inputChannels: 4, outputChannels: 4, kernelSize: 4, stride: 2, padding: 1,
                                           using: &random)),
            ("leaky", LeakyReLU()),
            ("up", try Upsample(factor: 2)),
            ("res", Residual(inner)),
            ("out", try Conv2d(inputChannels: 4, outputChannels: 1, kernelSize: 3, stride: 2, padding: 1, using: &random)),
        ])
    }

    static func bits(_ t: Tensor) -> [UInt32] { t.scalars.map(\.bitPattern) }

    @Test(arguments: [true, false], [5, 16])
    func chainMatchesLayerByLayer(training: Bool, batch: Int) throws {
        let chain = try Self.network(seed: 3), single = try Self.network(seed: 3)
        #expect(chain.runsBatchMinor)
        chain.isTraining = training
        single.isTraining = training
        var random = RandomSource(seed: 9)
        let x = Tensor.uniform([batch, 1, 12, 12], using: &random)
        for _ in 0..<2 {   // twice: the second pass starts from moved running statistics
            let y = chain.forward(x)
            let yByLayer = single.layers.reduce(x) { $1.forward($0) }
            #expect(Self.bits(y) == Self.bits(yByLayer))
            let dy = Tensor.gaussian(y.shape, using: &random)
            let dx = chain.backward(dy)
            let dxByLayer = single.layers.reversed().reduce(dy) { $1.backward($0) }
            #expect(dx.shape == x.shape)
            #expect(Self.bits(dx) == Self.bits(dxByLayer))
        }
        for (a, b) in zip(chain.parameters + chain.buffers, single.parameters + single.buffers) {
            #expect(Self.bits(a.value) == Self.bits(b.value), "\(a.name)")
            #expect(Self.bits(a.gradient) == Self.bits(b.gradient), "\(a.name) gradient")
        }
    }

    /// A first convolution that skips ∂x ends the backward chain with an empty tensor.
    @Test func emptyInputGradientEndsTheChain() throws {
        var random = RandomSource(seed: 4)
        let conv = try Conv2d(inputChannels: 1, outputChannels: 2, kernelSize: 3, padding: 1, using: &random)
        conv.computesInputGradient = false
        let chain = Sequential([conv, ReLU()])
        let y = chain.forward(Tensor.gaussian([3, 1, 5, 5], using: &random))
        #expect(chain.backward(Tensor.gaussian(y.shape, using: &random)).shape == [0])
    }

    /// A layer that is not batch-minor still works inside a chain: it gets NCHW tensors.
    @Test func aLayerWithoutBatchMinorPassesGetsNCHW() throws {
        final class Doubling: Layer {
            var isTraining = true
            func forward(_ input: Tensor) -> Tensor { input * 2 }
            func backward(_ outputGradient: Tensor) -> Tensor { outputGradient * 2 }
        }
        var random = RandomSource(seed: 5)
        let conv = try Conv2d(inputChannels: 1, outputChannels: 2, kernelSize: 3, padding: 1, using: &random)
        let x = Tensor.gaussian([2, 1, 4, 4], using: &random)
        let mixed = Sequential([conv, Doubling()])
        #expect(!mixed.runsBatchMinor)
        #expect(mixed.forward(x) == conv.forward(x) * 2)
        // Nested in a batch-minor chain, the inner chain transposes around the NCHW-only layer.
        let nested = Sequential([conv, Sequential([Doubling()]), ReLU()])
        #expect(nested.runsBatchMinor)
        let y = nested.forward(x)
        #expect(y == ReLU().forward(conv.forward(x) * 2))
        let dy = Tensor.gaussian(y.shape, using: &random)
        #expect(nested.backward(dy).shape == x.shape)
    }
}
