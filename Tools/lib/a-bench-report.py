#!/usr/bin/env python3
"""Prints Tools/a-bench's table (Markdown) from its results.tsv and fails (exit 1) when Joule's
aarch64 scores differ from x86's, its QNN scores from the numpy integer reference
(export_arm_models.py's info.json), a peer's argmax from Joule's on the trained watch-net (w2t,
clear margins; elsewhere a differing argmax is reported, not failed), or — when counted — a count
is missing. Standard library only.
Usage: a-bench-report.py RESULTS.tsv RESULT_DIR counted|uncounted"""
import csv
import json
import os
import sys


def main(path, out, counted):
    rows = list(csv.DictReader(open(path), delimiter="\t"))
    ok = all(r["same_as_x86"] != "no" for r in rows)
    if counted == "counted" and not all(r["instructions"] for r in rows):
        print("a-bench: an instruction count is missing", file=sys.stderr)
        ok = False
    by = {}
    for r in rows:
        by.setdefault((r["workload"], r["core"]), {})[r["runtime"]] = r
    print("\nCortex-A (qemu-aarch64), instructions of one inference, one thread; Joule: the project's generic "
          "armv8-a build (C API, prepacked by joule_prepack after bind), XNNPACK: LiteRT 1.4.0, ONNX Runtime 1.31.1 (aarch64 wheels, after a warm-up "
          "inference)\n")
    print("| workload | core | Joule QNN | Joule SNN layer-wise | Joule SNN streaming | XNNPACK | ONNX Runtime | "
          "Joule QNN / XNNPACK | Joule QNN / ONNX Runtime | argmax Joule / XNNPACK / ORT | Joule = x86 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for (w, core), d in by.items():
        info = json.load(open(os.path.join(out, w, "info.json")))
        qlog = os.path.join(out, w, f"joule-qnn-{core}.log")
        demo = [l.split()[1:] for l in open(qlog) if l.startswith("scores ")]
        if not demo or [int(v) for v in demo[0]] != info["joule_qnn_scores"]:
            print(f"a-bench: {w} {core}: Joule's QNN scores differ from the numpy integer reference", file=sys.stderr)
            ok = False
        for peer in ("litert", "onnxruntime"):
            if peer in d and "joule-qnn" in d and d[peer]["argmax"] != d["joule-qnn"]["argmax"]:
                print(f"a-bench: {w} {core}: {peer}'s argmax {d[peer]['argmax']} is not Joule's "
                      f"{d['joule-qnn']['argmax']}", file=sys.stderr)
                ok = ok and w != "w2t"
        n = lambda k: int(d[k]["instructions"]) if k in d and d[k]["instructions"] else None
        q, lw, st, x, o = (n(k) for k in ("joule-qnn", "joule-snn-layerwise", "joule-snn-streaming", "litert", "onnxruntime"))
        cell = lambda v: f"{v:,}" if v else "—"
        ratio = lambda a, b: f"{a / b:.2f}" if a and b else "—"
        arg = " / ".join(d[k]["argmax"] if k in d else "—" for k in ("joule-qnn", "litert", "onnxruntime"))
        same = "yes" if all(d[k]["same_as_x86"] == "yes" for k in d if k.startswith("joule")) else "NO"
        print(f"| {info['model']} ({w}, {info['macs']:,} MAC, T = {info['timesteps']}) | {core} | {cell(q)} | {cell(lw)} | "
              f"{cell(st)} | {cell(x)} | {cell(o)} | {ratio(q, x)} | {ratio(q, o)} | {arg} | {same} |")
    if counted == "counted":
        ok = layer_tables(by, out) and ok
    if not ok:
        print("a-bench: failed (see above; Joule's aarch64 scores vs x86 in the table)", file=sys.stderr)
        sys.exit(1)


# LayerKernel raw values (Sources/JouleCore/Runtime/Interpreter.swift) as the report names them.
KERNELS = {0: "event gather", 1: "plain gather", 2: "plain scatter", 3: "pooling", 4: "dense", 5: "event scatter",
           6: "DSP gather"}


def layer_log(path):
    """(names, synaptic ops, kernels, instructions per layer) of one joule-layers run, or None."""
    if not os.path.exists(path):
        return None
    lines = open(path).read().splitlines()
    layers = [l.split() for l in lines if l.startswith("layer ")]
    kernels = next((l.split()[1:] for l in lines if l.startswith("kernels:")), [])
    marks = {}
    for l in lines:
        if l.startswith("marker "):
            label, rest = l[len("marker "):].split(":", 1)
            marks[int(label)] = int(rest.split()[0])
    counts = [marks.get(100 + i) for i in range(len(layers))]
    return [l[2] for l in layers], [int(l[3]) for l in layers], [int(k) for k in kernels], counts


def layer_tables(by, out):
    """Per workload, the QNN's instructions per layer on each core (joule-layers-CORE.log) and per
    synaptic op, the kernel that ran it, XNNPACK's whole-model figure beside; False when a layer
    count is missing or the layers do not add up to within 2 % of the demo's count."""
    ok = True
    for w in dict.fromkeys(w for w, _ in by):
        cores = [c for ww, c in by if ww == w]
        logs = {c: layer_log(os.path.join(out, w, f"joule-layers-{c}.log")) for c in cores}
        if any(v is None for v in logs.values()):
            continue
        names, ops = logs[cores[0]][0], logs[cores[0]][1]
        print(f"\n{w}: Joule QNN per layer — instructions (per synaptic op: multiply-add over valid taps), kernel; "
              "XNNPACK's whole graph per the same ops for comparison\n")
        print("| layer | synaptic ops | " + " | ".join(f"{c}: instructions (/op) | kernel" for c in cores) + " |")
        print("|---|---:|" + "---:|---|" * len(cores))
        for i, name in enumerate(names):
            cells = []
            for c in cores:
                _, _, kernels, counts = logs[c]
                n = counts[i]
                if n is None:
                    print(f"a-bench: {w} {c}: no count for layer {i}", file=sys.stderr)
                    ok = False
                per = f" ({n / ops[i]:.2f})" if n and ops[i] else ""
                cells.append(f"{n:,}{per} | {KERNELS.get(kernels[i], kernels[i]) if i < len(kernels) else '—'}"
                             if n is not None else "— | —")
            print(f"| {name} | {ops[i]:,} | " + " | ".join(cells) + " |")
        sums = []
        for c in cores:
            total = sum(v for v in logs[c][3] if v)
            demo = by[(w, c)].get("joule-qnn", {}).get("instructions")
            xnn = by[(w, c)].get("litert", {}).get("instructions")
            if demo and abs(total - int(demo)) > 0.02 * int(demo):
                print(f"a-bench: {w} {c}: the layers add up to {total:,}, the demo counted {demo}", file=sys.stderr)
                ok = False
            per_op = f" ({total / sum(ops):.2f})" if sum(ops) else ""
            x = f"; XNNPACK {int(xnn):,} ({int(xnn) / sum(ops):.2f})" if xnn and sum(ops) else ""
            sums.append(f"{total:,}{per_op} | {x.lstrip('; ')}")
        print(f"| sum | {sum(ops):,} | " + " | ".join(sums) + " |")
    return ok


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
