# Shared by the deployment test scripts (sourced, not run): installing the Debian packages a
# script needs when they are missing, and one "ok"/"not ok" line per check with a "# pass N" /
# "# fail N" summary. Set check_prefix (e.g. "nginx: ") before the first check.

check_pass=0
check_fail=0
check_prefix=${check_prefix:-}

check() { # check NAME COMMAND...: one "ok"/"not ok" line per check
    local name=$1
    shift
    if "$@"; then
        check_pass=$((check_pass + 1))
        echo "ok - $check_prefix$name"
    else
        check_fail=$((check_fail + 1))
        echo "not ok - $check_prefix$name"
    fi
}

check_summary() { # prints the counts; fails when a check failed
    echo "# pass $check_pass"
    echo "# fail $check_fail"
    [ "$check_fail" = 0 ]
}

install_missing() { # install_missing SCRIPT [PACKAGE...]: apt-get installs the packages, if any
    local script=$1
    shift
    [ $# -gt 0 ] || return 0
    echo "$script: installing missing packages: $*"
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}
