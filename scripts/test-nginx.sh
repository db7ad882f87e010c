#!/usr/bin/env bash
# Tests deploy/nginx/tracuu.conf inside Debian's own nginx.conf: `nginx -t` with self-signed
# certificates made here, then a real nginx on free loopback ports in front of two stand-in
# instances (one of them dead) that echo what they receive. Checks what reaches tracuu from each
# server name, the client address passed, HTTP/2, compression, body limits, the retry past the dead
# instance, and that the access log holds neither Kannel's secret nor any query string.
# Installs nginx, curl and python3 when missing. Prints "# pass N" and "# fail N".
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/checks.sh
. scripts/checks.sh

packages=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || packages+=(nginx)
command -v curl >/dev/null 2>&1 || packages+=(curl)
[ -x /usr/bin/python3 ] || packages+=(python3)
command -v openssl >/dev/null 2>&1 || packages+=(openssl)
install_missing test-nginx.sh ${packages[@]+"${packages[@]}"}
nginx=$(command -v nginx || echo /usr/sbin/nginx)

tmp=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

check_prefix="nginx: "

free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
http_port=$(free_port)
https_port=$(free_port)
up1=$(free_port)
up1_internal=$(free_port)
dead=$(free_port)
dead_internal=$(free_port)

# Certificates for both names, self-signed.
mkdir -p "$tmp/ssl" "$tmp/log" "$tmp/snippets"
for name in public internal; do
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=tracuu-$name.test" \
        -keyout "$tmp/ssl/$name.key" -out "$tmp/ssl/$name.crt" 2>/dev/null
done

# The site as shipped, with only its placeholders replaced: certificate, log and snippet paths,
# ports, and the instances (the second of each upstream is a port where nothing listens).
cp deploy/nginx/tracuu-proxy.conf "$tmp/snippets/"
sed -e "s|/etc/ssl/tracuu/|$tmp/ssl/|g" \
    -e "s|/var/log/nginx/|$tmp/log/|g" \
    -e "s|/etc/nginx/snippets/|$tmp/snippets/|g" \
    -e "s|listen 80;|listen 127.0.0.1:$http_port;|" \
    -e "s|listen 443 ssl http2;|listen 127.0.0.1:$https_port ssl http2;|" \
    -e "/listen \[::\]/d" \
    -e "s|10.0.0.11:8080|127.0.0.1:$up1|; s|10.0.0.12:8080|127.0.0.1:$dead|" \
    -e "s|10.0.0.11:9090|127.0.0.1:$up1_internal|; s|10.0.0.12:9090|127.0.0.1:$dead_internal|" \
    deploy/nginx/tracuu.conf >"$tmp/tracuu.conf"
# Debian's nginx.conf, with the site in place of sites-enabled and its own pid and logs.
sed -e "s|include /etc/nginx/sites-enabled/\*;|include $tmp/tracuu.conf;|" \
    -e "s|^pid .*|pid $tmp/nginx.pid;|" \
    -e "s|/var/log/nginx/|$tmp/log/|g" \
    /etc/nginx/nginx.conf >"$tmp/nginx.conf"
grep -q "include $tmp/tracuu.conf;" "$tmp/nginx.conf" || { echo "not ok - nginx: Debian's nginx.conf has no sites-enabled include"; exit 1; }

check "nginx -t accepts the site in Debian's nginx.conf" "$nginx" -t -q -c "$tmp/nginx.conf"

