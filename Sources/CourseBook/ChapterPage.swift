import Foundation

/// One chapter woven into one page: its prose, its code, what it printed in this run (after the
/// code that printed it), its figures inline, and its other source files in an appendix.
public struct ChapterPage {
    /// The chapter's name, `chNN-topic`: its folder and its executable.
    public var name: String
    /// `main.swift`, parsed.
    public var main: SwiftSource
    /// The chapter's other Swift files (`Pictures.swift`, ...), by file name, in the order shown.
    public var appendix: [(file: String, source: SwiftSource)]
    /// What the chapter printed in this run, nil when no run has saved it yet.
    public var output: ChapterOutput?
    /// Each figure's own title (`ch05-samples.png` → "Samples from the prior…"), where known.
    public var figureTitles: [String: String] = [:]
    /// The library's declarations the prose quotes, by marker line (`LibraryQuote`), and the
    /// markers that could not be resolved, in words (`resolveQuotes(root:)` fills both).
    public var quotes: [String: LibraryQuote] = [:]
    public var quoteProblems: [String] = []
    /// The measured answers of the chapter's exercises, by command (`ExerciseAnswers`).
    public var answers: [String: ExerciseAnswer] = [:]
    /// Every chapter's page by its number, for the links between chapters (`CrossLinks`).
    public var chapterLinks: [Int: String] = [:]
    /// Every figure of the book, by file name, as a link to its place (`page.html#fig-…`) and its
    /// number, so that the prose that names a figure links to it (`FigureLinks`).
    public var figureLinks: [String: (link: String, number: String)] = [:]

    /// The figures this page shows, numbered in the order the chapter printed them: chapter 5's
    /// third is "5.3" (a page of no chapter number counts from 1 alone).
    public var figureNumbers: [String: String] {
        guard let output else { return [:] }
        let chapter = CrossLinks.number(of: name).map { "\($0)." } ?? ""
        var numbers: [String: String] = [:]
        for name in FigureTitle.figures(in: output) where numbers[name] == nil {
            numbers[name] = chapter + String(numbers.count + 1)
        }
        return numbers
    }

    public init(name: String, main: SwiftSource, appendix: [(file: String, source: SwiftSource)] = [], output: ChapterOutput?) {
        self.name = name
        self.main = main
        self.appendix = appendix
        self.output = output
    }

    /// The bibliography's entries the chapter's prose cites (`Citations`), and its citations that
    /// resolve to no single entry, in words.
    public var citations: (keys: [String], problems: [String]) {
        var keys: [String] = [], problems: [String] = []
        for source in [main] + appendix.map(\.source) {
            for region in source.regions {
                for case .prose(let lines) in region.blocks {
                    let found = Citations.check(Prose.html(lines))
                    keys += found.keys
                    problems += found.problems
                }
            }
        }
        return (keys, problems)
    }

    /// The page's title: the chapter's first comment line, or its name.
    public var title: String { main.firstLine ?? name }

    /// The opening of the chapter's prose after its title (`Prose.opening`), as HTML, for the
    /// contents page; nil when the chapter opens with code.
    public var summaryHTML: String? {
        for region in main.regions {
            for case .prose(let lines) in region.blocks {
                let opening = Prose.opening(Array(lines.drop { $0 == title }))
                if !opening.isEmpty { return Prose.html(opening) }
            }
        }
        return nil
    }

    /// The page's file name in the book.
    public var fileName: String { name + ".html" }

    /// The complete HTML page. `previous` and `next` are the neighbouring chapters' (file, title).
    /// Under the title, the page's contents: a link to each section (its MARK headings and the
    /// appendix's files).
    public func html(previous: (file: String, title: String)?, next: (file: String, title: String)?) -> String {
        let navigation = Page.navigation(previous: previous, next: next)
        var contents = Contents()
        var body = ""
        if output == nil {
            body += "<p class=\"note\">This page shows no output yet: run <code>swift run -c release figures</code>"
                + " to fill in the output and the figures.</p>\n"
        }
        let placement = OutputPlacement(output ?? ChapterOutput(parsing: ""), in: main)
        body += regionsHTML(main, headingLevel: 2, placement: placement, dropTitle: true, contents: &contents)
        if !placement.leftover.isEmpty {
            body += contents.heading("More output", level: 2)
                + placement.leftover.map { OutputHTML.html($0, titles: figureTitles, numbers: figureNumbers) }.joined()
        }
        for (file, source) in appendix {
            body += "<section class=\"appendix\">\n" + contents.heading("Appendix: `\(file)`", level: 2)
                + regionsHTML(source, headingLevel: 3, placement: nil, dropTitle: false, contents: &contents) + "</section>\n"
        }
        body = Equations.number(body, prefix: CrossLinks.number(of: name).map { "\($0)." } ?? "")
        body = navigation + "<main>\n<h1>" + HTML.inline(title) + "</h1>\n" + contents.html() + body
            + "</main>\n<footer>Woven from <code>Chapters/\(HTML.escape(name))/</code>"
            + (output == nil ? "" : " and the output of the same run that drew the figures (<code>\(HTML.escape(name)).txt</code>)")
            + ".</footer>\n" + navigation
        return Page.document(title: title, body: body)
    }

