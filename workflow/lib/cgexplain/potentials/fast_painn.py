"""Faster PaiNN energies and forces with the parameters of a SchNetPack model (CPU).

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

Use :class:`FastPaiNN` for forces (simulation). Its backward pass is first order only
(``once_differentiable``): force-matching training, which differentiates the forces
again, keeps SchNetPack's model.
"""

from __future__ import annotations

import math

import torch
from torch.autograd.function import once_differentiable

from cgexplain.potentials.pairs import half_pairs

__all__ = ["EdgeMessage", "FastPaiNN", "HalfEdgeMessage", "supports"]


class EdgeMessage(torch.autograd.Function):
    """Aggregated PaiNN messages of one interaction block, by blocks of pairs.

    Forward args:
        x: (N, 3F) context features phi_l(q) of the beads.
        mu: (N, 3, F) vector features.
        g: (E, K+1) filter basis f_c(r) [rbf(r), 1] of the pairs.
        basis: (K+1, 3F) filter weights B_l (last row: bias).
        direction: (E, 3) unit vectors from i to j.
        idx_i, idx_j: (E,) receiving and sending beads.
        block: pairs per block.

    Returns:
        dq (N, F), dmu (N, 3, F).
    """

    @staticmethod
    def forward(ctx, x, mu, g, basis, direction, idx_i, idx_j, block: int):
        n, f = mu.shape[0], mu.shape[2]
        dq = torch.zeros(n, f, dtype=x.dtype, device=x.device)
        dmu = torch.zeros(n, 3, f, dtype=x.dtype, device=x.device)
        for s in range(0, g.shape[0], block):
            ii, jj = idx_i[s : s + block], idx_j[s : s + block]
            m = torch.mm(g[s : s + block], basis).mul_(x.index_select(0, jj))
            dq.index_add_(0, ii, m[:, :f])
            v = mu.index_select(0, jj).mul_(m[:, None, 2 * f :])
            v.addcmul_(m[:, None, f : 2 * f], direction[s : s + block, :, None])
            dmu.index_add_(0, ii, v)
        ctx.save_for_backward(x, mu, g, basis, direction, idx_i, idx_j)
        ctx.block = block
        return dq, dmu

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_q, grad_mu):
        # with G = dL/d(dq_i), H = dL/d(dmu_i), per pair (i <- j):
        #   dL/dm^q = G_i,  dL/dm^R = sum_c H_ic r_c,  dL/dm^mu = sum_c H_ic mu_jc
        #   dL/dr_c = sum_f H_icf m^R_f,  dL/dmu_j += H_i m^mu
        #   dL/dW = dL/dm * x_j,  dL/dx_j += dL/dm * W,  dL/dg = dL/dW B^T,  dL/dB += g^T dL/dW
        x, mu, g, basis, direction, idx_i, idx_j = ctx.saved_tensors
        f = mu.shape[2]
        grad_q = grad_q.contiguous()
        grad_mu = grad_mu.contiguous()
        gx, gmu = torch.zeros_like(x), torch.zeros_like(mu)
        gg, gdir = torch.empty_like(g), torch.empty_like(direction)
        gbasis = torch.zeros_like(basis)
        for s in range(0, g.shape[0], ctx.block):
            ii, jj = idx_i[s : s + ctx.block], idx_j[s : s + ctx.block]
            gs, rs = g[s : s + ctx.block], direction[s : s + ctx.block]
            w = torch.mm(gs, basis)
            xj = x.index_select(0, jj)
            h = grad_mu.index_select(0, ii)  # (C, 3, F)
            gm = torch.cat(
                [
                    grad_q.index_select(0, ii),
                    (h * rs[:, :, None]).sum(1),
                    (h * mu.index_select(0, jj)).sum(1),
                ],
                dim=1,
            )
            m = w * xj
            gdir[s : s + ctx.block] = (h * m[:, None, f : 2 * f]).sum(2)
            gmu.index_add_(0, jj, h.mul_(m[:, None, 2 * f :]))
            gx.index_add_(0, jj, gm * w)
            gw = gm.mul_(xj)
            gg[s : s + ctx.block] = torch.mm(gw, basis.t())
            if ctx.needs_input_grad[3]:
                gbasis.addmm_(gs.t(), gw)
        return gx, gmu, gg, gbasis, gdir, None, None, None


