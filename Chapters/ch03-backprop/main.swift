// Chapter 3 — Backpropagation, layer by layer
// ============================================
//
// A network is a chain of functions. With activations h₀ = x, h_k = f_k(h_{k−1}; θ_k) and a
// scalar loss ℓ = L(h_K), training needs ∂ℓ/∂θ_k for every layer k. The chain rule splits it:
//
//     ∂ℓ/∂θ_k = ∂ℓ/∂h_k · ∂h_k/∂θ_k,        ∂ℓ/∂h_{k−1} = ∂ℓ/∂h_k · ∂h_k/∂h_{k−1}.
//
// Backpropagation evaluates these products from the loss backwards (reverse mode). It carries
// one array g_k = ∂ℓ/∂h_k, the same shape as h_k, from layer to layer, and never forms a
// Jacobian ∂h_k/∂h_{k−1} (for a 128×32×14×14 activation that would be 800,000² numbers). Each
// layer only has to know how to turn the gradient of its output into the gradient of its input
// and of its parameters: that is `Layer.backward` (Sources/VAENeural/Layers/Layer.swift), and
// `Sequential.backward` runs them in reverse order. A backward pass costs about twice its
// forward pass (two matrix products to the forward's one, as section 1 shows).
//
// This chapter derives each backward pass the course uses, checks every one against finite
// differences, and then trains a small convolutional classifier on MNIST, watching how the
// gradients flow through it.
//
//     swift run -c release ch03-backprop [--quick] [--learning-rate η] [--no-batchnorm] [--check-activation tanh|relu]
//                                        [--loss-gradient-error r] [--data DIR] [--figures DIR] [--seed N]
//
// Figures: ch03-gradient-check.png, ch03-gradient-flow.png, ch03-training.png.

import ArgumentParser
import CourseSupport
import Foundation
import VAECore

