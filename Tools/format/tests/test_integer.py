"""joule_format.integer against values computed by hand from the formulas of Models/README.md
(not against itself), on the numpy backend and, where torch is installed, the torch backend
(float and int64 accumulation)."""
import numpy as np
import pytest

from joule_format import integer, model_json


def backends():
    out = [("numpy", False)]
    try:
        import torch  # noqa: F401
        out += [("torch", False), ("torch", True)]
    except ImportError:
        pass
    return out


def as_numpy(a):
    return a if isinstance(a, np.ndarray) else a.numpy()


def array(backend, values):
    return integer.backend(backend).array(np.array(values))


@pytest.mark.parametrize("backend,exact_int", backends())
def test_padded_and_strided_convolution_by_hand(backend, exact_int):
    be = integer.backend(backend)
    x = array(backend, [[[[1, 2], [3, 4]]]])                         # 1×1×2×2
    q = array(backend, [[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]])        # 1×1×3×3
    # padding 1: each output sums x against the 2×2 corner of q that the window keeps
    # (0,0): 1·5+2·6+3·8+4·9 = 77   (0,1): 1·4+2·5+3·7+4·8 = 67
    # (1,0): 1·2+2·3+3·5+4·6 = 47   (1,1): 1·1+2·2+3·4+4·5 = 37
    assert as_numpy(be.conv_acc(x, q, (1, 1), (1, 1), exact_int)).tolist() == [[[[77, 67], [47, 37]]]]
    assert as_numpy(be.conv_acc(x, q, (2, 2), (1, 1), exact_int)).tolist() == [[[[77]]]]
    lin = be.linear_acc(array(backend, [[1, -2, 3]]), array(backend, [[2, 0, -1], [1, 1, 1]]), exact_int)
    assert as_numpy(lin).tolist() == [[-1, 2]]


@pytest.mark.parametrize("backend", sorted({b for b, _ in backends()}))
def test_requantize_by_hand(backend):
    acc = array(backend, [[-7, 0, 5, 100]])                          # one image, four channels
    M, B = array(backend, [2, 2, 2, 2]), array(backend, [1, 1, 1, 1])
    # A = 2·acc·k + 4·1 (T = 4), code = clamp(floor(A / 8), 0, 4)
    assert as_numpy(integer.requantize(acc, M, B, 3, 4, 1, activation="none")).tolist() == [[-10, 4, 14, 204]]
    assert as_numpy(integer.requantize(acc, M, B, 3, 4, 1)).tolist() == [[0, 0, 1, 4]]       # 14/8 → 1
    assert as_numpy(integer.requantize(acc, M, B, 3, 4, 3)).tolist() == [[0, 0, 4, 4]]       # k = 3: 34/8 → 4
    R = array(backend, [[1, 2, 3, 0]])                               # + R·2^3: A = −2, 20, 38, 204
    assert as_numpy(integer.requantize(acc, M, B, 3, 4, 1, R)).tolist() == [[0, 2, 4, 4]]
    conv_acc = array(backend, [[[[9]], [[9]]]])                      # N×O×1×1: M, B per channel
    out = integer.requantize(conv_acc, array(backend, [1, 3]), array(backend, [0, -1]), 2, 4, 1)
    assert as_numpy(out).tolist() == [[[[2]], [[4]]]]                # 9/4 → 2; (27 − 4)/4 → 5 → 4


@pytest.mark.parametrize("backend", sorted({b for b, _ in backends()}))
def test_pooling_by_hand(backend):
    x = array(backend, [[[[1, 1, 2, 3, 4], [5, 6, 7, 8, 9], [1, 1, 1, 1, 1]]]])   # 1×1×3×5
    # 2×2 windows, stride 2: output 1×2 (floor size), sums 13 and 20
    assert as_numpy(integer.avgpool(x, (2, 2), (2, 2))).tolist() == [[[[3, 5]]]]
    assert as_numpy(integer.maxpool(x, (2, 2), (2, 2))).tolist() == [[[[6, 8]]]]
    # stride 1, overlapping: sums 13 16 20 24 / 13 15 17 19
    assert as_numpy(integer.avgpool(x, (2, 2), (1, 1))).tolist() == [[[[3, 4, 5, 6], [3, 3, 4, 4]]]]
    assert as_numpy(integer.maxpool(x, (2, 2), (1, 1))).tolist() == [[[[6, 7, 8, 9], [6, 7, 8, 9]]]]


