#!/usr/bin/env bash
# Browser tests of the web app against the real server: builds web/dist, starts
# `tillvaxt serve --demo` on a free loopback port with a fresh data folder, runs
# web/tests/e2e.mjs in Debian's headless Chromium (playwright-core + axe-core), stops the server.
# Usage: scripts/web-test.sh path/to/tillvaxt
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "$1")
data=$(mktemp -d /tmp/tillvaxt-web-test.XXXXXX)
log="$data/serve.log"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)

export TILLVAXT_DEMO_PASSWORD="web-test-$RANDOM-$RANDOM"
"$binary" serve --demo --data "$data/db" --listen 127.0.0.1:0 --web web/dist >"$log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's#.*listening on http://127.0.0.1:\([0-9]*\)/.*#\1#p' "$log")
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$log"; echo "server did not start"; exit 1; }
  sleep 0.2
done
[ -n "$port" ] || { cat "$log"; echo "server did not report its port"; exit 1; }
BASE_URL="http://127.0.0.1:$port" node web/tests/e2e.mjs