struct Chapter3: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ch03-backprop",
        abstract: "Chapter 3: the chain rule layer by layer, gradient checks, and a conv classifier on MNIST.")

    @OptionGroup var options: ChapterOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("Adam's learning rate for the classifier of section 5.", valueName: "η"))
    var learningRate = 1e-3

    @Flag(help: "Train section 5's classifier without its two BatchNorm layers (its convolutions then get biases).")
    var noBatchnorm = false

    @Option(parsing: .unconditional, help: "The activation of section 4's small conv-BN-activation-FC network in the gradient check: tanh or relu.")
    var checkActivation: CheckActivation = .tanh

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "A bug planted on purpose: the losses' backward pass in section 4 returns its gradient times 1 + r (default: 0, no bug).",
        valueName: "r"))
    var lossGradientError = 0.0

    /// The two activations of the small network in section 4's table of every case.
    enum CheckActivation: String, ExpressibleByArgument {
        case tanh, relu
    }

    func validate() throws {
        guard learningRate.isFinite, learningRate > 0, learningRate <= 1 else {
            throw ValidationError("--learning-rate must be a positive number up to 1, not \(learningRate)")
        }
        guard lossGradientError.isFinite, abs(lossGradientError) < 1 else {
            throw ValidationError("--loss-gradient-error must be a number between −1 and 1, not \(lossGradientError)")
        }
    }

    func run() throws {
        options.announcePlan()                    // what it will train or reuse, and for how long
        let figures = try options.figureWriter()
        try chainRule()
        try convolutionAsGEMM()
        try batchNormBackward()
        try gradientCheck(figures)
        try trainClassifier(figures)
    }

    // MARK: 1. The chain rule on a small network, by hand
    //
    // Take a batch X (B, 4) through Linear(4 → 5), ReLU, Linear(5 → 3) and softmax cross-entropy.
    //
    // **Linear** (Sources/VAENeural/Layers/Linear.swift): Y = X·Wᵀ + b, that is
    // y_nj = Σ_i x_ni W_ji + b_j, with W (out, in). Given G = ∂ℓ/∂Y (B, out):
    //
    //     ∂ℓ/∂x_ni = Σ_j g_nj W_ji        →  dX = G·W        (B, in)
    //     ∂ℓ/∂W_ji = Σ_n g_nj x_ni        →  dW = Gᵀ·X       (out, in)
    //     ∂ℓ/∂b_j  = Σ_n g_nj             →  db = Σ_n G[n, :] (out)
    //
    // The shapes are a mnemonic: the only products of G (B, out) with W (out, in) or X (B, in)
    // that give the shape of X or W are these. The batch index n is summed in dW and db: every
    // sample contributes to the same weights. Each is one GEMM, so the backward pass costs two
    // GEMMs to the forward pass's one.
    //
    // **ReLU** (Activations.swift): y = max(x, 0) elementwise, a diagonal Jacobian, so
    // dX = G ⊙ [x > 0]: the gradient passes where the unit was active and stops where it was not.
    // (At exactly 0 we take the derivative 0, as PyTorch does.)
    //
    // **Softmax cross-entropy** (Sources/VAENeural/Losses/SoftmaxCrossEntropy.swift): for logits z
    // and label y, ℓ = −log softmax(z)_y = log Σ_k e^{z_k} − z_y. Differentiating,
    //
    //     ∂ℓ/∂z_k = e^{z_k} / Σ_j e^{z_j} − [k = y] = softmax(z)_k − onehot(y)_k,
    //
    // the predicted probabilities minus the target ones; with `.mean` over the batch, divided by
    // B. Each row sums to zero: pushing one logit up means pushing the others down. This simple
    // form (and the numerical safety of log-sum-exp, where log(softmax) alone would underflow to
    // log 0) is why softmax and cross-entropy are computed together, as one function.
    func chainRule() throws {
        section("1. The chain rule, layer by layer: Linear, ReLU, softmax cross-entropy")
        var random = RandomSource(seed: options.seed)
        let (b, inputs, hidden, classes) = (6, 4, 5, 3)
        let fc1 = try Linear(inputFeatures: inputs, outputFeatures: hidden, using: &random)
        let relu = ReLU()
        let fc2 = try Linear(inputFeatures: hidden, outputFeatures: classes, using: &random)
        let model = Sequential([fc1, relu, fc2])
        let x = Tensor.gaussian([b, inputs], using: &random)
        let labels = (0..<b).map { _ in random.uniformInt(below: classes) }

        // The library: forward, loss, backward through the Sequential.
        model.zeroGradients()
        let logits = model.forward(x)
        let loss = try softmaxCrossEntropy(logits: logits, labels: labels, reduction: .mean)
        let dx = model.backward(loss.gradient)

        // By hand, with the formulas above and nothing but matrix products.
        let h1 = Tensor.matmul(x, fc1.weight.value, transposeB: true) + rowBroadcast(fc1.bias!.value, rows: b)
        let a1 = h1.map { max($0, 0) }
        let z = Tensor.matmul(a1, fc2.weight.value, transposeB: true) + rowBroadcast(fc2.bias!.value, rows: b)
        var dz = Tensor(shape: z.shape)                         // (softmax − onehot) / B
        for n in 0..<b {
            let row = (0..<classes).map { Double(z[n, $0]) }
            let top = row.max()!
            let total = row.reduce(0) { $0 + exp($1 - top) }
            for k in 0..<classes {
                dz[n, k] = Float((exp(row[k] - top) / total - (k == labels[n] ? 1 : 0)) / Double(b))
            }
        }
        let dW2 = Tensor.matmul(dz, a1, transposeA: true)       // Gᵀ·X
        let db2 = columnSums(dz)                                // Σ_n G
        let da1 = Tensor.matmul(dz, fc2.weight.value)           // G·W
        let dh1 = da1.zipWith(h1) { g, h in h > 0 ? g : 0 }     // ReLU: G ⊙ [h > 0]
        let dW1 = Tensor.matmul(dh1, x, transposeA: true)
        let db1 = columnSums(dh1)
        let dX = Tensor.matmul(dh1, fc1.weight.value)

        print(String(format: "loss %.6f; the library's logits against the hand computation's: largest relative difference %.1e",
                     loss.value, relativeDifference(logits, z)))
        print("largest difference, by hand against the library's backward pass (relative to the largest entry):")
        for (name, mine, library) in [("∂ℓ/∂logits", dz, loss.gradient), ("∂ℓ/∂W2", dW2, fc2.weight.gradient),
                                      ("∂ℓ/∂b2", db2, fc2.bias!.gradient), ("∂ℓ/∂W1", dW1, fc1.weight.gradient),
                                      ("∂ℓ/∂b1", db1, fc1.bias!.gradient), ("∂ℓ/∂X", dX, dx)] {
            print("  " + pad(name, 12) + pad("\(library.shape)", 9) + String(format: "%.1e", relativeDifference(mine, library)))
        }
        let rowSumsOfDz = (0..<b).map { n in (0..<classes).reduce(0.0) { $0 + Double(dz[n, $1]) } }
        print(String(format: "rows of softmax − onehot sum to zero: largest |row sum| %.1e", rowSumsOfDz.map(abs).max()!))
        let active = h1.scalars.filter { $0 > 0 }.count
        print("ReLU passed the gradient through \(active) of its \(h1.count) units and stopped it at the rest")
    }

    // MARK: 2. Convolution as a GEMM, and its backward as two GEMMs and a col2im
    //
    // A convolution (Sources/VAENeural/Layers/Conv2d.swift) slides a kh×kw filter over the image.
    // im2col copies every input patch into a column of a matrix col with C·kh·kw rows and one
    // column per output position of every image, B·OH·OW columns; then the convolution *is* a
    // matrix product,
    //
    //     Y' (O, B·OH·OW) = W (O, C·kh·kw) · col,
    //
    // permuted to (B, O, OH, OW), plus the bias. In which order the columns come does not
    // matter to the algebra, only to the speed. The code below uses the image-major order of
    // `im2col` (Im2Col.swift): image n fills columns n·OH·OW ..< (n+1)·OH·OW, easy to read.
    // `Conv2d` itself uses the batch-minor order (Im2ColBatchMinor.swift): it first transposes
    // the batch to (C·H·W, B), so that each pixel's B values lie side by side, and orders the
    // columns (position, image), column p·B + n for output position p of image n; col is then
    // (C·kh·kw, OH·OW·B), and im2col copies runs of B contiguous floats instead of runs of OW
    // (7 floats in the VAE's second convolution). The GEMMs are the same, with their columns
    // permuted, and the layer transposes Y' back to NCHW. So the backward is a Linear layer's
    // backward followed by im2col's. With G = ∂ℓ/∂Y' (the output gradient permuted the same way):
    //
    //     dW   = G · colᵀ           (O, C·kh·kw)     one GEMM; the sum over the batch is its K
    //     db   = Σ over columns of G                  (O)
    //     dcol = Wᵀ · G             (C·kh·kw, B·OH·OW) one GEMM
    //     dX   = col2im(dcol)
    //
    // im2col is linear and copies each pixel into up to kh·kw columns (the patches that cover it).
    // The backward of a copy is a sum: every copy's gradient is added back onto the pixel it came
    // from. That is col2im: the transpose of im2col. The transposed convolution
    // (ConvTranspose2d.swift), the decoder's upsampling layer, is exactly this backward pass used
    // as a forward pass, so its own backward is an ordinary convolution.
    func convolutionAsGEMM() throws {
        section("2. Convolution = im2col + GEMM; its backward = two GEMMs + col2im")
        var random = RandomSource(seed: options.seed &+ 2)
        let (b, c, o, size) = (2, 3, 4, 6)
        let conv = try Conv2d(inputChannels: c, outputChannels: o, kernelSize: 3, stride: 2, padding: 1, using: &random)
        let x = Tensor.gaussian([b, c, size, size], using: &random)
        conv.zeroGradients()
        let y = conv.forward(x)                                              // (B, O, OH, OW)
        let dy = Tensor.gaussian(y.shape, using: &random)
        let dx = conv.backward(dy)
        let (oh, ow) = (y.shape[2], y.shape[3])

        let k = (height: 3, width: 3), s = (height: 2, width: 2), p = (height: 1, width: 1)
        let col = try im2col(x, kernel: k, stride: s, padding: p)            // (C·9, B·OH·OW)
        let w = conv.weight.value.reshaped([o, c * 9])                       // (O, C·9)
        var yPrime = Tensor.matmul(w, col)                                   // (O, B·OH·OW)
        for row in 0..<o { for j in 0..<(b * oh * ow) { yPrime.scalars[row * b * oh * ow + j] += conv.bias!.value.scalars[row] } }
        let yByHand = batchMajor(yPrime, batch: b, height: oh, width: ow)
        let g = channelMajor(dy)                                             // (O, B·OH·OW)
        let dW = Tensor.matmul(g, col, transposeB: true).reshaped(conv.weight.value.shape)
        let db = rowSums(g)
        let dcol = Tensor.matmul(w, g, transposeA: true)                     // (C·9, B·OH·OW)
        let dxByHand = try col2im(dcol, imageShape: x.shape, kernel: k, stride: s, padding: p)

        print("input \(x.shape) → im2col \(col.shape) → W \(w.shape) · col = \(yPrime.shape) → output \(y.shape)")
        print("largest relative difference, im2col + GEMM by hand against Conv2d:")
        for (name, mine, library) in [("y", yByHand, y), ("∂ℓ/∂W", dW, conv.weight.gradient),
                                      ("∂ℓ/∂b", db, conv.bias!.gradient), ("∂ℓ/∂x", dxByHand, dx)] {
            print("  " + pad(name, 8) + String(format: "%.1e", relativeDifference(mine, library)))
        }
        // col2im adds: a pixel covered by several patches collects several gradients.
        let ones = Tensor(shape: col.shape, repeating: 1)
        let coverage = try col2im(ones, imageShape: x.shape, kernel: k, stride: s, padding: p)
        print("col2im of all-ones counts how many patches cover each pixel; for the first image row: "
              + (0..<size).map { String(Int(coverage[0, 0, 0, $0])) }.joined(separator: " "))
    }

    // MARK: 3. BatchNorm's backward pass, in compact form
    //
    // BatchNorm (Sources/VAENeural/Layers/BatchNorm.swift) normalises each channel over the batch:
    // with the channel's M = B·H·W values x_j, mean μ, biased variance v and σ = √(v + ε),
    //
    //     x̂_j = (x_j − μ)/σ,     y_j = γ x̂_j + β.
    //
    // The parameters are easy: dγ = Σ_j g_j x̂_j and dβ = Σ_j g_j. The input is not, because μ and
    // σ depend on every x_j. Using ∂μ/∂x_j = 1/M and ∂σ/∂x_j = x̂_j/M (since Σ(x_i − μ) = 0),
    //
    //     ∂x̂_i/∂x_j = (δ_ij − 1/M − x̂_i x̂_j / M) / σ,
    //
    // and summing ∂ℓ/∂x̂_i = γ g_i against it gives the compact formula
    //
    //     dx_j = (γ / (M σ)) · (M g_j − Σ_i g_i − x̂_j Σ_i g_i x̂_i),
    //
    // two sums per channel and one pass: no M×M Jacobian. Read it as: take the gradient, remove
    // its mean, and remove its component along x̂. So dx always satisfies
    //
    //     Σ_j dx_j = 0   and   Σ_j dx_j x̂_j = 0.
    //
    // The first has a practical consequence: a bias added just before a BatchNorm gets the
    // gradient Σ_j dx_j = 0. The normalisation subtracts it again, so it can never matter. Our
    // classifier's convolutions have no bias for that reason. (With one, Adam would turn the
    // rounding noise of that zero gradient into steps of ±lr: a pointless random walk that the
    // golden-trajectory test, Tests/VAECoreTests/Training/GoldenTrajectoryTests.swift, has to set aside.)
    func batchNormBackward() throws {
        section("3. BatchNorm: the compact backward formula")
        var random = RandomSource(seed: options.seed &+ 3)
        let (b, c, h, w) = (8, 3, 4, 4)
        let bn = BatchNorm2d(channels: c)
        for ch in 0..<c { bn.weight.value.scalars[ch] = 0.5 + Float(ch); bn.bias.value.scalars[ch] = Float(ch) - 1 }
        // Channels with different means and scales, as a convolution's output would have.
        var x = Tensor.gaussian([b, c, h, w], using: &random)
        for i in 0..<x.count { let ch = (i / (h * w)) % c; x.scalars[i] = x.scalars[i] * Float(ch + 1) + Float(3 * ch) }
        let y = bn.forward(x)
        let g = Tensor.gaussian(y.shape, using: &random)
        bn.zeroGradients()
        let dx = bn.backward(g)

        // The compact formula by hand, in Double, channel by channel.
        let m = b * h * w
        let epsilon = Double(bn.epsilon)
        var dxByHand = Tensor(shape: x.shape)
        print("channel   Σ dx        Σ dx·x̂      (Σ |dx|)   dγ          dβ")
        for ch in 0..<c {
            let idx = (0..<b).flatMap { n in (0..<(h * w)).map { (n * c + ch) * h * w + $0 } }
            let xs = idx.map { Double(x.scalars[$0]) }, gs = idx.map { Double(g.scalars[$0]) }
            let mu = xs.reduce(0, +) / Double(m)
            let sigma = (xs.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(m) + epsilon).squareRoot()
            let xhat = xs.map { ($0 - mu) / sigma }
            let sumG = gs.reduce(0, +)
            let sumGXhat = zip(gs, xhat).reduce(0) { $0 + $1.0 * $1.1 }
            let gamma = Double(bn.weight.value.scalars[ch])
            for (j, i) in idx.enumerated() {
                dxByHand.scalars[i] = Float(gamma / (Double(m) * sigma) * (Double(m) * gs[j] - sumG - xhat[j] * sumGXhat))
            }
            let dxs = idx.map { Double(dx.scalars[$0]) }
            print(String(format: "%4d     %+.1e    %+.1e    %8.3f    %+8.4f    %+8.4f", ch, dxs.reduce(0, +),
                         zip(dxs, xhat).reduce(0) { $0 + $1.0 * $1.1 }, dxs.reduce(0) { $0 + abs($1) },
                         bn.weight.gradient.scalars[ch], bn.bias.gradient.scalars[ch]))
        }
        print(String(format: "the compact formula by hand against BatchNorm2d.backward: largest relative difference %.1e",
                     relativeDifference(dxByHand, dx)))
        print("Σ dx and Σ dx·x̂ vanish up to Float rounding: a bias before BatchNorm would get no gradient.")
    }

    // MARK: 4. Checking every backward pass with finite differences
    //
    // A backward pass can be wrong in ways that still train (a gradient a bit too small, a
    // missing term), so every one is checked against the definition of the derivative. For the
    // scalar L = ⟨g, f(x)⟩ with a fixed random g, backward(g) must return ∂L/∂x. Along a random
    // unit direction v the central difference
    //
    //     (L(x + h v) − L(x − h v)) / 2h  =  ⟨∂L/∂x, v⟩ + O(h²)
    //
    // tests every coordinate of the gradient at once (an error in any of them changes the dot
    // product, unless it happens to be orthogonal to a random v). Each parameter is checked the
    // same way, along its own direction. The check is `checkGradients`
    // (Sources/VAENeural/Layers/GradientCheck.swift), the same function the tests run; the forward
    // passes are in Float, the sums in Double.
    //
    // The relative error |analytic − numeric| / max(|analytic|, |numeric|) has two sources:
    // truncation, the O(h²·f‴) left out of the central difference, which grows with h; and Float
    // rounding in the forward passes, of order ε·|L|/h with ε ≈ 1.2e-7, which grows as h shrinks.
    // A smooth layer has a sweet spot between them, near h = 1e-2 to 1e-1 here. An affine layer
    // (Linear, the convolutions: affine in x and in W) has no truncation error at all, so only
    // rounding remains and larger steps do better. The relative error is also inflated when a
    // random direction happens to be nearly orthogonal to the gradient (a small analytic value):
    // that is the scatter between directions. A real bug is different in kind: the BatchNorm below
    // that treats μ and σ as constants in its backward pass (the classic mistake) is off by ~0.1,
    // hundreds of times the median error of the correct one. (Only 0.1, because a random upstream
    // gradient has little of its energy in the two directions per channel, the mean and x̂, that
    // the missing terms remove.)
    //
    // In Float that difference in kind is not a clean separation: the worst direction of the
    // correct conv–BN–tanh–FC network reaches a few 10⁻², above the bug's best, since BatchNorm
    // leaves little of a random direction in the loss and Float rounding divided by h is then
    // as large as the derivative. So the check runs a second time in Float64
    // (`checkGradients(of:input:reference:)`): the same Float backward passes, but the finite
    // differences taken of the forward passes written again in Double, loop by loop (Helpers.swift),
    // at h = 1e-4, where both rounding (10⁻¹⁶·|L|/h) and truncation (h²) are far below 10⁻⁶. What
    // remains is the Float rounding of the analytic gradient itself, and the bug stands out by
    // orders of magnitude.
    //
    // ReLU has a kink at 0, where its slope jumps from 0 to 1; a step that carries a unit across
    // it compares a slope with a secant. Alone that is rare, but in a network where one
    // parameter moves many units at once (BatchNorm's β shifts a whole channel), units sitting
    // near 0 cross, and the check can report large errors for a correct backward pass. The
    // whole-network case in the figure therefore uses tanh; the same network with ReLU is
    // printed beside it, parameter by parameter. The pattern gives the kink away: errors are
    // large for β and the convolution's weight, which move the units before the ReLU up and
    // down, and tiny for γ (with β = 0, as initialised, γ·x̂ keeps its sign when γ changes, so no
    // unit crosses 0) and for the Linear layer after the ReLU, which moves no unit at all. (The
    // ReLU network's backward pass is right: the golden-trajectory test trains one against
    // PyTorch.)
    //
    // The losses are checked as layers with a one-number output (`LossLayer`, in Helpers.swift).
    // That number is rounded to Float once, so a loss summed over many terms sits higher than
    // the layers, near ε·|L|/h relative to a derivative of order 1.
    func gradientCheck(_ figures: FigureWriter) throws {
        section("4. Gradient check: backward passes against central differences")
        var random = RandomSource(seed: options.seed &+ 4)
        // Each case: a name, a fresh layer, and an input. Losses are wrapped as layers.
        var cases: [(name: String, layer: Layer, input: Tensor)] = []
        func add(_ name: String, _ layer: Layer, _ shape: [Int], scale: Float = 1, offset: Float = 0) {
            cases.append((name, layer, Tensor.gaussian(shape, mean: offset, standardDeviation: scale, using: &random)))
        }
        func smallNetwork(_ activation: Layer) throws -> Sequential {
            Sequential([
                try Conv2d(inputChannels: 1, outputChannels: 4, kernelSize: 3, stride: 2, padding: 1, bias: false, using: &random),
                BatchNorm2d(channels: 4), activation, Flatten(),
                try Linear(inputFeatures: 4 * 4 * 4, outputFeatures: 10, using: &random),
            ])
        }
        add("Linear", try Linear(inputFeatures: 20, outputFeatures: 10, using: &random), [8, 20])
        add("Conv2d", try Conv2d(inputChannels: 3, outputChannels: 4, kernelSize: 3, stride: 2, padding: 1, using: &random), [4, 3, 8, 8])
        add("ConvTranspose2d", try ConvTranspose2d(inputChannels: 4, outputChannels: 3, kernelSize: 4, stride: 2, padding: 1,
                                                   using: &random), [4, 4, 5, 5])
        add("BatchNorm2d", BatchNorm2d(channels: 4), [6, 4, 5, 5], scale: 2, offset: 1)
        add("BatchNorm1d", BatchNorm1d(features: 10), [16, 10], scale: 2, offset: 1)
        add("ReLU", ReLU(), [8, 50])
        add("LeakyReLU", LeakyReLU(), [8, 50])
        add("ELU", ELU(), [8, 50])
        add("Sigmoid", Sigmoid(), [8, 50], scale: 2)
        add("Tanh", Tanh(), [8, 50], scale: 2)
        add("Softplus", Softplus(), [8, 50], scale: 2)
        let labels = (0..<8).map { _ in random.uniformInt(below: 10) }
        let bugFactor = Float(1 + lossGradientError)          // 1: no bug planted
        add("softmax CE", LossLayer(bugFactor: bugFactor) { try softmaxCrossEntropy(logits: $0, labels: labels, reduction: .sum) }, [8, 10], scale: 2)
        let targets = Tensor.uniform([4, 10], using: &random)
        add("BCE (logits)", LossLayer(bugFactor: bugFactor) { try binaryCrossEntropyWithLogits(logits: $0, targets: targets, reduction: .sum) },
            [4, 10], scale: 2)
        switch checkActivation {
        case .tanh: add("conv-BN-tanh-FC", try smallNetwork(Tanh()), [6, 1, 8, 8])
        case .relu: add("conv-BN-ReLU-FC", try smallNetwork(ReLU()), [6, 1, 8, 8])
        }
        add("bug: BN, μ σ fixed", BatchNormWithConstantStatistics(channels: 4), [6, 4, 5, 5], scale: 2, offset: 1)

        // (a) Every case at the tests' step h = 1e-2, for several seeds (directions).
        let seeds: [UInt64] = options.quick ? [1, 2, 3, 4] : Array(1...10)
        let floor = 1e-10   // an error of exactly 0 is drawn here, on the log axis
        var inputPoints: (x: [Double], y: [Double]) = ([], []), parameterPoints: (x: [Double], y: [Double]) = ([], [])
        var bugPoints: (x: [Double], y: [Double]) = ([], [])
        print("relative error at h = 1e-2 over \(seeds.count) random directions, median (worst):")
        print("  " + pad("layer", 20) + pad("∂L/∂input", 22) + "∂L/∂parameters")
        for (index, c) in cases.enumerated() {
            var inputErrors: [Double] = [], parameterErrors: [Double] = []
            for seed in seeds {
                let result = checkGradients(of: c.layer, input: c.input, seed: seed)
                inputErrors.append(result.input)
                parameterErrors += result.parameters.sorted { $0.key < $1.key }.map(\.value)   // a fixed order: the .gp file is reproducible
            }
            if c.layer is BatchNormWithConstantStatistics {
                bugPoints.x += inputErrors.map { _ in Double(index) - 0.12 }
                bugPoints.y += inputErrors.map { max($0, floor) }
            } else {
                inputPoints.x += inputErrors.map { _ in Double(index) - 0.12 }
                inputPoints.y += inputErrors.map { max($0, floor) }
            }
            parameterPoints.x += parameterErrors.map { _ in Double(index) + 0.12 }
            parameterPoints.y += parameterErrors.map { max($0, floor) }
            func summary(_ errors: [Double]) -> String {
                errors.isEmpty ? "—" : String(format: "%.1e (%.1e)", median(errors), errors.max()!)
            }
            print("  " + pad(c.name, 20) + pad(summary(inputErrors), 22) + summary(parameterErrors))
        }
        // The same small network with tanh and with ReLU, on the same input, along the same
        // directions: only the activation differs.
        let networkInput = Tensor.gaussian([6, 1, 8, 8], using: &random)
        let directions = Array(UInt64(1)...UInt64(options.quick ? 10 : 30))
        let columns = [("input", ""), ("conv W", "0.weight"), ("BN γ", "1.weight"), ("BN β", "1.bias"),
                       ("fc W", "4.weight"), ("fc b", "4.bias")]
        print("conv-BN-activation-FC at h = 1e-2, median error over \(directions.count) directions:")
        print("  " + pad("", 6) + columns.map { pad($0.0, 10) }.joined().trimmingCharacters(in: .whitespaces))
        for (name, activation) in [("tanh", Tanh() as Layer), ("ReLU", ReLU() as Layer)] {
            let network = try smallNetwork(activation)
            let results = directions.map { checkGradients(of: network, input: networkInput, seed: $0) }
            let medians = columns.map { _, key in median(results.map { key.isEmpty ? $0.input : $0.parameters[key]! }) }
            print("  " + pad(name, 6) + medians.map { pad(String(format: "%.1e", $0), 10) }.joined().trimmingCharacters(in: .whitespaces))
        }

        // (b) The error against the step h, for a few layers: rounding on the left, truncation
        // on the right. Median over the directions of the worst error (input or any parameter).
        let steps = (0...10).map { pow(10, -5 + Double($0) * 0.5) }   // 1e-5 … 1
        let swept = ["Linear", "Conv2d", "BatchNorm2d", "ReLU", "Sigmoid", "Tanh", "softmax CE"]
        var sweep: [Series] = []
        for name in swept {
            guard let c = cases.first(where: { $0.name == name }) else { continue }
            let errors = steps.map { h in
                median(seeds.map { max(checkGradients(of: c.layer, input: c.input, seed: $0, step: Float(h)).worst, floor) })
            }
            sweep.append(Series(name, x: steps, y: errors, style: .linesPoints, lineWidth: 1.5))
        }
        sweep.append(Series("∝ 1/h (Float rounding)", x: steps, y: steps.map { 1e-5 / $0 }, style: .dashed,
                            color: "#555555", lineWidth: 1.5))
        sweep.append(Series("∝ h² (truncation)", x: steps, y: steps.map { 1e-2 * $0 * $0 }, style: .dashed,
                            color: "#aaaaaa", lineWidth: 1.5))

        // (c) The same check in Float64: the finite differences of each forward pass written again
        // in Double (Helpers.swift), against the same Float backward passes, at h = 1e-4.
        let referenced = cases.compactMap { c in doubleForward(of: c.layer).map { (c.name, c.layer, c.input, $0) } }
        var float64: [(x: [Double], y: [Double])] = Array(repeating: ([], []), count: 3)   // input, parameters, the bug
        print("the same check in Float64 (finite differences of each forward pass in Double, h = 1e-4), median (worst):")
        print("  " + pad("layer", 20) + pad("∂L/∂input", 22) + "∂L/∂parameters")
        for (index, (name, layer, input, forward)) in referenced.enumerated() {
            var inputErrors: [Double] = [], parameterErrors: [Double] = []
            for seed in seeds {
                let result = try checkGradients(of: layer, input: input, seed: seed) { x, p in forward(x, input.shape, p).values }
                inputErrors.append(result.input)
                parameterErrors += result.parameters.sorted { $0.key < $1.key }.map(\.value)
            }
            let series = layer is BatchNormWithConstantStatistics ? 2 : 0
            float64[series].x += inputErrors.map { _ in Double(index) - 0.12 }
            float64[series].y += inputErrors.map { max($0, floor) }
            float64[1].x += parameterErrors.map { _ in Double(index) + 0.12 }
            float64[1].y += parameterErrors.map { max($0, floor) }
            func summary(_ errors: [Double]) -> String {
                errors.isEmpty ? "—" : String(format: "%.1e (%.1e)", median(errors), errors.max()!)
            }
            print("  " + pad(name, 20) + pad(summary(inputErrors), 22) + summary(parameterErrors))
        }

        let n = Double(cases.count)
        let perLayer = Panel.lines([
            Series("∂L/∂input", x: inputPoints.x, y: inputPoints.y, style: .points, lineWidth: 2),
            Series("∂L/∂parameter", x: parameterPoints.x, y: parameterPoints.y, style: .points, lineWidth: 2),
            Series("∂L/∂input, deliberate bug", x: bugPoints.x, y: bugPoints.y, style: .points, color: "#d62728", lineWidth: 2),
        ], title: "Float32: relative error of each backward pass (h = 1e-2, \(seeds.count) random directions each)",
           ylabel: "|analytic − numeric| / |analytic| (log scale)", logY: true, xRange: -0.5...(n - 0.5), yRange: 1e-10...10,
           legend: .topLeft, xTickLabels: TickLabel.categories(cases.map(\.name)))
        let inFloat64 = Panel.lines([
            Series("∂L/∂input", x: float64[0].x, y: float64[0].y, style: .points, lineWidth: 2),
            Series("∂L/∂parameter", x: float64[1].x, y: float64[1].y, style: .points, lineWidth: 2),
            Series("∂L/∂input, deliberate bug", x: float64[2].x, y: float64[2].y, style: .points, color: "#d62728", lineWidth: 2),
        ], title: "Float64 finite differences (forward passes in Double, h = 1e-4), same Float backward passes",
           ylabel: "|analytic − numeric| / |analytic| (log scale)", logY: true,
           xRange: -0.5...(Double(referenced.count) - 0.5), yRange: 1e-10...10, legend: .topLeft,
           xTickLabels: TickLabel.categories(referenced.map(\.0)))
        let byStep = Panel.lines(sweep, title: "Error against the finite-difference step h (median over directions)",
                                 xlabel: "step h (log scale)", ylabel: "relative error (log scale)", logX: true, logY: true,
                                 yRange: 1e-10...10, legend: .outside)
        try figures.save(Figure(title: "Gradient check: backward passes against central differences, in Float32 and in Float64",
                                panels: [perLayer, inFloat64, byStep], columns: 3, width: 2400, height: 640),
                         as: "ch03-gradient-check")
    }

    // MARK: 5. Training a convolutional classifier on MNIST
    //
    // Now the pieces train a real network: two strided convolutions, each followed by BatchNorm
    // and ReLU, then a Linear layer to 10 class logits,
    //
    //     (B,1,28,28) → conv1 16×3×3 /2 → (B,16,14,14) → BN → ReLU
    //                 → conv2 32×3×3 /2 → (B,32,7,7)   → BN → ReLU → flatten (B,1568) → fc → (B,10)
    //
    // the shape of the VAE's encoder at half its width (the encoder has 32 and 64 channels and
    // 4×4 kernels), trained with softmax cross-entropy and Adam (lr 1e-3, or `--learning-rate`)
    // on batches of 128, for one epoch. Each step is forward, loss, backward, update: everything
    // sections 1–4 derived, run 468 times (117 with --quick's 10,000 images). (A smaller network of the same kind, trained 20 steps from PyTorch's initial
    // weights, must agree with PyTorch: GoldenTrajectoryTests holds each step's loss to 1e-4
    // relative and the final weights to 1e-5 absolute, and prints the differences it observed.)
    // The per-layer timings printed at the end show where the time goes: conv2's three GEMMs
    // (32×144 by 144×6,272, forward and twice backward).
    //
    // While it trains we record, for each layer, the L2 norm of its parameters' gradient at every
    // step: the *gradient flow*. In a deep stack without normalisation these norms can shrink
    // (vanishing) or grow (exploding) by a constant factor per layer, so that early layers barely
    // learn or training diverges. Here BatchNorm rescales each layer's activations, which keeps
    // the gradients of all layers within a few orders of magnitude of each other. (A norm also
    // grows with the number of entries: fc has 15,690 parameters, bn1 32.) They fall as the loss
    // falls, since ∂ℓ/∂logits = softmax − onehot shrinks as predictions become right.
    //
    // We also record the size of each update relative to the weights, ‖Δθ‖/‖θ‖. Adam divides
    // each coordinate's step by the root-mean-square of its recent gradients, so it moves every
    // coordinate by at most about lr, whatever the gradient's scale; at the first step exactly
    // by lr·sign(g), since then m̂/√v̂ = g/|g| (0 where g = 0: fc's weights from a unit that ReLU
    // switched off for the whole batch). A layer of n parameters then moves by lr·√n, and
    // relative to its weights by lr / rms(θ): the scale of the *weights*, not of the gradients,
    // sets it. fc's small initial weights (rms 0.015) move by several per cent in the first
    // steps, BatchNorm's γ = 1 by 0.1 %. Later, as each coordinate's gradient becomes noisier
    // than it is large, m̂/√v̂ falls below 1 and so do the updates.
    //
    // The test loss is computed in evaluation mode, where BatchNorm uses its running averages
    // (momentum 0.1) instead of the batch's statistics. Early on those lag behind a network that
    // is changing quickly, which is part of why the first test losses sit above the train loss.
    func trainClassifier(_ figures: FigureWriter) throws {
        section("5. A convolutional classifier on MNIST")
        var train = try options.loadMNIST(.train)
        var test = try options.loadMNIST(.test)
        if options.quick {
            train = train.prefix(10_000)
            test = test.prefix(2_000)
        }
        var random = RandomSource(seed: options.seed &+ 5)
        // BatchNorm removes each channel's mean, so a convolution before it needs no bias; without
        // BatchNorm (--no-batchnorm) the convolutions get their biases back.
        let normalise = !noBatchnorm
        let conv1 = try Conv2d(inputChannels: 1, outputChannels: 16, kernelSize: 3, stride: 2, padding: 1, bias: !normalise, using: &random)
        let conv2 = try Conv2d(inputChannels: 16, outputChannels: 32, kernelSize: 3, stride: 2, padding: 1, bias: !normalise, using: &random)
        let fc = try Linear(inputFeatures: 32 * 7 * 7, outputFeatures: 10, using: &random)
        let layers: [(String, Layer)?] = [
            ("conv1", conv1), normalise ? ("bn1", BatchNorm2d(channels: 16)) : nil, ("relu1", ReLU()),
            ("conv2", conv2), normalise ? ("bn2", BatchNorm2d(channels: 32)) : nil, ("relu2", ReLU()),
            ("flatten", Flatten()), ("fc", fc),
        ]
        let model = try Sequential(layers.compactMap { $0 })
        let parameters = model.parameters
        print("parameters: " + parameters.map { "\($0.name) \($0.value.shape)" }.joined(separator: ", ")
              + "; \(parameters.reduce(0) { $0 + $1.value.count }) in all")
        let optimizer = try Adam(parameters, learningRate: Float(learningRate))
        var batches = BatchIterator(dataset: train, batchSize: 128, seed: options.seed, dropLast: true)
        let stepsPerEpoch = batches.batchesPerEpoch
        let evaluationCount = options.quick ? 4 : 8
        let evaluationSteps = Set((0...evaluationCount).map { $0 * stepsPerEpoch / evaluationCount })
        print("training on \(train.count) images (\(stepsPerEpoch) steps of 128, the last partial batch dropped), testing on \(test.count)")

        var losses: [Double] = []
        // The layers that have parameters, with the indices of their parameters in `parameters`.
        // Each also keeps its parameter count and lr / rms(θ) at the start: its relative update
        // at the first step, if Adam moves every coordinate by exactly lr then.
        var layerGroups: [(name: String, indices: [Int], count: Int, predictedFirstUpdate: Double)] = []
        var offset = 0
        for (name, layer) in zip(model.names, model.layers) where !layer.parameters.isEmpty {
            let count = layer.parameters.reduce(0) { $0 + $1.value.count }
            let squares = layer.parameters.reduce(0.0) { $0 + $1.value.norm() * $1.value.norm() }
            layerGroups.append((name, Array(offset ..< offset + layer.parameters.count), count,
                                Double(optimizer.learningRate) / (squares / Double(count)).squareRoot()))
            offset += layer.parameters.count
        }
        func groupNorm(_ indices: [Int], _ tensor: (Int) -> Tensor) -> Double {
            indices.reduce(0.0) { total, i in let n = tensor(i).norm(); return total + n * n }.squareRoot()
        }
        var gradientNorms = [[Double]](repeating: [], count: layerGroups.count)
        var updateRatios = [[Double]](repeating: [], count: layerGroups.count)
        var evaluations: [(step: Int, loss: Double, accuracy: Double)] = []
        var trainingTime = 0.0
        func evaluateNow(_ step: Int) throws {
            let (loss, accuracy) = try evaluate(model, on: test)
            evaluations.append((step, loss, accuracy))
            print(String(format: "  step %4d: test loss %.4f, test accuracy %.2f%%", step, loss, 100 * accuracy))
        }
        try evaluateNow(0)
        var step = 0
        while let batch = batches.next() {
            let start = Date()
            model.zeroGradients()
            let logits = model.forward(batch.images)
            let loss = try softmaxCrossEntropy(logits: logits, labels: batch.labels.map(Int.init), reduction: .mean)
            _ = model.backward(loss.gradient)
            trainingTime += seconds(since: start)
            let before = parameters.map(\.value)
            for (g, group) in layerGroups.enumerated() { gradientNorms[g].append(groupNorm(group.indices) { parameters[$0].gradient }) }
            let stepStart = Date()
            optimizer.step()
            trainingTime += seconds(since: stepStart)
            for (g, group) in layerGroups.enumerated() {
                updateRatios[g].append(groupNorm(group.indices) { parameters[$0].value - before[$0] } / groupNorm(group.indices) { before[$0] })
            }
            losses.append(loss.value)
            step += 1
            if evaluationSteps.contains(step) { try evaluateNow(step) }
        }
        let final = evaluations.last!
        print(String(format: "after one epoch: test accuracy %.2f%% (%d of %d test images), test loss %.4f",
                     100 * final.accuracy, Int((final.accuracy * Double(test.count)).rounded()), test.count, final.loss))
        print(String(format: "training: %.1f s for %d images, %.0f images/s (forward, backward and Adam; evaluation excluded)",
                     trainingTime, train.count, Double(train.count) / trainingTime))
        try timeLayers(model, batchSize: 128, data: train)

        // The gradient flow and the relative updates: one line per layer, log scale.
        let stepsAxis = Array(1...losses.count)
        let window = max(1, losses.count / 50)
        let smoothed = window > 1 ? " (exponential moving average, span \(window) steps)" : ""
        let flow = layerGroups.enumerated().map { g, group in
            Series(group.name, x: stepsAxis, y: exponentialMovingAverage(gradientNorms[g], span: Double(window)), lineWidth: 1.5)
        }
        let updates = layerGroups.enumerated().map { g, group in
            Series(group.name, x: stepsAxis, y: exponentialMovingAverage(updateRatios[g], span: Double(window)), lineWidth: 1.5)
        }
        print("  layer  params  gradient norm, first → last    update/weight, first → last")
        for (g, group) in layerGroups.enumerated() {
            let n = gradientNorms[g].count
            print(String(format: "  %@ %6d  %8.3g → %-8.3g     %.1e (lr/rms θ = %.1e) → %.1e", pad(group.name, 6), group.count,
                         gradientNorms[g][0], gradientNorms[g][n - 1], updateRatios[g][0], group.predictedFirstUpdate,
                         updateRatios[g][n - 1]))
        }
        try figures.save(Figure(title: "Gradient flow in the conv classifier\(smoothed)", panels: [
            .lines(flow, title: "Gradient norm of each layer, ‖∂ℓ/∂θ‖₂", xlabel: "training step (batch of 128)",
                   ylabel: "L2 norm of the layer's gradient", logY: true, legend: .topRight),
            .lines(updates, title: "Adam's update relative to the weights, ‖Δθ‖₂ / ‖θ‖₂", xlabel: "training step (batch of 128)",
                   ylabel: "relative update size", logY: true, legend: .topRight),
        ], columns: 2, width: 1500, height: 520),
                         as: "ch03-gradient-flow")

        // The loss curve and the test error.
        let evalSteps = evaluations.map(\.step)
        var lossSeries = [Series("train loss (per batch)", x: stepsAxis, y: losses, color: window > 1 ? "#aec7e8" : "#1f77b4",
                                 lineWidth: window > 1 ? 1 : 2)]
        if window > 1 {
            lossSeries.append(Series("train loss\(smoothed)", x: stepsAxis, y: exponentialMovingAverage(losses, span: Double(window)), color: "#1f77b4"))
        }
        lossSeries.append(Series("test loss", x: evalSteps, y: evaluations.map(\.loss), style: .linesPoints, color: "#d62728"))
        let lossPanel = Panel.lines(lossSeries, title: "Softmax cross-entropy", xlabel: "training step", ylabel: "loss (nats)", logY: true)
        let errorPanel = Panel.lines([
            Series("test error", x: evalSteps, y: evaluations.map { 100 * (1 - $0.accuracy) }, style: .linesPoints, color: "#d62728"),
        ], title: String(format: "Test error (final %.2f%%)", 100 * (1 - final.accuracy)),
           xlabel: "training step", ylabel: "misclassified test images (%)", logY: true)
        try figures.save(Figure(title: "Conv classifier on MNIST: one epoch of Adam, batch 128 (\(train.count) training images)",
                                panels: [lossPanel, errorPanel], columns: 2, width: 1500, height: 520),
                         as: "ch03-training")
    }

    // Where the time goes: each layer's forward and backward pass on one batch, timed separately
    // (the best of a few repeats). The convolutions' GEMMs dominate; BatchNorm, ReLU and the
    // permutations around the GEMMs are memory-bound passes over the activations.
    func timeLayers(_ model: Sequential, batchSize: Int, data: MNIST) throws {
        let (images, labels) = batch(of: data, 0..<batchSize)
        var forward = [Double](repeating: .infinity, count: model.layers.count)
        var backward = forward
        for _ in 0..<(options.quick ? 2 : 5) {
            model.zeroGradients()
            var activation = images
            for (i, layer) in model.layers.enumerated() {
                let start = Date()
                activation = layer.forward(activation)
                forward[i] = min(forward[i], seconds(since: start))
            }
            var gradient = try softmaxCrossEntropy(logits: activation, labels: labels, reduction: .mean).gradient
            for (i, layer) in model.layers.enumerated().reversed() {
                let start = Date()
                gradient = layer.backward(gradient)
                backward[i] = min(backward[i], seconds(since: start))
            }
        }
        model.zeroGradients()
        print("time per layer for one batch of \(batchSize) (best of a few runs):")
        print("  layer      forward (ms)   backward (ms)")
        for (i, name) in model.names.enumerated() {
            print("  " + pad(name, 9) + String(format: "  %10.2f   %12.2f", 1000 * forward[i], 1000 * backward[i]))
        }
        print(String(format: "  total      %10.2f   %12.2f", 1000 * forward.reduce(0, +), 1000 * backward.reduce(0, +)))
    }
}

