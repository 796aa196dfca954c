#!/usr/bin/env python3
"""Writes a Joule model (JSON + .safetensors) as C tables for the CMSIS-NN harness of Tools/m4-bench
(Boards/mps2-an386/cmsis_main.c): the same int8 weights, re-laid out for CMSIS-NN (NHWC
activations, OHWI conv filters, fully connected columns in HWC order), and CMSIS-NN's
requantisation parameters chosen as close to Joule's integer model (Models/README.md) as CMSIS-NN
allows. Standard library + numpy; the reader is joule_format (Tools/format).

Usage: m4-cmsis-model.py MODEL.json INPUT.bin HOST_SCORES OUT.c
(HOST_SCORES: the host's QNN scores on INPUT.bin, whitespace-separated integers.)

What differs from Joule's arithmetic (exact agreement is not expected):
- Joule: code = clamp(floor((M·k·acc + T·B) / 2^S), 0, T) in int64. CMSIS-NN: out = clamp(round(
  (acc + b) · m · 2^s / 2^31), 0, T) with a Q31 multiplier m and shift s per output channel
  (m·2^s/2^31 = M·k/2^S to 31 bits) and an int32 bias b = round((T·B − 2^(S−1)) / (M·k)): the
  −2^(S−1) turns round-to-nearest into floor, but b is rounded to whole accumulator units.
- Raw input bytes 0…255 become int8 (byte − 128) with input_offset 128 (exact).
- Average pooling: CMSIS-NN rounds the mean to nearest, Joule floors it.
- Fully connected (arm_fully_connected_s8) has one multiplier per tensor: the median of M_j (the
  bias keeps each channel's B_j). The last layer's scores are written as int8 logits
  A_j / D, D = max|A| / 100 (the host's largest |score| on this input), so only the argmax
  is comparable.
- A residual input (only the test fixture has one) is not added; int4 weights run as int8 values.
"""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "format"))
from joule_format import model_json  # noqa: E402


def q31(f):
    """(multiplier, shift) with multiplier · 2^shift / 2^31 ≈ f > 0 (CMSIS-NN's convention)."""
    mant, exp = math.frexp(f)
    m = int(round(mant * (1 << 31)))
    if m == 1 << 31:
        m, exp = m // 2, exp + 1
    if exp < -31:  # CMSIS-NN's right shift is limited: fold the rest into the multiplier
        m, exp = max(1, m >> (-31 - exp)), -31
    return m, exp


def carr(ctype, name, values, per_line=24):
    vals = [str(int(v)) for v in np.asarray(values).ravel()]
    lines = [", ".join(vals[i:i + per_line]) for i in range(0, len(vals), per_line)] or ["0"]
    return f"static const {ctype} {name}[{max(1, len(vals))}] __attribute__((aligned(4))) = {{\n  " + ",\n  ".join(lines) + "\n};\n"


def cmsis_input(model, raw):
    """The input bytes (CHW) as CMSIS-NN's NHWC int8 (byte − 128; the first layer's input_offset is 128)."""
    c, h, w = model.input_shape
    raw = np.asarray(raw, dtype=np.uint8)
    assert raw.size == c * h * w, f"input has {raw.size} bytes, the model {c * h * w}"
    return (raw.reshape(c, h, w).transpose(1, 2, 0).astype(np.int16) - 128).astype(np.int8)


def cmsis_layers(model, max_abs):
    """The model's layers as CMSIS-NN calls: a list of dicts with `name`, `kind` (conv, avgpool,
    maxpool, fc), `in_shape` / `out_shape` (C, H, W; fc: (F,)), kernel/stride/padding, and for conv
    and fc `weights` (int8: OHWI, or [out][in] with HWC columns), `mult`, `shift`, `bias` (int32 per
    output channel; fc uses mult[0] / shift[0]), `input_offset`, `act` (min, max); plus `notes`
    (what the harness leaves out). `max_abs`: the host's largest |score| (scales the int8 logits)."""
    T = model.timesteps
    out, notes, chw = [], [], None
    for i, L in enumerate(model.layers):
        t, ins, outs = L["type"], L["in_shape"], L["out_shape"]
        if L.get("input") not in ("input", model.layers[i - 1]["name"] if i else "input"):
            raise ValueError(f"layer {L['name']}: a non-sequential input is not supported by the harness")
        if L.get("residual"):
            notes.append(f"{L['name']}: residual not added")
        k = T if L["reads_input"] else 1
        if t == "flatten":
            chw = ins  # the C×H×W layout the next linear layer's columns follow
            continue
        if t in ("avgpool", "maxpool"):
            out.append(dict(name=L["name"], kind=t, in_shape=ins, out_shape=outs, kernel=L["kernel"],
                            stride=L["stride"], padding=(0, 0), input_offset=0, act=(0, T)))
            continue
        if t not in ("conv2d", "linear"):
            raise ValueError(f"layer {L['name']}: type {t} not supported")
        q, M, B = model.weights(L)
        S = L["shift"]
        last = L["activation"] == "none"
        if t == "conv2d":
            wt = q.transpose(0, 2, 3, 1)  # OIHW -> OHWI
        else:
            src_shape, chw = (ins if len(ins) == 3 else chw), None
            if src_shape is not None and len(src_shape) == 3:  # columns CHW -> HWC
                C, H, W = src_shape
                wt = q.reshape(q.shape[0], C, H, W).transpose(0, 2, 3, 1).reshape(q.shape[0], -1)
            else:
                wt = q
        # arm_fully_connected_s8 has one multiplier per tensor: the median M_j.
        Mref = np.full(M.size, int(np.median(M))) if t == "linear" else M
        mult, shift, bias = [], [], []
        for j in range(M.size):
            if last:  # int8 logits A_j / D, D = max|A| / 100
                f = Mref[j] * k / (max_abs / 100.0)
                b = (T * B[j]) / (Mref[j] * k)
            else:     # floor((M·k·acc + T·B) / 2^S) as round((acc + b)·f) with b carrying −½ code
                f = Mref[j] * k / 2.0 ** S
                b = (T * B[j] - 2.0 ** (S - 1)) / (Mref[j] * k)
            m, sh = q31(f)
            mult.append(m)
            shift.append(sh)
            bias.append(int(np.clip(round(b), -2**31, 2**31 - 1)))
        d = dict(name=L["name"], kind="conv" if t == "conv2d" else "fc", in_shape=ins, out_shape=outs,
                 weights=wt.astype(np.int8), mult=np.array(mult, np.int64), shift=np.array(shift, np.int64),
                 bias=np.array(bias, np.int64), input_offset=128 if L["reads_input"] else 0,
                 act=(-128, 127) if last else (0, T))
        if t == "conv2d":
            d.update(kernel=L["kernel"], stride=L["stride"], padding=L["padding"])
        out.append(d)
    return out, notes


