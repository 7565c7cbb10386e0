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

    public init(chapters: [ChapterPage], readme: String, rewrite: @escaping (String) -> String?) {
        self.chapters = chapters
        self.readme = readme
        self.rewrite = rewrite
    }

    /// The README's first `# ` heading, the book's title.
    public var title: String {
        readme.components(separatedBy: "\n").first { $0.hasPrefix("# ") }.map { String($0.dropFirst(2)) } ?? "The course"
    }

    /// The complete HTML page.
    public func html() -> String {
        var readmeBody = readme.components(separatedBy: "\n")
        if let heading = readmeBody.firstIndex(where: { $0.hasPrefix("# ") }) { readmeBody.remove(at: heading) }
        var body = "<main>\n<h1>" + HTML.inline(title) + "</h1>\n<h2>Chapters</h2>\n<ul class=\"chapters\">\n"
        for chapter in chapters {
            body += "<li><a href=\"\(HTML.escape(chapter.fileName))\">" + HTML.inline(chapter.title) + "</a>\n"
                + (chapter.summaryHTML ?? "") + "</li>\n"
        }
        body += "</ul>\n<p class=\"note\">Each chapter's page shows its lecture, its code, what it printed and the figures"
            + " it drew, all from the same run of <code>swift run -c release figures</code>.</p>\n"
        body += "<h2>The README</h2>\n" + Markdown(rewrite: rewrite).html(readmeBody.joined(separator: "\n")) + "</main>\n"
        return Page.document(title: title, body: body)
    }

    /// The usual rewrite: `figures/NAME` becomes `../NAME` (the figures this run drew, beside the
    /// book's folder); another relative path is reached through `rootFromBook` (the package root
    /// relative to the book's folder), or shown as text when that is nil. Anchors stay as they are.
    public static func pathRewriter(rootFromBook: String?) -> (String) -> String? {
        { path in
            if path.hasPrefix("#") { return path }
            if path.hasPrefix("figures/") { return "../" + path.dropFirst("figures/".count) }
            if path.hasPrefix("/") || path.contains("://") { return nil }
            return rootFromBook.map { $0 + path }
        }
    }
}
