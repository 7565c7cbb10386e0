import Foundation

/// The book's results page, `results.html`: every result line the chapters printed in their saved
/// output, as tables, each under the command that reproduces it and the machine that measured it
/// (from the chapter's run record), and where each chapter's time went. Nothing on it is typed by
/// hand: a chapter with no saved output says "not run", one without a run record says so.
///
/// What counts as a result line is `ResultLine`'s rule. A line that starts with the word of a
/// result line of the same output and holds a `key=value` pair, but does not read as one (an
/// empty value, a stray character, a label at the end), is left out of the tables and listed
/// under them, with its line number, so that a malformed line is seen rather than half read.
public struct ResultsPage {
    /// One chapter as the page shows it.
    public struct Chapter {
        /// The chapter's name (`ch05-elbo`), its page's title and file.
        public var name: String
        public var title: String
        public var fileName: String
        /// Its saved output, nil when it has not run.
        public var output: String?
        /// How the output was made, nil when `figures` left no record (or an unreadable one, with
        /// the reason in `recordProblem`).
        public var record: ChapterRunRecord?
        public var recordProblem: String?

        public init(name: String, title: String, fileName: String, output: String?, record: ChapterRunRecord?, recordProblem: String? = nil) {
            self.name = name
            self.title = title
            self.fileName = fileName
            self.output = output
            self.record = record
            self.recordProblem = recordProblem
        }
    }

    /// What one output holds for the page: its runs of result lines and the lines it refused.
    struct Extraction: Equatable {
        /// Consecutive result lines of one shape, with the line number (from 1) of the first.
        var tables: [(firstLine: Int, lines: [ResultLine])]
        /// Lines that start like a result line but are not one: (line number, text).
        var refused: [(line: Int, text: String)]

        static func == (a: Extraction, b: Extraction) -> Bool {
            a.tables.map(\.firstLine) == b.tables.map(\.firstLine) && a.tables.map(\.lines) == b.tables.map(\.lines)
                && a.refused.map(\.line) == b.refused.map(\.line) && a.refused.map(\.text) == b.refused.map(\.text)
        }
    }

    /// The chapters in teaching order.
    public var chapters: [Chapter]
    /// The benchmark figures present beside the book (`bench-*.png`), drawn by `bench`.
    public var benchFigures: [String]

    public init(chapters: [Chapter], benchFigures: [String]) {
        self.chapters = chapters
        self.benchFigures = benchFigures
    }

    /// The page's file name in the book.
    public static let fileName = "results.html"

    /// The result lines of `output`, in tables of consecutive lines of one shape (other lines
    /// between two result lines end a table), and the lines refused.
    static func extract(_ output: String) -> Extraction {
        let lines = output.components(separatedBy: "\n")
        let parsed = lines.map(ResultLine.init)
        let words = Set(parsed.compactMap { $0?.word })
        var extraction = Extraction(tables: [], refused: [])
        var previous: ResultLine?
        for (index, line) in lines.enumerated() {
            guard let result = parsed[index] else {
                previous = nil
                let first = line.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
                if words.contains(first), line.range(of: #"[A-Za-z_][A-Za-z0-9_.>-]*="#, options: .regularExpression) != nil {
                    extraction.refused.append((index + 1, line))
                }
                continue
            }
            if let last = previous, last.continues(with: result) {
                extraction.tables[extraction.tables.count - 1].lines.append(result)
            } else {
                extraction.tables.append((index + 1, [result]))
            }
            previous = result
        }
        return extraction
    }

    /// The benchmark commands and the figure each draws (the figures are the measurement; the
    /// machine is in each figure's title).
    static let benchmarks: [(figure: String, command: String, what: String)] = [
        ("bench-layers.png", "swift run -c release bench layers --figure", "forward and backward time of each layer, ours and PyTorch's"),
        ("bench-train-step.png", "swift run -c release bench train-step --sweep", "training images per second against batch size and threads"),
        ("bench-memory.png", "swift run -c release bench memory", "peak memory of a training step against batch size"),
    ]

    /// The complete HTML page.
    public func html() -> String {
        var contents = ChapterPage.Contents()
        var body = "<p>Every number below is read from what a chapter printed in its last run, as saved beside"
            + " the book (<code>chNN-topic.txt</code>), and from the record <code>figures</code> keeps of that run"
            + " (<code>chNN-topic.run.txt</code>: its flags, its time, the machine). Each table is headed by the command"
            + " that prints its rows again. A result line is a word and <code>key=value</code> pairs"
            + " (a bare word before a pair is a label); a line that starts with the word of a result line but does"
            + " not read as one is listed under the tables, not read. This page is regenerated by"
            + " <code>swift run -c release book</code>.</p>\n"
        body += timeSection(&contents)
        for chapter in chapters { body += section(chapter, &contents) }
        body += benchSection(&contents)
        let navigation = Page.navigation(previous: nil, next: nil)
        let title = "Results"
        return Page.document(title: "Results · the course's measurements",
                             body: navigation + "<main>\n<h1>" + title + "</h1>\n" + contents.html() + body + "</main>\n" + navigation)
    }

