#!/usr/bin/env bash
# Sequence-lag benchmark of tracuu, on loopback only (run by hand, never by CI).
#
# Builds the release binaries (tracuu and examples/bench_freshness.rs), makes a fresh private
# cluster (default var/bench-freshness-postgres) holding the demo catalog, starts two tracuu
# instances on it (ports 18091 and 18092, the second reusing the cluster the first started), and
# runs the example: 2,000 dossiers cached on both instances, then signed single-dossier pushes at
# 1,000/s alternating between the instances, while a sampler reads each instance's applied
# position (its /metrics) and the true head of the change sequence (the database) every 10 ms.
# Prints the sequence lag of both instances over all samples: median, p99 and maximum, in seconds
# (age of the oldest change not yet applied) and in positions.
#
# Usage: bench/freshness.sh      (about 2 minutes after the build on 2 cores)
# Knobs (environment): BENCH_FRESHNESS_RATE pushes/s (1000), BENCH_FRESHNESS_BATCH dossiers per
# push (1), BENCH_FRESHNESS_SECONDS (30),
# BENCH_FRESHNESS_DOSSIERS (2000), BENCH_FRESHNESS_SAMPLE_MS (10), BENCH_FRESHNESS_DATA_DIR
# (var/bench-freshness-postgres; wiped at the start and removed after a successful run),
# BENCH_SKIP_BUILD=1.

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

DATA_DIR=${BENCH_FRESHNESS_DATA_DIR:-var/bench-freshness-postgres}
HOST=127.0.0.1
PORT_A=18091
PORT_B=18092
WORK=$ROOT/var/bench-freshness
TRACUU_BIN=$ROOT/target/release/tracuu
BENCH_BIN=$ROOT/target/release/examples/bench_freshness

BENCH_NAME=bench-freshness
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

TRACUU_PID=""
PID_B=""

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if pid_alive "$PID_B"; then
        kill -TERM "$PID_B" 2>/dev/null || true
        wait_exit "$PID_B" 60 || kill -KILL "$PID_B" 2>/dev/null || true
    fi
    stop_tracuu
    exit "$status"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

for port in "$PORT_A" "$PORT_B"; do
    if port_busy "$port"; then die "port $port is already in use on this machine; free it first"; fi
done
mkdir -p "$WORK"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    log "building release binaries (cargo build --release --example bench_freshness --bin tracuu)"
    cargo build --release --example bench_freshness --bin tracuu --quiet || die "release build failed"
fi
[ -x "$TRACUU_BIN" ] && [ -x "$BENCH_BIN" ] || die "missing $TRACUU_BIN or $BENCH_BIN"

log "fresh cluster in $DATA_DIR with the demo catalog"
if [ -d "$DATA_DIR" ] && [ -n "$(ls -A "$DATA_DIR")" ] && [ ! -e "$DATA_DIR/data/PG_VERSION" ]; then
    die "$DATA_DIR is not empty and holds no cluster; not wiping it (set BENCH_FRESHNESS_DATA_DIR)"
fi
rm -rf "$DATA_DIR"
env TRACUU_DATABASE__DATA_DIR="$DATA_DIR" RUST_LOG=warn NO_COLOR=1 \
    "$TRACUU_BIN" demo-data --dossiers 15 --seed 1 --replace >"$WORK/demo-data.log" 2>&1 ||
    die "demo-data failed (see $WORK/demo-data.log)"
wait_cluster_down

SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
start_instance() { # port log
    env TRACUU_DATABASE__DATA_DIR="$DATA_DIR" \
        TRACUU_HTTP__HOST="$HOST" \
        TRACUU_HTTP__PORT="$1" \
        TRACUU_HTTP__WORKERS=2 \
        TRACUU_RATE_LIMIT__ENABLED=false \
        TRACUU_DEMO__LOAD_ON_FIRST_RUN=false \
        TRACUU_SYNC__SECRETS="$SECRET" \
        RUST_LOG=warn \
        "$TRACUU_BIN" serve >"$2" 2>&1 &
}
wait_ready() { # port pid log
    local started=$SECONDS
    until curl -s --max-time 2 "http://$HOST:$1/readyz" 2>/dev/null | grep -q '"warmed":true'; do
        pid_alive "$2" || { tail -n 30 "$3" >&2; die "tracuu exited during start-up (log in $3)"; }
        [ $((SECONDS - started)) -lt 120 ] || die "tracuu not ready after 120 s"
        sleep 0.3
    done
}
log "starting instance A on $HOST:$PORT_A (it starts the cluster) and B on $HOST:$PORT_B"
start_instance "$PORT_A" "$WORK/tracuu-a.log"
TRACUU_PID=$!
wait_ready "$PORT_A" "$TRACUU_PID" "$WORK/tracuu-a.log"
start_instance "$PORT_B" "$WORK/tracuu-b.log"
PID_B=$!
wait_ready "$PORT_B" "$PID_B" "$WORK/tracuu-b.log"

BENCH_SYNC_SECRET=$SECRET "$BENCH_BIN" \
    --a "http://$HOST:$PORT_A" --b "http://$HOST:$PORT_B" \
    --database "host=$(socket_dir "$DATA_DIR") port=5432 user=postgres dbname=tracuu" \
    --rate "${BENCH_FRESHNESS_RATE:-1000}" \
    --seconds "${BENCH_FRESHNESS_SECONDS:-30}" \
    --dossiers "${BENCH_FRESHNESS_DOSSIERS:-2000}" \
    --sample-ms "${BENCH_FRESHNESS_SAMPLE_MS:-10}" \
    --batch "${BENCH_FRESHNESS_BATCH:-1}" | tee "$WORK/results.txt"

for log_file in "$WORK/tracuu-a.log" "$WORK/tracuu-b.log"; do
    if grep -qiE 'error|panic' "$log_file"; then
        log "tracuu logged errors (see $log_file):"
        grep -iE 'error|panic' "$log_file" | head -n 5 | cut -c 1-300 | sed 's/^/    /'
    fi
done
kill -TERM "$PID_B" 2>/dev/null || true
wait_exit "$PID_B" 60 || true
PID_B=""
stop_tracuu
rm -rf "$DATA_DIR"
log "results in ${WORK#"$ROOT"/}/results.txt"
