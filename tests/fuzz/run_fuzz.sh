#!/usr/bin/env bash
# Runs one libFuzzer target for CTest (tests/fuzz/CMakeLists.txt).
#
#   run_fuzz.sh replay BINARY FUZZ_DIR DICT          every file of corpus/T/ and regressions/T/
#                                                    once; fails on any crash
#   run_fuzz.sh fuzz BINARY FUZZ_DIR DICT SECONDS    fuzzes for SECONDS on a copy of corpus/T/ in
#                                                    a temporary folder (removed afterwards), so
#                                                    the checked-in corpus is never modified
#
# T is the binary's name. DICT may be "" (no dictionary). A crash, a leak, a timeout (one input
# over 10 s) or more than 2 GB of memory fails the test; libFuzzer then prints the input, and the
# crash file is kept in the build folder (fuzz-artifacts/T/) to copy into regressions/T/.
set -euo pipefail
mode=$1 binary=$2 dir=$3 dict=$4
target=$(basename "$binary")
limits=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
[ -n "$dict" ] && limits+=("-dict=$dict")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

case $mode in
  replay)
    inputs=()
    for d in "$dir/corpus/$target" "$dir/regressions/$target"; do
      [ -d "$d" ] || continue
      while IFS= read -r -d '' f; do inputs+=("$f"); done < <(find "$d" -type f ! -name '*.md' -print0)
    done
    if [ ${#inputs[@]} -eq 0 ]; then
      echo "FAIL: no corpus for $target in $dir/corpus/$target"
      exit 1
    fi
    # With file arguments libFuzzer runs each once (no fuzzing) and stops at the first crash.
    "$binary" "${limits[@]}" "${inputs[@]}"
    echo "$target: ${#inputs[@]} inputs replayed"
    ;;
  fuzz)
    seconds=$5
    work=$(mktemp -d "${TMPDIR:-/tmp}/tv-fuzz-$target.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    mkdir -p "$work/corpus"
    cp -r "$dir/corpus/$target/." "$work/corpus/"
    artifacts="$(dirname "$binary")/fuzz-artifacts/$target/"
    mkdir -p "$artifacts"
    "$binary" "${limits[@]}" -max_total_time="$seconds" -artifact_prefix="$artifacts" \
      "$work/corpus"
    ;;
  *)
    echo "usage: run_fuzz.sh replay|fuzz BINARY FUZZ_DIR DICT [SECONDS]" >&2
    exit 2
    ;;
esac
