import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

/// Free bits: Σ_d max(λ, KL̄_d) and its clamp's gradient, against its naive Double reference and
/// central differences, against PyTorch's autograd (`Fixtures/free_bits.py`: the function, and one
/// training pass of a small VAE), and against the plain KL at the two ends (λ = 0, λ huge).
@Suite struct FreeBitsTests {
    nonisolated(unsafe) static let fixture = Result { try Fixture("free_bits") }

    /// Random codes (N, D) whose dimensions carry very different KLs: μ and log σ² scaled by d.
    static func codes(_ n: Int, _ d: Int, seed: UInt64) -> (Tensor, Tensor) {
        var random = RandomSource(seed: seed)
        let scales = (0..<d).map { 0.05 + 1.95 * Float($0) / Float(max(d - 1, 1)) }
        let mu = Tensor(shape: [n, d], scalars: (0..<(n * d)).map { random.gaussian() * scales[$0 % d] })
        let logVariance = Tensor(shape: [n, d], scalars: (0..<(n * d)).map { 0.5 * random.gaussian() * scales[$0 % d] - scales[$0 % d] })
        return (mu, logVariance)
    }

    static func perDimension(_ mu: Tensor, _ logVariance: Tensor) throws -> [Double] {
        try klDivergenceBreakdown(mean: mu, logVariance: logVariance).perDimension
    }

    /// Values against the reference; gradients against central differences of the reference,
    /// for a λ that clamps some dimensions and not others (none within a step of the kink).
    @Test(arguments: [0.2, 0.7, 1.5])
    func matchesReferenceAndFiniteDifferences(lambda: Double) throws {
        let (mu, logVariance) = Self.codes(7, 6, seed: 3)
        let perDimension = try Self.perDimension(mu, logVariance)
        let below = perDimension.filter { $0 < lambda }.count
        #expect(below > 0 && below < 6, "λ = \(lambda) should clamp some dimensions but not all: \(perDimension)")
        #expect(perDimension.allSatisfy { abs($0 - lambda) > 1e-3 }, "a dimension sits on the kink")
        let result = try freeBitsKL(mean: mu, logVariance: logVariance, freeBits: lambda)
        let m = mu.scalars.map(Double.init), v = logVariance.scalars.map(Double.init)
        let reference = { (m: [Double], v: [Double]) in freeBitsKLReference(mean: m, logVariance: v, rows: 7, freeBits: lambda) }
        #expect(LossTests.relativeError(result.value, reference(m, v)) < 1e-12)
        #expect(LossTests.gradientsAgree(result.meanGradient, LossTests.centralDifferences({ reference($0, v) }, at: m)))
        #expect(LossTests.gradientsAgree(result.logVarianceGradient, LossTests.centralDifferences({ reference(m, $0) }, at: v)))
        // The clamped dimensions have no gradient at all, in any row.
        for j in 0..<6 where perDimension[j] < lambda {
            #expect((0..<7).allSatisfy { result.meanGradient.scalars[$0 * 6 + j] == 0 && result.logVarianceGradient.scalars[$0 * 6 + j] == 0 })
        }
    }

    /// λ = 0 is the plain KL per sample (the terms are never negative): the same value up to the
    /// order of summation, the same gradients bit for bit. A λ above every dimension's KL is the
    /// constant D·λ, with no gradient.
    @Test func theEndsAreThePlainKLAndAConstant() throws {
        let (mu, logVariance) = Self.codes(9, 5, seed: 4)
        let plain = try klDivergenceStandardNormal(mean: mu, logVariance: logVariance, reduction: .sumPerSample)
        let none = try freeBitsKL(mean: mu, logVariance: logVariance, freeBits: 0)
        #expect(LossTests.relativeError(none.value, plain.value) < 1e-12)
        #expect(none.meanGradient.scalars.map(\.bitPattern) == plain.meanGradient.scalars.map(\.bitPattern))
        #expect(none.logVarianceGradient.scalars.map(\.bitPattern) == plain.logVarianceGradient.scalars.map(\.bitPattern))
        let all = try freeBitsKL(mean: mu, logVariance: logVariance, freeBits: 50)
        #expect(all.value == 5 * 50)
        #expect(all.meanGradient.scalars.allSatisfy { $0 == 0 } && all.logVarianceGradient.scalars.allSatisfy { $0 == 0 })
    }

