"""Faster PaiNN energies, forces and force-matching gradients with the parameters of a
SchNetPack model.

The PaiNN message of interaction block ``l`` (Schütt, Unke & Gastegger, ICML 2021,
Eqs. 7-8; SchNetPack 2 ``PaiNNInteraction``) from bead j to bead i is

.. math::

    m_{ij} = W_l(r_{ij}) \\odot \\phi_l(q_j), \\qquad
    \\Delta q_i = \\sum_j m^{(q)}_{ij}, \\qquad
    \\Delta \\vec\\mu_i = \\sum_j m^{(R)}_{ij}\\, \\hat r_{ij} + m^{(\\mu)}_{ij} \\odot \\vec\\mu_j,

with the filter :math:`W_l(r) = f_c(r)\\,(\\mathrm{rbf}(r)\\, A_l + b_l)`, written here as
:math:`W_l = g(r) B_l` with :math:`g = f_c\\,[\\mathrm{rbf}, 1]` (n_rbf + 1 values per
pair) and :math:`B_l = [A_l; b_l]`. SchNetPack evaluates this on whole edge tensors
(edges x 3 x features, several per block, kept for the backward pass). :class:`EdgeMessage`
computes the same sums over blocks of pairs, never holding more than one block of edge
tensors, and its backward pass (written out below) recomputes the block's filter instead
of storing it. Everything on the beads (context networks, mixing, energy head) runs the
model's own modules under autograd. With ``half_pairs=True``, :class:`HalfEdgeMessage`
does the same on one entry per undirected pair (:mod:`cgexplain.potentials.pairs`):
distances, radial basis, cutoff and the filter product are computed once and used for
both directions (``W(r_ij) = W(r_ji)``, the unit direction flips sign).

Both message functions have their backward *and* double backward written out
(:class:`_MessageGrad`): forces come from one backward pass, and force matching, which
differentiates the forces again with respect to the weights, runs one more first-order
pass through the hand-written double backward instead of autograd's through SchNetPack's
edge tensors. :class:`FastPaiNN` gives energies and forces (simulation);
:class:`FastPaiNNPotential` is a SchNetPack ``NeuralNetworkPotential`` with the same
parameters that trains with it (:func:`accelerate_painn`).

Two interchangeable backends compute the pair loops: the compiled C++ kernels
(``csrc/painn_edges.cpp``, one pass over the pairs for the messages, their backward and
their double backward; CPU) and blocked PyTorch tensor code (any device), chosen by
:func:`cgexplain.potentials.extension.kernels`. Tests run both against finite differences
and against SchNetPack.
"""

from __future__ import annotations

import math

import schnetpack as spk
import torch

from cgexplain.potentials.extension import kernels
from cgexplain.potentials.forward_forces import (
    ForwardForcesPotential,
    energy_and_forces,
    plain_energy_head,
)
from cgexplain.potentials.pairs import half_pairs

__all__ = [
    "EdgeMessage",
    "FastPaiNN",
    "FastPaiNNPotential",
    "HalfEdgeMessage",
    "accelerate_painn",
    "painn_energy",
    "restore_painn",
    "supports",
]


def _pairs_of_block(idx_i, idx_j, direction, s: int, e: int, half: bool):
    """Receivers, senders (S*C,) and unit directions (S, C, 3) of block ``[s, e)``.

    ``S = 1`` for a directed list; ``S = 2`` for a half list, whose C undirected pairs
    send both ways (``i <- j`` with ``r_hat``, then ``j <- i`` with ``-r_hat``).
    """
    a, b, rs = idx_i[s:e], idx_j[s:e], direction[s:e]
    if not half:
        return a, b, rs[None]
    return torch.cat([a, b]), torch.cat([b, a]), torch.stack([rs, -rs])


def _fold(t: torch.Tensor, half: bool, sign: bool = False) -> torch.Tensor:
    """(S, C, ...) per directed pair -> (C, ...) per list entry: the reverse direction
    is added (``sign``: subtracted, for gradients of the unit direction)."""
    if not half:
        return t[0]
    return t[0] - t[1] if sign else t[0] + t[1]


