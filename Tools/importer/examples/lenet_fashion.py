"""A LeNet-style CNN written and trained with plain PyTorch (nothing from Joule): the kind of
float model an embedded engineer arrives with. `python lenet_fashion.py OUT.pt` trains it on
Fashion-MNIST (ToTensor scaling, no normalisation, Adam, 3 epochs) and saves its state dict;
`lenet()` builds the module for the importer (`lenet_fashion.py:lenet`)."""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 5 * 5, 120), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def main(out, epochs=3):
    from joule_train import data   # only the IDX reader; any loader would do
    torch.manual_seed(0)
    x, y = data.load("train")
    xt, yt = data.load("test")
    model = lenet()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 128):
            idx = perm[i:i + 128]
            loss = F.cross_entropy(model(x[idx].float() / 255), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            acc = (model(xt.float() / 255).argmax(1) == yt).double().mean()
        print(f"epoch {epoch + 1}: test accuracy {acc * 100:.2f} %", flush=True)
    torch.save(model.state_dict(), out)


if __name__ == "__main__":
    main(sys.argv[1])
