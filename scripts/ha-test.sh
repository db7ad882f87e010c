#!/usr/bin/env bash
# High availability on PostgreSQL's own streaming replication, shown on loopback: a PostgreSQL 15
# primary and a replica made with pg_basebackup, two tracuu instances (target/debug/tracuu; writes
# through a two-host connection string with target_session_attrs=read-write, cache misses on the
# replica through database.read_url) and the real nginx site of deploy/nginx/ in front. Shows,
# printing figures:
#   1. a push to instance A is served by instance B at once (the change notification);
#   4. a replica held back (replay paused) shows in tracuu_database_replica_lag_seconds;
#   2. kill -9 of instance B under a steady load of lookups through nginx loses no lookup;
#   3. with the primary stopped and the replica promoted (pg_ctl promote), both instances write
#      again without a restart, within a bound, and every acknowledged question is kept.
# Prints "ok -"/"not ok -" lines, then "# pass N" and "# fail N"; exits non-zero on any failure.
# Needs postgresql-15, nginx, curl, openssl and python3 (installed when missing) and the debug
# binary (built when missing). Stops everything it started and removes what it made (with
# HA_TEST_KEEP=1 it keeps the scratch directory and its logs, and prints where).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/checks.sh
. scripts/checks.sh
started=$(date +%s)

packages=()
[ -x /usr/lib/postgresql/15/bin/pg_basebackup ] || packages+=(postgresql-15)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || packages+=(nginx)
command -v curl >/dev/null 2>&1 || packages+=(curl)
[ -x /usr/bin/python3 ] || packages+=(python3)
command -v openssl >/dev/null 2>&1 || packages+=(openssl)
install_missing ha-test.sh ${packages[@]+"${packages[@]}"}
[ -x target/debug/tracuu ] || cargo build --locked --bin tracuu

# shellcheck source=scripts/ha-lib.sh
. scripts/ha-lib.sh

