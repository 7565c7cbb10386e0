import XCTest
@testable import CourseBook

/// Comment blocks as HTML: paragraphs, formulas, lists, inline marks and escaping.
final class ProseTests: XCTestCase {
    func testParagraphsJoinAndBlankLinesSeparate() {
        XCTAssertEqual(Prose.html(["One line", "and its continuation.", "", "A second one."]),
                       "<p>One line and its continuation.</p>\n<p>A second one.</p>\n")
    }

    func testIndentedLinesAreFormulasKeptAsWritten() {
        let html = Prose.html(["The bound:", "", "    log p(x) ≥ E_q[log p(x|z)]", "          − KL(q ‖ p)", "", "After."])
        XCTAssertTrue(html.contains("<pre class=\"formula\">log p(x) ≥ E_q[log p(x|z)]\n      − KL(q ‖ p)</pre>"), html)
        XCTAssertTrue(html.hasPrefix("<p>The bound:</p>"))
        XCTAssertTrue(html.hasSuffix("<p>After.</p>\n"))
    }

    func testListItemsWithContinuationAndFormula() {
        let html = Prose.html([
            "Two terms:",
            "  - reconstruction, scored on",
            "    the 784 pixels;",
            "  - KL in closed form:",
            "        KL = −½ Σ (1 + log σ² − μ² − σ²),",
            "    zero only when q = p.",
            "The end.",
        ])
        XCTAssertTrue(html.contains("<ul>\n<li>reconstruction, scored on the 784 pixels;</li>\n"), html)
        XCTAssertTrue(html.contains("<li>KL in closed form:\n<pre class=\"formula\">KL = −½ Σ (1 + log σ² − μ² − σ²),</pre> zero only when q = p.</li>"), html)
        XCTAssertTrue(html.hasSuffix("</ul>\n<p>The end.</p>\n"), html)
    }

    func testNumberedListIsOrdered() {
        let html = Prose.html(["1. naive loop;", "   slow.", "2. blocked."])
        XCTAssertEqual(html, "<ol>\n<li>naive loop; slow.</li>\n<li>blocked.</li>\n</ol>\n")
    }

    func testInlineMarksAndEscaping() {
        XCTAssertEqual(HTML.inline("use `a < b && c` for *shape*, **all**"),
                       "use <code>a &lt; b &amp;&amp; c</code> for <em>shape</em>, <strong>all</strong>")
        XCTAssertEqual(HTML.inline("a*b*c stays, 2 * 3 * 4 too"), "a*b*c stays, 2 * 3 * 4 too")
        XCTAssertEqual(HTML.inline("**a second `figures` run** took `*x*`"),
                       "<strong>a second <code>figures</code> run</strong> took <code>*x*</code>")
        XCTAssertEqual(HTML.inline("one ` tick"), "one ` tick")
        XCTAssertEqual(HTML.escape("<img src=\"x\" alt='y'> & z"), "&lt;img src=&quot;x&quot; alt=&#39;y&#39;&gt; &amp; z")
        XCTAssertEqual(Prose.html(["<script>alert(1)</script>"]), "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n")
    }

    func testTitleUnderlineIsDropped() {
        XCTAssertEqual(Prose.html(["=====", "", "Text."]), "<p>Text.</p>\n")
    }

    func testOpeningRunsToTheEndOfASentence() {
        XCTAssertEqual(Prose.opening(["=====", "", "Everything is", "built here.", "", "Later."]), ["Everything is", "built here."])
        XCTAssertEqual(Prose.opening(["The rule splits it:", "", "    a = b · c", "", "and so on.", "", "Later."]),
                       ["The rule splits it:", "", "    a = b · c", "", "and so on."])
        XCTAssertEqual(Prose.opening(["    only a formula"]), [])
    }
}
