"""Training-data artifacts: strong 3-body relevance where the training data are thin.

Bonneau et al., Nat. Commun. (2025), Supplementary Section S5.2 and Fig. S10: GNN-LRP
exposed large stabilising 3-body contributions of a PaiNN methane model at short
opposite edges, in triplet geometries that are rare in the training data, i.e. where
the model extrapolates rather than reproduces a physical interaction. This module finds
such bins by combining two tables over the same (largest angle, opposite edge) grid:

* the binned 3-body relevance map of :func:`cgexplain.analysis.relevance.triplet_map`
  (``x`` = largest angle, deg; ``y`` = opposite edge, Å; ``mean`` relevance, arbitrary
  units, negative = stabilising; ``count`` of triplet contributions), and
* the training-data triplet density on exactly that grid, from the mapped reference
  trajectory (:func:`training_triplet_density`) or from a structure-stage
  :func:`cgexplain.analysis.triplets.triplet_histogram` with the same bins
  (:func:`histogram_on_map_grid`).

Bins are half-open, ``[low, high)``, as in :func:`cgexplain.analysis.relevance.binned_map`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cgexplain import columns as col
from cgexplain.analysis.relevance import binned_map
from cgexplain.analysis.triplets import triplet_table

__all__ = [
    "ARTIFACT_COLUMNS",
    "TRAINING_DENSITY_COLUMNS",
    "bin_training_triplets",
    "check_same_grid",
    "find_artifacts",
    "histogram_on_map_grid",
    "map_grid",
    "training_triplet_density",
]

#: lower and upper bounds of the largest-angle bin, degrees (same names as the
#: adjacent-edge maps' angle windows)
ANGLE_LOW, ANGLE_HIGH = col.ANGLE_LOW, col.ANGLE_HIGH
#: lower and upper bounds of the opposite-edge bin, Å
EDGE_LOW, EDGE_HIGH = "edge_low", "edge_high"
#: training triplets in the bin: summed over the frames of a trajectory, or per frame
#: when taken from a structure histogram (:func:`find_artifacts` uses only whether > 0)
TRAINING_COUNT = "training_count"
#: probability density of the training triplets over the grid, 1/(deg Å)
TRAINING_DENSITY = "training_density"
#: training density / median training density of the populated training bins
DENSITY_RATIO = "density_ratio"
#: "stabilising" (mean relevance < 0), "destabilising" (> 0) or "neutral" (= 0)
SIGN = "sign"
STABILISING, DESTABILISING, NEUTRAL = "stabilising", "destabilising", "neutral"

#: training density table on a relevance map's grid (x-major, as the map)
TRAINING_DENSITY_COLUMNS = (col.X, col.Y, TRAINING_COUNT, TRAINING_DENSITY)
#: table returned by :func:`find_artifacts`
ARTIFACT_COLUMNS = (
    ANGLE_LOW, ANGLE_HIGH, col.X, EDGE_LOW, EDGE_HIGH, col.Y, col.MEAN, col.COUNT,
    TRAINING_COUNT, TRAINING_DENSITY, DENSITY_RATIO, SIGN,
)  # fmt: skip


def _axis_edges(centres: np.ndarray, name: str) -> np.ndarray:
    """(n + 1,) edges of a uniform axis from its (n,) sorted unique bin centres."""
    n = centres.size
    if n < 2:
        raise ValueError(f"grid axis {name!r} has {n} bin(s); at least 2 are needed")
    step = (centres[-1] - centres[0]) / (n - 1)
    if step <= 0 or not np.allclose(np.diff(centres), step, rtol=1e-6, atol=0.0):
        raise ValueError(f"grid axis {name!r} is not uniform: centres {centres}")
    return np.linspace(centres[0] - step / 2, centres[-1] + step / 2, n + 1)


def map_grid(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Bin edges of a complete, uniform 2-D grid given by its bin centres ``x``, ``y``.

    Args:
        table: long table with one row per bin (e.g. a relevance map), columns ``x``
            (largest angle, deg) and ``y`` (opposite edge, Å).

    Returns:
        ``(x_edges, y_edges)``, shapes (n_x + 1,) and (n_y + 1,). For a map of
        :func:`cgexplain.analysis.relevance.triplet_map` these are its
        ``linspace(60, 180, n_x + 1)`` and ``linspace(0, edge_max, n_y + 1)``.

    Raises:
        ValueError: when the rows are not exactly one per cell of a uniform grid.
    """
    x = table[col.X].to_numpy(dtype=float)
    y = table[col.Y].to_numpy(dtype=float)
    xc, yc = np.unique(x), np.unique(y)
    x_edges, y_edges = _axis_edges(xc, col.X), _axis_edges(yc, col.Y)
    cells = pd.MultiIndex.from_arrays([x, y])
    if len(table) != xc.size * yc.size or cells.has_duplicates:
        raise ValueError(
            f"table is not a complete grid: {len(table)} rows for {xc.size} x {yc.size} bins"
        )
    return x_edges, y_edges


