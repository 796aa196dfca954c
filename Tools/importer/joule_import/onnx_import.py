"""A quantised ONNX model (QDQ format, as ONNX Runtime's quantiser writes it) as a Joule QNN/SNN twin.

The graph must be one chain from its input to its output: QuantizeLinear / DequantizeLinear pairs
around Conv, Gemm / MatMul (+ Add), Relu / Clip(min 0), MaxPool / AveragePool (stride = kernel,
no padding), GlobalAveragePool, Flatten / Reshape(N, −1), BatchNormalization after a Conv, and a
final Softmax (dropped). Weights are int8 (symmetric, per tensor or per output channel) behind
DequantizeLinear; activations are uint8 with zero point 0, i.e. clipped at 0 — a ReLU.

The arithmetic maps as follows. An activation quantised with scale s_l holds codes
q = saturate(round(z / s_l)) in 0…255, which is the Joule layer of range a_l = 255·s_l at T = 255
(the bias carries the half level, so codes round). Weights dequantise to q·s and re-quantise to the
same int8 values (per-channel weights, whose maximum is ±127 as ONNX Runtime's symmetric quantiser leaves
it; per-tensor weights are re-quantised per channel, an approximation). So at T = 255 a graph of
convolutions, linear layers and max pooling with per-channel weights imports exactly up to two
things the agreement report measures: ties (ONNX Runtime rounds half to even, Joule half up) and
the fixed-point multiplier M/2^S (≥ 15 significant bits) against ONNX Runtime's float rescale.
Average pooling floors the mean code where ONNX Runtime rounds it: an approximation. At T < 255
the codes are re-quantised to T levels of the same ranges: a stated approximation. The model is
calibrated for its T: its biases carry half a level of that T, so run it at that T. The model input must be the data bytes
times `input_scale` (the ONNX input quantiser then reproduces the bytes when its scale equals it).

Anything else raises UnsupportedModel naming the node, its operator and the reason.
"""
import numpy as np
import onnx
import torch
from onnx import numpy_helper, shape_inference

from . import pytorch_import as pi
from .errors import UnsupportedModel

PASS_THROUGH = {"Identity", "Dropout"}


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _name(node):
    return node.name or (node.output[0] if node.output else node.op_type)


class Graph:
    def __init__(self, model):
        self.model = shape_inference.infer_shapes(model)
        g = self.model.graph
        self.init = {t.name: numpy_helper.to_array(t) for t in g.initializer}
        self.producer = {o: n for n in g.node for o in n.output}
        self.consumers = {}
        for n in g.node:
            for i in n.input:
                self.consumers.setdefault(i, []).append(n)
        self.shapes = {}
        for vi in list(g.value_info) + list(g.input) + list(g.output):
            dims = [d.dim_value for d in vi.type.tensor_type.shape.dim]
            self.shapes[vi.name] = dims

    def constant(self, name, node, what):
        """The float value of a weight input: an initializer, or DequantizeLinear of one."""
        if name in self.init:
            return self.init[name].astype(np.float64)
        p = self.producer.get(name)
        if p is not None and p.op_type == "DequantizeLinear" and p.input[0] in self.init:
            q = self.init[p.input[0]].astype(np.float64)
            s = self.init[p.input[1]].astype(np.float64)
            zp = self.init[p.input[2]].astype(np.float64) if len(p.input) > 2 and p.input[2] else 0.0
            axis = _attrs(p).get("axis", 1)
            if np.ndim(s) == 1 and s.size > 1:
                shape = [1] * q.ndim
                shape[axis] = -1
                s, zp = s.reshape(shape), (np.reshape(zp, shape) if np.ndim(zp) else zp)
            return (q - zp) * s
        if p is not None and p.op_type == "Constant":
            return numpy_helper.to_array(_attrs(p)["value"]).astype(np.float64)
        raise UnsupportedModel(_name(node), node.op_type, f"its {what} '{name}' is computed, not a constant")

    def next(self, tensor, node_for_error):
        users = self.consumers.get(tensor, [])
        if len(users) > 1:
            raise UnsupportedModel(_name(users[1]), users[1].op_type,
                                   f"'{tensor}' feeds several nodes: branches are not supported")
        return users[0] if users else None


