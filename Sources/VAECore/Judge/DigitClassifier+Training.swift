import Foundation

/// How the digit classifier is trained: Adam with a linear warm-up and a cosine decay to zero,
/// on MNIST's grey images, each batch randomly shifted by up to `maxShift` pixels.
public struct DigitClassifierTraining: Codable, Equatable, Sendable {
    public var epochs: Int
    public var batchSize: Int
    /// The peak learning rate, reached after warm-up.
    public var learningRate: Float
    /// Updates of linear warm-up from 10% of the peak rate.
    public var warmupSteps: Int
    /// The largest random translation, in pixels, along each axis (0: no augmentation).
    public var maxShift: Int
    /// The seed of the initial weights, the batch order and the shifts.
    public var seed: UInt64
    /// Train on the first `subset` training images only (nil: all of them): a quick judge for
    /// smoke tests. Left out of the saved settings when nil.
    public var subset: Int?

    public init(epochs: Int = 3, batchSize: Int = 128, learningRate: Float = 2e-3, warmupSteps: Int = 100,
                maxShift: Int = 2, seed: UInt64 = 1, subset: Int? = nil) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.warmupSteps = warmupSteps
        self.maxShift = maxShift
        self.seed = seed
        self.subset = subset
    }

    /// The settings of the course's judge.
    public static let standard = DigitClassifierTraining()

    func validate() throws {
        guard epochs >= 1, batchSize >= 2, learningRate > 0, learningRate.isFinite, warmupSteps >= 0, maxShift >= 0,
              (subset ?? batchSize) >= batchSize else {
            throw DigitClassifierError.badInput("training needs epochs ≥ 1, batchSize ≥ 2 (BatchNorm), a positive "
                                                + "learning rate, warmupSteps ≥ 0, maxShift ≥ 0 and a subset of at least one batch; got \(self)")
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
    public var finalTrainingLoss: Double
    /// Optimizer updates taken.
    public var steps: Int
    /// Wall-clock seconds of training (without the final test pass).
    public var trainingSeconds: Double
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
        try StageClock.measure(.training) { try trainTimed(architecture, training: training, on: train, test: test, log: log) }
    }

    /// `train`'s body, its time counted as training (its test evaluation as evaluation).
    private static func trainTimed(_ architecture: DigitClassifierArchitecture, training: DigitClassifierTraining,
                                   on train: MNIST, test: MNIST,
                                   log: (String) -> Void) throws -> (DigitClassifier, DigitClassifierReport) {
        try training.validate()
        var seeds = RandomSource(seed: training.seed)
        var initial = RandomSource(seed: seeds.next())
        var shifts = RandomSource(seed: seeds.next())
        let model = try DigitClassifier(architecture, using: &initial)
        try model.checkImages(train.prefix(1).images)
        guard train.labels.allSatisfy({ Int($0) < architecture.classCount }) else {
            throw DigitClassifierError.badInput("a training label is outside 0..<\(architecture.classCount)")
        }
        var batches = BatchIterator(dataset: train, batchSize: training.batchSize, seed: seeds.next(), dropLast: true)
        let totalSteps = training.epochs * batches.batchesPerEpoch
        guard totalSteps > 0 else {
            throw DigitClassifierError.badInput("\(train.count) training images do not fill one batch of \(training.batchSize)")
        }
        let warmup = min(training.warmupSteps, totalSteps - 1)
        let schedule = try LinearWarmup(steps: warmup, startFactor: 0.1,
                                        then: CosineAnnealing(initial: training.learningRate, steps: totalSteps - warmup))
        let optimizer = try Adam(model.parameters, learningRate: training.learningRate)
        model.isTraining = true

        let watch = Stopwatch()
        var lastEpochLoss = 0.0
        for epoch in 0..<training.epochs {
            var (lossSum, correct, seen, windowLoss, window) = (0.0, 0, 0, 0.0, Stopwatch())
            while let batch = batches.next() {
                let images = try randomlyShifted(batch.images, maxShift: training.maxShift, using: &shifts)
                let labels = batch.labels.map(Int.init)
                optimizer.zeroGradients()
                let logits = try model.logits(images)                                    // (B, K)
                let loss = try softmaxCrossEntropy(logits: logits, labels: labels, reduction: .mean)
                guard loss.value.isFinite else { throw DigitClassifierError.diverged(step: optimizer.stepCount, loss: loss.value) }
                model.backward(loss.gradient)
                optimizer.setLearningRate(from: schedule)
                optimizer.step()

                lossSum += loss.value * Double(batch.count)
                windowLoss += loss.value
                correct += zip(argmaxRows(logits), labels).filter { $0 == $1 }.count
                seen += batch.count
                if optimizer.stepCount % 100 == 0 {
                    let ms = window.elapsedSeconds * 1000 / 100
                    log(String(format: "  classifier step %d/%d  loss %.4f  lr %.2e  %.0f ms/step",
                               optimizer.stepCount, totalSteps, windowLoss / 100, Double(optimizer.learningRate), ms))
                    (windowLoss, window) = (0, Stopwatch())
                }
            }
            lastEpochLoss = lossSum / Double(seen)
            log(String(format: "classifier epoch %d/%d: training loss %.4f, training accuracy %.2f%% (shifted images), %.0f s so far",
                       epoch + 1, training.epochs, lastEpochLoss, 100 * Double(correct) / Double(seen),
                       watch.elapsedSeconds))
        }
        let seconds = watch.elapsedSeconds
        let accuracy = try model.accuracy(on: test)
        log(String(format: "classifier test accuracy %.2f%% on %d images (trained in %.0f s)", 100 * accuracy, test.count, seconds))
        let report = DigitClassifierReport(testAccuracy: accuracy, testCount: test.count, finalTrainingLoss: lastEpochLoss,
                                           steps: optimizer.stepCount, trainingSeconds: seconds)
        model.report = report
        model.training = training
        return (model, report)
    }
}