    /// The HTML of `source`'s regions, MARKs as headings, with the output placed in them. The
    /// code block that declares the chapter's command (`struct ChapterN: ParsableCommand`) shows
    /// its options folded (`OptionsBlock`).
    func regionsHTML(_ source: SwiftSource, headingLevel: Int, placement: OutputPlacement?, dropTitle: Bool,
                     contents: inout Contents) -> String {
        var html = ""
        var titleDropped = !dropTitle
        for (regionIndex, region) in source.regions.enumerated() {
            if let heading = region.title, !heading.isEmpty {
                html += contents.heading(heading, level: headingLevel)
            }
            html += outputs(placement, at: .init(region: regionIndex, block: -1))
            for (blockIndex, block) in region.blocks.enumerated() {
                switch block {
                case .prose(var lines):
                    if !titleDropped, let first = lines.firstIndex(where: { !$0.isEmpty }) {
                        lines.remove(at: first)
                        titleDropped = true
                    }
                    html += proseHTML(lines)
                case .code(let text):
                    html += OptionsBlock(text).map(\.html) ?? Self.codeHTML(text)
                }
                html += outputs(placement, at: .init(region: regionIndex, block: blockIndex))
            }
        }
        return html
    }

    /// A block of code as HTML.
    static func codeHTML(_ text: String) -> String {
        "<pre class=\"code\"><code>" + CodeLines.html(text) + "</code></pre>\n"
    }

    private func outputs(_ placement: OutputPlacement?, at position: OutputPlacement.Position) -> String {
        (placement?.after[position] ?? []).map { OutputHTML.html($0, titles: figureTitles, numbers: figureNumbers) }.joined()
    }

    /// A page's headings as they are written, each with an id of its own, and the contents list
    /// that links to those of level 2.
    struct Contents {
        private(set) var entries: [(title: String, id: String)] = []
        private var ids: Set<String> = []

        /// The HTML of a heading (prose marks allowed); a level-2 heading is listed in the contents.
        mutating func heading(_ text: String, level: Int) -> String {
            var id = Self.anchor(text)
            if ids.contains(id) {
                id = (2...).lazy.map { "\(id)-\($0)" }.first { !ids.contains($0) }!
            }
            ids.insert(id)
            if level == 2 { entries.append((text, id)) }
            return "<h\(level) id=\"\(id)\">" + HTML.inline(text) + "</h\(level)>\n"
        }

        /// The list of links, empty when the page has no level-2 heading.
        func html() -> String {
            guard !entries.isEmpty else { return "" }
            return "<nav class=\"toc\" aria-label=\"Contents of this page\"><p class=\"toc-title\">On this page</p>\n<ul>\n"
                + entries.map { "<li><a href=\"#\($0.id)\">" + HTML.inline($0.title) + "</a></li>\n" }.joined()
                + "</ul></nav>\n"
        }

        /// A heading's id: lower-case letters and digits joined by hyphens.
        static func anchor(_ heading: String) -> String {
            let words = heading.lowercased().split { !($0.isLetter || $0.isNumber) || !$0.isASCII }
            return words.isEmpty ? "section" : words.joined(separator: "-")
        }
    }
}

/// The block of code that declares a chapter's command: from `struct ChapterN: ParsableCommand {`
/// through its options and their checks, up to `func run()` (and the doc comment above it). The
/// page folds it in a `<details>` element, so that the lecture opens with what the chapter does;
/// the code before it and from `func run()` on is shown as usual.
struct OptionsBlock {
    var before: String?
    var options: String
    var after: String?

    /// The parts of `text`, nil when it declares no command.
    init?(_ text: String) {
        let lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.range(of: #"^struct \w+: ParsableCommand \{"#, options: .regularExpression) != nil })
        else { return nil }
        var end = lines[start...].firstIndex { $0.hasPrefix("    func run(") } ?? lines.count
        while end > start + 1, lines[end - 1].trimmingCharacters(in: .whitespaces).hasPrefix("///") { end -= 1 }
        func joined(_ part: ArraySlice<String>) -> String? {
            let trimmed = part.drop { $0.isEmpty }.reversed().drop { $0.isEmpty }.reversed()
            return trimmed.isEmpty ? nil : trimmed.joined(separator: "\n")
        }
        guard let options = joined(lines[start..<end]) else { return nil }
        self.before = joined(lines[..<start])
        self.options = options
        self.after = joined(lines[end...])
    }

    /// The header line (`struct ChapterN: ParsableCommand {`).
    var header: String { options.components(separatedBy: "\n")[0] }

    var html: String {
        let count = options.components(separatedBy: "\n").count
        return (before.map(ChapterPage.codeHTML) ?? "")
            + "<details class=\"options\"><summary>The command line: its options and their checks (<code>"
            + HTML.escape(header.replacingOccurrences(of: " {", with: "")) + "</code>, \(count) lines)</summary>\n"
            + ChapterPage.codeHTML(options) + "</details>\n"
            + (after.map(ChapterPage.codeHTML) ?? "")
    }
}
