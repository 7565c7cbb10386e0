import Foundation

// Elementwise activation functions as layers.
//
// Each one is y = f(x) element by element, so the backward pass is the chain rule for a diagonal
// Jacobian: ∂L/∂x = ∂L/∂y ⊙ f′(x). Each layer caches whichever of x or y gives f′ most cheaply
// (for σ and tanh the output: σ′ = σ(1 − σ), tanh′ = 1 − tanh²). They have no parameters and any
// shape is accepted; the output has the input's shape.
//
// At a kink the derivative follows PyTorch: ReLU′(0) = 0, LeakyReLU′(0) = slope, ELU′(0) = α.
//
// Each is an `ElementwiseLayer`: it writes its forward pass and its gradient f′ once, on a flat
// buffer, and runs unchanged in either layout (`BatchMinorLayer.swift`).

/// ReLU(x) = max(x, 0).
///
/// Derivative: 1 for x > 0, 0 for x < 0 (and 0 at x = 0, by convention). Caches the output,
/// since y > 0 exactly when x > 0.
public final class ReLU: ElementwiseLayer {
    public var isTraining = true
    public var elementwiseCache: ElementwiseCache?

    public init() {}

    public func forward(_ input: Tensor) -> Tensor {
        let y = input.withUnsafeBufferPointer { x in
            makeLayerOutput(shape: input.shape) { y in reluKernel(x.baseAddress!, mask: x.baseAddress!, count: x.count, into: y) }
        }
        elementwiseCache = ElementwiseCache(y)
        return y
    }

    public func elementwiseGradient(cached y: Tensor, outputGradient: Tensor) -> Tensor {
        outputGradient.withUnsafeBufferPointer { g in
            y.withUnsafeBufferPointer { y in
                makeLayerOutput(shape: outputGradient.shape) { dx in
                    reluKernel(g.baseAddress!, mask: y.baseAddress!, count: g.count, into: dx)
                }
            }
        }
    }
}

/// out[i] = mask[i] ≤ 0 ? 0 : value[i], by vectors, split over the cores for large tensors.
/// ReLU's forward pass is (x, x) and its backward pass (∂L/∂y, y). Written as "zero where
/// mask ≤ 0" rather than "value where mask > 0" so that a NaN mask keeps its value, as PyTorch
/// does: ReLU(NaN) = NaN, and a NaN in training surfaces in the loss instead of vanishing.
/// - Complexity: one pass over `count` elements.
func reluKernel(_ value: UnsafePointer<Float>, mask: UnsafePointer<Float>, count: Int,
                into out: UnsafeMutablePointer<Float>) {
    laneKernel(value, mask, count: count, into: out, ZeroWhereMaskIsNotPositive())
}

/// out = a with 0 where b ≤ 0: `reluKernel`'s lanes.
struct ZeroWhereMaskIsNotPositive: LaneOperation {
    @inline(__always)
    func callAsFunction(_ value: SIMD8<Float>, _ mask: SIMD8<Float>) -> SIMD8<Float> {
        value.replacing(with: SIMD8<Float>(), where: mask .<= SIMD8<Float>())
    }
}

/// One elementwise computation, out[i] = f(a[i], b[i]), on eight lanes at once. A type rather
/// than a closure so that `laneKernel` is specialised for each and the computation inlined in
/// its loop (a closure passed down to the threads stays an indirect call per vector). Compare
/// with typed vectors, `SIMD8<Float>()`: against an untyped `SIMD8()` the comparison compiled
/// to a loop over the lanes.
protocol LaneOperation {
    func callAsFunction(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float>
}

/// out[i] = f(a[i], b[i]) eight lanes at a time, split over the cores for large tensors: the
/// loop of the vectorised elementwise layers. The last partial vector is padded with zeros and
/// goes through `f` like the others, so an element's result does not depend on where it sits
/// (an NCHW pass and a batch-minor one give the same bits).
/// - Complexity: one pass over `count` elements; no allocation.
func laneKernel<F: LaneOperation>(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int,
                                  into out: UnsafeMutablePointer<Float>, _ f: F) {
    nonisolated(unsafe) let (a, b, out) = (a, b, out)
    let block = 4096
    forEachChunk(count: (count + block - 1) / block, workPerItem: block) { blocks in
        let start = blocks.lowerBound * block, end = min(count, blocks.upperBound * block)
        var i = start
        while i + 8 <= end {
            store8(f(load8(a + i), load8(b + i)), out + i)
            i += 8
        }
        guard i < end else { return }
        var (va, vb) = (SIMD8<Float>(), SIMD8<Float>())
        for k in 0..<(end - i) { va[k] = a[i + k]; vb[k] = b[i + k] }
        let result = f(va, vb)
        for k in 0..<(end - i) { out[i + k] = result[k] }
    }
}

/// A new tensor of `a`'s shape with out[i] = f(a[i], b[i]) (`laneKernel`); `b` has `a`'s count.
func mapLanes<F: LaneOperation>(_ a: Tensor, _ b: Tensor, _ f: F) -> Tensor {
    precondition(a.count == b.count, "elementwise operands differ: \(a.shape) and \(b.shape)")
    return a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            makeLayerOutput(shape: a.shape) { out in laneKernel(pa.baseAddress!, pb.baseAddress!, count: pa.count, into: out, f) }
        }
    }
}

