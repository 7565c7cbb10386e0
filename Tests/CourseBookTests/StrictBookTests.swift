import CourseSupport
import Foundation
import Testing
@testable import CourseBook

/// The book refuses output it cannot weave: it writes no page, and says which chapter, which line
/// of its saved output, and what.
struct StrictBookTests {
    static let chapter = """
    // Chapter 9 — A test chapter

    struct Chapter9 {
        func run() {
            first()
            inside()
        }

        // MARK: 4. What the training did
        func first() {
            section("4. What the training did")
        }

        // MARK: 4b. Inside the training
        func inside() {
            section("4b. Inside the training, per layer")
        }
    }
    """

    static let goodOutput = """

    ## 4. What the training did

    loss 101.2
      figure: ch09-first.png

    ## 4b. Inside the training, per layer

    layer conv1 norm=1.5
      figure: ch09-layers.png

    """

    /// A package of one chapter in a fresh folder: its source, its saved output and the PNGs it names.
    struct Package {
        let root: URL
        let book: Book

        init(output: String, pngs: [String] = ["ch09-first.png", "ch09-layers.png"]) throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("strict-book-\(UUID().uuidString)", isDirectory: true)
            let chapters = root.appendingPathComponent("Chapters/ch09-test", isDirectory: true)
            let figures = root.appendingPathComponent("figures", isDirectory: true)
            try FileManager.default.createDirectory(at: chapters, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: figures.appendingPathComponent("book"), withIntermediateDirectories: true)
            try Data(StrictBookTests.chapter.utf8).write(to: chapters.appendingPathComponent("main.swift"))
            try Data(output.utf8).write(to: figures.appendingPathComponent("book/ch09-test.txt"))
            try Data("# The course\n".utf8).write(to: root.appendingPathComponent("README.md"))
            for png in pngs { try Data([0x89, 0x50, 0x4E, 0x47]).write(to: figures.appendingPathComponent(png)) }
            book = Book(chapterSources: root.appendingPathComponent("Chapters"), chapters: ["ch09-test"],
                        readme: root.appendingPathComponent("README.md"), figures: figures, root: root)
        }

        /// The book's error, nil when it wrote its pages.
        func refusal() -> String? {
            do { try book.write(); return nil } catch { return "\(error)" }
        }

        var pageWritten: Bool { FileManager.default.fileExists(atPath: book.folder.appendingPathComponent("ch09-test.html").path) }

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    @Test func goodOutputIsWovenAndFourBGoesUnderItsMark() throws {
        let package = try Package(output: Self.goodOutput)
        defer { package.remove() }
        #expect(package.refusal() == nil)
        let html = try String(contentsOf: package.book.folder.appendingPathComponent("ch09-test.html"), encoding: .utf8)
        let inside = html.range(of: "<h2 id=\"4b-inside-the-training\">")!.lowerBound
        let insideCode = html.range(of: "section(&quot;4b.")!.lowerBound
        let layers = html.range(of: "<img src=\"../ch09-layers.png\"")!.lowerBound
        #expect(html.range(of: "<img src=\"../ch09-first.png\"")!.lowerBound < inside, "section 4's figure before MARK 4b")
        #expect(inside < insideCode && insideCode < layers, "section 4b's figure after MARK 4b's code")
        #expect(!html.contains("More output"))
    }

    @Test func anUnplaceableFigureFailsTheBook() throws {
        let package = try Package(output: Self.goodOutput + "\n## 6. Figures\n\n  figure: ch09-first.png\n")
        defer { package.remove() }
        let refusal = try #require(package.refusal())
        #expect(refusal.contains("ch09-test.txt line 12: the heading `## 6. Figures` matches no `// MARK: 6. …` in Chapters/ch09-test/main.swift"), "\(refusal)")
        #expect(refusal.contains("ch09-test.txt line 14: the figure ch09-first.png has no place: its section has no MARK"), "\(refusal)")
        #expect(refusal.contains("no page was written"))
        #expect(!package.pageWritten)
    }

