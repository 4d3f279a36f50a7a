"""Periodic geometry: minimum-image pair vectors and neighbour pairs."""

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
