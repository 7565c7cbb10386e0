import Foundation

/// What a chapter printed on standard output in one run, cut into its sections.
public struct ChapterOutput: Equatable, Sendable {
    /// The output under one `## N. Title` heading (or before the first heading).
    public struct Section: Equatable, Sendable {
        /// The heading without `## `, nil for what came before the first heading.
        public var title: String?
        /// The number the title starts with (`## 3. MNIST` is 3).
        public var number: Int?
        /// The printed lines, without blank lines at either end.
        public var lines: [String]

        public init(title: String?, lines: [String]) {
            self.title = title
            self.lines = lines
            number = title.flatMap { HTML.captures(#"^(\d+)\."#, in: $0) }.flatMap { Int($0[0]) }
        }
    }

    public var sections: [Section]

    /// Parses a chapter's standard output: a line `## Title` starts a section. Sections with no
    /// lines, and an empty preamble, are kept out.
    public init(parsing text: String) {
        var sections = [Section(title: nil, lines: [])]
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("## ") {
                sections.append(Section(title: String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces), lines: []))
            } else {
                sections[sections.count - 1].lines.append(line)
            }
        }
        self.sections = sections.compactMap { section in
            var section = section
            while section.lines.first?.trimmingCharacters(in: .whitespaces).isEmpty == true { section.lines.removeFirst() }
            while section.lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { section.lines.removeLast() }
            return section.title == nil && section.lines.isEmpty ? nil : section
        }
    }
}

/// Renders output sections as HTML: the text in `<pre class="output">`, each `figure: NAME.png`
/// line as the figure itself, inline, with its name as the caption.
public enum OutputHTML {
    /// The HTML of one section; figures are referred to as `figurePrefix + NAME.png`, with
    /// `titles[NAME.png]` (the plot's own title), when known, as their description.
    public static func html(_ section: ChapterOutput.Section, figurePrefix: String = "../", titles: [String: String] = [:]) -> String {
        var html = "<section class=\"output\">\n"
        if let title = section.title {
            html += "<p class=\"output-title\">Output · " + HTML.escape(title) + "</p>\n"
        }
        var text: [String] = []
        func flushText() {
            while text.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { text.removeLast() }
            if !text.isEmpty { html += "<pre class=\"output\">" + HTML.escape(text.joined(separator: "\n")) + "</pre>\n" }
            text = []
        }
        for line in section.lines {
            if let name = figureName(line) {
                flushText()
                let source = HTML.escape(figurePrefix + name)
                let caption = titles[name].map { HTML.escape($0) + " · " } ?? ""
                html += "<figure><img src=\"\(source)\" alt=\"\(HTML.escape(titles[name] ?? name))\">"
                    + "<figcaption>\(caption)<code>\(HTML.escape(name))</code></figcaption></figure>\n"
            } else if let script = scriptOnlyName(line) {
                flushText()
                html += "<p class=\"note\">Figure <code>\(HTML.escape(script))</code>: script only (gnuplot was missing"
                    + " when this ran; render it with <code>gnuplot \(HTML.escape(script))</code>).</p>\n"
            } else if !(text.isEmpty && line.trimmingCharacters(in: .whitespaces).isEmpty) {
                text.append(line)
            }
        }
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
