#!/usr/bin/env python3
"""Writes the C-API test fixture `tiny` (numpy only, seeded, deterministic).

Outputs, next to this script:
  tiny.json, tiny.safetensors   the model in the format of Models/README.md
  tiny-leaky.json               the same weights with leaky neurons on every weighted layer
                                (streaming SNN only: the C API's refusal of the other modes and
                                its leak counters)
  tiny-input.bin                one input (C·H·W bytes, CHW order)
  tiny_expected.h               reference results for that input, computed in numpy by the Python
                                integer model of Models/README.md (joule_format.integer,
                                independent of the Swift runtime): QNN scores and output codes per
                                layer for two T values, plus dense synaptic ops and neuron counts
                                per layer.

The model: conv 3x3 (int8) -> avgpool 2x2 -> conv 3x3 (int4, residual = the pool) ->
conv 3x3 no padding (int8) -> maxpool 2x2 -> flatten -> linear (int4) -> linear head (int8, scores).
Usage: python3 Tests/Fixtures/make_fixture.py   (rewrites the files; the output is byte-stable)
"""
import json
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "Tools", "format"))
from joule_format import integer, model_json, safetensors  # noqa: E402

rng = np.random.default_rng(20240607)

C, H, W = 2, 12, 12
T_DEFAULT = 4
INPUT_SCALE = 1.0 / 255.0
S = 20  # fractional bits of every multiplier and bias

# (name, type, fields) in execution order; weighted layers get tensors below.
LAYERS = [
    dict(name="conv1", type="conv2d", outChannels=8, kernel=[3, 3], stride=[1, 1], padding=[1, 1],
         weightBits=8, shift=S, activation="quant"),
    dict(name="pool1", type="avgpool", kernel=[2, 2]),
    dict(name="conv2", type="conv2d", outChannels=8, kernel=[3, 3], stride=[1, 1], padding=[1, 1],
         weightBits=4, shift=S, activation="quant", residual="pool1"),
    dict(name="conv3", type="conv2d", outChannels=12, kernel=[3, 3], stride=[1, 1], padding=[0, 0],
         weightBits=8, shift=S, activation="quant"),
    dict(name="pool2", type="maxpool", kernel=[2, 2]),
    dict(name="flat", type="flatten"),
    dict(name="fc1", type="linear", outFeatures=16, weightBits=4, shift=S, activation="quant"),
    dict(name="head", type="linear", outFeatures=5, weightBits=8, shift=S, activation="none"),
]
CLASSES = ["a", "b", "c", "d", "e"]


def quantise(real, bits):
    """Symmetric per-output-channel quantisation: int weights and their real scales."""
    qmax = 127 if bits == 8 else 7
    axes = tuple(range(1, real.ndim))
    scale = np.abs(real).max(axis=axes) / qmax
    q = np.clip(np.round(real / scale.reshape((-1,) + (1,) * (real.ndim - 1))), -qmax, qmax)
    return q.astype(np.int8), scale.astype(np.float32)


