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

    public init(name: String, main: SwiftSource, appendix: [(file: String, source: SwiftSource)] = [], output: ChapterOutput?) {
        self.name = name
        self.main = main
        self.appendix = appendix
        self.output = output
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
    public func html(previous: (file: String, title: String)?, next: (file: String, title: String)?) -> String {
        let navigation = Page.navigation(previous: previous, next: next)
        var body = navigation + "<main>\n<h1>" + HTML.inline(title) + "</h1>\n"
        if output == nil {
            body += "<p class=\"note\">This page shows no output yet: run <code>swift run -c release figures</code>"
                + " to fill in the output and the figures.</p>\n"
        }
        let placement = OutputPlacement(output ?? ChapterOutput(parsing: ""), in: main)
        body += regionsHTML(main, headingLevel: 2, placement: placement, dropTitle: true)
        if !placement.leftover.isEmpty {
            body += "<h2>More output</h2>\n" + placement.leftover.map { OutputHTML.html($0, titles: figureTitles) }.joined()
        }
        for (file, source) in appendix {
            body += "<section class=\"appendix\">\n<h2>Appendix: " + HTML.escape(file) + "</h2>\n"
                + regionsHTML(source, headingLevel: 3, placement: nil, dropTitle: false) + "</section>\n"
        }
        body += "</main>\n<footer>Woven from <code>Chapters/\(HTML.escape(name))/</code>"
            + (output == nil ? "" : " and the output of the same run that drew the figures (<code>\(HTML.escape(name)).txt</code>)")
            + ".</footer>\n" + navigation
        return Page.document(title: title, body: body)
    }

    /// The HTML of `source`'s regions, MARKs as headings, with the output placed in them.
    func regionsHTML(_ source: SwiftSource, headingLevel: Int, placement: OutputPlacement?, dropTitle: Bool) -> String {
        var html = ""
        var titleDropped = !dropTitle
        for (regionIndex, region) in source.regions.enumerated() {
            if let heading = region.title, !heading.isEmpty {
                html += "<h\(headingLevel) id=\"\(anchor(heading))\">" + HTML.inline(heading) + "</h\(headingLevel)>\n"
            }
            html += outputs(placement, at: .init(region: regionIndex, block: -1))
            for (blockIndex, block) in region.blocks.enumerated() {
                switch block {
                case .prose(var lines):
                    if !titleDropped, let first = lines.firstIndex(where: { !$0.isEmpty }) {
                        lines.remove(at: first)
                        titleDropped = true
                    }
                    html += "<div class=\"prose\">\n" + Prose.html(lines) + "</div>\n"
                case .code(let text):
                    html += "<pre class=\"code\"><code>" + HTML.escape(text) + "</code></pre>\n"
                }
                html += outputs(placement, at: .init(region: regionIndex, block: blockIndex))
            }
        }
        return html
    }

    private func outputs(_ placement: OutputPlacement?, at position: OutputPlacement.Position) -> String {
        (placement?.after[position] ?? []).map { OutputHTML.html($0, titles: figureTitles) }.joined()
    }

    /// A heading's id: lower-case letters and digits joined by hyphens.
    func anchor(_ heading: String) -> String {
        let words = heading.lowercased().split { !($0.isLetter || $0.isNumber) || !$0.isASCII }
        return words.isEmpty ? "section" : words.joined(separator: "-")
    }
}
