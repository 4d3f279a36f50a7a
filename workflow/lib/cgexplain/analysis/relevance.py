"""Normalisation, binning and agreement measures of GNN-LRP n-body relevance tables.

Input tables are the per-frame outputs of :func:`cgexplain.nbody_relevance` stacked with a
``frame`` column: pairs (``i, j, relevance, n_walks, distance``) and triplets
(``i, j, k, relevance, n_walks, d_ij, d_ik, d_jk, max_angle``), relevance in kcal/mol,
lengths in Å, angles in degrees.

Normalisation as published (Bonneau et al., Nat. Commun. 2025): in each frame every
contribution is divided by ``|sum of all walk relevances / number of walks|``, the
magnitude of the mean relevance per walk of that frame, so that relevance is in
arbitrary units comparable across frames and models. Negative = stabilising.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cgexplain import columns as col
from cgexplain.io import InputError

__all__ = [
    "adjacent_edge_maps",
    "agreement_table",
    "binned_map",
    "binned_mean",
    "frame_normalizers",
    "normalize_contributions",
    "pair_histogram",
    "pair_profile",
    "profile_correlation",
    "relevance_ratio",
    "triangle_edges",
    "triplet_map",
    "well_position",
]

#: angle windows (degrees) of the adjacent-edge maps
ANGLE_WINDOWS = ((60.0, 80.0), (80.0, 110.0), (110.0, 180.0))


def frame_normalizers(frames: pd.DataFrame) -> pd.Series:
    """Per-frame normaliser ``|total / n_walks_total|``.

    Args:
        frames: one row per frame with ``frame``, ``total`` (sum of all walk relevances)
            and ``n_walks_total`` (number of all walks).

    Returns:
        Series indexed by ``frame``.

    Raises:
        InputError: a frame without walks, or whose normaliser is zero or not finite.
    """
    missing = {col.FRAME, col.TOTAL, col.N_WALKS_TOTAL} - set(frames.columns)
    if missing:
        raise InputError(f"frame table lacks columns {sorted(missing)}")
    norm = (frames[col.TOTAL] / frames[col.N_WALKS_TOTAL]).abs()
    bad = ~np.isfinite(norm) | (norm <= 0)
    if bad.any():
        raise InputError(
            f"frames {frames.loc[bad, 'frame'].tolist()} have no usable normaliser "
            "(no walks, zero or non-finite total relevance)"
        )
    return pd.Series(norm.to_numpy(), index=frames[col.FRAME].to_numpy(), name="normalizer")


def normalize_contributions(table: pd.DataFrame, frames: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``table`` with ``relevance_norm`` = relevance / normaliser of its frame.

    Also adds ``relevance_per_walk`` = ``relevance_norm / n_walks`` (the mean normalised
    relevance of the walks of that bead set).
    """
    norm = frame_normalizers(frames)
    unknown = set(table[col.FRAME].unique()) - set(norm.index)
    if unknown:
        raise InputError(
            f"contributions of frames {sorted(int(f) for f in unknown)} have no frame entry"
        )
    out = table.copy()
    out[col.RELEVANCE_NORM] = out[col.RELEVANCE].to_numpy() / norm.loc[out[col.FRAME]].to_numpy()
    out[col.RELEVANCE_PER_WALK] = out[col.RELEVANCE_NORM] / out[col.N_WALKS]
    return out


def binned_mean(x: np.ndarray, values: np.ndarray, edges: np.ndarray) -> pd.DataFrame:
    """Mean, standard deviation and count of ``values`` in bins of ``x``.

    Args:
        x: (n,) bin coordinate; values: (n,) quantity; edges: (n_bins + 1,) bin edges.
            Entries outside ``[edges[0], edges[-1])`` are dropped.

    Returns:
        One row per bin: ``lower``, ``upper``, ``center``, ``mean``, ``std`` (population,
        ddof 0), ``count``; mean and std are NaN in empty bins.
    """
    x = np.asarray(x, dtype=float)
    values = np.asarray(values, dtype=float)
    edges = np.asarray(edges, dtype=float)
    n_bins = edges.size - 1
    index = np.searchsorted(edges, x, side="right") - 1
    keep = (index >= 0) & (index < n_bins) & np.isfinite(values)
    index, values = index[keep], values[keep]
    count = np.bincount(index, minlength=n_bins)
    total = np.bincount(index, weights=values, minlength=n_bins)
    square = np.bincount(index, weights=values**2, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / count, np.nan)
        var = np.where(count > 0, square / count - mean**2, np.nan)
    return pd.DataFrame(
        {
            col.LOWER: edges[:-1],
            col.UPPER: edges[1:],
            col.CENTER: 0.5 * (edges[:-1] + edges[1:]),
            col.MEAN: mean,
            col.STD: np.sqrt(np.clip(var, 0.0, None)),
            col.COUNT: count,
        }
    )


