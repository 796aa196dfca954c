"""A convolutional SNN of leaky integrate-and-fire neurons written and trained with snnTorch
(nothing from Joule), exported to NIR with snnTorch's own `export_to_nir`: the kind of model an
SNN researcher arrives with. `python snntorch_lif_nir.py OUT.nir` trains it on Fashion-MNIST and
writes the graph.

Network: Conv2d(1→8, 3×3, pad 1) → Leaky → AvgPool2d(2) → Flatten → Linear(1568→128) → Leaky →
Linear(128→10), the summed output current over T = 8 steps read out (cross-entropy on its mean).
The input image (bytes / 255) is the input current at every step. β = 0.875 (fixed), threshold 1,
reset to zero right after a spike (`reset_mechanism="zero"`, `reset_delay=False`): the LIF neuron
NIR describes and snnTorch's `import_from_nir` simulates. snnTorch's exporter needs the neuron
parameters per neuron (tensors of the layer's shape) and the sample without its batch dimension
in the graph's types (`ignore_dims=[0]`). Adam, 3 epochs, seed 0, arctan surrogate gradient."""
import argparse

import nir
import snntorch as snn
import torch
import torch.nn as nn
import torch.nn.functional as F
from snntorch import utils
from snntorch.export_nir import export_to_nir

BETA, T = 0.875, 8


def leaky(shape):
    return snn.Leaky(beta=torch.full(shape, BETA), threshold=torch.ones(shape), learn_beta=False,
                     init_hidden=True, reset_mechanism="zero", reset_delay=False)


def network():
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), leaky((8, 28, 28)), nn.AvgPool2d((2, 2), (2, 2)),
                         nn.Flatten(), nn.Linear(8 * 14 * 14, 128), leaky((128,)), nn.Linear(128, 10))


def run(net, x, steps=T):
    utils.reset(net)
    return torch.stack([net(x) for _ in range(steps)]).sum(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="the .nir file to write")
    ap.add_argument("--epochs", type=int, default=3)
    a = ap.parse_args()
    from joule_train import data   # only the IDX reader; any loader would do
    torch.manual_seed(0)
    x, y = data.load("train")
    xt, yt = data.load("test")
    net = network()
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    for epoch in range(a.epochs):
        net.train()
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 128):
            idx = perm[i:i + 128]
            loss = F.cross_entropy(run(net, x[idx].float() / 255) / T, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            if i // 128 % 100 == 0:
                print(f"\repoch {epoch + 1}: {i}/{len(x)} images, loss {loss.item():.3f}", end="", flush=True)
        net.eval()
        with torch.no_grad():
            correct = sum(int((run(net, xt[i:i + 1000].float() / 255).argmax(1) == yt[i:i + 1000]).sum())
                          for i in range(0, len(xt), 1000))
        print(f"\repoch {epoch + 1}: test accuracy (snnTorch) {correct / len(xt) * 100:.2f} %          ", flush=True)
    utils.reset(net)
    graph = export_to_nir(net, torch.rand(1, 1, 28, 28), ignore_dims=[0])
    nir.write(a.out, graph)
    print(f"wrote {a.out}: " + " → ".join(type(graph.nodes[k]).__name__ for k in graph.nodes))


if __name__ == "__main__":
    main()
