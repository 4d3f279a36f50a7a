"""PaiNN adapter: where relevance flows in SchNetPack's ``PaiNN``.

Block t = interaction + mixing (Schütt, Unke, Gastegger 2021, ICML, Eqs. 7-10).
Relevance flows through the scalar features ``q`` only. As in the published GNN-LRP
method (Bonneau et al. 2025, Nat. Commun., Methods, "GNN-LRP for PaiNN", and
Supplementary Section S6), the vector features are constants for relevance at three
points; their *values* are those of the modified forward pass:

1. ``mu`` entering the interaction (``dmumu * mu_j`` gates with a constant);
2. ``mu + dmu`` between the interaction and the mixing: the mixing's ``mu_V``,
   ``mu_W``, the norm ``|mu_V|`` fed to the context network and the product
   ``<mu_V, mu_W>`` that multiplies ``dqmu`` are constants;
3. ``mu`` after the mixing (it only enters the next block, see 1).

Also constant (geometry only): the filters ``W_ij = filter_net(rbf(d_ij)) fcut(d_ij)``
and the directions ``r_hat_ij``. What stays live: the scalar message
``dq_ij = W^q_ij * phi^q(q_j)`` (F values per edge, ``phi = interatomic_context_net``)
and the scalar mixing ``q + dq_intra(q, |mu_V|) + dqmu_intra(q, |mu_V|) <mu_V, mu_W>``.
Every ``Dense`` with an activation is LRP-modified (:mod:`cgexplain.lrp.rules`).

Relevance is not conserved exactly: the constant gates ``|mu_V|`` (an input of the
context network) and ``<mu_V, mu_W>`` absorb part of it.

Factorisation: ``source = phi^q`` (P = F), ``edge = W^q_ij *`` (M = F),
``update(h, m) = mixing_q(h + m)``.
"""

from __future__ import annotations

import torch

from cgexplain.lrp.adapters.base import Adapter, scatter_rows
from cgexplain.lrp.rules import Rule, modified_affine, modified_dense, modified_sequential


def _rows(dense: torch.nn.Module, a: torch.Tensor, rows: slice, rule: Rule) -> torch.Tensor:
    """Output units ``rows`` of a (modified) ``Dense``: (k, n_in) -> (k, len(rows))."""
    bias = None if dense.bias is None else dense.bias[rows]
    activation = getattr(dense, "activation", None)
    return modified_affine(dense.weight[rows], bias, activation, a, rule)


