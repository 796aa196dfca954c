"""A NIR graph (the Neuromorphic Intermediate Representation, `nir` on PyPI) as a Joule SNN.

NIR describes neurons in continuous time; a framework simulates them in steps of `dt`. The graph
must be one chain from its `Input` to its `Output` (no branches, merges, recurrent edges or
subgraphs). Each weighted node (`Affine`, `Linear`, `Conv2d`) and the neuron after it become one
Joule layer; what lies between them folds exactly into the weights:

- `Scale` (elementwise gain), `SumPool2d` and `AvgPool2d` (stride = kernel, no padding) between a
  neuron (or the input) and the next weighted node fold into that node's weights: pooling before a
  `Linear` spreads each weight over its window, pooling before a `Conv2d` makes a kernel `p` times
  larger with `p` times the stride and padding; a `Scale` (one factor, one per input value, or
  C×1×1 per channel) scales the input columns;
- `SumPool2d` / `AvgPool2d` / `Scale` between a `Conv2d` and its neuron fold into the convolution
  (the pooled current of a `k×k` stride-`s` convolution is a `(k + s(p−1))`-wide convolution with
  stride `s·p`);
- `Flatten` is the identity on Joule's CHW data.

Per step, with the step's input `x_t` (the input bytes times `--scale` for the first layer, the
previous layer's spikes 0/1 after it), the neurons are, discretised as the frameworks do:

    IF        v ← v + R·(W x_t + b)                     (NIR: dv/dt = R·I; Norse and Sinabs step
                                                        v ← v + I and expect R = 1)
    LIF       v ← β·v + g·(W x_t + b),  β = 1 − dt/τ, g = dt·R/τ   (forward Euler; snnTorch's
              export writes R = τ/dt, so g = 1 there; Norse's box LIF writes R = 1)
    Threshold v ← W x_t + b                             (β = 0)
    spike when v > v_threshold, then v ← v_reset (which must be 0)

In units of the threshold (`u = v / v_threshold`) that is Joule's neuron with threshold `2^S`: the
weights and the bias of output `j` are multiplied by `g_j / θ_j` (per output channel: a
convolution's neuron parameters must not vary within a channel) and quantised to int8 (or int4)
per output channel with `joule_train.export.quantize_weighted`; `β` is rounded to a multiple of
2^−16 (`neuron.beta` of Models/README.md, stated where it rounds) and must be the same for every
neuron of a layer. The neuron is `{"beta": β, "fireAboveThreshold": true, "resetToZero": true}`,
NIR's immediate reset to zero; `reset="subtract"` subtracts the threshold instead (frameworks that
export reset-by-subtraction neurons as IF / LIF), and `fire_at_threshold` fires on `v ≥ θ`: an IF
layer with both is Joule's integrate-and-fire neuron, the QNN's twin, which every schedule runs.

The read-out: a graph ending in a weighted node (or a weighted node and an `I` integrator) is read
out by the summed current (Joule's `activation: "none"`, `--readout membrane`); a graph ending in a
neuron by its spike counts (`--readout spikes`). The timestep `dt` is not in the file: it is needed
for LIF neurons (snnTorch's export assumes 1e-4, Norse's 1e-3).

Refused, naming the node, its type and the reason: anything else (CubaLIF / CubaLI synapses, a
leaky read-out LI, Delay, Conv1d, grouped or dilated convolutions, overlapping or padded pooling,
non-zero v_leak or v_reset, per-neuron time constants within a layer, biases of the wrong size,
non-finite numbers, an input shape other than the data's, two weighted nodes or two neurons in a
row, a neuron on the input, pooling after the last neuron).
"""
from dataclasses import dataclass, field

import numpy as np
import nir
import torch
from joule_train.export import quantize_weighted, write_model

from .errors import UnsupportedModel
from .pytorch_import import joule_name

LEAK_GRID = 1 << 16            # neuron.beta is a multiple of 2^-16 (Models/README.md)
BETA_TOLERANCE = 1e-6           # β within this of the grid is exact up to the float32 time constants of the file
WEIGHTED = (nir.Affine, nir.Linear, nir.Conv2d)
NEURONS = (nir.IF, nir.LIF, nir.Threshold)
POOLS = (nir.SumPool2d, nir.AvgPool2d)
REFUSED = {
    "CubaLIF": "current-based (synaptic) neurons are not supported: Joule's neurons integrate the input current directly",
    "CubaLI": "current-based leaky integrators are not supported",
    "LI": "a leaky integrator read-out is not supported: Joule reads out the summed current "
          "(end the graph with the weighted node, or an I integrator)",
    "Delay": "delays are not supported",
    "Conv1d": "1-D convolutions are not supported",
    "NIRGraph": "subgraphs (recurrent layers such as snnTorch's RLeaky export as one) are not supported",
}


