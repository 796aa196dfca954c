#!/usr/bin/env python3
"""One self-contained HTML report of the main job, built from `joule compare --json`.

Usage: report.py COMPARE.json [--sweep SWEEP.json] [-o REPORT.html]

Input: the `joule-compare` document (and optionally a `joule-sweep-t` document) whose schema is
docs/json-output.md. Output: one HTML file with the verdict, accuracy and spike rate per layer,
energy per board and per layer, break-even curves with the measured point, battery curves and the
T sweep when given. Charts are matplotlib SVG inlined in the page: nothing is fetched over the
network. Each chart is a <figure class="chart" data-chart="NAME">; <body data-charts="N"> says how
many there are (Tools/report/check_report.py checks them in a browser). The file is written
atomically (temporary file + rename).
"""
import argparse
import html
import io
import json
import os
import re
import sys
import tempfile

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

plt.rcParams.update({
    "svg.fonttype": "none",          # text stays text: searchable, small
    "font.family": "sans-serif",
    "font.size": 10,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "axes.spines.top": False,
    "axes.spines.right": False,
})

QNN_COLOR, SNN_COLOR = "#1f5fa8", "#c0392b"
PART_COLORS = {"computePJ": "#4c72b0", "onChipMemoryPJ": "#55a868", "offChipMemoryPJ": "#c44e52", "networkPJ": "#8172b2"}
PART_LABELS = {"computePJ": "compute", "onChipMemoryPJ": "on-chip memory", "offChipMemoryPJ": "off-chip memory",
               "networkPJ": "network on chip"}
# Per board: colour, marker and line style, so that curves that coincide stay distinguishable.
SERIES_STYLES = [("#1f3b8c", "o", "-"), ("#a3201f", "s", "--"), ("#2c7a2c", "^", "-."), ("#8a5a00", "D", ":"),
                 ("#6a2c8a", "v", (0, (5, 1, 1, 1))), ("#00707a", "P", (0, (3, 2)))]
PERCENT = FuncFormatter(lambda v, _: f"{v:g} %")


class ReportError(Exception):
    pass


NON_FINITE = {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf")}


def finite_strings_to_floats(value):
    """The documents write non-finite numbers as the strings "nan", "inf", "-inf" (docs/json-output.md)."""
    if isinstance(value, dict):
        return {k: finite_strings_to_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite_strings_to_floats(v) for v in value]
    return NON_FINITE.get(value, value) if isinstance(value, str) else value


def load(path, fmt):
    try:
        with open(path, encoding="utf-8") as f:
            doc = finite_strings_to_floats(json.load(f))
    except OSError as e:
        raise ReportError(f"{path}: cannot read: {e.strerror}")
    except json.JSONDecodeError as e:
        raise ReportError(f"{path}: not valid JSON: line {e.lineno}, column {e.colno}: {e.msg}")
    if not isinstance(doc, dict) or doc.get("format") != fmt:
        raise ReportError(f"{path}: field 'format' is {doc.get('format') if isinstance(doc, dict) else None!r}, expected {fmt!r}")
    if doc.get("formatVersion") != 1:
        raise ReportError(f"{path}: field 'formatVersion' is {doc.get('formatVersion')!r}; this report reads version 1")
    return doc


def svg_of(fig):
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    # The RDF metadata block (creator, date) only names namespaces; dropping it keeps the page
    # free of URLs and the output reproducible.
    return re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)


def pct(x, digits=2):
    return f"{x * 100:.{digits}f} %"


def energy_cell(uj):
    return f"{uj:.0f}" if uj >= 1000 else f"{uj:.1f}" if uj >= 100 else f"{uj:.2f}" if uj >= 10 else f"{uj:.3f}"


def break_even_cell(m):
    kind = m["breakEvenKind"]
    if kind == "snnNeverCheaper":
        return "never"
    if kind == "snnAlwaysCheaper":
        return "always"
    return pct(m["breakEvenSpikeRate"])


# --- charts -----------------------------------------------------------------------------------

