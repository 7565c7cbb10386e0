// Small helpers for chapter 3: plumbing that the lecture in main.swift uses but does not teach.

import Foundation
import VAECore

/// A loss as a `Layer` with a fixed target, so that `checkGradients` can test a loss's gradient
/// the way it tests a layer's: forward returns the loss as a (1)-tensor, and backward scales the
/// loss's gradient by the incoming ∂L/∂loss.
final class LossLayer: Layer {
    var isTraining = true
    private let compute: (Tensor) throws -> LossResult
    private var gradient: Tensor?
    /// 1, or 1 + r for a bug planted on purpose (`--loss-gradient-error r`): backward then
    /// returns the gradient r too large, which the gradient check must catch.
    private let bugFactor: Float

    init(bugFactor: Float = 1, _ compute: @escaping (Tensor) throws -> LossResult) {
        self.compute = compute
        self.bugFactor = bugFactor
    }

    func forward(_ input: Tensor) -> Tensor {
        do {
            let result = try compute(input)
            gradient = result.gradient
            return Tensor(shape: [1], scalars: [Float(result.value)])
        } catch {
            preconditionFailure("loss rejected its input: \(error)")
        }
    }

    func backward(_ outputGradient: Tensor) -> Tensor {
        guard let gradient else { preconditionFailure("LossLayer.backward called before forward") }
        return gradient * (outputGradient.scalars[0] * bugFactor)
    }
}

/// A deliberately wrong BatchNorm2d, to show what a gradient check reports for a real bug: its
/// backward pass treats the batch mean μ and deviation σ as constants, dx = (γ/σ)·g, the classic
/// mistake (it is the right formula only in evaluation mode). Forward and the parameter gradients
/// are the real layer's.
final class BatchNormWithConstantStatistics: Layer {
    let inner: BatchNorm2d
    private var inverseStd: [Float] = []
    var isTraining = true
    var parameters: [Parameter] { inner.parameters }

    init(channels: Int) { inner = BatchNorm2d(channels: channels) }

    func forward(_ input: Tensor) -> Tensor {
        let (b, c) = (input.shape[0], input.shape[1])
        let plane = input.count / (b * c)
        inverseStd = (0..<c).map { ch in
            let values = (0..<b).flatMap { n in (0..<plane).map { Double(input.scalars[(n * c + ch) * plane + $0]) } }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
            return Float(1 / (variance + Double(inner.epsilon)).squareRoot())
        }
        return inner.forward(input)
    }

    func backward(_ outputGradient: Tensor) -> Tensor {
        _ = inner.backward(outputGradient)   // dγ and dβ are right
        let (b, c) = (outputGradient.shape[0], outputGradient.shape[1])
        let plane = outputGradient.count / (b * c)
        var dx = outputGradient
        for i in 0..<dx.count {
            let ch = (i / plane) % c
            dx.scalars[i] *= inner.weight.value.scalars[ch] * inverseStd[ch]
        }
        return dx
    }
}

/// A layer's forward pass written again in Double, for the gradient check in Float64: (the input's
/// values, its shape, the layer's parameters in order) → (the output's values, its shape).
typealias DoubleForward = (_ x: [Double], _ shape: [Int], _ parameters: [[Double]]) -> (values: [Double], shape: [Int])