class HalfEdgeMessage(torch.autograd.Function):
    """:class:`EdgeMessage` on a half pair list: each undirected pair sends both ways.

    The filter :math:`W_l(r_{ij}) = g(r_{ij}) B_l` is the same for ``i <- j`` and
    ``j <- i`` and the unit direction flips sign, so a block of C half pairs computes its
    filter once (one (C, K+1) x (K+1, 3F) product) and uses it for its 2C directed pairs;
    the backward pass adds the two directions' filter gradients before the products
    with ``B^T`` and ``g^T``.

    Forward args:
        x: (N, 3F) context features phi_l(q) of the beads.
        mu: (N, 3, F) vector features.
        g: (H, K+1) filter basis of the undirected pairs.
        basis: (K+1, 3F) filter weights B_l (last row: bias).
        direction: (H, 3) unit vectors from ``idx_i`` to ``idx_j``.
        idx_i, idx_j: (H,) beads of each undirected pair (``idx_i == idx_j`` for a
            periodic self-image, whose reverse is the other image).
        block: undirected pairs per block.

    Returns:
        dq (N, F), dmu (N, 3, F), summed over both directions of every pair.
    """

    @staticmethod
    def forward(ctx, x, mu, g, basis, direction, idx_i, idx_j, block: int):
        n, f = mu.shape[0], mu.shape[2]
        dq = torch.zeros(n, f, dtype=x.dtype, device=x.device)
        dmu = torch.zeros(n, 3, f, dtype=x.dtype, device=x.device)
        for s in range(0, g.shape[0], block):
            a, b = idx_i[s : s + block], idx_j[s : s + block]
            c = a.shape[0]
            ii, jj = torch.cat([a, b]), torch.cat([b, a])  # receivers, senders of 2C pairs
            rs = direction[s : s + block]
            w = torch.mm(g[s : s + block], basis)
            m = x.index_select(0, jj).view(2, c, -1).mul_(w).view(2 * c, -1)
            dq.index_add_(0, ii, m[:, :f])
            v = mu.index_select(0, jj).mul_(m[:, None, 2 * f :])
            v.addcmul_(m[:, None, f : 2 * f], torch.cat([rs, -rs])[:, :, None])
            dmu.index_add_(0, ii, v)
        ctx.save_for_backward(x, mu, g, basis, direction, idx_i, idx_j)
        ctx.block = block
        return dq, dmu

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_q, grad_mu):
        # as EdgeMessage.backward for the 2C directed pairs of a block; the filter's and
        # the direction's gradients of the two directions are then summed (direction: with
        # the sign of the reverse), since both use the same W(r) and +-r_hat.
        x, mu, g, basis, direction, idx_i, idx_j = ctx.saved_tensors
        f = mu.shape[2]
        grad_q = grad_q.contiguous()
        grad_mu = grad_mu.contiguous()
        gx, gmu = torch.zeros_like(x), torch.zeros_like(mu)
        gg, gdir = torch.empty_like(g), torch.empty_like(direction)
        gbasis = torch.zeros_like(basis)
        for s in range(0, g.shape[0], ctx.block):
            a, b = idx_i[s : s + ctx.block], idx_j[s : s + ctx.block]
            c = a.shape[0]
            ii, jj = torch.cat([a, b]), torch.cat([b, a])
            gs, rs = g[s : s + ctx.block], direction[s : s + ctx.block]
            w = torch.mm(gs, basis)
            xj = x.index_select(0, jj)
            h = grad_mu.index_select(0, ii)  # (2C, 3, F)
            gm = torch.cat(
                [
                    grad_q.index_select(0, ii),
                    (h * torch.cat([rs, -rs])[:, :, None]).sum(1),
                    (h * mu.index_select(0, jj)).sum(1),
                ],
                dim=1,
            )
            m = (xj.view(2, c, -1) * w).view(2 * c, -1)
            both = (h * m[:, None, f : 2 * f]).sum(2)
            gdir[s : s + ctx.block] = both[:c] - both[c:]
            gmu.index_add_(0, jj, h.mul_(m[:, None, 2 * f :]))
            gx.index_add_(0, jj, (gm.view(2, c, -1) * w).view(2 * c, -1))
            gw = gm.mul_(xj).view(2, c, -1).sum(0)
            gg[s : s + ctx.block] = torch.mm(gw, basis.t())
            if ctx.needs_input_grad[3]:
                gbasis.addmm_(gs.t(), gw)
        return gx, gmu, gg, gbasis, gdir, None, None, None


