import Foundation

/// The one trainer of the course: it trains the VAE (and so the CVAE and the flows), the
/// multimodal VAE and the digit and Fashion classifiers, an epoch at a time, saving the run after
/// every epoch so that it resumes bit for bit. What differs from model to model is its
/// `TrainingTask`; everything else is here, written once:
///
///     until the planned epochs are done:
///         epoch e:   task.beginEpoch(e)
///                    while the task has a batch:        task.nextUpdate (a TrainingLoop update:
///                                                       zero, forward and backward, optimizer step)
///                    summary ← task.endEpoch(e, the epoch's sums and seconds)
///         recordEpoch(self)                            what is to be saved with the epoch
///         save:      every number to be saved is finite (or nothing is written), then the
///                    task writes its file, atomically
///         epochEnded(self, summary)                    print, draw, decode a fixed z
///
/// A run is a fresh one or one read back from its file (each task's `init(resumingFrom:…)`),
/// where the optimizer's step count, the trainer's and the epochs must agree. After any error
/// inside an epoch, a record or a save, the trainer is stopped for good (`TrainingError.stopped`);
/// the file on disk still holds the last good epoch.
///
/// The VAE's trainer is `Trainer` (`ModelTrainer<VAETraining>`), the multimodal VAE's
/// `MultimodalTrainer` and the classifiers' `DigitClassifierTrainer`; `RunStore` keeps their
/// files, one run folder each, and never deletes a run.
public final class ModelTrainer<Task: TrainingTask> {
    /// The model's side: its model, data, generators, schedule and file format (a chapter reaches
    /// what it needs through the trainer's properties, so that nothing bypasses the loop).
    let task: Task
    /// The update, the epoch, the progress line and the stop after an error.
    let loop: TrainingLoop
    /// Epochs finished.
    public private(set) var epoch: Int
    /// Updates taken (the number of the next update, from 0).
    public var step: Int { loop.step }
    /// Updates in one epoch.
    public var stepsPerEpoch: Int { loop.stepsPerEpoch }
    /// Whether every planned epoch is done.
    public var isFinished: Bool { epoch >= task.plannedEpochs }
    /// Whether to show a progress line on standard error while an epoch trains.
    public var showsProgress: Bool {
        get { loop.showsProgress }
        set { loop.showsProgress = newValue }
    }
    /// Called after each epoch (and its evaluation), before the run is saved: what it keeps in the
    /// task's records is saved with the epoch.
    public var recordEpoch: ((ModelTrainer) throws -> Void)?
    /// Called after each epoch of `train(checkpoint:)`, after the run is saved: the place to print
    /// a summary, decode a fixed z, or draw a figure.
    public var epochEnded: ((ModelTrainer, Task.Summary) throws -> Void)?

    /// A run of `task` after `epoch` epochs and `step` updates (0 and 0 for a fresh one).
    /// - Throws: `CheckpointError.badMetadata` when the optimizer's step count is not `step`, or
    ///   `step` is not `epoch` epochs of updates (a file that contradicts itself).
    init(_ task: Task, epoch: Int = 0, step: Int = 0) throws {
        self.task = task
        self.epoch = epoch
        loop = TrainingLoop(optimizer: task.optimizer, stepsPerEpoch: task.stepsPerEpoch, plannedEpochs: task.plannedEpochs, step: step)
        guard task.optimizer.stepCount == step, step == epoch * task.stepsPerEpoch else {
            throw CheckpointError.badMetadata("the run has taken \(step) updates, its optimizer \(task.optimizer.stepCount), "
                                              + "and \(epoch) epochs of \(task.stepsPerEpoch) updates")
        }
    }

    // MARK: Training

    /// Trains until the planned epochs are done (or up to epoch `lastEpoch`), saving the run to
    /// `url` after every epoch (atomically: a crash leaves the previous or the new file, never
    /// half of one), then calling `epochEnded`.
    public func train(checkpoint url: URL? = nil, until lastEpoch: Int? = nil) throws {
        let watch = Stopwatch()
        let trainsNow = !isFinished
        while !isFinished, epoch < lastEpoch ?? .max {
            let summary = try trainEpoch()
            do { try recordEpoch?(self) } catch {
                loop.stop(because: "recording epoch \(epoch) failed: \(error)")   // the records would lack the epoch
                throw error
            }
            if let url { try save(to: url) }
            try epochEnded?(self, summary)
            task.epochEndedReturned()
        }
        try task.trainingEnded(checkpoint: url, trainedNow: trainsNow, seconds: watch.elapsedSeconds)
    }

