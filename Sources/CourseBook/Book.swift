import Foundation
import VAECore

/// Weaves every chapter into a page of `<figures>/book/`, beside the figures the pages show, and
/// writes the contents page.
public struct Book {
    /// The folder of chapter folders (`Chapters/`).
    public var chapterSources: URL
    /// The chapters in teaching order (folder names).
    public var chapters: [String]
    /// The README rendered on the contents page.
    public var readme: URL
    /// The folder of figures; the book is its `book/` folder, where `figures` saves each chapter's
    /// output as `chNN-topic.txt`.
    public var figures: URL
    /// The package root, for README links to its files.
    public var root: URL
    /// The hand-written Markdown of the "about" page (design notes, file formats), nil for none.
    public var about: URL?

    public init(chapterSources: URL, chapters: [String], readme: URL, figures: URL, root: URL, about: URL? = nil) {
        self.chapterSources = chapterSources
        self.chapters = chapters
        self.readme = readme
        self.figures = figures
        self.root = root
        self.about = about
    }

    /// The about page's file name in the book, and its Markdown, relative to the package root
    /// (it lives in the book's folder, so its links are relative to that folder).
    public static let aboutFileName = "about.html"
    public static let aboutSource = "figures/book/about.md"

    /// The book's folder.
    public var folder: URL { figures.appendingPathComponent("book", isDirectory: true) }

