"""CG mapping: bead positions are the heavy atoms, total force is conserved."""

from __future__ import annotations

import numpy as np
import pytest

from cgexplain.cg.mapping import LinearMap, aggregated_map, heavy_atom_map, map_trajectory
from cgexplain.io import InputError, Trajectory

RNG = np.random.default_rng(7)


def water_like_trajectory(n_molecules: int = 6, n_frames: int = 4) -> Trajectory:
    """Random 'water' (O, H, H per molecule) frames in a 12 Å cube."""
    n = 3 * n_molecules
    return Trajectory(
        positions=RNG.uniform(0, 12, size=(n_frames, n, 3)),
        forces=RNG.normal(size=(n_frames, n, 3)) * 10,
        box=np.tile(np.eye(3) * 12.0, (n_frames, 1, 1)),
        time=np.arange(n_frames, dtype=float),
        potential_energy=RNG.normal(size=n_frames),
        atomic_numbers=np.tile([1, 8, 1], n_molecules),  # O in the middle on purpose
        masses=np.tile([1.008, 15.999, 1.008], n_molecules),
        molecule_index=np.repeat(np.arange(n_molecules), 3),
        names=["H1", "O", "H2"] * n_molecules,
    )


def test_heavy_atom_map_keeps_oxygen_positions_and_types():
    traj = water_like_trajectory()
    cg_map = heavy_atom_map(traj.molecule_index, traj.atomic_numbers)
    cg = map_trajectory(traj, cg_map)
    oxygens = traj.positions[:, 1::3]
    # positions are wrapped into the box: compare modulo the box edge
    np.testing.assert_allclose((cg.positions - oxygens + 6.0) % 12.0 - 6.0, 0.0, atol=1e-10)
    assert np.all(cg.atomic_numbers == 8)
    np.testing.assert_allclose(cg.masses, 18.015, atol=1e-9)


def test_bead_force_is_sum_over_molecule_and_total_force_conserved():
    traj = water_like_trajectory()
    cg = map_trajectory(traj, heavy_atom_map(traj.molecule_index, traj.atomic_numbers))
    expected = traj.forces.reshape(traj.n_frames, -1, 3, 3).sum(axis=2)
    np.testing.assert_allclose(cg.forces, expected, rtol=1e-12)
    np.testing.assert_allclose(
        cg.forces.sum(axis=1), traj.forces.sum(axis=1), rtol=1e-10, atol=1e-10
    )


def test_internal_forces_cancel():
    """Equal and opposite forces inside a molecule (bonds, constraints) leave no bead force."""
    traj = water_like_trajectory(n_molecules=2, n_frames=1)
    traj.forces[:] = 0.0
    traj.forces[0, 0] = [1.0, 2.0, 3.0]
    traj.forces[0, 2] = [-1.0, -2.0, -3.0]
    cg = map_trajectory(traj, heavy_atom_map(traj.molecule_index, traj.atomic_numbers))
    np.testing.assert_allclose(cg.forces, 0.0, atol=1e-14)


def test_positions_wrapped_into_box():
    traj = water_like_trajectory()
    traj.positions[:, 1] += 30.0  # an oxygen far outside the box
    cg = map_trajectory(traj, heavy_atom_map(traj.molecule_index, traj.atomic_numbers))
    assert np.all(cg.positions >= 0) and np.all(cg.positions < 12.0)


def test_map_rejects_wrong_atom_count():
    traj = water_like_trajectory()
    cg_map = aggregated_map(np.arange(4), np.arange(4), np.full(4, 6))
    with pytest.raises(InputError, match="expects 4 atoms"):
        map_trajectory(traj, cg_map)


def test_linear_map_requires_normalised_position_rows():
    with pytest.raises(ValueError, match="sum to 1"):
        LinearMap(np.full((1, 2), 0.7), np.ones((1, 2)), np.array([6]), ["B0"])


def test_aggregated_map_needs_one_bead_per_molecule():
    with pytest.raises(ValueError, match="one bead per molecule"):
        aggregated_map(np.array([0, 0, 1]), np.array([0, 1]), np.array([6, 6]))


def test_concatenate_trajectories_streams_shards(tmp_path):
    from cgexplain.io import concatenate_trajectories, load_trajectory, save_trajectory

    parts = []
    for k in range(3):
        traj = water_like_trajectory(n_frames=2 + k)
        traj.metadata = {"settings": {"seed": k + 1}}
        traj.time = 0.5 * np.arange(
            1, traj.n_frames + 1
        )  # a reference shard's clock: 0.5 ps, 1 ps, ...
        save_trajectory(tmp_path / f"s{k}.h5", traj)
        parts.append(traj)
    out = concatenate_trajectories([tmp_path / f"s{k}.h5" for k in range(3)], tmp_path / "all.h5")
    joined = load_trajectory(out)
    assert joined.n_frames == 2 + 3 + 4
    np.testing.assert_allclose(joined.forces, np.concatenate([p.forces for p in parts]), rtol=1e-6)
    # one save interval everywhere, the seams included (no gap, no overlap)
    np.testing.assert_allclose(joined.time, 0.5 * np.arange(1, 10))
    assert [s["settings"]["seed"] for s in joined.metadata["shards"]] == [1, 2, 3]

    other = water_like_trajectory(n_molecules=3)
    save_trajectory(tmp_path / "other.h5", other)
    with pytest.raises(InputError, match="sites differ"):
        concatenate_trajectories([tmp_path / "s0.h5", tmp_path / "other.h5"], tmp_path / "bad.h5")
    assert not (tmp_path / "bad.h5").exists()
