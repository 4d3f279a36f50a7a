"""LRP rules: how a dense layer is modified for relevance propagation.

A dense layer ``y = act(z)``, ``z = W a + b``, with a non-identity activation is
replaced by a layer that has a chosen forward value and a chosen (linear) Jacobian.
Both rules are written as ``numerator * stopgrad(factor)`` so that ordinary
autograd (reverse or forward mode) through the modified layer yields the LRP
transfer matrix of Montavon et al. (2019), "Layer-wise relevance propagation: an
overview", in *Explainable AI*, LNCS 11700, as used for GNN-LRP by Schnake et al.
(2022), IEEE TPAMI 44, 7581, and for neural network potentials by Bonneau et al.
(2025), Nat. Commun.

Dense layers without activation are left unchanged (LRP-0 on a linear map is the
identity modification).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import torch
from torch import nn

Rule = Literal["gamma", "lrp0"]
RULES: tuple[str, ...] = ("gamma", "lrp0")

#: units whose activation lies within this band carry no relevance (gamma rule)
ACTIVATION_EPS = 1e-6


def _safe_ratio(num: torch.Tensor, den: torch.Tensor) -> torch.Tensor:
    """``num / den`` with every non-finite result (0/0, x/0) set to 0."""
    ratio = num / den
    return torch.where(torch.isfinite(ratio), ratio, torch.zeros_like(ratio))


def gamma_dense(
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    activation: Callable[[torch.Tensor], torch.Tensor],
    a: torch.Tensor,
    gamma: float,
) -> torch.Tensor:
    """Dense layer under the LRP-gamma rule (published GNN-LRP variant).

    With ``W+ = max(W, 0)``, ``W- = min(W, 0)``, ``a+ = max(a, 0)``, ``a- = min(a, 0)``
    and ``b+``, ``b-`` likewise, units with ``y > 1e-6`` get
    ``n = (W + g W+) a+ + (W + g W-) a- + (b + g b+)`` and
    ``d = max((W + g W+) a+ + (W + g W-) a-, b + g b+)``; units with ``y < -1e-6``
    the mirrored expressions with ``min``; other units output 0. The output is
    ``n * stopgrad(y / d)`` with non-finite ratios set to 0. The forward value
    therefore differs from ``y`` wherever the bias is non-zero.

    Args:
        weight: (n_out, n_in) weight matrix ``W``.
        bias: (n_out,) bias ``b`` or None.
        activation: element-wise activation ``act``.
        a: (..., n_in) layer input.
        gamma: the gamma parameter (published default 0.1).

    Returns:
        (..., n_out) modified output.
    """
    if bias is None:
        bias = torch.zeros(weight.shape[0], dtype=weight.dtype, device=weight.device)
    w_pos, w_neg = weight.clamp(min=0), weight.clamp(max=0)
    w_up, w_down = weight + gamma * w_pos, weight + gamma * w_neg
    # one matmul gives both sign cases: [a+, a-] @ [[W_up, W_down], [W_down, W_up]]^T
    stacked = torch.cat(
        [torch.cat([w_up, w_down], dim=1), torch.cat([w_down, w_up], dim=1)], dim=0
    )
    both = nn.functional.linear(torch.cat([a.clamp(min=0), a.clamp(max=0)], dim=-1), stacked)
    z_pos, z_neg = torch.split(both, weight.shape[0], dim=-1)
    # W_up + W_down = (2 + gamma) W, hence W a = (z_pos + z_neg) / (2 + gamma)
    y = activation(((z_pos + z_neg) / (2.0 + gamma) + bias).detach())
    b_pos = bias + gamma * bias.clamp(min=0)
    b_neg = bias + gamma * bias.clamp(max=0)
    is_pos = y > ACTIVATION_EPS
    is_neg = y < -ACTIVATION_EPS
    zero = torch.zeros_like(y)
    numerator = torch.where(is_pos, z_pos + b_pos, torch.where(is_neg, z_neg + b_neg, zero))
    denominator = torch.where(
        is_pos,
        torch.maximum(z_pos, b_pos.expand_as(z_pos)),
        torch.where(is_neg, torch.minimum(z_neg, b_neg.expand_as(z_neg)), zero),
    )
    return numerator * _safe_ratio(y, denominator.detach())


def lrp0_dense(
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    activation: Callable[[torch.Tensor], torch.Tensor],
    a: torch.Tensor,
) -> torch.Tensor:
    """Dense layer under the LRP-0 rule: ``z * stopgrad(act(z) / z)`` (0 where z = 0).

    The forward value equals ``act(z)``; the Jacobian is ``diag(act(z)/z) W``.

    Args:
        weight: (n_out, n_in); bias: (n_out,) or None; a: (..., n_in).

    Returns:
        (..., n_out).
    """
    z = nn.functional.linear(a, weight, bias)
    return z * _safe_ratio(activation(z), z).detach()


def is_identity(activation: object) -> bool:
    """Whether an activation is absent / the identity."""
    return activation is None or isinstance(activation, nn.Identity)


def modified_affine(
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    activation: Callable[[torch.Tensor], torch.Tensor] | None,
    a: torch.Tensor,
    rule: Rule,
    gamma: float,
) -> torch.Tensor:
    """Apply ``act(W a + b)`` under ``rule``; identity activations stay plain (LRP-0).

    Args:
        weight: (n_out, n_in); bias: (n_out,) or None.
        activation: the activation, or None / ``nn.Identity``.
        a: (..., n_in) input.
        rule: "gamma" or "lrp0".
        gamma: gamma of the gamma rule.

    Returns:
        (..., n_out) modified output. Every rule acts unit by unit, so a subset of the
        output units may be computed from the matching rows of ``weight`` and ``bias``.
    """
    if is_identity(activation):
        return nn.functional.linear(a, weight, bias)
    if rule == "gamma":
        return gamma_dense(weight, bias, activation, a, gamma)
    if rule == "lrp0":
        return lrp0_dense(weight, bias, activation, a)
    raise ValueError(f"unknown LRP rule {rule!r}; expected one of {RULES}")


def modified_linear(
    layer: nn.Linear,
    activation: Callable[[torch.Tensor], torch.Tensor] | None,
    a: torch.Tensor,
    rule: Rule,
    gamma: float,
) -> torch.Tensor:
    """Apply ``act(layer(a))`` under ``rule`` (see :func:`modified_affine`)."""
    return modified_affine(layer.weight, layer.bias, activation, a, rule, gamma)


def modified_dense(dense: nn.Module, a: torch.Tensor, rule: Rule, gamma: float) -> torch.Tensor:
    """Apply a SchNetPack ``Dense`` (linear + ``.activation``) under ``rule``."""
    return modified_linear(dense, getattr(dense, "activation", None), a, rule, gamma)


def modified_sequential(
    layers: nn.Sequential, a: torch.Tensor, rule: Rule, gamma: float
) -> torch.Tensor:
    """Apply a ``Sequential`` of SchNetPack ``Dense`` layers under ``rule``."""
    for dense in layers:
        a = modified_dense(dense, a, rule, gamma)
    return a
