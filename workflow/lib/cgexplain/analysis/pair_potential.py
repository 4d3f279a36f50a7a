"""A pair potential (e.g. IMC's) next to a network's mean 2-body relevance.

The mean 2-body walk relevance of a distance bin is what the network attributes to a
pair at that distance (Bonneau et al., Nat. Commun. 2025, Fig. 2); a pair potential
fitted by Inverse Monte Carlo is the best pairwise description of the same liquid
(Lyubartsev & Laaksonen, Phys. Rev. E 52, 3730, 1995). Both are energies of a pair at
distance r (negative: stabilising), so their shapes can be compared bin by bin.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cgexplain import columns as col
from cgexplain.io import InputError

#: column of the pair potential in the comparison table, kcal/mol
PAIR_ENERGY = "pair_energy"


def potential_on_profile(potential: pd.DataFrame, profile: pd.DataFrame) -> np.ndarray:
    """The pair potential at the centres of a relevance profile's bins.

    Args:
        potential: ``r`` (Å), ``energy`` (kcal/mol), optionally ``sampled`` (bool).
        profile: pair profile with ``center`` (Å).

    Returns:
        (n_bins,) kcal/mol; NaN outside the potential's grid and, when ``sampled`` is
        given, outside its sampled range.
    """
    r = potential[col.R].to_numpy(dtype=np.float64)
    u = potential[col.ENERGY].to_numpy(dtype=np.float64)
    if len(r) < 2 or np.any(np.diff(r) <= 0):
        raise InputError("pair potential needs >= 2 strictly increasing distances")
    centers = profile[col.CENTER].to_numpy(dtype=np.float64)
    lo, hi = r[0], r[-1]
    if "sampled" in potential:
        sampled = potential["sampled"].to_numpy(dtype=bool)
        if not sampled.any():
            return np.full(len(centers), np.nan)
        lo, hi = r[sampled].min(), r[sampled].max()
    values = np.interp(centers, r, u)
    values[(centers < lo) | (centers > hi) | ~np.isfinite(centers)] = np.nan
    return values


def comparison_table(
    potential: pd.DataFrame, profiles: dict[str, pd.DataFrame], min_count: int = 5
) -> pd.DataFrame:
    """Pair potential and each model's mean 2-body relevance on the relevance bins.

    Args:
        potential: the pair potential (:func:`potential_on_profile`).
        profiles: model -> pair profile (``center``, ``mean``, ``count``), all on the
            same bins.
        min_count: bins with fewer pairs get NaN relevance.

    Returns:
        ``center`` (Å), ``pair_energy`` (kcal/mol), then one column per model with its
        mean 2-body relevance.
    """
    if not profiles:
        raise InputError("no relevance profile to compare the pair potential with")
    first = next(iter(profiles.values()))
    table = pd.DataFrame({col.CENTER: first[col.CENTER].to_numpy()})
    table[PAIR_ENERGY] = potential_on_profile(potential, first)
    for model, profile in profiles.items():
        if not np.allclose(profile[col.CENTER].to_numpy(), table[col.CENTER].to_numpy()):
            raise InputError(f"the pair profile of {model} is on other bins")
        mean = profile[col.MEAN].to_numpy(dtype=np.float64).copy()
        mean[profile[col.COUNT].to_numpy() < min_count] = np.nan
        table[model] = mean
    return table


def correlation(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson correlation over the entries where both are finite (NaN: < 3 or constant)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    keep = np.isfinite(x) & np.isfinite(y)
    if keep.sum() < 3 or np.std(x[keep]) == 0 or np.std(y[keep]) == 0:
        return float("nan")
    return float(np.corrcoef(x[keep], y[keep])[0, 1])


def relevance_correlation(
    potential: pd.DataFrame, profile: pd.DataFrame, min_count: int = 5
) -> float:
    """Pearson correlation of a pair potential with one model's mean 2-body relevance.

    Over the relevance bins with at least ``min_count`` pairs that lie in the sampled
    range of the potential.
    """
    table = comparison_table(potential, {"model": profile}, min_count)
    return correlation(table[PAIR_ENERGY], table["model"])
