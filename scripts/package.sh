#!/usr/bin/env bash
# Builds tracuu's Debian package with cargo-deb: target/debian/tracuu_<version>-1_<arch>.deb.
#
#   scripts/package.sh                 the release build (what an installation gets)
#   scripts/package.sh --profile dev   the debug build CI already has (tests only: large, slow)
#
# Installs cargo-deb (from crates.io, the version below) when it is missing. The man page is
# written from `tracuu --help` and every command's help.
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

if [ "$(cargo deb --version 2>/dev/null)" != "cargo-deb $CARGO_DEB_VERSION" ]; then
    echo "package.sh: installing cargo-deb $CARGO_DEB_VERSION"
    cargo install --locked --quiet cargo-deb --version "$CARGO_DEB_VERSION"
fi

cargo build --locked --profile "$profile" --bin tracuu

# The man page, written from the binary's own help: the top-level help, then each command's.
# (UTF-8, which man-db reads as it is; help2man would mangle the Vietnamese.)
mkdir -p target/package
roff() { sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"; }
version=$("$bin" --version | awk '{ print $2 }')
{
    echo ".TH TRACUU 1 \"$(date -u -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}" +%Y-%m-%d)\" \"tracuu $version\" \"User Commands\""
    echo ".SH NAME"
    echo "tracuu \\- tra cứu hồ sơ thủ tục hành chính, the citizen-facing lookup service"
    echo ".SH SYNOPSIS"
    echo ".B tracuu"
    echo "[\\fB\\-\\-config\\fR \\fIFILE\\fR] [\\fICOMMAND\\fR] [\\fIOPTIONS\\fR]"
    echo ".SH DESCRIPTION"
    echo ".nf"
    "$bin" --help | roff
    echo ".fi"
    echo ".SH COMMANDS"
    for command in serve migrate "sync pull" "sync verify" "staff add" "qr link" demo-data \
        "import" "calendar import" retention; do
        echo ".SS \"tracuu $command\""
        echo ".nf"
        # shellcheck disable=SC2086 # the command's words are separate arguments
        "$bin" $command --help | roff
        echo ".fi"
    done
    cat <<'ROFF'
.SH FILES
.TP
.I /etc/tracuu/tracuu.toml
the settings (production mode); every key with its default:
/usr/share/doc/tracuu/examples/tracuu.example.toml
.TP
.I /etc/tracuu/credentials/
the secrets, one a file, read by systemd as the services' credentials (root only)
.TP
.I /usr/share/tracuu/
the nginx site, the Kannel configuration, Prometheus alert rules, the Grafana dashboard, systemd
drop-ins for the optional secrets, the pull query
.SH SEE ALSO
.BR systemctl (1),
.BR journalctl (1),
/usr/share/doc/tracuu/README.Debian
ROFF
} | gzip -9n >target/package/tracuu.1.gz

# The binary is stripped into the package; debug symbols stay in target/.
cargo deb --no-build --profile "$profile" --locked --strip --no-dbgsym --fast
ls -1 target/debian/*.deb | tail -n 1
