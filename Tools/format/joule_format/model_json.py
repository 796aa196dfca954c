"""The `joule-model` JSON description (Models/README.md, normative): loading and validation.

`load(json_path)` reads the JSON and its `.safetensors`; `from_doc(doc, tensors)` validates a
description held in memory. Both return a `Model` or raise `FormatError` naming the file, the
layer and the field (`Models/x.json: layer 'conv2': residual 'pool1' has shape (8, 6, 6), this
layer's output (8, 3, 3)`; tensor errors name the `.safetensors` file).

Checked: the document's fields and types; layer types, unique names, `input` / `residual`
references (earlier kept layers only; no kept layer reads a training-only one); shapes chain
(conv / pooling output sizes ≥ 1, residual shapes equal); only the last kept layer has
activation "none", and it does; a `neuron` (leaky neurons, SNN streaming only) only on conv2d and
linear layers, with β a multiple of 2^-16 in 0…1; with tensors: every tensor a kept layer needs is present with
its dtype and shape, and the limits of Models/README.md hold (0 < M < 2^31, |B| < 2^47,
0 ≤ S ≤ 48, int8 weights in −127…127 and int4 in −8…7, `fan_in·max|q|·255 < 2^31`, and the int64
bound on A for any T ≤ 255). Within these limits the integer model's arithmetic is exact in
int64 (`joule_format.integer`).

`Model.layers` are the kept layers (training-only ones dropped, as the packer does) in execution
order, each a new dict (the document is never modified): the JSON fields plus
  input        resolved: "input" or the name of an earlier kept layer
  stride, padding     conv: default [1, 1] / [0, 0]; pooling: stride default = kernel, padding [0, 0]
  weightBits, activation   weighted layers: default 8 / "quant"
  in_shape, out_shape      (C, H, W) for conv and pooling outputs, (F,) for linear and flatten
  reads_input  True for a layer fed by the model input (its k = T)
"""
import json
import math
import os

import numpy as np

from . import safetensors
from .errors import FormatError

TYPES = ("conv2d", "linear", "avgpool", "maxpool", "flatten")
WEIGHTED = ("conv2d", "linear")
POOLING = ("avgpool", "maxpool")


class Model:
    """A validated model description (see the module docstring for `layers`)."""

    def __init__(self, path, doc, layers, training_only, tensors, weights_path):
        self.path, self.doc, self.layers = path, doc, layers
        self.training_only = training_only
        self.tensors, self.weights_path = tensors, weights_path
        self.name = doc["name"]
        self.timesteps = doc["timesteps"]
        inp = doc["input"]
        self.input_shape = (inp["channels"], inp["height"], inp["width"])
        self.input_scale = inp["scale"]
        self.classes = doc.get("classes")
        self.outputs = layers[-1]["out_shape"][0]

    def layer(self, name):
        return next(L for L in self.layers if L["name"] == name)

    def weights(self, layer):
        """(q, M, B) of a weighted layer as int64 arrays (B zeros when the file has no bias)."""
        name = layer["name"]
        q = self.tensors[f"{name}.weight"].astype(np.int64)
        M = self.tensors[f"{name}.multiplier"].astype(np.int64)
        B = self.tensors.get(f"{name}.bias")
        return q, M, np.zeros_like(M) if B is None else B.astype(np.int64)


def load(json_path, weights=True):
    """Reads and validates `json_path` and (with `weights`) the `.safetensors` it names."""
    try:
        with open(json_path, "rb") as f:
            doc = json.loads(f.read())
    except ValueError as e:  # JSONDecodeError and UnicodeDecodeError
        raise FormatError(f"{json_path}: not valid JSON: {e}") from None
    _check_document(doc, json_path)
    tensors, wpath = None, None
    if weights:
        if not isinstance(doc.get("weights"), str):
            raise FormatError(f"{json_path}: field 'weights' must be a string (the .safetensors path)")
        wpath = os.path.join(os.path.dirname(json_path), doc["weights"])
        tensors = safetensors.load(wpath)
    return from_doc(doc, tensors, json_path, wpath)


def from_doc(doc, tensors=None, path="<model>", weights_path=None):
    """Validates a description in memory (`doc` as json.load gives it, `tensors` {name: array} or
    None); `path` and `weights_path` label the errors."""
    _check_document(doc, path)
    layers, training_only = _resolve_layers(doc, path)
    if tensors is not None:
        for L in layers:
            if L["type"] in WEIGHTED:
                _check_tensors(L, tensors, weights_path or f"{path} (weights)")
    return Model(path, doc, layers, training_only, tensors, weights_path)


# ---------------------------------------------------------------------------------------------

def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _pair(v):
    return isinstance(v, list) and len(v) == 2 and all(_is_int(x) for x in v)