def _kind(node):
    return type(node).__name__


def _pair(v, node_name, node, what):
    a = np.asarray(v).astype(np.int64).ravel()
    if a.size == 1:
        a = np.repeat(a, 2)
    if a.size != 2:
        raise UnsupportedModel(node_name, _kind(node), f"{what} {v} is not a pair")
    return int(a[0]), int(a[1])


@dataclass
class Weighted:
    """One weighted node, its folds and its neuron: becomes one Joule layer."""
    node: str
    kind: str                      # "conv2d" | "linear"
    weight: np.ndarray             # float64, PyTorch layout, over the (folded) input of the layer
    bias: np.ndarray               # float64, per output
    in_shape: tuple                # the folded input's shape (C, H, W) or (N,)
    out_shape: tuple
    stride: tuple = (1, 1)
    padding: tuple = (0, 0)
    row_scale: np.ndarray = None   # per output: Scale / gain / 1/θ folds
    neuron: dict = None            # the JSON `neuron` field (None: integrate-and-fire)
    neuron_node: str = None
    notes: list = field(default_factory=list)


def read(path):
    """The graph of a .nir file; a clear error when it is not one."""
    try:
        return nir.read(path)
    except Exception as e:   # h5py / nir raise many kinds
        raise UnsupportedModel(path, "file", f"not a readable NIR graph ({type(e).__name__}: {e})") from e


def chain(graph):
    """The nodes from Input to Output as [(name, node)]; refuses anything but one chain."""
    nodes, edges = graph.nodes, graph.edges
    for k, v in nodes.items():
        if isinstance(v, nir.NIRGraph):
            raise UnsupportedModel(k, "NIRGraph", REFUSED["NIRGraph"])
    ins = [k for k, v in nodes.items() if isinstance(v, nir.Input)]
    outs = [k for k, v in nodes.items() if isinstance(v, nir.Output)]
    if len(ins) != 1 or len(outs) != 1:
        raise UnsupportedModel("graph", "NIRGraph", f"has {len(ins)} inputs and {len(outs)} outputs; one of each is supported")
    succ, pred = {k: [] for k in nodes}, {k: [] for k in nodes}
    for a, b in edges:
        for end in (a, b):
            if end not in nodes:
                raise UnsupportedModel(end, "edge", f"edge {a} → {b} names a node the graph does not have")
        succ[a].append(b)
        pred[b].append(a)
    order, cur = [ins[0]], ins[0]
    while cur != outs[0]:
        s = succ[cur]
        if len(s) != 1:
            what = "leads nowhere" if not s else f"feeds {len(s)} nodes ({', '.join(s)}): branches are not supported"
            raise UnsupportedModel(cur, _kind(nodes[cur]), what)
        nxt = s[0]
        if nxt in order:
            raise UnsupportedModel(cur, _kind(nodes[cur]), f"edge back to '{nxt}': recurrent connections are not supported")
        if len(pred[nxt]) != 1:
            raise UnsupportedModel(nxt, _kind(nodes[nxt]), f"receives {len(pred[nxt])} edges ({', '.join(pred[nxt])}): "
                                   "merges and recurrent connections are not supported")
        order.append(nxt)
        cur = nxt
    stray = [k for k in nodes if k not in order]
    if stray:
        raise UnsupportedModel(stray[0], _kind(nodes[stray[0]]), "is not on the path from the input to the output")
    return [(k, nodes[k]) for k in order]


def _per_output(value, w, node_name, node, what):
    """A neuron parameter as one float per output channel of `w` (scalars broadcast; a
    convolution's must be the same over each channel's positions)."""
    a = _finite(node_name, node, what, np.asarray(value, dtype=np.float64))
    n_out = int(np.prod(w.out_shape))
    if a.size == 1:
        return np.full(w.out_shape[0], float(a.ravel()[0]))
    if a.size != n_out:
        raise UnsupportedModel(node_name, _kind(node), f"{what} has {a.size} values, the layer before it has {n_out} outputs")
    a = a.reshape(w.out_shape[0], -1)
    if not np.all(a == a[:, :1]):
        raise UnsupportedModel(node_name, _kind(node), f"{what} varies within a channel: Joule's parameters are per channel")
    return a[:, 0].copy()


