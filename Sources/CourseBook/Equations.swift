import Foundation

/// Numbered equations: each displayed formula of a page that states a relation (an `=`, `≤`,
/// `≥`, `≈` or `∝`, or an update `w ← w − η·g`) gets a number, chapter 5's third "(5.3)", written at its right and kept as
/// its anchor (`#eq-5.3`), so a lecturer can say "equation 5.3" and a reader find it; the
/// prose's "equation 5.3" (or "equation (5.3)") links to it, on its page or another chapter's.
/// A displayed block that is a command or a line of code (`swift run …`, `let x = …`) or states
/// no relation (a shape, a diagram) is left unnumbered. A numbered equation is set as mathematics
/// (`MathML`).
enum Equations {
    private static let block = try! NSRegularExpression(pattern: #"<pre class="formula">(.*?)</pre>"#, options: [.dotMatchesLineSeparators])
    private static let mention = try! NSRegularExpression(pattern: #"\b([Ee]quations?) \(?(\d{1,2})\.(\d{1,3})\)?"#)

    /// Whether a displayed block (its escaped text) is an equation to number.
    static func isEquation(_ escaped: String) -> Bool {
        let text = HTML.unescape(escaped)
        let first = text.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let commands = ["swift ", "bash ", "cd ", "git ", "$ ", "let ", "var ", "func ", "try ", "for ", "if ", "print("]
        if commands.contains(where: first.hasPrefix) { return false }
        return [" = ", "≤", "≥", "≈", "∝", ":=", "=:", " ← "].contains(where: text.contains)
    }

    /// `html` (a whole page's body) with its equations numbered `prefix` + 1, 2, … in order.
    static func number(_ html: String, prefix: String) -> String {
        let ns = html as NSString
        var out = "", last = 0, count = 0
        for match in block.matches(in: html, range: NSRange(location: 0, length: ns.length)) {
            let inner = ns.substring(with: match.range(at: 1))
            guard isEquation(inner) else { continue }
            count += 1
            let number = prefix + String(count)
            out += ns.substring(with: NSRange(location: last, length: match.range.location - last))
            // Set as mathematics (`MathML`), or as the text it was when it is a diagram.
            let body = MathML.table(HTML.unescape(inner)) ?? ns.substring(with: match.range)
            out += "<div class=\"equation\" id=\"eq-\(number)\">" + body
                + "<span class=\"equation-number\">(\(number))</span></div>"
            last = match.range.location + match.range.length
        }
        return out + ns.substring(from: last)
    }

    /// `html` (prose HTML) with each "equation N.M" linked to that equation: on this page when N
    /// is `current`, else on chapter N's page in `pages`.
    static func link(_ html: String, pages: [Int: String], current: Int?) -> String {
        ProseText.mapText(html) { text in
            let ns = text as NSString
            var out = "", last = 0
            for match in mention.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                let chapter = Int(ns.substring(with: match.range(at: 2)))!
                let number = "\(chapter).\(ns.substring(with: match.range(at: 3)))"
                let page = chapter == current ? "" : pages[chapter]
                guard let page else { continue }
                out += ns.substring(with: NSRange(location: last, length: match.range.location - last))
                out += "<a class=\"equation-link\" href=\"\(page)#eq-\(number)\">" + ns.substring(with: match.range) + "</a>"
                last = match.range.location + match.range.length
            }
            return out + ns.substring(from: last)
        }
    }
}
