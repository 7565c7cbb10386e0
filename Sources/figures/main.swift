// Regenerates every figure of the course: runs each chapter in turn, in teaching order.
//
//     swift build -c release && swift run -c release figures            # the full course
//     swift run -c release figures --quick                              # smaller, for class and CI
//
// Each chapter is its own executable; this command runs the release builds that sit beside it,
// passing on --quick, --data, --figures and --seed, and stops at the first chapter that fails.
// What each chapter prints on standard output is shown and also kept, as
// FIGURES/book/chNN-topic.txt, for the chapter's page of the book, with a record of the run beside
// it (FIGURES/book/chNN-topic.run.txt: the flags, the time per stage, the machine), which the
// book's results page reads. It ends with a table of where each chapter's time went (training,
// evaluation, drawing, the rest), from the chapter's own `StageClock`, a line
// `figures run=full|quick chapters=<n> seconds=<s>` and the machine.
//
//     swift run -c release figures --plan                              # what a run would do, and how long
//     swift run -c release figures --lint figures                      # check the scripts of a folder
//     swift run -c release figures --exercises                         # measure the exercises' answers
//
// Before the first chapter it prints the plan (`CoursePlan`): for each chapter, the trained runs
// it will train and those it will reuse, and its expected time on this machine, from the
// chapter's recorded run (FIGURES/book/course-times.json, which each run updates) scaled by a
// one-second measurement of how fast the machine trains the reference VAE now; after each
// chapter, a course-wide progress line with the time elapsed and the time left.
//
// `--lint DIR` runs no chapter: it reads every gnuplot script DIR/*.gp and reports what
// `FigureLint` finds (no title, unlabelled axes, a key over the data, a range far wider than the
// data), and fails when anything is found.
//
// An exercise of a chapter can ask for its answer (`Answer: run \`COMMAND\`…` in its prose, see
// `ExerciseAnswers`): a full run, after the chapters, runs each such command as written and saves
// what it printed beside the book (FIGURES/book/chNN-topic.answers.json), and the page shows it
// folded under the exercise. An answer is kept while the code that printed it is unchanged, so a
// run measures only the answers that are new or whose chapter's code changed; the plan says how
// many. `--exercises` does only that (for the chapters `--only` names) and weaves the book again.
import ArgumentParser
import CourseBook
import CourseSupport
import Foundation
import VAECore

/// The chapters, in teaching order, as `Package.swift` lists them (empty when it cannot be read:
/// `validate` then says why).
let chapters = (try? CoursePaths.chapters()) ?? []

