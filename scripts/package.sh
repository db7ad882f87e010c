#!/usr/bin/env bash
# Builds tracuu's Debian package with cargo-deb: target/debian/tracuu_<version>-1_<arch>.deb.
#
#   scripts/package.sh                 the release build (what an installation gets)
#   scripts/package.sh --profile dev   the debug build CI already has (tests only: large, slow)
#
# Installs what it needs when missing: cargo-deb (from crates.io, the version below) and help2man
# (Debian), which writes the man page from `tracuu --help` and every command's help.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_DEB_VERSION=3.8.0
profile=release
while [ $# -gt 0 ]; do
    case "$1" in
        --profile) profile="$2"; shift 2 ;;
        --profile=*) profile="${1#--profile=}"; shift ;;
        *) echo "package.sh: unknown argument $1 (only --profile PROFILE)" >&2; exit 2 ;;
    esac
done
case "$profile" in
    release) bin=target/release/tracuu ;;
    dev) bin=target/debug/tracuu ;;
    *) bin="target/$profile/tracuu" ;;
esac

if ! command -v help2man >/dev/null 2>&1; then
    echo "package.sh: installing help2man"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends help2man
fi
if [ "$(cargo deb --version 2>/dev/null)" != "cargo-deb $CARGO_DEB_VERSION" ]; then
    echo "package.sh: installing cargo-deb $CARGO_DEB_VERSION"
    cargo install --locked --quiet cargo-deb --version "$CARGO_DEB_VERSION"
fi

cargo build --locked --profile "$profile" --bin tracuu

# The man page: the top-level help, then each command's own, as sections help2man includes.
mkdir -p target/package
include=target/package/commands.h2m
{
    echo "[COMMANDS]"
    for command in serve migrate "sync pull" "sync verify" staff "staff add" qr "qr link" demo-data \
        "import" calendar "calendar import"; do
        # shellcheck disable=SC2086 # the command's words are separate arguments
        echo ".SS \"tracuu $command\""
        echo ".nf"
        "$bin" $command --help | sed -e 's/\\/\\e/g' -e 's/^\./\\\&./'
        echo ".fi"
    done
    cat <<'H2M'
[FILES]
.TP
.I /etc/tracuu/tracuu.toml
settings (production mode); every key: /usr/share/doc/tracuu/examples/tracuu.example.toml
.TP
.I /etc/tracuu/credentials/
secrets, read by systemd as the services' credentials (root only)
.TP
.I /usr/share/tracuu/
the nginx site, the Kannel configuration, Prometheus alert rules, the Grafana dashboard, systemd drop-ins
[SEE ALSO]
.BR systemctl (1),
.BR nginx (8),
/usr/share/doc/tracuu/README.Debian
H2M
} >"$include"
help2man --no-info --section=1 --name="tra cứu hồ sơ thủ tục hành chính (the citizen-facing lookup service)" \
    --include="$include" "$bin" | gzip -9n >target/package/tracuu.1.gz

# The binary is stripped into the package; debug symbols stay in target/.
cargo deb --no-build --profile "$profile" --locked --strip --no-dbgsym --fast
ls -1 target/debian/*.deb | tail -n 1