def trace(model, input_scale):
    """The chain as pytorch_import Layers, each weighted layer's activation range (255·scale of
    its output quantiser) and the input's quantiser scale."""
    g = Graph(model)
    inputs = [i for i in g.model.graph.input if i.name not in g.init]
    if len(inputs) != 1:
        raise UnsupportedModel("graph", "inputs", f"{len(inputs)} inputs: one is supported")
    outputs = {o.name for o in g.model.graph.output}
    cur, node = inputs[0].name, None
    input_shape = [d.dim_value for d in inputs[0].type.tensor_type.shape.dim][1:]
    layers, ranges, pending, in_scale = [], {}, None, None
    last_weighted = None
    while cur not in outputs:
        node = g.next(cur, node)
        if node is None:
            raise UnsupportedModel(cur, "tensor", "the chain ends before the graph output")
        op, a, nm = node.op_type, _attrs(node), _name(node)
        if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET", b"VALID", "VALID"):
            raise UnsupportedModel(nm, op, f"auto_pad {a['auto_pad']!r} is not supported (explicit pads only)")
        if op == "QuantizeLinear":
            s = float(np.ravel(g.init[node.input[1]])[0])
            zp_array = g.init[node.input[2]] if len(node.input) > 2 and node.input[2] else np.zeros(1, np.uint8)
            zp = int(np.ravel(zp_array)[0])
            if zp_array.dtype != np.uint8 and not _is_last_weighted(g, node, outputs):
                raise UnsupportedModel(nm, op, f"{zp_array.dtype} activations: only uint8 with zero point 0 "
                                               "(ReLU'd) map onto codes")
            if np.ravel(g.init[node.input[1]]).size != 1:
                raise UnsupportedModel(nm, op, "per-channel activation quantisation is not supported")
            if last_weighted is None and not layers:
                if zp != 0:
                    raise UnsupportedModel(nm, op, f"input zero point {zp}: the input must be bytes (zero point 0)")
                in_scale = s
            elif pending is not None:
                if zp != 0:
                    # not clipped at 0: only the last layer's raw scores may be, and those are dropped
                    if _is_last_weighted(g, node, outputs):
                        pending = None
                    else:
                        raise UnsupportedModel(nm, op, f"activation zero point {zp}: only ReLU'd (zero point 0) "
                                                       "activations map onto codes")
                else:
                    pending.relu = pending.relu or pi.Op(nm, "relu", cap=None)
                    ranges[pending.op.node] = 255.0 * s
                    pending = None
            cur = node.output[0]
            continue
        if op in ("DequantizeLinear",) or op in PASS_THROUGH:
            cur = node.output[0]
            continue
        if op in ("Conv", "Gemm", "MatMul"):
            if op == "Conv":
                if a.get("group", 1) != 1:
                    raise UnsupportedModel(nm, op, f"grouped convolution (group={a['group']}) is not supported")
                if any(d != 1 for d in a.get("dilations", [1, 1])):
                    raise UnsupportedModel(nm, op, f"dilations {a['dilations']} are not supported")
                pads = a.get("pads", [0, 0, 0, 0])
                if pads[0] != pads[2] or pads[1] != pads[3]:
                    raise UnsupportedModel(nm, op, f"asymmetric padding {pads} is not supported")
                w = g.constant(node.input[1], node, "weight")
                b = g.constant(node.input[2], node, "bias") if len(node.input) > 2 and node.input[2] \
                    else np.zeros(w.shape[0])
                o = pi.Op(nm, "conv", weight=torch.from_numpy(w), bias=torch.from_numpy(b),
                          stride=tuple(a.get("strides", [1, 1])), padding=(pads[0], pads[1]))
            else:
                w = g.constant(node.input[1], node, "weight")
                if op == "Gemm":
                    if a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0 or a.get("transA", 0):
                        raise UnsupportedModel(nm, op, "Gemm with alpha/beta ≠ 1 or transA is not supported")
                    w = w if a.get("transB", 0) else w.T
                    b = g.constant(node.input[2], node, "bias") if len(node.input) > 2 and node.input[2] \
                        else np.zeros(w.shape[0])
                else:
                    w, b = w.T, np.zeros(w.shape[1])
                o = pi.Op(nm, "linear", weight=torch.from_numpy(np.ascontiguousarray(w)), bias=torch.from_numpy(b))
            o.kind_name = op
            if last_weighted is not None and last_weighted.relu is None:
                raise UnsupportedModel(nm, op, f"no ReLU between '{last_weighted.op.node}' and this layer")
            L = pi.Layer(o)
            layers.append(L)
            last_weighted = pending = L
            cur = node.output[0]
            continue
        if op == "Add" and pending is not None and layers[-1] is pending and pending.op.kind == "linear":
            other = [i for i in node.input if i != cur]
            pending.op.bias = pending.op.bias + torch.from_numpy(g.constant(other[0], node, "bias").ravel())
            cur = node.output[0]
            continue
        if op == "BatchNormalization":
            if pending is None or layers[-1] is not pending or pending.op.kind != "conv":
                raise UnsupportedModel(nm, op, "batch norm must follow a convolution directly")
            gam, bet, mu, var = (g.constant(node.input[i], node, "statistic") for i in range(1, 5))
            scale = gam / np.sqrt(var + a.get("epsilon", 1e-5))
            pending.bn = pi.Op(nm, "bn", scale=torch.from_numpy(scale), shift=torch.from_numpy(bet - mu * scale))
            cur = node.output[0]
            continue
        if op in ("Relu", "Clip"):
            if op == "Clip":
                lo = g.constant(node.input[1], node, "min") if len(node.input) > 1 and node.input[1] else None
                if lo is None or float(lo) != 0.0:
                    raise UnsupportedModel(nm, op, "only Clip(min 0) (a clipped ReLU) maps")
            if last_weighted is None:
                raise UnsupportedModel(nm, op, "a ReLU on the input does not map")
            last_weighted.relu = last_weighted.relu or pi.Op(nm, "relu", cap=None)
            cur = node.output[0]
            continue
        if op in ("MaxPool", "AveragePool", "GlobalAveragePool"):
            if last_weighted is None:
                raise UnsupportedModel(nm, op, "pooling of the raw input does not map")
            if op == "GlobalAveragePool":
                k = tuple(g.shapes.get(cur, [0, 0, 0, 0])[2:])
                if len(k) != 2 or 0 in k:
                    raise UnsupportedModel(nm, op, "input shape unknown")
            else:
                k = tuple(a["kernel_shape"])
                if tuple(a.get("strides", k)) != k or any(a.get("pads", [0, 0, 0, 0])) or a.get("ceil_mode", 0):
                    raise UnsupportedModel(nm, op, "pooling must have stride = kernel, no padding, no ceil_mode")
                if any(d != 1 for d in a.get("dilations", [1, 1])):
                    raise UnsupportedModel(nm, op, "dilated pooling is not supported")
            o = pi.Op(nm, "maxpool" if op == "MaxPool" else "avgpool", kernel=k)
            o.kind_name = op
            layers.append(pi.Layer(o))
            cur = node.output[0]
            continue
        if op in ("Flatten", "Reshape"):
            if op == "Flatten" and a.get("axis", 1) != 1:
                raise UnsupportedModel(nm, op, "only axis 1 maps")
            if op == "Reshape":
                shape = list(g.constant(node.input[1], node, "shape").astype(np.int64))
                if len(shape) != 2 or shape[1] not in (-1, int(np.prod(g.shapes.get(cur, [0, 0])[1:]))):
                    raise UnsupportedModel(nm, op, f"reshape to {shape}: only (N, −1) maps")
            o = pi.Op(nm, "flatten")
            o.kind_name = op
            layers.append(pi.Layer(o))
            cur = node.output[0]
            continue
        if op in ("Softmax", "LogSoftmax"):
            cur = node.output[0]
            if cur not in outputs and not _only_qdq_to_output(g, cur, outputs):
                raise UnsupportedModel(nm, op, "softmax is only allowed as the last operation")
            continue
        if op.startswith("QLinear") or op in ("ConvInteger", "MatMulInteger"):
            raise UnsupportedModel(nm, op, "QOperator format is not supported: quantise with QuantFormat.QDQ")
        raise UnsupportedModel(nm, op, "no mapping to the integer model")
    if last_weighted is None:
        raise UnsupportedModel("graph", "model", "no convolution or linear layer")
    if in_scale is None:
        raise UnsupportedModel(inputs[0].name, "input", "the graph input is not quantised (no QuantizeLinear "
                                                        "on it): only fully quantised QDQ graphs map")
    last_weighted.relu = None           # the last layer gives raw scores
    ranges.pop(last_weighted.op.node, None)
    for L in layers:
        if L.op.kind in ("conv", "linear") and L is not last_weighted and L.op.node not in ranges:
            raise UnsupportedModel(L.op.node, L.op.kind_name, "its output is not quantised (no QuantizeLinear "
                                                              "with a uint8 zero point 0): only fully quantised "
                                                              "QDQ graphs map")
    return layers, ranges, in_scale, input_shape


