"""A spiking MLP of integrate-and-fire neurons written and trained with Norse (nothing from Joule),
exported to NIR with Norse's own `to_nir`. `python norse_if_nir.py OUT.nir` trains it on
Fashion-MNIST and writes the graph.

Network: Linear(784→256) → IAFCell → Linear(256→10), the summed output current over T = 8 steps
read out (cross-entropy on its mean). The input image (bytes / 255, flattened) is the input
current at every step. Norse's IAF neuron (`v ← v + I`, spike when `v > v_th`, then `v ← 0`) is
NIR's IF; its threshold is a per-neuron tensor (Norse's exporter writes the parameters' shapes, and
NIR files cannot hold scalars), and the graph is traced on one sample without a batch dimension.
Adam, 3 epochs, seed 0, Norse's SuperSpike surrogate gradient."""
import argparse

import nir
import norse.torch as norse
import torch
import torch.nn as nn
import torch.nn.functional as F

T, HIDDEN, THRESHOLD = 8, 256, 1.0


def network():
    return norse.SequentialState(nn.Linear(784, HIDDEN),
                                 norse.IAFCell(norse.IAFParameters(v_th=torch.full((HIDDEN,), THRESHOLD))),
                                 nn.Linear(HIDDEN, 10))


def run(net, x, steps=T):
    state, total = None, 0
    for _ in range(steps):
        out, state = net(x, state)
        total = total + out
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="the .nir file to write")
    ap.add_argument("--epochs", type=int, default=3)
    a = ap.parse_args()
    from joule_train import data   # only the IDX reader; any loader would do
    torch.manual_seed(0)
    x, y = data.load("train")
    xt, yt = data.load("test")
    x, xt = x.reshape(len(x), -1), xt.reshape(len(xt), -1)
    net = network()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    for epoch in range(a.epochs):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 128):
            idx = perm[i:i + 128]
            loss = F.cross_entropy(run(net, x[idx].float() / 255) / T, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            if i // 128 % 100 == 0:
                print(f"\repoch {epoch + 1}: {i}/{len(x)} images, loss {loss.item():.3f}", end="", flush=True)
        with torch.no_grad():
            acc = (run(net, xt.float() / 255).argmax(1) == yt).double().mean()
        print(f"\repoch {epoch + 1}: test accuracy (Norse) {acc * 100:.2f} %          ", flush=True)
    graph = norse.to_nir(net, torch.rand(784))
    nir.write(a.out, graph)
    print(f"wrote {a.out}: " + " → ".join(type(graph.nodes[k]).__name__ for k in graph.nodes))


if __name__ == "__main__":
    main()