def _check_document(doc, path):
    def need(cond, msg):
        if not cond:
            raise FormatError(f"{path}: {msg}")
    need(isinstance(doc, dict), "the document is not a JSON object")
    need(doc.get("format") == "joule-model", f"field 'format' must be \"joule-model\", not {doc.get('format')!r}")
    need(doc.get("version") == 1 and _is_int(doc.get("version")),
         f"field 'version' must be 1, not {doc.get('version')!r}")
    need(isinstance(doc.get("name"), str) and doc["name"], "field 'name' must be a non-empty string")
    inp = doc.get("input")
    need(isinstance(inp, dict), "field 'input' must be an object {channels, height, width, scale}")
    for k in ("channels", "height", "width"):
        need(_is_int(inp.get(k)) and inp[k] >= 1, f"field 'input.{k}' must be an integer ≥ 1")
    need(isinstance(inp.get("scale"), (int, float)) and not isinstance(inp.get("scale"), bool),
         "field 'input.scale' must be a number")
    need(_is_int(doc.get("timesteps")) and 1 <= doc["timesteps"] <= 255,
         f"field 'timesteps' must be an integer 1…255, not {doc.get('timesteps')!r}")
    classes = doc.get("classes")
    need(classes is None or (isinstance(classes, list) and all(isinstance(c, str) for c in classes)),
         "field 'classes' must be a list of strings")
    need(isinstance(doc.get("layers"), list) and doc["layers"], "field 'layers' must be a non-empty list")


def _resolve_layers(doc, path):
    c, h, w = (doc["input"][k] for k in ("channels", "height", "width"))
    shapes = {"input": (c, h, w)}         # every layer's output shape, training-only ones too
    kept_names, training_only, layers = set(), [], []
    model_input = {"input"}              # "input" and the flatten layers that pass it on unchanged
    prev = "input"                        # the default input: the previous kept layer
    for i, spec in enumerate(doc["layers"]):
        if not isinstance(spec, dict):
            raise FormatError(f"{path}: layers[{i}] is not an object")
        name = spec.get("name")
        if not isinstance(name, str) or not name:
            raise FormatError(f"{path}: layers[{i}]: field 'name' must be a non-empty string")
        where = f"{path}: layer '{name}'"

        def need(cond, msg):
            if not cond:
                raise FormatError(f"{where}: {msg}")
        need(name not in shapes, "name used twice (or 'input')")
        t = spec.get("type")
        need(t in TYPES, f"unknown type {t!r} (expected one of {', '.join(TYPES)})")
        dropped = spec.get("trainingOnly") is True
        L = dict(spec)
        src = L.setdefault("input", prev)
        need(src in shapes, f"input {src!r} is not an earlier layer or 'input'")
        need(dropped or src == "input" or src in kept_names, f"input {src!r} is a training-only layer")
        L["reads_input"] = src in model_input
        if t == "flatten" and src in model_input:
            model_input.add(name)
        shape = L["in_shape"] = shapes[src]
        if t in ("conv2d",) + POOLING:
            need(len(shape) == 3, f"{t} needs a C×H×W input, '{src}' gives {shape}")
            need(_pair(L.get("kernel")) and min(L["kernel"]) >= 1, "field 'kernel' must be [h, w] ≥ 1")
            L.setdefault("stride", [1, 1] if t == "conv2d" else list(L["kernel"]))
            L.setdefault("padding", [0, 0])
            need(_pair(L["stride"]) and min(L["stride"]) >= 1, "field 'stride' must be [h, w] ≥ 1")
            need(_pair(L["padding"]) and min(L["padding"]) >= 0, "field 'padding' must be [h, w] ≥ 0")
            need(t == "conv2d" or L["padding"] == [0, 0], "pooling requires padding [0, 0]")
            (kh, kw), (sh, sw), (ph, pw) = L["kernel"], L["stride"], L["padding"]
            oh, ow = (shape[1] + 2 * ph - kh) // sh + 1, (shape[2] + 2 * pw - kw) // sw + 1
            need(oh >= 1 and ow >= 1, f"kernel {L['kernel']} does not fit the input {shape}")
            if t == "conv2d":
                need(_is_int(L.get("outChannels")) and L["outChannels"] >= 1,
                     "field 'outChannels' must be an integer ≥ 1")
                out = (L["outChannels"], oh, ow)
            else:
                out = (shape[0], oh, ow)
        elif t == "linear":
            need(_is_int(L.get("outFeatures")) and L["outFeatures"] >= 1, "field 'outFeatures' must be an integer ≥ 1")
            out = (L["outFeatures"],)
        else:  # flatten
            out = (math.prod(shape),)
        L["out_shape"] = shapes[name] = out
        if t in WEIGHTED:
            L.setdefault("weightBits", 8)
            L.setdefault("activation", "quant")
            need(L["weightBits"] in (4, 8) and _is_int(L["weightBits"]), "field 'weightBits' must be 8 or 4")
            need(_is_int(L.get("shift")) and 0 <= L["shift"] <= 48, "field 'shift' must be an integer 0…48")
            need(L["activation"] in ("quant", "none"), "field 'activation' must be \"quant\" or \"none\"")
        if L.get("neuron") is not None:
            n = L["neuron"]
            need(t in WEIGHTED, "field 'neuron': only conv2d and linear layers have neurons")
            need(isinstance(n, dict) and set(n) <= {"beta", "resetDelay", "fireAboveThreshold", "resetToZero"},
                 "field 'neuron' must be an object with 'beta', 'resetDelay', 'fireAboveThreshold', 'resetToZero'")
            beta = n.get("beta", 1)
            need(isinstance(beta, (int, float)) and not isinstance(beta, bool) and 0 <= beta <= 1
                 and float(beta) * 65536 == round(float(beta) * 65536),
                 f"field 'neuron.beta' must be a multiple of 2^-16 in 0…1, got {beta!r}")
            for flag in ("resetDelay", "fireAboveThreshold", "resetToZero"):
                need(isinstance(n.get(flag, False), bool), f"field 'neuron.{flag}' must be true or false")
        if L.get("residual") is not None:
            r = L["residual"]
            need(t in WEIGHTED, "only conv2d and linear layers take a residual")
            need(not L["reads_input"], "a layer reading the model input takes no residual")
            need(r in (shapes if dropped else kept_names), f"residual {r!r} is not an earlier kept layer")
            need(shapes[r] == out, f"residual '{r}' has shape {shapes[r]}, this layer's output {out}")
        if dropped:
            training_only.append(name)
            continue
        kept_names.add(name)
        prev = name
        layers.append(L)
    if not layers:
        raise FormatError(f"{path}: every layer is training-only")
    for L in layers[:-1]:
        if L.get("activation") == "none":
            raise FormatError(f"{path}: layer '{L['name']}': activation \"none\" is for the last layer only")
    last = layers[-1]
    if last.get("activation") != "none":
        raise FormatError(f"{path}: layer '{last['name']}': the last layer must be conv2d or linear "
                          "with activation \"none\" (the scores)")
    classes = doc.get("classes")
    if classes is not None and len(classes) != last["out_shape"][0]:
        raise FormatError(f"{path}: {len(classes)} class names for {last['out_shape'][0]} outputs")
    return layers, training_only


