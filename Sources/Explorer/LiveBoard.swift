import Foundation
import VAECore

/// What the live view of a training run shows, filled by the training loop and read by the
/// server: the numbers of every update, and after every epoch its summary and pictures.
///
/// The training thread only appends under a lock (a few tens of nanoseconds an update); the
/// server copies what is new when a page asks, every quarter of a second. Nothing here decodes
/// or encodes during an epoch: the pictures are made once per epoch (`LiveRecorder`).
public final class LiveBoard: @unchecked Sendable {
    /// The run, as the page's header shows it.
    public struct Run: Encodable, Sendable {
        public var title: String
        public var summary: String
        public var epochs: Int
        public var stepsPerEpoch: Int
        public var batchSize: Int
        public var latentDimensions: Int
        public var objective: String
        public init(title: String, summary: String, epochs: Int, stepsPerEpoch: Int, batchSize: Int, latentDimensions: Int, objective: String) {
            self.title = title; self.summary = summary; self.epochs = epochs; self.stepsPerEpoch = stepsPerEpoch
            self.batchSize = batchSize; self.latentDimensions = latentDimensions; self.objective = objective
        }
    }

    /// One epoch's summary; its pictures are served at `/api/live/epoch/N/samples.png` and
    /// `…/reconstructions.png`.
    public struct Epoch: Encodable, Sendable {
        /// The epoch's number; 0 for the model before training (or where a resumed run starts).
        public var epoch: Int
        public var step: Int
        public var train: ELBOTerms?
        public var test: ELBOTerms?
        public var learningRate: Float?
        public var seconds: Double?
        public var imagesPerSecond: Double?
        /// KL(q(z|x) ‖ p(z)) per latent dimension on the first test images, nats.
        public var klPerDimension: [Double]
        public var activeUnits: Int
        /// Seconds the recorder spent making this epoch's pictures and KL (the live view's cost
        /// to the training, besides a few nanoseconds per update).
        public var recordSeconds: Double
    }

    /// The numbers since a cursor: what one message of the stream carries.
    public struct Update: Encodable, Sendable {
        public var run: Run?
        /// The number of the first step below, and of the first epoch.
        public var fromStep: Int
        public var fromEpoch: Int
        public var step: [Int] = []
        public var reconstruction: [Float] = []
        public var kl: [Float] = []
        public var loss: [Float] = []
        public var learningRate: [Float] = []
        public var klWeight: [Float] = []
        public var epochs: [Epoch] = []
        /// "training", "finished" or "failed: …".
        public var status: String
        public var isEmpty: Bool { step.isEmpty && epochs.isEmpty }
    }

    private let lock = NSLock()
    private var run: Run?
    private var steps: [Int] = [], reconstruction: [Float] = [], kl: [Float] = [], loss: [Float] = []
    private var learningRate: [Float] = [], klWeight: [Float] = []
    private var epochs: [Epoch] = []
    private var pictures: [String: Data] = [:]
    private var status = "training"

    public init() {}

    public func start(_ run: Run) {
        lock.withLock { self.run = run }
    }

    /// Called by the training loop after every update.
    public func append(_ record: StepRecord) {
        lock.withLock {
            steps.append(record.step)
            reconstruction.append(Float(record.terms.reconstruction))
            kl.append(Float(record.terms.kl))
            loss.append(Float(record.terms.objective))
            learningRate.append(record.learningRate)
            klWeight.append(Float(record.klWeight.weight))
        }
    }

    /// Adds an epoch with its two pictures (PNG).
    public func append(_ epoch: Epoch, samples: Data, reconstructions: Data) {
        lock.withLock {
            epochs.append(epoch)
            pictures["\(epoch.epoch)/samples"] = samples
            pictures["\(epoch.epoch)/reconstructions"] = reconstructions
        }
    }

    public func finish(_ status: String) {
        lock.withLock { self.status = status }
    }

    /// The updates from `fromStep` (an index into the steps recorded) and the epochs from
    /// `fromEpoch` (an index into the epochs recorded); the run's description only with the
    /// first update (both cursors 0).
    public func update(fromStep: Int, fromEpoch: Int) -> Update {
        lock.withLock {
            let s = min(max(fromStep, 0), steps.count), e = min(max(fromEpoch, 0), epochs.count)
            return Update(run: s == 0 && e == 0 ? run : nil, fromStep: s, fromEpoch: e,
                          step: Array(steps[s...]), reconstruction: Array(reconstruction[s...]), kl: Array(kl[s...]),
                          loss: Array(loss[s...]), learningRate: Array(learningRate[s...]), klWeight: Array(klWeight[s...]),
                          epochs: Array(epochs[e...]), status: status)
        }
    }

    /// A picture of epoch `epoch`: "samples" or "reconstructions".
    public func picture(epoch: Int, kind: String) -> Data? {
        lock.withLock { pictures["\(epoch)/\(kind)"] }
    }

