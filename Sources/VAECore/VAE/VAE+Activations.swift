/// What each layer computes: the forward passes of the encoder and the decoder, one layer at a
/// time, keeping every layer's output (the explorer's "layer activations" panel, and any
/// chapter that wants to look inside the networks).
extension VAE {
    /// One layer's output, under the name the architecture gave it.
    public struct Activation {
        /// The layer's name (`conv1`, `bn1`, `relu1`, … as in the parameter names).
        public var name: String
        /// The layer as its specification reads ("conv 32 k4 s2 p1"); "head" for the encoder's
        /// head, which gives (μ, log σ²).
        public var layer: String
        /// The output, (B, C, H, W) for a convolutional layer, (B, F) for a flat one.
        public var output: Tensor
    }

    /// The output of every encoder layer for `images` (B, 1, 28, 28), in order, ending with the
    /// head's (B, 2D): μ in the first D columns (before a label centre is subtracted), log σ² in
    /// the rest. The same arithmetic as `encode`. Put the model in evaluation mode first for
    /// BatchNorm's running statistics.
    /// - Throws: `VAEConfigurationError` for images of another shape or missing labels.
    public func encoderActivations(_ images: Tensor, labels: [Int]? = nil) throws -> [Activation] {
        guard images.rank == 4, Array(images.shape.dropFirst()) == Architecture.imageShape else {
            throw VAEConfigurationError("the VAE takes (B, 1, 28, 28) images, not \(images.shape)")
        }
        let onehot = try condition(labels, batch: images.shape[0])
        var outputs: [Activation] = []
        var x = images
        for (layer, resolved) in zip(encoderBody.layers, layout.encoder) {
            x = layer.forward(x)
            outputs.append(Activation(name: resolved.name, layer: resolved.spec.summary, output: x))
        }
        if let onehot { x = Tensor.concatenateColumns(x, onehot) }
        outputs.append(Activation(name: layout.head.name, layer: "head", output: encoderHead.forward(x)))
        return outputs
    }

    /// The output of every decoder layer for codes `z` (B, D), in order, the last being the
    /// likelihood's parameter ℓ per pixel (B, 1, 28, 28). The same arithmetic as `decode`.
    /// - Throws: `VAEConfigurationError` for codes of another shape or missing labels.
    public func decoderActivations(_ z: Tensor, labels: [Int]? = nil) throws -> [Activation] {
        guard z.rank == 2, z.shape[1] == configuration.latentDimensions else {
            throw VAEConfigurationError("codes must be (B, \(configuration.latentDimensions)), not \(z.shape)")
        }
        let onehot = try condition(labels, batch: z.shape[0])
        var outputs: [Activation] = []
        var x = decoderInput(z, onehot: onehot)
        for (layer, resolved) in zip(decoder.layers, layout.decoder) {
            x = layer.forward(x)
            outputs.append(Activation(name: resolved.name, layer: resolved.spec.summary, output: x))
        }
        return outputs
    }
}
