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


def reference_layers(model, bn):
    """The promised integer semantics of each ReLU layer, evaluated independently in float64 with
    the module's own layers: codes = floor(clamp(z / a, 0, 1)·T + ½) with z the float layer (and
    its batch norm) applied to its input's codes scaled back (a_in·c/T; the first layer: bytes/255)."""
    m = model.double().eval()
    convs = [l for l in m if isinstance(l, nn.Conv2d)]
    fcs = [l for l in m if isinstance(l, nn.Linear)]
    norm = m[1] if bn else (lambda z: z)

    def codes(z, a):
        return torch.floor(torch.clamp(z / a, 0, 1) * T + 0.5).clamp(max=T)
    return [lambda x, a_in, a: codes(norm(convs[0](x.double() / 255)), a),
            lambda c, a_in, a: codes(convs[1](c.double() * a_in / T), a),
            lambda c, a_in, a: codes(fcs[0](c.double().flatten(1) * a_in / T), a),
            lambda c, a_in, a: fcs[1](c.double() * a_in / T)]


@pytest.mark.parametrize("bn", [True, False])
def test_imported_model_matches_promised_integer_semantics(tmp_path, bn):
    model = lenet(bn)
    calib = images(200, seed=2)
    path, ranges = pi.import_module(model, (1, 12, 12), calib, str(tmp_path), "lenet", T=T)
    doc = json.load(open(path))
    kinds = [L["type"] for L in doc["layers"]]
    assert kinds == ["conv2d", "maxpool", "conv2d", "avgpool", "flatten", "linear", "linear"]
    assert [L.get("activation") for L in doc["layers"] if "activation" in L] == ["quant", "quant", "quant", "none"]
    assert all(a > 0 for a in ranges.values()) and len(ranges) == 3
    x = images(300, seed=3)
    outs = {}
    integer_twin.IntegerModel(path).run(x, T, outputs=outs)
    by_index = [outs[L["name"]] for L in doc["layers"]]
    # each layer checked on the twin's own input codes, so only its own weight rounding can move
    # a code, by one level and rarely; a wrong fold, gain or rounding offset moves many
    inputs = [x, by_index[1], by_index[4], by_index[5]]
    a = list(ranges.values())
    ref = reference_layers(lenet(bn), bn)
    for i, (layer, index) in enumerate(zip(ref[:3], [0, 2, 5])):
        want = layer(inputs[i], a[i - 1] if i else None, a[i])
        diff = (by_index[index].double() - want).abs()
        assert float(diff.max()) <= 1, doc["layers"][index]["name"]
        share = float((diff > 0).double().mean())
        assert share < 0.01, f"{doc['layers'][index]['name']}: {share:.4f} of codes differ"
    scores = by_index[6].double() / (T * 2 ** doc["layers"][-1]["shift"])
    want = ref[3](inputs[3], a[2], None)
    top2 = want.topk(2, dim=1).values
    clear = (top2[:, 0] - top2[:, 1]) > 0.02 * want.abs().max()
    assert clear.sum() > 100 and bool((scores.argmax(1) == want.argmax(1))[clear].all())


class FlattenByView(nn.Module):
    """A hand-written forward with the x.view(x.size(0), -1) idiom."""

    def __init__(self):
        super().__init__()
        self.conv, self.fc = nn.Conv2d(1, 4, 3), nn.Linear(4 * 5 * 5, 3)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv(x)), 2)
        return self.fc(x.view(x.size(0), -1))


def test_view_by_size_flattens(tmp_path):
    torch.manual_seed(0)
    path, _ = pi.import_module(FlattenByView().eval(), (1, 12, 12), images(50, seed=7), str(tmp_path), "view")
    assert [L["type"] for L in json.load(open(path))["layers"]] == ["conv2d", "maxpool", "flatten", "linear"]


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