def check_same_grid(first: pd.DataFrame, second: pd.DataFrame) -> None:
    """Raise ValueError unless both tables cover the same (x, y) bins.

    Centres are compared after sorting by (x, y), to within 1e-6 of the bin widths.
    """
    fx, fy = map_grid(first)
    sx, sy = map_grid(second)
    for name, a, b in ((col.X, fx, sx), (col.Y, fy, sy)):
        if a.size != b.size or not np.allclose(a, b, rtol=0.0, atol=1e-6 * np.diff(a).min()):
            raise ValueError(
                f"grids differ along {name!r}: {a.size - 1} bins over [{a[0]:g}, {a[-1]:g}] "
                f"against {b.size - 1} bins over [{b[0]:g}, {b[-1]:g}]"
            )


def _density_table(counts: pd.DataFrame, x_edges: np.ndarray, y_edges: np.ndarray) -> pd.DataFrame:
    """Training table from a table of bin centres ``x, y`` and ``count`` on a uniform grid."""
    count = counts[col.COUNT].to_numpy(dtype=float)
    total = count.sum()
    area = np.diff(x_edges)[0] * np.diff(y_edges)[0]  # uniform grid
    density = count / (total * area) if total > 0 else np.zeros_like(count)
    return pd.DataFrame(
        {
            col.X: counts[col.X].to_numpy(),
            col.Y: counts[col.Y].to_numpy(),
            TRAINING_COUNT: count,
            TRAINING_DENSITY: density,
        }
    )


def bin_training_triplets(
    max_angle: np.ndarray, opposite_edge: np.ndarray, relevance_map: pd.DataFrame
) -> pd.DataFrame:
    """Histogram of training triplets on exactly the grid of ``relevance_map``.

    Args:
        max_angle: (m,) largest interior angle of each training triplet, deg.
        opposite_edge: (m,) length of the edge opposite to it, Å.
        relevance_map: :func:`cgexplain.analysis.relevance.triplet_map` table; its grid
            (:func:`map_grid`) sets the bins. Triplets outside the grid are dropped.

    Returns:
        Table with :data:`TRAINING_DENSITY_COLUMNS`, row for row on the map's bins:
        ``training_count`` (triplets in the bin) and ``training_density``
        ρ_b = n_b / (N Δθ Δd), 1/(deg Å), with N the triplets inside the grid, so that
        ρ integrates to 1 over the grid.
    """
    x_edges, y_edges = map_grid(relevance_map)
    angle = np.asarray(max_angle, dtype=float)
    counts = binned_map(angle, opposite_edge, np.ones_like(angle), x_edges, y_edges)
    return _aligned(_density_table(counts, x_edges, y_edges), relevance_map)