def _unfold(t: torch.Tensor, half: bool) -> torch.Tensor:
    """(C, ...) per entry -> (S, C, ...) per directed pair, for a cotangent of the unit
    direction (the reverse pair's is negated)."""
    return torch.stack([t, -t]) if half else t[None]


def _fused(x: torch.Tensor):
    """The compiled edge kernels for tensors like ``x`` (CPU), else ``None``."""
    return kernels() if x.device.type == "cpu" else None


def _message_forward(x, mu, g, basis, direction, idx_i, idx_j, block: int, half: bool):
    n, f = mu.shape[0], mu.shape[2]
    dq = x.new_zeros(n, f)
    dmu = x.new_zeros(n, 3, f)
    fused = _fused(x)
    if fused is not None:
        x, mu, direction = x.contiguous(), mu.contiguous(), direction.contiguous()
        idx_i, idx_j = idx_i.contiguous(), idx_j.contiguous()
        for s in range(0, g.shape[0], block):
            e = min(s + block, g.shape[0])
            w = torch.mm(g[s:e], basis)
            fused.message_forward(x, mu, w, direction[s:e], idx_i[s:e], idx_j[s:e], half, dq, dmu)
        return dq, dmu
    for s in range(0, g.shape[0], block):
        e = min(s + block, g.shape[0])
        ii, jj, r = _pairs_of_block(idx_i, idx_j, direction, s, e, half)
        sc, c = ii.shape[0], e - s
        w = torch.mm(g[s:e], basis)  # (C, 3F) filter, shared by both directions
        m = x.index_select(0, jj).view(-1, c, 3 * f).mul_(w)  # (S, C, 3F)
        dq.index_add_(0, ii, m[..., :f].reshape(sc, f))
        v = mu.index_select(0, jj).view(-1, c, 3, f).mul_(m[..., None, 2 * f :])
        v.addcmul_(m[..., None, f : 2 * f], r[..., None])
        dmu.index_add_(0, ii, v.view(sc, 3, f))
    return dq, dmu


class _Message(torch.autograd.Function):
    """PaiNN messages of one interaction block (see :class:`EdgeMessage`); ``half``
    selects a half list. Its backward is :class:`_MessageGrad`, itself differentiable."""

    @staticmethod
    def forward(ctx, x, mu, g, basis, direction, idx_i, idx_j, block: int, half: bool):
        ctx.save_for_backward(x, mu, g, basis, direction, idx_i, idx_j)
        ctx.block, ctx.half = block, half
        return _message_forward(x, mu, g, basis, direction, idx_i, idx_j, block, half)

    @staticmethod
    def backward(ctx, grad_q, grad_mu):
        x, mu, g, basis, direction, idx_i, idx_j = ctx.saved_tensors
        grads = _MessageGrad.apply(
            grad_q,
            grad_mu,
            x,
            mu,
            g,
            basis,
            direction,
            idx_i,
            idx_j,
            ctx.block,
            ctx.half,
            ctx.needs_input_grad[3],
        )
        return (*grads, None, None, None, None)


