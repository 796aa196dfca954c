"""PyTorch fp32 twin and the SNN twins in SpikingJelly and snnTorch (IF neurons, T steps, dense
convolutions on spike tensors as these frameworks do). Weights and meaning: model.py."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def _params(m, layer, per_step=False):
    w = torch.tensor(m.float_weight(layer), dtype=torch.float32)
    b = torch.tensor(m.float_bias(layer), dtype=torch.float32)
    if per_step:   # SNN: per-step current; the first layer's analog input arrives every step
        b = b / m.T
        if layer["first"]:
            w = w / m.T
    return w, b


def _weighted_module(m, layer, per_step):
    w, b = _params(m, layer, per_step)
    if layer["kind"] == "conv":
        mod = nn.Conv2d(w.shape[1], w.shape[0], tuple(w.shape[2:]), stride=layer["stride"], padding=layer["pad"])
    else:
        mod = nn.Linear(w.shape[1], w.shape[0])
    with torch.no_grad():
        mod.weight.copy_(w)
        mod.bias.copy_(b)
    return mod


class TorchFP32(nn.Module):
    """Float twin: conv/linear, Q_T = clamp(floor(y), 0, T) after hidden layers, floor after avgpool."""
    def __init__(self, m):
        super().__init__()
        self.T = float(m.T)
        self.kinds = [l["kind"] for l in m.layers]
        self.mods = nn.ModuleList([_weighted_module(m, l, False) if l["kind"] != "avgpool"
                                   else nn.AvgPool2d(l["kernel"], l["stride"]) for l in m.layers])

    def forward(self, x):
        for kind, mod in zip(self.kinds, self.mods):
            if kind == "fc":
                return mod(torch.flatten(x, 1))
            x = torch.floor(mod(x))
            if kind == "conv":
                x = torch.clamp(x, 0.0, self.T)
        return x


def _run_torch(module):
    torch.set_num_threads(1)
    module.eval()

    def call(x):
        with torch.inference_mode():
            return module(x).reshape(-1).numpy().copy()
    return call


def _input(m, image_u8):
    return torch.from_numpy(image_u8.reshape((1,) + m.input_shape).astype(np.float32) / np.float32(255.0))


class TorchRunner:
    def __init__(self, m):
        self.m, self.call = m, _run_torch(TorchFP32(m))

    def prepare(self, image_u8, shape):
        return _input(self.m, image_u8)

    def __call__(self, x):
        return self.call(x)


# ---------- SpikingJelly: multi-step mode, tensors [T, N, C, H, W] ----------
def spikingjelly_module(m):
    from spikingjelly.activation_based import layer as sjl, neuron, functional
    mods = []
    for l in m.layers:
        if l["kind"] == "conv":
            w, b = _params(m, l, True)
            conv = sjl.Conv2d(w.shape[1], w.shape[0], tuple(w.shape[2:]), stride=l["stride"], padding=l["pad"],
                              step_mode="m")
            with torch.no_grad():
                conv.weight.copy_(w); conv.bias.copy_(b)
            mods += [conv, neuron.IFNode(v_threshold=1.0, v_reset=None, step_mode="m")]
        elif l["kind"] == "avgpool":
            mods += [sjl.AvgPool2d(l["kernel"], l["stride"], step_mode="m"),
                     neuron.IFNode(v_threshold=1.0, v_reset=None, step_mode="m")]
        else:
            w, b = _params(m, l, True)
            fc = sjl.Linear(w.shape[1], w.shape[0], step_mode="m")
            with torch.no_grad():
                fc.weight.copy_(w); fc.bias.copy_(b)
            mods += [sjl.Flatten(step_mode="m"), fc]
    net = nn.Sequential(*mods)
    T = m.T

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = net

        def forward(self, x):               # x: [N, C, H, W] analog input, repeated every step
            functional.reset_net(self.net)
            y = self.net(x.unsqueeze(0).repeat(T, 1, 1, 1, 1))
            return y.sum(0)                   # membrane readout: sum of the last layer's currents
    return Net()


class SpikingJellyRunner(TorchRunner):
    def __init__(self, m):
        self.m, self.call = m, _run_torch(spikingjelly_module(m))


# ---------- snnTorch: Leaky(beta=1) = IF, subtract reset, Python loop over T steps ----------
# snnTorch fires on mem > threshold, the model (and SpikingJelly) on mem >= threshold; pooling
# neurons reach exactly 1.0 (four quarter spikes) all the time, so the threshold sits one ulp-ish below.
SNNTORCH_THRESHOLD = 1.0 - 2.0 ** -20

def snntorch_module(m):
    import snntorch as snn
    T = m.T

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.kinds = [l["kind"] for l in m.layers]
            self.layers = nn.ModuleList([_weighted_module(m, l, True) if l["kind"] != "avgpool"
                                         else nn.AvgPool2d(l["kernel"], l["stride"]) for l in m.layers])
            self.neurons = nn.ModuleList([snn.Leaky(beta=1.0, threshold=SNNTORCH_THRESHOLD, reset_mechanism="subtract")
                                          for l in m.layers if l["kind"] != "fc"])

        def forward(self, x):
            mems = [n.init_leaky() for n in self.neurons]
            out = 0
            for _ in range(T):
                s, k = x, 0
                for kind, mod in zip(self.kinds, self.layers):
                    if kind == "fc":
                        out = out + mod(torch.flatten(s, 1))
                        break
                    s, mems[k] = self.neurons[k](mod(s), mems[k])
                    k += 1
            return out
    return Net()


class SnnTorchRunner(TorchRunner):
    def __init__(self, m):
        self.m, self.call = m, _run_torch(snntorch_module(m))