struct Figures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "figures",
        abstract: "Regenerate every figure of the course by running each chapter in turn.",
        discussion: "Build the chapters first: swift build -c release. Chapters: \(chapters.joined(separator: ", "))."
    )

    @OptionGroup var options: ChapterOptions

    @Option(name: .long, parsing: .upToNextOption, help: "Run only these chapters (e.g. --only ch01-tensors).")
    var only: [String] = []

    @Flag(name: .long, help: "Run no chapter: print the plan (what each chapter would train or reuse, and its expected time here) and exit.")
    var plan = false

    @Flag(name: .long, help: "Run no chapter, only the commands of the chapters' exercise answers (`Answer: run …` lines in their prose) that are not measured yet on the code that prints them; save what each printed beside the book (FIGURES/book/chNN-topic.answers.json) and weave the book again. A full run (without --quick) does the same after the chapters.")
    var exercises = false

    @Option(name: .long, help: ArgumentHelp("Run no chapter: check every gnuplot script DIR/*.gp for what a report needs (titles, axis labels, a key clear of the data, ranges that fit the data); fails when something is found.", valueName: "DIR"))
    var lint: String?

    func validate() throws {
        guard !chapters.isEmpty else { _ = try CoursePaths.chapters(); throw ValidationError("Package.swift lists no chapters") }
        for name in only where !chapters.contains(name) {
            throw ValidationError("unknown chapter '\(name)'; the chapters are \(chapters.joined(separator: ", "))")
        }
    }

    func run() throws {
        if let lint { return try lintScripts(in: lint) }
        let selected = only.isEmpty ? chapters : chapters.filter(only.contains)
        let binDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        var arguments = ["--figures", options.figures, "--seed", String(options.seed), "--format", options.format.rawValue]
        if options.quick { arguments.append("--quick") }
        if let data = options.data { arguments += ["--data", data] }

        let outputDirectory = URL(fileURLWithPath: options.figures, isDirectory: true).appendingPathComponent("book", isDirectory: true)
        do { try WritableFolder.prepare(outputDirectory, purpose: "the chapters' output") } catch { throw ValidationError("\(error)") }
        if exercises {
            try runAnswers(of: selected, binaries: binDirectory, book: outputDirectory)
            return try weaveBook(binaries: binDirectory)
        }

        // Chapter 2 draws the filters of the VAE that chapter 5 trains: when both run, chapter 2
        // runs once more at the end, so its trained-filter figure comes from this run's model.
        var runs = selected
        if selected.contains("ch02-convolution") && selected.contains("ch05-elbo") { runs.append("ch02-convolution") }
        let runNames = runs.indices.map { runs[..<$0].contains(runs[$0]) ? runs[$0] + " (again)" : runs[$0] }

        // The plan: what each chapter will train or reuse, and for how long, on this machine now.
        let figuresFolder = URL(fileURLWithPath: options.figures, isDirectory: true)
        var recorded: CourseTimes
        do { recorded = try CourseTimes.read(figures: figuresFolder) } catch { throw ValidationError("\(error)") }
        let speed = try TrainingSpeed.referenceImagesPerSecond()
        let machine = Machine.description
        let plan = CoursePlan(chapters: runNames, quick: options.quick, times: recorded, imagesPerSecond: speed) {
            RunLedger.isAvailable($0, at: CoursePaths.root.appendingPathComponent($0.checkpoint))
        }
        // After the chapters, a full run measures the exercises' answers that its code has not
        // measured yet (the book's folder holds those it has).
        let planText = plan.text(machine: machine)
            + (options.quick || options.format != .png ? "" : "\n" + answersPlan(try answers(of: selected, book: outputDirectory)))
        if self.plan { return print(planText) }
        FileHandle.standardError.write(Data("\n\(planText)\n".utf8))

        var times: [ChapterTime] = []
        defer { if !times.isEmpty { print(ChapterTime.table(times, quick: options.quick)) } }
        let course = Stopwatch()
        var spentOnEstimated = 0.0
        for (index, name) in runs.enumerated() {
            let executable = binDirectory.appendingPathComponent(name)
            guard FileManager.default.isExecutableFile(atPath: executable.path) else {
                throw ValidationError("\(name) is not built in \(binDirectory.path): run `swift build -c release` first")
            }
            FileHandle.standardError.write(Data("\n=== [\(index + 1)/\(runs.count)] \(name) \(arguments.joined(separator: " "))\n".utf8))
            let watch = Stopwatch()
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("figures-\(ProcessInfo.processInfo.processIdentifier)-\(index)")
            let stageFile = scratch.appendingPathExtension("stages.json"), ledgerFile = scratch.appendingPathExtension("runs.json")
            for file in [stageFile, ledgerFile] { try? FileManager.default.removeItem(at: file) }
            defer { for file in [stageFile, ledgerFile] { try? FileManager.default.removeItem(at: file) } }
            let output = try runShowingOutput(executable, arguments: arguments,
                                              environment: [StageClock.environmentVariable: stageFile.path,
                                                            RunLedger.environmentVariable: ledgerFile.path,
                                                            ChapterOptions.plannedByFiguresVariable: "1"])
            try AtomicFile.write(output, to: outputDirectory.appendingPathComponent("\(name).txt"))
            let stages = (try? Data(contentsOf: stageFile)).flatMap { try? JSONDecoder().decode(StageClock.Totals.self, from: $0) }
            let time = ChapterTime(name: runNames[index], total: watch.elapsedSeconds, stages: stages ?? StageClock.Totals())
            times.append(time)
            // Beside the output, how it was made: the results page of the book reads both.
            let record = ChapterRunRecord(chapter: name, quick: options.quick, seed: options.seed, ownData: options.data != nil,
                                          seconds: time.total, stages: time.stages, machine: machine,
                                          finished: ISO8601DateFormatter().string(from: Date()))
            try AtomicFile.write(Data(record.text.utf8), to: outputDirectory.appendingPathComponent(ChapterRunRecord.fileName(for: name)))
            FileHandle.standardError.write(Data(String(format: "=== %@ done in %.1f s\n", name, watch.elapsedSeconds).utf8))

            // What this chapter used, kept for the next run's plan (paths relative to the package:
            // a run outside it is not the course's).
            let used = try RunLedger.read(from: ledgerFile).compactMap { entry -> RunLedger.Entry? in
                var entry = entry
                entry.checkpoint = CoursePaths.relative(entry.checkpoint)
                return entry.checkpoint.hasPrefix("/") ? nil : entry
            }
            recorded.record(ChapterRecord(seconds: watch.elapsedSeconds, training: time.stages.training, imagesPerSecond: speed, machine: machine, runs: used),
                            chapter: runNames[index], quick: options.quick)
            try recorded.write(figures: figuresFolder)
            if plan.steps[index].estimate != nil { spentOnEstimated += watch.elapsedSeconds }
            FileHandle.standardError.write(Data("=== \(plan.progress(done: index + 1, elapsed: course.elapsedSeconds, spentOnEstimated: spentOnEstimated))\n".utf8))
        }
        // The book shows PNGs: vector figures (--format svg or pdf) are for reports, not for it.
        guard options.format == .png else {
            print("figures written to \(options.figures) as \(options.format.rawValue); the book is woven from PNGs only, so it was left as it was")
            return
        }
        // The exercises' answers, measured by the code as it is now: only those whose code has
        // changed since they were measured (or never were) run, so an answer that trains for
        // minutes costs them once.
        if !options.quick { try runAnswers(of: selected, binaries: binDirectory, book: outputDirectory) }
        try weaveBook(binaries: binDirectory)
        print("figures written to \(options.figures)")
    }

    /// The book: every chapter's page woven from its source, the output just saved and the
    /// figures just drawn, so that the three never disagree. It also checks the flags each
    /// chapter's experiments name, and refuses output it cannot place under its chapter's MARKs,
    /// a missing figure or an absolute path: then this command fails too.
    func weaveBook(binaries: URL) throws {
        let book = binaries.appendingPathComponent("book")
        guard FileManager.default.isExecutableFile(atPath: book.path) else {
            throw ValidationError("book is not built in \(binaries.path): run `swift build -c release` first")
        }
        FileHandle.standardError.write(Data("\n=== book --figures \(options.figures)\n".utf8))
        _ = try runShowingOutput(book, arguments: ["--figures", options.figures])
    }

    /// An exercise's answer as a run would find it: its marker, the fingerprint of the code that
    /// prints it now, and the answer saved for that command, if any.
    struct AnswerToMeasure {
        var marker: ExerciseAnswers.Marker
        var code: String
        var saved: ExerciseAnswer?
        /// Whether the saved answer was measured on this code, so that a run keeps it.
        var isCurrent: Bool { saved?.code == code }
    }

    /// The answer markers (`ExerciseAnswers`) of each of `chapters` that has any, with what is
    /// saved for them in `book`.
    func answers(of chapters: [String], book: URL) throws -> [(chapter: String, file: URL, answers: [AnswerToMeasure])] {
        try chapters.compactMap { chapter in
            let folder = CoursePaths.chapterSources.appendingPathComponent(chapter)
            let source = SwiftSource(parsing: try String(contentsOf: folder.appendingPathComponent("main.swift"), encoding: .utf8))
            let markers = ExerciseAnswers.markers(in: source)
            guard !markers.isEmpty else { return nil }
            let file = book.appendingPathComponent(ExerciseAnswers.fileName(for: chapter))
            let saved = Dictionary(try ExerciseAnswers.read(from: file).map { ($0.command, $0) }, uniquingKeysWith: { _, last in last })
            let answers = try markers.map { marker in
                // The code the answer comes from: the chapter's files, and those of any other
                // tool of the package that its commands run (`vae train …`).
                var folders = [folder]
                for (program, _) in marker.invocations where program != chapter {
                    folders.append(CoursePaths.root.appendingPathComponent("Sources").appendingPathComponent(program))
                }
                let code = ExerciseAnswers.codeFingerprint(files: try folders.flatMap(Self.swiftFiles), numericsVersion: RunFingerprint.numericsVersion)
                return AnswerToMeasure(marker: marker, code: code, saved: saved[marker.command])
            }
            return (chapter, file, answers)
        }
    }

    /// The plan's line for the exercises' answers: how many a run keeps, how many it measures and
    /// for how long (the time of their last measurement, where there is one).
    func answersPlan(_ chapters: [(chapter: String, file: URL, answers: [AnswerToMeasure])]) -> String {
        let all = chapters.flatMap(\.answers)
        let toMeasure = all.filter { !$0.isCurrent }
        guard !toMeasure.isEmpty else {
            return "  exercises' answers: all \(all.count) kept (each measured on the code that prints it now)"
        }
        let known = toMeasure.compactMap { $0.saved?.seconds }
        var line = "  exercises' answers: \(all.count - toMeasure.count) kept, \(toMeasure.count) to measure after the chapters"
        if !known.isEmpty { line += ", ≈ " + CoursePlan.clock(known.reduce(0, +)) + " for the \(known.count) measured before (their last time)" }
        if known.count < toMeasure.count { line += "; \(toMeasure.count - known.count) never measured (no estimate)" }
        return line
    }

    /// Runs the commands of every answer marker of `chapters` whose answer is missing or was
    /// measured on other code, as written, with the release builds in `binaries`, and saves what
    /// each printed in `book`, one file a chapter (holding only the answers its markers ask for
    /// now; an answer whose code is unchanged is kept as it was measured).
    func runAnswers(of chapters: [String], binaries: URL, book: URL) throws {
        let machine = Machine.description
        for (chapter, file, pending) in try answers(of: chapters, book: book) {
            var answers: [ExerciseAnswer] = []
            for (index, answer) in pending.enumerated() {
                let marker = answer.marker
                if let saved = answer.saved, answer.isCurrent {
                    FileHandle.standardError.write(Data("\n=== \(chapter): an exercise's answer, measured \(saved.finished.prefix(10)) on this code: \(marker.command)\n".utf8))
                    answers.append(saved)
                    continue
                }
                let watch = Stopwatch()
                var output = Data()
                for (program, arguments) in marker.invocations {
                    let executable = binaries.appendingPathComponent(program)
                    guard FileManager.default.isExecutableFile(atPath: executable.path) else {
                        throw ValidationError("\(chapter): an exercise's answer runs \(program), which is not built in \(binaries.path)")
                    }
                    FileHandle.standardError.write(Data("\n=== \(chapter): an exercise's answer: \(([program] + arguments).joined(separator: " "))\n".utf8))
                    output += try runShowingOutput(executable, arguments: arguments,
                                                   environment: [ChapterOptions.plannedByFiguresVariable: "1"])
                }
                answers.append(ExerciseAnswer(command: marker.command, output: String(decoding: output, as: UTF8.self),
                                              seconds: watch.elapsedSeconds, machine: machine,
                                              finished: ISO8601DateFormatter().string(from: Date()), code: answer.code))
                // Saved after each answer, so that one that fails later loses none measured before.
                try AtomicFile.write(try ExerciseAnswers.text(answers + pending.dropFirst(index + 1).compactMap(\.saved)), to: file)
            }
            try AtomicFile.write(try ExerciseAnswers.text(answers), to: file)
        }
    }

    /// The Swift files of `folder` and its subfolders, named by the folder's name and their path
    /// inside it (the same on every machine), with their text.
    static func swiftFiles(in folder: URL) throws -> [(name: String, text: String)] {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else {
            throw ValidationError("cannot read the folder \(CoursePaths.relative(folder.path))")
        }
        return try walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }.map { url in
            let inside = url.pathComponents.dropFirst(folder.pathComponents.count)
            return (([folder.lastPathComponent] + inside).joined(separator: "/"), try String(contentsOf: url, encoding: .utf8))
        }
    }
}

