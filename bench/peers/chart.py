#!/usr/bin/env python3
"""Draws the peer benchmark chart from the driver's JSON report.

    python3 bench/peers/chart.py [results/latest.json] [docs/benchmarks-peers.png]

Four panels, one bar per engine (the median over rounds, with a min-max whisker): W1 rows/s
(1 and N writers), new series/s (W2, W3), peak RSS (W1, W2, W3) and warm query latency q1-q4
(flushed and merged; log scale).
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ENGINES = ["vmengine", "prometheus", "vm173", "vmcurrent"]
NAMES = {"vmengine": "vmengine", "prometheus": "Prometheus TSDB", "vm173": "VM 1.73", "vmcurrent": "VM current"}
COLORS = {"vmengine": "#1f77b4", "prometheus": "#e6550d", "vm173": "#31a354", "vmcurrent": "#9e9ac8"}


def bars(ax, figures, groups, engines, scale=1.0, log=False, versions=None):
    """groups: [(label, figure key)]. Draws a bar per engine and group."""
    n = len(engines)
    width = 0.8 / max(n, 1)
    for i, e in enumerate(engines):
        xs, ys, lo, hi = [], [], [], []
        for g, (_, key) in enumerate(groups):
            st = figures.get(key, {}).get("engines", {}).get(e)
            if not st or not st.get("n"):
                continue
            x = g - 0.4 + width * (i + 0.5)
            med = st["median"] * scale
            xs.append(x)
            ys.append(med)
            lo.append(med - st["min"] * scale)
            hi.append(st["max"] * scale - med)
        if xs:
            ax.bar(xs, ys, width, yerr=[lo, hi], capsize=2, color=COLORS.get(e), label=legend(e, versions),
                   error_kw={"elinewidth": 0.8})
            for x, y in zip(xs, ys):
                txt = f"{y:.3g}" if y < 1000 else f"{y:.0f}"
                ax.annotate(txt, (x, y), ha="center", va="bottom", fontsize=6, rotation=90 if n > 2 else 0,
                            xytext=(0, 2), textcoords="offset points")
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels([g for g, _ in groups], fontsize=8)
    if log:
        ax.set_yscale("log")
    ax.grid(axis="y", alpha=0.3, which="both" if log else "major")
    ax.margins(y=0.15)


def legend(e, versions):
    v = (versions or {}).get(e)
    return f"{NAMES.get(e, e)} {v}" if v else NAMES.get(e, e)


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "results", "latest.json")
    dst = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "..", "docs", "benchmarks-peers.png")
    with open(src) as f:
        rep = json.load(f)
    figures = {fig["key"]: fig for fig in rep.get("figures") or []}
    engines = [e for e in ENGINES if e in (rep.get("engines") or [])]
    nw = rep.get("w1_writers", 4)

    fig, axes = plt.subplots(2, 2, figsize=(13, 8.5))
    ax = axes[0][0]
    bars(ax, figures, [("W1, 1 writer", "w1_rows_per_sec"), (f"W1, {nw} writers", "w1w4_rows_per_sec"),
                       ("W3", "w3_rows_per_sec")], engines, scale=1e-6, versions=rep.get("versions"))
    ax.set_title("Ingest until durable: million rows/s (higher is better)", fontsize=10)
    ax.legend(fontsize=8, loc="upper right")

    ax = axes[0][1]
    bars(ax, figures, [("W2 (200 k new series)", "w2_new_series_per_sec"),
                       (f"W3 ({rep.get('w3_scrapes', '?')} scrapes, churn)", "w3_new_series_per_sec")],
         engines, scale=1e-3)
    ax.set_title("Series creation: thousand new series/s (higher is better)", fontsize=10)

    ax = axes[1][0]
    bars(ax, figures, [("W1", "w1_rss_mib"), (f"W1, {nw} writers", "w1w4_rss_mib"), ("W2", "w2_rss_mib"),
                       ("W3", "w3_rss_mib"), ("query, merged", "query_rss_mib_merged")], engines)
    ax.set_title("Peak RSS of the process, MiB (lower is better)", fontsize=10)

    ax = axes[1][1]
    groups = []
    for state in ("flushed", "merged"):
        for q in ("q1", "q2", "q3", "q4"):
            groups.append((f"{q}\n{state}", f"{q}_warm_{state}"))
    bars(ax, figures, groups, engines, log=True)
    ax.set_title("Warm query latency, ms, log scale (lower is better)", fontsize=10)

    m = rep.get("machine", {})
    when = (rep.get("started") or "")[:16].replace("T", " ")
    title = (f"bench/peers, {when} UTC: {rep.get('rounds')} interleaved round(s), median and min-max; "
             f"{m.get('cpu', '?')}, {m.get('cores', '?')} cores, {m.get('go_version', '')}")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    os.makedirs(os.path.dirname(os.path.abspath(dst)), exist_ok=True)
    fig.savefig(dst, dpi=100)
    print(f"chart.py: wrote {dst}")


if __name__ == "__main__":
    main()
