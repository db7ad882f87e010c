#!/usr/bin/env bash
# Performance benchmark of tracuu against a minimal actix-web baseline, on loopback only.
#
# Builds the release binaries, makes sure the bench database (default var/bench-postgres, apart
# from the developer's var/postgres) holds 1,000,000 demo dossiers, then in one run:
#   1. memory: VmRSS of tracuu with an empty cache, then VmRSS/VmHWM after the start-up warm-up;
#   2. cached lookups/s of tracuu vs requests/s of bench-baseline (a constant JSON body of the
#      median size of tracuu's public view), same wrk load, same kind of URL list, interleaved
#      A/B pairs (order alternating), median of the per-pair ratios;
#   3. p99 latency of both at the same fixed rate (20% of the baseline's median maximum), oha
#      with latency correction, interleaved pairs;
#   4. uncached lookups/s (TRACUU_CACHE__ENABLED=false: PostgreSQL per request) vs the baseline.
# Prints every pair, the medians and the targets; the summary also goes to var/bench-results.txt
# (git-ignored) and the raw records and logs to var/bench/.
#
# Usage: bench/run.sh            (about 8 minutes after the first data load on 2 cores)
# Knobs (environment): BENCH_PAIRS (5), BENCH_DURATION seconds per run (10), BENCH_CONNECTIONS
# (64), BENCH_WRK_THREADS (1), BENCH_RATE_FRACTION (0.2), BENCH_P99_PAIRS and BENCH_P99_DURATION
# (as BENCH_PAIRS and BENCH_DURATION), BENCH_DOSSIERS (1000000),
# BENCH_DATA_DIR (var/bench-postgres), BENCH_SKIP_BUILD=1, BENCH_SKIP_UNCACHED=1.

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

PAIRS=${BENCH_PAIRS:-5}
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
WRK_THREADS=${BENCH_WRK_THREADS:-1}
RATE_FRACTION=${BENCH_RATE_FRACTION:-0.2}
P99_PAIRS=${BENCH_P99_PAIRS:-$PAIRS}
P99_DURATION=${BENCH_P99_DURATION:-$DURATION}
DOSSIERS=${BENCH_DOSSIERS:-1000000}
DATA_DIR=${BENCH_DATA_DIR:-var/bench-postgres}
URL_COUNT=100000
WORKERS=2
HOST=127.0.0.1
TRACUU_PORT=18080
BASE_PORT=18081
WORK=$ROOT/var/bench
RECORDS=$WORK/records.txt
RESULTS=$ROOT/var/bench-results.txt
TRACUU_BIN=$ROOT/target/release/tracuu
BASE_BIN=$ROOT/target/release/bench-baseline

BENCH_NAME=bench
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

TRACUU_PID=""
TRACUU_LOG=""
BASE_PID=""
LOAD_PID=""


# ---------------------------------------------------------------------------------------------
# Process management