/// LeakyReLU(x) = x for x > 0, slope·x otherwise (PyTorch's default slope 0.01).
///
/// Derivative: 1 for x > 0, `slope` for x ≤ 0. Caches the input (for a negative slope the sign
/// of the output would not tell the branch).
public final class LeakyReLU: ElementwiseLayer {
    public var isTraining = true
    /// The slope for negative inputs.
    public let slope: Float
    public var elementwiseCache: ElementwiseCache?

    public init(slope: Float = 0.01) {
        self.slope = slope
    }

    public func forward(_ input: Tensor) -> Tensor {
        elementwiseCache = ElementwiseCache(input)
        let slope = slope
        return input.map { $0 > 0 ? $0 : slope * $0 }
    }

    public func elementwiseGradient(cached x: Tensor, outputGradient: Tensor) -> Tensor {
        let slope = slope
        return outputGradient.zipWith(x) { g, x in x > 0 ? g : slope * g }
    }
}

/// ELU(x) = x for x > 0, α·(e^{x} − 1) otherwise (α = 1 by default).
///
/// Derivative: 1 for x > 0, α·e^{x} for x ≤ 0, which is y + α on that branch. The negative branch
/// computes e^{x} − 1 without forming e^{x} first (`VectorMath.expm1NonPositive`), so that small
/// |x| keep their digits (e^{x} − 1 would cancel). Both passes run on eight-lane exp, within
/// 1 ulp of the C library's; `scalarForward` and `scalarGradient` are the scalar definitions,
/// through the C library, that the tests compare them with. Caches the input.
public final class ELU: ElementwiseLayer {
    public var isTraining = true
    public let alpha: Float
    public var elementwiseCache: ElementwiseCache?

    public init(alpha: Float = 1) {
        self.alpha = alpha
    }

    public func forward(_ input: Tensor) -> Tensor {
        elementwiseCache = ElementwiseCache(input)
        return mapLanes(input, input, Forward(alpha: SIMD8(repeating: alpha)))
    }

    public func elementwiseGradient(cached x: Tensor, outputGradient: Tensor) -> Tensor {
        mapLanes(outputGradient, x, Gradient(alpha: SIMD8(repeating: alpha)))
    }

    /// (x, x) → ELU(x).
    struct Forward: LaneOperation {
        let alpha: SIMD8<Float>
        @inline(__always)
        func callAsFunction(_ x: SIMD8<Float>, _: SIMD8<Float>) -> SIMD8<Float> {
            x.replacing(with: alpha * VectorMath.expm1NonPositive(x), where: .!(x .> SIMD8<Float>()))
        }
    }

    /// (∂L/∂y, x) → ∂L/∂x.
    struct Gradient: LaneOperation {
        let alpha: SIMD8<Float>
        @inline(__always)
        func callAsFunction(_ g: SIMD8<Float>, _ x: SIMD8<Float>) -> SIMD8<Float> {
            g.replacing(with: g * alpha * VectorMath.exp(x), where: .!(x .> SIMD8<Float>()))
        }
    }

    /// ELU(x) one element at a time, through the C library's `expm1` (the naive reference).
    func scalarForward(_ x: Float) -> Float { x > 0 ? x : alpha * expm1(x) }

    /// ∂L/∂x for one element, through the C library's `exp` (the naive reference).
    func scalarGradient(_ g: Float, _ x: Float) -> Float { x > 0 ? g : g * alpha * exp(x) }
}

/// Sigmoid(x) = 1 / (1 + e^{−x}), computed by `StableMath.sigmoid` (no overflow for any x).
///
/// Derivative: σ′(x) = σ(x)·(1 − σ(x)), from the cached output. For |x| ≳ 17 it is below Float
/// resolution next to 1 and the gradient saturates to 0 on the positive side, as in PyTorch.
public final class Sigmoid: ElementwiseLayer {
    public var isTraining = true
    public var elementwiseCache: ElementwiseCache?

    public init() {}

    public func forward(_ input: Tensor) -> Tensor {
        let y = input.map(StableMath.sigmoid)
        elementwiseCache = ElementwiseCache(y)
        return y
    }

    public func elementwiseGradient(cached y: Tensor, outputGradient: Tensor) -> Tensor {
        return outputGradient.zipWith(y) { g, y in g * y * (1 - y) }
    }
}

/// Tanh(x), through the C library's `tanhf` (which saturates to ±1 without overflow).
///
/// Derivative: 1 − tanh²(x), from the cached output.
public final class Tanh: ElementwiseLayer {
    public var isTraining = true
    public var elementwiseCache: ElementwiseCache?

    public init() {}

