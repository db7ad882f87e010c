#!/usr/bin/env bash
# Runs every test of tracuu: unit tests and the integration tests against a real PostgreSQL.
# Installs the Debian packages the tests need when they are missing (as root, or through sudo),
# so a fresh machine needs nothing else. Set TEST_DATABASE_URL to use an existing server instead
# of a throwaway cluster.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ -z "${TEST_DATABASE_URL:-}" ]; then
    packages+=(postgresql-15)
fi

# The SMS end-to-end test runs a real Kannel (bearerbox, smsbox) and its fake SMSC client.
if ! command -v bearerbox >/dev/null 2>&1 && [ ! -x /usr/sbin/bearerbox ]; then
    packages+=(kannel)
fi
if [ ! -x /usr/lib/kannel/test/fakesmsc ]; then
    packages+=(kannel-extras)
fi

if [ ${#packages[@]} -gt 0 ]; then
    echo "test.sh: installing missing packages: ${packages[*]}"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}"
fi

cargo fmt --all -- --check

# cargo prints one "test result" line per test binary (several have none); end with the total.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --locked --all-targets "$@" 2>&1 | tee "$log"
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed;/) p += $i; if ($(i+1) ~ /^failed;/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
