/// One mini-batch: images, their labels, and where they came from in the data set.
public struct Batch: Sendable {
    /// The images, (B, 1, H, W).
    public var images: Tensor
    /// The label of each image.
    public var labels: [UInt8]
    /// The index in the data set of each image.
    public var indices: [Int]
    /// B, the number of images.
    public var count: Int { labels.count }
}

/// Shuffled mini-batches of a data set, epoch after epoch, from one seed.
///
/// Each epoch visits the images in a fresh random order (a permutation drawn at the start of
/// the epoch). `next()` returns `nil` once at the end of each epoch, and the call after that
/// starts the next one:
///
///     var batches = BatchIterator(dataset: train, batchSize: 128, seed: 1, binarize: true)
///     for _ in 0..<epochs {
///         while let batch = batches.next() { … }   // batch.images: (128, 1, 28, 28)
///     }
///
/// With `binarize`, every pixel of every image served is a fresh Bernoulli draw (x_bin = u < x),
/// so an image looks different each epoch (dynamic binarization).
///
/// Two generators come from the seed: one for the order and one for the binarization noise,
/// so that switching binarization on or off leaves the order of the batches unchanged.
/// Everything that decides the next batch (`state`) can be saved, and an iterator rebuilt from
/// it continues with bit-identical batches.
public struct BatchIterator: Sendable {
    /// The data set served.
    public let dataset: MNIST
    /// Images per batch (the last batch of an epoch may be smaller unless `dropLast`).
    public let batchSize: Int
    /// Whether an epoch's last, smaller batch is skipped (PyTorch's `drop_last`).
    public let dropLast: Bool
    /// Whether images are served as fresh Bernoulli draws.
    public let binarize: Bool

    /// The epoch in progress, from 0.
    public private(set) var epoch: Int
    /// How many images of this epoch have been served.
    public private(set) var position: Int
    /// This epoch's order: `permutation[k]` is the index of the k-th image served.
    public private(set) var permutation: [Int]
    private var order: RandomSource
    private var noise: RandomSource

    /// An iterator at the start of epoch 0.
    /// - Precondition: `batchSize > 0`.
    public init(dataset: MNIST, batchSize: Int, seed: UInt64, dropLast: Bool = false, binarize: Bool = false) {
        precondition(batchSize > 0, "BatchIterator needs a positive batch size, got \(batchSize)")
        self.dataset = dataset
        self.batchSize = batchSize
        self.dropLast = dropLast
        self.binarize = binarize
        var master = RandomSource(seed: seed)
        order = RandomSource(seed: master.next())
        noise = RandomSource(seed: master.next())
        epoch = 0
        position = 0
        permutation = order.permutation(dataset.count)
    }

    /// Batches in one epoch: ⌈N / B⌉, or ⌊N / B⌋ with `dropLast`.
    public var batchesPerEpoch: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// The next batch of this epoch, or `nil` at its end; the following call starts the next
    /// epoch with a new permutation.
    /// - Complexity: O(B·H·W): one row copy per image, or one draw per pixel with `binarize`.
    public mutating func next() -> Batch? {
        let remaining = dataset.count - position
        let size = dropLast ? (remaining >= batchSize ? batchSize : 0) : min(batchSize, remaining)
        guard size > 0 else {
            epoch += 1
            position = 0
            permutation = order.permutation(dataset.count)
            return nil
        }
        let indices = Array(permutation[position ..< position + size])
        position += size
        return gather(indices)
    }

    /// The images and labels at `indices`, in that order, binarized with `noise` if asked.
    private mutating func gather(_ indices: [Int]) -> Batch {
        let pixels = dataset.pixelsPerImage
        var images = Tensor(shape: [indices.count, 1, dataset.height, dataset.width])   // (B, 1, H, W)
        var labels = [UInt8](repeating: 0, count: indices.count)
        var noise = self.noise
        let binarize = self.binarize
        dataset.images.withUnsafeBufferPointer { source in
            images.withUnsafeMutableBufferPointer { out in
                guard let s = source.baseAddress, let o = out.baseAddress else { return }
                for (row, index) in indices.enumerated() {
                    let from = s + index * pixels, to = o + row * pixels
                    if binarize {
                        sampleBernoulli(from, into: to, count: pixels, using: &noise)
                    } else {
                        to.update(from: from, count: pixels)
                    }
                }
            }
        }
        dataset.labels.withUnsafeBufferPointer { source in
            for (row, index) in indices.enumerated() { labels[row] = source[index] }
        }
        self.noise = noise
        return Batch(images: images, labels: labels, indices: indices)
    }

    // MARK: Saving and restoring

    /// Everything that decides the batches to come, for a checkpoint.
    public struct State: Codable, Equatable, Sendable {
        public var epoch: Int
        public var position: Int
        var permutation: [Int]
        public var order: RandomSource.State
        public var noise: RandomSource.State
        /// The settings, checked on restore so that a state is not applied to another setup.
        var datasetCount: Int
        public var batchSize: Int
        public var dropLast: Bool
        public var binarize: Bool
    }

    /// The state now; `BatchIterator(dataset:state:)` continues from exactly here.
    public var state: State {
        State(epoch: epoch, position: position, permutation: permutation,
              order: order.state, noise: noise.state,
              datasetCount: dataset.count, batchSize: batchSize, dropLast: dropLast, binarize: binarize)
    }

    /// An iterator that continues from a saved `state` over the same `dataset`.
    /// - Throws: `StateError` when the state does not fit the data set or is not consistent.
    public init(dataset: MNIST, state: State) throws(StateError) {
        guard state.datasetCount == dataset.count else {
            throw StateError("the state is for \(state.datasetCount) images, the data set has \(dataset.count)")
        }
        guard state.batchSize > 0 else { throw StateError("batch size \(state.batchSize) is not positive") }
        guard state.epoch >= 0, (0...dataset.count).contains(state.position) else {
            throw StateError("epoch \(state.epoch), position \(state.position) out of range for \(dataset.count) images")
        }
        guard state.permutation.count == dataset.count else {
            throw StateError("the permutation has \(state.permutation.count) entries, the data set \(dataset.count) images")
        }
        var seen = [Bool](repeating: false, count: dataset.count)
        for index in state.permutation {
            guard (0..<dataset.count).contains(index), !seen[index] else {
                throw StateError("the saved order is not a permutation of 0..<\(dataset.count) (index \(index))")
            }
            seen[index] = true
        }
        do {
            order = try RandomSource(state: state.order)
            noise = try RandomSource(state: state.noise)
        } catch {
            throw StateError("\(error)")
        }
        self.dataset = dataset
        batchSize = state.batchSize
        dropLast = state.dropLast
        binarize = state.binarize
        epoch = state.epoch
        position = state.position
        permutation = state.permutation
    }

    /// A saved iterator state that cannot be restored.
    public struct StateError: Error, CustomStringConvertible, Sendable {
        public let description: String
        init(_ reason: String) { description = "invalid batch iterator state: " + reason }
    }
}
