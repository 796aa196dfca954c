"""Reads a Joule JSON model + .safetensors (Models/README.md; loaded and validated by
joule_format.model_json, Tools/format) into a plain layer list that every peer builder uses;
`run_integer` is the exact integer model (joule_format.integer, numpy) for checking the twins.

Layer dicts (kept layers only, execution order, each reads the previous one; no residuals):
  {"kind": "conv", "name", "q": int8 [O,I,kh,kw], "M": int64 [O], "B": int64 [O], "S", "pad", "stride",
   "first": bool, "last": bool}
  {"kind": "fc",   "name", "q": int8 [O,I], "M", "B", "S", "first", "last"}
  {"kind": "avgpool", "name", "kernel": (kh,kw), "stride": (sh,sw)}
Shapes are tracked in "in_shape"/"out_shape" (C,H,W) or (N,).

Float twin (what the float peers compute), exactly the integer model's meaning, in code units
(an activation code c = T*a for a real activation a in [0,1]; codes 0..T are exact in float):
  weighted layer: y = sum_i w_ij c_i + b_j = A_j / 2^S, w = q*M/2^S, b = T*B/2^S
                  (first layer reads the real input bytes/255: w = q*M*T*255/2^S)
  hidden activation: c = clamp(floor(y), 0, T)      (the paper's Q_T)
  avgpool: floor(mean of codes)                     (exact: small integers in float)
  last layer: score = y = A / 2^S                   (same argmax as the runtime's scores A)
SNN twin (IF, threshold 1, reset by subtraction, spikes s_t in {0,1}): per-step current
  w*s_t + b/T, i.e. weights float_weight (first layer: float_weight/T on bytes/255 every step),
  bias float_bias/T; pooling = mean of spikes into an IF neuron (a threshold-4 neuron on the sum);
  readout = sum over T of the last layer's currents (= A/2^S, the runtime's membrane readout).
"""
import os, sys
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "format"))
from joule_format import FormatError, integer, model_json  # noqa: E402


class Model:
    def __init__(self, json_path):
        try:
            model = model_json.load(json_path)
        except FormatError as e:
            raise SystemExit(str(e))
        self.path = json_path
        self.desc = model.doc
        self.name = model.name
        self.T = model.timesteps
        self.input_shape = model.input_shape
        self.integer = integer.IntegerModel(model)
        layers, prev = [], "input"
        shape = {"input": model.input_shape}  # a layer's output shape, flatten's being its input's (CHW)
        for spec in model.layers:
            if spec.get("residual") or spec["input"] != prev:
                raise SystemExit("Tools/bench handles plain chains only (layer %s)" % spec["name"])
            prev = spec["name"]
            t = spec["type"]
            in_shape = shape[spec["input"]]
            shape[prev] = in_shape if t == "flatten" else spec["out_shape"]
            if t in ("conv2d", "linear"):
                if spec["weightBits"] != 8:
                    raise SystemExit("Tools/bench handles int8 weights only (layer %s)" % spec["name"])
                q, M, B = model.weights(spec)
                layer = {"name": spec["name"], "q": q.astype(np.int8), "M": M, "B": B, "S": spec["shift"],
                         "first": spec["reads_input"], "last": spec["activation"] == "none",
                         "in_shape": in_shape, "out_shape": spec["out_shape"]}
                if t == "conv2d":
                    layer.update(kind="conv", pad=tuple(spec["padding"]), stride=tuple(spec["stride"]))
                else:
                    layer.update(kind="fc")
                layers.append(layer)
            elif t == "avgpool":
                layers.append({"kind": "avgpool", "name": spec["name"], "kernel": tuple(spec["kernel"]),
                               "stride": tuple(spec["stride"]), "in_shape": in_shape,
                               "out_shape": spec["out_shape"]})
            elif t != "flatten":
                raise SystemExit("Tools/bench does not handle layer type %s" % t)
        self.layers = layers
        self.classes = model.outputs

    def macs(self):
        total = 0
        for l in self.layers:
            if l["kind"] == "conv":
                total += int(np.prod(l["out_shape"])) * int(np.prod(l["q"].shape[1:]))
            elif l["kind"] == "fc":
                total += l["q"].size
        return total

    # ---- float twin parameters (float64; peers cast to float32), code units ----
    def float_weight(self, layer):
        """w = q*M/2^S per output channel, shaped like q; first layer: per unit of byte/255, times T."""
        scale = layer["M"].astype(np.float64) / 2.0 ** layer["S"]
        if layer["first"]:
            scale = scale * 255.0 * self.T
        return layer["q"].astype(np.float64) * scale.reshape((-1,) + (1,) * (layer["q"].ndim - 1))

    def float_bias(self, layer):
        return self.T * layer["B"].astype(np.float64) / 2.0 ** layer["S"]

    # ---- exact integer reference (joule_format.integer, numpy: slow but exact; checks the twins) ----
    def run_integer(self, image_u8):
        """The scores (int64 [classes]) of one input (C·H·W bytes) at the model's T."""
        return self.integer.run(np.asarray(image_u8).reshape((1,) + self.input_shape))[0]
