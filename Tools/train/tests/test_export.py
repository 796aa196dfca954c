import json
import os

import numpy as np
import pytest
import torch

from joule_train import export, integer_twin, models
from joule_train.models import Net, conv, pool

T = 6


def tiny_spec():
    """Small net exercising every layer kind the runtime has: conv (stride/padding), residual,
    downsampling 1×1 shortcut, avgpool, maxpool, flatten, linear, a training-only side head."""
    return [conv("c1", 4), conv("c2", 4, residual="c1"),
            conv("ds", 6, pad=0, stride=2, kernel=1, input="c2"),
            conv("c3", 6, stride=2, input="c2"), conv("c4", 6, residual="ds"),
            pool("sgap", 4, input="c4", trainingOnly=True),
            {"name": "shead", "type": "linear", "outFeatures": 3, "activation": "none",
             "input": "sgap", "trainingOnly": True},
            pool("p1", 2, input="c4"), {"name": "mp", "type": "maxpool", "kernel": [2, 2]},
            {"name": "flat", "type": "flatten"},
            {"name": "fc", "type": "linear", "outFeatures": 3, "activation": "none"}]


def make_net(seed=0, bits=8):
    torch.manual_seed(seed)
    net = Net("tiny", tiny_spec(), (1, 8, 8), 1 / 255, T)
    with torch.no_grad():
        for m in net.qlayers():
            m.weight.mul_(1.5)
            m.bias.uniform_(-0.3, 0.5)
            if m.bn is None:
                continue
            m.bn.running_mean.uniform_(-0.2, 0.2)
            m.bn.running_var.uniform_(0.5, 2.0)
            m.bn.weight.uniform_(0.5, 1.5)
            m.bn.bias.uniform_(-0.2, 0.4)
    net.eval()
    return net


def test_bn_folding_equivalence():
    net = make_net()
    x = torch.randint(0, 256, (8, 1, 8, 8), dtype=torch.uint8)
    with torch.no_grad():
        outs_before = {}
        a = x.float() / 255
        for name in ("c1",):
            outs_before[name] = net.layers[name].pre_activation(a)
        logits_before, sides_before, _ = net(x)
        net.fold_bn()
        assert all(m.bn is None for m in net.qlayers())
        assert torch.allclose(net.layers["c1"].pre_activation(a), outs_before["c1"], atol=1e-5)
        logits_after, sides_after, _ = net(x)
    # codes can flip only at exact level boundaries; logits agree closely
    assert torch.allclose(logits_before, logits_after, atol=1e-3)


def exported(tmp_path, bits=8, seed=0):
    net = make_net(seed)
    net.fold_bn()
    net.set_weight_bits(bits)
    return net, export.export(net, str(tmp_path), bits=bits)


@pytest.mark.parametrize("bits", [8, 4])
def test_export_round_trip(tmp_path, bits):
    from safetensors.numpy import load_file
    net, jpath = exported(tmp_path, bits)
    doc = json.load(open(jpath))
    assert doc["format"] == "joule-model" and doc["version"] == 1 and doc["timesteps"] == T
    st = load_file(os.path.join(tmp_path, doc["weights"]))
    weighted = [L for L in doc["layers"] if L["type"] in ("conv2d", "linear")]
    assert weighted[-1]["activation"] == "none"
    assert all(L["activation"] == "quant" for L in weighted[:-1] if not L.get("trainingOnly"))
    for L in weighted:
        n = L["name"]
        w, M, B = st[f"{n}.weight"], st[f"{n}.multiplier"], st[f"{n}.bias"]
        assert w.dtype == np.int8 and M.dtype == np.int32 and B.dtype == np.int64
        assert st[f"{n}.weight_scale"].dtype == np.float32
        m = net.layers[n]
        assert list(w.shape) == list(m.weight.shape)  # PyTorch layout
        assert M.shape == B.shape == (w.shape[0],)
        lo, hi = (-127, 127) if bits == 8 else (-8, 7)
        assert w.min() >= lo and w.max() <= hi
        assert (M > 0).all() and M.max() >= 2 ** 14 and 0 <= L["shift"] <= 48
        assert np.abs(B).max() < 2 ** 47
        assert L["weightBits"] == bits
        fan_in = int(np.prod(w.shape[1:]))
        assert fan_in * 127 * 255 < 2 ** 31
        # M ≈ s·unit·2^S, B ≈ b·2^S
        unit = 1 / 255 if L.get("input", "input" if n == "c1" else None) == "input" else 1.0
        S = L["shift"]
        assert np.allclose(M, st[f"{n}.weight_scale"].astype(np.float64) * unit * 2.0 ** S,
                           rtol=1e-6, atol=0.51)
        assert np.allclose(B, m.bias.detach().double().numpy() * 2.0 ** S, rtol=1e-9, atol=0.51)
    # training-only layers carry the flag and an explicit input
    for L in doc["layers"]:
        if L["name"] in ("sgap", "shead"):
            assert L["trainingOnly"] is True and "input" in L
    # our own reader agrees with the reference library
    from joule_format.safetensors import load
    mine = load(os.path.join(tmp_path, doc["weights"]))
    assert set(mine) == set(st) and all(np.array_equal(mine[k], st[k]) for k in st)


