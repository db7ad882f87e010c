#!/usr/bin/env bash
# Benchmark of the QR channel, on loopback only: QR PNG and SVG generations per second, and
# landing pages (/q/<code>?k=<token>, detailed view) per second beside JSON lookups
# (/api/v1/dossiers/<code>) per second, in the same run, against the same tracuu instance.
#
# Builds the release binary, makes sure the bench database (default var/bench-qr-postgres)
# holds the demo province (BENCH_DOSSIERS, default 50,000; first run loads it, about 15 s), starts
# tracuu on a free port with rate limits off and a bench sync secret (print requests are signed as
# the main store signs them), warms the cache, then runs BENCH_PAIRS rounds; each round runs the
# four loads (JSON, landing, PNG, SVG) back to back, order reversed every other round, wrk
# closed-loop, random code per request. Prints every round, the medians, and the median of the
# per-round ratios landing / JSON (target >= 0.6). The summary also goes to
# var/bench-qr-results.txt, raw wrk output to var/bench-qr/.
#
# Usage: bench/qr.sh      (about 4 x BENCH_PAIRS x BENCH_DURATION seconds after start-up)
# Knobs: BENCH_PAIRS (5), BENCH_DURATION seconds per run (10), BENCH_CONNECTIONS (64),
# BENCH_WRK_THREADS (1), BENCH_DOSSIERS (50000), BENCH_DATA_DIR (var/bench-qr-postgres),
# BENCH_CODES (10000 codes drawn), BENCH_SKIP_BUILD=1.

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

PAIRS=${BENCH_PAIRS:-5}
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
WRK_THREADS=${BENCH_WRK_THREADS:-1}
DOSSIERS=${BENCH_DOSSIERS:-50000}
DATA_DIR=${BENCH_DATA_DIR:-var/bench-qr-postgres}
CODES=${BENCH_CODES:-10000}
WORKERS=2
HOST=127.0.0.1
WORK=$ROOT/var/bench-qr
RESULTS=$ROOT/var/bench-qr-results.txt
TRACUU_BIN=$ROOT/target/release/tracuu
SECRET=bench-qr-sync-secret-$$-$RANDOM

BENCH_NAME=bench-qr
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

TRACUU_PID=""

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop_tracuu
    exit "$status"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

for tool in curl psql python3 cargo; do
    command -v "$tool" >/dev/null || die "$tool is required"
done
if ! command -v wrk >/dev/null; then
    log "installing wrk (Debian package)"
    apt-get install -y wrk >/dev/null || die "cannot install wrk: apt-get install -y wrk"
fi

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    log "building the release binary (cargo build --release --bin tracuu)"
    cargo build --release --bin tracuu --quiet || die "release build failed"
fi
[ -x "$TRACUU_BIN" ] || die "missing $TRACUU_BIN"

mkdir -p "$WORK"
: >"$WORK/wrk.log"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
port_busy "$PORT" && die "port $PORT is busy"

# Every tracuu process of this run (server and `qr link`) sees the same settings.
export TRACUU_DATABASE__DATA_DIR="$DATA_DIR" TRACUU_HTTP__HOST="$HOST" TRACUU_HTTP__PORT="$PORT" \
    TRACUU_HTTP__WORKERS="$WORKERS" TRACUU_RATE_LIMIT__ENABLED=false \
    TRACUU_DEMO__LOAD_ON_FIRST_RUN=true TRACUU_DEMO__DOSSIERS="$DOSSIERS" \
    TRACUU_SYNC__SECRETS="$SECRET" TRACUU_SYNC__WINDOW_SECS=86400 \
    TRACUU_QR__PUBLIC_BASE_URL="http://$HOST:$PORT" RUST_LOG=warn

start_tracuu() {
    "$TRACUU_BIN" serve >"$WORK/tracuu.log" 2>&1 &
    TRACUU_PID=$!
    local started=$SECONDS
    until curl -s --max-time 2 "http://$HOST:$PORT/readyz" 2>/dev/null | grep -q '"warmed":true'; do
        pid_alive "$TRACUU_PID" || { tail -n 20 "$WORK/tracuu.log" >&2; die "tracuu exited (log: $WORK/tracuu.log)"; }
        [ $((SECONDS - started)) -lt 900 ] || die "tracuu not warmed after 900 s"
        sleep 0.5
    done
    log "tracuu ready in $((SECONDS - started)) s"
}

log "starting tracuu on $HOST:$PORT (loads $DOSSIERS demo dossiers into $DATA_DIR on its first run)"
start_tracuu
have=$(bench_psql -c 'select count(*) from dossiers')
if [ "$have" != "$DOSSIERS" ]; then
    log "the bench database holds $have dossiers, not $DOSSIERS: reloading the demo province"
    stop_tracuu
    "$TRACUU_BIN" demo-data --dossiers "$DOSSIERS" --seed 1 --replace >"$WORK/demo-data.log" 2>&1 &
    load_pid=$!
    wait "$load_pid" || die "demo-data failed (see $WORK/demo-data.log)"
    wait_watchdog "$load_pid"
    stop_tracuu # nothing runs now; waits until the cluster demo-data started is down
    start_tracuu
    have=$(bench_psql -c 'select count(*) from dossiers')
fi
log "$have dossiers in the read model"

log "drawing $CODES random codes and making the four kinds of request"
bench_psql -c "select code from dossiers order by random() limit $CODES" >"$WORK/codes.txt"
"$TRACUU_BIN" qr link <"$WORK/codes.txt" 2>>"$WORK/tracuu.log" >"$WORK/links.txt"
python3 - "$WORK" "$SECRET" <<'PY'
import hashlib, hmac, sys, time
work, secret = sys.argv[1:3]
codes = [c.strip() for c in open(f"{work}/codes.txt") if c.strip()]
links = [l.strip() for l in open(f"{work}/links.txt") if l.strip()]
assert len(codes) == len(links), "one link per code"
ts = str(int(time.time()))