def chart_energy_per_board(doc):
    boards = doc["boards"]
    names = [b["board"] for b in boards]
    fig, ax = plt.subplots(figsize=(8.5, 0.7 * len(boards) + 1.4))
    ys = range(len(boards))
    h = 0.38
    ax.barh([y - h / 2 for y in ys], [b["qnnMicrojoules"] for b in boards], h, color=QNN_COLOR, label="QNN twin")
    ax.barh([y + h / 2 for y in ys], [b["snnMicrojoules"] for b in boards], h, color=SNN_COLOR, label="SNN twin")
    for y, b in zip(ys, boards):
        top = max(b["qnnMicrojoules"], b["snnMicrojoules"])
        ax.text(top * 1.15, y, f"SNN/QNN {b['snnOverQnn']:.2f}", va="center", fontsize=9)
    ax.set_yticks(list(ys), names)
    ax.invert_yaxis()
    ax.set_xscale("log")
    lo = min(min(b["qnnMicrojoules"], b["snnMicrojoules"]) for b in boards)
    hi = max(max(b["qnnMicrojoules"], b["snnMicrojoules"]) for b in boards)
    ax.set_xlim(lo / 3, hi * 12)
    ax.set_xlabel("energy per inference (µJ, log scale)")
    ax.set_title("Energy per inference on each board")
    ax.legend(loc="lower right")
    ax.grid(axis="y", visible=False)
    return svg_of(fig)


def chart_layer_activity(doc):
    q = doc["evaluations"]["qnn"]
    s = doc["evaluations"]["snnLayerwise"]
    layers = [(lq, ls) for lq, ls in zip(q["layers"], s["layers"]) if lq["hidden"]]
    names = [lq["name"] for lq, _ in layers]
    fig, ax = plt.subplots(figsize=(8.5, 3.6))
    xs = range(len(layers))
    w = 0.38
    ax.bar([x - w / 2 for x in xs], [(1 - lq["sparsity"]) * 100 for lq, _ in layers], w, color=QNN_COLOR,
           label="QNN: non-zero activations")
    ax.bar([x + w / 2 for x in xs], [ls["spikeRate"] * 100 for _, ls in layers], w, color=SNN_COLOR,
           label="SNN: spike rate")
    ax.set_xticks(list(xs), names)
    ax.yaxis.set_major_formatter(PERCENT)
    ax.set_ylabel("activity (share of neurons or of neuron-steps)")
    ax.set_xlabel("hidden layer")
    ax.set_title(f"Activity per layer ({q['images']} test images, T = {doc['timesteps']})")
    ax.legend()
    ax.grid(axis="x", visible=False)
    return svg_of(fig)


def chart_energy_breakdown(doc):
    boards = doc["boards"]
    fig, axes = plt.subplots(len(boards), 1, figsize=(8.5, 2.5 * len(boards) + 0.6), squeeze=False)
    for ax, b in zip(axes[:, 0], boards):
        layers = b["energy"]["layers"]
        names = [l["name"] for l in layers]
        xs = range(len(layers))
        w = 0.38
        tallest = max(max(l["qnn"]["totalPJ"], l["snn"]["totalPJ"]) for l in layers) / 1e6
        for offset, twin, hatch in ((-w / 2, "qnn", None), (w / 2, "snn", "//")):
            bottom = [0.0] * len(layers)
            for part, color in PART_COLORS.items():
                vals = [l[twin][part] / 1e6 for l in layers]  # pJ -> µJ
                ax.bar([x + offset for x in xs], vals, w, bottom=bottom, color=color, hatch=hatch,
                       edgecolor="white", linewidth=0.3,
                       label=PART_LABELS[part] if twin == "qnn" else None)
                bottom = [a + v for a, v in zip(bottom, vals)]
        ax.set_xticks(list(xs), names, fontsize=8)
        ax.set_ylim(0, tallest * 1.12 if tallest > 0 else 1)
        ax.set_ylabel("µJ per inference")
        ax.set_title(f"{b['board']}: left bar QNN, right bar (hatched) SNN — SNN/QNN {b['snnOverQnn']:.2f}", fontsize=10)
        ax.grid(axis="x", visible=False)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, ncol=4, fontsize=9, loc="upper center", bbox_to_anchor=(0.5, 1.0))
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / (2.5 * len(boards) + 0.6)))
    return svg_of(fig)


