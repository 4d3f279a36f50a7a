"""First-coordination-shell structure of a liquid: bond angles and tetrahedral order.

Two many-body descriptors that separate liquids the largest-triplet-angle distribution
(:mod:`cgexplain.analysis.triplets`, dominated by packing) cannot:

* the first-shell angle distribution: every angle j-i-k between two neighbours j, k of
  bead i within the first-shell radius ``r_shell`` (the first minimum of the reference
  g(r), :func:`cgexplain.analysis.rdf.first_minimum`), on [0°, 180°];
* the tetrahedral order parameter of each bead over its four nearest neighbours
  (Chau & Hardwick, Mol. Phys. 93, 511 (1998); Errington & Debenedetti, Nature 409,
  318 (2001)),

      q = 1 - 3/8 Σ_{j<k} (cos ψ_jk + 1/3)²,

  ψ_jk the angle at the bead between neighbours j and k (6 pairs). q = 1 for a perfect
  tetrahedron, E[q] = 0 for independent uniformly random neighbour directions (ideal
  gas: E[cos ψ] = 0, E[cos² ψ] = 1/3), and q ≥ -3 (all four along one direction).

Histograms of q cover [``Q_RANGE``] = [-1, 1]: values below -1 (neighbours crowded into
one hemisphere; essentially absent in a dense liquid, a few per cent of an ideal gas)
are counted in the first bin, so densities integrate to 1 over the range; the mean q
uses the unclipped values.

Pair vectors are minimum images in the (triclinic) cell, exact below half its narrowest
width (:func:`cgexplain.analysis.geometry.check_cutoff`), as everywhere in the
structure analysis.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cgexplain.analysis.geometry import check_cutoff, pair_vectors, perpendicular_widths

#: angle range of the first-shell angle histogram, degrees
ANGLE_RANGE = (0.0, 180.0)
#: range of the tetrahedral-order histogram (values below are put in the first bin)
Q_RANGE = (-1.0, 1.0)
#: neighbours entering the tetrahedral order parameter
Q_NEIGHBOURS = 4


def _frame_vectors(positions: np.ndarray, cell: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(n, n, 3) minimum-image vectors r_j - r_i (Å) and (n, n) distances with an
    infinite diagonal, one frame."""
    vec = pair_vectors(np.asarray(positions, dtype=np.float64), cell)
    dist = np.linalg.norm(vec, axis=-1)
    np.fill_diagonal(dist, np.inf)
    return vec, dist


def shell_angles(positions: np.ndarray, cell: np.ndarray, r_shell: float) -> np.ndarray:
    """Every first-shell angle j-i-k of one frame, degrees.

    Args:
        positions: (n, 3) Å.
        cell: (3, 3) cell row vectors, Å.
        r_shell: first-shell radius, Å (neighbours at distance < r_shell).

    Returns:
        (m,) angles in [0, 180], one per centre i and unordered neighbour pair {j, k}.
    """
    check_cutoff(cell, r_shell)
    return _angles(*_frame_vectors(positions, cell), r_shell)


def _angles(vec: np.ndarray, dist: np.ndarray, r_shell: float) -> np.ndarray:
    """:func:`shell_angles` from one frame's pair vectors and distances."""
    out = []
    for i in range(len(dist)):
        neigh = np.flatnonzero(dist[i] < r_shell)
        if len(neigh) < 2:
            continue
        unit = vec[i, neigh] / dist[i, neigh, None]
        a, b = np.triu_indices(len(neigh), k=1)
        cos = np.einsum("ij,ij->i", unit[a], unit[b])
        out.append(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))
    return np.concatenate(out) if out else np.zeros(0)


def tetrahedral_order(positions: np.ndarray, cell: np.ndarray) -> np.ndarray:
    """Tetrahedral order parameter q of every bead of one frame (module docstring).

    Args:
        positions: (n, 3) Å, n ≥ 5.
        cell: (3, 3) cell row vectors, Å.

    Returns:
        (n,) q, dimensionless, in [-3, 1].

    Raises:
        ValueError: when a fourth neighbour lies beyond half the narrowest cell width
            (its minimum image would not be the nearest image).
    """
    return _order(*_frame_vectors(positions, cell), cell)


