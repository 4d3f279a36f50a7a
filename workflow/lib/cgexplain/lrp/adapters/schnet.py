"""SchNet adapter: where relevance flows in SchNetPack's ``SchNet``.

Block t (Schütt et al. 2018, J. Chem. Phys. 148, 241722):
``h_t[i] = h_{t-1}[i] + f2out( sum_j W_ij * in2f(h_{t-1}[j]) )`` with the continuous
filter ``W_ij = filter_network(rbf(d_ij)) * fcut(d_ij)``.

Constants for relevance (Bonneau et al. 2025, Nat. Commun., Methods: geometry enters
as constant edge weights): the filters ``W_ij``, whose values come from the modified
filter network (its activated first layer gets the rule). Everything acting on ``h``
is live; SchNet has no other features.

Factorisation: ``source = in2f`` (P = n_filters), ``edge = W_ij *`` (M = n_filters),
``update = h + f2out(m)``.
"""

from __future__ import annotations

import torch

from cgexplain.lrp.adapters.base import Adapter
from cgexplain.lrp.rules import modified_dense, modified_sequential


class SchNetAdapter(Adapter):
    """Adapter for :class:`schnetpack.representation.SchNet`."""

    @property
    def n_blocks(self) -> int:  # type: ignore[override]
        return len(self.rep.interactions)

    def prepare_edges(self) -> None:
        d_ij = torch.norm(self.graph.r_ij, dim=1)
        rbf = self.rep.radial_basis(d_ij)
        rcut = self.rep.cutoff_fn(d_ij)
        #: per block (n_edges, n_filters) modified filters
        self.filters = [
            modified_sequential(inter.filter_network, rbf, self.rule) * rcut[:, None]
            for inter in self.rep.interactions
        ]

    def embedding(self) -> torch.Tensor:
        return self.rep.embedding(self.graph.atomic_numbers)

    def reset(self) -> None:
        return None

    def source(self, t: int, h: torch.Tensor) -> torch.Tensor:
        return modified_dense(self.rep.interactions[t].in2f, h, self.rule)

    def edge(self, t: int, p: torch.Tensor, edges: torch.Tensor) -> torch.Tensor:
        return self.filters[t][edges] * p

    def edge_transpose(self, t: int, g: torch.Tensor, edges: torch.Tensor) -> torch.Tensor:
        """Transpose of :meth:`edge` (a diagonal map)."""
        return self.filters[t][edges] * g

    def diagonal_edge_weights(self, t: int) -> torch.Tensor:
        return self.filters[t]

    def update(
        self, t: int, h: torch.Tensor, m: torch.Tensor, nodes: torch.Tensor
    ) -> torch.Tensor:
        f2out = self.rep.interactions[t].f2out
        return h + modified_sequential(f2out, m, self.rule)
