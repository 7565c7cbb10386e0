import Foundation
import Testing
@testable import CourseBook

/// The README as HTML, with its paths rewritten for the book's folder.
struct MarkdownTests {
    let markdown = Markdown(rewrite: IndexPage.pathRewriter(rootFromBook: "../../"))

    @Test func tableWithImagesAndEscapedBars() {
        let html = markdown.html("""
        | β | p(x\\|z) |
        |---|---|
        | ![Samples](figures/ch05-samples.png) | **68.54** |
        """)
        #expect(html == "<table>\n<tr><th>β</th><th>p(x|z)</th></tr>\n"
                       + "<tr><td><img src=\"../ch05-samples.png\" alt=\"Samples\"></td><td><strong>68.54</strong></td></tr>\n</table>\n")
    }

    @Test func emptyHeaderRowIsSkipped() {
        let html = markdown.html("| | |\n|---|---|\n| a | b |\n")
        #expect(html == "<table>\n<tr><td>a</td><td>b</td></tr>\n</table>\n")
    }

    @Test func headingsParagraphsCodeAndLists() {
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
        #expect(html.contains("<h2>The two commands</h2>\n<p>Run <code>swift test</code> now.</p>\n"), "\(html)")
        #expect(html.contains("<pre class=\"markdown\"><code>swift build -c release &amp;&amp; echo &quot;&lt;ok&gt;&quot;</code></pre>"), "\(html)")
        #expect(html.contains("<li><code>Sources/VAECore</code>: the library; all of it.</li>"), "\(html)")
        #expect(html.contains("<a href=\"../long-run/ch05-nll.png\">figures</a>"), "\(html)")
        #expect(html.contains("safetensors (https://github.com/huggingface/safetensors)"), "external links are printed, not linked: \(html)")
        #expect(!(html.contains("href=\"https")))
        #expect(html.contains("<pre class=\"markdown\"><code>indented code</code></pre>"), "\(html)")
    }

    @Test func pathsOutsideTheRootAreText() {
        let rewrite = IndexPage.pathRewriter(rootFromBook: nil)
        #expect(rewrite("figures/a.png") == "../a.png")
        #expect(rewrite("Sources/VAECore") == nil)
        #expect(IndexPage.pathRewriter(rootFromBook: "../../")("Sources/VAECore") == "../../Sources/VAECore")
        #expect(rewrite("figures/book/about.md") == "about.html", "the about page's Markdown is read as its page")
        let fromBook = IndexPage.bookFolderRewriter(rootFromBook: "../../")
        #expect(fromBook("results.html") == "results.html", "the about page links its neighbours as they lie on disk")
        #expect(fromBook("about.md") == "about.html")
        #expect(fromBook("../ch05-loss.png") == "../ch05-loss.png")
        #expect(fromBook("../../Sources/VAECore") == "../../Sources/VAECore")
        #expect(fromBook("../../../outside") == nil, "a link above the package root is text")
        #expect(fromBook("#section") == "#section")
        #expect(rewrite("figures/book/results.html") == "results.html", "a page of the book is beside the page that links it")
        #expect(RelativePath.from(URL(fileURLWithPath: "/a/b/figures/book"), to: URL(fileURLWithPath: "/a/b")) == "../../")
        #expect(RelativePath.from(URL(fileURLWithPath: "/tmp/x/book"), to: URL(fileURLWithPath: "/a/b")) == nil)
    }

    @Test func indexListsChaptersAndTheReadme() {
        let chapter = ChapterPage(name: "ch09-test", main: SwiftSource(parsing: "// Chapter 9 — Nine\n// =====\n//\n// It opens here.\n//\n// Later.\n"), output: nil)
        let page = IndexPage(chapters: [chapter], readme: "# The course\n\nIts *results*.\n", rewrite: { $0 }).html()
        #expect(page.contains("<title>The course</title>"))
        #expect(page.contains("<li><a href=\"ch09-test.html\">Chapter 9 — Nine</a>\n<p>It opens here.</p>\n</li>"), "\(page)")
        #expect(!page.contains("Later."))
        #expect(page.contains("<p>Its <em>results</em>.</p>"))
        #expect(page.components(separatedBy: "<h1>").count == 2, "the README's title is the page's one <h1>")
    }
}