def chart_breakeven(doc):
    boards = doc["boards"]
    t_meas, rate = doc["timesteps"], doc["spikeRate"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.4), sharey=True)
    for ax, key, title in ((axes[0], "breakEvenCurvePaperQnn", "against the paper's QNN"),
                           (axes[1], "breakEvenCurveOwnQnn", "against this model's own QNN twin")):
        density = None
        for i, b in enumerate(boards):
            color, marker, style = SERIES_STYLES[i % len(SERIES_STYLES)]
            curve = b[key]
            density = curve["qnnDensity"]
            rows = [r for r in curve["rows"] if r["kind"] != "snnNeverCheaper"]
            if not rows:
                ax.plot([], [], color=color, linestyle=style, marker=marker, label=f"{b['board']} (never)")
                continue
            # Markers of neighbouring series fall on different T, so curves that coincide stay visible.
            ax.plot([r["timesteps"] for r in rows], [r["spikeRate"] * 100 for r in rows], color=color,
                    linestyle=style, marker=marker, markersize=5, linewidth=1.4, label=b["board"],
                    markevery=(i % 3, 3) if len(rows) > 6 else None)
        ax.plot([t_meas], [rate * 100], marker="X", color="black", markersize=11, linestyle="none",
                label=f"measured: T = {t_meas}, s_r = {rate * 100:.2f} %")
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(PERCENT)
        ax.set_xlabel("timesteps T")
        ax.set_title(f"{title} ({density * 100:.1f} % non-zero)", fontsize=10)
        ax.set_xticks(range(1, max(r["timesteps"] for r in boards[0][key]["rows"]) + 1, 1 if t_meas <= 16 else 2))
    axes[0].set_ylabel("break-even spike rate s_r (log scale)")
    axes[1].legend(fontsize=8, loc="upper right")
    fig.suptitle("Break-even spike rate against T (the paper's Figure 9): the SNN saves energy below a curve")
    fig.tight_layout()
    return svg_of(fig)


def chart_battery(doc):
    boards = doc["boards"]
    home = next((b for b in boards if b["board"] == doc["workloadBoard"]), boards[0])
    rate = doc["inferencesPerHour"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    ax = axes[0]
    sweep = home["battery"]["rateSweep"]
    xs = [p["inferencesPerHour"] for p in sweep]
    ax.plot(xs, [p["qnnDays"] for p in sweep], color=QNN_COLOR, marker="o", markersize=3, label="QNN twin")
    ax.plot(xs, [p["snnDays"] for p in sweep], color=SNN_COLOR, marker="s", markersize=3, linestyle="--", label="SNN twin")
    ax.axvline(rate, color="#555555", linestyle=":", linewidth=1)
    ax.text(rate, ax.get_ylim()[1], f" {doc['workload']}\n {rate:g}/h", fontsize=8, va="top")
    ax.set_xscale("log")
    ax.set_xlabel("inferences per hour (log scale)")
    ax.set_ylabel("battery lifetime (days)")
    ax.set_title(f"Lifetime on {home['board']}", fontsize=10)
    ax.legend(loc="lower left")
    ax = axes[1]
    for i, b in enumerate(boards):
        color, marker, style = SERIES_STYLES[i % len(SERIES_STYLES)]
        sw = b["battery"]["rateSweep"]
        ax.plot([p["inferencesPerHour"] for p in sw], [p["snnOverQnn"] for p in sw], color=color, marker=marker,
                markersize=3, linestyle=style, label=b["board"])
    ax.axhline(1, color="black", linewidth=0.8)
    ax.axvline(rate, color="#555555", linestyle=":", linewidth=1)
    ax.set_xscale("log")
    ax.set_xlabel("inferences per hour (log scale)")
    ax.set_ylabel("SNN lifetime / QNN lifetime (×)")
    ax.set_title("Each board pricing the inference", fontsize=10)
    ax.legend(fontsize=8, loc="lower left")
    fig.suptitle(f"Smartwatch battery: workload {doc['workload']} (other loads unchanged)")
    fig.tight_layout()
    return svg_of(fig)


def chart_sweep(sweep):
    pts = sweep["points"]
    ts = [p["timesteps"] for p in pts]
    fig, ax = plt.subplots(figsize=(8.5, 3.8))
    ax.plot(ts, [p["accuracy"] * 100 for p in pts], color=QNN_COLOR, marker="o", label="QNN = SNN layer-wise accuracy")
    if any(p.get("streamingAccuracy") is not None for p in pts):
        ax.plot(ts, [(p.get("streamingAccuracy") or float("nan")) * 100 for p in pts], color="#2c7a2c", marker="^",
                linestyle="--", label="SNN streaming accuracy")
    ax.yaxis.set_major_formatter(PERCENT)
    ax.set_ylabel("test accuracy")
    ax.set_xlabel("T (QNN levels − 1 / SNN timesteps)")
    ax.set_xticks(ts if len(ts) <= 20 else ts[::2])
    right = ax.twinx()
    right.plot(ts, [p["spikeRate"] * 100 for p in pts], color=SNN_COLOR, marker="s", linestyle=":", label="spike rate")
    right.yaxis.set_major_formatter(PERCENT)
    right.set_ylabel("spike rate s_r")
    right.grid(False)
    right.spines["right"].set_visible(True)
    lines = ax.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], loc="center right", fontsize=8)
    ax.set_title(f"Accuracy and spike rate against T ({sweep['images']} test images)")
    return svg_of(fig)


