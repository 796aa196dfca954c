#!/usr/bin/env python3
"""Latency chart (SVG) from a Tools/bench/run.py report: one panel per workload, one bar per system,
log-scale milliseconds, with the date and machine of the run.

  python3 Tools/bench/plot.py out/bench/all.json docs/figures/bench-latency.svg"""
import json, math, sys
from xml.sax.saxutils import escape

COLORS = {"joule": "#1f77b4", "snn": "#d62728", "peer": "#7f7f7f"}


def color(row):
    if row["id"].startswith("joule"):
        return COLORS["joule"] if row["id"] == "joule-qnn" else COLORS["snn"]
    return COLORS["peer"]


def main(src, dst):
    report = json.load(open(src))
    workloads = report["workloads"]
    rows_per = max(len(w["rows"]) for w in workloads)
    bar, gap, left, width = 16, 4, 300, 440
    panel = 40 + rows_per * (bar + gap)
    height = 70 + panel * len(workloads) + 30
    lo = min(r["latency_ms"] for w in workloads for r in w["rows"])
    hi = max(r["latency_ms"] for w in workloads for r in w["rows"])
    l0, l1 = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    x = lambda ms: left + width * (math.log10(ms) - l0) / (l1 - l0)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif">' % (left + width + 90, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="22" font-size="15" text-anchor="middle">Latency, one thread, batch 1 (log scale; shorter is faster)</text>' % ((left + width) // 2 + 40)]
    mc = report["machine"]
    out.append('<text x="%d" y="40" font-size="11" text-anchor="middle" fill="#555">%s · %s, %d logical CPUs (%s) · joule %s</text>'
               % ((left + width) // 2 + 40, escape(report["date"]), escape(mc["cpu"]), mc["logical_cpus"], ", ".join(mc["simd"]),
                  escape(str(report["versions"].get("joule")))))
    y = 60
    for w in workloads:
        out.append('<text x="10" y="%d" font-size="13" font-weight="bold">%s</text>' % (y + 14, escape(w["workload"])))
        y += 24
        for e in range(l0, l1 + 1):
            out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>' % (x(10 ** e), y, x(10 ** e), y + len(w["rows"]) * (bar + gap)))
        for r in w["rows"]:
            out.append('<text x="%d" y="%d" font-size="11" text-anchor="end">%s</text>' % (left - 6, y + bar - 4, escape(r["system"])))
            out.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>' % (left, y, max(1, x(r["latency_ms"]) - left), bar, color(r)))
            out.append('<text x="%.1f" y="%d" font-size="11">%s ms</text>' % (x(r["latency_ms"]) + 4, y + bar - 4,
                                                                            ("%.3g" % r["latency_ms"])))
            y += bar + gap
        y += panel - 24 - len(w["rows"]) * (bar + gap)
    for e in range(l0, l1 + 1):
        out.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle" fill="#555">%g ms</text>' % (x(10 ** e), y, 10 ** e))
    out.append("</svg>")
    open(dst, "w").write("\n".join(out) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
