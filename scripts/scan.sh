#!/usr/bin/env bash
# Debian's web scanners against a running `tillvaxt serve --demo`, on loopback, signed in:
#
#   scripts/scan.sh            # sqlmap, then wapiti; about 10 minutes on 2 cores
#   scripts/scan.sh sqlmap     # one of them
#
# sqlmap tries SQL injection in every query parameter of the listings and statistics, in the
# path segments that name a case or a company, and in every field of a JSON case intake; half
# of its targets are sent with a bearer token, half with the session cookie (and the Origin a
# browser would send, so the CSRF check lets them through). wapiti attacks the same URLs with
# its injection, XSS, command-execution, file, CRLF and redirect modules (not those that need a
# server on the internet: xxe, ssrf), once with each kind of session (the manager's, who may
# read every one of them). The reports stay in OUT (default build/scan); the script exits 1 when
# sqlmap confirms an injectable parameter or cannot test a target, when wapiti reports a
# vulnerability other than the two docs/SECURITY.md "Scanners" accepts, or when the server
# answers 5xx. Never run it against a server with real data: the scanners write cases.
#
# Environment: TILLVAXT (the binary; default build/test/engine/app/tillvaxt, built when
# missing), OUT, SQLMAP_LEVEL (2), SQLMAP_RISK (1), WAPITI_SECONDS (per run, 240).
set -euo pipefail
cd "$(dirname "$0")/.."
TOP=$PWD
source scripts/deps.sh
tv_install_missing sqlmap wapiti curl
WHAT=${1:-all}
case $WHAT in all | sqlmap | wapiti) ;; *)
  echo "usage: scripts/scan.sh [all|sqlmap|wapiti]" >&2
  exit 2
  ;;
esac
OUT=${OUT:-$TOP/build/scan}
TILLVAXT=${TILLVAXT:-$TOP/build/test/engine/app/tillvaxt}
if [[ ! -x $TILLVAXT ]]; then
  export CCACHE_BASEDIR=$TOP
  cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build/test -j "$(nproc)" --target tillvaxt
