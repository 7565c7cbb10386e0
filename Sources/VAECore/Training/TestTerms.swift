import Foundation

/// The seed of the one fixed binarization of the test set that training runs report on, so that
/// every run's test numbers are measured on the same binary images:
/// `MNIST.load(split: .test).binarized(seed: testBinarizationSeed)`.
public let testBinarizationSeed: UInt64 = 0x7E57

/// The single-sample ELBO terms of `model` on `dataset`, in nats per image: for every image,
/// in evaluation mode (BatchNorm's running statistics),
///
///     (μ, log σ²) = encoder(x);   z = μ + σ·ε, ε ~ N(0, I);   logits = decoder(z)
///     reconstruction = BCE(logits, x) summed over pixels;   KL = KL(q(z|x) ‖ N(0, I))
///
/// averaged over the images; `objective` is reconstruction + KL (β = 1), so −objective is the
/// ELBO. One ε per image makes the reconstruction term a noisy but unbiased estimate; the
/// importance-sampled log-likelihood is the evaluation chapter's business.
///
/// The pixels are used as they are: pass a binarized set (`MNIST.binarized(seed:)`), fixed
/// once, so that numbers compare across epochs and runs.
///
/// ε comes from `RandomSource(seed: seed)`, drawn in image order, so the result does not
/// depend on `batchSize` (up to float rounding). The model's mode is restored on return.
///
/// - Throws: `TrainingConfigurationError` for a batch size < 1 or an empty data set;
///   whatever the model throws for images or labels it cannot take.
/// - Complexity: one forward pass over the data set, `batchSize` images at a time.
public func testTerms(model: VAE, dataset: MNIST, batchSize: Int = 500, seed: UInt64 = 1) throws -> ELBOTerms {
    guard batchSize >= 1 else { throw TrainingConfigurationError("the evaluation batch size must be at least 1, not \(batchSize)") }
    guard dataset.count > 0 else { throw TrainingConfigurationError("the evaluation set is empty") }
    let wasTraining = model.isTraining
    model.isTraining = false
    defer { model.isTraining = wasTraining }
    let conditional = model.configuration.classCount > 0
    var random = RandomSource(seed: seed)
    var reconstruction = 0.0, kl = 0.0
    let pixels = dataset.pixelsPerImage
    var start = 0
    while start < dataset.count {
        let size = min(batchSize, dataset.count - start)
        let images = Tensor(shape: [size, 1, dataset.height, dataset.width],                     // (B, 1, 28, 28)
                            scalars: Array(dataset.images.scalars[start * pixels ..< (start + size) * pixels]))
        let labels = conditional ? dataset.labels[start ..< start + size].map { Int($0) } : nil
        let (mean, logVariance) = try model.encode(images, labels: labels)                       // (B, D) each
        let z = VAE.reparameterize(mean: mean, logVariance: logVariance, using: &random).z
        let logits = try model.decode(z, labels: labels)                                         // (B, 1, 28, 28)
        let r = try binaryCrossEntropyWithLogits(logits: logits, targets: images, reduction: .sumPerSample)
        let k = try klDivergenceStandardNormal(mean: mean, logVariance: logVariance, reduction: .sumPerSample)
        reconstruction += r.value * Double(size)
        kl += k.value * Double(size)
        start += size
    }
    let n = Double(dataset.count)
    return ELBOTerms(reconstruction: reconstruction / n, kl: kl / n, objective: (reconstruction + kl) / n)
}
