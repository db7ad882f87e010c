# Shared by scripts/ha-test.sh and scripts/ha-patroni-test.sh (sourced, not run): two tracuu
# instances (the debug binary) on loopback, the real nginx site of deploy/nginx/ in front with
# self-signed certificates, and the checks both scripts make. The caller sets $tmp (a scratch
# directory it removes), calls ha_cleanup from its EXIT trap, and reports with check/check_summary of
# scripts/checks.sh, which it sources first.

ha_pids=()
nginx=$(command -v nginx || echo /usr/sbin/nginx)
tracuu_bin=$PWD/target/debug/tracuu
public=tracuu.example.gov.vn

free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

now_ms() { date +%s%3N; }

# as_postgres COMMAND...: PostgreSQL refuses to run as root; as root its commands run as the
# postgres system user (as tracuu's private cluster does), otherwise as ourselves.
as_postgres() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_bin=/usr/lib/postgresql/15/bin

# psql_at PORT SQL: one value, unaligned, from the database tracuu on 127.0.0.1:PORT.
psql_at() {
    "$pg_bin/psql" -X -q -At -h 127.0.0.1 -p "$1" -U postgres -d tracuu -c "$2"
}

# The instances: A and B, each with a public and an internal (operator) port.
ha_ports() {
    port_a=$(free_port)
    port_a_internal=$(free_port)
    port_b=$(free_port)
    port_b_internal=$(free_port)
    http_port=$(free_port)
    https_port=$(free_port)
}

# start_instance NAME PORT INTERNAL_PORT: runs `tracuu serve` in the background with the database
# settings in $ha_database_url and $ha_read_url; its pid in pid_NAME, its log in $tmp/NAME.log.
start_instance() {
    local name=$1 port=$2 internal=$3
    env -i PATH="$PATH" HOME="$tmp" RUST_LOG=info \
        DATABASE_URL="$ha_database_url" \
        TRACUU_DATABASE__READ_URL="$ha_read_url" \
        TRACUU_DATABASE__HEALTH_INTERVAL_SECS=1 \
        TRACUU_DATABASE__CONNECT_TIMEOUT_SECS=2 \
        TRACUU_DATABASE__POOL_SIZE=8 \
        TRACUU_HTTP__PORT="$port" \
        TRACUU_HTTP__INTERNAL_PORT="$internal" \
        TRACUU_HTTP__WORKERS=2 \
        TRACUU_HTTP__TRUSTED_PROXIES=127.0.0.1 \
        TRACUU_STAFF__COOKIE_SECURE=false \
        TRACUU_SYNC__SECRETS=ha-test-secret \
        TRACUU_RATE_LIMIT__LOOKUPS_PER_MINUTE=1000000 \
        TRACUU_RATE_LIMIT__LOOKUPS_BURST=1000000 \
        TRACUU_RATE_LIMIT__NOT_FOUND_PER_MINUTE=1000000 \
        TRACUU_RATE_LIMIT__NOT_FOUND_BURST=1000000 \
        TRACUU_INTAKE__SUBMISSIONS_PER_HOUR=1000000 \
        "$tracuu_bin" serve >"$tmp/$name.log" 2>&1 &
    local pid=$!
    ha_pids+=("$pid")
    printf -v "pid_$name" '%s' "$pid"
}

# wait_ready PORT [SECONDS]: until the instance's /readyz says "ready".
wait_ready() {
    local port=$1 limit=${2:-60} i
    for i in $(seq $((limit * 10))); do
        curl -s "http://127.0.0.1:$port/readyz" 2>/dev/null | grep -q '"status":"ready"' && return 0
        sleep 0.1
    done
    return 1
}

