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
    nonisolated(unsafe) let (value, mask, out) = (value, mask, out)
    let block = 4096
    forEachChunk(count: (count + block - 1) / block, workPerItem: block) { blocks in
        let start = blocks.lowerBound * block, end = min(count, blocks.upperBound * block)
        var i = start
        let zero = SIMD8<Float>()
        while i + 8 <= end {
            let v = UnsafeRawPointer(value + i).loadUnaligned(as: SIMD8<Float>.self)
            let m = UnsafeRawPointer(mask + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: v.replacing(with: zero, where: m .<= zero), as: SIMD8<Float>.self)
            i += 8
        }
        while i < end { out[i] = mask[i] <= 0 ? 0 : value[i]; i += 1 }
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
/// uses `expm1`, so that small |x| keep their digits (e^{x} − 1 would cancel). Caches the input.
public final class ELU: ElementwiseLayer {
    public var isTraining = true
    public let alpha: Float
    public var elementwiseCache: ElementwiseCache?

    public init(alpha: Float = 1) {
        self.alpha = alpha
    }

    public func forward(_ input: Tensor) -> Tensor {
        elementwiseCache = ElementwiseCache(input)
        let alpha = alpha
        return input.map { $0 > 0 ? $0 : alpha * expm1($0) }
    }

    public func elementwiseGradient(cached x: Tensor, outputGradient: Tensor) -> Tensor {
        let alpha = alpha
        return outputGradient.zipWith(x) { g, x in x > 0 ? g : g * alpha * exp(x) }
    }
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
/// x ≈ −1.28, where the derivative crosses zero, so it is computed in Double. Caches the input.
public final class Swish: ElementwiseLayer {
    public var isTraining = true
    public var elementwiseCache: ElementwiseCache?

    public init() {}

    public func forward(_ input: Tensor) -> Tensor {
        elementwiseCache = ElementwiseCache(input)
        return input.map { $0 * StableMath.sigmoid($0) }
    }

    public func elementwiseGradient(cached x: Tensor, outputGradient: Tensor) -> Tensor {
        return outputGradient.zipWith(x) { g, x in
            let (x, s) = (Double(x), StableMath.sigmoid(Double(x)))
            return g * Float(s * (1 + x * (1 - s)))
        }
    }
}