    /// Reads one chapter: its `main.swift`, its other Swift files and its saved output (if any).
    /// - Throws: when the chapter's `main.swift` cannot be read.
    public func page(for chapter: String) throws -> ChapterPage {
        let directory = chapterSources.appendingPathComponent(chapter, isDirectory: true)
        let main = try readText(directory.appendingPathComponent("main.swift"), what: "\(chapter)'s main.swift")
        let others = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".swift") && $0 != "main.swift" }.sorted()
        let appendix = try others.map { file in
            (file: file, source: SwiftSource(parsing: try readText(directory.appendingPathComponent(file), what: "\(chapter)/\(file)")))
        }
        let outputFile = folder.appendingPathComponent(chapter + ".txt")
        let output = (try? String(contentsOf: outputFile, encoding: .utf8)).map(ChapterOutput.init(parsing:))
        var page = ChapterPage(name: chapter, main: SwiftSource(parsing: main), appendix: appendix, output: output)
        page.resolveQuotes(root: root)
        let answers = try ExerciseAnswers.read(from: folder.appendingPathComponent(ExerciseAnswers.fileName(for: chapter)))
        page.answers = Dictionary(answers.map { ($0.command, $0) }, uniquingKeysWith: { _, last in last })
        for figure in output.map(FigureTitle.figures(in:)) ?? [] {
            let script = figures.appendingPathComponent(String(figure.dropLast(".png".count)) + ".gp")
            page.figureTitles[figure] = (try? String(contentsOf: script, encoding: .utf8)).flatMap(FigureTitle.from(script:))
        }
        return page
    }

    /// Writes the style sheet, every chapter's page and the contents page; returns the files written.
    /// - Parameter check: called with each page before it is written (the experiment flag check).
    /// - Throws: when a source cannot be read, `check` throws, or a page cannot be written; and,
    ///   before anything is written, when any chapter's output cannot be woven (`WeavingProblems`:
    ///   the error lists every problem of every chapter).
    @discardableResult
    public func write(check: (ChapterPage) throws -> Void = { _ in }) throws -> [URL] {
        var pages = try chapters.map(page(for:))
        let links = Dictionary(pages.compactMap { page in CrossLinks.number(of: page.name).map { ($0, page.fileName) } },
                               uniquingKeysWith: { first, _ in first })
        var figureLinks: [String: (link: String, number: String)] = [:]
        for page in pages {
            for (name, number) in page.figureNumbers where figureLinks[name] == nil {
                figureLinks[name] = (page.fileName + "#" + FigureLinks.anchor(name), number)
            }
        }
        for index in pages.indices {
            pages[index].chapterLinks = links
            pages[index].figureLinks = figureLinks
        }
        let problems = pages.flatMap { WeavingProblems.of($0, figures: figures) }
        guard problems.isEmpty else {
            throw BookError("the book cannot weave what the chapters printed (\(problems.count) problem\(problems.count == 1 ? "" : "s");"
                            + " no page was written):\n" + problems.map { "  " + $0 }.joined(separator: "\n"))
        }
        let style = folder.appendingPathComponent(Page.styleSheetName)
        try AtomicFile.write(Data(Page.styleSheet.utf8), to: style)
        var written: [URL] = [style]
        for (index, page) in pages.enumerated() {
            try check(page)
            let previous = index > 0 ? (pages[index - 1].fileName, pages[index - 1].title) : nil
            let next = index + 1 < pages.count ? (pages[index + 1].fileName, pages[index + 1].title) : nil
            let url = folder.appendingPathComponent(page.fileName)
            try AtomicFile.write(Data(page.html(previous: previous, next: next).utf8), to: url)
            written.append(url)
        }
        let rewrite = IndexPage.pathRewriter(rootFromBook: RelativePath.from(folder, to: root))
        let results = folder.appendingPathComponent(ResultsPage.fileName)
        try AtomicFile.write(Data(resultsPage(pages).html().utf8), to: results)
        written.append(results)
        var extra = [(file: ResultsPage.fileName, title: "Results", summary: "Every result line the chapters printed, with its command and machine, and where their time went.")]
        var citedBy: [String: [(file: String, title: String)]] = [:]
        for page in pages {
            for key in Set(page.citations.keys) { citedBy[key, default: []].append((page.fileName, page.title)) }
        }
        let references = folder.appendingPathComponent(ReferencesPage.fileName)
        try AtomicFile.write(Data(ReferencesPage(citedBy: citedBy).html().utf8), to: references)
        written.append(references)
        extra.append((ReferencesPage.fileName, "References", "Every work the course cites, in full, with the chapters that cite it."))
        if let about {
            let markdown = try readText(about, what: "the about page")
            let url = folder.appendingPathComponent(Self.aboutFileName)
            let aboutRewrite = IndexPage.bookFolderRewriter(rootFromBook: RelativePath.from(folder, to: root))
            try AtomicFile.write(Data(IndexPage.markdownPage(markdown, rewrite: aboutRewrite).utf8), to: url)
            written.append(url)
            extra.append((Self.aboutFileName, IndexPage.title(of: markdown), "How the course is built: design notes, reused runs, file formats, fuzzing."))
        }
        let readmeText = try readText(readme, what: "the README")
        let index = IndexPage(chapters: pages, readme: readmeText, rewrite: rewrite, pages: extra)
        let url = folder.appendingPathComponent("index.html")
        try AtomicFile.write(Data(index.html().utf8), to: url)
        written.append(url)
        return written
    }

    /// The results page of `pages`: each chapter's saved output and run record, and the
    /// benchmark figures beside the book.
    func resultsPage(_ pages: [ChapterPage]) -> ResultsPage {
        let chapters = pages.map { page -> ResultsPage.Chapter in
            let output = try? String(contentsOf: folder.appendingPathComponent(page.name + ".txt"), encoding: .utf8)
            let recordFile = folder.appendingPathComponent(ChapterRunRecord.fileName(for: page.name))
            var record: ChapterRunRecord?
            var problem: String?
            if let text = try? String(contentsOf: recordFile, encoding: .utf8) {
                do { record = try ChapterRunRecord(parsing: text) } catch { problem = "\(recordFile.lastPathComponent): \(error)" }
                if let found = record, found.chapter != page.name {
                    record = nil
                    problem = "\(recordFile.lastPathComponent) records \(found.chapter)"
                }
            }
            return ResultsPage.Chapter(name: page.name, title: page.title, fileName: page.fileName, output: output,
                                       record: output == nil ? nil : record, recordProblem: problem)
        }
        let bench = ((try? FileManager.default.contentsOfDirectory(atPath: figures.path)) ?? [])
            .filter { $0.hasPrefix("bench-") && $0.hasSuffix(".png") }
        return ResultsPage(chapters: chapters, benchFigures: bench)
    }

    private func readText(_ url: URL, what: String) throws -> String {
        do { return try String(contentsOf: url, encoding: .utf8) } catch {
            throw BookError("cannot read \(what) at \(url.path): \(error.localizedDescription)")
        }
    }
}

/// An error of the book, in words.
public struct BookError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Relative paths between folders.
public enum RelativePath {
    /// The path from folder `start` to folder `target` as `../../` steps (ending in `/`, or ""
    /// when they are the same), nil when `start` is not inside `target`.
    public static func from(_ start: URL, to target: URL) -> String? {
        let startParts = start.standardizedFileURL.resolvingSymlinksInPath().pathComponents
        let targetParts = target.standardizedFileURL.resolvingSymlinksInPath().pathComponents
        guard startParts.count >= targetParts.count, Array(startParts.prefix(targetParts.count)) == targetParts else { return nil }
        return String(repeating: "../", count: startParts.count - targetParts.count)
    }
}
