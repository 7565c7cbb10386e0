import Foundation

/// One piece of a literate Swift file: prose (a comment block) or code.
public enum SourceBlock: Equatable, Sendable {
    /// The lines of a comment block with `//` and one following space removed.
    case prose([String])
    /// Lines of code, verbatim except for their common indentation.
    case code(String)
}

/// A part of a Swift file that a `// MARK:` line opens (or the part before the first MARK).
public struct SourceRegion: Equatable, Sendable {
    /// The MARK's title (`1. Training`), nil for the part before the first MARK.
    public var title: String?
    /// The number a numbered MARK starts with (`// MARK: 1. Training` is "1", `// MARK: 4b. More`
    /// is "4b"), nil for a MARK without one.
    public var number: String?
    public var blocks: [SourceBlock]

    public init(title: String?, blocks: [SourceBlock] = []) {
        self.title = title
        self.blocks = blocks
        number = title.flatMap(SectionNumber.of)
    }

    /// The index of the region's last code block, nil when it has none.
    public var lastCodeIndex: Int? {
        blocks.lastIndex { if case .code = $0 { return true } else { return false } }
    }
}

/// A Swift file read as a literate program.
///
/// A run of `//` comment lines is prose when it starts at the file's top level or one level in
/// (indented by at most 4 spaces) after a blank line or the start of the file; other comments
/// (inside a function's body, or right after a line of code) stay in the code. `///` doc
/// comments are code. A prose run that begins with `// MARK: Title` opens a new region.
/// `import` lines are dropped, and runs of blank lines in code become one.
public struct SwiftSource: Equatable, Sendable {
    public var regions: [SourceRegion]

    public init(regions: [SourceRegion]) { self.regions = regions }

    /// Parses `text`, the contents of a Swift file.
    public init(parsing text: String) {
        var regions = [SourceRegion(title: nil)]
        var code: [String] = []
        var prose: [String]?
        var previousBlank = true

        func flushCode() {
            if let block = CodeText.block(from: code) { regions[regions.count - 1].blocks.append(.code(block)) }
            code = []
        }
        func flushProse() {
            if let lines = prose, lines.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                regions[regions.count - 1].blocks.append(.prose(lines))
            }
            prose = nil
        }

        for line in text.components(separatedBy: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let indentation = line.prefix { $0 == " " }.count
            let isComment = trimmed.hasPrefix("//") && !trimmed.hasPrefix("///")
            if isComment && (prose != nil || (indentation <= 4 && previousBlank)) {
                let content = Self.commentContent(trimmed)
                if let title = Self.markTitle(content) {
                    flushProse()
                    flushCode()
                    regions.append(SourceRegion(title: title))
                    prose = []
                } else if prose == nil {
                    flushCode()
                    prose = [content]
                } else {
                    prose!.append(content)
                }
            } else {
                flushProse()
                if !(indentation == 0 && trimmed.hasPrefix("import ")) { code.append(line) }
            }
            previousBlank = trimmed.isEmpty
        }
        flushProse()
        flushCode()
        self.regions = regions.filter { $0.title != nil || !$0.blocks.isEmpty }
    }

    /// The text of the first prose line (a chapter's title line), nil when the file opens with code.
    public var firstLine: String? {
        for region in regions {
            for case .prose(let lines) in region.blocks {
                if let line = lines.first(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) { return line }
            }
        }
        return nil
    }

    /// A comment line without its `//` and the one space after it.
    static func commentContent(_ trimmed: String) -> String {
        var content = trimmed.dropFirst(2)
        if content.first == " " { content = content.dropFirst() }
        return String(content).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }

    /// The title of a `MARK: Title` (or Xcode's `MARK: - Title`) comment, nil for other lines.
    static func markTitle(_ content: String) -> String? {
        guard content.hasPrefix("MARK:") else { return nil }
        var title = content.dropFirst(5).trimmingCharacters(in: .whitespaces)
        if title.hasPrefix("- ") { title = String(title.dropFirst(2)) }
        return title == "-" ? "" : title
    }
}

/// The number a section's title starts with, shared by printed headings and MARKs so that they
/// match: digits, optionally one lower-case letter (a section slipped in after another without
/// renumbering the rest, as `4b.` follows `4.`), then a full stop.
enum SectionNumber {
    /// `3. Training` is "3", `4b. Inside the training` is "4b"; nil for a title without a number.
    static func of(_ title: String) -> String? {
        HTML.captures(#"^(\d+[a-z]?)\."#, in: title)?[0]
    }
}

/// How code lines become one block.
enum CodeText {
    /// `lines` without leading and trailing blank lines, runs of blank lines made one, and the
    /// indentation common to every line removed; nil when nothing is left.
    static func block(from lines: [String]) -> String? {
        var kept: [String] = []
        for line in lines {
            let blank = line.trimmingCharacters(in: .whitespaces).isEmpty
            if blank && (kept.isEmpty || kept.last == "") { continue }
            kept.append(blank ? "" : line)
        }
        while kept.last == "" { kept.removeLast() }
        guard !kept.isEmpty else { return nil }
        let common = kept.filter { !$0.isEmpty }.map { $0.prefix { $0 == " " }.count }.min() ?? 0
        return kept.map { $0.isEmpty ? "" : String($0.dropFirst(common)) }.joined(separator: "\n")
    }
}
