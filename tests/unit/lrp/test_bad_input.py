"""Bad input stops with a message that names it, in the library and on the command line."""

from __future__ import annotations

import ase
import ase.io
import numpy as np
import pytest
import torch
from lrp_testkit import build_model, random_frame

# isort: off
import cgexplain  # noqa: F401
import schnetpack as spk

# isort: on
from cgexplain import nbody_relevance
from cgexplain.__main__ import main
from cgexplain.lrp.rules import parse_rule


def test_unknown_rule_is_named() -> None:
    model = build_model("schnet", 2)
    with pytest.raises(ValueError, match="'epsilon'"):
        nbody_relevance(model, random_frame(), rule=parse_rule("epsilon"))


def test_architecture_without_adapter_is_named() -> None:
    model = build_model("schnet", 2)
    model.representation = spk.representation.FieldSchNet(
        n_atom_basis=6,
        n_interactions=1,
        radial_basis=spk.nn.GaussianRBF(n_rbf=5, cutoff=3.0),
        cutoff_fn=spk.nn.CosineCutoff(3.0),
    ).double()
    with pytest.raises(NotImplementedError, match="FieldSchNet"):
        nbody_relevance(model, random_frame())


def test_readout_that_is_not_a_sum_is_named() -> None:
    model = build_model("painn", 2)
    model.output_modules[0].aggregation_mode = "avg"
    with pytest.raises(ValueError, match="summed over beads"):
        nbody_relevance(model, random_frame())


def test_nan_positions_are_named() -> None:
    atoms = random_frame(n_beads=6)
    atoms.positions[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"non-finite .* 1 bead\(s\), first indices \[3\]"):
        nbody_relevance(build_model("painn", 2), atoms)


def _cli(tmp_path, model: str, trajectory: str, *extra: str) -> None:
    main(
        [
            "explain",
            "--model",
            model,
            "--trajectory",
            trajectory,
            "--out-pairs",
            str(tmp_path / "p.parquet"),
            "--out-triplets",
            str(tmp_path / "t.parquet"),
            *extra,
        ]
    )


@pytest.fixture
def files(tmp_path):
    torch.save(build_model("schnet", 2, seed=2), tmp_path / "model.pt")
    ase.io.write(tmp_path / "traj.extxyz", [random_frame(n_beads=5, box=5.0, pbc=True)])
    (tmp_path / "corrupt.pt").write_bytes(b"not a model at all\n" * 10)
    (tmp_path / "corrupt.extxyz").write_text("3\nno lattice here\nC 0 0\n")
    return tmp_path


@pytest.mark.parametrize(
    ("model", "trajectory", "message"),
    [
        ("missing.pt", "traj.extxyz", "model file not found: .*missing.pt"),
        ("corrupt.pt", "traj.extxyz", "cannot read model file .*corrupt.pt: not a PyTorch"),
        ("model.pt", "missing.extxyz", "trajectory file not found: .*missing.extxyz"),
        ("model.pt", "corrupt.extxyz", "cannot read trajectory .*corrupt.extxyz"),
    ],
)
def test_cli_names_the_bad_file_in_one_line(files, capsys, model, trajectory, message) -> None:
    with pytest.raises(SystemExit) as stop:
        _cli(files, str(files / model), str(files / trajectory))
    assert stop.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("cgexplain: error: ")
    assert __import__("re").search(message, err[0]), err[0]
    assert not (files / "p.parquet").exists() and not (files / "t.parquet").exists()


def test_cli_debug_shows_the_traceback(files) -> None:
    from cgexplain.io import InputError

    with pytest.raises(InputError, match="model file not found"):
        _cli(files, str(files / "missing.pt"), str(files / "traj.extxyz"), "--debug")


def test_cli_rejects_a_file_that_is_not_a_potential(files, capsys) -> None:
    torch.save({"weights": torch.zeros(3)}, files / "dict.pt")
    with pytest.raises(SystemExit):
        _cli(files, str(files / "dict.pt"), str(files / "traj.extxyz"))
    assert "not a SchNetPack NeuralNetworkPotential" in capsys.readouterr().err


def test_frame_with_nan_from_the_cli(files, capsys) -> None:
    atoms = random_frame(n_beads=5, box=5.0, pbc=True)
    atoms.positions[0] = np.nan
    ase.io.write(files / "nan.extxyz", [atoms])
    with pytest.raises(SystemExit):
        _cli(files, str(files / "model.pt"), str(files / "nan.extxyz"))
    assert "non-finite" in capsys.readouterr().err


def test_frame_without_a_box_is_explained_as_isolated() -> None:
    atoms = ase.Atoms(numbers=[1, 1], positions=np.zeros((2, 3)))
    atoms.positions[1] = [1.0, 0.0, 0.0]
    res = nbody_relevance(build_model("schnet", 2), atoms)  # no box: fine, not periodic
    assert len(res.pairs) == 1
