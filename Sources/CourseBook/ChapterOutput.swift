import Foundation

/// What a chapter printed on standard output in one run, cut into its sections.
public struct ChapterOutput: Equatable, Sendable {
    /// The output under one `## N. Title` heading (or before the first heading).
    public struct Section: Equatable, Sendable {
        /// The heading without `## `, nil for what came before the first heading.
        public var title: String?
        /// The number the title starts with (`## 3. MNIST` is "3", `## 4b. Inside` is "4b").
        public var number: String?
        /// The printed lines, without blank lines at either end.
        public var lines: [String]
        /// The line of the printed text (counted from 1) that holds the heading; nil for what came
        /// before the first heading.
        public var headingLine: Int?
        /// The line of the printed text that holds `lines[0]`: `lines[i]` is line `firstLine + i`.
        public var firstLine: Int

        public init(title: String?, lines: [String], headingLine: Int? = nil, firstLine: Int = 1) {
            self.title = title
            self.lines = lines
            self.headingLine = headingLine
            self.firstLine = firstLine
            number = title.flatMap(SectionNumber.of)
        }
    }

    public var sections: [Section]

    /// Parses a chapter's standard output: a line `## Title` starts a section. Sections with no
    /// lines, and an empty preamble, are kept out.
    public init(parsing text: String) {
        var sections = [Section(title: nil, lines: [], firstLine: 1)]
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            if line.hasPrefix("## ") {
                sections.append(Section(title: String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces), lines: [],
                                        headingLine: index + 1, firstLine: index + 2))
            } else {
                sections[sections.count - 1].lines.append(line)
            }
        }
        self.sections = sections.compactMap { section in
            var section = section
            while section.lines.first?.trimmingCharacters(in: .whitespaces).isEmpty == true {
                section.lines.removeFirst()
                section.firstLine += 1
            }
            while section.lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { section.lines.removeLast() }
            return section.title == nil && section.lines.isEmpty ? nil : section
        }
    }
}

/// Renders output sections as HTML: the text in `<pre class="output">`, one `<span class="line">`
/// per printed line (so that a line too long for the page wraps under itself, indented), each
/// `figure: NAME.png` line as the figure itself, inline, with its name as the caption, and each run
/// of result lines (`ResultLine`) as a table.
public enum OutputHTML {
    /// The HTML of one section; figures are referred to as `figurePrefix + NAME.png`, with
    /// `titles[NAME.png]` (the plot's own title), when known, as their description.
    public static func html(_ section: ChapterOutput.Section, figurePrefix: String = "../", titles: [String: String] = [:],
                            numbers: [String: String] = [:]) -> String {
        var html = "<section class=\"output\">\n"
        if let title = section.title {
            html += "<p class=\"output-title\">Output · " + HTML.escape(title) + "</p>\n"
        }
        var text: [String] = []
        var results: [ResultLine] = []
        func flushText() {
            while text.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { text.removeLast() }
            if !text.isEmpty { html += "<pre class=\"output\">" + CodeLines.html(text) + "</pre>\n" }
            text = []
        }
        func flushResults() {
            if !results.isEmpty { html += ResultLine.table(results) }
            results = []
        }
        for line in section.lines {
            if let result = ResultLine(line) {
                flushText()
                if let last = results.last, !last.continues(with: result) { flushResults() }
                results.append(result)
                continue
            }
            flushResults()
            if let name = figureName(line) {
                flushText()
                let source = HTML.escape(figurePrefix + name)
                let caption = (numbers[name].map { "<strong>Figure \($0)</strong> · " } ?? "") + (titles[name].map { HTML.escape($0) + " · " } ?? "")
                html += "<figure id=\"\(FigureLinks.anchor(name))\"><img src=\"\(source)\" alt=\"\(HTML.escape(titles[name] ?? name))\">"
                    + "<figcaption>\(caption)<code>\(HTML.escape(name))</code></figcaption></figure>\n"
            } else if let script = scriptOnlyName(line) {
                flushText()
                html += "<p class=\"note\">Figure <code>\(HTML.escape(script))</code>: script only (gnuplot was missing"
                    + " when this ran; render it with <code>gnuplot \(HTML.escape(script))</code>).</p>\n"
            } else if !(text.isEmpty && line.trimmingCharacters(in: .whitespaces).isEmpty) {
                text.append(line)
            }
        }
        flushResults()
        flushText()
        return html + "</section>\n"
    }