Chapter3.main()

// MARK: What you learned
//
// Backpropagation carries one gradient array per layer from the loss backwards, and each layer only
// turns the gradient of its output into the gradients of its input and its parameters: dX = G·W,
// dW = Gᵀ·X and db = Σ_n G for a linear layer, a mask for ReLU, and softmax(z) − onehot(y) for
// softmax cross-entropy. A convolution's backward pass is two GEMMs and a col2im, the transpose of
// im2col, and BatchNorm's compact formula removes the gradient's mean and its component along x̂,
// which is why a bias just before a BatchNorm never learns. Every backward pass is checked against
// central differences along random directions: the run shows the step h trading truncation against
// Float rounding, the ReLU kink inflating the error of a correct network, and a BatchNorm that
// treats μ and σ as constants standing out by orders of magnitude once the differences are taken in
// Float64. The pieces then train a small convolutional classifier on MNIST for one epoch with Adam,
// and the run prints the test accuracy climbing, every layer's gradient norm shrinking as the loss
// falls, and the first relative updates matching lr / rms(θ), since Adam moves every coordinate by
// about lr whatever its gradient's scale.

// MARK: Experiments
//
// 1. The learning rate. `swift run -c release ch03-backprop --learning-rate 1e-2 --figures /tmp/ch03-lr2`,
//    then `--learning-rate 1e-4 --figures /tmp/ch03-lr4`: Adam moves every coordinate by about lr
//    per step, so the first column of "update/weight, first → last" scales with it (and still
//    matches lr/rms θ). Look at the "after one epoch: test accuracy" line and the loss curve of
//    ch03-training against the default run (lr 1e-3): which learns faster in one epoch, and which
//    is noisier?
//    Answer: run `ch03-backprop --learning-rate 1e-2 --figures /tmp/ch03-lr2`, section 5
//    Answer: run `ch03-backprop --learning-rate 1e-4 --figures /tmp/ch03-lr4`, section 5
// 2. No BatchNorm. `swift run -c release ch03-backprop --no-batchnorm --figures /tmp/ch03-nobn` trains
//    the classifier of `trainClassifier` without its entries `("bn1", …)` and `("bn2", …)` (and
//    with biases in the convolutions, since no normalisation now removes them). Compare
//    ch03-gradient-flow with the default run's: do the layers' gradient norms stay as close
//    together without BatchNorm? Compare the "after one epoch: test accuracy" line too.
//    Answer: run `ch03-backprop --no-batchnorm --figures /tmp/ch03-nobn`, section 5
// 3. The ReLU kink in the gradient check. `swift run -c release ch03-backprop --check-activation relu --figures /tmp/ch03-relu`
//    builds the gradient check's small network, `add("conv-BN-tanh-FC", …)` in `gradientCheck`,
//    with `ReLU()` instead of `Tanh()`: does that point of ch03-gradient-check rise, although
//    the backward pass is right, as the printed "conv-BN-activation-FC" table (tanh row against
//    ReLU row) predicts?
//    Answer: run `ch03-backprop --check-activation relu --figures /tmp/ch03-relu`, section 4
// 4. A bug the check must catch. `swift run -c release ch03-backprop --loss-gradient-error 0.01 --figures /tmp/ch03-bug`
//    makes `LossLayer.backward` (Helpers.swift) return its gradient 1% too large, as if it were
//    `gradient * (outputGradient.scalars[0] * 1.01)`. Do the "softmax CE" and "BCE (logits)"
//    lines of the gradient-check table stand out from the other layers' medians? Compare with the
//    same lines of the default run.
//    Answer: run `ch03-backprop --loss-gradient-error 0.01 --figures /tmp/ch03-bug`, section 4
