#!/usr/bin/env bash
# The format check: `clang-format --dry-run -Werror` (.clang-format: Google, 100 columns) on the
# C++ files (.h/.cc) under engine/, tests/, bench/ and plugins/ that changed since the format
# baseline. Run by CTest ("checks: clang-format on changed files"), so by the test command.
#
# Usage: scripts/check-format.sh [ROOT]      ROOT defaults to the repository this script is in.
# Exits 1 listing each unformatted file (clang-format's FILE:LINE:COL messages), 0 otherwise,
# 2 when it cannot decide (not a git checkout, baseline commit missing, no clang-format 14).
#
# Which files: those that differ between the baseline commit and the working tree: committed
# since the baseline, changed but not committed, or new and not ignored. The baseline is a
# commit recorded in scripts/format-baseline (or given in TV_FORMAT_BASE), at which the tree's
# formatting was accepted as it was; most files then were not clang-formatted, and formatting
# the whole tree at once would bury every other change. Why a recorded baseline rather than
# "the files of the last commit" (HEAD~1..HEAD): CI tests a fresh clone of main with its full
# history, and a push often brings several commits; HEAD~1 would check only the last of them,
# and a file left unformatted would pass again as soon as one more commit is made on top. From a
# fixed baseline, every file touched since is checked on every run until it is formatted, the
# same in CI as in a working copy, whatever the shape of the history (merges included: the diff
# is between trees). Moving the baseline forward is a deliberate commit.
#
# Never checked: generated code (*.pb.h/*.pb.cc, and files that say "@generated" or "DO NOT
# EDIT" in their first lines; generated protobuf code lives in the build tree anyway), deleted
# files, and everything outside engine/, tests/, bench/ and plugins/ (build trees included).
set -euo pipefail

root=${1:-"$(cd "$(dirname "$0")/.." && pwd)"}
cd "$root"

clang_format=${CLANG_FORMAT:-}
if [ -z "$clang_format" ]; then
  # Formatting differs between clang-format versions: 14 is Debian 12's, the one CI installs.
  for candidate in clang-format-14 clang-format; do
    if command -v "$candidate" >/dev/null; then
      clang_format=$candidate
      break
    fi
  done
fi
if [ -z "$clang_format" ] || ! command -v "$clang_format" >/dev/null; then
  echo "check-format: clang-format-14 not found (Debian package clang-format-14, installed by scripts/deps.sh)" >&2
  exit 2
fi
if ! "$clang_format" --version | grep -q 'version 14\.'; then
  echo "check-format: $clang_format is not clang-format 14: $("$clang_format" --version)" >&2
  exit 2
fi

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "check-format: $root is not a git checkout: cannot tell which files changed" >&2
  exit 2
fi
base=${TV_FORMAT_BASE:-}
if [ -z "$base" ]; then
  if [ ! -f scripts/format-baseline ]; then
    echo "check-format: no scripts/format-baseline and no TV_FORMAT_BASE" >&2
    exit 2
  fi
  base=$(grep -Eo '^[0-9a-f]{40}' scripts/format-baseline | head -n 1)
fi
if ! git rev-parse -q --verify "$base^{commit}" >/dev/null; then
  echo "check-format: baseline commit $base is not in this clone (a shallow clone? git fetch --unshallow)" >&2
  exit 2
fi
if ! git merge-base --is-ancestor "$base" HEAD; then
  echo "check-format: baseline commit $base is not an ancestor of HEAD" >&2
  exit 2
fi

changed=$(
  {
    # Committed since the baseline, and changed in the index or the working tree since HEAD:
    # one diff of the baseline's tree against the working tree covers both.
    git diff --name-only --no-renames --diff-filter=d "$base" --
    git ls-files --others --exclude-standard
  } | LC_ALL=C sort -u
)

files=()
while IFS= read -r f; do
  [ -n "$f" ] || continue
  case "$f" in
    engine/* | tests/* | bench/* | plugins/*) ;;
    *) continue ;;
  esac
  case "$f" in
    *.pb.h | *.pb.cc) continue ;;
    *.h | *.cc) ;;
    *) continue ;;
  esac
  [ -f "$f" ] || continue
  if head -n 5 "$f" | grep -qE '@generated|DO NOT EDIT'; then
    continue
  fi
  files+=("$f")
done <<< "$changed"

if [ ${#files[@]} -eq 0 ]; then
  echo "check-format: no C++ file under engine/ tests/ bench/ plugins/ changed since ${base:0:12}"
  exit 0
fi

bad=()
for f in "${files[@]}"; do
  if ! out=$("$clang_format" --dry-run -Werror --style=file "$f" 2>&1); then
    # The first lines name the places; the whole diff is one `clang-format -i` away.
    printf '%s\n' "$out" | awk '/^[^ ].*:[0-9]+:[0-9]+: error/ && n++ < 5'
    bad+=("$f")
  fi
done
if [ ${#bad[@]} -ne 0 ]; then
  echo "check-format: ${#bad[@]} of ${#files[@]} changed file(s) not clang-formatted (since ${base:0:12}):"
  printf '  %s\n' "${bad[@]}"
  echo "fix with: $clang_format -i ${bad[*]}"
  exit 1
fi
echo "check-format: ${#files[@]} changed file(s) since ${base:0:12} are clang-formatted"
