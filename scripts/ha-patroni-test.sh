#!/usr/bin/env bash
# The checks of scripts/ha-test.sh under Patroni (Debian's patroni, with etcd-server as its store)
# with automatic failover, on loopback: one etcd, two Patroni nodes of PostgreSQL 15 (the second
# cloned with pg_basebackup by Patroni, synchronous_mode on), two tracuu instances (writes through a
# two-host connection string with target_session_attrs=read-write, cache misses on the standby
# through database.read_url with target_session_attrs=read-only) and the real nginx site in front.
# Shows, printing figures:
#   1. a push to instance A is served by instance B at once (the change notification);
#   4. the standby held back (replay paused) shows in tracuu_database_replica_lag_seconds;
#   2. kill -9 of instance B under a steady load of lookups through nginx loses no lookup;
#   3. the leader's node killed (kill -9 of its Patroni and its PostgreSQL, as when the machine
#      dies): Patroni promotes the standby by itself, both instances write again without a restart
#      within a bound, and every acknowledged question is kept; the old node, started again,
#      rejoins as a standby.
# Prints "ok -"/"not ok -" lines, then "# pass N" and "# fail N"; exits non-zero on any failure.
# Installs patroni and etcd-server (and postgresql-15, nginx, curl, openssl, python3) when
# missing; builds the debug binary when missing. Stops everything it started and removes what it
# made (HA_TEST_KEEP=1 keeps the scratch directory and its logs).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/checks.sh
. scripts/checks.sh
started=$(date +%s)

packages=()
[ -x /usr/lib/postgresql/15/bin/pg_basebackup ] || packages+=(postgresql-15)
command -v patroni >/dev/null 2>&1 || packages+=(patroni)
command -v etcd >/dev/null 2>&1 || packages+=(etcd-server)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || packages+=(nginx)
command -v curl >/dev/null 2>&1 || packages+=(curl)
[ -x /usr/bin/python3 ] || packages+=(python3)
command -v openssl >/dev/null 2>&1 || packages+=(openssl)
install_missing ha-patroni-test.sh ${packages[@]+"${packages[@]}"}
[ -x target/debug/tracuu ] || cargo build --locked --bin tracuu

# shellcheck source=scripts/ha-lib.sh
. scripts/ha-lib.sh

