"""NIR import (joule_import/nir_import.py): graphs exported by snnTorch (LIF) and Norse (IF) with
weights that int8 holds exactly are imported, packed and run by `joule run` (streaming SNN, spike
read-out), and every output neuron's spike count equals the framework's own simulation of the
graph through its NIR import, in float64 (nir_reference.outputs), on random images; pooling
before and after a convolution, a Flatten and a Scale fold exactly; every unsupported node or
parameter is refused naming the node, its type and the reason, and nothing is written."""
import os
import subprocess

import nir
import numpy as np
import pytest
import snntorch as snn
import torch
import torch.nn as nn
from snntorch.export_nir import export_to_nir

from joule_import import __main__ as cli   # puts Tools/format (joule_format) on the path
from joule_import import joule_run, nir_import, nir_reference
from joule_import.errors import UnsupportedModel
from joule_format import safetensors  # noqa: E402 (after joule_import)

SCALE = 1 / 256          # input bytes / 256: exact in binary floating point


def exact(shape, rng, exponent, spread=127):
    """Weights q·2^-exponent with integer q, each output row reaching ±127 (int8 per-row
    quantisation then holds them exactly)."""
    q = rng.integers(-spread, spread + 1, size=shape).astype(np.float64)
    rows = q.reshape(shape[0], -1)
    rows[np.arange(shape[0]), rng.integers(0, rows.shape[1], size=shape[0])] = 127 * rng.choice([-1, 1], size=shape[0])
    return rows.reshape(shape) * 2.0 ** -exponent


def images(n, shape, seed):
    return torch.from_numpy(np.random.default_rng(seed).integers(0, 256, size=(n,) + shape).astype(np.uint8))


def joule_spikes(jmod, image, T, tmp_path):
    path = tmp_path / "image.bin"
    path.write_bytes(image.numpy().astype(np.uint8).tobytes())
    done = subprocess.run([joule_run.binary("joule"), "run", jmod, "--mode", "snn", "--schedule", "streaming",
                           "--readout", "spikes", "-t", str(T), "--input", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    line = next(l for l in done.stdout.splitlines() if l.startswith("scores:"))
    return np.array([int(v) for v in line.split()[1:]])


def check_counts(graph_path, framework, shape, T, tmp_path, dt=None, n=12, seed=1):
    json_path, readout, notes = nir_import.import_nir(graph_path, str(tmp_path / "out"), "t", T, shape, SCALE, dt=dt)
    assert readout == "spikes" and notes == []
    jmod = joule_run.pack(json_path)
    x = images(n, shape, seed)
    ref, _ = nir_reference.outputs(graph_path, framework, x, SCALE, T, dt, readout, dtype=torch.float64)
    ref = ref.numpy()
    assert ref.sum() > 0 and (ref < T).any(), "the test model must spike, and not saturate"
    for i in range(n):
        np.testing.assert_array_equal(joule_spikes(jmod, x[i], T, tmp_path), ref[i], err_msg=f"image {i}")
    return json_path


def leaky(shape):
    return snn.Leaky(beta=torch.full(shape, 0.875), threshold=torch.ones(shape), init_hidden=True,
                     reset_mechanism="zero", reset_delay=False)


def test_snntorch_lif_graph_counts_equal_snntorch(tmp_path):
    """Conv → AvgPool (folded into the conv) → LIF → AvgPool (folded into the next conv, padded)
    → Conv → LIF → Flatten → Linear → LIF, exported by snnTorch."""
    rng = np.random.default_rng(0)
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.AvgPool2d((2, 2), (2, 2)), leaky((4, 4, 4)),
                        nn.AvgPool2d((2, 2), (2, 2)), nn.Conv2d(4, 6, 3, padding=1), leaky((6, 2, 2)),
                        nn.Flatten(), nn.Linear(24, 5), leaky((5,)))
    with torch.no_grad():
        for m, e in ((net[0], 11), (net[4], 6), (net[7], 6)):
            m.weight.copy_(torch.from_numpy(exact(tuple(m.weight.shape), rng, e)))
            m.bias.copy_(torch.from_numpy(rng.integers(-4, 9, size=m.bias.shape) * 2.0 ** -5))
    path = str(tmp_path / "lif.nir")
    nir.write(path, export_to_nir(net, torch.rand(1, 1, 8, 8), ignore_dims=[0]))
    json_path = check_counts(path, "snntorch", (1, 8, 8), 6, tmp_path, dt=1e-4)
    layers = [l for l in __import__("json").load(open(json_path))["layers"] if l["type"] != "flatten"]
    assert [l["kernel"] for l in layers[:2]] == [[4, 4], [6, 6]] and layers[0]["stride"] == [2, 2]
    assert all(l["neuron"] == {"beta": 0.875, "resetDelay": False, "fireAboveThreshold": True,
                               "resetToZero": True} for l in layers)


def norse_if_graph(rng, tmp_path, sizes=(36, 16, 8, 5)):
    import norse.torch as norse
    mods = []
    for k, (a, b) in enumerate(zip(sizes, sizes[1:])):
        lin = nn.Linear(a, b)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(exact((b, a), rng, 10 if k == 0 else 6)))
            lin.bias.copy_(torch.from_numpy(rng.integers(-4, 9, size=b) * 2.0 ** -6))
        mods += [lin, norse.IAFCell(norse.IAFParameters(v_th=torch.full((b,), 1.0)))]
    path = str(tmp_path / "if.nir")
    nir.write(path, norse.to_nir(norse.SequentialState(*mods), torch.rand(sizes[0])))
    return path