def _check_tensors(L, tensors, wpath):
    name, where = L["name"], f"{wpath}: layer '{L['name']}'"
    shape = L["in_shape"]
    if L["type"] == "conv2d":
        wshape = [L["outChannels"], shape[0]] + list(L["kernel"])
    else:
        wshape = [L["outFeatures"], math.prod(shape)]
    out = wshape[0]

    def tensor(suffix, dtype, tshape, optional=False):
        key = f"{name}.{suffix}"
        a = tensors.get(key)
        if a is None:
            if optional:
                return None
            raise FormatError(f"{where}: tensor '{key}' is missing")
        try:
            got = safetensors.dtype_name(a.dtype)
        except ValueError:
            got = str(a.dtype)
        if got != dtype:
            raise FormatError(f"{where}: tensor '{key}' has dtype {got}, expected {dtype}")
        if list(a.shape) != tshape:
            raise FormatError(f"{where}: tensor '{key}' has shape {list(a.shape)}, expected {tshape}")
        return a
    q = tensor("weight", "I8", wshape)
    M = tensor("multiplier", "I32", [out]).astype(np.int64)
    B = tensor("bias", "I64", [out], optional=True)
    B = np.zeros(out, np.int64) if B is None else B.astype(np.int64)
    lo = -8 if L["weightBits"] == 4 else -127
    hi = 7 if L["weightBits"] == 4 else 127
    if q.size and (int(q.min()) < lo or int(q.max()) > hi):
        raise FormatError(f"{where}: weights out of range for weightBits {L['weightBits']} "
                          f"({int(q.min())}…{int(q.max())}, allowed {lo}…{hi})")
    if (M <= 0).any():
        raise FormatError(f"{where}: every multiplier must be > 0")
    bmax = max(abs(int(B.min())), abs(int(B.max()))) if B.size else 0   # np.abs(INT64_MIN) overflows
    if bmax >= 2 ** 47:
        raise FormatError(f"{where}: bias magnitude {bmax} ≥ 2^47")
    fan_in = math.prod(wshape[1:])
    acc_max = fan_in * int(np.abs(q).max(initial=0)) * 255
    if acc_max >= 2 ** 31:
        raise FormatError(f"{where}: fan_in·max|q|·255 = {acc_max} ≥ 2^31 (acc must fit int32)")
    k_max = 255 if L["reads_input"] else 1
    bound = int(M.max(initial=0)) * acc_max * k_max + 255 * (bmax + 2 ** L["shift"])
    if bound >= 2 ** 63:
        raise FormatError(f"{where}: A may overflow int64 (bound {bound} ≥ 2^63)")