# start_nginx: the site as shipped in Debian's nginx.conf, with the placeholders replaced as
# scripts/test-nginx.sh does: certificates, logs, snippets, ports and the two instances.
start_nginx() {
    mkdir -p "$tmp/ssl" "$tmp/nginx-log" "$tmp/snippets"
    for name in public internal; do
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=tracuu-$name.test" \
            -keyout "$tmp/ssl/$name.key" -out "$tmp/ssl/$name.crt" 2>/dev/null
    done
    cp deploy/nginx/tracuu-proxy.conf "$tmp/snippets/"
    sed -e "s|/etc/ssl/tracuu/|$tmp/ssl/|g" \
        -e "s|/var/log/nginx/|$tmp/nginx-log/|g" \
        -e "s|/etc/nginx/snippets/|$tmp/snippets/|g" \
        -e "s|listen 80;|listen 127.0.0.1:$http_port;|" \
        -e "s|listen 443 ssl http2;|listen 127.0.0.1:$https_port ssl http2;|" \
        -e "/listen \[::\]/d" \
        -e "s|10.0.0.11:8080|127.0.0.1:$port_a|; s|10.0.0.12:8080|127.0.0.1:$port_b|" \
        -e "s|10.0.0.11:9090|127.0.0.1:$port_a_internal|; s|10.0.0.12:9090|127.0.0.1:$port_b_internal|" \
        deploy/nginx/tracuu.conf >"$tmp/tracuu.conf"
    sed -e "s|include /etc/nginx/sites-enabled/\*;|include $tmp/tracuu.conf;|" \
        -e "s|^pid .*|pid $tmp/nginx.pid;|" \
        -e "s|/var/log/nginx/|$tmp/nginx-log/|g" \
        /etc/nginx/nginx.conf >"$tmp/nginx.conf"
    "$nginx" -c "$tmp/nginx.conf"
}

ha_cleanup() {
    local pid
    for pid in "${ha_pids[@]}"; do
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    [ -s "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
}

# A sample of dossiers to look up, and one to push a new version of.
# pick_dossiers PORT: writes $tmp/codes (50 codes) and $tmp/dossier.json (one dossier in status 4).
pick_dossiers() {
    psql_at "$1" "SELECT code FROM dossiers ORDER BY code LIMIT 50" >"$tmp/codes"
    psql_at "$1" "SELECT json_build_object('code', code, 'version', version,
            'procedure_code', procedure_code, 'receiving_agency_code', receiving_agency_code,
            'handling_agency_code', handling_agency_code, 'channel', channel,
            'received_at', received_at, 'due_at', due_at)
        FROM dossiers WHERE status = 4 AND due_at > now() ORDER BY code LIMIT 1" >"$tmp/dossier.json"
}

# push_version PORT STATUS: pushes the picked dossier with its version raised and STATUS, signed,
# to the instance's internal port; prints the answer.
push_version() {
    local port=$1 status=$2 body ts sig
    body=$(/usr/bin/python3 - "$tmp/dossier.json" "$status" <<'PY'
import json, sys, datetime
d = json.load(open(sys.argv[1]))
status = int(sys.argv[2])
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
d["version"] = int(d["version"]) + 1 + int(datetime.datetime.now().timestamp()) % 100000
d["status"] = status
d["applicant_name"] = "Người Thử Nghiệm"
d["updated_at"] = now
d["events"] = [{"at": d["received_at"], "status": 2, "step": "Tiếp nhận hồ sơ"},
               {"at": now, "status": status, "step": "Thử nghiệm sẵn sàng cao"}]
print(json.dumps([d], ensure_ascii=False))
PY
    )
    ts=$(date +%s)
    sig=$(printf '%s.%s' "$ts" "$body" | openssl dgst -sha256 -hmac ha-test-secret -hex | sed 's/.*= //')
    curl -s -X POST "http://127.0.0.1:$port/sync/v1/dossiers" -H 'Content-Type: application/json' \
        -H "X-Tracuu-Timestamp: $ts" -H "X-Tracuu-Signature: sha256=$sig" --data-binary "$body"
}

