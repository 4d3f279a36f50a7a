"""Geometry of bead triplets: largest angle and the edge opposite to it.

A triplet {i, j, k} is taken when it is connected within ``cutoff``: at least two of
its three distances are below the cutoff (open chains included), the same triplets a
message-passing network with that cutoff can relate. Each triangle is described by its
largest interior angle and the length of the opposite (longest) edge, the coordinates
of the 3-body maps of Bonneau et al., Nat. Commun. (2025).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cgexplain import columns as col
from cgexplain.analysis.geometry import check_cutoff, distance_matrix, largest_angle


def connected_triplets(distances: np.ndarray, cutoff: float) -> np.ndarray:
    """(m, 3) index triplets i < j < k with at least two distances below ``cutoff``.

    Args:
        distances: (n, n) symmetric distance matrix, Å.
    """
    adjacency = distances < cutoff
    np.fill_diagonal(adjacency, False)
    n = len(distances)
    chunks = []
    for centre in range(n):
        neigh = np.flatnonzero(adjacency[centre])
        if len(neigh) < 2:
            continue
        a, b = np.triu_indices(len(neigh), k=1)
        trip = np.sort(np.stack([np.full(len(a), centre), neigh[a], neigh[b]], axis=1), axis=1)
        chunks.append((trip[:, 0] * n + trip[:, 1]) * n + trip[:, 2])
    if not chunks:
        return np.empty((0, 3), dtype=np.int64)
    code = np.unique(np.concatenate(chunks))  # a closed triangle is found from 3 centres
    return np.stack([code // (n * n), (code // n) % n, code % n], axis=1).astype(np.int64)


def triangle_geometry(
    d_ij: np.ndarray, d_ik: np.ndarray, d_jk: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Largest interior angle (degrees) and the length of the edge opposite to it (Å)."""
    longest = np.stack([d_ij, d_ik, d_jk], axis=-1).max(axis=-1)
    return largest_angle(d_ij, d_ik, d_jk), longest


def triplet_table(positions: np.ndarray, box: np.ndarray | None, cutoff: float) -> pd.DataFrame:
    """All connected triplets of one frame with their geometry.

    Args:
        positions: (n, 3) Å.
        box: (3, 3) Å or None (no periodicity).
        cutoff: connection cutoff, Å.

    Returns:
        DataFrame with ``i, j, k, d_ij, d_ik, d_jk`` (Å), ``max_angle`` (deg) and
        ``opposite_edge`` (Å).
    """
    if box is not None:
        check_cutoff(box, cutoff)
    d = distance_matrix(np.asarray(positions, dtype=np.float64), box)
    t = connected_triplets(d, cutoff)
    i, j, k = t.T if len(t) else (np.empty(0, int),) * 3
    d_ij, d_ik, d_jk = d[i, j], d[i, k], d[j, k]
    angle, edge = triangle_geometry(d_ij, d_ik, d_jk)
    return pd.DataFrame(
        {
            "i": i,
            "j": j,
            "k": k,
            "d_ij": d_ij,
            "d_ik": d_ik,
            "d_jk": d_jk,
            col.MAX_ANGLE: angle,
            col.OPPOSITE_EDGE: edge,
        }
    )


def frame_triplet_counts(
    positions: np.ndarray,
    box: np.ndarray,
    cutoff: float,
    angle_bins: int,
    edge_bins: int,
) -> np.ndarray:
    """Triplet counts of each frame over (largest angle, opposite edge) bins.

    Args: as :func:`triplet_histogram`.

    Returns:
        (n_frames, angle_bins, edge_bins) counts.
    """
    angle_edges = np.linspace(60.0, 180.0, angle_bins + 1)
    edge_edges = np.linspace(0.0, 2 * cutoff, edge_bins + 1)
    counts = np.zeros((len(positions), angle_bins, edge_bins))
    for n, (frame, cell) in enumerate(zip(positions, box, strict=True)):
        table = triplet_table(frame, cell, cutoff)
        counts[n], _, _ = np.histogram2d(
            table[col.MAX_ANGLE], table[col.OPPOSITE_EDGE], bins=(angle_edges, edge_edges)
        )
    return counts


def histogram_table(counts: np.ndarray, cutoff: float) -> pd.DataFrame:
    """:func:`triplet_histogram`'s table from per-frame counts (n_frames, angle, edge)."""
    n_frames, angle_bins, edge_bins = counts.shape
    angle_edges = np.linspace(60.0, 180.0, angle_bins + 1)
    edge_edges = np.linspace(0.0, 2 * cutoff, edge_bins + 1)
    summed = counts.sum(0)
    total = summed.sum()
    area = np.diff(angle_edges)[:, None] * np.diff(edge_edges)[None, :]
    density = summed / (total * area) if total > 0 else summed
    a_c, e_c = 0.5 * (angle_edges[1:] + angle_edges[:-1]), 0.5 * (edge_edges[1:] + edge_edges[:-1])
    aa, ee = np.meshgrid(a_c, e_c, indexing="ij")
    return pd.DataFrame(
        {
            "angle": aa.ravel(),
            "edge": ee.ravel(),
            "count": (summed / n_frames).ravel(),
            "density": density.ravel(),
        }
    )


def triplet_histogram(
    positions: np.ndarray,
    box: np.ndarray,
    cutoff: float,
    angle_bins: int,
    edge_bins: int,
) -> pd.DataFrame:
    """2-D histogram of (largest angle, opposite edge) over all frames.

    Args:
        positions: (n_frames, n, 3) Å.
        box: (n_frames, 3, 3) Å.
        cutoff: connection cutoff, Å; the opposite edge ranges over [0, 2 cutoff].
        angle_bins, edge_bins: numbers of bins over [60°, 180°] and [0, 2 cutoff] Å
            (the largest angle of a triangle is at least 60°).

    Returns:
        Long table with ``angle`` (bin centre, deg), ``edge`` (bin centre, Å), ``count``
        (triplets per frame in the bin) and ``density`` (probability density,
        1/(deg·Å), integrating to 1).
    """
    counts = frame_triplet_counts(positions, box, cutoff, angle_bins, edge_bins)
    return histogram_table(counts, cutoff)


def angle_distribution(histogram: pd.DataFrame) -> pd.DataFrame:
    """Marginal distribution of the largest angle from :func:`triplet_histogram`'s table."""
    grouped = histogram.groupby("angle", as_index=False)["count"].sum()
    width = np.diff(np.sort(grouped["angle"].unique()))[0] if len(grouped) > 1 else 1.0
    total = grouped["count"].sum()
    grouped["density"] = grouped["count"] / (total * width) if total > 0 else 0.0
    return grouped