def _is_last_weighted(g, qnode, outputs):
    """Whether nothing but Q/DQ, Softmax and pass-through nodes follow this quantiser."""
    return _only_qdq_to_output(g, qnode.output[0], outputs)


def _only_qdq_to_output(g, tensor, outputs):
    while tensor not in outputs:
        users = g.consumers.get(tensor, [])
        if len(users) != 1 or users[0].op_type not in ("QuantizeLinear", "DequantizeLinear", "Softmax",
                                                       "LogSoftmax", *PASS_THROUGH):
            return False
        tensor = users[0].output[0]
    return True


def import_onnx(path, out_dir, name, T=255, bits=8, input_scale=1 / 255, classes=None, dataset=None):
    """Writes <out_dir>/<name>.json + .safetensors from a QDQ ONNX file; returns the JSON path,
    the activation ranges and the ONNX input quantiser's scale. Nothing is written on error."""
    model = onnx.load(path)
    layers, ranges, in_scale, shape = trace(model, input_scale)
    json_layers, tensors = pi.build(layers, ranges, tuple(shape), T, bits, input_scale, None, None)
    meta = {"importer": "joule_import.onnx", "source": path, "onnx_input_scale": in_scale,
            "calibrated_for_timesteps": T}
    out = pi.write_model(out_dir, name, tuple(shape), input_scale, T, json_layers, tensors,
                         dataset=dataset, classes=classes, metadata=meta)
    return out, ranges, in_scale


def onnxruntime_predictions(path, images_float, batch=500):
    """ONNX Runtime's predictions (first maximum) and where its top score is tied (its output is
    itself quantised, so ties are common and their argmax is arbitrary)."""
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    preds, ties = [], []
    for i in range(0, len(images_float), batch):
        out = sess.run(None, {name: images_float[i:i + batch].astype(np.float32)})[0]
        top2 = np.sort(out, axis=1)[:, -2:]
        preds.append(torch.from_numpy(out.argmax(1)))
        ties.append(torch.from_numpy(top2[:, 0] == top2[:, 1]))
    return torch.cat(preds), torch.cat(ties)
