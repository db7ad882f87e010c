#!/usr/bin/env bash
# Backs up a running tracuu installation with pgBackRest, destroys its database, restores it to a
# point in time and checks that nothing citizens or staff wrote before that point is lost, and
# nothing after it comes back (docs/operations.md, "Backups"; docs/testing.md).
#
# The installation: a PostgreSQL 15 cluster of its own (/usr/lib/postgresql/15/bin, on a socket
# in a temporary directory, as the postgres system user when run as root, as tracuu's private
# cluster does), WAL archiving and pgBackRest configured from deploy/pgbackrest/ (paths and the
# passphrase replaced), tracuu (target/debug/tracuu) migrated with a small demo province and
# serving on a free loopback port. Questions and feedback, SMS subscriptions and opt-outs, inbound
# SMS records and audit entries are made through tracuu itself: its JSON API, Kannel's inbound
# endpoint, the staff console.
#
# Then: a full backup; more writes; an incremental backup; more writes (in the archived WAL only);
# the marker (every row saved, and the time); a "bad" change (subscriptions and opt-outs
# deleted, texts overwritten) and a later question; the cluster killed and its data directory
# deleted; restore to the marker's time; checks. Prints the figures (sizes and times) and
# `ok - ...` / `not ok - ...` per check, then `# pass N` and `# fail N`.
#
# Needs root only to install postgresql-15 and pgbackrest when missing (or sudo). About 30 s on
# this machine; part of scripts/test.sh (docs/testing.md).
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/checks.sh
. scripts/checks.sh

