"""The Verlet list against ASE's neighbour list (independent code), step after step."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from ase import Atoms
from ase.neighborlist import neighbor_list

from cgexplain.potentials.neighbors import VerletList


def ase_pairs(positions: np.ndarray, box: np.ndarray | None, cutoff: float) -> dict:
    """{(i, j): vector j - i} of one frame, from ASE (minimum image by cell shifts)."""
    atoms = Atoms(
        positions=positions,
        cell=box if box is not None else np.zeros((3, 3)),
        pbc=box is not None,
    )
    i, j, d = neighbor_list("ijD", atoms, cutoff)
    return {(int(a), int(b)): v for a, b, v in zip(i, j, d, strict=True)}


def our_pairs(verlet: VerletList, positions: np.ndarray, half: bool = False) -> list[dict]:
    """Per replica {(i, j): vector} from the Verlet list, positions (R, N, 3)."""
    x = torch.as_tensor(positions)
    pairs = verlet(x, half=half)
    n = positions.shape[1]
    flat = x.reshape(-1, 3)
    vec = (flat[pairs.idx_j] - flat[pairs.idx_i] + pairs.offsets).numpy()
    out = [{} for _ in range(positions.shape[0])]
    for a, b, v in zip(pairs.idx_i.tolist(), pairs.idx_j.tolist(), vec, strict=True):
        assert a // n == b // n, "pair across replicas"
        out[a // n][(a % n, b % n)] = v
    return out


def assert_same(ours: dict, ref: dict) -> None:
    assert ours.keys() == ref.keys(), (
        sorted(set(ours) ^ set(ref))[:5],
        len(ours),
        len(ref),
    )
    keys = list(ref)
    np.testing.assert_allclose(
        np.array([ours[k] for k in keys]), np.array([ref[k] for k in keys]), atol=1e-10
    )


@pytest.mark.parametrize("periodic", [True, False])
def test_pairs_equal_ase_over_a_random_walk_with_few_rebuilds(periodic):
    rng = np.random.default_rng(1)
    box = np.diag([15.0, 16.0, 17.0]) if periodic else None
    replicas, n, cutoff, skin = 3, 120, 5.0, 1.0
    x = rng.uniform(0, 15.0, (replicas, n, 3))
    verlet = VerletList(cutoff, skin, box)
    for _ in range(30):
        if box is not None:
            x = x % np.diag(box)  # wrapped, as the integrator does
        halves = our_pairs(verlet, x, half=True)
        for r, ours in enumerate(our_pairs(verlet, x)):
            ref = ase_pairs(x[r], box, cutoff)
            assert_same(ours, ref)
            # the half list: each undirected pair once, i < j, same vector
            assert_same(halves[r], {(i, j): v for (i, j), v in ref.items() if i < j})
        x = x + rng.normal(scale=0.05, size=x.shape)
    # beads moved ~0.05 * sqrt(3 * 30) = 0.47 Å: a few rebuilds, not one per step
    assert replicas <= verlet.builds < replicas * 30 / 2, verlet.builds


def test_a_bead_crossing_the_skin_triggers_a_rebuild_of_its_replica_only():
    rng = np.random.default_rng(2)
    box = np.eye(3) * 14.0
    x = rng.uniform(0, 14.0, (2, 60, 3))
    verlet = VerletList(4.0, 1.0, box)
    verlet(torch.as_tensor(x))
    assert verlet.builds == 2
    x[1, 7] += [0.6, 0.0, 0.0]  # more than skin / 2
    x[1] %= 14.0
    ours = our_pairs(verlet, x)
    assert verlet.builds == 3
    assert_same(ours[1], ase_pairs(x[1], box, 4.0))
    x[0, 3] += [0.0, 0.4, 0.0]  # less than skin / 2: no rebuild, pairs still exact
    x[0] %= 14.0
    assert_same(our_pairs(verlet, x)[0], ase_pairs(x[0], box, 4.0))
    assert verlet.builds == 3


def test_small_box_shrinks_the_skin_and_refuses_a_cutoff_beyond_half_the_box():
    assert VerletList(4.0, 2.0, np.eye(3) * 10.0).skin == pytest.approx(1.0)
    with pytest.raises(ValueError, match="half the shortest box edge"):
        VerletList(6.0, 1.0, np.eye(3) * 10.0)
    with pytest.raises(ValueError, match="orthorhombic"):
        VerletList(3.0, 1.0, np.array([[10.0, 0, 0], [2.0, 10.0, 0], [0, 0, 10.0]]))
    with pytest.raises(ValueError, match=r"\(R, N, 3\)"):
        VerletList(3.0, 1.0, None)(torch.zeros(5, 3))
