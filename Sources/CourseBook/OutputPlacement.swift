/// Where each output section goes on a chapter's page.
///
/// Section `N. Title` goes right after the code of the region `// MARK: N.` (after its last
/// code block, or after its prose when it has no code); `4b. Title` under `// MARK: 4b.`; a
/// heading without a number under the MARK of the same title. A section without its MARK has no
/// place (`leftover`): the book refuses it (`WeavingProblems`), and `ChapterPage.html` shows it at
/// the end. What a chapter prints before its first section goes with that section.
public struct OutputPlacement: Equatable, Sendable {
    /// A place after one block: `block` indexes `regions[region].blocks`; -1 is right after the
    /// region's heading.
    public struct Position: Hashable, Sendable {
        public var region: Int
        public var block: Int
        public init(region: Int, block: Int) {
            self.region = region
            self.block = block
        }
    }

    /// The sections placed after each block, in the order they were printed.
    public var after: [Position: [ChapterOutput.Section]] = [:]
    /// The sections with no place (no MARK of their number or title), in the order printed.
    public var leftover: [ChapterOutput.Section] = []

    /// Places every section of `output` in `source`. What was printed before the first heading
    /// goes just before the first section (where that one goes), or at the end when it has none.
    public init(_ output: ChapterOutput, in source: SwiftSource) {
        var preamble: ChapterOutput.Section?
        for section in output.sections {
            if section.title == nil && preamble == nil && after.isEmpty {
                preamble = section
            } else if let position = Self.position(of: section, in: source) {
                after[position, default: []] += [preamble, section].compactMap { $0 }
                preamble = nil
            } else {
                leftover.append(section)
            }
        }
        if let preamble { leftover.insert(preamble, at: 0) }
    }

    /// The place of `section`: after the last code block of the region whose MARK has the
    /// section's number (or, for a heading without a number, the same title); nil when there is
    /// no such MARK.
    static func position(of section: ChapterOutput.Section, in source: SwiftSource) -> Position? {
        guard let title = section.title else { return nil }
        let region = section.number != nil
            ? source.regions.firstIndex { $0.number == section.number }
            : source.regions.firstIndex { $0.title == title }
        guard let region else { return nil }
        let blocks = source.regions[region]
        return Position(region: region, block: blocks.lastCodeIndex ?? blocks.blocks.count - 1)
    }
}