fi
rm -rf "$OUT"
mkdir -p "$OUT"
TMP=$(mktemp -d)
SERVER=""
cleanup() {
  if [[ -n $SERVER ]] && kill -0 "$SERVER" 2>/dev/null; then
    kill -TERM "$SERVER"
    wait "$SERVER" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

export TILLVAXT_DEMO_PASSWORD=scan-demo-password
"$TILLVAXT" serve --demo --data "$TMP/data" --listen 127.0.0.1:0 --web=web/dist \
  >"$OUT/serve.log" 2>&1 &
SERVER=$!
PORT=""
for _ in $(seq 600); do
  PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$OUT/serve.log")
  [[ -n $PORT ]] && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$OUT/serve.log" >&2; exit 1; }
  sleep 0.1
done
URL=http://127.0.0.1:$PORT
echo "==> tillvaxt serve --demo at $URL; reports in $OUT"

token() {
  curl -sf -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$TILLVAXT_DEMO_PASSWORD\"}" "$URL/v1/sessions" |
    sed -n 's/^{"token":"\([^"]*\)".*/\1/p'
}
MANAGER=$(token manager)
COORD=$(token coord.eskilstuna)
[[ -n $MANAGER && -n $COORD ]] || { echo "scan: cannot sign in" >&2; exit 1; }
BEARER="Authorization: Bearer $MANAGER"
COOKIE="Cookie: tillvaxt_session=$COORD"
ORIGIN="Origin: $URL"
CASE=$(curl -sf -H "$BEARER" "$URL/v1/cases?node=eskilstuna&pageSize=1" |
  sed -n 's/^{"cases":\[{"id":"\([^"]*\)".*/\1/p')
ORG=556036-0793

# Each target: "bearer|cookie URL [JSON body]"; a * marks a path segment to inject into.
SQLMAP_TARGETS=(
  "bearer $URL/v1/cases?q=automation&node=eskilstuna&state=NEW&need=financing&pageSize=10"
  "bearer $URL/v1/offers?q=innovation&node=eskilstuna&active=true&pageSize=10"
  "bearer $URL/v1/stats/summary?node=eskilstuna&from=2026-01-01&to=2026-12-31&need=financing"
  "bearer $URL/v1/stats/timeseries?bucket=month&metric=created&node=eskilstuna"
  "bearer $URL/v1/cases/$CASE*"
  "cookie $URL/v1/companies/$ORG*/cases"
  "cookie $URL/v1/cases?candidate=mitc&assignee=mitc&level=LOCAL&area=digitala-tjanster"
  "cookie $URL/v1/nodes/eskilstuna*/inbox"
  "cookie $URL/v1/cases {\"title\":\"Skanning\",\"description\":\"Behöver finansiering\",\"company\":{\"name\":\"Skanbolaget AB\",\"orgNumber\":\"$ORG\",\"municipality\":\"Eskilstuna\"},\"contact\":{\"name\":\"Anna\",\"email\":\"anna@example.se\"}}"
)

# A target whose original request is refused would only test the refusal: check them first.
for target in "${SQLMAP_TARGETS[@]}"; do
  read -r kind url body <<<"$target"
  auth=$BEARER
  [[ $kind == cookie ]] && auth=$COOKIE
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" -H "$ORIGIN" \
    ${body:+-H 'Content-Type: application/json' --data "$body"} "${url//\*/}")
  if [[ $code != 2?? ]]; then
    echo "scan: the target ${url#"$URL"} answers $code to its own request: fix the target" >&2
    exit 1
  fi
done

status=0
if [[ $WHAT == all || $WHAT == sqlmap ]]; then
  echo "==> sqlmap (level ${SQLMAP_LEVEL:-2}, risk ${SQLMAP_RISK:-1}), ${#SQLMAP_TARGETS[@]} targets"
  n=0
  for target in "${SQLMAP_TARGETS[@]}"; do
    n=$((n + 1))
    read -r kind url body <<<"$target"
    headers=$BEARER
    [[ $kind == cookie ]] && headers=$COOKIE$'\n'$ORIGIN
    [[ -n ${body:-} ]] && headers+=$'\n'"Content-Type: application/json"
    args=(--batch --level "${SQLMAP_LEVEL:-2}" --risk "${SQLMAP_RISK:-1}" --threads 4
      --disable-coloring --output-dir "$OUT/sqlmap" -u "$url" --headers "$headers")
    [[ -n ${body:-} ]] && args+=(--data "$body")
    echo "--> [$n/${#SQLMAP_TARGETS[@]}] $kind ${url#"$URL"}${body:+ (JSON body)}"
    log=$OUT/sqlmap-$n.log
    sqlmap "${args[@]}" >"$log" 2>&1 || true
    tested=$(grep -Eo "parameter '[^']*' does not seem to be injectable" "$log" | sort -u | wc -l)
    # sqlmap's verdict: "identified the following injection point(s)" when it confirmed one
    # ("appears to be ... injectable" alone is a first guess that its confirmation may refute).
    if grep -Eiq "identified the following injection point|parameter '[^']*' is vulnerable" "$log"; then
      echo "    INJECTABLE: see $log"
      status=1
    elif ((tested == 0)) || grep -Eq "not authorized|unable to connect|connection refused" "$log"; then
      echo "    NOT TESTED (sqlmap could not reach the parameters): see $log"
      status=1
    else
      echo "    $tested parameters tested, none injectable:" \
        "$(grep -Eo "parameter '[^']*' does not seem" "$log" | cut -d"'" -f2 | sort -u | tr '\n' ' ')"
    fi
  done
fi

if [[ $WHAT == all || $WHAT == wapiti ]]; then
  MODULES=sql,blindsql,timesql,xss,permanentxss,exec,file,crlf,redirect,methods,http_headers,csp,cookieflags
  for kind in bearer cookie; do
    header=$BEARER
    [[ $kind == cookie ]] && header="Cookie: tillvaxt_session=$MANAGER"
    echo "==> wapiti ($kind session, at most ${WAPITI_SECONDS:-240} s): $MODULES"
    starts=()
    for target in "${SQLMAP_TARGETS[@]}"; do
      read -r _ url body <<<"$target"
      [[ -z ${body:-} ]] && starts+=(-s "${url//\*/}")
    done
    wapiti -u "$URL/" --scope folder -H "$header" -H "$ORIGIN" "${starts[@]}" -m "$MODULES" \
      --max-scan-time "${WAPITI_SECONDS:-240}" --flush-session --verify-ssl 0 \
      -f json -o "$OUT/wapiti-$kind.json" >"$OUT/wapiti-$kind.log" 2>&1 || true
    python3 - "$OUT/wapiti-$kind.json" <<'EOF' || status=1
import json, sys
# Reported by wapiti, weighed in docs/SECURITY.md "Scanners" and accepted: X-XSS-Protection is
# deprecated (OWASP advises against it; the Content-Security-Policy does its job), and
# Strict-Transport-Security must not be sent over plain HTTP (RFC 6797 §7.2; the server sends it
# over TLS).
ACCEPTED = {"X-XSS-Protection is not set", "Strict-Transport-Security is not set"}
report = json.load(open(sys.argv[1]))
failed = False
for group, label in (("vulnerabilities", "VULNERABILITY"), ("anomalies", "anomaly"),
                     ("additionals", "note")):
    for name, items in report.get(group, {}).items():
        for item in items:
            accepted = group == "vulnerabilities" and item.get("info") in ACCEPTED
            failed |= group == "vulnerabilities" and not accepted
            print(f"    {'accepted' if accepted else label}: {name}: {item.get('method', '')} "
                  f"{item.get('path', '')} {item.get('parameter', '')}: {item.get('info', '')}"[:300])
sys.exit(1 if failed else 0)
EOF
    grep -o 'Wapiti found [0-9]* URLs and forms' "$OUT/wapiti-$kind.log" | sed 's/^/    /' || true
  done
fi

if grep -Eq 'AddressSanitizer|runtime error:' "$OUT/serve.log"; then
  echo "scan: a sanitizer report in the server's log" >&2
  status=1
fi
echo "==> the server's answers during the scan, by status:"
grep -o '"status":[0-9]*' "$OUT/serve.log" | cut -d: -f2 | sort | uniq -c | sed 's/^/    /'
errors=$(grep -c '"status":5[0-9][0-9]' "$OUT/serve.log" || true)
((errors > 0)) && status=1
((status == 0)) && echo "scan: nothing injectable, no vulnerability reported" ||
  echo "scan: FINDINGS, see above and $OUT" >&2
exit "$status"
