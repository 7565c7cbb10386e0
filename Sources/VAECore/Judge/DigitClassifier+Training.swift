import Foundation

/// How the digit classifier is trained: Adam with a linear warm-up and a cosine decay to zero,
/// on MNIST's grey images, each batch randomly shifted by up to `maxShift` pixels and, image by
/// image, degraded the way generated digits are (`ImageDegradation`): averaged with other digits
/// of its class, blurred, faded or binarized, each with its own probability (all 0: clean images).
public struct DigitClassifierTraining: Codable, Equatable, Sendable {
    public var epochs: Int
    public var batchSize: Int
    /// The peak learning rate, reached after warm-up.
    public var learningRate: Float
    /// Updates of linear warm-up from 10% of the peak rate.
    var warmupSteps: Int
    /// The largest random translation, in pixels, along each axis (0: no augmentation).
    var maxShift: Int
    /// The seed of the initial weights, the batch order, the shifts and the degradations.
    public var seed: UInt64
    /// Train on the first `subset` training images only (nil: all of them): a quick judge for
    /// smoke tests. Left out of the saved settings when nil.
    public var subset: Int?
    /// The chance that an image is replaced by the mean of itself and k − 1 other training
    /// images of its class, k drawn uniformly from `averageCounts`.
    var averageProbability: Double
    /// The sizes k of those class averages.
    var averageCounts: [Int]
    /// The chance that an image is blurred by a Gaussian of σ drawn uniformly in [0, `maxBlur`] pixels.
    var blurProbability: Double
    var maxBlur: Double
    /// The chance that an image's contrast is lowered: x ↦ o + s·x with s uniform in
    /// [`minContrast`, 1] and o uniform in [0, 1 − s] (the image stays in [0, 1]).
    var contrastProbability: Double
    var minContrast: Float
    /// The chance that an image is binarized at 0.5 instead (never both).
    var binarizeProbability: Double

