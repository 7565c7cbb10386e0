import Foundation

/// Batch normalisation (Ioffe & Szegedy, 2015) with PyTorch's semantics; the shared implementation
/// of `BatchNorm2d` (over N, H, W per channel) and `BatchNorm1d` (over N per feature).
///
/// The input is viewed as (N, C, S): S = H·W for images, S = 1 for (N, F) features. For each
/// channel c, with M = N·S values x_i:
///
///     μ = (1/M) Σ x_i,   v = (1/M) Σ (x_i − μ)²   (biased),   σ = √(v + ε)
///     x̂_i = (x_i − μ) / σ,   y_i = γ x̂_i + β
///
/// - Training (`isTraining`, the default): μ and v are the batch's. Each forward also moves the
///   running statistics, `running_mean ← (1 − m)·running_mean + m·μ` and
///   `running_var ← (1 − m)·running_var + m·v·M/(M − 1)` (the *unbiased* variance, as PyTorch),
///   with momentum m = 0.1, and adds 1 to `num_batches_tracked`. M must be at least 2.
/// - Evaluation: μ and v are the running statistics, so the layer is a fixed per-channel affine map.
///
/// ## Backward pass (derivation)
/// ∂L/∂γ = Σ_i dy_i x̂_i and ∂L/∂β = Σ_i dy_i, summed over the channel's M values.
/// In training, μ and σ depend on every x_j: ∂μ/∂x_j = 1/M and, since Σ_i (x_i − μ) = 0,
/// ∂v/∂x_j = 2(x_j − μ)/M, so ∂σ/∂x_j = (x_j − μ)/(Mσ) = x̂_j/M. Hence
///
///     ∂x̂_i/∂x_j = (δ_ij − 1/M)/σ − (x_i − μ)/σ² · x̂_j/M = (δ_ij − 1/M − x̂_i x̂_j/M) / σ
///
/// and with ∂L/∂x̂_i = γ dy_i,
///
///     dx_j = Σ_i γ dy_i ∂x̂_i/∂x_j = (γ/σ)/M · (M·dy_j − Σ_i dy_i − x̂_j · Σ_i dy_i x̂_i).
///
/// In evaluation μ and σ are constants and dx_j = (γ/σ)·dy_j.
///
/// The computation runs on the batch-minor layout (C·S, B), where each channel's values are one
/// block (`BatchNormKernels.swift`); NCHW inputs are transposed to it and back. Sums run in
/// Double; the forward pass caches x̂ (batch-minor) and 1/σ per channel.
///
/// Bad shapes are programming errors here (the `Layer` protocol does not throw): they stop the
/// program with a message naming the layer, the expected and the actual shape.
public class BatchNorm: BatchMinorLayer {
    /// The number of channels (features) C.
    public let channels: Int
    /// ε, added to the variance before the square root.
    public let epsilon: Float
    /// The weight of the newest batch in the running statistics.
    public let momentum: Float
    public var isTraining = true

    /// γ, shape (C), initialised to 1.
    public let weight: Parameter
    /// β, shape (C), initialised to 0.
    public let bias: Parameter
    /// The running mean, shape (C), initialised to 0 (a buffer: saved, not trained).
    let runningMean: Parameter
    /// The running unbiased variance, shape (C), initialised to 1 (a buffer).
    let runningVariance: Parameter
    /// The number of training forward passes, shape (1), as a Float (exact up to 2²⁴) (a buffer).
    let batchesTracked: Parameter

    public var parameters: [Parameter] { [weight, bias] }
    public var buffers: [Parameter] { [runningMean, runningVariance, batchesTracked] }

    /// The layer's name in messages, and the input rank it accepts.
    let layerName: String
    let inputRank: Int

    // Cached by forward for backward.
    private var normalized: Tensor?          // x̂, same shape as the input
    private var inverseStd: [Float] = []     // 1/σ per channel
    private var forwardWasTraining = true
    /// The sample shape (C, …) of the last forward pass.
    private var sampleShape: [Int]?
    // Per-channel scratch, reused across calls.
    private var scratchA: [Double] = []
    private var scratchB: [Double] = []

