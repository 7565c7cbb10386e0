import Foundation

/// Displayed equations set as mathematics: MathML, which Chromium and Firefox render without
/// JavaScript or fonts from elsewhere.
///
/// The chapters write their formulas as plain text in comments, aligned with spaces, so that they
/// read well in an editor ("log p(x) = log E_q[…]" over "         ≥ E_q[…]"). The book sets each
/// numbered equation as an HTML table of MathML cells, keeping that alignment:
/// - a line is cut into cells at every run of two or more spaces; cells that start at the same
///   column of the text share a column of the table. A cell is also cut where another line's cell
///   starts under one of its operators (the `≥` of a derivation's second line under the first
///   line's `=`), so that derivations and tables stay aligned as written;
/// - a cell of words (two or more words that are not names of functions, or a possessive) is a
///   remark: set as text, not as mathematics;
/// - in the mathematics a run of Latin letters is a name (one letter in italics, `log` or `KL`
///   upright), a Greek or accented letter a variable of its own, digits a number, and every other
///   character an operator; `x_i`, `x_{m∈S}`, `x^2` and the Unicode scripts (x₁, σ², Aᵀ, 10⁻³)
///   become sub- and superscripts, `σ_d²` both at once.
/// A block with a line of two or more arrows (a diagram of layers, not an equation) stays text.
enum MathML {
    /// The table of MathML cells for a formula block's plain text, or nil for a diagram.
    static func table(_ text: String) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array(String($0)) }
        guard !lines.contains(where: { $0.filter { $0 == "→" }.count >= 2 }) else { return nil }
        var cells = lines.map(segments)
        let starts = Set(cells.flatMap { $0.map(\.column) })
        cells = cells.map { $0.flatMap { cut($0, at: starts) } }
        let columns = Array(Set(cells.flatMap { $0.map(\.column) })).sorted()
        var html = "<table class=\"formula\">"
        for line in cells where !line.isEmpty {
            html += "<tr>"
            var next = 0
            for (k, cell) in line.enumerated() {
                // A cell reaches to the column of the line's next cell (the last one to the end),
                // so that a long formula does not push the other lines' columns aside.
                let index = columns.firstIndex(of: cell.column)!
                let end = k + 1 < line.count ? columns.firstIndex(of: line[k + 1].column)! : columns.count
                html += String(repeating: "<td></td>", count: index - next)
                let span = end - index > 1 ? " colspan=\"\(end - index)\"" : ""
                html += isProse(cell.text) ? "<td class=\"remark\"\(span)>\(HTML.inline(cell.text))</td>"
                                           : "<td\(span)>\(math(cell.text))</td>"
                next = end
            }
            html += "</tr>"
        }
        return html + "</table>"
    }

    /// One `<math>` element for a cell of mathematics, its text kept as `alttext`.
    static func math(_ text: String) -> String {
        "<math displaystyle=\"true\" alttext=\"\(HTML.escape(text))\">"
            + "<mrow>" + { var parser = Parser(text); return parser.expression() }() + "</mrow></math>"
    }

    // MARK: Cells

    /// A piece of a line and the column (in characters) where it starts.
    struct Cell: Equatable {
        var column: Int
        var text: String
    }

    /// The pieces of a line between runs of two or more spaces, with their columns.
    static func segments(_ line: [Character]) -> [Cell] {
        var cells: [Cell] = [], i = 0
        while i < line.count {
            while i < line.count, line[i] == " " { i += 1 }
            guard i < line.count else { break }
            let start = i
            while i < line.count, !(line[i] == " " && (i + 1 == line.count || line[i + 1] == " ")) { i += 1 }
            cells.append(Cell(column: start, text: String(line[start..<i])))
        }
        return cells
    }

    /// The characters under which another line's cell may start inside this one.
    private static let alignable: Set<Character> = ["=", "≥", "≤", "≈", "∝", "→", "←", "+", "−", "⊙", "·", "≠", "~"]

    /// `cell` cut before each of its operators (after a space) that stands at one of `starts`.
    static func cut(_ cell: Cell, at starts: Set<Int>) -> [Cell] {
        let characters = Array(cell.text)
        var pieces: [Cell] = [], from = 0
        for offset in 1..<max(characters.count, 1) where starts.contains(cell.column + offset)
            && alignable.contains(characters[offset]) && characters[offset - 1] == " " {
            pieces.append(Cell(column: cell.column + from, text: String(characters[from..<offset]).trimmingCharacters(in: .whitespaces)))
            from = offset
        }
        pieces.append(Cell(column: cell.column + from, text: String(characters[from...])))
        return pieces
    }

    /// Names that are mathematics, not words of a remark.
    private static let functionNames: Set<String> = [
        "log", "exp", "sin", "cos", "tan", "max", "min", "det", "diag", "const", "sigmoid", "softmax", "logsumexp",
        "mean", "Var", "Cov", "KL", "ELBO", "BCE", "encoder", "decoder", "backward", "forward", "index", "col", "conv", "convT",
    ]

    /// Whether a cell is a remark in words, in a cell that states no relation and has no scripts:
    /// a possessive ("Adam's step"), an aside in parentheses with a word, or three or more words
    /// of three or more letters that are not names of functions ("the prior over 20-dimensional
    /// codes", but not "TPR(t) = share of out images with s ≥ t", whose words are set upright in
    /// the mathematics).
    static func isProse(_ text: String) -> Bool {
        if text.contains("'s ") || text.hasSuffix("'s") || text.contains("'s)") { return true }
        let mathematical: Set<Character> = ["=", "≤", "≥", "≈", "∝", "←", "^", "Σ", "Π", "∂"]
        if text.contains(where: { mathematical.contains($0) || subscripts[$0] != nil || superscripts[$0] != nil }) { return false }
        let words = text.split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0 == "_")) }).map(String.init)
            .filter { !functionNames.contains($0) }
        // An aside in parentheses: "(likewise OW)", "(chapter 5, section 2)", "(+ output_padding)".
        if text.hasPrefix("("), text.hasSuffix(")") || text.hasSuffix("),"), words.contains(where: { $0.count >= 4 }) { return true }
        return !text.contains("_") && words.filter { $0.count >= 3 }.count >= 3
    }

    // MARK: Mathematics

    /// Unicode superscripts and subscripts, and what they stand for.
    static let superscripts: [Character: Character] = [
        "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9",
        "⁺": "+", "⁻": "−", "ⁿ": "n", "ⁱ": "i", "ᵀ": "T",
    ]
    static let subscripts: [Character: Character] = [
        "₀": "0", "₁": "1", "₂": "2", "₃": "3", "₄": "4", "₅": "5", "₆": "6", "₇": "7", "₈": "8", "₉": "9",
        "₊": "+", "₋": "−", "ᵢ": "i", "ⱼ": "j", "ₖ": "k", "ₘ": "m", "ₙ": "n", "ₜ": "t", "ₓ": "x",
    ]

    /// A recursive reader of one cell's mathematics.
    struct Parser {
        private let characters: [Character]
        private var position = 0

        init(_ text: String) { characters = Array(text) }

        /// A node of the expression: its MathML and whether it is an operator.
        private struct Node {
            var xml: String
            var isOperator: Bool
            /// A subscript already attached (so that a superscript after it makes both at once).
            var base: String?
            var lowered: String?
        }

        /// The MathML of the rest of the text (up to a closing brace of a script group).
        mutating func expression(untilBrace: Bool = false) -> String {
            var nodes: [Node] = []
            var spaced = false
            while position < characters.count {
                let c = characters[position]
                if untilBrace, c == "}" { position += 1; break }
                if c == " " { spaced = true; position += 1; continue }
                if c == "_" || c == "^" || MathML.subscripts[c] != nil || MathML.superscripts[c] != nil, var last = nodes.popLast() {
                    let isSub = c == "_" || MathML.subscripts[c] != nil
                    let script = scriptContent()
                    if !isSub, let base = last.base, let sub = last.lowered {
                        last.xml = "<msubsup>\(base)\(sub)\(script)</msubsup>"
                        last.base = nil; last.lowered = nil
                    } else if isSub {
                        last = Node(xml: "<msub>\(last.xml)\(script)</msub>", isOperator: false, base: last.xml, lowered: script)
                    } else {
                        last = Node(xml: "<msup>\(last.xml)\(script)</msup>", isOperator: false)
                    }
                    nodes.append(last)
                    spaced = false
                    continue
                }
                let node = atom()
                // A space between two operands (log p, a b) is kept as a thin space; operators
                // carry their own spacing.
                if spaced, let previous = nodes.last, !previous.isOperator, !node.isOperator {
                    nodes.append(Node(xml: "<mspace width=\"0.25em\"></mspace>", isOperator: true))
                }
                nodes.append(node)
                spaced = false
            }
            return nodes.map(\.xml).joined()
        }

        /// One name, number, letter or operator.
        private mutating func atom() -> Node {
            let c = characters[position]
            if c.isASCII, c.isLetter {
                let start = position
                while position < characters.count, characters[position].isASCII && characters[position].isLetter
                        || joinsAName(at: position, from: start) {
                    position += 1
                }
                if position == start { position += 1 }            // an accented letter such as p̂
                let name = String(characters[start..<position])
                return Node(xml: "<mi>\(HTML.escape(name))</mi>", isOperator: false)
            }
            if isAccentedLatin(c) || (c.isLetter && MathML.subscripts[c] == nil && MathML.superscripts[c] == nil) {
                position += 1
                // Capital Greek letters upright (Σ, Π, Δ), as mathematics sets them.
                let upright = c.isUppercase && !c.isASCII && !isAccentedLatin(c)
                return Node(xml: upright ? "<mi mathvariant=\"normal\">\(HTML.escape(String(c)))</mi>" : "<mi>\(HTML.escape(String(c)))</mi>",
                            isOperator: false)
            }
            if c.isNumber {
                let start = position
                while position < characters.count, characters[position].isASCII && characters[position].isNumber
                    || (characters[position] == "." && position + 1 < characters.count && characters[position + 1].isASCII
                        && characters[position + 1].isNumber && position > start) {
                    position += 1
                }
                if position == start { position += 1 }            // ½
                return Node(xml: "<mn>\(String(characters[start..<position]))</mn>", isOperator: false)
            }
            position += 1
            switch c {
            case "'": return Node(xml: "<mo>′</mo>", isOperator: true)
            // A fraction written on one line (a/b) reads as one term: no space around the slash.
            case "/": return Node(xml: "<mo lspace=\"0\" rspace=\"0\">/</mo>", isOperator: true)
            default: return Node(xml: "<mo>\(HTML.escape(String(c)))</mo>", isOperator: true)
            }
        }

        /// Whether the hyphen or underscore at `index` joins two words into one name
        /// ("score-function", "output_padding"): a word of three letters or more on each side.
        private func joinsAName(at index: Int, from start: Int) -> Bool {
            guard characters[index] == "-" || characters[index] == "_", index - start >= 3 else { return false }
            var end = index + 1
            while end < characters.count, characters[end].isASCII && characters[end].isLetter { end += 1 }
            return end - index - 1 >= 3
        }

        /// A Latin letter with a combining accent (p̂, w̃, x̄), one character.
        private func isAccentedLatin(_ c: Character) -> Bool {
            c.unicodeScalars.count > 1 && c.unicodeScalars.first!.isASCII && c.unicodeScalars.first!.properties.isAlphabetic
        }

        /// What follows a script marker: a braced group, a run of Unicode scripts, or a short run of
        /// letters or digits (two letters are two indices, `ij`; longer runs a word, `pixels`).
        private mutating func scriptContent() -> String {
            let c = characters[position]
            if let map = MathML.subscripts[c] != nil ? MathML.subscripts : MathML.superscripts[c] != nil ? MathML.superscripts : nil {
                var text = ""
                while position < characters.count, let mapped = map[characters[position]] { text.append(mapped); position += 1 }
                var inner = Parser(text)
                return "<mrow>" + inner.expression() + "</mrow>"
            }
            position += 1                                          // the _ or ^
            guard position < characters.count else { return "<mrow></mrow>" }
            if characters[position] == "{" {
                position += 1
                return "<mrow>" + expression(untilBrace: true) + "</mrow>"
            }
            let start = position
            if characters[position].isNumber {
                while position < characters.count, characters[position].isASCII && characters[position].isNumber { position += 1 }
                return "<mn>\(String(characters[start..<position]))</mn>"
            }
            while position < characters.count, characters[position].isLetter,
                  MathML.subscripts[characters[position]] == nil, MathML.superscripts[characters[position]] == nil {
                position += 1
            }
            if position == start { position += 1 }
            let run = String(characters[start..<position])
            if run.count <= 2 {
                return "<mrow>" + run.map { "<mi>\(HTML.escape(String($0)))</mi>" }.joined() + "</mrow>"
            }
            return "<mi>\(HTML.escape(run))</mi>"
        }
    }
}
