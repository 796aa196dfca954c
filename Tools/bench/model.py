"""Reads a Joule JSON model + .safetensors (Models/README.md) into a plain layer list that every
peer builder uses, plus an exact numpy version of the integer model (for checking the twins).

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
import json, os, struct
import numpy as np

DTYPES = {"I8": np.int8, "I32": np.int32, "I64": np.int64, "F32": np.float32, "U8": np.uint8}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        out[name] = np.frombuffer(raw[base + a: base + b], dtype=np.dtype(DTYPES[info["dtype"]]).newbyteorder("<")) \
            .reshape(info["shape"]).copy()
    return out


class Model:
    def __init__(self, json_path):
        with open(json_path) as f:
            desc = json.load(f)
        self.path = json_path
        self.desc = desc
        self.name = desc["name"]
        self.T = int(desc["timesteps"])
        inp = desc["input"]
        self.input_shape = (inp["channels"], inp["height"], inp["width"])
        tensors = read_safetensors(os.path.join(os.path.dirname(json_path), desc["weights"]))
        layers, shape, first = [], self.input_shape, True
        kept = [l for l in desc["layers"] if not l.get("trainingOnly")]
        for spec in kept:
            prev = layers[-1]["name"] if layers else "input"
            if spec.get("residual") or spec.get("input", prev) not in (prev, "input" if not layers else prev):
                if not (spec["type"] == "flatten" or kept[kept.index(spec) - 1].get("type") == "flatten"):
                    raise SystemExit("Tools/bench handles plain chains only (layer %s)" % spec["name"])
            t = spec["type"]
            if t in ("conv2d", "linear"):
                if spec.get("weightBits", 8) != 8:
                    raise SystemExit("Tools/bench handles int8 weights only (layer %s)" % spec["name"])
                q = tensors[spec["name"] + ".weight"].astype(np.int8)
                M = tensors[spec["name"] + ".multiplier"].astype(np.int64)
                B = tensors.get(spec["name"] + ".bias", np.zeros(len(M), np.int64)).astype(np.int64)
                layer = {"name": spec["name"], "q": q, "M": M, "B": B, "S": int(spec["shift"]), "first": first,
                         "last": spec["activation"] == "none", "in_shape": shape}
                if t == "conv2d":
                    pad, stride = tuple(spec.get("padding", [0, 0])), tuple(spec.get("stride", [1, 1]))
                    kh, kw = spec["kernel"]
                    h = (shape[1] + 2 * pad[0] - kh) // stride[0] + 1
                    w = (shape[2] + 2 * pad[1] - kw) // stride[1] + 1
                    layer.update(kind="conv", pad=pad, stride=stride, out_shape=(spec["outChannels"], h, w))
                else:
                    layer.update(kind="fc", out_shape=(spec["outFeatures"],))
                    q.shape = (spec["outFeatures"], -1)
                layers.append(layer)
                shape, first = layer["out_shape"], False
            elif t == "avgpool":
                k = tuple(spec["kernel"])
                s = tuple(spec.get("stride", k))
                out = (shape[0], (shape[1] - k[0]) // s[0] + 1, (shape[2] - k[1]) // s[1] + 1)
                layers.append({"kind": "avgpool", "name": spec["name"], "kernel": k, "stride": s,
                               "in_shape": shape, "out_shape": out})
                shape = out
            elif t == "flatten":
                continue
            else:
                raise SystemExit("Tools/bench does not handle layer type %s" % t)
        if not layers[-1].get("last"):
            raise SystemExit("last layer must have activation none")
        self.layers = layers
        self.classes = layers[-1]["out_shape"][0]

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

    # ---- exact integer reference (numpy, slow but exact: used to check the twins) ----
    def run_integer(self, image_u8):
        T = self.T
        c = image_u8.astype(np.int64).reshape(self.input_shape)
        for l in self.layers:
            if l["kind"] == "avgpool":
                (kh, kw), (sh, sw) = l["kernel"], l["stride"]
                C, H, W = l["out_shape"]
                acc = np.zeros((C, H, W), np.int64)
                for i in range(kh):
                    for j in range(kw):
                        acc += c[:, i:i + sh * H:sh, j:j + sw * W:sw][:, :H, :W]
                c = acc // (kh * kw)
                continue
            q = l["q"].astype(np.int64)
            if l["kind"] == "conv":
                acc = conv2d_int(c, q, l["pad"], l["stride"])
                Mv, Bv = l["M"].reshape(-1, 1, 1), l["B"].reshape(-1, 1, 1)
            else:
                acc = q @ c.reshape(-1)
                Mv, Bv = l["M"], l["B"]
            k = T if l["first"] else 1
            A = Mv * acc * k + T * Bv
            if l["last"]:
                return A
            c = np.clip(A >> l["S"], 0, T)  # >> is floor division by 2^S for int64
        raise AssertionError


def conv2d_int(x, w, pad, stride):
    C, H, W = x.shape
    O, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    Ho = (H + 2 * pad[0] - kh) // stride[0] + 1
    Wo = (W + 2 * pad[1] - kw) // stride[1] + 1
    cols = np.empty((C, kh, kw, Ho, Wo), np.int64)
    for i in range(kh):
        for j in range(kw):
            cols[:, i, j] = xp[:, i:i + stride[0] * Ho:stride[0], j:j + stride[1] * Wo:stride[1]]
    return (w.reshape(O, -1) @ cols.reshape(C * kh * kw, -1)).reshape(O, Ho, Wo)