@pytest.mark.parametrize("backend", sorted({b for b, _ in backends()}))
def test_predict_takes_the_first_maximum(backend):
    assert as_numpy(integer.predict(array(backend, [[5, 5, 1], [1, 7, 7], [-3, -2, -9]]))).tolist() == [0, 1, 1]


def hand_model():
    """input 1×3×3 → c1 (2×2 conv, reads the input) → c2 (1×1 conv, residual c1) → maxpool 2×2 →
    flatten → head (linear, 2 scores); T = 2."""
    doc = {"format": "joule-model", "version": 1, "name": "hand", "weights": "-",
           "input": {"channels": 1, "height": 3, "width": 3, "scale": 1 / 255}, "timesteps": 2,
           "layers": [{"name": "c1", "type": "conv2d", "outChannels": 1, "kernel": [2, 2], "shift": 5},
                      {"name": "c2", "type": "conv2d", "outChannels": 1, "kernel": [1, 1], "shift": 1,
                       "residual": "c1"},
                      {"name": "mx", "type": "maxpool", "kernel": [2, 2]},
                      {"name": "flat", "type": "flatten"},
                      {"name": "head", "type": "linear", "outFeatures": 2, "shift": 3, "activation": "none"}]}
    t = {"c1.weight": np.array([[[[1, -2], [1, 0]]]], np.int8), "c1.multiplier": np.array([2], np.int32),
         "c1.bias": np.array([-3], np.int64),
         "c2.weight": np.array([[[[3]]]], np.int8), "c2.multiplier": np.array([1], np.int32),
         "head.weight": np.array([[3], [-1]], np.int8), "head.multiplier": np.array([5, 7], np.int32),
         "head.bias": np.array([1, 2], np.int64)}
    return model_json.from_doc(doc, t, "hand.json")


@pytest.mark.parametrize("backend,exact_int", backends())
def test_whole_model_by_hand(backend, exact_int):
    x = np.array([[[[10, 0, 20], [0, 30, 0], [40, 0, 50]]]], np.uint8)
    outputs, stats = {}, {}
    scores = integer.IntegerModel(hand_model(), backend).run(x, exact_int=exact_int, outputs=outputs, stats=stats)
    # c1: acc = 10, −10, −20, 30; A = 2·acc·T + T·(−3) = 34, −46, −86, 114; floor(A/32) = 1, −2, −3, 3
    assert as_numpy(outputs["c1"]).tolist() == [[[[1, 0], [0, 2]]]]
    # c2: A = 1·3c + 0 + c·2^1 = 5c = 5, 0, 0, 10; floor(A/2) = 2, 0, 0, 5 → clamp to T = 2
    assert as_numpy(outputs["c2"]).tolist() == [[[[2, 0], [0, 2]]]]
    assert as_numpy(outputs["mx"]).tolist() == [[[[2]]]]
    # head: acc = 3·2, −1·2; A = M·acc + T·B = 30 + 2, −14 + 4
    assert as_numpy(scores).tolist() == [[32, -10]]
    assert stats["c1"] == {"type": "conv2d", "sum": 3, "zeros": 2, "count": 4, "neurons": 4}
    assert stats["mx"] == {"type": "maxpool", "sum": 2, "zeros": 0, "count": 1, "neurons": 1}
    assert "head" not in stats and "flat" not in stats
    # T = 1: c1 A = 2·acc·1 − 3 = 17, −23, −43, 57 → 0, 0, 0, 1; c2 A = 5c → 0…2 → codes 0, 0, 0, 1
    scores = integer.IntegerModel(hand_model(), backend).run(x.reshape(1, 9), T=1, exact_int=exact_int)
    assert as_numpy(scores).tolist() == [[5 * 3 + 1, -7 + 2]]
