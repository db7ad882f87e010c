#!/usr/bin/env bash
# What unsigned push requests cost tracuu's memory, on loopback only (run by hand, never by CI).
#
# Starts the release binary on its own private cluster with a small demo province and a sync
# secret, then sends rounds of concurrent POST /sync/v1/dossiers with 32 MiB bodies that are not
# validly signed: first with no signature headers at all, then with well-formed headers (a fresh
# timestamp and a made-up signature), which are read before they can be refused. Prints the
# answers by status and the process's resident memory before, after each round and at its peak
# (VmHWM). The security review measured 1.16 GiB growing to 2.64 GiB under 64 such requests before
# bodies were checked on their headers first and read a few at a time.
#
# Usage: bench/unsigned_push.sh   (about 2 minutes; builds the release binary if needed)
# Knobs (environment): BENCH_PUSHES (64 per round), BENCH_BODY_MIB (32), BENCH_SKIP_BUILD=1,
# BENCH_TRACUU_BIN (another build to compare, e.g. of an older commit).

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

PUSHES=${BENCH_PUSHES:-64}
BODY_MIB=${BENCH_BODY_MIB:-32}
DATA_DIR=var/bench-push-postgres
HOST=127.0.0.1
PORT=18097
WORK=$ROOT/var/bench-push
TRACUU_BIN=${BENCH_TRACUU_BIN:-$ROOT/target/release/tracuu}
SECRET=bench-push-secret-0123456789

BENCH_NAME=bench-push
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

TRACUU_PID=""
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop_tracuu
    rm -rf "$DATA_DIR"
    exit "$status"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

if port_busy "$PORT"; then die "port $PORT is already in use on this machine; free it first"; fi
for tool in curl ss cargo; do
    command -v "$tool" >/dev/null || die "$tool is required"
done
if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
    log "building the release binary"
    cargo build --release --locked --bin tracuu >/dev/null 2>&1 || die "release build failed"
fi
mkdir -p "$WORK"
rm -rf "$DATA_DIR"
head -c $((BODY_MIB * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$WORK/body.json"

export TRACUU_DATABASE__DATA_DIR="$DATA_DIR" TRACUU_HTTP__HOST="$HOST" TRACUU_HTTP__PORT="$PORT" \
    TRACUU_HTTP__WORKERS=2 TRACUU_DEMO__LOAD_ON_FIRST_RUN=true TRACUU_DEMO__DOSSIERS=1000 \
    TRACUU_SYNC__SECRETS="$SECRET" RUST_LOG=error
"$TRACUU_BIN" serve >"$WORK/tracuu.log" 2>&1 &
TRACUU_PID=$!
until curl -s --max-time 2 "http://$HOST:$PORT/readyz" 2>/dev/null | grep -q '"status"'; do
    pid_alive "$TRACUU_PID" || { tail -n 20 "$WORK/tracuu.log" >&2; die "tracuu exited"; }
    sleep 0.5
done

rss_mib() { awk -v key="$1" '$1 == key":" { printf "%.0f", $2 / 1024 }' "/proc/$TRACUU_PID/status"; }

# Sends $PUSHES concurrent pushes with the given extra curl arguments; prints the statuses.
round() {
    local name=$1
    shift
    local statuses=$WORK/$name.statuses
    : >"$statuses"
    local pids=()
    for _ in $(seq "$PUSHES"); do
        curl -s -o /dev/null -w '%{http_code}\n' --max-time 120 -X POST \
            -H 'Content-Type: application/json' "$@" \
            --data-binary @"$WORK/body.json" "http://$HOST:$PORT/sync/v1/dossiers" >>"$statuses" &
        pids+=($!)
    done
    wait "${pids[@]}"
    printf '%-22s %s; RSS now %s MiB, peak %s MiB\n' "$name:" \
        "$(sort "$statuses" | uniq -c | awk '{printf "%s x %s  ", $1, $2}')" \
        "$(rss_mib VmRSS)" "$(rss_mib VmHWM)"
}

echo "$TRACUU_BIN ($("$TRACUU_BIN" --version)), $PUSHES concurrent pushes of $BODY_MIB MiB per round"
printf '%-22s RSS %s MiB, peak %s MiB\n' "idle:" "$(rss_mib VmRSS)" "$(rss_mib VmHWM)"
round "no signature"
round "made-up signature" -H "X-Tracuu-Timestamp: $(date +%s)" \
    -H "X-Tracuu-Signature: sha256=$(printf 'ab%.0s' $(seq 32))"