    init(name: String, inputRank: Int, channels: Int, epsilon: Float, momentum: Float) {
        precondition(channels > 0, "\(name) needs at least one channel, got \(channels)")
        precondition(epsilon >= 0 && momentum >= 0 && momentum <= 1,
                     "\(name): need epsilon ≥ 0 and momentum in [0, 1], got \(epsilon), \(momentum)")
        self.layerName = name
        self.inputRank = inputRank
        self.channels = channels
        self.epsilon = epsilon
        self.momentum = momentum
        weight = Parameter(name: "weight", value: Tensor(shape: [channels], repeating: 1))
        bias = Parameter(name: "bias", value: Tensor(shape: [channels], repeating: 0))
        runningMean = Parameter(name: "running_mean", value: Tensor(shape: [channels], repeating: 0))
        runningVariance = Parameter(name: "running_var", value: Tensor(shape: [channels], repeating: 1))
        batchesTracked = Parameter(name: "num_batches_tracked", value: Tensor(shape: [1], repeating: 0))
        scratchA = Array(repeating: 0, count: channels)
        scratchB = Array(repeating: 0, count: channels)
    }

    /// The sample shape (C, …) of a valid input, or a precondition failure that says what was expected.
    private func checkedSampleShape(_ shape: [Int]) -> [Int] {
        precondition(shape.count == inputRank && shape[1] == channels,
                     "\(layerName)(\(channels)) expects a rank-\(inputRank) input with \(channels) channels on axis 1, got shape \(shape)")
        return Array(shape.dropFirst())
    }

    /// Normalises `input` (N, C, …) with batch statistics (training) or running statistics
    /// (evaluation): the batch-minor computation between two transposes.
    public func forward(_ input: Tensor) -> Tensor {
        let sample = checkedSampleShape(input.shape)
        return batchMajor(forwardBatchMinor(batchMinor(input), sampleShape: sample), sampleShape: sample)
    }

    /// ∂L/∂x from ∂L/∂y, through `backwardBatchMinor`.
    public func backward(_ outputGradient: Tensor) -> Tensor {
        guard let sample = sampleShape else { preconditionFailure("\(layerName).backward called before forward") }
        precondition(outputGradient.rank == inputRank && Array(outputGradient.shape.dropFirst()) == sample,
                     "\(layerName).backward: gradient shape \(outputGradient.shape) differs from the output's samples \(sample)")
        return batchMajor(backwardBatchMinor(batchMinor(outputGradient)), sampleShape: sample)
    }

    /// The shape is kept: (C, …) → (C, …).
    public func outputSampleShape(forInput shape: [Int]) -> [Int] {
        checkedSampleShape([1] + shape)
    }

    /// Normalises x (C·S, B), each channel's M = S·B values one block.
    /// - Complexity: O(C·M); three passes over the input in training, one in evaluation.
    public func forwardBatchMinor(_ input: Tensor, sampleShape sample: [Int]) -> Tensor {
        _ = checkedSampleShape([1] + sample)
        let c = channels
        precondition(input.rank == 2 && input.shape[0] == sample.reduce(1, *) && input.shape[1] > 0,
                     "\(layerName): a batch-minor input of samples \(sample) must be (\(sample.reduce(1, *)), B), got \(input.shape)")
        let m = input.count / c
        var mean = [Float](repeating: 0, count: c)
        var invStd = [Float](repeating: 0, count: c)
        if isTraining {
            precondition(m > 1, "\(layerName): expected more than 1 value per channel when training, got samples \(sample) × \(input.shape[1])")
            input.withUnsafeBufferPointer { x in
                scratchA.withUnsafeMutableBufferPointer { meanD in
                    scratchB.withUnsafeMutableBufferPointer { varianceD in
                        batchNormStatistics(x.baseAddress!, channels: c, valuesPerChannel: m,
                                            mean: meanD.baseAddress!, variance: varianceD.baseAddress!)
                    }
                }
            }
            let unbiasing = Double(m) / Double(m - 1)
            let mo = Double(momentum)
            runningMean.value.withUnsafeMutableBufferPointer { rm in
                runningVariance.value.withUnsafeMutableBufferPointer { rv in
                    for ch in 0..<c {
                        mean[ch] = Float(scratchA[ch])
                        invStd[ch] = Float(1 / (scratchB[ch] + Double(epsilon)).squareRoot())
                        rm[ch] = Float((1 - mo) * Double(rm[ch]) + mo * scratchA[ch])
                        rv[ch] = Float((1 - mo) * Double(rv[ch]) + mo * scratchB[ch] * unbiasing)
                    }
                }
            }
            batchesTracked.value.scalars[0] += 1
        } else {
            for ch in 0..<c {
                mean[ch] = runningMean.value.scalars[ch]
                invStd[ch] = Float(1 / (Double(runningVariance.value.scalars[ch]) + Double(epsilon)).squareRoot())
            }
        }

        // x̂ reuses the buffer of the last pass when the shape is the same: taken out of
        // `normalized` first, so that it is the only reference and is written in place.
        var xhat: Tensor
        if let previous = normalized, previous.shape == input.shape {
            normalized = nil
            xhat = previous
        } else {
            xhat = makeLayerOutput(shape: input.shape) { _ in }  // written below, every element
        }
        let output = input.withUnsafeBufferPointer { x in
            weight.value.withUnsafeBufferPointer { gamma in
                bias.value.withUnsafeBufferPointer { beta in
                    xhat.withUnsafeMutableBufferPointer { xh in
                        makeLayerOutput(shape: input.shape) { y in
                            batchNormNormalize(x.baseAddress!, channels: c, valuesPerChannel: m,
                                               mean: mean, inverseStd: invStd,
                                               gamma: gamma.baseAddress!, beta: beta.baseAddress!,
                                               normalized: xh.baseAddress!, output: y)
                        }
                    }
                }
            }
        }
        normalized = xhat
        inverseStd = invStd
        forwardWasTraining = isTraining
        sampleShape = sample
        return output
    }

