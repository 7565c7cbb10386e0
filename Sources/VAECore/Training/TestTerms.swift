import Foundation

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
/// The pixels are used as they are: pass a binarized set
/// (`MNIST.binarized(seed: EvaluationDefaults.binarizationSeed)`), fixed once, so that numbers
/// compare across epochs and runs. This is `evaluateELBO` for a whole data set, as training
/// reports it.
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
    let labels = model.configuration.classCount > 0 ? dataset.labels.map { Int($0) } : nil
    return try evaluateELBO(model: model, images: dataset.images, labels: labels, batchSize: batchSize, seed: seed).terms
}