    public init(epochs: Int = 3, batchSize: Int = 128, learningRate: Float = 2e-3, warmupSteps: Int = 100,
                maxShift: Int = 2, seed: UInt64 = 1, subset: Int? = nil,
                averageProbability: Double = 0, averageCounts: [Int] = [], blurProbability: Double = 0, maxBlur: Double = 0,
                contrastProbability: Double = 0, minContrast: Float = 1, binarizeProbability: Double = 0) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.warmupSteps = warmupSteps
        self.maxShift = maxShift
        self.seed = seed
        self.subset = subset
        self.averageProbability = averageProbability
        self.averageCounts = averageCounts
        self.blurProbability = blurProbability
        self.maxBlur = maxBlur
        self.contrastProbability = contrastProbability
        self.minContrast = minContrast
        self.binarizeProbability = binarizeProbability
    }

    /// Settings saved before the degradations existed have none: they decode as all off.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(epochs: try c.decode(Int.self, forKey: .epochs), batchSize: try c.decode(Int.self, forKey: .batchSize),
                  learningRate: try c.decode(Float.self, forKey: .learningRate),
                  warmupSteps: try c.decode(Int.self, forKey: .warmupSteps), maxShift: try c.decode(Int.self, forKey: .maxShift),
                  seed: try c.decode(UInt64.self, forKey: .seed), subset: try c.decodeIfPresent(Int.self, forKey: .subset),
                  averageProbability: try c.decodeIfPresent(Double.self, forKey: .averageProbability) ?? 0,
                  averageCounts: try c.decodeIfPresent([Int].self, forKey: .averageCounts) ?? [],
                  blurProbability: try c.decodeIfPresent(Double.self, forKey: .blurProbability) ?? 0,
                  maxBlur: try c.decodeIfPresent(Double.self, forKey: .maxBlur) ?? 0,
                  contrastProbability: try c.decodeIfPresent(Double.self, forKey: .contrastProbability) ?? 0,
                  minContrast: try c.decodeIfPresent(Float.self, forKey: .minContrast) ?? 1,
                  binarizeProbability: try c.decodeIfPresent(Double.self, forKey: .binarizeProbability) ?? 0)
    }

    /// The settings of the course's judge: shifts, and the degradations of generated digits,
    /// so that it reads a blurred or averaged digit as the digit (`JudgeValidation`). A quarter
    /// of the images stay clean.
    public static let standard = DigitClassifierTraining(
        epochs: 3, averageProbability: 0.3, averageCounts: [2, 3, 5, 10, 20], blurProbability: 0.5, maxBlur: 1.5,
        contrastProbability: 0.2, minContrast: 0.4, binarizeProbability: 0.1)

    /// Random shifts only, no other degradation: the judge's settings before it was validated
    /// on degraded digits (99.4% on clean test digits, but blurred class averages read as 8s),
    /// and the Fashion-MNIST classifier's.
    public static let shiftsOnly = DigitClassifierTraining()

    /// Whether any image is degraded besides the shifts.
    var degrades: Bool {
        averageProbability > 0 || blurProbability > 0 || contrastProbability > 0 || binarizeProbability > 0
    }

    func validate() throws {
        guard epochs >= 1, batchSize >= 2, learningRate > 0, learningRate.isFinite, warmupSteps >= 0, maxShift >= 0,
              (subset ?? batchSize) >= batchSize else {
            throw DigitClassifierError.badInput("training needs epochs ≥ 1, batchSize ≥ 2 (BatchNorm), a positive "
                                                + "learning rate, warmupSteps ≥ 0, maxShift ≥ 0 and a subset of at least one batch; got \(self)")
        }
        let probabilities = [averageProbability, blurProbability, contrastProbability, binarizeProbability]
        guard probabilities.allSatisfy({ (0...1).contains($0) }), contrastProbability + binarizeProbability <= 1,
              averageProbability == 0 || (!averageCounts.isEmpty && averageCounts.allSatisfy { (1...1000).contains($0) }),
              maxBlur.isFinite, (0...10).contains(maxBlur), minContrast.isFinite, (0...1).contains(minContrast) else {
            throw DigitClassifierError.badInput("degradations need probabilities in 0…1 (contrast and binarization adding to at most 1), "
                                                + "average counts in 1…1000 when averaging, maxBlur in 0…10 and minContrast in 0…1; got \(self)")
        }
    }
}

/// Degrades a training batch in place, image by image, as `DigitClassifierTraining` says: the
/// class average first (other images of the class drawn from the whole training set), then the
/// blur, then the contrast or the binarization. Its scratch buffers are reused from batch to batch.
struct DigitAugmenter {
    let training: DigitClassifierTraining
    let dataset: MNIST
    let pools: [[Int]]
    var kernel: [Float] = []
    var scratch: [Float]
    var chosen: [Int] = []

    init(_ training: DigitClassifierTraining, dataset: MNIST) {
        self.training = training
        self.dataset = dataset
        pools = indicesByClass(dataset.labels, classCount: 256)
        scratch = [Float](repeating: 0, count: dataset.pixelsPerImage)
        kernel.reserveCapacity(64)
        chosen.reserveCapacity(training.averageCounts.max() ?? 1)
    }

