#!/usr/bin/env python3
"""Prints Tools/a-bench's table (Markdown) from its results.tsv and fails (exit 1) when Joule's
aarch64 scores differ from x86's or a count is missing. Standard library only.
Usage: a-bench-report.py RESULTS.tsv OUT_DIR"""
import csv
import json
import os
import sys


def main(path, out):
    rows = list(csv.DictReader(open(path), delimiter="\t"))
    ok = all(r["instructions"] for r in rows) and all(r["same_as_x86"] != "no" for r in rows)
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
        n = lambda k: int(d[k]["instructions"]) if k in d and d[k]["instructions"] else None
        q, lw, st, x, o = (n(k) for k in ("joule-qnn", "joule-snn-layerwise", "joule-snn-streaming", "litert", "onnxruntime"))
        cell = lambda v: f"{v:,}" if v else "—"
        ratio = lambda a, b: f"{a / b:.2f}" if a and b else "—"
        arg = " / ".join(d[k]["argmax"] if k in d else "—" for k in ("joule-qnn", "litert", "onnxruntime"))
        same = "yes" if all(d[k]["same_as_x86"] == "yes" for k in d if k.startswith("joule")) else "NO"
        print(f"| {info['model']} ({w}, {info['macs']:,} MAC, T = {info['timesteps']}) | {core} | {cell(q)} | {cell(lw)} | "
              f"{cell(st)} | {cell(x)} | {cell(o)} | {ratio(q, x)} | {ratio(q, o)} | {arg} | {same} |")
    if not ok:
        print("a-bench: a count is missing or Joule's aarch64 scores differ from x86's", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
