#!/usr/bin/env bash
# Builds and runs a coverage-guided fuzz target (libFuzzer, with AddressSanitizer) over one of the
# two parsers that read users' files:
#
#     bash Tests/Fuzz/run.sh idx 600            # the IDX reader behind gzip, for 600 seconds
#     bash Tests/Fuzz/run.sh safetensors 600    # the safetensors and checkpoint reader
#
# The target is compiled with VAECore's sources into one binary under .build-fuzz/ (ignored by
# git). It starts from the committed seed corpus in Tests/Fuzz/corpus/NAME and writes what it
# finds new to .build-fuzz/corpus-NAME; a crash is saved as .build-fuzz/crash-* and becomes a
# regression test in Tests/VAECoreTests.
set -euo pipefail
cd "$(dirname "$0")/../.."
name=${1:?usage: run.sh idx|safetensors [seconds]}
seconds=${2:-60}
case "$name" in
  idx) source=Tests/Fuzz/FuzzIDX.swift ;;
  safetensors) source=Tests/Fuzz/FuzzSafeTensors.swift ;;
  *) echo "unknown target '$name': idx or safetensors" >&2; exit 2 ;;
esac
mkdir -p .build-fuzz
binary=.build-fuzz/fuzz-$name
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name VAECore \
  -Xcc -march=x86-64-v3 -Xcc -fno-math-errno -I Sources/CZlib \
  $(find Sources/VAECore -name '*.swift' | sort) "$source" -lz -o "$binary" 2>&1 | grep -v "Cannot export local symbol" || true
mkdir -p ".build-fuzz/corpus-$name"
"$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
  -artifact_prefix=.build-fuzz/ ".build-fuzz/corpus-$name" "Tests/Fuzz/corpus/$name"
