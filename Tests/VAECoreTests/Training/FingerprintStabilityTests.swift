import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// Existing runs keep their fingerprints: the values below were computed on main before the
/// optimizer, the step schedule, free bits and static binarization became training settings,
/// and every new setting must be left out of the JSON at its default.
@Suite struct FingerprintStabilityTests {
    static let trainDigest = Result { try MNIST.load(split: .train).contentDigest }

    /// Configurations of existing chapters and tests, with the fingerprint each had on main.
    static var cases: [(name: String, configuration: TrainingConfiguration)] {
        var beta = TrainingConfiguration(model: .reference, epochs: 4, kl: .constant(beta: 4), seed: 1)
        beta.historyInterval = 9
        var quick = TrainingConfiguration(epochs: 2, schedule: .warmupCosine, kl: .warmup(beta: 1, epochs: 2), subset: 20_000)
        quick.minimumLearningRateFactor = 0.05
        let conditional = TrainingConfiguration(
            model: VAEConfiguration(latentDimensions: 8, architecture: .deep, classCount: 10, labelCentres: true),
            epochs: 60, batchSize: 64, learningRate: 5e-4, schedule: .constant,
            kl: .capacity(gamma: 100, maximum: 15, epochs: 3), seed: 94)
        return [("reference", TrainingConfiguration()), ("beta", beta), ("quick", quick), ("conditional", conditional)]
    }

    /// The fingerprint each configuration had on main (commit 622edb2) before the new settings, under
    /// version 1 of the arithmetic:
    /// `reference` is chapter 5's run, d2cef0663350 in its "reusing the run" line under that version.
    static let expected = [
        "reference": "d2cef0663350f27ee5ff1e5c27af04cdc24c6bb3c12e074009673cc6661d3c6f",
        "beta": "55e6ce00efe11cfa613b3bd2ac7af509e4bdd1064c312753673c35583f2acbcb",
        "quick": "ae4bce2ae0f637488380b8647db325a43c15d505dfc205fb7abc6016549b73d6",
        "conditional": "8a20973414b62b933570c31793da29bc2d784da3694c17f4a631633f2e4cfd5f",
    ]

    @Test func referenceConfigurationsKeepTheirFingerprints() throws {
        let digest = try Self.trainDigest.get()
        for (name, configuration) in Self.cases {
            let value = try RunFingerprint(configuration: configuration, dataDigest: digest, numericsVersion: 1).value
            let json = try Checkpoint.json(configuration)
            #expect(value == Self.expected[name], "\(name): \(json)")
        }
    }

    /// A new version of the arithmetic gives every configuration a new fingerprint, so no run
    /// trained by the old kernels passes for one of the new.
    @Test func aNewNumericsVersionChangesEveryFingerprint() throws {
        let digest = try Self.trainDigest.get()
        for (name, configuration) in Self.cases {
            let now = try RunFingerprint(configuration: configuration, dataDigest: digest).value
            #expect(RunFingerprint.numericsVersion > 1 && now != Self.expected[name], "\(name)")
        }
    }
}

extension FingerprintStabilityTests {
    /// The settings added later are left out of the JSON at their defaults, even when set
    /// explicitly; set to anything else, each changes the fingerprint.
    @Test func newSettingsChangeTheFingerprintOnlyWhenSet() throws {
        let reference = TrainingConfiguration()
        var explicit = reference
        explicit.optimizer = .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0)
        explicit.binarization = .dynamic
        explicit.freeBits = nil
        #expect(try Checkpoint.json(explicit) == Checkpoint.json(reference))
        let digest = String(repeating: "0", count: 64)
        let base = try RunFingerprint(configuration: reference, dataDigest: digest)
        let edits: [(inout TrainingConfiguration) -> Void] = [
            { $0.optimizer = .sgd() }, { $0.optimizer = .adam(weightDecay: 1e-4) }, { $0.optimizer = .adamW() },
            { $0.optimizer = .rmsprop() }, { $0.schedule = .step }, { $0.schedule = .step; $0.learningRateStepEpochs = 10 },
            { $0.schedule = .step; $0.learningRateStepFactor = 0.5 }, { $0.freeBits = 0.5 }, { $0.binarization = .static },
        ]
        let changes = edits.map { edit in
            var c = reference
            edit(&c)
            return c
        }
        let values = try changes.map { try RunFingerprint(configuration: $0, dataDigest: digest).value }
        #expect(Set(values).count == changes.count && !values.contains(base.value))
    }
}

extension FingerprintStabilityTests {
    /// Models with an ELU or a Swish (inside a residual body too), and only they, hash the version
    /// of those layers' arithmetic: their runs trained on the C library's exp are not reused, and
    /// every other run keeps the fingerprint it had.
    @Test func onlyELUAndSwishModelsHashTheirExpVersion() throws {
        let digest = String(repeating: "0", count: 64)
        /// The fingerprint as it was computed before the version of ELU and Swish was hashed.
        func before(_ configuration: TrainingConfiguration) throws -> String {
            let text = "format \(Checkpoint.formatVersion)\ndata \(digest)\ntraining \(try Checkpoint.json(configuration))"
                + "\nnumerics \(RunFingerprint.numericsVersion)"
            return SHA256.hash(Array(text.utf8)).hex
        }
        let reference = Architecture.reference
        var nested = reference
        nested.decoder.insert(.residual([.swish]), at: 3)
        let cases: [(Architecture, changes: Bool)] = [
            (reference, false), (.mlp, false), (.deep, false), (reference.replacingActivations(with: .leakyReLU()), false),
            (reference.replacingActivations(with: .elu()), true), (reference.replacingActivations(with: .swish), true), (nested, true),
        ]
        for (architecture, changes) in cases {
            let configuration = TrainingConfiguration(model: VAEConfiguration(architecture: architecture), epochs: 1)
            let (now, old) = (try RunFingerprint(configuration: configuration, dataDigest: digest).value, try before(configuration))
            #expect((now != old) == changes, "\(architecture.encoder.map(\.summary))")
        }
    }
}
