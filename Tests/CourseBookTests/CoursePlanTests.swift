import Foundation
import Testing
import CourseSupport
import VAECore

/// The plan `figures` prints before it starts: which runs each chapter trains or reuses, and its
/// recorded time scaled by the machine's speed.
@Suite struct CoursePlanTests {
    /// A run trained here in `seconds` (none: reused as it was).
    static func run(_ path: String, _ fingerprint: String = "f1", epochs: Int = 30, seconds: Double = 0) -> RunLedger.Entry {
        RunLedger.Entry(kind: .vae, checkpoint: path, fingerprint: fingerprint, epochs: epochs, trainedHere: seconds > 0, trainingSeconds: seconds)
    }

    static func record(_ seconds: Double, speed: Double = 1000, _ runs: [RunLedger.Entry]) -> ChapterRecord {
        ChapterRecord(seconds: seconds, training: runs.reduce(0) { $0 + ($1.trainedHere ? $1.trainingSeconds : 0) },
                      imagesPerSecond: speed, machine: "test machine", runs: runs)
    }

    /// Chapter A trains runs/vae (80 of its 100 s); chapter B reuses it (10 s); both recorded at
    /// 1000 images/s, and a rerun of A that reused everything took 12 s.
    static var times: CourseTimes {
        var times = CourseTimes()
        times.record(record(100, [run("runs/vae/checkpoint.safetensors", seconds: 80)]), chapter: "chA", quick: false)
        times.record(record(12, [run("runs/vae/checkpoint.safetensors")]), chapter: "chA", quick: false)
        times.record(record(10, [run("runs/vae/checkpoint.safetensors")]), chapter: "chB", quick: false)
        return times
    }

    @Test func aRunToTrainCostsItsRecordedTimeScaledBySpeed() {
        // The machine is twice as fast now: every recorded second counts half.
        let plan = CoursePlan(chapters: ["chA", "chB"], quick: false, times: Self.times, imagesPerSecond: 2000) { _ in false }
        #expect(plan.steps[0].trains.map(\.checkpoint) == ["runs/vae/checkpoint.safetensors"])
        #expect(plan.steps[0].estimate == 50)                  // (100 − 80)/2 + 80/2
        // B finds the run that A trains earlier in the same plan.
        #expect(plan.steps[1].trains.isEmpty && plan.steps[1].reuses.count == 1)
        #expect(plan.steps[1].estimate == 5)                   // its own record: it reused then too
        #expect(plan.total.seconds == 55 && plan.total.complete)
    }

    @Test func aRunThereIsReusedAtTheRerunsTime() {
        let plan = CoursePlan(chapters: ["chA"], quick: false, times: Self.times, imagesPerSecond: 500) { _ in true }
        #expect(plan.steps[0].trains.isEmpty)
        #expect(plan.steps[0].estimate == 24)                  // the rerun's 12 s at half the speed
        #expect(plan.text(machine: "m").contains("reuses runs/vae (30 epochs)"))
    }

    @Test func aChapterThatMustTrainAnotherChaptersRunBorrowsItsTrainingTime() {
        // B alone, with the run missing: it trains it, at the time A's record says it takes.
        let plan = CoursePlan(chapters: ["chB"], quick: false, times: Self.times, imagesPerSecond: 1000) { _ in false }
        #expect(plan.steps[0].trains.count == 1)
        #expect(plan.steps[0].estimate == 90)                  // B's 10 s + A's 80 s of training
    }

    @Test func aResumedRunCountsOnlyTheTrainingLeftOfItsChapter() {
        // The recorded chapter resumed a run: 20 of its 50 s trained the last epochs of a run
        // whose epochs recorded 300 s in all. Trained from scratch: 30 s + 300 s.
        var times = CourseTimes()
        times.record(ChapterRecord(seconds: 50, training: 20, imagesPerSecond: 1000, machine: "m",
                                   runs: [Self.run("runs/long/checkpoint.safetensors", seconds: 300)]), chapter: "chL", quick: false)
        let plan = CoursePlan(chapters: ["chL"], quick: false, times: times, imagesPerSecond: 1000) { _ in false }
        #expect(plan.steps[0].estimate == 330)
    }

