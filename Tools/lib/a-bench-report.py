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
          "armv8-a build (C API), XNNPACK: LiteRT 1.4.0, ONNX Runtime 1.31.1 (aarch64 wheels, after a warm-up "
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
    if not ok:
        print("a-bench: failed (see above; Joule's aarch64 scores vs x86 in the table)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