def reference_run(jpath, x, T):
    """Literal re-computation of the README formulas with Python integers and float64 loops
    (independent of integer_twin's vectorised code)."""
    doc = json.load(open(jpath))
    from safetensors.numpy import load_file
    st = load_file(os.path.join(os.path.dirname(jpath), doc["weights"]))
    outs = {"input": x.astype(np.int64)}
    prev = "input"
    for L in doc["layers"]:
        src = L.get("input", prev)
        if L.get("trainingOnly"):
            continue
        prev = L["name"]
        a = outs[src]
        t = L["type"]
        if t in ("conv2d", "linear"):
            q = st[L["name"] + ".weight"].astype(np.float64)
            M = st[L["name"] + ".multiplier"].astype(np.float64)
            B = st[L["name"] + ".bias"].astype(np.float64)
            S = L["shift"]
            k = T if src == "input" else 1
            if t == "conv2d":
                sh, sw = L["stride"]
                ph, pw = L["padding"]
                C, H, W = a.shape
                o, _, kh, kw = q.shape
                ap = np.zeros((C, H + 2 * ph, W + 2 * pw))
                ap[:, ph:ph + H, pw:pw + W] = a
                oh, ow = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
                acc = np.zeros((o, oh, ow))
                for i in range(oh):
                    for j in range(ow):
                        win = ap[:, i * sh:i * sh + kh, j * sw:j * sw + kw]
                        acc[:, i, j] = (q * win[None]).reshape(o, -1).sum(1)
                Mb, Bb = M[:, None, None], B[:, None, None]
            else:
                acc = q @ a.reshape(-1).astype(np.float64)
                Mb, Bb = M, B
            A = Mb * acc * k + T * Bb  # float64: exact here (|A| < 2^53 for this tiny model)
            if L.get("residual"):
                A = A + outs[L["residual"]] * 2.0 ** S
            if L["activation"] == "none":
                y = A
            else:
                y = np.clip(np.floor(A / 2.0 ** S), 0, T).astype(np.int64)
        elif t == "avgpool":
            kh, kw = L["kernel"]
            C, H, W = a.shape
            y = np.zeros((C, H // kh, W // kw), dtype=np.int64)
            for i in range(H // kh):
                for j in range(W // kw):
                    y[:, i, j] = a[:, i * kh:(i + 1) * kh, j * kw:(j + 1) * kw].sum((1, 2)) // (kh * kw)
        elif t == "maxpool":
            kh, kw = L["kernel"]
            C, H, W = a.shape
            y = a[:, :H // kh * kh, :W // kw * kw].reshape(C, H // kh, kh, W // kw, kw).max((2, 4))
        else:
            y = a.reshape(-1)
        outs[L["name"]] = y
    return y, outs


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_integer_twin_matches_reference(tmp_path, seed):
    net, jpath = exported(tmp_path, 8, seed)
    torch.manual_seed(100 + seed)
    x = torch.randint(0, 256, (6, 1, 8, 8), dtype=torch.uint8)
    model = integer_twin.IntegerModel(jpath)
    for T in (1, 3, 6, 9):
        fast = model.run(x, T)
        exact = model.run(x, T, exact_int=True)
        assert torch.equal(fast, exact)
        for n in range(len(x)):
            ref, _ = reference_run(jpath, x[n].numpy(), T)
            assert np.allclose(fast[n].numpy().astype(np.float64), ref, rtol=1e-12, atol=0)


def test_float_qat_model_agrees_with_integer_twin(tmp_path):
    net, jpath = exported(tmp_path, 8, 0)
    torch.manual_seed(7)
    x = torch.randint(0, 256, (64, 1, 8, 8), dtype=torch.uint8)
    with torch.no_grad():
        logits, _, _ = net(x)
    scores = integer_twin.IntegerModel(jpath).run(x, T)
    S = json.load(open(jpath))["layers"][-1]["shift"]
    real = scores.double() / (T * 2.0 ** S)  # the README: real logit = A / (T·2^S)
    agree = (real.argmax(1) == logits.argmax(1)).double().mean()
    assert agree >= 0.9
    assert (real - logits.double()).abs().median() < 0.05
