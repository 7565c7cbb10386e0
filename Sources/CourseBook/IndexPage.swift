import Foundation

/// The book's contents page: every chapter (title and first paragraph), then the README, whose
/// figures are the ones this run drew.
public struct IndexPage {
    /// The chapters in teaching order.
    public var chapters: [ChapterPage]
    /// The README's Markdown.
    public var readme: String
    /// How a README path (relative to the package root) is reached from the book's folder; nil
    /// shows a link's text alone.
    public var rewrite: (String) -> String?
    /// The book's other pages (results, about), listed after the chapters: file, title, one line.
    public var pages: [(file: String, title: String, summary: String)]

    public init(chapters: [ChapterPage], readme: String, rewrite: @escaping (String) -> String?,
                pages: [(file: String, title: String, summary: String)] = []) {
        self.chapters = chapters
        self.readme = readme
        self.rewrite = rewrite
        self.pages = pages
    }

    /// The README's first `# ` heading, the book's title.
    public var title: String { Self.title(of: readme) }

    /// The first `# ` heading of a Markdown text, or "The course".
    static func title(of markdown: String) -> String {
        markdown.components(separatedBy: "\n").first { $0.hasPrefix("# ") }.map { String($0.dropFirst(2)) } ?? "The course"
    }

    /// A page of the book from a Markdown text: its first `# ` heading as the title and the
    /// page's one `<h1>`, the rest as HTML, paths rewritten by `rewrite`, the contents link
    /// above and below.
    static func markdownPage(_ markdown: String, rewrite: @escaping (String) -> String?) -> String {
        let heading = Self.title(of: markdown)
        let navigation = Page.navigation(previous: nil, next: nil)
        return Page.document(title: heading, body: navigation + "<main>\n<h1>" + HTML.inline(heading) + "</h1>\n"
            + untitledHTML(markdown, rewrite: rewrite) + "</main>\n" + navigation)
    }

    /// A Markdown text as HTML without its first `# ` heading (the page shows it as its title).
    static func untitledHTML(_ markdown: String, rewrite: @escaping (String) -> String?) -> String {
        var lines = markdown.components(separatedBy: "\n")
        if let heading = lines.firstIndex(where: { $0.hasPrefix("# ") }) { lines.remove(at: heading) }
        return Markdown(rewrite: rewrite).html(lines.joined(separator: "\n"))
    }

    /// The complete HTML page.
    public func html() -> String {
        var body = "<main>\n<h1>" + HTML.inline(title) + "</h1>\n<h2>Chapters</h2>\n<ul class=\"chapters\">\n"
        for chapter in chapters {
            body += "<li><a href=\"\(HTML.escape(chapter.fileName))\">" + HTML.inline(chapter.title) + "</a>\n"
                + (chapter.summaryHTML ?? "") + "</li>\n"
        }
        body += "</ul>\n"
        if !pages.isEmpty {
            body += "<h2>More</h2>\n<ul class=\"chapters\">\n" + pages.map { page in
                "<li><a href=\"\(HTML.escape(page.file))\">" + HTML.inline(page.title) + "</a>\n<p>" + HTML.inline(page.summary) + "</p>\n</li>\n"
            }.joined() + "</ul>\n"
        }
        body += "<p class=\"note\">Each chapter's page shows its lecture, its code, what it printed and the figures"
            + " it drew, all from the same run of <code>swift run -c release figures</code>.</p>\n"
        body += "<h2>The README</h2>\n" + Self.untitledHTML(readme, rewrite: rewrite) + "</main>\n"
        return Page.document(title: title, body: body)
    }

    /// The usual rewrite: `figures/NAME` becomes `../NAME` (the figures this run drew, beside the
    /// book's folder), `figures/book/PAGE` the page beside this one; the about page's Markdown (`Book.aboutSource`) becomes its page; another
    /// relative path is reached through `rootFromBook` (the package root relative to the book's
    /// folder), or shown as text when that is nil. Anchors stay as they are.
    public static func pathRewriter(rootFromBook: String?) -> (String) -> String? {
        { path in
            if path.hasPrefix("#") { return path }
            if path == Book.aboutSource { return Book.aboutFileName }
            if path.hasPrefix("figures/book/") { return String(path.dropFirst("figures/book/".count)) }
            if path.hasPrefix("figures/") { return "../" + path.dropFirst("figures/".count) }
            if path.hasPrefix("/") || path.contains("://") { return nil }
            return rootFromBook.map { $0 + path }
        }
    }

    /// The same rewrite for Markdown that lives in the book's folder (the about page): its links
    /// are written relative to `figures/book/`, as a reader of the file on disk follows them, and
    /// are read as the package-root path they name (`results.html` is `figures/book/results.html`,
    /// `../x.png` is `figures/x.png`) before the usual rewrite. A link that climbs above the root
    /// is shown as text.
    public static func bookFolderRewriter(rootFromBook: String?) -> (String) -> String? {
        let rewrite = pathRewriter(rootFromBook: rootFromBook)
        return { path in
            if path.hasPrefix("#") || path.hasPrefix("/") || path.contains("://") { return rewrite(path) }
            var parts = ["figures", "book"]
            for part in path.split(separator: "/", omittingEmptySubsequences: false).map(String.init) {
                switch part {
                case ".", "": continue
                case "..":
                    if parts.isEmpty { return nil }
                    parts.removeLast()
                default: parts.append(part)
                }
            }
            return rewrite(parts.joined(separator: "/"))
        }
    }
}
