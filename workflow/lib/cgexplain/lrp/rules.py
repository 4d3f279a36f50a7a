"""LRP rules: how a dense layer is modified for relevance propagation.

A dense layer ``y = act(z)``, ``z = W a + b``, with a non-identity activation is
replaced by a layer that has a chosen forward value and a chosen (linear) Jacobian.
Both rules are written as ``numerator * stopgrad(factor)`` so that ordinary
autograd (reverse or forward mode) through the modified layer yields the LRP
transfer matrix of Montavon et al. (2019), "Layer-wise relevance propagation: an
overview", in *Explainable AI*, LNCS 11700, as used for GNN-LRP by Schnake et al.
(2022), IEEE TPAMI 44, 7581, and for neural network potentials by Bonneau et al.
(2025), Nat. Commun.

A rule is a small object that carries its parameters (``Gamma(gamma=0.1)``,
``LRP0()``), in the manner of zennit's rules; :func:`parse_rule` builds one from the
workflow's settings (``rule: gamma``, ``gamma: 0.1``). Dense layers without activation
are left unchanged (LRP-0 on a linear map is the identity modification).
"""

from __future__ import annotations

import dataclasses
import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar

import torch
from torch import nn

#: units whose activation lies within this band carry no relevance (gamma rule)
ACTIVATION_EPS = 1e-6

#: gamma of the published GNN-LRP setting (Bonneau et al. 2025)
DEFAULT_GAMMA = 0.1

Activation = Callable[[torch.Tensor], torch.Tensor]


def _safe_ratio(num: torch.Tensor, den: torch.Tensor) -> torch.Tensor:
    """``num / den`` with every non-finite result (0/0, x/0) set to 0."""
    ratio = num / den
    return torch.where(torch.isfinite(ratio), ratio, torch.zeros_like(ratio))


class Rule(ABC):
    """An LRP rule for dense layers with an activation.

    Subclasses are frozen dataclasses: their fields are the rule's parameters, so that
    ``repr`` names the rule with its parameters, and equal parameters compare equal.
    """

    #: the rule's name in the settings and on the command line
    name: ClassVar[str]

    @abstractmethod
    def dense(
        self,
        weight: torch.Tensor,
        bias: torch.Tensor | None,
        activation: Activation,
        a: torch.Tensor,
    ) -> torch.Tensor:
        """``act(W a + b)`` under the rule, for a non-identity activation.

        Args:
            weight: (n_out, n_in) weight matrix ``W``.
            bias: (n_out,) bias ``b`` or None.
            activation: element-wise activation ``act``.
            a: (..., n_in) layer input.

        Returns:
            (..., n_out) modified output.
        """


@dataclasses.dataclass(frozen=True)
class Gamma(Rule):
    """The LRP-gamma rule (published GNN-LRP variant).

    Attributes:
        gamma: weight of the positive parts, >= 0 (published default 0.1).
    """

    name: ClassVar[str] = "gamma"
    gamma: float = DEFAULT_GAMMA

    def __post_init__(self) -> None:
        try:
            value = float(self.gamma)
        except (TypeError, ValueError):
            raise ValueError(
                f"gamma of the gamma rule must be a number, got {self.gamma!r}"
            ) from None
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"gamma of the gamma rule must be a finite number >= 0, got {value}")
        object.__setattr__(self, "gamma", value)

    def dense(
        self,
        weight: torch.Tensor,
        bias: torch.Tensor | None,
        activation: Activation,
        a: torch.Tensor,
    ) -> torch.Tensor:
        """Dense layer under the LRP-gamma rule.

        With ``W+ = max(W, 0)``, ``W- = min(W, 0)``, ``a+ = max(a, 0)``, ``a- = min(a, 0)``
        and ``b+``, ``b-`` likewise, units with ``y > 1e-6`` get
        ``n = (W + g W+) a+ + (W + g W-) a- + (b + g b+)`` and
        ``d = max((W + g W+) a+ + (W + g W-) a-, b + g b+)``; units with ``y < -1e-6``
        the mirrored expressions with ``min``; other units output 0. The output is
        ``n * stopgrad(y / d)`` with non-finite ratios set to 0. The forward value
        therefore differs from ``y`` wherever the bias is non-zero. Arguments and shapes
        as :meth:`Rule.dense`; ``g`` is :attr:`gamma`.
        """
        gamma = self.gamma
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


