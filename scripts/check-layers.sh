#!/usr/bin/env bash
# The include (layering) check: every #include in engine/ must point down the layers, so the
# architecture in README.md "How it is built" stays true even where CMake's link lines would let
# a header-only include slip through. Run by CTest ("checks: include layers"), so by the test
# command.
#
# Usage: scripts/check-layers.sh [ROOT]     ROOT defaults to the repository this script is in.
# Prints every violation as FILE:LINE: what is included: the rule it breaks (FILE relative to
# ROOT), and exits 1 if there is any; exits 0 with a one-line summary otherwise.
#
# The rules:
#  1. The layers are base → domain → projection → codec → store → auth → service → plugin →
#     http → api → cli → app; a module includes only itself and the modules before it.
#     engine/plugin sits right after engine/service: its CMake target links tv_service and
#     nothing above it, and only cli and app use it. A folder missing from the list is itself a
#     violation, so a new module has to be placed.
#  2. engine/http knows no domain: of the engine it includes only engine/base (its CMake target
#     links tv_base alone), although it comes after the domain-aware layers in the list.
#  3. engine/domain and engine/projection are pure: no protobuf (google/protobuf/*, *.pb.h),
#     SQLite (sqlite3.h), Asio/Beast (boost/asio*, boost/beast*) or libpq (libpq-fe.h) header.
#  4. engine/api includes nothing from engine/store/sqlite/.
#  5. Only engine/app names the concrete store: no other module includes engine/store/sqlite/
#     or engine/store/postgres/ (the files of each store's own folder excepted). tests/ and bench/ are harnesses that
#     wire concrete types as main() does, and are not checked.
#
# An include is resolved as written from the top folder ("engine/..."); a quoted include that
# is not found there but exists beside the including file is resolved relative to it, so
# `#include "../store/x.h"` cannot hide a dependency.
set -euo pipefail

root=${1:-"$(cd "$(dirname "$0")/.." && pwd)"}
root=$(cd "$root" && pwd)
if [ ! -d "$root/engine" ]; then
  echo "check-layers: $root/engine: no such folder" >&2
  exit 2
fi
cd "$root"

files=$(find engine -type f \( -name '*.h' -o -name '*.hh' -o -name '*.hpp' -o -name '*.cc' \
  -o -name '*.cpp' -o -name '*.ipp' -o -name '*.inc' \) | LC_ALL=C sort)
count=$(printf '%s\n' "$files" | grep -c . || true)

# grep prints FILE:LINE:TEXT for each include directive; awk applies the rules.
set +e
printf '%s\n' "$files" | grep . | tr '\n' '\0' |
  xargs -0 grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' /dev/null |
  awk -v checked="$count" '
BEGIN {
  n = split("base domain projection codec store auth service plugin http api cli app", order, " ")
  for (i = 1; i <= n; i++) layer[order[i]] = i
  list = "base → domain → projection → codec → store → auth → service → plugin → http → api → cli → app"
  bad = 0
}

# Normalises a path: removes "." and resolves ".." segments.
function normalise(p,    parts, k, m, out, stack, top) {
  m = split(p, parts, "/")
  top = 0
  for (k = 1; k <= m; k++) {
    if (parts[k] == "" || parts[k] == ".") continue
    if (parts[k] == ".." && top > 0 && stack[top] != "..") { top--; continue }
    stack[++top] = parts[k]
  }
  out = ""
  for (k = 1; k <= top; k++) out = out (k > 1 ? "/" : "") stack[k]
  return out
}

function exists(p,    line, r) {
  r = (getline line < p)
  close(p)
  return r >= 0
}

function report(what, rule) {
  printf "%s:%s: includes %s: %s\n", file, lineno, what, rule
  bad++
}

{
  # FILE:LINE:TEXT (paths under engine/ contain no colon).
  file = $0; sub(/:.*/, "", file)
  rest = substr($0, length(file) + 2)
  lineno = rest; sub(/:.*/, "", lineno)
  text = substr(rest, length(lineno) + 2)

  if (!match(text, /#[ \t]*include[ \t]*[<"][^>"]+[>"]/)) next
  directive = substr(text, RSTART, RLENGTH)
  quoted = index(directive, "\"") > 0
  inc = directive; sub(/^#[ \t]*include[ \t]*[<"]/, "", inc); sub(/[>"]$/, "", inc)
  shown = quoted ? "\"" inc "\"" : "<" inc ">"

  split(file, fp, "/")
  self = fp[2]
  in_sqlite = (file ~ /^engine\/store\/sqlite\//)
  in_postgres = (file ~ /^engine\/store\/postgres\//)

  target = normalise(inc)
  if (quoted && target !~ /^engine\// && !exists(target)) {
    dir = file; sub(/\/[^\/]*$/, "", dir)
    beside = normalise(dir "/" inc)
    if (beside ~ /^engine\// && exists(beside)) target = beside
  }

  if (!(self in layer)) {
    if (!(self in unknown_self)) {
      unknown_self[self] = 1
      printf "%s:%s: engine/%s is not a known layer (%s): place it in scripts/check-layers.sh\n", file, lineno, self, list
      bad++
    }
  }

  if (target ~ /^engine\/[^\/]+\//) {
    split(target, tp, "/")
    dep = tp[2]
    if (!(dep in layer)) {
      report(shown, "engine/" dep " is not a known layer (" list ")")
    } else if ((self in layer) && layer[dep] > layer[self]) {
      report(shown, "engine/" self " may include only the layers before it (" list ")")
    }
    if (self == "http" && dep != "http" && dep != "base") {
      report(shown, "engine/http knows no domain: of the engine it includes only engine/base")
    }
    if (target ~ /^engine\/store\/sqlite\//) {
      if (self == "api") {
        report(shown, "engine/api includes nothing from engine/store/sqlite/")
      }
      if (self != "app" && !in_sqlite) {
        report(shown, "only engine/app includes engine/store/sqlite/ (the concrete store)")
      }
    }
    if (target ~ /^engine\/store\/postgres\// && self != "app" && !in_postgres) {
      report(shown, "only engine/app includes engine/store/postgres/ (the concrete store)")
    }
  }

  if (self == "domain" || self == "projection") {
    what = ""
    if (inc ~ /^google\/protobuf\// || inc ~ /\.pb\.h$/) what = "protobuf"
    else if (inc ~ /(^|\/)sqlite3\.h$/) what = "SQLite"
    else if (inc ~ /^boost\/(asio|beast)([\/.]|$)/) what = "Asio/Beast"
    else if (inc ~ /(^|\/)libpq-fe\.h$/) what = "libpq"
    if (what != "") {
      report(shown, "engine/" self " is pure: no " what " header")
    }
  }
}

END {
  if (bad > 0) {
    printf "check-layers: %d violation(s) in %d files under engine/\n", bad, checked
    exit 1
  }
  printf "check-layers: %d files under engine/ checked, no violations\n", checked
}
'
statuses=("${PIPESTATUS[@]}")
set -e
# xargs exits 123 when some grep found no include in its batch: not an error.
if [ "${statuses[3]}" -ne 0 ] && [ "${statuses[3]}" -ne 123 ]; then
  echo "check-layers: grep failed (${statuses[3]})" >&2
  exit 2
fi
exit "${statuses[4]}"
