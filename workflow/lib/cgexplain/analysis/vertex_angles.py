"""First-shell vertex angles of the 3-body relevance: the study's second angle definition.

Fig. 3 (:func:`cgexplain.analysis.relevance.triplet_map`) bins each triplet once, by its
largest angle and the edge opposite it. The study's second view (Bonneau et al., Nat.
Commun. 2025) bins by the angle at a vertex whose two edges both lie in the first
coordination shell: every 3-body walk gives one entry per such vertex of its triangle
(0-3 entries), the angle at that vertex (law of cosines) weighted by the walk's
normalised relevance, and a bin's value is the mean over its entries, i.e. the mean
relevance per walk.

Equivalence with the summed tables. A triplet row holds the sum ``relevance_norm`` = Σ_w
r_w over its ``n_walks`` walks w, which all share the row's triangle (same frame, same
beads). A bin B that holds the vertex entries E of the rows thus holds, walk by walk,
Σ_{e∈E} n_walks(e) entries with values summing to Σ_{e∈E} relevance_norm(e), so the
per-walk mean is

    mean(B) = Σ_{e∈E} relevance_norm(e) / Σ_{e∈E} n_walks(e),

the same number as expanding each row into its walks (a walk's own relevance is not
needed, only the sum). ``count`` below is the number of vertex entries of rows (triplet
vertices); ``n_walks`` the number of per-walk entries.

The shell edge r_shell is the first minimum of the reference g(r)
(:func:`cgexplain.analysis.rdf.first_minimum`) unless configured
(``structure.shell_cutoff``). Lengths in Å, angles in degrees, relevance in the
arbitrary units of ``relevance_norm`` (negative = stabilising).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cgexplain import columns as col

__all__ = [
    "PROFILE_BINS",
    "SHORT_EDGE_FRACTION",
    "SHORT_EDGE_RESOLUTION",
    "WINDOWS",
    "angle_bin_index",
    "shell_cutoff",
    "short_edge_bins",
    "short_edge_from_histogram",
    "short_edge_mean",
    "vertex_angle_entries",
    "vertex_angle_map",
    "vertex_angle_of_min",
    "vertex_angle_profile",
    "window_mean",
]

#: bins of the vertex-angle profile over [0°, 180°]: 5° wide, so that the [50°, 60°]
#: window of the claim is exactly two bins
PROFILE_BINS = 36
#: angle windows (degrees, both ends included) whose per-walk means are reported:
#: the study's stabilising window and a comparison window
WINDOWS = {"vertex_mean_50_60": (50.0, 60.0), "vertex_mean_100_120": (100.0, 120.0)}
#: fraction of the triplets, by shortest edge, that count as short-edge triplets
SHORT_EDGE_FRACTION = 0.05
#: grid (Å) on which the short-edge threshold is placed
SHORT_EDGE_RESOLUTION = 0.005

#: (vertex, its two adjacent sides, the opposite side) of a triplet i < j < k
_VERTICES = (
    (0, col.D_IJ, col.D_IK, col.D_JK),  # at bead i
    (1, col.D_IJ, col.D_JK, col.D_IK),  # at bead j
    (2, col.D_IK, col.D_JK, col.D_IJ),  # at bead k
)


def shell_cutoff(rdf: pd.DataFrame | None, configured: float | None = None) -> float:
    """First-shell edge r_shell (Å): ``configured`` if given, else the first minimum of
    the reference g(r) (:func:`cgexplain.analysis.rdf.first_minimum`)."""
    if configured is not None:
        return float(configured)
    if rdf is None:
        raise ValueError("no shell cutoff configured and no reference RDF to find one")
    from cgexplain.analysis.rdf import first_minimum

    return first_minimum(rdf)[0]


def vertex_angle_entries(triplets: pd.DataFrame, r_shell: float) -> pd.DataFrame:
    """One row per (triplet, vertex) whose two adjacent edges are both < ``r_shell``.

    Args:
        triplets: (n,) triplet table with ``frame``, ``d_ij``, ``d_ik``, ``d_jk`` (Å),
            ``relevance_norm`` (sum over the triplet's walks) and ``n_walks``.
        r_shell: first-shell edge, Å (strict: an edge equal to it is outside).

    Returns:
        (m,) table, 0 <= m <= 3 n, rows in input order, vertex i, j, k within a row:
        ``frame``; ``vertex`` (0, 1, 2 = bead i, j, k); ``angle_deg``, the angle at the
        vertex, arccos((a² + b² - c²) / (2ab)) for adjacent sides a, b and opposite side
        c, in [0, 180]; ``opposite_edge`` = c; ``adjacent_short`` <= ``adjacent_long``
        = the sides a, b (Å); ``relevance_norm`` and ``n_walks`` of the triplet.
    """
    n = len(triplets)
    sides = {name: triplets[name].to_numpy(dtype=float) for name in col.TRIANGLE_SIDES}
    rel = triplets[col.RELEVANCE_NORM].to_numpy(dtype=float)
    walks = triplets[col.N_WALKS].to_numpy(dtype=float)
    frame = triplets[col.FRAME].to_numpy()
    parts = []
    for vertex, side_a, side_b, side_c in _VERTICES:
        a, b, c = sides[side_a], sides[side_b], sides[side_c]
        keep = (a < r_shell) & (b < r_shell)
        a, b, c = a[keep], b[keep], c[keep]
        with np.errstate(invalid="ignore", divide="ignore"):
            cos = (a**2 + b**2 - c**2) / (2.0 * a * b)
        parts.append(
            pd.DataFrame(
                {
                    "row": np.flatnonzero(keep),
                    col.FRAME: frame[keep],
                    col.VERTEX: vertex,
                    col.VERTEX_ANGLE: np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))),
                    col.OPPOSITE_EDGE: c,
                    col.ADJACENT_SHORT: np.minimum(a, b),
                    col.ADJACENT_LONG: np.maximum(a, b),
                    col.RELEVANCE_NORM: rel[keep],
                    col.N_WALKS: walks[keep],
                }
            )
        )
    out = pd.concat(parts, ignore_index=True) if n else parts[0]
    out = out.sort_values(["row", col.VERTEX], kind="stable").drop(columns="row")
    return out.reset_index(drop=True)[list(col.VERTEX_ENTRY_COLUMNS)]


def angle_bin_index(angles: np.ndarray, n_bins: int) -> np.ndarray:
    """Bin of each angle on ``n_bins`` equal bins of [0°, 180°]: [lo, hi), the last bin
    closed (a straight angle, 180°, is in it); -1 outside or NaN."""
    edges = np.linspace(0.0, 180.0, n_bins + 1)
    angles = np.asarray(angles, dtype=float)
    index = np.searchsorted(edges, angles, side="right") - 1
    index = np.where(angles == 180.0, n_bins - 1, index)
    return np.where((index >= 0) & (index < n_bins) & np.isfinite(angles), index, -1)


def _per_walk(
    index: np.ndarray, rel: np.ndarray, walks: np.ndarray, n_bins: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-walk mean Σ rel / Σ walks, entry count and walk count per bin (-1: dropped)."""
    keep = (index >= 0) & np.isfinite(rel)
    total = np.bincount(index[keep], weights=rel[keep], minlength=n_bins)
    n_walks = np.bincount(index[keep], weights=walks[keep], minlength=n_bins)
    count = np.bincount(index[keep], minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n_walks > 0, total / n_walks, np.nan)
    return mean, count, n_walks


def vertex_angle_map(
    entries: pd.DataFrame, angle_bins: int, edge_bins: int, edge_max: float
) -> pd.DataFrame:
    """Mean relevance per walk over (vertex angle, opposite edge) bins.

    Args:
        entries: :func:`vertex_angle_entries` table.
        angle_bins: bins of the vertex angle over [0°, 180°] (:func:`angle_bin_index`).
        edge_bins, edge_max: bins of the opposite edge over [0, edge_max) Å.

    Returns:
        ``angle_bins * edge_bins`` rows, x-major as
        :func:`~cgexplain.analysis.relevance.triplet_map`: ``x`` (angle bin centre,
        deg), ``y`` (edge bin centre, Å), ``mean`` (per walk, NaN where empty),
        ``count`` (vertex entries).
    """
    ix = angle_bin_index(entries[col.VERTEX_ANGLE].to_numpy(), angle_bins)
    y_edges = np.linspace(0.0, edge_max, edge_bins + 1)
    iy = np.searchsorted(y_edges, entries[col.OPPOSITE_EDGE].to_numpy(dtype=float), "right") - 1
    ok = (ix >= 0) & (iy >= 0) & (iy < edge_bins)
    flat = np.where(ok, ix * edge_bins + iy, -1)
    mean, count, _ = _per_walk(
        flat,
        entries[col.RELEVANCE_NORM].to_numpy(dtype=float),
        entries[col.N_WALKS].to_numpy(dtype=float),
        angle_bins * edge_bins,
    )
    x_edges = np.linspace(0.0, 180.0, angle_bins + 1)
    xc = 0.5 * (x_edges[:-1] + x_edges[1:])
    yc = 0.5 * (y_edges[:-1] + y_edges[1:])
    return pd.DataFrame(
        {
            col.X: np.repeat(xc, edge_bins),
            col.Y: np.tile(yc, angle_bins),
            col.MEAN: mean,
            col.COUNT: count,
        }
    )


def vertex_angle_profile(entries: pd.DataFrame, angle_bins: int = PROFILE_BINS) -> pd.DataFrame:
    """Mean relevance per walk versus the first-shell vertex angle.

    Args:
        entries: :func:`vertex_angle_entries` table.
        angle_bins: bins over [0°, 180°] (:func:`angle_bin_index`).

    Returns:
        ``angle_bins`` rows: ``lower``, ``upper``, ``center`` (deg), ``mean`` (per walk,
        NaN where empty), ``count`` (vertex entries), ``n_walks`` (walks).
    """
    edges = np.linspace(0.0, 180.0, angle_bins + 1)
    mean, count, n_walks = _per_walk(
        angle_bin_index(entries[col.VERTEX_ANGLE].to_numpy(), angle_bins),
        entries[col.RELEVANCE_NORM].to_numpy(dtype=float),
        entries[col.N_WALKS].to_numpy(dtype=float),
        angle_bins,
    )
    return pd.DataFrame(
        {
            col.LOWER: edges[:-1],
            col.UPPER: edges[1:],
            col.CENTER: 0.5 * (edges[:-1] + edges[1:]),
            col.MEAN: mean,
            col.COUNT: count,
            col.N_WALKS: n_walks,
        }
    )


def vertex_angle_of_min(
    centers: np.ndarray, mean: np.ndarray, count: np.ndarray, min_count: int
) -> float:
    """Centre (deg) of the most negative profile bin among bins with at least
    ``min_count`` entries; NaN when none of them is negative (nothing stabilises)."""
    mean = np.asarray(mean, dtype=float)
    ok = (np.asarray(count) >= min_count) & np.isfinite(mean)
    if not ok.any() or mean[ok].min() >= 0:
        return float("nan")
    return float(np.asarray(centers)[ok][np.argmin(mean[ok])])


def window_mean(entries: pd.DataFrame, low: float, high: float) -> float:
    """Mean relevance per walk over the entries with ``low <= angle <= high`` (deg);
    NaN without entries."""
    angle = entries[col.VERTEX_ANGLE].to_numpy(dtype=float)
    sel = (angle >= low) & (angle <= high)
    walks = entries[col.N_WALKS].to_numpy(dtype=float)[sel].sum()
    rel = entries[col.RELEVANCE_NORM].to_numpy(dtype=float)[sel].sum()
    return float(rel / walks) if walks > 0 else float("nan")


def short_edge_bins(
    triplets: pd.DataFrame, resolution: float = SHORT_EDGE_RESOLUTION
) -> np.ndarray:
    """(n,) grid index floor(s / resolution) of each triplet's shortest edge s (Å)."""
    sides = triplets[list(col.TRIANGLE_SIDES)].to_numpy(dtype=float)
    return np.floor(sides.min(axis=1) / resolution).astype(np.int64)


def short_edge_from_histogram(
    count: np.ndarray,
    rel: np.ndarray,
    walks: np.ndarray,
    fraction: float = SHORT_EDGE_FRACTION,
    resolution: float = SHORT_EDGE_RESOLUTION,
) -> tuple[float, float]:
    """Short-edge mean and threshold from per-grid-bin sums (see :func:`short_edge_mean`).

    Args:
        count, rel, walks: (n_grid,) triplets, Σ relevance_norm and Σ n_walks per bin of
            the shortest edge (bin g = [g, g + 1) · resolution).

    Returns:
        ``(mean per walk, threshold Å)``; NaN, NaN without triplets.
    """
    total = count.sum()
    if total <= 0:
        return float("nan"), float("nan")
    k = int(np.argmax(np.cumsum(count) >= fraction * total))
    walks_in = walks[: k + 1].sum()
    mean = rel[: k + 1].sum() / walks_in if walks_in > 0 else float("nan")
    return float(mean), float((k + 1) * resolution)


def short_edge_mean(
    triplets: pd.DataFrame,
    fraction: float = SHORT_EDGE_FRACTION,
    resolution: float = SHORT_EDGE_RESOLUTION,
) -> tuple[float, float]:
    """Mean relevance per walk of the triplets with the shortest shortest edges.

    Definition: s = min(d_ij, d_ik, d_jk) of every triplet row of the run (all frames
    pooled, each row once whatever its walks). The threshold t is the smallest multiple
    of ``resolution`` with at least ``fraction`` of the rows having s < t (exactly: the
    upper edge of the first grid bin [g, g+1)·resolution at which the cumulative row
    count reaches ``fraction`` of all rows). The short-edge mean is Σ relevance_norm /
    Σ n_walks over the rows with s < t (per walk, as the module docstring). Positive =
    destabilising.

    Returns:
        ``(mean per walk, t in Å)``; NaN, NaN without triplets.
    """
    if len(triplets) == 0:
        return float("nan"), float("nan")
    g = short_edge_bins(triplets, resolution)
    n = int(g.max()) + 1
    return short_edge_from_histogram(
        np.bincount(g, minlength=n).astype(float),
        np.bincount(g, weights=triplets[col.RELEVANCE_NORM].to_numpy(dtype=float), minlength=n),
        np.bincount(g, weights=triplets[col.N_WALKS].to_numpy(dtype=float), minlength=n),
        fraction,
        resolution,
    )
