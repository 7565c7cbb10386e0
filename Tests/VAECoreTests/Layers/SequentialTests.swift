import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

@Suite struct SequentialTests {
    @Test func indexNamesLikeNNSequential() throws {
        var random = RandomSource(seed: 40)
        let net = Sequential([
            try Linear(inputFeatures: 4, outputFeatures: 3, using: &random),
            try Reshape([3, 1, 1]),
            try ConvTranspose2d(inputChannels: 3, outputChannels: 2, kernelSize: 2, bias: false, using: &random),
        ])
        #expect(net.parameters.map(\.name) == ["0.weight", "0.bias", "2.weight"])
        #expect(net.names == ["0", "1", "2"])
    }

    @Test func nestedPrefixesCompose() throws {
        var random = RandomSource(seed: 41)
        let conv = try Conv2d(inputChannels: 1, outputChannels: 2, kernelSize: 3, using: &random)
        let encoder = try Sequential([("conv1", conv), ("flatten", Flatten())])
        let net = try Sequential([("encoder", encoder),
                                  ("head", Linear(inputFeatures: 8, outputFeatures: 2, using: &random))])
        #expect(net.parameters.map(\.name) == ["encoder.conv1.weight", "encoder.conv1.bias", "head.weight", "head.bias"])
        #expect(net["encoder"] === encoder && net["missing"] == nil)
        // The parameters are the layers' own objects, so an optimizer updating them updates the layers.
        #expect(net.parameters[0] === conv.weight)
    }

    @Test func isTrainingPropagates() throws {
        var random = RandomSource(seed: 42)
        let inner = try Sequential([("fc", Linear(inputFeatures: 2, outputFeatures: 2, using: &random))])
        let net = try Sequential([("inner", inner), ("flatten", Flatten())])
        #expect(net.isTraining && inner.layers[0].isTraining)
        net.isTraining = false
        #expect(!inner.isTraining && !inner.layers[0].isTraining && !net.layers[1].isTraining)
        net.isTraining = true
        #expect(inner.layers[0].isTraining)
    }

    /// forward composes, backward runs the layers' backward passes in reverse.
    @Test func chainsForwardAndBackward() throws {
        var random = RandomSource(seed: 43)
        let a = try Linear(inputFeatures: 5, outputFeatures: 4, using: &random)
        let b = try Linear(inputFeatures: 4, outputFeatures: 3, using: &random)
        let net = Sequential([a, b])
        let x = Tensor.gaussian([2, 5], using: &random)
        let y = net.forward(x)
        let g = Tensor.gaussian(y.shape, using: &random)
        let dx = net.backward(g)
        let hidden = Tensor.matmul(x, a.weight.value, transposeB: true) + rowBroadcast(a.bias!.value, rows: 2)
        let expectedY = Tensor.matmul(hidden, b.weight.value, transposeB: true) + rowBroadcast(b.bias!.value, rows: 2)
        #expect(scaledRelativeError(y, expectedY) < 1e-6)
        let expectedDx = Tensor.matmul(Tensor.matmul(g, b.weight.value), a.weight.value)
        #expect(scaledRelativeError(dx, expectedDx) < 1e-6)
    }

    @Test func badNamesThrow() throws {
        var random = RandomSource(seed: 44)
        let fc = try Linear(inputFeatures: 2, outputFeatures: 2, using: &random)
        #expect(throws: LayerConfigurationError.self) { try Sequential([("a", Flatten()), ("a", Flatten())]) }
        #expect(throws: LayerConfigurationError.self) { try Sequential([("a.b", fc)]) }
        #expect(throws: LayerConfigurationError.self) { try Sequential([("", Flatten())]) }
        #expect(fc.weight.name == "weight", "a rejected container renames nothing")
    }

    /// `rows` copies of the vector `v`, stacked: (rows, count).
    func rowBroadcast(_ v: Tensor, rows: Int) -> Tensor {
        Tensor(shape: [rows, v.count], scalars: Array((0..<rows).map { _ in v.scalars }.joined()))
    }
}