KINDS = {"conv": "CM_CONV", "avgpool": "CM_AVGPOOL", "maxpool": "CM_MAXPOOL", "fc": "CM_FC"}


def write_c(model, x, layers, notes, source_name):
    """The C source of the tables cmsis_model.h declares."""
    src, rows = [carr("int8_t", "cm_input", x)], []
    max_act = x.size
    for i, d in enumerate(layers):
        ins, outs, lo, hi = d["in_shape"], d["out_shape"], d["act"][0], d["act"][1]
        if d["kind"] in ("conv", "fc"):
            nm = f"cm_l{i}"
            per = d["mult"].size if d["kind"] == "conv" else 1
            src += [carr("int8_t", nm + "_w", d["weights"]), carr("int32_t", nm + "_mult", d["mult"][:per]),
                    carr("int32_t", nm + "_shift", d["shift"][:per]), carr("int32_t", nm + "_bias", d["bias"])]
            ptrs = f"{nm}_w, {nm}_mult, {nm}_shift, {nm}_bias"
        else:
            ptrs = "0, 0, 0, 0"
        if d["kind"] == "fc":
            dims = f"{int(np.prod(ins))}, 1, 1, {outs[0]}, 1, 1, 0, 0, 0, 0, 0, 0"
        else:
            (kh, kw), (sh, sw), (ph, pw) = d["kernel"], d["stride"], d["padding"]
            dims = f"{ins[0]}, {ins[1]}, {ins[2]}, {outs[0]}, {outs[1]}, {outs[2]}, {kh}, {kw}, {sh}, {sw}, {ph}, {pw}"
        rows.append(f'{{"{d["name"]}", {KINDS[d["kind"]]}, {dims}, {d["input_offset"]}, {lo}, {hi}, {ptrs}}}')
        max_act = max(max_act, int(np.prod(outs)))
    out = [f"/* Generated by Tools/lib/m4-cmsis-model.py from {source_name}. Do not edit. */",
           '#include "cmsis_model.h"', ""] + src
    out.append("const cm_layer_t cm_layers[] = {\n  " + ",\n  ".join(rows) + "\n};")
    out.append(f"const uint32_t cm_layer_count = {len(rows)};")
    out.append(f"const uint32_t cm_outputs = {model.outputs};")
    out.append("const int8_t *const cm_input_data = cm_input;")
    out.append(f"const uint32_t cm_input_bytes = {x.size};")
    out.append(f"/* Largest activation: {max_act} bytes. Harness notes: {'; '.join(notes) or 'none'} */")
    out.append(f"int8_t cm_act_a[{max_act}] __attribute__((aligned(4)));")
    out.append(f"int8_t cm_act_b[{max_act}] __attribute__((aligned(4)));")
    out.append(f"const uint32_t cm_act_bytes = {max_act};")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.split("\n\n")[1])
    model = model_json.load(sys.argv[1])
    raw = np.frombuffer(open(sys.argv[2], "rb").read(), dtype=np.uint8)
    max_abs = max(1, max(abs(int(v)) for v in open(sys.argv[3]).read().split()))
    try:
        layers, notes = cmsis_layers(model, max_abs)
    except ValueError as e:
        sys.exit(str(e))
    text = write_c(model, cmsis_input(model, raw), layers, notes, os.path.basename(sys.argv[1]))
    with open(sys.argv[4], "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
