/// Where each output section goes on a chapter's page.
///
/// Section `N. Title` goes right after the code of the region `// MARK: N.` (after its last
/// code block, or after its prose when it has no code); without such a MARK, after the code
/// block that calls `section("N.`; otherwise (no number, or no match) at the end of the page.
/// What a chapter prints before its first section goes with that section.
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
    /// The sections with no place: shown at the end.
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

    /// The place of `section`, nil when it has none.
    static func position(of section: ChapterOutput.Section, in source: SwiftSource) -> Position? {
        guard let number = section.number else { return nil }
        if let region = source.regions.firstIndex(where: { $0.number == number }) {
            let blocks = source.regions[region]
            return Position(region: region, block: blocks.lastCodeIndex ?? blocks.blocks.count - 1)
        }
        let call = "section(\"\(number)."
        for (regionIndex, region) in source.regions.enumerated() {
            for (blockIndex, block) in region.blocks.enumerated() {
                if case .code(let text) = block, text.contains(call) {
                    return Position(region: regionIndex, block: blockIndex)
                }
            }
        }
        return nil
    }
}
