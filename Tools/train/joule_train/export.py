"""Export a trained (BN-folded, weight-quantised) Net to the joule-model JSON + safetensors.

Per weighted layer (Models/README.md):
  q_ij  = round(w_ij / s_j) clamped to ±qmax          (int8, PyTorch layout)
  M_j   = round(s_j · input_unit · 2^S)                (int32, > 0)
  B_j   = round(b_j · 2^S)                             (int64)
with input_unit = input.scale for a layer reading the model input, else 1, and S chosen per layer
as the largest value with max M_j < 2^31, S ≤ 48, max|B_j| < 2^46, and the limits of the README
(checked here: max M_j has ≥ 15 significant bits, acc fits int32, A fits int64 for T ≤ 255).
"""
import json
import math
import os

import numpy as np
import torch

from joule_format import safetensors
from joule_format.atomic import replacing

from . import quant
from .models import QLayer, default_inputs

JSON_KEYS = ["name", "type", "input", "outChannels", "outFeatures", "kernel", "stride", "padding",
             "weightBits", "shift", "activation", "residual", "trainingOnly"]


def choose_shift(m_real, b_real):
    """Largest S ≤ 48 with round(max m·2^S) < 2^31 and max|b|·2^S < 2^46."""
    mmax = float(np.max(m_real))
    S = min(48, math.floor(math.log2((2 ** 31 - 1) / mmax)))
    while S > 0 and (round(mmax * 2 ** S) >= 2 ** 31 or
                     float(np.max(np.abs(b_real), initial=0.0)) * 2 ** S >= 2 ** 46):
        S -= 1
    return S


def export_layer(m, bits, unit, reads_input):
    """Returns tensors dict entries and the shift for one QLayer (BN must be folded)."""
    assert m.bn is None, "fold batch norm before export"
    return quantize_weighted(m.spec["name"], m.weight.detach(), m.bias.detach(), bits, unit, reads_input)


def _abs_max(a):
    """max |a| as a Python integer (np.abs of INT64_MIN overflows)."""
    return max(abs(int(a.min())), abs(int(a.max()))) if a.size else 0


def quantize_weighted(name, weight, bias, bits, unit, reads_input):
    """The tensors (`<name>.weight` int8, `.multiplier` int32, `.bias` int64, `.weight_scale`) and
    the shift of one weighted layer whose real pre-activation, in units of one activation level,
    is `weight · (input · unit) + bias` (weight: float tensor in PyTorch layout, bias: float
    tensor). Asserts the limits of Models/README.md."""
    q, s = quant.quantize_weight(weight, bits)
    s = s.double().numpy()
    b = bias.detach().double().numpy()
    m_real = s * unit
    assert np.all(np.isfinite(m_real)) and np.all(np.isfinite(b)), "weights or biases are not finite"
    qn = q.numpy()
    # limits of Models/README.md
    fan_in = int(np.prod(qn.shape[1:]))
    qmax = int(np.abs(qn).max(initial=0))
    acc_max = fan_in * max(qmax, 1) * 255
    k_max = 255 if reads_input else 1  # k = T for a layer reading the model input
    S = choose_shift(m_real, b)
    while True:   # a wide layer reading the input lowers S until M·acc·T fits int64
        M = np.maximum(np.round(m_real * 2.0 ** S), 1).astype(np.int64)
        B = np.round(b * 2.0 ** S).astype(np.int64)
        if S == 0 or int(M.max()) * acc_max * k_max + 255 * (_abs_max(B) + 2 ** S) < 2 ** 62:
            break
        S -= 1
    assert acc_max < 2 ** 31, "acc may overflow int32"
    assert 0 < M.min() and M.max() < 2 ** 31, "multiplier out of range"
    assert M.max() >= 2 ** 14, f"max multiplier has < 15 significant bits (S={S})"
    assert _abs_max(B) < 2 ** 47 and 0 <= S <= 48, "bias out of range"
    assert int(M.max()) * acc_max * k_max + 255 * (_abs_max(B) + 2 ** S) < 2 ** 62
    if bits == 4:
        assert qn.min() >= -8 and qn.max() <= 7
    return {f"{name}.weight": qn.astype(np.int8),
            f"{name}.multiplier": M.astype(np.int32),
            f"{name}.bias": B,
            f"{name}.weight_scale": s.astype(np.float32)}, S


def export(net, out_dir, bits=8, dataset="fashion-mnist", classes=None, metadata=None):
    """Writes <out_dir>/<net.name>.json and .safetensors; returns the JSON path."""
    tensors, layers = {}, []
    # JSON default input rule: compute from the *emitted* list so omitted inputs stay correct
    for L, src in zip(net.spec, net.inputs):
        m = net.layers[L["name"]]
        j = {k: L[k] for k in JSON_KEYS if k in L}
        j.pop("input", None)
        if isinstance(m, QLayer):
            unit = net.input_scale if src == "input" else 1.0
            t, S = export_layer(m, bits, unit, src == "input")
            tensors.update(t)
            j["weightBits"] = bits
            j["shift"] = S
            j.setdefault("activation", "quant")
        layers.append((j, src))
    # emit `input` only where it differs from the JSON default
    prev, out_layers = "input", []
    for j, src in layers:
        if src != prev or j.get("trainingOnly"):
            j = {"name": j["name"], "type": j["type"], "input": src,
                 **{k: v for k, v in j.items() if k not in ("name", "type")}}
        out_layers.append(j)
        if not j.get("trainingOnly"):
            prev = j["name"]
    return write_model(out_dir, net.name, net.input_shape, net.input_scale, net.T, out_layers, tensors,
                       dataset=dataset, classes=classes, metadata=metadata)


def write_model(out_dir, name, input_shape, input_scale, timesteps, layers, tensors, dataset=None,
                classes=None, metadata=None):
    """Writes <out_dir>/<name>.json (the JSON layers as given) and <name>.safetensors atomically;
    returns the JSON path."""
    c, h, w = input_shape
    doc = {"format": "joule-model", "version": 1, "name": name,
           "weights": f"{name}.safetensors",
           "input": {"channels": c, "height": h, "width": w, "scale": input_scale},
           "timesteps": timesteps}
    if classes:
        doc["classes"] = classes
    if dataset:
        doc["dataset"] = dataset
    doc["layers"] = layers
    os.makedirs(out_dir, exist_ok=True)
    jpath = os.path.join(out_dir, f"{name}.json")
    safetensors.save(tensors, os.path.join(out_dir, f"{name}.safetensors"), metadata)
    with replacing(jpath, "w") as f:
        f.write(json_dump(doc) + "\n")
    return jpath


def json_dump(doc):
    """JSON with one layer per line (readable, diff-friendly)."""
    head = {k: v for k, v in doc.items() if k != "layers"}
    s = json.dumps(head, indent=2)[:-2]
    lines = [json.dumps(L, separators=(", ", ": ")) for L in doc["layers"]]
    return s + ',\n  "layers": [\n    ' + ",\n    ".join(lines) + "\n  ]\n}"
