"""The Joule binaries on an imported model: `packmodel` packs it, `joule eval` runs the SNN on the
Fashion-MNIST test set and writes its predictions. Binaries from $JOULE_BIN, else the release
build (`swift build -c release`)."""
import json
import os
import subprocess
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def binary(tool):
    folder = os.environ.get("JOULE_BIN") or os.path.join(ROOT, ".build", "release")
    path = os.path.join(folder, tool)
    if not os.access(path, os.X_OK):
        raise SystemExit(f"no {tool} in {folder}: build it (swift build -c release) or set JOULE_BIN")
    return path


def pack(json_path):
    """Packs `<x>.json` into `<x>.jmod` beside it; returns its path."""
    out = os.path.splitext(json_path)[0] + ".jmod"
    done = subprocess.run([binary("packmodel"), json_path, "-o", out], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"packmodel {json_path} failed:\n{done.stderr.strip()}")
    return out


def evaluate(jmod, T, readout, limit=None):
    """`joule eval` of the SNN: (predictions uint8 array, accuracy, spike rate)."""
    with tempfile.TemporaryDirectory() as tmp:
        preds, report = os.path.join(tmp, "preds"), os.path.join(tmp, "eval.json")
        cmd = [binary("joule"), "eval", jmod, "--mode", "snn", "-t", str(T), "--readout", readout,
               "--write-predictions", preds, "--json", report]
        if limit is not None:
            cmd += ["--limit", str(limit)]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"joule eval {jmod} failed:\n{done.stderr.strip()}")
        with open(report) as f:
            r = json.load(f)
        p = np.fromfile(preds, dtype=np.uint8)
    return p, r["accuracy"], r["spikeRate"]