/// Prints `FigureLint`'s findings for every `*.gp` in `folder`, one line each, and a summary.
/// - Throws: when the folder cannot be read or holds no script, and `ExitCode.failure` when
///   anything was found.
func lintScripts(in folder: String) throws {
    let url = URL(fileURLWithPath: folder, isDirectory: true)
    let names: [String]
    do {
        names = try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".gp") }.sorted()
    } catch {
        throw ValidationError("cannot read the folder \(folder): \(error.localizedDescription)")
    }
    guard !names.isEmpty else { throw ValidationError("\(folder) holds no gnuplot script (*.gp)") }
    var flagged = 0, total = 0
    for name in names {
        guard let script = try? String(contentsOf: url.appendingPathComponent(name), encoding: .utf8) else {
            throw ValidationError("cannot read \(folder)/\(name) as UTF-8 text")
        }
        let findings = FigureLint.check(script: script)
        if !findings.isEmpty { flagged += 1 }
        total += findings.count
        for finding in findings { print("\(name): \(finding)") }
    }
    print("figure lint: \(names.count) scripts in \(folder), \(total) finding\(total == 1 ? "" : "s") in \(flagged) of them")
    if total > 0 { throw ExitCode.failure }
}

/// Runs `executable`, copying its standard output to ours as it comes, and returns all of it.
/// Standard error (progress lines) passes straight through.
/// - Throws: when the program cannot start or exits with a non-zero status.
func runShowingOutput(_ executable: URL, arguments: [String], environment: [String: String] = [:]) throws -> Data {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    var output = Data()
    let reader = pipe.fileHandleForReading
    while true {
        let chunk = reader.availableData          // blocks until data or end of file
        if chunk.isEmpty { break }
        FileHandle.standardOutput.write(chunk)
        output.append(chunk)
    }
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ValidationError("\(executable.lastPathComponent) failed with exit status \(process.terminationStatus)")
    }
    return output
}