    /// The PNG a line `  figure: NAME.png` names, nil for other lines.
    public static func figureName(_ line: String) -> String? {
        HTML.captures(#"^\s*figure: ([^\s/]+\.png)\s*$"#, in: line)?[0]
    }

    /// The script a line `  figure: NAME.gp (script only: ...)` names, nil for other lines.
    static func scriptOnlyName(_ line: String) -> String? {
        HTML.captures(#"^\s*figure: ([^\s/]+\.gp) \(script only"#, in: line)?[0]
    }
}

/// A figure's title, read from the gnuplot script saved beside its PNG.
public enum FigureTitle {
    /// The first title a gnuplot script sets (`set multiplot ... title '...'` or `set title '...'`),
    /// nil when it sets none.
    public static func from(script: String) -> String? {
        guard let title = HTML.captures(#"(?m)^set (?:multiplot[^\n]*? )?title '((?:[^'\n]|'')*)'"#, in: script)?[0],
              !title.isEmpty else { return nil }
        return title.replacingOccurrences(of: "''", with: "'")
    }

    /// The PNGs the output of `output` names.
    public static func figures(in output: ChapterOutput) -> [String] {
        output.sections.flatMap { $0.lines.compactMap(OutputHTML.figureName) }
    }
}

/// A result line, the form a chapter prints its measurements in so that scripts can read them:
/// a word, then `key=value` pairs (`ood train=mnist out=fashion score=kl auroc=0.6982`); a bare
/// lower-case word before a pair is a label (`latent diversity samples=33.76 …`) and stays in its
/// place, a column with no header. Consecutive lines with the same word, keys and labels are one table on the page; the
/// text output keeps the lines.
struct ResultLine: Equatable {
    /// The leading word (`ood`, `bound`, `ablation`).
    var word: String
    /// The keys in order; a label's key is empty and its word is its value.
    var keys: [String]
    var values: [String]

    /// The line read as a result line, nil when it is not one: a lower-case word, then tokens
    /// separated by single spaces, each `key=value` (neither empty, no second `=`) or a bare
    /// lower-case word followed by a pair (a label). Trailing spaces are ignored.
    init?(_ line: String) {
        var text = Substring(line)
        while text.last?.isWhitespace == true { text = text.dropLast() }
        let tokens = text.split(separator: " ", omittingEmptySubsequences: false)
        guard tokens.count > 1, Self.matches(#"[a-z][a-z0-9_-]*"#, tokens[0]) else { return nil }
        word = String(tokens[0])
        keys = []
        values = []
        for token in tokens.dropFirst() {
            if Self.matches(#"[A-Za-z_][A-Za-z0-9_.>-]*=[^\s=]+"#, token) {
                let parts = token.split(separator: "=", maxSplits: 1)
                keys.append(String(parts[0]))
                values.append(String(parts[1]))
            } else if Self.matches(#"[a-z][a-z0-9_-]*"#, token) {
                keys.append("")
                values.append(String(token))
            } else {
                return nil
            }
        }
        // A label names the pairs after it: one at the end, or two in a row, is prose.
        for (index, key) in keys.enumerated() where key.isEmpty {
            guard index + 1 < keys.count, !keys[index + 1].isEmpty else { return nil }
        }
    }

    /// Whether all of `token` matches the regular expression `pattern`.
    private static func matches(_ pattern: String, _ token: Substring) -> Bool {
        token.range(of: "^" + pattern + "$", options: .regularExpression) != nil
    }

    /// The line's shape: its keys, with each label's word in its place.
    var shape: [String] { zip(keys, values).map { $0.0.isEmpty ? "·" + $0.1 : $0.0 } }

    /// Whether `next` belongs to the same table: the same word, keys and labels, in order.
    func continues(with next: ResultLine) -> Bool { next.word == word && next.shape == shape }

    /// One table of `lines` (a run that `continues`): the word as its caption (followed by
    /// `caption`, HTML), the keys as its header, numbers aligned to the right.
    static func table(_ lines: [ResultLine], caption: String = "") -> String {
        guard let first = lines.first else { return "" }
        var html = "<table class=\"result\"><caption><code>" + HTML.escape(first.word) + "</code>" + caption + "</caption>\n<thead><tr>"
            + first.keys.map { "<th>" + HTML.escape($0) + "</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for line in lines {
            html += "<tr>" + line.values.map { value in
                (isNumber(value) ? "<td class=\"number\">" : "<td>") + HTML.escape(value) + "</td>"
            }.joined() + "</tr>\n"
        }
        return html + "</tbody></table>\n"
    }

    /// Whether a value reads as a number (`-107.91`, `+0.47`, `1e-3`, `97.5%`).
    static func isNumber(_ value: String) -> Bool {
        value.range(of: #"^[-+−]?[0-9][0-9.,]*([eE][-+]?[0-9]+)?%?$"#, options: .regularExpression) != nil
    }
}

/// Code and output as HTML lines: each line escaped in its own `<span class="line">` (a block, so
/// that a line too long for the page wraps onto continuation lines indented under it); an indented
/// line carries its indentation (`--indent`), so its continuations go further in than it does.
enum CodeLines {
    static func html(_ lines: [String]) -> String {
        lines.map { line in
            let indent = line.prefix { $0 == " " }.count
            let style = indent > 0 && indent < line.count ? " style=\"--indent:\(indent)\"" : ""
            return "<span class=\"line\"\(style)>" + HTML.escape(line) + "</span>"
        }.joined()
    }

    static func html(_ text: String) -> String { html(text.components(separatedBy: "\n")) }
}
