"""Faster SchNet energies, forces and force-matching gradients with the parameters of a
SchNetPack model.

SchNet's continuous-filter convolution (Schütt et al., J. Chem. Phys. 148, 241722, 2018,
Eqs. 3-5; SchNetPack 2 ``SchNetInteraction``) sums over the neighbours j of bead i

.. math::

    y_i = \\sum_j W(r_{ij}) \\odot x_j, \\qquad
    W(r) = f_c(r)\\,\\big(s(\\mathrm{rbf}(r) A_1 + b_1) A_2 + b_2\\big),

with ``x = in2f(h)`` (n_filters channels) and ``s`` the filter network's activation.
Written as :math:`W = g(r) B` with :math:`g = f_c\\,[s(\\mathrm{rbf}\\,A_1 + b_1), 1]`
(n_filters + 1 values per pair, computed by the model's own first filter layer) and
:math:`B = [A_2; b_2]`, the convolution is the scalar part of the PaiNN message of
:mod:`cgexplain.potentials.fast_painn`, and is evaluated the same way:
:class:`CFConv` sums over blocks of pairs, recomputes a block's filter ``g B`` in its
backward pass instead of storing the (pairs x n_filters) filter and message tensors,
and has its double backward written out (:class:`_CFConvGrad`), so that force matching
runs one first-order pass through it instead of autograd's second pass through
SchNetPack's edge tensors. With a half pair list (:mod:`cgexplain.potentials.pairs`,
``W(r_ij) = W(r_ji)``) the radial basis, the first filter layer and ``g B`` are computed
once per undirected pair.

:class:`FastSchNet` gives energies and forces (CG simulation);
:class:`FastSchNetPotential` is a SchNetPack ``NeuralNetworkPotential`` with the same
parameters that trains with it (:func:`accelerate_schnet`). Blocked PyTorch on any device;
tested against finite differences and against SchNetPack (``tests/unit/test_fast_schnet.py``).
"""

from __future__ import annotations

import schnetpack as spk
import torch

from cgexplain.potentials.forward_forces import (
    ForwardForcesPotential,
    energy_and_forces,
    plain_energy_head,
)
from cgexplain.potentials.pairs import half_pairs

__all__ = [
    "CFConv",
    "FastSchNet",
    "FastSchNetPotential",
    "accelerate_schnet",
    "restore_schnet",
    "schnet_energy",
    "supports",
]


