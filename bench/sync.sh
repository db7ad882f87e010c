#!/usr/bin/env bash
# Sync benchmark of tracuu, on loopback only (run by hand, never by CI).
#
# Builds the release binaries (tracuu and examples/bench_sync.rs), makes a fresh private cluster
# (default var/bench-sync-postgres) holding the demo catalog (agencies, procedures and the 15
# showcase dossiers of `tracuu demo-data --dossiers 15 --seed 1`), logs every statement's duration
# there, starts tracuu on port 18090 with a random sync secret, and runs the example, which in one
# process:
#   1. load: pushes 1,000,000 generated dossier snapshots (with timelines, another seed than the
#      catalog's dossiers) through POST /sync/v1/dossiers in batches of 1,000, a few in flight, and
#      binary-COPYs the same rows into empty LIKE copies of dossiers and dossier_events (and, for
#      information, into copies that also have the real tables' foreign keys), interleaved in 10
#      rounds so that both see the same machine; prints dossiers/s, rows/s, the push/COPY ratio,
#      the CPU of each process and the PostgreSQL statements that took the time;
#   2. steady: interleaved pairs of wrk windows (random existing codes, full load), one quiet and
#      one with 1,000 updates/s, and prints the sync lag and the lookup throughput drop.
# The summary with the targets is printed and written to var/bench-sync-results.txt (git-ignored);
# raw records and logs go to var/bench-sync/.
#
# Usage: bench/sync.sh            (about 12 minutes on 2 cores)
# Knobs (environment): BENCH_SYNC_DOSSIERS (1000000), BENCH_SYNC_BATCH (1000),
# BENCH_SYNC_IN_FLIGHT (3), BENCH_SYNC_ROUNDS (10), BENCH_SYNC_COPY_FK (true), BENCH_SYNC_RATE
# (1000), BENCH_SYNC_PAIRS (5), BENCH_SYNC_WINDOW seconds (12), BENCH_CONNECTIONS (64),
# BENCH_WRK_THREADS (1), BENCH_SYNC_PHASES (load,steady), BENCH_SYNC_DATA_DIR
# (var/bench-sync-postgres; wiped at the start, removed after a successful run unless
# BENCH_SYNC_KEEP_DATA=1), BENCH_SKIP_BUILD=1.

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

DATA_DIR=${BENCH_SYNC_DATA_DIR:-var/bench-sync-postgres}
HOST=127.0.0.1
PORT=18090
WORKERS=2
WORK=$ROOT/var/bench-sync
RESULTS=$ROOT/var/bench-sync-results.txt
TRACUU_BIN=$ROOT/target/release/tracuu
BENCH_BIN=$ROOT/target/release/examples/bench_sync

BENCH_NAME=bench-sync
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

TRACUU_PID=""
LOAD_PID=""





cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if pid_alive "$LOAD_PID"; then
        kill -TERM "$LOAD_PID" 2>/dev/null || true
        wait_exit "$LOAD_PID" 30 || true
        wait_watchdog "$LOAD_PID"
    fi
    stop_tracuu
    exit "$status"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM


# ---------------------------------------------------------------------------------------------
# Preconditions

if port_busy "$PORT"; then die "port $PORT is already in use on this machine; free it first"; fi
for tool in curl ss cargo pgrep; do
    command -v "$tool" >/dev/null || die "$tool is required"
done
if ! command -v wrk >/dev/null; then
    log "installing wrk (Debian package)"
    apt-get install -y wrk >/dev/null || die "cannot install wrk: apt-get install -y wrk"
fi
if [ -e "$DATA_DIR/data/postmaster.pid" ]; then
    pm=$(head -n 1 "$DATA_DIR/data/postmaster.pid")
    if pid_alive "$pm"; then die "a PostgreSQL server (pid $pm) is running on $DATA_DIR; stop it first"; fi
fi

mkdir -p "$WORK"
: >"$WORK/records.txt"
: >"$WORK/wrk.log"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    log "building release binaries (cargo build --release --example bench_sync --bin tracuu)"
    cargo build --release --example bench_sync --bin tracuu --quiet || die "release build failed"
fi
[ -x "$TRACUU_BIN" ] && [ -x "$BENCH_BIN" ] || die "missing $TRACUU_BIN or $BENCH_BIN"

BUSY=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat)
sleep 2
BUSY=$(awk -v a="$BUSY" '/^cpu / { split(a, p, " "); d = ($2 + $3 + $4 + $5 + $6 + $7 + $8) - p[2]; printf "%.0f", (d > 0 ? 100 * (($2 + $3 + $4 + $7 + $8) - p[1]) / d : 0) }' /proc/stat)
if [ "$BUSY" -gt 10 ]; then
    log "WARNING: ${BUSY}% of the CPUs are busy with other work before the run; figures will be noisy"
    ps -eo pcpu=,comm= --sort=-pcpu | head -n 3 | sed 's/^/    /'
fi

# ---------------------------------------------------------------------------------------------
# A fresh cluster with the demo catalog

