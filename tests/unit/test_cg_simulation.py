"""Batched CG simulation with a SchNetPack model: output layout and clear failure messages."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cgexplain.cg.training import ModelSpec, build_model
from cgexplain.io import load_trajectory
from cgexplain.md.cg_simulation import (
    CGRunSettings,
    CGSimulationError,
    run_cg_simulation,
)
from cgexplain.potentials.batched import BatchedPotential
from cgexplain.potentials.neighbors import VerletList

BOX = np.eye(3) * 9.0


def lattice(n_replicas: int, jitter: float = 0.1) -> np.ndarray:
    """(R, 27, 3) beads on a 3x3x3 lattice of spacing 3 Å, slightly displaced."""
    grid = (
        np.stack(np.meshgrid(*(np.arange(3),) * 3, indexing="ij"), -1).reshape(-1, 3) * 3.0 + 1.5
    )
    rng = np.random.default_rng(0)
    return grid[None] + rng.normal(scale=jitter, size=(n_replicas, *grid.shape))


@pytest.fixture(scope="module")
def potential():
    torch.manual_seed(0)
    model = build_model(ModelSpec("painn", n_features=8, n_interactions=1, n_rbf=6, cutoff=4.0))
    return BatchedPotential(model, np.full(27, 6), BOX, cutoff=4.0)


def test_batched_potential_matches_single_frames(potential):
    starts = lattice(3)
    energy, forces = potential(torch.as_tensor(starts))
    for r in range(3):
        e1, f1 = potential(torch.as_tensor(starts[r : r + 1]))
        torch.testing.assert_close(energy[r : r + 1], e1, rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(forces[r : r + 1], f1, rtol=1e-4, atol=1e-5)
    assert not torch.allclose(forces[0], forces[1])


def test_replicas_are_saved_replica_major(potential, tmp_path):
    settings = CGRunSettings(
        300.0,
        1.0,
        2.0,
        n_steps=20,
        save_interval=5,
        seed=1,
        min_distance=0.5,
        temperature_factor=10.0,
    )
    summary = run_cg_simulation(
        potential, lattice(3), np.full(27, 16.04), settings, tmp_path / "t.h5", "test"
    )
    traj = load_trajectory(tmp_path / "t.h5")
    assert traj.positions.shape == (12, 27, 3) and traj.metadata["n_replicas"] == 3
    np.testing.assert_allclose(traj.time, np.repeat([0.01, 0.02, 0.03, 0.04], 3))
    assert summary["replicas"] == 3 and summary["replica_steps_per_second"] > 0
    assert np.all(traj.positions >= 0) and np.all(traj.positions < 9.0)


def test_overlapping_beads_stop_the_run_naming_replica(potential, tmp_path):
    starts = lattice(2)
    starts[1, 5] = starts[1, 4] + [0.3, 0.0, 0.0]
    settings = CGRunSettings(
        300.0,
        1.0,
        0.1,
        n_steps=2,
        save_interval=1,
        seed=1,
        min_distance=1.0,
        temperature_factor=1e6,
    )
    with pytest.raises(
        CGSimulationError, match=r"test: replica 1: beads 4 and 5 overlap .* at step 1"
    ):
        run_cg_simulation(
            potential, starts, np.full(27, 16.04), settings, tmp_path / "t.h5", "test"
        )
    assert not (tmp_path / "t.h5").exists()


def test_temperature_far_off_target_stops_the_run(potential, tmp_path):
    settings = CGRunSettings(
        300.0,
        1.0,
        2.0,
        n_steps=4,
        save_interval=2,
        seed=1,
        min_distance=0.1,
        temperature_factor=1.0001,
    )
    with pytest.raises(
        CGSimulationError, match=r"replica \d+: temperature .* far from the target 300 K"
    ):
        run_cg_simulation(
            potential, lattice(2), np.full(27, 16.04), settings, tmp_path / "t.h5", "test"
        )


def test_nan_forces_stop_the_run(tmp_path):
    class Broken:
        box, numbers = BOX, np.full(27, 6)

        def __call__(self, x):
            return torch.zeros(x.shape[0], dtype=x.dtype), torch.full_like(x, float("nan"))

    settings = CGRunSettings(
        300.0,
        1.0,
        2.0,
        n_steps=2,
        save_interval=1,
        seed=1,
        min_distance=1.0,
        temperature_factor=3.0,
    )
    with pytest.raises(CGSimulationError, match="methane/painn: replica 0: NaN at step 1"):
        run_cg_simulation(
            Broken(), lattice(2), np.full(27, 16.04), settings, tmp_path / "t.h5", "methane/painn"
        )


def test_isolated_chain_with_prior_adds_prior_energy_and_forces():
    """Delta learning: energy and forces are network + prior; no box means no images."""
    from cgexplain.cg.priors import ChainPrior, fit_prior

    rng = np.random.default_rng(1)
    steps = rng.normal(size=(40, 8, 3))
    steps *= 3.8 / np.linalg.norm(steps, axis=-1, keepdims=True)
    chains = np.cumsum(steps, axis=1) + rng.normal(scale=0.05, size=(40, 8, 3))
    prior = ChainPrior(fit_prior(chains, np.arange(8), 350.0, max_sigma=4.0))
    torch.manual_seed(0)
    model = build_model(ModelSpec("painn", n_features=8, n_interactions=1, n_rbf=6, cutoff=5.0))
    plain = BatchedPotential(model, np.arange(1, 9), np.zeros((3, 3)), cutoff=5.0)
    delta = BatchedPotential(model, np.arange(1, 9), np.zeros((3, 3)), cutoff=5.0, prior=prior)
    assert not plain.periodic
    x = torch.as_tensor(chains[:3])
    e0, f0 = plain(x)
    e1, f1 = delta(x)
    ep, fp = prior.energy_and_forces(x)
    torch.testing.assert_close(e1, e0 + ep.to(e0))
    torch.testing.assert_close(f1, f0 + fp.to(f0))
    # far from any image: moving the chain by 1000 Å changes nothing without a box
    e2, _ = plain(x + 1000.0)
    torch.testing.assert_close(e2, e0, rtol=1e-4, atol=1e-4)


def test_isolated_chain_simulation_stores_zero_box(tmp_path):
    torch.manual_seed(0)
    model = build_model(ModelSpec("painn", n_features=8, n_interactions=1, n_rbf=6, cutoff=5.0))
    potential = BatchedPotential(model, np.full(6, 6), np.zeros((3, 3)), cutoff=5.0)
    start = np.cumsum(np.full((2, 6, 3), 2.5), axis=1)
    settings = CGRunSettings(300.0, 1.0, 1.0, n_steps=10, save_interval=5, seed=2,
                             min_distance=0.5, temperature_factor=50.0)  # fmt: skip
    run_cg_simulation(potential, start, np.full(6, 12.0), settings, tmp_path / "c.h5", "chain")
    traj = load_trajectory(tmp_path / "c.h5")
    assert traj.n_frames == 4 and np.all(traj.box == 0.0)
    # not wrapped into any cell: the chain stays near where it started
    assert np.abs(traj.positions - start[0]).max() < 5.0


@pytest.mark.slow
def test_run_holds_the_target_temperature_with_a_badly_trained_model(tmp_path):
    """The mean kinetic temperature over a run is the target within 3 %.

    The model has random weights and its energy scaled by 300, so forces are ~1.4
    kcal/mol/Å on the starting lattice (as large as a CG liquid's, and wrong): the
    beads leave the lattice, the potential energy changes and the thermostat must hold T.

    Tolerance: the kinetic temperature of one replica of N beads fluctuates by
    sqrt(2 / (3 N)) (relative; 15.7 % for N = 27). Langevin friction γ decorrelates it as
    exp(-2 γ t), so a run of S steps of dt holds S (1 - c) / (1 + c) independent samples
    (c = exp(-2 γ dt)) per replica and the mean over R replicas has the relative
    standard error sqrt(2 / (3 N)) * sqrt((1 + c) / ((1 - c) R S)). With N = 27, R = 8,
    S = 300, γ = 100 / ps, dt = 2 fs (c = 0.67): 0.72 %. 3 % is four standard errors,
    while a thermostat off by a few percent (wrong noise amplitude, mass or unit) fails.
    """
    torch.manual_seed(0)
    model = build_model(ModelSpec("painn", n_features=8, n_interactions=1, n_rbf=6, cutoff=4.0))
    last = model.output_modules[0].outnet[-1]
    with torch.no_grad():
        last.weight.mul_(300.0)
        last.bias.mul_(300.0)
    potential = BatchedPotential(model, np.full(27, 6), BOX, cutoff=4.0)
    starts = lattice(8)
    _, forces = potential(torch.as_tensor(starts))
    assert 0.5 < float(forces.pow(2).mean().sqrt()) < 5.0  # forces that matter
    target, n, replicas, steps = 300.0, 27, 8, 300
    settings = CGRunSettings(
        target,
        100.0,
        2.0,
        n_steps=steps,
        save_interval=10,
        seed=1,
        min_distance=0.5,
        temperature_factor=3.0,
    )
    summary = run_cg_simulation(
        potential, starts, np.full(n, 16.04), settings, tmp_path / "t.h5", "hot"
    )
    c = np.exp(-2 * settings.friction * settings.timestep * 1e-3)
    error = np.sqrt(2 / (3 * n)) * np.sqrt((1 + c) / ((1 - c) * replicas * steps))
    assert error < 0.0075
    assert abs(summary["mean_temperature"] / target - 1) < 4 * error
    stored = load_trajectory(tmp_path / "t.h5")
    assert stored.metadata["run_summary"]["mean_temperature"] == summary["mean_temperature"]
    # the beads did move off the lattice: the forces acted
    moved = stored.positions[-replicas:] - starts
    moved -= 9.0 * np.round(moved / 9.0)
    assert np.sqrt((moved**2).sum(-1).mean()) > 0.3


def test_replicas_in_several_model_calls_give_the_one_call_result():
    torch.manual_seed(0)
    model = build_model(ModelSpec("painn", n_features=8, n_interactions=1, n_rbf=6, cutoff=4.0))
    model = model.double()
    starts = torch.as_tensor(lattice(5))
    one = BatchedPotential(model, np.full(27, 6), BOX, cutoff=4.0, batch_edges=None)
    each = BatchedPotential(model, np.full(27, 6), BOX, cutoff=4.0, batch_edges=1)
    per_replica = len(VerletList(4.0, 0.0, BOX)(starts[:1]).idx_i)
    pairs = BatchedPotential(
        model, np.full(27, 6), BOX, cutoff=4.0, batch_edges=2 * per_replica + 1
    )
    e1, f1 = one(starts)
    for potential, calls in ((each, 5), (pairs, 3)):
        e, f = potential(starts)
        assert len(potential.groups) == calls  # 1 and 2 replicas per call
        torch.testing.assert_close(e, e1, rtol=0, atol=1e-10)
        torch.testing.assert_close(f, f1, rtol=0, atol=1e-10)
    assert len(one.groups) == 1
