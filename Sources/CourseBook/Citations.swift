import Foundation

/// Citations in the prose, by author and year, and the bibliography entry each one names.
///
/// A citation is a surname, then "et al." or the other authors' surnames ("Kingma and Welling",
/// "Sutter, Daunhawer & Vogt"), then the year, perhaps after a comma or an opening parenthesis:
/// "Burda et al. 2016", "Burda et al. (2016, theorem 1)", "Efron, 1979", "Nalisnick et al. 2019b".
/// It resolves to the one entry of `Bibliography.references` whose first author, number of
/// authors ("et al." is three or more) and year it matches. The book links every citation that
/// resolves to its entry on the references page, and refuses to weave a citation that names
/// several authors or a cited author but matches no single entry (a typo, a missing entry, "2019"
/// where the author has a 2019a and a 2019b), as it refuses any other weaving problem. One surname
/// and a year of an author the bibliography does not know ("Swift 6", "MNIST, 1998") is not taken
/// for a citation.
public enum Citations {
    /// A citation as written in a run of text.
    struct Mention {
        /// Where it is in the text (UTF-16, as `NSRange`), and the text itself.
        var range: NSRange
        var text: String
        var firstSurname: String
        /// The other authors named ("and Welling"), empty for "et al." or a single author.
        var otherSurnames: [String]
        var etAl: Bool
        var year: String
        /// Where the year starts in the text, when a parenthesis stands before it.
        var parenthesis: NSRange?
    }

    /// What a mention names: an entry, nothing (not a citation), or a problem in words.
    enum Resolution: Equatable {
        case reference(Reference)
        case notACitation
        case problem(String)
    }

