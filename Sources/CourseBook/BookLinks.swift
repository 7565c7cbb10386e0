import Foundation

/// The running text of prose HTML: what lies outside tags, and outside code, formulas and links.
enum ProseText {
    /// `html` with each run of running text replaced by `transform` of it; tags, and text inside
    /// `<code>`, `<pre>` or `<a>`, are kept as they are.
    static func mapText(_ html: String, _ transform: (String) -> String) -> String {
        var result = "", depth = 0                       // depth: inside <code>, <a> or <pre>
        var rest = html[...]
        while !rest.isEmpty {
            if rest.first == "<", let close = rest.firstIndex(of: ">") {
                let tag = rest[...close]
                let name = tag.dropFirst().prefix { $0.isLetter || $0 == "/" }
                if ["code", "a", "pre"].contains(name) { depth += 1 }
                if ["/code", "/a", "/pre"].contains(name) { depth = max(0, depth - 1) }
                result += tag
                rest = rest[rest.index(after: close)...]
                continue
            }
            let end = rest.firstIndex(of: "<") ?? rest.endIndex
            let text = String(rest[..<end])
            result += depth > 0 ? text : transform(text)
            rest = rest[end...]
        }
        return result
    }
}

/// Links between chapters: where a page's prose says "chapter 4" (or "Chapter 4"), the words
/// become a link to chapter 4's page, so that "chapter 4's trick" takes the reader to it. A
/// page does not link to itself, and code, formulas and existing links are left alone.
enum CrossLinks {
    /// `html` (prose HTML) with each "chapter N" in its text linked to `pages[N]`, except N = `current`.
    static func link(_ html: String, pages: [Int: String], current: Int?) -> String {
        guard !pages.isEmpty else { return html }
        return ProseText.mapText(html) { linked($0, pages: pages, current: current) }
    }

    /// One run of text with its "chapter N" linked.
    private static let mention = try! NSRegularExpression(pattern: #"\b([Cc]hapter) (\d{1,2})(?!\d)"#)

    private static func linked(_ text: String, pages: [Int: String], current: Int?) -> String {
        let regex = mention
        let ns = text as NSString
        var out = "", last = 0
        for match in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            let number = Int(ns.substring(with: match.range(at: 2)))!
            guard let page = pages[number], number != current else { continue }
            out += ns.substring(with: NSRange(location: last, length: match.range.location - last))
            out += "<a class=\"chapter-link\" href=\"\(page)\">" + ns.substring(with: match.range) + "</a>"
            last = match.range.location + match.range.length
        }
        return out + ns.substring(from: last)
    }

    /// The chapter number of a chapter's name (`ch04-reparameterization` is 4), nil for another name.
    static func number(of name: String) -> Int? {
        guard name.hasPrefix("ch") else { return nil }
        return Int(name.dropFirst(2).prefix { $0.isNumber })
    }
}

/// Links from the prose to the figures it names: `ch05-samples.png` (in code or plain text)
/// becomes a link to that figure on its page, followed by its number ("figure 5.3"); a name the
/// book does not show is left as it is.
enum FigureLinks {
    /// The id of a figure's element on its page: `ch05-samples.png` is `fig-ch05-samples`.
    static func anchor(_ name: String) -> String { "fig-" + name.replacingOccurrences(of: ".png", with: "") }

    /// `html` (prose HTML of the page `page`) with every figure name in `figures` linked.
    static func link(_ html: String, figures: [String: (link: String, number: String)], page: String) -> String {
        guard !figures.isEmpty,
              let regex = try? NSRegularExpression(pattern: ##"(?<!["#/\w-])(<code>)?(ch\d\d-[a-z0-9-]+\.png)(</code>)?"##) else { return html }
        let ns = html as NSString
        var out = "", last = 0
        for match in regex.matches(in: html, range: NSRange(location: 0, length: ns.length)) {
            let before = ns.substring(with: NSRange(location: last, length: match.range.location - last))
            // Inside an existing link when the last `<a ` before the match is not closed before it.
            let prefix = ns.substring(to: match.range.location) as NSString
            let opened = prefix.range(of: "<a ", options: .backwards).location
            let closed = prefix.range(of: "</a>", options: .backwards).location
            let insideLink = opened != NSNotFound && (closed == NSNotFound || closed < opened)
            let name = ns.substring(with: match.range(at: 2))
            guard !insideLink, let target = figures[name] else { continue }
            let local = target.link.hasPrefix(page + "#")
            let href = local ? String(target.link.dropFirst(page.count)) : target.link
            out += before + "<a class=\"figure-link\" href=\"\(href)\">" + ns.substring(with: match.range) + "</a> (figure \(target.number))"
            last = match.range.location + match.range.length
        }
        return out + ns.substring(from: last)
    }
}