def supports(model: torch.nn.Module) -> bool:
    """Whether ``model`` is a SchNetPack PaiNN potential that :class:`FastPaiNN` can run:
    pairwise distances, PaiNN with Gaussian RBF and cosine cutoff, one summed ``Atomwise``
    energy and its ``Forces``, no post-processing beyond a float64 cast."""
    import schnetpack as spk
    import schnetpack.transform as trn

    rep = getattr(model, "representation", None)
    outputs = list(getattr(model, "output_modules", []))
    return (
        isinstance(rep, spk.representation.PaiNN)
        and type(rep.radial_basis) is spk.nn.GaussianRBF
        and type(rep.cutoff_fn) is spk.nn.CosineCutoff
        and [type(m) for m in model.input_modules] == [spk.atomistic.PairwiseDistances]
        and len(outputs) == 2
        and type(outputs[0]) is spk.atomistic.Atomwise
        and outputs[0].aggregation_mode == "sum"
        and outputs[0].output_key == spk.properties.energy
        and outputs[0].per_atom_output_key is None
        and type(outputs[1]) is spk.atomistic.Forces
        and not outputs[1].calc_stress
        and all(type(p) is trn.CastTo64 for p in model.postprocessors)
    )


class FastPaiNN:
    """Energies and forces of a SchNetPack PaiNN potential (see the module docstring).

    Args:
        model: a potential for which :func:`supports` is true; its modules and
            parameters are used as they are (nothing is copied).
        block: directed pairs per block of :class:`EdgeMessage` (half as many undirected
            pairs per block of :class:`HalfEdgeMessage`).
        half_pairs: evaluate distances, radial basis, cutoff and filter once per
            undirected pair (:func:`cgexplain.potentials.pairs.half_pairs`, which also
            checks that the directed list is symmetric) and send each pair's messages both
            ways with :class:`HalfEdgeMessage`; ``False`` runs every directed pair.
    """

    def __init__(
        self, model: torch.nn.Module, block: int = 2048, half_pairs: bool = False
    ) -> None:
        if not supports(model):
            raise ValueError("FastPaiNN needs a SchNetPack PaiNN energy + forces potential")
        self.model = model
        self.block = block
        self.half_pairs = half_pairs

    def energy(
        self,
        positions: torch.Tensor,
        numbers: torch.Tensor,
        idx_i: torch.Tensor,
        idx_j: torch.Tensor,
        offsets: torch.Tensor,
        idx_m: torch.Tensor,
        n_molecules: int,
    ) -> torch.Tensor:
        """Energies (n_molecules,) kcal/mol; positions (N, 3) Å, pairs as SchNetPack's."""
        rep = self.model.representation
        n_feat = rep.n_atom_basis
        message, block = EdgeMessage, self.block
        if self.half_pairs:
            half = half_pairs(idx_i, idx_j, offsets)
            idx_i, idx_j, offsets = half.idx_i, half.idx_j, offsets[half.directed]
            message, block = HalfEdgeMessage, max(1, self.block // 2)
        r = positions[idx_j] - positions[idx_i] + offsets
        d = torch.linalg.vector_norm(r, dim=1)
        direction = r / d[:, None]
        rbf = rep.radial_basis
        phi = torch.exp((-0.5 / rbf.widths**2) * (d[:, None] - rbf.offsets) ** 2)
        cut = rep.cutoff_fn.cutoff
        fc = 0.5 * (torch.cos(d * (math.pi / cut)) + 1.0) * (d < cut).to(d.dtype)
        g = torch.cat([phi * fc[:, None], fc[:, None]], dim=1)
        weights = torch.cat([rep.filter_net.weight.t(), rep.filter_net.bias[None]], dim=0)
        n = numbers.shape[0]
        q = rep.embedding(numbers)
        mu = torch.zeros(n, 3, n_feat, dtype=q.dtype, device=q.device)
        width = 3 * n_feat
        for layer, (inter, mix) in enumerate(zip(rep.interactions, rep.mixing, strict=True)):
            basis = (
                weights if rep.share_filters else weights[:, layer * width : (layer + 1) * width]
            )
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
        per_bead = self.model.output_modules[0].outnet(q)[:, 0]
        return torch.zeros(n_molecules, dtype=q.dtype, device=q.device).index_add(
            0, idx_m, per_bead
        )

    def __call__(self, inputs: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """SchNetPack inputs -> ``{"energy": (M,), "forces": (N, 3)}`` (model dtype)."""
        import schnetpack.properties as props

        positions = inputs[props.R].detach().requires_grad_(True)
        n_molecules = int(inputs[props.n_atoms].shape[0])
        with torch.enable_grad():
            energy = self.energy(
                positions,
                inputs[props.Z],
                inputs[props.idx_i],
                inputs[props.idx_j],
                inputs[props.offsets],
                inputs[props.idx_m],
                n_molecules,
            )
            (grad,) = torch.autograd.grad(energy.sum(), positions)
        return {props.energy: energy.detach(), props.forces: -grad}
