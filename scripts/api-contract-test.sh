#!/usr/bin/env bash
# The API contract, enforced against a live instance: tracuu (the debug binary, built by the
# caller) on a private PostgreSQL cluster with a small demo province serves its document at
# /api/openapi.json; an independent validator (openapi-spec-validator) checks the document, then
# Schemathesis generates requests for every operation in it, valid and invalid, and checks that
# no answer is a server error, that every status, content type and body is the one the document
# gives, and that invalid data is refused. The Python tools are pinned and installed in a
# virtual environment under target/ when missing.
#
# Usage: scripts/api-contract-test.sh [extra schemathesis options, e.g. --include-path-regex X]
# Prints "# pass N" / "# fail N" (N: checks of the document, then operations) for scripts/test.sh.
set -uo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS=4.32.5
VALIDATOR=0.9.0
# Examples per operation and phase: enough to reach every parameter's edges, bounded so that the
# whole run stays within a few minutes on two cores.
EXAMPLES=${API_CONTRACT_EXAMPLES:-100}

venv=target/api-contract-venv
# (Read into variables first: `grep -q` leaving a pipe early would fail it under pipefail.)
have_schemathesis=$("$venv/bin/schemathesis" --version 2>/dev/null || true)
have_validator=$("$venv/bin/pip" show openapi-spec-validator 2>/dev/null || true)
if [[ "$have_schemathesis" != *"version $SCHEMATHESIS"* ]] \
    || [[ "$have_validator" != *$'\nVersion: '"$VALIDATOR"$'\n'* ]]; then
    echo "api-contract-test.sh: installing schemathesis $SCHEMATHESIS and openapi-spec-validator $VALIDATOR in $venv"
    rm -rf "$venv"
    python3 -m venv "$venv" || { echo "# fail 1"; echo "api-contract-test.sh: python3 -m venv failed (python3-venv missing?)" >&2; exit 1; }
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        "schemathesis==$SCHEMATHESIS" "openapi-spec-validator==$VALIDATOR" || { echo "# fail 1"; exit 1; }
fi

bin=target/debug/tracuu
[ -x "$bin" ] || cargo build --locked --bin tracuu || { echo "# fail 1"; exit 1; }

tmp=$(mktemp -d)
chmod 755 "$tmp" # the cluster runs as the postgres system user when started as root
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# tracuu reads every TRACUU_* variable as a setting: start from none of the caller's. The limits
# per client are raised so that the generated requests reach the handlers rather than the rate
# limiter (whose 429 answers the document still describes).
sync_secret=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
settings=(
    env -u DATABASE_URL $(env | sed -n 's/^\(TRACUU_[^=]*\)=.*/-u \1/p')
    TRACUU_HTTP__HOST=127.0.0.1 TRACUU_HTTP__PORT="$port" TRACUU_HTTP__WORKERS=2
    TRACUU_DATABASE__DATA_DIR="$tmp/postgres" TRACUU_DEMO__DOSSIERS=300
    TRACUU_RATE_LIMIT__LOOKUPS_PER_MINUTE=1000000 TRACUU_RATE_LIMIT__LOOKUPS_BURST=100000
    TRACUU_RATE_LIMIT__NOT_FOUND_PER_MINUTE=1000000 TRACUU_RATE_LIMIT__NOT_FOUND_BURST=100000
    TRACUU_INTAKE__SUBMISSIONS_PER_HOUR=1000000 TRACUU_INTAKE__VOTES_PER_HOUR=1000000
    TRACUU_HOTLINE__IVR_REQUESTS_PER_MINUTE=1000000 TRACUU_HOTLINE__IVR_BURST=100000
    TRACUU_SYNC__SECRETS="$sync_secret"
    RUST_LOG=warn
)
"${settings[@]}" "$bin" serve >"$tmp/tracuu.log" 2>&1 &
pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 240); do
    curl -sf "$base/healthz" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
done
if ! curl -sf "$base/api/openapi.json" -o "$tmp/openapi.json"; then
    echo "api-contract-test.sh: tracuu did not serve its document; its log:" >&2
    tail -30 "$tmp/tracuu.log" >&2
    echo "# fail 1"
    exit 1
fi

passed=0
failed=0
if "$venv/bin/openapi-spec-validator" "$tmp/openapi.json"; then
    echo "ok - the served document is valid OpenAPI (openapi-spec-validator $VALIDATOR)"
    passed=$((passed + 1))
else
    echo "not ok - the served document is not valid OpenAPI"
    failed=$((failed + 1))
fi