class _MessageGrad(torch.autograd.Function):
    """The vector-Jacobian product of :class:`_Message` and its own backward (the
    double backward that force matching needs).

    With ``G = dL/d(dq)``, ``H = dL/d(dmu)`` and, per directed pair ``i <- j``, the filter
    ``w = g B``, ``m = w * x_j = [m^q, m^R, m^mu]``, the first backward is

    - ``gm = [G_i, sum_c H_ic r_c, sum_c H_ic mu_jc]`` (the gradient of ``m``),
    - ``dL/dx_j += gm * w``, ``dL/dmu_j += H_i m^mu``, ``dL/dr_c = H_ic . m^R``,
    - ``dL/dw = gm * x_j``, ``dL/dg = dL/dw B^T``, ``dL/dB = sum g^T dL/dw``.

    It is bilinear in ``(G, H)`` and the forward's inputs. Given cotangents
    ``(X, M, Gg, Bb, R)`` of its outputs ``(dL/dx, dL/dmu, dL/dg, dL/dB, dL/dr)``, the
    scalar it differentiates is ``<(G, H), J v>``, the forward's Jacobian ``J`` applied to
    the tangent ``v = (x: X, mu: M, g: Gg, B: Bb, r: R)`` (symmetry of second derivatives).
    With the tangents ``u = Gg B + g Bb`` of ``w`` and ``mdot = w * X_j + x_j * u`` of
    ``m``, and ``gm2 = [0, sum_c H_ic R_c, sum_c H_ic M_jc]``, its gradients are

    - ``G_i: sum_j mdot^q``, ``H_ic: sum_j mdot^R r_c + m^R R_c + mdot^mu mu_jc + m^mu M_jc``,
    - ``x_j: gm * u + gm2 * w``, ``mu_jc: H_ic mdot^mu``, ``r_c: H_ic . mdot^R``,
    - ``g: a B^T + (gm * x_j) Bb^T``, ``B: g^T a + Gg^T (gm * x_j)`` with
      ``a = gm * X_j + gm2 * x_j``.
    """

    @staticmethod
    def forward(ctx, G, H, x, mu, g, basis, direction, idx_i, idx_j, block, half, want_basis):
        f = mu.shape[2]
        G, H = G.contiguous(), H.contiguous()
        gx, gmu = torch.zeros_like(x), torch.zeros_like(mu)
        gg, gdir = torch.empty_like(g), torch.empty_like(direction)
        gbasis = torch.zeros_like(basis) if want_basis else None
        fused = _fused(x)
        if fused is not None:
            x, mu, direction = x.contiguous(), mu.contiguous(), direction.contiguous()
            idx_i, idx_j = idx_i.contiguous(), idx_j.contiguous()
            gdir.zero_()
        for s in range(0, g.shape[0] if fused is not None else 0, block):
            e = min(s + block, g.shape[0])
            w = torch.mm(g[s:e], basis)
            gw = torch.zeros_like(w)
            fused.message_backward(
                G,
                H,
                x,
                mu,
                w,
                direction[s:e],
                idx_i[s:e],
                idx_j[s:e],
                half,
                gx,
                gmu,
                gw,
                gdir[s:e],
            )
            gg[s:e] = torch.mm(gw, basis.t())
            if want_basis:
                gbasis.addmm_(g[s:e].t(), gw)
        for s in range(0, g.shape[0] if fused is None else 0, block):
            e = min(s + block, g.shape[0])
            ii, jj, r = _pairs_of_block(idx_i, idx_j, direction, s, e, half)
            c = e - s
            w = torch.mm(g[s:e], basis)
            xj = x.index_select(0, jj).view(-1, c, 3 * f)
            h = H.index_select(0, ii).view(-1, c, 3, f)  # (S, C, 3, F)
            gm = torch.cat(
                [
                    G.index_select(0, ii).view(-1, c, f),
                    (h * r[..., None]).sum(-2),
                    (h * mu.index_select(0, jj).view(-1, c, 3, f)).sum(-2),
                ],
                dim=-1,
            )
            m = xj * w
            gdir[s:e] = _fold((h * m[..., None, f : 2 * f]).sum(-1), half, sign=True)
            gmu.index_add_(0, jj, h.mul_(m[..., None, 2 * f :]).view(-1, 3, f))
            gx.index_add_(0, jj, (gm * w).view(-1, 3 * f))
            gw = _fold(gm.mul_(xj), half)
            gg[s:e] = torch.mm(gw, basis.t())
            if want_basis:
                gbasis.addmm_(g[s:e].t(), gw)
        ctx.save_for_backward(G, H, x, mu, g, basis, direction, idx_i, idx_j)
        ctx.block, ctx.half = block, half
        ctx.set_materialize_grads(False)
        return gx, gmu, gg, gbasis, gdir

    @staticmethod
    def backward(ctx, cx, cmu, cg, cbasis, cdir):
        G, H, x, mu, g, basis, direction, idx_i, idx_j = ctx.saved_tensors
        half, block = ctx.half, ctx.block
        f = mu.shape[2]
        need = ctx.needs_input_grad
        dG, dH, dx, dmu, dg, dB = (
            torch.zeros_like(t) if need[k] else None for k, t in enumerate((G, H, x, mu, g, basis))
        )
        ddir = torch.zeros_like(direction) if need[6] else None
        cx = None if cx is None else cx.contiguous()
        cmu = None if cmu is None else cmu.contiguous()
        fused = _fused(x)
        if fused is not None:
            return _fused_double_backward(
                fused, ctx, cx, cmu, cg, cbasis, cdir, (dG, dH, dx, dmu, dg, dB, ddir)
            )
        for s in range(0, g.shape[0], block):
            e = min(s + block, g.shape[0])
            ii, jj, r = _pairs_of_block(idx_i, idx_j, direction, s, e, half)
            c = e - s
            gs = g[s:e]
            w = torch.mm(gs, basis)  # (C, 3F)
            u = None  # tangent of w
            if cg is not None:
                u = torch.mm(cg[s:e], basis)
            if cbasis is not None:
                u = torch.mm(gs, cbasis) if u is None else u.addmm_(gs, cbasis)
            xj = x.index_select(0, jj).view(-1, c, 3 * f)
            muj = mu.index_select(0, jj).view(-1, c, 3, f)
            h = H.index_select(0, ii).view(-1, c, 3, f)
            m = xj * w
            xdot = None if cx is None else cx.index_select(0, jj).view(-1, c, 3 * f)
            mdot = None  # tangent of m
            if xdot is not None:
                mdot = xdot * w
            if u is not None:
                mdot = xj * u if mdot is None else mdot.addcmul_(xj, u)
            rdot = None if cdir is None else _unfold(cdir[s:e], half)  # (S, C, 3)
            mudot = None if cmu is None else cmu.index_select(0, jj).view(-1, c, 3, f)
            gm = torch.cat(
                [
                    G.index_select(0, ii).view(-1, c, f),
                    (h * r[..., None]).sum(-2),
                    (h * muj).sum(-2),
                ],
                dim=-1,
            )
            gm2 = None  # gradient of m in the products with the tangents of r and mu
            if rdot is not None or mudot is not None:
                gm2 = torch.zeros_like(m)
                if rdot is not None:
                    gm2[..., f : 2 * f] = (h * rdot[..., None]).sum(-2)
                if mudot is not None:
                    gm2[..., 2 * f :] = (h * mudot).sum(-2)
            if dG is not None and mdot is not None:
                dG.index_add_(0, ii, mdot[..., :f].reshape(-1, f))
            if dH is not None:
                dh = torch.zeros_like(h)
                if mdot is not None:
                    dh.addcmul_(mdot[..., None, f : 2 * f], r[..., None])
                    dh.addcmul_(mdot[..., None, 2 * f :], muj)
                if rdot is not None:
                    dh.addcmul_(m[..., None, f : 2 * f], rdot[..., None])
                if mudot is not None:
                    dh.addcmul_(m[..., None, 2 * f :], mudot)
                dH.index_add_(0, ii, dh.view(-1, 3, f))
            if dx is not None and (u is not None or gm2 is not None):
                d = torch.zeros_like(m)
                if u is not None:
                    d.addcmul_(gm, u.expand_as(m))
                if gm2 is not None:
                    d.addcmul_(gm2, w.expand_as(m))
                dx.index_add_(0, jj, d.view(-1, 3 * f))
            if dmu is not None and mdot is not None:
                dmu.index_add_(0, jj, (h * mdot[..., None, 2 * f :]).view(-1, 3, f))
            if ddir is not None and mdot is not None:
                ddir[s:e] = _fold((h * mdot[..., None, f : 2 * f]).sum(-1), half, sign=True)
            if dg is not None or dB is not None:
                a = None  # gradient of w
                if xdot is not None:
                    a = gm * xdot
                if gm2 is not None:
                    a = gm2 * xj if a is None else a.addcmul_(gm2, xj)
                a = None if a is None else _fold(a, half)
                gmx = _fold(gm * xj, half)  # gradient of u
                if dg is not None:
                    if a is not None:
                        dg[s:e] = torch.mm(a, basis.t())
                    if cbasis is not None:
                        dg[s:e].addmm_(gmx, cbasis.t())
                if dB is not None:
                    if a is not None:
                        dB.addmm_(gs.t(), a)
                    if cg is not None:
                        dB.addmm_(cg[s:e].t(), gmx)
        return dG, dH, dx, dmu, dg, dB, ddir, None, None, None, None, None


