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
elif ! ls /usr/share/postgresql/*/extension/unaccent.control >/dev/null 2>&1 && [ -z "${TEST_DATABASE_URL:-}" ]; then
    # Diacritic-insensitive search uses the unaccent extension (contrib, part of postgresql-15).
    packages+=(postgresql-15)
fi
# The QR end-to-end tests decode images with zbarimg and rasterise SVG with rsvg-convert.
command -v zbarimg >/dev/null 2>&1 || packages+=(zbar-tools)
command -v rsvg-convert >/dev/null 2>&1 || packages+=(librsvg2-bin)

# The hotline's synthesized IVR prompts (tests/api/hotline_ivr.rs) need espeak-ng.
if ! command -v espeak-ng >/dev/null 2>&1; then
    packages+=(espeak-ng)
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
