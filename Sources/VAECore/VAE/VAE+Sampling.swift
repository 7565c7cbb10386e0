import Foundation

/// Generating digits: decoding codes into images, and drawing new ones from the prior.
extension VAE {
    /// The decoder's means E[x|z] = σ(ℓ) for codes `z` (N, D), from its likelihood: (N, 1, 28, 28)
    /// in [0, 1], grey images like MNIST's. A conditional model needs one label per code.
    /// - Throws: `VAEConfigurationError` for codes of the wrong shape or missing/bad labels.
    public func decodeMeans(_ z: Tensor, labels: [Int]? = nil) throws -> Tensor {
        likelihood.mean(try decode(z, labels: labels))
    }

    /// `count` new images (count, 1, 28, 28): z ~ N(0, I) drawn from `random`, one row of D
    /// draws per image, `chunk` images at a time, decoded to Bernoulli means. (z ~ p(z), the
    /// model's prior: with a VampPrior, a component drawn uniformly, then a code from it.) A conditional model
    /// draws image n under `labels[n]`. Put the model in evaluation mode first (BatchNorm's
    /// running statistics), as generation should.
    ///
    /// A `temperature` T below 1 draws z ~ N(0, T²·I) instead (the same ε, scaled): codes nearer
    /// the prior's centre, where training codes are dense, for more typical and less varied
    /// digits. T = 1 is the model's own prior.
    /// - Throws: `VAEConfigurationError` for a count below 1, a label count other than `count`,
    ///   labels a plain model cannot take, or a negative or non-finite temperature;
    ///   `MemoryBudgetError` for more images than this machine's memory holds.
    /// - Complexity: one decoder forward per chunk.
    public func samplePrior(count: Int, labels: [Int]? = nil, temperature: Float = 1, chunk: Int = 500,
                            using random: inout RandomSource) throws -> Tensor {
        guard temperature.isFinite, temperature >= 0 else {
            throw VAEConfigurationError("the temperature must be a finite number ≥ 0, not \(temperature)")
        }
        let prior = try preparedPrior()
        return try decodeDraws(count: count, labels: labels, chunk: chunk) { n, _ in
            prior.sample(count: n, temperature: temperature, using: &random)                     // (n, D)
        }
    }

    /// Like `samplePrior`, but z drawn from `prior`, a Gaussian per label fitted to the training
    /// codes (`fitCodePrior`), instead of N(0, I): image n under `labels[n]` (label 0 for all of
    /// a plain model's).
    /// - Throws: `VAEConfigurationError` as `samplePrior`, or for a prior of another code length.
    public func sample(count: Int, labels: [Int]? = nil, from prior: FittedCodePrior, chunk: Int = 500,
                       using random: inout RandomSource) throws -> Tensor {
        guard prior.dimension == configuration.latentDimensions else {
            throw VAEConfigurationError("a prior over \(prior.dimension) dimensions cannot feed codes of \(configuration.latentDimensions)")
        }
        return try decodeDraws(count: count, labels: labels, chunk: chunk) { n, chunkLabels in
            try prior.sample(labels: chunkLabels ?? [Int](repeating: 0, count: n), using: &random)  // (n, D)
        }
    }

    /// Decodes `count` codes to the likelihood's means, `chunk` at a time: `draw(n, labels)` gives the
    /// codes (n, D) of the next n images and their labels.
    private func decodeDraws(count: Int, labels: [Int]?, chunk: Int,
                             draw: (Int, [Int]?) throws -> Tensor) throws -> Tensor {
        guard count >= 1, chunk >= 1 else {
            throw VAEConfigurationError("sampling needs a positive count and chunk, not \(count) and \(chunk)")
        }
        if let labels, labels.count != count {
            throw VAEConfigurationError("\(labels.count) labels for \(count) samples")
        }
        try MemoryBudget.bytes([count, 784], bytesPerElement: MemoryLayout<Float>.size, for: "\(count) sampled images")
        var pixels = [Float]()
        pixels.reserveCapacity(count * 784)
        var start = 0
        while start < count {
            let n = min(chunk, count - start)
            let chunkLabels = labels.map { Array($0[start ..< start + n]) }
            let means = try decodeMeans(try draw(n, chunkLabels), labels: chunkLabels)            // (n, 1, 28, 28)
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

extension VAE {
    /// log p(x|z) per image under this model's likelihood, its variances computed once.
    func preparedLikelihood(pixels: Int) -> PreparedLikelihood {
        likelihood.prepared(pixels: pixels)
    }
}
