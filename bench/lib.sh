# Shell helpers shared by bench/run.sh and bench/sync.sh. Source it after setting BENCH_NAME.

log() { printf '[%s %s] %s\n' "${BENCH_NAME:-bench}" "$(date +%H:%M:%S)" "$*"; }
die() {
    log "ERROR: $*" >&2
    exit 1
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

port_busy() { ss -Htln "( sport = :$1 )" 2>/dev/null | grep -q .; }

# Waits up to $2 seconds for process $1 to exit; returns 1 if it is still there.
wait_exit() {
    local pid=$1 limit=$2 waited=0
    while pid_alive "$pid"; do
        if [ "$waited" -ge $((limit * 10)) ]; then return 1; fi
        sleep 0.1
        waited=$((waited + 1))
    done
    wait "$pid" 2>/dev/null || true
}

# A process that started the private cluster leaves a watchdog shell (src/db/local.rs); let it
# finish before the next command starts the cluster, so the runs do not overlap.
wait_watchdog() {
    local pid=$1 i
    [ -n "$pid" ] || return 0
    for i in $(seq 1 300); do
        pgrep -f "while \[ -d /proc/$pid \]" >/dev/null || return 0
        sleep 0.1
    done
    log "WARNING: the database watchdog of pid $pid is still running"
}

# The private cluster's socket directory, as src/db/local.rs chooses it.
socket_dir() {
    python3 - "$1" <<'EOF'
import os, sys
root = os.path.realpath(sys.argv[1])
preferred = os.path.join(root, "run")
if len(preferred.encode()) + len("/.s.PGSQL.5432.lock") < 100:
    print(preferred)
else:
    h = 0xcbf29ce484222325
    for b in root.encode():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    print(f"/tmp/tracuu-pg-{h:016x}")
EOF
}
