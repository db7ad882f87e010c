#!/usr/bin/env bash
# SMS benchmark of tracuu, on loopback only (run by hand, never by CI).
#
# Builds the release binary, makes sure its own private cluster (default var/bench-sms-postgres)
# holds the demo province, starts tracuu on port 18095 with the SMS channel on and limits off, then:
#   1. throughput: interleaved pairs of wrk runs (order alternating), JSON lookups
#      (GET /api/v1/dossiers/CODE, bench/paths.lua) against inbound SMS requests shaped exactly as
#      Kannel's sms-service sends them (GET /sms/v1/kannel/SECRET/inbound?from=..&text=HS+CODE&id=..,
#      bench/sms.lua: a new sender and message id per request, so each one is looked up, rendered,
#      recorded and answered); prints both rates, the per-pair ratio and the median ratio
#      (target: SMS at least 0.7x JSON);
#   2. Kannel round trip: starts bearerbox and smsbox with deploy/kannel/kannel.conf (ports, logs,
#      address and secret replaced), connects to its fake SMSC as the SMSC client (in place of
#      fakesmsc, to time each message), sends "HS <code>" from a new number, one at a time, and
#      times until the reply arrives; prints the median and p90.
# The summary goes to var/bench-sms-results.txt (git-ignored), wrk output and logs to var/bench-sms/.
#
# Usage: bench/sms.sh            (about 3 minutes after the first data load on 2 cores)
# Knobs (environment): BENCH_SMS_PAIRS (5), BENCH_SMS_DURATION seconds per run (10),
# BENCH_CONNECTIONS (64), BENCH_WRK_THREADS (1), BENCH_SMS_DOSSIERS (50000),
# BENCH_SMS_ROUND_TRIPS (200), BENCH_SMS_DATA_DIR (var/bench-sms-postgres), BENCH_SKIP_BUILD=1,
# BENCH_SMS_SKIP_KANNEL=1.

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

