"""Radial distribution function of a periodic single-component fluid."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cgexplain import columns as col
from cgexplain.analysis.geometry import check_cutoff, distance_matrix


def radial_distribution(
    positions: np.ndarray, box: np.ndarray, r_max: float, n_bins: int
) -> pd.DataFrame:
    """g(r) of identical particles with periodic boundaries, averaged over frames.

    g(r) = <n(r)> / (ρ · V_shell(r)) with ρ = (N - 1)/V per frame and V_shell the exact
    volume of the spherical shell of each bin, so an ideal gas gives g = 1 at all r.

    Args:
        positions: (n_frames, n, 3) Å.
        box: (n_frames, 3, 3) Å, rows are the cell vectors.
        r_max: largest distance, Å; at most half the narrowest box width.
        n_bins: number of bins on [0, r_max].

    Returns:
        DataFrame with columns ``r`` (bin centre, Å), ``g`` and ``coordination``
        (running coordination number up to the bin's upper edge).
    """
    positions = np.asarray(positions, dtype=np.float64)
    box = np.asarray(box, dtype=np.float64)
    if positions.ndim != 3 or positions.shape[-1] != 3:
        raise ValueError(f"positions must be (n_frames, n, 3), got {positions.shape}")
    if box.shape != (positions.shape[0], 3, 3):
        raise ValueError(f"box must be (n_frames, 3, 3), got {box.shape}")
    edges = np.linspace(0.0, r_max, n_bins + 1)
    shell = 4.0 / 3.0 * np.pi * (edges[1:] ** 3 - edges[:-1] ** 3)
    n = positions.shape[1]
    g = frame_rdfs(positions, box, r_max, n_bins).mean(axis=0)
    rho_mean = np.mean([(n - 1) / abs(np.linalg.det(c)) for c in box])
    coordination = np.cumsum(g * rho_mean * shell)
    return pd.DataFrame(
        {col.R: 0.5 * (edges[1:] + edges[:-1]), col.G: g, col.COORDINATION: coordination}
    )


def frame_rdfs(positions: np.ndarray, box: np.ndarray, r_max: float, n_bins: int) -> np.ndarray:
    """g(r) of each frame, (n_frames, n_bins), on the grid of :func:`radial_distribution`
    (whose g is their mean)."""
    positions = np.asarray(positions, dtype=np.float64)
    box = np.asarray(box, dtype=np.float64)
    edges = np.linspace(0.0, r_max, n_bins + 1)
    shell = 4.0 / 3.0 * np.pi * (edges[1:] ** 3 - edges[:-1] ** 3)
    n = positions.shape[1]
    iu = np.triu_indices(n, k=1)
    g = np.zeros((positions.shape[0], n_bins))
    for f, (frame, cell) in enumerate(zip(positions, box, strict=True)):
        check_cutoff(cell, r_max)
        d = distance_matrix(frame, cell)[iu]
        counts, _ = np.histogram(d, bins=edges)
        density = (n - 1) / abs(np.linalg.det(cell))
        g[f] = 2.0 * counts / (n * density * shell)  # each pair counts for both particles
    return g


def first_peak(rdf: pd.DataFrame, window: float = 0.5) -> tuple[float, float]:
    """Position (Å) and height of the first peak of g(r).

    The first peak is the first bin with g > 1 that is the maximum of g within
    ``window`` Å on either side (robust to single-bin noise); if there is none, the
    global maximum.
    """
    r, g = rdf[col.R].to_numpy(), rdf[col.G].to_numpy()
    half = max(1, int(round(window / (r[1] - r[0])))) if len(r) > 1 else 0
    for i in np.flatnonzero(g > 1.0):
        if g[i] >= g[max(0, i - half) : i + half + 1].max():
            return float(r[i]), float(g[i])
    i = int(np.argmax(g))
    return float(r[i]), float(g[i])


def first_minimum(rdf: pd.DataFrame, window: float = 0.5) -> tuple[float, float]:
    """Position (Å) and height of the first minimum of g(r) after its first peak: the
    edge of the first coordination shell.

    The minimum is the first bin beyond :func:`first_peak` whose g is the smallest
    within ``window`` Å on either side (robust to single-bin noise); if there is none,
    the smallest g between the peak and the end of the table.
    """
    r, g = rdf[col.R].to_numpy(), rdf[col.G].to_numpy()
    r_peak, _ = first_peak(rdf, window)
    start = int(np.searchsorted(r, r_peak)) + 1
    half = max(1, int(round(window / (r[1] - r[0])))) if len(r) > 1 else 0
    for i in range(start, len(r) - half):
        if g[i] <= g[max(start, i - half) : i + half + 1].min():
            return float(r[i]), float(g[i])
    if start >= len(r):
        return float(r[-1]), float(g[-1])
    i = start + int(np.argmin(g[start:]))
    return float(r[i]), float(g[i])