stop_baseline() {
    if pid_alive "$BASE_PID"; then
        kill -TERM "$BASE_PID" 2>/dev/null || true
        wait_exit "$BASE_PID" 15 || { kill -KILL "$BASE_PID" 2>/dev/null || true; }
    fi
    BASE_PID=""
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if pid_alive "$LOAD_PID"; then
        kill -TERM "$LOAD_PID" 2>/dev/null || true
        wait_exit "$LOAD_PID" 30 || true
    fi
    stop_baseline
    stop_tracuu
    exit "$status"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# Helpers



# A field of the /readyz JSON, e.g. `readyz cache.warmed`; empty when not answering.
readyz() {
    curl -s --max-time 5 "http://$HOST:$TRACUU_PORT/readyz" 2>/dev/null | python3 -c '
import json, sys
try:
    value = json.load(sys.stdin)
    for key in sys.argv[1].split("."):
        value = value[key]
    print(json.dumps(value) if isinstance(value, bool) else value)
except Exception:
    pass
' "$1" || true
}

proc_kb() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"; }

# start_tracuu LABEL [VAR=VALUE...]: starts `tracuu serve` with the bench settings.
start_tracuu() {
    local label=$1
    shift
    log "starting tracuu ($label)"
    env TRACUU_DATABASE__DATA_DIR="$DATA_DIR" \
        TRACUU_HTTP__HOST="$HOST" \
        TRACUU_HTTP__PORT="$TRACUU_PORT" \
        TRACUU_HTTP__WORKERS="$WORKERS" \
        TRACUU_RATE_LIMIT__ENABLED=false \
        TRACUU_CACHE__MAX_DOSSIERS=2000000 \
        TRACUU_DEMO__LOAD_ON_FIRST_RUN=false \
        RUST_LOG=warn \
        "$@" "$TRACUU_BIN" serve >"$WORK/tracuu-$label.log" 2>&1 &
    TRACUU_PID=$!
    TRACUU_LOG=$WORK/tracuu-$label.log
}

# Waits until /readyz answers (and, with `warmed`, until the cache is warm), up to $2 seconds.
# With a third argument `soft`, returns 1 instead of failing when tracuu exits.
wait_tracuu() {
    local mode=$1 limit=$2 soft=${3:-} started=$SECONDS last=-1
    while :; do
        if ! pid_alive "$TRACUU_PID"; then
            wait "$TRACUU_PID" 2>/dev/null || true
            if [ "$soft" = soft ]; then return 1; fi
            tail -n 20 "$TRACUU_LOG" >&2 || true
            die "tracuu exited during start-up (log: $TRACUU_LOG)"
        fi
        local warmed
        warmed=$(readyz cache.warmed)
        if [ -n "$warmed" ]; then
            if [ "$mode" != warmed ] || [ "$warmed" = true ]; then return 0; fi
            local elapsed=$((SECONDS - started))
            if [ $((elapsed / 15)) -ne "$last" ]; then
                last=$((elapsed / 15))
                log "  warming: $(readyz cache.entries) dossiers cached, VmRSS $(($(proc_kb "$TRACUU_PID" VmRSS) / 1024)) MiB, ${elapsed}s"
            fi
        fi
        if [ $((SECONDS - started)) -ge "$limit" ]; then die "tracuu not ready after $limit s"; fi
        sleep 0.5
    done
}

wait_http() {
    local url=$1 i
    for i in $(seq 1 100); do
        if curl -s -o /dev/null --max-time 2 "$url"; then return 0; fi
        sleep 0.1
    done
    die "$url does not answer"
}



# run_wrk PORT -> "REQ_PER_S ERRORS"
run_wrk() {
    local port=$1 secs=${2:-$DURATION} out
    out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${secs}s" -s "$ROOT/bench/paths.lua" \
        "http://$HOST:$port" -- "$WORK/paths.txt" 2>&1) || die "wrk failed: $out"
    printf '%s\n' "$out" >>"$WORK/wrk.log"
    printf '%s\n' "$out" | python3 -c '
import re, sys
text = sys.stdin.read()
m = re.search(r"^BENCH (.*)$", text, re.M)
if not m:
    sys.exit("no BENCH line from wrk")
f = {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
errors = f["err_connect"] + f["err_read"] + f["err_write"] + f["err_status"] + f["err_timeout"]
print("%.1f %d" % (f["requests"] / (f["duration_us"] / 1e6), errors))
'
}

# run_oha URLS_FILE RATE -> "P99_SECONDS ERRORS ACHIEVED_REQ_PER_S"
run_oha() {
    local urls=$1 rate=$2 json
    json=$("$OHA" -q "$rate" -z "${P99_DURATION}s" -c "$CONNECTIONS" --latency-correction --no-tui \
        --output-format json --urls-from-file "$urls" 2>>"$WORK/oha.log") || die "oha failed (see $WORK/oha.log)"
    printf '%s\n' "$json" >>"$WORK/oha.log"
    printf '%s\n' "$json" | python3 -c '
import json, sys
r = json.load(sys.stdin)
codes = r.get("statusCodeDistribution", {})
bad = sum(n for code, n in codes.items() if code != "200")
# Requests cut off by the end of the run are not errors of the server.
bad += sum(n for what, n in r.get("errorDistribution", {}).items() if "deadline" not in what)
print(r["latencyPercentiles"]["p99"], bad, r["summary"]["requestsPerSec"])
'
}

# ---------------------------------------------------------------------------------------------
# Preconditions

mkdir -p "$WORK"
rm -f "$WORK"/tracuu-*.log
: >"$RECORDS"
: >"$WORK/wrk.log"
: >"$WORK/oha.log"
record() { printf '%s\n' "$*" >>"$RECORDS"; }

for port in "$TRACUU_PORT" "$BASE_PORT"; do
    if port_busy "$port"; then die "port $port is already in use on this machine; free it first"; fi
done

for tool in curl psql python3 ss cargo; do
    command -v "$tool" >/dev/null || die "$tool is required"
done

if ! command -v wrk >/dev/null; then
    log "installing wrk (Debian package)"
    apt-get install -y wrk >/dev/null || die "cannot install wrk: apt-get install -y wrk"
fi

OHA=$(command -v oha || true)
[ -n "$OHA" ] || OHA=$HOME/.cargo/bin/oha
if [ ! -x "$OHA" ]; then
    if pgrep -f "cargo install oha" >/dev/null; then
        log "waiting for the running 'cargo install oha' to finish"
        while [ ! -x "$OHA" ] && pgrep -f "cargo install oha" >/dev/null; do sleep 10; done
    fi
    if [ ! -x "$OHA" ]; then
        log "installing oha (cargo install oha --locked; several minutes)"
        cargo install oha --locked >"$WORK/oha-install.log" 2>&1 || die "cannot install oha (see $WORK/oha-install.log)"
    fi
fi
OHA_HELP=$("$OHA" --help 2>&1 || true)
case $OHA_HELP in
*--urls-from-file*) ;;
*) die "this oha has no --urls-from-file; install a newer oha (cargo install oha --locked)" ;;
esac

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    log "building release binaries (cargo build --release --bins)"
    cargo build --release --bins --quiet || die "release build failed"