def make_tensors():
    tensors = {}
    shape = (C, H, W)
    shapes = {"input": shape}
    prev = "input"
    for layer in LAYERS:
        src = layer.get("input", prev)
        c, h, w = shapes[src]
        t = layer["type"]
        if t == "conv2d":
            kh, kw = layer["kernel"]
            ph, pw = layer["padding"]
            oc = layer["outChannels"]
            fan_in = c * kh * kw
            real = rng.normal(0.0, 1.6 / np.sqrt(fan_in), size=(oc, c, kh, kw))
            out = (oc, (h + 2 * ph - kh) + 1, (w + 2 * pw - kw) + 1)
        elif t == "linear":
            n = c * h * w
            oc = layer["outFeatures"]
            real = rng.normal(0.0, 1.6 / np.sqrt(n), size=(oc, n))
            out = (oc, 1, 1)
        elif t in ("avgpool", "maxpool"):
            kh, kw = layer["kernel"]
            out = (c, h // kh, w // kw)
        else:  # flatten
            out = (c * h * w, 1, 1)
        if t in ("conv2d", "linear"):
            q, scale = quantise(real, layer["weightBits"])
            unit = INPUT_SCALE if src == "input" else 1.0
            mult = np.round(scale.astype(np.float64) * unit * 2.0 ** S).astype(np.int64)
            assert (mult > 0).all() and (mult < 2 ** 31).all()
            bias_real = rng.normal(0.15, 0.1, size=oc)
            bias = np.round(bias_real * 2.0 ** S).astype(np.int64)
            tensors[layer["name"] + ".weight"] = q
            tensors[layer["name"] + ".multiplier"] = mult.astype(np.int32)
            tensors[layer["name"] + ".bias"] = bias
            tensors[layer["name"] + ".weight_scale"] = scale
        shapes[layer["name"]] = out
        prev = layer["name"]
    return tensors, shapes


def make_input():
    """A smooth pattern with noise and a zeroed background (so the input is sparse)."""
    yy, xx = np.mgrid[0:H, 0:W]
    img = np.zeros((C, H, W))
    img[0] = 180 * np.exp(-((yy - 5.5) ** 2 + (xx - 4.0) ** 2) / 12.0)
    img[1] = 200 * (np.abs(xx - yy) <= 2) * (xx + yy) / (H + W)
    img += rng.integers(0, 60, size=img.shape)
    img[img < 45] = 0
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


# ---- Integer reference (Models/README.md, "The integer model") --------------------------------

def dense_ops(layer):
    """(input, weight) pairs a layer connects, padding excluded."""
    out = layer["out_shape"]
    if layer["type"] == "linear":
        return out[0] * math.prod(layer["in_shape"])
    c, h, w = layer["in_shape"]
    kh, kw = layer["kernel"]
    if layer["type"] == "conv2d":
        ones = np.ones((1, 1, h, w), dtype=np.int64)
        taps = integer.conv_acc(ones, np.ones((1, 1, kh, kw), dtype=np.int64), layer["stride"], layer["padding"])
        return int(taps.sum()) * c * out[0]
    return math.prod(out) * kh * kw  # pooling


def reference(model, x, T):
    """Returns (scores, [(name, codes or None, dense ops, neurons)]) for every layer but flatten."""
    outputs = {}
    scores = integer.IntegerModel(model).run(x[None], T, outputs=outputs)[0]
    rows = [(L["name"], None if L.get("activation") == "none" else outputs[L["name"]][0], dense_ops(L),
             math.prod(L["out_shape"]))
            for L in model.layers if L["type"] != "flatten"]
    return scores, rows


def c_array(values, per_line=8):
    vals = [str(int(v)) for v in values]
    lines = [", ".join(vals[i:i + per_line]) for i in range(0, len(vals), per_line)]
    return "{\n    " + ",\n    ".join(lines) + "\n}"


def main():
    tensors, shapes = make_tensors()
    model = {
        "format": "joule-model", "version": 1, "name": "tiny",
        "weights": "tiny.safetensors",
        "input": {"channels": C, "height": H, "width": W, "scale": INPUT_SCALE},
        "timesteps": T_DEFAULT,
        "classes": CLASSES,
        "dataset": "synthetic (Tests/Fixtures/make_fixture.py, seed 20240607)",
        "layers": LAYERS,
    }
    with open(os.path.join(HERE, "tiny.json"), "w") as f:
        json.dump(model, f, indent=2)
        f.write("\n")
    safetensors.save(tensors, os.path.join(HERE, "tiny.safetensors"), sort_keys=True)
    leaky = dict(model, name="tiny-leaky", layers=[
        dict(L, neuron={"beta": 0.75, "resetDelay": True, "fireAboveThreshold": True})
        if L["type"] in ("conv2d", "linear") else L for L in LAYERS])
    with open(os.path.join(HERE, "tiny-leaky.json"), "w") as f:
        json.dump(leaky, f, indent=2)
        f.write("\n")
    x = make_input()
    with open(os.path.join(HERE, "tiny-input.bin"), "wb") as f:
        f.write(x.tobytes())

    h = ["/* Generated by Tests/Fixtures/make_fixture.py: numpy reference of the integer model",
         " * (Models/README.md) for tiny.json on tiny-input.bin. Do not edit. */",
         "#ifndef TINY_EXPECTED_H", "#define TINY_EXPECTED_H", "#include <stdint.h>", "",
         f"#define TINY_INPUT_BYTES {x.size}", f"#define TINY_OUTPUTS {len(CLASSES)}",
         f"#define TINY_DEFAULT_T {T_DEFAULT}"]
    reference_model = model_json.from_doc(model, tensors, "tiny.json")
    for T in (T_DEFAULT, 9):
        scores, rows = reference(reference_model, x, T)
        h.append(f"#define TINY_LAYERS {len(rows)}")
        h.append(f"static const int64_t tiny_scores_t{T}[{len(scores)}] = {c_array(scores, 4)};")
        # QNN: output events = non-zero codes, output level sum = sum of codes (scores: 0).
        h.append(f"static const uint64_t tiny_output_events_t{T}[{len(rows)}] = "
                 + c_array([0 if c is None else np.count_nonzero(c) for _, c, _, _ in rows]) + ";")
        h.append(f"static const uint64_t tiny_output_level_sum_t{T}[{len(rows)}] = "
                 + c_array([0 if c is None else c.sum() for _, c, _, _ in rows]) + ";")
        active = [f"{n}: {np.count_nonzero(c)}/{c.size} non-zero" for n, c, _, _ in rows if c is not None]
        print(f"T={T}: scores {list(map(int, scores))}; " + ", ".join(active))
    h.append(f"static const uint64_t tiny_dense_ops[{len(rows)}] = " + c_array([d for _, _, d, _ in rows]) + ";")
    h.append(f"static const uint64_t tiny_neurons[{len(rows)}] = " + c_array([n for _, _, _, n in rows]) + ";")
    h += ["", "#endif", ""]
    h = [line for i, line in enumerate(h) if not (line.startswith("#define TINY_LAYERS") and
                                                 any(l.startswith("#define TINY_LAYERS") for l in h[:i]))]
    with open(os.path.join(HERE, "tiny_expected.h"), "w") as f:
        f.write("\n".join(h))


if __name__ == "__main__":
    main()
