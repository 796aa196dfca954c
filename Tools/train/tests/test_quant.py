import torch

from joule_train import quant


def test_qt_values():
    T = 6
    x = torch.tensor([-1.0, 0.0, 0.1, 1 / 6, 0.5, 0.99, 1.0, 3.0])
    got = quant.q_t(x, T) * T
    assert got.tolist() == [0, 0, 0, 1, 3, 5, 6, 6]
    # T + 1 levels only
    y = quant.q_t(torch.linspace(-2, 2, 10001), T) * T
    assert sorted(set(torch.round(y).tolist())) == list(range(T + 1))


def test_qt_exact_levels():
    for T in (1, 4, 6, 8, 15):
        k = torch.arange(T + 1, dtype=torch.float32)
        assert torch.equal(torch.round(quant.q_t(k / T, T) * T), k)


def test_ste_gradient():
    x = torch.tensor([-0.5, 0.05, 0.3, 0.7, 0.999, 1.5], requires_grad=True)
    quant.q_t(x, 6).sum().backward()
    assert x.grad.tolist() == [0, 1, 1, 1, 1, 0]


def test_if_neuron_matches_qt_and_has_gradient():
    T = 6
    x = torch.linspace(-0.5, 1.5, 401, requires_grad=True)
    y = quant.if_neuron(x, T)
    assert torch.equal(torch.round(y * T), torch.round(quant.q_t(x, T) * T))
    y.sum().backward()
    assert x.grad.abs().sum() > 0


def test_if_neuron_counts_spikes_like_a_reset_by_subtraction_neuron():
    T = 6
    for v in [0.0, 0.1, 0.17, 0.34, 0.5, 0.83, 0.99]:
        u, n = 0.0, 0
        for _ in range(T):
            u += v
            if u >= 1.0:
                u -= 1.0
                n += 1
        got = int(round(float(quant.if_neuron(torch.tensor([v]), T)) * T))
        assert abs(got - n) <= 1  # float accumulation; the forward snaps to floor(T·v)
        assert got == int(v * T + 1e-6)


def test_requant_pool():
    T = 6
    codes = torch.tensor([[[[1., 2.], [3., 1.]]]])  # sum 7 → floor(7/4) = 1
    assert float(quant.requant_pool(codes / T, (2, 2), T) * T) == 1.0
    codes = torch.tensor([[[[6., 6.], [6., 6.]]]])
    assert float(quant.requant_pool(codes / T, (2, 2), T) * T) == 6.0


def test_weight_fake_quant():
    w = torch.randn(5, 3, 3, 3)
    for bits, qmax in ((8, 127), (4, 7)):
        q, s = quant.quantize_weight(w, bits)
        assert q.abs().max() == qmax
        assert torch.allclose(q * s.reshape(-1, 1, 1, 1), quant.fake_quant_weight(w, bits))
        assert (q.float() * s.reshape(-1, 1, 1, 1) - w).abs().max() <= s.max() / 2 + 1e-6


def test_if_neuron_custom_backward_equals_autograd_bptt():
    torch.manual_seed(0)
    for T in (1, 4, 6):
        x = (torch.rand(1000) * 1.6 - 0.3).requires_grad_(True)
        x2 = x.detach().clone().requires_grad_(True)
        g = torch.randn(1000)
        y = quant.if_neuron(x, T, 0.8)
        y2 = quant.if_neuron_unrolled(x2, T, 0.8)
        assert torch.equal(y, y2)
        (y * g).sum().backward()
        (y2 * g).sum().backward()
        assert torch.allclose(x.grad, x2.grad, atol=1e-5)
