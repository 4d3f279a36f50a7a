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
