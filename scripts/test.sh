#!/usr/bin/env bash
# Runs every test of tracuu: unit tests, the integration tests against a real PostgreSQL, and the
# kiosk's browser tests in real headless Chromium (kiosk-tests/, against a tracuu they start).
# Installs the Debian packages the tests need when they are missing (as root, or through sudo),
# so a fresh machine needs nothing else. Set TEST_DATABASE_URL to use an existing server instead
# of a throwaway cluster for the integration tests.
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
[ -x /usr/bin/chromium ] || packages+=(chromium)
# A font with Vietnamese glyphs for the kiosk screenshots (chromium only recommends one).
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || packages+=(fonts-dejavu-core)
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)

# The SMS end-to-end test runs a real Kannel (bearerbox, smsbox) and its fake SMSC client.
if ! command -v bearerbox >/dev/null 2>&1 && [ ! -x /usr/sbin/bearerbox ]; then
    packages+=(kannel)
fi
if [ ! -x /usr/lib/kannel/test/fakesmsc ]; then
    packages+=(kannel-extras)
fi

# The hotline's synthesized IVR prompts (tests/api/hotline_ivr.rs) need espeak-ng.
if ! command -v espeak-ng >/dev/null 2>&1; then
    packages+=(espeak-ng)
fi

# The deployment files' tests: nginx -t and a real nginx (nginx), promtool (prometheus).
# cargo-deb comes from crates.io (scripts/package.sh installs it).
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || packages+=(nginx)
command -v promtool >/dev/null 2>&1 || packages+=(prometheus)
# The backup and point-in-time restore test (scripts/backup-restore-test.sh).
command -v pgbackrest >/dev/null 2>&1 || packages+=(pgbackrest)
# High availability under Patroni (scripts/ha-patroni-test.sh): Patroni and etcd as its store.
command -v patroni >/dev/null 2>&1 || packages+=(patroni)
command -v etcd >/dev/null 2>&1 || packages+=(etcd-server)

if [ ${#packages[@]} -gt 0 ]; then
    echo "test.sh: installing missing packages: ${packages[*]}"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}"
fi

cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings

# Every runner writes to $log; the total of passed and failed tests is printed at the end.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --locked --all-targets "$@" 2>&1 | tee "$log"

# The kiosk in headless Chromium: playwright-core from npm (no browser download) drives Debian's
# /usr/bin/chromium against the debug binary on its own private cluster with demo data.
cargo build --locked --bin tracuu
(cd kiosk-tests && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
kiosk_status=0
(cd kiosk-tests && KIOSK_TEST_TRACUU="$PWD/../target/debug/tracuu" node --test --test-reporter=tap tests/telex.test.mjs tests/kiosk.test.mjs tests/console.test.mjs \
    tests/apidocs.test.mjs) \
    2>&1 | tee -a "$log" || kiosk_status=$?

# The deployment files: the Debian package built from the debug binary above and unpacked into a
# scratch root (units verified by systemd-analyze), the nginx site in front of stand-in instances,
# the Prometheus alert rules with their unit tests and the Grafana dashboard, a pgBackRest backup of
# a running installation restored to a point in time; then high availability on streaming
# replication (a primary, a replica, two instances and nginx, about 50 s) and the same under
# Patroni with automatic failover (about 65 s).
deploy_status=0
for script in test-package.sh test-nginx.sh test-monitoring.sh backup-restore-test.sh ha-test.sh \
    ha-patroni-test.sh; do
    scripts/$script 2>&1 | tee -a "$log" || deploy_status=1
done

# cargo prints one "test result" line per test binary; node's runner and the deployment scripts
# "# pass N" and "# fail N".
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed;/) p += $i; if ($(i+1) ~ /^failed;/) f += $i } }
     /^# pass [0-9]+$/ { p += $3 } /^# fail [0-9]+$/ { f += $3 }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
[ "$kiosk_status" = 0 ] || exit "$kiosk_status"
exit "$deploy_status"
