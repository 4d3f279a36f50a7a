"""Force-matching diagnostics: RMSE and explained variance, model forces on stored frames."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cgexplain.cg.diagnostics import force_scores, predict_forces, split_scores
from cgexplain.io import InputError, Trajectory


def test_force_scores_by_hand():
    # two frames, one bead: per-component variance over frames, then the mean
    mapped = np.array([[[1.0, 2.0, 0.0]], [[3.0, -2.0, 0.0]]])
    predicted = np.array([[[2.0, 0.0, 0.0]], [[2.0, 0.0, 0.0]]])
    # squared errors 1, 4, 0, 1, 4, 0 -> MSE 10/6; variances 1, 4, 0 -> mean 5/3
    scores = force_scores(mapped, predicted)
    assert scores["rmse"] == pytest.approx(np.sqrt(10 / 6))
    assert scores["explained"] == pytest.approx(1 - (10 / 6) / (5 / 3))


def test_the_mean_force_explains_its_share_of_the_variance():
    """Mapped = mean force + noise: the exact mean force explains Var(mean) / Var(total)."""
    rng = np.random.default_rng(0)
    mean = rng.normal(0, 3.0, size=(4000, 5, 3))
    mapped = mean + rng.normal(0, 4.0, size=mean.shape)
    exact = force_scores(mapped, mean)
    assert exact["explained"] == pytest.approx(9 / 25, abs=0.02)
    assert exact["rmse"] == pytest.approx(4.0, rel=0.02)
    nothing = force_scores(mapped, np.zeros_like(mapped))
    assert abs(nothing["explained"]) < 0.01  # zero-mean forces: zero predicts nothing
    assert force_scores(mapped, mapped)["explained"] == 1.0


def test_bad_forces_are_named():
    good = np.zeros((3, 2, 3))
    with pytest.raises(InputError, match="do not match"):
        force_scores(good, np.zeros((3, 3, 3)))
    bad = good.copy()
    bad[1, 0, 2] = np.nan
    with pytest.raises(InputError, match="NaN"):
        force_scores(good + 1, bad)
    with pytest.raises(InputError, match="too few"):
        force_scores(good[:1], good[:1])


def test_split_scores_score_each_set_on_its_own_frames():
    rng = np.random.default_rng(1)
    mapped = rng.normal(size=(10, 3, 3))
    prior = 0.5 * mapped + rng.normal(size=mapped.shape)
    total = prior + 0.3 * mapped
    row = split_scores(mapped, total, prior, {"train": range(7), "val": [7, 8, 9]})
    val = force_scores(mapped[7:], total[7:])
    assert row["val_frames"] == 3 and row["train_frames"] == 7
    assert row["val_rmse_model"] == pytest.approx(val["rmse"])
    assert row["val_explained_model"] == pytest.approx(val["explained"])
    assert row["train_rmse_prior"] == pytest.approx(force_scores(mapped[:7], prior[:7])["rmse"])
    assert row["val_force_rms"] == pytest.approx(np.sqrt(np.mean(mapped[7:] ** 2)))


@pytest.mark.slow
def test_predicted_forces_match_the_model_called_through_ase():
    """The diagnostics' forces equal SchNetPack's own (ASE converter, matscipy pairs:
    none of the Verlet-list code), with and without a prior added."""
    import schnetpack.transform as trn
    from ase import Atoms
    from schnetpack.interfaces import AtomsConverter

    from cgexplain.cg.priors import ChainPrior, PriorParameters
    from cgexplain.cg.training import ModelSpec, build_model

    torch.manual_seed(0)
    model = build_model(ModelSpec("painn", n_features=8, n_interactions=2, n_rbf=6, cutoff=4.0))
    model = model.double().eval()
    rng = np.random.default_rng(2)
    n, edge = 9, 9.0
    traj = Trajectory(
        positions=rng.uniform(0, edge, size=(5, n, 3)),
        forces=np.zeros((5, n, 3)),
        box=np.tile(np.eye(3) * edge, (5, 1, 1)),
        time=np.arange(5.0),
        potential_energy=np.zeros(5),
        atomic_numbers=np.full(n, 6),
        masses=np.full(n, 12.0),
        molecule_index=np.arange(n),
        names=["CA"] * n,
    )
    frames = np.array([4, 0, 2])
    converter = AtomsConverter(
        neighbor_list=trn.MatScipyNeighborList(cutoff=4.0), dtype=torch.float64
    )
    atoms = [
        Atoms(numbers=traj.atomic_numbers, positions=traj.positions[f], cell=traj.box[f], pbc=True)
        for f in frames
    ]
    expected = model(converter(atoms))["forces"].detach().numpy().reshape(3, n, 3)
    total, prior_part = predict_forces(model, traj, frames, 4.0, batch=2)
    np.testing.assert_allclose(total, expected, rtol=1e-9, atol=1e-9)
    assert np.abs(expected).max() > 1e-3 and not prior_part.any()

    prior = ChainPrior(
        PriorParameters(
            bond_k=np.full(n - 1, 10.0),
            bond_r0=np.full(n - 1, 3.8),
            angle_k=np.full(n - 2, 5.0),
            angle_theta0=np.full(n - 2, 2.0),
            dihedral=np.zeros((n - 3, 2)),
            pairs=np.zeros((0, 2), dtype=np.int64),
            repulsion_sigma=np.zeros(0),
        )
    )
    with_prior, prior_part = predict_forces(model, traj, frames, 4.0, prior=prior, batch=2)
    reference = prior.energy_and_forces(torch.as_tensor(traj.positions[frames]))[1].numpy()
    np.testing.assert_allclose(prior_part, reference, rtol=1e-12)
    np.testing.assert_allclose(with_prior - prior_part, expected, rtol=1e-9, atol=1e-9)
