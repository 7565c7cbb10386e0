import Foundation

/// How a layer draws its initial weights (and biases), from a `RandomSource`.
///
/// The scale of the initial weights decides whether activations and gradients keep their size
/// through many layers. Each scheme sets the weights' variance from the layer's *fans*: fan_in,
/// the number of inputs that one output sums (C·kh·kw for a convolution), and fan_out, the number
/// of outputs one input feeds.
///
/// - `pytorchDefault`: what `nn.Linear`, `nn.Conv2d` and `nn.ConvTranspose2d` do at construction:
///   `kaiming_uniform_(a: √5)`, which works out to U(−1/√fan_in, 1/√fan_in), and a bias from the
///   same range. (PyTorch computes fan_in from `weight.shape[1]`, so for ConvTranspose2d, whose
///   weight is (Cin, Cout, kh, kw), it is Cout·kh·kw: a quirk we reproduce.)
/// - `kaimingNormal` / `kaimingUniform` (He et al., 2015): variance gain²/fan, keeping the
///   activations' second moment through ReLU layers (gain √2). Bias zero.
/// - `xavierNormal` / `xavierUniform` (Glorot and Bengio, 2010): variance 2·gain²/(fan_in + fan_out),
///   a compromise between keeping forward and backward variance. Bias zero.
public enum Initialization: Equatable, Sendable {
    case pytorchDefault
    case kaimingNormal(Nonlinearity = .relu, mode: FanMode = .fanIn)
    case kaimingUniform(Nonlinearity = .relu, mode: FanMode = .fanIn)
    case xavierNormal(gain: Float = 1)
    case xavierUniform(gain: Float = 1)

    /// Which fan the Kaiming schemes divide by: fan_in keeps the forward activations' variance,
    /// fan_out the backward gradients'.
    public enum FanMode: Equatable, Sendable { case fanIn, fanOut }

    /// The nonlinearity that follows the layer, which sets the Kaiming gain (as `torch.nn.init.calculate_gain`).
    public enum Nonlinearity: Equatable, Sendable {
        case linear, sigmoid, tanh, relu
        case leakyReLU(negativeSlope: Float)

        /// √2 for ReLU, √(2/(1 + a²)) for leaky ReLU with slope a, 5/3 for tanh, 1 otherwise.
        public var gain: Float {
            switch self {
            case .linear, .sigmoid: 1
            case .tanh: 5.0 / 3.0
            case .relu: Float(2).squareRoot()
            case .leakyReLU(let a): (2 / (1 + a * a)).squareRoot()
            }
        }
    }

    /// fan_in and fan_out of a weight, as PyTorch's `_calculate_fan_in_and_fan_out`: for a shape
    /// (d0, d1, k…), fan_in = d1·∏k and fan_out = d0·∏k. A bias-less 1-D shape has fan_in = fan_out = d0.
    static func fans(ofWeightShape shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        guard shape.count >= 2 else { let n = shape.first ?? 0; return (n, n) }
        let receptiveField = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptiveField, shape[0] * receptiveField)
    }

    /// The initial weight of `shape`, drawn from `random`.
    public func weight(shape: [Int], using random: inout RandomSource) -> Tensor {
        let (fanIn, fanOut) = Initialization.fans(ofWeightShape: shape)
        func fan(_ mode: FanMode) -> Float { Float(max(mode == .fanIn ? fanIn : fanOut, 1)) }
        switch self {
        case .pytorchDefault:
            let bound = 1 / Float(max(fanIn, 1)).squareRoot()
            return .uniform(shape, lower: -bound, upper: bound, using: &random)
        case .kaimingNormal(let nonlinearity, let mode):
            return .gaussian(shape, standardDeviation: nonlinearity.gain / fan(mode).squareRoot(), using: &random)
        case .kaimingUniform(let nonlinearity, let mode):
            let bound = nonlinearity.gain * (3 / fan(mode)).squareRoot()
            return .uniform(shape, lower: -bound, upper: bound, using: &random)
        case .xavierNormal(let gain):
            let std = gain * (2 / Float(max(fanIn + fanOut, 1))).squareRoot()
            return .gaussian(shape, standardDeviation: std, using: &random)
        case .xavierUniform(let gain):
            let bound = gain * (6 / Float(max(fanIn + fanOut, 1))).squareRoot()
            return .uniform(shape, lower: -bound, upper: bound, using: &random)
        }
    }

    /// The initial bias of `count` outputs for a layer whose weight has `weightShape`: PyTorch's
    /// U(−1/√fan_in, 1/√fan_in) for `pytorchDefault`, zero for the other schemes (which, like
    /// `torch.nn.init`, only say how to draw weights).
    public func bias(count: Int, weightShape: [Int], using random: inout RandomSource) -> Tensor {
        guard self == .pytorchDefault else { return Tensor(shape: [count]) }
        let fanIn = Initialization.fans(ofWeightShape: weightShape).fanIn
        let bound = fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
        return .uniform([count], lower: -bound, upper: bound, using: &random)
    }
}
