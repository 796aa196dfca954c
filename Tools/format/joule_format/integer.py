"""The integer model of Models/README.md ("The integer model", normative): the one definition of
its arithmetic in Python, used by every Python evaluator (joule_train's integer twin, Tools/bench,
the C-API fixture).

  acc_j   = Σ_i q_ij · c_i                                 (exact integers)
  A_j     = M_j · acc_j · k + T · B_j + R_j · 2^S          (int64; k = T for a layer fed by the
                                                            model input, else 1; R = residual codes)
  code_j  = clamp(floor(A_j / 2^S), 0, T)                  (activation "quant")
  score_j = A_j                                            (activation "none", the last layer)
  avgpool: floor(Σ window / (kh·kw));  maxpool: the window's largest code;  flatten: identity (CHW)
  prediction: argmax of the scores, ties to the lowest class index

`requantize`, `avgpool`, `maxpool` and `predict` are written with operations that numpy arrays and
torch tensors share, so the same lines run on either; they take int64 arrays batched N×C×H×W
(or N×F). Only `acc` has a backend of its own:
  "numpy"  int64 im2col + matmul, exact;
  "torch"  `joule_format.integer_torch`: a float convolution / matmul of integer-valued tensors,
           exact by a bound on the partial sums (fast), or int64 with `exact_int=True`.
Every value is an exact integer within the limits `model_json` checks, so both backends give
bit-identical codes and scores.
"""
import math

import numpy as np

from . import model_json


def requantize(acc, M, B, S, T, k, residual=None, activation="quant"):
    """Codes (or, for activation "none", the scores A) of a weighted layer. `acc`: int64
    N×O×H×W or N×O; `M`, `B`: int64 [O] of the same array kind; `residual`: codes shaped like
    `acc`, or None."""
    shape = (1, -1) + (1,) * (acc.ndim - 2)
    A = M.reshape(shape) * acc * k + T * B.reshape(shape)
    if residual is not None:
        A = A + residual * (1 << S)
    if activation == "none":
        return A
    return (A >> S).clip(0, T)  # an arithmetic shift is floor(A / 2^S)


def _windows(x, kernel, stride):
    """The kh·kw strided views of N×C×H×W `x` whose element [n, c, y, x] is tap (i, j) of output
    (y, x)'s window; the output is floor((H − kh) / sh) + 1 by floor((W − kw) / sw) + 1."""
    (kh, kw), (sh, sw) = kernel, stride
    oh, ow = (x.shape[-2] - kh) // sh + 1, (x.shape[-1] - kw) // sw + 1
    return [x[..., i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
            for i in range(kh) for j in range(kw)]


def avgpool(x, kernel, stride):
    """floor(Σ window / (kh·kw)) of non-negative int64 codes."""
    taps = _windows(x, kernel, stride)
    total = taps[0]
    for tap in taps[1:]:
        total = total + tap
    return total // len(taps)


def maxpool(x, kernel, stride):
    taps = _windows(x, kernel, stride)
    top = taps[0]
    for tap in taps[1:]:
        top = np.maximum(top, tap) if isinstance(top, np.ndarray) else top.maximum(tap)
    return top


def predict(scores):
    """Class per row of N×classes scores: the first maximum (numpy and torch argmax both return
    the first)."""
    return scores.argmax(1)


# ---- numpy accumulation ---------------------------------------------------------------------

def conv_acc(x, q, stride, padding):
    """Σ q·c of a zero-padded convolution, int64: x N×C×H×W, q O×C×kh×kw."""
    n, c, h, w = x.shape
    o, _, kh, kw = q.shape
    (sh, sw), (ph, pw) = stride, padding
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    cols = np.empty((n, c, kh, kw, oh, ow), np.int64)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = xp[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
    acc = np.matmul(q.reshape(o, -1), cols.reshape(n, c * kh * kw, oh * ow))
    return acc.reshape(n, o, oh, ow)


class NumpyBackend:
    name = "numpy"

    @staticmethod
    def array(a):
        return np.asarray(a).astype(np.int64)

    @staticmethod
    def input(x):
        return np.asarray(x).astype(np.int64)

    @staticmethod
    def conv_acc(x, q, stride, padding, exact_int=False):
        return conv_acc(x, q, stride, padding)

    @staticmethod
    def linear_acc(x, q, exact_int=False):
        return x @ q.T


def backend(name):
    if name == "numpy":
        return NumpyBackend()
    if name == "torch":
        from .integer_torch import TorchBackend
        return TorchBackend()
    raise ValueError(f"backend must be 'numpy' or 'torch', not {name!r}")


class IntegerModel:
    """A whole model on one backend. `model`: a `model_json.Model` with tensors, or a JSON path."""

    def __init__(self, model, backend_name="numpy"):
        self.model = model if isinstance(model, model_json.Model) else model_json.load(model)
        self.backend = backend(backend_name)
        self.layers = self.model.layers
        self.T_default = self.model.timesteps
        self.params = {L["name"]: tuple(self.backend.array(a) for a in self.model.weights(L))
                       for L in self.layers if L["type"] in model_json.WEIGHTED}

    def run(self, x, T=None, exact_int=False, stats=None, outputs=None):
        """Scores (int64, N×classes, the backend's array kind) of input bytes `x` (N×C×H×W, or
        N×(C·H·W); numpy array or torch tensor) at `T` timesteps (default: the model's).
        `exact_int` (torch) accumulates in int64 instead of float.
        `stats` (dict) accumulates per code-producing layer (weighted and pooling): 'type',
        'neurons' (outputs per image), 'sum' of codes, 'zeros', 'count' (neurons × images).
        `outputs` (dict) receives every kept layer's output by name (codes, the last layer's A)."""
        T = T or self.T_default
        be = self.backend
        x = be.input(x)
        outs = {"input": x.reshape((x.shape[0],) + self.model.input_shape)}
        y = None
        for L in self.layers:
            t, name = L["type"], L["name"]
            src = outs[L["input"]]
            if t in model_json.WEIGHTED:
                q, M, B = self.params[name]
                if t == "conv2d":
                    acc = be.conv_acc(src, q, L["stride"], L["padding"], exact_int)
                else:
                    acc = be.linear_acc(src.reshape(src.shape[0], -1), q, exact_int)
                residual = outs[L["residual"]] if L.get("residual") else None
                y = requantize(acc, M, B, L["shift"], T, T if L["reads_input"] else 1, residual,
                               L["activation"])
            elif t == "avgpool":
                y = avgpool(src, L["kernel"], L["stride"])
            elif t == "maxpool":
                y = maxpool(src, L["kernel"], L["stride"])
            else:  # flatten
                y = src.reshape(src.shape[0], -1)
            outs[name] = y
            if outputs is not None:
                outputs[name] = y
            if stats is not None and L.get("activation", "quant") != "none" and t != "flatten":
                s = stats.setdefault(name, {"type": t, "sum": 0, "zeros": 0, "count": 0,
                                            "neurons": math.prod(y.shape[1:])})
                s["sum"] += int(y.sum())
                s["zeros"] += int((y == 0).sum())
                s["count"] += math.prod(y.shape)
        return y