tmp=$(mktemp -d)
chmod 755 "$tmp"
cleanup() {
    ha_cleanup
    for dir in "$tmp/primary" "$tmp/replica"; do
        [ -f "$dir/postmaster.pid" ] && as_postgres "$pg_bin/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null 2>&1 || true
    done
    if [ -n "${HA_TEST_KEEP:-}" ]; then
        echo "# kept for reading: $tmp (logs of the instances, PostgreSQL and nginx)"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT

ha_ports
port_primary=$(free_port)
port_replica=$(free_port)
mkdir -p "$tmp/sockets"
[ "$(id -u)" = 0 ] && chown postgres: "$tmp" "$tmp/sockets"

# pg_start DIR PORT: a server on 127.0.0.1:PORT (its socket in $tmp/sockets), log beside it.
pg_start() {
    as_postgres "$pg_bin/pg_ctl" -D "$1" -l "$1.log" -w -t 60 \
        -o "-p $2 -c listen_addresses=127.0.0.1 -k $tmp/sockets -c max_connections=100 -c wal_level=replica -c max_wal_senders=4 -c hot_standby=on" \
        start >/dev/null
}

# The primary, its database with tracuu's schema and 300 demo dossiers, then the replica.
as_postgres "$pg_bin/initdb" -D "$tmp/primary" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
pg_start "$tmp/primary" "$port_primary"
"$pg_bin/createdb" -h 127.0.0.1 -p "$port_primary" -U postgres tracuu
primary_url="host=127.0.0.1 port=$port_primary user=postgres dbname=tracuu"
DATABASE_URL=$primary_url "$tracuu_bin" migrate >"$tmp/migrate.log" 2>&1
DATABASE_URL=$primary_url "$tracuu_bin" demo-data --dossiers 300 --seed 1 >"$tmp/demo.log" 2>&1
as_postgres "$pg_bin/pg_basebackup" -h 127.0.0.1 -p "$port_primary" -U postgres -D "$tmp/replica" -R -X stream -c fast
pg_start "$tmp/replica" "$port_replica"
check "the replica streams from the primary" \
    bash -c "[ \"\$('$pg_bin/psql' -X -At -h 127.0.0.1 -p $port_primary -U postgres -c \"SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'\")\" = 1 ]"

# Both instances write to whichever of the two servers accepts writes (the primary now, the
# promoted replica after a failover) and read cache misses on the replica.
ha_database_url="host=127.0.0.1,127.0.0.1 port=$port_primary,$port_replica user=postgres dbname=tracuu target_session_attrs=read-write"
ha_read_url="host=127.0.0.1 port=$port_replica user=postgres dbname=tracuu"
start_instance a "$port_a" "$port_a_internal"
check "instance A is ready" wait_ready "$port_a"
start_instance b "$port_b" "$port_b_internal"
check "instance B is ready" wait_ready "$port_b"
start_nginx
pick_dossiers "$port_primary"
setup_done=$(date +%s)
echo "# set-up (primary, demo data, pg_basebackup, replica, two instances, nginx): $((setup_done - started)) s"

# 1. The change notification.
check_notify

# 4. A replica that falls behind: replay paused on the replica while the primary takes writes.
check "instance A reports the replica up and caught up" \
    bash -c "for i in \$(seq 50); do [ \"\$(curl -s http://127.0.0.1:$port_a_internal/metrics | awk '\$1 == \"tracuu_database_replica_up\" { print \$2 }')\" = 1 ] && [ \"\$(curl -s http://127.0.0.1:$port_a_internal/metrics | awk '\$1 == \"tracuu_database_replica_lag_seconds\" { print \$2 }')\" = 0 ] && exit 0; sleep 0.1; done; exit 1"
psql_at "$port_replica" "SELECT pg_wal_replay_pause()" >/dev/null
paused_at=$(now_ms)
lag=0
for i in $(seq 100); do
    push_version "$port_a_internal" 4 >/dev/null # a write on the primary the replica does not replay
    lag=$(metric_at "$port_a_internal" tracuu_database_replica_lag_seconds)
    awk -v l="$lag" 'BEGIN { exit !(l >= 3) }' && break
    sleep 0.5
done
echo "# replay paused on the replica: tracuu_database_replica_lag_seconds reads $lag after $(($(now_ms) - paused_at)) ms"
check "a replica held back shows in tracuu_database_replica_lag_seconds ($lag s)" \
    awk -v l="$lag" 'BEGIN { exit !(l >= 3) }'
psql_at "$port_replica" "SELECT pg_wal_replay_resume()" >/dev/null
for i in $(seq 100); do
    lag=$(metric_at "$port_a_internal" tracuu_database_replica_lag_seconds)
    [ "$lag" = 0 ] && break
    sleep 0.1
done
check "  ... and reads 0 again once the replica has caught up ($lag)" [ "$lag" = 0 ]

# 2. kill -9 of an instance under load.
check_kill_under_load
start_instance b "$port_b" "$port_b_internal"
check "instance B is ready again" wait_ready "$port_b"

# 3. Failover: the primary stopped, the replica promoted, writes go on, nothing acknowledged lost.
start_intake
sleep 3
stopped_at=$(now_ms)
as_postgres "$pg_bin/pg_ctl" -D "$tmp/primary" -m fast -w stop >/dev/null
sleep 2
promoted_at=$(now_ms)
as_postgres "$pg_bin/pg_ctl" -D "$tmp/replica" -w promote >/dev/null
for i in $(seq 300); do
    [ -n "$(first_ack_after "$promoted_at" A)" ] && [ -n "$(first_ack_after "$promoted_at" B)" ] && break
    sleep 0.1
done
sleep 3
stop_intake
for name in A B; do
    at=$(first_ack_after "$promoted_at" "$name")
    if [ -n "$at" ]; then
        echo "# instance $name writes again $((at - promoted_at)) ms after pg_ctl promote ($((at - stopped_at)) ms after the primary stopped)"
        check "instance $name writes to the promoted replica within 30 s, without a restart ($((at - promoted_at)) ms)" \
            [ $((at - promoted_at)) -lt 30000 ]
    else
        check "instance $name writes to the promoted replica within 30 s, without a restart" false
    fi
done
check "neither instance was restarted" kill -0 "$pid_a" "$pid_b"
check_acked_kept "$port_replica"
check "instance A is ready on the new primary" wait_ready "$port_a" 30

echo "# ha-test.sh took $(($(date +%s) - started)) s"
check_summary
