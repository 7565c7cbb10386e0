import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// The conditional VAE's extras: learned label centres (`VAEConfiguration.labelCentres`), their
/// gradients and those of the label columns against finite differences, the configuration's
/// coding, sampling from the prior, and the judge's confusion matrix.
@Suite struct ConditionalVAETests {
    static let small = VAEConfiguration(latentDimensions: 3, channels: [4, 6], classCount: 10)
    static var centred: VAEConfiguration { var c = small; c.labelCentres = true; return c }

    /// A binary batch of `b` images with labels, and a fixed ε.
    static func batch(_ b: Int, seed: UInt64) -> (images: Tensor, labels: [Int], noise: Tensor) {
        var random = RandomSource(seed: seed)
        let images = Tensor.uniform([b, 1, 28, 28], using: &random).map { $0 < 0.3 ? 1 : 0 }
        let labels = (0..<b).map { _ in random.uniformInt(below: 10) }
        return (images, labels, Tensor.gaussian([b, small.latentDimensions], using: &random))
    }

    // MARK: Configuration

    @Test func configurationCodingKeepsPlainModelsAsTheyWere() throws {
        let plain = String(decoding: try JSONEncoder.sorted.encode(Self.small), as: UTF8.self)
        #expect(!plain.contains("labelCentres"), "a model without centres writes no such key")
        #expect(try JSONDecoder().decode(VAEConfiguration.self, from: Data(plain.utf8)) == Self.small)
        // What checkpoints written before architectures were data hold.
        let before = #"{"channels":[4,6],"classCount":10,"latentDimensions":3}"#
        let old = try JSONDecoder().decode(VAEConfiguration.self, from: Data(before.utf8))
        #expect(old == Self.small && !old.labelCentres)
        let centred = try JSONDecoder().decode(VAEConfiguration.self, from: try JSONEncoder.sorted.encode(Self.centred))
        #expect(centred == Self.centred && centred.labelCentres)
        var unconditional = Self.centred
        unconditional.classCount = 0
        #expect(throws: VAEConfigurationError.self) { try unconditional.validate() }
    }

    @Test func labelCentresAddOneTensorWithPyTorchName() throws {
        var random = RandomSource(seed: 3)
        let plain = try VAE(Self.small, using: &random)
        random = RandomSource(seed: 3)
        let centred = try VAE(Self.centred, using: &random)
        let extra = Set(centred.stateDict().map(\.name)).subtracting(plain.stateDict().map(\.name))
        #expect(extra == ["label_centres.weight"])
        #expect(centred.labelCentres?.value.shape == [10, 3])
        #expect(centred.parameters.last?.name == "label_centres.weight")
    }

    // MARK: Forward

    /// With zero centres the model is the plain CVAE (same seed, same weights); with centres m,
    /// μ(x, y) moves by −m_y and decoding z equals the plain decoder at z + m_y.
    @Test func centresShiftTheCodeAndShiftItBack() throws {
        var random = RandomSource(seed: 5)
        let plain = try VAE(Self.small, using: &random)
        random = RandomSource(seed: 5)
        let centred = try VAE(Self.centred, using: &random)
        plain.isTraining = false; centred.isTraining = false
        let (images, labels, noise) = Self.batch(4, seed: 6)
        #expect(try centred.encode(images, labels: labels).mean == plain.encode(images, labels: labels).mean)

        var draws = RandomSource(seed: 7)
        let m = Tensor.gaussian([10, 3], using: &draws)
        centred.labelCentres!.value = m
        let shifts = Tensor(shape: [4, 3], scalars: labels.flatMap { Array(m.scalars[$0 * 3 ..< $0 * 3 + 3]) })
        let mean = try centred.encode(images, labels: labels).mean
        #expect(maxRelativeError(mean, try plain.encode(images, labels: labels).mean - shifts, floor: 1) < 1e-6)
        let decoded = try centred.decode(noise, labels: labels)
        #expect(maxRelativeError(decoded, try plain.decode(noise + shifts, labels: labels), floor: 1) < 1e-5)
        #expect(throws: VAEConfigurationError.self) { try centred.decode(noise, labels: nil) }
    }

    // MARK: Gradients

