#!/usr/bin/env bash
# The explorer and the live view of training in a real browser: Debian's headless Chromium,
# driven through its DevTools protocol by Tests/Browser/explorer_test.py (Python's standard
# library only; every interaction a real mouse event):
#   - `vae explore CHECKPOINT`: the page opens; a slider is dragged and the decoded image must
#     change, with the decode latency measured on the server and from the page; the map's hover
#     and click; a digit drawn on the canvas and the encoder's answer (μ, σ, ELBO, the
#     out-of-distribution verdict); every layer's feature maps; both interpolation paths.
#     Screenshot: DIR/explorer.png.
#   - `vae train --live`: a short run (3 epochs on 6,000 images; LIVE_SUBSET=all trains the 3
#     epochs on all 60,000, about a minute on two cores, whose samples are digits: the committed
#     screenshot's run) watched while it trains: updates stream in, each epoch's samples arrive,
#     the epoch slider goes back to the untrained model. Screenshot: DIR/live-training.png.
#   - at the command line: a missing checkpoint fails as `vae evaluate` fails, with the same
#     message; a port already taken fails at start.
# Usage: bash Tests/Browser/check-explorer.sh DIR [CHECKPOINT]
#   CHECKPOINT defaults to one trained here (one epoch on 2,000 images, about 10 s).
# Chromium is installed with apt-get when missing (as root, or through sudo).
set -euo pipefail
cd "$(dirname "$0")/../.."

out=${1:?usage: check-explorer.sh DIR [CHECKPOINT]}
mkdir -p "$out"; out=$(cd "$out" && pwd)
source Tests/Browser/chromium.sh     # $browser, installed when missing

swift build -c release --product vae
vae="$(swift build -c release --show-bin-path)/vae"
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
failed=0

# The page's address, once the server prints it (the model is opened first: up to minutes on
# busy cores).
address() {   # FILE PATTERN
  for _ in $(seq 600); do
    url=$(grep -o "$2 http://[0-9.]*:[0-9]*/" "$1" 2>/dev/null | head -1 | awk '{print $NF}') || true
    [ -n "$url" ] && { echo "$url"; return 0; }
    sleep 0.5
  done
  echo "check-explorer: no address in $1:" >&2; cat "$1" >&2; return 1
}

# 1. A missing checkpoint: the same message as `vae evaluate`, and a non-zero exit.
if "$vae" evaluate "$work/missing.safetensors" 2> "$work/evaluate.err" >/dev/null; then failed=1; fi
if "$vae" explore "$work/missing.safetensors" --port 0 2> "$work/explore.err" >/dev/null; then failed=1; fi
if [ -s "$work/evaluate.err" ] && diff <(grep -i error "$work/evaluate.err") <(grep -i error "$work/explore.err") >/dev/null; then
  echo "ok   a missing checkpoint: $(grep -i error "$work/explore.err" | head -1)"
else
  echo "FAIL a missing checkpoint: explore said '$(cat "$work/explore.err")', evaluate '$(cat "$work/evaluate.err")'"; failed=1
fi

checkpoint=${2:-}
trained=trained            # a given checkpoint is a trained model: noise must be called out of distribution
if [ -z "$checkpoint" ]; then
  trained=""
  echo "check-explorer: training a small checkpoint (1 epoch on 2,000 images)"
  "$vae" train --epochs 1 --subset 2000 --output "$work/small" >/dev/null 2>&1
  checkpoint="$work/small/checkpoint.safetensors"
fi
before=$(sha256sum "$checkpoint" | cut -c1-64)

# 2. The explorer.
"$vae" explore "$checkpoint" --port 0 > "$work/explore.out" 2> "$work/explore.log" &
pids+=($!)
url=$(address "$work/explore.out" "explorer:")
echo "check-explorer: $checkpoint at $url"
sed 's/^/     /' "$work/explore.log"
CHROMIUM="$browser" python3 Tests/Browser/explorer_test.py explore "$url" "$out/explorer.png" $trained || failed=1

# A second server on the same port fails at start, with the reason.
port=$(echo "$url" | grep -o ':[0-9]\+/' | tr -d ':/')
if "$vae" explore "$checkpoint" --port "$port" --test-images 100 > /dev/null 2> "$work/taken.err"; then
  echo "FAIL a second explorer on port $port started"; failed=1
elif grep -q "cannot listen" "$work/taken.err"; then
  echo "ok   a port already taken: $(grep -i error "$work/taken.err" | head -1)"
else
  echo "FAIL a second explorer on port $port failed, but not saying why: $(cat "$work/taken.err")"; failed=1
fi
kill "${pids[0]}"
[ "$(sha256sum "$checkpoint" | cut -c1-64)" = "$before" ] && echo "ok   the checkpoint is unchanged" || { echo "FAIL the checkpoint changed"; failed=1; }

# 3. The live view of a short training run.
subset=(--subset "${LIVE_SUBSET:-6000}")
[ "${LIVE_SUBSET:-}" = all ] && subset=()
"$vae" train --live --port 0 --epochs 3 "${subset[@]}" --output "$work/live" > "$work/live.out" 2> "$work/live.log" &
pids+=($!)
url=$(address "$work/live.log" "live view:")
echo "check-explorer: training live at $url"
CHROMIUM="$browser" python3 Tests/Browser/explorer_test.py live "$url" "$out/live-training.png" || failed=1
grep '^epoch' "$work/live.out" | sed 's/^/     /' || true

if [ "$failed" -ne 0 ]; then
  echo "check-explorer: FAILED; the servers' logs:"
  tail -5 "$work/explore.log" "$work/live.log" || true
  exit 1
fi
echo "check-explorer: the explorer and the live view work in $("$browser" --version 2>/dev/null | head -1)"
