// Chapter 2 — Convolution, im2col, and the transposed convolution
// ===============================================================
//
// The VAE's encoder reads a 28×28 digit through two convolutions (28×28 → 14×14 → 7×7) and its
// decoder paints one back through two transposed convolutions (7×7 → 14×14 → 28×28). This
// chapter writes a convolution as the loops of its definition, turns it into one matrix multiply
// (im2col + GEMM, how every fast implementation does it), looks at what random and trained
// filters see in a digit, and shows that the transposed convolution, the decoder's upsampler, is
// nothing new: it is the convolution's gradient with respect to its input, used as a layer.
//
//     swift run -c release ch02-convolution [--quick] [--bilinear U0 U1 U2 U3] [--speed-batch N]
//                                           [--data DIR] [--figures DIR] [--seed N]
//
// Figures: ch02-filters.png, ch02-im2col.png, ch02-feature-maps-random.png,
// ch02-feature-maps-trained.png and ch02-feature-maps-layers.png (once ch05-elbo has written a
// checkpoint), ch02-upsampling.png.

import ArgumentParser
import CourseSupport
import Foundation
import VAECore

struct Chapter2: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ch02-convolution",
        abstract: "Chapter 2: convolution by hand and as im2col + GEMM, feature maps, and transposed convolution.")

    @OptionGroup var options: ChapterOptions

    @Option(parsing: .upToNextOption, help: ArgumentHelp(
        "The four weights u of section 4's bilinear upsampling kernel u·uᵀ (default: 0.25 0.75 0.75 0.25).", valueName: "u"))
    var bilinear: [Float] = [0.25, 0.75, 0.75, 0.25]

    @Option(parsing: .unconditional, help: "Images in the batch of section 2's speed measurement (default: 32, or 8 with --quick).")
    var speedBatch: Int?

    func validate() throws {
        guard bilinear.count == 4 else { throw ValidationError("--bilinear takes four weights, not \(bilinear.count)") }
        for weight in bilinear where !weight.isFinite || abs(weight) > 100 {
            throw ValidationError("every --bilinear weight must be a number between −100 and 100, not \(weight)")
        }
        if let speedBatch, !(1...512).contains(speedBatch) {
            throw ValidationError("--speed-batch must lie between 1 and 512, not \(speedBatch)")
        }
    }

    func run() throws {
        options.announcePlan()                    // what it will train or reuse, and for how long
        let figures = try options.figureWriter()
        let test = try options.loadMNIST(.test)
        var random = RandomSource(seed: options.seed)
        let index = random.uniformInt(below: test.count)
        let digit = test.images.slice(index)  // (1, 28, 28)
        print("the digit this chapter follows: test image \(index), a \(test.labels[index])")

        try byHand(digit, figures)
        // The VAE's first layer, freshly initialised as PyTorch would: Conv2d(1 → 32, k4, s2, p1).
        let firstLayer = try Conv2d(inputChannels: 1, outputChannels: 32, kernelSize: 4, stride: 2, padding: 1,
                                    using: &random)
        let maps = try asMatrixMultiply(digit, firstLayer, figures, random: &random)
        try featureMaps(digit, firstLayer, maps, figures)
        try transposedConvolution(digit, firstLayer, figures, random: &random)
    }

    // MARK: 1. A convolution, by hand
    //
    // A convolution slides a small window, the *kernel* or *filter* (k×k weights per input
    // channel), over the image. At each position it multiplies the pixels under the window by the
    // weights and adds them up, one number per position: the *feature map*
    //
    //     y[o, oh, ow] = b[o] + Σ_c Σ_ki Σ_kj W[o, c, ki, kj] · x[c, oh·s − p + ki, ow·s − p + kj].
    //
    // - The *stride* s is how far the window moves between positions: s = 2 visits every other
    //   row and column, halving the resolution.
    // - The *padding* p surrounds the image with p rows and columns of zeros, so that the window
    //   can sit over the border (pixels outside the image read as 0).
    // - Output size: on the padded image of H + 2p rows the window's first row can start at
    //   0, s, 2s, ... as long as it still fits, start + k ≤ H + 2p. That makes
    //
    //         OH = ⌊(H + 2p − k) / s⌋ + 1       (likewise OW),
    //
    //   and the ⌊⌋ means that rows the window cannot reach with a whole step are dropped.
    //
    // (Strictly this is a cross-correlation: a mathematician's convolution flips the kernel
    // first. Deep learning libraries all compute it unflipped and call it convolution; since the
    // filters are learned, the flip would make no difference.)
    //
    // Why convolutions for images: one filter is applied at every position, so a stroke is
    // detected wherever it is (translation equivariance), each output depends only on a small
    // neighbourhood (locality), and the layer needs very few weights (section 2 counts them).
    //
    // Hand-made filters show what a single filter computes. Sobel x weighs the column to the right
    // of the centre +1, +2, +1 and the column to the left −1, −2, −1: it responds where brightness
    // increases from left to right (the left edge of a stroke, positive) or decreases (the right
    // edge, negative). Sobel y does the same vertically. A Gaussian blur averages a neighbourhood
    // (weights [1 2 1]ᵀ[1 2 1]/16, which sum to 1); a Laplacian (4 neighbours − 4·centre) is zero on
    // flat areas and lines and responds to the curvature of the ink.
    func byHand(_ digit: Tensor, _ figures: FigureWriter) throws {
        section("1. A convolution by hand: sliding window, stride, padding")
        print("output size ⌊(H + 2p − k)/s⌋ + 1, by the formula and by running the loops:")
        var random = RandomSource(seed: options.seed &+ 1)
        let cases: [(size: Int, k: Int, s: Int, p: Int, note: String)] = [
            (28, 3, 1, 1, "\"same\" padding keeps the size"),
            (28, 3, 1, 0, "no padding loses k − 1"),
            (28, 4, 2, 1, "the VAE's first conv halves it"),
            (14, 4, 2, 1, "and its second halves it again"),
            (28, 5, 3, 0, "⌊23/3⌋ = 7: the last 2 rows are never reached"),
        ]
        for c in cases {
            let image = Tensor.gaussian([1, c.size, c.size], using: &random)
            let kernel = Tensor.gaussian([1, 1, c.k, c.k], using: &random)
            let y = try convolveByHand(image, kernel, bias: nil, stride: c.s, padding: c.p)
            let formula = (c.size + 2 * c.p - c.k) / c.s + 1
            print(String(format: "  H = %2d, k = %d, s = %d, p = %d:  (%2d + %d − %d)/%d + 1 = %2d;  loops gave %2d×%-2d  (%@)",
                         c.size, c.k, c.s, c.p, c.size, 2 * c.p, c.k, c.s, formula, y.shape[1], y.shape[2], c.note))
        }

        let names = ["Sobel x", "Sobel y", "Gaussian blur", "Laplacian"]
        let kernels: [[Float]] = [
            [-1, 0, 1,
             -2, 0, 2,
             -1, 0, 1],
            [-1, -2, -1,
              0,  0,  0,
              1,  2,  1],
            [1, 2, 1,
             2, 4, 2,
             1, 2, 1].map { $0 / 16 },
            [0,  1, 0,
             1, -4, 1,
             0,  1, 0],
        ]
        let weight = Tensor(shape: [kernels.count, 1, 3, 3], scalars: kernels.flatMap { $0 })  // (4, 1, 3, 3)
        let responses = try convolveByHand(digit, weight, bias: nil, stride: 1, padding: 1)   // (4, 28, 28)
        let reference = try conv2dReference(input: digit.reshaped([1, 1, 28, 28]), weight: weight, bias: nil,
                                            stride: (1, 1), padding: (1, 1))
        print(String(format: "\nthe digit through 4 hand-made 3×3 filters (s = 1, p = 1 → 28×28 maps);"
                     + " max |hand loops − conv2dReference| = %.2g", responses.maxAbsDifference(reference.reshaped([4, 28, 28]))))
        for (o, name) in names.enumerated() {
            let map = responses.slice(o)
            print(String(format: "  %-14@ min %+6.3f  max %+6.3f  mean %+6.3f", name, map.min()!, map.max()!, map.mean()))
        }

        // Each kernel and each map is scaled by its own largest |value|, so that white is 0, red
        // positive and blue negative in every picture.
        let kernelGrid = try ImageGrid(images: kernels.map(scaledToUnit), height: 3, width: 3, rows: 1, columns: 4,
                                       columnTitles: names, palette: .blueWhiteRed, valueRange: -1...1, gap: 1,
                                       pixelScale: 30)
        let mapGrid = try ImageGrid(images: [digit.scalars] + (0..<4).map { scaledToUnit(responses.slice($0).scalars) },
                                    rows: 1, columns: 5, columnTitles: ["input"] + names,
                                    palette: .blueWhiteRed, valueRange: -1...1, pixelScale: 6)
        try figures.save(Figure(title: "Hand-made 3×3 filters and what they see (red > 0 > blue, each scaled to its max |value|)",
                                panels: [.images(kernelGrid, title: "the filters W[ki, kj]"),
                                         .images(mapGrid, title: "the digit convolved with each (stride 1, padding 1)")],
                                columns: 1, width: 1100, height: 720),
                         as: "ch02-filters")
    }

    /// The convolution of one image `image` (C, H, W) with the filters `weight` (O, C, k, k),
    /// written as its definition: for every filter o and every window position (oh, ow), the dot
    /// product of the filter with the pixels under the window, zero where the window hangs over
    /// the padding. Returns (O, OH, OW), OH = ⌊(H + 2p − k)/s⌋ + 1.
    ///
    /// Six nested loops, one multiply-add at a time, in Float: slow on purpose, and obviously
    /// the formula.
    /// - Complexity: O·OH·OW·C·k² multiply-adds.
    func convolveByHand(_ image: Tensor, _ weight: Tensor, bias: Tensor?, stride s: Int, padding p: Int) throws -> Tensor {
        guard image.rank == 3, weight.rank == 4, weight.shape[1] == image.shape[0], weight.shape[2] == weight.shape[3],
              s > 0, p >= 0, bias == nil || bias!.shape == [weight.shape[0]] else {
            throw ValidationError("convolveByHand: image \(image.shape), weight \(weight.shape), bias \(bias?.shape ?? []), "
                                  + "stride \(s), padding \(p) do not fit together")
        }
        let (C, H, W) = (image.shape[0], image.shape[1], image.shape[2])
        let (O, k) = (weight.shape[0], weight.shape[2])
        guard H + 2 * p >= k, W + 2 * p >= k else {
            throw ValidationError("convolveByHand: a \(k)×\(k) window does not fit a \(H)×\(W) image padded by \(p)")
        }
        let OH = (H + 2 * p - k) / s + 1, OW = (W + 2 * p - k) / s + 1
        let x = image.scalars, w = weight.scalars, b = bias?.scalars
        var y = [Float](repeating: 0, count: O * OH * OW)
        for o in 0..<O {                         // each filter makes one feature map
            for oh in 0..<OH {                   // each window position: its row ...
                for ow in 0..<OW {               // ... and column
                    var sum = b?[o] ?? 0
                    for c in 0..<C {             // the window covers every input channel
                        for ki in 0..<k {
                            for kj in 0..<k {
                                let ih = oh * s - p + ki, iw = ow * s - p + kj  // the pixel under tap (ki, kj)
                                guard ih >= 0, ih < H, iw >= 0, iw < W else { continue }  // padding reads 0
                                sum += w[((o * C + c) * k + ki) * k + kj] * x[(c * H + ih) * W + iw]
                            }
                        }
                    }
                    y[(o * OH + oh) * OW + ow] = sum
                }
            }
        }
        return Tensor(shape: [O, OH, OW], scalars: y)
    }

    // MARK: 2. The same convolution as one matrix multiply: im2col + GEMM
    //
    // Every output value is a dot product of a filter (C·k² numbers) with the patch under the
    // window (C·k² numbers). im2col ("image to columns") copies each patch into one column of a
    // matrix:
    //
    //     col[(c, ki, kj), (oh, ow)] = x[c, oh·s − p + ki, ow·s − p + kj]      (C·k², OH·OW)
    //
    // rows = kernel taps (c, ki, kj), columns = output positions (oh, ow). The filters, read as
    // stored, are a matrix W (O, C·k²), one filter per row. Then all O·OH·OW dot products are one
    // matrix product,
    //
    //     Y (O, OH·OW) = W (O, C·k²) · col (C·k², OH·OW),
    //
    // and row o of Y, reshaped to OH×OW, is feature map o. im2col costs memory (every pixel is
    // copied about k²/s² times) but hands all the arithmetic to the GEMM of chapter 1, which can
    // run near the machine's peak on every core; the loops of section 1 cannot. For the VAE's
    // first layer, Conv2d(1 → 32, k4, s2, p1) on a 28×28 digit, col is (16, 196) and W is (32, 16).
    //
    // The layer has 32·16 weights + 32 biases = 544 parameters. A fully connected layer with the
    // same input and output sizes (784 → 32·14·14 = 6272) would have 4.9 million: sharing one
    // small filter over all positions is what makes convolutions cheap in parameters.
    func asMatrixMultiply(_ digit: Tensor, _ layer: Conv2d, _ figures: FigureWriter,
                          random: inout RandomSource) throws -> Tensor {
        section("2. The same convolution as im2col + one matrix multiply")
        let col = try im2col(digit, kernel: (4, 4), stride: (2, 2), padding: (1, 1))   // (16, 196)
        let filters = layer.weight.value.reshaped([32, 16])                           // (32, 16)
        var y = Tensor.matmul(filters, col)                                           // (32, 196)
        let bias = layer.bias!.value
        for o in 0..<32 { for j in 0..<196 { y[o, j] += bias[o] } }
        let viaGEMM = y.reshaped([32, 14, 14])

        let byHand = try convolveByHand(digit, layer.weight.value, bias: bias, stride: 2, padding: 1)
        let viaLayer = layer.forward(digit.reshaped([1, 1, 28, 28])).reshaped([32, 14, 14])
        let reference = try conv2dReference(input: digit.reshaped([1, 1, 28, 28]), weight: layer.weight.value, bias: bias,
                                            stride: (2, 2), padding: (1, 1)).reshaped([32, 14, 14])
        let parameters = layer.parameters.reduce(0) { $0 + $1.value.count }
        print("Conv2d(1 → 32, k4, s2, p1): weight \(layer.weight.value.shape), \(parameters) parameters"
              + " (a dense 784 → 6272 layer: \(784 * 6272 + 6272))")
        print("im2col of the digit: \(col.shape) (rows = 4×4 kernel taps, columns = 14×14 output positions);"
              + " W as a matrix: \(filters.shape); W · col: \(y.shape) → feature maps \(viaGEMM.shape)")
        print(String(format: "max |im2col + matmul − hand loops|       = %.2g", viaGEMM.maxAbsDifference(byHand)))
        print(String(format: "max |Conv2d.forward   − hand loops|       = %.2g", viaLayer.maxAbsDifference(byHand)))
        print(String(format: "max |Conv2d.forward   − conv2dReference|  = %.2g   (reference sums in Double)",
                     viaLayer.maxAbsDifference(reference)))
        print(String(format: "largest |feature value| %.3f: the differences are float32 rounding, from summing in another order",
                     Double(viaGEMM.scalars.map(abs).max()!)))

        try speed(random: &random)

        // The picture: the matrix itself, and each of its 16 rows laid back out as a 14×14 image.
        let rowImages = (0..<16).map { Array(col.scalars[$0 * 196 ..< ($0 + 1) * 196]) }
        let taps = (0..<16).map { "(\($0 / 4),\($0 % 4))" }
        try figures.save(Figure(title: "im2col of the digit for a 4×4 kernel, stride 2, padding 1: a (16, 196) matrix",
                                panels: [
                                    .heatmap(try Heatmap(col, palette: .viridis),
                                             title: "row r = kernel tap (ki, kj) = (r / 4, r % 4); column j = output position (oh, ow) = (j / 14, j % 14)",
                                             xlabel: "column j: output position oh·14 + ow", ylabel: "row r: tap ki·4 + kj"),
                                    .images(try ImageGrid(images: rowImages, height: 14, width: 14, rows: 2, columns: 8,
                                                          captions: taps, pixelScale: 4),
                                            title: "each row reshaped to 14×14: the digit sampled every 2nd pixel, shifted by the tap (ki − 1, kj − 1)"),
                                ],
                                columns: 1, width: 1100, height: 1000),
                         as: "ch02-im2col")
        return viaGEMM
    }

    /// Times the hand loops against the library's Conv2d (im2col + GEMM, on every core) on the
    /// VAE's second convolution, Conv2d(32 → 64, k4, s2, p1) on 14×14 maps: 64·49·512 = 1.6 M
    /// multiply-adds per image, where the im2col matrix is (512, 49) per image and W is (64, 512).
    func speed(random: inout RandomSource) throws {
        let batch = speedBatch ?? (options.quick ? 8 : 32)
        let layer = try Conv2d(inputChannels: 32, outputChannels: 64, kernelSize: 4, stride: 2, padding: 1, using: &random)
        let x = Tensor.gaussian([batch, 32, 14, 14], using: &random)
        let clock = ContinuousClock()
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

        var handOutput: [Tensor] = []
        let handTime = seconds(try clock.measure {
            handOutput = try (0..<batch).map { try convolveByHand(x.slice($0), layer.weight.value, bias: layer.bias!.value, stride: 2, padding: 1) }
        })
        var layerOutput = layer.forward(x)   // warm up: the layer grows its scratch buffers once
        var layerTime = Double.infinity
        for _ in 0..<5 { layerTime = min(layerTime, seconds(clock.measure { layerOutput = layer.forward(x) })) }
        let hand = Tensor(shape: [batch, 64, 7, 7], scalars: handOutput.flatMap(\.scalars))
        let flop = 2.0 * Double(batch * 64 * 49 * 512)
        print(String(format: "\nspeed, Conv2d(32 → 64, k4, s2, p1) on a batch of %d maps (32, 14, 14), %.0f MFLOP:", batch, flop / 1e6))
        print(String(format: "  hand loops (one core)         %8.2f ms   %6.2f GFLOP/s", handTime * 1e3, flop / handTime / 1e9))
        print(String(format: "  Conv2d.forward: im2col + gemm %8.2f ms   %6.2f GFLOP/s   (best of 5, %d cores)", layerTime * 1e3,
                     flop / layerTime / 1e9, ProcessInfo.processInfo.activeProcessorCount))
        print(String(format: "  ratio %.0f×; max |difference| %.2g", handTime / layerTime, layerOutput.maxAbsDifference(hand)))
    }

    // MARK: 3. Feature maps: what the VAE's first layer sees
    //
    // The 32 filters of Conv2d(1 → 32, k4, s2, p1), PyTorch-initialised, are independent draws
    // from U(−1/√16, 1/√16) = U(−0.25, 0.25) (fan_in = C·k² = 16): noise, with no structure. Their
    // maps are still recognisably the digit, because each value is a weighted sum of a 4×4
    // neighbourhood of ink, so every map is a smeared copy of the digit, of either sign; but no
    // filter was chosen to look for anything. Training chooses them: once ch05-elbo has trained
    // the VAE, ch02-feature-maps-trained shows the same layer's filters and maps after training,
    // to compare with the hand-made edge and blur filters of section 1. The two figures share one
    // colour scale for the filters and one for the maps (the colour bars give it), so that the
    // colours compare: trained filters are larger than the initial ones, and their maps stronger.
    //
    // ch02-feature-maps-layers follows the digit through every layer of both networks, encoder
    // and decoder, whose output is an image (channels × height × width), for the random model and
    // the trained one side by side: the decoder starts from each model's own code μ(x) of the
    // digit. Every panel has its own colour scale, ±(the largest |value| of the maps it shows),
    // written in its title and on its colour bar: the random network's values shrink layer by
    // layer to a fraction of the trained one's, and on a shared scale its maps would be blank.
    // So compare the patterns across a row, and the sizes through the ± of the titles. The
    // random encoder's maps stay blurred copies of the digit, and its decoder, from a code that
    // says little, paints a faint checkered texture; the trained encoder's maps pick out
    // strokes, and the trained decoder paints the digit back, many times stronger.
    func featureMaps(_ digit: Tensor, _ layer: Conv2d, _ maps: Tensor, _ figures: FigureWriter) throws {
        section("3. Feature maps of the VAE's first layer: random filters, then trained ones")
        let positive = Double(maps.scalars.filter { $0 > 0 }.count) / Double(maps.count)
        print(String(format: "random filters: weights in [%.3f, %.3f] (bound 1/√16 = 0.25); maps (32, 14, 14): mean %+.3f,"
                     + " sd %.3f, %.0f%% positive (what a ReLU would keep)",
                     layer.weight.value.min()!, layer.weight.value.max()!, maps.mean(), maps.variance().squareRoot(), 100 * positive))

        // Chapter 5's run: runs/vae, or runs/quick/vae when this chapter runs with --quick.
        let checkpoint = TrainingRun.checkpoint(in: options.runFolder(Chapter5Run.folderName))
        let trained = try trainedFirstLayer(checkpoint, digit)
        // One scale for both figures: the filters' (at least the initial bound), and the maps'.
        let filterRange = max(0.25, trained.map { Double($0.weight.scalars.map(abs).max()!) } ?? 0)
        let mapRange = max(Double(maps.scalars.map(abs).max()!), trained.map { Double($0.maps.scalars.map(abs).max()!) } ?? 0)
        try figures.save(filtersAndMaps(weight: layer.weight.value, maps: maps, filterRange: filterRange, mapRange: mapRange,
                                        title: "The VAE's first layer, PyTorch-initialised: Conv2d(1 → 32, k4, s2, p1)"),
                         as: "ch02-feature-maps-random")
        guard let trained else {
            print("no trained checkpoint at \(CoursePaths.relative(checkpoint.path)): the trained-filter figures (ch02-feature-maps-trained,"
                  + " ch02-feature-maps-layers) are produced after running ch05-elbo" + (options.quick ? " --quick" : ""))
            return
        }
        print(String(format: "trained filters from %@: weights in [%.3f, %.3f]%@", CoursePaths.relative(checkpoint.path),
                     trained.weight.min()!, trained.weight.max()!, trained.hasBias ? "" : " (no bias)"))
        try figures.save(filtersAndMaps(weight: trained.weight, maps: trained.maps, filterRange: filterRange, mapRange: mapRange,
                                        title: "The VAE's first layer after training (encoder.conv1): Conv2d(1 → 32, k4, s2, p1)"),
                         as: "ch02-feature-maps-trained")
        try everyLayer(digit, trained: trained.model, figures)
    }

    /// The trained model of `checkpoint`, its first layer's filters (32, 1, 4, 4) and their maps
    /// of `digit`; nil when there is no checkpoint.
    func trainedFirstLayer(_ checkpoint: URL, _ digit: Tensor) throws -> (model: VAE, weight: Tensor, hasBias: Bool, maps: Tensor)? {
        guard FileManager.default.fileExists(atPath: checkpoint.path) else { return nil }
        let saved = try Checkpoint.read(from: checkpoint)
        let file = saved.tensors
        if let training = saved.training, let state = saved.state {
            print("trained run: \(CoursePaths.relative(checkpoint.path)) [\(saved.fingerprint.map { String($0.prefix(12)) } ?? "no fingerprint")]: "
                  + "\(TrainingRun.describe(training)), \(state.epoch) epochs done")
        }
        guard let weight = file["encoder.conv1.weight"] else {
            throw ValidationError("\(checkpoint.path) has no tensor encoder.conv1.weight; it holds "
                                  + file.entries.map(\.name).joined(separator: ", "))
        }
        guard weight.shape == [32, 1, 4, 4] else {
            throw ValidationError("\(checkpoint.path): encoder.conv1.weight has shape \(weight.shape), expected [32, 1, 4, 4]")
        }
        let bias = file["encoder.conv1.bias"]
        if let bias, bias.shape != [32] {
            throw ValidationError("\(checkpoint.path): encoder.conv1.bias has shape \(bias.shape), expected [32]")
        }
        let maps = try convolveByHand(digit, weight, bias: bias, stride: 2, padding: 1)
        return (try saved.makeModel(), weight, bias != nil, maps)
    }

    /// Two panels: 32 filters (32, 1, 4, 4) drawn on ±`filterRange`, and their 32 maps (32, 14, 14)
    /// on ±`mapRange`, each with its colour bar; filter k and map k sit in the same place of their grids.
    func filtersAndMaps(weight: Tensor, maps: Tensor, filterRange: Double, mapRange: Double, title: String) throws -> Figure {
        var filterGrid = try ImageGrid(images: (0..<32).map { Array(weight.scalars[$0 * 16 ..< ($0 + 1) * 16]) },
                                       height: 4, width: 4, rows: 4, columns: 8, palette: .blueWhiteRed,
                                       valueRange: -filterRange...filterRange, gap: 1, pixelScale: 12)
        var mapGrid = try ImageGrid(images: (0..<32).map { maps.slice($0).scalars }, height: 14, width: 14,
                                    rows: 4, columns: 8, palette: .blueWhiteRed, valueRange: -mapRange...mapRange, pixelScale: 5)
        filterGrid.showColorbar = true
        mapGrid.showColorbar = true
        return Figure(title: title, panels: [
            .images(filterGrid, title: "32 filters, 4×4 (blue < 0 < red; one scale for random and trained)"),
            .images(mapGrid, title: "their 32 feature maps of the digit, 14×14 (one scale for random and trained)"),
        ], columns: 2, width: 1500, height: 520)
    }

    /// The digit through every layer of a random VAE and of the trained one, both in evaluation
    /// mode: each layer whose output is an image (C, H, W), its first 8 channels, each panel on
    /// its own colour scale (± the largest |value| it shows, stated in its title).
    func everyLayer(_ digit: Tensor, trained: VAE, _ figures: FigureWriter) throws {
        var random = RandomSource(seed: options.seed &+ 3)
        let initial = try VAE(trained.configuration, using: &random)
        let x = Tensor(shape: [1, 1, 28, 28], scalars: digit.scalars)
        /// Every layer's output, by name, for one model: the encoder from x, the decoder from μ(x).
        func outputs(_ model: VAE) throws -> [(name: String, output: Tensor)] {
            model.isTraining = false
            var result: [(String, Tensor)] = []
            var h = x
            for (name, layer) in zip(model.encoderBody.names, model.encoderBody.layers) {
                h = layer.forward(h)
                result.append(("encoder.\(name)", h))
            }
            var g = try model.encode(x, labels: model.configuration.classCount > 0 ? [0] : nil).mean
            if model.configuration.classCount > 0 { g = Tensor.concatenateColumns(g, Tensor.oneHot([0], classes: model.configuration.classCount)) }
            for (name, layer) in zip(model.decoder.names, model.decoder.layers) {
                g = layer.forward(g)
                result.append(("decoder.\(name)", g))
            }
            return result.filter { $0.1.rank == 4 }
        }
        let before = try outputs(initial), after = try outputs(trained)
        var panels: [Panel] = []
        for ((name, a), (_, b)) in zip(before, after) {
            let (c, h, w) = (a.shape[1], a.shape[2], a.shape[3])
            let shown = min(c, 8)
            let scale = max(1, 56 / max(h, w))
            var ranges: [Double] = []
            for (model, maps) in [("random", a), ("trained", b)] {
                let images = (0..<shown).map { Array(maps.scalars[($0 * h * w)..<(($0 + 1) * h * w)]) }
                // This panel's own scale: the largest |value| among the maps it shows.
                let range = Double(max(images.joined().map(abs).max()!, 1e-6))
                ranges.append(range)
                var grid = try ImageGrid(images: images, height: h, width: w, rows: 1, columns: 8, palette: .blueWhiteRed,
                                         valueRange: -range...range, gap: 1, pixelScale: scale)
                grid.showColorbar = true
                panels.append(.images(grid, title: "\(model) · \(name) → \(c)×\(h)×\(w)" + (c > shown ? " (first \(shown))" : "")
                                      + ", scale ±" + Self.compact(range)))
            }
            print("  " + name.padding(toLength: 20, withPad: " ", startingAt: 0)
                  + String(format: " largest |value| shown: random %.3g, trained %.3g", ranges[0], ranges[1]))
        }
        print("every layer's feature maps of the digit, random against trained: \(before.map(\.name).joined(separator: ", "))")
        try figures.save(Figure(title: "The digit through every layer, random weights (left) against trained (right);"
                                + " each panel on its own colour scale (± in its title)",
                                panels: panels, columns: 2, width: 1300, height: 40 + 112 * before.count),
                         as: "ch02-feature-maps-layers")
    }

    /// A colour scale's end for a title: three significant digits (0.0534, 2.35, 21.4, 123).
    static func compact(_ value: Double) -> String { String(format: "%.3g", value) }

    // MARK: 4. Transposed convolution: the gradient of a convolution, used for upsampling
    //
    // A convolution is linear in its input: flatten x (C·H·W numbers) and y (O·OH·OW numbers) and
    // there is a matrix A with y = A·x (plus the bias). Each row of A is one output position: the
    // filter's k² weights placed at the pixels its window covers, zeros elsewhere. Backpropagation
    // needs the input gradient ∂L/∂x = Aᵀ·∂L/∂y. Multiplying by Aᵀ is the *transposed
    // convolution*: where the convolution gathers a window of inputs into one output, its
    // transpose scatters each output value back over that window, weighted by the filter, and
    // adds up where windows overlap. By the definition of a transpose, for every x and y,
    //
    //     ⟨conv(x), y⟩ = ⟨A x, y⟩ = ⟨x, Aᵀ y⟩ = ⟨x, convT(y)⟩.
    //
    // Used as a layer with its own weights, convT maps the *small* space back to the *large* one:
    // it upsamples. Inverting the output-size formula of section 1 gives its output size
    //
    //     H_out = (H_in − 1)·s − 2p + k      (+ output_padding),
    //
    // so k4, s2, p1 doubles: 7 → 14 → 28, exactly undoing the encoder's 28 → 14 → 7. (Because of
    // the ⌊⌋, a stride-2 convolution sends both 13 and 14 rows to 7; output_padding picks which
    // size the transpose returns.) It is computed like the convolution's backward pass: one GEMM
    // Wᵀ·y, then col2im, which adds each column back onto the patch it came from.
    //
    // Note: ConvTranspose2d's weight is (Cin, Cout, k, k), so the first layer's (32, 1, 4, 4)
    // weight is, unchanged, the weight of the ConvTranspose2d(32 → 1) that is its transpose.
    func transposedConvolution(_ digit: Tensor, _ layer: Conv2d, _ figures: FigureWriter,
                               random: inout RandomSource) throws {
        section("4. Transposed convolution: the convolution's input gradient, and upsampling")
        let weight = layer.weight.value  // (32, 1, 4, 4)
        let conv = try Conv2d(inputChannels: 1, outputChannels: 32, kernelSize: 4, stride: 2, padding: 1, bias: false, using: &random)
        conv.weight.value = weight
        let convT = try ConvTranspose2d(inputChannels: 32, outputChannels: 1, kernelSize: 4, stride: 2, padding: 1,
                                        bias: false, using: &random)
        convT.weight.value = weight

        // The matrix A itself: column i of A is the convolution of the i-th unit image (a single
        // 1 at pixel i), so one batched forward pass of 784 unit images gives Aᵀ, (784, 6272).
        var units = Tensor(shape: [784, 1, 28, 28])
        for i in 0..<784 { units.scalars[i * 784 + i] = 1 }
        let aTransposed = conv.forward(units).reshaped([784, 6272])
        let nonzeros = aTransposed.scalars.filter { $0 != 0 }.count
        print(String(format: "the convolution as a matrix A: (6272, 784), %d nonzero entries (%.2f%%), at most 16 per row"
                     + " (one filter's taps)", nonzeros, 100 * Double(nonzeros) / Double(aTransposed.count)))

        let x = digit.reshaped([1, 1, 28, 28])
        let y = Tensor.gaussian([1, 32, 14, 14], using: &random)
        let convX = conv.forward(x)
        let convTY = convT.forward(y)                       // (1, 1, 28, 28)
        let left = dot(convX, y), right = dot(x, convTY)
        print(String(format: "adjoint test with a random y: ⟨conv(x), y⟩ = %.6f, ⟨x, convT(y)⟩ = %.6f, relative difference %.1e",
                     left, right, abs(left - right) / abs(left)))
        let aTy = Tensor.matmul(aTransposed, y.reshaped([6272, 1])).reshaped([1, 1, 28, 28])
        let gradient = conv.backward(y)                    // ∂⟨conv(x), y⟩/∂x, at the last forward's x
        let reference = try convTranspose2dReference(input: y, weight: weight, bias: nil, stride: (2, 2), padding: (1, 1))
        print(String(format: "max |convT(y) − Aᵀy (explicit matrix)|          = %.2g", convTY.maxAbsDifference(aTy)))
        print(String(format: "max |convT(y) − Conv2d.backward(y) (∂/∂x)|      = %.2g", convTY.maxAbsDifference(gradient)))
        print(String(format: "max |convT(y) − convTranspose2dReference(y)|     = %.2g", convTY.maxAbsDifference(reference)))

        print("\noutput size (H − 1)·s − 2p + k + output_padding, by the formula and from ConvTranspose2d:")
        let sizes: [(h: Int, k: Int, s: Int, p: Int, op: Int)] = [(7, 4, 2, 1, 0), (14, 4, 2, 1, 0), (7, 3, 2, 1, 0), (7, 3, 2, 1, 1)]
        for c in sizes {
            let t = try ConvTranspose2d(inputChannels: 1, outputChannels: 1, kernelSize: c.k, stride: c.s, padding: c.p,
                                        outputPadding: c.op, using: &random)
            let out = try t.outputShape(forInput: [1, 1, c.h, c.h])
            let formula = convTransposeOutputSize(input: c.h, kernel: c.k, stride: c.s, padding: c.p, outputPadding: c.op)
            print(String(format: "  H = %2d, k = %d, s = %d, p = %d, output_padding = %d:  (%d − 1)·%d − %d + %d + %d = %2d;  layer gives %d×%d",
                         c.h, c.k, c.s, c.p, c.op, c.h, c.s, 2 * c.p, c.k, c.op, formula, out[2], out[3]))
        }
        try upsampling(digit, figures, random: &random)
    }

    /// ⟨a, b⟩, summed in Double.
    func dot(_ a: Tensor, _ b: Tensor) -> Double {
        zip(a.scalars, b.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    // Upsampling a digit. Shrink it first with a convolution that averages each 2×2 block
    // (k2, s2, weights ¼): 28 → 14 → 7. Then grow it back with transposed convolutions of fixed
    // kernels:
    // - nearest neighbour: k2, s2, all weights 1: each input pixel is copied onto a 2×2 block;
    // - bilinear: k4, s2, p1, weights u·uᵀ with u = [¼ ¾ ¾ ¼]: each output pixel is ¾ of the nearer
    //   input and ¼ of the farther one along each axis, which is linear interpolation;
    // - random: PyTorch-initialised ConvTranspose2d(1 → 1, k4, s2, p1), what the decoder starts
    //   from before training.
    // With k4, s2, p1 each output pixel receives exactly 2×2 taps of the kernel, but which 2×2
    // depends on its row and column parity: even rows use kernel rows 1 and 3, odd rows 0 and 2.
    // A constant input therefore comes out as a 2×2-periodic *checkerboard* unless the four
    // "phase" sums of the kernel are equal. The bilinear kernel's are all 1; a random kernel's
    // are not, and training must learn to balance them.
    func upsampling(_ digit: Tensor, _ figures: FigureWriter, random: inout RandomSource) throws {
        print("\nupsampling a downsampled digit with transposed convolutions:")
        let average = try Conv2d(inputChannels: 1, outputChannels: 1, kernelSize: 2, stride: 2, bias: false, using: &random)
        average.weight.value = Tensor(shape: [1, 1, 2, 2], repeating: 0.25)
        let x28 = digit.reshaped([1, 1, 28, 28])
        let x14 = average.forward(x28)
        let x7 = average.forward(x14)

        let u = bilinear                                   // [0.25, 0.75, 0.75, 0.25] unless --bilinear
        let bilinearKernel = Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map { u[$0 / 4] * u[$0 % 4] })
        let bilinear = try ConvTranspose2d(inputChannels: 1, outputChannels: 1, kernelSize: 4, stride: 2, padding: 1,
                                           bias: false, using: &random)
        bilinear.weight.value = bilinearKernel
        let nearest = try ConvTranspose2d(inputChannels: 1, outputChannels: 1, kernelSize: 2, stride: 2, bias: false, using: &random)
        nearest.weight.value = Tensor(shape: [1, 1, 2, 2], repeating: 1)
        let randomUp = try ConvTranspose2d(inputChannels: 1, outputChannels: 1, kernelSize: 4, stride: 2, padding: 1, using: &random)

        let b14 = bilinear.forward(x7), b28 = bilinear.forward(b14)
        let n28 = nearest.forward(nearest.forward(x7))
        let r28 = randomUp.forward(randomUp.forward(x7))
        func meanAbsError(_ t: Tensor) -> Double { zip(t.scalars, x28.scalars).reduce(0) { $0 + Double(abs($1.0 - $1.1)) } / 784 }
        print(String(format: "  28 → 14 → 7 by 2×2 averaging, then 7 → 14 → 28: mean |error| against the original:"
                     + " nearest %.4f, bilinear %.4f", meanAbsError(n28), meanAbsError(b28)))

        // The checkerboard: phase (a, b) of a k4 s2 p1 kernel sums the taps ki ≡ a + 1, kj ≡ b + 1 (mod 2).
        func phaseSums(_ w: Tensor) -> [Double] {
            [(0, 0), (0, 1), (1, 0), (1, 1)].map { a, b in
                (0..<16).filter { ($0 / 4) % 2 == (a + 1) % 2 && ($0 % 4) % 2 == (b + 1) % 2 }.reduce(0.0) { $0 + Double(w.scalars[$1]) }
            }
        }
        let ones = Tensor(shape: [1, 1, 7, 7], repeating: 1)
        let randomBias = Double(randomUp.bias!.value.scalars[0])
        for (name, layer) in [("bilinear", bilinear), ("random", randomUp)] {
            let out = layer.forward(ones)                       // (1, 1, 14, 14)
            let interior = [(6, 6), (6, 7), (7, 6), (7, 7)].map { Double(out[0, 0, $0.0, $0.1]) - (layer === randomUp ? randomBias : 0) }
            print("  \(name) kernel: phase sums " + phaseSums(layer.weight.value).map { String(format: "%+.3f", $0) }.joined(separator: " ")
                  + "; a constant 7×7 image of ones comes out, in a 2×2 block of its interior (bias removed), as "
                  + interior.map { String(format: "%+.3f", $0) }.joined(separator: " "))
        }

        func single(_ t: Tensor, _ side: Int, range: ClosedRange<Double> = 0...1) throws -> ImageGrid {
            try ImageGrid(images: [t.scalars], height: side, width: side, rows: 1, columns: 1, valueRange: range, gap: 0)
        }
        let (lo, hi) = (Double(r28.min()!), Double(r28.max()!))
        let panels: [Panel] = [
            .images(try single(x28, 28), title: "the digit, 28×28"),
            .images(try single(x14, 14), title: "2×2 average (conv k2 s2): 14×14"),
            .images(try single(x7, 7), title: "again: 7×7"),
            .images(try single(bilinearKernel, 4, range: min(0, Double(bilinearKernel.min()!))...max(0.5625, Double(bilinearKernel.max()!))), title: "the bilinear kernel u·uᵀ, 4×4"),
            .images(try single(b14, 14), title: "bilinear ConvT k4 s2 p1: 7 → 14"),
            .images(try single(b28, 28), title: "bilinear ConvT again: 14 → 28"),
            .images(try single(n28, 28), title: "nearest ConvT (k2 s2, ones): 7 → 28"),
            .images(try single(r28, 28, range: lo...hi), title: "random ConvT ×2: 7 → 28 (min…max)"),
        ]
        try figures.save(Figure(title: "Downsampling by convolution, upsampling by transposed convolution",
                                panels: panels, columns: 4, width: 1300, height: 800),
                         as: "ch02-upsampling")
    }
}

