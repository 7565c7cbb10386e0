import Foundation
import Testing
@testable import CourseBook

/// Displayed equations are numbered per chapter and the prose's "equation N.M" links to them;
/// commands, code and formulas without a relation stay unnumbered.
struct EquationsTests {
    @Test func relationsAreEquationsCommandsAndShapesAreNot() {
        #expect(Equations.isEquation("L_k(x) = E[ log (1/k) Σ_i w_i ]"))
        #expect(Equations.isEquation("log p(x) ≥ ELBO(x)"))
        #expect(Equations.isEquation("q(z|x) ∝ p(x|z) p(z)"))
        #expect(Equations.isEquation("m ← β₁m + (1 − β₁)g,   w ← w − η · m̂ / (√v̂ + δ)"), "an update rule")
        #expect(!Equations.isEquation("swift run -c release ch05-elbo --latent 2"))
        #expect(!Equations.isEquation("let u: [Float] = [0.25, 0.75]"))
        #expect(!Equations.isEquation("(N, 1, 28, 28) → conv → (N, 32, 14, 14)"))
    }

    @Test func aPageNumbersItsEquationsInOrder() {
        let html = """
        <p>x</p><pre class="formula">a = b</pre><pre class="formula">swift run ch05-elbo</pre>
        <ul><li>c<pre class="formula">c ≤ d</pre></li></ul>
        """
        let numbered = Equations.number(html, prefix: "5.")
        let a = "<table class=\"formula\"><tr><td>\(MathML.math("a = b"))</td></tr></table>"
        #expect(numbered.contains("<div class=\"equation\" id=\"eq-5.1\">\(a)<span class=\"equation-number\">(5.1)</span></div>"))
        #expect(numbered.contains("<pre class=\"formula\">swift run ch05-elbo</pre>\n"), "a command keeps no number")
        #expect(numbered.contains("id=\"eq-5.2\"><table class=\"formula\"><tr><td><math displaystyle=\"true\" alttext=\"c ≤ d\">"))
        #expect(numbered.contains("<span class=\"equation-number\">(5.2)</span>"))
        // A diagram with a relation in it is numbered, and stays text.
        let diagram = Equations.number("<pre class=\"formula\">x → conv → BN → y = f(x)</pre>", prefix: "5.")
        #expect(diagram.contains("id=\"eq-5.1\"><pre class=\"formula\">x → conv → BN → y = f(x)</pre>"))
    }

    @Test func theProseLinksToAnEquationHereOrOnItsChaptersPage() {
        let pages = [4: "ch04-reparameterization.html", 5: "ch05-elbo.html"]
        let html = Equations.link("<p>By equation (5.2), and equation 4.1; not <code>equation 5.2</code> or equation 9.1.</p>",
                                  pages: pages, current: 5)
        #expect(html.contains("<a class=\"equation-link\" href=\"#eq-5.2\">equation (5.2)</a>"))
        #expect(html.contains("<a class=\"equation-link\" href=\"ch04-reparameterization.html#eq-4.1\">equation 4.1</a>"))
        #expect(html.contains("<code>equation 5.2</code>"))
        #expect(html.contains("or equation 9.1."), "a chapter the book does not have is not linked")
    }
}
