"""A float PyTorch CNN as a Joule QNN/SNN twin, by post-training quantisation to T levels.

The module is traced with torch.fx into one chain of operations (no branches):

    Conv2d | Linear, then optionally BatchNorm (folded), a clipped ReLU (ReLU, ReLU6,
    Hardtanh(0, m), clamp(min=0[, max])), MaxPool2d / AvgPool2d (stride = kernel, no padding),
    AdaptiveAvgPool2d(1), Flatten / view(N, -1); Dropout and Identity are dropped; a final
    softmax / log_softmax is dropped (the argmax is unchanged).

Every weighted layer followed by a ReLU becomes a `quant` layer: its activation range [0, a_l] is
calibrated on sample images (the clip that minimises the mean squared T-level rounding error of
the float activations, or their `percentile`; capped by ReLU6 / Hardtanh), and the integer model computes code = floor(clamp(x / a_l, 0, 1)·T + ½) — the bias
carries the ½, so codes round to the nearest level instead of the floor. With the input bytes
mapped to the float model's input by x = (byte·scale − mean_c) / std_c, the weights the integer
model quantises (int8 / int4 per output channel, Models/README.md) are

    first layer:  w'[o,c] = w[o,c] / (std_c · a_1),   b' = (b − Σ w·mean_c/std_c) / a_1 + ½/T
    later layers: w' = w · a_in / a_l,                 b' = b / a_l + ½/T
    last layer (no ReLU, raw scores): w' = w · a_in,   b' = b

(a_in: the range of the layer's input codes; pooling keeps it). The biases carry half a level of
the T the model is imported for, so the model is calibrated for that T: run it at that T (the
agreement report's --sweep imports once per T). Max pooling of codes equals the
codes of max pooling (monotone); average pooling re-quantises (floor of the mean code), an
approximation the agreement report measures. A non-zero mean with a padded first convolution is
exact except at the border (the float model pads with 0, the integer model with byte 0).

Anything else raises UnsupportedModel naming the node, its type and the reason.
"""
import operator
import re

import torch
import torch.fx
import torch.nn as nn
import torch.nn.functional as F
from joule_train.export import quantize_weighted, write_model
from torch.fx.passes.shape_prop import ShapeProp

from .errors import UnsupportedModel

RELUS = (nn.ReLU, nn.ReLU6, nn.Hardtanh)
SKIPPED_MODULES = (nn.Dropout, nn.Dropout2d, nn.Identity)
SOFTMAXES = (nn.Softmax, nn.LogSoftmax)


