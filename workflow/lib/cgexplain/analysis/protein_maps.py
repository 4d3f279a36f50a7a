"""Residue-pair maps of the protein: mean 2-body relevance per folding state and per
mutation, the strongest interactions of a state, and the contacts a mutation changes most.

Inputs are the normalised per-frame pair and triplet tables of
:mod:`cgexplain.analysis.relevance` (``frame``, ``i``, ``j`` [, ``k``], relevance in
arbitrary units, negative = stabilising); bead (residue) indices are 0-based. Maps are
(N, N) symmetric matrices, N beads (e.g. 39 Cα of NTL9), stored as long tables
``<name>, i, j, value`` (i < j) by :func:`matrix_table`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cgexplain import columns as col
from cgexplain.io import InputError

__all__ = [
    "mask_chain_neighbours",
    "matrix_table",
    "pair_matrix",
    "state_pair_maps",
    "table_matrices",
    "top_changed_contacts",
    "top_interactions",
]


def pair_matrix(
    pairs: pd.DataFrame, n_beads: int, frames: np.ndarray, value: str = col.RELEVANCE_NORM
) -> np.ndarray:
    """Mean 2-body contribution of every bead pair over a set of frames (Figs. 5, 7).

    A pair with no walks in a frame (outside the cutoff) contributes zero to that frame,
    so the matrix is the expected contribution per frame of the set.

    Args:
        pairs: pair table with ``frame``, ``i``, ``j`` and ``value``.
        n_beads: N (e.g. 39 residues).
        frames: the frames to average over (e.g. one folding state).

    Returns:
        (N, N) symmetric matrix, zero diagonal.

    Raises:
        InputError: no frames, or a frame without any pair in the table.
    """
    frames = np.unique(np.asarray(frames))
    if frames.size == 0:
        raise InputError("no frames to average the pair relevance over")
    absent = sorted(set(frames.tolist()) - set(pairs[col.FRAME].unique().tolist()))
    if absent:
        raise InputError(f"frames {absent} have no pair contributions")
    part = pairs[pairs[col.FRAME].isin(frames)]
    out = np.zeros((n_beads, n_beads))
    np.add.at(
        out, (part[col.BEAD_I].to_numpy(), part[col.BEAD_J].to_numpy()), part[value].to_numpy()
    )
    out /= frames.size
    return out + out.T


def state_pair_maps(
    pairs: pd.DataFrame,
    states: pd.DataFrame,
    n_beads: int,
    used: dict[str, bool],
    value: str = col.RELEVANCE_NORM,
) -> dict[str, np.ndarray | None]:
    """Mean 2-body matrix of each folding state over the explained frames in it.

    Args:
        pairs: pair table with ``frame``, ``i``, ``j`` and ``value``.
        states: per-frame table with ``frame`` and ``state``.
        n_beads: N.
        used: state -> whether it has enough frames (``states.csv``); others map to None.

    Returns:
        ``{state: (N, N) matrix or None}``.
    """
    explained = set(pairs[col.FRAME].unique().tolist())
    out: dict[str, np.ndarray | None] = {}
    for state, ok in used.items():
        frames = states.loc[states[col.STATE] == state, col.FRAME].to_numpy()
        frames = np.array([f for f in frames if f in explained], dtype=np.int64)
        out[state] = pair_matrix(pairs, n_beads, frames, value) if ok and frames.size else None
    return out


def top_interactions(
    pairs: pd.DataFrame,
    triplets: pd.DataFrame,
    frames: np.ndarray,
    n_top: int = 5,
    value: str = col.RELEVANCE_NORM,
    min_separation: int = 0,
) -> pd.DataFrame:
    """The strongest 2-body and 3-body contributions of a set of frames (Fig. 6).

    Each bead set's contribution is averaged over ``frames`` (zero in a frame where it
    has no walks); the ``n_top`` sets of each order with the largest |mean| are kept.
    With ``min_separation`` only sets spanning at least that many positions along the
    chain count (the largest index minus the smallest), so that chain neighbours, whose
    geometry the prior holds, do not crowd out the tertiary contacts.

    Returns:
        Table ``order, beads, value, rank``: ``beads`` as ``"i-j"`` / ``"i-j-k"`` (0-based),
        sorted by order, then |value| descending.
    """
    frames = np.unique(np.asarray(frames))
    if frames.size == 0:
        raise InputError("no frames to rank interactions in")
    rows = []
    for order, table, cols in (
        (2, pairs, [col.BEAD_I, col.BEAD_J]),
        (3, triplets, [col.BEAD_I, col.BEAD_J, col.BEAD_K]),
    ):
        part = table[table[col.FRAME].isin(frames)]
        span = part[cols].max(axis=1) - part[cols].min(axis=1)
        part = part[span >= min_separation]
        if part.empty:
            continue
        mean = part.groupby(cols)[value].sum() / frames.size
        order_index = mean.abs().sort_values(ascending=False, kind="stable").index
        top = mean.reindex(order_index)[:n_top]
        for rank, (beads, v) in enumerate(top.items(), start=1):
            rows.append(
                {
                    col.ORDER: order,
                    col.BEADS: "-".join(str(int(b)) for b in beads),
                    col.VALUE: float(v),
                    col.RANK: rank,
                }
            )
    return pd.DataFrame(rows, columns=[col.ORDER, col.BEADS, col.VALUE, col.RANK])


def matrix_table(matrices: dict[str, np.ndarray | None], name: str = col.STATE) -> pd.DataFrame:
    """Long table ``name, i, j, value`` (i < j) of several (N, N) matrices (None skipped)."""
    rows = []
    for key, matrix in matrices.items():
        if matrix is None:
            continue
        i, j = np.triu_indices(len(matrix), k=1)
        rows.append(
            pd.DataFrame({name: key, col.BEAD_I: i, col.BEAD_J: j, col.VALUE: matrix[i, j]})
        )
    if not rows:
        return pd.DataFrame(columns=[name, col.BEAD_I, col.BEAD_J, col.VALUE])
    return pd.concat(rows, ignore_index=True)


def table_matrices(
    table: pd.DataFrame, n_beads: int, name: str = col.STATE
) -> dict[str, np.ndarray]:
    """Inverse of :func:`matrix_table`: ``{key: symmetric (N, N) matrix}``."""
    out = {}
    for key, part in table.groupby(name):
        matrix = np.zeros((n_beads, n_beads))
        matrix[part[col.BEAD_I].to_numpy(), part[col.BEAD_J].to_numpy()] = part[
            col.VALUE
        ].to_numpy()
        out[str(key)] = matrix + matrix.T
    return out


def mask_chain_neighbours(matrix: np.ndarray, min_separation: int) -> np.ndarray:
    """A copy of an (N, N) residue-pair matrix with NaN where |i - j| < min_separation."""
    out = np.array(matrix, dtype=float)
    i, j = np.indices(out.shape)
    out[np.abs(i - j) < min_separation] = np.nan
    return out


def top_changed_contacts(difference: np.ndarray, residue: int, n_top: int = 5) -> pd.DataFrame:
    """The ``n_top`` contacts of ``residue`` with the largest |difference|.

    Args:
        difference: (N, N) mean 2-body relevance difference (mutant - wild type), a.u.
        residue: 0-based bead index of the mutated residue.
        n_top: number of contacts kept.

    Returns:
        Table with ``order`` (2), ``beads`` ((residue, partner), 0-based) and ``value``
        (the difference), sorted by |value| descending; the residue itself and NaN
        entries are left out.
    """
    matrix = np.asarray(difference, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"difference must be square, got {matrix.shape}")
    if not 0 <= residue < matrix.shape[0]:
        raise ValueError(f"residue {residue} outside 0..{matrix.shape[0] - 1}")
    row = matrix[residue].copy()
    row[residue] = np.nan
    partners = np.flatnonzero(np.isfinite(row))
    ranked = partners[np.argsort(-np.abs(row[partners]), kind="stable")][: max(n_top, 0)]
    return pd.DataFrame(
        {
            "order": np.full(ranked.size, 2, dtype=int),
            "beads": [(int(residue), int(j)) for j in ranked],
            "value": row[ranked],
        }
    )