    /// Where each chapter's time went, from the run records, with the machine of each.
    func timeSection(_ contents: inout ChapterPage.Contents) -> String {
        var html = contents.heading("Where the time went", level: 2)
        let records = chapters.compactMap(\.record)
        guard !records.isEmpty else {
            return html + "<p class=\"note\">No chapter has a run record yet: <code>swift run -c release figures</code>"
                + " writes one beside each chapter's output.</p>\n"
        }
        html += "<p>Seconds from each chapter's own clock (<code>StageClock</code>), as <code>figures</code> recorded"
            + " them; the rest is loading data, analysis and printing. A chapter that reuses its trained runs spends"
            + " little on training.</p>\n"
        let machines = Array(Set(records.map(\.machine))).sorted()
        html += "<table class=\"result\"><thead><tr><th>chapter</th><th>mode</th><th>training</th><th>evaluation</th>"
            + "<th>drawing</th><th>other</th><th>total</th>" + (machines.count > 1 ? "<th>machine</th>" : "") + "<th>finished</th></tr></thead>\n<tbody>\n"
        func cell(_ seconds: Double) -> String { "<td class=\"number\">" + HTML.escape(ChapterRunRecord.clock(seconds)) + "</td>" }
        for record in records {
            html += "<tr><td>" + HTML.escape(record.chapter) + "</td><td>" + (record.quick ? "quick" : "full") + "</td>"
                + cell(record.stages.training) + cell(record.stages.evaluation) + cell(record.stages.drawing)
                + cell(record.otherSeconds) + cell(record.seconds)
                + (machines.count > 1 ? "<td>" + HTML.escape(machineIndex(record.machine, machines)) + "</td>" : "")
                + "<td>" + HTML.escape(record.finished) + "</td></tr>\n"
        }
        if machines.count == 1, Set(records.map(\.quick)).count == 1 {
            let sum = { (value: (ChapterRunRecord) -> Double) in records.reduce(0) { $0 + value($1) } }
            html += "<tr><td>all " + String(records.count) + " recorded</td><td></td>" + cell(sum { $0.stages.training })
                + cell(sum { $0.stages.evaluation }) + cell(sum { $0.stages.drawing }) + cell(sum { $0.otherSeconds })
                + cell(sum { $0.seconds }) + "<td></td></tr>\n"
        }
        html += "</tbody></table>\n"
        if machines.count == 1 {
            html += "<p>Machine: " + HTML.escape(machines[0]) + ".</p>\n"
        } else {
            html += "<p>Machines:</p>\n<ul>\n" + machines.map { "<li>" + HTML.escape(machineIndex($0, machines)) + ": " + HTML.escape($0) + "</li>\n" }.joined() + "</ul>\n"
        }
        let missing = chapters.filter { $0.record == nil }.map(\.name)
        if !missing.isEmpty {
            html += "<p class=\"note\">No run record for " + missing.map { "<code>" + HTML.escape($0) + "</code>" }.joined(separator: ", ")
                + ": not run by <code>figures</code> since it began keeping records.</p>\n"
        }
        return html
    }

    /// "machine 2": a short name for one of several machines, in the order of `machines`.
    func machineIndex(_ machine: String, _ machines: [String]) -> String {
        "machine \((machines.firstIndex(of: machine) ?? 0) + 1)"
    }

    /// One chapter: its command, machine and tables, or "not run".
    func section(_ chapter: Chapter, _ contents: inout ChapterPage.Contents) -> String {
        var html = contents.heading(chapter.title, level: 2)
        let link = "<a href=\"" + HTML.escape(chapter.fileName) + "\">its page</a>"
        guard let output = chapter.output else {
            return html + "<p class=\"note\">Not run: no saved output (<code>" + HTML.escape(chapter.name)
                + ".txt</code>). <code>swift run -c release figures</code> runs it.</p>\n"
        }
        let command = chapter.record?.command ?? "swift run -c release \(chapter.name)"
        html += "<p>Command: <code>" + HTML.escape(command) + "</code>"
        if let record = chapter.record {
            html += " · " + (record.quick ? "a quick run" : "a full run") + " of " + HTML.escape(ChapterRunRecord.clock(record.seconds))
                + " on " + HTML.escape(record.machine) + ", finished " + HTML.escape(record.finished)
        } else {
            html += " · machine and flags not recorded" + (chapter.recordProblem.map { " (" + HTML.escape($0) + ")" } ?? "")
                + "; the command is the chapter's default"
        }
        html += " · " + link + ".</p>\n"
        let extraction = Self.extract(output)
        if extraction.tables.isEmpty {
            html += "<p class=\"note\">Its output holds no result lines; its numbers are on " + link + ".</p>\n"
        }
        for table in extraction.tables {
            html += ResultLine.table(table.lines, caption: " · line \(table.firstLine) of its output · <code>" + HTML.escape(command) + "</code>")
        }
        if !extraction.refused.isEmpty {
            html += "<p class=\"note\">Lines that start like a result line but do not read as one, left out:</p>\n<pre class=\"output\">"
                + CodeLines.html(extraction.refused.map { "line \($0.line): \($0.text)" }) + "</pre>\n"
        }
        return html
    }

    /// The benchmarks' figures, each with its command.
    func benchSection(_ contents: inout ChapterPage.Contents) -> String {
        var html = contents.heading("Benchmarks against PyTorch", level: 2)
        html += "<p><code>bench</code> measures on the machine it runs on and names it in each figure's title;"
            + " without PyTorch (<code>VAE_BENCH_PYTHON</code>) a figure shows our side only."
            + " <code>swift run -c release bench gemm</code>, <code>bench train-step</code> and <code>bench evaluate</code>"
            + " print their comparisons as result lines.</p>\n"
        var shown = 0
        for bench in Self.benchmarks where benchFigures.contains(bench.figure) {
            shown += 1
            html += "<figure><img src=\"../" + HTML.escape(bench.figure) + "\" alt=\"" + HTML.escape(bench.what) + "\"><figcaption>"
                + HTML.escape(bench.what) + " · <code>" + HTML.escape(bench.command) + "</code></figcaption></figure>\n"
        }
        if shown == 0 { html += "<p class=\"note\">Not run: no benchmark figure beside the book.</p>\n" }
        return html
    }
}