PAIRS=${BENCH_SMS_PAIRS:-5}
DURATION=${BENCH_SMS_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
WRK_THREADS=${BENCH_WRK_THREADS:-1}
DOSSIERS=${BENCH_SMS_DOSSIERS:-50000}
ROUND_TRIPS=${BENCH_SMS_ROUND_TRIPS:-200}
DATA_DIR=${BENCH_SMS_DATA_DIR:-var/bench-sms-postgres}
HOST=127.0.0.1
PORT=18095
WORKERS=2
CODE_COUNT=20000
WORK=$ROOT/var/bench-sms
RESULTS=$ROOT/var/bench-sms-results.txt
TRACUU_BIN=$ROOT/target/release/tracuu
SECRET="bench-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"

BENCH_NAME=bench-sms
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

TRACUU_PID=""
TRACUU_LOG=""
LOAD_PID=""
KANNEL_PIDS=()

stop_kannel() {
    local i pid
    for ((i = ${#KANNEL_PIDS[@]} - 1; i >= 0; i--)); do
        pid=${KANNEL_PIDS[$i]}
        if pid_alive "$pid"; then
            kill -TERM "$pid" 2>/dev/null || true
            wait_exit "$pid" 15 || { kill -KILL "$pid" 2>/dev/null || true; }
        fi
    done
    KANNEL_PIDS=()
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if pid_alive "$LOAD_PID"; then
        kill -TERM "$LOAD_PID" 2>/dev/null || true
        wait_exit "$LOAD_PID" 30 || true
    fi
    stop_kannel
    stop_tracuu
    exit "$status"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

cluster_psql() {
    psql "host=$(socket_dir "$DATA_DIR") port=5432 user=postgres dbname=tracuu" -v ON_ERROR_STOP=1 -Atq "$@"
}


start_tracuu() {
    log "starting tracuu ($1)"
    TRACUU_LOG=$WORK/tracuu-$1.log
    env TRACUU_DATABASE__DATA_DIR="$DATA_DIR" \
        TRACUU_HTTP__HOST="$HOST" \
        TRACUU_HTTP__PORT="$PORT" \
        TRACUU_HTTP__WORKERS="$WORKERS" \
        TRACUU_RATE_LIMIT__ENABLED=false \
        TRACUU_DEMO__LOAD_ON_FIRST_RUN=false \
        TRACUU_SMS__INBOUND_SECRET="$SECRET" \
        RUST_LOG=warn \
        "$TRACUU_BIN" serve >"$TRACUU_LOG" 2>&1 &
    TRACUU_PID=$!
}

# Waits until /readyz says the cache is warm.
wait_ready() {
    local i
    for i in $(seq 1 1200); do
        pid_alive "$TRACUU_PID" || { tail -n 20 "$TRACUU_LOG" >&2; die "tracuu exited (log: $TRACUU_LOG)"; }
        if curl -s --max-time 2 "http://$HOST:$PORT/readyz" | grep -q '"warmed":true'; then return 0; fi
        sleep 0.5
    done
    die "tracuu not ready after 600 s"
}

# run_wrk SCRIPT ARGS... -> "REQ_PER_S ERRORS"
run_wrk() {
    local script=$1 out
    shift
    out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$ROOT/bench/$script" \
        "http://$HOST:$PORT" -- "$@" 2>&1) || die "wrk failed: $out"
    printf '%s\n' "$out" >>"$WORK/wrk.log"
    printf '%s\n' "$out" | python3 -c '
import re, sys
m = re.search(r"^BENCH (.*)$", sys.stdin.read(), re.M)
if not m:
    sys.exit("no BENCH line from wrk")
f = {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
errors = f["err_connect"] + f["err_read"] + f["err_write"] + f["err_status"] + f["err_timeout"]
print("%.1f %d" % (f["requests"] / (f["duration_us"] / 1e6), errors))'
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_port() {
    local i
    for i in $(seq 1 200); do
        if python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1" 2>/dev/null; then
            return 0
        fi
        sleep 0.05
    done
    die "nothing listens on 127.0.0.1:$1 (see $WORK/kannel/*.log)"
}

# ---------------------------------------------------------------------------------------------
# Preconditions and data

mkdir -p "$WORK"
: >"$WORK/wrk.log"
port_busy "$PORT" && die "port $PORT is already in use on this machine; free it first"
for tool in curl psql python3 ss cargo; do
    command -v "$tool" >/dev/null || die "$tool is required"
done
if ! command -v wrk >/dev/null; then
    log "installing wrk (Debian package)"
    apt-get install -y wrk >/dev/null || die "cannot install wrk: apt-get install -y wrk"
fi
if [ "${BENCH_SMS_SKIP_KANNEL:-0}" != 1 ] && { [ ! -x /usr/sbin/bearerbox ] || [ ! -x /usr/lib/kannel/test/fakesmsc ]; }; then
    log "installing kannel kannel-extras (Debian packages)"
    apt-get install -y kannel kannel-extras >/dev/null || die "cannot install kannel: apt-get install -y kannel kannel-extras"
fi
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    log "building the release binary (cargo build --release --bin tracuu)"
    cargo build --release --bin tracuu --quiet || die "release build failed"
fi
[ -x "$TRACUU_BIN" ] || die "missing $TRACUU_BIN"

start_tracuu data
wait_ready
have=$(cluster_psql -c 'select count(*) from dossiers' 2>/dev/null || echo 0)
if [ "$have" != "$DOSSIERS" ]; then
    log "the bench database holds $have dossiers, not $DOSSIERS: loading the demo province"
    stop_tracuu
    env TRACUU_DATABASE__DATA_DIR="$DATA_DIR" RUST_LOG=warn \
        "$TRACUU_BIN" demo-data --dossiers "$DOSSIERS" --seed 1 --replace >"$WORK/demo-data.log" 2>&1 &
    LOAD_PID=$!
    wait "$LOAD_PID" || die "demo-data failed (see $WORK/demo-data.log)"
    wait_watchdog "$LOAD_PID"
    LOAD_PID=""
    stop_tracuu
    start_tracuu data
    wait_ready
fi
# Every run starts from an empty message log, so runs compare (the table and its indexes grow by
# hundreds of thousands of rows per run).
cluster_psql -c "truncate sms_inbound"
cluster_psql -c "select code from dossiers order by random() limit $CODE_COUNT" >"$WORK/codes.txt"
sed 's|^|/api/v1/dossiers/|' "$WORK/codes.txt" >"$WORK/paths-json.txt"
sample=$(head -n 1 "$WORK/codes.txt")
reply=$(curl -s "http://$HOST:$PORT/sms/v1/kannel/$SECRET/inbound?from=0900000001&to=8088&id=probe-$$&text=HS+$sample")
case $reply in
*"$sample"*) log "sample reply: $reply" ;;
*) die "the SMS endpoint did not answer with the dossier: $reply" ;;
esac

# ---------------------------------------------------------------------------------------------
# 1. Throughput: JSON lookups vs inbound SMS, interleaved pairs

json_rates=()
sms_rates=()
ratios=()
for pair in $(seq 1 "$PAIRS"); do
    if [ $((pair % 2)) = 1 ]; then order="json sms"; else order="sms json"; fi
    for kind in $order; do
        if [ "$kind" = json ]; then
            read -r json errors < <(run_wrk paths.lua "$WORK/paths-json.txt")
        else
            read -r sms errors < <(run_wrk sms.lua "$WORK/codes.txt" "$SECRET")
        fi
        [ "$errors" = 0 ] || log "WARNING: $errors errors in the $kind run of pair $pair"
    done
    ratio=$(python3 -c "print(round($sms / $json, 3))")
    json_rates+=("$json")
    sms_rates+=("$sms")
    ratios+=("$ratio")
    log "pair $pair ($order): JSON $json req/s, SMS $sms req/s, ratio $ratio"
done
recorded=$(cluster_psql -c "select count(*) from sms_inbound")
stop_tracuu

# ---------------------------------------------------------------------------------------------
# 2. Kannel round trip: fake SMSC -> bearerbox -> smsbox -> tracuu -> reply at the fake SMSC

rt_summary="skipped (BENCH_SMS_SKIP_KANNEL=1)"
if [ "${BENCH_SMS_SKIP_KANNEL:-0}" != 1 ]; then
    start_tracuu kannel
    wait_ready
    kdir=$WORK/kannel
    rm -rf "$kdir"
    mkdir -p "$kdir"
    admin=$(free_port); box=$(free_port); smsc=$(free_port); sendsms=$(free_port)
    python3 - "$ROOT/deploy/kannel/kannel.conf" "$kdir" "$admin" "$box" "$smsc" "$sendsms" "http://$HOST:$PORT" "$SECRET" >"$kdir/kannel.conf" <<'PY'
import sys
conf, kdir, admin, box, smsc, sendsms, tracuu, secret = sys.argv[1:]
ports = {"admin-port": admin, "smsbox-port": box, "bearerbox-port": box, "port": smsc, "sendsms-port": sendsms}
for line in open(conf, encoding="utf-8"):
    key = line.split(" = ", 1)[0]
    if key in ports:
        line = f"{key} = {ports[key]}\n"
    else:
        line = (line.replace("/var/log/kannel/", kdir + "/").replace("http://127.0.0.1:8080", tracuu)
                .replace("CHANGE-ME-SECRET", secret).replace("CHANGE-ME-PASSWORD", "bench"))
    sys.stdout.write(line)
PY
    bearerbox "$kdir/kannel.conf" >"$kdir/bearerbox.out" 2>&1 &
    KANNEL_PIDS+=($!)
    wait_port "$box"
    wait_port "$smsc"
    smsbox "$kdir/kannel.conf" >"$kdir/smsbox.out" 2>&1 &
    KANNEL_PIDS+=($!)
    wait_port "$sendsms"
    sleep 1
    rt_summary=$(python3 - "$smsc" "$ROUND_TRIPS" "$WORK/codes.txt" <<'PY'
import random, socket, statistics, sys, time
port, count, codes = int(sys.argv[1]), int(sys.argv[2]), [c.strip() for c in open(sys.argv[3]) if c.strip()]
sock = socket.create_connection(("127.0.0.1", port))
sock.settimeout(10)
buf = b""
times = []
for i in range(count):
    sender = "0970%06d" % i
    started = time.perf_counter()
    sock.sendall(f"{sender} 8088 text HS {random.choice(codes)}\n".encode())
    while True:
        while b"\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                sys.exit("the fake SMSC connection closed")
            buf += chunk
        line, buf = buf.split(b"\n", 1)
        parts = line.decode(errors="replace").split(" ", 3)
        if len(parts) >= 2 and parts[1] == sender:
            times.append((time.perf_counter() - started) * 1000)
            break
times.sort()
print(f"median {statistics.median(times):.1f} ms, p90 {times[int(len(times) * 0.9) - 1]:.1f} ms over {len(times)} messages")
PY
) || die "the Kannel round trip failed (see $kdir/)"
    log "Kannel round trip: $rt_summary"
    stop_kannel
    stop_tracuu
fi

# ---------------------------------------------------------------------------------------------
# Summary

{
    echo "tracuu SMS benchmark, $(date -Is), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "machine: $(nproc) cores; $DOSSIERS demo dossiers; tracuu $WORKERS workers; wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s; $PAIRS interleaved pairs"
    for i in "${!ratios[@]}"; do
        echo "  pair $((i + 1)): JSON ${json_rates[$i]} req/s, SMS ${sms_rates[$i]} req/s, ratio ${ratios[$i]}"
    done
    echo "JSON lookups/s (median):            $(median "${json_rates[@]}")"
    echo "inbound SMS requests/s (median):    $(median "${sms_rates[@]}")   ($recorded messages recorded)"
    echo "SMS/JSON ratio (median of pairs):   $(median "${ratios[@]}")   target >= 0.7"
    echo "Kannel round trip (fake SMSC -> reply): $rt_summary"
} | tee "$RESULTS"