def _order(vec: np.ndarray, dist: np.ndarray, cell: np.ndarray) -> np.ndarray:
    """:func:`tetrahedral_order` from one frame's pair vectors and distances."""
    n = len(dist)
    if n <= Q_NEIGHBOURS:
        raise ValueError(f"q needs more than {Q_NEIGHBOURS} beads, got {n}")
    nearest = np.argpartition(dist, Q_NEIGHBOURS - 1, axis=1)[:, :Q_NEIGHBOURS]  # (n, 4)
    rows = np.arange(n)[:, None]
    far = dist[rows, nearest].max()
    if far > perpendicular_widths(cell).min() / 2 + 1e-9:
        raise ValueError(f"fourth neighbour at {far:.3f} Å beyond half the narrowest box width")
    unit = vec[rows, nearest] / dist[rows, nearest][..., None]  # (n, 4, 3)
    a, b = np.triu_indices(Q_NEIGHBOURS, k=1)
    cos = np.einsum("nij,nij->ni", unit[:, a], unit[:, b])  # (n, 6)
    return 1.0 - 3.0 / 8.0 * np.sum((cos + 1.0 / 3.0) ** 2, axis=1)


def frame_shell_statistics(
    positions: np.ndarray,
    box: np.ndarray,
    r_shell: float,
    angle_bins: int,
    q_bins: int,
) -> dict[str, np.ndarray]:
    """Per-frame first-shell angle counts, q counts, mean q and shell coordination.

    Args:
        positions: (n_frames, n, 3) Å.
        box: (n_frames, 3, 3) Å.
        r_shell: first-shell radius, Å.
        angle_bins: bins over [0°, 180°].
        q_bins: bins over ``Q_RANGE`` (q below its lower end counted in the first bin).

    Returns:
        ``shell_angle_counts`` (n_frames, angle_bins) angles per bin;
        ``q_counts`` (n_frames, q_bins) beads per bin;
        ``q_mean`` (n_frames,) mean q over beads;
        ``shell_coordination`` (n_frames,) mean neighbours within r_shell per bead.
    """
    angle_edges = np.linspace(*ANGLE_RANGE, angle_bins + 1)
    q_edges = np.linspace(*Q_RANGE, q_bins + 1)
    n_frames = len(positions)
    out = {
        "shell_angle_counts": np.zeros((n_frames, angle_bins)),
        "q_counts": np.zeros((n_frames, q_bins)),
        "q_mean": np.zeros(n_frames),
        "shell_coordination": np.zeros(n_frames),
    }
    for f, (frame, cell) in enumerate(zip(positions, box, strict=True)):
        check_cutoff(cell, r_shell)
        vec, dist = _frame_vectors(frame, cell)
        angles = _angles(vec, dist, r_shell)
        out["shell_angle_counts"][f], _ = np.histogram(angles, bins=angle_edges)
        q = _order(vec, dist, cell)
        out["q_counts"][f], _ = np.histogram(np.maximum(q, Q_RANGE[0]), bins=q_edges)
        out["q_mean"][f] = q.mean()
        out["shell_coordination"][f] = (dist < r_shell).sum() / len(dist)
    return out


def density_table(counts: np.ndarray, value_range: tuple[float, float], name: str) -> pd.DataFrame:
    """Probability density of a 1-D histogram summed over frames.

    Args:
        counts: (n_frames, n_bins) per-frame counts on equal bins over ``value_range``.
        name: column name of the bin centre (e.g. ``angle`` in degrees, ``q``).

    Returns:
        DataFrame with ``name`` (bin centre) and ``density`` (per unit of ``name``,
        integrating to 1; zeros when there are no counts).
    """
    counts = np.asarray(counts, dtype=float)
    edges = np.linspace(*value_range, counts.shape[1] + 1)
    summed = counts.sum(axis=0)
    total = summed.sum()
    density = summed / (total * np.diff(edges)) if total > 0 else summed
    return pd.DataFrame({name: 0.5 * (edges[1:] + edges[:-1]), "density": density})


def rdf_l1_shell(
    g: np.ndarray, reference_g: np.ndarray, r: np.ndarray, r_shell: float, floor: float = 0.05
) -> float:
    """∫ |g(r) - g_ref(r)| dr over the first shell beyond the repulsive wall, Å.

    The domain is the bins from the first one where g_ref > ``floor`` up to ``r_shell``
    (bin centres ≤ r_shell): where the physics of the first shell is, not the wall
    where both g are ~0 and max |Δg| is dominated by its steep edge.

    Args:
        g, reference_g: (n_r,) g(r) on the same equal-width grid of centres ``r`` (Å).
        r_shell: first-shell radius, Å.
    """
    mask = shell_mask(reference_g, r, r_shell, floor)
    dr = r[1] - r[0] if len(r) > 1 else 1.0
    return float(np.sum(np.abs(np.asarray(g) - reference_g)[mask]) * dr)


def shell_mask(reference_g: np.ndarray, r: np.ndarray, r_shell: float, floor: float = 0.05):
    """(n_r,) bool: bins of :func:`rdf_l1_shell`'s domain."""
    above = np.flatnonzero(np.asarray(reference_g) > floor)
    start = r[above[0]] if len(above) else np.inf
    return (r >= start) & (r <= r_shell)
