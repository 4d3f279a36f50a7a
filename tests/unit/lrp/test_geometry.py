"""Minimum-image distances and triangle angles of the relevance tables (one geometry home)."""

from __future__ import annotations

import ase
import numpy as np
import pytest

from cgexplain.analysis.geometry import largest_angle, mic_distances, mic_vectors
from cgexplain.analysis.triplets import triangle_geometry

CELLS = {
    "orthorhombic": ([[4.0, 0, 0], [0, 5.0, 0], [0, 0, 6.0]], True),
    "triclinic": ([[4.0, 0, 0], [1.7, 4.5, 0], [0.9, 1.3, 5.0]], True),
    "slab": ([[4.0, 0, 0], [0, 5.0, 0], [0, 0, 6.0]], [True, True, False]),
    "isolated": (np.zeros((3, 3)), False),
}


@pytest.mark.parametrize("name", CELLS)
def test_mic_distances_match_ase_at_any_length(name: str) -> None:
    cell, pbc = CELLS[name]
    rng = np.random.default_rng(0)
    atoms = ase.Atoms("H12", positions=rng.uniform(-6, 12, (12, 3)), cell=cell, pbc=pbc)
    a, b = np.triu_indices(12, k=1)
    got = mic_distances(atoms.get_positions(), atoms.cell.array, atoms.pbc, a, b)
    want = atoms.get_all_distances(mic=atoms.pbc.any())[a, b]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    assert mic_distances(
        atoms.get_positions(), atoms.cell.array, atoms.pbc, a[:0], b[:0]
    ).shape == (0,)


def test_orthorhombic_minimum_image_is_rounding_per_axis() -> None:
    vec = np.array([[3.9, -2.6, 0.4], [-8.1, 0.0, 5.5]])
    got = mic_vectors(vec, np.diag([4.0, 5.0, 6.0]), np.ones(3, bool))
    np.testing.assert_array_equal(got, vec - np.array([4.0, 5.0, 6.0]) * np.round(vec / [4, 5, 6]))


def test_largest_angle_from_side_lengths() -> None:
    rng = np.random.default_rng(1)
    p = rng.normal(size=(50, 3, 3))
    d_ij = np.linalg.norm(p[:, 0] - p[:, 1], axis=1)
    d_ik = np.linalg.norm(p[:, 0] - p[:, 2], axis=1)
    d_jk = np.linalg.norm(p[:, 1] - p[:, 2], axis=1)
    angles = []
    for tri in p:
        per_vertex = []
        for v in range(3):
            u, w = (tri[(v + 1) % 3] - tri[v]), (tri[(v + 2) % 3] - tri[v])
            per_vertex.append(np.degrees(np.arccos(u @ w / np.linalg.norm(u) / np.linalg.norm(w))))
        angles.append(max(per_vertex))
    np.testing.assert_allclose(largest_angle(d_ij, d_ik, d_jk), angles, atol=1e-9)
    angle, edge = triangle_geometry(d_ij, d_ik, d_jk)
    np.testing.assert_array_equal(angle, largest_angle(d_ij, d_ik, d_jk))
    np.testing.assert_array_equal(edge, np.max([d_ij, d_ik, d_jk], axis=0))
    assert largest_angle(np.array([1.0]), np.array([1.0]), np.array([2.0]))[0] == 180.0
    assert largest_angle(np.zeros(0), np.zeros(0), np.zeros(0)).shape == (0,)
