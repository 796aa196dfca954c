"""Networks described as a list of layer specs that mirror the JSON `layers` of Models/README.md.

A spec is a dict with the JSON fields (`name`, `type`, `outChannels`, `kernel`, `stride`,
`padding`, `outFeatures`, `activation`, `input`, `residual`, `trainingOnly`) plus the
training-only key `bn` (conv followed by batch norm, folded at export). `build(spec, ...)` turns
it into a `Net` whose forward pass computes exactly the function of the integer model up to the
rounding of the exported fixed-point multipliers: activations are codes/T in [0, 1], pooling
re-quantises, residual codes are added before the activation.
"""
import copy

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import distributed, quant


def default_inputs(layers):
    """Name of the layer each layer reads (JSON default: previous non-training-only layer)."""
    out, prev = [], "input"
    for L in layers:
        out.append(L.get("input", prev))
        if not L.get("trainingOnly", False):
            prev = L["name"]
    return out


class QLayer(nn.Module):
    """conv2d / linear (+ BN) (+ residual) + activation ('quant' or 'none')."""

    def __init__(self, spec, in_ch):
        super().__init__()
        self.spec = spec
        self.kind = spec["type"]
        if self.kind == "conv2d":
            kh, kw = spec["kernel"]
            self.weight = nn.Parameter(torch.empty(spec["outChannels"], in_ch, kh, kw))
            self.stride = tuple(spec.get("stride", [1, 1]))
            self.padding = tuple(spec.get("padding", [0, 0]))
            out = spec["outChannels"]
        else:
            self.weight = nn.Parameter(torch.empty(spec["outFeatures"], in_ch))
            out = spec["outFeatures"]
        nn.init.kaiming_normal_(self.weight, nonlinearity="relu")
        self.bias = nn.Parameter(torch.zeros(out))
        self.bn = (nn.BatchNorm2d(out) if self.kind == "conv2d" else nn.BatchNorm1d(out)) \
            if spec.get("bn", False) else None
        self.weight_bits = None      # None: float weights; 8 / 4: fake-quantised (QAT)
        self.neuron = "qt"           # 'qt': Q_T with STE; 'if': IF neuron over T steps (SNN)
        self.surrogate_width = 1.0

    def pre_activation(self, x, residual=None):
        w = quant.fake_quant_weight(self.weight, self.weight_bits)
        if self.kind == "conv2d":
            y = F.conv2d(x, w, self.bias, self.stride, self.padding)
        else:
            y = F.linear(x.flatten(1), w, self.bias)
        if self.bn is not None:
            y = distributed.batch_norm(y, self.bn)
        if residual is not None:
            y = y + residual
        return y

    def forward(self, x, T, residual=None):
        y = self.pre_activation(x, residual)
        if self.spec.get("activation", "quant") == "none":
            return y
        if self.neuron == "if":
            return quant.if_neuron(y, T, self.surrogate_width)
        return quant.q_t(y, T)

    @torch.no_grad()
    def fold_bn(self):
        """Folds eval-mode batch norm into weight and bias (BN(conv(x)) == conv'(x))."""
        if self.bn is None:
            return
        bn = self.bn
        g = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        shape = (-1,) + (1,) * (self.weight.dim() - 1)
        self.weight.mul_(g.reshape(shape))
        self.bias.copy_((self.bias - bn.running_mean) * g + bn.bias)
        self.bn = None


class Pool(nn.Module):
    def __init__(self, spec):
        super().__init__()
        self.spec = spec
        self.kernel = tuple(spec["kernel"])
        assert tuple(spec.get("stride", spec["kernel"])) == self.kernel, "stride must equal kernel"

    def forward(self, x, T, residual=None):
        if self.spec["type"] == "maxpool":
            return F.max_pool2d(x, self.kernel)
        return quant.requant_pool(x, self.kernel, T)


class Flatten(nn.Module):
    def __init__(self, spec):
        super().__init__()
        self.spec = spec

    def forward(self, x, T, residual=None):
        return x.flatten(1)