    /// ∂L/∂x (C·S, B) from ∂L/∂y (C·S, B); accumulates ∂L/∂γ and ∂L/∂β. Uses the mode of the
    /// last forward pass.
    /// - Complexity: O(C·M), two passes over dy and x̂.
    public func backwardBatchMinor(_ outputGradient: Tensor) -> Tensor {
        guard let xhat = normalized else { preconditionFailure("\(layerName).backward called before forward") }
        precondition(outputGradient.shape == xhat.shape,
                     "\(layerName).backward: gradient shape \(outputGradient.shape) differs from output shape \(xhat.shape)")
        let c = channels
        let m = xhat.count / c

        outputGradient.withUnsafeBufferPointer { dy in
            xhat.withUnsafeBufferPointer { xh in
                scratchA.withUnsafeMutableBufferPointer { sumDy in
                    scratchB.withUnsafeMutableBufferPointer { sumDyXhat in
                        batchNormGradientSums(dy.baseAddress!, xh.baseAddress!, channels: c, valuesPerChannel: m,
                                              sumDy: sumDy.baseAddress!, sumDyXhat: sumDyXhat.baseAddress!)
                    }
                }
            }
        }
        // ∂L/∂γ += Σ dy·x̂, ∂L/∂β += Σ dy.
        weight.gradient.withUnsafeMutableBufferPointer { dgamma in
            bias.gradient.withUnsafeMutableBufferPointer { dbeta in
                for ch in 0..<c {
                    dgamma[ch] += Float(scratchB[ch])
                    dbeta[ch] += Float(scratchA[ch])
                }
            }
        }
        // dx = (γ/σ)·(dy − Σdy/M − x̂·Σ(dy·x̂)/M) in training, (γ/σ)·dy in evaluation.
        var scale = [Float](repeating: 0, count: c)
        var shift = [Float](repeating: 0, count: c)
        var slope = [Float](repeating: 0, count: c)
        for ch in 0..<c {
            scale[ch] = weight.value.scalars[ch] * inverseStd[ch]
            if forwardWasTraining {
                shift[ch] = Float(scratchA[ch] / Double(m))
                slope[ch] = Float(scratchB[ch] / Double(m))
            }
        }
        return outputGradient.withUnsafeBufferPointer { dy in
            xhat.withUnsafeBufferPointer { xh in
                makeLayerOutput(shape: xhat.shape) { dx in
                    batchNormInputGradient(dy.baseAddress!, xh.baseAddress!, channels: c, valuesPerChannel: m,
                                           scale: scale, shift: shift, slope: slope, dx: dx)
                }
            }
        }
    }
}

/// Batch normalisation of images (N, C, H, W), with statistics per channel over (N, H, W).
/// PyTorch's `nn.BatchNorm2d(channels)`; see `BatchNorm` for the math.
public final class BatchNorm2d: BatchNorm {
    public init(channels: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) {
        super.init(name: "BatchNorm2d", inputRank: 4, channels: channels, epsilon: epsilon, momentum: momentum)
    }
}

/// Batch normalisation of feature vectors (N, F), with statistics per feature over N.
/// PyTorch's `nn.BatchNorm1d(features)` on 2-D input; see `BatchNorm` for the math.
public final class BatchNorm1d: BatchNorm {
    public init(features: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) {
        super.init(name: "BatchNorm1d", inputRank: 2, channels: features, epsilon: epsilon, momentum: momentum)
    }
}
