import Foundation

/// Turns the lines of a comment block into HTML.
///
/// - A blank line ends a paragraph (and a list).
/// - A line indented by 4 or more spaces is a formula (or a command): kept as written, in a
///   `<pre class="formula">`, consecutive ones together, their common indentation removed.
/// - `- item`, `* item` and `1. item`, indented by fewer than 4 spaces, are list items; a line
///   indented as far as the item's text continues it, one indented further is a formula inside it.
/// - A line of only `=` or `-` (a title's underline) is dropped.
/// - Other lines join into paragraphs, with `code`, **bold** and *emphasis* (`HTML.inline`).
public enum Prose {
    /// The HTML of `lines`.
    public static func html(_ lines: [String]) -> String {
        var renderer = ProseRenderer()
        for line in lines { renderer.add(line) }
        return renderer.finish()
    }

    /// The opening of `lines`, for a contents page: the first paragraph, continued past blank
    /// lines and formulas until a paragraph ends a sentence (so "…the chain rule splits it:" keeps
    /// its formula and the sentence after it). Empty when there is no paragraph.
    public static func opening(_ lines: [String]) -> [String] {
        var opening: [String] = []
        var lastText: String?
        for line in lines {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || isUnderline(trimmed) {
                if let lastText, let end = lastText.last, ".!?".contains(end) { break }
                if !opening.isEmpty { opening.append("") }
                continue
            }
            if line.prefix(while: { $0 == " " }).count < 4 { lastText = trimmed }
            opening.append(line)
        }
        return lastText == nil ? [] : opening
    }

    /// True for a line made only of `=` or only of `-` (three or more).
    static func isUnderline(_ trimmed: String) -> Bool {
        trimmed.count >= 3 && (Set(trimmed) == ["="] || Set(trimmed) == ["-"])
    }
}

/// The start of a list item: `- `, `* ` or `12. ` after fewer than 4 spaces.
struct ListMarker {
    var ordered: Bool
    /// The column where the item's text starts.
    var textColumn: Int
    var text: String

    init?(_ line: String) {
        guard let parts = HTML.captures(#"^( {0,3})([-*]|\d+\.) (.*)$"#, in: line) else { return nil }
        ordered = parts[1].last == "."
        textColumn = parts[0].count + parts[1].count + 1
        text = parts[2]
    }
}

/// The state of `Prose.html` as it reads lines.
struct ProseRenderer {
    private var output = ""
    private var paragraph: [String] = []
    private var formula: [String] = []
    /// The open list: whether it is ordered, the item text column, and its items' HTML so far.
    private var list: (ordered: Bool, column: Int, items: [String])?

    mutating func add(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        let indentation = line.prefix { $0 == " " }.count
        if trimmed.isEmpty {
            closeAll()
        } else if Prose.isUnderline(trimmed) && indentation == 0 {
            closeParagraph()
        } else if let marker = ListMarker(line) {
            closeParagraph()
            closeFormula()
            if let open = list, open.ordered != marker.ordered { closeList() }
            if list == nil { list = (marker.ordered, marker.textColumn, []) }
            list!.column = marker.textColumn
            list!.items.append(HTML.inline(marker.text))
        } else if let open = list, indentation > open.column + 1 {
            closeParagraph()
            formula.append(line)
        } else if let open = list, indentation >= open.column - 1 {
            closeFormula()
            list!.items[list!.items.count - 1] += " " + HTML.inline(trimmed)
        } else if indentation >= 4 {
            closeParagraph()
            formula.append(line)
        } else {
            closeFormula()
            closeList()
            paragraph.append(trimmed)
        }
    }

    mutating func finish() -> String {
        closeAll()
        return output
    }

    private mutating func closeAll() {
        closeParagraph()
        closeFormula()
        closeList()
    }

    private mutating func closeParagraph() {
        guard !paragraph.isEmpty else { return }
        output += "<p>" + HTML.inline(paragraph.joined(separator: " ")) + "</p>\n"
        paragraph = []
    }

    /// Ends the formula block: inside a list item it joins that item, otherwise the page.
    private mutating func closeFormula() {
        guard !formula.isEmpty else { return }
        let common = formula.map { $0.prefix { $0 == " " }.count }.min() ?? 0
        let text = formula.map { String($0.dropFirst(common)) }.joined(separator: "\n")
        let block = "<pre class=\"formula\">" + HTML.escape(text) + "</pre>"
        if list != nil { list!.items[list!.items.count - 1] += "\n" + block } else { output += block + "\n" }
        formula = []
    }

    private mutating func closeList() {
        closeFormula()
        guard let open = list else { return }
        let tag = open.ordered ? "ol" : "ul"
        output += "<\(tag)>\n" + open.items.map { "<li>\($0)</li>\n" }.joined() + "</\(tag)>\n"
        list = nil
    }
}
