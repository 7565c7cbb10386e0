// Weaves every chapter into a page of the book: its lecture (the comments), its code, what it
// printed in the last `figures` run and the figures it drew, plus a contents page with the README,
// a results page generated from the chapters' saved output and run records (`ResultsPage`), and
// the about page written in `figures/book/about.md`.
//
//     swift run -c release book [--figures DIR]      # writes DIR/book/*.html (DIR: figures/)
//
// `figures` runs this at its end, so the pages, the output and the figures come from one run; it
// reads the output each chapter saved (FIGURES/book/chNN-topic.txt) and runs no chapter again.
// It refuses, writing no page and naming the chapter, the line of its saved output and what, when
// a printed heading matches no `// MARK:` of the chapter (output and figures go under the MARK of
// their heading's number, `4b.` included), when a figure it names is missing, and when the output
// holds an absolute path (see `WeavingProblems`). Each chapter's `// MARK: Experiments` block
// names flags; every one must appear in the chapter's `--help`, or the book fails, naming the
// chapter and the flag.
import ArgumentParser
import CourseBook
import CourseSupport
import Foundation
import VAECore

struct BookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "book",
        abstract: "Weave every chapter (prose, code, output, figures) into static HTML pages in FIGURES/book/.",
        discussion: "Run `swift run -c release figures` first to fill in each chapter's output and figures;"
            + " pages of chapters that have not run say so. The book reads the output each chapter saved in FIGURES/book/ and runs no chapter."
            + " It writes no page when a printed heading matches no `// MARK:` of its chapter, a figure is missing,"
            + " or the output holds an absolute path; it names the chapter, the line and what."
            + " Build the chapters too: the flags their experiments name are checked against their --help.")

    @Option(name: .long, help: ArgumentHelp("Folder of the figures; the pages go to its book/ folder.", valueName: "dir"))
    var figures: String = CoursePaths.figures.path

    func validate() throws {
        if figures.isEmpty { throw ValidationError("--figures needs a folder, not an empty path") }
    }

    func run() throws {
        // A --figures path that is a file, or lies under one, is said in words before any work.
        try WritableFolder.prepare(URL(fileURLWithPath: figures, isDirectory: true).appendingPathComponent("book"), purpose: "book")
        let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let book = Book(chapterSources: CoursePaths.chapterSources, chapters: try CoursePaths.chapters(),
                        readme: CoursePaths.root.appendingPathComponent("README.md"),
                        figures: URL(fileURLWithPath: figures, isDirectory: true), root: CoursePaths.root,
                        about: CoursePaths.root.appendingPathComponent(Book.aboutSource))
        let help = HelpCheck(binaries: binaries)
        let written = try book.write { page in
            guard let missing = try help.missingFlags(page) else {
                log("book: \(page.name) has no `// MARK: Experiments` block yet; no flags to check")
                return
            }
            guard missing.isEmpty else {
                throw BookError("\(page.name): its Experiments block names "
                    + missing.map { "\($0)" }.joined(separator: ", ")
                    + ", which `\(page.name) --help` does not list; fix the flag in Chapters/\(page.name)/main.swift")
            }
            if page.output == nil { log("book: no output saved for \(page.name) yet; its page says so") }
        }
        print("book: \(written.filter { $0.pathExtension == "html" }.count) pages written to \(book.folder.path) (open index.html)")
    }
}

BookCommand.main()
