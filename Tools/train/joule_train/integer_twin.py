"""The PyTorch twin: an independent evaluator of an EXPORTED joule-model (JSON + safetensors),
following the integer formulas of Models/README.md literally:

  acc_j  = Σ_i q_ij · c_i
  A_j    = M_j · acc_j · k + T · B_j + R_j · 2^S          (int64)
  code_j = clamp(floor(A_j / 2^S), 0, T)                   ("quant")
  score_j = A_j                                            ("none", last layer)
  avgpool: floor(Σ window codes / (kh·kw));  maxpool: max code;  flatten: identity (CHW)

It does not import the training code. `acc` is computed with a float convolution / matmul of
integer-valued tensors, which is exact: every product and partial sum is an integer of magnitude
≤ fan_in·max|c|·max|q|. Where that bound is below 2^24 (code layers: max|c| = T) the arithmetic
is float32, else float64 (the bound is < 2^31 ≪ 2^53; the exporter checks it). Everything after
`acc` is int64.
`exact_int=True` computes acc with int64 unfold + matmul instead (slow; used by the tests).
The prediction is argmax of the scores, ties to the lowest class index.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from .safetensors_io import load as load_safetensors


class IntegerModel:
    def __init__(self, json_path):
        with open(json_path) as f:
            self.doc = json.load(f)
        d = self.doc
        assert d["format"] == "joule-model" and d["version"] == 1
        self.tensors = load_safetensors(os.path.join(os.path.dirname(json_path), d["weights"]))
        self.layers, prev = [], "input"
        for L in d["layers"]:
            L = dict(L)
            L.setdefault("input", prev)
            if L.get("trainingOnly"):
                continue  # dropped, as the packer does
            if not L.get("trainingOnly"):
                prev = L["name"]
            self.layers.append(L)
        self.T_default = d["timesteps"]

    def run(self, x_bytes, T=None, exact_int=False, stats=None, outputs=None):
        """x_bytes: uint8 tensor N×C×H×W. Returns int64 scores N×classes.
        stats (dict) accumulates per layer: 'sum' of codes, 'zeros', 'count' (neurons×images).
        outputs (dict) receives every layer's output (codes, or the last layer's A) by name."""
        T = T or self.T_default
        outs = {"input": x_bytes.to(torch.int64)}
        last = None
        for L in self.layers:
            t, name = L["type"], L["name"]
            x = outs[L["input"]]
            if t in ("conv2d", "linear"):
                q = torch.from_numpy(self.tensors[f"{name}.weight"].astype(np.int64))
                M = torch.from_numpy(self.tensors[f"{name}.multiplier"].astype(np.int64))
                bkey = f"{name}.bias"
                B = torch.from_numpy(self.tensors[bkey].astype(np.int64)) if bkey in self.tensors \
                    else torch.zeros_like(M)
                S = int(L["shift"])
                k = T if L["input"] == "input" else 1
                if t == "conv2d":
                    acc = conv_acc(x, q, L.get("stride", [1, 1]), L.get("padding", [0, 0]),
                                   exact_int)
                    shape = (1, -1, 1, 1)
                else:
                    acc = linear_acc(x.reshape(x.shape[0], -1), q, exact_int)
                    shape = (1, -1)
                A = M.reshape(shape) * acc * k + T * B.reshape(shape)
                if L.get("residual"):
                    A = A + outs[L["residual"]] * (1 << S)
                if L.get("activation", "quant") == "none":
                    y = A
                else:
                    y = torch.clamp(A >> S, 0, T)  # arithmetic shift = floor(A / 2^S)
            elif t == "avgpool":
                kh, kw = L["kernel"]
                assert list(L.get("stride", [kh, kw])) == [kh, kw]
                s = F.avg_pool2d(x.double(), (kh, kw)) * (kh * kw)  # window sums, exact
                y = torch.div(torch.round(s).to(torch.int64), kh * kw, rounding_mode="floor")
            elif t == "maxpool":
                y = F.max_pool2d(x.double(), tuple(L["kernel"])).to(torch.int64)
            elif t == "flatten":
                y = x.reshape(x.shape[0], -1)
            else:
                raise ValueError(t)
            outs[name] = y
            if outputs is not None:
                outputs[name] = y
            last = y
            if stats is not None and L.get("activation", "quant") != "none" and t != "flatten":
                s = stats.setdefault(name, {"type": t, "sum": 0, "zeros": 0, "count": 0,
                                            "neurons": int(y[0].numel())})
                s["sum"] += int(y.sum())
                s["zeros"] += int((y == 0).sum())
                s["count"] += int(y.numel())
        return last


FP32_EXACT = 2 ** 24   # every integer of magnitude ≤ 2^24 is a float32


def float_dtype(x, q, fan_in):
    """float32 when every partial sum of Σ x·q is an integer below 2^24 in magnitude in any
    summation order (fan_in · max|x| · max|q| < 2^24), so float32 arithmetic is exact; else
    float64 (exact below 2^53, which the model format's int32 accumulator guarantees)."""
    bound = fan_in * float(x.abs().max()) * float(q.abs().max()) if x.numel() and q.numel() else 0.0
    return torch.float32 if bound < FP32_EXACT else torch.float64


def conv_acc(x, q, stride, padding, exact_int=False):
    if not exact_int:
        dt = float_dtype(x, q, q[0].numel())
        return torch.round(F.conv2d(x.to(dt), q.to(dt), None, tuple(stride),
                                    tuple(padding))).to(torch.int64)
    n, c, h, w = x.shape
    o, _, kh, kw = q.shape
    cols = F.unfold(x.double(), (kh, kw), padding=tuple(padding), stride=tuple(stride))
    cols = torch.round(cols).to(torch.int64)                    # N × (C·kh·kw) × L
    out = torch.einsum("ok,nkl->nol", q.reshape(o, -1), cols)   # int64 matmul
    oh = (h + 2 * padding[0] - kh) // stride[0] + 1
    ow = (w + 2 * padding[1] - kw) // stride[1] + 1
    return out.reshape(n, o, oh, ow)


def linear_acc(x, q, exact_int=False):
    if exact_int:
        return x @ q.t()
    dt = float_dtype(x, q, q.shape[1])
    return torch.round(x.to(dt) @ q.to(dt).t()).to(torch.int64)


def evaluate(json_path, images, labels, T=None, batch=500, exact_int=False):
    """Returns (predictions uint8 numpy, accuracy, stats dict)."""
    model = IntegerModel(json_path)
    preds, stats = [], {}
    with torch.no_grad():
        for i in range(0, len(images), batch):
            scores = model.run(images[i:i + batch], T, exact_int, stats)
            preds.append(torch.argmax(scores, dim=1))  # first maximum on ties
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
    doc = json.load(open(a.model))
    pad = doc["input"]["height"] if doc["input"]["height"] != 28 else None
    x, y = data.load("test", pad_to=pad, limit=a.limit)
    for T in (a.timesteps or [doc["timesteps"]]):
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
        if a.predictions and T == (a.timesteps or [doc["timesteps"]])[0]:
            p.tofile(a.predictions)
            print(f"wrote {a.predictions}")


if __name__ == "__main__":
    sys.exit(main())
