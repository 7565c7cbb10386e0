import XCTest
@testable import CourseBook

/// The README as HTML, with its paths rewritten for the book's folder.
final class MarkdownTests: XCTestCase {
    let markdown = Markdown(rewrite: IndexPage.pathRewriter(rootFromBook: "../../"))

    func testTableWithImagesAndEscapedBars() {
        let html = markdown.html("""
        | β | p(x\\|z) |
        |---|---|
        | ![Samples](figures/ch05-samples.png) | **68.54** |
        """)
        XCTAssertEqual(html, "<table>\n<tr><th>β</th><th>p(x|z)</th></tr>\n"
                       + "<tr><td><img src=\"../ch05-samples.png\" alt=\"Samples\"></td><td><strong>68.54</strong></td></tr>\n</table>\n")
    }

    func testEmptyHeaderRowIsSkipped() {
        let html = markdown.html("| | |\n|---|---|\n| a | b |\n")
        XCTAssertEqual(html, "<table>\n<tr><td>a</td><td>b</td></tr>\n</table>\n")
    }

    func testHeadingsParagraphsCodeAndLists() {
        let html = markdown.html("""
        ## The two commands

        Run `swift test`
        now.

        ```sh
        swift build -c release && echo "<ok>"
        ```

        - `Sources/VAECore`: the library;
          all of it.
        - [figures](figures/long-run/ch05-nll.png) and [safetensors](https://github.com/huggingface/safetensors)

            indented code
        """)
        XCTAssertTrue(html.contains("<h2>The two commands</h2>\n<p>Run <code>swift test</code> now.</p>\n"), html)
        XCTAssertTrue(html.contains("<pre class=\"markdown\"><code>swift build -c release &amp;&amp; echo &quot;&lt;ok&gt;&quot;</code></pre>"), html)
        XCTAssertTrue(html.contains("<li><code>Sources/VAECore</code>: the library; all of it.</li>"), html)
        XCTAssertTrue(html.contains("<a href=\"../long-run/ch05-nll.png\">figures</a>"), html)
        XCTAssertTrue(html.contains("safetensors (https://github.com/huggingface/safetensors)"), "external links are printed, not linked: \(html)")
        XCTAssertFalse(html.contains("href=\"https"))
        XCTAssertTrue(html.contains("<pre class=\"markdown\"><code>indented code</code></pre>"), html)
    }

    func testPathsOutsideTheRootAreText() {
        let rewrite = IndexPage.pathRewriter(rootFromBook: nil)
        XCTAssertEqual(rewrite("figures/a.png"), "../a.png")
        XCTAssertNil(rewrite("Sources/VAECore"))
        XCTAssertEqual(IndexPage.pathRewriter(rootFromBook: "../../")("Sources/VAECore"), "../../Sources/VAECore")
        XCTAssertEqual(RelativePath.from(URL(fileURLWithPath: "/a/b/figures/book"), to: URL(fileURLWithPath: "/a/b")), "../../")
        XCTAssertNil(RelativePath.from(URL(fileURLWithPath: "/tmp/x/book"), to: URL(fileURLWithPath: "/a/b")))
    }

    func testIndexListsChaptersAndTheReadme() {
        let chapter = ChapterPage(name: "ch09-test", main: SwiftSource(parsing: "// Chapter 9 — Nine\n// =====\n//\n// It opens here.\n//\n// Later.\n"), output: nil)
        let page = IndexPage(chapters: [chapter], readme: "# The course\n\nIts *results*.\n", rewrite: { $0 }).html()
        XCTAssertTrue(page.contains("<title>The course</title>"))
        XCTAssertTrue(page.contains("<li><a href=\"ch09-test.html\">Chapter 9 — Nine</a>\n<p>It opens here.</p>\n</li>"), page)
        XCTAssertFalse(page.contains("Later."))
        XCTAssertTrue(page.contains("<p>Its <em>results</em>.</p>"))
        XCTAssertEqual(page.components(separatedBy: "<h1>").count, 2, "the README's title is the page's one <h1>")
    }
}
