/// The frame every page of the book shares: one small style sheet, `book.css` beside the pages
/// (screen and print), no script, nothing loaded from elsewhere.
public enum Page {
    /// A complete HTML document with `title` and `body`.
    public static func document(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title))</title>
        <link rel="stylesheet" href="\(styleSheetName)">
        </head>
        <body>
        \(body)</body>
        </html>

        """
    }

    /// Links to the previous chapter, the index and the next chapter (`(file, title)` pairs).
    public static func navigation(previous: (file: String, title: String)?, next: (file: String, title: String)?) -> String {
        var links: [String] = []
        if let previous { links.append("<a rel=\"prev\" href=\"\(HTML.escape(previous.file))\">← \(HTML.escape(previous.title))</a>") }
        links.append("<a href=\"index.html\">Contents</a>")
        if let next { links.append("<a rel=\"next\" href=\"\(HTML.escape(next.file))\">\(HTML.escape(next.title)) →</a>") }
        return "<nav>" + links.joined(separator: " · ") + "</nav>\n"
    }

    /// The style sheet's file name, in the book's folder.
    public static let styleSheetName = "book.css"

    /// Serif prose, monospace code and output, figures that fit the page.
    ///
    /// Code and output never scroll sideways: at a 1280-pixel window the column holds about 98
    /// characters of code, and a longer line wraps onto continuation lines indented under it
    /// (each line is a block, `CodeLines`, with a hanging indent past its own indentation).
    /// Result lines are tables, with the numbers aligned. In print: no navigation but the page's
    /// contents, and long blocks of code and output, and long tables, break across pages (a page
    /// break never falls inside one line, one table row, a figure or a formula) instead of leaving
    /// a page nearly empty before each.
    static let styleSheet = """
    :root { --ink: #1d1d1f; --muted: #5f6368; --rule: #d9dce1; --code-bg: #f6f7f9; --out-bg: #fbf8ef; }
    html { font-size: 17px; }
    body { margin: 0 auto; max-width: 52rem; padding: 1.5rem 1.25rem 4rem; color: var(--ink); background: #fff;
      font-family: "Iowan Old Style", "Palatino Linotype", Palatino, "Book Antiqua", Georgia, "DejaVu Serif", serif;
      line-height: 1.55; }
    h1, h2, h3, nav, figcaption, summary, .output-title, .note, table { font-family: "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; }
    h1 { font-size: 1.9rem; line-height: 1.2; margin: 1.2rem 0 1rem; }
    h2 { font-size: 1.35rem; margin: 2.2rem 0 0.6rem; padding-top: 0.4rem; border-top: 1px solid var(--rule); }
    h3 { font-size: 1.1rem; margin: 1.6rem 0 0.5rem; }
    nav { font-size: 0.9rem; color: var(--muted); margin: 0.5rem 0; }
    nav a { color: #0b57d0; text-decoration: none; }
    nav.toc { border: 1px solid var(--rule); border-radius: 4px; padding: 0.4rem 0.9rem; margin: 0 0 1.5rem; }
    nav.toc .toc-title { margin: 0.2rem 0; font-weight: bold; color: var(--ink); }
    nav.toc ul { list-style: none; margin: 0.2rem 0; padding: 0; columns: 2; column-gap: 2rem; }
    nav.toc li { margin: 0.15rem 0; break-inside: avoid; }
    @media (max-width: 40rem) { nav.toc ul { columns: 1; } }
    a { color: #0b57d0; }
    code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.8rem; }
    p code, li code, td code, h2 code, h3 code, caption code { background: var(--code-bg); padding: 0 0.2em; border-radius: 3px; }
    pre { padding: 0.6rem 0.8rem; line-height: 1.4; border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere; }
    pre .line { display: block; padding-left: calc(var(--indent, 0) * 1ch + 3ch); text-indent: calc(var(--indent, 0) * -1ch - 3ch); }
    pre .line:empty { height: 1.4em; }
    pre.code { background: var(--code-bg); border-left: 3px solid #9aa5b1; }
    pre.formula { background: none; padding: 0.2rem 0 0.2rem 1.5rem; font-size: 0.85rem; }
    .equation { display: flex; align-items: center; gap: 0.5rem; }
    .equation pre.formula { flex: 1; min-width: 0; margin: 0.6rem 0; }
    .equation-number { font-size: 0.85rem; color: var(--muted); white-space: nowrap; }
    math { font-family: "STIX Two Math", "Latin Modern Math", "Cambria Math", math; font-size: 1.05rem; }
    table.formula { margin: 0.6rem 0 0.6rem 1.5rem; font-family: inherit; font-size: 1rem; }
    table.formula td { border: none; padding: 0.15rem 1.2em 0.15rem 0; vertical-align: baseline; white-space: nowrap; }
    table.formula td.remark { font-size: 0.85rem; color: var(--muted); white-space: normal; }
    .equation table.formula { flex: 1; min-width: 0; }
    pre.output { background: var(--out-bg); border-left: 3px solid #d4a72c; }
    pre.markdown { background: var(--code-bg); }
    details.options { margin: 1rem 0; }
    details.answer { margin: 0.4rem 0 1rem; }
    details.answer summary { cursor: pointer; font-size: 0.85rem; color: var(--muted); }
    details.options summary { cursor: pointer; font-size: 0.85rem; color: var(--muted); }
    details.options[open] summary { margin-bottom: 0.4rem; }
    .output-title { font-size: 0.8rem; color: var(--muted); margin: 0.8rem 0 0.2rem; text-transform: uppercase; letter-spacing: 0.04em; }
    figure { margin: 1rem 0; text-align: center; }
    figure.quote { text-align: left; }
    figure.quote figcaption { margin-bottom: 0.2rem; }
    img { max-width: 100%; height: auto; }
    figcaption, .note { font-size: 0.85rem; color: var(--muted); }
    .note { border-left: 3px solid var(--rule); padding-left: 0.6rem; }
    table { border-collapse: collapse; margin: 1rem 0; font-size: 0.85rem; }
    th, td { border: 1px solid var(--rule); padding: 0.25rem 0.5rem; vertical-align: top; }
    table.result { margin: 0.6rem 0; font-size: 0.8rem; background: var(--out-bg); font-variant-numeric: tabular-nums; }
    table.result caption { text-align: left; font-size: 0.8rem; color: var(--muted); padding-bottom: 0.2rem; }
    table.result th { text-align: left; font-weight: 600; }
    table.result td.number { text-align: right; }
    ul.chapters li { margin-bottom: 0.8rem; }
    ol.references li { margin-bottom: 0.6rem; }
    .cited-by { font-size: 0.85rem; color: var(--muted); }
    .address { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.75rem; overflow-wrap: anywhere; }
    ul.chapters p, ul.chapters pre { margin: 0.25rem 0; }
    .appendix { margin-top: 3rem; }
    footer { margin-top: 3rem; font-size: 0.8rem; color: var(--muted); border-top: 1px solid var(--rule); padding-top: 0.5rem; }
    @media print {
      html { font-size: 11pt; }
      body { max-width: none; padding: 0; }
      nav { display: none; }
      nav.toc { display: block; }
      a { color: inherit; text-decoration: none; }
      pre { overflow: visible; }
      pre .line, tr, figure, pre.formula, table.formula { break-inside: avoid; page-break-inside: avoid; }
      figure.quote { break-inside: auto; page-break-inside: auto; }
      thead { display: table-header-group; }
      h1, h2, h3, .output-title, summary, caption { break-after: avoid; page-break-after: avoid; }
      figure img { max-height: 80vh; }
    }

    """
}
