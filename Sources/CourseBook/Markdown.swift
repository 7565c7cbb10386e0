import Foundation

/// A minimal Markdown-to-HTML converter, enough for the README: headings, paragraphs, tables,
/// fenced and indented code, lists, images, links, `code`, **bold** and *emphasis*.
public struct Markdown {
    /// Rewrites the target of an image or a link; returning nil shows a link's text alone.
    public var rewrite: (String) -> String?

    public init(rewrite: @escaping (String) -> String? = { $0 }) {
        self.rewrite = rewrite
    }

    /// The HTML of `text`.
    public func html(_ text: String) -> String {
        let lines = text.components(separatedBy: "\n")
        var html = ""
        var index = 0
        while index < lines.count {
            let line = lines[index]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty {
                index += 1
            } else if trimmed.hasPrefix("```") {
                var code: [String] = []
                index += 1
                while index < lines.count, !lines[index].trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                    code.append(lines[index])
                    index += 1
                }
                index += 1
                html += "<pre class=\"markdown\"><code>" + HTML.escape(code.joined(separator: "\n")) + "</code></pre>\n"
            } else if let heading = HTML.captures(#"^(#{1,6}) +(.*)$"#, in: line) {
                let level = heading[0].count
                html += "<h\(level)>" + inline(heading[1]) + "</h\(level)>\n"
                index += 1
            } else if line.hasPrefix("    ") {
                var code: [String] = []
                while index < lines.count, lines[index].hasPrefix("    ") || (lines[index].trimmingCharacters(in: .whitespaces).isEmpty
                        && index + 1 < lines.count && lines[index + 1].hasPrefix("    ")) {
                    code.append(String(lines[index].dropFirst(4)))
                    index += 1
                }
                html += "<pre class=\"markdown\"><code>" + HTML.escape(code.joined(separator: "\n")) + "</code></pre>\n"
            } else if trimmed.hasPrefix("|") {
                var rows: [String] = []
                while index < lines.count, lines[index].trimmingCharacters(in: .whitespaces).hasPrefix("|") {
                    rows.append(lines[index].trimmingCharacters(in: .whitespaces))
                    index += 1
                }
                html += table(rows)
            } else if ListMarker(line) != nil {
                var items: [String] = []
                let ordered = ListMarker(line)!.ordered
                while index < lines.count {
                    let current = lines[index]
                    if current.trimmingCharacters(in: .whitespaces).isEmpty { break }
                    if let marker = ListMarker(current), marker.textColumn <= 4 {
                        items.append(marker.text)
                    } else if !items.isEmpty {
                        items[items.count - 1] += " " + current.trimmingCharacters(in: .whitespaces)
                    }
                    index += 1
                }
                let tag = ordered ? "ol" : "ul"
                html += "<\(tag)>\n" + items.map { "<li>" + inline($0) + "</li>\n" }.joined() + "</\(tag)>\n"
            } else {
                var paragraph: [String] = []
                while index < lines.count {
                    let current = lines[index]
                    let text = current.trimmingCharacters(in: .whitespaces)
                    if text.isEmpty || text.hasPrefix("```") || text.hasPrefix("#") || text.hasPrefix("|") || ListMarker(current) != nil { break }
                    paragraph.append(text)
                    index += 1
                }
                html += "<p>" + inline(paragraph.joined(separator: " ")) + "</p>\n"
            }
        }
        return html
    }

    /// A table from its `|` rows: the first is the header, the second (dashes) is skipped.
    func table(_ rows: [String]) -> String {
        let cells = rows.map(Self.cells)
        var html = "<table>\n"
        for (index, row) in cells.enumerated() {
            if index == 1, row.allSatisfy({ $0.range(of: #"^:?-+:?$"#, options: .regularExpression) != nil }) { continue }
            if index == 0, row.allSatisfy(\.isEmpty) { continue }
            let tag = index == 0 ? "th" : "td"
            html += "<tr>" + row.map { "<\(tag)>" + inline($0) + "</\(tag)>" }.joined() + "</tr>\n"
        }
        return html + "</table>\n"
    }

    /// The cells of one table row; `\|` is a bar inside a cell.
    static func cells(_ row: String) -> [String] {
        var body = row
        if body.hasPrefix("|") { body.removeFirst() }
        if body.hasSuffix("|") && !body.hasSuffix("\\|") { body.removeLast() }
        var cells: [String] = []
        var current = ""
        var previous: Character = " "
        for character in body {
            if character == "|" && previous != "\\" {
                cells.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else if character == "|" {
                current.removeLast()
                current.append("|")
            } else {
                current.append(character)
            }
            previous = character
        }
        cells.append(current.trimmingCharacters(in: .whitespaces))
        return cells
    }

    /// Inline Markdown: images and links first (their targets rewritten), then `HTML.inline`
    /// on the text around them.
    func inline(_ text: String) -> String {
        guard let expression = try? NSRegularExpression(pattern: #"(!?)\[([^\]]*)\]\(([^)\s]+)\)"#) else { return HTML.inline(text) }
        var html = ""
        var rest = text.startIndex
        for match in expression.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            guard let whole = Range(match.range, in: text), let bang = Range(match.range(at: 1), in: text),
                  let label = Range(match.range(at: 2), in: text), let target = Range(match.range(at: 3), in: text) else { continue }
            html += HTML.inline(String(text[rest..<whole.lowerBound]))
            let labelText = String(text[label])
            let destination = String(text[target])
            if !text[bang].isEmpty {
                let source = rewrite(destination) ?? destination
                html += "<img src=\"\(HTML.escape(source))\" alt=\"\(HTML.escape(labelText))\">"
            } else if destination.hasPrefix("http://") || destination.hasPrefix("https://") {
                // No link leaves the book: the address is printed, for the reader to follow.
                html += HTML.inline(labelText) + " (" + HTML.escape(destination) + ")"
            } else if let local = rewrite(destination) {
                html += "<a href=\"\(HTML.escape(local))\">" + HTML.inline(labelText) + "</a>"
            } else {
                html += HTML.inline(labelText)
            }
            rest = whole.upperBound
        }
        return html + HTML.inline(String(text[rest...]))
    }
}