def binned_map(
    x: np.ndarray,
    y: np.ndarray,
    values: np.ndarray,
    x_edges: np.ndarray,
    y_edges: np.ndarray,
) -> pd.DataFrame:
    """Mean and count of ``values`` on a 2-D grid of (x, y) bins, as a long table.

    Returns:
        ``n_x * n_y`` rows (x-major): ``x``, ``y`` (bin centres), ``mean`` (NaN where
        empty), ``count``.
    """
    x_edges = np.asarray(x_edges, dtype=float)
    y_edges = np.asarray(y_edges, dtype=float)
    nx, ny = x_edges.size - 1, y_edges.size - 1
    ix = np.searchsorted(x_edges, np.asarray(x, dtype=float), side="right") - 1
    iy = np.searchsorted(y_edges, np.asarray(y, dtype=float), side="right") - 1
    values = np.asarray(values, dtype=float)
    keep = (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny) & np.isfinite(values)
    flat = ix[keep] * ny + iy[keep]
    count = np.bincount(flat, minlength=nx * ny)
    total = np.bincount(flat, weights=values[keep], minlength=nx * ny)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / count, np.nan)
    xc = 0.5 * (x_edges[:-1] + x_edges[1:])
    yc = 0.5 * (y_edges[:-1] + y_edges[1:])
    return pd.DataFrame(
        {col.X: np.repeat(xc, ny), col.Y: np.tile(yc, nx), col.MEAN: mean, col.COUNT: count}
    )


def pair_profile(
    pairs: pd.DataFrame, r_max: float, n_bins: int = 75, value: str = col.RELEVANCE_NORM
) -> pd.DataFrame:
    """Mean and spread of the 2-body contribution versus distance (Fig. 2).

    Args:
        pairs: pair table with ``distance`` (Å) and ``value``.
        r_max: upper end of the distance axis, Å (bins start at 0).
        n_bins: number of distance bins (published: 75).
        value: column to average.

    Returns:
        :func:`binned_mean` table.
    """
    edges = np.linspace(0.0, r_max, n_bins + 1)
    return binned_mean(pairs[col.DISTANCE].to_numpy(), pairs[value].to_numpy(), edges)


def triangle_edges(triplets: pd.DataFrame) -> pd.DataFrame:
    """Add ``opposite_edge`` (the longest side, opposite the largest angle) and the two
    edges adjacent to the largest angle, ``adjacent_short`` <= ``adjacent_long`` (Å)."""
    sides = np.sort(triplets[list(col.TRIANGLE_SIDES)].to_numpy(dtype=float), axis=1)
    out = triplets.copy()
    out[col.ADJACENT_SHORT] = sides[:, 0]
    out[col.ADJACENT_LONG] = sides[:, 1]
    out[col.OPPOSITE_EDGE] = sides[:, 2]
    return out


def triplet_map(
    triplets: pd.DataFrame,
    edge_max: float,
    angle_bins: int = 50,
    edge_bins: int = 50,
    value: str = col.RELEVANCE_NORM,
) -> pd.DataFrame:
    """Mean 3-body contribution over (largest angle, opposite edge) bins (Fig. 3).

    Args:
        triplets: triplet table (connected triples only, as the relevance tables are).
        edge_max: upper end of the opposite-edge axis, Å (from 0).
        angle_bins, edge_bins: grid size (published: 50 x 50); angles 60-180 degrees
            (the largest angle of a triangle is at least 60 degrees).
        value: column to average.

    Returns:
        :func:`binned_map` table with ``x`` = largest angle (deg), ``y`` = opposite edge (Å).
    """
    tri = triangle_edges(triplets)
    return binned_map(
        tri[col.MAX_ANGLE].to_numpy(),
        tri[col.OPPOSITE_EDGE].to_numpy(),
        tri[value].to_numpy(),
        np.linspace(60.0, 180.0, angle_bins + 1),
        np.linspace(0.0, edge_max, edge_bins + 1),
    )


