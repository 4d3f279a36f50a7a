"""Periodic geometry: minimum-image pair vectors, distances and triangle angles.

Two minimum-image maps: :func:`minimum_image` (fractional rounding, exact when the
image is shorter than half the narrowest cell width, which the structure analysis
checks with :func:`check_cutoff`) and :func:`mic_vectors` (exact at any length, for
GNN-LRP tables whose triplets span up to twice the model's cutoff).
"""

from __future__ import annotations

import numpy as np


def perpendicular_widths(box: np.ndarray) -> np.ndarray:
    """(3,) distances between opposite faces of a cell with row vectors ``box`` (3, 3), Å."""
    volume = abs(np.linalg.det(box))
    a, b, c = box
    return volume / np.array(
        [
            np.linalg.norm(np.cross(b, c)),
            np.linalg.norm(np.cross(c, a)),
            np.linalg.norm(np.cross(a, b)),
        ]
    )


def check_cutoff(box: np.ndarray, cutoff: float) -> None:
    """Raise if ``cutoff`` exceeds half the narrowest width of the cell (minimum image fails)."""
    half = perpendicular_widths(box).min() / 2
    if cutoff > half + 1e-9:
        raise ValueError(
            f"cutoff {cutoff:.3f} Å exceeds half the narrowest box width ({half:.3f} Å): "
            "the minimum-image convention would miss neighbours"
        )


def minimum_image(vectors: np.ndarray, box: np.ndarray | None) -> np.ndarray:
    """Map difference vectors (..., 3) Å to their minimum image in the cell ``box`` (3, 3).

    Exact for any cell when the vector's minimum image is shorter than half the
    narrowest cell width (see :func:`check_cutoff`). ``box=None``: no periodicity.
    """
    if box is None:
        return vectors
    inv = np.linalg.inv(box)
    frac = vectors @ inv
    frac -= np.round(frac)
    return frac @ box


def pair_vectors(positions: np.ndarray, box: np.ndarray | None) -> np.ndarray:
    """(n, n, 3) minimum-image vectors r_j - r_i for positions (n, 3) Å."""
    return minimum_image(positions[None, :, :] - positions[:, None, :], box)


def distance_matrix(positions: np.ndarray, box: np.ndarray | None) -> np.ndarray:
    """(n, n) minimum-image distances, Å."""
    return np.linalg.norm(pair_vectors(positions, box), axis=-1)


def _is_orthorhombic(cell: np.ndarray) -> bool:
    return bool(np.allclose(cell, np.diag(np.diag(cell))))


def mic_vectors(vectors: np.ndarray, cell: np.ndarray, pbc: np.ndarray) -> np.ndarray:
    """Minimum images of difference vectors (n, 3) Å, exact at any length.

    Args:
        vectors: (n, 3) difference vectors, Å.
        cell: (3, 3) cell row vectors, Å (zero rows: no cell in that direction).
        pbc: (3,) bool periodic directions.

    Returns:
        (n, 3) vectors. Per-axis rounding for a fully periodic orthorhombic cell (exact
        at any distance); ASE's ``find_mic`` for any other periodic 3-D cell; the
        vectors unchanged without a full 3-D cell or without periodicity.
    """
    cell = np.asarray(cell, dtype=np.float64)
    pbc = np.asarray(pbc, dtype=bool)
    if np.any(cell != 0, axis=1).sum() != 3 or not pbc.any():
        return vectors
    if pbc.all() and _is_orthorhombic(cell):
        lengths = np.diag(cell)
        return vectors - lengths * np.round(vectors / lengths)
    from ase.geometry import find_mic

    return find_mic(vectors, cell, pbc)[0]


def mic_distances(
    positions: np.ndarray, cell: np.ndarray, pbc: np.ndarray, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """(k,) minimum-image distances (Å) between beads ``a[k]`` and ``b[k]``.

    Args:
        positions: (n, 3) Å; cell, pbc: as :func:`mic_vectors`.
        a, b: (k,) bead indices.
    """
    if a.size == 0:
        return np.zeros(0)
    vec = mic_vectors(positions[a] - positions[b], cell, pbc)
    return np.sqrt(np.einsum("ij,ij->i", vec, vec))


def largest_angle(d_ij: np.ndarray, d_ik: np.ndarray, d_jk: np.ndarray) -> np.ndarray:
    """Largest interior angle (degrees) of triangles with side lengths (...,) Å each.

    The law of cosines at the vertex opposite to the longest side; a degenerate
    triangle gives 180° (collinear) or the clipped value.
    """
    sides = np.sort(np.stack([d_ij, d_ik, d_jk], axis=-1), axis=-1)
    a, b, c = sides[..., 0], sides[..., 1], sides[..., 2]
    cos = (a**2 + b**2 - c**2) / (2 * a * b)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
