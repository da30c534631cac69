#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers that read hostile input (docs/reliability.md).
#   scripts/fuzz.sh build                 build the `fuzz` executable with libFuzzer and ASan into .build-fuzz/
#   scripts/fuzz.sh run TARGET SECONDS    fuzz one target, starting from its committed corpus
#   scripts/fuzz.sh all SECONDS           every target in turn (CI: 60 s each)
#   scripts/fuzz.sh merge TARGET DIR      add DIR's inputs that bring new coverage to the committed corpus
# New inputs go to .build-fuzz/corpus/TARGET; a crash is saved in Tests/Fuzz/Regressions/TARGET/,
# which every ordinary test run replays (FuzzCorpusTests), and the script fails.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(bus-frame replay-request ler-code open311-form territory-geojson pickup-token)
scratch=.build-fuzz
binary="$scratch/debug/fuzz"
runtime="$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")/lib/swift/clang/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a"

build() {
  [[ -f "$runtime" ]] || { echo "fuzz: libFuzzer runtime not found at $runtime" >&2; exit 1; }
  swift build --product fuzz --scratch-path "$scratch" \
    -Xswiftc -DFUZZING -Xswiftc -sanitize=address \
    -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table \
    -Xlinker "$runtime" -Xlinker -lstdc++
}

known() {
  local target=$1 name
  for name in "${targets[@]}"; do [[ $name == "$target" ]] && return 0; done
  echo "fuzz: unknown target '$target'; targets: ${targets[*]}" >&2
  exit 64
}

run() {
  local target=$1 seconds=$2
  known "$target"
  [[ $seconds =~ ^[0-9]+$ ]] || { echo "fuzz: SECONDS must be a whole number, got '$seconds'" >&2; exit 64; }
  [[ -x $binary ]] || build
  local work="$scratch/corpus/$target"
  mkdir -p "$work" "Tests/Fuzz/Regressions/$target"
  # The Swift runtime's crash handler would read freed memory under ASan; libFuzzer reports crashes itself.
  # Leak detection is off: the Swift runtime keeps metadata and task allocations that LeakSanitizer reports.
  local status
  set +e
  ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no "$binary" "$target" "$work" "Tests/Fuzz/Corpus/$target" "Tests/Fuzz/Regressions/$target" \
    -max_total_time="$seconds" -timeout=10 -detect_leaks=0 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
    -artifact_prefix="Tests/Fuzz/Regressions/$target/" > "$scratch/$target.log" 2>&1
  status=$?
  set -e
  grep -E '^(#[0-9]+.*(INITED|DONE)|stat::|==[0-9]+==ERROR|SUMMARY|artifact)' "$scratch/$target.log" || true
  [[ $status -eq 0 ]] || { echo "fuzz: $target failed (status $status); see $scratch/$target.log and Tests/Fuzz/Regressions/$target/" >&2; exit 1; }
}

merge() {
  local target=$1 from=$2
  known "$target"
  [[ -x $binary ]] || build
  ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no "$binary" "$target" -merge=1 "Tests/Fuzz/Corpus/$target" "$from"
}

case "${1:-}" in
  build) build ;;
  run) [[ $# -eq 3 ]] || { echo "usage: scripts/fuzz.sh run TARGET SECONDS" >&2; exit 64; }; run "$2" "$3" ;;
  all) [[ $# -eq 2 ]] || { echo "usage: scripts/fuzz.sh all SECONDS" >&2; exit 64; }; build; for target in "${targets[@]}"; do run "$target" "$2"; done ;;
  merge) [[ $# -eq 3 ]] || { echo "usage: scripts/fuzz.sh merge TARGET DIR" >&2; exit 64; }; merge "$2" "$3" ;;
  *) sed -n '2,8p' "$0" >&2; exit 64 ;;
esac