# A stand-in instance: answers every request with what it received, as an HTML page long
# enough to be compressed. 
cat >"$tmp/echo.py" <<'PY'
import http.server, json, sys
class Echo(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        seen = {"port": self.server.server_port, "path": self.path,
                "xff": self.headers.get("X-Forwarded-For"), "host": self.headers.get("Host"),
                "proto": self.headers.get("X-Forwarded-Proto")}
        body = ("<!doctype html><pre>" + json.dumps(seen) + "</pre>" + "<p>tra cứu</p>" * 200).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_POST = answer
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
PY
/usr/bin/python3 "$tmp/echo.py" "$up1" & pids+=($!)
/usr/bin/python3 "$tmp/echo.py" "$up1_internal" & pids+=($!)
"$nginx" -c "$tmp/nginx.conf"
for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$up1/" && curl -s -o /dev/null "http://127.0.0.1:$up1_internal/" \
        && [ -s "$tmp/nginx.pid" ] && break
    sleep 0.1
done

public=tracuu.example.gov.vn
internal=tracuu-noibo.example.gov.vn
# get NAME PATH [curl options...]: the status code, then the body in $tmp/body
get() {
    local name=$1 path=$2
    shift 2
    curl -sk -o "$tmp/body" -w '%{http_code}' --resolve "$name:$https_port:127.0.0.1" "$@" \
        "https://$name:$https_port$path"
}
status_is() { [ "$(get "$@" --path-as-is)" = "$want" ]; }
reached() { grep -q "\"path\": \"$1\"" "$tmp/body"; }

for path in /tra-cuu "/tra-cuu?ma=000.00.18.H48-261118-9005" /api/v1/dossiers/X /api/v1/lookup-numbers/1 \
    /q/X /receipts/X /kiosk/ /hoi-dap /hoi-dap/X /thu-tuc/X /theo-doi /readyz /healthz /gui-cau-hoi \
    /api/v1/published /api/v1/intake/X; do
    want=200 check "public name serves $path" status_is "$public" "$path"
done
get "$public" "/tra-cuu?ma=000.00.18.H48-261118-9005" >/dev/null
check "the instance got the path and query as sent" reached "/tra-cuu?ma=000.00.18.H48-261118-9005"
check "X-Forwarded-For is the client's address alone, even when the client sent one" \
    bash -c "curl -sk --resolve '$public:$https_port:127.0.0.1' -H 'X-Forwarded-For: 203.0.113.9' \
        'https://$public:$https_port/tra-cuu' | grep -q '\"xff\": \"127.0.0.1\"'"
check "X-Forwarded-Proto is https" grep -q '"proto": "https"' "$tmp/body"
for path in /can-bo /can-bo/dang-nhap /can-bo/tong-dai /api/v1/staff/session /ivr/vxml/start /metrics \
    /sync/v1/dossiers /sms/v1/kannel/s3cr3t/inbound /unknown /kiosk/../can-bo /tra-cuu/../metrics; do
    want=404 check "public name answers 404 for $path" status_is "$public" "$path"
done
for path in /can-bo /can-bo/tong-dai /api/v1/staff/session /ivr/vxml/start /tra-cuu; do
    want=200 check "internal name serves $path" status_is "$internal" "$path"
done
want=200 check "internal name passes /sync/v1/ to the internal listener" status_is "$internal" /sync/v1/dossiers \
    -X POST --data-binary @/etc/nginx/nginx.conf
check "  ... of the instances' internal port" grep -q "\"port\": $up1_internal" "$tmp/body"
want=200 check "internal name passes Kannel's path to the internal listener" \
    status_is "$internal" "/sms/v1/kannel/S3CRET-IN-PATH/inbound?from=%2B84912345678&text=HS+1234&id=7"
check "  ... of the instances' internal port" grep -q "\"port\": $up1_internal" "$tmp/body"
want=404 check "internal name never proxies /metrics" status_is "$internal" /metrics

check "HTTP/2 is offered" bash -c "[ \"\$(curl -sk --http2 -o /dev/null -w '%{http_version}' \
    --resolve '$public:$https_port:127.0.0.1' 'https://$public:$https_port/tra-cuu')\" = 2 ]"
check "pages are compressed" bash -c "curl -sk -D - -o /dev/null -H 'Accept-Encoding: gzip' \
    --resolve '$public:$https_port:127.0.0.1' 'https://$public:$https_port/tra-cuu' | grep -qi '^content-encoding: gzip'"
check "plain HTTP redirects to HTTPS" bash -c "curl -s -o /dev/null -w '%{http_code} %{redirect_url}' \
    -H 'Host: $public' 'http://127.0.0.1:$http_port/tra-cuu' | grep -q '^301 https://$public/tra-cuu'"
head -c 70000 /dev/zero >"$tmp/70k"
head -c 200000 /dev/zero >"$tmp/200k"
want=413 check "a 70 kB body is refused on a lookup path" status_is "$public" /api/v1/dossiers/X \
    -X POST --data-binary @"$tmp/70k"
want=200 check "a 200 kB question is accepted" status_is "$public" /api/v1/questions -X POST \
    --data-binary @"$tmp/200k"

# Passive health checks: the dead instance is skipped for GETs and every GET still answers.
answered=0
for _ in $(seq 10); do
    [ "$(get "$public" /tra-cuu)" = 200 ] && answered=$((answered + 1))
done
check "10 GETs with one of two instances dead: all answered ($answered)" [ "$answered" = 10 ]

# The access log: the secret of Kannel's path and the query strings never reach it.
kill -USR1 "$(cat "$tmp/nginx.pid")" # reopen: flushes nothing needed, logs are written per line
sleep 0.2
log="$tmp/log/tracuu-access.log"
check "the access log has lines" grep -q "GET /tra-cuu " "$log"
check "the access log names Kannel's path without its secret" grep -q "GET /sms/v1/kannel/-/inbound " "$log"
check "the access log never has the secret" bash -c "! grep -rq 'S3CRET-IN-PATH\|s3cr3t' '$tmp/log'"
check "the access log has no query string (phone numbers, texts, codes)" \
    bash -c "! grep -q '84912345678\|text=\|?ma=' '$log'"
check "the access log names the client" grep -q "^127.0.0.1 " "$log"

check_summary
