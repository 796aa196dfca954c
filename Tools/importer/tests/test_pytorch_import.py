"""PyTorch import: the integer model written for a float CNN computes what the docstring of
pytorch_import promises, checked by the trainer's independent integer twin; every unsupported
construct is refused with the node, its type and the reason, and nothing is written."""
import json
import os

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from joule_import.errors import UnsupportedModel
from joule_import import pytorch_import as pi
from joule_train import integer_twin

T = 6


def lenet(bn=True):
    torch.manual_seed(0)
    layers = [nn.Conv2d(1, 6, 3, padding=1)] + ([nn.BatchNorm2d(6)] if bn else []) + [
        nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 8, 3), nn.ReLU6(), nn.AvgPool2d(2), nn.Flatten(),
        nn.Linear(8 * 2 * 2, 12), nn.ReLU(), nn.Dropout(0.1), nn.Linear(12, 5)]
    m = nn.Sequential(*layers).eval()
    if bn:
        with torch.no_grad():
            m[1].running_mean.uniform_(-0.2, 0.2)
            m[1].running_var.uniform_(0.5, 2.0)
            m[1].weight.uniform_(0.5, 1.5)
            m[1].bias.uniform_(-0.1, 0.3)
    return m


def images(n=64, hw=12, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, 1, hw, hw), generator=g, dtype=torch.uint8)


def reference_codes(model, x_bytes, ranges, scale, mean=None, std=None):
    """Independent evaluation of the promised integer semantics in float64: each ReLU layer's code
    = floor(clamp(z / a, 0, 1)·T + ½) with z computed by the float module's own layers on the
    previous codes scaled back (a·c/T); pooling on codes (avg: floor of the mean)."""
    x = pi.float_input(x_bytes, scale, mean, std)
    mods = [m for m in model if not isinstance(m, (nn.Dropout, nn.BatchNorm2d))]
    bn = [m for m in model if isinstance(m, nn.BatchNorm2d)]
    a_iter = iter(ranges[k] for k in ranges)
    i, unit = 0, None
    with torch.no_grad():
        while i < len(mods):
            m = mods[i]
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                z = m.double()(x)
                if isinstance(m, nn.Conv2d) and bn and m is model[0]:
                    z = bn[0].double()(z)
                if i + 1 < len(mods) and isinstance(mods[i + 1], (nn.ReLU, nn.ReLU6)):
                    a = next(a_iter)
                    codes = torch.floor(torch.clamp(z / a, 0, 1) * T + 0.5).clamp(max=T)
                    x, unit, i = codes * a / T, a, i + 2
                    continue
                return z
            if isinstance(m, nn.MaxPool2d):
                x = F.max_pool2d(x, 2)
            elif isinstance(m, nn.AvgPool2d):
                codes = torch.round(x * T / unit)
                x = torch.floor(F.avg_pool2d(codes, 2) + 1e-9) * unit / T
            elif isinstance(m, nn.Flatten):
                x = x.flatten(1)
            i += 1
    return x


@pytest.mark.parametrize("bn", [True, False])
def test_imported_model_matches_promised_integer_semantics(tmp_path, bn):
    model = lenet(bn)
    calib = images(200, seed=2)
    path, ranges = pi.import_module(model, (1, 12, 12), calib, str(tmp_path), "lenet", T=T)
    doc = json.load(open(path))
    assert [L["type"] for L in doc["layers"]] == ["conv2d", "maxpool", "conv2d", "avgpool", "flatten",
                                                   "linear", "linear"]
    assert [L.get("activation") for L in doc["layers"] if "activation" in L] == ["quant", "quant", "quant", "none"]
    assert all(a > 0 for a in ranges.values()) and len(ranges) == 3
    x = images(300, seed=3)
    scores = integer_twin.IntegerModel(path).run(x, T)
    ref = reference_codes(model, x, ranges, 1 / 255)
    # predictions agree except where the float reference's top two scores are within the
    # int8 weight rounding of each other
    top2 = ref.topk(2, dim=1).values
    clear = (top2[:, 0] - top2[:, 1]) > 0.05 * ref.abs().max()
    agree = (scores.argmax(1) == ref.argmax(1))
    assert clear.sum() > 100 and bool(agree[clear].all())


def test_normalisation_is_folded_into_the_first_layer(tmp_path):
    torch.manual_seed(3)
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 10 * 10, 3)).eval()
    calib = images(100, seed=4)
    mean, std = [0.3], [0.4]
    path, _ = pi.import_module(model, (1, 12, 12), calib, str(tmp_path), "norm", T=255, mean=mean, std=std)
    x = images(200, seed=5)
    float_pred = model(pi.float_input(x, 1 / 255, mean, std).float()).argmax(1)
    twin_pred = integer_twin.IntegerModel(path).run(x, 255).argmax(1)
    assert float((float_pred == twin_pred).double().mean()) >= 0.97   # T = 255: near-float codes


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.c2, self.fc = nn.Conv2d(1, 4, 3, padding=1), nn.Conv2d(4, 4, 3, padding=1), nn.Linear(4 * 144, 2)

    def forward(self, x):
        y = F.relu(self.c1(x))
        return self.fc(torch.flatten(F.relu(self.c2(y) + y), 1))


@pytest.mark.parametrize("model, node, words", [
    (nn.Sequential(nn.Conv2d(2, 4, 3, groups=2), nn.ReLU(), nn.Flatten(), nn.Linear(400, 2)), "0", "grouped convolution"),
    (nn.Sequential(nn.Conv2d(1, 4, 3, dilation=2), nn.ReLU(), nn.Flatten(), nn.Linear(256, 2)), "0", "dilation"),
    (nn.Sequential(nn.Conv2d(1, 4, 3), nn.GELU(), nn.Flatten(), nn.Linear(400, 2)), "1", "clipped ReLU"),
    (nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(400, 2), nn.ReLU(), nn.Linear(2, 2)), "2", "no ReLU"),
    (nn.Sequential(nn.Conv2d(1, 4, 3), nn.AvgPool2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(100, 2)), "2", "average pooling"),
    (nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(3, stride=2), nn.Flatten(), nn.Linear(64, 2)), "2", "stride"),
    (Residual(), "c2", "branches"),
])
def test_unsupported_constructs_are_refused_by_name(tmp_path, model, node, words):
    c = model[0].in_channels if isinstance(model, nn.Sequential) else 1
    with pytest.raises(UnsupportedModel) as e:
        pi.import_module(model.eval(), (c, 12, 12), images(8, seed=6).repeat(1, c, 1, 1), str(tmp_path), "bad")
    assert e.value.node == node and words in str(e.value), str(e.value)
    assert f"node '{node}'" in str(e.value)
    assert os.listdir(tmp_path) == [], "a refused import writes nothing"
