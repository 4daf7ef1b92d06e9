#!/usr/bin/env bash
# The benchmarks of issues 2 and 3, built in Release and run once (never by the test command).
#
#   bench/run.sh            # both: core_bench, then http_bench against a fresh `serve --demo`
#   bench/run.sh core       # routing and store append rates only
#   bench/run.sh http       # the HTTP load generator only
#
# Environment: BUILD (build folder, default build-bench), SECONDS_PER_RUN (default 6 for the
# store runs, 10 for each HTTP connection count), CONNECTIONS (default 1,8,64), WORKERS (the
# server's --workers, default: the server's own default), TILLVAXT_DEMO_PASSWORD.
# Temporary databases go to a fresh folder inside the build folder, i.e. on the same disk as the
# repository; it is removed afterwards.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build-bench}
WHAT=${1:-all}
export CCACHE_BASEDIR=$TOP

if [[ ! -f $BUILD/build.ninja ]]; then
  # -O2: GCC 12's -O3 (CMake's Release default) reports a false -Wrestrict in engine/domain.
  cmake -S "$TOP" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" -DTV_BUILD_TESTS=OFF >/dev/null
fi
ninja -C "$BUILD" -j2 core_bench http_bench tillvaxt >/dev/null

TMP=$(mktemp -d "$BUILD/bench-tmp.XXXXXX")
SERVER=""
cleanup() {
  if [[ -n $SERVER ]] && kill -0 "$SERVER" 2>/dev/null; then
    kill -TERM "$SERVER"
    wait "$SERVER" || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

echo "== Machine"
echo "nproc: $(nproc)"
lscpu | grep 'Model name' || true
echo "disk of $TMP: $(df -h --output=source,fstype,size "$TMP" | tail -1)" \
  "($(findmnt -n -o FSTYPE,OPTIONS -T "$TMP" 2>/dev/null || true))"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ $WHAT == all || $WHAT == core ]]; then
  echo
  echo "== core_bench"
  "$BUILD/bench/core_bench" --config "$TOP/config/sormland.textproto" --dir "$TMP" \
    --seconds "${SECONDS_PER_RUN:-6}"
fi

if [[ $WHAT == all || $WHAT == http ]]; then
  echo
  echo "== http_bench against tillvaxt serve --demo (default durability: synchronous=FULL)"
  export TILLVAXT_DEMO_PASSWORD=${TILLVAXT_DEMO_PASSWORD:-bench-demo-password}
  SERVE_ARGS=(serve --demo --data "$TMP/data" --listen 127.0.0.1:0)
  [[ -n ${WORKERS:-} ]] && SERVE_ARGS+=(--workers "$WORKERS")
  # The access log (one line per request) goes to a file, as it would in production.
  "$BUILD/engine/app/tillvaxt" "${SERVE_ARGS[@]}" >"$TMP/serve.log" 2>&1 &
  SERVER=$!
  PORT=""
  for _ in $(seq 1 600); do
    PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$TMP/serve.log" | head -1)
    [[ -n $PORT ]] && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$TMP/serve.log"; exit 1; }
    sleep 0.1
  done
  [[ -n $PORT ]] || { echo "the server did not start"; cat "$TMP/serve.log"; exit 1; }
  echo "server: ${SERVE_ARGS[*]} (pid $SERVER, port $PORT)"
  "$BUILD/bench/http_bench" --port "$PORT" --config "$TOP/config/sormland.textproto" \
    --dir "$TMP" --connections "${CONNECTIONS:-1,8,64}" --seconds "${SECONDS_PER_RUN:-10}" \
    --server-pid "$SERVER"
fi
