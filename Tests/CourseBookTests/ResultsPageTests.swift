import Foundation
import Testing
import VAECore
@testable import CourseBook

/// The results page reads the chapters' saved output and run records, and nothing else.
struct ResultsPageTests {
    static let record = ChapterRunRecord(chapter: "ch10-test", quick: false, seed: 1, ownData: false, seconds: 727.4,
                                         stages: { var s = StageClock.Totals(); s.training = 600; s.evaluation = 100.5; s.drawing = 2; return s }(),
                                         machine: "Test CPU 9000 (2 cores, AVX-512; built for x86-64-v4)", finished: "2026-12-06T16:00:00Z")

    static let output = """

    ## 3. Scores

    ood train=mnist out=noise score=kl auroc=0.1043
    ood train=mnist out=noise score=elbo auroc=1.0000
    a line of prose with x=1 in it
    ood train=mnist out=blank score=kl auroc=
    ood train=mnist out=blank score=elbo auroc=0.0006
    latent diversity samples=33.76 real=45.53
    """

    @Test func resultLinesBecomeRowsAndAMalformedOneIsListed() {
        let extraction = ResultsPage.extract(Self.output)
        #expect(extraction.tables.map(\.firstLine) == [4, 8, 9], "two ood runs (the malformed line ends the first) and the labelled line")
        #expect(extraction.tables[0].lines.map(\.values) == [["mnist", "noise", "kl", "0.1043"], ["mnist", "noise", "elbo", "1.0000"]])
        #expect(extraction.tables[2].lines[0].keys == ["", "samples", "real"])
        #expect(extraction.refused.map(\.line) == [7], "the ood line with an empty value, not the prose (its first word is no result's)")
        #expect(extraction.refused.first?.text == "ood train=mnist out=blank score=kl auroc=")
    }

