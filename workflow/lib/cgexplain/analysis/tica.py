"""Slow collective variables of a protein: TICA on Cα pair distances and free energies.

Time-lagged independent component analysis (Pérez-Hernández et al., J. Chem. Phys.
139, 015102, 2013; Schwantes & Pande, JCTC 9, 2000, 2013) finds the linear
combinations of features with the largest autocorrelation at a lag time. Here the
features are the Cα pair distances of the reference, the model is fitted with deeptime
(Hoffmann et al., Mach. Learn.: Sci. Technol. 3, 015009, 2022) on the independent
reference runs (no lag pair crosses two runs), and reference and CG frames are both
projected on it, so their free-energy surfaces share axes (Bonneau et al., Nat.
Commun. 2025, Fig. 4).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cgexplain import columns as col
from cgexplain.io import InputError, Trajectory
from cgexplain.units import KB_KCAL_PER_MOL_K


def pair_distance_features(positions: np.ndarray, min_separation: int = 3) -> np.ndarray:
    """Cα pair distances ``|i - j| >= min_separation`` of every frame.

    Args:
        positions: (n_frames, N, 3) Å, an isolated chain.

    Returns:
        (n_frames, n_pairs) Å, pairs in row-major (i < j) order.
    """
    positions = np.asarray(positions, dtype=np.float64)
    if positions.ndim != 3 or positions.shape[-1] != 3:
        raise InputError(f"positions must be (n_frames, N, 3), got {positions.shape}")
    i, j = np.triu_indices(positions.shape[1], k=min_separation)
    return np.linalg.norm(positions[:, i] - positions[:, j], axis=-1)


def trajectory_runs(traj: Trajectory) -> np.ndarray:
    """(n_frames,) index of the independent run each frame belongs to.

    CG simulations store replicas interleaved (frame ``f * R + r`` is replica ``r``,
    metadata ``n_replicas``); gathered reference runs list the frames of each shard
    (metadata ``shards``, possibly under ``source`` after mapping); external data may
    give ``run_lengths``. Anything else is one run.
    """
    meta = traj.metadata
    if "n_replicas" in meta:
        return np.arange(traj.n_frames) % int(meta["n_replicas"])
    for holder in (meta, meta.get("source")):
        if not isinstance(holder, dict):
            continue
        lengths = [int(n) for n in holder.get("run_lengths", [])] or [
            int(s["frames"]) for s in holder.get("shards", [])
        ]
        if lengths and sum(lengths) == traj.n_frames:
            return np.repeat(np.arange(len(lengths)), lengths)
    return np.zeros(traj.n_frames, dtype=np.int64)


def split_runs(features: np.ndarray, runs: np.ndarray) -> list[np.ndarray]:
    """Frames of each run in time order (a list of (n_frames_run, n_features) arrays)."""
    return [features[runs == r] for r in np.unique(runs)]


class TICAProjection:
    """A fitted TICA model (deeptime) on Cα pair distances.

    With few, short runs that never interconvert, TICA on all ~700 distances finds
    low-variance directions that separate the runs perfectly: each run collapses to a
    point on the TICs. Projecting on the ``n_pca`` leading principal components of the
    reference first (a common noise filter before TICA) keeps the within-run motion.

    Args:
        reference_features: list of (n_frames_run, n_features) arrays, one per run.
        lagtime: lag in frames; reduced to what the longest run allows.
        dim: components kept.
        n_pca: principal components kept before TICA (``None``: all features).
    """

    def __init__(
        self,
        reference_features: list[np.ndarray],
        lagtime: int,
        dim: int = 2,
        n_pca: int | None = None,
    ) -> None:
        from deeptime.decomposition import TICA

        longest = max((len(f) for f in reference_features), default=0)
        if longest < 3:
            raise InputError("TICA needs at least one reference run with 3 frames or more")
        self.lagtime = int(max(1, min(lagtime, longest // 2)))
        stacked = np.concatenate(reference_features)
        self.mean = stacked.mean(axis=0)
        self.components: np.ndarray | None = None
        if n_pca is not None:
            _, _, vt = np.linalg.svd(stacked - self.mean, full_matrices=False)
            self.components = vt[: max(dim, n_pca)].T  # (n_features, n_pca)
        usable = [self._reduce(f) for f in reference_features if len(f) > self.lagtime]
        self.model = TICA(lagtime=self.lagtime, dim=dim).fit(usable).fetch_model()
        self.dim = dim

    def _reduce(self, features: np.ndarray) -> np.ndarray:
        if self.components is None:
            return features
        return (features - self.mean) @ self.components

    def transform(self, features: np.ndarray) -> np.ndarray:
        """(n_frames, n_features) -> (n_frames, dim) TICA coordinates."""
        return np.asarray(self.model.transform(self._reduce(features)))[:, : self.dim]

    @property
    def timescales(self) -> np.ndarray:
        """Implied timescales of the kept components, in frames."""
        return np.asarray(self.model.timescales(lagtime=self.lagtime))[: self.dim]


def free_energy_surface(
    x: np.ndarray,
    y: np.ndarray,
    temperature: float,
    bins: int = 40,
    ranges: tuple[tuple[float, float], tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """F(x, y) = -kT ln p(x, y) on a regular grid, shifted to a minimum of 0.

    Args:
        x, y: (n_frames,) coordinates (e.g. TIC 1 and TIC 2).
        temperature: K.
        bins: bins per axis.
        ranges: ``((x_min, x_max), (y_min, y_max))``; shared by surfaces to be compared.

    Returns:
        Long table ``tic1, tic2, count, free_energy`` (bin centres, kcal/mol; NaN where
        no frame fell).
    """
    counts, xe, ye = np.histogram2d(x, y, bins=bins, range=ranges)
    with np.errstate(divide="ignore"):
        f = -KB_KCAL_PER_MOL_K * temperature * np.log(counts / max(counts.sum(), 1))
    f[~np.isfinite(f)] = np.nan
    if np.isfinite(f).any():
        f -= np.nanmin(f)
    xc, yc = 0.5 * (xe[1:] + xe[:-1]), 0.5 * (ye[1:] + ye[:-1])
    gx, gy = np.meshgrid(xc, yc, indexing="ij")
    return pd.DataFrame(
        {
            col.TIC1: gx.ravel(),
            col.TIC2: gy.ravel(),
            col.COUNT: counts.ravel().astype(np.int64),
            col.FREE_ENERGY: f.ravel(),
        }
    )
