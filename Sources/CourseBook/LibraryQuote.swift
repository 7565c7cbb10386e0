import Foundation

/// A declaration of the library, shown on a chapter's page where the chapter's prose teaches it.
///
/// Where a lesson lives in the library (the product of experts, the IWAE gradient, the flow's
/// step), the chapter's prose names it on a line of its own:
///
///     // Quoted from the library: Sources/VAECore/Multimodal/ProductOfExperts.swift, func productOfExperts
///
/// and the page shows that declaration there, from its doc comment to its closing brace, under
/// its file and lines, so that the derivation and the code that does it are read together. In the
/// source file the line stays a pointer a reader can follow by hand. The book refuses a quote it
/// cannot find (`WeavingProblems`), so a renamed function cannot leave a page quoting nothing.
public struct LibraryQuote: Equatable, Sendable {
    /// The file, relative to the package root (`Sources/…/Name.swift`).
    public var file: String
    /// What was asked for: `func name`, `static func name`, `init`, `struct Name`, …
    public var declaration: String
    /// The quoted lines, 1-based and inclusive, in `file`.
    public var lines: ClosedRange<Int>
    /// The declaration's source, its doc comment and attributes first, its indentation removed.
    public var text: String

    /// The marker's prefix, before `FILE, DECLARATION`.
    public static let markerPrefix = "Quoted from the library: "

    /// The key a marker's quote is kept under: the marker line itself, normalised.
    static func key(file: String, declaration: String) -> String { markerPrefix + file + ", " + declaration }

    /// The file and declaration a prose line asks for, nil when the line is not a marker.
    public static func marker(_ line: String) -> (file: String, declaration: String)? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix(markerPrefix) else { return nil }
        let rest = trimmed.dropFirst(markerPrefix.count)
        guard let comma = rest.firstIndex(of: ",") else { return nil }
        let file = rest[..<comma].trimmingCharacters(in: .whitespaces)
        let declaration = rest[rest.index(after: comma)...].trimmingCharacters(in: .whitespaces)
        guard !file.isEmpty, !declaration.isEmpty else { return nil }
        return (file, declaration)
    }

    /// Words that may stand before a declaration's keyword and are not part of what a marker names.
    static let modifiers: Set<String> = ["public", "internal", "fileprivate", "private", "package", "final", "override",
                                         "mutating", "nonmutating", "nonisolated", "convenience", "required", "open"]

    /// Finds `declaration` in `source` (the text of `file`): the one line that, after its
    /// indentation, attributes and access modifiers, begins with the declaration followed by `(`,
    /// `<`, `:`, a space or the line's end.
    /// - Throws: a `BookError` when the declaration is not there, is there more than once, or has
    ///   no body whose braces close.
    public init(file: String, declaration: String, source: String) throws {
        let lines = source.components(separatedBy: "\n")
        let asked = Self.withoutModifiers(declaration)
        let starts = lines.indices.filter { Self.declares(lines[$0], asked) }
        guard !starts.isEmpty else { throw BookError("\(file) declares no `\(declaration)`") }
        guard starts.count == 1 else {
            throw BookError("\(file) declares `\(declaration)` \(starts.count) times (lines "
                            + starts.map { String($0 + 1) }.joined(separator: ", ") + "): name one that is unique")
        }
        let start = starts[0]
        // The doc comment and attributes directly above.
        var first = start
        while first > 0 {
            let above = lines[first - 1].trimmingCharacters(in: .whitespaces)
            guard above.hasPrefix("///") || above.hasPrefix("@") else { break }
            first -= 1
        }
        // Down to the brace that closes the first one opened.
        var depth = 0, opened = false, last: Int?
        for index in start..<lines.count {
            for character in Self.code(of: lines[index]) {
                if character == "{" { depth += 1; opened = true }
                if character == "}" { depth -= 1 }
            }
            if opened && depth <= 0 { last = index; break }
        }
        guard let last else { throw BookError("\(file): the body of `\(declaration)` (line \(start + 1)) never closes") }
        self.file = file
        self.declaration = declaration
        self.lines = (first + 1)...(last + 1)
        self.text = CodeText.block(from: Array(lines[first...last])) ?? ""
    }

    /// `text` without its leading attributes and access modifiers, its words joined by one space.
    static func withoutModifiers(_ text: String) -> String {
        var words = text.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        while let word = words.first, word.hasPrefix("@") || modifiers.contains(word) || word.hasPrefix("private(") {
            words.removeFirst()
        }
        return words.joined(separator: " ")
    }

    /// Whether `line` declares `declaration` (itself without modifiers).
    static func declares(_ line: String, _ declaration: String) -> Bool {
        let rest = withoutModifiers(line)
        guard !declaration.isEmpty, rest.hasPrefix(declaration) else { return false }
        guard let next = rest.dropFirst(declaration.count).first else { return true }
        return "(<: {".contains(next)
    }

    /// The part of a line that braces are counted in: without its `//` comment and the contents
    /// of its string literals.
    static func code(of line: String) -> String {
        var result = "", inString = false, previous: Character = " "
        var characters = Array(line)[...]
        while let character = characters.popFirst() {
            if !inString, character == "/", characters.first == "/" { break }
            if character == "\"", previous != "\\" { inString.toggle() } else if !inString { result.append(character) }
            previous = character
        }
        return result
    }

    /// The quote as HTML: its file and lines, then its code.
    var html: String {
        "<figure class=\"quote\"><figcaption>From the library: <code>\(HTML.escape(file))</code>, lines "
            + "\(lines.lowerBound)–\(lines.upperBound)</figcaption>\n" + ChapterPage.codeHTML(text) + "</figure>\n"
    }
}

