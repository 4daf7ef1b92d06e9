#!/usr/bin/env bash
# Tests engine/base/thread_annotations.h: under clang its macros are the thread-safety
# attributes (-Wthread-safety passes correct code and refuses a guarded member written without
# its mutex); under GCC they are nothing (-Wall -Wextra -Werror passes both). Syntax checks of
# one small file: about a second.
# Usage: tests/checks/thread_annotations_test.sh REPOSITORY CXX   (CXX: the build's g++)
set -euo pipefail
repo=$1
gxx=${2:-g++}
src="$repo/tests/checks/thread_annotations_check.cc"
clangxx=""
for candidate in clang++-14 clang++; do
  if command -v "$candidate" >/dev/null; then
    clangxx=$candidate
    break
  fi
done
if [ -z "$clangxx" ]; then
  echo "FAIL: clang++ not found: install the Debian package clang-14 (scripts/deps.sh TV_TEST_PACKAGES)"
  exit 1
fi
failures=0
flags=(-std=c++20 -fsyntax-only -I "$repo")

if ! out=$("$clangxx" "${flags[@]}" -Wthread-safety -Werror "$src" 2>&1); then
  echo "FAIL: $clangxx -Wthread-safety refused correctly annotated code:"
  echo "$out"
  failures=$((failures + 1))
fi
if out=$("$clangxx" "${flags[@]}" -Wthread-safety -Werror -DTV_PLANT_VIOLATION "$src" 2>&1); then
  echo "FAIL: $clangxx -Wthread-safety passed a guarded member written without its mutex"
  failures=$((failures + 1))
elif ! grep -q "requires holding mutex 'mu_'" <<< "$out"; then
  echo "FAIL: $clangxx refused the planted violation for another reason:"
  echo "$out"
  failures=$((failures + 1))
fi
for plant in "" -DTV_PLANT_VIOLATION; do
  if ! out=$("$gxx" "${flags[@]}" -Wall -Wextra -Wpedantic -Werror $plant "$src" 2>&1); then
    echo "FAIL: $gxx refused the annotations ($plant): they must expand to nothing under GCC:"
    echo "$out"
    failures=$((failures + 1))
  fi
done
if [ "$failures" -ne 0 ]; then
  exit 1
fi
echo "thread annotations: checked by $clangxx -Wthread-safety, nothing under $gxx"
