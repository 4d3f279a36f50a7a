"""Block-bootstrap intervals of the relevance curves, maps and numbers of one run.

The binned 2-body profile (Fig. 2), the 3-body map (Fig. 3), the 3-body/2-body ratio and
the position of the stabilising well are pooled means over every contribution of the
explained frames. Frames are correlated, so their uncertainty comes from resampling
whole blocks of frames (:mod:`cgexplain.analysis.bootstrap`; Künsch, Ann. Stat. 17, 1217
(1989)) and recomputing each pooled statistic exactly as on all frames: with per-frame
bin sums S_f(b) and counts C_f(b), a resample I gives mean(b) = Σ_{f∈I} S_f(b) /
Σ_{f∈I} C_f(b). The interval is the percentile interval of the B resampled values
(Efron & Tibshirani 1993, eq. 13.5).

With a first-shell edge r_shell, the first-shell vertex-angle profile and its numbers
(:mod:`cgexplain.analysis.vertex_angles`) are resampled the same way, per walk: a bin's
mean is Σ_{f∈I} R_f(b) / Σ_{f∈I} W_f(b), with R_f and W_f the frame's sums of
``relevance_norm`` and ``n_walks`` in the bin.

The resampled profiles, maps and numbers (the replicates) are kept, so that statistics
of two independent runs (e.g. the correlation of two models' profiles,
:func:`paired_correlation_interval`) get intervals from the b-th replicates of each.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cgexplain import columns as col
from cgexplain.analysis import vertex_angles as va
from cgexplain.analysis.bootstrap import block_length_from_autocorrelation, resample_indices
from cgexplain.analysis.relevance import triangle_edges, well_minimum

__all__ = [
    "VERTEX_NUMBERS",
    "RunReplicates",
    "agreement_intervals",
    "bootstrap_run",
    "interval",
    "load_replicates",
    "paired_correlation_interval",
    "per_frame_bins",
    "save_replicates",
]


def per_frame_bins(
    frame_index: np.ndarray, flat_bin: np.ndarray, values: np.ndarray, n_frames: int, n_bins: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame sums and counts of ``values`` by bin.

    Args:
        frame_index: (n,) position of each entry's frame, 0..n_frames-1.
        flat_bin: (n,) bin of each entry, -1 (or out of range) to drop it.
        values: (n,) quantity.

    Returns:
        ``(sums, counts)``, each (n_frames, n_bins) float64.
    """
    keep = (flat_bin >= 0) & (flat_bin < n_bins) & np.isfinite(values)
    flat = frame_index[keep] * n_bins + flat_bin[keep]
    size = n_frames * n_bins
    sums = np.bincount(flat, weights=values[keep], minlength=size).reshape(n_frames, n_bins)
    counts = np.bincount(flat, minlength=size).astype(float).reshape(n_frames, n_bins)
    return sums, counts


def _bin(x: np.ndarray, edges: np.ndarray) -> np.ndarray:
    index = np.searchsorted(edges, x, side="right") - 1
    return np.where((index >= 0) & (index < edges.size - 1), index, -1)


