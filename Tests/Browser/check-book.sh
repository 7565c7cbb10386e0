#!/usr/bin/env bash
# Renders every page of the book in a real browser (Debian's headless Chromium) and checks it:
#   - each DIR/book/*.html has no script and no external URL (in its source);
#   - in a 1280-pixel window, driven through DevTools (Tests/Browser/book_test.py): each page shows
#     a heading and text; every <img> was found and decoded (naturalWidth > 0); no block of code or
#     output and no table is wider than the page (nothing scrolls sideways); every link of the
#     page's contents leads to an element of the page, every other local link to a file (and its
#     anchor) that exists, and the contents page links to the results and about pages;
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

# 2. In the browser, driven through DevTools (book_test.py), in a window 1280 px wide: each page
#    shows a heading and text, every image decoded, no block of code or output and no table wider
#    than the page, and every link of the page's contents leads to an element of it.
CHROMIUM="$browser" python3 "$(dirname "$0")/book_test.py" "${pages[@]}" || failed=1

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
