"""The interface an architecture adapter implements (one module per architecture).

An adapter rewrites one SchNetPack representation as T message-passing blocks on the
scalar bead features ``h_t`` (n_beads, F), each factorised as

    p_j   = source_t(h_{t-1}[j])                  node-local, (P,) per bead
    mu_e  = edge_t(p_j, e)                        linear per edge e = (i <- j), (M,)
    m_i   = sum_{e: i <- j} mu_e                  aggregation
    h_t[i] = update_t(h_{t-1}[i], m_i, i)         node-local, (F,)

with every layer in its LRP-modified form (:mod:`cgexplain.lrp.rules`). Quantities that
the published GNN-LRP method holds constant (each adapter's docstring lists them: PaiNN
vector features, SO3net ``l > 0`` features entering a block, radial filters, cutoff and
spherical harmonics) enter ``edge_t`` and ``update_t`` as constants, computed from the
forward values by :meth:`Adapter.block` during :meth:`Adapter.forward`.
The block Jacobian is then ``J_t[i, j] = A_i (sum_e E_e) C_j + delta_ij S_i`` with
``C = d source / d h``, ``E`` the edge map, ``A = d update / d m`` and
``S = d update / d h``, which is what :mod:`cgexplain.lrp.engine` exploits (Schnake et
al. 2022, IEEE TPAMI, Sec. 4: relevant walks as products of per-layer transfer maps).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import torch
from torch import nn

from cgexplain.lrp.rules import Rule, modified_sequential


@dataclass(frozen=True)
class Graph:
    """A bead graph with periodic images resolved into edge vectors.

    Attributes:
        atomic_numbers: (n_beads,) int64 types.
        r_ij: (n_edges, 3) Å, vector from bead ``idx_i`` to the image of bead ``idx_j``
            (SchNetPack convention: ``R[j] - R[i] + offset``).
        idx_i: (n_edges,) int64 receiving bead of each directed edge.
        idx_j: (n_edges,) int64 sending bead of each directed edge.
    """

    atomic_numbers: torch.Tensor
    r_ij: torch.Tensor
    idx_i: torch.Tensor
    idx_j: torch.Tensor

    @property
    def n_beads(self) -> int:
        return int(self.atomic_numbers.shape[0])

    @property
    def n_edges(self) -> int:
        return int(self.idx_i.shape[0])

    def replicate(self, n_copies: int) -> Graph:
        """Disjoint union of ``n_copies`` copies (for batched masked passes)."""
        n = self.n_beads
        shift = (torch.arange(n_copies, device=self.idx_i.device) * n).repeat_interleave(
            self.n_edges
        )
        return Graph(
            atomic_numbers=self.atomic_numbers.repeat(n_copies),
            r_ij=self.r_ij.repeat(n_copies, 1),
            idx_i=self.idx_i.repeat(n_copies) + shift,
            idx_j=self.idx_j.repeat(n_copies) + shift,
        )


@dataclass
class ForwardPass:
    """Values of the modified forward pass (identical for every walk mask).

    Attributes:
        features: list of T + 1 tensors (n_beads, F): ``h_0`` (embedding) ... ``h_T``.
        messages: list of T tensors (n_beads, M_t): aggregated live messages ``m``.
        bead_energies: (n_beads,) modified per-bead readout, kcal/mol.
    """

    features: list[torch.Tensor]
    messages: list[torch.Tensor]
    bead_energies: torch.Tensor


class Adapter(ABC):
    """Modified forward of one representation + ``Atomwise`` readout on one graph.

    Args:
        representation: the SchNetPack representation module.
        readout: the ``Atomwise.outnet`` (``nn.Sequential`` of ``Dense``) of the energy.
        graph: the bead graph.
        rule: the LRP rule of every activated dense layer (:mod:`cgexplain.lrp.rules`).
    """

    def __init__(
        self,
        representation: nn.Module,
        readout: nn.Sequential,
        graph: Graph,
        rule: Rule,
    ) -> None:
        self.rep = representation
        self.readout_net = readout
        self.graph = graph
        self.rule = rule
        self.prepare_edges()

    # ---- to implement per architecture -------------------------------------------
    n_blocks: int

    @abstractmethod
    def prepare_edges(self) -> None:
        """Compute geometry-only edge constants (filters, directions) of ``self.graph``."""

    @abstractmethod
    def embedding(self) -> torch.Tensor:
        """(n_beads, F) input embedding ``h_0``."""

    @abstractmethod
    def reset(self) -> None:
        """Set the constants entering block 0 (called at the start of every forward)."""

    @abstractmethod
    def source(self, t: int, h: torch.Tensor) -> torch.Tensor:
        """Node-local map of block ``t`` at the sending bead: (k, F) -> (k, P)."""

    @abstractmethod
    def edge(self, t: int, p: torch.Tensor, edges: torch.Tensor) -> torch.Tensor:
        """Linear per-edge map of block ``t``: p (k, P), edges (k,) ids -> (k, M)."""

    def diagonal_edge_weights(self, t: int) -> torch.Tensor | None:
        """(n_edges, M) weights ``w_e`` if :meth:`edge` is ``w_e * p`` (P = M), else None."""
        return None

    @abstractmethod
    def update(
        self, t: int, h: torch.Tensor, m: torch.Tensor, nodes: torch.Tensor
    ) -> torch.Tensor:
        """Node-local update of block ``t`` (constants of the block are stored by :meth:`block`).

        Args:
            h: (k, F) scalar features entering the block at beads ``nodes`` (k,).
            m: (k, M) aggregated live messages.

        Returns:
            (k, F) new scalar features.
        """

    # ---- shared ------------------------------------------------------------------
    def edge_transpose(self, t: int, g: torch.Tensor, edges: torch.Tensor) -> torch.Tensor:
        """Transpose of the linear :meth:`edge`: g (k, M) -> (k, P) (a VJP by default)."""
        n_p = self.source(t, self.embedding()[:1]).shape[1]
        zeros = torch.zeros(g.shape[0], n_p, dtype=g.dtype, device=g.device)
        _, pullback = torch.func.vjp(lambda p: self.edge(t, p, edges), zeros)
        return pullback(g)[0]

    def readout(self, h: torch.Tensor) -> torch.Tensor:
        """Modified per-bead energy readout: (k, F) -> (k,) kcal/mol."""
        return modified_sequential(self.readout_net, h, self.rule).squeeze(-1)

    def aggregate(self, t: int, h: torch.Tensor) -> torch.Tensor:
        """Whole-graph live messages of block ``t``: (n, F) -> (n, M)."""
        g = self.graph
        edges = torch.arange(g.n_edges, device=h.device)
        return scatter_rows(self.edge(t, self.source(t, h)[g.idx_j], edges), g.idx_i, g.n_beads)

    def block(self, t: int, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Whole-graph block ``t``: (n, F) -> new features (n, F), messages (n, M).

        Architectures with constants inside a block or between blocks override this to
        compute and store them (detached) from the forward values.
        """
        m = self.aggregate(t, h)
        return self.update(t, h, m, torch.arange(self.graph.n_beads, device=h.device)), m

    def forward(
        self, masks: torch.Tensor | None = None, x0: torch.Tensor | None = None
    ) -> ForwardPass:
        """Modified forward, optionally keeping the gradient only at masked beads.

        Args:
            masks: (T + 1, n_beads) bool; ``masks[t]`` keeps the gradient path through
                the beads it marks after block ``t`` (``t = 0``: the embedding); all other
                beads' features are detached there. None keeps every path.
            x0: (n_beads, F) embedding to use (e.g. a leaf requiring grad).

        Returns:
            The :class:`ForwardPass` (features are the masked tensors).
        """
        h = self.embedding() if x0 is None else x0
        self.reset()
        features, messages = [], []
        for t in range(self.n_blocks + 1):
            if t > 0:
                h, m = self.block(t - 1, h)
                messages.append(m)
            if masks is not None:
                h = torch.where(masks[t][:, None], h, h.detach())
            features.append(h)
        return ForwardPass(features, messages, self.readout(h))


def scatter_rows(values: torch.Tensor, index: torch.Tensor, n_rows: int) -> torch.Tensor:
    """Sum rows of ``values`` (k, ...) into ``n_rows`` rows by ``index`` (k,).

    A sparse (n_rows, k) incidence matrix times ``values``: several times faster than
    ``index_add`` on CPU, and differentiable w.r.t. ``values``.
    """
    k = values.shape[0]
    if k == 0:
        return torch.zeros((n_rows, *values.shape[1:]), dtype=values.dtype, device=values.device)
    flat = values.reshape(k, -1)
    incidence = torch.sparse_coo_tensor(
        torch.stack([index, torch.arange(k, device=index.device)]),
        torch.ones(k, dtype=values.dtype, device=values.device),
        (n_rows, k),
        check_invariants=False,
    )
    return torch.sparse.mm(incidence, flat).reshape(n_rows, *values.shape[1:])