/// The forward pass of `layer` in Double, for the layers that section 4's network is made of
/// (Linear, Conv2d, BatchNorm in training mode, Tanh, Flatten, and a Sequential of them, the
/// deliberately wrong BatchNorm included: its forward pass is the real one); nil for others.
/// Each is the definition, loop by loop, so that it cannot share a mistake with the Float layers'
/// GEMM-based code.
func doubleForward(of layer: Layer) -> DoubleForward? {
    switch layer {
    case let linear as Linear:
        let (inputs, outputs, hasBias) = (linear.inputFeatures, linear.outputFeatures, linear.bias != nil)
        return { x, shape, p in
            let b = shape[0]
            var y = [Double](repeating: 0, count: b * outputs)
            for n in 0..<b {
                for o in 0..<outputs {
                    var sum = hasBias ? p[1][o] : 0
                    for i in 0..<inputs { sum += x[n * inputs + i] * p[0][o * inputs + i] }
                    y[n * outputs + o] = sum
                }
            }
            return (y, [b, outputs])
        }
    case let conv as Conv2d:
        let (c, o, k, s, pad) = (conv.inputChannels, conv.outputChannels, conv.kernel, conv.stride, conv.padding)
        let hasBias = conv.bias != nil
        return { x, shape, p in
            let (b, h, w) = (shape[0], shape[2], shape[3])
            let oh = (h + 2 * pad.height - k.height) / s.height + 1, ow = (w + 2 * pad.width - k.width) / s.width + 1
            var y = [Double](repeating: 0, count: b * o * oh * ow)
            for n in 0..<b {
                for f in 0..<o {
                    for r in 0..<oh {
                        for q in 0..<ow {
                            var sum = hasBias ? p[1][f] : 0
                            for ch in 0..<c {
                                for i in 0..<k.height {
                                    for j in 0..<k.width {
                                        let (row, column) = (r * s.height - pad.height + i, q * s.width - pad.width + j)
                                        guard row >= 0, row < h, column >= 0, column < w else { continue }
                                        sum += x[((n * c + ch) * h + row) * w + column] * p[0][((f * c + ch) * k.height + i) * k.width + j]
                                    }
                                }
                            }
                            y[((n * o + f) * oh + r) * ow + q] = sum
                        }
                    }
                }
            }
            return (y, [b, o, oh, ow])
        }
    case let norm as BatchNorm:
        // Training mode: each channel normalised by its batch mean and biased variance.
        let epsilon = Double(norm.epsilon)
        return { x, shape, p in
            let (b, c) = (shape[0], shape[1])
            let plane = x.count / (b * c)
            var y = x
            for ch in 0..<c {
                let indices = (0..<b).flatMap { n in (0..<plane).map { (n * c + ch) * plane + $0 } }
                let mean = indices.reduce(0.0) { $0 + x[$1] } / Double(indices.count)
                let variance = indices.reduce(0.0) { $0 + (x[$1] - mean) * (x[$1] - mean) } / Double(indices.count)
                let inverse = 1 / (variance + epsilon).squareRoot()
                for i in indices { y[i] = p[0][ch] * (x[i] - mean) * inverse + p[1][ch] }
            }
            return (y, shape)
        }
    case let bug as BatchNormWithConstantStatistics:
        return doubleForward(of: bug.inner)
    case is Tanh:
        return { x, shape, _ in (x.map { Foundation.tanh($0) }, shape) }
    case is Flatten:
        return { x, shape, _ in (x, [shape[0], x.count / max(shape[0], 1)]) }
    case let sequential as Sequential:
        let parts = sequential.layers.map { ($0.parameters.count, doubleForward(of: $0)) }
        guard parts.allSatisfy({ $0.1 != nil }) else { return nil }
        return { x, shape, p in
            var (values, current, next) = (x, shape, 0)
            for (count, forward) in parts {
                (values, current) = forward!(values, current, Array(p[next..<(next + count)]))
                next += count
            }
            return (values, current)
        }
    default:
        return nil
    }
}

/// `text` padded with spaces to `width` characters (String(format:) does not pad `%@`).
func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

/// (B, C, P) → (C, B·P): channel c's row holds image 0's P values, then image 1's, … (the layout
/// in which one GEMM convolves a whole batch).
func channelMajor(_ t: Tensor) -> Tensor {
    let (b, c) = (t.shape[0], t.shape[1])
    let p = t.count / (b * c)
    var out = Tensor(shape: [c, b * p])
    for n in 0..<b { for ch in 0..<c { for i in 0..<p { out.scalars[ch * b * p + n * p + i] = t.scalars[(n * c + ch) * p + i] } } }
    return out
}