    public func forward(_ input: Tensor) -> Tensor {
        let y = input.map { tanh($0) }
        elementwiseCache = ElementwiseCache(y)
        return y
    }

    public func elementwiseGradient(cached y: Tensor, outputGradient: Tensor) -> Tensor {
        return outputGradient.zipWith(y) { g, y in g * (1 - y * y) }
    }
}

/// Softplus(x) = (1/β)·log(1 + e^{βx}), a smooth ReLU, with PyTorch's defaults β = 1, threshold 20.
///
/// Like PyTorch, it returns x itself where βx > threshold (there log(1 + e^{βx})/β differs from x
/// by less than e^{−20} ≈ 2e-9, far below Float resolution). Otherwise it uses the stable form
/// log(1 + e^{z}) = max(z, 0) + log1p(e^{−|z|}) with z = βx.
///
/// Derivative: d/dx (1/β)·log(1 + e^{βx}) = e^{βx} / (1 + e^{βx}) = σ(βx); 1 above the threshold.
/// Caches the input.
public final class Softplus: ElementwiseLayer {
    public var isTraining = true
    public let beta: Float
    public let threshold: Float
    public var elementwiseCache: ElementwiseCache?

    public init(beta: Float = 1, threshold: Float = 20) {
        precondition(beta > 0, "Softplus needs beta > 0, got \(beta)")
        self.beta = beta
        self.threshold = threshold
    }

    public func forward(_ input: Tensor) -> Tensor {
        elementwiseCache = ElementwiseCache(input)
        let (beta, threshold) = (beta, threshold)
        return input.map { x in
            let z = beta * x
            return z > threshold ? x : StableMath.softplus(z) / beta
        }
    }

    public func elementwiseGradient(cached x: Tensor, outputGradient: Tensor) -> Tensor {
        let (beta, threshold) = (beta, threshold)
        return outputGradient.zipWith(x) { g, x in
            let z = beta * x
            return z > threshold ? g : g * StableMath.sigmoid(z)
        }
    }
}

/// Swish(x) = x·σ(x) (also called SiLU; Ramachandran et al. 2017), a smooth ReLU that lets small
/// negative values through.
///
/// Derivative: σ(x) + x·σ(x)(1 − σ(x)) = σ(x)·(1 + x·(1 − σ(x))). Its second factor cancels near
/// x ≈ −1.28, where the derivative crosses zero, so it is computed in Double. Both passes run on
/// eight-lane exp (`VectorMath`: e^{−|x|} in Float forward, in Double backward), σ taking the
/// form that only exponentiates −|x|, as `StableMath.sigmoid` does; `scalarForward` and
/// `scalarGradient` are the scalar definitions the tests compare them with. Caches the input.
public final class Swish: ElementwiseLayer {
    public var isTraining = true
    public var elementwiseCache: ElementwiseCache?

    public init() {}

    public func forward(_ input: Tensor) -> Tensor {
        elementwiseCache = ElementwiseCache(input)
        return mapLanes(input, input, Forward())
    }

    public func elementwiseGradient(cached x: Tensor, outputGradient: Tensor) -> Tensor {
        mapLanes(outputGradient, x, Gradient())
    }

    /// (x, x) → x·σ(x), σ(x) = 1/(1 + e^{−x}) for x ≥ 0 and e^{x}/(1 + e^{x}) below.
    struct Forward: LaneOperation {
        @inline(__always)
        func callAsFunction(_ x: SIMD8<Float>, _: SIMD8<Float>) -> SIMD8<Float> {
            let (one, zero) = (SIMD8<Float>(repeating: 1), SIMD8<Float>())
            let e = VectorMath.exp(x.replacing(with: -x, where: x .> zero))         // e^{−|x|}, in (0, 1]
            return x * (one / (one + e)).replacing(with: e / (one + e), where: x .< zero)
        }
    }

    /// (∂L/∂y, x) → ∂L/∂y · σ(x)·(1 + x·(1 − σ(x))), the derivative in Double.
    struct Gradient: LaneOperation {
        @inline(__always)
        func callAsFunction(_ g: SIMD8<Float>, _ x: SIMD8<Float>) -> SIMD8<Float> {
            let (one, zero) = (SIMD8<Double>(repeating: 1), SIMD8<Double>())
            let x = VectorMath.widen(x)
            let e = VectorMath.exp(x.replacing(with: -x, where: x .> zero))
            let s = (one / (one + e)).replacing(with: e / (one + e), where: x .< zero)
            return g * VectorMath.narrow(s * (one + x * (one - s)))
        }
    }

    /// Swish(x) one element at a time, through `StableMath.sigmoid` (the naive reference).
    func scalarForward(_ x: Float) -> Float { x * StableMath.sigmoid(x) }

    /// ∂L/∂x for one element, in Double through `StableMath.sigmoid` (the naive reference).
    func scalarGradient(_ g: Float, _ x: Float) -> Float {
        let (x, s) = (Double(x), StableMath.sigmoid(Double(x)))
        return g * Float(s * (1 + x * (1 - s)))
    }
}