def _fused_double_backward(fused, ctx, cx, cmu, cg, cbasis, cdir, wanted):
    """:meth:`_MessageGrad.backward` by the compiled kernel (absent cotangents as zeros)."""
    G, H, x, mu, g, basis, direction, idx_i, idx_j = ctx.saved_tensors
    half, block = ctx.half, ctx.block
    x, mu, direction = x.contiguous(), mu.contiguous(), direction.contiguous()
    idx_i, idx_j = idx_i.contiguous(), idx_j.contiguous()
    xd = torch.zeros_like(x) if cx is None else cx
    mud = torch.zeros_like(mu) if cmu is None else cmu
    dG, dH, dx, dmu = (torch.zeros_like(t) for t in (G, H, x, mu))
    ddir = torch.zeros_like(direction)
    dg = torch.zeros_like(g) if wanted[4] is not None else None
    dB = torch.zeros_like(basis) if wanted[5] is not None else None
    for s in range(0, g.shape[0], block):
        e = min(s + block, g.shape[0])
        gs = g[s:e]
        w = torch.mm(gs, basis)
        u = torch.mm(cg[s:e], basis) if cg is not None else torch.zeros_like(w)
        if cbasis is not None:
            u.addmm_(gs, cbasis)
        rd = cdir[s:e].contiguous() if cdir is not None else torch.zeros_like(direction[s:e])
        aw, gmx = torch.zeros_like(w), torch.zeros_like(w)
        fused.message_double_backward(
            G, H, x, mu, w, direction[s:e], idx_i[s:e], idx_j[s:e], half,
            xd, mud, u, rd, dG, dH, dx, dmu, ddir[s:e], aw, gmx,
        )  # fmt: skip
        if dg is not None:
            dg[s:e] = torch.mm(aw, basis.t())
            if cbasis is not None:
                dg[s:e].addmm_(gmx, cbasis.t())
        if dB is not None:
            dB.addmm_(gs.t(), aw)
            if cg is not None:
                dB.addmm_(cg[s:e].t(), gmx)
    keep = [t is not None for t in wanted]
    out = [dG, dH, dx, dmu, dg, dB, ddir]
    return (
        *[t if k else None for t, k in zip(out, keep, strict=True)],
        None,
        None,
        None,
        None,
        None,
    )


