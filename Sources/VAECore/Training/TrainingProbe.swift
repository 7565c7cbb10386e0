import Foundation

/// Measures a model's layers while it trains, once per epoch, into the trainer's `records` (so
/// they are saved in the checkpoint as `record.probe.*`, and a reused run still has them):
///
///   - per layer, the norm of the gradient of each term of the loss, reconstruction and KL
///     (`VAE.termGradients`), on a fixed batch of training images with a fixed ε;
///   - per layer, the norm of its parameters, and the size of Adam's last update relative to
///     them, ‖Δθ‖/‖θ‖ (rebuilt from Adam's moments: the step Adam took, not a new one);
///   - per layer with a weight matrix or kernel, a histogram of its weights;
///   - the first convolution's filters, when it reads one channel (the figure of conv1's
///     filters over training).
///
/// A "layer" is every module with a `.weight` (convolutions, linear layers, BatchNorm), its norms
/// taken over all of its parameters (weight and bias).
///
/// The measurement does not change the training: it draws from its own generators (never the
/// trainer's batch order or ε stream), leaves every gradient as it found it, restores BatchNorm's
/// running statistics, and does not touch Adam's state; a run with the probe ends with weights
/// bit-identical to one without (a test checks it).
///
///     let probe = try TrainingProbe(trainingSet: train, model: trainer.model.configuration, seed: 3)
///     if trainer.epoch == 0 { try probe.record(trainer) }        // epoch 0: the initial weights
///     trainer.recordEpoch = { try probe.record($0) }
public struct TrainingProbe: Sendable {
    /// The fixed batch the gradients are measured on (binarized once, for a Bernoulli model).
    public let images: Tensor
    /// Its labels, for a conditional model; nil otherwise.
    public let labels: [Int]?
    /// The seed of ε: each epoch's measurement draws ε from `seed + epoch`.
    public let seed: UInt64
    /// Bins of each weight histogram, over ±`histogramSpan` times the layer's initial bound 1/√fan_in.
    public static let histogramBins = 80
    public static let histogramSpan = 8.0

    /// The names of the records, under `record.` in the checkpoint.
    public enum Key {
        /// (E): the epoch of each row (0 = the initial weights).
        public static let epochs = "probe.epochs"
        /// (E, L): ‖∂reconstruction/∂θ_layer‖ and ‖∂KL/∂θ_layer‖.
        public static let reconstructionGradient = "probe.gradient_norm.reconstruction"
        public static let klGradient = "probe.gradient_norm.kl"
        /// (E, L): ‖θ_layer‖.
        public static let weightNorm = "probe.weight_norm"
        /// (E, L): ‖Δθ_layer‖/‖θ_layer‖ of the epoch's last update (0 at epoch 0).
        public static let updateRatio = "probe.update_ratio"
        /// (E, H, bins): counts of each histogrammed layer's weights (values beyond the span fall in the end bins).
        public static let weightHistogram = "probe.weight_histogram"
        /// (E, O, 1, kh, kw): the first convolution's filters.
        public static let filters = "probe.filters"
    }

    /// A probe measuring on the first `count` images of `trainingSet`, binarized with `seed`
    /// when the model's likelihood trains on binary pixels.
    /// - Throws: when the training set has fewer than 2 images (BatchNorm needs two).
    public init(trainingSet: MNIST, model: VAEConfiguration, count: Int = 128, seed: UInt64) throws {
        let n = min(count, trainingSet.count)
        guard n >= 2 else { throw TrainingConfigurationError("the training probe needs at least 2 images, the training set has \(trainingSet.count)") }
        let first = trainingSet.prefix(n)
        images = model.likelihood.binarizesData ? first.binarized(seed: seed).images : first.images
        labels = model.classCount > 0 ? first.labels.map { Int($0) } : nil
        self.seed = seed
    }

    // MARK: Layers

