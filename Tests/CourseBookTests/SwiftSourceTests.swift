import XCTest
@testable import CourseBook

/// Reading a chapter's Swift file as prose, code and MARK regions.
final class SwiftSourceTests: XCTestCase {
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

    func testProseAndCodeSplitIntoRegions() {
        let source = SwiftSource(parsing: chapter)
        XCTAssertEqual(source.regions.map(\.title), [nil, "1. The first idea", "Experiments"])
        XCTAssertEqual(source.regions.map(\.number), [nil, 1, nil])
        XCTAssertEqual(source.firstLine, "Chapter 9 — A title")

        let opening = source.regions[0].blocks
        XCTAssertEqual(opening.count, 2)
        XCTAssertEqual(opening[0], .prose(["Chapter 9 — A title", "==================", "", "The opening paragraph."]))
        guard case .code(let code) = opening[1] else { return XCTFail("expected code, got \(opening[1])") }
        XCTAssertFalse(code.contains("import"), "import lines are dropped")
        XCTAssertTrue(code.contains("    // a comment inside a body stays in the code"))
        XCTAssertTrue(code.hasPrefix("struct Chapter9 {"))
        XCTAssertTrue(code.contains("section(\"1. First\")\n\n        print(\"x\")"), "a run of blank lines becomes one: \(code)")
    }

    func testMarkRegionKeepsItsProseAndCode() {
        let region = SwiftSource(parsing: chapter).regions[1]
        XCTAssertEqual(region.blocks.first, .prose(["", "Prose of the first idea.", "", "    E = mc²"]))
        guard case .code(let code) = region.blocks[1] else { return XCTFail("expected code") }
        XCTAssertTrue(code.hasPrefix("    func first() {\n        let a = 1 // trailing comment"), "kept verbatim: \(code)")
        XCTAssertTrue(code.contains("Chapter9.main()"))
        XCTAssertEqual(region.lastCodeIndex, 1)
    }

    func testCommentAfterCodeOrDeepInsideIsCode() {
        let source = SwiftSource(parsing: "let a = 1\n// right after code\nlet b = 2\n\n        // deep\nlet c = 3\n")
        XCTAssertEqual(source.regions.count, 1)
        XCTAssertEqual(source.regions[0].blocks, [.code("let a = 1\n// right after code\nlet b = 2\n\n        // deep\nlet c = 3")])
    }

    func testDocCommentsAreCode() {
        let source = SwiftSource(parsing: "/// A doc comment.\nstruct S {}\n")
        XCTAssertEqual(source.regions[0].blocks, [.code("/// A doc comment.\nstruct S {}")])
    }
}