/// One chapter's run: its wall-clock time and, from the chapter's own `StageClock`, the seconds it
/// spent training, evaluating and drawing (the rest: loading data, analysis, printing).
struct ChapterTime {
    let name: String
    let total: Double
    let stages: StageClock.Totals

    /// The table `figures` ends with, in minutes and seconds, with a total row.
    static func table(_ times: [ChapterTime], quick: Bool) -> String {
        let clock = ChapterRunRecord.clock
        let width = max(24, (times.map(\.name.count).max() ?? 0) + 2)
        func row(_ cells: [String]) -> String {
            cells[0].padding(toLength: width, withPad: " ", startingAt: 0)
                + cells.dropFirst().map { String(repeating: " ", count: max(0, 13 - $0.count)) + $0 }.joined()
        }
        var lines = ["", "## Where the time went\(quick ? " (--quick)" : "")", "",
                     row(["chapter", "training", "evaluation", "drawing", "other", "total"])]
        var sum = StageClock.Totals(), total = 0.0
        for time in times {
            let other = max(0, time.total - time.stages.training - time.stages.evaluation - time.stages.drawing)
            lines.append(row([time.name, clock(time.stages.training), clock(time.stages.evaluation),
                              clock(time.stages.drawing), clock(other), clock(time.total)]))
            for stage in StageClock.Stage.allCases { sum[stage] += time.stages[stage] }
            total += time.total
        }
        let other = max(0, total - sum.training - sum.evaluation - sum.drawing)
        lines.append(row(["all chapters", clock(sum.training), clock(sum.evaluation), clock(sum.drawing), clock(other), clock(total)]))
        lines.append("figures run=\(quick ? "quick" : "full") chapters=\(times.count) seconds=\(String(format: "%.0f", total))")
        lines.append("machine: \(Machine.description)")
        return lines.joined(separator: "\n")
    }
}

Figures.main()