# status_of PORT CODE: the status code of a dossier's JSON view on an instance.
status_of() {
    curl -s "http://127.0.0.1:$1/api/v1/dossiers/$2" | /usr/bin/python3 -c \
        'import json, sys; v = json.load(sys.stdin); print(v.get("status", {}).get("code", "") if isinstance(v.get("status"), dict) else v.get("status", ""))' 2>/dev/null
}

# Check 1: a push to A is served by B at once (B had the dossier cached: only the change
# notification can refresh it). Sets notify_ms.
check_notify() {
    local code before answer start i seen=""
    code=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["code"])' "$tmp/dossier.json")
    before=$(status_of "$port_b" "$code")
    check "instance B serves dossier $code in status 4 before the push" [ "$before" = 4 ]
    start=$(now_ms)
    answer=$(push_version "$port_a_internal" 5)
    local answered
    answered=$(now_ms)
    for i in $(seq 500); do
        if [ "$(status_of "$port_b" "$code")" = 5 ]; then
            seen=$(now_ms)
            break
        fi
        sleep 0.01
    done
    check "the push to instance A was applied ($answer)" grep -q '"applied":1' <<<"$answer"
    if [ -n "$seen" ]; then
        notify_ms=$((seen - start))
        echo "# push to A, then seen on B: ${notify_ms} ms from sending the push, $((seen - answered)) ms after A answered it (B polled every 10 ms)"
        check "instance B serves the pushed status within 2 s of the push (${notify_ms} ms)" [ "$notify_ms" -lt 2000 ]
    else
        check "instance B serves the pushed status within 5 s" false
    fi
}

# The load: lookups through nginx's public name from THREADS threads until $tmp/stop-load exists;
# counts in $tmp/load.out ("requests N failures F" and the failures' reasons).
start_load() {
    rm -f "$tmp/stop-load" "$tmp/load.out"
    /usr/bin/python3 - "$https_port" "$public" "$tmp/codes" "$tmp/stop-load" "$tmp/load.out" <<'PY' &
import http.client, os, ssl, sys, threading, time
port, host, codes_file, stop_file, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
codes = open(codes_file).read().split()
context = ssl._create_unverified_context()
lock = threading.Lock()
counts = {"requests": 0, "failures": 0}
reasons = {}
def worker(n):
    conn = None
    i = n
    while not os.path.exists(stop_file):
        i += 1
        path = "/api/v1/dossiers/" + codes[i % len(codes)]
        try:
            if conn is None:
                conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
            conn.request("GET", path, headers={"Host": host})
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
            reason = "HTTP %d" % response.status
        except Exception as error:
            ok = False
            reason = type(error).__name__
            conn = None
        with lock:
            counts["requests"] += 1
            if not ok:
                counts["failures"] += 1
                reasons[reason] = reasons.get(reason, 0) + 1
        time.sleep(0.005)
threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
with open(out, "w") as f:
    f.write("requests %d failures %d %s\n" % (counts["requests"], counts["failures"], reasons))
PY
    load_pid=$!
}

stop_load() {
    touch "$tmp/stop-load"
    wait "$load_pid" || true
}

# Check 2: kill -9 of instance B under a steady load through nginx loses no lookup.
check_kill_under_load() {
    local line requests failures
    start_load
    sleep 3
    kill -9 "$pid_b"
    wait "$pid_b" 2>/dev/null || true
    local killed_at
    killed_at=$(now_ms)
    sleep 5
    stop_load
    line=$(cat "$tmp/load.out")
    requests=$(awk '{print $2}' <<<"$line")
    failures=$(awk '{print $4}' <<<"$line")
    echo "# lookups through nginx, instance B killed (kill -9) 3 s into 8 s: $line"
    check "lookups were made before and after the kill ($requests)" [ "${requests:-0}" -gt 100 ]
    check "no lookup failed while instance B was killed ($failures of $requests)" [ "$failures" = 0 ]
    local upstream_b
    upstream_b=$(grep -c "upstream=127.0.0.1:$port_b " "$tmp/nginx-log/tracuu-access.log" || true)
    local retried
    retried=$(grep -c "upstream=127.0.0.1:$port_b, 127.0.0.1:$port_a " "$tmp/nginx-log/tracuu-access.log" || true)
    echo "# nginx access log: $upstream_b lookups answered by instance B before it died, $retried sent to B after it died and answered by A (nginx's retry)"
    check "nginx spread the lookups over both instances before the kill" [ "$upstream_b" -gt 0 ]
}