extension ChapterPage {
    /// The markers of the page's prose (main.swift and its appendix), in order.
    var quoteMarkers: [(file: String, declaration: String)] {
        ([main] + appendix.map(\.source)).flatMap { source in
            source.regions.flatMap { region in
                region.blocks.flatMap { block -> [(file: String, declaration: String)] in
                    guard case .prose(let lines) = block else { return [] }
                    return lines.compactMap(LibraryQuote.marker)
                }
            }
        }
    }

    /// Reads every declaration the page's prose quotes from the package at `root`: each found one
    /// into `quotes`, each that cannot be into `quoteProblems` (the book refuses those).
    mutating func resolveQuotes(root: URL) {
        for marker in quoteMarkers {
            let key = LibraryQuote.key(file: marker.file, declaration: marker.declaration)
            guard marker.file.hasPrefix("Sources/"), marker.file.hasSuffix(".swift"), !marker.file.contains("..") else {
                quoteProblems.append("\(key): a quote names a Swift file under Sources/")
                continue
            }
            do {
                let source = try String(contentsOf: root.appendingPathComponent(marker.file), encoding: .utf8)
                quotes[key] = try LibraryQuote(file: marker.file, declaration: marker.declaration, source: source)
            } catch let error as BookError {
                quoteProblems.append("\(key): \(error.description)")
            } catch {
                quoteProblems.append("\(key): cannot read \(marker.file)")
            }
        }
    }

    /// `lines` of prose as HTML, each quote marker replaced by the declaration it quotes and each
    /// answer marker by the exercise's measured answer (`ExerciseAnswers`).
    /// An answer marker indented under a list item (an exercise) stays inside that item: it is
    /// rendered as a placeholder that the answer then replaces, so the list keeps its numbering.
    func proseHTML(_ lines: [String]) -> String {
        var html = "", run: [String] = [], placed: [String] = []
        func flush() {
            if run.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                let current = CrossLinks.number(of: name)
                let linked = Citations.link(Equations.link(CrossLinks.link(Prose.html(run), pages: chapterLinks, current: current),
                                                           pages: chapterLinks, current: current))
                var prose = FigureLinks.link(linked, figures: figureLinks, page: fileName)
                for (index, answer) in placed.enumerated() {
                    prose = prose.replacingOccurrences(of: " \u{1}answer\(index)\u{2}", with: "\n" + answer)
                }
                html += "<div class=\"prose\">\n" + prose + "</div>\n"
            }
            run = []
            placed = []
        }
        for line in lines {
            if let marker = ExerciseAnswers.marker(line) {
                let answer = ExerciseAnswers.html(marker, answer: answers[marker.command])
                if line.hasPrefix(" ") {
                    run.append(String(line.prefix { $0 == " " }) + "\u{1}answer\(placed.count)\u{2}")
                    placed.append(answer)
                } else {
                    flush()
                    html += answer
                }
            } else if let marker = LibraryQuote.marker(line),
               let quote = quotes[LibraryQuote.key(file: marker.file, declaration: marker.declaration)] {
                flush()
                html += quote.html
            } else {
                run.append(line)
            }
        }
        flush()
        return html
    }
}