    mutating func apply(to images: inout Tensor, labels: [UInt8], using random: inout RandomSource) throws {
        let (height, width) = (dataset.height, dataset.width)
        let pixels = height * width
        try dataset.images.withUnsafeBufferPointer { source in
            try images.withUnsafeMutableBufferPointer { batch in
                for (n, label) in labels.enumerated() {
                    let image = batch.baseAddress! + n * pixels
                    if training.averageProbability > 0, random.uniformDouble() < training.averageProbability {
                        let count = training.averageCounts[random.uniformInt(below: training.averageCounts.count)]
                        averageWithClassMembers(image, of: source.baseAddress!, pixels: pixels, count: count,
                                                pool: pools[Int(label)], excluding: nil, chosen: &chosen, using: &random)
                    }
                    if training.blurProbability > 0, random.uniformDouble() < training.blurProbability {
                        try gaussianKernel(sigma: training.maxBlur * random.uniformDouble(), into: &kernel)
                        if kernel.count > 1 {
                            kernel.withUnsafeBufferPointer { k in
                                scratch.withUnsafeMutableBufferPointer { s in
                                    blurPlane(image, height: height, width: width, kernel: k, scratch: s.baseAddress!)
                                }
                            }
                        }
                    }
                    let r = training.contrastProbability + training.binarizeProbability > 0 ? random.uniformDouble() : 1
                    if r < training.binarizeProbability {
                        for p in 0..<pixels { image[p] = image[p] >= 0.5 ? 1 : 0 }
                    } else if r < training.binarizeProbability + training.contrastProbability {
                        let scale = training.minContrast + (1 - training.minContrast) * random.uniform()
                        let offset = (1 - scale) * random.uniform()
                        for p in 0..<pixels { image[p] = offset + scale * image[p] }
                    }
                }
            }
        }
    }
}

/// What a training run reached, stored in the checkpoint's metadata.
public struct DigitClassifierReport: Codable, Equatable, Sendable {
    /// The fraction of the test images classified correctly, in evaluation mode.
    public var testAccuracy: Double
    /// The number of test images it was measured on.
    public var testCount: Int
    /// The mean training loss (cross-entropy, nats) over the last epoch, on shifted images.
    var finalTrainingLoss: Double
    /// Optimizer updates taken.
    public var steps: Int
    /// Wall-clock seconds of training (without the final test pass).
    public var trainingSeconds: Double
}

/// One batch's numbers a classifier adds up over an epoch: its summed cross-entropy (the batch's
/// mean times its size), its correct answers and its images.
struct ClassifierEpochTotals: EpochTotals {
    var loss: Double
    var correct: Int
    var seen: Int

    static var zero: ClassifierEpochTotals { ClassifierEpochTotals(loss: 0, correct: 0, seen: 0) }

    func adding(_ other: ClassifierEpochTotals) -> ClassifierEpochTotals {
        ClassifierEpochTotals(loss: loss + other.loss, correct: correct + other.correct, seen: seen + other.seen)
    }

    func progressText(updates: Int) -> String {
        String(format: "loss %.4f  accuracy %.2f%%", loss / Double(max(seen, 1)), 100 * Double(correct) / Double(max(seen, 1)))
    }
}

extension DigitClassifier {
    /// Trains a new classifier on `train` and measures it on `test`.
    ///
    /// All randomness (initial weights, batch order, shifts) comes from `training.seed`, so a
    /// run is repeatable. `log` receives a line every 100 updates and one per epoch.
    /// - Throws: `DigitClassifierError.badInput` for bad settings or images,
    ///   `DigitClassifierError.diverged` if the loss stops being finite.
    /// - Complexity: epochs · N · ~24 M multiply-adds for the standard net (forward and backward).
    public static func train(_ architecture: DigitClassifierArchitecture = .standard,
                             training: DigitClassifierTraining = .standard,
                             on train: MNIST, test: MNIST,
                             log: (String) -> Void = { _ in }) throws -> (DigitClassifier, DigitClassifierReport) {
        let trainer = try DigitClassifierTrainer(architecture, training: training, on: train)
        while !trainer.isFinished { try trainer.trainEpoch(log: log) }
        let report = try trainer.finish(test: test, log: log)
        return (trainer.model, report)
    }
}

/// A classifier's training, an epoch at a time: the course's one trainer, `ModelTrainer`, on the
/// classifier's `TrainingTask`. Adam with a linear warm-up and a cosine decay, each batch shifted
/// and degraded as `DigitClassifierTraining` says.
///
/// Everything the next epoch depends on (the weights and BatchNorm's running statistics, Adam's
/// moments and step count, the batch order and the shift and degradation generators) is saved
/// after each epoch by `saveUnfinished(to:)`, so a run stopped half way resumes from its last
/// epoch (`init(resumingFrom:on:)`) and ends with the very bits of an uninterrupted one.
typealias DigitClassifierTrainer = ModelTrainer<ClassifierTraining>

