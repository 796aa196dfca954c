"""The PyTorch twin: evaluates an EXPORTED joule-model (JSON + safetensors) with the integer
model of Models/README.md — `joule_format.integer` on its torch backend (float accumulation that
is exact, int64 everywhere after it; `exact_int=True` accumulates in int64) — over a test set:
predictions, accuracy, per-layer activation sparsity and spike rate. It does not import the
training code. The prediction is argmax of the scores, ties to the lowest class index.
"""
import argparse
import sys
import time

import numpy as np
import torch

from joule_format import integer, model_json


class IntegerModel(integer.IntegerModel):
    """`joule_format.integer.IntegerModel` on the torch backend: `run` takes a uint8 tensor
    N×C×H×W and returns int64 scores N×classes as a tensor."""

    def __init__(self, json_path):
        super().__init__(json_path, "torch")


def evaluate(json_path, images, labels, T=None, batch=500, exact_int=False):
    """Returns (predictions uint8 numpy, accuracy, stats dict)."""
    model = IntegerModel(json_path)
    preds, stats = [], {}
    with torch.no_grad():
        for i in range(0, len(images), batch):
            scores = model.run(images[i:i + batch], T, exact_int, stats)
            preds.append(integer.predict(scores))
    p = torch.cat(preds)
    acc = float((p == labels).double().mean())
    return p.numpy().astype(np.uint8), acc, stats


def summarize(stats, T):
    """Per layer and total activation sparsity and spike rate (Σ codes / (neurons·T))."""
    rows, tot = [], {"sum": 0, "zeros": 0, "count": 0}
    wtot = {"sum": 0, "zeros": 0, "count": 0}
    for name, s in stats.items():
        rows.append((name, s["type"], s["neurons"], s["zeros"] / s["count"],
                     s["sum"] / (s["count"] * T)))
        for k in tot:
            tot[k] += s[k]
            if s["type"] in ("conv2d", "linear"):
                wtot[k] += s[k]
    total = (tot["zeros"] / tot["count"], tot["sum"] / (tot["count"] * T))
    wtotal = (wtot["zeros"] / wtot["count"], wtot["sum"] / (wtot["count"] * T))
    return rows, total, wtotal


def main(argv=None):
    from . import data
    ap = argparse.ArgumentParser(description="Evaluate an exported joule-model with integer ops")
    ap.add_argument("model", help="path to <name>.json")
    ap.add_argument("--timesteps", "-T", type=int, nargs="*", default=None)
    ap.add_argument("--limit", type=int, default=None, help="first N test images only")
    ap.add_argument("--predictions", help="write uint8 predictions (one byte per image) here")
    ap.add_argument("--exact-int", action="store_true", help="int64 matmul for acc (slow)")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    model = model_json.load(a.model, weights=False)
    pad = model.input_shape[1] if model.input_shape[1] != 28 else None
    x, y = data.load("test", pad_to=pad, limit=a.limit)
    for T in (a.timesteps or [model.timesteps]):
        t0 = time.time()
        p, acc, stats = evaluate(a.model, x, y, T, exact_int=a.exact_int)
        rows, total, wtotal = summarize(stats, T)
        print(f"T={T} accuracy {acc * 100:.2f}% ({int(round(acc * len(y)))}/{len(y)}) "
              f"sparsity {total[0] * 100:.2f}% spike rate {total[1] * 100:.3f}% "
              f"(weighted layers only: sparsity {wtotal[0] * 100:.2f}%, "
              f"spike rate {wtotal[1] * 100:.3f}%) [{time.time() - t0:.1f}s]")
        for r in rows:
            print(f"   {r[0]:10s} {r[1]:8s} neurons {r[2]:6d} sparsity {r[3] * 100:6.2f}% "
                  f"spike rate {r[4] * 100:6.3f}%")
        if a.predictions and T == (a.timesteps or [model.timesteps])[0]:
            p.tofile(a.predictions)
            print(f"wrote {a.predictions}")


if __name__ == "__main__":
    sys.exit(main())