@dataclasses.dataclass(frozen=True)
class LRP0(Rule):
    """The LRP-0 rule: ``z * stopgrad(act(z) / z)`` (0 where z = 0).

    The forward value equals ``act(z)``; the Jacobian is ``diag(act(z)/z) W``.
    """

    name: ClassVar[str] = "lrp0"

    def dense(
        self,
        weight: torch.Tensor,
        bias: torch.Tensor | None,
        activation: Activation,
        a: torch.Tensor,
    ) -> torch.Tensor:
        """Dense layer under the LRP-0 rule (arguments as :meth:`Rule.dense`)."""
        z = nn.functional.linear(a, weight, bias)
        return z * _safe_ratio(activation(z), z).detach()


#: the rule of the published GNN-LRP analyses: ``Gamma(gamma=0.1)``
PUBLISHED_RULE: Rule = Gamma(gamma=DEFAULT_GAMMA)

#: rule name -> rule class
RULES: dict[str, type[Rule]] = {rule.name: rule for rule in (Gamma, LRP0)}


def parse_rule(name: str, **settings: Any) -> Rule:
    """The rule called ``name`` with its parameters taken from ``settings``.

    Settings the rule has no parameter for are ignored (``parse_rule("lrp0", gamma=0.1)``
    is ``LRP0()``), so the workflow's relevance settings can be passed as they are;
    parameters missing from ``settings`` take their defaults.

    Raises:
        ValueError: no rule is called ``name``, or a parameter is invalid.
    """
    if name not in RULES:
        raise ValueError(f"unknown LRP rule {name!r}; expected one of {tuple(RULES)}")
    rule = RULES[name]
    return rule(
        **{f.name: settings[f.name] for f in dataclasses.fields(rule) if f.name in settings}
    )


def check_rule(rule: object) -> Rule:
    """``rule`` itself if it is a :class:`Rule`; raise naming what it is otherwise."""
    if not isinstance(rule, Rule):
        raise TypeError(
            f"expected an LRP rule object such as Gamma(gamma=0.1) or LRP0(), got {rule!r} "
            "(parse_rule(name, gamma=...) builds one from a name)"
        )
    return rule


def is_identity(activation: object) -> bool:
    """Whether an activation is absent / the identity."""
    return activation is None or isinstance(activation, nn.Identity)


def modified_affine(
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    activation: Activation | None,
    a: torch.Tensor,
    rule: Rule,
) -> torch.Tensor:
    """Apply ``act(W a + b)`` under ``rule``; identity activations stay plain (LRP-0).

    Args:
        weight: (n_out, n_in); bias: (n_out,) or None.
        activation: the activation, or None / ``nn.Identity``.
        a: (..., n_in) input.
        rule: the LRP rule.

    Returns:
        (..., n_out) modified output. Every rule acts unit by unit, so a subset of the
        output units may be computed from the matching rows of ``weight`` and ``bias``.
    """
    if is_identity(activation):
        return nn.functional.linear(a, weight, bias)
    return rule.dense(weight, bias, activation, a)


def modified_linear(
    layer: nn.Linear, activation: Activation | None, a: torch.Tensor, rule: Rule
) -> torch.Tensor:
    """Apply ``act(layer(a))`` under ``rule`` (see :func:`modified_affine`)."""
    return modified_affine(layer.weight, layer.bias, activation, a, rule)


def modified_dense(dense: nn.Module, a: torch.Tensor, rule: Rule) -> torch.Tensor:
    """Apply a SchNetPack ``Dense`` (linear + ``.activation``) under ``rule``."""
    return modified_linear(dense, getattr(dense, "activation", None), a, rule)


def modified_sequential(layers: nn.Sequential, a: torch.Tensor, rule: Rule) -> torch.Tensor:
    """Apply a ``Sequential`` of SchNetPack ``Dense`` layers under ``rule``."""
    for dense in layers:
        a = modified_dense(dense, a, rule)
    return a
