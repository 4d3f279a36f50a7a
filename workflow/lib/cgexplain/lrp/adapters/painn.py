"""PaiNN adapter: where relevance flows in SchNetPack's ``PaiNN``.

Block t = interaction + mixing (Schütt, Unke, Gastegger 2021, ICML). Relevance is
carried by the scalar features ``q`` only; the vector features ``mu`` entering a block
are detached (constants), as in the published GNN-LRP method (Bonneau et al. 2025).
Inside a block, ``mu`` still depends on ``q`` of the neighbours through ``dmu``, and
the mixing couples channels multiplicatively (``dqmu * <mu_V, mu_W>``, the gated
``dmu * mu_W``, the norm ``|mu_V|``). Relevance is therefore not conserved exactly:
these products and the detached vector gates are not positively homogeneous in ``q``.

Factorisation: ``source = interatomic_context_net(q_j)`` (P = 3F);
``edge``: ``x = W_ij * p``, message ``[dq, dmuR * r_hat_ij + dmumu * mu_j]`` (M = 4F);
``update``: ``mixing(q_i + dq, mu_i + dmu)``.
"""

from __future__ import annotations

import torch

from cgexplain.lrp.adapters.base import Adapter
from cgexplain.lrp.rules import modified_dense, modified_sequential


class PaiNNAdapter(Adapter):
    """Adapter for :class:`schnetpack.representation.PaiNN`."""

    @property
    def n_blocks(self) -> int:  # type: ignore[override]
        return len(self.rep.interactions)

    @property
    def n_features(self) -> int:
        return int(self.rep.n_atom_basis)

    def prepare_edges(self) -> None:
        rep = self.rep
        d_ij = torch.norm(self.graph.r_ij, dim=1, keepdim=True)
        self.dir_ij = self.graph.r_ij / d_ij
        phi = rep.radial_basis(d_ij)
        fcut = rep.cutoff_fn(d_ij)
        filters = modified_dense(rep.filter_net, phi, self.rule, self.gamma) * fcut[..., None]
        filters = filters.reshape(self.graph.n_edges, -1)
        n3 = 3 * self.n_features
        #: per block (n_edges, 3F) filters
        self.filters = [
            filters if rep.share_filters else filters[:, t * n3 : (t + 1) * n3]
            for t in range(self.n_blocks)
        ]
        self.mu_in: dict[int, torch.Tensor] = {}

    def embedding(self) -> torch.Tensor:
        return self.rep.embedding(self.graph.atomic_numbers)

    def initial_aux(self) -> torch.Tensor:
        w = self.rep.embedding.weight
        return torch.zeros(self.graph.n_beads, 3, self.n_features, dtype=w.dtype, device=w.device)

    def prepare_block(self, t: int, aux: torch.Tensor | None) -> None:
        self.mu_in[t] = aux

    def source(self, t: int, h: torch.Tensor) -> torch.Tensor:
        net = self.rep.interactions[t].interatomic_context_net
        return modified_sequential(net, h, self.rule, self.gamma)

    def edge(self, t: int, p: torch.Tensor, edges: torch.Tensor) -> torch.Tensor:
        nf = self.n_features
        x = self.filters[t][edges] * p
        dq, dmu_r, dmu_mu = torch.split(x, nf, dim=-1)
        mu_j = self.mu_in[t][self.graph.idx_j[edges]]
        dmu = dmu_r[:, None, :] * self.dir_ij[edges][:, :, None] + dmu_mu[:, None, :] * mu_j
        return torch.cat([dq, dmu.reshape(-1, 3 * nf)], dim=-1)

    def edge_transpose(self, t: int, g: torch.Tensor, edges: torch.Tensor) -> torch.Tensor:
        """Transpose of :meth:`edge`: g (k, 4F) -> (k, 3F)."""
        nf = self.n_features
        g_q, g_mu = g[:, :nf], g[:, nf:].reshape(-1, 3, nf)
        g_r = (self.dir_ij[edges][:, :, None] * g_mu).sum(dim=1)
        g_mumu = (self.mu_in[t][self.graph.idx_j[edges]] * g_mu).sum(dim=1)
        return self.filters[t][edges] * torch.cat([g_q, g_r, g_mumu], dim=-1)

    def update_full(
        self, t: int, h: torch.Tensor, m: torch.Tensor, nodes: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        nf = self.n_features
        q = h + m[:, :nf]
        mu = self.mu_in[t][nodes] + m[:, nf:].reshape(-1, 3, nf)
        mixing = self.rep.mixing[t]
        mu_mix = modified_dense(mixing.mu_channel_mix, mu, self.rule, self.gamma)
        mu_v, mu_w = torch.split(mu_mix, nf, dim=-1)
        mu_vn = torch.sqrt(torch.sum(mu_v**2, dim=-2) + mixing.epsilon)
        ctx = torch.cat([q, mu_vn], dim=-1)
        x = modified_sequential(mixing.intraatomic_context_net, ctx, self.rule, self.gamma)
        dq_intra, dmu_intra, dqmu_intra = torch.split(x, nf, dim=-1)
        dmu_intra = dmu_intra[:, None, :] * mu_w
        dqmu_intra = dqmu_intra * torch.sum(mu_v * mu_w, dim=-2)
        return q + dq_intra + dqmu_intra, mu + dmu_intra
