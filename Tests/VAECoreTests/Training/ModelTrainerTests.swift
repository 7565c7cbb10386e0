import Foundation
import Testing
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics

/// The one trainer, on a model the course does not have: what a new kind of model must bring is
/// one `TrainingTask` conformance, and the trainer's guarantees (training to the planned epochs,
/// a save after every epoch, an exact resume, the stop after a non-finite loss with the last good
/// file kept) come with it.
@Suite struct ModelTrainerTests {
    /// A straight line y = w·x + b fitted by least squares to 64 points of y = 3x − 1 with SGD, in
    /// batches of 16 whose order is drawn afresh for each epoch: the smallest model with weights,
    /// an optimizer, a random stream and a file of its own.
    final class LineFit: TrainingTask {
        /// Everything the next epoch depends on, as the file holds it.
        struct Saved: Codable {
            var w: Float, b: Float, optimizer: OptimizerState, order: RandomSource.State, epoch: Int, step: Int
        }

        let w = Parameter(name: "w", value: Tensor(shape: [1], scalars: [0]))
        let b = Parameter(name: "b", value: Tensor(shape: [1], scalars: [0]))
        let sgd: SGD
        var order = RandomSource(seed: 7)
        let xs: [Float] = (0..<64).map { Float($0) / 64 }
        let plannedEpochs: Int
        let stepsPerEpoch = 4
        var optimizer: any Optimizer { sgd }
        private var permutation: [Int] = []
        private var nextBatch = 0

        init(epochs: Int) throws {
            sgd = try SGD([w, b], learningRate: 0.5)
            plannedEpochs = epochs
        }

        func beginEpoch(_ number: Int) {
            permutation = order.permutation(xs.count)
            nextBatch = 0
        }

        /// One update on the next 16 points: L = mean (w·x + b − y)², ∂L/∂w = mean 2r·x, ∂L/∂b = mean 2r.
        func nextUpdate(epoch: Int, loop: TrainingLoop) throws -> (terms: Totals, images: Int)? {
            guard nextBatch < stepsPerEpoch else { return nil }
            let batch = permutation[nextBatch * 16 ..< (nextBatch + 1) * 16]
            nextBatch += 1
            let loss = try loop.update(epoch: epoch, learningRate: 0.5) { () -> Double in
                var loss = 0.0, dw: Float = 0, db: Float = 0
                for i in batch {
                    let r = w.value.scalars[0] * xs[i] + b.value.scalars[0] - (3 * xs[i] - 1)
                    loss += Double(r * r) / 16
                    dw += 2 * r * xs[i] / 16
                    db += 2 * r / 16
                }
                guard loss.isFinite else { throw TrainingError.nonFiniteLoss(reconstruction: loss, kl: 0) }
                w.gradient = Tensor(shape: [1], scalars: [w.gradient.scalars[0] + dw])
                b.gradient = Tensor(shape: [1], scalars: [b.gradient.scalars[0] + db])
                return loss
            }
            return (Totals(loss: loss), batch.count)
        }

        /// The epoch's mean loss.
        func endEpoch(_ number: Int, _ run: TrainingLoop.Epoch<Totals>) throws -> Double {
            run.totals.loss / Double(run.updates)
        }

        func numbersToSave() -> [(name: String, scalars: [Float])] {
            [("w", w.value.scalars), ("b", b.value.scalars)]
        }

        func write(to url: URL, epoch: Int, step: Int) throws {
            let saved = Saved(w: w.value.scalars[0], b: b.value.scalars[0], optimizer: sgd.state(), order: order.state,
                              epoch: epoch, step: step)
            try JSONEncoder().encode(saved).write(to: url, options: .atomic)
        }

        /// The run saved in `url`, with its epochs and updates.
        static func resumed(from url: URL, epochs: Int) throws -> (task: LineFit, epoch: Int, step: Int) {
            let saved = try JSONDecoder().decode(Saved.self, from: Data(contentsOf: url))
            let task = try LineFit(epochs: epochs)
            task.w.value = Tensor(shape: [1], scalars: [saved.w])
            task.b.value = Tensor(shape: [1], scalars: [saved.b])
            try task.sgd.restore(from: saved.optimizer)
            task.order = try RandomSource(state: saved.order)
            return (task, saved.epoch, saved.step)
        }