def training_triplet_density(
    positions: np.ndarray,
    box: np.ndarray | None,
    cutoff: float,
    relevance_map: pd.DataFrame,
) -> pd.DataFrame:
    """Training-data triplet density of a (mapped reference) trajectory on a map's grid.

    Triplets are those connected within ``cutoff`` (:func:`cgexplain.analysis.triplets.
    triplet_table`): pass the model's cutoff so that they are the bead sets the model's
    3-body walks cover.

    Args:
        positions: (n_frames, n, 3) Å.
        box: (n_frames, 3, 3) Å, or None (no periodicity).
        cutoff: connection cutoff, Å (at most half the narrowest box width).
        relevance_map: the map whose grid to use.

    Returns:
        :func:`bin_training_triplets` table over all frames (counts summed over frames).
    """
    x_edges, y_edges = map_grid(relevance_map)
    boxes = [None] * len(positions) if box is None else box
    if len(positions) == 0:
        raise ValueError("no training frames")
    counts = None
    for frame, cell in zip(positions, boxes, strict=True):
        table = triplet_table(frame, cell, cutoff)
        angle = table[col.MAX_ANGLE].to_numpy()
        binned = binned_map(
            angle, table[col.OPPOSITE_EDGE].to_numpy(), np.ones_like(angle), x_edges, y_edges
        )
        if counts is None:
            counts = binned
        else:
            counts[col.COUNT] += binned[col.COUNT].to_numpy()
    return _aligned(_density_table(counts, x_edges, y_edges), relevance_map)


def histogram_on_map_grid(histogram: pd.DataFrame, relevance_map: pd.DataFrame) -> pd.DataFrame:
    """Training table from a structure-stage triplet histogram on the map's grid.

    Args:
        histogram: :func:`cgexplain.analysis.triplets.triplet_histogram` table
            (``angle``, ``edge`` bin centres, ``count`` triplets per frame, ``density``).
        relevance_map: the map to align with.

    Returns:
        :func:`bin_training_triplets`-style table; ``training_count`` is the histogram's
        count (triplets per frame), ``training_density`` its density renormalised over
        the grid (the same density when the grids coincide, as they must).

    Raises:
        ValueError: when the histogram's bins are not the map's bins (e.g. a different
            number of bins, or an edge axis of 2 x structure cutoff against the map's
            ``edge_max``); bin the trajectory with :func:`training_triplet_density` then.
    """
    renamed = histogram.rename(columns={col.ANGLE: col.X, col.EDGE: col.Y})
    check_same_grid(relevance_map, renamed)
    x_edges, y_edges = map_grid(renamed)
    return _aligned(_density_table(renamed, x_edges, y_edges), relevance_map)


def _aligned(training: pd.DataFrame, relevance_map: pd.DataFrame) -> pd.DataFrame:
    """``training`` reordered row for row as ``relevance_map`` (grids already equal)."""
    check_same_grid(relevance_map, training)
    x_edges, y_edges = map_grid(relevance_map)
    ny = y_edges.size - 1

    def flat(table: pd.DataFrame) -> np.ndarray:
        ix = np.searchsorted(x_edges, table[col.X].to_numpy(dtype=float)) - 1
        iy = np.searchsorted(y_edges, table[col.Y].to_numpy(dtype=float)) - 1
        return ix * ny + iy

    by_cell = training.set_index(flat(training))
    out = by_cell.loc[flat(relevance_map)].reset_index(drop=True)
    out[col.X] = relevance_map[col.X].to_numpy()
    out[col.Y] = relevance_map[col.Y].to_numpy()
    return out[list(TRAINING_DENSITY_COLUMNS)]