# Adds one Schemathesis run's operations to the totals: its JUnit report, its exit status, a name.
count() {
    local ops ops_failed
    read -r ops ops_failed < <(python3 - "$1" <<'PY'
import sys
import xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    print(0, 1)
    raise SystemExit
total = bad = 0
for case in root.iter("testcase"):
    total += 1
    if case.find("failure") is not None or case.find("error") is not None:
        bad += 1
print(total, bad)
PY
)
    if [ "$2" != 0 ] && [ "$ops_failed" = 0 ]; then
        ops_failed=1 # schemathesis failed without naming an operation (an error of the run itself)
    fi
    echo "schemathesis $3: $ops operations, $ops_failed failed"
    passed=$((passed + ops - ops_failed))
    failed=$((failed + ops_failed))
}

# One Schemathesis run, in the scratch directory (it keeps a cache of what it found in the working
# directory): the five checks of the contract, valid and invalid data, a fixed seed so a failure
# reproduces, and a JUnit report that counts operations. One worker: hypothesis parses lambda
# sources with `ast`, which on CPython 3.11 fails when two threads do it at once. $1 names the
# run, $2 its report; the other arguments are its own options, then this script's arguments.
schemathesis="$PWD/$venv/bin/schemathesis"
script_args=("$@")
fuzz_env=()
fuzz() {
    local name=$1 report="$tmp/junit-$2.xml"
    shift 2
    (cd "$tmp" && env "${fuzz_env[@]}" "$schemathesis" run "$base/api/openapi.json" "$@" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection \
        --max-examples "$EXAMPLES" --seed 24 --workers 1 --no-color --suppress-health-check all \
        --generation-database none --request-timeout 20 \
        --report junit --report-junit-path "$report" "${script_args[@]}")
    count "$report" $? "$name"
}

# Every operation, without credentials.
fuzz "without credentials" all

# The operations a staff session opens (the session itself, the receipt QR images), again with a
# desk head's session cookie, so that their answers to a signed-in officer are checked too (the
# cookie is sent as given: Schemathesis generates no security parameters of its own here).
password=contract-test-password-1
printf '%s\n' "$password" | "${settings[@]}" "$bin" staff add --username kiem.thu \
    --name "Kiểm Thử" --role desk_head >/dev/null
jar="$tmp/cookies"
csrf=$(curl -s -c "$jar" "$base/can-bo/dang-nhap" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p')
curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$csrf" \
    --data-urlencode "username=kiem.thu" --data-urlencode "password=$password" "$base/can-bo/dang-nhap"
session=$(awk '$6 == "tracuu_staff" { print $7 }' "$jar")
staff_operations=()
while read -r id; do staff_operations+=(--include-operation-id "$id"); done < <(python3 - "$tmp/openapi.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for item in doc["paths"].values():
    for operation in item.values():
        if any("phien_can_bo" in requirement for requirement in operation.get("security", [])):
            print(operation["operationId"])
PY
)
if [ -z "$session" ] || [ ${#staff_operations[@]} = 0 ]; then
    echo "not ok - a staff session for the second pass (session: ${session:+yes}, operations: ${#staff_operations[@]})"
    failed=$((failed + 1))
else
    fuzz "with a desk head's session" staff "${staff_operations[@]}" \
        -H "Cookie: tracuu_staff=$session" --generation-with-security-parameters false
fi

# The main store's signed pushes, again with every request signed with the instance's secret
# (scripts/api_contract_signing.py), so that their parsing and answers are fuzzed, not only the
# refusal of unsigned requests.
fuzz_env=(SCHEMATHESIS_HOOKS="$PWD/scripts/api_contract_signing.py" API_CONTRACT_SYNC_SECRET="$sync_secret")
fuzz "with the main store's signature" signed --include-tag dong-bo \
    --generation-with-security-parameters false
# The signatures held: each push endpoint applied at least one generated batch (a hook that did not
# load would leave only 401s, which the document allows).
applied=$(curl -s "$base/metrics" | grep '^tracuu_http_requests_total{' | grep 'route="/sync/v1/' \
    | grep -c 'status="200"')
if [ "$applied" -ge 3 ]; then
    echo "ok - every push endpoint answered a signed batch with 200"
    passed=$((passed + 1))
else
    echo "not ok - only $applied push endpoints answered a signed batch with 200"
    failed=$((failed + 1))
fi

if [ "$failed" != 0 ]; then
    echo "api-contract-test.sh: tracuu's log (last lines):"
    tail -20 "$tmp/tracuu.log"
fi
echo "# pass $passed"
echo "# fail $failed"
[ "$failed" = 0 ]
