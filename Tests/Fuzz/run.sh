#!/usr/bin/env bash
# Builds and runs the coverage-guided fuzz targets (libFuzzer, with AddressSanitizer) over what
# reads users' files and descriptions:
#
#     bash Tests/Fuzz/run.sh idx 600            # the IDX reader behind gzip, for 600 seconds
#     bash Tests/Fuzz/run.sh safetensors 600    # the safetensors and checkpoint reader
#     bash Tests/Fuzz/run.sh png 600            # the explorer's PNG reader and digit centring
#     bash Tests/Fuzz/run.sh model 600          # a model description: JSON, validation, shapes, costs
#     bash Tests/Fuzz/run.sh all 30             # each of the four in turn, 30 seconds each (CI)
#
# The four targets are compiled once, with the library's sources and the explorer's PNG reader
# (Sources/Explorer/PNG.swift, DigitImage.swift), into one binary, .build-fuzz/fuzz (ignored by
# git, rebuilt when a source is newer); FUZZ_TARGET selects the target (FuzzMain.swift). A target
# starts from the committed seed corpus in Tests/Fuzz/corpus/NAME and writes what it finds new to
# .build-fuzz/corpus-NAME; its output goes to .build-fuzz/NAME.log, of which the final statistics
# are shown. A crash, a trap, a leak or an input slower than the target's time limit stops the
# run with the log's end and a non-zero status; the input is saved as .build-fuzz/crash-*
# (timeout-*, leak-*) and becomes a regression test in Tests/VAECoreTests or Tests/ExplorerTests.
set -euo pipefail
cd "$(dirname "$0")/../.."
name=${1:?usage: run.sh idx|safetensors|png|model|all [seconds]}
seconds=${2:-60}
case "$name" in
  idx|safetensors|png|model) targets=("$name") ;;
  all) targets=(idx safetensors png model) ;;
  *) echo "unknown target '$name': idx, safetensors, png, model or all" >&2; exit 2 ;;
esac

# The library's four modules, compiled as the package builds them (each sees the ones below it),
# the top one, VAECore, together with the explorer's PNG reader and the fuzz targets, which use
# its internals.
numerics=($(find Sources/VAENumerics -name '*.swift' | sort))
neural=($(find Sources/VAENeural -name '*.swift' | sort))
plot=($(find Sources/VAEPlot -name '*.swift' | sort))
sources=($(find Sources/VAECore -name '*.swift' | sort) Sources/Explorer/PNG.swift
         Sources/Explorer/DigitImage.swift $(find Tests/Fuzz -name '*.swift' | sort))
mkdir -p .build-fuzz/modules
binary=.build-fuzz/fuzz
if [ ! -x "$binary" ] || [ -n "$(find "${numerics[@]}" "${neural[@]}" "${plot[@]}" "${sources[@]}" Tests/Fuzz/run.sh -newer "$binary" | head -1)" ]; then
  echo "compiling the fuzz targets ($(( ${#numerics[@]} + ${#neural[@]} + ${#plot[@]} + ${#sources[@]} )) files) into $binary"
  start=$(date +%s)
  flags=(-sanitize=fuzzer,address -parse-as-library -O -package-name VAECourse -Xcc -march=x86-64-v3
         -Xcc -fno-math-errno -I Sources/CZlib -I .build-fuzz/modules)
  quiet() { { grep -v "Cannot export local symbol" || true; }; }
  # One module at a time: its interface for the next, its object for the link.
  compile() {
    local name=$1; shift
    swiftc "${flags[@]}" -module-name "$name" -wmo -emit-module -emit-module-path ".build-fuzz/modules/$name.swiftmodule" \
      -c "$@" -o ".build-fuzz/modules/$name.o" 2>&1 | quiet
  }
  compile VAENumerics "${numerics[@]}"
  compile VAENeural "${neural[@]}"
  compile VAEPlot "${plot[@]}"
  swiftc "${flags[@]}" -module-name VAECore "${sources[@]}" .build-fuzz/modules/VAENumerics.o .build-fuzz/modules/VAENeural.o \
    .build-fuzz/modules/VAEPlot.o \
    -lz -o "$binary.new" 2>&1 | quiet
  mv "$binary.new" "$binary"
  echo "compiled in $(( $(date +%s) - start )) s"
fi

for target in "${targets[@]}"; do
  # The model target's walks are linear in the description's size: any input slower than 2 s
  # means one that is not. The readers get 10 s (a PNG may inflate to 64 MiB of pixels).
  case "$target" in
    model) limits=(-timeout=2 -max_len=16384) ;;
    png) limits=(-timeout=10 -max_len=16384) ;;
    *) limits=(-timeout=10) ;;
  esac
  mkdir -p ".build-fuzz/corpus-$target"
  log=".build-fuzz/$target.log"
  echo "fuzzing $target for $seconds s (log: $log)"
  if ! FUZZ_TARGET=$target "$binary" -max_total_time="$seconds" -rss_limit_mb=2048 "${limits[@]}" -print_final_stats=1 \
      -artifact_prefix=.build-fuzz/ ".build-fuzz/corpus-$target" "Tests/Fuzz/corpus/$target" > "$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz target $target failed: see $log and the input saved under .build-fuzz/" >&2
    exit 1
  fi
  grep -E '^(Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$log" | sed 's/^/    /'
  grep -E 'INFO: seed corpus|cov: .* ft: ' "$log" | tail -n 1 | sed 's/^/    /'
done