def find_artifacts(
    relevance_map: pd.DataFrame,
    training_density: pd.DataFrame,
    top_fraction: float = 0.05,
    density_fraction: float = 0.1,
    min_count: int = 10,
) -> pd.DataFrame:
    """Bins of strong 3-body relevance that are rare in the training data.

    Definition (after Bonneau et al., Nat. Commun. 2025, Suppl. S5.2, Fig. S10). Let
    m_b and c_b be the mean relevance and the contribution count of bin b of the map,
    n_b and ρ_b its training count and density. The populated map bins are
    P = {b : c_b >= ``min_count``, m_b finite}; with k = ⌈``top_fraction`` · |P|⌉ and
    |m|_(k) the k-th largest |m_b| over P, and the median training density over the
    populated training bins ρ̃ = median{ρ_b : n_b > 0}, bin b is an artifact when

        b ∈ P,   |m_b| >= |m|_(k)   and   ρ_b < ``density_fraction`` · ρ̃.

    Ties at |m|_(k) are all kept, so more than k bins may pass the first test. Raising
    ``top_fraction`` or ``density_fraction``, or lowering ``min_count``, can only add
    bins. A bin with no training triplet (ρ_b = 0) passes the density test.

    Args:
        relevance_map: :func:`cgexplain.analysis.relevance.triplet_map` table (``x``
            largest angle, deg; ``y`` opposite edge, Å; ``mean``, arbitrary units;
            ``count``).
        training_density: table with :data:`TRAINING_DENSITY_COLUMNS` on the same grid
            (:func:`training_triplet_density`, :func:`bin_training_triplets`,
            :func:`histogram_on_map_grid`); its row order does not matter.
        top_fraction: fraction of the populated bins counted as strongly relevant, (0, 1].
        density_fraction: density threshold relative to the median, > 0.
        min_count: fewest contributions for a map bin to count as populated, >= 1.

    Returns:
        Table with :data:`ARTIFACT_COLUMNS`: bin bounds and centres (deg, Å), ``mean``
        and ``count`` of the map, ``training_count``, ``training_density`` (1/(deg Å)),
        ``density_ratio`` = ρ_b / ρ̃ and ``sign`` ("stabilising" for m_b < 0), sorted by
        |m_b| descending. Empty (same columns) when no bin qualifies.

    Raises:
        ValueError: on thresholds out of range, on grids that differ, or when the
            training table has no populated bin.
    """
    if not 0.0 < top_fraction <= 1.0:
        raise ValueError(f"top_fraction must lie in (0, 1], got {top_fraction}")
    if not density_fraction > 0.0:
        raise ValueError(f"density_fraction must be positive, got {density_fraction}")
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, got {min_count}")
    for name, table, needed in (
        ("relevance map", relevance_map, col.TRIPLET_MAP_COLUMNS),
        ("training density", training_density, TRAINING_DENSITY_COLUMNS),
    ):
        missing = sorted(set(needed) - set(table.columns))
        if missing:
            raise ValueError(f"{name} table lacks columns {missing}")
    training = _aligned(training_density, relevance_map)
    x_edges, y_edges = map_grid(relevance_map)

    mean = relevance_map[col.MEAN].to_numpy(dtype=float)
    count = relevance_map[col.COUNT].to_numpy(dtype=float)
    n_train = training[TRAINING_COUNT].to_numpy(dtype=float)
    rho = training[TRAINING_DENSITY].to_numpy(dtype=float)

    populated_train = n_train > 0
    if not populated_train.any():
        raise ValueError("the training density table has no populated bin")
    rho_median = float(np.median(rho[populated_train]))

    populated = (count >= min_count) & np.isfinite(mean)
    strength = np.abs(mean)
    strong = np.zeros_like(populated)
    if populated.any():
        k = math.ceil(top_fraction * populated.sum())
        threshold = np.sort(strength[populated])[::-1][k - 1]
        strong = populated & (strength >= threshold)
    rare = rho < density_fraction * rho_median
    hit = np.flatnonzero(strong & rare)
    hit = hit[np.argsort(-strength[hit], kind="stable")]

    step_x, step_y = np.diff(x_edges)[0], np.diff(y_edges)[0]
    x = relevance_map[col.X].to_numpy(dtype=float)[hit]
    y = relevance_map[col.Y].to_numpy(dtype=float)[hit]
    m = mean[hit]
    sign = np.where(m < 0, STABILISING, np.where(m > 0, DESTABILISING, NEUTRAL))
    return pd.DataFrame(
        {
            ANGLE_LOW: x - step_x / 2,
            ANGLE_HIGH: x + step_x / 2,
            col.X: x,
            EDGE_LOW: y - step_y / 2,
            EDGE_HIGH: y + step_y / 2,
            col.Y: y,
            col.MEAN: m,
            col.COUNT: relevance_map[col.COUNT].to_numpy()[hit],
            TRAINING_COUNT: n_train[hit],
            TRAINING_DENSITY: rho[hit],
            DENSITY_RATIO: rho[hit] / rho_median,
            SIGN: list(sign),
        },
        columns=list(ARTIFACT_COLUMNS),
    )
