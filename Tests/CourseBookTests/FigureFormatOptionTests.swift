import CourseSupport
import Foundation
import Testing
import VAECore

/// `--format png|svg|pdf`, shared by every chapter: PNG unless asked, the writer draws the format
/// asked for, and a format that is not one is refused by name.
struct FigureFormatOptionTests {
    @Test func theFormatReachesTheFigureWriter() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vae-format-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try ChapterOptions.parse(["--figures", folder.path]).figureWriter().format == .png)
        for format in FigureFormat.allCases {
            let options = try ChapterOptions.parse(["--figures", folder.path, "--format", format.rawValue])
            #expect(try options.figureWriter().format == format)
        }
        #expect(throws: (any Error).self) { try ChapterOptions.parse(["--format", "jpeg"]) }
    }
}