    /// A layer as the probe sees it: its name (`encoder.conv1`) and its parameters.
    public struct Layer: Sendable {
        public var name: String
        /// Indices into `model.parameters`.
        var parameterIndices: [Int]
        /// The index of its `.weight`.
        var weightIndex: Int
        /// Whether its weight is histogrammed (a matrix or a kernel, not BatchNorm's scale).
        public var hasHistogram: Bool
        /// The initial bound 1/√fan_in of its weight, the unit of its histogram's bins.
        var initialBound: Double
    }

    /// The layers of `model`, in the order of its parameters.
    public static func layers(of model: VAE) -> [Layer] {
        let parameters = model.parameters
        var layers: [Layer] = []
        for (i, p) in parameters.enumerated() where p.name.hasSuffix(".weight") {
            let name = String(p.name.dropLast(".weight".count))
            let indices = parameters.indices.filter { parameters[$0].name.hasPrefix(name + ".") && !parameters[$0].name.dropFirst(name.count + 1).contains(".") }
            let shape = p.value.shape
            let fanIn = shape.count >= 2 ? shape.dropFirst().reduce(1, *) : 1
            layers.append(Layer(name: name, parameterIndices: indices, weightIndex: i, hasHistogram: shape.count >= 2,
                                initialBound: 1 / Double(max(fanIn, 1)).squareRoot()))
        }
        return layers
    }

    // MARK: Recording

    /// Measures the trainer's model after `trainer.epoch` epochs and appends one row to each record.
    /// - Throws: when the model cannot be run on the probe's batch.
    public func record(_ trainer: Trainer) throws {
        let model = trainer.model
        let layers = Self.layers(of: model)
        let parameters = model.parameters
        let wasTraining = model.isTraining
        model.isTraining = true
        defer { model.isTraining = wasTraining }
        var random = RandomSource(seed: seed &+ UInt64(trainer.epoch))
        let gradients = try model.termGradients(images: images, labels: labels, using: &random)

        func norm(_ tensors: [Tensor]) -> Double { arrayNorm(tensors.map(\.scalars)) }
        func arrayNorm(_ arrays: [[Float]]) -> Double {
            (arrays.reduce(0.0) { total, a in a.reduce(total) { $0 + Double($1) * Double($1) } }).squareRoot()
        }
        let reconstruction = layers.map { l in norm(l.parameterIndices.map { gradients.reconstruction[parameters[$0].name]! }) }
        let kl = layers.map { l in norm(l.parameterIndices.map { gradients.kl[parameters[$0].name]! }) }
        let weights = layers.map { l in norm(l.parameterIndices.map { parameters[$0].value }) }
        let updates = Self.lastUpdates(trainer.optimizer, parameters: parameters)
        let ratios = zip(layers, weights).map { l, w in
            updates.map { u in arrayNorm(l.parameterIndices.map { u[$0] }) / max(w, .leastNormalMagnitude) } ?? 0
        }

        var histograms: [Float] = []
        for layer in layers where layer.hasHistogram {
            histograms += Self.histogram(parameters[layer.weightIndex].value.scalars, bound: layer.initialBound)
        }
        let row = { (values: [Double]) in Tensor(shape: [1, values.count], scalars: values.map { Float($0) }) }
        append(Key.epochs, Tensor(shape: [1], scalars: [Float(trainer.epoch)]), to: trainer)
        append(Key.reconstructionGradient, row(reconstruction), to: trainer)
        append(Key.klGradient, row(kl), to: trainer)
        append(Key.weightNorm, row(weights), to: trainer)
        append(Key.updateRatio, row(ratios), to: trainer)
        let histogrammed = layers.filter(\.hasHistogram).count
        append(Key.weightHistogram, Tensor(shape: [1, histogrammed, Self.histogramBins], scalars: histograms), to: trainer)
        if let first = model.encoderBody.layers.first as? Conv2d, first.inputChannels == 1 {
            append(Key.filters, Tensor(shape: [1] + first.weight.value.shape, scalars: first.weight.value.scalars), to: trainer)
        }
    }

    /// Appends `row` (one leading axis of 1) to the record `key`.
    private func append(_ key: String, _ row: Tensor, to trainer: Trainer) {
        trainer.records[key] = trainer.records[key].map { Tensor.concatenateRows($0, row) } ?? row
    }

