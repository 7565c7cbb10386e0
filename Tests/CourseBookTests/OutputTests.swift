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
        #expect(output.sections.map(\.number) == [nil, "1", "2", nil])
        #expect(output.sections[1].lines == ["value 1", "  figure: ch09-first.png", "after the figure"])
        #expect(output.sections.map(\.headingLine) == [nil, 3, 9, 13], "each heading's line in the printed text, from 1")
        #expect(output.sections.map(\.firstLine) == [1, 5, 11, 15], "each section's first line, after the blank ones")
        #expect(ChapterOutput(parsing: "## 4b. Inside\nx").sections.map(\.number) == ["4b"])
        #expect(ChapterOutput(parsing: "## 2026 results\nx").sections.map(\.number) == [nil], "a number needs its full stop")
    }

    @Test func figureLinesBecomeImages() {
        let html = OutputHTML.html(ChapterOutput(parsing: printed).sections[1])
        #expect(html.contains("<pre class=\"output\"><span class=\"line\">value 1</span></pre>\n<figure id=\"fig-ch09-first\"><img src=\"../ch09-first.png\" alt=\"ch09-first.png\">"
                                    + "<figcaption><code>ch09-first.png</code></figcaption></figure>\n"
                                    + "<pre class=\"output\"><span class=\"line\">after the figure</span></pre>"), "\(html)")
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
        #expect(html.contains("<pre class=\"output\"><span class=\"line\">a &lt; b &amp; c</span></pre>"))
    }

    @Test func eachSectionFollowsTheCodeOfItsMark() {
        let source = SwiftSource(parsing: """
        // Chapter 9 — T

        struct C {
            func run() {
                one()
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

            // MARK: 2. Second
            func two() {
                section("2. Second section")
            }
        }

        // MARK: Unnumbered
        //
        // Prose only.
        """)
        let placement = OutputPlacement(ChapterOutput(parsing: printed), in: source)
        // Each section after the last code block of its MARK's region; an unnumbered heading under the MARK of its title.
        #expect(placement.after[.init(region: 1, block: 3)]?.map(\.title) == [nil, "1. First section"], "what was printed before the first section goes with it")
        #expect(placement.after[.init(region: 2, block: 0)]?.map(\.number) == ["2"])
        #expect(placement.after[.init(region: 3, block: 0)]?.map(\.title) == ["Unnumbered"], "after the prose of a region without code")
        #expect(placement.leftover.isEmpty)

        let page = ChapterPage(name: "ch09-test", main: source, output: ChapterOutput(parsing: printed)).html(previous: nil, next: nil)
        let code = page.range(of: "func helper() {}")!.lowerBound
        let image = page.range(of: "<img src=\"../ch09-first.png\"")!.lowerBound
        let marked = page.range(of: "<h2 id=\"1-first\">1. First</h2>")!.lowerBound
        let second = page.range(of: "<h2 id=\"2-second\">2. Second</h2>")!.lowerBound
        #expect(marked < code)
        #expect(code < image, "the figure comes right after the code of its MARK")
        #expect(image < second)
        #expect(page.range(of: "section(&quot;2. Second section&quot;)")!.lowerBound < page.range(of: "Output · 2. Second section")!.lowerBound)
        #expect(!(page.contains("More output")))
        #expect(WeavingProblems.of(ChapterPage(name: "ch09-test", main: source, output: ChapterOutput(parsing: printed)), figures: nil).isEmpty)
        #expect(!(page.contains("<script")))
    }

    @Test func aHeadingWithoutItsMarkHasNoPlace() {
        // Section 2 is printed by code that has no `// MARK: 2.`: calling `section("2.` is not a place.
        let source = SwiftSource(parsing: """
        func run() {
            section("2. Second section")
        }

        // MARK: 1. First
        func one() {}
        """)
        let output = ChapterOutput(parsing: printed)
        let placement = OutputPlacement(output, in: source)
        #expect(placement.leftover.map(\.title) == ["2. Second section", "Unnumbered"])
        let page = ChapterPage(name: "ch09-test", main: source, output: output)
        let problems = WeavingProblems.of(page, figures: nil)
        #expect(problems.count == 2, "\(problems)")
        #expect(problems.first?.hasPrefix("ch09-test.txt line 9: the heading `## 2. Second section` matches no `// MARK: 2. …`"
                                          + " in Chapters/ch09-test/main.swift") == true, "\(problems)")
        #expect(problems.last?.hasPrefix("ch09-test.txt line 13: the heading `## Unnumbered` matches no `// MARK: Unnumbered`") == true)
        #expect(page.html(previous: nil, next: nil).contains("<h2 id=\"more-output\">More output</h2>"), "shown at the end when not refused")
    }

    @Test func aSectionLetteredAfterANumberGoesUnderItsOwnMark() {
        let source = SwiftSource(parsing: """
        // MARK: 4. What the training did
        func four() {}

        // MARK: 4b. Inside the training
        func fourB() {}

        // MARK: 5. What the model does
        func five() {}
        """)
        #expect(source.regions.map(\.number) == ["4", "4b", "5"])
        let output = ChapterOutput(parsing: "## 4. What\nfour\n## 4b. Inside, per layer\nfour b\n  figure: ch09-first.png\n## 5. Model\nfive\n")
        let placement = OutputPlacement(output, in: source)
        #expect(placement.after[.init(region: 0, block: 0)]?.map(\.lines) == [["four"]])
        #expect(placement.after[.init(region: 1, block: 0)]?.map(\.lines) == [["four b", "  figure: ch09-first.png"]])
        #expect(placement.after[.init(region: 2, block: 0)]?.map(\.lines) == [["five"]])
        #expect(placement.leftover.isEmpty)
        let html = ChapterPage(name: "ch09-test", main: source, output: output).html(previous: nil, next: nil)
        #expect(html.range(of: "func fourB() {}")!.lowerBound < html.range(of: "ch09-first.png")!.lowerBound)
        #expect(html.range(of: "ch09-first.png")!.lowerBound < html.range(of: "func five() {}")!.lowerBound)
    }

    @Test func resultLinesBecomeTables() {
        let section = ChapterOutput.Section(title: "4. Scores", lines: [
            "ood train=mnist out=noise score=kl auroc=0.1043",
            "ood train=mnist out=noise score=iw-nll auroc=1.0000",
            "ablation sweep=kl value=none elbo=-107.91",
            "  KL per dimension, largest first: 1.65 1.57",
            "ablation sweep=kl value=warmup elbo=-108.47",
            "latent=2 seed 1: reused",
            "multimodal pair=image-label image->label=0.9749",
        ])
        let html = OutputHTML.html(section)
        #expect(html.components(separatedBy: "<table class=\"result\">").count - 1 == 4, "ood, ablation, ablation again, multimodal: \(html)")
        #expect(html.contains("<caption><code>ood</code></caption>\n<thead><tr><th>train</th><th>out</th><th>score</th><th>auroc</th></tr></thead>"))
        #expect(html.contains("<tr><td>mnist</td><td>noise</td><td>kl</td><td class=\"number\">0.1043</td></tr>\n"
                              + "<tr><td>mnist</td><td>noise</td><td>iw-nll</td><td class=\"number\">1.0000</td></tr>\n</tbody></table>"))
        #expect(html.contains("<th>image-&gt;label</th>"))
        #expect(html.contains("<span class=\"line\" style=\"--indent:2\">  KL per dimension"), "other lines stay text")
        #expect(html.contains("<span class=\"line\">latent=2 seed 1: reused</span>"), "a line that does not start with a word and pairs is text")
        #expect(ResultLine("ood train=mnist auroc=0.5 and more") == nil, "nothing but pairs after the word")
        let labelled = ResultLine("multimodal pair=image-label coherence image->label=0.97 joint=0.25")
        #expect(labelled?.keys == ["pair", "", "image->label", "joint"] && labelled?.values[1] == "coherence", "a bare word before a pair is a label")
        #expect(labelled.map { !$0.continues(with: ResultLine("multimodal pair=image-label other image->label=0.97 joint=0.25")!) } == true,
                "another label, another table")
        #expect(ResultLine("ood train=mnist auroc=0.5 and") == nil && ResultLine("ood two labels x=1") == nil, "labels stand before a pair, one at a time")
        #expect(ResultLine("ood train=mnist  auroc=0.5") == nil && ResultLine("ood train= auroc=0.5") == nil && ResultLine("ood a=b=c") == nil)
        #expect(ResultLine("bound config=elbo-5 nll=94.47")?.keys == ["config", "nll"])
        #expect(ResultLine.isNumber("-107.91") && ResultLine.isNumber("+0.47") && ResultLine.isNumber("1e-3") && !ResultLine.isNumber("iw-nll"))
    }

    @Test func theOptionsAreFoldedAndThePageHasContents() {
        let source = SwiftSource(parsing: """
        // Chapter 9 — T

        struct Chapter9: ParsableCommand {
            @OptionGroup var options: ChapterOptions

            @Option(help: "Epochs.")
            var epochs = 2

            func validate() throws {}

            /// The lecture.
            func run() throws {
                one()
            }

            // MARK: 1. First
            func one() {}
        }

        // MARK: 1. First
        //
        // The same title again.

        // MARK: Experiments
        //
        // 1. `--epochs 3`.
        """)
        let html = ChapterPage(name: "ch09-test", main: source, appendix: [("Pictures.swift", SwiftSource(parsing: "// MARK: Drawing\nlet x = 1\n"))],
                               output: nil).html(previous: nil, next: nil)
        #expect(html.contains("<details class=\"options\"><summary>The command line: its options and their checks"
                              + " (<code>struct Chapter9: ParsableCommand</code>, 7 lines)</summary>\n<pre class=\"code\"><code>"
                              + "<span class=\"line\">struct Chapter9: ParsableCommand {</span>"), "\(html)")
        let folded = html.range(of: "</details>")!.lowerBound
        #expect(html.range(of: "func validate() throws {}")!.lowerBound < folded)
        #expect(html.range(of: "/// The lecture.")!.lowerBound > folded, "run() and its doc comment stay open")
        // The contents: one link per level-2 heading, each to an id the page has, the repeated title made unique.
        let contents = html.components(separatedBy: "<nav class=\"toc\"")[1].components(separatedBy: "</nav>")[0]
        let targets = contents.components(separatedBy: "href=\"#").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(targets == ["1-first", "1-first-2", "experiments", "appendix-pictures-swift"], "\(targets)")
        for target in targets { #expect(html.contains(" id=\"\(target)\""), "\(target)") }
        #expect(html.contains("<h3 id=\"drawing\">Drawing</h3>"), "an appendix's MARKs are level 3, not listed")
        #expect(html.range(of: "<nav class=\"toc\"")!.lowerBound < html.range(of: "<details")!.lowerBound, "the contents come first")
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
