"""The modified dense layers have the LRP transfer matrices of Montavon et al. (2019);
rules are objects that carry their parameters."""

from __future__ import annotations

import pytest
import torch
from torch.autograd.functional import jacobian

from cgexplain.lrp.rules import (
    DEFAULT_GAMMA,
    LRP0,
    PUBLISHED_RULE,
    RULES,
    Gamma,
    check_rule,
    modified_affine,
    modified_linear,
    parse_rule,
)

torch.manual_seed(0)
W = torch.randn(5, 4, dtype=torch.float64)
B = torch.randn(5, dtype=torch.float64)
A = torch.randn(4, dtype=torch.float64)


def test_lrp0_jacobian() -> None:
    act = torch.nn.functional.silu
    z = W @ A + B
    assert torch.allclose(LRP0().dense(W, B, act, A), act(z))
    expected = torch.diag(act(z) / z) @ W
    assert torch.allclose(jacobian(lambda a: LRP0().dense(W, B, act, a), A), expected)


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
    assert torch.allclose(Gamma(gamma).dense(W, B, act, A), out)
    assert torch.allclose(jacobian(lambda a: Gamma(gamma).dense(W, B, act, a), A), jac)


def test_gamma_silent_units_output_zero() -> None:
    w = torch.tensor([[1.0, -1.0]], dtype=torch.float64)
    a = torch.tensor([0.5, 0.5], dtype=torch.float64)
    out = Gamma(0.1).dense(w, None, torch.nn.functional.silu, a)
    assert out.item() == 0.0


def test_rules_carry_their_parameters() -> None:
    assert repr(Gamma(gamma=0.25)) == "Gamma(gamma=0.25)" and repr(LRP0()) == "LRP0()"
    assert Gamma(0.1) == Gamma(gamma=0.1) == PUBLISHED_RULE != Gamma(0.2)
    assert LRP0() == LRP0() != Gamma(0.1)
    assert len({Gamma(0.1), Gamma(0.1), LRP0()}) == 2  # hashable, equal ones coincide
    assert (Gamma.name, LRP0.name) == ("gamma", "lrp0") and list(RULES) == ["gamma", "lrp0"]


def test_parse_rule_from_settings() -> None:
    assert parse_rule("gamma", gamma=0.3) == Gamma(0.3)
    assert parse_rule("gamma") == Gamma(DEFAULT_GAMMA)
    assert parse_rule("lrp0", gamma=0.1) == LRP0()  # a setting the rule lacks is ignored
    assert isinstance(parse_rule("gamma", gamma=1).gamma, float)
    with pytest.raises(ValueError, match=r"unknown LRP rule 'epsilon'; expected one of"):
        parse_rule("epsilon", gamma=0.1)
    with pytest.raises(ValueError, match="gamma of the gamma rule must be"):
        parse_rule("gamma", gamma="a lot")
    with pytest.raises(ValueError, match="finite"):
        Gamma(float("nan"))


def test_layers_without_activation_stay_linear_and_strings_are_refused() -> None:
    layer = torch.nn.Linear(4, 5).double()
    for rule in (Gamma(0.5), LRP0()):
        assert torch.equal(
            modified_affine(W, B, None, A, rule), torch.nn.functional.linear(A, W, B)
        )
        assert torch.equal(
            modified_linear(layer, torch.nn.Identity(), A, rule), layer(A)
        )  # nn.Identity counts as no activation
    with pytest.raises(TypeError, match="parse_rule"):
        check_rule("gamma")
