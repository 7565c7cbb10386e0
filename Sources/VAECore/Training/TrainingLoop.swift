import Foundation

/// What the trainer (`ModelTrainer`) does around a model's forward and backward, update by update.
///
/// The trainer owns one loop; its task (the VAE's, the multimodal VAE's, a classifier's) says how
/// it draws a batch and what its model computes on it, and takes each update through the loop,
/// which does the rest, the same way for every model:
///
///     epoch e:  while the task has a batch:
///                   zero the gradients
///                   forward and backward on the batch       (the task's closure; it throws
///                                                           TrainingError.nonFiniteLoss on NaN)
///                   the optimizer's step at the scheduled learning rate;  step += 1
///                   add the batch's terms to the epoch's totals; show the progress line
///               the epoch's seconds
///     save:     refused while any number to be saved is NaN or ±∞ (TrainingError.nonFiniteState)
///
/// After any error inside an update or an epoch the loop is stopped for good: every later use
/// throws `TrainingError.stopped`, since the model, the optimizer or the generators may be half
/// way through a step. The checkpoint on disk still holds the last good epoch, to resume from.
public final class TrainingLoop {
    /// The optimizer whose step every update takes (it holds the model's parameters).
    let optimizer: any Optimizer
    /// Updates in one epoch.
    let stepsPerEpoch: Int
    /// The epochs the run is to train in all (for the progress line's ETA).
    let plannedEpochs: Int
    /// Updates taken: the number of the next update, from 0.
    private(set) var step: Int
    /// Why the loop stopped, once an error left the state unusable.
    private(set) var failure: String?
    /// Whether to show a progress line on standard error while an epoch runs.
    var showsProgress = false
    private var progress = ProgressLine()
    /// The first update of this process and its time, for the ETA.
    private var sessionStart: (step: Int, time: UInt64)?

    init(optimizer: any Optimizer, stepsPerEpoch: Int, plannedEpochs: Int, step: Int = 0) {
        self.optimizer = optimizer
        self.stepsPerEpoch = stepsPerEpoch
        self.plannedEpochs = plannedEpochs
        self.step = step
    }

    /// Continues a run restored from a checkpoint after `step` updates (the optimizer restored too).
    func resume(atStep step: Int) {
        self.step = step
    }

    /// Throws `TrainingError.stopped` once the loop has stopped.
    func checkRunning() throws {
        if let failure { throw TrainingError.stopped(reason: failure) }
    }

    /// Stops the loop for good: something the trainer does between updates (an evaluation, a
    /// record) failed and left its state without the epoch it was finishing.
    func stop(because reason: String) {
        if failure == nil { failure = reason }
    }

    // MARK: One update

    /// One update: the gradients zeroed, `forwardBackward` (the model's forward and backward on
    /// one batch, accumulating into the parameters' gradients, returning the batch's terms), then
    /// the optimizer's step at `learningRate`.
    ///
    /// `epoch` is the number (from 1) of the epoch the update belongs to, for the error's words: a
    /// `TrainingError.nonFiniteLoss` from `forwardBackward` comes out as `TrainingError.diverged`,
    /// which says where; it and any other error stop the loop, with no step taken.
    func update<Terms>(epoch: Int, learningRate: Float, _ forwardBackward: () throws -> Terms) throws -> Terms {
        try checkRunning()
        for parameter in optimizer.parameters { parameter.zeroGradient() }
        let terms: Terms
        do {
            terms = try forwardBackward()
        } catch TrainingError.nonFiniteLoss(let reconstruction, let kl) {
            let error = TrainingError.diverged(epoch: epoch, step: step, reconstruction: reconstruction, kl: kl)
            failure = error.description
            throw error
        } catch {
            failure = "\(error)"
            throw error
        }
        optimizer.learningRate = learningRate
        optimizer.step()
        step += 1
        return terms
    }

    // MARK: One epoch

