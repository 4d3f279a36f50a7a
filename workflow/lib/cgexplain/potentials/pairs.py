"""Half pair lists: one entry per undirected pair of a symmetric directed neighbour list.

SchNetPack lists every pair twice, as ``i -> j`` with vector
:math:`\\vec r_{ij} = x_j - x_i + o_{ij}` and as ``j -> i`` with
:math:`\\vec r_{ji} = -\\vec r_{ij}` (cell offset :math:`o_{ji} = -o_{ij}`). Everything that
depends on the distance only (radial basis, cutoff, PaiNN's filter) is the same for both,
and the unit direction flips sign. :func:`half_pairs` finds, for each directed pair, its
undirected pair and the sign of its direction relative to that pair's canonical
orientation.

Matching is by bead indices *and* vector, not by indices alone: in a periodic box two
beads can be neighbours through several images (``(i, j, o)`` and ``(i, j, o')``), and a
bead can neighbour its own images (``(i, i, +L)`` and ``(i, i, -L)``, each the other's
reverse) when the box is smaller than twice the cutoff.

Canonical orientation of a directed pair ``(i, j, v)`` (``v`` its offset or pair vector):
``i < j``; for ``i == j``, the first nonzero component of ``v`` is positive. Its sign is
+1 when it is canonical and -1 when it is the reverse of a canonical pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

__all__ = ["HalfPairs", "half_pairs"]


@dataclass(frozen=True)
class HalfPairs:
    """A half list and the map from a directed list onto it.

    Attributes:
        idx_i, idx_j: (H,) int64 beads of each undirected pair in canonical orientation
            (``idx_i <= idx_j``).
        directed: (H,) int64, for each undirected pair, the index of its canonical
            directed pair in the directed list (so ``offsets[directed]`` is its offset).
        index: (E,) int64, for each directed pair, its entry in the half list.
        sign: (E,) int64, +1 where the directed pair runs like its half entry, -1 where it
            is the reverse (vector and unit direction ``sign * half``).
    """

    idx_i: torch.Tensor
    idx_j: torch.Tensor
    directed: torch.Tensor
    index: torch.Tensor
    sign: torch.Tensor


def _orientation(idx_i: torch.Tensor, idx_j: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """(E,) int64 signs: +1 canonical, -1 reversed (see the module docstring)."""
    nonzero = q != 0
    if bool((idx_i == idx_j).logical_and(~nonzero.any(dim=1)).any()):
        raise ValueError("half_pairs: a bead paired with itself at zero offset")
    first = nonzero.to(torch.int8).argmax(dim=1)  # first nonzero component
    self_sign = torch.sign(q.gather(1, first[:, None])[:, 0])
    sign = torch.sign(idx_j - idx_i)
    return torch.where(sign == 0, self_sign, sign)


def half_pairs(
    idx_i: torch.Tensor,
    idx_j: torch.Tensor,
    vectors: torch.Tensor,
    resolution: float = 1e-6,
) -> HalfPairs:
    """Half list of a symmetric directed neighbour list.

    Args:
        idx_i, idx_j: (E,) int64 receiving and sending beads of the directed pairs.
        vectors: (E, 3) their cell offsets or pair vectors r_ij, Å (either: for fixed
            beads the vector and the offset determine each other). The reverse of pair
            ``(i, j, v)`` is ``(j, i, -v)``.
        resolution: Å, vectors are compared after rounding to multiples of this
            (rounding is odd, so exact negatives always match).

    Returns:
        The :class:`HalfPairs`; the half list is ordered by the canonical pairs' keys.

    Raises:
        ValueError: if a directed pair has no reverse, or appears more than once, or a
            bead is paired with itself at zero offset.
    """
    if idx_i.shape != idx_j.shape or idx_i.ndim != 1 or vectors.shape != (idx_i.shape[0], 3):
        raise ValueError(
            f"half_pairs: need idx_i, idx_j (E,) and vectors (E, 3), got "
            f"{tuple(idx_i.shape)}, {tuple(idx_j.shape)}, {tuple(vectors.shape)}"
        )
    device = idx_i.device
    if idx_i.shape[0] == 0:
        empty = torch.zeros(0, dtype=torch.long, device=device)
        return HalfPairs(empty, empty, empty, empty, empty)
    idx_i, idx_j = idx_i.long(), idx_j.long()
    q = torch.round(vectors.detach().double() / resolution).long()
    sign = _orientation(idx_i, idx_j, q)
    a, b = torch.minimum(idx_i, idx_j), torch.maximum(idx_i, idx_j)
    qc = q * sign[:, None]
    # one int64 key per canonical pair: (a, b) and the offset's digits in a shared alphabet
    alphabet, digits = torch.unique(qc.flatten(), return_inverse=True)
    digits = digits.view(-1, 3)
    n_beads = int(b.max()) + 1
    radix = alphabet.numel()
    if float(n_beads) ** 2 * float(radix) ** 3 < 2.0**62:
        key = (a * n_beads + b) * radix**3 + (digits[:, 0] * radix + digits[:, 1]) * radix
        key = key + digits[:, 2]
        _, index, counts = torch.unique(key, return_inverse=True, return_counts=True)
    else:  # too many beads and images for one int64: compare rows (slower)
        rows = torch.cat([a[:, None], b[:, None], qc], dim=1)
        _, index, counts = torch.unique(rows, dim=0, return_inverse=True, return_counts=True)
    n_half = counts.numel()
    balance = torch.zeros(n_half, dtype=torch.long, device=device).index_add_(0, index, sign)
    bad = (counts != 2).logical_or(balance != 0)
    if bool(bad.any()):
        e = int(bad[index].nonzero()[0, 0])
        raise ValueError(
            "half_pairs: the directed neighbour list is not symmetric: pair "
            f"{int(idx_i[e])} -> {int(idx_j[e])} at {vectors[e].tolist()} and its "
            f"reverses are {int(counts[index[e]])} directed pair(s) with direction signs "
            f"summing to {int(balance[index[e]])}; need the pair and exactly one reverse "
            "(j -> i at the negated vector)"
        )
    forward = (sign > 0).nonzero()[:, 0]
    directed = torch.empty(n_half, dtype=torch.long, device=device)
    directed[index[forward]] = forward
    return HalfPairs(a[directed], b[directed], directed, index, sign)
