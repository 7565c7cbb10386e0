import Foundation
import Testing
@testable import CourseBook

/// A chapter's prose quotes the library's code it teaches: the page shows the declaration in
/// place of the marker line, with its file and lines; a quote the book cannot find stops the book.
struct LibraryQuoteTests {
    static let library = """
    import Foundation

    /// Not this one.
    func productOfExpertsHelper() {}

    /// The product of Gaussian experts.
    /// Precisions add.
    @inlinable
    public static func productOfExperts(_ means: [Double]) -> Double {
        let text = "a { brace in a string"   // and } one in a comment
        if means.isEmpty { return 0 }
        return means.reduce(0, +)
    }

    struct Later {}
    """

    @Test func aMarkerNamesAFileAndADeclaration() {
        let marker = LibraryQuote.marker("Quoted from the library: Sources/VAECore/A.swift, static func productOfExperts")
        #expect(marker?.file == "Sources/VAECore/A.swift")
        #expect(marker?.declaration == "static func productOfExperts")
        #expect(LibraryQuote.marker("Quoted from the library: Sources/VAECore/A.swift") == nil, "a marker names a declaration")
        #expect(LibraryQuote.marker("The library's Sources/VAECore/A.swift, func f") == nil)
    }

    /// From the doc comment and attributes to the brace that closes the body, braces in strings
    /// and comments not counted; a name that only begins another (`…Helper`) is not it.
    @Test func theDeclarationIsQuotedWhole() throws {
        let quote = try LibraryQuote(file: "Sources/X.swift", declaration: "static func productOfExperts", source: Self.library)
        #expect(quote.lines == 6...13)
        #expect(quote.text.hasPrefix("/// The product of Gaussian experts.\n/// Precisions add.\n@inlinable\npublic static func"))
        #expect(quote.text.hasSuffix("return means.reduce(0, +)\n}"))
        let plain = try LibraryQuote(file: "Sources/X.swift", declaration: "func productOfExpertsHelper", source: Self.library)
        #expect(plain.lines == 3...4)
        #expect(try LibraryQuote(file: "Sources/X.swift", declaration: "struct Later", source: Self.library).lines == 15...15)
    }

    @Test func aMissingOrAmbiguousDeclarationIsRefused() {
        #expect(throws: BookError.self) { try LibraryQuote(file: "Sources/X.swift", declaration: "func absent", source: Self.library) }
        let twice = Self.library + "\nfunc productOfExpertsHelper() {}\n"
        #expect(throws: BookError.self) { try LibraryQuote(file: "Sources/X.swift", declaration: "func productOfExpertsHelper", source: twice) }
        #expect(throws: BookError.self) { try LibraryQuote(file: "Sources/X.swift", declaration: "func open", source: "func open() {\n") }
    }

