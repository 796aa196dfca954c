"""Leaky neurons (Sources/JouleCore/Spiking/NeuronModel.swift) end to end: models packed by
packmodel and run by `joule run --mode snn --schedule streaming` against
(1) a step-by-step integer reference in a few lines of numpy (Python integers: the floor of the
    leak is exact), for every neuron, every flag combination and leaks that round;
(2) snnTorch's `Leaky` (reset by subtraction, its default `reset_delay=True`) in float64 on the
    same weights, where the leak is exactly representable: spike counts per neuron identical;
    where it is not (β = 0.9, membranes that round), the difference is measured and stated.
    snnTorch's `reset_delay=False` is not Joule's immediate reset: it decides a spike on the
    membrane less θ whenever the previous step's reset left it above θ; the difference is
    measured, and an integer model of that rule reproduces snnTorch exactly.
Per-neuron counts of every layer come from truncations of a small MLP whose last layer reads out
spike counts; the failing case names the model, the layer and the neuron."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import snntorch as snn
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "Tools", "format"))
from joule_format import safetensors  # noqa: E402

SIZES = [36, 24, 16, 6]          # input 1×6×6, two hidden layers (multiples of 8: the lane update), 6 outputs
FIRE_ABOVE, RESET_AFTER_LEAK, RESET_TO_ZERO = 1, 2, 4


def binaries():
    """packmodel and joule: JOULE_BIN, else the release build (must exist: this test does not skip)."""
    folder = os.environ.get("JOULE_BIN") or os.path.join(ROOT, ".build", "release")
    tools = [os.path.join(folder, t) for t in ("packmodel", "joule")]
    assert all(os.access(t, os.X_OK) for t in tools), f"no packmodel/joule in {folder}: swift build -c release"
    return tools


def make_layers(rng, S, granule):
    """Integer MLP weights; multipliers and biases are multiples of `granule` (2^(s·T) makes every
    leak exact for T steps)."""
    layers = []
    for k, (fan_in, out) in enumerate(zip(SIZES, SIZES[1:])):
        q = rng.integers(-60, 61, size=(out, fan_in)).astype(np.int8)
        typical = 60 * 255 if k == 0 else 60     # |acc| of one strong input: a few fire every step
        M = np.maximum(1, np.round((1 << S) / typical / granule)).astype(np.int64) * granule
        M = (M * rng.uniform(0.6, 1.4, size=out)).astype(np.int64) // granule * granule
        B = rng.integers(-2, 5, size=out).astype(np.int64) * ((1 << S) // 8 // granule) * granule
        layers.append((q, np.maximum(M, granule).astype(np.int32), B))
    return layers


def pack(tmp, name, layers, neuron, T):
    """Writes the JSON model + safetensors of `layers` (all kept; the last reads out), packs it."""
    tensors, json_layers = {}, []
    for k, (q, M, B) in enumerate(layers):
        n = f"fc{k + 1}"
        tensors[f"{n}.weight"], tensors[f"{n}.multiplier"], tensors[f"{n}.bias"] = q, M, B
        json_layers.append({"name": n, "type": "linear", "outFeatures": int(q.shape[0]), "weightBits": 8,
                            "shift": S_SHIFT, "activation": "none" if k == len(layers) - 1 else "quant",
                            "neuron": neuron})
    doc = {"format": "joule-model", "version": 1, "name": name, "weights": f"{name}.safetensors",
           "input": {"channels": 1, "height": 6, "width": 6, "scale": 1 / 255}, "timesteps": T,
           "layers": [{"name": "flat", "type": "flatten"}] + json_layers}
    safetensors.save(tensors, os.path.join(tmp, f"{name}.safetensors"))
    with open(os.path.join(tmp, f"{name}.json"), "w") as f:
        json.dump(doc, f)
    packmodel, _ = binaries()
    out = os.path.join(tmp, f"{name}.jmod")
    subprocess.run([packmodel, os.path.join(tmp, f"{name}.json"), "-o", out], check=True, capture_output=True)
    return out


def joule_counts(jmod, tmp, image, T):
    """Output spike counts per neuron and spikes per layer of one streaming run."""
    _, joule = binaries()
    path = os.path.join(tmp, "image.bin")
    with open(path, "wb") as f:
        f.write(image.astype(np.uint8).tobytes())
    done = subprocess.run([joule, "run", jmod, "--mode", "snn", "--schedule", "streaming", "--readout", "spikes",
                           "-t", str(T), "--input", path], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    scores = [int(v) for v in next(l for l in lines if l.startswith("scores:")).split()[1:]]
    header = next(l for l in lines if l.startswith("layer"))
    column = header.split("  ").index  # noqa: F841 (kept simple below)
    names = [c for c in header.replace("dense SOPs", "dense_SOPs").replace("eff ", "eff_").replace(" events", "_events")
             .replace("level sum", "level_sum").replace("neuron upd", "neuron_upd").replace("mem r/w", "mem_rw")
             .replace("weight bits", "weight_bits").replace("act rd bits", "act_rd_bits")
             .replace("act wr bits", "act_wr_bits").replace("leak upd", "leak_upd").split()]
    at = names.index("out_events")
    per_layer = [int(l.split()[at]) for l in lines[lines.index(header) + 1:] if l.startswith("fc")]
    return np.array(scores), per_layer


def reference_counts(layers, image, T, m, s, flags, snntorch_immediate=False):
    """Spike counts per neuron of every layer: the NeuronModel contract, in Python integers.
    `snntorch_immediate`: snnTorch's `reset_delay=False` rule instead (immediate reset, strict
    compare; the spike decided on the membrane less θ where the last reset left it above θ)."""
    theta = 1 << S_SHIFT
    x = [int(v) for v in image]
    V = [[0] * len(q) for q, _, _ in layers]
    fired = [[False] * len(q) for q, _, _ in layers]
    counts = [[0] * len(q) for q, _, _ in layers]
    for _ in range(T):
        inputs = x
        for k, (q, M, B) in enumerate(layers):
            spikes = []
            for j in range(len(q)):
                acc = sum(int(q[j][i]) * inputs[i] for i in range(len(inputs)) if inputs[i])
                zero = flags & RESET_TO_ZERO
                start = 0 if zero and flags & RESET_AFTER_LEAK and fired[k][j] else V[k][j]
                v = ((start * m) >> s if s else start) + int(M[j]) * acc + int(B[j])
                if flags & RESET_AFTER_LEAK and fired[k][j] and not zero:
                    v -= theta
                if snntorch_immediate:
                    carried = V[k][j] > theta
                    spike = v - theta * carried > theta
                    V[k][j] = v - theta * spike
                    counts[k][j] += spike
                    spikes.append(int(spike))
                    continue
                spike = v > theta if flags & FIRE_ABOVE else v >= theta
                V[k][j] = v if flags & RESET_AFTER_LEAK or not spike else (0 if zero else v - theta)
                fired[k][j] = spike
                counts[k][j] += spike
                spikes.append(int(spike))
            inputs = spikes
    return [np.array(c) for c in counts]


def snntorch_counts(layers, image, T, beta, reset_delay, mechanism="subtract"):
    """snnTorch: nn.Linear-equivalent float64 currents q·M/2^S · x + B/2^S into Leaky neurons."""
    scale = float(1 << S_SHIFT)
    weights = [torch.tensor(q.astype(np.float64) * M[:, None].astype(np.float64) / scale) for q, M, _ in layers]
    biases = [torch.tensor(B.astype(np.float64) / scale) for _, _, B in layers]
    lifs = [snn.Leaky(beta=beta, threshold=1.0, reset_mechanism=mechanism, reset_delay=reset_delay) for _ in layers]
    mems = [torch.zeros(len(b), dtype=torch.float64) for b in biases]
    counts = [torch.zeros(len(b), dtype=torch.int64) for b in biases]
    x = torch.tensor(image.astype(np.float64))
    for _ in range(T):
        inputs = x
        for k in range(len(layers)):
            current = weights[k] @ inputs + biases[k]
            spk, mems[k] = lifs[k](current, mems[k])
            counts[k] += spk.to(torch.int64)
            inputs = spk.to(torch.float64)
    return [c.numpy() for c in counts]


S_SHIFT = 36
T = 8


def images(rng, n=4):
    return [rng.integers(0, 256, size=36) * (rng.random(36) < 0.6) for _ in range(n)]


def joule_all_layers(tmp, name, layers, neuron, image):
    """Per-neuron counts of every layer from the truncated models (each layer once read out)."""
    per_neuron, totals = [], None
    for k in range(1, len(layers) + 1):
        jmod = pack(tmp, f"{name}-{k}", layers[:k], neuron, T)
        scores, per_layer = joule_counts(jmod, tmp, image, T)
        per_neuron.append(scores)
        if k == len(layers):
            totals = per_layer
    return per_neuron, totals


@pytest.mark.parametrize("beta,m,s", [(0.5, 1, 1), (0.75, 3, 2), (0.875, 7, 3)])
def test_exact_leak_equals_snntorch_and_reference(tmp_path, beta, m, s):
    reset_delay = True
    rng = np.random.default_rng(int(beta * 1000))
    layers = make_layers(rng, S_SHIFT, granule=1 << (s * T))
    flags = FIRE_ABOVE | (RESET_AFTER_LEAK if reset_delay else 0)
    neuron = {"beta": beta, "resetDelay": reset_delay, "fireAboveThreshold": True}
    fired = 0
    for image in images(rng):
        got, totals = joule_all_layers(str(tmp_path), "exact", layers, neuron, image)
        ref = reference_counts(layers, image, T, m, s, flags)
        torch_counts = snntorch_counts(layers, image, T, beta, reset_delay)
        for k in range(len(layers)):
            np.testing.assert_array_equal(got[k], ref[k], err_msg=f"layer fc{k + 1} vs the integer reference")
            np.testing.assert_array_equal(got[k], torch_counts[k], err_msg=f"layer fc{k + 1} vs snnTorch")
        assert totals == [int(c.sum()) for c in ref], "per-layer spike counters"
        fired += sum(int(c.sum()) for c in ref)
    assert fired > 0, "the models must spike for the comparison to mean anything"


@pytest.mark.parametrize("flags", range(8))
def test_rounding_leak_equals_reference(tmp_path, flags):
    """Leaks that round (β = 0.9 → 58982/65536; multipliers without spare bits): joule equals
    the integer contract exactly, for every flag combination."""
    rng = np.random.default_rng(17 + flags)
    layers = make_layers(rng, S_SHIFT, granule=1)
    neuron = {"beta": 58982 / 65536, "resetDelay": bool(flags & RESET_AFTER_LEAK),
              "fireAboveThreshold": bool(flags & FIRE_ABOVE), "resetToZero": bool(flags & RESET_TO_ZERO)}
    fired = 0
    for image in images(rng, 3):
        got, _ = joule_all_layers(str(tmp_path), "round", layers, neuron, image)
        ref = reference_counts(layers, image, T, 58982, 16, flags)
        for k in range(len(layers)):
            np.testing.assert_array_equal(got[k], ref[k], err_msg=f"layer fc{k + 1}, flags {flags}")
        fired += sum(int(c.sum()) for c in ref)
    assert fired > 0, "the models must spike for the comparison to mean anything"


def test_inexact_leak_difference_from_snntorch(tmp_path):
    """β = 0.9 is not m/2^s: packed as the nearest 58982/65536 (the packer refuses 0.9 itself,
    naming the nearest), and the membranes round at every leak. Against snnTorch with β = 0.9 the
    spike counts differ on few neurons, by one spike: stated here, bounded so a change shows."""
    rng = np.random.default_rng(3)
    layers = make_layers(rng, S_SHIFT, granule=1)
    neuron = {"beta": 58982 / 65536, "resetDelay": True, "fireAboveThreshold": True}
    differing, neurons, largest = 0, 0, 0
    for image in images(rng, 6):
        got, _ = joule_all_layers(str(tmp_path), "inexact", layers, neuron, image)
        theirs = snntorch_counts(layers, image, T, 0.9, True)
        for k in range(len(layers)):
            diff = np.abs(got[k] - theirs[k])
            differing += int((diff > 0).sum())
            neurons += diff.size
            largest = max(largest, int(diff.max()))
    print(f"β = 0.9 vs 58982/65536: {differing} of {neurons} neuron spike counts differ, by at most {largest}")
    assert differing <= neurons // 10 and largest <= 2, (differing, neurons, largest)


def test_immediate_reset_difference_from_snntorch(tmp_path):
    """Joule's immediate reset (`resetDelay` false) against snnTorch's `reset_delay=False`, exact
    leak β = 0.75: Joule equals its integer contract; snnTorch equals the integer model of its
    own rule; where the two rules part (a membrane still above θ after a reset) counts differ."""
    rng = np.random.default_rng(11)
    layers = make_layers(rng, S_SHIFT, granule=1 << (2 * T))
    neuron = {"beta": 0.75, "resetDelay": False, "fireAboveThreshold": True}
    differing, neurons = 0, 0
    for image in images(rng, 6):
        got, _ = joule_all_layers(str(tmp_path), "immediate", layers, neuron, image)
        ref = reference_counts(layers, image, T, 3, 2, FIRE_ABOVE)
        theirs = snntorch_counts(layers, image, T, 0.75, False)
        quirk = reference_counts(layers, image, T, 3, 2, FIRE_ABOVE, snntorch_immediate=True)
        for k in range(len(layers)):
            np.testing.assert_array_equal(got[k], ref[k], err_msg=f"layer fc{k + 1} vs the integer reference")
            np.testing.assert_array_equal(theirs[k], quirk[k], err_msg=f"layer fc{k + 1}: snnTorch's rule")
            differing += int((got[k] != theirs[k]).sum())
            neurons += got[k].size
    print(f"immediate reset vs snnTorch reset_delay=False: {differing} of {neurons} neuron spike counts differ")


@pytest.mark.parametrize("beta,m,s", [(0.5, 1, 1), (0.875, 7, 3)])
def test_reset_to_zero_equals_snntorch_and_reference(tmp_path, beta, m, s):
    """snnTorch's `Leaky(reset_mechanism="zero")` (default `reset_delay=True`:
    `U_t = β·(1 − S_{t−1})·U_{t−1} + I_t`) is `{"resetDelay": true, "fireAboveThreshold": true,
    "resetToZero": true}`: identical spike counts per neuron where the leak is exact."""
    rng = np.random.default_rng(int(beta * 1000) + 7)
    layers = make_layers(rng, S_SHIFT, granule=1 << (s * T))
    changed = 0
    # reset_delay=False is how snnTorch reads NIR's LIF (import_nir: reset_mechanism="zero").
    for delayed in (True, False):
        flags = FIRE_ABOVE | RESET_TO_ZERO | (RESET_AFTER_LEAK if delayed else 0)
        neuron = {"beta": beta, "resetDelay": delayed, "fireAboveThreshold": True, "resetToZero": True}
        fired = np.zeros(len(layers), dtype=int)
        for image in images(rng):
            got, _ = joule_all_layers(str(tmp_path), "zero", layers, neuron, image)
            ref = reference_counts(layers, image, T, m, s, flags)
            theirs = snntorch_counts(layers, image, T, beta, delayed, mechanism="zero")
            for k in range(len(layers)):
                np.testing.assert_array_equal(got[k], ref[k], err_msg=f"layer fc{k + 1} vs the integer reference")
                np.testing.assert_array_equal(got[k], theirs[k], err_msg=f"layer fc{k + 1} vs snnTorch, delay {delayed}")
                fired[k] += int(ref[k].sum())
            subtract = reference_counts(layers, image, T, m, s, flags & ~RESET_TO_ZERO)
            changed += sum(int((a != b).sum()) for a, b in zip(ref, subtract))
        assert (fired > 0).all(), f"every layer must spike for the comparison to mean anything: {fired}"
    assert changed > 0, "resetting to zero changed no spike count: the comparison would not see the flag"