log "fresh cluster in $DATA_DIR: demo catalog and its 12 showcase dossiers"
if [ -d "$DATA_DIR" ] && [ -n "$(ls -A "$DATA_DIR")" ] && [ ! -e "$DATA_DIR/data/PG_VERSION" ]; then
    die "$DATA_DIR is not empty and holds no cluster; not wiping it (set BENCH_SYNC_DATA_DIR)"
fi
rm -rf "$DATA_DIR"
env TRACUU_DATABASE__DATA_DIR="$DATA_DIR" RUST_LOG=warn NO_COLOR=1 \
    "$TRACUU_BIN" demo-data --dossiers 15 --seed 1 --replace >"$WORK/demo-data.log" 2>&1 &
LOAD_PID=$!
wait "$LOAD_PID" || die "demo-data failed (see $WORK/demo-data.log)"
wait_watchdog "$LOAD_PID"
LOAD_PID=""
wait_cluster_down
# Every statement's duration goes to the cluster's log (without parameters: a batch's arrays would
# be megabytes); bench_sync sums them per statement to show where the time goes.
cat >>"$DATA_DIR/data/postgresql.conf" <<'EOF'

# bench/sync.sh
log_min_duration_statement = 0
log_parameter_max_length = 0
log_checkpoints = on
EOF

SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
log "starting tracuu on $HOST:$PORT ($WORKERS workers, rate limits off, push on)"
env TRACUU_DATABASE__DATA_DIR="$DATA_DIR" \
    TRACUU_HTTP__HOST="$HOST" \
    TRACUU_HTTP__PORT="$PORT" \
    TRACUU_HTTP__WORKERS="$WORKERS" \
    TRACUU_RATE_LIMIT__ENABLED=false \
    TRACUU_DEMO__LOAD_ON_FIRST_RUN=false \
    TRACUU_SYNC__SECRETS="$SECRET" \
    RUST_LOG=warn \
    "$TRACUU_BIN" serve >"$WORK/tracuu.log" 2>&1 &
TRACUU_PID=$!

started=$SECONDS
until curl -s --max-time 2 "http://$HOST:$PORT/readyz" 2>/dev/null | grep -q '"warmed":true'; do
    pid_alive "$TRACUU_PID" || {
        tail -n 30 "$WORK/tracuu.log" >&2
        die "tracuu exited during start-up (log in $WORK/tracuu.log)"
    }
    [ $((SECONDS - started)) -lt 120 ] || die "tracuu not ready after 120 s"
    sleep 0.3
done
log "tracuu ready (pid $TRACUU_PID)"

# ---------------------------------------------------------------------------------------------
# The benchmark

commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
git diff --quiet HEAD -- src 2>/dev/null ||
    commit="$commit (src modified: diff $(git diff HEAD -- src | sha1sum | cut -c 1-12); $(git diff --stat HEAD -- src | tail -n 1 | sed 's/^ *//'))"
status=0
BENCH_SYNC_SECRET=$SECRET BENCH_COMMIT=$commit BENCH_WORKERS=$WORKERS "$BENCH_BIN" \
    --url "http://$HOST:$PORT" \
    --data-dir "$DATA_DIR" \
    --server-pid "$TRACUU_PID" \
    --work "$WORK" \
    --records "$WORK/records.txt" \
    --results "$RESULTS" \
    --wrk-script "$ROOT/bench/paths.lua" \
    --phases "${BENCH_SYNC_PHASES:-load,steady}" \
    --dossiers "${BENCH_SYNC_DOSSIERS:-1000000}" \
    --batch "${BENCH_SYNC_BATCH:-1000}" \
    --in-flight "${BENCH_SYNC_IN_FLIGHT:-3}" \
    --rounds "${BENCH_SYNC_ROUNDS:-10}" \
    --copy-fk "${BENCH_SYNC_COPY_FK:-true}" \
    --rate "${BENCH_SYNC_RATE:-1000}" \
    --pairs "${BENCH_SYNC_PAIRS:-5}" \
    --window "${BENCH_SYNC_WINDOW:-12}" \
    --wrk-connections "${BENCH_CONNECTIONS:-64}" \
    --wrk-threads "${BENCH_WRK_THREADS:-1}" || status=$?

if grep -qiE 'error|panic' "$WORK/tracuu.log"; then
    log "tracuu logged errors (see $WORK/tracuu.log):"
    grep -iE 'error|panic' "$WORK/tracuu.log" | head -n 5 | cut -c 1-300 | sed 's/^/    /'
fi
stop_tracuu
cp "$DATA_DIR/postgres.log" "$WORK/postgres.log" 2>/dev/null || true
[ "$status" -eq 0 ] || die "bench_sync failed (exit $status; the cluster is left in $DATA_DIR)"
if [ "${BENCH_SYNC_KEEP_DATA:-0}" != 1 ]; then
    # About 6 GB after a full run, and wiped by the next run anyway.
    rm -rf "$DATA_DIR"
fi
log "summary written to ${RESULTS#"$ROOT"/}; raw records and logs (wrk, tracuu, PostgreSQL) in ${WORK#"$ROOT"/}/"