def adjacent_edge_maps(
    triplets: pd.DataFrame,
    edge_max: float,
    edge_bins: int = 50,
    windows: tuple[tuple[float, float], ...] = ANGLE_WINDOWS,
    value: str = col.RELEVANCE_NORM,
) -> pd.DataFrame:
    """Mean 3-body contribution over the two edges adjacent to the largest angle, in
    windows of the largest angle (supplementary view).

    Returns:
        Stacked :func:`binned_map` tables with ``x`` = shorter, ``y`` = longer adjacent
        edge (Å) and columns ``angle_low``, ``angle_high`` (deg) naming the window.
    """
    tri = triangle_edges(triplets)
    edges = np.linspace(0.0, edge_max, edge_bins + 1)
    maps = []
    for low, high in windows:
        sel = (tri[col.MAX_ANGLE] >= low) & (tri[col.MAX_ANGLE] < high)
        part = tri[sel]
        table = binned_map(
            part[col.ADJACENT_SHORT].to_numpy(),
            part[col.ADJACENT_LONG].to_numpy(),
            part[value].to_numpy(),
            edges,
            edges,
        )
        maps.append(table.assign(angle_low=low, angle_high=high))
    return pd.concat(maps, ignore_index=True)


def pair_histogram(
    pairs: pd.DataFrame,
    r_max: float,
    n_r_bins: int = 75,
    n_value_bins: int = 60,
    value: str = col.RELEVANCE_NORM,
    quantile: float = 0.995,
) -> pd.DataFrame:
    """2-D histogram of single 2-body contributions versus distance (supplementary view).

    The value axis spans the central ``quantile`` of the data, symmetric about zero.

    Returns:
        Long table ``x`` (distance, Å), ``y`` (value), ``count``.
    """
    values = pairs[value].to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    span = float(np.quantile(np.abs(finite), quantile)) if finite.size else 1.0
    span = span if span > 0 else 1.0
    r_edges = np.linspace(0.0, r_max, n_r_bins + 1)
    v_edges = np.linspace(-span, span, n_value_bins + 1)
    table = binned_map(pairs[col.DISTANCE].to_numpy(), values, values, r_edges, v_edges)
    return table[[col.X, col.Y, col.COUNT]]


def profile_correlation(
    a: pd.DataFrame, b: pd.DataFrame, on: list[str], min_count: int = 5
) -> float:
    """Pearson correlation of two binned mean curves or maps over their common support.

    Args:
        a, b: binned tables (``mean``, ``count`` and the bin-centre columns ``on``) on the
            same grid.
        on: bin-centre columns, e.g. ``["center"]`` or ``["x", "y"]``.
        min_count: bins with fewer entries in either table are left out.

    Returns:
        Correlation coefficient, NaN with fewer than 3 common bins or a constant curve.
    """
    merged = a[[*on, col.MEAN, col.COUNT]].merge(
        b[[*on, col.MEAN, col.COUNT]], on=on, suffixes=("_a", "_b"), validate="one_to_one"
    )
    if len(merged) != len(a) or len(merged) != len(b):
        raise InputError("profiles to correlate are not on the same grid")
    keep = (
        (merged[f"{col.COUNT}_a"] >= min_count)
        & (merged[f"{col.COUNT}_b"] >= min_count)
        & np.isfinite(merged[f"{col.MEAN}_a"])
        & np.isfinite(merged[f"{col.MEAN}_b"])
    )
    if keep.sum() < 3:
        return float("nan")
    x = merged.loc[keep, f"{col.MEAN}_a"].to_numpy()
    y = merged.loc[keep, f"{col.MEAN}_b"].to_numpy()
    if np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def well_minimum(centers: np.ndarray, mean: np.ndarray, ok: np.ndarray) -> float:
    """Position (Å) of the minimum of a binned profile, refined within its bin.

    The deepest usable bin k (``ok``) is refined by the vertex of the parabola through
    bins k-1, k, k+1 (three-point interpolation on an even grid of spacing h):
    x* = x_k + h (y_{k-1} - y_{k+1}) / (2 (y_{k-1} - 2 y_k + y_{k+1})), clipped to the
    bin. Without two usable neighbours the bin centre is returned. The refinement keeps
    a bootstrap interval of the position from being one bin wide or nothing.

    Args:
        centers: (n,) bin centres, evenly spaced, Å.
        mean: (n,) profile values.
        ok: (n,) bins that may hold the minimum.

    Returns:
        The position, NaN when no usable bin is negative.
    """
    ok = np.asarray(ok, dtype=bool) & np.isfinite(mean)
    if not ok.any() or mean[ok].min() >= 0:
        return float("nan")
    k = int(np.flatnonzero(ok)[np.argmin(mean[ok])])
    if k == 0 or k == len(mean) - 1 or not (ok[k - 1] and ok[k + 1]):
        return float(centers[k])
    h = float(centers[k + 1] - centers[k])
    a, b, c = mean[k - 1], mean[k], mean[k + 1]
    curvature = a - 2.0 * b + c
    if curvature <= 0:  # b is the lowest of the three, so this is a flat stretch
        return float(centers[k])
    shift = 0.5 * h * (a - c) / curvature
    return float(centers[k] + np.clip(shift, -0.5 * h, 0.5 * h))