def _ends(idx_i, idx_j, s: int, e: int, half: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Receivers and senders (S*C,) of the pairs ``[s, e)``: ``S = 1`` for a directed
    list, ``S = 2`` for a half list (``i <- j``, then ``j <- i``)."""
    a, b = idx_i[s:e], idx_j[s:e]
    if not half:
        return a, b
    return torch.cat([a, b]), torch.cat([b, a])


def _fold(t: torch.Tensor, half: bool) -> torch.Tensor:
    """(S, C, F) per directed pair -> (C, F) per list entry (both directions added)."""
    return t[0] + t[1] if half else t[0]


def _cfconv_forward(x, g, basis, idx_i, idx_j, block: int, half: bool) -> torch.Tensor:
    n, f = x.shape
    y = x.new_zeros(n, f)
    for s in range(0, g.shape[0], block):
        e = min(s + block, g.shape[0])
        ii, jj = _ends(idx_i, idx_j, s, e, half)
        w = torch.mm(g[s:e], basis)  # (C, F) filter, shared by both directions
        y.index_add_(0, ii, x.index_select(0, jj).view(-1, e - s, f).mul_(w).view(-1, f))
    return y


class _CFConv(torch.autograd.Function):
    """The convolution of one interaction block (see :class:`CFConv`); its backward is
    :class:`_CFConvGrad`, itself differentiable."""

    @staticmethod
    def forward(ctx, x, g, basis, idx_i, idx_j, block: int, half: bool):
        ctx.save_for_backward(x, g, basis, idx_i, idx_j)
        ctx.block, ctx.half = block, half
        return _cfconv_forward(x, g, basis, idx_i, idx_j, block, half)

    @staticmethod
    def backward(ctx, grad_y):
        x, g, basis, idx_i, idx_j = ctx.saved_tensors
        grads = _CFConvGrad.apply(
            grad_y, x, g, basis, idx_i, idx_j, ctx.block, ctx.half, ctx.needs_input_grad[2]
        )
        return (*grads, None, None, None, None)


class _CFConvGrad(torch.autograd.Function):
    """The vector-Jacobian product of :class:`_CFConv` and its own backward (the double
    backward that force matching needs).

    With ``G = dL/dy`` and, per directed pair ``i <- j``, the filter ``w = g B``, the
    first backward is ``dL/dx_j += G_i * w``, ``dL/dw = G_i * x_j``,
    ``dL/dg = dL/dw B^T`` and ``dL/dB = sum g^T dL/dw``. It is bilinear in ``G`` and the
    forward's inputs; given cotangents ``(X, Gg, Bb)`` of its outputs
    ``(dL/dx, dL/dg, dL/dB)``, the scalar it differentiates is
    ``sum_pairs G_i . mdot`` with the tangents ``u = Gg B + g Bb`` of ``w`` and
    ``mdot = w * X_j + x_j * u`` of the message ``w * x_j``. Its gradients:

    - ``G_i: sum_j mdot``, ``x_j: sum_i G_i * u``,
    - ``g: a B^T + (G_i * x_j) Bb^T`` and ``B: sum g^T a + Gg^T (G_i * x_j)`` with
      ``a = G_i * X_j`` (the gradient of ``w``).
    """

    @staticmethod
    def forward(ctx, G, x, g, basis, idx_i, idx_j, block, half, want_basis):
        f = x.shape[1]
        G = G.contiguous()
        gx, gg = torch.zeros_like(x), torch.empty_like(g)
        gbasis = torch.zeros_like(basis) if want_basis else None
        for s in range(0, g.shape[0], block):
            e = min(s + block, g.shape[0])
            ii, jj = _ends(idx_i, idx_j, s, e, half)
            w = torch.mm(g[s:e], basis)
            gi = G.index_select(0, ii).view(-1, e - s, f)
            gx.index_add_(0, jj, (gi * w).view(-1, f))
            gw = _fold(gi.mul_(x.index_select(0, jj).view(-1, e - s, f)), half)
            gg[s:e] = torch.mm(gw, basis.t())
            if want_basis:
                gbasis.addmm_(g[s:e].t(), gw)
        ctx.save_for_backward(G, x, g, basis, idx_i, idx_j)
        ctx.block, ctx.half = block, half
        ctx.set_materialize_grads(False)
        return gx, gg, gbasis

    @staticmethod
    def backward(ctx, cx, cg, cbasis):
        G, x, g, basis, idx_i, idx_j = ctx.saved_tensors
        half, block, f = ctx.half, ctx.block, x.shape[1]
        need = ctx.needs_input_grad
        dG, dx, dg, dB = (
            torch.zeros_like(t) if need[k] else None for k, t in enumerate((G, x, g, basis))
        )
        for s in range(0, g.shape[0], block):
            e = min(s + block, g.shape[0])
            ii, jj = _ends(idx_i, idx_j, s, e, half)
            c, gs = e - s, g[s:e]
            u = None  # tangent of the filter w
            if cg is not None:
                u = torch.mm(cg[s:e], basis)
            if cbasis is not None:
                u = torch.mm(gs, cbasis) if u is None else u.addmm_(gs, cbasis)
            gi = G.index_select(0, ii).view(-1, c, f)
            xj = x.index_select(0, jj).view(-1, c, f)
            xdot = None if cx is None else cx.index_select(0, jj).view(-1, c, f)
            if dG is not None and (xdot is not None or u is not None):
                mdot = xdot * torch.mm(gs, basis) if xdot is not None else None
                if u is not None:
                    mdot = xj * u if mdot is None else mdot.addcmul_(xj, u)
                dG.index_add_(0, ii, mdot.view(-1, f))
            if dx is not None and u is not None:
                dx.index_add_(0, jj, (gi * u).view(-1, f))
            if dg is not None or dB is not None:
                a = None if xdot is None else _fold(gi * xdot, half)
                gw = _fold(gi * xj, half)
                if dg is not None:
                    if a is not None:
                        dg[s:e] = torch.mm(a, basis.t())
                    if cbasis is not None:
                        dg[s:e].addmm_(gw, cbasis.t())
                if dB is not None:
                    if a is not None:
                        dB.addmm_(gs.t(), a)
                    if cg is not None:
                        dB.addmm_(cg[s:e].t(), gw)
        return dG, dx, dg, dB, None, None, None, None, None


class CFConv:
    """SchNet's continuous-filter convolution of one interaction block, by blocks of pairs.

    ``CFConv.apply(x, g, basis, idx_i, idx_j, block, half=False)``:

    Args:
        x: (N, F) filter-space features ``in2f(h)`` of the beads.
        g: (E, K+1) ``f_c(r) [s(rbf(r) A_1 + b_1), 1]`` of the pairs (K = n_filters).
        basis: (K+1, F) ``B = [A_2; b_2]`` (last row: the bias).
        idx_i, idx_j: (E,) receiving and sending beads.
        block: pairs per block.
        half: the list holds each undirected pair once and every pair sends both ways
            (``idx_i == idx_j`` for a periodic self-image, whose reverse is the other
            image).

    Returns:
        (N, F) ``y_i = sum_j (g_ij B) * x_j``, differentiable twice (backward and double
        backward written out in :class:`_CFConvGrad`).
    """

    @staticmethod
    def apply(x, g, basis, idx_i, idx_j, block: int, half: bool = False) -> torch.Tensor:
        return _CFConv.apply(x, g, basis, idx_i, idx_j, block, half)


def _identity(activation) -> bool:
    return activation is None or isinstance(activation, torch.nn.Identity)


def supports(model: torch.nn.Module) -> bool:
    """Whether ``model`` is a SchNetPack SchNet potential that :func:`schnet_energy` runs:
    SchNet whose filter networks end in a linear ``Dense`` with bias, and the energy head
    of :func:`~cgexplain.potentials.forward_forces.plain_energy_head`. Any radial basis
    and cutoff function (the model's own are called)."""
    rep = getattr(model, "representation", None)
    if not isinstance(rep, spk.representation.SchNet):
        return False
    for inter in rep.interactions:
        net = inter.filter_network
        if not (
            len(net) == 2
            and isinstance(net[1], torch.nn.Linear)
            and _identity(getattr(net[1], "activation", None))
            and net[1].bias is not None
        ):
            return False
    return plain_energy_head(model)


def schnet_energy(
    model: torch.nn.Module,
    positions: torch.Tensor,
    numbers: torch.Tensor,
    idx_i: torch.Tensor,
    idx_j: torch.Tensor,
    offsets: torch.Tensor,
    idx_m: torch.Tensor,
    n_molecules: int,
    block: int = 2048,
    half: bool = False,
    given_half: bool = False,
    weight_gradients: bool = True,
) -> torch.Tensor:
    """Energies of a SchNetPack SchNet potential (:func:`supports`) with its own parameters.

    Args:
        model: the potential; its modules are called as they are.
        positions: (N, 3) Å (set ``requires_grad`` for forces).
        numbers: (N,) atomic numbers (bead types).
        idx_i, idx_j, offsets: SchNetPack's directed pair list, (E,), (E,), (E, 3) Å.
        idx_m: (N,) molecule of each bead; n_molecules: M.
        block: directed pairs per block of :class:`CFConv` (half as many undirected
            pairs with a half list).
        half: evaluate the radial basis, cutoff and filter once per undirected pair
            (:func:`cgexplain.potentials.pairs.half_pairs`, which also checks that the
            list is symmetric) and send the convolution both ways.
        given_half: the pair list *is* a half list already (``VerletList(..., half=True)``).
        weight_gradients: ``False`` detaches the last filter layer, so that a backward
            pass for forces alone skips its gradient.

    Returns:
        (M,) energies, kcal/mol, differentiable twice in ``positions`` and the weights.
    """
    rep = model.representation
    if half and not given_half:
        pairs = half_pairs(idx_i, idx_j, offsets)
        idx_i, idx_j, offsets = pairs.idx_i, pairs.idx_j, offsets[pairs.directed]
    send_both = half or given_half
    if send_both:
        block = max(1, block // 2)
    r = positions[idx_j] - positions[idx_i] + offsets
    d = torch.linalg.vector_norm(r, dim=1)
    rbf = rep.radial_basis(d)
    fc = rep.cutoff_fn(d)[:, None]
    h = rep.embedding(numbers)
    for inter in rep.interactions:
        first, last = inter.filter_network
        hidden = first(rbf)
        g = torch.cat([hidden, torch.ones_like(hidden[:, :1])], dim=1) * fc
        basis = torch.cat([last.weight.t(), last.bias[None]], dim=0)
        if not weight_gradients:
            basis = basis.detach()
        y = CFConv.apply(inter.in2f(h), g, basis.contiguous(), idx_i, idx_j, block, send_both)
        h = h + inter.f2out(y)
    per_bead = model.output_modules[0].outnet(h)[:, 0]
    return torch.zeros(n_molecules, dtype=h.dtype, device=h.device).index_add(0, idx_m, per_bead)


class FastSchNet:
    """Energies and forces of a SchNetPack SchNet potential (see the module docstring).

    Args:
        model: a potential for which :func:`supports` is true; its modules and
            parameters are used as they are (nothing is copied).
        block: directed pairs per block of :class:`CFConv`.
        half_pairs: see :func:`schnet_energy`.
    """

    def __init__(
        self, model: torch.nn.Module, block: int = 2048, half_pairs: bool = False
    ) -> None:
        if not supports(model):
            raise ValueError("FastSchNet needs a SchNetPack SchNet energy + forces potential")
        self.model = model
        self.block = block
        self.half_pairs = half_pairs

    def __call__(
        self, inputs: dict[str, torch.Tensor], given_half: bool = False
    ) -> dict[str, torch.Tensor]:
        """SchNetPack inputs -> ``{"energy": (M,), "forces": (N, 3)}`` (model dtype);
        ``given_half``: the inputs' pair list is a half list (:func:`schnet_energy`)."""
        return energy_and_forces(
            schnet_energy, self.model, inputs, self.block, self.half_pairs, given_half
        )


class FastSchNetPotential(ForwardForcesPotential):
    """A SchNetPack SchNet ``NeuralNetworkPotential`` whose forward pass runs
    :func:`schnet_energy` (same parameters, same state dict) and its forces by one
    backward pass, kept differentiable in training so that force matching's second
    derivatives run through :class:`_CFConvGrad`
    (:class:`~cgexplain.potentials.forward_forces.ForwardForcesPotential`; half pair lists
    by default). Made by :func:`accelerate_schnet`, undone by :func:`restore_schnet`."""

    energy_function = staticmethod(schnet_energy)
    half_pairs = True


def accelerate_schnet(model: torch.nn.Module) -> bool:
    """Switch a SchNetPack SchNet potential (:func:`supports`) to
    :class:`FastSchNetPotential` in place (parameters and state dict untouched); other
    models are left alone. Idempotent; returns whether ``model`` is now fast."""
    return FastSchNetPotential.switch(model, supports)


def restore_schnet(model: torch.nn.Module) -> bool:
    """Undo :func:`accelerate_schnet` (for saving a model that loads with plain
    SchNetPack); returns whether ``model`` was switched back."""
    return FastSchNetPotential.switch_back(model)
