#!/usr/bin/env bash
# Kiosk performance in real headless Chromium against the release build on loopback: time to the
# first interactive home screen, time to a shown lookup result, and bytes transferred for the home
# screen (targets: < 1 s, < 1 s, < 200 KB). Starts its own tracuu on a free port with a private
# PostgreSQL cluster and demo data in a temporary directory, and removes both afterwards.
#
# Usage: bench/kiosk.sh          (about a minute after the release build)
# Knobs: KIOSK_PERF_RUNS (5), KIOSK_PERF_DOSSIERS (2000), BENCH_SKIP_BUILD=1.
# Needs: chromium, nodejs, npm (scripts/test.sh installs them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BENCH_NAME=kiosk
# shellcheck source=bench/lib.sh
. bench/lib.sh

command -v node >/dev/null || die "node is missing (apt-get install nodejs npm)"
[ -x /usr/bin/chromium ] || [ -n "${CHROMIUM_PATH:-}" ] || die "chromium is missing (apt-get install chromium)"
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    log "building the release binary"
    cargo build --release --locked --bin tracuu
fi
if [ ! -d kiosk-tests/node_modules/playwright-core ]; then
    log "installing playwright-core (npm ci, no browser download)"
    (cd kiosk-tests && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
log "measuring (${KIOSK_PERF_RUNS:-5} fresh browser contexts)"
KIOSK_TEST_TRACUU="$PWD/target/release/tracuu" node kiosk-tests/perf.mjs
