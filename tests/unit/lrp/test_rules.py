"""The modified dense layers have the LRP transfer matrices of Montavon et al. (2019)."""

from __future__ import annotations

import torch
from torch.autograd.functional import jacobian

from cgexplain.lrp.rules import gamma_dense, lrp0_dense

torch.manual_seed(0)
W = torch.randn(5, 4, dtype=torch.float64)
B = torch.randn(5, dtype=torch.float64)
A = torch.randn(4, dtype=torch.float64)


def test_lrp0_jacobian() -> None:
    act = torch.nn.functional.silu
    z = W @ A + B
    assert torch.allclose(lrp0_dense(W, B, act, A), act(z))
    expected = torch.diag(act(z) / z) @ W
    assert torch.allclose(jacobian(lambda a: lrp0_dense(W, B, act, a), A), expected)


def test_gamma_forward_and_jacobian() -> None:
    gamma = 0.25
    act = torch.tanh  # both signs of y occur
    y = act(W @ A + B)
    assert (y > 1e-6).any() and (y < -1e-6).any()
    wp, wn = W.clamp(min=0), W.clamp(max=0)
    ap, an = A.clamp(min=0), A.clamp(max=0)
    out = torch.zeros(5, dtype=torch.float64)
    jac = torch.zeros(5, 4, dtype=torch.float64)
    for u in range(5):
        if y[u] > 1e-6:
            w_a, w_b, b = (
                W[u] + gamma * wp[u],
                W[u] + gamma * wn[u],
                B[u] + gamma * B[u].clamp(min=0),
            )
            z = w_a @ ap + w_b @ an
            n, d = z + b, max(z, b)
        else:
            w_a, w_b, b = (
                W[u] + gamma * wn[u],
                W[u] + gamma * wp[u],
                B[u] + gamma * B[u].clamp(max=0),
            )
            z = w_a @ ap + w_b @ an
            n, d = z + b, min(z, b)
        out[u] = n * y[u] / d
        jac[u] = y[u] / d * (w_a * (A > 0) + w_b * (A < 0))
    assert torch.allclose(gamma_dense(W, B, act, A, gamma), out)
    assert torch.allclose(jacobian(lambda a: gamma_dense(W, B, act, a, gamma), A), jac)


def test_gamma_silent_units_output_zero() -> None:
    w = torch.tensor([[1.0, -1.0]], dtype=torch.float64)
    a = torch.tensor([0.5, 0.5], dtype=torch.float64)
    out = gamma_dense(w, None, torch.nn.functional.silu, a, 0.1)
    assert out.item() == 0.0
