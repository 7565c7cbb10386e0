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