tmp=$(mktemp -d)
chmod 755 "$tmp"
patroni_pids=()
cleanup() {
    ha_cleanup
    local pid
    for pid in "${patroni_pids[@]}"; do
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    for node in 1 2; do
        [ -f "$tmp/pg/node$node/postmaster.pid" ] \
            && kill -9 "$(head -n 1 "$tmp/pg/node$node/postmaster.pid")" 2>/dev/null || true
    done
    [ -n "${etcd_pid:-}" ] && kill "$etcd_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    if [ -n "${HA_TEST_KEEP:-}" ]; then
        echo "# kept for reading: $tmp (logs of etcd, Patroni, PostgreSQL, the instances and nginx)"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT

ha_ports
etcd_client=$(free_port)
etcd_peer=$(free_port)
declare -A pg_port rest_port
for node in 1 2; do
    pg_port[$node]=$(free_port)
    rest_port[$node]=$(free_port)
done
mkdir -p "$tmp/pg/sockets"
[ "$(id -u)" = 0 ] && chown -R postgres: "$tmp/pg"

etcd --name ha --data-dir "$tmp/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_client" --advertise-client-urls "http://127.0.0.1:$etcd_client" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-cluster "ha=http://127.0.0.1:$etcd_peer" >"$tmp/etcd.log" 2>&1 &
etcd_pid=$!
for _ in $(seq 100); do
    curl -s "http://127.0.0.1:$etcd_client/health" | grep -q '"health":"true"' && break
    sleep 0.1
done
check "etcd is up" bash -c "curl -s http://127.0.0.1:$etcd_client/health | grep -q '\"health\":\"true\"'"

# One Patroni configuration per node. A leader key lives 10 s (ttl) and Patroni's loop runs every
# second, so a dead leader is replaced about 10 s after it stops renewing its key. synchronous_mode:
# a commit is acknowledged only once the standby has it, so a failover loses no acknowledged write.
for node in 1 2; do
    cat >"$tmp/pg/node$node.yml" <<EOF
scope: tracuu-ha-test
name: node$node
restapi:
  listen: 127.0.0.1:${rest_port[$node]}
  connect_address: 127.0.0.1:${rest_port[$node]}
etcd3:
  hosts: 127.0.0.1:$etcd_client
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters:
        max_connections: 100
        wal_level: replica
        hot_standby: "on"
        max_wal_senders: 5
        max_replication_slots: 5
        wal_log_hints: "on"
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:${pg_port[$node]}
  connect_address: 127.0.0.1:${pg_port[$node]}
  data_dir: $tmp/pg/node$node
  bin_dir: $pg_bin
  pgpass: $tmp/pg/node$node.pgpass
  authentication:
    superuser:
      username: postgres
    replication:
      username: postgres
    rewind:
      username: postgres
  parameters:
    unix_socket_directories: $tmp/pg/sockets
EOF
done
[ "$(id -u)" = 0 ] && chown postgres: "$tmp/pg/"*.yml

# start_node N: Patroni of node N in the background, its pid in patroni_pid[N].
declare -A patroni_pid
# As root it runs as the postgres system user through setpriv, which execs (no parent process
# left between), so the pid is Patroni's own and kill -9 of it is the node's Patroni dying.
start_node() {
    if [ "$(id -u)" = 0 ]; then
        HOME=$tmp/pg setpriv --reuid=postgres --regid=postgres --init-groups \
            patroni "$tmp/pg/node$1.yml" >>"$tmp/pg/node$1.log" 2>&1 &
    else
        patroni "$tmp/pg/node$1.yml" >>"$tmp/pg/node$1.log" 2>&1 &
    fi
    patroni_pid[$1]=$!
    patroni_pids+=("$!")
}
# role_of N: "primary", "replica" or "" from node N's REST API.
role_of() {
    curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${rest_port[$1]}/primary" 2>/dev/null | grep -q 200 && { echo primary; return; }
    curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${rest_port[$1]}/replica" 2>/dev/null | grep -q 200 && { echo replica; return; }
    echo ""
}
# wait_role N ROLE SECONDS
wait_role() {
    local i
    for i in $(seq $(($3 * 10))); do
        [ "$(role_of "$1")" = "$2" ] && return 0
        sleep 0.1
    done
    return 1
}

start_node 1
check "node 1 bootstraps as the leader" wait_role 1 primary 60
start_node 2
check "node 2 joins as a streaming standby (pg_basebackup by Patroni)" wait_role 2 replica 60
check "the standby is synchronous" bash -c "for i in \$(seq 100); do [ \"\$('$pg_bin/psql' -X -At -h 127.0.0.1 -p ${pg_port[1]} -U postgres -c \"SELECT sync_state FROM pg_stat_replication\")\" = sync ] && exit 0; sleep 0.1; done; exit 1"

"$pg_bin/createdb" -h 127.0.0.1 -p "${pg_port[1]}" -U postgres tracuu
primary_url="host=127.0.0.1 port=${pg_port[1]} user=postgres dbname=tracuu"
DATABASE_URL=$primary_url "$tracuu_bin" migrate >"$tmp/migrate.log" 2>&1
DATABASE_URL=$primary_url "$tracuu_bin" demo-data --dossiers 300 --seed 1 >"$tmp/demo.log" 2>&1

ha_database_url="host=127.0.0.1,127.0.0.1 port=${pg_port[1]},${pg_port[2]} user=postgres dbname=tracuu target_session_attrs=read-write"
ha_read_url="host=127.0.0.1,127.0.0.1 port=${pg_port[1]},${pg_port[2]} user=postgres dbname=tracuu target_session_attrs=read-only"
start_instance a "$port_a" "$port_a_internal"
check "instance A is ready" wait_ready "$port_a"
start_instance b "$port_b" "$port_b_internal"
check "instance B is ready" wait_ready "$port_b"
start_nginx
pick_dossiers "${pg_port[1]}"
echo "# set-up (etcd, two Patroni nodes, demo data, two instances, nginx): $(($(date +%s) - started)) s"

# 1. The change notification.
check_notify

# 4. The standby held back: replay paused. Patroni resumes a paused replay on its next loop unless
# the cluster is in maintenance mode, so the cluster is paused meanwhile. (Commits only wait for the
# synchronous standby to flush, not to replay.)
# set_pause true|false: maintenance mode on or off, and wait until node 2 runs in it.
set_pause() {
    curl -s -X PATCH -d "{\"pause\": $1}" "http://127.0.0.1:${rest_port[1]}/config" >/dev/null
    local i
    for i in $(seq 100); do
        if [ "$1" = true ]; then
            curl -s "http://127.0.0.1:${rest_port[2]}/patroni" | grep -q '"pause": *true' && return 0
        else
            curl -s "http://127.0.0.1:${rest_port[2]}/patroni" | grep -q '"pause": *true' || return 0
        fi
        sleep 0.1
    done
    return 1
}
check "instance A reports the replica up and caught up" \
    bash -c "for i in \$(seq 50); do [ \"\$(curl -s http://127.0.0.1:$port_a_internal/metrics | awk '\$1 == \"tracuu_database_replica_up\" { print \$2 }')\" = 1 ] && [ \"\$(curl -s http://127.0.0.1:$port_a_internal/metrics | awk '\$1 == \"tracuu_database_replica_lag_seconds\" { print \$2 }')\" = 0 ] && exit 0; sleep 0.1; done; exit 1"
check "the cluster is in maintenance mode" set_pause true
psql_at "${pg_port[2]}" "SELECT pg_wal_replay_pause()" >/dev/null
paused_at=$(now_ms)
lag=0
for _ in $(seq 100); do
    push_version "$port_a_internal" 4 >/dev/null
    lag=$(metric_at "$port_a_internal" tracuu_database_replica_lag_seconds)
    awk -v l="$lag" 'BEGIN { exit !(l >= 3) }' && break
    sleep 0.5
done
echo "# replay paused on the standby: tracuu_database_replica_lag_seconds reads $lag after $(($(now_ms) - paused_at)) ms"
check "a standby held back shows in tracuu_database_replica_lag_seconds ($lag s)" \
    awk -v l="$lag" 'BEGIN { exit !(l >= 3) }'
psql_at "${pg_port[2]}" "SELECT pg_wal_replay_resume()" >/dev/null
for _ in $(seq 100); do
    lag=$(metric_at "$port_a_internal" tracuu_database_replica_lag_seconds)
    [ "$lag" = 0 ] && break
    sleep 0.1
done
check "  ... and reads 0 again once the standby has caught up ($lag)" [ "$lag" = 0 ]
check "the cluster leaves maintenance mode" set_pause false

# 2. kill -9 of an instance under load.
check_kill_under_load
start_instance b "$port_b" "$port_b_internal"
check "instance B is ready again" wait_ready "$port_b"

# 3. Automatic failover: node 1 (the leader) dies with its PostgreSQL; nobody runs a command.
start_intake
sleep 3
postmaster=$(head -n 1 "$tmp/pg/node1/postmaster.pid")
killed_at=$(now_ms)
kill -9 "${patroni_pid[1]}" "$postmaster"
wait "${patroni_pid[1]}" 2>/dev/null || true
promoted_at=""
for _ in $(seq 600); do
    if [ "$(role_of 2)" = primary ]; then
        promoted_at=$(now_ms)
        break
    fi
    sleep 0.1
done
if [ -n "$promoted_at" ]; then
    echo "# Patroni promoted node 2 $((promoted_at - killed_at)) ms after node 1 was killed (ttl 10 s, loop_wait 1 s)"
    check "Patroni promotes node 2 by itself within 30 s ($((promoted_at - killed_at)) ms)" [ $((promoted_at - killed_at)) -lt 30000 ]
else
    check "Patroni promotes node 2 by itself within 60 s" false
    promoted_at=$(now_ms)
fi
for _ in $(seq 300); do
    [ -n "$(first_ack_after "$promoted_at" A)" ] && [ -n "$(first_ack_after "$promoted_at" B)" ] && break
    sleep 0.1
done
sleep 3
stop_intake
for name in A B; do
    at=$(first_ack_after "$promoted_at" "$name")
    if [ -n "$at" ]; then
        echo "# instance $name writes again $((at - promoted_at)) ms after the promotion was seen ($((at - killed_at)) ms after node 1 died)"
        check "instance $name writes to the new leader within 30 s of node 1's death, without a restart ($((at - killed_at)) ms)" \
            [ $((at - killed_at)) -lt 30000 ]
    else
        check "instance $name writes to the new leader within 30 s of node 1's death, without a restart" false
    fi
done
check "neither instance was restarted" kill -0 "$pid_a" "$pid_b"
check_acked_kept "${pg_port[2]}"
check "instance A is ready on the new leader" wait_ready "$port_a" 30

# The old node comes back (its machine restarted): Patroni rewinds it and it follows the new leader.
back_at=$(now_ms)
start_node 1
if wait_role 1 replica 90; then
    echo "# node 1 rejoined as a standby $(($(now_ms) - back_at)) ms after its Patroni started again"
    check "node 1 rejoins as a standby of node 2" true
else
    check "node 1 rejoins as a standby of node 2 within 90 s" false
fi

echo "# ha-patroni-test.sh took $(($(date +%s) - started)) s"
check_summary
