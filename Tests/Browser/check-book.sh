#!/usr/bin/env bash
# Renders every page of the book in a real browser (Debian's headless Chromium) and checks it:
#   - each DIR/book/*.html loads and shows a heading and text, with no script and no external URL;
#   - every <img> it shows was found and decoded by the browser (naturalWidth > 0), checked from
#     inside the browser, page by page, through a harness page that opens each one in a frame;
#   - each page prints to a PDF of at least one page (as a teacher would print it);
#   - a screenshot of the ch05-elbo page is written to DIR/book/ch05-elbo.screenshot.png.
# Usage: bash Tests/Browser/check-book.sh DIR      (DIR: the --figures folder of a figures run)
# Chromium is installed with apt-get when missing (as root, or through sudo).
set -euo pipefail

dir=${1:?usage: check-book.sh FIGURES_DIR (the folder holding book/)}
book=$(cd "$dir/book" && pwd)
[ -s "$book/index.html" ] || { echo "check-book: no $book/index.html: run figures (or book) first" >&2; exit 1; }

source "$(dirname "$0")/chromium.sh"     # $browser, installed when missing

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run_browser() {   # headless, its own profile, quiet; as root Chromium needs --no-sandbox
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars \
    --user-data-dir="$work/profile" "$@" 2>>"$work/browser.log"
}

pages=("$book"/*.html)
failed=0

# 1. Static checks of each page's source: no script, nothing loaded from elsewhere.
for page in "${pages[@]}"; do
  if grep -qi '<script' "$page"; then echo "FAIL $(basename "$page"): has a <script>"; failed=1; fi
  if grep -Eqi '(src|href)="(https?:)?//' "$page"; then echo "FAIL $(basename "$page"): refers to an external URL"; failed=1; fi
done

# 2. In the browser: a harness page opens each book page in a frame and records what rendered.
python3 - "$work/harness.html" "${pages[@]}" <<'PY'
import json, pathlib, sys
harness, pages = sys.argv[1], sys.argv[2:]
urls = [pathlib.Path(p).resolve().as_uri() for p in pages]
pathlib.Path(harness).write_text("""<!DOCTYPE html><html><body><pre id="result">pending</pre>
<iframe id="frame" style="width:1200px;height:900px"></iframe>
<script>
const pages = %s;
const results = [];
const frame = document.getElementById("frame");
function settle(doc) {   // wait until every image finished loading (or failed)
  return Promise.all(Array.from(doc.images).map(img => img.complete ? null :
    new Promise(done => { img.addEventListener("load", done); img.addEventListener("error", done); })));
}
async function check(url) {
  await new Promise(done => { frame.onload = done; frame.src = url; });
  const doc = frame.contentDocument;
  await settle(doc);
  return { url, title: doc.title, h1: doc.querySelectorAll("h1").length,
    text: doc.body ? doc.body.innerText.length : 0,
    images: doc.images.length,
    broken: Array.from(doc.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute("src")),
    pre: doc.querySelectorAll("pre").length, scripts: doc.scripts.length };
}
(async () => {
  for (const url of pages) { try { results.push(await check(url)); } catch (e) { results.push({ url, error: String(e) }); } }
  document.getElementById("result").textContent = "RESULT" + JSON.stringify(results) + "END";
})();
</script></body></html>""" % json.dumps(urls))
PY
run_browser --allow-file-access-from-files --virtual-time-budget=60000 --dump-dom "file://$work/harness.html" > "$work/dom.html" || true
python3 - "$work/dom.html" <<'PY' || failed=1
import html, json, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
match = re.search(r"RESULT(.*?)END", html.unescape(dom), re.S)
if not match:
    print("FAIL the browser did not finish the harness page (see the browser's log)"); sys.exit(1)
bad = False
for page in json.loads(match.group(1)):
    name = page["url"].rsplit("/", 1)[-1]
    problems = []
    if "error" in page: problems.append(page["error"])
    else:
        if page["h1"] < 1: problems.append("no <h1>")
        if page["text"] < 500: problems.append(f"only {page['text']} characters of text")
        if page["scripts"]: problems.append(f"{page['scripts']} scripts")
        if page["broken"]: problems.append("images not shown: " + ", ".join(page["broken"]))
    if problems:
        bad = True; print(f"FAIL {name}: " + "; ".join(problems))
    else:
        print(f"ok   {name}: \"{page['title']}\", {page['text']} characters, {page['pre']} code/output blocks, {page['images']} images, all decoded")
sys.exit(1 if bad else 0)
PY

# 3. Each page prints to PDF.
for page in "${pages[@]}"; do
  pdf="$work/$(basename "$page" .html).pdf"
  run_browser --no-pdf-header-footer --print-to-pdf="$pdf" "file://$page" >/dev/null || true
  count=$(python3 -c "import re,sys; print(len(re.findall(rb'/Type\s*/Page[^s]', open(sys.argv[1],'rb').read())))" "$pdf" 2>/dev/null || echo 0)
  if [ "$count" -ge 1 ]; then echo "ok   $(basename "$page") prints to $count PDF pages"
  else echo "FAIL $(basename "$page") did not print to PDF"; failed=1; fi
done

# 4. The screenshot of one chapter, as the book shows it.
shot="$book/ch05-elbo.screenshot.png"
if [ -s "$book/ch05-elbo.html" ]; then
  run_browser --window-size=1100,2600 --screenshot="$work/shot.png" "file://$book/ch05-elbo.html" >/dev/null || true
  if [ -s "$work/shot.png" ]; then cp "$work/shot.png" "$shot"; echo "ok   screenshot: $shot"
  else echo "FAIL no screenshot of ch05-elbo.html"; failed=1; fi
fi

if [ "$failed" -ne 0 ]; then
  echo "check-book: FAILED; the browser's last messages (D-Bus errors are harmless here):"
  grep -v dbus "$work/browser.log" | tail -20 || true
  exit 1
fi
echo "check-book: all ${#pages[@]} pages rendered in $("$browser" --version 2>/dev/null | head -1)"