        struct Totals: EpochTotals {
            var loss: Double
            static var zero: Totals { Totals(loss: 0) }
            func adding(_ other: Totals) -> Totals { Totals(loss: loss + other.loss) }
            func progressText(updates: Int) -> String { String(format: "loss %.4f", loss / Double(max(updates, 1))) }
        }
    }

    static func withFile<R>(_ body: (URL) throws -> R) throws -> R {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vae-model-trainer-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try body(folder.appendingPathComponent("line.json"))
    }

    /// Thirty epochs of SGD find the line, each epoch's loss is reported, and the file after the
    /// last epoch holds the run's final state.
    @Test func trainsANewKindOfModelToItsPlannedEpochs() throws {
        try Self.withFile { url in
            let trainer = try ModelTrainer(LineFit(epochs: 30))
            var losses: [Double] = []
            trainer.epochEnded = { _, loss in losses.append(loss) }
            try trainer.train(checkpoint: url)
            #expect(trainer.isFinished && trainer.epoch == 30 && trainer.step == 120)
            #expect(losses.count == 30 && losses[29] < losses[0] / 1000, "\(losses.first ?? 0) → \(losses.last ?? 0)")
            #expect(abs(trainer.task.w.value.scalars[0] - 3) < 0.01 && abs(trainer.task.b.value.scalars[0] + 1) < 0.01)
            let saved = try JSONDecoder().decode(LineFit.Saved.self, from: Data(contentsOf: url))
            #expect(saved.epoch == 30 && saved.step == 120 && saved.w == trainer.task.w.value.scalars[0])
        }
    }

    /// A run stopped after two epochs and resumed from its file ends with the bits of one that ran
    /// straight through; a file whose optimizer disagrees with its step count is refused.
    @Test func aStoppedRunResumesBitForBit() throws {
        let straight = try ModelTrainer(LineFit(epochs: 5))
        try straight.train()
        try Self.withFile { url in
            try ModelTrainer(LineFit(epochs: 5)).train(checkpoint: url, until: 2)
            let (task, epoch, step) = try LineFit.resumed(from: url, epochs: 5)
            let resumed = try ModelTrainer(task, epoch: epoch, step: step)
            #expect(resumed.epoch == 2 && resumed.step == 8)
            try resumed.train(checkpoint: url)
            #expect(resumed.task.w.value.scalars[0].bitPattern == straight.task.w.value.scalars[0].bitPattern)
            #expect(resumed.task.b.value.scalars[0].bitPattern == straight.task.b.value.scalars[0].bitPattern)

            let (other, _, _) = try LineFit.resumed(from: url, epochs: 5)
            #expect(throws: CheckpointError.self) { try ModelTrainer(other, epoch: 4, step: 16) }   // its optimizer took 20 steps
        }
    }

    /// A NaN weight makes the next loss NaN: `diverged`, which says where; the file keeps the last
    /// good epoch byte for byte, and the trainer neither trains nor saves again.
    @Test func aNonFiniteLossStopsItAndKeepsTheLastGoodFile() throws {
        try Self.withFile { url in
            let trainer = try ModelTrainer(LineFit(epochs: 3))
            var good = Data()
            trainer.epochEnded = { trainer, _ in
                good = try Data(contentsOf: url)
                trainer.task.w.value = Tensor(shape: [1], scalars: [.nan])
            }
            let error = #expect(throws: TrainingError.self) { try trainer.train(checkpoint: url) }
            guard case .diverged(let epoch, let step, _, _)? = error else {
                Issue.record("expected TrainingError.diverged, got \(String(describing: error))")
                return
            }
            #expect(epoch == 2 && step == 4)
            let after = try Data(contentsOf: url)
            #expect(!good.isEmpty && after == good, "the good file must stay as it was")
            #expect(throws: TrainingError.self) { try trainer.trainEpoch() }
            #expect(throws: TrainingError.self) { try trainer.save(to: url) }
            #expect((try Data(contentsOf: url)) == good)
        }
    }
}
