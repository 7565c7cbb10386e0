#!/usr/bin/env python3
"""The book's pages in a real browser: Debian's headless Chromium, driven through its DevTools
protocol (the `Browser` of explorer_test.py), in a window 1280 pixels wide, as a projector shows it.

    book_test.py PAGE.html ...

For every page, after its images finished loading and with every <details> opened:
  - it has an <h1>, text, and no script;
  - every <img> was found and decoded (naturalWidth > 0);
  - no block of code or output (<pre>) and no table is wider than its column: a block's content
    is no wider than the block (scrollWidth), no block or table reaches past the right edge of the
    page's <main>, and the page itself does not scroll sideways;
  - every equation's MathML is laid out: each <math> has a size and each subscript sits lower than
    its base;
  - every link of the page's contents (nav.toc) leads to an element of the page, and a chapter's
    page (chNN-*.html) has such contents;
  - every other link that stays in the book or the package (no scheme) leads to a file that
    exists, and, when it names an anchor, to an element with that id in that file;
  - the contents page (index.html) links to the results page and the about page when they exist.
Each check prints "ok   ..." or "FAIL ..."; the exit status is 1 when any failed.
"""
import json, os, pathlib, sys, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from explorer_test import Browser  # noqa: E402

WIDTH, HEIGHT = 1280, 800

MEASURE = """(async () => {
  await Promise.all(Array.from(document.images).map(img => img.complete ? null :
    new Promise(done => { img.addEventListener("load", done); img.addEventListener("error", done); })));
  document.querySelectorAll("details").forEach(d => { d.open = true; });
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const main = document.querySelector("main") || document.body;
  const right = main.getBoundingClientRect().right;
  const describe = e => e.tagName.toLowerCase() + (e.className ? "." + e.className : "") + " \u201c"
    + e.innerText.trim().split("\\n")[0].slice(0, 50) + "\u201d";
  const blocks = Array.from(main.querySelectorAll("pre, table"));
  const wide = blocks.filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > right + 1)
    .map(e => describe(e) + ": " + Math.max(e.scrollWidth, Math.round(e.getBoundingClientRect().width)) + " px");
  // Equations are MathML: each <math> has a size, and every subscript sits lower than its base
  // (a browser that did not lay out MathML would set them on one line, as plain text).
  const maths = Array.from(main.querySelectorAll("math"));
  const empty = maths.filter(m => { const b = m.getBoundingClientRect(); return b.width < 2 || b.height < 2; }).length;
  const flat = Array.from(main.querySelectorAll("msub")).filter(s => s.children.length === 2 &&
    s.children[1].getBoundingClientRect().bottom <= s.children[0].getBoundingClientRect().bottom + 0.5)
    .map(s => s.closest("math").getAttribute("alttext"));
  const links = Array.from(document.querySelectorAll("nav.toc a"));
  const unresolved = links.map(a => a.getAttribute("href"))
    .filter(h => !h.startsWith("#") || !document.getElementById(decodeURIComponent(h.slice(1))));
  return { title: document.title, h1: document.querySelectorAll("h1").length,
    text: document.body ? document.body.innerText.length : 0, scripts: document.scripts.length,
    images: document.images.length,
    broken: Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute("src")),
    blocks: blocks.length, wide, sideways: document.documentElement.scrollWidth - window.innerWidth,
    contents: links.length, unresolved, width: window.innerWidth, maths: maths.length, empty, flat,
    local: Array.from(document.querySelectorAll("a[href]")).map(a => a.getAttribute("href"))
      .filter(h => !h.startsWith("#") && !/^[a-z][a-z0-9+.-]*:/i.test(h)) };
})()"""


def broken_links(page, hrefs):
    """The relative links of `page` that lead to no file, or to no element with their anchor."""
    broken = []
    folder = os.path.dirname(os.path.abspath(page))
    for href in hrefs:
        path, _, anchor = href.partition("#")
        target = os.path.normpath(os.path.join(folder, urllib.parse.unquote(path.split("?")[0])))
        if not os.path.exists(target):
            broken.append(href)
        elif anchor and target.endswith(".html"):
            with open(target, encoding="utf-8") as f:
                if f'id="{anchor}"' not in f.read():
                    broken.append(href)
    return broken


def main(pages):
    browser = Browser(width=WIDTH, height=HEIGHT)
    failed = False
    linked = {}
    try:
        for page in pages:
            name = os.path.basename(page)
            url = pathlib.Path(page).resolve().as_uri()
            browser.navigate("about:blank")
            browser.wait("location.href === 'about:blank'", timeout=10)
            browser.navigate(url)
            if not browser.wait("location.protocol === 'file:' && document.readyState === 'complete'", timeout=60):
                print(f"FAIL {name}: did not load"); failed = True; continue
            r = browser.evaluate(MEASURE, timeout=120)
            problems = []
            if r["width"] != WIDTH: problems.append(f"the window is {r['width']} px wide, not {WIDTH}")
            if r["h1"] < 1: problems.append("no <h1>")
            if r["text"] < 500: problems.append(f"only {r['text']} characters of text")
            if r["scripts"]: problems.append(f"{r['scripts']} scripts")
            if r["broken"]: problems.append("images not shown: " + ", ".join(r["broken"]))
            if r["wide"]: problems.append(f"{len(r['wide'])} blocks wider than the page: " + "; ".join(r["wide"][:5]))
            if r["sideways"] > 0: problems.append(f"the page scrolls sideways by {r['sideways']} px")
            if r["unresolved"]: problems.append("contents links that lead nowhere: " + ", ".join(r["unresolved"]))
            if r["empty"]: problems.append(f"{r['empty']} of {r['maths']} equations drawn with no size")
            if r["flat"]: problems.append(f"{len(r['flat'])} subscripts not lowered (MathML not laid out): " + "; ".join(r["flat"][:3]))
            if name.startswith("ch") and r["contents"] == 0: problems.append("no contents (nav.toc) at the top")
            broken = broken_links(page, r["local"])
            if broken: problems.append("links to nothing: " + ", ".join(broken[:5]))
            linked[name] = set(r["local"])
            if problems:
                failed = True
                print(f"FAIL {name}: " + "; ".join(problems))
            else:
                print(f"ok   {name}: \"{r['title']}\", {r['text']} characters; at {WIDTH} px, none of its {r['blocks']} code, "
                      f"output and table blocks wider than the page; {r['maths']} pieces of mathematics laid out; "
                      f"{r['images']} images, all decoded; "
                      f"{r['contents']} contents links, all resolve; {len(r['local'])} other links, all lead somewhere")
    finally:
        browser.close()
    names = {os.path.basename(p) for p in pages}
    for other in ("results.html", "about.html"):
        if "index.html" in linked and other in names and other not in linked["index.html"]:
            print(f"FAIL index.html: does not link to {other}"); failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: book_test.py PAGE.html ...")
    sys.exit(main(sys.argv[1:]))