/// The classifier's side of training, which `ModelTrainer` drives (as `DigitClassifierTrainer`).
final class ClassifierTraining: TrainingTask {
    let model: DigitClassifier
    let training: DigitClassifierTraining
    private let adam: Adam
    private let schedule: any LearningRateSchedule
    private var batches: BatchIterator
    private var shifts: RandomSource
    private var degradations: RandomSource
    private var augmenter: DigitAugmenter?
    let stepsPerEpoch: Int
    var plannedEpochs: Int { training.epochs }
    var optimizer: any Optimizer { adam }
    /// Where the per-update and per-epoch lines go.
    fileprivate var log: (String) -> Void = { _ in }
    /// The mean training loss of the last epoch trained.
    private(set) var lastEpochLoss = 0.0
    /// Seconds of training so far, over every process that trained the run.
    private(set) var seconds = 0.0
    /// The loss summed since the last per-update line, and its time.
    private var windowLoss = 0.0
    private var window = Stopwatch()

    /// Where an unfinished run stands, saved with its weights (the metadata key `progress`).
    struct Progress: Codable, Equatable {
        var epoch: Int
        var step: Int
        var batches: BatchIterator.State
        var shifts: RandomSource.State
        var degradations: RandomSource.State
        var lastEpochLoss: Double
        var seconds: Double
    }

    var totalSteps: Int { training.epochs * stepsPerEpoch }

    /// A new run: weights, batch order, shifts and degradations drawn from `training.seed`'s streams.
    /// - Throws: `DigitClassifierError.badInput` for bad settings, images or labels.
    fileprivate init(_ architecture: DigitClassifierArchitecture, training: DigitClassifierTraining, on train: MNIST) throws {
        try training.validate()
        var seeds = RandomSource(seed: training.seed)
        var initial = RandomSource(seed: seeds.next())
        shifts = RandomSource(seed: seeds.next())
        let batchSeed = seeds.next()
        degradations = RandomSource(seed: seeds.next())
        model = try DigitClassifier(architecture, using: &initial)
        try model.checkImages(train.prefix(1).images)
        guard train.labels.allSatisfy({ Int($0) < architecture.classCount }) else {
            throw DigitClassifierError.badInput("a training label is outside 0..<\(architecture.classCount)")
        }
        batches = BatchIterator(dataset: train, batchSize: training.batchSize, seed: batchSeed, dropLast: true)
        stepsPerEpoch = batches.batchesPerEpoch
        let totalSteps = training.epochs * batches.batchesPerEpoch
        guard totalSteps > 0 else {
            throw DigitClassifierError.badInput("\(train.count) training images do not fill one batch of \(training.batchSize)")
        }
        let warmup = min(training.warmupSteps, totalSteps - 1)
        schedule = try LinearWarmup(steps: warmup, startFactor: 0.1,
                                    then: CosineAnnealing(initial: training.learningRate, steps: totalSteps - warmup))
        adam = try Adam(model.parameters, learningRate: training.learningRate)
        self.training = training
        augmenter = training.degrades ? DigitAugmenter(training, dataset: train) : nil
        model.isTraining = true
    }