/// `values` divided by their largest |value|, so that they span at most [−1, 1] with 0 kept at 0.
func scaledToUnit(_ values: [Float]) -> [Float] {
    let m = values.map(abs).max() ?? 0
    return m > 0 ? values.map { $0 / m } : values
}

Chapter2.main()

// MARK: What you learned
//
// A convolution slides a k×k filter over the image with stride s and padding p and produces a
// feature map of side ⌊(H + 2p − k)/s⌋ + 1; sharing one small filter over every position is what
// makes the layer translation-equivariant, local and cheap in parameters. im2col copies every patch
// into a column, so that the whole layer becomes one matrix product Y = W·col handed to chapter 1's
// `gemm`: the run checks that the hand loops, im2col + GEMM and `Conv2d` agree to float rounding,
// and prints how many times faster the GEMM is. Hand-made Sobel, blur and Laplacian filters show
// what a single filter computes, while the VAE's freshly initialised filters are noise whose maps
// are smeared copies of the digit, and the trained ones (once chapter 5 has run) pick out strokes.
// The transposed convolution is nothing new: it is the convolution's adjoint,
// ⟨conv(x), y⟩ = ⟨x, convT(y)⟩, computed like its input gradient, and used as a layer it upsamples
// to (H − 1)·s − 2p + k, so k4, s2, p1 doubles 7 → 14 → 28 and undoes the encoder's halvings. A
// kernel whose four phase sums differ paints a 2×2 checkerboard on a flat image, as the run's
// random kernel does and its bilinear kernel does not.