def _neuron(name, node, w, dt, reset, fire_at_threshold):
    """Folds the neuron `node` into `w` (gain / threshold into the rows) and sets its JSON field."""
    zero_fields = [f for f in ("v_leak", "v_reset") if hasattr(node, f)
                   and not np.allclose(np.asarray(getattr(node, f), dtype=np.float64), 0.0)]
    if zero_fields:
        raise UnsupportedModel(name, _kind(node), f"{zero_fields[0]} must be 0 (Joule resets to 0 or subtracts the "
                               "threshold, and has no resting potential)")
    if isinstance(node, nir.Threshold):
        theta, gain, beta = _per_output(node.threshold, w, name, node, "threshold"), 1.0, 0.0
    elif isinstance(node, nir.IF):
        theta = _per_output(node.v_threshold, w, name, node, "v_threshold")
        gain, beta = _per_output(node.r, w, name, node, "r"), 1.0
    else:
        if dt is None:
            raise UnsupportedModel(name, "LIF", "LIF needs the simulation timestep: give --dt "
                                   "(snnTorch's NIR export assumes 1e-4, Norse's 1e-3)")
        theta = _per_output(node.v_threshold, w, name, node, "v_threshold")
        tau = _per_output(node.tau, w, name, node, "tau")
        r = _per_output(node.r, w, name, node, "r")
        if np.any(tau <= 0):
            raise UnsupportedModel(name, "LIF", "tau must be positive")
        betas = 1.0 - dt / tau
        if betas.max() - betas.min() > 1e-6:
            raise UnsupportedModel(name, "LIF", f"per-neuron time constants (β = 1 − dt/τ from {betas.min():.6g} to "
                                   f"{betas.max():.6g}) are not supported: Joule's leak is per layer")
        beta = float(np.mean(betas))
        if beta < 0:
            raise UnsupportedModel(name, "LIF", f"dt / tau = {dt / tau.min():.3g} > 1: the Euler step is unstable")
        gain = dt * r / tau
    if np.any(theta <= 0):
        raise UnsupportedModel(name, _kind(node), "the threshold must be positive")
    gain = np.broadcast_to(np.asarray(gain, dtype=np.float64), theta.shape)
    if np.any(gain <= 0):
        raise UnsupportedModel(name, _kind(node), "the input gain (r) must be positive")
    w.row_scale = w.row_scale * gain / theta
    grid = round(beta * LEAK_GRID) / LEAK_GRID
    if abs(grid - beta) > BETA_TOLERANCE:
        w.notes.append(f"{name}: β = {beta:.9g} rounded to {grid:.9g} (a multiple of 2^-16)")
    if reset == "subtract" and fire_at_threshold and grid == 1.0:
        w.neuron = None     # Joule's integrate-and-fire: the QNN's twin
    else:
        w.neuron = {"beta": grid, "resetDelay": False, "fireAboveThreshold": not fire_at_threshold,
                    "resetToZero": reset == "zero"}
    w.neuron_node = name


def _fold_pre(w, pre, name, node):
    """Folds the Scale / pooling / Flatten nodes that lie between the previous neuron (or the
    input) and `w` into its weights, last first; `pre` holds (kind, shape before, args)."""
    for kind, shape, arg in reversed(pre):
        if kind == "flatten":
            if w.kind == "conv2d":
                raise UnsupportedModel(name, _kind(node), "a convolution after a Flatten is not supported")
            w.in_shape = shape
        elif kind == "scale":
            s, scale_name = arg
            per_c = _scale_per_input(s, shape, w.kind == "conv2d")
            if per_c is None:
                raise UnsupportedModel(scale_name, "Scale", f"shape {tuple(s.shape)} does not fit its input "
                                       f"{tuple(shape)}" + (f" per channel (it feeds the convolution '{name}')"
                                                            if w.kind == "conv2d" else "")
                                       + ": give one factor, one per value, or C×1×1")
            w.weight = w.weight * (per_c.reshape(1, -1, 1, 1) if w.kind == "conv2d" else per_c.reshape(1, -1))
            w.in_shape = shape
        else:   # pool: (ph, pw, average)
            ph, pw, avg = arg
            c, h, wd = shape
            hp, wp = h // ph, wd // pw
            area = 1.0 / (ph * pw) if avg else 1.0
            if w.kind == "linear":
                k = w.weight.reshape(w.weight.shape[0], c, hp, wp)
                full = np.zeros((w.weight.shape[0], c, h, wd))
                full[:, :, :hp * ph, :wp * pw] = np.repeat(np.repeat(k, ph, axis=2), pw, axis=3) * area
                w.weight = full.reshape(w.weight.shape[0], -1)
            else:
                if any(w.padding) and (h % ph or wd % pw):
                    raise UnsupportedModel(name, _kind(node), f"padding after pooling {ph}×{pw} of a {h}×{wd} map "
                                           "that the window does not divide is not supported")
                w.weight = np.repeat(np.repeat(w.weight, ph, axis=2), pw, axis=3) * area
                w.stride = (w.stride[0] * ph, w.stride[1] * pw)
                w.padding = (w.padding[0] * ph, w.padding[1] * pw)
            w.in_shape = shape