    /// The unfinished run saved in `url` (by `saveUnfinished(to:)`), read back on the same `train`,
    /// with the epochs and updates it has done.
    fileprivate static func resumed(from url: URL, on train: MNIST) throws -> (task: ClassifierTraining, epoch: Int, step: Int) {
        func bad(_ reason: String) -> DigitClassifierError { .badCheckpoint(path: url.path, reason: reason) }
        let file: SafeTensors
        do { file = try SafeTensors.read(from: url) } catch { throw bad("\(error)") }
        guard let progress = try DigitClassifier.savedProgress(file, url: url) else { throw bad("it is not an unfinished training run") }
        let saved = try DigitClassifier.load(file, url: url)
        guard let training = saved.training else { throw bad("metadata \"training\" is missing") }
        let task = try ClassifierTraining(saved.architecture, training: training, on: train)
        guard (0..<training.epochs).contains(progress.epoch), progress.step == progress.epoch * task.stepsPerEpoch else {
            throw bad("its progress (\(progress.epoch) epochs, \(progress.step) updates) does not fit \(training.epochs) epochs of \(task.stepsPerEpoch) updates")
        }
        do {
            try task.model.load(stateDict: file.entries)
            let buffers = try OptimizerMoments.buffers(for: task.model.parameters, bufferNames: task.adam.bufferNames) { file[$0] }
            try task.adam.restore(from: OptimizerState(kind: "Adam", stepCount: progress.step,
                                                       learningRate: task.schedule.learningRate(atStep: max(progress.step - 1, 0)),
                                                       parameterNames: task.model.parameters.map(\.name), buffers: buffers))
            task.batches = try BatchIterator(dataset: train, state: progress.batches)
            task.shifts = try RandomSource(state: progress.shifts)
            task.degradations = try RandomSource(state: progress.degradations)
        } catch {
            throw bad("training cannot resume from it: \(error)")
        }
        guard task.batches.batchSize == training.batchSize, task.batches.dropLast else {
            throw bad("its batch order is for batches of \(task.batches.batchSize), not \(training.batchSize)")
        }
        task.lastEpochLoss = progress.lastEpochLoss
        task.seconds = progress.seconds
        task.model.isTraining = true
        return (task, progress.epoch, progress.step)
    }

    // MARK: One epoch

    func beginEpoch(_ number: Int) {
        (windowLoss, window) = (0, Stopwatch())
    }

    /// The next batch, shifted and degraded; a line every 100 updates.
    func nextUpdate(epoch: Int, loop: TrainingLoop) throws -> (terms: ClassifierEpochTotals, images: Int)? {
        guard let batch = batches.next() else { return nil }
        var images = try randomlyShifted(batch.images, maxShift: training.maxShift, using: &shifts)
        try augmenter?.apply(to: &images, labels: batch.labels, using: &degradations)
        let labels = batch.labels.map(Int.init)
        let (loss, logits) = try loop.update(epoch: epoch, learningRate: schedule.learningRate(atStep: loop.step)) {
            let logits = try model.logits(images)                                    // (B, K)
            let loss = try softmaxCrossEntropy(logits: logits, labels: labels, reduction: .mean)
            guard loss.value.isFinite else { throw DigitClassifierError.diverged(step: loop.step, loss: loss.value) }
            model.backward(loss.gradient)
            return (loss, logits)
        }
        windowLoss += loss.value
        if loop.step % 100 == 0 {
            let ms = window.elapsedSeconds * 1000 / 100
            log(String(format: "  classifier step %d/%d  loss %.4f  lr %.2e  %.0f ms/step",
                       loop.step, totalSteps, windowLoss / 100, Double(adam.learningRate), ms))
            (windowLoss, window) = (0, Stopwatch())
        }
        return (ClassifierEpochTotals(loss: loss.value * Double(batch.count),
                                      correct: zip(argmaxRows(logits), labels).filter { $0 == $1 }.count, seen: batch.count),
                batch.count)
    }

    func endEpoch(_ number: Int, _ run: TrainingLoop.Epoch<ClassifierEpochTotals>) throws {
        seconds += run.seconds
        lastEpochLoss = run.totals.loss / Double(run.totals.seen)
        log(String(format: "classifier epoch %d/%d: training loss %.4f, training accuracy %.2f%% (shifted%@ images), %.0f s so far",
                   number, training.epochs, lastEpochLoss, 100 * Double(run.totals.correct) / Double(run.totals.seen),
                   training.degrades ? ", degraded" : "", seconds))
    }

