import Foundation
import Testing
@testable import CourseBook

/// Displayed equations become MathML: names, numbers, operators and scripts as mathematics,
/// remarks as text, and the alignment of the plain text kept as columns.
struct MathMLTests {
    @Test func namesNumbersOperatorsAndSpaces() {
        #expect(MathML.math("log p(x) = 2") == "<math displaystyle=\"true\" alttext=\"log p(x) = 2\"><mrow>"
            + "<mi>log</mi><mspace width=\"0.25em\"></mspace><mi>p</mi><mo>(</mo><mi>x</mi><mo>)</mo><mo>=</mo><mn>2</mn></mrow></math>")
        #expect(MathML.math("0.01").contains("<mn>0.01</mn>"))
        #expect(MathML.math("σε/2").contains("<mi>σ</mi><mi>ε</mi><mo lspace=\"0\" rspace=\"0\">/</mo><mn>2</mn>"),
                "Greek letters are variables of their own; a slash takes no space")
        #expect(MathML.math("Σ_i").contains("<msub><mi mathvariant=\"normal\">Σ</mi><mrow><mi>i</mi></mrow></msub>"),
                "capital Greek upright")
        #expect(MathML.math("p̂ x̄").contains("<mi>p̂</mi><mspace width=\"0.25em\"></mspace><mi>x̄</mi>"), "accented letters are one variable")
        #expect(MathML.math("a < b & c").contains("<mo>&lt;</mo>") && MathML.math("a < b & c").contains("<mo>&amp;</mo>"))
        #expect(MathML.math("score-function output_padding").contains("<mi>score-function</mi>"))
        #expect(MathML.math("score-function output_padding").contains("<mi>output_padding</mi>"))
    }

    @Test func scriptsOfEveryKind() {
        #expect(MathML.math("σ_d²").contains("<msubsup><mi>σ</mi><mrow><mi>d</mi></mrow><mrow><mn>2</mn></mrow></msubsup>"))
        #expect(MathML.math("x₁").contains("<msub><mi>x</mi><mrow><mn>1</mn></mrow></msub>"))
        #expect(MathML.math("10⁻³").contains("<msup><mn>10</mn><mrow><mo>−</mo><mn>3</mn></mrow></msup>"))
        #expect(MathML.math("Aᵀ").contains("<msup><mi>A</mi><mrow><mi>T</mi></mrow></msup>"))
        #expect(MathML.math("z_{t−1}").contains("<msub><mi>z</mi><mrow><mi>t</mi><mo>−</mo><mn>1</mn></mrow></msub>"))
        #expect(MathML.math("p_ij").contains("<mrow><mi>i</mi><mi>j</mi></mrow>"), "two letters are two indices")
        #expect(MathML.math("Π_pixels").contains("<mi>pixels</mi>"), "a longer run is a word")
        #expect(MathML.math("(−1)^i").contains("<msup><mo>)</mo><mrow><mi>i</mi></mrow></msup>"))
    }

    @Test func remarksAreTextAndMathematicsIsNot() {
        #expect(MathML.isProse("the prior over 20-dimensional codes"))
        #expect(MathML.isProse("w ← w·(1 − η·λ), then Adam's step"))
        #expect(MathML.isProse("(chapter 5, section 2)") && MathML.isProse("(+ output_padding)"))
        #expect(!MathML.isProse("TPR(t) = share of out images with s ≥ t"))
        #expect(!MathML.isProse("c_y = mean of μ(x, y),") && !MathML.isProse("(B, in)") && !MathML.isProse("(μ = 0.9)"))
        #expect(!MathML.isProse("SGD + momentum"))
    }

    @Test func theTextsAlignmentBecomesColumns() throws {
        let derivation = """
        log p(x) = log E_q[ f ]
                 ≥ E_q[ log f ]          (Jensen)
        """
        let table = try #require(MathML.table(derivation))
        // The first line is cut before its "=", under which the second line's "≥" starts.
        #expect(table.hasPrefix("<table class=\"formula\"><tr><td><math displaystyle=\"true\" alttext=\"log p(x)\">"))
        #expect(table.contains("</td><td colspan=\"2\"><math displaystyle=\"true\" alttext=\"= log E_q[ f ]\">"))
        #expect(table.contains("<tr><td></td><td><math displaystyle=\"true\" alttext=\"≥ E_q[ log f ]\">"))
        #expect(table.contains("<td class=\"remark\">(Jensen)</td></tr></table>"))
        #expect(MathML.segments(Array("a = b   c  d")) == [MathML.Cell(column: 0, text: "a = b"), MathML.Cell(column: 8, text: "c"),
                                                             MathML.Cell(column: 11, text: "d")])
        #expect(MathML.table("x → conv → y = f(x)") == nil, "a diagram of layers stays text")
    }
}