fi
[ -x "$TRACUU_BIN" ] && [ -x "$BASE_BIN" ] || die "missing $TRACUU_BIN or $BASE_BIN"

record info date "$(date -Is)"
record info commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- src 2>/dev/null || echo ' (src modified)')"
record info machine "$(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
record info load "wrk $(wrk -v 2>&1 | awk 'NR == 1 { print $2 }') -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s random path per request from $URL_COUNT codes; $("$OHA" --version) -c$CONNECTIONS -z${P99_DURATION}s --latency-correction"
record info servers "both on $HOST with $WORKERS workers; $PAIRS interleaved pairs per measure, order alternating"

# ---------------------------------------------------------------------------------------------
# Data: 1,000,000 demo dossiers in the bench cluster

start_tracuu empty TRACUU_CACHE__WARM_ON_START=false
if ! wait_tracuu ready 300 soft; then
    # The bench cluster is the bench's own: when the schema it holds is not the one this build
    # migrates to (migrations edited during development), start again from an empty cluster.
    if grep -q "migration" "$TRACUU_LOG" && [ -f "$DATA_DIR/data/PG_VERSION" ]; then
        log "the bench database was migrated by another version of tracuu: $(grep -m 1 -o 'applied migration.*' "$TRACUU_LOG" || echo 'migration failed')"
        log "recreating $DATA_DIR (the bench's own cluster)"
        stop_tracuu
        rm -rf -- "$DATA_DIR"
        start_tracuu empty TRACUU_CACHE__WARM_ON_START=false
        wait_tracuu ready 300
    else
        tail -n 20 "$TRACUU_LOG" >&2 || true
        die "tracuu exited during start-up (log: $TRACUU_LOG)"
    fi
