#!/usr/bin/env bash
# Tests deploy/prometheus/alerts.yml and deploy/grafana/tracuu.json: `promtool check rules`,
# `promtool test rules` (deploy/prometheus/alerts.test.yml: every alert fired by series that should
# fire it, and silent on others), every query of the dashboard parsed by promtool, and every
# tracuu_* metric either names one that src/telemetry.rs registers. Installs prometheus (promtool)
# and python3 when missing. Prints "# pass N" and "# fail N".
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/checks.sh
. scripts/checks.sh

packages=()
command -v promtool >/dev/null 2>&1 || packages+=(prometheus)
[ -x /usr/bin/python3 ] || packages+=(python3)
install_missing test-monitoring.sh ${packages[@]+"${packages[@]}"}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check_prefix="monitoring: "

check "promtool check rules deploy/prometheus/alerts.yml" promtool check rules deploy/prometheus/alerts.yml
check "promtool test rules deploy/prometheus/alerts.test.yml" \
    bash -c "cd deploy/prometheus && promtool test rules alerts.test.yml"

# Every alert of alerts.yml has a test that expects it to fire.
alerts_without_test() {
    local missing=0
    for alert in $(sed -n 's/^ *- alert: *//p' deploy/prometheus/alerts.yml); do
        if ! grep -A3 "alertname: $alert\$" deploy/prometheus/alerts.test.yml | grep -q "exp_labels"; then
            echo "  $alert has no test where it fires"
            missing=1
        fi
    done
    return "$missing"
}
check "every alert is shown firing in a test" alerts_without_test

# The dashboard's queries, as recording rules, so that promtool parses each one.
cat >"$tmp/dashboard.py" <<'PY'
import json, sys
dashboard = json.load(open("deploy/grafana/tracuu.json"))
exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
with open(sys.argv[1], "w") as out:
    out.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, e in enumerate(exprs):
        e = e.replace("$__rate_interval", "5m").replace("$instance", ".*")
        out.write(f"      - record: dashboard_query_{i}\n        expr: {json.dumps(e)}\n")
titles = {p["title"] for p in dashboard["panels"] if p["type"] == "row"}
need = {"Lookups", "Cache", "Sync from the main store", "SMS", "Questions, feedback and their deadlines", "Hotline 1022 (IVR)"}
missing = need - titles
if missing:
    sys.exit(f"dashboard rows missing: {sorted(missing)}")
PY
check "the dashboard is JSON with a row for lookups, cache, sync, SMS, intake, IVR" \
    /usr/bin/python3 "$tmp/dashboard.py" "$tmp/dashboard-rules.yml"
check "promtool parses every query of the dashboard" promtool check rules "$tmp/dashboard-rules.yml"

# Metric names: those src/telemetry.rs registers (histograms with their series), and the
# freshness metrics of issue 25 until they are registered there too.
grep -o '"[a-z]\+\(_[a-z]\+\)\+"' src/telemetry.rs | tr -d '"' | sort -u | sed 's/^/tracuu_/' >"$tmp/registered"
grep -q '^tracuu_http_requests_total$' "$tmp/registered" || echo "  (src/telemetry.rs no longer read as expected)"
pending="tracuu_sync_last_change_timestamp_seconds tracuu_sync_sequence_lag tracuu_sync_listener_up"
unknown_metrics() {
    local bad=0 name base
    for name in $(grep -oh 'tracuu_[a-z_]*' deploy/prometheus/alerts.yml deploy/grafana/tracuu.json | sort -u); do
        base=${name%_bucket}
        base=${base%_sum}
        base=${base%_count}
        if grep -qx "$base" "$tmp/registered" || grep -qx "$name" "$tmp/registered"; then
            continue
        elif [[ " $pending " == *" $name "* ]]; then
            echo "  note: $name is not registered in src/telemetry.rs yet (issue 25 adds it)"
        else
            echo "  $name is no metric of tracuu"
            bad=1
        fi
    done
    return "$bad"
}
check "every tracuu_* metric named is one tracuu exports" unknown_metrics

check_summary
