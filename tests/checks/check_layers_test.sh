#!/usr/bin/env bash
# Tests scripts/check-layers.sh: that it catches every rule's violation with its FILE:LINE and a
# non-zero exit, and passes a tree that keeps the rules. Trees are built in a temporary folder:
# a small one with one planted violation per rule, and a copy of the real engine/ with one bad
# include added to a domain header.
# Usage: tests/checks/check_layers_test.sh [REPOSITORY]
set -euo pipefail
repo=${1:-"$(cd "$(dirname "$0")/../.." && pwd)"}
check="$repo/scripts/check-layers.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# write FILE LINE... : writes the lines to $tree/FILE.
write() {
  local file=$1
  shift
  mkdir -p "$(dirname "$tree/$file")"
  printf '%s\n' "$@" > "$tree/$file"
}

# expect_line OUTPUT TEXT: OUTPUT has a line that contains TEXT.
expect_line() {
  grep -qF -- "$2" <<< "$1" || fail "no line with '$2' in:
$1"
}

# A tree that keeps every rule: the check passes it.
tree="$tmp/good"
write engine/base/status.h '#pragma once' '#include <string>'
write engine/domain/case.h '#pragma once' '#include "engine/base/status.h"' '#include <vector>'
write engine/projection/stats.h '#include "engine/domain/case.h"'
write engine/codec/event_codec.h '#include "engine/domain/case.h"' \
  '#include "tillvaxt/events/v1/events.pb.h"' '#include <google/protobuf/timestamp.pb.h>'
write engine/store/store.h '#include "engine/codec/event_codec.h"'
write engine/store/sqlite/db.h '#include <sqlite3.h>' '#include "engine/store/store.h"'
write engine/store/sqlite/db.cc '#include "engine/store/sqlite/db.h"'
write engine/auth/tokens.h '#include "engine/store/store.h"'
write engine/service/case_service.h '#include "engine/auth/tokens.h"'
write engine/plugin/loader.h '#include "engine/service/case_service.h"'
write engine/http/server.h '#include "engine/base/status.h"' '#include <boost/beast/http.hpp>'
write engine/api/handler.h '#include "engine/http/server.h"' '#include "engine/service/case_service.h"'
write engine/cli/cli.h '#include "engine/plugin/loader.h"'
write engine/app/wiring.cc '#include "engine/store/sqlite/db.h"' '#include "engine/cli/cli.h"'
if ! out=$("$check" "$tree" 2>&1); then
  fail "a tree that keeps the rules was refused:
$out"
fi
expect_line "$out" "no violations"

# One violation per rule, each at a known line.
tree="$tmp/bad"
cp -r "$tmp/good" "$tree"
write engine/domain/routing.h '#pragma once' '#include "engine/store/store.h"'
write engine/domain/wire.h '#include <vector>' '#include "tillvaxt/api/v1/cases.pb.h"' \
  '#include <google/protobuf/message.h>' '#include <sqlite3.h>' \
  '  #  include <boost/asio/io_context.hpp>' '#include <boost/beast.hpp>' \
  '#include <postgresql/libpq-fe.h>'
write engine/projection/folds.h '#include "engine/service/case_service.h"' '#include <libpq-fe.h>'
write engine/http/router.h '#include "engine/domain/case.h"'
write engine/api/views.h '#include "engine/store/sqlite/db.h"'
write engine/service/seeder.cc '#include "engine/store/sqlite/db.h"'
write engine/store/folded.cc '#include "sqlite/db.h"'
write engine/codec/json.cc '#include "../service/case_service.h"'
write engine/widgets/widget.h '#include "engine/base/status.h"'
write engine/base/time.h '#include "engine/gadgets/gadget.h"'
set +e
out=$("$check" "$tree" 2>&1)
status=$?
set -e
[ "$status" -eq 1 ] || fail "expected exit 1 for a tree with violations, got $status:
$out"
expect_line "$out" 'engine/domain/routing.h:2: includes "engine/store/store.h": engine/domain may include only the layers before it'
expect_line "$out" 'engine/domain/wire.h:2: includes "tillvaxt/api/v1/cases.pb.h": engine/domain is pure: no protobuf header'
expect_line "$out" 'engine/domain/wire.h:3: includes <google/protobuf/message.h>: engine/domain is pure: no protobuf header'
expect_line "$out" 'engine/domain/wire.h:4: includes <sqlite3.h>: engine/domain is pure: no SQLite header'
expect_line "$out" 'engine/domain/wire.h:5: includes <boost/asio/io_context.hpp>: engine/domain is pure: no Asio/Beast header'
expect_line "$out" 'engine/domain/wire.h:6: includes <boost/beast.hpp>: engine/domain is pure: no Asio/Beast header'
expect_line "$out" 'engine/domain/wire.h:7: includes <postgresql/libpq-fe.h>: engine/domain is pure: no libpq header'
expect_line "$out" 'engine/projection/folds.h:1: includes "engine/service/case_service.h": engine/projection may include only the layers before it'
expect_line "$out" 'engine/projection/folds.h:2: includes <libpq-fe.h>: engine/projection is pure: no libpq header'
expect_line "$out" 'engine/http/router.h:1: includes "engine/domain/case.h": engine/http knows no domain'
expect_line "$out" 'engine/api/views.h:1: includes "engine/store/sqlite/db.h": engine/api includes nothing from engine/store/sqlite/'
expect_line "$out" 'engine/api/views.h:1: includes "engine/store/sqlite/db.h": only engine/app includes engine/store/sqlite/'
expect_line "$out" 'engine/service/seeder.cc:1: includes "engine/store/sqlite/db.h": only engine/app includes engine/store/sqlite/'
expect_line "$out" 'engine/store/folded.cc:1: includes "sqlite/db.h": only engine/app includes engine/store/sqlite/'
expect_line "$out" 'engine/codec/json.cc:1: includes "../service/case_service.h": engine/codec may include only the layers before it'
expect_line "$out" 'engine/widgets/widget.h:1: engine/widgets is not a known layer'
expect_line "$out" 'engine/base/time.h:1: includes "engine/gadgets/gadget.h": engine/gadgets is not a known layer'
expect_line "$out" 'check-layers: 17 violation(s)'
# What keeps the rules is not reported.
if grep -qE '^engine/(app/wiring.cc|store/sqlite/db|codec/event_codec.h|http/server.h)' <<< "$out"; then
  fail "a permitted include was reported:
$out"
fi

# A copy of the real engine/ with one bad include planted in a domain header.
tree="$tmp/real"
mkdir -p "$tree"
cp -r "$repo/engine" "$tree/engine"
planted=engine/domain/case.h
printf '#include "engine/service/case_service.h"\n' >> "$tree/$planted"
line=$(wc -l < "$tree/$planted")
set +e
out=$("$check" "$tree" 2>&1)
status=$?
set -e
[ "$status" -ne 0 ] || fail "the planted include in a copy of engine/ was not refused"
expect_line "$out" "$planted:$line: includes \"engine/service/case_service.h\": engine/domain may include only the layers before it"

if [ "$failures" -ne 0 ]; then
  echo "check_layers_test: $failures failure(s)"
  exit 1
fi
echo "check_layers_test: the layer check catches every planted violation"
