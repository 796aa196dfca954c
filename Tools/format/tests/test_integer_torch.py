"""The torch backend's float accumulation is exact: float32 where every partial sum stays below
2^24, float64 above; both equal int64 arithmetic on worst-case operands, and the torch backend
equals the numpy backend on the committed models."""
import os

import numpy as np
import pytest
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))

from joule_format import integer, model_json

torch = pytest.importorskip("torch")
from joule_format import integer_torch  # noqa: E402


def worst_case(o, c, k, cmax, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(0, cmax + 1, (2, c, 6, 6), generator=g).to(torch.int64)
    q = torch.randint(-127, 128, (o, c, k, k), generator=g).to(torch.int64)
    x[0] = cmax                         # one all-maximal image, weights of one sign in one channel
    q[0] = 127
    return x, q


def test_float32_path_is_exact_and_chosen_below_2_24():
    x, q = worst_case(8, 512, 3, 6, 0)            # VGG's widest code layer: 4608·6·127 < 2^24
    assert integer_torch.float_dtype(x, q, q[0].numel()) == torch.float32
    exact = integer_torch.conv_acc(x, q, (1, 1), (1, 1), exact_int=True)
    assert torch.equal(integer_torch.conv_acc(x, q, (1, 1), (1, 1)), exact)
    assert int(exact.abs().max()) == 4608 * 6 * 127


def test_float64_path_above_2_24():
    x, q = worst_case(4, 512, 3, 255, 1)           # raw bytes into a wide layer: 4608·255·127 > 2^24
    assert integer_torch.float_dtype(x, q, q[0].numel()) == torch.float64
    exact = integer_torch.conv_acc(x, q, (1, 1), (1, 1), exact_int=True)
    assert torch.equal(integer_torch.conv_acc(x, q, (1, 1), (1, 1)), exact)
    assert int(exact.abs().max()) > 2 ** 24
    lin_x = x.flatten(1)
    lin_q = torch.randint(-127, 128, (4, lin_x.shape[1]), generator=torch.Generator().manual_seed(2))
    assert integer_torch.float_dtype(lin_x, lin_q, lin_x.shape[1]) == torch.float64
    assert torch.equal(integer_torch.linear_acc(lin_x, lin_q), lin_x @ lin_q.t())


@pytest.mark.parametrize("name", ["watch-net-w4", "spiking-resnet-sbp"])
def test_numpy_and_torch_backends_agree_on_committed_models(name):
    model = model_json.load(os.path.join(ROOT, "Models", name + ".json"))
    x = np.random.default_rng(0).integers(0, 256, (12,) + model.input_shape, dtype=np.uint8)
    x[:4] = 0                                                       # some blank images too
    for T in (1, 6):
        ref = integer.IntegerModel(model, "numpy").run(x, T)
        fast = integer.IntegerModel(model, "torch").run(torch.from_numpy(x), T)
        assert np.array_equal(ref, fast.numpy())