    /// One pass over the task's training data, then what the task keeps of the epoch (its test
    /// evaluation, if it has one). Does not save.
    /// - Throws: `TrainingError.diverged` on a non-finite loss; `TrainingError.stopped` if an
    ///   earlier error left this trainer unusable; what the task's epoch end throws (the trainer
    ///   is then stopped).
    @discardableResult
    public func trainEpoch() throws -> Task.Summary {
        try StageClock.measure(.training) {
            try loop.checkRunning()
            precondition(!isFinished, "every planned epoch is trained")
            let number = epoch + 1
            task.beginEpoch(number)
            let run = try loop.epoch(number) { try task.nextUpdate(epoch: number, loop: loop) }
            epoch = number
            do { return try task.endEpoch(number, run) } catch {
                loop.stop(because: "the end of epoch \(number) failed: \(error)")   // the history would lack the epoch
                throw error
            }
        }
    }

    // MARK: Saving

    /// Writes the run to `url` atomically, in the task's format.
    /// - Throws: `TrainingError.nonFiniteState` without writing anything when any number to be
    ///   saved (weights, buffers, the optimizer's moments) is NaN or ±∞, so a diverged state never
    ///   replaces a good file; `TrainingError.stopped` after an earlier failure.
    public func save(to url: URL) throws {
        try loop.checkFinite(task.numbersToSave(), epoch: epoch)
        try task.write(to: url, epoch: epoch, step: step)
    }
}

/// One model's side of training, as `ModelTrainer` drives it: how it draws its batches and takes
/// its update, what it keeps of an epoch, and how its run is written to a file (and, in its
/// `init(resumingFrom:…)`, read back). `VAETraining`, `MultimodalTraining` and
/// `ClassifierTraining` are the course's; the smallest one, a straight line fitted by SGD, is in
/// the tests (`ModelTrainerTests.LineFit`).
public protocol TrainingTask: AnyObject {
    /// A batch's terms, as an epoch adds them up.
    associatedtype Totals: EpochTotals
    /// What the task reports about an epoch it trained.
    associatedtype Summary
    /// The run's optimizer (it holds the model's parameters, in the model's order).
    var optimizer: any Optimizer { get }
    /// Updates in one epoch.
    var stepsPerEpoch: Int { get }
    /// Epochs the run is to train in all.
    var plannedEpochs: Int { get }
    /// Gets ready for epoch `number` (from 1): the model in training mode, the epoch's batch order.
    func beginEpoch(_ number: Int)
    /// The epoch's next update, taken with `loop.update(epoch:learningRate:_:)` on the task's next
    /// batch; nil when the epoch's batches are done.
    func nextUpdate(epoch: Int, loop: TrainingLoop) throws -> (terms: Totals, images: Int)?
    /// What epoch `number` came to (the sums of its batches, its seconds), kept in the task's
    /// history with whatever the task measures after an epoch.
    func endEpoch(_ number: Int, _ run: TrainingLoop.Epoch<Totals>) throws -> Summary
    /// Called when `ModelTrainer.epochEnded` has returned.
    func epochEndedReturned()
    /// Called when `ModelTrainer.train` has trained its epochs (`trainedNow`: whether it trained
    /// any), `seconds` after it started.
    func trainingEnded(checkpoint: URL?, trainedNow: Bool, seconds: Double) throws
    /// Every number the run's file holds that must be finite: the weights, the buffers, the
    /// optimizer's moments, by name.
    func numbersToSave() -> [(name: String, scalars: [Float])]
    /// Writes the run, after `epoch` epochs and `step` updates, to `url` atomically, in the task's format.
    func write(to url: URL, epoch: Int, step: Int) throws
}

public extension TrainingTask {
    func epochEndedReturned() {}
    func trainingEnded(checkpoint: URL?, trainedNow: Bool, seconds: Double) throws {}
}
