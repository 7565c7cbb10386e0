import CourseSupport
import Foundation
import Testing

/// The one list of chapters, `Package.swift`'s `let chapters = [...]`, as `figures` and `book` read it.
struct ChapterListTests {
    @Test func theManifestListsEveryChapterFolderInOrder() throws {
        let chapters = try CoursePaths.chapters()
        let folders = try FileManager.default.contentsOfDirectory(atPath: CoursePaths.chapterSources.path)
            .filter { $0.hasPrefix("ch") }.sorted()
        #expect(chapters == folders, "Package.swift's list and the folders of Chapters/ differ")
        #expect(chapters.first == "ch01-tensors")
    }

    /// The README's chapter list (`1. [`ch01-tensors`](…): one line`) names the same chapters in
    /// the same order, each once, so that the door to the course cannot drift from the course.
    @Test func theReadmeListsEveryChapterInOrder() throws {
        let readme = try String(contentsOf: CoursePaths.root.appendingPathComponent("README.md"), encoding: .utf8)
        let listed = readme.components(separatedBy: "\n").compactMap { line -> String? in
            guard let range = line.range(of: #"^[0-9]+\. \[`ch[0-9]{2}-[a-z0-9-]+`\]"#, options: .regularExpression) else { return nil }
            return line[range].split(separator: "`")[1].description
        }
        #expect(listed == (try CoursePaths.chapters()), "README.md's chapter list differs from Package.swift's")
    }

    @Test func entriesAreReadInOrder() throws {
        let text = """
        let other = ["x"]
        let chapters = [
            "ch02-b",
            "ch01-a",   
        ]
        let after = ["ch03-c"]
        """
        #expect(try CoursePaths.chapterList(inManifest: text) == ["ch02-b", "ch01-a"])
    }

    @Test func aListThatIsNotOneIsRefused() {
        #expect(throws: (any Error).self) { try CoursePaths.chapterList(inManifest: "let targets = [\"ch01-a\"]") }
        #expect(throws: (any Error).self) { try CoursePaths.chapterList(inManifest: "let chapters = [\"ch01-a\", name]") }
        #expect(throws: (any Error).self) { try CoursePaths.chapterList(inManifest: "let chapters = [\"Chapter One\"]") }
    }
}
