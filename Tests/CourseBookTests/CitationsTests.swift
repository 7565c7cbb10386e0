import Foundation
import Testing
import CourseSupport
@testable import CourseBook

/// Citations by author and year resolve to one entry of the bibliography, link to it on the
/// references page, and a citation that resolves to none stops the book.
struct CitationsTests {
    private func resolved(_ text: String) -> [String] {
        Citations.mentions(in: text).compactMap {
            if case .reference(let reference) = Citations.resolve($0) { return reference.key } else { return nil }
        }
    }

    @Test func theFormsTheChaptersUseResolve() {
        #expect(resolved("the bound (Burda et al. 2016) tightens") == ["burda2016"])
        #expect(resolved("Burda et al. (2016, theorem 1) show") == ["burda2016"])
        #expect(resolved("Burda, Grosse and Salakhutdinov 2016") == ["burda2016"])
        #expect(resolved("(Sutter, Daunhawer &amp; Vogt 2021)") == ["sutter2021"])
        #expect(resolved("(Maaten & Hinton, 2008)") == ["maaten2008"])
        #expect(resolved("Efron, 1979") == ["efron1979"])
        #expect(resolved("Tonnaer 2023") == ["tonnaer2023"])
    }

    /// One author with two works of a year, and two works of one author and year with different
    /// co-authors, are told apart by the letter and by the form of the citation.
    @Test func namesAndLettersTellWorksApart() {
        #expect(resolved("Kingma and Welling 2014") == ["kingma2014"])
        #expect(resolved("Kingma et al., 2014") == ["kingma2014semi"])
        #expect(resolved("Kingma et al. 2016") == ["kingma2016"])
        #expect(resolved("Nalisnick et al. 2019a and Nalisnick et al. 2019b") == ["nalisnick2019a", "nalisnick2019b"])
        #expect(resolved("He et al. 2016") == ["he2016"])
        #expect(resolved("He et al., 2015") == ["he2015"])
    }

    @Test func whatIsNotACitationIsLeftAlone() {
        for text in ["Swift 2014", "MNIST, 1998", "chapter 12, 2000 images", "RFC 1952", "the 2016 paper"] {
            for mention in Citations.mentions(in: text) {
                #expect(Citations.resolve(mention) == .notACitation, "\(text)")
            }
        }
    }

    @Test func aCitationOfNoSingleEntryIsAProblem() {
        func problem(_ text: String) -> Bool {
            Citations.mentions(in: text).contains { if case .problem = Citations.resolve($0) { return true } else { return false } }
        }
        #expect(problem("Smith et al. 2020"), "an unknown work of several authors")
        #expect(problem("Burda et al. 2017"), "a known author, the wrong year")
        #expect(problem("Nalisnick et al. 2019"), "two works of that author and year")
        #expect(problem("Kingma 2014"), "one author where the work has two")
        #expect(!problem("Burda et al. 2016"))
    }

    @Test func citationsLinkToTheirEntryOutsideCode() {
        let html = Citations.link("<p>As Burda et al. (2016, theorem 1) and (Kingma and Welling 2014) show; <code>Burda et al. 2016</code>.</p>")
        #expect(html.contains("<a class=\"cite\" href=\"references.html#burda2016\">Burda et al.</a> (<a class=\"cite\" href=\"references.html#burda2016\">2016</a>, theorem 1)"))
        #expect(html.contains("(<a class=\"cite\" href=\"references.html#kingma2014\">Kingma and Welling 2014</a>)"))
        #expect(html.contains("<code>Burda et al. 2016</code>"), "code is not linked")
    }

    @Test func theBibliographyIsWellFormed() {
        let keys = Bibliography.references.map(\.key)
        #expect(Set(keys).count == keys.count, "keys are unique")
        for reference in Bibliography.references {
            #expect(!reference.authors.isEmpty && !reference.title.isEmpty && !reference.venue.isEmpty, "\(reference.key)")
            #expect(reference.year.range(of: #"^(19|20)\d\d[a-z]?$"#, options: .regularExpression) != nil, "\(reference.key)")
        }
        #expect(Reference("k", ["L. van der Maaten", "G. Hinton"], "2008", "t", "v").surnames == ["van der Maaten", "Hinton"])
    }

    /// Every citation in the chapters' prose resolves, and every entry is cited somewhere in the
    /// chapters or the library (so that the list does not keep works no one cites).
    @Test func theCourseCitesOnlyWhatTheBibliographyHolds() throws {
        let book = Book(chapterSources: CoursePaths.root.appendingPathComponent("Chapters"), chapters: try CoursePaths.chapters(),
                        readme: CoursePaths.root.appendingPathComponent("README.md"), figures: FileManager.default.temporaryDirectory,
                        root: CoursePaths.root)
        var cited = Set<String>()
        for chapter in try CoursePaths.chapters() {
            let page = try book.page(for: chapter)
            #expect(page.citations.problems.isEmpty, "\(chapter): \(page.citations.problems)")
            cited.formUnion(page.citations.keys)
        }
        #expect(cited.contains("kingma2014") && cited.contains("burda2016"))
        var library = ""
        let sources = CoursePaths.root.appendingPathComponent("Sources")
        for case let file as URL in FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)! where file.pathExtension == "swift"
            && file.lastPathComponent != "Bibliography.swift" {
            library += " " + (try String(contentsOf: file, encoding: .utf8)).replacingOccurrences(of: "///", with: " ")
                .replacingOccurrences(of: "//", with: " ")
        }
        library = library.replacingOccurrences(of: #"\s+"#, with: " ", options: .regularExpression)
        for mention in Citations.mentions(in: library) {
            if case .reference(let reference) = Citations.resolve(mention) { cited.insert(reference.key) }
        }
        let uncited = Bibliography.references.map(\.key).filter { !cited.contains($0) }
        #expect(uncited.isEmpty, "entries no chapter or library file cites: \(uncited)")
    }
}
