"""Folding states as basins of the TICA free-energy surface, named by native contacts.

Bonneau et al. (Nat. Commun. 2025, Fig. 4) read the states of NTL9 off the free-energy
surface over the first two TICA components; the names F, U, P1, P2 (after Schwantes &
Pande, JCTC 9, 2000, 2013) describe which secondary-structure elements each basin has
formed. This module does the same in three steps:

1. **Coordinates.** TICA (Pérez-Hernández et al., J. Chem. Phys. 139, 015102, 2013;
   :class:`cgexplain.analysis.tica.TICAProjection`) on the Cα pair distances of the
   reference; reference and CG frames are projected on the same model.
2. **Basins**, found on the *unbiased* reference frames only. The reference runs that
   hold a state with flat-bottom walls (``sampling.hold``) sample ``p(x) exp(-β U_k(x))
   / Z_k``; the walls confine each run to its state's region, so the runs never overlap
   and the ratios ``Z_k / Z`` that reweighting (WHAM/MBAR) needs are not identifiable.
   Those frames are left out of the surface and of the basin search (they are still
   assigned to the basins found).

   - *PCCA+* (default): k-means microstates (deeptime, ``kmeans++`` with the
     configured seed) on (TIC 1, TIC 2); a reversible maximum-likelihood Markov state
     model on the microstate trajectories of the unbiased runs at lag ``msm_lag``
     (sliding-window counts, largest strongly connected set); PCCA+ (Röblitz & Weber,
     Adv. Data Anal. Classif. 7, 147, 2013) splits it into ``n_basins`` metastable sets
     and each microstate goes to the set of its largest membership.
   - *Density fallback*, when the data cannot carry an MSM (too few frames or
     transitions, a connected set that misses microstates, a PCCA+ set that is empty
     or an MSM whose ``n_basins``-th eigenvalue is not positive): the basins of the
     kernel-density free energy ``F = -kT ln p̂`` (Gaussian kernel, width the median
     distance to the √n-th nearest frame): every microstate centre climbs ``p̂`` by
     mean shift (Comaniciu & Meer, IEEE TPAMI 24, 603, 2002) to a density maximum, a
     free-energy minimum; maxima closer than ``h / 2``, or separated by a barrier of
     less than 1 kT along the straight path between them, are one basin. The reason
     for the fallback is logged.

3. **Assignment and names.** A frame (reference or CG) belongs to the basin of its
   nearest microstate centre when it is no farther from it than the farthest unbiased
   frame is from its own centre; otherwise to no basin. Each basin's mean native-
   contact fractions (β1-β2, β1-β3, helix) over its unbiased frames decide its name:
   an element is formed when its mean is at least ``formed`` and broken when at most
   ``broken`` (the thresholds of :mod:`cgexplain.analysis.states`); F has all three
   formed, U none, P1 β1-β3 and helix but not β1-β2, P2 β1-β2 only. Per name the
   matching basin nearest its corner in contact space takes the name (basins with fewer
   than ``states.min_frames`` unbiased frames take none); the rest stay unnamed
   (label ``""``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cgexplain import columns as col
from cgexplain.analysis.states import ELEMENTS, STATES

log = logging.getLogger(__name__)

#: (b1b2, b1b3, helix) formed (1) or broken (0) in each named state
CORNERS: dict[str, tuple[int, int, int]] = {
    "F": (1, 1, 1),
    "U": (0, 0, 0),
    "P1": (0, 1, 1),
    "P2": (1, 0, 0),
}
#: label of the frames in no basin and of the contact-state column of unlabelled frames
NONE = "none"


@dataclass(eq=False)
class Basins:
    """Basins on a 2-D TICA plane and the rule that assigns frames to them.

    Attributes:
        centers: (k, 2) microstate centres, TIC units.
        micro_basin: (k,) basin of each microstate (-1: none).
        radius: frames farther than this from every centre are in no basin, TIC units.
        method: ``"pcca"`` or ``"density"``.
        reason: why the density fallback was used (empty for PCCA+).
    """

    centers: np.ndarray
    micro_basin: np.ndarray
    radius: float
    method: str
    reason: str = ""

    @property
    def n_basins(self) -> int:
        """Number of basins (basin indices run from 0 to n_basins - 1)."""
        return int(self.micro_basin.max()) + 1 if len(self.micro_basin) else 0

    def assign(self, tics: np.ndarray) -> np.ndarray:
        """(n, >=2) TIC coordinates -> (n,) basin index, -1 for no basin."""
        tics = np.asarray(tics, dtype=np.float64)[:, :2]
        if len(self.centers) == 0 or len(tics) == 0:
            return np.full(len(tics), -1, dtype=np.int64)
        d = np.linalg.norm(tics[:, None, :] - self.centers[None], axis=-1)
        nearest = d.argmin(axis=1)
        out = self.micro_basin[nearest].astype(np.int64)
        out[d[np.arange(len(tics)), nearest] > self.radius * (1 + 1e-9)] = -1
        return out


def kmeans_microstates(points: np.ndarray, n_clusters: int, seed: int) -> np.ndarray:
    """k-means centres (deeptime, kmeans++ with a fixed seed), sorted lexicographically
    so that their order does not depend on the order of the points.

    Args:
        points: (n, 2) TIC coordinates; n_clusters: wanted, reduced to at most
            ``n // 4`` (4 frames per microstate) and the number of distinct points.

    Returns:
        (k, 2) centres.
    """
    from deeptime.clustering import KMeans

    points = np.ascontiguousarray(points, dtype=np.float64)
    k = int(min(n_clusters, len(np.unique(points, axis=0)), max(1, len(points) // 4)))
    if k < n_clusters:
        log.info("k-means: %d microstates for %d frames (at least 4 frames each)", k, len(points))
    # kmeans++ seeding depends on the order of the points: cluster them in sorted order
    ordered = points[np.lexsort(points.T[::-1])]
    km = KMeans(n_clusters=k, init_strategy="kmeans++", fixed_seed=int(seed), max_iter=1000)
    centers = np.asarray(km.fit(ordered).fetch_model().cluster_centers)
    return centers[np.lexsort(centers.T[::-1])]


def _nearest(points: np.ndarray, centers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d = np.linalg.norm(points[:, None, :] - centers[None], axis=-1)
    idx = d.argmin(axis=1)
    return idx, d[np.arange(len(points)), idx]


def pcca_basins(
    dtrajs: list[np.ndarray], n_micro: int, lag: int, n_basins: int
) -> tuple[np.ndarray | None, str]:
    """Metastable sets of a reversible MSM by PCCA+ (Röblitz & Weber 2013).

    Args:
        dtrajs: microstate index trajectories (one per unbiased run, time order).
        n_micro: number of microstates; lag: MSM lag, frames; n_basins: sets wanted.

    Returns:
        ``((n_micro,) basin per microstate, -1 outside the connected set; "")`` or
        ``(None, reason)`` when the data cannot carry the MSM.
    """
    from deeptime.markov import TransitionCountEstimator
    from deeptime.markov.msm import MaximumLikelihoodMSM

    usable = [np.asarray(d, dtype=np.int64) for d in dtrajs if len(d) > lag]
    if not usable:
        return None, f"no unbiased run is longer than the MSM lag ({lag} frames)"
    n_transitions = sum(len(d) - lag for d in usable)
    if n_transitions < 10 * n_micro:
        return None, (
            f"{n_transitions} lagged transitions for {n_micro} microstates (< 10 per microstate)"
        )
    counts = (
        TransitionCountEstimator(lagtime=lag, count_mode="sliding", n_states=n_micro)
        .fit(usable)
        .fetch_model()
    )
    largest = counts.submodel_largest(directed=True)
    active = np.asarray(largest.state_symbols, dtype=np.int64)
    if len(active) < n_micro:
        return None, (
            f"the largest connected set of the MSM holds {len(active)} of {n_micro} "
            "microstates (no transition in or out of the rest)"
        )
    if len(active) <= n_basins:
        return None, f"{len(active)} connected microstates for {n_basins} basins"
    msm = MaximumLikelihoodMSM(reversible=True).fit(largest).fetch_model()
    eig = np.sort(np.real(msm.eigenvalues()))[::-1]
    if eig[n_basins - 1] <= 0:
        return None, f"eigenvalue {n_basins} of the MSM is {eig[n_basins - 1]:.3g} <= 0"
    try:
        pcca = msm.pcca(n_basins)
    except (ValueError, RuntimeError, np.linalg.LinAlgError) as err:
        return None, f"PCCA+ failed ({type(err).__name__}: {err})"
    crisp = np.asarray(pcca.memberships).argmax(axis=1)
    if len(np.unique(crisp)) < n_basins:
        return None, f"PCCA+ left {n_basins - len(np.unique(crisp))} of {n_basins} sets empty"
    micro = np.full(n_micro, -1, dtype=np.int64)
    micro[active] = crisp
    return micro, ""


def _kde(x: np.ndarray, points: np.ndarray, h: float) -> np.ndarray:
    """Unnormalized Gaussian kernel density of ``points`` (n, 2) at ``x`` (m, 2)."""
    return np.exp(-0.5 * np.sum((x[:, None] - points[None]) ** 2, axis=-1) / h**2).sum(axis=1)


def _bandwidth(points: np.ndarray) -> float:
    """Kernel width, TIC units: the median distance of a point to its k-th nearest
    neighbour, k = round(sqrt(n)) (a local spread that, unlike the standard deviation
    of Scott's rule, does not grow with the distance between basins)."""
    n = len(points)
    if n < 2:
        return 1.0
    k = int(min(n - 1, max(1, round(np.sqrt(n)))))
    d = np.sort(np.linalg.norm(points[:, None] - points[None], axis=-1), axis=1)[:, k]
    return max(float(np.median(d)), 1e-12)


def density_basins(points: np.ndarray, starts: np.ndarray, min_barrier: float = 1.0) -> np.ndarray:
    """Basin of each start point on the kernel-density free energy of ``points``.

    Mean shift (Comaniciu & Meer 2002) with a Gaussian kernel of width ``h``
    (:func:`_bandwidth`) moves each start uphill in ``p̂`` to a maximum
    (maxima closer than ``h / 2`` are one). Two maxima whose straight path dips less
    than ``min_barrier`` kT below the lower of them (``F = -kT ln p̂``) are one basin
    (merged pairwise, lowest barrier first): this removes the shallow maxima that single
    tail points make. Basins are numbered by the position of their highest maximum
    (lexicographic), so the result does not depend on the input order.

    Args:
        points: (n, 2) samples of the density; starts: (m, 2) points to classify.
        min_barrier: kT.

    Returns:
        (m,) basin indices 0..n_basins-1.
    """
    points = np.asarray(points, dtype=np.float64)
    x = np.asarray(starts, dtype=np.float64).copy()
    h = _bandwidth(points)
    for _ in range(2000):
        w = np.exp(-0.5 * np.sum((x[:, None] - points[None]) ** 2, axis=-1) / h**2)
        new = (w @ points) / np.maximum(w.sum(axis=1, keepdims=True), 1e-300)
        shift = np.max(np.linalg.norm(new - x, axis=1)) if len(x) else 0.0
        x = new
        if shift < 1e-7 * h:
            break
    modes: list[np.ndarray] = []
    label = np.empty(len(x), dtype=np.int64)
    for i in np.lexsort(x.T[::-1]):
        for m, mode in enumerate(modes):
            if np.linalg.norm(x[i] - mode) < 0.5 * h:
                label[i] = m
                break
        else:
            modes.append(x[i])
            label[i] = len(modes) - 1
    if not modes:
        return label
    centre = np.array(modes)
    height = np.log(_kde(centre, points, h))
    parent = np.arange(len(modes))  # each mode's basin: the index of its top mode
    t = np.linspace(0.0, 1.0, 41)[:, None]
    while True:
        tops = np.unique(parent)
        best, pair = min_barrier, None
        for a_i, a in enumerate(tops):
            for b in tops[a_i + 1 :]:
                path = centre[a] + t * (centre[b] - centre[a])
                low = float(np.log(_kde(path, points, h)).min())
                barrier = min(height[a], height[b]) - low
                if barrier < best:
                    best, pair = barrier, (a, b)
        if pair is None:
            break
        keep, drop = pair if height[pair[0]] >= height[pair[1]] else pair[::-1]
        parent[parent == drop] = keep
    tops = np.unique(parent)
    order = np.lexsort(centre[tops].T[::-1])
    rank = np.empty(len(modes), dtype=np.int64)
    for r, k in enumerate(tops[order]):
        rank[parent == k] = r
    return rank[label]


def find_basins(
    tics: np.ndarray,
    runs: np.ndarray,
    n_clusters: int = 20,
    lag: int = 10,
    n_basins: int = 4,
    seed: int = 1,
) -> Basins:
    """Basins of the unbiased frames on (TIC 1, TIC 2) (module docstring, step 2).

    Args:
        tics: (n, >=2) TIC coordinates of the unbiased reference frames, in time order
            within each run.
        runs: (n,) run of each frame (transitions never cross two runs).
        n_clusters: k-means microstates; lag: MSM lag, frames; n_basins: PCCA+ sets.
        seed: k-means seed.

    Returns:
        :class:`Basins`; with no frame, no basin (and the reason).
    """
    tics = np.asarray(tics, dtype=np.float64)[:, :2]
    runs = np.asarray(runs)
    if len(tics) == 0:
        reason = "no unbiased reference frame"
        log.warning("TICA basins: %s: every frame is in no basin", reason)
        return Basins(np.zeros((0, 2)), np.zeros(0, dtype=np.int64), 0.0, "none", reason)
    centers = kmeans_microstates(tics, n_clusters, seed)
    micro_of_frame, dist = _nearest(tics, centers)
    radius = float(dist.max())
    dtrajs = [micro_of_frame[runs == r] for r in np.unique(runs)]
    micro, reason = pcca_basins(dtrajs, len(centers), lag, n_basins)
    if micro is not None:
        log.info("TICA basins: PCCA+ of a %d-microstate MSM at lag %d", len(centers), lag)
        return Basins(centers, micro, radius, "pcca")
    log.warning("TICA basins: no MSM (%s); density basins (mean shift) instead", reason)
    micro = density_basins(tics, centers)
    return Basins(centers, micro, radius, "density", reason)


def basin_fractions(fractions: pd.DataFrame, basins: np.ndarray, n_basins: int) -> pd.DataFrame:
    """Mean contact fraction of each element per basin.

    Args:
        fractions: columns ``b1b2``, ``b1b3``, ``helix`` (n frames).
        basins: (n,) basin index per frame (-1: none, ignored).

    Returns:
        Table indexed by basin 0..n_basins-1 with columns ``n_frames`` and the three
        means (NaN for a basin without frames).
    """
    basins = np.asarray(basins)
    rows = []
    for b in range(n_basins):
        part = fractions.loc[basins == b, list(ELEMENTS)]
        rows.append({col.N_FRAMES: len(part), **part.mean().to_dict()})
    return pd.DataFrame(
        rows, columns=[col.N_FRAMES, *ELEMENTS], index=pd.RangeIndex(n_basins, name=col.BASIN)
    )


def name_basins(
    means: np.ndarray,
    formed: float = 0.7,
    broken: float = 0.3,
    counts: np.ndarray | None = None,
    min_frames: int = 1,
) -> list[str]:
    """Name of each basin from its mean contact fractions (module docstring, step 3).

    Args:
        means: (n_basins, 3) mean (b1b2, b1b3, helix) fractions; NaN rows match nothing.
        counts: (n_basins,) frames behind each mean; basins with fewer than
            ``min_frames`` match nothing (a stray frame never takes a name).

    Returns:
        n_basins names (``F``, ``U``, ``P1``, ``P2`` or ``""``); each name goes to at most
        one basin, the matching one nearest the name's corner (ties: lower index).
    """
    means = np.asarray(means, dtype=np.float64).reshape(-1, len(ELEMENTS))
    names = [""] * len(means)
    for state in STATES:
        corner = np.asarray(CORNERS[state], dtype=bool)
        match = np.all(np.where(corner, means >= formed, means <= broken), axis=1)
        if counts is not None:
            match &= np.asarray(counts) >= min_frames
        if not match.any():
            continue
        dist = np.linalg.norm(means - corner.astype(float), axis=1)
        dist[~match] = np.inf
        names[int(np.argmin(dist))] = state
    return names


def basin_labels(basins: np.ndarray, names: list[str]) -> np.ndarray:
    """(n,) basin indices (-1: none) -> (n,) state labels (``""`` for none/unnamed)."""
    lookup = np.array([*names, ""], dtype=object)
    return lookup[np.asarray(basins, dtype=np.int64)]  # -1 picks the trailing ""


def agreement_table(
    source: str,
    basins: np.ndarray,
    names: list[str],
    fractions: pd.DataFrame,
    contact_labels: np.ndarray,
) -> pd.DataFrame:
    """Confusion matrix of the basin labels against the contact-fraction labels.

    One row per basin (``basin`` -1: frames in no basin): its ``state`` (name or
    empty), ``n_frames``, the mean contact fractions of its frames, the number of its
    frames in each contact state (columns ``F``, ``U``, ``P1``, ``P2``, ``none``) and
    the source's ``agreement``: the fraction of all its frames whose two labels are
    equal (both unlabelled counts as equal).

    Args:
        source: name of the frames (``reference``, a model...).
        basins: (n,) basin index per frame; names: per basin.
        fractions: columns ``b1b2``, ``b1b3``, ``helix``; contact_labels: (n,) labels.
    """
    basins = np.asarray(basins, dtype=np.int64)
    contact = np.asarray(contact_labels, dtype=object)
    tica = basin_labels(basins, names)
    agree = float(np.mean(tica == contact)) if len(basins) else float("nan")
    rows = []
    for b in [*range(len(names)), -1]:
        sel = basins == b
        part = fractions.loc[sel, list(ELEMENTS)]
        row = {
            col.SOURCE: source,
            col.BASIN: b,
            col.STATE: names[b] if b >= 0 else "",
            col.N_FRAMES: int(sel.sum()),
            **part.mean().to_dict(),
        }
        row.update({s: int(np.sum(contact[sel] == s)) for s in STATES})
        row[NONE] = int(np.sum(contact[sel] == ""))
        row[col.AGREEMENT_FRACTION] = agree
        rows.append(row)
    return pd.DataFrame(rows)[list(col.STATE_AGREEMENT_COLUMNS)]


def biased_frames(metadata: dict, n_frames: int) -> np.ndarray:
    """(n_frames,) True for the reference frames of runs held by walls.

    Gathered reference runs list their shards (metadata ``shards``, possibly under
    ``source`` after mapping) with a ``biased`` flag each (see
    :func:`cgexplain.analysis.tica.trajectory_runs` for the frame order). Without shard
    metadata (external data, CG simulations) every frame is unbiased.
    """
    for holder in (metadata, metadata.get("source")):
        if not isinstance(holder, dict):
            continue
        shards = holder.get("shards", [])
        lengths = [int(s["frames"]) for s in shards]
        if shards and sum(lengths) == n_frames:
            flags = [bool(s.get("biased", False)) for s in shards]
            return np.repeat(np.array(flags, dtype=bool), lengths)
    return np.zeros(n_frames, dtype=bool)
