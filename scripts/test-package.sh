#!/usr/bin/env bash
# Tests the Debian package: builds it from the debug binary (scripts/package.sh --profile dev),
# unpacks it into a scratch root with dpkg -x, checks its files, runs the binary from there, and
# runs `systemd-analyze verify` on the units (also with every drop-in) in that root, beside a copy
# of this machine's own units; a unit broken on purpose must fail the same verification.
# Installs cargo-deb when missing (through scripts/package.sh). Prints "# pass N" and
# "# fail N".
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/checks.sh
. scripts/checks.sh
command -v systemd-analyze >/dev/null 2>&1 || install_missing test-package.sh systemd

started=$(date +%s)
deb=$(scripts/package.sh --profile dev | tail -n 1)
echo "test-package.sh: built $deb in $(($(date +%s) - started)) s ($(du -k "$deb" | cut -f1) kB)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root="$tmp/root"
dpkg -x "$deb" "$root"
dpkg-deb -e "$deb" "$tmp/control"

check_prefix="package: "

for file in usr/bin/tracuu etc/tracuu/tracuu.toml lib/systemd/system/tracuu.service \
    lib/systemd/system/tracuu-sync-pull.service lib/systemd/system/tracuu-retention.service \
    lib/systemd/system/tracuu-retention.timer usr/share/man/man1/tracuu.1.gz \
    usr/share/tracuu/kannel/kannel.conf usr/share/tracuu/nginx/tracuu.conf \
    usr/share/tracuu/nginx/tracuu-proxy.conf usr/share/tracuu/prometheus/alerts.yml \
    usr/share/tracuu/grafana/tracuu.json usr/share/tracuu/pull/query.sql \
    usr/share/tracuu/pgbackrest/pgbackrest.conf usr/share/tracuu/pgbackrest/postgresql-archiving.conf \
    usr/share/tracuu/pgbackrest/tracuu-backup@.service usr/share/tracuu/pgbackrest/tracuu-backup-full.timer \
    usr/share/tracuu/pgbackrest/tracuu-backup-incr.timer \
    usr/share/tracuu/systemd/sms.conf usr/share/tracuu/systemd/sync-push.conf \
    usr/share/tracuu/systemd/kiosk-keys.conf usr/share/tracuu/systemd/read-replica.conf \
    usr/share/doc/tracuu/README.Debian usr/share/doc/tracuu/examples/tracuu.example.toml; do
    check "installs /$file" [ -s "$root/$file" ]
done
check "the binary is executable and runs from the scratch root" \
    bash -c "'$root/usr/bin/tracuu' --version | grep -q '^tracuu '"
check "its --help lists the commands" bash -c "'$root/usr/bin/tracuu' --help | grep -q 'serve' && '$root/usr/bin/tracuu' --help | grep -q 'sync'"
check "the binary is stripped (debug symbols stay in target/)" \
    bash -c "[ \$(stat -c %s '$root/usr/bin/tracuu') -lt \$(stat -c %s target/debug/tracuu) ]"
check "/etc/tracuu/tracuu.toml is a conffile" grep -qx /etc/tracuu/tracuu.toml "$tmp/control/conffiles"
check "/etc/tracuu/tracuu.toml is not world-readable" \
    bash -c "[ \$(dpkg-deb -c '$deb' | awk '\$6 == \"./etc/tracuu/tracuu.toml\" { print \$1 }') = -rw-r----- ]"
check "/etc/tracuu/tracuu.toml is TOML with production mode on" /usr/bin/python3 -c "
import sys, tomllib
settings = tomllib.load(open(sys.argv[1], 'rb'))
assert settings['deployment']['mode'] == 'production', settings
assert settings['staff']['cookie_secure'] is True
assert settings['http']['trusted_proxies'], 'no trusted proxy'
assert 'url' not in settings.get('database', {}), 'a database URL in the settings file'
" "$root/etc/tracuu/tracuu.toml"
# The packaged settings are ones this tracuu reads, in production mode: `qr link` loads and
# validates every setting (production's refusals included) and opens no database.
settings_load() {
    local config="$root/etc/tracuu/tracuu.toml" out
    # The secrets come as the unit passes them: credential files named by *_FILE variables.
    printf 'postgres://tracuu@db.example.invalid/tracuu\n' >"$tmp/database-url"
    printf 'package-test-sync-secret-0123456789\n' >"$tmp/sync-secrets"
    printf 'T:package-test-key-0123456789\n' >"$tmp/qr-keys"
    out=$(TRACUU_QR__KEYS_FILE="$tmp/qr-keys" TRACUU_DATABASE__URL_FILE="$tmp/database-url" \
        TRACUU_SYNC__SECRETS_FILE="$tmp/sync-secrets" "$root/usr/bin/tracuu" --config "$config" \
        qr link 000.00.18.H48-261118-9005 2>&1) || { echo "$out" | sed 's/^/  /'; return 1; }
    grep -q '/q/000.00.18.H48-261118-9005?k=' <<<"$out"
}
check "the packaged binary accepts /etc/tracuu/tracuu.toml" settings_load
check "the Kannel configuration is the repository's" cmp -s deploy/kannel/kannel.conf "$root/usr/share/tracuu/kannel/kannel.conf"
check "the man page has every command's help" \
    bash -c "zcat '$root/usr/share/man/man1/tracuu.1.gz' | grep -q '^.SH COMMANDS' && zcat '$root/usr/share/man/man1/tracuu.1.gz' | grep -q 'tracuu sync pull'"