def test_norse_if_graph_counts_equal_norse(tmp_path):
    check_counts(norse_if_graph(np.random.default_rng(2), tmp_path), "norse", (1, 6, 6), 7, tmp_path)


def test_thresholds_and_gains_fold_into_the_weights(tmp_path):
    """A hand-written LIF graph with thresholds other than 1 (per neuron, powers of two) and an
    input gain dt·R/τ = 1/8, simulated by Norse's NIR import at dt = 1e-3 (its LIF steps
    v ← v + dt/τ·(I − v)): every output neuron's spike count equal."""
    rng = np.random.default_rng(7)
    sizes, tau = (36, 16, 5), 8e-3
    nodes, edges, prev = {"input": nir.Input(input_type=np.array([36]))}, [], "input"
    for k, (a, b) in enumerate(zip(sizes, sizes[1:])):
        nodes[f"fc{k}"] = nir.Affine(weight=exact((b, a), rng, 7 if k == 0 else 2),
                                     bias=rng.integers(-4, 9, size=b) * 2.0 ** -3)
        theta = 2.0 ** rng.integers(-1, 3, size=b)
        nodes[f"lif{k}"] = nir.LIF(tau=np.full(b, tau), r=np.ones(b), v_leak=np.zeros(b), v_threshold=theta)
        edges += [(prev, f"fc{k}"), (f"fc{k}", f"lif{k}")]
        prev = f"lif{k}"
    nodes["output"] = nir.Output(output_type=np.array([sizes[-1]]))
    edges.append((prev, "output"))
    path = str(tmp_path / "lif-theta.nir")
    nir.write(path, nir.NIRGraph(nodes=nodes, edges=edges))
    json_path = check_counts(path, "norse", (1, 6, 6), 8, tmp_path, dt=1e-3)
    import json
    assert {l["neuron"]["beta"] for l in json.load(open(json_path))["layers"] if "neuron" in l} == {0.875}


