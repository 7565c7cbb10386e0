// Chapter 5 — The evidence lower bound, and a VAE trained on all of MNIST
// =======================================================================
//
// Chapters 1–4 built every piece: tensors and a fast matrix multiply, convolutions with their
// backward passes, Adam, and the reparameterised sample z = μ + σ·ε. This chapter puts them
// together into a variational autoencoder, derives the objective it maximises, trains it on the
// 60,000 training digits, and measures it the way a paper would: the test ELBO and an
// importance-sampled estimate of the test log-likelihood.
//
//     swift run -c release ch05-elbo [--epochs N] [--latent D] [--hand-steps N] [--quick] [--retrain]
//                                    [--data DIR] [--figures DIR] [--seed N]      (all options: --help)
//
// It writes its checkpoint to runs/vae/checkpoint.safetensors (runs/quick/vae with --quick;
// chapter 2 draws the trained filters from it) and the figures ch05-*.png: the architecture,
// the loss curves and the learning rate, progressive generation, conv1's filters, the gradient
// flow and the parameters over training, reconstructions, samples, interpolations, the latent
// space, the KL per dimension and the log-likelihood. A later run with the
// same settings reuses that trained model instead of training again (--retrain forces it).
// Time: the full run trains 30 epochs on all 60,000 digits; on two quiet cores it
// took 5 min 42 s the first time (4.5 minutes of training, a minute of log-likelihood estimates)
// and 9 s when the run is reused; --quick trains 2 epochs on 20,000 digits, under a minute.

import ArgumentParser
import CourseSupport
import Foundation
import VAECore

// MARK: The model and its objective
//
// A VAE (Kingma and Welling 2014; Rezende, Mohamed and Wierstra 2014, who found it at the same
// time) is a generative model of images x with a latent code z:
//
//     p(z) = N(0, I)                          the prior over 20-dimensional codes
//     p(x|z) = Π_pixels Bernoulli(x_i; σ(f(z)_i))   the decoder f: 20 numbers → 784 logits
//
// Its likelihood p(x) = ∫ p(x|z) p(z) dz is an integral over all codes, which no one can
// compute. Variational inference brings in a second network, the encoder, that guesses which
// codes could have produced x: q(z|x) = N(μ(x), diag σ²(x)). For any such q,
//
//     log p(x) = log E_q[ p(x|z) p(z) / q(z|x) ]
//             ≥ E_q[ log p(x|z) + log p(z) − log q(z|x) ]          (Jensen: log E ≥ E log)
//             = E_q[ log p(x|z) ] − KL(q(z|x) ‖ p(z))   =: ELBO(x).
//
// The gap is exactly KL(q(z|x) ‖ p(z|x)): the bound is tight when the encoder finds the true
// posterior. Maximising the ELBO over both networks therefore pushes on both at once: the decoder
// toward a higher ELBO (which raises log p(x) only in so far as the gap does not grow: a decoder
// may also be pulled toward models whose posterior the encoder can match) and the encoder
// toward the true posterior (closing the gap). Its two terms:
//
//   - reconstruction, E_q[log p(x|z)]: encode x, sample one z, decode, and score the 784 pixels
//     with the Bernoulli log-likelihood, which is minus the binary cross-entropy from logits;
//   - KL(q ‖ p) between two Gaussians, in closed form per dimension:
//         KL = −½ Σ_d (1 + log σ_d² − μ_d² − σ_d²),
//     zero only when q(z|x) = p(z), i.e. when the code says nothing about x.
//
// The loss per image is their negation, BCE + KL in nats (natural-log units). Its gradient flows
// through the sample thanks to chapter 4's trick; section 2 writes out every step of it.
//
// Why a Bernoulli? MNIST's pixels are grey, but nearly all of them are almost black or almost
// white, and the papers this course compares with model them as binary: each grey value is read
// as the probability that the pixel is on. The library has other likelihoods (`Likelihood`): a
// Gaussian N(σ(f(z)), σ²) on the grey values, with a fixed σ or a variance learned per pixel
// (`vae train --likelihood gaussian`). Its reconstruction term is a squared error weighted by
// 1/(2σ²). But a Gaussian is a *density* over continuous values, a Bernoulli a *probability* of
// binary ones: a Gaussian's log p(x|z) can be positive and grows as σ shrinks, so its nats
// compare neither with the Bernoulli's nor with the binarized-MNIST numbers of the papers. Every
// number in this chapter is the Bernoulli's, on the binarized test set.
//
// The model itself is data too: `VAEConfiguration` holds the encoder's and decoder's layers as a
// list (`Architecture.reference` is the one below; `mlp`, `deep` and `wide` are the other
// presets), the code size and the likelihood, and the checkpoint stores that description, so any
// checkpoint rebuilds its own model.