    @Test(arguments: ["fn_small", "fn_wide"])
    func functionMatchesPyTorch(_ name: String) throws {
        let f = try Self.fixture.get()
        let mu = try f.tensor(name, "mu"), logVariance = try f.tensor(name, "logvar")
        let result = try freeBitsKL(mean: mu, logVariance: logVariance, freeBits: try f.number(name, "lambda"))
        #expect(LossTests.relativeError(result.value, try f.number(name, "value")) < 1e-12)
        // PyTorch differentiates in float64; ours rounds each gradient to Float once: within an ulp.
        #expect(maxRelativeError(result.meanGradient, try f.tensor(name, "grad_mu"), floor: 1e-6) <= 1.2e-7)
        #expect(maxRelativeError(result.logVarianceGradient, try f.tensor(name, "grad_logvar"), floor: 1e-6) <= 1.2e-7)
        let perDimension = try Self.perDimension(mu, logVariance)
        let expected = try f.tensor(name, "per_dim").scalars
        #expect(zip(perDimension, expected).allSatisfy { abs($0 - Double($1)) <= 1e-6 * max(abs(Double($1)), 1e-3) })
    }

    /// One training pass of a small VAE with free bits, against PyTorch: the loss terms and every
    /// parameter's gradient (judged as in `VAETests.matchesPyTorch`).
    @Test func vaePassMatchesPyTorch() throws {
        let f = try Self.fixture.get()
        let name = "vae_small"
        let model = try VAETests.model(name, f)
        var random = RandomSource(seed: 1)
        let lambda = try f.number(name, "lambda")
        let terms = try model.accumulateGradients(images: try f.tensor(name, "images"), freeBits: lambda,
                                                  noise: try f.tensor(name, "epsilon"), using: &random)
        #expect(abs(terms.reconstruction - (try f.number(name, "reconstruction"))) / (try f.number(name, "reconstruction")) < 1e-5)
        #expect(abs(terms.kl - (try f.number(name, "kl"))) / (try f.number(name, "kl")) < 1e-4)
        #expect(abs(terms.objective - (try f.number(name, "objective"))) / (try f.number(name, "objective")) < 1e-5)
        try VAETests.expectGradientsMatch(model.parameters, f, name)
    }

    /// In the model: λ = 0 trains exactly as no free bits, and a λ above every dimension's KL
    /// exactly as β = 0 (the KL then has no gradient), bit for bit in every gradient.
    @Test func inTheModelTheEndsAreBitIdentical() throws {
        var random = RandomSource(seed: 8)
        let model = try VAE(VAEConfiguration(latentDimensions: 3, channels: [4]), using: &random)
        let images = try MNIST.load(split: .test).prefix(16).binarized(seed: 1).images
        let noise = Tensor.gaussian([16, 3], using: &random)
        func gradients(_ objective: KLObjective, _ freeBits: Double?) throws -> ([UInt32], ELBOTerms) {
            model.zeroGradients()
            var unused = RandomSource(seed: 0)
            let terms = try model.accumulateGradients(images: images, objective: objective, freeBits: freeBits, noise: noise, using: &unused)
            return (model.parameters.flatMap { $0.gradient.scalars.map(\.bitPattern) }, terms)
        }
        let plain = try gradients(.beta(1), nil)
        let zero = try gradients(.beta(1), 0)
        #expect(plain.0 == zero.0 && plain.1.kl == zero.1.kl)
        let free = try gradients(.beta(1), 1e4)
        let betaZero = try gradients(.beta(0), nil)
        #expect(free.0 == betaZero.0)
        #expect(free.1.kl == plain.1.kl && abs(free.1.objective - (free.1.reconstruction + 3e4)) < 1e-9)
    }

    @Test func refusesBadInput() {
        let a = Tensor(shape: [2, 3]), b = Tensor(shape: [3, 2])
        #expect(throws: LossError.self) { try freeBitsKL(mean: a, logVariance: b, freeBits: 1) }
        #expect(throws: LossError.self) { try freeBitsKL(mean: a, logVariance: a, freeBits: -1) }
        #expect(throws: LossError.self) { try freeBitsKL(mean: a, logVariance: a, freeBits: .nan) }
        #expect(throws: LossError.self) { try freeBitsKL(mean: a.reshaped([6]), logVariance: a.reshaped([6]), freeBits: 1) }
    }
}