fi
have=$(bench_psql -c 'select count(*) from dossiers' 2>/dev/null || echo 0)
if [ "$have" != "$DOSSIERS" ]; then
    log "the bench database holds $have dossiers, not $DOSSIERS: loading the demo province (several minutes)"
    stop_tracuu
    load_started=$SECONDS
    env TRACUU_DATABASE__DATA_DIR="$DATA_DIR" RUST_LOG=info NO_COLOR=1 \
        "$TRACUU_BIN" demo-data --dossiers "$DOSSIERS" --seed 1 --replace >"$WORK/demo-data.log" 2>&1 &
    LOAD_PID=$!
    while pid_alive "$LOAD_PID"; do
        sleep 5
        if [ $(((SECONDS - load_started) % 30)) -lt 5 ]; then
            log "  loading, $((SECONDS - load_started)) s: $(tail -n 1 "$WORK/demo-data.log" | sed 's/\x1b\[[0-9;]*m//g' | cut -c 1-160)"
        fi
    done
    wait "$LOAD_PID" || die "demo-data failed (see $WORK/demo-data.log)"
    wait_watchdog "$LOAD_PID"
    LOAD_PID=""
    log "loaded in $((SECONDS - load_started)) s"
    stop_tracuu # demo-data stops the cluster; wait for its pid file to go
    start_tracuu empty TRACUU_CACHE__WARM_ON_START=false
    wait_tracuu ready 300
    have=$(bench_psql -c 'select count(*) from dossiers')
    [ "$have" = "$DOSSIERS" ] || die "after loading, the database holds $have dossiers"
else
    log "the bench database already holds $have dossiers"
fi
record info dossiers "$have in the read model"

sleep 2
RSS_EMPTY=$(proc_kb "$TRACUU_PID" VmRSS)
record mem rss_empty_kb "$RSS_EMPTY"
log "tracuu with an empty cache: VmRSS $((RSS_EMPTY / 1024)) MiB"

log "taking $URL_COUNT random existing codes"
bench_psql -c "select code from dossiers order by random() limit $URL_COUNT" >"$WORK/codes.txt"
[ "$(wc -l <"$WORK/codes.txt")" -eq "$URL_COUNT" ] || die "could not read $URL_COUNT codes"
python3 - "$WORK" "$HOST" "$TRACUU_PORT" "$BASE_PORT" <<'EOF'
import sys, urllib.parse
work, host, tracuu, base = sys.argv[1:5]
codes = [c.strip() for c in open(f"{work}/codes.txt", encoding="utf-8") if c.strip()]
paths = [f"/api/v1/dossiers/{urllib.parse.quote(c, safe='')}" for c in codes]
with open(f"{work}/paths.txt", "w") as f:
    f.write("\n".join(paths) + "\n")
for name, port in (("tracuu", tracuu), ("baseline", base)):
    with open(f"{work}/urls-{name}.txt", "w") as f:
        f.write("\n".join(f"http://{host}:{port}{p}" for p in paths) + "\n")
EOF
stop_tracuu

# ---------------------------------------------------------------------------------------------
# Cached instance: warm-up, memory, body size

start_tracuu cached
warm_started=$SECONDS
wait_tracuu warmed 1200
WARM_SECS=$((SECONDS - warm_started))
sleep 2
ENTRIES=$(readyz cache.entries)
VIEW_BYTES=$(readyz cache.view_bytes)
RSS_WARM=$(proc_kb "$TRACUU_PID" VmRSS)
HWM_WARM=$(proc_kb "$TRACUU_PID" VmHWM)
record mem rss_warm_kb "$RSS_WARM"
record mem hwm_warm_kb "$HWM_WARM"
record mem entries "$ENTRIES"
record mem view_bytes "$VIEW_BYTES"
record info warm-up "$ENTRIES dossiers cached in about $WARM_SECS s (start to /readyz warmed)"
log "cache warmed: $ENTRIES dossiers, $((VIEW_BYTES / 1048576)) MiB of views, VmRSS $((RSS_WARM / 1024)) MiB, VmHWM $((HWM_WARM / 1024)) MiB, ${WARM_SECS}s"
[ "$ENTRIES" = "$have" ] || log "WARNING: $ENTRIES dossiers cached but the database holds $have (see $WORK/tracuu-cached.log)"

sizes=()
while read -r path; do
    read -r size code < <(curl -s -o /dev/null -w '%{size_download} %{http_code}\n' "http://$HOST:$TRACUU_PORT$path")
    [ "$code" = 200 ] || die "GET $path answered $code"
    sizes+=("$size")
done < <(head -n 101 "$WORK/paths.txt")
BODY_BYTES=$(median "${sizes[@]}")
BODY_BYTES=${BODY_BYTES%.*}
record info body "baseline body $BODY_BYTES bytes = median of 101 tracuu public views ($(printf '%s\n' "${sizes[@]}" | sort -n | head -1)..$(printf '%s\n' "${sizes[@]}" | sort -n | tail -1))"
log "median tracuu response body: $BODY_BYTES bytes"

