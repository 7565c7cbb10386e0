// The loops of batch normalisation, over activations in the batch-minor layout (C, M): C channels,
// and the M = S·B values of each channel (S = H·W positions of B images, or the B values of a
// feature) in one contiguous block, row (c, s) holding the B images of position s side by side
// (`BatchMinorLayer.swift`). `BatchNorm` computes on this layout whether it is called in a
// batch-minor chain or on an NCHW tensor (which it transposes first), so that its sums, and
// with them its bits, are the same either way. Channels are split over the cores; each
// channel's sums run over its block in order, so the result does not depend on the split.
//
// Inside a block the sums run in Float with 16 SIMD lanes and are flushed to Double every
// `batchNormFlushLength` elements, so no Float partial sum ever holds more than 8 terms per
// lane. The naive references at the bottom of this file do everything in Double, index by index,
// with the textbook (long) chain rule; the tests compare the two.

/// Elements summed in Float (8 per SIMD lane) before the partial sum is added to a Double
/// accumulator: short enough that a Float partial never gathers more than a few roundings.
let batchNormFlushLength = 128

/// Σ p[i] for i in 0..<count, in Double.
@inline(__always)
func batchNormBlockSum(_ p: UnsafePointer<Float>, _ count: Int) -> Double {
    var total = 0.0
    var start = 0
    while start < count {
        let end = min(start + batchNormFlushLength, count)
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
        var i = start
        while i + 16 <= end {
            a0 += load8(p + i)
            a1 += load8(p + i + 8)
            i += 16
        }
        var partial = (a0 + a1).sum()
        while i < end { partial += p[i]; i += 1 }
        total += Double(partial)
        start = end
    }
    return total
}

/// Σ (p[i] − mean)² for i in 0..<count, in Double.
@inline(__always)
func batchNormBlockSquaredDeviation(_ p: UnsafePointer<Float>, _ count: Int, mean: Float) -> Double {
    var total = 0.0
    var start = 0
    let m = SIMD8<Float>(repeating: mean)
    while start < count {
        let end = min(start + batchNormFlushLength, count)
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
        var i = start
        while i + 16 <= end {
            let d0 = load8(p + i) - m, d1 = load8(p + i + 8) - m
            a0 = a0.addingProduct(d0, d0)
            a1 = a1.addingProduct(d1, d1)
            i += 16
        }
        var partial = (a0 + a1).sum()
        while i < end { let d = p[i] - mean; partial += d * d; i += 1 }
        total += Double(partial)
        start = end
    }
    return total
}

/// (Σ dy[i], Σ dy[i]·x̂[i]) for i in 0..<count, in Double.
@inline(__always)
func batchNormBlockSumAndDot(_ dy: UnsafePointer<Float>, _ xhat: UnsafePointer<Float>, _ count: Int) -> (Double, Double) {
    var sum = 0.0, dot = 0.0
    var start = 0
    while start < count {
        let end = min(start + batchNormFlushLength, count)
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
        var d0 = SIMD8<Float>(), d1 = SIMD8<Float>()
        var i = start
        while i + 16 <= end {
            let g0 = load8(dy + i), g1 = load8(dy + i + 8)
            s0 += g0
            s1 += g1
            d0 = d0.addingProduct(g0, load8(xhat + i))
            d1 = d1.addingProduct(g1, load8(xhat + i + 8))
            i += 16
        }
        var partialSum = (s0 + s1).sum()
        var partialDot = (d0 + d1).sum()
        while i < end { partialSum += dy[i]; partialDot += dy[i] * xhat[i]; i += 1 }
        sum += Double(partialSum)
        dot += Double(partialDot)
        start = end
    }
    return (sum, dot)
}

/// Per-channel mean and biased variance of x (C, M), by two passes (stable when the mean is
/// large compared with the spread, unlike E[x²] − E[x]²).
///
/// - Complexity: two reads of x, O(C·M).
func batchNormStatistics(_ x: UnsafePointer<Float>, channels c: Int, valuesPerChannel m: Int,
                         mean: UnsafeMutablePointer<Double>, variance: UnsafeMutablePointer<Double>) {
    nonisolated(unsafe) let (x, mean, variance) = (x, mean, variance)
    forEachChunk(count: c, workPerItem: 2 * m) { channels in
        for channel in channels {
            let block = x + channel * m
            mean[channel] = batchNormBlockSum(block, m) / Double(m)
            variance[channel] = batchNormBlockSquaredDeviation(block, m, mean: Float(mean[channel])) / Double(m)
        }
    }
}

/// x̂ = (x − mean[c])·inverseStd[c] and y = γ[c]·x̂ + β[c], both (C, M).
///
/// - Complexity: one read of x, two writes, O(C·M).
func batchNormNormalize(_ x: UnsafePointer<Float>, channels c: Int, valuesPerChannel m: Int,
                        mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>,
                        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                        normalized: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>) {
    nonisolated(unsafe) let (x, mean, inverseStd, gamma, beta, normalized, output) =
        (x, mean, inverseStd, gamma, beta, normalized, output)
    forEachChunk(count: c, workPerItem: m) { channels in
        for channel in channels {
            let base = channel * m
            let (mu, k, g, b) = (mean[channel], inverseStd[channel], gamma[channel], beta[channel])
            let xb = x + base, xh = normalized + base, yb = output + base
            for i in 0..<m {
                let v = (xb[i] - mu) * k
                xh[i] = v
                yb[i] = g * v + b
            }
        }
    }
}

