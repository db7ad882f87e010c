#!/usr/bin/env python3
"""Summarises the records bench/run.sh writes (standard library only).

Record lines, space-separated:
  info KEY VALUE...                       free-form facts printed as they are
  rps cached|uncached PAIR tracuu|baseline REQ_PER_S ERRORS
  p99 fixed PAIR tracuu|baseline P99_SECONDS ERRORS ACHIEVED_REQ_PER_S
  mem KEY VALUE                           rss_empty_kb rss_warm_kb hwm_warm_kb entries view_bytes

Usage: summarise.py RECORDS [--partial]   (--partial: print what is there, no verdicts)
"""

import statistics
import sys
from collections import defaultdict

TARGET_CACHED = 0.85  # tracuu cached lookups/s >= 0.85 x baseline
TARGET_P99 = 1.2  # tracuu p99 <= 1.2 x baseline p99 at the same fixed rate
TARGET_UNCACHED = 0.3  # uncached lookups/s >= 0.3 x baseline
TARGET_MEM = 1.5  # RSS per cached dossier <= 1.5 x its serialized view bytes
TARGET_PEAK = 1.5  # peak RSS while loading <= 1.5 x steady state


def verdict(ok):
    return "meets target" if ok else "MISSES TARGET"


def load(path):
    info = []
    runs = defaultdict(lambda: defaultdict(dict))  # (kind, mode) -> pair -> who -> (value, errors, extra)
    mem = {}
    with open(path, encoding="utf-8") as records:
        for line in records:
            parts = line.split()
            if not parts:
                continue
            if parts[0] == "info":
                info.append((parts[1], " ".join(parts[2:])))
            elif parts[0] in ("rps", "p99"):
                kind, mode, pair, who, value, errors = parts[:6]
                extra = float(parts[6]) if len(parts) > 6 else None
                runs[(kind, mode)][int(pair)][who] = (float(value), int(errors), extra)
            elif parts[0] == "mem":
                mem[parts[1]] = float(parts[2])
    return info, runs, mem


def pairs_table(out, title, pairs, unit, scale, higher_is_better):
    """Prints each pair and returns (median tracuu, median baseline, median ratio, errors)."""
    out.append(title)
    ratios, tracuu, baseline, errors = [], [], [], 0
    for pair in sorted(pairs):
        row = pairs[pair]
        if "tracuu" not in row or "baseline" not in row:
            continue
        t, te, tx = row["tracuu"]
        b, be, bx = row["baseline"]
        errors += te + be
        ratio = t / b if b else float("nan")
        ratios.append(ratio)
        tracuu.append(t)
        baseline.append(b)
        achieved = ""
        if tx is not None and bx is not None:
            achieved = f"   (achieved {tx:,.0f} / {bx:,.0f} req/s)"
        flag = f"   errors/non-200: {te} / {be}" if te or be else ""
        out.append(
            f"  pair {pair}: tracuu {t * scale:>11,.{2 if scale > 1 else 0}f} {unit}"
            f"   baseline {b * scale:>11,.{2 if scale > 1 else 0}f} {unit}"
            f"   ratio {ratio:.3f}{achieved}{flag}"
        )
    if not ratios:
        out.append("  (no complete pair)")
        return None
    mt, mb, mr = statistics.median(tracuu), statistics.median(baseline), statistics.median(ratios)
    out.append(
        f"  median: tracuu {mt * scale:,.{2 if scale > 1 else 0}f} {unit}, baseline "
        f"{mb * scale:,.{2 if scale > 1 else 0}f} {unit}, ratio {mr:.3f} "
        f"(pair ratios {min(ratios):.3f}..{max(ratios):.3f})"
    )
    return mt, mb, mr, errors


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    partial = "--partial" in sys.argv[2:]
    info, runs, mem = load(sys.argv[1])
    out = ["tracuu benchmark summary", "========================"]
    for key, value in info:
        out.append(f"{key}: {value}")
    out.append("")
    verdicts = []

    cached = runs.get(("rps", "cached"))
    if cached:
        result = pairs_table(out, "Cached lookups (closed loop, wrk):", cached, "req/s", 1, True)
        if result:
            _, _, ratio, errors = result
            ok = ratio >= TARGET_CACHED and errors == 0
            verdicts.append(
                f"cached lookups/s = {ratio:.3f} x baseline (target >= {TARGET_CACHED}): {verdict(ok)}"
                + ("" if errors == 0 else f" [{errors} errors]")
            )
        out.append("")

    fixed = runs.get(("p99", "fixed"))
    if fixed:
        result = pairs_table(out, "p99 latency at a fixed rate (oha, latency-corrected):", fixed, "ms", 1000, False)
        if result:
            _, _, ratio, errors = result
            ok = ratio <= TARGET_P99 and errors == 0
            verdicts.append(
                f"p99 at fixed rate = {ratio:.3f} x baseline (target <= {TARGET_P99}): {verdict(ok)}"
                + ("" if errors == 0 else f" [{errors} errors]")
            )
        out.append("")

    uncached = runs.get(("rps", "uncached"))
    if uncached:
        result = pairs_table(
            out, "Uncached lookups (cache off, PostgreSQL per request, wrk):", uncached, "req/s", 1, True
        )
        if result:
            _, _, ratio, errors = result
            ok = ratio >= TARGET_UNCACHED and errors == 0
            verdicts.append(
                f"uncached lookups/s = {ratio:.3f} x baseline (target >= {TARGET_UNCACHED}): {verdict(ok)}"
                + ("" if errors == 0 else f" [{errors} errors]")
            )
        out.append("")

    needed = ("rss_empty_kb", "rss_warm_kb", "hwm_warm_kb", "entries", "view_bytes")
    if all(k in mem for k in needed) and mem["entries"] > 0 and mem["view_bytes"] > 0:
        entries = mem["entries"]
        grown = (mem["rss_warm_kb"] - mem["rss_empty_kb"]) * 1024
        per_dossier = grown / entries
        view_per_dossier = mem["view_bytes"] / entries
        mem_ratio = grown / mem["view_bytes"]
        peak_ratio = mem["hwm_warm_kb"] / mem["rss_warm_kb"]
        out.append("Memory (tracuu, cache warmed):")
        out.append(
            f"  VmRSS empty {mem['rss_empty_kb'] / 1024:,.1f} MiB, warmed {mem['rss_warm_kb'] / 1024:,.1f} MiB, "
            f"VmHWM {mem['hwm_warm_kb'] / 1024:,.1f} MiB; {entries:,.0f} dossiers cached, "
            f"{mem['view_bytes'] / 1048576:,.1f} MiB of serialized views"
        )
        out.append(
            f"  per dossier: {per_dossier:,.0f} B resident vs {view_per_dossier:,.0f} B of views "
            f"-> ratio {mem_ratio:.3f}; peak/steady {peak_ratio:.3f}"
        )
        out.append("")
        verdicts.append(
            f"resident bytes per cached dossier = {mem_ratio:.3f} x its view bytes "
            f"(target <= {TARGET_MEM}): {verdict(mem_ratio <= TARGET_MEM)}"
        )
        verdicts.append(
            f"peak memory while loading = {peak_ratio:.3f} x steady state "
            f"(target <= {TARGET_PEAK}): {verdict(peak_ratio <= TARGET_PEAK)}"
        )

    if verdicts and not partial:
        out.append("Targets:")
        out.extend(f"  {v}" for v in verdicts)
    print("\n".join(out))


if __name__ == "__main__":
    main()