log "starting bench-baseline on port $BASE_PORT ($BODY_BYTES-byte body, $WORKERS workers)"
"$BASE_BIN" "$BASE_PORT" "$BODY_BYTES" "$WORKERS" >"$WORK/baseline.log" 2>&1 &
BASE_PID=$!
wait_http "http://$HOST:$BASE_PORT/api/v1/dossiers/x"

# pairs MODE: interleaved closed-loop throughput runs, order alternating per pair.
throughput_pairs() {
    local mode=$1 i who result
    for i in $(seq 1 "$PAIRS"); do
        local order="tracuu baseline"
        [ $((i % 2)) -eq 0 ] && order="baseline tracuu"
        local line="  $mode pair $i:"
        for who in $order; do
            local port=$TRACUU_PORT
            [ "$who" = baseline ] && port=$BASE_PORT
            result=$(run_wrk "$port")
            record rps "$mode" "$i" "$who" $result
            line="$line $who $(printf '%.0f' "${result% *}") req/s (errors ${result#* });"
        done
        log "$line"
    done
}

BUSY_REPORT=$(cpu_busy 3)
BUSY=$(head -n 1 <<<"$BUSY_REPORT")
record info background "${BUSY}% of the CPUs busy with both servers idle, just before the load runs"
if [ "$BUSY" -gt 10 ]; then
    log "WARNING: ${BUSY}% of the CPUs are busy with other work; figures will be noisy (p99 most):"
    tail -n +2 <<<"$BUSY_REPORT"
fi

log "warming both servers (3 s of load each, not recorded)"
run_wrk "$TRACUU_PORT" 3 >/dev/null
run_wrk "$BASE_PORT" 3 >/dev/null

log "cached throughput: $PAIRS pairs of ${DURATION}s wrk runs"
throughput_pairs cached

BASE_MAX=$(median $(awk '$1 == "rps" && $2 == "cached" && $4 == "baseline" { print $5 }' "$RECORDS"))
RATE=$(python3 -c "print(max(1, round($BASE_MAX * $RATE_FRACTION)))")
record info fixed-rate "$RATE req/s = $RATE_FRACTION x the baseline's median maximum ($(printf '%.0f' "$BASE_MAX") req/s)"

log "p99 at a fixed $RATE req/s: $P99_PAIRS pairs of ${P99_DURATION}s oha runs"
for i in $(seq 1 "$P99_PAIRS"); do
    order="tracuu baseline"
    [ $((i % 2)) -eq 0 ] && order="baseline tracuu"
    line="  fixed pair $i:"
    for who in $order; do
        result=$(run_oha "$WORK/urls-$who.txt" "$RATE")
        record p99 fixed "$i" "$who" $result
        read -r p99 errors achieved <<<"$result"
        line="$line $who p99 $(python3 -c "print(f'{$p99 * 1000:.3f}')") ms at $(printf '%.0f' "$achieved") req/s (errors $errors);"
    done
    log "$line"
done
stop_tracuu

# ---------------------------------------------------------------------------------------------
# Uncached instance: PostgreSQL per request

if [ "${BENCH_SKIP_UNCACHED:-0}" != 1 ]; then
    start_tracuu uncached TRACUU_CACHE__ENABLED=false
    wait_tracuu ready 300
    [ "$(readyz cache.enabled)" = false ] || die "the uncached instance reports its cache enabled"
    log "warming PostgreSQL (5 s of load, not recorded)"
    run_wrk "$TRACUU_PORT" 5 >/dev/null
    log "uncached throughput: $PAIRS pairs of ${DURATION}s wrk runs"
    throughput_pairs uncached
    stop_tracuu
fi
stop_baseline

# ---------------------------------------------------------------------------------------------
# Summary

echo
python3 "$ROOT/bench/summarise.py" "$RECORDS" | tee "$RESULTS"
echo
log "summary written to ${RESULTS#"$ROOT"/}; raw records and logs in ${WORK#"$ROOT"/}/"