class Op:
    """One operation of the traced chain."""

    def __init__(self, node, kind, **kw):
        self.node, self.kind = node, kind   # kind: conv linear bn relu maxpool avgpool flatten
        self.__dict__.update(kw)

    def __repr__(self):
        return f"Op({self.node}, {self.kind})"


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _module_op(name, m, shape_in):
    kind = type(m).__name__
    if isinstance(m, nn.Conv2d):
        if m.groups != 1:
            raise UnsupportedModel(name, kind, f"grouped convolution (groups={m.groups}) is not supported")
        if _pair(m.dilation) != (1, 1):
            raise UnsupportedModel(name, kind, f"dilation {m.dilation} is not supported")
        if m.padding_mode != "zeros":
            raise UnsupportedModel(name, kind, f"padding mode '{m.padding_mode}' is not supported (zeros only)")
        pad = m.padding
        if isinstance(pad, str):
            if pad == "valid":
                pad = (0, 0)
            elif all(k % 2 == 1 for k in m.kernel_size) and _pair(m.stride) == (1, 1):
                pad = tuple(k // 2 for k in m.kernel_size)
            else:
                raise UnsupportedModel(name, kind, "padding='same' with an even kernel or a stride")
        return Op(name, "conv", weight=m.weight.detach().double(),
                  bias=(m.bias.detach().double() if m.bias is not None else torch.zeros(m.out_channels, dtype=torch.float64)),
                  stride=_pair(m.stride), padding=_pair(pad))
    if isinstance(m, nn.Linear):
        return Op(name, "linear", weight=m.weight.detach().double(),
                  bias=(m.bias.detach().double() if m.bias is not None else torch.zeros(m.out_features, dtype=torch.float64)))
    if isinstance(m, (nn.BatchNorm2d, nn.BatchNorm1d)):
        if not m.track_running_stats or m.running_mean is None:
            raise UnsupportedModel(name, kind, "batch norm without running statistics cannot be folded")
        g = (m.weight.detach().double() if m.affine else torch.ones_like(m.running_mean, dtype=torch.float64))
        b = (m.bias.detach().double() if m.affine else torch.zeros_like(m.running_mean, dtype=torch.float64))
        scale = g / torch.sqrt(m.running_var.double() + m.eps)
        return Op(name, "bn", scale=scale, shift=b - m.running_mean.double() * scale)
    if isinstance(m, nn.ReLU):
        return Op(name, "relu", cap=None)
    if isinstance(m, nn.ReLU6):
        return Op(name, "relu", cap=6.0)
    if isinstance(m, nn.Hardtanh):
        if m.min_val != 0:
            raise UnsupportedModel(name, kind, f"min_val {m.min_val}: only clipped ReLUs (min 0) map")
        return Op(name, "relu", cap=float(m.max_val))
    if isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
        k, s = _pair(m.kernel_size), _pair(m.stride if m.stride is not None else m.kernel_size)
        if _pair(m.padding) != (0, 0) or getattr(m, "ceil_mode", False):
            raise UnsupportedModel(name, kind, "pooling with padding or ceil_mode is not supported")
        if isinstance(m, nn.MaxPool2d) and _pair(m.dilation) != (1, 1):
            raise UnsupportedModel(name, kind, "dilated pooling is not supported")
        if s != k:
            raise UnsupportedModel(name, kind, f"pooling stride {s} must equal its kernel {k}")
        return Op(name, "maxpool" if isinstance(m, nn.MaxPool2d) else "avgpool", kernel=k)
    if isinstance(m, nn.AdaptiveAvgPool2d):
        h, w = shape_in[-2:]
        if _pair(m.output_size) != (1, 1):
            raise UnsupportedModel(name, kind, f"output size {m.output_size}: only global pooling (1) maps")
        return Op(name, "avgpool", kernel=(h, w))
    if isinstance(m, nn.Flatten):
        if m.start_dim != 1 or m.end_dim != -1:
            raise UnsupportedModel(name, kind, "only flatten(1) (all but the batch dimension) maps")
        return Op(name, "flatten")
    if isinstance(m, SKIPPED_MODULES):
        return None
    if isinstance(m, SOFTMAXES):
        return Op(name, "softmax")
    reason = "recurrent layers are not supported" if isinstance(m, nn.RNNBase) else \
        "activation is not a clipped ReLU" if isinstance(m, (nn.LeakyReLU, nn.GELU, nn.Sigmoid, nn.Tanh, nn.SiLU,
                                                            nn.ELU, nn.PReLU)) else "no mapping to the integer model"
    raise UnsupportedModel(name, kind, reason)


def _function_op(node, shape_in):
    t, args, kw = node.target, node.args, node.kwargs
    name = node.name
    fname = getattr(t, "__name__", str(t))
    if t in (F.relu, torch.relu, "relu"):
        return Op(name, "relu", cap=None)
    if t in (F.relu6, "relu6"):
        return Op(name, "relu", cap=6.0)
    if t in (torch.clamp, torch.clip, "clamp", "clip", "clamp_", "clamp_min"):
        lo = kw.get("min", args[1] if len(args) > 1 else None)
        hi = kw.get("max", args[2] if len(args) > 2 else None)
        if lo != 0:
            raise UnsupportedModel(name, fname, f"clamp(min={lo}): only clipped ReLUs (min 0) map")
        return Op(name, "relu", cap=None if hi is None else float(hi))
    if t in (torch.flatten, "flatten"):
        start = kw.get("start_dim", args[1] if len(args) > 1 else 0)
        if start != 1:
            raise UnsupportedModel(name, fname, "only flatten(1) (all but the batch dimension) maps")
        return Op(name, "flatten")
    if t in ("view", "reshape") or t in (torch.reshape,):
        dims = [a for a in args[1:]] if t != torch.reshape else list(args[1])
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = list(dims[0])
        if len(dims) == 2 and dims[1] == -1:   # (N, -1); N may be x.size(0) / x.shape[0]
            return Op(name, "flatten")
        raise UnsupportedModel(name, fname, f"reshape to {dims}: only (N, -1) maps")
    if t in (F.max_pool2d, F.avg_pool2d):
        k = _pair(kw.get("kernel_size", args[1]))
        s = kw.get("stride", args[2] if len(args) > 2 else None)
        s = k if s in (None, []) else _pair(s)
        pad = _pair(kw.get("padding", args[3] if len(args) > 3 else 0))
        if s != k or pad != (0, 0):
            raise UnsupportedModel(name, fname, "pooling must have stride = kernel and no padding")
        return Op(name, "maxpool" if t is F.max_pool2d else "avgpool", kernel=k)
    if t in (F.softmax, F.log_softmax, torch.softmax, torch.log_softmax, "softmax", "log_softmax"):
        return Op(name, "softmax")
    if t in (F.dropout, "contiguous"):
        return None
    if t in (operator.add, torch.add, "add", operator.iadd, torch.cat):
        raise UnsupportedModel(name, fname, "branches (residual additions, concatenations) are not supported")
    raise UnsupportedModel(name, fname, "no mapping to the integer model")


def trace(model, input_shape):
    """The module's chain of operations (list of Op) and each op's output shape."""
    model = model.eval()
    try:
        gm = torch.fx.symbolic_trace(model)
    except Exception as e:  # noqa: BLE001 — fx raises many kinds; the message says what
        raise UnsupportedModel(type(model).__name__, "module", f"torch.fx cannot trace it: {e}") from e
    ShapeProp(gm).propagate(torch.zeros((1,) + tuple(input_shape)))
    modules = dict(gm.named_modules())
    ops, current, uses = [], None, {}
    # x.size(0) / x.shape[0] feeding a view(N, -1): shape queries, not data flow
    shape_nodes = set()
    for node in gm.graph.nodes:
        if (node.op == "call_method" and node.target == "size") or \
                (node.op == "call_function" and node.target is getattr and node.args[1] == "shape") or \
                (node.op == "call_function" and node.target is operator.getitem and node.args[0] in shape_nodes):
            shape_nodes.add(node)
    for node in gm.graph.nodes:
        if node in shape_nodes:
            continue
        for a in node.all_input_nodes:
            uses[a] = uses.get(a, 0) + 1
    for node in gm.graph.nodes:
        if node in shape_nodes:
            continue
        if node.op == "placeholder":
            if current is not None:
                raise UnsupportedModel(node.name, "input", "more than one model input")
            current = node
            continue
        if node.op == "output":
            break
        if node.op == "get_attr":
            raise UnsupportedModel(node.name, "get_attr", "parameters used outside a layer are not supported")
        inputs = [a for a in node.all_input_nodes if a not in shape_nodes]
        kind = (type(modules[node.target]).__name__ if node.op == "call_module"
                else getattr(node.target, "__name__", str(node.target)))
        if inputs != [current]:
            names = ", ".join(f"'{a.name}'" for a in inputs)
            raise UnsupportedModel(node.name, kind, f"reads {names}: branches (residual additions, "
                                                    "concatenations, recurrent edges) are not supported")
        if uses.get(current, 0) > 1:
            raise UnsupportedModel(node.name, kind, f"'{current.name}' feeds several nodes: branches are not supported")
        shape_in = tuple(current.meta["tensor_meta"].shape)
        op = (_module_op(node.target, modules[node.target], shape_in) if node.op == "call_module"
              else _function_op(node, shape_in))
        if op is not None:
            op.shape = tuple(node.meta["tensor_meta"].shape[1:])
            op.kind_name = kind
            ops.append(op)
        current = node
    return ops


def run_chain(ops, x, collect=False):
    """Runs the traced chain in float64 on model inputs x; returns the output (and, with collect,
    the output of every ReLU op by node name)."""
    acts = {}
    for op in ops:
        if op.kind == "conv":
            x = F.conv2d(x, op.weight, op.bias, op.stride, op.padding)
        elif op.kind == "linear":
            x = F.linear(x, op.weight, op.bias)
        elif op.kind == "bn":
            shape = (1, -1) + (1,) * (x.dim() - 2)
            x = x * op.scale.reshape(shape) + op.shift.reshape(shape)
        elif op.kind == "relu":
            x = x.clamp(min=0.0, max=op.cap)
            if collect:
                acts[op.node] = x
        elif op.kind == "maxpool":
            x = F.max_pool2d(x, op.kernel)
        elif op.kind == "avgpool":
            x = F.avg_pool2d(x, op.kernel)
        elif op.kind == "flatten":
            x = x.flatten(1)
    return (x, acts) if collect else x


class Layer:
    """A Joule layer being built: a weighted op with its folded batch norm and activation, or a
    pooling / flatten op."""

    def __init__(self, op):
        self.op, self.bn, self.relu, self.pools_after = op, None, None, []


def group(ops):
    """Groups the chain into Joule layers; checks the placement rules."""
    layers, last_weighted = [], None
    for i, op in enumerate(ops):
        k = op.kind
        if k in ("conv", "linear"):
            if last_weighted is not None and last_weighted.relu is None:
                raise UnsupportedModel(op.node, op.kind_name,
                                       f"no ReLU between '{last_weighted.op.node}' and this layer: the integer "
                                       "model quantises every hidden layer's output")
            L = Layer(op)
            layers.append(L)
            last_weighted = L
        elif k == "bn":
            if not layers or layers[-1] is not last_weighted or last_weighted.relu is not None or last_weighted.bn:
                raise UnsupportedModel(op.node, op.kind_name, "batch norm must follow a convolution or linear layer directly")
            last_weighted.bn = op
        elif k == "relu":
            if last_weighted is None:
                raise UnsupportedModel(op.node, op.kind_name, "a ReLU before the first layer (on the input) does not map")
            if last_weighted.relu is not None:
                if layers[-1] is last_weighted or all(l.op.kind == "maxpool" for l in layers[layers.index(last_weighted) + 1:]):
                    last_weighted.relu.cap = _min_cap(last_weighted.relu.cap, op.cap)   # relu∘relu
                    continue
                raise UnsupportedModel(op.node, op.kind_name, "a second ReLU after pooling does not map")
            between = layers[layers.index(last_weighted) + 1:]
            if any(l.op.kind not in ("maxpool", "flatten") for l in between):
                raise UnsupportedModel(op.node, op.kind_name, "average pooling between a layer and its ReLU does not "
                                                              "map (apply the ReLU before pooling)")
            last_weighted.relu = op   # max pooling and flatten commute with a ReLU
        elif k in ("maxpool", "avgpool", "flatten"):
            if last_weighted is None and k != "flatten":
                raise UnsupportedModel(op.node, op.kind_name, "pooling of the raw input does not map")
            layers.append(Layer(op))
        elif k == "softmax":
            if i != len(ops) - 1:
                raise UnsupportedModel(op.node, op.kind_name, "softmax is only allowed as the last operation")
    if last_weighted is None:
        raise UnsupportedModel("model", "module", "no convolution or linear layer")
    if last_weighted.relu is not None:
        raise UnsupportedModel(last_weighted.relu.node, last_weighted.relu.kind_name,
                               "the last layer's scores pass a ReLU; the integer model's last layer gives raw scores")
    tail = layers[layers.index(last_weighted) + 1:]
    if tail:
        raise UnsupportedModel(tail[0].op.node, tail[0].op.kind_name, "operations after the last layer do not map")
    return layers


def _min_cap(a, b):
    caps = [c for c in (a, b) if c is not None]
    return min(caps) if caps else None


def float_input(images, scale, mean, std):
    """Model inputs (float64) from input bytes: (byte·scale − mean_c) / std_c."""
    x = images.double() * scale
    c = x.shape[1]
    m = torch.tensor(mean if mean is not None else [0.0] * c, dtype=torch.float64).reshape(1, c, 1, 1)
    s = torch.tensor(std if std is not None else [1.0] * c, dtype=torch.float64).reshape(1, c, 1, 1)
    return (x - m) / s


def mse_range(v, T, cap=None, candidates=100):
    """The clip a minimising the mean squared error between the activations v and their T-level
    rounding a/T·round(clamp(v/a, 0, 1)·T), searched over a = max·k/candidates (k = 1…candidates)."""
    top = float(v.max()) if cap is None else min(float(v.max()), cap)
    if top <= 0:
        return 0.0
    best, best_err = top, None
    v = v.double()
    for k in range(1, candidates + 1):
        a = top * k / candidates
        q = torch.floor(torch.clamp(v / a, 0, 1) * T + 0.5) * (a / T)
        err = float(((v - q) ** 2).mean())
        if best_err is None or err < best_err:
            best, best_err = a, err
    return best


def calibrate(model, layers, ops, images, scale, mean, std, percentile, T=6, method="mse"):
    """Each ReLU layer's activation range a_l from its float activations on `images`: the clip
    minimising the T-level rounding error (method 'mse') or their `percentile` ('percentile'),
    capped by a ReLU6 / Hardtanh bound. Also checks that the traced chain computes what the
    module computes."""
    x = float_input(images, scale, mean, std)
    with torch.no_grad():
        out, acts = run_chain(ops, x, collect=True)
        ref = model.float().eval()(x.float()).double()
    tol = 1e-3 * max(1.0, float(ref.abs().max()))
    if ref.shape != out.shape or float((ref - out).abs().max()) > tol:
        raise UnsupportedModel(type(model).__name__, "module",
                               "the traced operations do not reproduce the module's output (an operation "
                               "the tracer does not see, e.g. in forward code outside the graph)")
    ranges = {}
    for L in layers:
        if L.relu is None:
            continue
        v = acts[L.relu.node].flatten()
        if v.numel() > 2_000_000:
            v = v[torch.randperm(v.numel(), generator=torch.Generator().manual_seed(0))[:2_000_000]]
        if method == "mse":
            a = mse_range(v, T, L.relu.cap)
        else:
            a = float(torch.quantile(v.float(), percentile / 100.0)) if v.numel() else 0.0
            if L.relu.cap is not None:
                a = min(a, L.relu.cap)
        if a <= 0:
            a = float(v.max()) if v.numel() and float(v.max()) > 0 else 1.0
        ranges[L.op.node] = a
    return ranges


def joule_name(node, taken):
    """A layer name the format accepts (1–31 ASCII letters, digits, '_', '-'), unique."""
    n = re.sub(r"[^A-Za-z0-9_-]", "_", node)[:31] or "layer"
    base, i = n, 1
    while n in taken:
        suffix = f"_{i}"
        n = base[:31 - len(suffix)] + suffix
        i += 1
    taken.add(n)
    return n


def build(layers, ranges, input_shape, T, bits, scale, mean, std):
    """The JSON layers and the tensors of the integer model (see the module docstring)."""
    c_in = input_shape[0]
    mean_t = torch.tensor(mean if mean is not None else [0.0] * c_in, dtype=torch.float64)
    std_t = torch.tensor(std if std is not None else [1.0] * c_in, dtype=torch.float64)
    json_layers, tensors, taken, unit_in = [], {}, set(), None
    for L in layers:
        op = L.op
        name = joule_name(op.node, taken)
        if op.kind in ("conv", "linear"):
            w, b = op.weight.clone(), op.bias.clone()
            if L.bn is not None:
                w = w * L.bn.scale.reshape((-1,) + (1,) * (w.dim() - 1))
                b = b * L.bn.scale + L.bn.shift
            if unit_in is None:   # first layer: fold the input normalisation
                per_in = w.shape[1] // c_in if op.kind == "linear" else 1
                ch = (std_t.repeat_interleave(per_in) if op.kind == "linear" else std_t)
                mu = (mean_t.repeat_interleave(per_in) if op.kind == "linear" else mean_t)
                shape = (1, -1) + (1,) * (w.dim() - 2)
                w = w / ch.reshape(shape)
                b = b - (w * mu.reshape(shape)).reshape(w.shape[0], w.shape[1], -1).sum(dim=(1, 2))
            a = ranges.get(op.node)
            gain = 1.0 if unit_in is None else unit_in
            if a is not None:
                w, b = w * gain / a, b / a + 0.5 / T
            else:
                w, b = w * gain, b
            reads_input = unit_in is None
            try:
                t, S = quantize_weighted(name, w, b, bits, scale if reads_input else 1.0, reads_input)
            except AssertionError as e:
                raise UnsupportedModel(op.node, op.kind_name, f"exceeds the integer model's limits: {e}") from e
            tensors.update(t)
            j = {"name": name, "type": "conv2d" if op.kind == "conv" else "linear"}
            if op.kind == "conv":
                j.update({"outChannels": int(w.shape[0]), "kernel": list(w.shape[2:]),
                          "stride": list(op.stride), "padding": list(op.padding)})
            else:
                j["outFeatures"] = int(w.shape[0])
            j.update({"weightBits": bits, "shift": S, "activation": "quant" if a is not None else "none"})
            json_layers.append(j)
            unit_in = a
        elif op.kind in ("maxpool", "avgpool"):
            json_layers.append({"name": name, "type": op.kind, "kernel": list(op.kernel)})
        elif op.kind == "flatten":
            json_layers.append({"name": name, "type": "flatten"})
    return json_layers, tensors


def import_module(model, input_shape, calibration_images, out_dir, name, T=6, bits=8, scale=1 / 255,
                  mean=None, std=None, percentile=99.99, method="mse", classes=None, dataset=None,
                  metadata=None):
    """Traces, calibrates and writes `<out_dir>/<name>.json` + `.safetensors`; returns the JSON
    path and the activation ranges. Raises UnsupportedModel before writing anything."""
    ops = trace(model, input_shape)
    layers = group(ops)
    ranges = calibrate(model, layers, ops, calibration_images, scale, mean, std, percentile, T, method)
    json_layers, tensors = build(layers, ranges, input_shape, T, bits, scale, mean, std)
    meta = {"importer": "joule_import.pytorch", "calibration": method, "calibration_images": len(calibration_images),
            "calibrated_for_timesteps": T}
    if method == "percentile":
        meta["percentile"] = percentile
    meta.update(metadata or {})
    path = write_model(out_dir, name, tuple(input_shape), scale, T, json_layers, tensors,
                       dataset=dataset, classes=classes, metadata=meta)
    return path, ranges
