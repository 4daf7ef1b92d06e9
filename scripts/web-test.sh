#!/usr/bin/env bash
# Browser tests of the web app against the real server: builds web/dist once, then for each
# region configuration starts `tillvaxt serve --demo` on a free loopback port with a fresh data
# folder, runs web/tests/e2e.mjs in Debian's headless Chromium (playwright-core + axe-core)
# against it, and stops the server. The default (built-in Sörmland) configuration runs first
# and writes the screenshots; config/stockholm.textproto runs second, so a workflow and
# configuration other than Sörmland's are exercised by the same dialogs, queue and live updates
# (the test reads nodes, actors and kinds from /v1/config). A third run seeds a history with
# `tillvaxt seed` first (DASHBOARD_CASES cases, default 3000) and runs web/tests/dashboard.mjs:
# every figure of the manager's dashboard against /v1/stats/* with the same filters.
# Usage: scripts/web-test.sh path/to/tillvaxt
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "$1")
data=""
server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
  [ -n "$data" ] && rm -rf "$data"
  data=""
}
trap stop_server EXIT

(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)

export TILLVAXT_DEMO_PASSWORD="web-test-$RANDOM-$RANDOM"

# run_suite NAME SCREENSHOTS [serve options...]: one server, one run of the browser tests.
# With SEED_CASES set, the data folder gets a seeded history first and TEST names the test file.
run_suite() {
  local name=$1 shots=$2
  shift 2
  data=$(mktemp -d /tmp/tillvaxt-web-test.XXXXXX)
  local log="$data/serve.log"
  if [ -n "${SEED_CASES:-}" ]; then
    "$binary" seed --data "$data/db" --cases "$SEED_CASES" --seed 13 --years 2 >"$data/seed.log" 2>&1 ||
      { cat "$data/seed.log"; echo "seeding failed ($name)"; return 1; }
  fi
  "$binary" serve --demo --data "$data/db" --listen 127.0.0.1:0 --web web/dist "$@" >"$log" 2>&1 &
  server_pid=$!
  local port=""
  for _ in $(seq 1 300); do
    port=$(sed -n 's#.*listening on http://127.0.0.1:\([0-9]*\)/.*#\1#p' "$log")
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$log"; echo "server did not start ($name)"; return 1; }
    sleep 0.2
  done
  [ -n "$port" ] || { cat "$log"; echo "server did not report its port ($name)"; return 1; }
  echo "== web tests: $name =="
  local rc=0
  BASE_URL="http://127.0.0.1:$port" SCREENSHOTS="$shots" node "web/tests/${TEST:-e2e.mjs}" || rc=$?
  stop_server
  return $rc
}

status=0
run_suite "Sörmland (built-in configuration)" 1 || status=1
run_suite "Stockholm (config/stockholm.textproto)" 0 --config config/stockholm.textproto || status=1
SEED_CASES=${DASHBOARD_CASES:-3000} TEST=dashboard.mjs run_suite "dashboard figures (seeded history)" 0 || status=1
exit $status