    /// What one epoch came to: the sums of its batches' terms, in the order they were taken.
    public struct Epoch<Totals> {
        var totals: Totals
        /// Updates taken in the epoch.
        var updates: Int
        /// Images (or tuples) they were taken on.
        var images: Int
        /// Seconds from its first update to the end of its last.
        var seconds: Double
    }

    /// Runs epoch `number` (from 1): `nextUpdate` takes the epoch's next update (with `update`) and
    /// returns its batch's terms and size, or nil when the epoch's batches are done. The terms are
    /// added up in order; the progress line shows their running means.
    func epoch<Totals: EpochTotals>(_ number: Int, nextUpdate: () throws -> (terms: Totals, images: Int)?) throws -> Epoch<Totals> {
        try checkRunning()
        let start = ProgressLine.now()
        if sessionStart == nil { sessionStart = (step, start) }
        var result = Epoch(totals: Totals.zero, updates: 0, images: 0, seconds: 0)
        do {
            while let (terms, images) = try nextUpdate() {
                result.totals = result.totals.adding(terms)
                result.updates += 1
                result.images += images
                if showsProgress {
                    let now = ProgressLine.now()
                    if progress.isDue(at: now) { progress.show(progressText(number, result, since: start, now: now), at: now) }
                }
            }
        } catch {
            stop(because: "\(error)")
            throw error
        }
        if showsProgress { progress.clear() }
        result.seconds = Double(ProgressLine.now() - start) * 1e-9
        return result
    }

    /// `epoch 3/10  step 212/468  recon 92.41  KL 24.87  loss 117.28  1893 img/s  ETA 4m12s`
    private func progressText<Totals: EpochTotals>(_ number: Int, _ epoch: Epoch<Totals>, since start: UInt64, now: UInt64) -> String {
        let elapsed = Double(now - start) * 1e-9
        var eta = Double.nan
        if let session = sessionStart, step > session.step {
            let perStep = Double(now - session.time) * 1e-9 / Double(step - session.step)
            eta = perStep * Double(plannedEpochs * stepsPerEpoch - step)
        }
        return String(format: "epoch %ld/%ld  step %ld/%ld  %@  %.0f img/s  ETA %@",
                      number, plannedEpochs, epoch.updates, stepsPerEpoch, epoch.totals.progressText(updates: epoch.updates),
                      Double(epoch.images) / max(elapsed, 1e-9), ProgressLine.duration(eta))
    }

    // MARK: Saving

    /// Refuses a state to be saved that holds NaN or ±∞ (`TrainingError.nonFiniteState`, naming
    /// the first such tensor, and the loop stops), so that a diverged state never replaces a good
    /// checkpoint. `tensors` are the names and numbers the trainer is about to save, after `epoch`
    /// epochs.
    func checkFinite(_ tensors: [(name: String, scalars: [Float])], epoch: Int) throws {
        try checkRunning()
        if let bad = tensors.first(where: { !$0.scalars.allSatisfy(\.isFinite) }) {
            let error = TrainingError.nonFiniteState(epoch: epoch, tensor: bad.name)
            failure = error.description
            throw error
        }
    }
}

/// A batch's terms as a trainer adds them up over an epoch: a sum, from `zero`, in the order the
/// batches were taken (so an epoch's means are the same numbers however the loop is written).
public protocol EpochTotals {
    static var zero: Self { get }
    /// This batch's terms and `other`'s, added.
    func adding(_ other: Self) -> Self
    /// The running means after `updates` updates, for the progress line ("recon 92.41  KL 24.87  loss 117.28").
    func progressText(updates: Int) -> String
}

extension ELBOTerms: EpochTotals {
    public static var zero: ELBOTerms { ELBOTerms(reconstruction: 0, kl: 0, objective: 0) }

    public func adding(_ other: ELBOTerms) -> ELBOTerms {
        ELBOTerms(reconstruction: reconstruction + other.reconstruction, kl: kl + other.kl, objective: objective + other.objective)
    }

    public func progressText(updates: Int) -> String {
        let n = Double(max(updates, 1))
        return String(format: "recon %.2f  KL %.2f  loss %.2f", reconstruction / n, kl / n, objective / n)
    }
}
