"""Force-matching training: a loadable model whose forces are -dU/dx; resume after a crash."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import cgexplain.cg.training as training
from cgexplain.cg.datasets import write_schnetpack_dataset
from cgexplain.cg.training import ModelSpec, TrainSpec, train_force_matching
from cgexplain.io import InputError, Trajectory
from cgexplain.potentials.loading import load_model, load_spec

pytestmark = pytest.mark.slow


def _soft_sphere_frames(
    n_frames: int, n: int, edge: float, seed: int, sigma: float = 3.5
) -> Trajectory:
    """Random beads in a cubic box with the forces of a known pair potential,
    u(r) = (σ - r)² kcal/mol below σ (Å): F_i = -∂U/∂x_i = Σ_j 2 (σ - r_ij) d_ij / r_ij."""
    rng = np.random.default_rng(seed)
    pos = rng.uniform(0, edge, size=(n_frames, n, 3))
    d = pos[:, :, None] - pos[:, None, :]
    d -= edge * np.round(d / edge)
    r = np.linalg.norm(d, axis=-1) + np.eye(n)[None]
    magnitude = np.where(r < sigma, 2.0 * (sigma - r), 0.0) * (1 - np.eye(n))[None]
    return Trajectory(
        positions=pos,
        forces=(magnitude[..., None] * d / r[..., None]).sum(axis=2),
        box=np.tile(np.eye(3) * edge, (n_frames, 1, 1)),
        time=np.arange(n_frames, dtype=float),
        potential_energy=np.zeros(n_frames),
        atomic_numbers=np.full(n, 6),
        masses=np.full(n, 16.04),
        molecule_index=np.arange(n),
        names=["C"] * n,
    )


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """12 frames of 10 beads in an 8 Å box with forces of a soft harmonic pair repulsion."""
    traj = _soft_sphere_frames(n_frames=12, n=10, edge=8.0, seed=0, sigma=3.0)
    return write_schnetpack_dataset(
        tmp_path_factory.mktemp("data") / "data.db", traj, progress=False
    )


def specs(arch: str, epochs: int) -> tuple[ModelSpec, TrainSpec]:
    return (
        ModelSpec(arch, n_features=8, n_interactions=1, n_rbf=6, cutoff=3.5, lmax=2),
        TrainSpec(
            batch_size=4,
            accumulate_grad_batches=1,
            lr=1e-3,
            weight_decay=0.01,
            max_epochs=epochs,
            early_stopping_patience=50,
            lr_patience=5,
            lr_factor=0.5,
            lr_cooldown=0,
            ema_decay=0.9,
            val_fraction=0.2,
            val_split="blocks",
            val_block=2,
            seed=3,
        ),
    )


@pytest.mark.parametrize("arch", ["painn", "so3net", "schnet"])
def test_training_gives_loadable_model_with_conservative_forces(dataset, tmp_path, arch, caplog):
    model_spec, train_spec = specs(arch, epochs=1)
    caplog.set_level("INFO", logger="cgexplain.cg.training")
    out = tmp_path / "model.pt"
    summary = train_force_matching(
        dataset,
        model_spec,
        train_spec,
        out,
        tmp_path / "metrics.csv",
        tmp_path / "work",
        runs=[5, 7],
        split_out=tmp_path / "split.npz",
    )
    assert summary["epochs"] == 1 and not (tmp_path / "work").exists()
    assert ("PaiNN trains with FastPaiNNPotential" in caplog.text) == (arch == "painn")
    assert ("SchNet trains with FastSchNetPotential" in caplog.text) == (arch == "schnet")
    split = np.load(tmp_path / "split.npz")
    val = split["val_idx"]
    # 20 % of 12 frames: one contiguous block of 2 inside one of the two runs
    assert len(val) == 2 and val[1] == val[0] + 1 and val[0] != 4
    assert sorted([*split["train_idx"], *val]) == list(range(12)) and not len(split["test_idx"])
    assert summary["train_frames"] == 10 and summary["val_frames"] == 2
    metrics = pd.read_csv(tmp_path / "metrics.csv")
    assert list(metrics.columns[:3]) == ["epoch", "train_force_rmse", "val_force_rmse"]
    assert len(metrics) == 1 and np.isfinite(metrics.to_numpy()).all()
    assert load_spec(out) == (model_spec, train_spec)
    saved = torch.load(out, weights_only=False)  # this test's own file
    assert type(saved) is __import__("schnetpack").model.NeuralNetworkPotential  # plain class

    model = load_model(out).double()
    import schnetpack.transform as trn
    from ase import Atoms

    rng = np.random.default_rng(1)
    atoms = Atoms(
        numbers=[6] * 6, positions=rng.uniform(0, 4, (6, 3)), cell=np.eye(3) * 8.0, pbc=True
    )
    converter = __import__("schnetpack").interfaces.AtomsConverter(
        neighbor_list=trn.MatScipyNeighborList(cutoff=3.5), dtype=torch.float64
    )

    def energy_forces(positions):
        atoms.positions = positions
        result = model(converter(atoms))
        return float(result["energy"].detach()), result["forces"].detach().numpy()

    x0 = atoms.positions.copy()
    _, forces = energy_forces(x0)
    h, numeric = 1e-5, np.zeros_like(x0)
    for i in range(6):
        for k in range(3):
            xp, xm = x0.copy(), x0.copy()
            xp[i, k] += h
            xm[i, k] -= h
            numeric[i, k] = -(energy_forces(xp)[0] - energy_forces(xm)[0]) / (2 * h)
    np.testing.assert_allclose(forces, numeric, atol=1e-6 * max(1.0, np.abs(forces).max()))
    assert np.abs(forces).max() > 0  # the check compares something


def test_interrupted_training_resumes_from_last_checkpoint(dataset, tmp_path, monkeypatch):
    model_spec, train_spec = specs("painn", epochs=4)
    args = (
        dataset,
        model_spec,
        train_spec,
        tmp_path / "model.pt",
        tmp_path / "metrics.csv",
        tmp_path / "work",
    )

    original = training._EpochMetrics.on_train_epoch_start

    def crash_at_epoch_2(self, trainer, pl_module):
        if trainer.current_epoch == 2:
            raise RuntimeError("node lost")
        original(self, trainer, pl_module)

    monkeypatch.setattr(training._EpochMetrics, "on_train_epoch_start", crash_at_epoch_2)
    with pytest.raises(RuntimeError, match="node lost"):
        train_force_matching(*args)
    assert (tmp_path / "work/checkpoints/last.ckpt").exists() and not (
        tmp_path / "model.pt"
    ).exists()

    monkeypatch.setattr(training._EpochMetrics, "on_train_epoch_start", original)
    summary = train_force_matching(*args)
    assert summary["epochs"] == 4
    assert pd.read_csv(tmp_path / "metrics.csv")["epoch"].tolist() == [0, 1, 2, 3]


def test_a_given_split_is_used_as_is_and_checked(dataset, tmp_path):
    from cgexplain.cg.splits import save_split

    model_spec, train_spec = specs("schnet", epochs=1)
    # frames 3 and 9: a split validation_split would not draw from this spec
    val = np.array([3, 9])
    save_split(tmp_path / "given.npz", np.setdiff1d(np.arange(12), val), val)
    summary = train_force_matching(
        dataset, model_spec, train_spec, tmp_path / "model.pt", tmp_path / "metrics.csv",
        tmp_path / "work", split=tmp_path / "given.npz", split_out=tmp_path / "used.npz",
    )  # fmt: skip
    assert summary["train_frames"] == 10 and summary["val_frames"] == 2
    np.testing.assert_array_equal(np.load(tmp_path / "used.npz")["val_idx"], val)
    save_split(tmp_path / "short.npz", np.arange(8), np.array([8, 9]))  # 10 of 12 frames
    with pytest.raises(InputError, match="do not split the 12 frames"):
        train_force_matching(
            dataset, model_spec, train_spec, tmp_path / "m2.pt", tmp_path / "m2.csv",
            tmp_path / "work2", split=tmp_path / "short.npz",
        )  # fmt: skip
    assert not (tmp_path / "m2.pt").exists()


def test_missing_dataset_is_named(tmp_path):
    model_spec, train_spec = specs("painn", epochs=1)
    with pytest.raises(InputError, match="dataset not found"):
        train_force_matching(
            tmp_path / "none.db",
            model_spec,
            train_spec,
            tmp_path / "m.pt",
            tmp_path / "m.csv",
            tmp_path / "work",
        )


def _force_rmse(model, traj: Trajectory, cutoff: float) -> float:
    """RMSE (kcal/mol/Å) of a model's forces against the trajectory's, over all frames."""
    import schnetpack.transform as trn
    from ase import Atoms
    from schnetpack.interfaces import AtomsConverter

    model = model.double().eval()
    converter = AtomsConverter(
        neighbor_list=trn.MatScipyNeighborList(cutoff=cutoff), dtype=torch.float64
    )
    frames = [
        Atoms(numbers=traj.atomic_numbers, positions=p, cell=b, pbc=True)
        for p, b in zip(traj.positions, traj.box, strict=True)
    ]
    predicted = model(converter(frames))["forces"].detach().numpy().reshape(traj.forces.shape)
    return float(np.sqrt(((predicted - traj.forces) ** 2).mean()))


def test_training_lowers_the_force_error(tmp_path):
    """Ten epochs on a learnable pair potential cut the validation force error by a factor
    of four against the first epoch, and the saved model's forces by four against the
    untrained model's (seen: ~2.1 -> ~0.2 kcal/mol/Å in 10 s)."""
    from cgexplain.cg.training import build_model

    traj = _soft_sphere_frames(n_frames=64, n=12, edge=8.0, seed=0)
    data = write_schnetpack_dataset(tmp_path / "soft.db", traj, progress=False)
    model_spec = ModelSpec("painn", n_features=16, n_interactions=1, n_rbf=8, cutoff=4.0)
    train_spec = TrainSpec(
        batch_size=8,
        accumulate_grad_batches=1,
        lr=0.01,
        weight_decay=0.0,
        max_epochs=10,
        early_stopping_patience=100,
        lr_patience=100,
        lr_factor=0.5,
        lr_cooldown=0,
        ema_decay=0.5,
        val_fraction=0.25,
        val_split="frames",
        val_block=1,
        seed=3,
    )
    out = tmp_path / "model.pt"
    summary = train_force_matching(
        data, model_spec, train_spec, out, tmp_path / "metrics.csv", tmp_path / "work"
    )
    metrics = pd.read_csv(tmp_path / "metrics.csv")
    assert metrics["epoch"].tolist() == list(range(10))
    first, best = metrics["val_force_rmse"].iloc[0], metrics["val_force_rmse"].min()
    assert best < first / 4, metrics
    assert summary["best_val_force_rmse"] == pytest.approx(best, rel=1e-3)
    assert metrics["train_force_rmse"].iloc[-1] < metrics["train_force_rmse"].iloc[0] / 4

    torch.manual_seed(train_spec.seed)
    untrained = _force_rmse(build_model(model_spec), traj, model_spec.cutoff)
    trained = _force_rmse(load_model(out), traj, model_spec.cutoff)
    rms = float(np.sqrt((traj.forces**2).mean()))
    assert untrained > 0.8 * rms  # a random model knows nothing of the forces
    assert trained < untrained / 4, (trained, untrained)
