"""The command line explains a trajectory; the published SO3net model runs through the API."""

from __future__ import annotations

import ase
import ase.io
import h5py
import numpy as np
import pandas as pd
import pytest
import torch
from lrp_testkit import METHANE, build_model, load_methane, random_frame

from cgexplain import nbody_relevance
from cgexplain.__main__ import main, read_frames


def _frames() -> list[ase.Atoms]:
    return [random_frame(n_beads=6, box=5.0, pbc=True, seed=s) for s in (1, 2)]


def test_read_hdf5_trajectory(tmp_path) -> None:
    frames = _frames()
    path = tmp_path / "traj.h5"
    with h5py.File(path, "w") as handle:
        handle["positions"] = np.stack([a.positions for a in frames]).astype(np.float32)
        handle["box"] = np.stack([a.cell.array for a in frames])
        handle["atomic_numbers"] = frames[0].numbers
    read, n = read_frames(path)
    read = list(read)
    assert n == 2 and [i for i, _ in read] == [0, 1]
    np.testing.assert_allclose(read[1][1].positions, frames[1].positions, atol=1e-5)
    assert read[1][1].pbc.all() and np.allclose(read[1][1].cell.array, frames[1].cell.array)


def test_cli_writes_pair_and_triplet_tables(tmp_path) -> None:
    model = build_model("schnet", 2, seed=2)
    torch.save(model, tmp_path / "model.pt")
    frames = _frames()
    for f in frames:
        f.numbers[:] = frames[0].numbers
    ase.io.write(tmp_path / "traj.extxyz", frames)
    main(
        [
            "explain",
            "--model",
            str(tmp_path / "model.pt"),
            "--trajectory",
            str(tmp_path / "traj.extxyz"),
            "--out-pairs",
            str(tmp_path / "p.parquet"),
            "--out-triplets",
            str(tmp_path / "t.parquet"),
            "--out-summary",
            str(tmp_path / "s.parquet"),
        ]
    )
    pairs = pd.read_parquet(tmp_path / "p.parquet")
    triplets = pd.read_parquet(tmp_path / "t.parquet")
    assert set(pairs.frame) == {0, 1} and {"i", "j", "relevance", "n_walks", "distance"} <= set(
        pairs
    )
    assert {"k", "d_ij", "d_ik", "d_jk", "max_angle"} <= set(triplets)
    expected = nbody_relevance(model, ase.io.read(tmp_path / "traj.extxyz", index=1))
    got = pairs[pairs.frame == 1].reset_index(drop=True)
    np.testing.assert_allclose(got.relevance, expected.pairs.relevance, rtol=1e-10)
    assert (pairs.i < pairs.j).all() and (
        (triplets.i < triplets.j) & (triplets.j < triplets.k)
    ).all()
    summary = pd.read_parquet(tmp_path / "s.parquet").set_index("frame")
    assert summary.loc[1, "n_walks_total"] == expected.n_walks_total
    scale = abs(expected.total / expected.n_walks_total)
    np.testing.assert_allclose(got.relevance_norm, expected.pairs.relevance / scale, rtol=1e-10)


@pytest.mark.skipif(not METHANE.exists(), reason="../shared/data is absent (a user's clone)")
def test_published_so3net_methane_runs() -> None:
    model, atoms = load_methane()
    res = nbody_relevance(model, atoms)  # published default: gamma rule, gamma = 0.1
    assert res.energy == pytest.approx(-20.1952, abs=2e-3)
    assert len(res.pairs) == 551  # every bead pair within the 5 Å cutoff
    assert (res.pairs.distance < 5.0).all() and (res.pairs.n_walks > 0).all()
    assert len(res.triplets) > len(res.pairs)
    assert np.isfinite(res.pairs.relevance).all() and np.isfinite(res.triplets.relevance).all()
    assert np.isfinite(res.modified_energy) and np.isfinite(res.total)
    assert (res.triplets.max_angle > 0).all() and (res.triplets.max_angle <= 180).all()


@pytest.mark.skipif(not METHANE.exists(), reason="../shared/data is absent (a user's clone)")
def test_published_state_dict_rebuild_gives_the_same_pairs() -> None:
    """The model rebuilt from ``state_dict.pt`` (recipe in ../shared/data/README.md)."""
    import schnetpack as spk

    cutoff = 5.0
    rebuilt = spk.model.NeuralNetworkPotential(
        representation=spk.representation.SO3net(
            n_atom_basis=128,
            n_interactions=3,
            lmax=2,
            radial_basis=spk.nn.GaussianRBF(n_rbf=20, cutoff=cutoff),
            cutoff_fn=spk.nn.CosineCutoff(cutoff),
        ),
        input_modules=[spk.atomistic.PairwiseDistances()],
        output_modules=[
            spk.atomistic.Atomwise(n_in=128, output_key="energy"),
            spk.atomistic.Forces(energy_key="energy", force_key="forces"),
        ],
        postprocessors=[spk.transform.CastTo64()],
    )
    rebuilt.load_state_dict(torch.load(METHANE / "state_dict.pt", weights_only=True))
    pickled, atoms = load_methane()
    a = nbody_relevance(rebuilt.eval(), atoms, max_order=2)
    b = nbody_relevance(pickled, atoms, max_order=2)
    assert a.energy == pytest.approx(-20.1952, abs=2e-3)
    np.testing.assert_allclose(a.pairs.relevance, b.pairs.relevance, rtol=1e-5, atol=1e-6)


@pytest.mark.skipif(not METHANE.exists(), reason="../shared/data is absent (a user's clone)")
def test_published_methane_relevance_has_the_published_shape() -> None:
    """The study's methane picture on its own model: 2-body contributions repulsive at
    short range with a stabilising well past the first RDF peak (3.95 Å), 3-body
    contributions small next to 2-body ones (Bonneau et al. 2025, Fig. 2)."""
    from cgexplain.analysis.relevance import normalize_contributions, relevance_ratio

    model, atoms = load_methane()
    res = nbody_relevance(model, atoms)
    frames = pd.DataFrame(
        {"frame": [0], "total": [res.total], "n_walks_total": [res.n_walks_total]}
    )
    pairs = normalize_contributions(res.pairs.assign(frame=0), frames)
    triplets = normalize_contributions(res.triplets.assign(frame=0), frames)
    short = pairs[pairs.distance < 3.7].relevance_norm.mean()
    well = pairs[(pairs.distance > 4.1) & (pairs.distance < 4.8)].relevance_norm.mean()
    assert short > 0 > well
    assert relevance_ratio(pairs, triplets) < 0.1
