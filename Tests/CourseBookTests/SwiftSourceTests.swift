import Testing
@testable import CourseBook

/// Reading a chapter's Swift file as prose, code and MARK regions.
struct SwiftSourceTests {
    let chapter = """
    // Chapter 9 — A title
    // ==================
    //
    // The opening paragraph.

    import Foundation
    import VAECore

    struct Chapter9 {
        func run() {
            // a comment inside a body stays in the code
            section("1. First")


            print("x")
        }

        // MARK: 1. The first idea
        //
        // Prose of the first idea.
        //
        //     E = mc²
        func first() {
            let a = 1 // trailing comment
        }
    }

    Chapter9.main()

    // MARK: Experiments
    //
    // 1. `--latent 2`.
    """

    @Test func proseAndCodeSplitIntoRegions() {
        let source = SwiftSource(parsing: chapter)
        #expect(source.regions.map(\.title) == [nil, "1. The first idea", "Experiments"])
        #expect(source.regions.map(\.number) == [nil, "1", nil])
        #expect(source.firstLine == "Chapter 9 — A title")

        let opening = source.regions[0].blocks
        #expect(opening.count == 2)
        #expect(opening[0] == .prose(["Chapter 9 — A title", "==================", "", "The opening paragraph."]))
        guard case .code(let code) = opening[1] else { Issue.record("expected code, got \(opening[1])"); return }
        #expect(!code.contains("import"), "import lines are dropped")
        #expect(code.contains("    // a comment inside a body stays in the code"))
        #expect(code.hasPrefix("struct Chapter9 {"))
        #expect(code.contains("section(\"1. First\")\n\n        print(\"x\")"), "a run of blank lines becomes one: \(code)")
    }

    @Test func markRegionKeepsItsProseAndCode() {
        let region = SwiftSource(parsing: chapter).regions[1]
        #expect(region.blocks.first == .prose(["", "Prose of the first idea.", "", "    E = mc²"]))
        guard case .code(let code) = region.blocks[1] else { Issue.record("expected code"); return }
        #expect(code.hasPrefix("    func first() {\n        let a = 1 // trailing comment"), "kept verbatim: \(code)")
        #expect(code.contains("Chapter9.main()"))
        #expect(region.lastCodeIndex == 1)
    }

    @Test func commentAfterCodeOrDeepInsideIsCode() {
        let source = SwiftSource(parsing: "let a = 1\n// right after code\nlet b = 2\n\n        // deep\nlet c = 3\n")
        #expect(source.regions.count == 1)
        #expect(source.regions[0].blocks == [.code("let a = 1\n// right after code\nlet b = 2\n\n        // deep\nlet c = 3")])
    }

    @Test func docCommentsAreCode() {
        let source = SwiftSource(parsing: "/// A doc comment.\nstruct S {}\n")
        #expect(source.regions[0].blocks == [.code("/// A doc comment.\nstruct S {}")])
    }
}
