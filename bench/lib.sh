# Shell helpers shared by the bench/*.sh scripts. Source it after setting BENCH_NAME, DATA_DIR and
# TRACUU_PID="".

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

# Stops tracuu ($TRACUU_PID) gracefully, so it stops its private PostgreSQL, and waits until the
# cluster under $DATA_DIR is down: the next instance must not find a half-stopped server. tracuu
# stops the cluster on a graceful exit; its watchdog does after a kill.
stop_tracuu() {
    local pid=$TRACUU_PID
    if pid_alive "$pid"; then
        log "stopping tracuu (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        if ! wait_exit "$pid" 120; then
            log "tracuu did not stop in 120 s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
            wait_exit "$pid" 10 || true
        fi
    fi
    TRACUU_PID=""
    wait_watchdog "$pid"
    wait_cluster_down
}

# Waits up to 60 s for the pid file of the cluster under $DATA_DIR to go (the server is down).
wait_cluster_down() {
    local waited=0
    while [ -e "$DATA_DIR/data/postmaster.pid" ] && [ "$waited" -lt 600 ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
}

bench_psql() {
    psql "host=$(socket_dir "$DATA_DIR") port=5432 user=postgres dbname=tracuu" -v ON_ERROR_STOP=1 -Atq "$@"
}

# Samples /proc for $1 seconds; prints the percent of all CPUs busy, then the three processes
# that used the most CPU meanwhile, to notice a machine that is not idle.
cpu_busy() {
    python3 - "$1" <<'EOF'
import os, sys, time

def sample():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:8]]
    procs = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                data = f.read()
        except OSError:
            continue
        comm = data[data.index("(") + 1:data.rindex(")")]
        fields = data[data.rindex(")") + 2:].split()
        procs[pid] = (comm, int(fields[11]) + int(fields[12]))
    return v[0] + v[1] + v[2] + v[5] + v[6], sum(v), procs

busy0, total0, procs0 = sample()
time.sleep(float(sys.argv[1]))
busy1, total1, procs1 = sample()
print(round(100 * (busy1 - busy0) / max(1, total1 - total0)))
ticks = os.sysconf("SC_CLK_TCK") * float(sys.argv[1])
used = sorted(((t - procs0[p][1], c) for p, (c, t) in procs1.items() if p in procs0), reverse=True)
for delta, comm in used[:3]:
    if delta > 0:
        print(f"    {comm}: {100 * delta / ticks:.0f}% of one CPU")
EOF
}

# Median of the numbers given as arguments.
median() { python3 -c 'import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
