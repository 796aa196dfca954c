"""Quantisers used in training; they implement exactly what the integer model computes.

- `q_t(x, T)`: the paper's Q_T(x) = floor(clamp(x, 0, 1)·T)/T with a straight-through gradient
  (d/dx = 1 on 0 < x < 1, else 0: the gradient of the clamp).
- `if_neuron(x, T)`: the same function computed as an integrate-and-fire neuron (threshold 1,
  reset by subtraction, no leak) fed the constant current x for T steps (layer-wise schedule),
  with a surrogate gradient through every timestep: used to train a network *as an SNN*.
- `requant_pool(a, k, T)`: average pooling of codes/T re-quantised as floor(Σ codes / k²)/T
  (the runtime's avgpool), straight-through.
- `fake_quant_weight(w, bits)`: symmetric per-output-channel weight quantisation
  (int8: q ∈ −127…127, int4: q ∈ −7…7; scale_j = max|w_j| / qmax), straight-through.
"""
import torch
import torch.nn.functional as F

QMAX = {8: 127, 4: 7}


def q_t(x, T):
    y = x.clamp(0.0, 1.0)
    # floor(y*T) with a tiny guard so that exact levels k/T are not lost to float rounding
    q = torch.floor(y * T + 1e-6).clamp(max=T) / T
    return y + (q - y).detach()


class _SpikeFn(torch.autograd.Function):
    """Heaviside(u - 1) with a rectangular surrogate gradient of width `width` around θ = 1."""

    @staticmethod
    def forward(ctx, u, width):
        ctx.save_for_backward(u)
        ctx.width = width
        return (u >= 1.0).to(u.dtype)

    @staticmethod
    def backward(ctx, g):
        (u,) = ctx.saved_tensors
        surrogate = ((u - 1.0).abs() < ctx.width / 2).to(g.dtype) / ctx.width
        return g * surrogate, None


def if_neuron_unrolled(x, T, width=1.0):
    """Reference implementation of `if_neuron` through autograd (slower; used by the tests)."""
    u = torch.zeros_like(x)
    total = torch.zeros_like(x)
    for _ in range(T):
        u = u + x
        s = _SpikeFn.apply(u, width)
        u = u - s  # reset by subtraction (gradient flows through the reset as well)
        total = total + s
    exact = torch.floor(x.clamp(0.0, 1.0) * T + 1e-6).clamp(max=T)
    return (total + (exact - total).detach()) / T


class _IFNeuron(torch.autograd.Function):
    """Non-leaky IF neuron (θ = 1, reset by subtraction) driven by the constant current x for T
    steps; returns the spike count / T. Backward = back-propagation through time with the
    rectangular surrogate σ'(u) = [|u − 1| < w/2] / w:
        δu_T = σ'_T·g,   δu_t = σ'_t·(g − δu_{t+1}) + δu_{t+1},   δx = Σ_t δu_t
    (u_t: membrane before the reset of step t, u_{t+1} = u_t − s_t + x, g = dL/d(count))."""

    @staticmethod
    def forward(ctx, x, T, width):
        u = torch.zeros_like(x)
        total = torch.zeros_like(x)
        us = []
        for _ in range(T):
            u = u + x
            us.append(u)
            s = (u >= 1.0).to(x.dtype)
            u = u - s
            total = total + s
        ctx.save_for_backward(*us)
        ctx.width = width
        # snap to floor(T·x) exactly (float accumulation can miss an exact boundary)
        exact = torch.floor(x.clamp(0.0, 1.0) * T + 1e-6).clamp(max=T)
        return exact / T

    @staticmethod
    def backward(ctx, grad_out):
        us = ctx.saved_tensors
        T = len(us)
        g = grad_out / T
        w = ctx.width
        du_next = torch.zeros_like(g)
        dx = torch.zeros_like(g)
        for u in reversed(us):
            sig = ((u - 1.0).abs() < w / 2).to(g.dtype) / w
            du = sig * (g - du_next) + du_next
            dx = dx + du
            du_next = du
        return dx, None, None


def if_neuron(x, T, width=1.0):
    """Spike count / T of a non-leaky IF neuron (θ = 1, reset by subtraction) driven by the
    constant current x for T steps (the layer-wise schedule). Forward value =
    clamp(floor(T·x), 0, T)/T (= Q_T(x)); backward: BPTT through the membrane with a
    surrogate spike gradient."""
    return _IFNeuron.apply(x, T, width)


def requant_pool(a, kernel, T):
    """avgpool(kernel, stride=kernel, floor) of activations a = codes/T, re-quantised as
    floor(Σ codes / kernel²) / T, straight-through."""
    p = F.avg_pool2d(a, kernel)
    q = torch.floor(p * T + 1e-4) / T  # p·T is a multiple of 1/kernel², the guard is safe
    return p + (q - p).detach()


def weight_scale(w, bits):
    """Per-output-channel scale: max|w_j| / qmax (dimension 0 is the output channel)."""
    m = w.detach().abs().reshape(w.shape[0], -1).amax(dim=1)
    return torch.clamp(m, min=1e-12) / QMAX[bits]


def quantize_weight(w, bits):
    """Returns (q int tensor, scale per channel) with q ∈ −qmax…qmax."""
    s = weight_scale(w, bits)
    shape = (-1,) + (1,) * (w.dim() - 1)
    q = torch.round(w.detach() / s.reshape(shape)).clamp(-QMAX[bits], QMAX[bits])
    return q.to(torch.int64), s


def fake_quant_weight(w, bits):
    if bits is None:
        return w
    s = weight_scale(w, bits)
    shape = (-1,) + (1,) * (w.dim() - 1)
    q = torch.round(w / s.reshape(shape)).clamp(-QMAX[bits], QMAX[bits]) * s.reshape(shape)
    return w + (q - w).detach()
