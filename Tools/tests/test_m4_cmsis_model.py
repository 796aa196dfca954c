"""Tools/lib/m4-cmsis-model.py (the CMSIS-NN tables of Tools/m4-bench): Q31 multipliers, the
layouts (NHWC input, OHWI filters, fully connected columns in HWC order) and the requantisation,
checked against Joule's integer model (joule_format.integer) on the test fixture with a numpy
emulation of CMSIS-NN's arithmetic. No compiler, QEMU or CMSIS-NN sources needed."""
import importlib.machinery
import importlib.util
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "Tools", "format"))
from joule_format import integer, model_json  # noqa: E402

_path = os.path.join(ROOT, "Tools", "lib", "m4-cmsis-model.py")
_loader = importlib.machinery.SourceFileLoader("m4_cmsis_model", _path)
_spec = importlib.util.spec_from_loader("m4_cmsis_model", _loader)
gen = importlib.util.module_from_spec(_spec)
_loader.exec_module(gen)

FIXTURE = os.path.join(ROOT, "Tests", "Fixtures", "tiny.json")
INPUT = os.path.join(ROOT, "Tests", "Fixtures", "tiny-input.bin")


def requantize(val, mult, shift):
    """CMSIS-NN's arm_nn_requantize (non-rounding left shift, doubling high multiply with
    rounding, rounding right shift), on int64 numpy arrays."""
    left, right = np.maximum(shift, 0), np.maximum(-shift, 0)
    x = val * (1 << left)
    r = (x * mult + (1 << 30)) >> 31
    mask = (1 << right) - 1
    rem, q = r & mask, r >> right
    threshold = (mask >> 1) + (q < 0)
    return q + (rem > threshold)


def test_q31_matches_the_factor():
    for f in (1e-9, 3.3e-6, 0.001234, 0.5, 0.75, 1.0, 7.25, 1000.0):
        m, s = gen.q31(f)
        assert (1 << 30) <= m < (1 << 31)
        assert abs(m * 2.0 ** s / 2 ** 31 - f) <= f * 2 ** -30


def test_input_is_nhwc_minus_128():
    model = model_json.load(FIXTURE)
    raw = np.frombuffer(open(INPUT, "rb").read(), np.uint8)
    x = gen.cmsis_input(model, raw)
    c, h, w = model.input_shape
    assert x.shape == (h, w, c)
    assert np.array_equal(x.astype(np.int64) + 128, raw.reshape(c, h, w).transpose(1, 2, 0))


def test_first_convolution_agrees_with_the_integer_model():
    model = model_json.load(FIXTURE)
    raw = np.frombuffer(open(INPUT, "rb").read(), np.uint8)
    layers, _ = gen.cmsis_layers(model, max_abs=1)
    d, L = layers[0], model.layers[0]
    assert d["kind"] == "conv" and d["input_offset"] == 128
    T = model.timesteps
    # Joule: codes of the first layer (k = T: it reads the raw bytes).
    x = raw.astype(np.int64).reshape((1,) + model.input_shape)
    q, M, B = model.weights(L)
    want = integer.requantize(integer.conv_acc(x, q, L["stride"], L["padding"]), M, B, L["shift"], T, T)[0]
    # CMSIS-NN: the same accumulator from the OHWI filters on NHWC (input + offset), then requantised.
    xin = gen.cmsis_input(model, raw).astype(np.int64) + d["input_offset"]   # H×W×C, = raw bytes
    w = d["weights"].astype(np.int64).transpose(0, 3, 1, 2)                   # back to OIHW
    acc = integer.conv_acc(xin.transpose(2, 0, 1)[None], w, L["stride"], L["padding"])[0]
    got = np.clip(requantize(acc + d["bias"][:, None, None], d["mult"][:, None, None],
                             d["shift"][:, None, None]), *d["act"])
    assert np.abs(got - want).max() <= 1
    assert (got == want).mean() > 0.99


def test_fully_connected_columns_follow_the_flatten():
    model = model_json.load(FIXTURE)
    layers, _ = gen.cmsis_layers(model, max_abs=1)
    fc = next(d for d in layers if d["kind"] == "fc")
    L = next(L for L in model.layers if L["type"] == "linear")
    flat = next(L for L in model.layers if L["type"] == "flatten")
    c, h, w = flat["in_shape"]
    q, _, _ = model.weights(L)
    act = np.random.default_rng(1).integers(0, 5, size=(c, h, w))
    # Joule reads the CHW-flattened codes; CMSIS-NN the HWC-ordered (NHWC) ones.
    assert np.array_equal(q @ act.ravel(), fc["weights"].astype(np.int64) @ act.transpose(1, 2, 0).ravel())
    # The next linear layer reads a vector: its columns are not permuted.
    head = layers[-1]
    q2, _, _ = model.weights(model.layers[-1])
    assert np.array_equal(head["weights"], q2.astype(np.int8))


def test_fixture_notes_the_residual():
    model = model_json.load(FIXTURE)
    _, notes = gen.cmsis_layers(model, max_abs=1)
    assert any("residual" in n for n in notes)