struct Chapter5: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ch05-elbo",
        abstract: "Chapter 5: derive the ELBO, write out one training step, train the VAE on full MNIST and measure it.",
        discussion: "Full: 30 epochs on all 60,000 digits, about 6 minutes on two cores (a matching run in runs/vae is reused: seconds, "
            + "plus the log-likelihood estimates once). --quick: 2 epochs on 20,000 digits, about a minute.")

    @OptionGroup var options: ChapterOptions

    @Option(parsing: .unconditional, help: "Training epochs (default: 30, or 2 on 20,000 images with --quick).")
    var epochs: Int?

    @Option(parsing: .unconditional, help: "Latent dimensions.")
    var latent = 20

    @Flag(name: .customLong("no-batchnorm"), help: "Train the reference model without its BatchNorm layers (an experiment).")
    var withoutBatchNorm = false

    @Option(help: "Learning-rate schedule: cosine (the default), constant, step or warmup-cosine.")
    var schedule: LearningRateScheduleKind = .cosine

    @Option(parsing: .unconditional, help: "Updates of the written-out training step in section 2 (default: 50, or 10 with --quick).")
    var handSteps: Int?

    @Option(parsing: .unconditional, help: "Importance samples k for the log-likelihood estimate (default: 1000, or 100 with --quick).")
    var samples: Int?

    @Option(parsing: .unconditional, help: "Test images for the log-likelihood estimate (default: 1000, or 200 with --quick).")
    var likelihoodImages: Int?

    @Option(name: .customLong("run"), help: "Folder of the run's checkpoint (default: runs/vae, or runs/quick/vae with --quick).")
    var runFolder: String?

    /// The run's folder. An experiment (another architecture or schedule) trains in a folder of its
    /// own, so that it never sets the chapter's reference run aside.
    var runURL: URL {
        if let runFolder { return URL(fileURLWithPath: runFolder, isDirectory: true) }
        var name = Chapter5Run.folderName
        if latent != 20 { name += "-latent\(latent)" }
        if withoutBatchNorm { name += "-no-batchnorm" }
        if schedule != .cosine { name += "-\(schedule.rawValue)" }
        return options.runFolder(name)
    }

    func validate() throws {
        try ChapterOptions.requireFolderPath(runFolder, option: "--run")
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if latent < 2 { throw ValidationError("--latent must be at least 2 (the figures need two dimensions)") }
        if let handSteps, handSteps < 1 { throw ValidationError("--hand-steps must be at least 1") }
        if let samples, samples < 1 { throw ValidationError("--samples must be at least 1") }
        if let likelihoodImages, likelihoodImages < 1 { throw ValidationError("--likelihood-images must be at least 1") }
    }

    func run() throws {
        options.announcePlan()                    // what it will train or reuse, and for how long
        let figures = try options.figureWriter()
        let train = try options.loadMNIST(.train)
        let test = try options.loadMNIST(.test)
        // The test set is binarized once, with a fixed seed, so every evaluation sees the same bits.
        let binaryTest = Likelihood.bernoulli.evaluationSet(test)

        let modelConfiguration = try describeModel(figures: figures)
        try trainOneStepByHand(train: train)
        let (trainer, progressive) = try trainModel(modelConfiguration, train: train, test: binaryTest)
        let model = trainer.model
        model.isTraining = false
        try showTraining(trainer, progressive: progressive, figures: figures)
        try showInsideTraining(trainer, figures: figures)
        try showModel(model, test: binaryTest, figures: figures)
        try showLatentSpace(model, test: binaryTest, figures: figures)
        try evaluate(model, trainer: trainer, test: binaryTest, figures: figures)
    }

    // MARK: 1. The model
    //
    // The reference model, in the shapes of a batch of B images (D = 20 latent dimensions):
    //
    //     encoder  x (B,1,28,28) → conv 4×4 s2 → (B,32,14,14) → BN → ReLU
    //                            → conv 4×4 s2 → (B,64,7,7)   → BN → ReLU → flatten (B,3136)
    //     head     (B,3136) → linear → (B,40) = [μ | log σ²], (B,20) each
    //     sample   z = μ + σ ⊙ ε, ε ~ N(0, I)                      (B,20)
    //     decoder  z → linear → (B,3136) → ReLU → reshape (B,64,7,7)
    //              → transposed conv 4×4 s2 → (B,32,14,14) → BN → ReLU
    //              → transposed conv 4×4 s2 → (B,1,28,28) = ℓ, one logit per pixel
    //
    // Each stride-2 convolution halves the side (28 → 14 → 7); each transposed convolution, its
    // adjoint (chapter 2), doubles it back. The encoder outputs log σ² rather than σ, so that any
    // real number is a valid output and σ = exp(½ log σ²) is always positive.
    //
    // The list below is the model's own: the library resolves the architecture's layers into
    // shapes when it builds the model, and ch05-architecture.png draws the same list as a diagram
    // (the encoder down the left, the sampling step below, the decoder up the right, each box
    // with its output shape, parameters and multiply-adds per image), so it follows any preset or
    // flag such as --no-batchnorm. Most parameters sit in the two linear layers that meet the
    // code (3136 × 40 and 20 × 3136 weights); most multiply-adds in the convolutions.
    func describeModel(figures: FigureWriter) throws -> VAEConfiguration {
        section("1. The model: encoder, code, decoder")
        let architecture = withoutBatchNorm ? Architecture.reference.removingBatchNorm() : .reference
        let configuration = VAEConfiguration(latentDimensions: latent, architecture: architecture)
        var random = RandomSource(seed: 0)
        if let model = try? VAE(configuration, using: &random) {
            let parts = [("encoder", model.layout.encoder), ("head", [model.layout.head]), ("decoder", model.layout.decoder)]
            for (part, layers) in parts {
                for layer in layers {
                    print("  " + "\(part).\(layer.name)".padding(toLength: 18, withPad: " ", startingAt: 0)
                          + "\(layer.input) → \(layer.output)")
                }
            }
            print("\(model.parameterCount) parameters; "
                  + String(format: "%.1f MFLOP per image for a training step (forward, and backward at twice its cost)",
                           Double(model.forwardMultiplyAdds) * 6e-6))
            try Pictures.architecture(model, figures: figures)
        }
        return configuration
    }

    // MARK: 2. One training step, written out
    //
    // Here is everything one update does, in order, on the reference model. The library's
    // `Trainer` does exactly this (in `VAE.trainingStep` and `Adam.step`); the section
    // runs both from the same weights on the same batches and checks that they end bit for bit
    // equal, so what you read here is what trains the model in section 3.
    //
    // Forward, for a batch x of B binarized digits:
    //
    //     (μ, log σ²) = encoder(x)
    //     z = μ + σ ⊙ ε,  σ = exp(½ log σ²),  ε ~ N(0, I)          the reparameterisation (chapter 4)
    //     ℓ = decoder(z)
    //     L = (1/B) Σ_b [ BCE(ℓ_b, x_b) + KL_b ]                  −ELBO per image, one sample of z
    //
    // with BCE(ℓ, x) = Σ_pixels [max(ℓ,0) − ℓx + log(1 + e^{−|ℓ|})] = −log p(x|z) and
    // KL = ½ Σ_d (μ_d² + σ_d² − 1 − log σ_d²). (Below, sigmoid(ℓ) = 1/(1 + e^{−ℓ}) is the
    // Bernoulli's mean; σ is always the encoder's standard deviation.)
    //
    // Backward, the chain rule from L back to every weight (chapter 3). L averages over the
    // batch, so each image's terms enter with a factor 1/B:
    //
    //     ∂L/∂ℓ       = (sigmoid(ℓ) − x)/B                              the Bernoulli's gradient
    //     ∂L/∂z       = decoder.backward(∂L/∂ℓ)                         layer by layer, last first
    //     ∂L/∂μ       = ∂L/∂z ⊙ ∂z/∂μ       + (1/B)·∂KL_b/∂μ      = ∂L/∂z + μ/B
    //     ∂L/∂log σ²  = ∂L/∂z ⊙ ∂z/∂log σ²  + (1/B)·∂KL_b/∂log σ² = ∂L/∂z ⊙ σε/2 + (σ² − 1)/(2B)
    //     encoder.backward([∂L/∂μ | ∂L/∂log σ²])
    //
    // since z = μ + exp(½ log σ²)·ε gives ∂z/∂μ = 1 and ∂z/∂log σ² = ½σε. μ and log σ² reach L
    // twice: through z (and the decoder), and directly through the closed-form KL, which does not
    // depend on z; the two gradients add. Every backward pass *adds* into its weights' gradients,
    // so they are set to zero first. Then Adam (Kingma & Ba, 2015; chapter 3 trained its
    // classifier with it) moves every weight w with gradient g:
    //
    //     m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²,   w ← w − η · m̂ / (√v̂ + δ)
    //
    // m and v are running means of the gradient and of its square (β₁ = 0.9, β₂ = 0.999), and
    // δ = 10⁻⁸ (Adam's "ε", no relation to the noise ε above) keeps the division finite. The step
    // m̂/√v̂ is at most about ±1 whatever the gradient's scale: a weight moves by about η per update
    // when its gradient is steady, by less when it is noisy. m and v start at zero, which biases
    // them small in the first updates; the corrections m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ) at update t
    // undo it.
    //
    // The section always steps the reference model (with --latent's code size), whatever
    // --no-batchnorm asks of section 3: the lines below name its layers.
    func trainOneStepByHand(train: MNIST) throws {
        section("2. One training step, written out")
        // The library's trainer, fresh: its initial weights, batch order and ε stream. It is
        // never saved; only the first updates of its first epoch are taken.
        let configuration = TrainingConfiguration(model: VAEConfiguration(latentDimensions: latent), epochs: 1, seed: options.seed)
        let trainer = try Trainer(configuration: configuration, trainingSet: train)
        let count = handSteps ?? (options.quick ? 10 : 50)
        guard count <= trainer.stepsPerEpoch else {
            throw StepCheckError("--hand-steps \(count) is more than the \(trainer.stepsPerEpoch) updates of one epoch")
        }
        // A second model with the same weights, which the written-out step trains; copies of the
        // trainer's batch order and noise generator give both the same batches and the same ε.
        var random = RandomSource(seed: 0)
        let model = try VAE(configuration.model, using: &random)
        for (mine, library) in zip(model.parameters + model.buffers, trainer.model.parameters + trainer.model.buffers) {
            mine.value = library.value
        }
        var batches = trainer.batches
        var noise = trainer.noise
        let adam = WrittenAdam(model.parameters)
        let learningRate = Float(configuration.learningRate)

        var termsAgree = true
        for step in 1...count {
            let batch = batches.next()!   // within the first epoch (checked above)
            let terms = try writtenOutStep(model, adam, images: batch.images, noise: &noise, learningRate: learningRate)
            let library = try trainer.update(on: batch, objective: .beta(1), learningRate: learningRate)
            termsAgree = termsAgree && terms == library
            if step == 1 || step % 10 == 0 || step == count {
                // The loss of update n's batch, before its step changes the weights.
                print(String(format: "update %3d: reconstruction %.2f  KL %.2f  −ELBO %.2f nats per image", step,
                             terms.reconstruction, terms.kl, terms.reconstruction + terms.kl))
            }
        }
        // Bit for bit: every weight and every BatchNorm statistic, compared as bit patterns.
        let pairs = zip(model.parameters + model.buffers, trainer.model.parameters + trainer.model.buffers)
        let differing = pairs.filter { mine, library in
            !zip(mine.value.scalars, library.value.scalars).allSatisfy { $0.bitPattern == $1.bitPattern }
        }
        guard differing.isEmpty, termsAgree else {
            throw StepCheckError("the written-out step and the Trainer's step disagree after \(count) updates"
                                  + " (in \(differing.map(\.0.name).joined(separator: ", ")); losses agree: \(termsAgree))")
        }
        print("after \(count) updates from the same state, the written-out step and the library's Trainer agree bit for bit:"
              + " all \(model.parameterCount) weights, \(model.buffers.reduce(0) { $0 + $1.value.count }) BatchNorm statistics and every loss")
    }

    /// One update of the reference VAE on `images` (B, 1, 28, 28), written out layer by layer:
    /// the five steps below, in order, then Adam's. Returns the loss terms in nats per image.
    func writtenOutStep(_ model: VAE, _ adam: WrittenAdam, images x: Tensor, noise: inout RandomSource,
                        learningRate: Float) throws -> ELBOTerms {
        let (mu, logVariance) = encode(model, x)
        let sample = reparameterise(mu: mu, logVariance: logVariance, noise: &noise)
        let logits = decode(model, sample.z)
        let loss = try lossTerms(logits: logits, images: x, mu: mu, logVariance: logVariance)

        // Backward. Gradients accumulate, so they start at zero.
        for parameter in model.parameters { parameter.zeroGradient() }
        let dz = backwardThroughDecoder(model, loss.dLogits)
        backwardThroughSampleAndEncoder(model, dz: dz, sample: sample, loss: loss)

        adam.step(learningRate: learningRate)
        return ELBOTerms(reconstruction: loss.reconstruction, kl: loss.kl, objective: loss.reconstruction + loss.kl)
    }

    /// Step 1, the encoder q(z|x): two strided convolutions, each followed by batch norm and a
    /// ReLU, then one linear layer that outputs μ and log σ² side by side. Batch norm normalises
    /// with this batch's statistics (training mode) and remembers them for its backward pass:
    /// every layer keeps what its backward needs, as chapter 3 wrote them.
    func encode(_ model: VAE, _ x: Tensor) -> (mu: Tensor, logVariance: Tensor) {
        let encoder = model.encoderBody, d = model.configuration.latentDimensions
        var h = x                                              // (B, 1, 28, 28)  pixels in {0, 1}
        h = encoder["conv1"]!.forward(h)                       // (B, 32, 14, 14) 32 filters 4×4, stride 2
        h = encoder["bn1"]!.forward(h)                         // (B, 32, 14, 14) normalised with the batch's statistics
        h = encoder["relu1"]!.forward(h)                       // (B, 32, 14, 14)
        h = encoder["conv2"]!.forward(h)                       // (B, 64, 7, 7)
        h = encoder["bn2"]!.forward(h)                         // (B, 64, 7, 7)
        h = encoder["relu2"]!.forward(h)                       // (B, 64, 7, 7)
        h = encoder["flatten1"]!.forward(h)                    // (B, 3136)
        let statistics = model.encoderHead.forward(h)          // (B, 2D): [μ | log σ²]
        return (statistics.columns(0..<d), statistics.columns(d..<2 * d))   // (B, D) each
    }

    /// What the sample keeps for the backward pass: σ and ε, since ∂z/∂log σ² = σε/2.
    struct Sample {
        let z: Tensor, sigma: Tensor, epsilon: Tensor         // (B, D) each
    }

    /// Step 2, the reparameterisation (chapter 4): the randomness is ε, drawn outside the network,
    /// so that z = μ + σ ⊙ ε is a differentiable function of the encoder's outputs.
    func reparameterise(mu: Tensor, logVariance: Tensor, noise: inout RandomSource) -> Sample {
        let epsilon = Tensor.gaussian(mu.shape, using: &noise) // (B, D) ~ N(0, I)
        let sigma = logVariance.map { exp(0.5 * $0) }          // (B, D)
        return Sample(z: mu + sigma * epsilon, sigma: sigma, epsilon: epsilon)
    }

    /// Step 3, the decoder p(x|z): a linear layer back to 64 maps of 7×7, then two transposed
    /// convolutions up to 28×28, whose output ℓ is one logit per pixel (the Bernoulli's mean is
    /// sigmoid(ℓ)).
    func decode(_ model: VAE, _ z: Tensor) -> Tensor {
        let decoder = model.decoder
        var g = decoder["fc"]!.forward(z)                      // (B, 3136)
        g = decoder["relu1"]!.forward(g)                       // (B, 3136)
        g = decoder["reshape1"]!.forward(g)                    // (B, 64, 7, 7)
        g = decoder["deconv1"]!.forward(g)                     // (B, 32, 14, 14)
        g = decoder["bn1"]!.forward(g)                         // (B, 32, 14, 14)
        g = decoder["relu2"]!.forward(g)                       // (B, 32, 14, 14)
        return decoder["deconv2"]!.forward(g)                  // (B, 1, 28, 28): ℓ
    }

    /// The loss's two terms, averaged over the batch, and their gradients.
    struct LossTerms {
        let reconstruction: Double, kl: Double
        let dLogits: Tensor                                    // (B, 1, 28, 28): ∂L/∂ℓ
        let dKLdMu: Tensor, dKLdLogVariance: Tensor            // (B, D) each
    }

    /// Step 4, the loss, per image, averaged over the batch. The reconstruction term is the
    /// binary cross-entropy from logits, in its stable form (`binaryCrossEntropyWithLogits`
    /// derives it); it returns ∂L/∂ℓ = (sigmoid(ℓ) − x)/B as well. The KL is the closed form,
    /// with its gradients μ/B and (σ² − 1)/(2B) (σ² − 1 as expm1(log σ²), which keeps its digits
    /// near σ = 1). A non-finite loss stops the step before it touches a weight.
    func lossTerms(logits: Tensor, images x: Tensor, mu: Tensor, logVariance: Tensor) throws -> LossTerms {
        let b = mu.shape[0], d = mu.shape[1]
        let reconstruction = try binaryCrossEntropyWithLogits(logits: logits, targets: x, reduction: .sumPerSample)
        var kl = 0.0
        var dKLdMu = Tensor(shape: [b, d]), dKLdLogVariance = Tensor(shape: [b, d])
        for i in 0..<(b * d) {
            let m = Double(mu.scalars[i]), v = Double(logVariance.scalars[i])
            kl += 0.5 * (m * m + expm1(v) - v)
            dKLdMu.scalars[i] = Float(m * (1 / Double(b)))
            dKLdLogVariance.scalars[i] = Float(0.5 * expm1(v) * (1 / Double(b)))
        }
        kl *= 1 / Double(b)
        guard reconstruction.value.isFinite, kl.isFinite else {
            throw TrainingError.nonFiniteLoss(reconstruction: reconstruction.value, kl: kl)
        }
        return LossTerms(reconstruction: reconstruction.value, kl: kl, dLogits: reconstruction.gradient,
                         dKLdMu: dKLdMu, dKLdLogVariance: dKLdLogVariance)
    }

    /// Step 5, backward through the decoder, last layer first: each layer's `backward` takes the
    /// gradient at its output, adds its weights' gradients into them, and returns the gradient at
    /// its input. What comes out at the bottom is ∂L/∂z.
    func backwardThroughDecoder(_ model: VAE, _ dLogits: Tensor) -> Tensor {
        let decoder = model.decoder
        var dg = dLogits                                       // (B, 1, 28, 28): ∂L/∂ℓ
        dg = decoder["deconv2"]!.backward(dg)                  // (B, 32, 14, 14), and ∂L/∂(its weights)
        dg = decoder["relu2"]!.backward(dg)
        dg = decoder["bn1"]!.backward(dg)
        dg = decoder["deconv1"]!.backward(dg)                  // (B, 64, 7, 7)
        dg = decoder["reshape1"]!.backward(dg)                 // (B, 3136)
        dg = decoder["relu1"]!.backward(dg)
        return decoder["fc"]!.backward(dg)                     // (B, D): ∂L/∂z
    }

    /// Step 6, through the sample and back through the encoder: μ and log σ² receive the
    /// gradient through z (∂z/∂μ = 1, ∂z/∂log σ² = σε/2) plus the KL's own, which does not go
    /// through z; the two add. The images need no gradient, so conv1's backward only fills its
    /// weights'.
    func backwardThroughSampleAndEncoder(_ model: VAE, dz: Tensor, sample: Sample, loss: LossTerms) {
        let encoder = model.encoderBody
        let b = dz.shape[0], d = dz.shape[1]
        var dStatistics = Tensor(shape: [b, 2 * d])            // (B, 2D): [∂L/∂μ | ∂L/∂log σ²]
        for row in 0..<b {
            for j in 0..<d {
                let i = row * d + j
                dStatistics.scalars[row * 2 * d + j] = dz.scalars[i] + loss.dKLdMu.scalars[i]
                dStatistics.scalars[row * 2 * d + d + j] = dz.scalars[i] * ((sample.sigma.scalars[i] * sample.epsilon.scalars[i]) * 0.5)
                    + loss.dKLdLogVariance.scalars[i]
            }
        }
        var dh = model.encoderHead.backward(dStatistics)       // (B, 3136)
        dh = encoder["flatten1"]!.backward(dh)                 // (B, 64, 7, 7)
        dh = encoder["relu2"]!.backward(dh)
        dh = encoder["bn2"]!.backward(dh)
        dh = encoder["conv2"]!.backward(dh)                    // (B, 32, 14, 14)
        dh = encoder["relu1"]!.backward(dh)
        dh = encoder["bn1"]!.backward(dh)
        _ = encoder["conv1"]!.backward(dh)                     // its weights' gradient only
    }

    /// Adam, written out: a first and second moment per weight, and the update above. The
    /// constants are computed in Double and rounded once, and each line is the operation PyTorch
    /// performs (`Adam.swift` explains the order), so the result matches the library bit for bit.
    final class WrittenAdam {
        let parameters: [Parameter]
        var m: [[Float]], v: [[Float]]
        var t = 0
        let beta1 = 0.9, beta2 = 0.999, delta = 1e-8

        init(_ parameters: [Parameter]) {
            self.parameters = parameters
            m = parameters.map { [Float](repeating: 0, count: $0.value.count) }
            v = m
        }

        func step(learningRate: Float) {
            t += 1
            let negativeStep = Float(-(Double(learningRate) / (1 - pow(beta1, Double(t)))))   // −η/(1 − β₁ᵗ)
            let correction2 = Float(pow(1 - pow(beta2, Double(t)), 0.5))                      // √(1 − β₂ᵗ)
            let (w1, b2, w2, d) = (Float(1 - beta1), Float(beta2), Float(1 - beta2), Float(delta))
            for (k, parameter) in parameters.enumerated() {
                parameter.value.withUnsafeMutableBufferPointer { w in
                    parameter.gradient.withUnsafeBufferPointer { g in
                        m[k].withUnsafeMutableBufferPointer { m in
                            v[k].withUnsafeMutableBufferPointer { v in
                                for i in 0..<w.count {
                                    m[i] = m[i].addingProduct(w1, g[i] - m[i])          // m + (1 − β₁)(g − m)
                                    v[i] = (v[i] * b2).addingProduct(w2 * g[i], g[i])   // β₂v + (1 − β₂)g²
                                    let denominator = v[i].squareRoot() / correction2 + d     // √v̂ + δ
                                    w[i] = w[i] + (negativeStep * m[i]) / denominator   // w − η m̂/(√v̂ + δ)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: 3. Training
    //
    // The recipe: Adam at learning rate 1e-3, batches of 128, a cosine decay of the learning rate
    // to a tenth (large steps early, small ones to settle), and dynamic binarization: every
    // time an image is used its grey pixels are redrawn as fresh 0/1 coin flips with the pixel
    // value as probability. The Bernoulli decoder needs binary data, and fresh draws each epoch
    // act as data augmentation against overfitting.
    //
    // How long? The test ELBO improves fast for the first ten epochs and slowly after (the loss
    // curves of section 4 show it). Thirty epochs, about five minutes on two cores, is the default;
    // the book's about page gives the command of a 60-epoch run. The model does not overfit in that range: dynamic
    // binarization keeps the training ELBO close to the test ELBO.
    //
    // Every epoch writes a checkpoint atomically. A run stopped half way resumes where it stopped,
    // bit for bit, and a finished run with the same settings, seed and data is reused as it is:
    // the line printed below says which.
    //
    // After every epoch (and once before the first, on the initial weights) the run also measures
    // itself, for section 4's look inside the training: the library's `TrainingProbe` takes each
    // layer's gradient on a fixed batch of 128 training digits, once for the reconstruction term
    // and once for the KL, the norm of its weights, the size of Adam's last step, histograms of the
    // weights and the first layer's filters. It draws from generators of its own and puts back
    // every gradient and BatchNorm statistic it touched, so the run trains exactly as it would
    // without it (the library's tests check the weights bit for bit); what it measured is saved in
    // the checkpoint with each epoch, so a reused run still shows it.
    func trainModel(_ modelConfiguration: VAEConfiguration, train: MNIST, test: MNIST) throws -> (Trainer, [(epoch: Int, images: Tensor)]) {
        section("3. Training the VAE on MNIST")
        // The recipe (`Chapter5Run` in CourseSupport, where chapters 8 and 10 find it too): 30
        // epochs of all 60,000 digits under the cosine schedule, or 2 epochs of 20,000 with --quick.
        let configuration = Chapter5Run.configuration(model: modelConfiguration, epochs: epochs, schedule: schedule,
                                                      quick: options.quick, seed: options.seed)
        let trainer = try options.trainer(for: configuration, in: runURL, trainingSet: train)
        print("training set: \(trainer.trainingSet.count) images, \(trainer.configuration.epochs) epochs "
              + "(\(trainer.stepsPerEpoch) steps each); checkpoint: \(CoursePaths.relative(TrainingRun.checkpoint(in: runURL).path))")

        // What the run records after every epoch (`Chapter5Run.record`): the held-out terms on
        // (part of) the binarized test set; the same 10 codes decoded (progressive generation);
        // and the probe's per-layer measurements. All are kept in the checkpoint (`records`), so a
        // reused run still shows them.
        try Chapter5Run.record(trainer, binaryTest: test, quick: options.quick, seed: options.seed)
        trainer.epochEnded = { trainer, summary in print(summary.line(of: trainer.configuration.epochs)) }
        trainer.showsProgress = true
        let watch = Stopwatch()
        let epochsBefore = trainer.epoch
        _ = try trainer.train(checkpoint: TrainingRun.checkpoint(in: runURL))
        if trainer.epoch > epochsBefore {
            print(String(format: "trained %d epochs in %.1f minutes", trainer.epoch - epochsBefore, watch.elapsedSeconds / 60))
        }
        // Each recorded row of 10 images with the epoch after which it was decoded (a run that
        // this chapter trained from the start has one per epoch).
        let recorded = trainer.records["progressive"] ?? Tensor(shape: [0, 1, 28, 28])
        let rows = recorded.shape[0] / 10
        let epochsOfRows = trainer.records["progressive_epochs"]?.scalars.map { Int($0) }
            ?? (rows == trainer.epoch ? Array(stride(from: 1, through: rows, by: 1)) : [])
        if rows < trainer.epoch || epochsOfRows.count != rows {
            print("note: the run holds progressive images for \(rows) of its \(trainer.epoch) epochs (it was not trained by this"
                  + " chapter from the start); the figure shows those recorded. --retrain records them all.")
        }
        let progressive = zip(0..<rows, epochsOfRows).map { e, epoch in
            (epoch: epoch, images: Tensor(shape: [10, 1, 28, 28], scalars: Array(recorded.scalars[(e * 7840)..<((e + 1) * 7840)])))
        }
        return (trainer, progressive)
    }

    // MARK: 4. What the training did
    //
    // Per epoch, the mean training terms and the test terms: the reconstruction falls while the
    // KL rises, as the encoder learns to put information into the code and pays for it in nats.
    // ch05-loss-curves.png draws them per epoch, and the loss of the batches the history keeps
    // (one in ten) on a linear axis whose top cuts off the first half epoch (the loss falls from
    // hundreds of nats there), so that the slow improvement afterwards stays visible; ch05-learning-rate.png the schedule;
    // ch05-progressive.png the same ten codes decoded at epochs spread on a log scale up to the
    // last, since most of the drawing is learned in the first epochs.
    func showTraining(_ trainer: Trainer, progressive: [(epoch: Int, images: Tensor)], figures: FigureWriter) throws {
        section("4. What the training did")
        for record in trainer.history.epochs {
            let test = record.test.map { String(format: "   test: recon %.2f KL %.2f −ELBO %.2f", $0.reconstruction, $0.kl, $0.reconstruction + $0.kl) } ?? ""
            print(String(format: "epoch %2d  train: recon %.2f KL %.2f −ELBO %.2f", record.epoch, record.train.reconstruction,
                         record.train.kl, record.train.reconstruction + record.train.kl) + test)
        }
        try Pictures.lossCurves(trainer.history, stepsPerEpoch: trainer.stepsPerEpoch, figures: figures)
        try Pictures.learningRate(trainer.history, schedule: trainer.configuration.schedule, stepsPerEpoch: trainer.stepsPerEpoch,
                                  figures: figures)
        try Pictures.progressive(progressive, figures: figures)
    }

    // MARK: 4b. Inside the training: filters, gradients, weights
    //
    // What the probe of section 3 measured, epoch by epoch (epoch 0 is the initial weights).
    //
    // The first layer's 32 filters (ch05-filter-evolution.png): PyTorch's initialisation draws
    // them uniformly from ±1/√16 = ±0.25, noise. The upper panel draws them at a few epochs on
    // one colour scale, and they look almost the same at every epoch: training moves each weight
    // by a fraction of its size. The lower panel draws that move, w_e − w_0, on a colour scale
    // of its own (its colour bar, finer): look at how far each filter moves from its initial
    // pattern, and in which epochs. The title and the line printed before it give the size,
    // ‖w − w_0‖/‖w_0‖ per filter. A convolution followed by BatchNorm needs no particular scale
    // (BatchNorm divides it out), and a random 4×4 filter already responds to edges of some
    // direction, so training need not turn them into the clean detectors of chapter 2's
    // hand-made filters to use them.
    //
    // The gradient flow (ch05-gradient-flow.png): the gradient of the loss is the sum of the
    // reconstruction's and the KL's (`VAE.termGradients` takes them apart). The reconstruction
    // reaches every layer; the KL, computed from (μ, log σ²), reaches only the encoder. The ratio
    // ‖g_KL‖/‖g_rec‖ in the encoder says which term steers it: the KL pulls the codes towards the
    // prior, the reconstruction pushes them apart to tell digits from each other. Near a minimum
    // of their sum the two gradients cancel, g_rec ≈ −g_KL, so where the ratio settles near 1 the
    // layer is held by a tug of war between the terms, not by a small gradient of either.
    //
    // The parameters (ch05-parameter-evolution.png): each layer's weight norm, and the size of
    // Adam's last update of each epoch relative to it, ‖Δθ‖/‖θ‖. Adam moves each weight by at
    // most about η per update (less where its gradient's sign keeps changing), so the ratio is
    // about η over the layer's typical weight, times that consistency: it falls with the cosine
    // decay of η, it is larger for layers of small weights (a large fan-in makes the initial
    // bound 1/√fan_in small) whose gradients keep their sign, and smallest for BatchNorm's
    // scales, which sit near 1; 10⁻³ is the usual rule of thumb. The table is followed by the
    // layers of the largest and the smallest last ratio. The histograms are in units of each layer's initial
    // bound 1/√fan_in, where the initial weights are uniform on ±1: training spreads them into
    // long tails (weights beyond ±8 units fall in the end bins).
    func showInsideTraining(_ trainer: Trainer, figures: FigureWriter) throws {
        section("4b. Inside the training: filters, gradients and weights per layer")
        guard let recorded = TrainingProbe.recorded(trainer.records, model: trainer.model) else {
            print("note: this run holds no per-layer records (it was trained before the chapter recorded them);"
                  + " --retrain records them, and trains the same weights")
            return
        }
        if recorded.epochs.first != 0 || recorded.epochs.count != trainer.epoch + 1 {
            print("note: the run holds per-layer records for epochs \(recorded.epochs.map(String.init).joined(separator: ", "))"
                  + " of its \(trainer.epoch) (it was not trained by this chapter from the start); the figures show those")
        }
        print("layer                 ‖g_rec‖ first → last   ‖g_KL‖ first → last   ‖θ‖ first → last   ‖Δθ‖/‖θ‖ last")
        let lastRow = recorded.epochs.count - 1
        for (l, layer) in recorded.layers.enumerated() {
            print(layer.name.padding(toLength: 20, withPad: " ", startingAt: 0)
                  + String(format: "  %8.3g → %-9.3g   %8.3g → %-9.3g  %7.2f → %-7.2f  %.2e",
                           recorded.reconstructionGradient[0][l], recorded.reconstructionGradient[lastRow][l],
                           recorded.klGradient[0][l], recorded.klGradient[lastRow][l],
                           recorded.weightNorm[0][l], recorded.weightNorm[lastRow][l], recorded.updateRatio[lastRow][l]))
        }
        let lastRatios = recorded.updateRatio[lastRow]
        if let largest = lastRatios.indices.max(by: { lastRatios[$0] < lastRatios[$1] }),
           let smallest = lastRatios.indices.min(by: { lastRatios[$0] < lastRatios[$1] }) {
            print("largest last update ratio: \(recorded.layers[largest].name) (\(String(format: "%.2e", lastRatios[largest])));"
                  + " smallest: \(recorded.layers[smallest].name) (\(String(format: "%.2e", lastRatios[smallest])))")
        }
        try Pictures.filterEvolution(recorded, figures: figures)
        try Pictures.gradientFlow(recorded, figures: figures)
        try Pictures.parameterEvolution(recorded, figures: figures)
    }

    // MARK: 5. What the model does
    //
    // Three uses of the trained model: reconstruct a test digit (encode to μ(x), decode the
    // mean), draw a new digit (z ~ N(0, I), decode), and walk in a straight line between two
    // digits' codes, decoding each point on the way.
    func showModel(_ model: VAE, test: MNIST, figures: FigureWriter) throws {
        section("5. What the model does")
        try Pictures.reconstructions(model, test: test, figures: figures, seed: options.seed)
        try Pictures.priorSamples(model, figures: figures, seed: options.seed)
        try Pictures.interpolations(model, test: test, figures: figures, seed: options.seed)
    }

    // MARK: 6. The latent space
    //
    // The code has 20 dimensions; to look at it, project the means μ(x) of test digits onto
    // the two directions along which they vary most: principal component analysis. With the codes
    // centred on their mean c, their covariance is
    //
    //     C = 1/(N − 1) Σ_n (μ_n − c)(μ_n − c)ᵀ        (D × D, symmetric)
    //
    // and its eigenvectors with the two largest eigenvalues are the axes; the share of the
    // variance they explain is those two eigenvalues over the sum of all D.
    //
    // Which distribution should the codes follow? Not μ(x): the prior is matched, if at all, by
    // the *aggregate posterior* q(z) = (1/N) Σ_n q(z|x_n), the codes of all the data with their
    // noise, since sampling z ~ p(z) and decoding is meant to look like encoding real digits. Its
    // variance per dimension is Var_x(μ_d) + E_x[σ_d²]: the means spread less than N(0, 1), and the
    // σ's fill the rest. ch05-posterior-histograms.png draws z ~ q(z|x) against the prior, and the
    // means against q(z)'s density (the mixture of every N(μ_nd, σ_nd²)).
    func showLatentSpace(_ model: VAE, test: MNIST, figures: FigureWriter) throws {
        section("6. The latent space")
        let count = options.quick ? 2_000 : 5_000
        let d = model.configuration.latentDimensions
        let posteriors = try encodePosteriors(model: model, images: test.images, limit: count)
        let means = posteriors.mean.scalars                                        // (N, D)
        let sigmas = posteriors.logVariance.scalars.map { exp(0.5 * $0) }          // (N, D)
        var centre = [Double](repeating: 0, count: d)
        for i in 0..<count { for j in 0..<d { centre[j] += Double(means[i * d + j]) / Double(count) } }
        var covariance = [Double](repeating: 0, count: d * d)
        for i in 0..<count {
            for a in 0..<d {
                let da = Double(means[i * d + a]) - centre[a]
                for b in 0..<d { covariance[a * d + b] += da * (Double(means[i * d + b]) - centre[b]) / Double(count - 1) }
            }
        }
        let eigen = try SymmetricEigendecomposition(symmetric: covariance, dimension: d)
        // Eigenvalues ascend: the last two columns are the principal axes.
        let axes = [d - 1, d - 2].map { column in (0..<d).map { eigen.eigenvectors[$0 * d + column] } }
        let explained = (eigen.eigenvalues[d - 1] + eigen.eigenvalues[d - 2]) / eigen.eigenvalues.reduce(0, +)
        var xs: [Double] = [], ys: [Double] = []
        for i in 0..<count {
            var p = (0.0, 0.0)
            for j in 0..<d {
                let centred = Double(means[i * d + j]) - centre[j]
                p.0 += centred * axes[0][j]; p.1 += centred * axes[1][j]
            }
            xs.append(p.0); ys.append(p.1)
        }
        print(String(format: "PCA of μ over %d test digits: the first two axes explain %.1f%% of the variance", count, 100 * explained))
        try Pictures.latentProjection(xs: xs, ys: ys, labels: test.labels.prefix(count).map(Int.init), explained: explained,
                                      figures: figures)
        var noise = RandomSource(seed: options.seed &+ 61)
        let samples = zip(means, sigmas).map { m, s in m + s * noise.gaussian() }
        let varianceOfMeans = (0..<d).map { j in (0..<count).reduce(0.0) { $0 + pow(Double(means[$1 * d + j]) - centre[j], 2) } / Double(count - 1) }
        let meanVariance = (0..<d).map { j in (0..<count).reduce(0.0) { $0 + pow(Double(sigmas[$1 * d + j]), 2) } / Double(count) }
        print(String(format: "per dimension, averaged over the %d: Var_x(μ_d) %.3f + E_x[σ_d²] %.3f = Var(z_d) under q(z) %.3f (the prior's: 1)",
                     d, varianceOfMeans.reduce(0, +) / Double(d), meanVariance.reduce(0, +) / Double(d),
                     (varianceOfMeans.reduce(0, +) + meanVariance.reduce(0, +)) / Double(d)))
        try Pictures.posteriorHistograms(means: means, sigmas: sigmas, samples: samples, dimensions: d, figures: figures)
    }

    // MARK: 7. Evaluation
    //
    // The test ELBO is a lower bound on log p(x). A tighter estimate comes from importance
    // sampling (Burda et al., 2016): draw k codes z_i from q(z|x) and average the weights
    // w_i = p(x|z_i) p(z_i) / q(z_i|x), whose mean is exactly p(x):
    //
    //     log p(x) ≈ log (1/k) Σ_i w_i = logsumexp_i(log w_i) − log k.
    //
    // By Jensen this is still a lower bound in expectation, but it rises towards log p(x) as k
    // grows (k = 1 is the ELBO). The weights span hundreds of nats, so the sum is taken as a
    // log-sum-exp that subtracts the largest log-weight first: exp(−300) underflows a Double,
    // exp(0) does not. The negative of this estimate, in nats, is the "NLL" papers report; the
    // headline figure uses k = 5000 on all 10,000 test images (`vae evaluate`), this chapter a
    // smaller k on a subset, with its standard error.
    //
    // A dimension d of the code is *active* when its mean moves with the input, Var_x(μ_d) > 0.01
    // (Burda et al.'s measure); an inactive one has collapsed to the prior and carries no KL.
    // ch05-kl-per-dimension.png sorts the dimensions by their KL, with their activity and the
    // threshold beside.
    //
    // ch05-nll.png draws the estimate for k = 1, 3, 10, 30, … with its standard error over the
    // images, the −ELBO of the same images as a line (k = 1 is a one-sample ELBO: the two agree
    // within noise), and a published number for scale: Burda et al. report 86.76 nats for a
    // one-layer VAE trained for thousands of epochs and evaluated at k = 5000.
    func evaluate(_ model: VAE, trainer: Trainer, test: MNIST, figures: FigureWriter) throws {
        section("7. Evaluation: test ELBO and log-likelihood")
        let elbo = try evaluateELBO(model: model, images: test.images, batchSize: 500, seed: 11)
        print(String(format: "test ELBO %.2f nats (± %.2f): reconstruction %.2f, KL %.2f; %d of %d latent units active "
                     + "(Var_x μ_d > %g), %d of them hold 90%% of the KL", elbo.elbo.mean, elbo.elbo.standardError, elbo.reconstruction,
                     elbo.kl, elbo.latent.activeUnits, model.configuration.latentDimensions, elbo.latent.threshold,
                     elbo.latent.dimensionsHolding(0.9)))
        print("KL per dimension (nats): " + elbo.latent.klPerDimension.map { String(format: "%.2f", $0) }.joined(separator: " "))
        try Pictures.latentStatistics(elbo.latent, figures: figures)

        let k = samples ?? (options.quick ? 100 : 1000)
        let count = min(likelihoodImages ?? (options.quick ? 200 : 1000), test.count)
        // Half decades: 1, 3, 10, 30, … up to k.
        var ks: [Int] = []
        var candidate = 1
        while candidate < k {
            ks.append(candidate)
            candidate = ks.count % 2 == 1 ? candidate * 3 : candidate / 3 * 10
        }
        ks.append(k)
        // Each estimate depends only on the weights, k, the images and the seed: a reused run keeps
        // the ones it measured before (in the run's folder) instead of spending minutes again.
        let measurements = RunMeasurements(trainer: trainer, folder: runURL)
        var estimates: [(k: Int, nll: MeanEstimate)] = []
        for samples in ks {
            let measure = { () throws -> NLLMeasurement in
                let result = try evaluateImportanceWeighted(model: model, images: test.images, samples: samples,
                                                            limit: count, seed: 13)
                return NLLMeasurement(nll: result.negativeLogLikelihood, seconds: result.seconds)
            }
            let (result, reused) = try measurements?.value("nll k=\(samples) images=\(count) seed=13", compute: measure)
                ?? (try measure(), false)
            estimates.append((samples, result.nll))
            print(String(format: "k = %5d on the first %d test images: NLL %.2f ± %.2f nats (%.1f s%@)",
                         samples, count, result.nll.mean, result.nll.standardError, result.seconds,
                         reused ? ", measured on this run before" : ""))
        }
        let sameImages = try evaluateELBO(model: model, images: test.images, batchSize: 500, limit: count, seed: 11)
        print(String(format: "the −ELBO of the same %d images: %.2f ± %.2f nats", count, -sameImages.elbo.mean, sameImages.elbo.standardError))
        try Pictures.likelihoodAgainstSamples(estimates, elbo: MeanEstimate(sameImages.perImage.map { -$0 }), images: count,
                                              figures: figures)
        print("for the headline figure (k = 5000, all 10,000 test images):"
              + " swift run -c release vae evaluate \(CoursePaths.relative(TrainingRun.checkpoint(in: runURL).path))")
    }
}

/// The written-out step and the library's disagree, or cannot be compared: said plainly, not as
/// a command-line mistake.
struct StepCheckError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One importance-weighted estimate as the run's measurements keep it.
struct NLLMeasurement: Codable {
    var nll: MeanEstimate
    var seconds: Double
}

Chapter5.main()

// MARK: What you learned
//
// A VAE pairs a decoder p(x|z) and the prior p(z) = N(0, I) with an encoder
// q(z|x) = N(μ(x), diag σ²(x)), and Jensen's inequality gives
// log p(x) ≥ ELBO = E_q[log p(x|z)] − KL(q(z|x) ‖ p(z)), with a gap of exactly KL(q(z|x) ‖ p(z|x)).
// The loss per image is the Bernoulli's binary cross-entropy over the 784 pixels plus the
// closed-form Gaussian KL, and the written-out training step (encoder, reparameterised sample,
// decoder, loss, the two gradient paths into μ and log σ², then Adam) ends bit for bit equal to the
// library's `Trainer`. Trained on the 60,000 digits with dynamic binarization and a cosine decay,
// the run shows the reconstruction term falling while the KL rises as the code learns to carry
// information, the KL's gradient, which reaches only the encoder, pulling against the
// reconstruction's, and a training ELBO that stays close to the test ELBO. The trained model
// reconstructs, samples and interpolates, and its aggregate posterior's variance per dimension, the
// spread of the means plus the posteriors' own σ², comes close to the prior's. The
// importance-weighted estimate log (1/k) Σ_i w_i rises above the ELBO as k grows, giving the test
// NLL that papers report.

// MARK: Experiments
//
// Experiments 1–3 each train a run of their own (in runs/ beside the chapter's), so the chapter's
// own run stays as it is; each writes its figures to a folder of its own (`--figures`), so that
// the plain run's figures in figures/ stay too: compare the two folders and what each run printed.
//
// 1. A code of two numbers. `swift run -c release ch05-elbo --latent 2 --figures /tmp/ch05-latent2`: the KL per dimension
//    (section 7's line "KL per dimension") now sits on two dimensions, both active, with a few
//    nats each, and the total KL is far smaller, while the reconstruction term of the test ELBO
//    is far worse: two numbers cannot hold a digit's details. The PCA figure
//    (ch05-latent-pca.png) is then the code itself, centred and turned (perhaps mirrored): the
//    digits as touching clusters, and the printed share of the variance is 100%.
//    Answer: run `ch05-elbo --latent 2 --figures /tmp/ch05-latent2`, sections 6 and 7
// 2. No batch norm. `swift run -c release ch05-elbo --no-batchnorm --figures /tmp/ch05-nobn`: the same model without its
//    three BatchNorm layers (section 1 lists the layers that remain). Compare the loss curves and
//    section 7's test ELBO with the plain run's: how much of the result did normalisation buy?
//    Section 4b and ch05-gradient-flow.png show what it did to the gradients layer by layer.
//    Answer: run `ch05-elbo --no-batchnorm --figures /tmp/ch05-nobn`, sections 1, 4b and 7
// 3. A constant learning rate. `swift run -c release ch05-elbo --schedule constant --figures /tmp/ch05-constant`: no cosine
//    decay (ch05-learning-rate.png is flat). Compare the test ELBO and the last epochs of
//    ch05-loss-curves.png with the plain run's, once with --quick and once in full: does the
//    decay help or hinder over two epochs, and over thirty, do its small final steps pay off?
//    Answer: run `ch05-elbo --schedule constant --quick --figures /tmp/ch05-constant-quick`, sections 3 and 7
//    Answer: run `ch05-elbo --schedule constant --figures /tmp/ch05-constant`, sections 3 and 7
// 4. Your own step. Change a line of `writtenOutStep` (drop the KL's gradient from ∂L/∂μ, say)
//    and run with `--hand-steps 20`: section 2 stops with the names of the tensors that no
//    longer match the library's Trainer; the losses it printed show what the change does.