    /// How many steps and epochs are recorded.
    public var counts: (steps: Int, epochs: Int) { lock.withLock { (steps.count, epochs.count) } }
}

/// Connects a `Trainer` to a `LiveBoard`: every update's numbers go in through the trainer's
/// `stepEnded`; after every epoch (and once before the first) a fixed set of codes is decoded
/// and a fixed set of test images reconstructed, in evaluation mode, on the training thread.
///
/// It draws nothing from the trainer's generators and runs forward passes in evaluation mode
/// only (which change no weight and no BatchNorm statistic), so a run with the live view trains
/// bit-identically to one without (a test checks it).
public final class LiveRecorder {
    public let board: LiveBoard
    /// The test images reconstructed and measured (as the likelihood scores them).
    let test: MNIST
    /// The fixed codes of the samples grid, (count, D), and their labels for a conditional model.
    let codes: Tensor
    let codeLabels: [Int]?
    /// Tiles per row of the samples grid.
    let columns: Int
    /// How many test images the reconstructions show, and how many measure the KL per dimension.
    static let reconstructed = 16
    static let measured = 500
    /// How long the last `record` took, in seconds.
    public private(set) var lastRecordSeconds = 0.0

    /// - Parameters:
    ///   - test: the test set as the model's likelihood scores it; the first 500 images are used.
    ///   - seed: the seed of the fixed codes (not one of the trainer's).
    public init(board: LiveBoard, configuration: VAEConfiguration, test: MNIST, seed: UInt64 = 7) {
        self.board = board
        self.test = test.prefix(min(test.count, LiveRecorder.measured))
        var random = RandomSource(seed: seed)
        if configuration.classCount > 0 {
            columns = configuration.classCount                         // one column per label
            codeLabels = VAE.interleavedLabels(count: 6 * columns, classes: configuration.classCount)
        } else {
            columns = 8
            codeLabels = nil
        }
        codes = Tensor.gaussian([(codeLabels?.count ?? 64), configuration.latentDimensions], using: &random)
    }

    /// Sets the trainer's `stepEnded`, and its `epochEnded` to record the epoch after whatever
    /// it did before; records the model as it stands now as the starting epoch.
    public func attach(to trainer: Trainer) throws {
        let board = self.board
        trainer.stepEnded = { board.append($0) }
        let previous = trainer.epochEnded
        trainer.epochEnded = { trainer, summary in
            try previous?(trainer, summary)
            try self.record(trainer, summary: summary)
        }
        try record(trainer, summary: nil)
    }

    /// Decodes the fixed codes, reconstructs the first test images and measures the KL per
    /// dimension; adds them to the board. The trainer restores training mode afterwards.
    func record(_ trainer: Trainer, summary: EpochSummary?) throws {
        let watch = Stopwatch()
        let model = trainer.model
        let wasTraining = model.isTraining
        model.isTraining = false
        defer { model.isTraining = wasTraining }
        let samples = try model.decodeMeans(codes, labels: codeLabels)
        let labels = model.configuration.classCount > 0 ? test.labels.map(Int.init) : nil
        let shown = test.prefix(LiveRecorder.reconstructed)
        let shownLabels = labels.map { Array($0.prefix(shown.count)) }
        let (mean, _) = try model.encode(shown.images, labels: shownLabels)
        let reconstructions = try model.decodeMeans(mean, labels: shownLabels)
        let posteriors = try encodePosteriors(model: model, images: test.images, labels: labels)
        let activity = try LatentActivity(mean: posteriors.mean, logVariance: posteriors.logVariance)

        var sampleTiles = Tiles(tileWidth: 28, tileHeight: 28, columns: columns, gap: 2)
        sampleTiles.append(images: samples)
        var pairTiles = Tiles(tileWidth: 28, tileHeight: 28, columns: 8, gap: 2)
        for row in stride(from: 0, to: shown.count, by: 8) {                         // originals above their reconstructions
            let range = row..<min(row + 8, shown.count)
            for i in range { pairTiles.append(shown.images.scalars[(i * 784)..<((i + 1) * 784)]) }
            for i in range { pairTiles.append(reconstructions.scalars[(i * 784)..<((i + 1) * 784)]) }
        }
        let (samplesPNG, pairsPNG) = (sampleTiles.png(), pairTiles.png())
        let record = summary?.record
        let epoch = LiveBoard.Epoch(epoch: trainer.epoch, step: trainer.step, train: record?.train, test: record?.test,
                                    learningRate: record?.learningRate, seconds: summary?.seconds,
                                    imagesPerSecond: summary?.imagesPerSecond, klPerDimension: activity.klPerDimension,
                                    activeUnits: activity.activeUnits, recordSeconds: watch.elapsedSeconds)
        board.append(epoch, samples: samplesPNG, reconstructions: pairsPNG)
        lastRecordSeconds = epoch.recordSeconds
    }
}
