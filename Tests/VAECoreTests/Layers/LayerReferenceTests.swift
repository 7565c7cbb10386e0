import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// The layers against PyTorch (Fixtures/layers.py → layers.json): with the same input, the same
/// weights (drawn by PyTorch and loaded here) and the same upstream gradient g, the output and
/// the gradients of L = Σ y·g with respect to input, weight and bias must agree.
///
/// Tolerances. Both sides are Float sums in different orders, so they differ by a few roundings
/// of the *terms* of each sum, whatever the sum's size. Judged by `maxRelativeError` with its
/// default floor of 1e-3, sums that cancel terms of size ~1 down to ~1e-3 look far worse than
/// they are: PyTorch's own float32 results differ from the same sums done in Double by 8.6e-5
/// (Linear 3136→40 weight gradient, sums of two products) and by up to 1e-3 against ours
/// (Conv 32→64 weight gradient, sums of 98 products near zero), which would fail a plain
/// relative tolerance of 1e-4 on outputs and 1e-3 on gradients. So we compare with
/// `scaledRelativeError` (the floor raised to a tenth of the tensor's largest value) and hold
/// both outputs and gradients to 3e-5: 3× tighter than 1e-4, 30× tighter than 1e-3, with the
/// worst case observed at 6e-6.
@Suite struct LayerReferenceTests {
    static let outputTolerance: Float = 3e-5
    static let gradientTolerance: Float = 3e-5

    /// Fixtures/layers.*, parsed once and shared, read-only, by the tests of the suite.
    static func fixture() throws -> Fixture { try loaded.get() }
    nonisolated(unsafe) private static let loaded = Result { try Fixture("layers") }

    /// Sets `parameter` to the PyTorch value stored under "param:<name>", checking its shape.
    static func load(_ parameter: Parameter, from fixture: Fixture, _ name: String, key: String? = nil) throws {
        let value = try fixture.tensor(name, "param:" + (key ?? parameter.name))
        try #require(value.shape == parameter.value.shape, "\(name): \(parameter.name) is \(parameter.value.shape), PyTorch's \(value.shape)")
        parameter.value = value
    }

    /// Runs forward and backward on the stored input and upstream gradient; compares the output,
    /// the input gradient and every parameter's gradient (under "grad:<parameter name>").
    static func compare(_ layer: Layer, fixture: Fixture, _ name: String) throws {
        let x = try fixture.tensor(name, "input")
        let y = layer.forward(x)
        let expectedY = try fixture.tensor(name, "output")
        try #require(y.shape == expectedY.shape, "\(name): output \(y.shape), PyTorch's \(expectedY.shape)")
        #expect(scaledRelativeError(y, expectedY) < outputTolerance, "\(name): output")

        layer.zeroGradients()
        let dx = layer.backward(try fixture.tensor(name, "upstream"))
        #expect(scaledRelativeError(dx, try fixture.tensor(name, "input_grad")) < gradientTolerance, "\(name): input gradient")
        let storedGradients = fixture.keys(name).filter { $0.hasPrefix("grad:") }
        #expect(storedGradients.count == layer.parameters.count, "\(name): PyTorch has \(storedGradients.sorted())")
        for parameter in layer.parameters {
            let expected = try fixture.tensor(name, "grad:" + parameter.name)
            #expect(scaledRelativeError(parameter.gradient, expected) < gradientTolerance, "\(name): \(parameter.name) gradient")
        }
    }

    @Test func linear() throws {
        let fixture = try Self.fixture()
        let names = fixture.caseNames.filter { $0.hasPrefix("linear_") }
        #expect(names.count == 4)
        var random = RandomSource(seed: 0)
        for name in names {
            let features = try fixture.integers(name, "features")
            let layer = try Linear(inputFeatures: features[0], outputFeatures: features[1],
                                   bias: try fixture.integers(name, "bias") == [1], using: &random)
            for p in layer.parameters { try Self.load(p, from: fixture, name) }
            try Self.compare(layer, fixture: fixture, name)
        }
    }

    @Test func conv2d() throws {
        let fixture = try Self.fixture()
        let names = fixture.caseNames.filter { $0.hasPrefix("conv_") }
        #expect(names.count == 7)
        var random = RandomSource(seed: 0)
        for name in names {
            let (channels, k, s, p) = (try fixture.integers(name, "channels"), try fixture.integers(name, "kernel"),
                                       try fixture.integers(name, "stride"), try fixture.integers(name, "padding"))
            let layer = try Conv2d(inputChannels: channels[0], outputChannels: channels[1], kernel: (k[0], k[1]),
                                   stride: (s[0], s[1]), padding: (p[0], p[1]),
                                   bias: try fixture.integers(name, "bias") == [1], using: &random)
            for p in layer.parameters { try Self.load(p, from: fixture, name) }
            try Self.compare(layer, fixture: fixture, name)
        }
    }

    @Test func convTranspose2d() throws {
        let fixture = try Self.fixture()
        let names = fixture.caseNames.filter { $0.hasPrefix("convT_") }
        #expect(names.count == 6)
        var random = RandomSource(seed: 0)
        for name in names {
            let (channels, k, s, p) = (try fixture.integers(name, "channels"), try fixture.integers(name, "kernel"),
                                       try fixture.integers(name, "stride"), try fixture.integers(name, "padding"))
            let op = try fixture.integers(name, "output_padding")
            let layer = try ConvTranspose2d(inputChannels: channels[0], outputChannels: channels[1], kernel: (k[0], k[1]),
                                            stride: (s[0], s[1]), padding: (p[0], p[1]), outputPadding: (op[0], op[1]),
                                            bias: try fixture.integers(name, "bias") == [1], using: &random)
            for p in layer.parameters { try Self.load(p, from: fixture, name) }
            try Self.compare(layer, fixture: fixture, name)
        }
    }

    /// nn.Sequential(OrderedDict(conv1, flatten, fc, unflatten, deconv)): our parameter names
    /// must be PyTorch's state_dict keys, and the chain must agree with it end to end.
    @Test func namedSequential() throws {
        let fixture = try Self.fixture()
        let name = "seq_named"
        var random = RandomSource(seed: 0)
        let net = try Sequential([
            ("conv1", Conv2d(inputChannels: 2, outputChannels: 3, kernelSize: 3, stride: 2, padding: 1, using: &random)),
            ("flatten", Flatten()),
            ("fc", Linear(inputFeatures: 27, outputFeatures: 4, using: &random)),
            ("unflatten", Reshape([1, 2, 2])),
            ("deconv", ConvTranspose2d(inputChannels: 1, outputChannels: 2, kernelSize: 4, stride: 2, padding: 1, using: &random)),
        ])
        let pytorchNames = fixture.keys(name).filter { $0.hasPrefix("param:") }.map { String($0.dropFirst(6)) }
        #expect(net.parameters.map(\.name).sorted() == pytorchNames.sorted())
        for p in net.parameters { try Self.load(p, from: fixture, name) }
        try Self.compare(net, fixture: fixture, name)
    }
}