// MARK: Experiments
//
// 1. Another digit. `swift run -c release ch02-convolution --seed 7 --figures /tmp/ch02-seed7` follows
//    another test digit (the seed picks it, and the random filters). Sobel x and y should still light up the left
//    and right, top and bottom edges of its strokes: compare the min/max lines of section 1 and
//    the ch02-filters figure with the default run's.
//    Answer: run `ch02-convolution --seed 7 --figures /tmp/ch02-seed7`, section 1
// 2. Random against trained filters. Run `swift run -c release ch05-elbo --quick`, then this
//    chapter again with `--quick --figures /tmp/ch02-quick`: section 3 now also prints the trained filters' range and
//    draws ch02-feature-maps-trained and ch02-feature-maps-layers. Compare the first with
//    ch02-feature-maps-random: do some trained filters look like the hand-made edge detectors of
//    ch02-filters? In the second, at which layer do the random network's maps stop looking like
//    the digit?
//    Answer: run `ch05-elbo --quick --figures /tmp/ch05-quick` then `ch02-convolution --quick --figures /tmp/ch02-quick`, section 3
// 3. A checkerboard on purpose. `swift run -c release ch02-convolution --bilinear 0.5 0.5 0.5 0.5 --figures /tmp/ch02-flat`
//    replaces the bilinear weights u = [0.25, 0.75, 0.75, 0.25] of `upsampling` by equal ones
//    (equal phase sums, so a flat image stays flat, only blurrier), then
//    `--bilinear 0.1 0.9 0.5 0.5 --figures /tmp/ch02-checker` by unequal ones. The "bilinear
//    kernel: phase sums" line shows the four sums and the 2×2 block the ones image comes out as;
//    the bilinear panels of ch02-upsampling show the pattern.
//    Answer: run `ch02-convolution --bilinear 0.5 0.5 0.5 0.5 --figures /tmp/ch02-flat`, lines "upsampling", "mean |error|", "bilinear kernel"
//    Answer: run `ch02-convolution --bilinear 0.1 0.9 0.5 0.5 --figures /tmp/ch02-checker`, lines "upsampling", "mean |error|", "bilinear kernel"
// 4. Where im2col pays. `swift run -c release ch02-convolution --speed-batch 1 --figures /tmp/ch02-batch1`, then
//    `--speed-batch 128 --figures /tmp/ch02-batch128`: the batch of `speed` (32 by default) is one image, then 128.
//    Compare the GFLOP/s of "Conv2d.forward: im2col + gemm" against the hand loops. With one image
//    the GEMM is small (64 × 512 × 49) and cannot keep the cores busy; with 128 it is large.
//    Compare with the speed lines of section 2 in the default run.
//    Answer: run `ch02-convolution --speed-batch 1 --figures /tmp/ch02-batch1`, lines "speed, Conv2d", "hand loops (one core)", "im2col + gemm", "ratio "
//    Answer: run `ch02-convolution --speed-batch 128 --figures /tmp/ch02-batch128`, lines "speed, Conv2d", "hand loops (one core)", "im2col + gemm", "ratio "
