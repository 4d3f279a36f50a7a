"""Agreement of a CG model's structure with the reference's."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cgexplain import columns as col
from cgexplain.analysis.triplets import angle_distribution


def max_abs_rdf_difference(rdf: pd.DataFrame, reference: pd.DataFrame) -> float:
    """max_r |g(r) - g_ref(r)| on the reference's r grid (linear interpolation), Å grid."""
    g = np.interp(reference[col.R], rdf[col.R], rdf[col.G])
    return float(np.max(np.abs(g - reference[col.G].to_numpy())))


def jensen_shannon(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon divergence of two histograms (normalised here), natural log.

    0 for identical distributions, ln 2 for distributions with disjoint support
    (Lin, IEEE Trans. Inf. Theory 37, 145, 1991).
    """
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError(f"histograms differ in shape: {p.shape} vs {q.shape}")
    if p.sum() <= 0 or q.sum() <= 0:
        raise ValueError("empty histogram")
    p, q = p / p.sum(), q / q.sum()
    m = 0.5 * (p + q)

    def kl(a: np.ndarray, b: np.ndarray) -> float:
        mask = a > 0
        return float(np.sum(a[mask] * np.log(a[mask] / b[mask])))

    return 0.5 * kl(p, m) + 0.5 * kl(q, m)


def angle_js(triplets: pd.DataFrame, reference: pd.DataFrame) -> float:
    """Jensen-Shannon divergence of the largest-angle distributions of two triplet tables."""
    a = angle_distribution(triplets).sort_values(col.ANGLE)
    b = angle_distribution(reference).sort_values(col.ANGLE)
    if not np.allclose(a[col.ANGLE].to_numpy(), b[col.ANGLE].to_numpy()):
        raise ValueError("triplet tables use different angle bins")
    return jensen_shannon(a[col.COUNT].to_numpy(), b[col.COUNT].to_numpy())


def structure_intervals(
    g: np.ndarray,
    angles: np.ndarray,
    reference_g: np.ndarray,
    reference_angles: np.ndarray,
    n_resamples: int,
    seed: int,
    confidence: float = 0.95,
    block_length: int | None = None,
) -> dict[str, tuple[float, float, float]]:
    """max |Δg| and the angle Jensen-Shannon divergence with block-bootstrap intervals.

    The CG and reference frames are resampled independently in blocks
    (:func:`cgexplain.analysis.bootstrap.resample_indices`), each metric recomputed
    from the resampled mean g(r) and summed angle counts; the interval is the
    percentile interval. Both must be on the same grids (the system's structure
    settings). Note that max |Δg| and a divergence are biased upwards by noise, so
    the interval of a perfect model does not reach 0.

    Args:
        g, reference_g: (n_frames, n_r) per-frame g(r) of the CG run and the reference.
        angles, reference_angles: (n_frames, n_angle) per-frame largest-angle counts.
        block_length: frames per block, both series; None: 5 integrated
            autocorrelation times of each series' per-frame g at the reference peak.

    Returns:
        ``{"max_abs_dg": (value, low, high), "angle_js": (value, low, high)}``.
    """
    from cgexplain.analysis.bootstrap import block_length_from_autocorrelation, resample_indices

    if g.shape[1] != reference_g.shape[1] or angles.shape[1] != reference_angles.shape[1]:
        raise ValueError("CG and reference per-frame structure use different grids")
    peak = int(np.argmax(reference_g.mean(0)))

    def blocks(series: np.ndarray) -> int:
        if block_length is not None:
            return min(block_length, len(series))
        return block_length_from_autocorrelation(series[:, peak]) if len(series) > 2 else 1

    rng = np.random.default_rng(seed)
    cg_idx = resample_indices(len(g), blocks(g), n_resamples, rng)
    ref_idx = resample_indices(len(reference_g), blocks(reference_g), n_resamples, rng)

    def metrics(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
        dg = float(np.max(np.abs(g[a].mean(0) - reference_g[b].mean(0))))
        return dg, jensen_shannon(angles[a].sum(0), reference_angles[b].sum(0))

    value = metrics(np.arange(len(g)), np.arange(len(reference_g)))
    reps = np.array([metrics(a, b) for a, b in zip(cg_idx, ref_idx, strict=True)])
    alpha = 1.0 - confidence
    low, high = np.quantile(reps, [alpha / 2, 1 - alpha / 2], axis=0)
    return {
        "max_abs_dg": (value[0], float(low[0]), float(high[0])),
        "angle_js": (value[1], float(low[1]), float(high[1])),
    }
