import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// The whole VAE: one training pass against PyTorch (`Fixtures/vae.py`), for the reference model,
/// a conditional one, the `deep` preset with a learned-variance Gaussian, a small MLP with a fixed
/// Gaussian, and an architecture with every kind of layer; each built from the `model_config`
/// JSON that PyTorch's model was built from. Each layer is also
/// checked against finite differences on its own (the layer suites); the whole model is not,
/// since its ReLUs and batch-of-3 BatchNorm put kinks within any useful Float step.
@Suite struct VAETests {
    nonisolated(unsafe) static let fixture = Result { try Fixture("vae") }

    /// Builds the model of a fixture case and loads PyTorch's initial weights into it.
    static func model(_ name: String, _ f: Fixture) throws -> VAE {
        let json = try #require(f.cases[name]?["model_config"] as? String)
        let configuration = try JSONDecoder().decode(VAEConfiguration.self, from: Data(json.utf8))
        var random = RandomSource(seed: 99)
        let model = try VAE(configuration, using: &random)
        let state = f.keys(name).filter { $0.hasPrefix("state:") }
        #expect(Set(state.map { String($0.dropFirst(6)) }) == Set((model.parameters + model.buffers).map(\.name)),
                "parameter names must equal PyTorch's state_dict keys")
        try model.load(stateDict: state.map { SafeTensors.Entry(name: String($0.dropFirst(6)), tensor: try f.tensor(name, $0)) })
        return model
    }

    @Test func deepPresetIsTheFixturesArchitecture() throws {
        let json = try #require(try Self.fixture.get().cases["deep_learned_gaussian"]?["model_config"] as? String)
        let configuration = try JSONDecoder().decode(VAEConfiguration.self, from: Data(json.utf8))
        #expect(configuration.architecture == .deep)
        #expect(configuration.likelihood == .learnedGaussian)
    }

    @Test(arguments: ["reference", "conditional_small", "deep_learned_gaussian", "small_mlp_gaussian", "every_layer"])
    func matchesPyTorch(_ name: String) throws {
        let f = try Self.fixture.get()
        let model = try Self.model(name, f)
        let labels = f.cases[name]?["labels"] as? [Int]
        var random = RandomSource(seed: 1)
        let terms = try model.accumulateGradients(images: try f.tensor(name, "images"), labels: labels,
                                                  noise: try f.tensor(name, "epsilon"), using: &random)
        let reconstruction = try f.number(name, "reconstruction"), kl = try f.number(name, "kl")
        #expect(abs(terms.reconstruction - reconstruction) / max(abs(reconstruction), 1) < 1e-5)
        #expect(abs(terms.kl - kl) / max(kl, 1e-3) < 1e-4)
        try Self.expectGradientsMatch(model.parameters, f, name)
        for b in model.buffers where b.name.contains("running") {
            let expected = try f.tensor(name, "after:" + b.name)
            #expect(maxRelativeError(b.value, expected, floor: 1e-3) < 1e-4, "\(name): \(b.name) after the step")
        }
    }

    /// Expects every parameter's gradient to match the fixture's `grad:<name>`. Errors are
    /// relative to each gradient's own scale, floored at 1e-3 of the largest gradient in the
    /// model: the biases of convolutions followed by BatchNorm have a true gradient of exactly 0
    /// (BatchNorm removes any constant), so both sides hold only rounding noise.
    static func expectGradientsMatch(_ parameters: [Parameter], _ f: Fixture, _ name: String) throws {
        let modelScale = try parameters.map { try f.tensor(name, "grad:" + $0.name).scalars.map(abs).max() ?? 0 }.max() ?? 1
        for p in parameters {
            let expected = try f.tensor(name, "grad:" + p.name)
            let scale = expected.scalars.map(abs).max() ?? 1
            let error = maxRelativeError(p.gradient, expected.reshaped(p.gradient.shape), floor: max(scale * 0.1, modelScale * 1e-3))
            #expect(error < 1e-3, "\(name): gradient of \(p.name) differs by \(error)")
        }
    }

    @Test func loadRefusesAnotherArchitecture() throws {
        var random = RandomSource(seed: 1)
        let small = try VAE(VAEConfiguration(latentDimensions: 4, channels: [8]), using: &random)
        let reference = try VAE(.reference, using: &random)
        #expect(throws: CheckpointError.self) { try reference.load(stateDict: small.stateDict()) }
        // Three stride-2 convolutions take 28 to 3, which the mirrored decoder brings back to 24.
        #expect(throws: VAEConfigurationError.self) { try VAE(VAEConfiguration(channels: [8, 8, 8]), using: &random) }
    }

    /// A tensor of the right size in the wrong shape (decoder.fc.weight as (20, 3136) instead of
    /// (3136, 20)) is refused, and the model is left as it was.
    @Test func loadRefusesATransposedShape() throws {
        var random = RandomSource(seed: 2)
        let model = try VAE(.reference, using: &random)
        let before = model.stateDict()
        var entries = before
        let index = try #require(entries.firstIndex { $0.name == "decoder.fc.weight" })
        entries[index].tensor = entries[index].tensor.reshaped([20, 3136])
        #expect(throws: CheckpointError.shapeMismatch("decoder.fc.weight", expected: [3136, 20], found: [20, 3136])) {
            try model.load(stateDict: entries)
        }
        #expect(model.stateDict() == before)
        // PyTorch's 0-dimensional num_batches_tracked still loads.
        try model.load(stateDict: before)
    }
}
