import CourseSupport
import Foundation
import Testing

/// A chapter's folder options (`--run`, `--runs`, `--data`, `--figures`) refuse an empty path,
/// which would otherwise name the current folder and train or draw into it.
struct FolderOptionTests {
    @Test func anEmptyFolderPathIsRefused() throws {
        for empty in ["", "  "] {
            let error = #expect(throws: (any Error).self) { try ChapterOptions.requireFolderPath(empty, option: "--run") }
            #expect("\(String(describing: error))".contains("--run needs a folder, not an empty path"))
        }
        try ChapterOptions.requireFolderPath(nil, option: "--run")
        try ChapterOptions.requireFolderPath("runs/elsewhere", option: "--run")
        #expect(throws: (any Error).self) { try ChapterOptions.parse(["--data", ""]) }
        #expect(throws: (any Error).self) { try ChapterOptions.parse(["--figures", ""]) }
    }
}