    @Test func aFigureThatIsNotThereFailsTheBook() throws {
        let package = try Package(output: Self.goodOutput, pngs: ["ch09-first.png"])
        defer { package.remove() }
        let refusal = try #require(package.refusal())
        #expect(refusal.contains("ch09-test.txt line 10: the figure ch09-layers.png is not in"), "\(refusal)")
        #expect(!package.pageWritten)
    }

    @Test func aHeadingThatMatchesNoMarkFailsTheBook() throws {
        // The code prints `## 5. …` but the chapter has no `// MARK: 5.`: a wrong number is refused,
        // not shown under whichever code happens to print it.
        let package = try Package(output: Self.goodOutput.replacingOccurrences(of: "## 4b. Inside", with: "## 5. Inside"))
        defer { package.remove() }
        let refusal = try #require(package.refusal())
        #expect(refusal.contains("ch09-test.txt line 7: the heading `## 5. Inside the training, per layer` matches no `// MARK: 5. …`"), "\(refusal)")
        #expect(refusal.contains("line 10: the figure ch09-layers.png has no place"), "\(refusal)")
        #expect(!package.pageWritten)
    }

    @Test func outputWithoutAnyHeadingFailsTheBook() throws {
        let package = try Package(output: "loss 101.2\n  figure: ch09-first.png\n")
        defer { package.remove() }
        let refusal = try #require(package.refusal())
        #expect(refusal.contains("ch09-test.txt line 1: output printed before any `## ` heading"), "\(refusal)")
        #expect(refusal.contains("ch09-test.txt line 2: the figure ch09-first.png has no place"), "\(refusal)")
    }

    @Test func anAbsolutePathFailsTheBook() throws {
        let package = try Package(output: Self.goodOutput.replacingOccurrences(
            of: "loss 101.2", with: "loss 101.2; checkpoint: /home/someone/course/runs/vae/checkpoint.safetensors"))
        defer { package.remove() }
        let refusal = try #require(package.refusal())
        #expect(refusal.contains("ch09-test.txt line 4: an absolute path, /home/someone/course/runs/vae/checkpoint.safetensors"), "\(refusal)")
        #expect(!package.pageWritten)
    }

    @Test func whatIsAnAbsolutePath() {
        #expect(AbsolutePath.first(in: "reusing the run in /srv/course/runs/vae [f2e1]") == "/srv/course/runs/vae")
        #expect(AbsolutePath.first(in: "/tmp/ch12-seed2 holds it") == "/tmp/ch12-seed2")
        #expect(AbsolutePath.first(in: "written to /tmp") == "/tmp")
        #expect(AbsolutePath.first(in: "(run: /home/me/x)") == "/home/me/x")
        #expect(AbsolutePath.first(in: "--figures=/data/figures") == "/data/figures")
        for text in ["weights in [-0.249, 0.250] (bound 1/√16 = 0.25)", "3970 img/s", "N(1, 1/4) × N(0, 1)", "a / b",
                     "x /4 y", "see https://example.org/path", "runs/vae/checkpoint.safetensors", "image->label=0.97"] {
            #expect(AbsolutePath.first(in: text) == nil, "\(text)")
        }
    }

    @Test func theChaptersPrintThePackagesFoldersRelativeToIt() {
        let root = CoursePaths.root.path
        #expect(CoursePaths.relative("reusing the run in \(root)/runs/vae [f2e1]: done") == "reusing the run in runs/vae [f2e1]: done")
        #expect(CoursePaths.relative("checkpoint: \(root)/runs/vae/checkpoint.safetensors") == "checkpoint: runs/vae/checkpoint.safetensors")
        #expect(CoursePaths.relative("the package: \(root)") == "the package: .")
        #expect(CoursePaths.relative("/elsewhere\(root)/runs") == "/elsewhere\(root)/runs", "only a whole path")
        #expect(CoursePaths.relative("\(root)-old/runs") == "\(root)-old/runs", "a sibling folder is not the package")
        #expect(AbsolutePath.first(in: CoursePaths.relative("run: \(CoursePaths.runFolder("vae", quick: true).path)")) == nil)
    }
}
