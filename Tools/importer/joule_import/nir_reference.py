"""The source framework's own simulation of a NIR graph, through its NIR import: snnTorch's
`import_from_nir` or Norse's `from_nir`, stepped T times on the same constant input the Joule SNN
reads (the image bytes times the input scale). Predictions are the argmax (first maximum) of the
output summed over the T steps: spike counts when the graph ends in a neuron, the summed output
current when it ends in a weighted node. The spike rate counts the spikes of every neuron layer but
a spiking read-out layer, per neuron, step and image (as `joule eval` reports it).

Batching: the frameworks build the graph for one sample; NIR's Flatten of a sample flattens from
dimension 0, so a Flatten with start_dim 0 is moved to dimension 1 for a batch of samples (the
only change made to the imported module)."""
import contextlib
import io

import nir
import numpy as np
import torch

FRAMEWORKS = ("snntorch", "norse")
SNNTORCH_DT = 1e-4   # snnTorch's import_from_nir hard-codes this timestep for LIF


def unfaithful(graph, framework, dt):
    """Why `framework`'s NIR import would not simulate `graph` as NIR (and Joule) define it, or
    None: the node types it maps faithfully (snnTorch reads IF as Leaky(β = 0.9) with reset by
    subtraction, and steps LIF with dt = 1e-4 whatever was trained; Norse ignores an IF's or a
    LIF's r and has no AvgPool2d, Scale, Threshold or I)."""
    ok = {"snntorch": (nir.Input, nir.Output, nir.Affine, nir.Linear, nir.Conv2d, nir.Flatten, nir.AvgPool2d, nir.LIF),
          "norse": (nir.Input, nir.Output, nir.Affine, nir.Linear, nir.Conv2d, nir.Flatten, nir.SumPool2d, nir.IF,
                    nir.LIF)}[framework]
    for name, node in graph.nodes.items():
        kind = type(node).__name__
        if not isinstance(node, ok):
            return f"node '{name}' ({kind}): {framework}'s NIR import does not simulate it as NIR defines it"
        if framework == "snntorch" and isinstance(node, nir.LIF) and (dt is None or abs(dt - SNNTORCH_DT) > 1e-12):
            return f"node '{name}' (LIF): snnTorch's NIR import steps LIF with dt = 1e-4, not --dt {dt}"
        if framework == "norse" and isinstance(node, (nir.IF, nir.LIF)) and not np.allclose(np.asarray(node.r), 1.0):
            return f"node '{name}' ({kind}): Norse's NIR import ignores r, which is not 1 here"
    return None


def _snntorch(graph):
    import snntorch as snn
    from snntorch import utils
    from snntorch.import_nir import import_from_nir
    with contextlib.redirect_stdout(io.StringIO()):   # it prints its progress
        net = import_from_nir(graph)
    neurons = [m for m in net.modules() if isinstance(m, snn.SpikingNeuron)]

    def run(x, T):    # the module returns (output, its own state); the neurons keep theirs
        utils.reset(net)
        return [_first(net(x)) for _ in range(T)]
    return net, neurons, run, _first


def _first(out):
    return out[0] if isinstance(out, tuple) else out


def _norse(graph, dt):
    import norse.torch as norse
    net = norse.from_nir(graph, dt=dt) if dt is not None else norse.from_nir(graph)
    kinds = (norse.IAFCell, norse.LIFBoxCell)
    neurons = [m for m in net.modules() if isinstance(m, kinds)]

    def run(x, T):
        state, outs = None, []
        for _ in range(T):
            out, state = net(x, state)
            outs.append(out)
        return outs
    return net, neurons, run, _first


def simulate(path, framework, images, scale, T, dt=None, readout="membrane", batch=500, progress=None):
    """(predictions int64 tensor, spike rate) of `framework` simulating the graph at `path` on
    `images` (uint8 N×C×H×W) for T steps."""
    summed, rate = outputs(path, framework, images, scale, T, dt, readout, batch, progress)
    return summed.argmax(1), rate


def outputs(path, framework, images, scale, T, dt=None, readout="membrane", batch=500, progress=None,
            dtype=torch.float32):
    """(the graph's output summed over the T steps, N×K, spike rate); `dtype` float64 runs the
    framework's module in double precision (exact for weights and inputs with few significant bits)."""
    graph = nir.read(path)
    net, neurons, run, spikes_of = _snntorch(graph) if framework == "snntorch" else _norse(graph, dt)
    net.to(dtype)
    casts = [m.register_forward_pre_hook(lambda m, args: tuple(a.to(dtype) for a in args))
             for m in net.modules() if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))]   # snnTorch's spikes are float32 0/1
    for m in net.modules():
        if isinstance(m, torch.nn.Flatten) and m.start_dim == 0:
            m.start_dim = 1
    counted = neurons[:-1] if readout == "spikes" else neurons
    totals = {"spikes": 0.0, "neurons": 0}

    def hook(module, inputs, output):
        s = spikes_of(output)
        totals["spikes"] += float(s.sum())
        totals["neurons"] += s[0].numel() * s.shape[0]
    handles = [m.register_forward_hook(hook) for m in counted]
    first = next(v for v in graph.nodes.values() if isinstance(v, nir.Input))
    sample_shape = tuple(int(d) for d in np.asarray(list(first.input_type.values())[0]))
    sums = []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            x = images[i:i + batch].double() * scale
            x = x.to(dtype).reshape((x.shape[0],) + sample_shape)
            outs = run(x, T)
            sums.append(torch.stack([o.reshape(o.shape[0], -1) for o in outs]).sum(0))
            if progress:
                progress(min(i + batch, len(images)), len(images))
    for h in handles + casts:
        h.remove()
    rate = totals["spikes"] / totals["neurons"] if totals["neurons"] else 0.0
    return torch.cat(sums), rate