# --- page -------------------------------------------------------------------------------------

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ccc; }
.verdict { background: #f4f6fa; border-left: 5px solid #1f5fa8; padding: 0.8em 1em; font-size: 1.05em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #eef1f5; }
td.snn { color: #c0392b; font-weight: 600; } td.qnn { color: #1f5fa8; font-weight: 600; }
figure.chart { margin: 1.2em 0; } figure.chart svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.9em; color: #555; }
.meta { color: #555; font-size: 0.9em; }
"""


def table(headers, rows, classes=None):
    out = ["<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in headers) + "</tr>"]
    for k, row in enumerate(rows):
        cls = classes[k] if classes else [""] * len(row)
        out.append("<tr>" + "".join(f'<td class="{c}">{html.escape(str(v))}</td>' if c else f"<td>{html.escape(str(v))}</td>"
                                    for v, c in zip(row, cls)) + "</tr>")
    return "\n".join(out) + "</table>"


def figure(name, svg, caption):
    return f'<figure class="chart" data-chart="{name}">{svg}<figcaption>{html.escape(caption)}</figcaption></figure>'


def build(doc, sweep=None):
    ev = doc["evaluations"]
    boards = doc["boards"]
    name = os.path.basename(doc["model"])
    charts = []
    verdict_rows, verdict_classes = [], []
    for b in boards:
        verdict_rows.append([b["board"], energy_cell(b["qnnMicrojoules"]), energy_cell(b["snnMicrojoules"]),
                             f"{b['snnOverQnn']:.2f}", b["winner"].upper(), break_even_cell(b["breakEvenPaperQnn"]),
                             break_even_cell(b["breakEvenOwnQnn"]), f"{b['battery']['qnnDays']:.2f}",
                             f"{b['battery']['snnDays']:.2f}"])
        verdict_classes.append(["", "", "", "", b["winner"], "", "", "", ""])
    acc = [["QNN", pct(ev["qnn"]["accuracy"]), pct(1 - ev["qnn"]["sparsity"]), f"{ev['qnn']['spikeRate']:.4f}"],
           ["SNN layer-wise", pct(ev["snnLayerwise"]["accuracy"]), "—", f"{ev['snnLayerwise']['spikeRate']:.4f}"]]
    if ev.get("snnStreaming"):
        acc.append(["SNN streaming", pct(ev["snnStreaming"]["accuracy"]), "—", f"{ev['snnStreaming']['spikeRate']:.4f}"])
    charts.append(figure("energy-per-board", chart_energy_per_board(doc),
                         "QNN and SNN energy per inference on each board, from the counters of the evaluated test images."))
    charts.append(figure("layer-activity", chart_layer_activity(doc),
                         "QNN non-zero activations and SNN spike rate per hidden layer: what each twin's event-driven work scales with."))
    charts.append(figure("energy-breakdown", chart_energy_breakdown(doc),
                         "Energy per layer split into compute, on-chip and off-chip memory and network on chip, per board."))
    charts.append(figure("breakeven", chart_breakeven(doc),
                         "Break-even spike rate per T: below a board's curve the SNN saves energy. Left: the paper's QNN "
                         "(its reference density); right: this model's own QNN twin (measured density)."))
    charts.append(figure("battery", chart_battery(doc),
                         "Battery lifetime of each twin against the inference rate (closed form), the workload's rate dotted."))
    if sweep is not None:
        charts.append(figure("sweep-t", chart_sweep(sweep),
                             "The same weights run at every T: accuracy and spike rate (the paper's Figure 7)."))
    layer_rows = []
    for lq, ls in zip(ev["qnn"]["layers"], ev["snnLayerwise"]["layers"]):
        if lq["hidden"]:
            layer_rows.append([lq["name"], pct(lq["sparsity"]), pct(1 - lq["sparsity"]), pct(ls["spikeRate"])])
    energy_tables = []
    for b in boards:
        rows = [[l["name"], f"{l['qnn']['totalPJ'] / 1e3:.3f}", f"{l['snn']['totalPJ'] / 1e3:.3f}",
                 f"{l['snn']['totalPJ'] / l['qnn']['totalPJ']:.2f}" if l["qnn"]["totalPJ"] else "—"]
                for l in b["energy"]["layers"]]
        rows.append(["total", f"{b['energy']['qnn']['totalPJ'] / 1e3:.3f}", f"{b['energy']['snn']['totalPJ'] / 1e3:.3f}",
                     f"{b['snnOverQnn']:.2f}"])
        energy_tables.append(f"<h3>{html.escape(b['board'])}</h3>" + table(["layer", "QNN nJ", "SNN nJ", "SNN/QNN"], rows))
    body = f"""
<h1>Joule: does the SNN save energy? — {html.escape(name)}</h1>
<p class="meta">{html.escape(doc['dataset'])} test set, {doc['images']} images, T = {doc['timesteps']}, int{doc['weightBits']} weights;
battery workload {html.escape(doc['workload'])} ({doc['inferencesPerHour']:g} inferences/h). Generated from
<code>joule compare --json</code> (format {html.escape(doc['format'])} v{doc['formatVersion']}).</p>
<h2>Verdict</h2>
<p class="verdict">{html.escape(doc['verdict'])}</p>
{table(["board", "QNN µJ", "SNN µJ", "SNN/QNN", "wins", "break-even s_r vs paper QNN", "vs own QNN", "QNN days", "SNN days"],
       verdict_rows, verdict_classes)}
<p class="meta">Measured: SNN spike rate {pct(doc['spikeRate'])}; the QNN twin has {pct(doc['qnnDensity'])} non-zero activations.
Battery days: the workload's watch with each board pricing the inference.</p>
{charts[0]}
<h2>Accuracy and activity</h2>
{table(["twin", "accuracy", "non-zero activations", "spike rate s_r"], acc)}
{table(["layer", "QNN sparsity", "QNN non-zero", "SNN spike rate"], layer_rows)}
{charts[1]}
<h2>Energy per layer</h2>
{charts[2]}
<details><summary>Energy per layer (tables)</summary>{''.join(energy_tables)}</details>
<h2>Break-even</h2>
{charts[3]}
<h2>Battery</h2>
{charts[4]}
{('<h2>Timesteps</h2>' + charts[5]) if sweep is not None else ''}
"""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Joule report: {html.escape(name)}</title>'
            f'<style>{STYLE}</style></head>\n<body data-charts="{len(charts)}">{body}</body></html>\n')


def write_atomically(path, text):
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".report-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("compare", help="joule compare --json output")
    ap.add_argument("--sweep", help="joule sweep-t --json output (adds the T sweep chart)")
    ap.add_argument("-o", "--output", help="HTML path (default: report.html beside COMPARE)")
    args = ap.parse_args(argv)
    out = args.output or os.path.join(os.path.dirname(os.path.abspath(args.compare)), "report.html")
    try:
        inputs = {os.path.realpath(p) for p in [args.compare, args.sweep] if p}
        if os.path.realpath(out) in inputs:
            raise ReportError(f"{out}: is one of the inputs; refusing to overwrite it")
        doc = load(args.compare, "joule-compare")
        sweep = load(args.sweep, "joule-sweep-t") if args.sweep else None
        write_atomically(out, build(doc, sweep))
    except ReportError as e:
        print(f"report: error: {e}", file=sys.stderr)
        return 1
    print(f"report: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
