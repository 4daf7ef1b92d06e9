#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz/ for longer than the test command does, and prints
# per target the executions, executions per second and coverage (libFuzzer's final cov/ft).
#
# Usage: scripts/fuzz.sh [--merge] [-j N] [SECONDS] [TARGET...]
#   SECONDS  per target (default 600); TARGET the targets to run (default all, see below)
#   -j N     run N targets at a time (default 1; the machine's cores are the limit)
#   --merge  afterwards merge the inputs that add coverage into tests/fuzz/corpus/TARGET/
#            (libFuzzer -merge=1: only inputs that reach something new are copied), to commit
#
# It builds the targets in build/fuzz, a clang 14 ASan + UBSan build (TV_FUZZ) of its own (only
# the targets and what they link are built). Each run works on a copy of the corpus in a
# temporary folder; its log and any crash (crash-<sha1>, to copy into
# tests/fuzz/regressions/TARGET/) go to build/fuzz/fuzz-runs/. `ctest --test-dir build/fuzz -L
# fuzz` replays the corpus and the regressions and fuzzes each target for 30 s.
set -euo pipefail
cd "$(dirname "$0")/.."
targets_all=(http_request request_json config org_number session_token page_token)
merge=0 parallel=1 seconds=600 targets=()
while [ $# -gt 0 ]; do
  case $1 in
    --merge) merge=1 ;;
    -j) parallel=$2; shift ;;
    [0-9]*) seconds=$1 ;;
    *) targets+=("$1") ;;
  esac
  shift
done
[ ${#targets[@]} -eq 0 ] && targets=("${targets_all[@]}")

export CCACHE_BASEDIR="$PWD"
if [ ! -f build/fuzz/CMakeCache.txt ]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DTV_WERROR=ON -DTV_SANITIZE=ON >/dev/null
fi
grep -q '^TV_FUZZ:BOOL=ON' build/fuzz/CMakeCache.txt || {
  echo "fuzz.sh: build/fuzz is not a TV_FUZZ build (configure it with CC=clang-14 CXX=clang++-14)" >&2
  exit 2
}
cmake --build build/fuzz -j 2 --target "${targets[@]}"

runs=build/fuzz/fuzz-runs
mkdir -p "$runs"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_one() {
  local t=$1 work dict=()
  work=$(mktemp -d "${TMPDIR:-/tmp}/tv-fuzz-$t.XXXXXX")
  cp -r "tests/fuzz/corpus/$t/." "$work/"
  [ -f "tests/fuzz/dict/$t.dict" ] && dict=("-dict=tests/fuzz/dict/$t.dict")
  local status=0
  "build/fuzz/tests/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "${dict[@]}" -artifact_prefix="$runs/$t-" "$work" \
    >"$runs/$t.log" 2>&1 || status=$?
  if [ "$merge" = 1 ] && [ $status = 0 ]; then
    "build/fuzz/tests/fuzz/$t" -merge=1 "tests/fuzz/corpus/$t" "$work" >>"$runs/$t.log" 2>&1
  fi
  rm -rf "$work"
  return $status
}

failed=0
pids=()
for t in "${targets[@]}"; do
  echo "==> $t for $seconds s (log: $runs/$t.log)"
  run_one "$t" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$parallel" ]; then
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || failed=1; done

printf '%-14s %12s %8s %7s %7s %s\n' target executions exec/s cov ft result
for t in "${targets[@]}"; do
  log="$runs/$t.log"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  result=ok
  grep -qE '^==[0-9]+==ERROR|^SUMMARY: |FUZZ_CHECK failed|deadly signal' "$log" && result="CRASH (see $log)"
  printf '%-14s %12s %8s %7s %7s %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
[ "$merge" = 1 ] && echo "Merged new inputs into tests/fuzz/corpus/ (review and commit them)."
exit $failed