    @Test func aChapterWithOutputShowsItsRowsCommandAndMachine() {
        let page = ResultsPage(chapters: [.init(name: "ch10-test", title: "Chapter 10 — Test", fileName: "ch10-test.html",
                                                 output: Self.output, record: Self.record)], benchFigures: []).html()
        #expect(page.contains("<td>noise</td><td>kl</td><td class=\"number\">0.1043</td>"), "\(page)")
        #expect(page.contains("<caption><code>ood</code> · line 4 of its output · <code>swift run -c release ch10-test</code></caption>"))
        #expect(page.contains("Test CPU 9000 (2 cores, AVX-512; built for x86-64-v4)"))
        #expect(page.contains("line 7: ood train=mnist out=blank score=kl auroc="), "the refused line is shown, with its number")
        #expect(page.contains("<td class=\"number\">10 min 00 s</td><td class=\"number\">1 min 41 s</td><td class=\"number\">2.0 s</td>"),
                "the time table from the record: training, evaluation, drawing: \(page)")
        #expect(page.contains("<nav class=\"toc\""))
        #expect(!page.contains("Not run: no saved output"))
    }

    @Test func aChapterWithoutOutputIsNotRun() {
        let page = ResultsPage(chapters: [.init(name: "ch11-none", title: "Chapter 11 — None", fileName: "ch11-none.html",
                                                 output: nil, record: nil)], benchFigures: []).html()
        #expect(page.contains("Not run: no saved output (<code>ch11-none.txt</code>)"), "\(page)")
        #expect(page.contains("No chapter has a run record yet"))
        #expect(page.contains("Not run: no benchmark figure beside the book."))
        #expect(!page.contains("<table"))
    }

    @Test func outputWithoutARecordNamesNoMachine() {
        let page = ResultsPage(chapters: [.init(name: "ch10-test", title: "T", fileName: "ch10-test.html", output: Self.output,
                                                 record: nil, recordProblem: "ch10-test.run.txt: broken")],
                               benchFigures: ["bench-layers.png"]).html()
        #expect(page.contains("machine and flags not recorded (ch10-test.run.txt: broken)"), "\(page)")
        #expect(page.contains("No chapter has a run record yet"), "no time table without a record")
        #expect(page.contains("<img src=\"../bench-layers.png\""))
        #expect(!page.contains("bench-memory.png"), "a benchmark figure that is not there is not shown")
    }

    @Test func theRecordReadsBackWhatItWrites() throws {
        let text = Self.record.text
        #expect(text.hasPrefix("run chapter=ch10-test mode=full seed=1 data=bundled seconds=727.4 training=600.0 evaluation=100.5 drawing=2.0 finished=2026-12-06T16:00:00Z\n"))
        #expect(try ChapterRunRecord(parsing: text) == Self.record)
        var quick = Self.record
        quick.quick = true
        quick.seed = 7
        quick.ownData = true
        #expect(quick.command == "swift run -c release ch10-test --quick --seed 7 --data DIR")
        #expect(try ChapterRunRecord(parsing: quick.text) == quick)
    }

    @Test func aDamagedRecordIsRefusedInWords() {
        func refusal(_ text: String) -> String? {
            do { _ = try ChapterRunRecord(parsing: text); return nil } catch { return "\(error)" }
        }
        let good = Self.record.text
        #expect(refusal("") == "a run record starts with a line `run chapter=… mode=… seed=… …`")
        #expect(refusal(good.replacingOccurrences(of: "mode=full", with: "mode=fast")) == "the run record's mode= is 'fast', not full or quick")
        #expect(refusal(good.replacingOccurrences(of: "seconds=727.4", with: "seconds=-1")) == "the run record's seconds= is not a number of seconds")
        #expect(refusal(good.replacingOccurrences(of: " seed=1", with: "")) == "the run record has no seed=")
        #expect(refusal(String(good.prefix { $0 != "\n" })) == "the run record has no line `machine: …`")
    }

    @Test func clockShowsMinutesFromOneMinute() {
        #expect(ChapterRunRecord.clock(4.84) == "4.8 s")
        #expect(ChapterRunRecord.clock(119.6) == "2 min 00 s")
        #expect(ChapterRunRecord.clock(342) == "5 min 42 s")
    }

    /// The book writes the results and about pages and links them from its contents.
    @Test func theBookWritesResultsAndAboutAndLinksThem() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("results-book-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let figures = root.appendingPathComponent("figures", isDirectory: true)
        for chapter in ["ch10-test", "ch11-none", "ch12-other"] {
            let folder = root.appendingPathComponent("Chapters/\(chapter)", isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data("// Chapter — \(chapter)\n\n// MARK: 3. Scores\nlet x = 1\n".utf8).write(to: folder.appendingPathComponent("main.swift"))
        }
        let folder = figures.appendingPathComponent("book", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(Self.output.utf8).write(to: folder.appendingPathComponent("ch10-test.txt"))
        try Data(Self.record.text.utf8).write(to: folder.appendingPathComponent("ch10-test.run.txt"))
        // A record that names another chapter is not believed.
        try Data(Self.output.utf8).write(to: folder.appendingPathComponent("ch12-other.txt"))
        try Data(Self.record.text.utf8).write(to: folder.appendingPathComponent("ch12-other.run.txt"))
        try Data("# The course\n".utf8).write(to: root.appendingPathComponent("README.md"))
        try Data("# About the course\n\nHow runs are reused.\n".utf8).write(to: root.appendingPathComponent("about.md"))
        let book = Book(chapterSources: root.appendingPathComponent("Chapters"), chapters: ["ch10-test", "ch11-none", "ch12-other"],
                        readme: root.appendingPathComponent("README.md"), figures: figures, root: root,
                        about: root.appendingPathComponent("about.md"))
        let written = try book.write().map(\.lastPathComponent)
        #expect(written.contains("results.html") && written.contains("about.html"))
        let index = try String(contentsOf: book.folder.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(index.contains("<a href=\"results.html\">Results</a>") && index.contains("<a href=\"about.html\">About the course</a>"))
        let results = try String(contentsOf: book.folder.appendingPathComponent("results.html"), encoding: .utf8)
        #expect(results.contains("Test CPU 9000"))
        #expect(results.contains("Not run: no saved output (<code>ch11-none.txt</code>)"))
        #expect(results.contains("machine and flags not recorded (ch12-other.run.txt records ch10-test)"), "\(results)")
        let about = try String(contentsOf: book.folder.appendingPathComponent("about.html"), encoding: .utf8)
        #expect(about.contains("<h1>About the course</h1>") && about.contains("<p>How runs are reused.</p>"))
    }
}