    /// The batch-mean loss of `model` on a fixed batch and ε (BatchNorm in training mode, but
    /// its running statistics restored, so each evaluation sees the same model).
    static func loss(_ model: VAE, _ images: Tensor, _ labels: [Int], _ noise: Tensor) throws -> Double {
        let saved = model.buffers.map(\.value)
        defer { for (b, v) in zip(model.buffers, saved) { b.value = v } }
        var random = RandomSource(seed: 1)
        model.zeroGradients()
        return try model.accumulateGradients(images: images, labels: labels, noise: noise, using: &random).objective
    }

    /// ⟨∂L/∂θ, v⟩ against (L(θ + hv) − L(θ − hv)) / 2h along a unit direction v that touches
    /// only `entries` of the parameter: random, or (`alongGradient`) the analytic gradient's own
    /// direction on those entries, where the derivative is largest (‖g‖) and so stands out of the
    /// Float rounding of a loss of ~550 nats. A wrong gradient g fails either way: along g/‖g‖ the
    /// numeric derivative is ⟨g_true, g⟩/‖g‖, which equals ‖g‖ only when g = g_true.
    static func directionalError(_ model: VAE, _ parameter: Parameter, entries: [Int], step h: Float,
                                 _ images: Tensor, _ labels: [Int], _ noise: Tensor, seed: UInt64,
                                 alongGradient: Bool = false) throws -> Double {
        var random = RandomSource(seed: seed)
        _ = try loss(model, images, labels, noise)
        var v = Tensor(shape: parameter.value.shape)
        for i in entries { v.scalars[i] = alongGradient ? parameter.gradient.scalars[i] : random.gaussian() }
        v = v * Float(1 / v.norm())
        let analytic = zip(parameter.gradient.scalars, v.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let original = parameter.value
        parameter.value = original + v * h
        let plus = try loss(model, images, labels, noise)
        parameter.value = original - v * h
        let minus = try loss(model, images, labels, noise)
        parameter.value = original
        let numeric = (plus - minus) / Double(2 * h)
        return abs(analytic - numeric) / max(abs(analytic), abs(numeric), 1e-6)
    }

    /// The centres enter the loss only through KL(N(μ̃ − m_y, σ²) ‖ N(0, I)), a quadratic: the
    /// central difference is exact up to rounding, so the tolerance is tight.
    @Test(arguments: [UInt64(1), 2, 3])
    func labelCentresGradientMatchesFiniteDifferences(seed: UInt64) throws {
        var random = RandomSource(seed: 10 + seed)
        let model = try VAE(Self.centred, using: &random)
        model.labelCentres!.value = Tensor.gaussian([10, 3], using: &random)
        let (images, labels, noise) = Self.batch(6, seed: 20 + seed)
        let centres = model.labelCentres!
        let error = try Self.directionalError(model, centres, entries: Array(0..<centres.value.count), step: 0.25,
                                              images, labels, noise, seed: seed)
        #expect(error < 1e-3, "label centres: relative error \(error)")
    }

    /// The label columns of the encoder head and of the decoder's first Linear: the path the
    /// label takes into each network. ReLUs put kinks near any step, so the step is small (and the
    /// direction the gradient's, see `directionalError`).
    @Test(arguments: [false, true])
    func labelColumnsGradientsMatchFiniteDifferences(centred: Bool) throws {
        var random = RandomSource(seed: centred ? 31 : 32)
        let model = try VAE(centred ? Self.centred : Self.small, using: &random)
        if let centres = model.labelCentres { centres.value = Tensor.gaussian([10, 3], using: &random) }
        let (images, labels, noise) = Self.batch(6, seed: 33)
        let head = model.encoderHead.weight                                  // (2D, F + 10)
        let fc = try #require(model.decoder.parameters.first { $0.name == "decoder.fc.weight" })   // (3136, D + 10)
        let (f, d) = (model.featureCount, Self.small.latentDimensions)
        let headLabels = (0..<(2 * d)).flatMap { row in (f..<(f + 10)).map { row * (f + 10) + $0 } }
        let fcLabels = (0..<fc.value.shape[0]).flatMap { row in (d..<(d + 10)).map { row * (d + 10) + $0 } }
        for (name, parameter, entries) in [("encoder head", head, headLabels), ("decoder fc", fc, fcLabels)] {
            let error = try Self.directionalError(model, parameter, entries: entries, step: 1e-3, images, labels, noise,
                                                  seed: 5, alongGradient: true)
            #expect(error < 1e-3, "\(name) label columns: relative error \(error)")
        }
    }

    // MARK: Sampling and judging

    @Test func samplingFromThePriorIsSeededAndLabelled() throws {
        var random = RandomSource(seed: 41)
        let model = try VAE(Self.centred, using: &random)
        model.isTraining = false
        let labels = VAE.interleavedLabels(count: 7, classes: 10)
        #expect(labels == [0, 1, 2, 3, 4, 5, 6])
        var a = RandomSource(seed: 9), b = RandomSource(seed: 9)
        let first = try model.samplePrior(count: 7, labels: labels, chunk: 3, using: &a)
        let second = try model.samplePrior(count: 7, labels: labels, chunk: 7, using: &b)
        #expect(first.shape == [7, 1, 28, 28] && first == second, "chunks must not change the draws")
        #expect(first.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(throws: VAEConfigurationError.self) { try model.samplePrior(count: 7, labels: [1], using: &a) }
        #expect(throws: VAEConfigurationError.self) { try model.samplePrior(count: 7, labels: nil, using: &a) }
        #expect(throws: VAEConfigurationError.self) { try model.samplePrior(count: 0, labels: [], using: &a) }
    }

    /// Temperature T decodes T·ε for the same ε; T = 0 decodes the prior's centre, z = 0.
    @Test func temperatureScalesTheSameDraws() throws {
        var random = RandomSource(seed: 42)
        let model = try VAE(Self.centred, using: &random)
        model.isTraining = false
        let labels = VAE.interleavedLabels(count: 6, classes: 10)
        var a = RandomSource(seed: 3), b = RandomSource(seed: 3), c = RandomSource(seed: 3)
        let cooled = try model.samplePrior(count: 6, labels: labels, temperature: 0.5, using: &a)
        let epsilon = Tensor.gaussian([6, 3], using: &b)
        #expect(cooled == (try model.decodeMeans(epsilon.map { 0.5 * $0 }, labels: labels)))
        let centre = try model.samplePrior(count: 6, labels: labels, temperature: 0, using: &c)
        #expect(centre == (try model.decodeMeans(Tensor(shape: [6, 3]), labels: labels)))
        #expect(throws: VAEConfigurationError.self) { try model.samplePrior(count: 6, labels: labels, temperature: -1, using: &a) }
        #expect(throws: VAEConfigurationError.self) { try model.samplePrior(count: 6, labels: labels, temperature: .nan, using: &a) }
    }

    @Test func judgementCountsEachRequestedLabel() throws {
        var random = RandomSource(seed: 51)
        let judge = try DigitClassifier(DigitClassifierArchitecture(stageWidths: [2], featureCount: 8), using: &random)
        let images = Tensor.uniform([40, 1, 28, 28], using: &random)
        let labels = VAE.interleavedLabels(count: 40, classes: 10)
        let reference = try judge.reference(images: images, labels: labels, splits: 2)
        let verdict = try judge.judge(samples: images, labels: labels, against: reference, splits: 2)
        let accuracy = try #require(verdict.accuracy)
        #expect(accuracy.confusion.map { $0.reduce(0, +) } == Array(repeating: 4, count: 10))
        for k in 0..<10 { #expect(accuracy.perClass[k] == Double(accuracy.confusion[k][k]) / 4) }
        #expect(accuracy.overall == reference.accuracy, "the same images under the same labels")
        #expect(abs(verdict.frechetDistance) < 1e-6, "the same images have the same statistics")
        #expect(verdict.predictions.count == 40)
        #expect(try judge.judge(samples: images, labels: nil, against: reference, splits: 2).accuracy == nil)
    }
}

extension JSONEncoder {
    /// Sorted keys, as checkpoints write them.
    static var sorted: JSONEncoder { let e = JSONEncoder(); e.outputFormatting = .sortedKeys; return e }
}