/// Per-channel Σ dy and Σ dy·x̂ over each channel's M values, the two reductions of the backward pass.
func batchNormGradientSums(_ dy: UnsafePointer<Float>, _ xhat: UnsafePointer<Float>, channels c: Int, valuesPerChannel m: Int,
                           sumDy: UnsafeMutablePointer<Double>, sumDyXhat: UnsafeMutablePointer<Double>) {
    nonisolated(unsafe) let (dy, xhat, sumDy, sumDyXhat) = (dy, xhat, sumDy, sumDyXhat)
    forEachChunk(count: c, workPerItem: m) { channels in
        for channel in channels {
            let (a, b) = batchNormBlockSumAndDot(dy + channel * m, xhat + channel * m, m)
            sumDy[channel] = a
            sumDyXhat[channel] = b
        }
    }
}

/// dx = scale[c]·(dy − shift[c] − x̂·slope[c]), elementwise over (C, M).
///
/// With scale = γ/σ, shift = Σdy/M and slope = Σ(dy·x̂)/M this is the training-mode gradient;
/// with shift = slope = 0 it is the evaluation-mode one.
func batchNormInputGradient(_ dy: UnsafePointer<Float>, _ xhat: UnsafePointer<Float>, channels c: Int, valuesPerChannel m: Int,
                            scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, slope: UnsafePointer<Float>,
                            dx: UnsafeMutablePointer<Float>) {
    nonisolated(unsafe) let (dy, xhat, scale, shift, slope, dx) = (dy, xhat, scale, shift, slope, dx)
    forEachChunk(count: c, workPerItem: m) { channels in
        for channel in channels {
            let base = channel * m
            let (k, a, b) = (scale[channel], shift[channel], slope[channel])
            let g = dy + base, xh = xhat + base, out = dx + base
            for i in 0..<m {
                out[i] = k * (g[i] - a - xh[i] * b)
            }
        }
    }
}

// MARK: - Naive references (Double, index by index)

/// Training-mode batch normalisation of x (N, C, S) in Double, the slow obvious way.
/// Returns y and the per-channel batch mean and biased variance.
func batchNormReferenceForward(_ x: [Double], n: Int, c: Int, s: Int, gamma: [Double], beta: [Double],
                               epsilon: Double) -> (y: [Double], mean: [Double], variance: [Double]) {
    let m = Double(n * s)
    var mean = [Double](repeating: 0, count: c), variance = [Double](repeating: 0, count: c)
    for ch in 0..<c {
        for i in 0..<n { for j in 0..<s { mean[ch] += x[(i * c + ch) * s + j] } }
        mean[ch] /= m
        for i in 0..<n { for j in 0..<s { let d = x[(i * c + ch) * s + j] - mean[ch]; variance[ch] += d * d } }
        variance[ch] /= m
    }
    var y = [Double](repeating: 0, count: x.count)
    for i in 0..<n {
        for ch in 0..<c {
            for j in 0..<s {
                let index = (i * c + ch) * s + j
                y[index] = gamma[ch] * (x[index] - mean[ch]) / (variance[ch] + epsilon).squareRoot() + beta[ch]
            }
        }
    }
    return (y, mean, variance)
}

/// Training-mode backward pass in Double by the long chain rule, through the intermediate
/// gradients of x̂, the variance and the mean, independently of the compact formula used by
/// `BatchNorm`:
///   ∂L/∂x̂ = γ·dy
///   ∂L/∂v = Σ ∂L/∂x̂ · (x − μ) · (−½)(v + ε)^{−3/2}
///   ∂L/∂μ = Σ ∂L/∂x̂ · (−1/σ) + ∂L/∂v · Σ −2(x − μ)/M
///   ∂L/∂x = ∂L/∂x̂ / σ + ∂L/∂v · 2(x − μ)/M + ∂L/∂μ / M
func batchNormReferenceBackward(_ x: [Double], _ dy: [Double], n: Int, c: Int, s: Int, gamma: [Double],
                                epsilon: Double) -> (dx: [Double], dgamma: [Double], dbeta: [Double]) {
    let m = Double(n * s)
    var dx = [Double](repeating: 0, count: x.count)
    var dgamma = [Double](repeating: 0, count: c), dbeta = [Double](repeating: 0, count: c)
    for ch in 0..<c {
        var indices: [Int] = []
        for i in 0..<n { for j in 0..<s { indices.append((i * c + ch) * s + j) } }
        let mean = indices.reduce(0.0) { $0 + x[$1] } / m
        let variance = indices.reduce(0.0) { $0 + (x[$1] - mean) * (x[$1] - mean) } / m
        let sigma = (variance + epsilon).squareRoot()
        var dVariance = 0.0, dMean = 0.0, sumCentered = 0.0
        for index in indices {
            let dxhat = gamma[ch] * dy[index]
            dVariance += dxhat * (x[index] - mean) * -0.5 * Foundation.pow(variance + epsilon, -1.5)
            dMean += -dxhat / sigma
            sumCentered += -2 * (x[index] - mean)
            dgamma[ch] += dy[index] * (x[index] - mean) / sigma
            dbeta[ch] += dy[index]
        }
        dMean += dVariance * sumCentered / m
        for index in indices {
            dx[index] = gamma[ch] * dy[index] / sigma + dVariance * 2 * (x[index] - mean) / m + dMean / m
        }
    }
    return (dx, dgamma, dbeta)
}

import Foundation
