import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics
@testable import VAEPlot

@Suite struct InitializationTests {
    /// Sample mean and standard deviation, in Double.
    static func moments(_ t: Tensor) -> (mean: Double, std: Double) { (t.mean(), t.variance().squareRoot()) }
    static func largest(_ t: Tensor) -> Float { t.scalars.reduce(0) { max($0, abs($1)) } }

    @Test func fansFollowPyTorch() {
        #expect(Initialization.fans(ofWeightShape: [40, 3136]) == (3136, 40))          // Linear (out, in)
        #expect(Initialization.fans(ofWeightShape: [64, 32, 4, 4]) == (512, 1024))     // Conv2d (O, C, kh, kw)
        #expect(Initialization.fans(ofWeightShape: [64, 32, 4, 4]).fanIn == 32 * 16)   // ConvT (Cin, Cout, …): Cout·k²
        #expect(Initialization.fans(ofWeightShape: [7]) == (7, 7))
    }

    /// PyTorch's default: U(−1/√fan_in, 1/√fan_in) for weight and bias. With n ≥ 30 000 draws the
    /// sample std is within 1% of bound/√3 (its own spread is ~0.4%), and the extremes come within
    /// 0.1% of the bound.
    @Test func pytorchDefaultBounds() throws {
        var random = RandomSource(seed: 30)
        let linear = try Linear(inputFeatures: 3136, outputFeatures: 40, using: &random)
        let conv = try Conv2d(inputChannels: 32, outputChannels: 64, kernelSize: 4, stride: 2, padding: 1, using: &random)
        let convT = try ConvTranspose2d(inputChannels: 64, outputChannels: 32, kernelSize: 4, stride: 2, padding: 1, using: &random)
        for (name, weight, bias, fanIn) in [("Linear", linear.weight, linear.bias!, 3136),
                                            ("Conv2d", conv.weight, conv.bias!, 512),
                                            ("ConvTranspose2d", convT.weight, convT.bias!, 512)] {
            let bound = 1 / Float(fanIn).squareRoot()
            let (mean, std) = Self.moments(weight.value)
            #expect(Self.largest(weight.value) <= bound && Self.largest(weight.value) > 0.999 * bound, "\(name)")
            #expect(abs(std / (Double(bound) / 3.0.squareRoot()) - 1) < 0.01, "\(name) std \(std)")
            #expect(abs(mean) < 4 * std / Double(weight.value.count).squareRoot(), "\(name) mean \(mean)")
            #expect(Self.largest(bias.value) <= bound && Self.largest(bias.value) > 0, "\(name) bias")
        }
    }

    @Test func kaimingAndXavierScales() {
        var random = RandomSource(seed: 31)
        let shape = [64, 32, 4, 4]  // fan_in 512, fan_out 1024
        let (fanIn, fanOut) = (512.0, 1024.0)
        let cases: [(Initialization, Double, Bool)] = [  // (scheme, expected std, uniform?)
            (.kaimingNormal(), (2 / fanIn).squareRoot(), false),
            (.kaimingNormal(.linear, mode: .fanOut), (1 / fanOut).squareRoot(), false),
            (.kaimingUniform(), (2 / fanIn).squareRoot(), true),
            (.kaimingUniform(.leakyReLU(negativeSlope: 0.2), mode: .fanOut), (2 / 1.04 / fanOut).squareRoot(), true),
            (.xavierNormal(), (2 / (fanIn + fanOut)).squareRoot(), false),
            (.xavierUniform(gain: 2), 2 * (2 / (fanIn + fanOut)).squareRoot(), true),
        ]
        for (scheme, expectedStd, uniform) in cases {
            let w = scheme.weight(shape: shape, using: &random)
            let (mean, std) = Self.moments(w)
            #expect(abs(std / expectedStd - 1) < 0.02, "\(scheme): std \(std), expected \(expectedStd)")
            #expect(abs(mean) < 4 * std / Double(w.count).squareRoot(), "\(scheme)")
            if uniform {  // a uniform's bound is √3 std
                #expect(Double(Self.largest(w)) <= 3.0.squareRoot() * expectedStd * (1 + 1e-6), "\(scheme)")
            } else {      // a Gaussian of 32 768 draws reaches past 3.5 std
                #expect(Double(Self.largest(w)) > 3.5 * expectedStd, "\(scheme)")
            }
            #expect(scheme.bias(count: 5, weightShape: shape, using: &random) == Tensor(shape: [5]), "\(scheme) bias is zero")
        }
    }

    @Test func sameSeedSameLayer() throws {
        var a = RandomSource(seed: 32), b = RandomSource(seed: 32)
        let first = try Conv2d(inputChannels: 3, outputChannels: 4, kernelSize: 3, using: &a)
        let second = try Conv2d(inputChannels: 3, outputChannels: 4, kernelSize: 3, using: &b)
        #expect(first.weight.value == second.weight.value && first.bias!.value == second.bias!.value)
        let third = try Conv2d(inputChannels: 3, outputChannels: 4, kernelSize: 3, using: &a)
        #expect(third.weight.value != first.weight.value)
    }

    @Test func gains() {
        #expect(Initialization.Nonlinearity.relu.gain == Float(2).squareRoot())
        #expect(Initialization.Nonlinearity.linear.gain == 1)
        #expect(Initialization.Nonlinearity.tanh.gain == Float(5) / 3)
        // PyTorch's default, kaiming_uniform(a: √5), has gain √(2/(1 + 5)) = √(1/3).
        let pytorch = Initialization.Nonlinearity.leakyReLU(negativeSlope: Float(5).squareRoot()).gain
        #expect(abs(pytorch - (Float(1) / 3).squareRoot()) < 1e-7)
    }
}