def well_position(profile: pd.DataFrame, min_count: int = 5) -> float:
    """Distance (Å) of the most stabilising (most negative) point of a 2-body profile,
    refined within its bin (:func:`well_minimum`).

    Bins with fewer than ``min_count`` entries are ignored; NaN when no bin is negative.
    """
    mean = profile[col.MEAN].to_numpy(dtype=float)
    ok = (profile[col.COUNT] >= min_count).to_numpy() & np.isfinite(mean)
    return well_minimum(profile[col.CENTER].to_numpy(dtype=float), mean, ok)


def relevance_ratio(
    pairs: pd.DataFrame, triplets: pd.DataFrame, value: str = col.RELEVANCE_NORM
) -> float:
    """Mean |3-body| over mean |2-body| contribution (NaN without pairs)."""
    two = np.abs(pairs[value].to_numpy(dtype=float))
    three = np.abs(triplets[value].to_numpy(dtype=float))
    if two.size == 0 or two.mean() == 0:
        return float("nan")
    return float(three.mean() / two.mean()) if three.size else 0.0


def agreement_table(
    runs: dict[tuple[str, str], tuple[pd.DataFrame, pd.DataFrame, dict]],
    reference_rdfs: dict[str, pd.DataFrame],
    min_count: int = 5,
    pair_potentials: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Numbers for what the published figures show by eye.

    Args:
        runs: ``(system, model) -> (pair profile, triplet map, summary)``, the summary
            holding ``ratio_3body_2body`` and ``well_position``.
        reference_rdfs: system -> reference RDF table (``r``, ``g``).
        min_count: bins with fewer entries are left out of correlations.
        pair_potentials: system -> IMC pair potential (``r`` Å, ``energy`` kcal/mol,
            ``sampled``), optional.

    Returns:
        Long table ``system``, ``quantity``, ``model``, ``value``. Per (system, model):
        ``ratio_3body_2body``, ``well_position`` (Å), ``rdf_first_peak`` (Å),
        ``well_minus_rdf_peak`` (Å). Per system and model pair a < b (alphabetical;
        ``model`` = ``"a,b"``): ``corr_2body_a_b`` and ``corr_3body_a_b``, Pearson
        correlations of the binned means over bins both runs populate. Per (system,
        model) of a system with a pair potential: ``corr_imc_2body``, the Pearson
        correlation of U_IMC(r) with the mean 2-body relevance over the populated bins
        in the potential's sampled range
        (:func:`cgexplain.analysis.pair_potential.relevance_correlation`).
    """
    from cgexplain.analysis.pair_potential import relevance_correlation
    from cgexplain.analysis.rdf import first_peak

    rows = []
    for (system, model), (profile, _, summary) in sorted(runs.items()):
        peak = first_peak(reference_rdfs[system])[0] if system in reference_rdfs else np.nan
        well = summary.get("well_position", np.nan)
        well = np.nan if well is None else well
        for quantity, value in (
            ("ratio_3body_2body", summary["ratio_3body_2body"]),
            ("well_position", well),
            ("rdf_first_peak", peak),
            ("well_minus_rdf_peak", well - peak),
            *(
                [
                    (
                        "corr_imc_2body",
                        relevance_correlation(pair_potentials[system], profile, min_count),
                    )
                ]
                if pair_potentials and system in pair_potentials
                else []
            ),
        ):
            rows.append(
                {col.SYSTEM: system, col.QUANTITY: quantity, col.MODEL: model, col.VALUE: value}
            )
    systems = sorted({system for system, _ in runs})
    for system in systems:
        models = sorted(model for s, model in runs if s == system)
        for n, a in enumerate(models):
            for b in models[n + 1 :]:
                pa, ma, _ = runs[system, a]
                pb, mb, _ = runs[system, b]
                for quantity, value in (
                    (f"corr_2body_{a}_{b}", profile_correlation(pa, pb, [col.CENTER], min_count)),
                    (
                        f"corr_3body_{a}_{b}",
                        profile_correlation(ma, mb, [col.X, col.Y], min_count),
                    ),
                ):
                    rows.append(
                        {
                            col.SYSTEM: system,
                            col.QUANTITY: quantity,
                            col.MODEL: f"{a},{b}",
                            col.VALUE: value,
                        }
                    )
    return pd.DataFrame(rows, columns=[col.SYSTEM, col.QUANTITY, col.MODEL, col.VALUE])
