#!/usr/bin/env bash
# Statistics benchmark: seeds CASES cases (default 1,000,000) into a temporary data
# folder, starts `tillvaxt serve` on it and measures, over HTTP as the demo manager:
#   - the seeding time, the database size
#   - the server's start time (launch to /readyz 200) and the time until the statistics index
#     is loaded (launch to the first /v1/stats/summary answer)
#   - p50 (and min/max) of 20 runs each of /v1/stats/summary, /v1/stats/flow and the 36-month
#     /v1/stats/timeseries (month buckets, metric created), with curl's time_total
#   - the server's resident memory (VmRSS) after the runs
#
#   TILLVAXT=build-stats/engine/app/tillvaxt CASES=1000000 bench/stats_bench.sh
#
# KEEP=1 keeps the data folder (path printed); DATA_DIR=<folder> measures an already seeded
# folder in place (no seeding). The manager is a user added with `tillvaxt user add`, so the
# server starts without --demo (whose demo users cost a password hash each at start).
# Needs curl and python3.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BIN=${TILLVAXT:-$TOP/build-stats/engine/app/tillvaxt}
CASES=${CASES:-1000000}
RUNS=${RUNS:-20}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tv-stats-bench.XXXXXX")
DATA=${DATA_DIR:-$TMP/data}
export TILLVAXT_DEMO_PASSWORD=${TILLVAXT_DEMO_PASSWORD:-stats-bench-password}
SERVER=""
cleanup() {
  if [[ -n $SERVER ]] && kill -0 "$SERVER" 2>/dev/null; then kill -TERM "$SERVER"; wait "$SERVER" || true; fi
  if [[ -z ${KEEP:-} && -z ${DATA_DIR:-} ]]; then rm -rf "$TMP"; else echo "kept $DATA"; rm -rf "$TMP/serve.log" "$TMP/out.json" "$TMP/times"; fi
}
trap cleanup EXIT
now_ms() { date +%s%3N; }
p50() { sort -n | awk '{a[NR]=$1} END {printf "p50 %.1f ms (min %.1f, max %.1f, n=%d)\n", a[int((NR+1)/2)], a[1], a[NR], NR}'; }

echo "# machine: $(nproc) cores; $(lscpu | grep 'Model name' | sed 's/ \+/ /g')"
echo "# binary: $BIN"
t0=$(now_ms)
if [[ -n ${DATA_DIR:-} ]]; then
  echo "seed: using $DATA_DIR as it is"
else
  "$BIN" seed --cases "$CASES" --data "$DATA" --durability normal 2>/dev/null
  echo "seed: $CASES cases in $(( ($(now_ms) - t0) / 1000 )) s"
fi
echo "database: $(du -sh "$DATA" | cut -f1)"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf '%s\n' "$TILLVAXT_DEMO_PASSWORD" |
  "$BIN" user add stats-bench --role manager --password-stdin --data "$DATA" >/dev/null 2>&1 || true
t0=$(now_ms)
"$BIN" serve --data "$DATA" --listen "127.0.0.1:$PORT" --web= >"$TMP/serve.log" 2>&1 &
SERVER=$!
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do sleep 0.005; done
echo "server start (launch to /readyz 200): $(( $(now_ms) - t0 )) ms"
echo "server VmRSS at start: $(grep VmRSS /proc/$SERVER/status | awk '{printf "%.0f MB", $2/1024}')"
TOKEN=$(curl -sf "http://127.0.0.1:$PORT/v1/sessions" -H 'Content-Type: application/json' \
  -d "{\"username\":\"stats-bench\",\"password\":\"$TILLVAXT_DEMO_PASSWORD\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
get() { curl -sf -o "$TMP/out.json" -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$1"; }
get /v1/stats/summary >/dev/null
echo "statistics index ready (launch to first summary): $(( $(now_ms) - t0 )) ms"
echo "cases counted: $(python3 -c 'import json; print(json.load(open("'"$TMP/out.json"'"))["total"])')"
for path in /v1/stats/summary /v1/stats/flow "/v1/stats/timeseries?bucket=month&metric=created" \
            "/v1/stats/summary?need=financing&node=eskilstuna&from=2025-01-01"; do
  for _ in $(seq "$RUNS"); do get "$path" | awk '{printf "%.3f\n", $1 * 1000}'; done > "$TMP/times"
  echo "$path: $(p50 < "$TMP/times")"
done
echo "server VmRSS: $(grep VmRSS /proc/$SERVER/status | awk '{printf "%.0f MB", $2/1024}')"