    // MARK: Saving

    private func moments() -> [SafeTensors.Entry] {
        OptimizerMoments.entries(of: adam.state(), parameters: model.parameters, bufferNames: adam.bufferNames)
    }

    func numbersToSave() -> [(name: String, scalars: [Float])] {
        (model.stateDict() + moments()).map { ($0.name, $0.tensor.scalars) }
    }

    /// Writes the unfinished run: the weights and buffers, Adam's moments, and the `progress` metadata.
    func write(to url: URL, epoch: Int, step: Int) throws {
        let progress = Progress(epoch: epoch, step: step, batches: batches.state, shifts: shifts.state,
                                degradations: degradations.state, lastEpochLoss: lastEpochLoss, seconds: seconds)
        model.training = training
        model.numericsVersion = RunFingerprint.numericsVersion
        try model.save(to: url, moments: moments(), progress: try Checkpoint.json(progress))
    }
}

/// The classifier's trainer as `DigitClassifier.train` and `loadOrTrain` use it.
extension ModelTrainer where Task == ClassifierTraining {
    var model: DigitClassifier { task.model }
    var training: DigitClassifierTraining { task.training }
    /// Seconds of training so far, over every process that trained the run.
    var seconds: Double { task.seconds }

    /// A new run: weights, batch order, shifts and degradations drawn from `training.seed`'s streams.
    /// - Throws: `DigitClassifierError.badInput` for bad settings, images or labels.
    convenience init(_ architecture: DigitClassifierArchitecture, training: DigitClassifierTraining, on train: MNIST) throws {
        try self.init(ClassifierTraining(architecture, training: training, on: train))
    }

    /// The unfinished run saved in `url` (by `saveUnfinished(to:)`), continued on the same `train`.
    /// - Throws: `DigitClassifierError.badCheckpoint` when the file is not an unfinished run, or its
    ///   weights, moments or state do not fit these settings and data.
    convenience init(resumingFrom url: URL, on train: MNIST) throws {
        let (task, epoch, step) = try ClassifierTraining.resumed(from: url, on: train)
        try self.init(task, epoch: epoch, step: step)
    }

    /// Trains the next epoch. `log` receives a line every 100 updates and one at the epoch's end.
    /// - Throws: `DigitClassifierError.diverged` if the loss stops being finite (the trainer is
    ///   then stopped for good).
    func trainEpoch(log: (String) -> Void) throws {
        precondition(!isFinished, "the classifier's epochs are all trained")
        try withoutActuallyEscaping(log) { log in
            task.log = log
            defer { task.log = { _ in } }
            try trainEpoch()
        }
    }

    /// Saves the run as it stands after an epoch, atomically, so that `init(resumingFrom:on:)`
    /// continues it exactly.
    /// - Throws: `TrainingError.nonFiniteState`, writing nothing, when a number to be saved is NaN
    ///   or ±∞; write errors.
    func saveUnfinished(to url: URL) throws { try save(to: url) }

    /// Measures the trained classifier on `test` (in evaluation mode, which it is left in) and
    /// records its report, settings and arithmetic in it.
    func finish(test: MNIST, log: (String) -> Void) throws -> DigitClassifierReport {
        precondition(isFinished, "the classifier has epochs left to train")
        model.isTraining = false
        let accuracy = try model.accuracy(on: test)
        log(String(format: "classifier test accuracy %.2f%% on %d images (trained in %.0f s)", 100 * accuracy, test.count, seconds))
        let report = DigitClassifierReport(testAccuracy: accuracy, testCount: test.count, finalTrainingLoss: task.lastEpochLoss,
                                           steps: step, trainingSeconds: seconds)
        model.report = report
        model.training = training
        model.numericsVersion = RunFingerprint.numericsVersion
        return report
    }
}