say() { echo "backup-restore-test.sh: $*"; }
die() { say "$*"; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
[ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql-15)
command -v pgbackrest >/dev/null || missing+=(pgbackrest)
for tool in curl python3; do command -v $tool >/dev/null || missing+=($tool); done
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null \
        || die "cannot install ${missing[*]}"
fi
bin=/usr/lib/postgresql/15/bin
# The demo province's size: BACKUP_TEST_DOSSIERS=50000 for the figures of a larger database.
dossiers=${BACKUP_TEST_DOSSIERS:-300}
[[ "$dossiers" =~ ^[1-9][0-9]{2,6}$ ]] || die "BACKUP_TEST_DOSSIERS must be a number from 100 to 9999999"
[ -x target/debug/tracuu ] || cargo build -q || die "cannot build tracuu"
tracuu=$PWD/target/debug/tracuu

# PostgreSQL refuses to run as root: then the cluster and pgBackRest run as postgres.
if [ "$(id -u)" = 0 ]; then
    pg() { runuser -u postgres -- "$@"; }
else
    pg() { "$@"; }
fi

tmp=$(mktemp -d /tmp/tracuu-backup.XXXXXX)
chmod 0755 "$tmp"
serve_pid=
cleanup() {
    [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
    [ -f "$tmp/data/postmaster.pid" ] && pg "$bin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/run" "$tmp/repo" "$tmp/log" "$tmp/spool" "$tmp/lock" "$tmp/expected" "$tmp/actual"
[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$tmp"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pg_port=$(free_port)  # names the socket file only: the cluster listens on no TCP address
http_port=$(free_port)
export DATABASE_URL="host=$tmp/run port=$pg_port user=postgres dbname=tracuu"
psql_() { pg "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$tmp/run" -p "$pg_port" -U postgres -d tracuu "$@"; }
sql() { psql_ -At -c "$1"; }

check_prefix="backup: "
now_ms() { date +%s%3N; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }

# --- the backup units of deploy/pgbackrest/ --------------------------------------------------
units_verify() {
    mkdir -p "$tmp/units"
    cp deploy/pgbackrest/tracuu-backup@.service deploy/pgbackrest/*.timer "$tmp/units/"
    systemd-analyze verify --man=no "$tmp/units/tracuu-backup@.service" \
        "$tmp/units/tracuu-backup-full.timer" "$tmp/units/tracuu-backup-incr.timer" >"$tmp/verify.log" 2>&1
    local status=$?
    sed 's/^/  /' "$tmp/verify.log"
    [ "$status" = 0 ] && ! [ -s "$tmp/verify.log" ]
}
if command -v systemd-analyze >/dev/null; then
    check "systemd-analyze verify passes on the backup service and its two timers" units_verify
fi

# --- pgBackRest and PostgreSQL from deploy/pgbackrest/, with this run's paths ---------------
conf=$tmp/pgbackrest.conf
passphrase=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
sed -e "s|^repo1-path=.*|repo1-path=$tmp/repo|" \
    -e "s|^repo1-cipher-pass=.*|repo1-cipher-pass=$passphrase|" \
    -e "s|^spool-path=.*|spool-path=$tmp/spool|" \
    -e "s|^log-path=.*|log-path=$tmp/log\nlock-path=$tmp/lock|" \
    -e "s|^pg1-path=.*|pg1-path=$tmp/data|" \
    -e "s|^pg1-socket-path=.*|pg1-socket-path=$tmp/run|" \
    -e "s|^pg1-port=.*|pg1-port=$pg_port|" \
    -e "s|^log-level-console=.*|log-level-console=warn|" \
    deploy/pgbackrest/pgbackrest.conf >"$conf"
grep -q CHANGE-ME <(grep -v '^#' "$conf") && die "a placeholder of pgbackrest.conf was left unreplaced"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$conf"
backrest() { pg pgbackrest --config="$conf" --stanza=tracuu "$@"; }

pg "$bin/initdb" -D "$tmp/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 \
    || { cat "$tmp/initdb.log"; die "initdb failed"; }
{
    echo "listen_addresses = ''"
    echo "unix_socket_directories = '$tmp/run'"
    echo "port = $pg_port"
    echo "fsync = off"
    sed "s|^archive_command = 'pgbackrest |archive_command = 'pgbackrest --config=$conf |" \
        deploy/pgbackrest/postgresql-archiving.conf
} >>"$tmp/data/postgresql.conf"
start_cluster() {
    pg "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/postgres.log" -w -t 120 start >/dev/null \
        || { tail -20 "$tmp/postgres.log"; die "PostgreSQL did not start"; }
}
start_cluster
pg "$bin/createdb" -h "$tmp/run" -p "$pg_port" -U postgres tracuu || die "createdb failed"
backrest stanza-create >/dev/null || die "pgbackrest stanza-create failed (logs in $tmp/log)"
check "pgbackrest check: WAL archiving works with deploy/pgbackrest's settings" backrest check

# --- tracuu: migrated, a demo province, serving ---------------------------------------------
export RUST_LOG=warn TRACUU_DEMO__LOAD_ON_FIRST_RUN=false
"$tracuu" migrate >"$tmp/tracuu.log" 2>&1 || { cat "$tmp/tracuu.log"; die "tracuu migrate failed"; }
"$tracuu" demo-data --dossiers "$dossiers" --seed 1 >>"$tmp/tracuu.log" 2>&1 || die "demo data failed"
printf '%s\n' 'mat-khau-sao-luu-2026' | "$tracuu" staff add --username dtv.saoluu \
    --name "Điện thoại viên sao lưu" --role operator >>"$tmp/tracuu.log" 2>&1 || die "staff add failed"
sms_secret=secret-$(head -c 12 /dev/urandom | base64 | tr -d '/+=')
TRACUU_HTTP__PORT=$http_port TRACUU_SMS__INBOUND_SECRET=$sms_secret \
    TRACUU_STAFF__COOKIE_SECURE=false "$tracuu" serve >>"$tmp/tracuu.log" 2>&1 &
serve_pid=$!
base=http://127.0.0.1:$http_port
for _ in $(seq 1 300); do
    curl -sf "$base/readyz" | grep -q '"ready"' && break
    sleep 0.1
done
curl -sf "$base/readyz" | grep -q '"ready"' || { tail -20 "$tmp/tracuu.log"; die "tracuu did not become ready"; }

mapfile -t codes < <(sql "SELECT code FROM dossiers ORDER BY code LIMIT 12")
writes=0
# One round of what citizens and staff write, through tracuu: a question, a feedback, an SMS
# subscription, an opt-out, a phone search and a dossier view by the operator (two audit rows).
write_round() {
    local round=$1 out phone
    phone=$(printf '09120%05d' "$round")
    out=$(curl -sf -H 'content-type: application/json' "$base/api/v1/questions" -d "{
        \"channel\": \"web\", \"name\": \"Trần Thị Bình\", \"phone\": \"$phone\",
        \"subject\": \"Câu hỏi số $round\", \"body\": \"Tôi cần giấy tờ gì? (lượt $round)\", \"public\": true}") \
        || { say "question $round refused"; return 1; }
    grep -q '"tracking_code"' <<<"$out" || return 1
    out=$(curl -sf -H 'content-type: application/json' "$base/api/v1/feedback" -d "{
        \"channel\": \"app\", \"name\": \"Lê Văn Cường\", \"phone\": \"$phone\",
        \"address\": \"Số $round Quang Trung, Quảng Ngãi\", \"subject\": \"Phản ánh số $round\",
        \"body\": \"Quy định này chưa rõ (lượt $round).\", \"public\": false}") \
        || { say "feedback $round refused"; return 1; }
    grep -q '"tracking_code"' <<<"$out" || return 1
    curl -sf -G "$base/sms/v1/kannel/$sms_secret/inbound" --data-urlencode "from=$phone" \
        --data-urlencode "to=8088" --data-urlencode "text=DK ${codes[$round]}" \
        --data-urlencode "id=dk-$round" >/dev/null || { say "DK $round refused"; return 1; }
    curl -sf -G "$base/sms/v1/kannel/$sms_secret/inbound" \
        --data-urlencode "from=$(printf '09130%05d' "$round")" --data-urlencode "to=8088" \
        --data-urlencode "text=TU CHOI" --data-urlencode "id=stop-$round" >/dev/null \
        || { say "TU CHOI $round refused"; return 1; }
    curl -sf -b "$tmp/cookies" -G "$base/can-bo/tong-dai" --data-urlencode "by=sdt" \
        --data-urlencode "q=$phone" --data-urlencode "reason=lost_receipt" >/dev/null \
        || { say "phone search $round refused"; return 1; }
    curl -sf -b "$tmp/cookies" "$base/can-bo/tong-dai/ho-so/${codes[$round]}" >/dev/null \
        || { say "dossier view $round refused"; return 1; }
    writes=$((writes + 1))
}
login() {
    local page token
    page=$(curl -sf -c "$tmp/cookies" "$base/can-bo/dang-nhap") || return 1
    token=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' <<<"$page" | head -1)
    curl -s -o /dev/null -w '%{http_code}' -b "$tmp/cookies" -c "$tmp/cookies" "$base/can-bo/dang-nhap" \
        --data-urlencode "csrf=$token" --data-urlencode "username=dtv.saoluu" \
        --data-urlencode "password=mat-khau-sao-luu-2026" | grep -q '^303$'
}
check "the operator signs in to the console" login
# Inbound SMS records are written in batches after the reply: wait until `n` are stored.
inbound_recorded() {
    local n=$1
    for _ in $(seq 1 100); do
        [ "$(sql "SELECT count(*) FROM sms_inbound")" -ge "$n" ] && return 0
        sleep 0.1
    done
    return 1
}

for round in 1 2; do write_round "$round" || die "writes of round $round failed"; done
inbound_recorded 4 || die "inbound SMS not recorded"

# --- full backup, more writes, incremental backup, more writes ------------------------------
t0=$(now_ms)
backrest --type=full backup || die "full backup failed (logs in $tmp/log)"
full_ms=$(( $(now_ms) - t0 ))
for round in 3 4; do write_round "$round" || die "writes of round $round failed"; done
inbound_recorded 8 || die "inbound SMS not recorded"
t0=$(now_ms)
backrest --type=incr backup || die "incremental backup failed"
incr_ms=$(( $(now_ms) - t0 ))
# These are only in the WAL archive: the restore must replay them.
for round in 5 6; do write_round "$round" || die "writes of round $round failed"; done
inbound_recorded 12 || die "inbound SMS not recorded"

# --- the marker: what must come back, and when ----------------------------------------------
queries=(
    "intake_items|SELECT tracking_code, kind, state, subject, body, submitter_name, submitter_phone, submitter_address, received_at FROM intake_items ORDER BY tracking_code"
    "intake_history|SELECT item_id, action, to_state, at FROM intake_history ORDER BY id"
    "audit_log|SELECT id, at, actor_label, action, subject, reason, shown FROM audit_log ORDER BY id"
    "sms_subscriptions|SELECT phone, dossier_code FROM sms_subscriptions ORDER BY 1, 2"
    "sms_opt_outs|SELECT phone FROM sms_opt_outs ORDER BY 1"
    "sms_inbound|SELECT sender, body, outcome FROM sms_inbound ORDER BY id"
    "staff_accounts|SELECT username, role, password_hash FROM staff_accounts ORDER BY 1"
)
save() {
    local dir=$1 entry
    for entry in "${queries[@]}"; do
        sql "${entry#*|}" >"$dir/${entry%%|*}" || return 1
    done
}
save "$tmp/expected" || die "cannot read the marker's rows"
sleep 1
target=$(sql "SELECT to_char(clock_timestamp(), 'YYYY-MM-DD HH24:MI:SS.USOF')")
sleep 1

# --- the bad change after the marker ---------------------------------------------------------
write_round 7 || die "writes of round 7 failed"
late_item=$(sql "SELECT tracking_code FROM intake_items ORDER BY id DESC LIMIT 1")
psql_ -c "DELETE FROM sms_subscriptions; DELETE FROM sms_opt_outs;
          UPDATE intake_items SET body = 'Nội dung bị ghi đè nhầm', subject = 'Ghi đè nhầm'" \
    || die "the bad change failed"
sql "SELECT pg_switch_wal()" >/dev/null
backrest check >/dev/null || die "the WAL of the bad change was not archived"

# --- disaster: the service and the cluster die, the data directory is gone ------------------
kill "$serve_pid" && wait "$serve_pid" 2>/dev/null
serve_pid=
pg "$bin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null || die "cannot stop PostgreSQL"
rm -rf "$tmp/data"
check "the data directory is gone" test ! -e "$tmp/data"

# --- restore to the marker's time ------------------------------------------------------------
t0=$(now_ms)
backrest --type=time "--target=$target" --target-action=promote restore \
    || die "restore failed (logs in $tmp/log)"
start_cluster
promoted=no
for _ in $(seq 1 600); do
    if [ "$(sql "SELECT pg_is_in_recovery()" 2>/dev/null)" = f ]; then promoted=yes; break; fi
    sleep 0.1
done
restore_ms=$(( $(now_ms) - t0 ))
check "the restored cluster replayed the WAL to the marker and accepts writes" test "$promoted" = yes

save "$tmp/actual" || die "cannot read the restored rows"
for entry in "${queries[@]}"; do
    name=${entry%%|*}
    rows=$(wc -l <"$tmp/expected/$name")
    check "every row of $name came back as it was at the marker ($rows rows)" \
        cmp -s "$tmp/expected/$name" "$tmp/actual/$name"
done
marker_counts() {
    [ "$(wc -l <"$tmp/expected/intake_items")" -ge 12 ] && [ "$(wc -l <"$tmp/expected/audit_log")" -ge 12 ] \
        && [ "$(wc -l <"$tmp/expected/sms_subscriptions")" -ge 6 ] && [ "$(wc -l <"$tmp/expected/sms_opt_outs")" -ge 6 ]
}
check "the marker held at least 12 questions and feedback, 12 audit entries, 6 subscriptions, 6 opt-outs" \
    marker_counts
check "the question sent after the marker did not come back" \
    test "$(sql "SELECT count(*) FROM intake_items WHERE tracking_code = '$late_item'")" = 0
check "the bad change did not come back" \
    test "$(sql "SELECT count(*) FROM intake_items WHERE subject = 'Ghi đè nhầm'")" = 0
check "the dossiers came back" test "$(sql "SELECT count(*) FROM dossiers")" = "$dossiers"
check "tracuu migrates the restored database and a dry retention run reads it" \
    bash -c "'$tracuu' migrate >/dev/null 2>&1 && '$tracuu' retention --dry-run >/dev/null 2>&1"
check "the restored cluster archives WAL again (pgbackrest check)" backrest check

# --- figures -------------------------------------------------------------------------------
read -r db_size full_repo incr_repo < <(backrest --output=json info | python3 -c '
import json, sys
backups = json.load(sys.stdin)[0]["backup"]
full = next(b for b in backups if b["type"] == "full")
incr = next(b for b in backups if b["type"] == "incr")
print(full["info"]["size"], full["info"]["repository"]["delta"], incr["info"]["repository"]["delta"])')
mb() { awk -v b="$1" 'BEGIN { if (b >= 1048576) printf "%.1f MB", b / 1048576; else printf "%.0f kB", b / 1024 }'; }
say "database $(mb "$db_size") ($dossiers dossiers); full backup $(mb "$full_repo") in the repository" \
    "(compressed, encrypted) in $(secs "$full_ms") s; incremental $(mb "$incr_repo") in $(secs "$incr_ms") s;" \
    "restore to the marker (restore, start, WAL replay, promotion) $(secs "$restore_ms") s;" \
    "$writes rounds of writes through tracuu"
check_summary
