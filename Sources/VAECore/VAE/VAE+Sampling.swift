import Foundation

/// Generating digits: decoding codes into images, and drawing new ones from the prior.
extension VAE {
    /// The decoder's Bernoulli means σ(logits) for codes `z` (N, D): (N, 1, 28, 28) in [0, 1],
    /// grey images like MNIST's. A conditional model needs one label per code.
    /// - Throws: `VAEConfigurationError` for codes of the wrong shape or missing/bad labels.
    public func decodeMeans(_ z: Tensor, labels: [Int]? = nil) throws -> Tensor {
        try decode(z, labels: labels).map { StableMath.sigmoid($0) }
    }

    /// `count` new images (count, 1, 28, 28): z ~ N(0, I) drawn from `random`, one row of D
    /// draws per image, `chunk` images at a time, decoded to Bernoulli means. A conditional model
    /// draws image n under `labels[n]`. Put the model in evaluation mode first (BatchNorm's
    /// running statistics), as generation should.
    /// - Throws: `VAEConfigurationError` for a count below 1, a label count other than `count`,
    ///   or labels a plain model cannot take.
    /// - Complexity: one decoder forward per chunk.
    public func samplePrior(count: Int, labels: [Int]? = nil, chunk: Int = 500,
                            using random: inout RandomSource) throws -> Tensor {
        guard count >= 1, chunk >= 1 else {
            throw VAEConfigurationError("sampling needs a positive count and chunk, not \(count) and \(chunk)")
        }
        if let labels, labels.count != count {
            throw VAEConfigurationError("\(labels.count) labels for \(count) samples")
        }
        let latent = configuration.latentDimensions
        var pixels = [Float]()
        pixels.reserveCapacity(count * 784)
        var start = 0
        while start < count {
            let n = min(chunk, count - start)
            let z = Tensor.gaussian([n, latent], using: &random)                                   // (n, D)
            let means = try decodeMeans(z, labels: labels.map { Array($0[start ..< start + n]) })  // (n, 1, 28, 28)
            pixels.append(contentsOf: means.scalars)
            start += n
        }
        return Tensor(shape: [count, 1, 28, 28], scalars: pixels)
    }

    /// Labels 0, 1, …, K−1, 0, 1, … for `count` samples of a K-class model: every label equally
    /// often (when K divides `count`), and every consecutive run of K samples holds each label
    /// once, so that every split of the Inception Score sees all classes.
    public static func interleavedLabels(count: Int, classes: Int) -> [Int] {
        precondition(classes >= 1, "interleavedLabels needs at least one class")
        return (0..<count).map { $0 % classes }
    }
}