/// (C, B·P) → (B, C, h, w) with P = h·w: the inverse of `channelMajor`.
func batchMajor(_ t: Tensor, batch b: Int, height h: Int, width w: Int) -> Tensor {
    let c = t.shape[0], p = h * w
    var out = Tensor(shape: [b, c, h, w])
    for n in 0..<b { for ch in 0..<c { for i in 0..<p { out.scalars[(n * c + ch) * p + i] = t.scalars[ch * b * p + n * p + i] } } }
    return out
}

/// `v` (K) repeated as every row of a (rows, K) matrix: the bias added to each sample.
func rowBroadcast(_ v: Tensor, rows: Int) -> Tensor {
    Tensor(shape: [rows, v.count], scalars: Array((0..<rows).map { _ in v.scalars }.joined()))
}

/// The sum of each row of a matrix (R, N): (R).
func rowSums(_ t: Tensor) -> Tensor {
    let (r, n) = (t.shape[0], t.shape[1])
    return Tensor(shape: [r], scalars: (0..<r).map { row in Float((0..<n).reduce(0.0) { $0 + Double(t.scalars[row * n + $1]) }) })
}

/// The sum of the rows of a matrix (N, K), as a (K) vector: a bias gradient Σ_n g[n, :].
func columnSums(_ t: Tensor) -> Tensor {
    let (n, k) = (t.shape[0], t.shape[1])
    return Tensor(shape: [k], scalars: (0..<k).map { col in Float((0..<n).reduce(0.0) { $0 + Double(t.scalars[$1 * k + col]) }) })
}

/// The largest |a − b| relative to the largest |b|: how far a hand computation is from the library's.
func relativeDifference(_ a: Tensor, _ b: Tensor) -> Double {
    Double(a.maxAbsDifference(b)) / max(Double(b.scalars.map(abs).max() ?? 0), 1e-30)
}

/// The index of the largest logit in each row of (N, K).
func argmaxRows(_ logits: Tensor) -> [Int] {
    let (n, k) = (logits.shape[0], logits.shape[1])
    return (0..<n).map { row in
        var best = 0
        for j in 1..<k where logits.scalars[row * k + j] > logits.scalars[row * k + best] { best = j }
        return best
    }
}

/// Images `range` of a data set as one batch (B, 1, H, W), in order, with their labels.
func batch(of data: MNIST, _ range: Range<Int>) -> (images: Tensor, labels: [Int]) {
    let size = data.pixelsPerImage
    let images = Tensor(shape: [range.count, 1, data.height, data.width],
                        scalars: Array(data.images.scalars[range.lowerBound * size ..< range.upperBound * size]))
    return (images, data.labels[range].map(Int.init))
}

/// The mean cross-entropy and the accuracy of `model` on `data`, in evaluation mode (BatchNorm
/// uses its running statistics), 1,000 images at a time. Leaves the model in training mode.
func evaluate(_ model: Sequential, on data: MNIST) throws -> (loss: Double, accuracy: Double) {
    model.isTraining = false
    defer { model.isTraining = true }
    var totalLoss = 0.0, correct = 0
    for start in stride(from: 0, to: data.count, by: 1000) {
        let (images, labels) = batch(of: data, start ..< min(start + 1000, data.count))
        let logits = model.forward(images)
        totalLoss += try softmaxCrossEntropy(logits: logits, labels: labels, reduction: .sum).value
        correct += zip(argmaxRows(logits), labels).filter { $0 == $1 }.count
    }
    return (totalLoss / Double(data.count), Double(correct) / Double(data.count))
}

/// The median of a non-empty list.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
}

/// Seconds since `start`.
func seconds(since start: Date) -> Double { Date().timeIntervalSince(start) }