class Net(nn.Module):
    def __init__(self, name, spec, input_shape, input_scale, T=6):
        super().__init__()
        self.name = name
        self.spec = copy.deepcopy(spec)
        self.input_shape = tuple(input_shape)
        self.input_scale = input_scale
        self.T = T
        self.inputs = default_inputs(self.spec)
        self.layers = nn.ModuleDict()
        shapes = {"input": self.input_shape}
        for L, src in zip(self.spec, self.inputs):
            c, h, w = shapes[src] if len(shapes[src]) == 3 else (shapes[src][0], 1, 1)
            t = L["type"]
            if t == "conv2d":
                m = QLayer(L, c)
                kh, kw = L["kernel"]
                sh, sw = L.get("stride", [1, 1])
                ph, pw = L.get("padding", [0, 0])
                shapes[L["name"]] = (L["outChannels"], (h + 2 * ph - kh) // sh + 1,
                                     (w + 2 * pw - kw) // sw + 1)
            elif t == "linear":
                m = QLayer(L, c * h * w)
                shapes[L["name"]] = (L["outFeatures"],)
            elif t in ("avgpool", "maxpool"):
                m = Pool(L)
                kh, kw = L["kernel"]
                shapes[L["name"]] = (c, h // kh, w // kw)
            elif t == "flatten":
                m = Flatten(L)
                shapes[L["name"]] = (c * h * w,)
            else:
                raise ValueError(t)
            if L.get("residual"):
                assert shapes[L["residual"]] == shapes[L["name"]], f"residual shape {L['name']}"
            self.layers[L["name"]] = m
        self.shapes = shapes
        self.main_output = [L["name"] for L in self.spec if not L.get("trainingOnly")][-1]
        self.side_outputs = [L["name"] for L in self.spec
                             if L.get("trainingOnly") and L["type"] == "linear"]
        self.has_conv = any(L["type"] == "conv2d" for L in self.spec)

    def qlayers(self):
        return [m for m in self.layers.values() if isinstance(m, QLayer)]

    def set_weight_bits(self, bits):
        for m in self.qlayers():
            m.weight_bits = bits

    def set_neuron(self, neuron, width=1.0):
        for m in self.qlayers():
            m.neuron = neuron
            m.surrogate_width = width

    @property
    def folded(self):
        return all(m.bn is None for m in self.qlayers())

    def fold_bn(self):
        for m in self.qlayers():
            m.fold_bn()
        for L in self.spec:
            L.pop("bn", None)

    def forward(self, x_bytes, T=None, collect=False, sides=True):
        """x_bytes: uint8 (or float byte values) N×C×H×W. Returns (main logits, [side logits],
        {name: activation} for quant layers when collect). sides=False skips the training-only
        layers (the side list is then empty)."""
        T = T or self.T
        outs = {"input": x_bytes.float() * self.input_scale}
        acts = {}
        for L, src in zip(self.spec, self.inputs):
            if L.get("trainingOnly") and not sides:
                continue
            m = self.layers[L["name"]]
            res = outs[L["residual"]] if L.get("residual") else None
            y = m(outs[src], T, res)
            outs[L["name"]] = y
            if collect and isinstance(m, QLayer) and L.get("activation", "quant") == "quant" \
                    and not L.get("trainingOnly"):
                acts[L["name"]] = y
        return outs[self.main_output], [outs[n] for n in self.side_outputs if n in outs], acts


# ----------------------------------------------------------------------------- architectures

def conv(name, out, pad=1, stride=1, kernel=3, **kw):
    d = {"name": name, "type": "conv2d", "outChannels": out, "kernel": [kernel, kernel],
         "stride": [stride, stride], "padding": [pad, pad], "activation": "quant", "bn": True}
    d.update(kw)
    return d


def pool(name, k=2, **kw):
    d = {"name": name, "type": "avgpool", "kernel": [k, k]}
    d.update(kw)
    return d


def watch_net():
    """benchmarks.md W2: conv(32,1) conv(32,1) pool conv(64,1) conv(64,1) pool conv(128,1)
    pool(7→3) flatten fc(1152→10). 21,913,344 MAC, 150,378 parameters."""
    return [conv("conv1", 32), conv("conv2", 32), pool("pool1"),
            conv("conv3", 64), conv("conv4", 64), pool("pool2"),
            conv("conv5", 128), pool("pool3"),
            {"name": "flat", "type": "flatten"},
            {"name": "fc", "type": "linear", "outFeatures": 10, "activation": "none"}]


def vgg(cfg, fc_in):
    layers, i, p = [], 1, 1
    for v in cfg:
        if v == "M":
            layers.append(pool(f"pool{p}"))
            p += 1
        else:
            ch, pad = v if isinstance(v, tuple) else (v, 1)
            layers.append(conv(f"conv{i}", ch, pad=pad))
            i += 1
    layers += [{"name": "flat", "type": "flatten"},
               {"name": "fc", "type": "linear", "outFeatures": 10, "activation": "none"}]
    return layers


def vgg_star():
    """Paper 1's VGG*: [128,128,M,256,256,M,512,512,M,1024(pad 0),M], FC 1024→10 (32×32 input)."""
    return vgg([128, 128, "M", 256, 256, "M", 512, 512, "M", (1024, 0), "M"], 1024)


def vgg16():
    return vgg([64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
                512, 512, 512, "M"], 512)


def spiking_resnet(widths=(8, 16, 32), blocks=2, side_heads=True, in_hw=28):
    """A small spiking ResNet: stem conv, len(widths) stages of `blocks` basic blocks (two 3×3
    convs, identity shortcut added as codes before the second activation; a 1×1 stride-2 conv
    with activation 'quant' as the downsampling shortcut), global avgpool, fc.
    With side_heads, every block but the last gets a training-only head (global avgpool + fc)."""
    layers = [conv("stem", widths[0])]
    prev, hw, nblocks, b = "stem", in_hw, len(widths) * blocks, 0
    c_prev = widths[0]
    for s, w in enumerate(widths):
        for k in range(blocks):
            b += 1
            stride = 2 if (k == 0 and s > 0) else 1
            tag = f"b{b}"
            if stride != 1 or w != c_prev:
                layers.append(conv(f"{tag}ds", w, pad=0, stride=stride, kernel=1, input=prev))
                short = f"{tag}ds"
                layers.append(conv(f"{tag}c1", w, stride=stride, input=prev))
            else:
                short = prev
                layers.append(conv(f"{tag}c1", w, stride=stride, input=prev))
            layers.append(conv(f"{tag}c2", w, residual=short))
            if stride == 2:
                hw = (hw + 2 - 3) // 2 + 1
            prev, c_prev = f"{tag}c2", w
            if side_heads and b < nblocks:
                layers.append(pool(f"{tag}gap", hw, input=prev, trainingOnly=True))
                layers.append({"name": f"{tag}head", "type": "linear", "outFeatures": 10,
                               "activation": "none", "input": f"{tag}gap", "trainingOnly": True})
    layers.append(pool("gap", hw, input=prev))
    layers += [{"name": "flat", "type": "flatten"},
               {"name": "fc", "type": "linear", "outFeatures": 10, "activation": "none"}]
    return layers


ARCHS = {
    # name: (spec factory, input shape, pad_to)
    "watch-net": (watch_net, (1, 28, 28), None),
    "vgg-star": (vgg_star, (1, 32, 32), 32),
    "vgg16": (vgg16, (1, 32, 32), 32),
    "resnet": (lambda: spiking_resnet(side_heads=True), (1, 28, 28), None),
    "resnet-plain": (lambda: spiking_resnet(side_heads=False), (1, 28, 28), None),
}


def build(arch, T=6, input_scale=1.0 / 255.0, name=None):
    factory, shape, _ = ARCHS[arch]
    return Net(name or arch, factory(), shape, input_scale, T)