class PaiNNAdapter(Adapter):
    """Adapter for :class:`schnetpack.representation.PaiNN` (the published method)."""

    @property
    def n_blocks(self) -> int:  # type: ignore[override]
        return len(self.rep.interactions)

    @property
    def n_features(self) -> int:
        return int(self.rep.n_atom_basis)

    def prepare_edges(self) -> None:
        rep, nf = self.rep, self.n_features
        d_ij = torch.norm(self.graph.r_ij, dim=1, keepdim=True)
        self.dir_ij = self.graph.r_ij / d_ij
        phi = rep.radial_basis(d_ij)
        fcut = rep.cutoff_fn(d_ij)
        filters = modified_dense(rep.filter_net, phi, self.rule) * fcut[..., None]
        filters = filters.reshape(self.graph.n_edges, -1)
        blocks = [
            filters if rep.share_filters else filters[:, 3 * nf * t : 3 * nf * (t + 1)]
            for t in range(self.n_blocks)
        ]
        #: per block (n_edges, F) filters of the live scalar message
        self.filters_q = [w[:, :nf].contiguous() for w in blocks]
        #: per block (n_edges, 2F) filters of the constant vector message
        self.filters_mu = [w[:, nf:] for w in blocks]
        self.mu_in: dict[int, torch.Tensor] = {}
        self.mu_vn: dict[int, torch.Tensor] = {}
        self.mu_vw: dict[int, torch.Tensor] = {}

    def embedding(self) -> torch.Tensor:
        return self.rep.embedding(self.graph.atomic_numbers)

    def reset(self) -> None:
        w = self.rep.embedding.weight
        n = self.graph.n_beads
        self.mu_in = {0: torch.zeros(n, 3, self.n_features, dtype=w.dtype, device=w.device)}

    def source(self, t: int, h: torch.Tensor) -> torch.Tensor:
        net = self.rep.interactions[t].interatomic_context_net
        hidden = modified_sequential(net[:-1], h, self.rule)
        return _rows(net[-1], hidden, slice(0, self.n_features), self.rule)

    def edge(self, t: int, p: torch.Tensor, edges: torch.Tensor) -> torch.Tensor:
        return self.filters_q[t][edges] * p

    def edge_transpose(self, t: int, g: torch.Tensor, edges: torch.Tensor) -> torch.Tensor:
        """Transpose of :meth:`edge` (a diagonal map): g (k, F) -> (k, F)."""
        return self.filters_q[t][edges] * g

    def diagonal_edge_weights(self, t: int) -> torch.Tensor:
        return self.filters_q[t]

    def _intra_hidden(self, t: int, q: torch.Tensor, nodes: torch.Tensor) -> torch.Tensor:
        net = self.rep.mixing[t].intraatomic_context_net
        ctx = torch.cat([q, self.mu_vn[t][nodes]], dim=-1)
        return modified_sequential(net[:-1], ctx, self.rule)

    def update(
        self, t: int, h: torch.Tensor, m: torch.Tensor, nodes: torch.Tensor
    ) -> torch.Tensor:
        nf = self.n_features
        q = h + m
        hidden = self._intra_hidden(t, q, nodes)
        out = self.rep.mixing[t].intraatomic_context_net[-1]
        dq_intra = _rows(out, hidden, slice(0, nf), self.rule)
        dqmu_intra = _rows(out, hidden, slice(2 * nf, 3 * nf), self.rule)
        return q + dq_intra + dqmu_intra * self.mu_vw[t][nodes]

    def block(self, t: int, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Whole-graph block ``t``; stores the constant vector features (1-3 above).

        Computes each network once: the live scalar rows with the gradient, the vector
        rows detached.
        """
        g, nf, rule = self.graph, self.n_features, self.rule
        inter, mixing = self.rep.interactions[t], self.rep.mixing[t]
        net = inter.interatomic_context_net
        context = modified_sequential(net, h, rule)  # (n, 3F)
        x = self.filters_q[t] * context[:, :nf][g.idx_j]
        m = scatter_rows(x, g.idx_i, g.n_beads)
        with torch.no_grad():
            dmu_r, dmu_mu = torch.split(self.filters_mu[t] * context[:, nf:][g.idx_j], nf, -1)
            mu_j = self.mu_in[t][g.idx_j]
            dmu = dmu_r[:, None, :] * self.dir_ij[:, :, None] + dmu_mu[:, None, :] * mu_j
            mu = self.mu_in[t] + scatter_rows(dmu, g.idx_i, g.n_beads)
            mu_v, mu_w = torch.split(modified_dense(mixing.mu_channel_mix, mu, rule), nf, -1)
            self.mu_vn[t] = torch.sqrt(torch.sum(mu_v**2, dim=-2) + mixing.epsilon)
            self.mu_vw[t] = torch.sum(mu_v * mu_w, dim=-2)
        q = h + m
        ctx = torch.cat([q, self.mu_vn[t]], dim=-1)
        x = modified_sequential(mixing.intraatomic_context_net, ctx, rule)
        dq_intra, dmu_intra, dqmu_intra = torch.split(x, nf, dim=-1)
        if t + 1 < self.n_blocks:
            self.mu_in[t + 1] = (mu + dmu_intra.detach()[:, None, :] * mu_w).detach()
        return q + dq_intra + dqmu_intra * self.mu_vw[t], m
