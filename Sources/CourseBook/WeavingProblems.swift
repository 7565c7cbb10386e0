import Foundation

/// What keeps a chapter's saved output from being woven into its page. The book refuses to write
/// any page while one is left, so that what a page shows is always where its code says it is:
///
/// - a printed heading (`## 6. Figures`) that matches no `// MARK:` of the chapter's `main.swift`
///   (by number, or by title for a heading without one), and each figure printed under it;
/// - output printed before any heading by a chapter that prints no heading it could go with;
/// - a figure (`figure: NAME.png`) that is not in the figures folder;
/// - an absolute path (`AbsolutePath`);
/// - a quote of the library (`LibraryQuote`) whose file or declaration is not found;
/// - a citation that names no single entry of the bibliography (`Citations`).
///
/// Each problem names the chapter, the line of its saved output (`chNN-topic.txt`, counted from 1)
/// and what is wrong.
public enum WeavingProblems {
    /// The problems of `page`, in the order of the lines they are on; none when the page has no
    /// output yet. `figures` is the folder its PNGs must be in (nil: not looked for).
    public static func of(_ page: ChapterPage, figures: URL?) -> [String] {
        let sourceProblems = (page.quoteProblems + page.citations.problems).map { "Chapters/\(page.name): \($0)" }
        guard let output = page.output else { return sourceProblems }
        var problems: [(line: Int, text: String)] = []
        func report(_ line: Int, _ what: String) { problems.append((line, "\(page.name).txt line \(line): \(what)")) }
        let mainFile = "Chapters/\(page.name)/main.swift"

        for section in OutputPlacement(output, in: page.main).leftover {
            if let title = section.title, let line = section.headingLine {
                let mark = section.number.map { "`// MARK: \($0). …`" } ?? "`// MARK: \(title)`"
                report(line, "the heading `## \(title)` matches no \(mark) in \(mainFile): give its code that MARK,"
                       + " or print the number of the MARK it belongs under")
            } else {
                report(section.firstLine, "output printed before any `## ` heading, and no heading follows that it could go with")
            }
            for (index, line) in section.lines.enumerated() {
                if let name = OutputHTML.figureName(line) {
                    report(section.firstLine + index, "the figure \(name) has no place: its section has no MARK")
                }
            }
        }
        for section in output.sections {
            for (index, line) in section.lines.enumerated() {
                let number = section.firstLine + index
                if let figures, let name = OutputHTML.figureName(line),
                   !FileManager.default.fileExists(atPath: figures.appendingPathComponent(name).path) {
                    report(number, "the figure \(name) is not in \(figures.path)")
                }
                if let path = AbsolutePath.first(in: line) {
                    report(number, "an absolute path, \(path): print the package's folders relative to it (`CoursePaths.relative`)")
                }
            }
        }
        return problems.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element.text)
            + sourceProblems
    }
}

/// An absolute path in printed output: a word that starts with `/` followed by a name (`/srv/…`,
/// `/home/me/runs`, `/tmp`), at the start of the line or after a space, a quote, a bracket, `=`,
/// `:`, `,` or `;`. It names a folder from the root of one machine's file system, outside the
/// package; output names the package's own folders relative to it (`runs/vae`), the same on every
/// machine. A slash inside a word or before a digit or a space (`1/√16`, `img/s`, `1 / 4`) and a
/// URL (`https://…`) are not paths.
public enum AbsolutePath {
    /// The first absolute path in `line`, nil when it holds none.
    public static func first(in line: String) -> String? {
        HTML.captures(#"(?:^|[\s"'(\[=:,;])(/[A-Za-z._~][^\s"'()\[\],;]*)"#, in: line)?[0]
    }
}