class EdgeMessage:
    """Aggregated PaiNN messages of one interaction block, by blocks of pairs.

    ``EdgeMessage.apply(x, mu, g, basis, direction, idx_i, idx_j, block)``:

    Args:
        x: (N, 3F) context features phi_l(q) of the beads.
        mu: (N, 3, F) vector features.
        g: (E, K+1) filter basis f_c(r) [rbf(r), 1] of the pairs.
        basis: (K+1, 3F) filter weights B_l (last row: bias).
        direction: (E, 3) unit vectors from i to j.
        idx_i, idx_j: (E,) receiving and sending beads.
        block: pairs per block.

    Returns:
        dq (N, F), dmu (N, 3, F); differentiable twice (backward and double backward
        written out in :class:`_MessageGrad`).
    """

    @staticmethod
    def apply(x, mu, g, basis, direction, idx_i, idx_j, block: int):
        return _Message.apply(x, mu, g, basis, direction, idx_i, idx_j, block, False)


class HalfEdgeMessage:
    """:class:`EdgeMessage` on a half pair list: each undirected pair sends both ways.

    The filter :math:`W_l(r_{ij}) = g(r_{ij}) B_l` is the same for ``i <- j`` and
    ``j <- i`` and the unit direction flips sign, so a block of C half pairs computes its
    filter once (one (C, K+1) x (K+1, 3F) product) and uses it for its 2C directed pairs;
    the backward passes add the two directions' filter gradients before the products
    with ``B^T`` and ``g^T``.

    ``HalfEdgeMessage.apply(x, mu, g, basis, direction, idx_i, idx_j, block)`` with
    g (H, K+1), direction (H, 3) from ``idx_i`` to ``idx_j``, idx_i, idx_j (H,) the beads
    of each undirected pair (``idx_i == idx_j`` for a periodic self-image, whose reverse is
    the other image) and ``block`` undirected pairs per block; returns dq (N, F) and
    dmu (N, 3, F) summed over both directions of every pair.
    """

    @staticmethod
    def apply(x, mu, g, basis, direction, idx_i, idx_j, block: int):
        return _Message.apply(x, mu, g, basis, direction, idx_i, idx_j, block, True)