def _scale_per_input(s, shape, per_channel):
    """A Scale's factors per input value (per channel for a convolution), or None where they do not
    fit: one factor, one per input value, or one per channel given as C×1×1 (a bare vector of C is
    ambiguous against a C×H×W map and refused)."""
    if s.size == 1:
        full = np.full(shape, float(s.ravel()[0]))
    elif s.size == int(np.prod(shape)):
        full = s.reshape(shape)
    elif len(shape) == 3 and s.shape == (shape[0], 1, 1):
        full = np.broadcast_to(s, shape)
    else:
        return None
    if not per_channel:
        return full.reshape(-1).copy()
    flat = full.reshape(shape[0], -1)
    return flat[:, 0].copy() if np.all(flat == flat[:, :1]) else None


def _pool_after_conv(w, ph, pw, avg, name, node):
    """The current of pooling ph×pw (stride = window) over a convolution's output: a convolution
    with kernel k + s(p − 1), stride s·p, the same padding; the bias times the window (sum)."""
    o, c, kh, kw = w.weight.shape
    sh, sw = w.stride
    k = np.zeros((o, c, kh + sh * (ph - 1), kw + sw * (pw - 1)))
    for a in range(ph):
        for b in range(pw):
            k[:, :, sh * a:sh * a + kh, sw * b:sw * b + kw] += w.weight
    area = 1.0 / (ph * pw) if avg else 1.0
    w.weight, w.bias = k * area, w.bias * (ph * pw) * area
    w.stride = (sh * ph, sw * pw)
    w.out_shape = (w.out_shape[0], w.out_shape[1] // ph, w.out_shape[2] // pw)


def _finite(name, node, what, a):
    if not np.all(np.isfinite(a)):
        raise UnsupportedModel(name, _kind(node), f"{what} has values that are not finite numbers")
    return a


def _bias(name, node, n_out):
    """The node's bias (zeros where it has none), one per output."""
    b = getattr(node, "bias", None)
    if b is None:
        return np.zeros(n_out)
    b = _finite(name, node, "bias", np.asarray(b, dtype=np.float64).ravel())
    if b.size != n_out:
        raise UnsupportedModel(name, _kind(node), f"bias has {b.size} values for {n_out} outputs")
    return b


def _weighted(name, node, shape):
    if isinstance(node, nir.Conv2d):
        if len(shape) != 3:
            raise UnsupportedModel(name, "Conv2d", f"reads a {len(shape)}-D input; a convolution reads C×H×W")
        if int(np.prod(np.asarray(node.groups))) != 1:
            raise UnsupportedModel(name, "Conv2d", f"grouped convolution (groups={node.groups}) is not supported")
        if _pair(node.dilation, name, node, "dilation") != (1, 1):
            raise UnsupportedModel(name, "Conv2d", f"dilated convolution (dilation={node.dilation}) is not supported")
        padding = node.padding
        if isinstance(padding, str):
            if padding != "valid":
                raise UnsupportedModel(name, "Conv2d", f"padding '{padding}' is not supported (give it as numbers)")
            padding = 0
        wt = _finite(name, node, "weight", np.asarray(node.weight, dtype=np.float64))
        if wt.ndim != 4 or wt.shape[1] != shape[0]:
            raise UnsupportedModel(name, "Conv2d", f"weight shape {wt.shape} does not read {shape[0]} channels")
        stride, pad = _pair(node.stride, name, node, "stride"), _pair(padding, name, node, "padding")
        oh = (shape[1] + 2 * pad[0] - wt.shape[2]) // stride[0] + 1
        ow = (shape[2] + 2 * pad[1] - wt.shape[3]) // stride[1] + 1
        if oh < 1 or ow < 1:
            raise UnsupportedModel(name, "Conv2d", f"kernel {wt.shape[2:]} does not fit the {shape[1]}×{shape[2]} input")
        return Weighted(name, "conv2d", wt, _bias(name, node, wt.shape[0]), shape, (wt.shape[0], oh, ow), stride, pad, np.ones(wt.shape[0]))
    wt = _finite(name, node, "weight", np.asarray(node.weight, dtype=np.float64))
    if wt.ndim != 2 or wt.shape[1] != int(np.prod(shape)):
        raise UnsupportedModel(name, _kind(node), f"weight shape {wt.shape} does not read the {int(np.prod(shape))} "
                               f"values of its input {tuple(shape)}")
    bias = _bias(name, node, wt.shape[0]) if isinstance(node, nir.Affine) else np.zeros(wt.shape[0])
    return Weighted(name, "linear", wt, bias, tuple(shape), (wt.shape[0],), row_scale=np.ones(wt.shape[0]))


def _pool_args(name, node):
    k = _pair(node.kernel_size, name, node, "kernel_size")
    s = _pair(node.stride, name, node, "stride")
    p = _pair(node.padding, name, node, "padding")
    if s != k or p != (0, 0):
        raise UnsupportedModel(name, _kind(node), f"pooling with stride {s} and padding {p} is not supported "
                               f"(stride must equal the window {k}, no padding)")
    return k[0], k[1], isinstance(node, nir.AvgPool2d)


def _check_input(name, declared, input_shape):
    """The graph's declared input against the data's C×H×W: a flat input by its size, a 2-D one as
    1×H×W, a 3-D one (or 4-D with a batch of 1) exactly."""
    if not declared:
        return
    dims = tuple(int(d) for d in np.asarray(list(declared.values())[0]).ravel())
    if len(dims) in (2, 4) and dims[0] == 1:   # a batch of one
        dims = dims[1:]
    shown = "×".join(map(str, input_shape))
    if len(dims) <= 1:
        size = int(np.prod(dims)) if dims else 1
        if size != int(np.prod(input_shape)):
            raise UnsupportedModel(name, "Input", f"declares {size} values; the data's input is {shown} = "
                                   f"{int(np.prod(input_shape))} (--input-shape)")
    elif (dims if len(dims) == 3 else (1,) + dims) != input_shape:
        raise UnsupportedModel(name, "Input", f"declares {'×'.join(map(str, dims))}; the data's input is {shown} "
                               "(--input-shape)")


def plan(graph, input_shape, dt=None, reset="zero", fire_at_threshold=False):
    """The Joule layers of `graph` as [Weighted] and the read-out ("membrane" or "spikes")."""
    nodes = chain(graph)
    declared = next(v for _, v in nodes if isinstance(v, nir.Input)).input_type
    _check_input(nodes[0][0], declared, tuple(input_shape))
    shape, pre, current, layers = tuple(input_shape), [], None, []
    for at, (name, node) in enumerate(nodes[1:-1], start=1):
        kind = _kind(node)
        if isinstance(node, WEIGHTED):
            if current is not None:
                raise UnsupportedModel(name, kind, f"follows the weighted node '{current.node}' without a neuron between them")
            current = _weighted(name, node, shape)
            _fold_pre(current, pre, name, node)
            pre, shape = [], current.out_shape
        elif isinstance(node, nir.Flatten):
            if current is not None:
                raise UnsupportedModel(name, kind, "a Flatten between a weighted node and its neuron is not supported")
            pre.append(("flatten", shape, None))
            shape = (int(np.prod(shape)),)
        elif isinstance(node, POOLS):
            ph, pw, avg = _pool_args(name, node)
            if len(shape) != 3:
                raise UnsupportedModel(name, kind, f"pools a {len(shape)}-D input")
            if current is not None:
                if current.kind != "conv2d":
                    raise UnsupportedModel(name, kind, "pooling after a linear layer is not supported")
                _pool_after_conv(current, ph, pw, avg, name, node)
                shape = current.out_shape
            else:
                pre.append(("pool", shape, (ph, pw, avg)))
                shape = (shape[0], shape[1] // ph, shape[2] // pw)
            if 0 in shape:
                raise UnsupportedModel(name, kind, f"a {ph}×{pw} window does not fit the input")
        elif isinstance(node, nir.Scale):
            s = _finite(name, node, "scale", np.asarray(node.scale, dtype=np.float64))
            if current is not None:
                current.row_scale = current.row_scale * _per_output(s, current, name, node, "scale")
            else:
                pre.append(("scale", shape, (s, name)))
        elif isinstance(node, NEURONS):
            if current is None:
                where = "the input" if not layers else f"the neuron '{layers[-1].neuron_node}'"
                raise UnsupportedModel(name, kind, f"follows {where}: a neuron must follow a weighted node (Affine, Linear, Conv2d)")
            _neuron(name, node, current, dt, reset, fire_at_threshold)
            layers.append(current)
            current = None
        elif isinstance(node, nir.I) and current is not None and at == len(nodes) - 2:
            r = np.asarray(node.r, dtype=np.float64).ravel()
            if not (np.all(r == r[0]) and r[0] > 0):
                raise UnsupportedModel(name, "I", "an integrator read-out needs one positive r for all outputs")
        elif kind in REFUSED:
            raise UnsupportedModel(name, kind, REFUSED[kind])
        elif isinstance(node, nir.I):
            raise UnsupportedModel(name, "I", "an integrator is supported only as the read-out (after the last weighted node)")
        else:
            raise UnsupportedModel(name, kind, "this node type is not supported")
    if current is not None:
        layers.append(current)
        return layers, "membrane"
    if not layers:
        raise UnsupportedModel("graph", "NIRGraph", "has no weighted node")
    if any(k == "pool" or k == "scale" for k, _, _ in pre):
        raise UnsupportedModel(nodes[-2][0], _kind(nodes[-2][1]), "pooling or scaling the last neuron's spikes is not supported "
                               "(Joule reads out the last layer's spike counts)")
    return layers, "spikes"


def build(layers, input_shape, scale, bits):
    """The JSON layers and tensors of the planned layers."""
    json_layers, tensors, taken = [], {}, set()
    notes = [n for w in layers for n in w.notes]
    for k, w in enumerate(layers):
        reads_input = k == 0
        last = k == len(layers) - 1
        if w.kind == "linear" and len(w.in_shape) == 3:
            json_layers.append({"name": joule_name(f"{w.node}_flat", taken), "type": "flatten"})
        name = joule_name(w.node, taken)
        rows = w.row_scale.reshape((-1,) + (1,) * (w.weight.ndim - 1))
        weight = torch.from_numpy(w.weight * rows)
        bias = torch.from_numpy(w.bias * w.row_scale)
        try:
            t, S = quantize_weighted(name, weight, bias, bits, scale if reads_input else 1.0, reads_input)
        except AssertionError as e:
            raise UnsupportedModel(w.node, w.kind, f"exceeds the integer model's limits: {e}") from e
        tensors.update(t)
        j = {"name": name, "type": w.kind}
        if w.kind == "conv2d":
            j.update({"outChannels": int(w.weight.shape[0]), "kernel": list(w.weight.shape[2:]),
                      "stride": list(w.stride), "padding": list(w.padding)})
        else:
            j["outFeatures"] = int(w.weight.shape[0])
        j.update({"weightBits": bits, "shift": S, "activation": "none" if last else "quant"})
        if w.neuron is not None:
            j["neuron"] = w.neuron
        json_layers.append(j)
    return json_layers, tensors, notes


def import_nir(path, out_dir, name, T, input_shape=(1, 28, 28), scale=1 / 255, bits=8, dt=None, reset="zero",
               fire_at_threshold=False, classes=None, dataset=None, metadata=None):
    """Reads, maps and writes `<out_dir>/<name>.json` + `.safetensors`; returns the JSON path, the
    read-out ("membrane" | "spikes") and the notes on approximations. Raises UnsupportedModel
    before writing anything."""
    graph = read(path)
    layers, readout = plan(graph, input_shape, dt, reset, fire_at_threshold)
    json_layers, tensors, notes = build(layers, input_shape, scale, bits)
    meta = {"importer": "joule_import.nir", "readout": readout, "reset": reset,
            "fire_at_threshold": str(fire_at_threshold).lower()}
    if dt is not None:
        meta["dt"] = repr(dt)
    meta.update(metadata or {})
    meta = {k: str(v) for k, v in meta.items()}
    out = write_model(out_dir, name, tuple(input_shape), scale, T, json_layers, tensors, dataset=dataset,
                      classes=classes, metadata=meta)
    return out, readout, notes
