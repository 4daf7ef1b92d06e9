#!/usr/bin/env bash
# The soak: a steady lifecycle load on `tillvaxt serve --demo` for a long while, with the
# traffic that leaks when anything does, and a sample of the server's resources per interval.
#
#   bench/soak.sh                        # 30 minutes, a sample a minute
#   SOAK_SECONDS=60 SAMPLE_SECONDS=10 bench/soak.sh   # the short version the test command runs
#
# Load: http_bench's full case lifecycles (create, triage, claim, start, resolve, close) over
# CONNECTIONS keep-alive connections (default 4), and beside it, all the time:
#   - SSE clients of /v1/stream that connect, read for 1 to 4 s and drop;
#   - CSV exports of /v1/stats/export.csv started and abandoned after their first bytes;
#   - failing logins (a wrong password, from 127.0.0.2 so the load's own address is not
#     slowed) for existing and unknown users.
# Each interval records the server's RSS, open file descriptors, threads, the WAL's and the
# database's size, and the load's commands/s, p99 and the server's CPU time per command in that
# interval (which tells a slower server from a busier machine).
#
# It fails (exit 1) on growth, comparing the second half of the samples with the first (the
# first sample, the warm-up, left out): open descriptors or threads above the first half's
# largest by more than a few (connections come and go), a WAL beyond 64 MiB (checkpoints keep
# it bounded), RSS growing more than RSS_KIB_PER_CASE per case created in between plus 16 MiB
# (the region's in-memory indexes of statistics and offers grow with the cases, as they should;
# a leak per request grows much faster), any failed command, or the server dying.
#
# Environment: TILLVAXT and HTTP_BENCH (binaries; default: built in BUILD, default build-bench,
# as bench/run.sh does), SOAK_SECONDS (1800), SAMPLE_SECONDS (60), CONNECTIONS (4),
# RSS_KIB_PER_CASE (8), SOAK_DIR (where the data folder goes; default a fresh folder in /tmp).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
SOAK_SECONDS=${SOAK_SECONDS:-1800}
SAMPLE_SECONDS=${SAMPLE_SECONDS:-60}
CONNECTIONS=${CONNECTIONS:-4}
RSS_KIB_PER_CASE=${RSS_KIB_PER_CASE:-8}
for v in SOAK_SECONDS SAMPLE_SECONDS CONNECTIONS RSS_KIB_PER_CASE; do
  if ! [[ ${!v} =~ ^[1-9][0-9]*$ ]]; then
    echo "soak: $v must be a positive whole number, not '${!v}'" >&2
    exit 2
  fi
done
SAMPLES=$((SOAK_SECONDS / SAMPLE_SECONDS))
if ((SAMPLES < 4)); then
  echo "soak: SOAK_SECONDS must hold at least 4 samples of SAMPLE_SECONDS ($SAMPLE_SECONDS s)" >&2
  exit 2
fi

if [[ -z ${TILLVAXT:-} || -z ${HTTP_BENCH:-} ]]; then
  BUILD=${BUILD:-$TOP/build-bench}
  export CCACHE_BASEDIR=$TOP
  if [[ ! -f $BUILD/build.ninja ]]; then
    cmake -S "$TOP" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" -DTV_BUILD_TESTS=OFF >/dev/null
  fi
  ninja -C "$BUILD" -j2 http_bench tillvaxt >/dev/null
  TILLVAXT=${TILLVAXT:-$BUILD/engine/app/tillvaxt}
  HTTP_BENCH=${HTTP_BENCH:-$BUILD/bench/http_bench}
fi
for b in "$TILLVAXT" "$HTTP_BENCH"; do
  [[ -x $b ]] || { echo "soak: no executable $b" >&2; exit 2; }
done

TMP=$(mktemp -d "${SOAK_DIR:-/tmp}/tillvaxt-soak.XXXXXX")
PIDS=()
SERVER=""
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [[ -n $SERVER ]] && kill -0 "$SERVER" 2>/dev/null; then
    kill -TERM "$SERVER"
    wait "$SERVER" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