def _pooled(sums: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pooled mean over the leading (frame) axis and the pooled count."""
    total, count = sums.sum(0), counts.sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan), count


def _well(mean: np.ndarray, count: np.ndarray, centers: np.ndarray, min_count: int) -> float:
    """The profile's minimum among bins with at least ``min_count`` entries, refined
    within its bin (:func:`cgexplain.analysis.relevance.well_minimum`; NaN if none)."""
    return well_minimum(centers, mean, (count >= min_count) & np.isfinite(mean))


def interval(replicates: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval over axis 0, NaN where fewer than half the replicates are finite."""
    replicates = np.asarray(replicates, dtype=float)
    alpha = 1.0 - confidence
    finite = np.isfinite(replicates).mean(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN bins
        low, high = np.nanquantile(replicates, [alpha / 2, 1 - alpha / 2], axis=0)
    sparse = finite < 0.5
    return np.where(sparse, np.nan, low), np.where(sparse, np.nan, high)


@dataclass
class RunReplicates:
    """Bootstrap of one relevance run (all arrays float64).

    Attributes:
        profile_centers: (n_r,) Å; profile, profile_count: (n_r,) pooled mean and count.
        profile_reps: (B, n_r) resampled profiles.
        map_x, map_y: (n_cells,) bin centres (deg, Å), x-major as the map tables.
        map_mean, map_count: (n_cells,); map_reps: (B, n_cells).
        numbers: name -> (estimate, (B,) replicates): ``ratio_3body_2body``,
            ``well_position`` (Å), ``mean_abs_2body``, ``mean_abs_3body``; with a shell
            cutoff also :data:`VERTEX_NUMBERS` (see :func:`bootstrap_run`).
        block_length: frames per block; n_frames: explained frames.
        vertex_centers: (n_a,) deg; vertex_profile, vertex_count: (n_a,) per-walk mean
            and vertex entries of the first-shell vertex-angle profile; vertex_reps:
            (B, n_a). None without a shell cutoff.
    """

    profile_centers: np.ndarray
    profile: np.ndarray
    profile_count: np.ndarray
    profile_reps: np.ndarray
    map_x: np.ndarray
    map_y: np.ndarray
    map_mean: np.ndarray
    map_count: np.ndarray
    map_reps: np.ndarray
    numbers: dict[str, tuple[float, np.ndarray]]
    block_length: int
    n_frames: int
    vertex_centers: np.ndarray | None = field(default=None)
    vertex_profile: np.ndarray | None = field(default=None)
    vertex_count: np.ndarray | None = field(default=None)
    vertex_reps: np.ndarray | None = field(default=None)

    def profile_table(self, confidence: float) -> pd.DataFrame:
        """``center``, ``mean``, ``count``, ``ci_low``, ``ci_high`` of the 2-body profile."""
        low, high = interval(self.profile_reps, confidence)
        return pd.DataFrame(
            {col.CENTER: self.profile_centers, col.MEAN: self.profile,
             col.COUNT: self.profile_count, "ci_low": low, "ci_high": high}
        )  # fmt: skip

    def map_table(self, confidence: float) -> pd.DataFrame:
        """``x``, ``y``, ``mean``, ``count``, ``ci_low``, ``ci_high``, ``ci_width``."""
        low, high = interval(self.map_reps, confidence)
        return pd.DataFrame(
            {col.X: self.map_x, col.Y: self.map_y, col.MEAN: self.map_mean,
             col.COUNT: self.map_count, "ci_low": low, "ci_high": high, "ci_width": high - low}
        )  # fmt: skip

    def vertex_profile_table(self, confidence: float) -> pd.DataFrame:
        """``center`` (deg), ``mean`` (per walk), ``count``, ``ci_low``, ``ci_high`` of the
        first-shell vertex-angle profile (no rows without a shell cutoff)."""
        if self.vertex_reps is None:
            return pd.DataFrame(columns=list(col.VERTEX_PROFILE_CI_COLUMNS))
        low, high = interval(self.vertex_reps, confidence)
        return pd.DataFrame(
            {col.CENTER: self.vertex_centers, col.MEAN: self.vertex_profile,
             col.COUNT: self.vertex_count, col.CI_LOW: low, col.CI_HIGH: high}
        )  # fmt: skip

    def numbers_table(self, confidence: float) -> pd.DataFrame:
        """``quantity``, ``value``, ``ci_low``, ``ci_high``, ``block_length``, ``n_frames``."""
        rows = []
        for name, (value, reps) in self.numbers.items():
            low, high = interval(reps[:, None], confidence)
            rows.append(
                {"quantity": name, "value": value, "ci_low": float(low[0]),
                 "ci_high": float(high[0]), "block_length": self.block_length,
                 "n_frames": self.n_frames}
            )  # fmt: skip
        return pd.DataFrame(rows)


#: numbers of a run with a shell cutoff, besides the four of every run
VERTEX_NUMBERS = (
    "vertex_angle_of_min", *va.WINDOWS, "short_edge_mean", "short_edge_threshold",
)  # fmt: skip


@dataclass
class _VertexSums:
    """Per-frame sums behind the vertex-angle profile and :data:`VERTEX_NUMBERS`.

    Arrays are (n_frames, ...): profile bins (``rel``, ``walks``, ``count``), the angle
    windows of :data:`~cgexplain.analysis.vertex_angles.WINDOWS` (``win_rel``,
    ``win_walks``) and the shortest-edge grid (``edge_count``, ``edge_rel``,
    ``edge_walks``).
    """

    centers: np.ndarray
    rel: np.ndarray
    walks: np.ndarray
    count: np.ndarray
    win_rel: np.ndarray
    win_walks: np.ndarray
    edge_count: np.ndarray
    edge_rel: np.ndarray
    edge_walks: np.ndarray

    @classmethod
    def build(
        cls, triplets: pd.DataFrame, position: pd.Series, n: int, r_shell: float
    ) -> _VertexSums:
        entries = va.vertex_angle_entries(triplets, r_shell)
        ef = position.loc[entries[col.FRAME]].to_numpy()
        angle = entries[col.VERTEX_ANGLE].to_numpy(dtype=float)
        rel = entries[col.RELEVANCE_NORM].to_numpy(dtype=float)
        walks = entries[col.N_WALKS].to_numpy(dtype=float)
        n_bins = va.PROFILE_BINS
        index = va.angle_bin_index(angle, n_bins)
        p_rel, p_count = per_frame_bins(ef, index, rel, n, n_bins)
        p_walks, _ = per_frame_bins(ef, index, walks, n, n_bins)
        win_rel, win_walks = np.zeros((n, len(va.WINDOWS))), np.zeros((n, len(va.WINDOWS)))
        for w, (low, high) in enumerate(va.WINDOWS.values()):
            win = np.where((angle >= low) & (angle <= high), 0, -1)  # windows may overlap
            win_rel[:, w] = per_frame_bins(ef, win, rel, n, 1)[0][:, 0]
            win_walks[:, w] = per_frame_bins(ef, win, walks, n, 1)[0][:, 0]
        tf = position.loc[triplets[col.FRAME]].to_numpy()
        grid = va.short_edge_bins(triplets) if len(triplets) else np.zeros(0, np.int64)
        n_grid = int(grid.max()) + 1 if grid.size else 1
        t_rel = triplets[col.RELEVANCE_NORM].to_numpy(dtype=float)
        e_rel, e_count = per_frame_bins(tf, grid, t_rel, n, n_grid)
        e_walks, _ = per_frame_bins(
            tf, grid, triplets[col.N_WALKS].to_numpy(dtype=float), n, n_grid
        )
        edges = np.linspace(0.0, 180.0, n_bins + 1)
        return cls(0.5 * (edges[:-1] + edges[1:]), p_rel, p_walks, p_count,
                   win_rel, win_walks, e_count, e_rel, e_walks)  # fmt: skip

    def statistics(self, rows: np.ndarray, min_count: int) -> tuple[np.ndarray, np.ndarray]:
        """Per-walk profile (n_a,) and :data:`VERTEX_NUMBERS` (5,) of the frames ``rows``."""
        walks = self.walks[rows].sum(0)
        count = self.count[rows].sum(0)
        win_walks = self.win_walks[rows].sum(0)
        with np.errstate(invalid="ignore", divide="ignore"):
            profile = np.where(walks > 0, self.rel[rows].sum(0) / walks, np.nan)
            windows = np.where(win_walks > 0, self.win_rel[rows].sum(0) / win_walks, np.nan)
        short, threshold = va.short_edge_from_histogram(
            self.edge_count[rows].sum(0), self.edge_rel[rows].sum(0), self.edge_walks[rows].sum(0)
        )
        at_min = va.vertex_angle_of_min(self.centers, profile, count, min_count)
        return profile, np.array([at_min, *windows, short, threshold])


def bootstrap_run(
    pairs: pd.DataFrame,
    triplets: pd.DataFrame,
    frames: pd.DataFrame,
    r_max: float,
    pair_bins: int,
    edge_max: float,
    angle_bins: int,
    edge_bins: int,
    min_count: int,
    n_resamples: int,
    seed: int,
    block_length: int | None = None,
    value: str = col.RELEVANCE_NORM,
    shell_cutoff: float | None = None,
) -> RunReplicates:
    """Block-bootstrap replicates of a run's profile, map and numbers.

    Args:
        pairs, triplets: relevance tables with ``frame`` (normalised column ``value``).
        frames: frame table (``frame``, ``total``), trajectory order.
        r_max, pair_bins: 2-body profile grid on [0, r_max] (Å), as
            :func:`~cgexplain.analysis.relevance.pair_profile`.
        edge_max, angle_bins, edge_bins: 3-body grid, as
            :func:`~cgexplain.analysis.relevance.triplet_map`.
        min_count: fewest pairs in a bin for the well position.
        n_resamples, seed: B and the generator's seed (same seed, same intervals).
        block_length: frames per block; None: 5 integrated autocorrelation times of the
            per-frame total relevance.
        shell_cutoff: first-shell edge r_shell (Å); given, the triplets (with
            ``n_walks``) also yield the per-walk vertex-angle profile
            (:func:`~cgexplain.analysis.vertex_angles.vertex_angle_profile`, always of
            ``relevance_norm``) and the numbers ``vertex_angle_of_min`` (deg, centre of
            the most negative profile bin with at least ``min_count`` entries, NaN if
            none is negative), ``vertex_mean_50_60`` and ``vertex_mean_100_120`` (per
            walk over vertex angles in [50°, 60°] and [100°, 120°]),
            ``short_edge_mean`` and ``short_edge_threshold`` (Å)
            (:func:`~cgexplain.analysis.vertex_angles.short_edge_mean`, the threshold
            recomputed in every resample).

    Returns:
        :class:`RunReplicates`; estimates equal the full-data pooled statistics.
    """
    order = frames[col.FRAME].to_numpy()
    n = len(order)
    if n == 0:
        raise ValueError("no explained frames")
    position = pd.Series(np.arange(n), index=order)
    r_edges = np.linspace(0.0, r_max, pair_bins + 1)
    x_edges = np.linspace(60.0, 180.0, angle_bins + 1)
    y_edges = np.linspace(0.0, edge_max, edge_bins + 1)

    pf = position.loc[pairs[col.FRAME]].to_numpy()
    pv = pairs[value].to_numpy(dtype=float)
    p_sums, p_counts = per_frame_bins(
        pf, _bin(pairs[col.DISTANCE].to_numpy(dtype=float), r_edges), pv, n, pair_bins
    )
    tri = triangle_edges(triplets)
    tf = position.loc[tri[col.FRAME]].to_numpy()
    tv = tri[value].to_numpy(dtype=float)
    ix = _bin(tri[col.MAX_ANGLE].to_numpy(dtype=float), x_edges)
    iy = _bin(tri[col.OPPOSITE_EDGE].to_numpy(dtype=float), y_edges)
    flat = np.where((ix >= 0) & (iy >= 0), ix * edge_bins + iy, -1)
    m_sums, m_counts = per_frame_bins(tf, flat, tv, n, angle_bins * edge_bins)
    # |2-body| and |3-body| sums and counts per frame, for the ratio of pooled means
    abs2 = np.bincount(pf, weights=np.abs(pv), minlength=n)
    n2 = np.bincount(pf, minlength=n).astype(float)
    abs3 = np.bincount(tf, weights=np.abs(tv), minlength=n)
    n3 = np.bincount(tf, minlength=n).astype(float)

    if block_length is None:
        total = frames["total"].to_numpy(dtype=float)
        block_length = block_length_from_autocorrelation(total) if n > 2 else 1
    if n // block_length < 2:
        warnings.warn(
            f"{n} frames hold {n // block_length} block(s) of {block_length} frames: the "
            "frames are too few for their correlation time and the intervals are too narrow",
            stacklevel=2,
        )
    centers = 0.5 * (r_edges[:-1] + r_edges[1:])

    def numbers(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        profile, count = _pooled(p_sums[rows], p_counts[rows])
        with np.errstate(invalid="ignore", divide="ignore"):
            two = abs2[rows].sum() / n2[rows].sum()
            three = abs3[rows].sum() / n3[rows].sum() if n3[rows].sum() else 0.0
            ratio = three / two if two else np.nan
        well = _well(profile, count, centers, min_count)
        return profile, np.array([ratio, well, two, three])

    all_rows = np.arange(n)
    profile, est = numbers(all_rows)
    map_mean, map_count = _pooled(m_sums, m_counts)
    _, p_count = _pooled(p_sums, p_counts)
    vertex = (
        None if shell_cutoff is None else _VertexSums.build(triplets, position, n, shell_cutoff)
    )
    if vertex is not None:
        vertex_profile, vertex_est = vertex.statistics(all_rows, min_count)
        vertex_reps = np.empty((n_resamples, va.PROFILE_BINS))
        vertex_number_reps = np.empty((n_resamples, len(VERTEX_NUMBERS)))
    idx = resample_indices(n, block_length, n_resamples, np.random.default_rng(seed))
    profile_reps = np.empty((n_resamples, pair_bins))
    map_reps = np.empty((n_resamples, angle_bins * edge_bins))
    number_reps = np.empty((n_resamples, 4))
    for b, rows in enumerate(idx):
        profile_reps[b], number_reps[b] = numbers(rows)
        map_reps[b] = _pooled(m_sums[rows], m_counts[rows])[0]
        if vertex is not None:
            vertex_reps[b], vertex_number_reps[b] = vertex.statistics(rows, min_count)
    names = ("ratio_3body_2body", "well_position", "mean_abs_2body", "mean_abs_3body")
    values = {k: (float(est[i]), number_reps[:, i]) for i, k in enumerate(names)}
    extra = {}
    if vertex is not None:
        values |= {
            k: (float(vertex_est[i]), vertex_number_reps[:, i])
            for i, k in enumerate(VERTEX_NUMBERS)
        }
        extra = {
            "vertex_centers": vertex.centers,
            "vertex_profile": vertex_profile,
            "vertex_count": vertex.count.sum(0),
            "vertex_reps": vertex_reps,
        }
    xc = 0.5 * (x_edges[:-1] + x_edges[1:])
    yc = 0.5 * (y_edges[:-1] + y_edges[1:])
    return RunReplicates(
        profile_centers=centers,
        profile=profile,
        profile_count=p_count,
        profile_reps=profile_reps,
        map_x=np.repeat(xc, edge_bins),
        map_y=np.tile(yc, angle_bins),
        map_mean=map_mean,
        map_count=map_count,
        map_reps=map_reps,
        numbers=values,
        block_length=int(block_length),
        n_frames=n,
        **extra,
    )


def paired_correlation_interval(
    a_mean: np.ndarray,
    a_count: np.ndarray,
    a_reps: np.ndarray,
    b_mean: np.ndarray,
    b_count: np.ndarray,
    b_reps: np.ndarray,
    min_count: int,
    confidence: float,
) -> tuple[float, float, float]:
    """Pearson correlation of two runs' binned curves (or maps) with its interval.

    The bins are those both runs populate with at least ``min_count`` entries (as
    :func:`cgexplain.analysis.relevance.profile_correlation`); the runs are independent,
    so replicate b of the correlation pairs replicate b of each run.

    Returns:
        ``(estimate, ci_low, ci_high)``; NaN with fewer than 3 common bins.
    """
    keep = (a_count >= min_count) & (b_count >= min_count)
    keep &= np.isfinite(a_mean) & np.isfinite(b_mean)
    if keep.sum() < 3:
        return float("nan"), float("nan"), float("nan")

    def corr(x: np.ndarray, y: np.ndarray) -> float:
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.sum() < 3 or np.std(x[ok]) == 0 or np.std(y[ok]) == 0:
            return float("nan")
        return float(np.corrcoef(x[ok], y[ok])[0, 1])

    estimate = corr(a_mean[keep], b_mean[keep])
    n = min(len(a_reps), len(b_reps))
    reps = np.array([corr(a_reps[b][keep], b_reps[b][keep]) for b in range(n)])
    low, high = interval(reps[:, None], confidence)
    return estimate, float(low[0]), float(high[0])


def save_replicates(path, rep: RunReplicates) -> None:
    """Write :class:`RunReplicates` to an ``.npz`` file (float64 throughout).

    Replicates keep full precision: an interval computed from the loaded replicates must
    contain an estimate recomputed from the same frames (with a single block every
    replicate equals the estimate, and float32 rounding put it outside its own interval).
    """
    arrays = {
        "profile_centers": rep.profile_centers, "profile": rep.profile,
        "profile_count": rep.profile_count, "profile_reps": rep.profile_reps,
        "map_x": rep.map_x, "map_y": rep.map_y, "map_mean": rep.map_mean,
        "map_count": rep.map_count, "map_reps": rep.map_reps,
        "block_length": np.array(rep.block_length), "n_frames": np.array(rep.n_frames),
        "number_names": np.array(list(rep.numbers)),
        "number_values": np.array([v for v, _ in rep.numbers.values()]),
        "number_reps": np.stack([r for _, r in rep.numbers.values()], axis=1),
    }  # fmt: skip
    if rep.vertex_reps is not None:
        for name in _VERTEX_ARRAYS:
            arrays[name] = getattr(rep, name)
    with open(path, "wb") as handle:
        np.savez_compressed(handle, **arrays)


_VERTEX_ARRAYS = ("vertex_centers", "vertex_profile", "vertex_count", "vertex_reps")


def load_replicates(path) -> RunReplicates:
    """Read a file written by :func:`save_replicates` (vertex arrays None if absent)."""
    with np.load(path) as data:
        d = {k: data[k] for k in data.files}
    names = [str(n) for n in d.pop("number_names")]
    values, reps = d.pop("number_values"), d.pop("number_reps")
    return RunReplicates(
        **{k: d[k].astype(float) for k in (
            "profile_centers", "profile", "profile_count", "profile_reps",
            "map_x", "map_y", "map_mean", "map_count", "map_reps")},
        numbers={n: (float(values[i]), reps[:, i].astype(float)) for i, n in enumerate(names)},
        block_length=int(d["block_length"]),
        n_frames=int(d["n_frames"]),
        **{k: d[k].astype(float) for k in _VERTEX_ARRAYS if k in d},
    )  # fmt: skip


def agreement_intervals(
    table: pd.DataFrame,
    runs: dict[tuple[str, str], RunReplicates],
    min_count: int,
    confidence: float,
) -> pd.DataFrame:
    """Fill ``ci_low`` and ``ci_high`` of the agreement rows the replicates determine.

    Per (system, model): ``ratio_3body_2body`` and ``well_position`` from the run's
    replicates, ``well_minus_rdf_peak`` as the well's interval minus the reference peak
    (the reference RDF is averaged over many more frames and treated as exact). Per
    model pair ``a,b``: ``corr_2body_a_b`` and ``corr_3body_a_b`` from
    :func:`paired_correlation_interval`. Other rows keep what they have (NaN if none).

    Args:
        table: agreement table (``system``, ``quantity``, ``model``, ``value``, and
            optionally ``ci_low``, ``ci_high``).
        runs: (system, model) -> replicates of its primary-source run.
    """
    out = table.copy()
    for name in ("ci_low", "ci_high"):
        if name not in out:
            out[name] = np.nan
    for i, row in out.iterrows():
        system, quantity, model = row["system"], row["quantity"], row["model"]
        bounds = None
        if (system, model) in runs and quantity in ("ratio_3body_2body", "well_position"):
            _, reps = runs[system, model].numbers[quantity]
            low, high = interval(reps[:, None], confidence)
            bounds = (low[0], high[0])
        elif (system, model) in runs and quantity == "well_minus_rdf_peak":
            well = runs[system, model].numbers["well_position"]
            peak = well[0] - row["value"]
            low, high = interval(well[1][:, None] - peak, confidence)
            bounds = (low[0], high[0])
        elif quantity.startswith(("corr_2body_", "corr_3body_")) and "," in str(model):
            a, b = (runs.get((system, m)) for m in str(model).split(","))
            if a is not None and b is not None:
                if quantity.startswith("corr_2body_"):
                    args = (a.profile, a.profile_count, a.profile_reps,
                            b.profile, b.profile_count, b.profile_reps)  # fmt: skip
                else:
                    args = (a.map_mean, a.map_count, a.map_reps,
                            b.map_mean, b.map_count, b.map_reps)  # fmt: skip
                _, low, high = paired_correlation_interval(*args, min_count, confidence)
                bounds = (low, high)
        if bounds is not None:
            out.loc[i, "ci_low"], out.loc[i, "ci_high"] = bounds
    return out
