import Testing
@testable import CourseBook

/// Comment blocks as HTML: paragraphs, formulas, lists, inline marks and escaping.
struct ProseTests {
    @Test func paragraphsJoinAndBlankLinesSeparate() {
        #expect(Prose.html(["One line", "and its continuation.", "", "A second one."]) == "<p>One line and its continuation.</p>\n<p>A second one.</p>\n")
    }

    @Test func indentedLinesAreFormulasKeptAsWritten() {
        let html = Prose.html(["The bound:", "", "    log p(x) ≥ E_q[log p(x|z)]", "          − KL(q ‖ p)", "", "After."])
        #expect(html.contains("<pre class=\"formula\">log p(x) ≥ E_q[log p(x|z)]\n      − KL(q ‖ p)</pre>"), "\(html)")
        #expect(html.hasPrefix("<p>The bound:</p>"))
        #expect(html.hasSuffix("<p>After.</p>\n"))
    }

    @Test func listItemsWithContinuationAndFormula() {
        let html = Prose.html([
            "Two terms:",
            "  - reconstruction, scored on",
            "    the 784 pixels;",
            "  - KL in closed form:",
            "        KL = −½ Σ (1 + log σ² − μ² − σ²),",
            "    zero only when q = p.",
            "The end.",
        ])
        #expect(html.contains("<ul>\n<li>reconstruction, scored on the 784 pixels;</li>\n"), "\(html)")
        #expect(html.contains("<li>KL in closed form:\n<pre class=\"formula\">KL = −½ Σ (1 + log σ² − μ² − σ²),</pre> zero only when q = p.</li>"), "\(html)")
        #expect(html.hasSuffix("</ul>\n<p>The end.</p>\n"), "\(html)")
    }

    @Test func numberedListIsOrdered() {
        let html = Prose.html(["1. naive loop;", "   slow.", "2. blocked."])
        #expect(html == "<ol>\n<li>naive loop; slow.</li>\n<li>blocked.</li>\n</ol>\n")
    }

    @Test func inlineMarksAndEscaping() {
        #expect(HTML.inline("use `a < b && c` for *shape*, **all**") == "use <code>a &lt; b &amp;&amp; c</code> for <em>shape</em>, <strong>all</strong>")
        #expect(HTML.inline("a*b*c stays, 2 * 3 * 4 too") == "a*b*c stays, 2 * 3 * 4 too")
        #expect(HTML.inline("**a second `figures` run** took `*x*`") == "<strong>a second <code>figures</code> run</strong> took <code>*x*</code>")
        #expect(HTML.inline("one ` tick") == "one ` tick")
        #expect(HTML.escape("<img src=\"x\" alt='y'> & z") == "&lt;img src=&quot;x&quot; alt=&#39;y&#39;&gt; &amp; z")
        #expect(Prose.html(["<script>alert(1)</script>"]) == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n")
    }

    @Test func titleUnderlineIsDropped() {
        #expect(Prose.html(["=====", "", "Text."]) == "<p>Text.</p>\n")
    }

    @Test func openingRunsToTheEndOfASentence() {
        #expect(Prose.opening(["=====", "", "Everything is", "built here.", "", "Later."]) == ["Everything is", "built here."])
        #expect(Prose.opening(["The rule splits it:", "", "    a = b · c", "", "and so on.", "", "Later."]) == ["The rule splits it:", "", "    a = b · c", "", "and so on."])
        #expect(Prose.opening(["    only a formula"]) == [])
    }
}