check "the man page keeps the Vietnamese" \
    bash -c "zcat '$root/usr/share/man/man1/tracuu.1.gz' | grep -q 'tra cứu hồ sơ thủ tục hành chính'"
check "the maintainer scripts are valid sh" bash -c "for s in postinst prerm postrm; do sh -n '$tmp/control/'\$s || exit 1; done"
check "the package depends on adduser (postinst creates the user)" \
    bash -c "grep '^Depends:' '$tmp/control/control' | grep -q adduser"

# Every credential a unit or drop-in loads is handed to tracuu as a *_FILE variable, and back.
credentials_match() {
    local file bad=0 name
    for file in "$root"/lib/systemd/system/tracuu*.service "$root"/usr/share/tracuu/systemd/*.conf; do
        for name in $(sed -n 's/^LoadCredential=\([^:]*\):.*/\1/p' "$file"); do
            grep -q "^Environment=TRACUU_[A-Z_]*_FILE=%d/$name\$" "$file" || { echo "  $file: $name loaded, never used"; bad=1; }
        done
        for name in $(sed -n 's|^Environment=TRACUU_[A-Z_]*_FILE=%d/\(.*\)$|\1|p' "$file"); do
            grep -q "^LoadCredential=$name:/etc/tracuu/credentials/$name\$" "$file" || { echo "  $file: $name used, never loaded"; bad=1; }
        done
    done
    return "$bad"
}
check "each unit's credentials and *_FILE variables match" credentials_match

# systemd-analyze verify in the scratch root: this machine's units there too (the targets the
# units name), the binary where ExecStart says.
cp -rn /lib/systemd/system/. "$root/lib/systemd/system/"
# Passes when systemd-analyze exits 0 and says nothing: any warning about a unit is a failure.
verify() {
    local status=0
    systemd-analyze verify --man=no --root="$root" "$@" >"$tmp/verify.log" 2>&1 || status=$?
    sed 's/^/  /' "$tmp/verify.log"
    [ "$status" = 0 ] && ! [ -s "$tmp/verify.log" ]
}
verify_fails() { ! verify "$@" >/dev/null; }
check "systemd-analyze verify passes on tracuu.service, tracuu-sync-pull.service and the retention timer" \
    verify /lib/systemd/system/tracuu.service /lib/systemd/system/tracuu-sync-pull.service \
    /lib/systemd/system/tracuu-retention.service /lib/systemd/system/tracuu-retention.timer
check "the man page and --help name the retention command" \
    bash -c "'$root/usr/bin/tracuu' --help | grep -q 'retention' && zcat '$root/usr/share/man/man1/tracuu.1.gz' | grep -q 'tracuu retention'"
mkdir -p "$root/etc/systemd/system/tracuu.service.d" "$root/etc/systemd/system/tracuu-sync-pull.service.d"
cp "$root"/usr/share/tracuu/systemd/*.conf "$root/etc/systemd/system/tracuu.service.d/"
cp "$root/usr/share/tracuu/systemd/sms.conf" "$root/etc/systemd/system/tracuu-sync-pull.service.d/"
check "... and with every drop-in of /usr/share/tracuu/systemd in place" \
    verify /lib/systemd/system/tracuu.service /lib/systemd/system/tracuu-sync-pull.service
exposure=$(systemd-analyze security --offline=true --root="$root" /lib/systemd/system/tracuu.service 2>/dev/null \
    | sed -n 's/.*Overall exposure level for tracuu.service: \([0-9.]*\).*/\1/p')
echo "test-package.sh: systemd-analyze security: tracuu.service exposure $exposure (0 safest, 10 unsafe)"
check "tracuu.service's exposure is at most 2.0 ($exposure)" awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.0) }'
# The same verification must fail on a broken unit, or it proves nothing.
sed 's|^ExecStart=/usr/bin/tracuu|ExecStart=/usr/bin/tracuu-missing|; s|^ProtectSystem=strict|ProtectSystem=very|' \
    "$root/lib/systemd/system/tracuu.service" >"$root/lib/systemd/system/tracuu-broken.service"
check "systemd-analyze verify fails on a unit broken on purpose" verify_fails /lib/systemd/system/tracuu-broken.service

check_summary
