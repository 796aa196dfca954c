"""The torch backend of `joule_format.integer`: acc = Σ q·c on torch tensors (int64 in, int64 out).

Fast path: a float convolution / matmul of the integer-valued tensors, which is exact because
every product and partial sum is an integer of magnitude ≤ fan_in·max|c|·max|q|: float32 where
that bound is below 2^24 (every such integer is a float32), else float64 (the bound is < 2^31,
`model_json` checks it, ≪ 2^53). `exact_int=True`: int64 unfold + matmul (slow; the tests check
both agree). Everything after acc is `joule_format.integer`'s shared arithmetic.
"""
import numpy as np
import torch
import torch.nn.functional as F

FP32_EXACT = 2 ** 24   # every integer of magnitude ≤ 2^24 is a float32


def float_dtype(x, q, fan_in):
    """float32 when every partial sum of Σ x·q is an integer below 2^24 in magnitude in any
    summation order (fan_in · max|x| · max|q| < 2^24), else float64."""
    bound = fan_in * float(x.abs().max()) * float(q.abs().max()) if x.numel() and q.numel() else 0.0
    return torch.float32 if bound < FP32_EXACT else torch.float64


def conv_acc(x, q, stride, padding, exact_int=False):
    if not exact_int:
        dt = float_dtype(x, q, q[0].numel())
        return torch.round(F.conv2d(x.to(dt), q.to(dt), None, tuple(stride),
                                    tuple(padding))).to(torch.int64)
    n, c, h, w = x.shape
    o, _, kh, kw = q.shape
    cols = F.unfold(x.double(), (kh, kw), padding=tuple(padding), stride=tuple(stride))
    cols = torch.round(cols).to(torch.int64)                    # N × (C·kh·kw) × L
    out = torch.einsum("ok,nkl->nol", q.reshape(o, -1), cols)   # int64 matmul
    oh = (h + 2 * padding[0] - kh) // stride[0] + 1
    ow = (w + 2 * padding[1] - kw) // stride[1] + 1
    return out.reshape(n, o, oh, ow)


def linear_acc(x, q, exact_int=False):
    if exact_int:
        return x @ q.t()
    dt = float_dtype(x, q, q.shape[1])
    return torch.round(x.to(dt) @ q.to(dt).t()).to(torch.int64)


class TorchBackend:
    name = "torch"

    @staticmethod
    def array(a):
        return torch.from_numpy(np.asarray(a).astype(np.int64))

    @staticmethod
    def input(x):
        return (x if isinstance(x, torch.Tensor) else torch.from_numpy(np.asarray(x))).to(torch.int64)

    conv_acc = staticmethod(conv_acc)
    linear_acc = staticmethod(linear_acc)