def test_subtract_at_threshold_if_is_the_qnn_twin(tmp_path):
    """IF with --reset subtract --fire-at-threshold is Joule's integrate-and-fire neuron: no
    neuron field, so the packed model runs as a QNN too."""
    path = norse_if_graph(np.random.default_rng(3), tmp_path)
    json_path, _, _ = nir_import.import_nir(path, str(tmp_path / "o"), "t", 4, (1, 6, 6), SCALE,
                                            reset="subtract", fire_at_threshold=True)
    import json
    assert all("neuron" not in l for l in json.load(open(json_path))["layers"])
    jmod = joule_run.pack(json_path)
    img = tmp_path / "x.bin"
    img.write_bytes(bytes(range(36)))
    done = subprocess.run([joule_run.binary("joule"), "run", jmod, "--mode", "qnn", "--input", str(img)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def affine(rng, o, i):
    return nir.Affine(weight=rng.normal(size=(o, i)), bias=rng.normal(size=o))


def IF(n, threshold=1.0):
    return nir.IF(r=np.ones(n), v_threshold=np.full(n, threshold))


def graph(*nodes, edges=None, shape=(36,)):
    names = {"input": nir.Input(input_type=np.array(shape))}
    names.update({str(k): n for k, n in enumerate(nodes)})
    names["output"] = nir.Output(output_type=np.array([1]))
    order = list(names)
    edges = edges if edges is not None else list(zip(order, order[1:]))
    return nir.NIRGraph(nodes=names, edges=edges, type_check=False)


def tensors_of(json_path):
    return safetensors.load(os.path.splitext(json_path)[0] + ".safetensors")[0]


def test_scale_folds_into_the_weights(tmp_path):
    """A Scale after a neuron and one before a neuron write the same tensors as the weights
    scaled by hand."""
    rng = np.random.default_rng(4)
    a1, a2 = affine(rng, 8, 36), affine(rng, 5, 8)
    s_in, s_out = rng.uniform(0.5, 2, size=8), rng.uniform(0.5, 2, size=5)
    scaled = graph(a1, IF(8), nir.Scale(scale=s_in), a2, nir.Scale(scale=s_out), IF(5))
    by_hand = graph(a1, IF(8), nir.Affine(weight=a2.weight * s_in[None, :] * s_out[:, None], bias=a2.bias * s_out), IF(5))
    outs = []
    for g in (scaled, by_hand):
        layers, _ = nir_import.plan(g, (1, 6, 6))
        json_layers, tensors, _ = nir_import.build(layers, (1, 6, 6), SCALE, 8)
        outs.append([(l["shift"], [tensors[f"{l['name']}.{t}"] for t in ("weight", "multiplier", "bias")])
                     for l in json_layers if l["type"] == "linear"])
    assert len(outs[0]) == len(outs[1]) == 2
    for (s1, t1), (s2, t2) in zip(*outs):
        assert s1 == s2
        for a, b in zip(t1, t2):
            np.testing.assert_array_equal(a, b)


def test_pooling_folds_equal_torch():
    """The folded layers compute what torch computes for the unfolded chain (float64): a sum pool
    after a convolution, a sum pool before a padded convolution, an average pool before a linear
    layer, also of an odd map whose last row and column the pool drops."""
    import torch.nn.functional as F
    rng = np.random.default_rng(6)
    pool = lambda kind: kind(kernel_size=np.array([2, 2]), stride=np.array([2, 2]), padding=np.array([0, 0]))
    thr = lambda: nir.Threshold(threshold=np.ones(1))
    t = lambda a: torch.from_numpy(np.asarray(a, dtype=np.float64))
    c1, c2, c3 = conv(rng, 3, 1, padding=1), conv(rng, 4, 3, padding=1), conv(rng, 2, 1, k=2)
    for c in (c1, c2, c3):
        c.bias = rng.normal(size=c.weight.shape[0])
    fc, fc3 = affine(rng, 5, 4 * 2 * 2), affine(rng, 3, 2 * 2 * 2)
    flat = lambda: nir.Flatten(input_type=None, start_dim=0)
    cases = [
        (graph(c1, pool(nir.SumPool2d), thr(), pool(nir.SumPool2d), c2, thr(), pool(nir.AvgPool2d), flat(), fc,
               shape=(1, 16, 16)), (1, 16, 16),
         [lambda v: F.avg_pool2d(F.conv2d(v, t(c1.weight), t(c1.bias), 1, 1), 2) * 4,
          lambda v: F.conv2d(F.avg_pool2d(v, 2) * 4, t(c2.weight), t(c2.bias), 1, 1),
          lambda v: F.linear(F.avg_pool2d(v, 2).flatten(1), t(fc.weight), t(fc.bias))]),
        (graph(c3, thr(), pool(nir.AvgPool2d), flat(), fc3, shape=(1, 6, 6)), (1, 6, 6),
         [lambda v: F.conv2d(v, t(c3.weight), t(c3.bias)),
          lambda v: F.linear(F.avg_pool2d(v, 2).flatten(1), t(fc3.weight), t(fc3.bias))]),
    ]
    for g, shape, chains in cases:
        layers, readout = nir_import.plan(g, shape)
        assert readout == "membrane" and len(layers) == len(chains)
        for w, chain in zip(layers, chains):
            x = torch.from_numpy(rng.normal(size=(1,) + tuple(w.in_shape)))
            if w.kind == "conv2d":
                folded = F.conv2d(x, t(w.weight), t(w.bias), tuple(w.stride), tuple(w.padding))
            else:
                folded = F.linear(x.flatten(1), t(w.weight), t(w.bias))
            expected = chain(x)
            assert folded.shape == expected.shape, w.node
            torch.testing.assert_close(folded, expected, rtol=1e-12, atol=1e-12)
    assert layers[1].in_shape == (2, 5, 5)   # the odd case ran


def conv(rng, o, c, k=3, **kw):
    return nir.Conv2d(input_shape=None, weight=rng.normal(size=(o, c, k, k)), bias=np.zeros(o), stride=kw.get("stride", 1),
                      padding=kw.get("padding", 0), dilation=kw.get("dilation", 1), groups=kw.get("groups", 1))


def lif(n, tau=1e-3):
    return nir.LIF(tau=np.full(n, tau), r=np.ones(n), v_leak=np.zeros(n), v_threshold=np.ones(n))


R = np.random.default_rng(5)
REFUSALS = [
    ("branch", lambda: graph(affine(R, 8, 36), IF(8), affine(R, 5, 8),
                             edges=[("input", "0"), ("0", "1"), ("0", "2"), ("1", "output"), ("2", "output")]),
     "'0' (Affine): feeds 2 nodes"),
    ("recurrent edge", lambda: graph(affine(R, 8, 36), IF(8), affine(R, 8, 8),
                                     edges=[("input", "0"), ("0", "1"), ("1", "2"), ("2", "output"), ("1", "0")]),
     "'0' (Affine): receives 2 edges (input, 1): merges and recurrent connections"),
    ("merge", lambda: graph(affine(R, 8, 36), IF(8), affine(R, 8, 36),
                            edges=[("input", "0"), ("0", "1"), ("2", "1"), ("1", "output")]),
     "'1' (IF): receives 2 edges (0, 2): merges"),
    ("subgraph", lambda: graph(affine(R, 8, 36), graph(IF(8), shape=(8,))), "'1' (NIRGraph): subgraphs"),
    ("CubaLIF", lambda: graph(affine(R, 8, 36), nir.CubaLIF(tau_syn=np.ones(8), tau_mem=np.ones(8), r=np.ones(8),
                                                            v_leak=np.zeros(8), v_threshold=np.ones(8))),
     "'1' (CubaLIF): current-based"),
    ("LI read-out", lambda: graph(affine(R, 8, 36), nir.LI(tau=np.ones(8), r=np.ones(8), v_leak=np.zeros(8))),
     "'1' (LI): a leaky integrator read-out"),
    ("CubaLI", lambda: graph(affine(R, 8, 36), nir.CubaLI(tau_syn=np.ones(8), tau_mem=np.ones(8), r=np.ones(8),
                                                          v_leak=np.zeros(8))), "'1' (CubaLI): current-based"),
    ("Delay", lambda: graph(affine(R, 8, 36), IF(8), nir.Delay(delay=np.ones(8))), "'2' (Delay): delays"),
    ("Conv1d", lambda: graph(nir.Conv1d(input_shape=36, weight=np.ones((2, 1, 3)), stride=1, padding=0, dilation=1,
                                        groups=1, bias=np.zeros(2)), shape=(1, 36)), "'0' (Conv1d): 1-D convolutions"),
    ("grouped conv", lambda: graph(conv(R, 4, 2, groups=2), IF(1), shape=(2, 6, 6)), "'0' (Conv2d): grouped convolution"),
    ("dilated conv", lambda: graph(conv(R, 4, 1, dilation=2), IF(1), shape=(1, 6, 6)), "'0' (Conv2d): dilated"),
    ("overlapping pooling", lambda: graph(conv(R, 4, 1), IF(1), nir.SumPool2d(kernel_size=np.array([2, 2]),
                                          stride=np.array([1, 1]), padding=np.array([0, 0])), shape=(1, 6, 6)),
     "'2' (SumPool2d): pooling with stride (1, 1)"),
    ("padded pooling", lambda: graph(conv(R, 4, 1), IF(1), nir.AvgPool2d(kernel_size=np.array([2, 2]),
                                     stride=np.array([2, 2]), padding=np.array([1, 1])), shape=(1, 6, 6)),
     "'2' (AvgPool2d): pooling with stride (2, 2) and padding (1, 1)"),
    ("padding after an odd pool", lambda: graph(conv(R, 2, 1, padding=1), IF(1), nir.SumPool2d(
        kernel_size=np.array([2, 2]), stride=np.array([2, 2]), padding=np.array([0, 0])), conv(R, 3, 2, padding=1), IF(1),
        shape=(1, 5, 5)), "'3' (Conv2d): padding after pooling 2×2 of a 5×5 map"),
    ("string padding", lambda: graph(nir.Conv2d(input_shape=None, weight=np.ones((2, 1, 3, 3)), bias=np.zeros(2), stride=1,
                                                padding="same", dilation=1, groups=1), IF(1), shape=(1, 6, 6)),
     "'0' (Conv2d): padding 'same' is not supported"),
    ("bias size", lambda: graph(nir.Affine(weight=np.ones((8, 36)), bias=np.zeros(7)), IF(8)), "'0' (Affine): bias has 7 values for 8"),
    ("non-finite weight", lambda: graph(nir.Affine(weight=np.full((8, 36), np.nan), bias=np.zeros(8)), IF(8)),
     "'0' (Affine): weight has values that are not finite"),
    ("ambiguous Scale", lambda: graph(conv(R, 4, 1, padding=1), IF(1), nir.Scale(scale=np.ones(4)), nir.Flatten(
        input_type=None, start_dim=0), affine(R, 5, 4 * 6 * 6), IF(5), shape=(1, 6, 6)),
     "'2' (Scale): shape (4,) does not fit its input (4, 6, 6)"),
    ("v_leak", lambda: graph(affine(R, 8, 36), nir.LIF(tau=np.ones(8), r=np.ones(8), v_leak=np.full(8, 0.1),
                                                       v_threshold=np.ones(8))), "'1' (LIF): v_leak must be 0"),
    ("v_reset", lambda: graph(affine(R, 8, 36), nir.IF(r=np.ones(8), v_threshold=np.ones(8), v_reset=np.full(8, -1.0))),
     "'1' (IF): v_reset must be 0"),
    ("per-neuron tau", lambda: graph(affine(R, 8, 36), nir.LIF(tau=np.linspace(1e-3, 2e-3, 8), r=np.ones(8),
                                                               v_leak=np.zeros(8), v_threshold=np.ones(8))),
     "'1' (LIF): per-neuron time constants"),
    ("threshold within a channel", lambda: graph(conv(R, 2, 1), nir.IF(r=np.ones((2, 4, 4)),
                                                 v_threshold=np.linspace(1, 2, 32).reshape(2, 4, 4)), shape=(1, 6, 6)),
     "'1' (IF): v_threshold varies within a channel"),
    ("neuron on the input", lambda: graph(IF(36), affine(R, 5, 36)), "'0' (IF): follows the input"),
    ("two weighted nodes", lambda: graph(affine(R, 8, 36), affine(R, 5, 8)), "'1' (Affine): follows the weighted node '0'"),
    ("two neurons", lambda: graph(affine(R, 8, 36), IF(8), IF(8)), "'2' (IF): follows the neuron '1'"),
    ("input size", lambda: graph(affine(R, 8, 36), IF(8), shape=(40,)), "'input' (Input): declares 40 values"),
    ("input shape", lambda: graph(conv(R, 2, 1), IF(1), shape=(1, 4, 9)), "'input' (Input): declares 1×4×9; the data's input is 1×6×6"),
    ("weight shape", lambda: graph(affine(R, 8, 35), IF(8)), "'0' (Affine): weight shape (8, 35)"),
    ("pooled read-out", lambda: graph(conv(R, 2, 1), IF(1), nir.SumPool2d(kernel_size=np.array([2, 2]),
                                      stride=np.array([2, 2]), padding=np.array([0, 0])), shape=(1, 6, 6)),
     "'2' (SumPool2d): pooling or scaling the last neuron's spikes"),
    ("LIF without dt", lambda: graph(affine(R, 8, 36), lif(8)), "'1' (LIF): LIF needs the simulation timestep"),
    ("unstable step", lambda: graph(affine(R, 8, 36), lif(8, tau=1e-5)), "'1' (LIF): dt / tau"),
]


@pytest.mark.parametrize("name,make,message", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals_name_node_type_and_reason(name, make, message):
    dt = None if name == "LIF without dt" else 1e-4
    g = make()
    declared = tuple(int(d) for d in g.nodes["input"].input_type["input"])
    data = (1, 6, 6) if name == "input shape" or len(declared) != 3 else declared
    with pytest.raises(UnsupportedModel) as e:
        nir_import.plan(g, data, dt=dt)
    assert message in str(e.value)


def test_cli_refuses_with_status_2_and_writes_nothing(tmp_path, capsys):
    path = str(tmp_path / "cuba.nir")
    nir.write(path, nir.NIRGraph(nodes={"input": nir.Input(input_type=np.array([36])), "fc": affine(R, 8, 36),
                                        "syn": nir.CubaLIF(tau_syn=np.ones(8), tau_mem=np.ones(8), r=np.ones(8),
                                                           v_leak=np.zeros(8), v_threshold=np.ones(8)),
                                        "output": nir.Output(output_type=np.array([8]))},
                                 edges=[("input", "fc"), ("fc", "syn"), ("syn", "output")]))
    out = tmp_path / "out"
    assert cli.main(["nir", path, "--name", "m", "--out", str(out), "-T", "4", "--reference", "none",
                     "--input-shape", "1", "6", "6"]) == 2
    assert "node 'syn' (CubaLIF): current-based" in capsys.readouterr().err
    assert not out.exists() or not os.listdir(out)
    norse_graph = norse_if_graph(np.random.default_rng(8), tmp_path)
    assert cli.main(["nir", norse_graph, "--name", "m", "--out", str(out), "-T", "4", "--reference", "snntorch",
                     "--input-shape", "1", "6", "6"]) == 2
    assert "--reference snntorch: node '1' (IF): snntorch's NIR import does not simulate it" in capsys.readouterr().err
    assert not out.exists() or not os.listdir(out)
    junk = tmp_path / "junk.nir"
    junk.write_bytes(b"not hdf5")
    assert cli.main(["nir", str(junk), "--name", "m", "--out", str(out), "-T", "4", "--reference", "none"]) == 2
    assert "not a readable NIR graph" in capsys.readouterr().err
    assert not out.exists() or not os.listdir(out)