export TILLVAXT_DEMO_PASSWORD=${TILLVAXT_DEMO_PASSWORD:-soak-demo-password}
"$TILLVAXT" serve --demo --data "$TMP/data" --listen 127.0.0.1:0 --web= >"$TMP/serve.log" 2>&1 &
SERVER=$!
PORT=""
for _ in $(seq 600); do
  PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$TMP/serve.log")
  [[ -n $PORT ]] && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$TMP/serve.log" >&2; exit 1; }
  sleep 0.1
done
[[ -n $PORT ]] || { echo "soak: the server did not start" >&2; cat "$TMP/serve.log" >&2; exit 1; }
URL=http://127.0.0.1:$PORT

token() {
  curl -sf -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$TILLVAXT_DEMO_PASSWORD\"}" "$URL/v1/sessions" |
    sed -n 's/^{"token":"\([^"]*\)".*/\1/p'
}
MANAGER=$(token manager)
[[ -n $MANAGER ]] || { echo "soak: cannot sign in the manager" >&2; exit 1; }

echo "== Soak: $SOAK_SECONDS s, a sample every $SAMPLE_SECONDS s, $CONNECTIONS connections"
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/Model name: *//p'); data on" \
  "$(df --output=fstype "$TMP" | tail -1 | tr -d ' ')"

# The load: one http_bench run of SAMPLE_SECONDS per sample, signed in once.
RUNS=$(printf "$CONNECTIONS,%.0s" $(seq "$SAMPLES"))
"$HTTP_BENCH" --port "$PORT" --connections "${RUNS%,}" --seconds "$SAMPLE_SECONDS" \
  --raw-seconds 0.2 --dir "$TMP" --config "$TOP/config/sormland.textproto" \
  --server-pid "$SERVER" >"$TMP/bench.log" 2>&1 &
BENCH=$!
PIDS+=("$BENCH")

# The traffic beside it, until the load is done.
sse_clients() {
  while kill -0 "$BENCH" 2>/dev/null; do
    curl -s -N --max-time $((1 + RANDOM % 4)) -H "Authorization: Bearer $MANAGER" \
      "$URL/v1/stream" >/dev/null || true
  done
}
abandoned_exports() {
  while kill -0 "$BENCH" 2>/dev/null; do
    curl -s -N -H "Authorization: Bearer $MANAGER" "$URL/v1/stats/export.csv" 2>/dev/null |
      head -c 2000 >/dev/null || true
    sleep 0.2
  done
}
failing_logins() {
  local users=(admin manager coord.nykoping actor.almi nobody.here)
  while kill -0 "$BENCH" 2>/dev/null; do
    curl -s --interface 127.0.0.2 -o /dev/null -H 'Content-Type: application/json' \
      -d "{\"username\":\"${users[RANDOM % ${#users[@]}]}\",\"password\":\"wrong-$RANDOM\"}" \
      "$URL/v1/sessions" || true
    sleep 0.1
  done
}
for _ in 1 2 3; do sse_clients & PIDS+=($!); done
abandoned_exports &
PIDS+=($!)
failing_logins &
PIDS+=($!)

# The samples: one at the end of each load run.
until grep -q '^Signed in' "$TMP/bench.log"; do
  kill -0 "$BENCH" 2>/dev/null || { cat "$TMP/bench.log" >&2; exit 1; }
  sleep 0.1
done
printf '%-6s %9s %5s %7s %9s %9s %8s %9s %9s %11s\n' minute rss_mib fds threads wal_mib db_mib \
  cases cmd/s p99_ms cpu_us/cmd