    @Test func chaptersWithoutARecordHaveNoEstimateAndSaySo() {
        let plan = CoursePlan(chapters: ["chA", "chZ"], quick: false, times: Self.times, imagesPerSecond: 1000) { _ in false }
        #expect(plan.steps[1].estimate == nil)
        #expect(!plan.total.complete && plan.total.seconds == 100)
        let text = plan.text(machine: "m")
        #expect(text.contains("no recorded run of this chapter in full mode"))
        #expect(text.contains("≥ 1 min 40 s"))
        // Quick mode has its own records: none here.
        let quick = CoursePlan(chapters: ["chA"], quick: true, times: Self.times, imagesPerSecond: 1000) { _ in false }
        #expect(quick.steps[0].estimate == nil)
    }

    @Test func aRerunRecordGoesBesideTheFirstRunsNotOverIt() {
        let chapter = Self.times.modes["full"]?["chA"]
        #expect(chapter?.trained?.seconds == 100)
        #expect(chapter?.reused?.seconds == 12)
        // A chapter that uses no run has only a first-run record, replaced by each run.
        var times = CourseTimes()
        times.record(Self.record(3, []), chapter: "ch01", quick: true)
        times.record(Self.record(4, []), chapter: "ch01", quick: true)
        #expect(times.modes["quick"]?["ch01"]?.trained?.seconds == 4)
        #expect(times.modes["quick"]?["ch01"]?.reused == nil)
    }

    @Test func manyRunsInOneFolderAreCounted() {
        let runs = (0..<5).map { Self.run("runs/ablations/r\($0)/checkpoint.safetensors", "f\($0)", epochs: $0 == 4 ? 20 : 2) }
            + [Self.run("runs/classifier/classifier.safetensors", "c", epochs: 4)]
        let plan = CoursePlan(chapters: ["chC"], quick: false, times: {
            var times = CourseTimes()
            times.record(Self.record(50, runs.map { var r = $0; r.trainingSeconds = 5; r.trainedHere = true; return r }), chapter: "chC", quick: false)
            return times
        }(), imagesPerSecond: 1000) { _ in false }
        #expect(plan.text(machine: "m").contains("trains 5 runs in runs/ablations/ (2–20 epochs), runs/classifier/classifier.safetensors (4 epochs)"))
        #expect(plan.steps[0].estimate == 50)
    }

    @Test func theProgressLineScalesWhatIsLeftByHowTheFinishedChaptersWent() {
        let plan = CoursePlan(chapters: ["chA", "chB"], quick: false, times: Self.times, imagesPerSecond: 1000) { _ in false }
        // chA was estimated at 100 s and took 200 s: chB's 10 s estimate becomes 20 s.
        let line = plan.progress(done: 1, elapsed: 200, spentOnEstimated: 200)
        #expect(line.hasPrefix("course: 1 of 2 chapter runs done, 3 min 20 s elapsed; about 20 s left (ETA "), "\(line)")
        #expect(plan.progress(done: 2, elapsed: 230, spentOnEstimated: 230) == "course: 2 of 2 chapter runs done, 3 min 50 s elapsed")
        let unknown = CoursePlan(chapters: ["chA", "chZ"], quick: false, times: Self.times, imagesPerSecond: 1000) { _ in false }
        #expect(unknown.progress(done: 1, elapsed: 100, spentOnEstimated: 100).hasSuffix("the time left is unknown (no recorded run to go by)"))
    }

    @Test func theRecordsSurviveTheirFileAndABadFileIsRefusedInWords() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("course-times-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.times.write(figures: folder)
        #expect(try CourseTimes.read(figures: folder) == Self.times)
        try Data("{\"modes\": 3}".utf8).write(to: folder.appendingPathComponent("book/\(CourseTimes.fileName)"))
        #expect {
            try CourseTimes.read(figures: folder)
        } throws: { error in
            "\(error)".contains("cannot be read") && "\(error)".contains("modes")
        }
    }
}
