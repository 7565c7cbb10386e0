import Testing
@testable import CourseBook

/// A chapter's printed output: its sections, their figures, and where they go on the page.
struct OutputTests {
    let printed = """
    loaded something

    ## 1. First section

    value 1
      figure: ch09-first.png
    after the figure

    ## 2. Second section

      figure: ch09-script.gp (script only: gnuplot is missing)

    ## Unnumbered

    stray
    """

    @Test func sectionsByHeading() {
        let output = ChapterOutput(parsing: printed)
        #expect(output.sections.map(\.title) == [nil, "1. First section", "2. Second section", "Unnumbered"])
        #expect(output.sections.map(\.number) == [nil, 1, 2, nil])
        #expect(output.sections[1].lines == ["value 1", "  figure: ch09-first.png", "after the figure"])
    }

    @Test func figureLinesBecomeImages() {
        let html = OutputHTML.html(ChapterOutput(parsing: printed).sections[1])
        #expect(html.contains("<pre class=\"output\">value 1</pre>\n<figure><img src=\"../ch09-first.png\" alt=\"ch09-first.png\">"
                                    + "<figcaption><code>ch09-first.png</code></figcaption></figure>\n<pre class=\"output\">after the figure</pre>"), "\(html)")
        let titled = OutputHTML.html(ChapterOutput(parsing: printed).sections[1], titles: ["ch09-first.png": "Loss & curves"])
        #expect(titled.contains("alt=\"Loss &amp; curves\"><figcaption>Loss &amp; curves · <code>ch09-first.png</code>"), "\(titled)")
        #expect(!(html.contains("figure: ch09")), "the figure line itself is not shown")
        let scriptOnly = OutputHTML.html(ChapterOutput(parsing: printed).sections[2])
        #expect(scriptOnly.contains("<code>ch09-script.gp</code>: script only"), "\(scriptOnly)")
        #expect(!(scriptOnly.contains("<img")))
        #expect(OutputHTML.figureName("  figure: ../../etc/passwd.png") == nil, "a figure is a file name, not a path")
    }

    @Test func outputEscaped() {
        let html = OutputHTML.html(ChapterOutput.Section(title: "1. <b>", lines: ["a < b & c"]))
        #expect(html.contains("Output · 1. &lt;b&gt;"))
        #expect(html.contains("<pre class=\"output\">a &lt; b &amp; c</pre>"))
    }

    @Test func eachSectionFollowsTheCodeOfItsMark() {
        let source = SwiftSource(parsing: """
        // Chapter 9 — T

        struct C {
            func run() {
                one()
                section("2. Second section")
                two()
            }

            // MARK: 1. First
            //
            // Prose.
            func one() {
                section("1. First section")
            }

            // Prose after, still region 1.
            func helper() {}
        }
        """)
        let placement = OutputPlacement(ChapterOutput(parsing: printed), in: source)
        // Section 1 after region 1's last code block; section 2 (no MARK 2) after the code that calls it.
        #expect(placement.after[.init(region: 1, block: 3)]?.map(\.title) == [nil, "1. First section"], "what was printed before the first section goes with it")
        #expect(placement.after[.init(region: 0, block: 1)]?.map(\.number) == [2])
        #expect(placement.leftover.map(\.title) == ["Unnumbered"])

        let page = ChapterPage(name: "ch09-test", main: source, output: ChapterOutput(parsing: printed)).html(previous: nil, next: nil)
        let code = page.range(of: "func helper() {}")!.lowerBound
        let image = page.range(of: "<img src=\"../ch09-first.png\"")!.lowerBound
        let marked = page.range(of: "<h2 id=\"1-first\">1. First</h2>")!.lowerBound
        #expect(marked < code)
        #expect(code < image, "the figure comes right after the code of its MARK")
        #expect(page.range(of: "two()")!.lowerBound < page.range(of: "Output · 2. Second section")!.lowerBound)
        #expect(page.range(of: "Output · 2. Second section")!.lowerBound < marked)
        #expect(page.contains("<h2>More output</h2>"))
        #expect(!(page.contains("<script")))
    }

    @Test func missingOutputIsANote() {
        let page = ChapterPage(name: "ch09-test", main: SwiftSource(parsing: "// Chapter 9 — T\n\nlet x = 1\n"), output: nil)
        let html = page.html(previous: ("ch08-a.html", "Chapter 8"), next: nil)
        #expect(html.contains("run <code>swift run -c release figures</code> to fill in the output"), "\(html)")
        #expect(html.contains("<title>Chapter 9 — T</title>"))
        #expect(html.contains("<a rel=\"prev\" href=\"ch08-a.html\">← Chapter 8</a>"))
        #expect(!(html.contains("rel=\"next\"")))
        #expect(html.components(separatedBy: "Chapter 9 — T").count - 1 == 2, "title in <title> and <h1> only, not repeated as prose")
    }

    @Test func figureTitleFromItsScript() {
        #expect(FigureTitle.from(script: "set term pngcairo\nset multiplot layout 2,2 title 'Loss curves' font ',13'\nset title 'Panel'\n") == "Loss curves")
        #expect(FigureTitle.from(script: "set xlabel 'x'\nset title 'The model''s samples' font ',12'\n") == "The model's samples")
        #expect(FigureTitle.from(script: "plot $D1 using 1:2 title 'train'\n") == nil, "a series' title is not the figure's")
    }
}