declare -a RSS FDS THREADS WAL CASES
count_cases() {
  curl -sf -H "Authorization: Bearer $MANAGER" "$URL/v1/stats/summary" |
    sed -n 's/.*"total":\([0-9]*\).*/\1/p' | head -1
}
for i in $(seq "$SAMPLES"); do
  # The i-th run's line appears when it ends.
  until (($(grep -c ' connections\?: ' "$TMP/bench.log") >= i)); do
    kill -0 "$BENCH" 2>/dev/null || break
    sleep 0.2
  done
  kill -0 "$SERVER" 2>/dev/null || { echo "soak: the server died" >&2; tail "$TMP/serve.log" >&2; exit 1; }
  RSS[i]=$(awk '/^VmRSS/ {print $2}' "/proc/$SERVER/status")
  FDS[i]=$(ls "/proc/$SERVER/fd" | wc -l)
  THREADS[i]=$(awk '/^Threads/ {print $2}' "/proc/$SERVER/status")
  WAL[i]=$(stat -c %s "$TMP/data/tillvaxt.db-wal" 2>/dev/null || echo 0)
  CASES[i]=$(count_cases)
  CASES[i]=${CASES[i]:-0}
  line=$(grep ' connections\?: ' "$TMP/bench.log" | sed -n "${i}p")
  rate=$(sed -n 's/.*: \([0-9]*\) commands\/s.*/\1/p' <<<"$line")
  p99=$(sed -n 's/.*p99 \([0-9.]*\) ms.*/\1/p' <<<"$line")
  # The server's own CPU time per command in that run (the line after the run's).
  cpu=$(grep -A1 ' connections\?: ' "$TMP/bench.log" | grep 'server CPU' | sed -n "${i}p" |
    sed -n 's/.*: \([0-9]*\) us per command.*/\1/p')
  printf '%-6s %9.1f %5d %7d %9.1f %9.1f %8d %9s %9s %11s\n' \
    "$(awk "BEGIN {printf \"%.1f\", $i * $SAMPLE_SECONDS / 60}")" \
    "$(awk "BEGIN {print ${RSS[i]} / 1024}")" "${FDS[i]}" "${THREADS[i]}" \
    "$(awk "BEGIN {print ${WAL[i]} / 1048576}")" \
    "$(awk "BEGIN {print $(stat -c %s "$TMP/data/tillvaxt.db") / 1048576}")" \
    "${CASES[i]}" "${rate:-?}" "${p99:-?}" "${cpu:-?}"
done
wait "$BENCH" || { echo "soak: the load generator failed" >&2; cat "$TMP/bench.log" >&2; exit 1; }

# The verdict.
problems=()
if grep -q ERRORS "$TMP/bench.log"; then
  problems+=("failed commands: $(grep -m1 ERRORS "$TMP/bench.log")")
fi
half=$(((SAMPLES + 1) / 2))
max_of() { # name from to
  local -n arr=$1
  local m=0
  for ((k = $2; k <= $3; k++)); do ((arr[k] > m)) && m=${arr[k]}; done
  echo "$m"
}
fds_first=$(max_of FDS 2 "$half") fds_late=$(max_of FDS $((half + 1)) "$SAMPLES")
((fds_late > fds_first + 8)) && problems+=("open descriptors grew: $fds_first, then $fds_late")
th_first=$(max_of THREADS 2 "$half") th_late=$(max_of THREADS $((half + 1)) "$SAMPLES")
((th_late > th_first + 2)) && problems+=("threads grew: $th_first, then $th_late")
wal_late=$(max_of WAL 1 "$SAMPLES")
((wal_late > 64 * 1048576)) && problems+=("the WAL reached $((wal_late / 1048576)) MiB")
rss_growth=$((RSS[SAMPLES] - RSS[2]))
cases_added=$((CASES[SAMPLES] - CASES[2]))
rss_allowed=$((cases_added * RSS_KIB_PER_CASE + 16384))
echo "RSS from the second sample to the last: $((rss_growth / 1024)) MiB for $cases_added cases" \
  "created ($(awk "BEGIN {printf \"%.2f\", ($cases_added > 0) ? ($rss_growth / $cases_added) : 0}")" \
  "KiB per case; allowed $((rss_allowed / 1024)) MiB)"
((rss_growth > rss_allowed)) && problems+=("RSS grew $((rss_growth / 1024)) MiB, more than $((rss_allowed / 1024)) MiB")
grep -E 'AddressSanitizer|runtime error:' "$TMP/serve.log" >/dev/null &&
  problems+=("a sanitizer report in the server's log")
kill -TERM "$SERVER"
if ! wait "$SERVER"; then problems+=("the server did not exit cleanly on SIGTERM"); fi
SERVER=""
if ((${#problems[@]} > 0)); then
  printf 'soak: FAILED: %s\n' "${problems[@]}" >&2
  exit 1
fi
echo "soak: passed (no growth in descriptors, threads, WAL or RSS beyond the cases' own)"
