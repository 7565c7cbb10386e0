import Foundation
import Testing
@testable import Explorer
@testable import VAECore
@testable import VAENeural
@testable import VAENumerics

/// The live view: the trainer's per-update hook, the board the server reads, the recorder's
/// pictures, and that watching a run does not change it.
@Suite struct LiveTests {
    static func tinyConfiguration(classes: Int = 0) -> TrainingConfiguration {
        TrainingConfiguration(model: VAEConfiguration(latentDimensions: 4, channels: [4, 8], classCount: classes),
                              epochs: 2, batchSize: 64, learningRate: 3e-3, seed: 11, subset: 512, historyInterval: 3)
    }

    @Test func stepEndedSeesEveryUpdate() throws {
        let trainer = try Trainer(configuration: Self.tinyConfiguration(), trainingSet: try Fixture.mnist.get())
        var records: [StepRecord] = []
        trainer.stepEnded = { records.append($0) }
        try trainer.train()
        #expect(records.map(\.step) == Array(0..<16))
        // The history samples every third update: the same numbers as the hook saw then.
        for sampled in trainer.history.steps { #expect(records[sampled.step] == sampled) }
    }

    /// A run watched by the live view trains bit-identically to one that is not (both
    /// conditional and plain): the recorder runs evaluation-mode passes only and draws from its
    /// own generator.
    @Test(arguments: [0, 10])
    func watchingDoesNotChangeTraining(_ classes: Int) throws {
        let data = try Fixture.mnist.get()
        let test = try Fixture.testImages().binarized(seed: EvaluationDefaults.binarizationSeed)
        let plain = try Trainer(configuration: Self.tinyConfiguration(classes: classes), trainingSet: data)
        try plain.train()
        let watched = try Trainer(configuration: Self.tinyConfiguration(classes: classes), trainingSet: data)
        let board = LiveBoard()
        var printed = 0
        watched.epochEnded = { _, _ in printed += 1 }
        try LiveRecorder(board: board, configuration: watched.configuration.model, test: test).attach(to: watched)
        try watched.train()
        #expect(printed == 2, "the recorder keeps the epochEnded that was set before it")
        for (p, q) in zip(plain.model.parameters + plain.model.buffers, watched.model.parameters + watched.model.buffers) {
            #expect(p.value.scalars.map(\.bitPattern) == q.value.scalars.map(\.bitPattern), "\(p.name) differs")
        }
        #expect(plain.history == watched.history)

        let counts = board.counts
        #expect(counts.steps == 16 && counts.epochs == 3, "every update, and the start plus two epochs")
        let update = board.update(fromStep: 0, fromEpoch: 0)
        #expect(update.epochs.map(\.epoch) == [0, 1, 2])
        #expect(update.epochs[0].train == nil && update.epochs[2].train == watched.history.epochs[1].train)
        #expect(update.epochs.allSatisfy { $0.klPerDimension.count == 4 })
        let samples = try PNG.read(try #require(board.picture(epoch: 2, kind: "samples")))
        let columns = classes > 0 ? 10 : 8, rows = classes > 0 ? 6 : 8
        #expect(samples.width == columns * 30 - 2 && samples.height == rows * 30 - 2)
        let pairs = try PNG.read(try #require(board.picture(epoch: 1, kind: "reconstructions")))
        #expect(pairs.width == 8 * 30 - 2 && pairs.height == 4 * 30 - 2)
        #expect(board.picture(epoch: 0, kind: "samples") != board.picture(epoch: 2, kind: "samples"), "training changes the samples")
    }

    @Test func theBoardSendsWhatIsNew() throws {
        let board = LiveBoard()
        board.start(LiveBoard.Run(title: "t", summary: "s", epochs: 1, stepsPerEpoch: 3, batchSize: 2, latentDimensions: 2, objective: "β = 1"))
        let trainer = try Trainer(configuration: Self.tinyConfiguration(), trainingSet: try Fixture.mnist.get())
        trainer.stepEnded = { board.append($0) }
        _ = try trainer.trainEpoch()
        let first = board.update(fromStep: 0, fromEpoch: 0)
        #expect(first.run?.title == "t" && first.step == Array(0..<8) && first.loss.count == 8 && first.status == "training")
        let later = board.update(fromStep: 5, fromEpoch: 0)
        #expect(later.run == nil && later.fromStep == 5 && later.step == [5, 6, 7])
        #expect(board.update(fromStep: 99, fromEpoch: 7).isEmpty)
        board.finish("finished")
        #expect(board.update(fromStep: 8, fromEpoch: 0).status == "finished")
    }

    @Test func liveRoutes() throws {
        let board = LiveBoard()
        let test = try Fixture.testImages().binarized(seed: EvaluationDefaults.binarizationSeed)
        let trainer = try Trainer(configuration: Self.tinyConfiguration(), trainingSet: try Fixture.mnist.get())
        try LiveRecorder(board: board, configuration: trainer.configuration.model, test: test).attach(to: trainer)
        let routes = LiveRoutes(board: board, assets: try Fixture.assets.get())
        let page = routes.respond(to: WebRequest(method: "GET", path: "/"))
        #expect(page.status == 200 && String(decoding: page.body, as: UTF8.self).contains("/static/live.js"))
        let state = routes.respond(to: WebRequest(method: "GET", path: "/api/live/state", query: ["steps": "0", "epochs": "0"]))
        #expect(state.status == 200 && (state.object["epochs"] as? [Any])?.count == 1)
        #expect(routes.respond(to: WebRequest(method: "GET", path: "/api/live/epoch/0/samples.png")).contentType == "image/png")
        #expect(routes.respond(to: WebRequest(method: "GET", path: "/api/live/epoch/5/samples.png")).status == 404)
        #expect(routes.respond(to: WebRequest(method: "GET", path: "/api/live/state", query: ["steps": "-3"])).status == 400)
        #expect(routes.respond(to: WebRequest(method: "POST", path: "/api/live/state")).status == 405)
        #expect(routes.respond(to: WebRequest(method: "GET", path: "/api/decode")).status == 404)
    }
}
