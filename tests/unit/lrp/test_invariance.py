"""Rotation, translation, permutation and lattice-shift invariance of the contributions."""

from __future__ import annotations

import numpy as np
import pytest
from lrp_testkit import build_model, random_frame
from scipy.spatial.transform import Rotation

from cgexplain import nbody_relevance
from cgexplain.lrp.rules import parse_rule


def _as_dict(res, relabel=None) -> dict[tuple[int, ...], float]:
    relabel = np.arange(10_000) if relabel is None else relabel
    out = {}
    for row in res.pairs.itertuples():
        out[tuple(sorted((relabel[row.i], relabel[row.j])))] = row.relevance
    for row in res.triplets.itertuples():
        out[tuple(sorted((relabel[row.i], relabel[row.j], relabel[row.k])))] = row.relevance
    return out


def _assert_same(a: dict, b: dict) -> None:
    assert set(a) == set(b)
    keys = sorted(a)
    va, vb = np.array([a[k] for k in keys]), np.array([b[k] for k in keys])
    np.testing.assert_allclose(va, vb, rtol=1e-7, atol=1e-9 * np.abs(va).max())


@pytest.fixture(scope="module", params=[("painn", "gamma"), ("so3net", "gamma")], ids=str)
def case(request):
    arch, name = request.param
    rule = parse_rule(name)
    model = build_model(arch, 3, seed=21)
    atoms = random_frame(n_beads=8, box=5.0, pbc=True, seed=8)
    return model, atoms, rule, nbody_relevance(model, atoms, rule)


def test_rotation(case) -> None:
    model, atoms, rule, ref = case
    rot = Rotation.from_euler("xyz", [0.3, -1.1, 2.0]).as_matrix()
    rotated = atoms.copy()
    rotated.set_cell(atoms.cell.array @ rot.T)
    rotated.positions = atoms.positions @ rot.T
    _assert_same(_as_dict(ref), _as_dict(nbody_relevance(model, rotated, rule)))


def test_translation(case) -> None:
    model, atoms, rule, ref = case
    moved = atoms.copy()
    moved.positions += np.array([1.3, -0.7, 2.9])
    moved.wrap()
    _assert_same(_as_dict(ref), _as_dict(nbody_relevance(model, moved, rule)))


def test_permutation(case) -> None:
    model, atoms, rule, ref = case
    perm = np.random.default_rng(0).permutation(len(atoms))
    permuted = atoms[perm]
    # bead p of the permuted frame is bead perm[p] of the original
    _assert_same(_as_dict(ref), _as_dict(nbody_relevance(model, permuted, rule), relabel=perm))


def test_lattice_shift(case) -> None:
    model, atoms, rule, ref = case
    shifted = atoms.copy()
    shifted.positions[2] += atoms.cell.array[0] - 2 * atoms.cell.array[2]
    _assert_same(_as_dict(ref), _as_dict(nbody_relevance(model, shifted, rule)))
