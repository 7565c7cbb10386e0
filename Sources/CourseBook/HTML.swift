import Foundation

/// Small helpers that turn plain text into HTML: escaping, and the inline marks the course's
/// prose uses (`code`, **bold**, *emphasis*).
public enum HTML {
    /// `text` with the five characters that mean something in HTML replaced by entities.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// `escape`'s inverse: the text an escaped string stands for.
    static func unescape(_ html: String) -> String {
        html.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// One line of prose as HTML: escaped, with `backticks` as `<code>`, `**bold**` as `<strong>`
    /// and `*emphasis*` as `<em>` (which may hold code). Nothing inside backticks is interpreted.
    public static func inline(_ text: String) -> String {
        let pieces = text.components(separatedBy: "`")
        // An odd number of backticks leaves the last one unpaired: keep it as a character.
        let paired = pieces.count % 2 == 1 ? pieces.count : pieces.count - 1
        // Code spans wait as placeholders (\u{1}N\u{2}) while the emphasis is found.
        var spans: [String] = []
        var prose = ""
        for (index, piece) in pieces.enumerated() {
            if index >= paired {
                prose += "`" + piece
            } else if index % 2 == 1 {
                prose += "\u{1}\(spans.count)\u{2}"
                spans.append("<code>" + escape(piece) + "</code>")
            } else {
                prose += piece
            }
        }
        var html = emphasis(escape(prose))
        for (index, span) in spans.enumerated() {
            html = html.replacingOccurrences(of: "\u{1}\(index)\u{2}", with: span)
        }
        return html
    }

    /// `**bold**` and `*emphasis*` in already escaped text. A star beside a letter or another
    /// star on its outer side (a*b, **) is left alone, so formulas keep their stars.
    static func emphasis(_ escaped: String) -> String {
        var text = escaped
        text = replace(#"(?<![\w*])\*\*([^*\s](?:[^*]*[^*\s])?)\*\*(?![\w*])"#, in: text, with: "<strong>$1</strong>")
        text = replace(#"(?<![\w*])\*([^*\s](?:[^*]*[^*\s])?)\*(?![\w*])"#, in: text, with: "<em>$1</em>")
        return text
    }

    /// `text` with every match of the regular expression `pattern` replaced by `template`.
    static func replace(_ pattern: String, in text: String, with template: String) -> String {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return text }
        let range = NSRange(text.startIndex..., in: text)
        return expression.stringByReplacingMatches(in: text, range: range, withTemplate: template)
    }

    /// The first capture groups of `pattern`'s first match in `text`, or nil when it does not match.
    static func captures(_ pattern: String, in text: String) -> [String]? {
        guard let expression = try? NSRegularExpression(pattern: pattern),
              let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        return (1..<match.numberOfRanges).map { index in
            Range(match.range(at: index), in: text).map { String(text[$0]) } ?? ""
        }
    }
}