    /// A package whose chapter quotes `declaration` from Sources/VAECore/Experts.swift.
    func page(quoting declaration: String) throws -> ChapterPage {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("quote-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let library = root.appendingPathComponent("Sources/VAECore", isDirectory: true)
        try FileManager.default.createDirectory(at: library, withIntermediateDirectories: true)
        try Data(Self.library.utf8).write(to: library.appendingPathComponent("Experts.swift"))
        let chapter = """
        // Chapter 9 — Experts
        //
        // Precisions add, and the mean is weighted by them:
        // Quoted from the library: Sources/VAECore/Experts.swift, \(declaration)
        // which is all there is to it.

        func run() {}
        """
        var page = ChapterPage(name: "ch09-test", main: SwiftSource(parsing: chapter), output: nil)
        page.resolveQuotes(root: root)
        return page
    }

    @Test func thePageShowsTheQuoteWhereTheMarkerWas() throws {
        let page = try page(quoting: "static func productOfExperts")
        #expect(page.quoteProblems.isEmpty)
        let html = page.html(previous: nil, next: nil)
        let before = try #require(html.range(of: "the mean is weighted by them:"))
        let quote = try #require(html.range(of: "From the library: <code>Sources/VAECore/Experts.swift</code>, lines 6–13"))
        let after = try #require(html.range(of: "which is all there is to it."))
        #expect(before.upperBound < quote.lowerBound && quote.upperBound < after.lowerBound)
        #expect(html.contains("means.reduce"), "the code itself is on the page")
        #expect(!html.contains("Quoted from the library:"), "the marker line is replaced")
    }

    @Test func aQuoteThatCannotBeFoundStopsTheBook() throws {
        let page = try page(quoting: "func renamedAway")
        let problems = WeavingProblems.of(page, figures: nil)
        #expect(problems.count == 1)
        #expect(problems.first?.contains("declares no `func renamedAway`") == true, "\(problems)")
        var outside = page
        outside.quoteProblems = []
        outside.main = SwiftSource(parsing: "// Chapter 9\n//\n// Quoted from the library: ../secrets.swift, func f\n")
        outside.resolveQuotes(root: FileManager.default.temporaryDirectory)
        #expect(outside.quoteProblems.count == 1 && outside.quoteProblems[0].contains("under Sources/"))
    }

    /// "chapter 4" in prose links to chapter 4's page; code, formulas, links and the page itself
    /// are left alone.
    @Test func chaptersLinkToEachOther() {
        let pages = [4: "ch04-reparameterization.html", 5: "ch05-elbo.html"]
        let html = "<p>As chapter 4 showed, and Chapter 5 uses; <code>chapter 4</code> stays; chapter 12 has no page; chapter 40 is none.</p>"
            + "<pre class=\"formula\">chapter 4</pre><a href=\"x\">chapter 4</a>"
        let linked = CrossLinks.link(html, pages: pages, current: 5)
        #expect(linked.contains("As <a class=\"chapter-link\" href=\"ch04-reparameterization.html\">chapter 4</a> showed"), "\(linked)")
        #expect(linked.contains("and Chapter 5 uses"), "a page does not link to itself")
        #expect(linked.contains("<code>chapter 4</code>") && linked.contains("<pre class=\"formula\">chapter 4</pre>"))
        #expect(linked.contains("<a href=\"x\">chapter 4</a>"))
        #expect(linked.contains("chapter 12 has no page; chapter 40 is none."))
        #expect(CrossLinks.number(of: "ch04-reparameterization") == 4 && CrossLinks.number(of: "index") == nil)
    }

    /// A figure named in the prose links to it, on this page or another, with its number; a
    /// figure the book does not show, an image's source and a name inside a link stay as they are.
    @Test func figuresNamedInTheProseLinkToThem() {
        let figures = ["ch05-samples.png": (link: "ch05-elbo.html#fig-ch05-samples", number: "5.2"),
                       "ch04-noise.png": (link: "ch04-reparameterization.html#fig-ch04-noise", number: "4.1")]
        let html = "<p>See <code>ch05-samples.png</code> and ch04-noise.png, not ch03-none.png; "
            + "<img src=\"../ch05-samples.png\"> <a href=\"x\">ch04-noise.png</a></p>"
        let linked = FigureLinks.link(html, figures: figures, page: "ch05-elbo.html")
        #expect(linked.contains("See <a class=\"figure-link\" href=\"#fig-ch05-samples\"><code>ch05-samples.png</code></a> (figure 5.2)"),
                "\(linked)")
        #expect(linked.contains("and <a class=\"figure-link\" href=\"ch04-reparameterization.html#fig-ch04-noise\">ch04-noise.png</a> (figure 4.1)"))
        #expect(linked.contains("not ch03-none.png;") && linked.contains("<img src=\"../ch05-samples.png\">"))
        #expect(linked.contains("<a href=\"x\">ch04-noise.png</a></p>"))
    }

    /// A page numbers its figures in the order its chapter printed them, and each carries its id.
    @Test func figuresAreNumberedInOrder() {
        let output = ChapterOutput(parsing: "\n## 1. A\n\n  figure: ch05-a.png\n\n## 2. B\n\n  figure: ch05-b.png\n  figure: ch05-a.png\n")
        let page = ChapterPage(name: "ch05-elbo", main: SwiftSource(parsing: "// Chapter 5\n"), output: output)
        #expect(page.figureNumbers == ["ch05-a.png": "5.1", "ch05-b.png": "5.2"])
        let html = OutputHTML.html(output.sections[1], numbers: page.figureNumbers)
        #expect(html.contains("<figure id=\"fig-ch05-b\">") && html.contains("<strong>Figure 5.2</strong> · "), "\(html)")
    }
}
