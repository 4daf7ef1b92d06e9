#!/usr/bin/env bash
# Quick start, command 2: installs what is missing, builds everything with warnings as errors and
# runs every test: the whole suite, then again under AddressSanitizer + UndefinedBehaviorSanitizer,
# then the browser tests of the web app against a real server. `.ci/run` runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
tv_install_missing "${TV_PACKAGES[@]}" "${TV_TEST_PACKAGES[@]}"
jobs=$(nproc)
# ccache hits across checkouts in other folders (CI clones afresh).
export CCACHE_BASEDIR="$PWD"
start=$(date +%s)

echo "==> Build and test (build/test, warnings are errors)"
cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTV_WERROR=ON >/dev/null
cmake --build build/test -j "$jobs"
ctest --test-dir build/test --output-on-failure -j "$jobs"

echo "==> Build and test under ASan + UBSan (build/asan)"
cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTV_WERROR=ON -DTV_SANITIZE=ON >/dev/null
cmake --build build/asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure -j "$jobs" -LE slow

if [ -x scripts/web-test.sh ]; then
  echo "==> Browser tests of the web app"
  scripts/web-test.sh build/test/engine/app/tillvaxt
fi
echo "==> All tests passed in $(( $(date +%s) - start )) s"
