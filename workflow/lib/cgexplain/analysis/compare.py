"""Agreement of a CG model's structure with the reference's."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from cgexplain import columns as col
from cgexplain.analysis.shell import shell_mask
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
    if g.shape[1] != reference_g.shape[1] or angles.shape[1] != reference_angles.shape[1]:
        raise ValueError("CG and reference per-frame structure use different grids")
    cg_idx, ref_idx = bootstrap_indices(g, reference_g, n_resamples, seed, block_length)

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


def bootstrap_indices(
    g: np.ndarray,
    reference_g: np.ndarray,
    n_resamples: int,
    seed: int,
    block_length: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Block-bootstrap frame indices of a CG run and its reference, drawn independently.

    The resamples of :func:`structure_intervals` and :func:`shell_intervals`: the same
    ``seed`` gives both the same frames, so their intervals come from one bootstrap.

    Args:
        g, reference_g: (n_frames, n_r) per-frame g(r) of the CG run and the reference.
        block_length: frames per block, both series; None: 5 integrated
            autocorrelation times of each series' per-frame g at the reference peak.

    Returns:
        (n_resamples, n_cg_frames) and (n_resamples, n_reference_frames) indices.
    """
    from cgexplain.analysis.bootstrap import block_length_from_autocorrelation, resample_indices

    peak = int(np.argmax(reference_g.mean(0)))

    def blocks(series: np.ndarray) -> int:
        if block_length is not None:
            return min(block_length, len(series))
        return block_length_from_autocorrelation(series[:, peak]) if len(series) > 2 else 1

    rng = np.random.default_rng(seed)
    cg_idx = resample_indices(len(g), blocks(g), n_resamples, rng)
    ref_idx = resample_indices(len(reference_g), blocks(reference_g), n_resamples, rng)
    return cg_idx, ref_idx


#: metrics of :func:`shell_intervals`, in order
SHELL_METRICS = ("shell_angle_js", "q_js", "q_mean", "q_mean_reference", "dq_mean", "rdf_l1_shell")


def shell_intervals(
    cg: Mapping[str, np.ndarray],
    reference: Mapping[str, np.ndarray],
    r: np.ndarray,
    r_shell: float,
    n_resamples: int,
    seed: int,
    confidence: float = 0.95,
    block_length: int | None = None,
) -> dict[str, tuple[float, float, float]]:
    """First-shell metrics of a CG run against its reference, with block-bootstrap
    intervals from the resamples of :func:`structure_intervals` (same seed, same frames).

    Metrics: ``shell_angle_js`` and ``q_js``, Jensen-Shannon divergences (nats) of the
    first-shell angle and tetrahedral-order distributions
    (:mod:`cgexplain.analysis.shell`); ``q_mean`` and ``q_mean_reference``, mean q of
    the run and the reference, and ``dq_mean`` their difference (run - reference);
    ``rdf_l1_shell``, ∫|g - g_ref| dr (Å) over the first shell beyond the repulsive
    wall (:func:`cgexplain.analysis.shell.rdf_l1_shell`, domain fixed by the full
    reference's g). Divergences and the L1 distance are biased upwards by noise.

    Args:
        cg, reference: per-frame arrays of ``structure_frames.npz``: ``g``
            (n_frames, n_r), ``shell_angle_counts`` (n_frames, n_angle), ``q_counts``
            (n_frames, n_q), ``q_mean`` (n_frames,).
        r: (n_r,) bin centres of g, Å; r_shell: first-shell radius, Å.
        n_resamples, seed, confidence, block_length: as :func:`structure_intervals`.

    Returns:
        ``{metric: (value, low, high)}`` for each of ``SHELL_METRICS``.
    """
    keys = ("g", "shell_angle_counts", "q_counts")
    for key in keys:
        if np.shape(cg[key])[1:] != np.shape(reference[key])[1:]:
            raise ValueError(f"CG and reference {key} use different grids")
    g, ref_g = np.asarray(cg["g"]), np.asarray(reference["g"])
    cg_idx, ref_idx = bootstrap_indices(g, ref_g, n_resamples, seed, block_length)
    mask = shell_mask(ref_g.mean(0), np.asarray(r), r_shell)
    dr = float(r[1] - r[0]) if len(r) > 1 else 1.0

    def metrics(a: np.ndarray, b: np.ndarray) -> list[float]:
        q, q_ref = float(cg["q_mean"][a].mean()), float(reference["q_mean"][b].mean())
        return [
            jensen_shannon(cg["shell_angle_counts"][a].sum(0),
                           reference["shell_angle_counts"][b].sum(0)),
            jensen_shannon(cg["q_counts"][a].sum(0), reference["q_counts"][b].sum(0)),
            q,
            q_ref,
            q - q_ref,
            float(np.abs(g[a].mean(0) - ref_g[b].mean(0))[mask].sum() * dr),
        ]  # fmt: skip

    value = metrics(np.arange(len(g)), np.arange(len(ref_g)))
    reps = np.array([metrics(a, b) for a, b in zip(cg_idx, ref_idx, strict=True)])
    alpha = 1.0 - confidence
    low, high = np.quantile(reps, [alpha / 2, 1 - alpha / 2], axis=0)
    return {
        name: (value[k], float(low[k]), float(high[k])) for k, name in enumerate(SHELL_METRICS)
    }