# The writes: questions submitted alternately to A and B (each instance's write path) until
# $tmp/stop-intake exists; every 201 is written to $tmp/acked as "ms instance tracking_code", every
# failure to $tmp/refused as "ms instance status".
start_intake() {
    rm -f "$tmp/stop-intake" "$tmp/acked" "$tmp/refused"
    touch "$tmp/acked" "$tmp/refused"
    /usr/bin/python3 - "$port_a" "$port_b" "$tmp/stop-intake" "$tmp/acked" "$tmp/refused" <<'PY' &
import http.client, json, os, sys, time
ports = {"A": int(sys.argv[1]), "B": int(sys.argv[2])}
stop_file, acked, refused = sys.argv[3], sys.argv[4], sys.argv[5]
n = 0
while not os.path.exists(stop_file):
    for name, port in ports.items():
        n += 1
        body = json.dumps({"channel": "web", "name": "Người Thử Nghiệm", "phone": "0912345678",
                           "subject": "Câu hỏi thử nghiệm số %d" % n,
                           "body": "Hỏi về thủ tục cấp giấy phép xây dựng, lần %d." % n,
                           "level": "province", "public": False})
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("POST", "/api/v1/questions", body=body.encode(),
                         headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            answer = response.read()
            conn.close()
            status = response.status
        except Exception as error:
            status, answer = type(error).__name__, b""
        at = int(time.time() * 1000)
        if status == 201:
            code = json.loads(answer)["tracking_code"]
            with open(acked, "a") as f:
                f.write("%d %s %s\n" % (at, name, code))
        else:
            with open(refused, "a") as f:
                f.write("%d %s %s %s\n" % (at, name, status, answer[:200].decode(errors="replace").replace("\n", " ")))
    time.sleep(0.05)
PY
    intake_pid=$!
}

stop_intake() {
    touch "$tmp/stop-intake"
    wait "$intake_pid" || true
}

# first_ack_after MS INSTANCE: the time of the first acknowledged question of INSTANCE after MS.
first_ack_after() {
    awk -v t="$1" -v i="$2" '$1 > t && $2 == i { print $1; exit }' "$tmp/acked"
}

# check_acked_kept PORT: every acknowledged question is in the database on PORT.
check_acked_kept() {
    local port=$1 acked kept list
    acked=$(wc -l <"$tmp/acked")
    list=$(awk '{ printf "%s'\''%s'\''", (NR > 1 ? "," : ""), $3 }' "$tmp/acked")
    kept=$(psql_at "$port" "SELECT count(*) FROM intake_items WHERE tracking_code IN ($list)")
    echo "# questions acknowledged (201): $acked, found in the new primary: $kept; refused while no server took writes: $(wc -l <"$tmp/refused") ($(awk '{ print $3 }' "$tmp/refused" | sort | uniq -c | awk '{ printf "%s%s x %s", (NR > 1 ? ", " : ""), $1, $2 }'))"
    check "some questions were acknowledged by each instance" \
        bash -c "grep -q ' A ' '$tmp/acked' && grep -q ' B ' '$tmp/acked'"
    check "every acknowledged question is in the new primary ($kept of $acked)" [ "$kept" = "$acked" ]
}

# metric_at PORT NAME: a metric's value on an instance's internal listener.
metric_at() {
    curl -s "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n { print $2 }'
}