    private static let surname = #"\p{Lu}[\p{L}\-]+"#
    private static let pattern = try! NSRegularExpression(pattern:
        #"(?<![\p{L}\-])("# + surname + #")( et al\.|(?:, (?:van der )?"# + surname + #")*,? (?:and|&amp;|&) (?:van der )?"#
        + surname + #")?,? (\()?((?:19|20)\d\d[a-z]?)(?![\d\p{L}])"#)

    /// The citations in `text` (escaped HTML text or plain text), in order.
    static func mentions(in text: String) -> [Mention] {
        let ns = text as NSString
        return pattern.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { match in
            let middle = match.range(at: 2).location == NSNotFound ? "" : ns.substring(with: match.range(at: 2))
            let others = middle == " et al." ? [] : middle
                .replacingOccurrences(of: "&amp;", with: "and").replacingOccurrences(of: "&", with: "and")
                .replacingOccurrences(of: "van der ", with: "")
                .components(separatedBy: CharacterSet(charactersIn: ", ")).filter { !$0.isEmpty && $0 != "and" }
            return Mention(range: match.range, text: ns.substring(with: match.range),
                           firstSurname: ns.substring(with: match.range(at: 1)), otherSurnames: others,
                           etAl: middle == " et al.", year: ns.substring(with: match.range(at: 4)),
                           parenthesis: match.range(at: 3).location == NSNotFound ? nil : match.range(at: 3))
        }
    }

    /// The entry `mention` names among `references`.
    static func resolve(_ mention: Mention, in references: [Reference] = Bibliography.references) -> Resolution {
        func last(_ name: String) -> String { String(name.split(separator: " ").last ?? "") }
        let byAuthor = references.filter { last($0.surnames[0]) == mention.firstSurname }
        let namesSeveral = mention.etAl || !mention.otherSurnames.isEmpty
        guard !byAuthor.isEmpty else {
            return namesSeveral ? .problem("“\(mention.text)” cites a work the bibliography does not have (Sources/CourseBook/Bibliography.swift)")
                : .notACitation
        }
        let byForm = byAuthor.filter { reference in
            if mention.etAl { return reference.authors.count >= 3 }
            return reference.authors.count == 1 + mention.otherSurnames.count
                && zip(reference.surnames.dropFirst(), mention.otherSurnames).allSatisfy { last($0) == $1 }
        }
        let digits = { (year: String) in String(year.prefix(4)) }
        let exact = byForm.filter { $0.year == mention.year }
        let matches = !exact.isEmpty ? exact
            : mention.year.count == 4 ? byForm.filter { digits($0.year) == mention.year } : []
        if matches.count == 1 { return .reference(matches[0]) }
        let known = byAuthor.map { "\($0.surnames.count > 2 ? $0.surnames[0] + " et al." : $0.surnames.joined(separator: " and ")) \($0.year)" }
        if matches.count > 1 {
            return .problem("“\(mention.text)” could be any of " + known.joined(separator: ", ") + ": cite it with its year's letter")
        }
        return .problem("“\(mention.text)” matches no work of the bibliography; of \(mention.firstSurname) it has: " + known.joined(separator: ", "))
    }

    /// `html` (prose HTML) with every citation that resolves linked to its entry in `referencesPage`.
    static func link(_ html: String, referencesPage: String = ReferencesPage.fileName) -> String {
        ProseText.mapText(html) { text in
            let ns = text as NSString
            var out = "", last = 0
            for mention in mentions(in: text) {
                guard case .reference(let reference) = resolve(mention) else { continue }
                let href = "\(referencesPage)#\(reference.key)"
                out += ns.substring(with: NSRange(location: last, length: mention.range.location - last))
                if let parenthesis = mention.parenthesis {
                    // "Burda et al. (2016, theorem 1)": the names and the year each a link, the parenthesis between them.
                    let names = ns.substring(with: NSRange(location: mention.range.location, length: parenthesis.location - mention.range.location))
                    let trimmed = names.trimmingCharacters(in: .whitespaces)
                    out += "<a class=\"cite\" href=\"\(href)\">\(trimmed)</a>" + names.dropFirst(trimmed.count)
                        + "(<a class=\"cite\" href=\"\(href)\">\(mention.year)</a>"
                } else {
                    out += "<a class=\"cite\" href=\"\(href)\">\(mention.text)</a>"
                }
                last = mention.range.location + mention.range.length
            }
            return out + ns.substring(from: last)
        }
    }

    /// The entries `html` (prose HTML) cites, and the citations in it that resolve to none, in words.
    static func check(_ html: String) -> (keys: [String], problems: [String]) {
        var keys: [String] = [], problems: [String] = []
        _ = ProseText.mapText(html) { text in
            for mention in mentions(in: text) {
                switch resolve(mention) {
                case .reference(let reference): keys.append(reference.key)
                case .problem(let problem): problems.append(problem)
                case .notACitation: break
                }
            }
            return text
        }
        return (keys, problems)
    }
}

/// The references page: every entry of the bibliography in full, by first author, each with the
/// chapters that cite it.
struct ReferencesPage {
    static let fileName = "references.html"

    var references: [Reference] = Bibliography.references
    /// The pages citing each entry, by key: (file, title) in teaching order.
    var citedBy: [String: [(file: String, title: String)]]

    func html() -> String {
        let sorted = references.sorted { ($0.surnames[0].split(separator: " ").last ?? "", $0.year) < ($1.surnames[0].split(separator: " ").last ?? "", $1.year) }
        var body = "<p>Every work the chapters and the library cite. A citation in a chapter's prose (“Burda et al. 2016”)"
            + " links here; each entry lists the chapters that cite it. The list is"
            + " <code>Sources/CourseBook/Bibliography.swift</code>, and the book refuses a citation it cannot find in it.</p>\n<ol class=\"references\">\n"
        for reference in sorted {
            body += "<li id=\"\(reference.key)\">" + reference.html
            let pages = citedBy[reference.key] ?? []
            body += pages.isEmpty ? " <span class=\"cited-by\">Cited in the library's sources.</span>"
                : " <span class=\"cited-by\">Cited in " + pages.map { "<a href=\"\(HTML.escape($0.file))\">\(HTML.escape($0.title))</a>" }
                    .joined(separator: "; ") + ".</span>"
            body += "</li>\n"
        }
        body += "</ol>\n"
        let navigation = Page.navigation(previous: nil, next: nil)
        return Page.document(title: "References · a VAE from scratch",
                             body: navigation + "<main>\n<h1>References</h1>\n" + body + "</main>\n" + navigation)
    }
}