def supports(model: torch.nn.Module) -> bool:
    """Whether ``model`` is a SchNetPack PaiNN potential that :class:`FastPaiNN` can run:
    PaiNN with Gaussian RBF and cosine cutoff, and the energy head of
    :func:`~cgexplain.potentials.forward_forces.plain_energy_head`."""
    rep = getattr(model, "representation", None)
    return (
        isinstance(rep, spk.representation.PaiNN)
        and type(rep.radial_basis) is spk.nn.GaussianRBF
        and type(rep.cutoff_fn) is spk.nn.CosineCutoff
        and plain_energy_head(model)
    )


def painn_energy(
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
    """Energies of a SchNetPack PaiNN potential (:func:`supports`) with its own parameters.

    Args:
        model: the potential; its modules are called as they are.
        positions: (N, 3) Å (set ``requires_grad`` for forces).
        numbers: (N,) atomic numbers (bead types).
        idx_i, idx_j, offsets: SchNetPack's directed pair list, (E,), (E,), (E, 3) Å.
        idx_m: (N,) molecule of each bead; n_molecules: M.
        block: directed pairs per block of the message kernels (half as many undirected
            pairs with ``half``).
        half: evaluate distances, radial basis, cutoff and filter once per undirected
            pair (:func:`cgexplain.potentials.pairs.half_pairs`, which also checks that
            the list is symmetric) and send messages both ways (:class:`HalfEdgeMessage`).
        given_half: the pair list *is* a half list already (each undirected pair once,
            e.g. ``VerletList(..., half=True)``); messages are sent both ways.
        weight_gradients: ``False`` detaches the filter weights, so that a backward
            pass for forces alone skips their gradient.

    Returns:
        (M,) energies, kcal/mol, differentiable twice in ``positions`` and the weights.
    """
    rep = model.representation
    n_feat = rep.n_atom_basis
    message = EdgeMessage
    if half and not given_half:
        pairs = half_pairs(idx_i, idx_j, offsets)
        idx_i, idx_j, offsets = pairs.idx_i, pairs.idx_j, offsets[pairs.directed]
    if half or given_half:
        message, block = HalfEdgeMessage, max(1, block // 2)
    r = positions[idx_j] - positions[idx_i] + offsets
    d = torch.linalg.vector_norm(r, dim=1)
    direction = r / d[:, None]
    rbf = rep.radial_basis
    phi = torch.exp((-0.5 / rbf.widths**2) * (d[:, None] - rbf.offsets) ** 2)
    cut = rep.cutoff_fn.cutoff
    fc = 0.5 * (torch.cos(d * (math.pi / cut)) + 1.0) * (d < cut).to(d.dtype)
    g = torch.cat([phi * fc[:, None], fc[:, None]], dim=1)
    weights = torch.cat([rep.filter_net.weight.t(), rep.filter_net.bias[None]], dim=0)
    if not weight_gradients:
        weights = weights.detach()
    n = numbers.shape[0]
    q = rep.embedding(numbers)
    mu = torch.zeros(n, 3, n_feat, dtype=q.dtype, device=q.device)
    width = 3 * n_feat
    for layer, (inter, mix) in enumerate(zip(rep.interactions, rep.mixing, strict=True)):
        basis = weights if rep.share_filters else weights[:, layer * width : (layer + 1) * width]
        x = inter.interatomic_context_net(q)
        dq, dmu = message.apply(x, mu, g, basis.contiguous(), direction, idx_i, idx_j, block)
        q, mu = q + dq, mu + dmu
        mixed = mix.mu_channel_mix(mu)
        mu_v, mu_w = mixed[..., :n_feat], mixed[..., n_feat:]
        norm = torch.sqrt((mu_v**2).sum(1) + mix.epsilon)
        ctx = mix.intraatomic_context_net(torch.cat([q, norm], dim=1))
        a, b, c = ctx[:, :n_feat], ctx[:, n_feat : 2 * n_feat], ctx[:, 2 * n_feat :]
        q = q + a + c * (mu_v * mu_w).sum(1)
        mu = mu + b[:, None] * mu_w
    per_bead = model.output_modules[0].outnet(q)[:, 0]
    return torch.zeros(n_molecules, dtype=q.dtype, device=q.device).index_add(0, idx_m, per_bead)


class FastPaiNN:
    """Energies and forces of a SchNetPack PaiNN potential (see the module docstring).

    Args:
        model: a potential for which :func:`supports` is true; its modules and
            parameters are used as they are (nothing is copied).
        block: directed pairs per block of :class:`EdgeMessage` (half as many undirected
            pairs per block of :class:`HalfEdgeMessage`).
        half_pairs: see :func:`painn_energy`.
    """

    def __init__(
        self, model: torch.nn.Module, block: int = 2048, half_pairs: bool = False
    ) -> None:
        if not supports(model):
            raise ValueError("FastPaiNN needs a SchNetPack PaiNN energy + forces potential")
        self.model = model
        self.block = block
        self.half_pairs = half_pairs

    def energy(self, positions, numbers, idx_i, idx_j, offsets, idx_m, n_molecules):
        """Energies (n_molecules,) kcal/mol; positions (N, 3) Å, pairs as SchNetPack's."""
        return painn_energy(
            self.model,
            positions,
            numbers,
            idx_i,
            idx_j,
            offsets,
            idx_m,
            n_molecules,
            self.block,
            self.half_pairs,
        )

    def __call__(
        self, inputs: dict[str, torch.Tensor], given_half: bool = False
    ) -> dict[str, torch.Tensor]:
        """SchNetPack inputs -> ``{"energy": (M,), "forces": (N, 3)}`` (model dtype);
        ``given_half``: the inputs' pair list is a half list (:func:`painn_energy`)."""
        return energy_and_forces(
            painn_energy, self.model, inputs, self.block, self.half_pairs, given_half
        )


class FastPaiNNPotential(ForwardForcesPotential):
    """A SchNetPack PaiNN ``NeuralNetworkPotential`` whose forward pass runs
    :func:`painn_energy` (same parameters, same state dict) and its forces by one backward
    pass, kept differentiable in training so that force matching's second derivatives run
    through :class:`_MessageGrad` (:class:`~cgexplain.potentials.forward_forces.ForwardForcesPotential`).
    Made by :func:`accelerate_painn`, undone by :func:`restore_painn`."""

    energy_function = staticmethod(painn_energy)


def accelerate_painn(model: torch.nn.Module) -> bool:
    """Switch a SchNetPack PaiNN potential (:func:`supports`) to
    :class:`FastPaiNNPotential` in place (parameters and state dict untouched); other
    models are left alone. Idempotent; returns whether ``model`` is now fast."""
    return FastPaiNNPotential.switch(model, supports)


def restore_painn(model: torch.nn.Module) -> bool:
    """Undo :func:`accelerate_painn` (for saving a model that loads with plain
    SchNetPack); returns whether ``model`` was switched back."""
    return FastPaiNNPotential.switch_back(model)