def signed(path):
    mac = hmac.new(secret.encode(), f"{ts}.GET.{path}".encode(), hashlib.sha256).hexdigest()
    return f"{path}\tX-Tracuu-Timestamp: {ts}\tX-Tracuu-Signature: sha256={mac}"

files = {
    "json": [f"/api/v1/dossiers/{c}" for c in codes],
    "landing": [l[l.index("/q/"):] for l in links],
    "png": [signed(f"/api/v1/dossiers/{c}/qr.png") for c in codes],
    "svg": [signed(f"/api/v1/dossiers/{c}/qr.svg") for c in codes],
}
for name, lines in files.items():
    with open(f"{work}/paths-{name}.txt", "w") as f:
        f.write("\n".join(lines) + "\n")
PY

# One request of each kind must answer 200 with the expected body before anything is measured.
check() {
    local kind=$1 expect=$2 line path headers=()
    line=$(head -n 1 "$WORK/paths-$kind.txt")
    IFS=$'\t' read -r path rest <<<"$line"
    if [ -n "${rest:-}" ]; then
        IFS=$'\t' read -r -a parts <<<"$rest"
        for h in "${parts[@]}"; do headers+=(-H "$h"); done
    fi
    curl -s --max-time 5 "${headers[@]}" "http://$HOST:$PORT$path" -o "$WORK/sample-$kind" -w '%{http_code} %{size_download}\n' >"$WORK/sample-$kind.status"
    read -r code size <"$WORK/sample-$kind.status"
    [ "$code" = 200 ] || die "$kind request $path answered $code"
    grep -aq "$expect" "$WORK/sample-$kind" || die "$kind answer lacks '$expect' (see $WORK/sample-$kind)"
    log "  $kind: 200, $size bytes"
}
check json '"view":"public"'
check landing 'Quá trình xử lý'
check png 'PNG'
check svg '<svg'

# run_wrk KIND [SECONDS] -> "REQ_PER_S ERRORS"
run_wrk() {
    local kind=$1 secs=${2:-$DURATION} out
    out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${secs}s" -s "$ROOT/bench/paths.lua" \
        "http://$HOST:$PORT" -- "$WORK/paths-$kind.txt" 2>&1) || die "wrk failed: $out"
    printf '%s\n' "$out" >>"$WORK/wrk.log"
    printf '%s\n' "$out" | python3 -c '
import re, sys
m = re.search(r"^BENCH (.*)$", sys.stdin.read(), re.M)
if not m:
    sys.exit("no BENCH line from wrk")
f = {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
errors = f["err_connect"] + f["err_read"] + f["err_write"] + f["err_status"] + f["err_timeout"]
print("%.1f %d" % (f["requests"] / (f["duration_us"] / 1e6), errors))
'
}

BUSY_REPORT=$(cpu_busy 3)
BUSY=$(head -n 1 <<<"$BUSY_REPORT")
if [ "$BUSY" -gt 10 ]; then
    log "WARNING: ${BUSY}% of the CPUs are busy with other work; figures will be noisy:"
    tail -n +2 <<<"$BUSY_REPORT"
fi

log "warming (2 s of each load, not recorded)"
for kind in json landing png svg; do run_wrk "$kind" 2 >/dev/null; done

RECORDS=$WORK/records.txt
: >"$RECORDS"
log "$PAIRS rounds of ${DURATION}s wrk runs (-t$WRK_THREADS -c$CONNECTIONS), order reversed every other round"
for i in $(seq 1 "$PAIRS"); do
    order="json landing png svg"
    [ $((i % 2)) -eq 0 ] && order="svg png landing json"
    line="  round $i:"
    for kind in $order; do
        result=$(run_wrk "$kind")
        printf '%s %s %s\n' "$i" "$kind" "$result" >>"$RECORDS"
        line="$line $kind $(printf '%.0f' "${result% *}")/s (errors ${result#* });"
    done
    log "$line"
done
stop_tracuu

echo
python3 - "$RECORDS" "$BUSY" "$have" "$PAIRS" "$DURATION" "$CONNECTIONS" <<'PY' | tee "$RESULTS"
import statistics, sys
records, busy, dossiers, pairs, duration, connections = sys.argv[1:7]
rounds = {}
errors = 0
for line in open(records):
    i, kind, rps, err = line.split()
    rounds.setdefault(int(i), {})[kind] = float(rps)
    errors += int(err)
med = lambda kind: statistics.median(r[kind] for r in rounds.values())
ratios = [r["landing"] / r["json"] for r in rounds.values()]
ratio = statistics.median(ratios)
print(f"QR benchmark: {dossiers} dossiers cached, {pairs} rounds of {duration} s, wrk -c{connections}, "
      f"{busy}% of the CPUs busy before the runs")
print(f"  JSON lookups/s            {med('json'):>10,.0f}")
print(f"  landing pages/s           {med('landing'):>10,.0f}")
print(f"  QR PNG generations/s      {med('png'):>10,.0f}")
print(f"  QR SVG generations/s      {med('svg'):>10,.0f}")
verdict = "meets target" if ratio >= 0.6 else "MISSES TARGET"
print(f"  landing / JSON            {ratio:>10.3f}  (rounds {min(ratios):.3f}-{max(ratios):.3f}; target >= 0.6: {verdict})")
if errors:
    print(f"  WARNING: {errors} errors (non-2xx answers or socket errors) during the runs")
PY
echo
log "summary written to ${RESULTS#"$ROOT"/}; wrk output in ${WORK#"$ROOT"/}/wrk.log"