    /// Adam's last update of every parameter, Δθ = η/(1 − β₁ᵗ) · m/(√v/√(1 − β₂ᵗ) + ε), computed
    /// from its moments after update t (AdamW's decoupled decay left out); nil before the first
    /// update, and for the other optimizers.
    static func lastUpdates(_ optimizer: any Optimizer, parameters: [Parameter]) -> [[Float]]? {
        guard let adam = optimizer as? Adam else { return nil }   // other optimizers: no ratio recorded
        let t = adam.stepCount
        guard t > 0 else { return nil }
        let state = adam.state()
        let (beta1, beta2) = adam.betas
        let stepSize = Double(adam.learningRate) / (1 - pow(beta1, Double(t)))
        let correction2 = (1 - pow(beta2, Double(t))).squareRoot()
        return parameters.map { p in
            guard let m = state.buffers[p.name]?["exp_avg"], let v = state.buffers[p.name]?["exp_avg_sq"] else {
                return [Float](repeating: 0, count: p.value.count)
            }
            return zip(m, v).map { m, v in Float(stepSize * Double(m) / ((Double(v)).squareRoot() / correction2 + adam.epsilon)) }
        }
    }

    /// Counts of `values` in `histogramBins` bins over ±`histogramSpan`·bound; values beyond fall in the end bins.
    static func histogram(_ values: [Float], bound: Double) -> [Float] {
        var counts = [Float](repeating: 0, count: histogramBins)
        let low = -histogramSpan * bound, width = 2 * histogramSpan * bound / Double(histogramBins)
        for v in values where v.isFinite {
            counts[min(max(Int(((Double(v) - low) / width).rounded(.down)), 0), histogramBins - 1)] += 1
        }
        return counts
    }

    // MARK: Reading

    /// What a run recorded, read back from its records for figures: row e of each is epoch `epochs[e]`.
    public struct Recorded: Sendable {
        public var epochs: [Int]
        public var layers: [Layer]
        /// [epoch][layer].
        public var reconstructionGradient: [[Double]]
        public var klGradient: [[Double]]
        public var weightNorm: [[Double]]
        public var updateRatio: [[Double]]
        /// [epoch][histogrammed layer][bin].
        public var weightHistogram: [[[Double]]]
        /// [epoch]: the first convolution's filters (O, 1, kh, kw), when recorded.
        public var filters: [Tensor]
    }

    /// The probe's records of a run of `model`; nil when the run holds none (it was trained
    /// without the probe) or they do not fit the model.
    public static func recorded(_ records: [String: Tensor], model: VAE) -> Recorded? {
        let layers = layers(of: model)
        let histogrammed = layers.filter(\.hasHistogram).count
        guard let epochs = records[Key.epochs]?.scalars.map({ Int($0) }), !epochs.isEmpty else { return nil }
        let e = epochs.count
        func table(_ key: String) -> [[Double]]? {
            guard let t = records[key], t.shape == [e, layers.count] else { return nil }
            return (0..<e).map { r in (0..<layers.count).map { Double(t.scalars[r * layers.count + $0]) } }
        }
        guard let reconstruction = table(Key.reconstructionGradient), let kl = table(Key.klGradient),
              let weights = table(Key.weightNorm), let ratios = table(Key.updateRatio),
              let h = records[Key.weightHistogram], h.shape == [e, histogrammed, histogramBins] else { return nil }
        let histograms = (0..<e).map { r in
            (0..<histogrammed).map { l in (0..<histogramBins).map { Double(h.scalars[(r * histogrammed + l) * histogramBins + $0]) } }
        }
        var filters: [Tensor] = []
        if let f = records[Key.filters], f.rank == 5, f.shape[0] == e {
            let size = f.count / e
            filters = (0..<e).map { Tensor(shape: Array(f.shape.dropFirst()), scalars: Array(f.scalars[($0 * size)..<(($0 + 1) * size)])) }
        }
        return Recorded(epochs: epochs, layers: layers, reconstructionGradient: reconstruction, klGradient: kl,
                        weightNorm: weights, updateRatio: ratios, weightHistogram: histograms, filters: filters)
    }
}
