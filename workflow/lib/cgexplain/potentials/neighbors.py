"""Verlet neighbour lists for batched CG Langevin runs, in torch.

A Verlet list (Verlet, Phys. Rev. 159, 98, 1967) keeps every pair closer than
``cutoff + skin`` and is rebuilt only when a bead has moved more than ``skin / 2`` since
the last build, so no pair can have entered the cutoff unseen (two beads close in by at
most ``skin`` together). At every call the kept pairs are filtered to the cutoff, so the
model sees exactly the pairs a fresh neighbour list would give. ``skin = 0`` rebuilds at
every call.

Replicas share the box and the bead count; each replica has its own list and is rebuilt
on its own. Periodic boxes must be orthorhombic with ``cutoff + skin`` at most half the
shortest edge (pair vectors are minimum images); the skin is shrunk to fit when the box
is too small for it, and a cutoff beyond half the box is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

__all__ = ["NeighborPairs", "VerletList"]


@dataclass(frozen=True)
class NeighborPairs:
    """Directed pairs of a batch of replicas (both i -> j and j -> i are listed).

    Attributes:
        idx_i, idx_j: (E,) int64 indices into the flattened (R * N) beads, sorted by
            replica, then i, then j.
        offsets: (E, 3) Å, so that ``x[idx_j] - x[idx_i] + offsets`` is the minimum-image
            vector from bead i to bead j (SchNetPack's convention).
    """

    idx_i: torch.Tensor
    idx_j: torch.Tensor
    offsets: torch.Tensor


class VerletList:
    """Pairs within ``cutoff`` of R replicas of N beads, rebuilt only when needed.

    Args:
        cutoff: Å, pairs closer than this are returned.
        skin: Å, extra shell kept between rebuilds.
        box: (3, 3) orthorhombic cell, Å, or ``None`` (or all zero) for no periodicity.

    Attributes:
        builds: list builds so far, counted per replica.
        calls: calls so far.
    """

    def __init__(self, cutoff: float, skin: float, box: np.ndarray | None) -> None:
        if cutoff <= 0 or skin < 0:
            raise ValueError(f"need cutoff > 0 and skin >= 0, got {cutoff} and {skin}")
        box = None if box is None or not np.any(box) else np.asarray(box, dtype=float)
        if box is not None:
            if not np.allclose(box, np.diag(np.diag(box))):
                raise ValueError("Verlet list: only orthorhombic boxes are supported")
            half = float(np.diag(box).min()) / 2
            if cutoff > half:
                raise ValueError(
                    f"cutoff {cutoff} Å exceeds half the shortest box edge ({half:.3f} Å)"
                )
            skin = min(skin, half - cutoff)
        self.cutoff = float(cutoff)
        self.skin = float(skin)
        self.lengths = None if box is None else torch.as_tensor(np.diag(box).copy())
        self.builds = 0
        self.calls = 0
        self._reference: torch.Tensor | None = None  # (R, N, 3) positions at the last build
        self._pairs: list[tuple[torch.Tensor, torch.Tensor]] = []  # per replica (i, j)

    def _minimum_image(self, vectors: torch.Tensor) -> torch.Tensor:
        if self.lengths is None:
            return vectors
        lengths = self.lengths.to(vectors)
        return vectors - lengths * torch.round(vectors / lengths)

    def _build(self, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """All pairs i != j of one replica (N, 3) closer than cutoff + skin, by rows."""
        n = positions.shape[0]
        reach = (self.cutoff + self.skin) ** 2
        rows_i, rows_j = [], []
        block = max(1, 2**22 // max(n, 1))  # about 4M pair distances at a time
        for start in range(0, n, block):
            vec = self._minimum_image(positions[None, :] - positions[start : start + block, None])
            close = (vec * vec).sum(-1) < reach
            close[torch.arange(close.shape[0]), torch.arange(start, start + close.shape[0])] = (
                False
            )
            i, j = close.nonzero(as_tuple=True)
            rows_i.append(i + start)
            rows_j.append(j)
        self.builds += 1
        return torch.cat(rows_i), torch.cat(rows_j)

    def __call__(self, positions: torch.Tensor, half: bool = False) -> NeighborPairs:
        """Pairs within the cutoff for positions (R, N, 3) Å (any float dtype and device).

        ``half=True`` returns each undirected pair once, as ``i < j`` (a half list in
        the canonical orientation of :mod:`cgexplain.potentials.pairs`; minimum images
        have no periodic self-images), at half the cost of filtering.
        """
        if positions.ndim != 3 or positions.shape[-1] != 3:
            raise ValueError(f"positions must be (R, N, 3), got {tuple(positions.shape)}")
        positions = positions.detach()
        replicas, n = positions.shape[:2]
        self.calls += 1
        if self._reference is None or self._reference.shape != positions.shape:
            stale = range(replicas)
            self._pairs = [None] * replicas  # type: ignore[list-item]
            self._reference = positions.clone()
        else:
            moved = self._minimum_image(positions - self._reference).norm(dim=-1)
            limit = self.skin / 2
            stale = (moved.amax(dim=1) > limit).nonzero().flatten().tolist()
        for r in stale:
            self._pairs[r] = self._build(positions[r])
            self._reference[r] = positions[r]
        idx_i, idx_j, offsets = [], [], []
        for r, (i, j) in enumerate(self._pairs):
            i, j = i.to(positions.device), j.to(positions.device)
            if half:
                upper = i < j
                i, j = i[upper], j[upper]
            raw = positions[r, j] - positions[r, i]
            vec = self._minimum_image(raw)
            keep = (vec * vec).sum(-1) < self.cutoff**2
            idx_i.append(i[keep] + r * n)
            idx_j.append(j[keep] + r * n)
            offsets.append((vec - raw)[keep])
        return NeighborPairs(torch.cat(idx_i), torch.cat(idx_j), torch.cat(offsets))
