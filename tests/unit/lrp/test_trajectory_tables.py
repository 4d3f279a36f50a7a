"""Many-frame relevance tables (cgexplain.lrp.trajectory) against per-frame calls."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lrp_testkit import build_model, random_frame

from cgexplain import nbody_relevance
from cgexplain.analysis.relevance import normalize_contributions
from cgexplain.io import InputError
from cgexplain.lrp.classic import classic_nbody
from cgexplain.lrp.rules import Gamma
from cgexplain.lrp.trajectory import (
    array_frames,
    classic_frames,
    explain_frames,
    explain_trajectory,
    explained_frames_of_shard,
    frame_atoms,
    select_frames,
)


def test_select_frames():
    np.testing.assert_array_equal(select_frames(10, 3), [0, 4, 9])
    np.testing.assert_array_equal(select_frames(3, 5), [0, 1, 2])
    with pytest.raises(InputError):
        select_frames(0, 2)


def test_shards_deal_the_selected_frames_round_robin():
    chosen = select_frames(100, 7)
    shards = [explained_frames_of_shard(100, 7, k, 3) for k in (1, 2, 3)]
    np.testing.assert_array_equal(shards[0], chosen[0::3])
    np.testing.assert_array_equal(np.sort(np.concatenate(shards)), chosen)


def test_frame_atoms_rejects_nan():
    with pytest.raises(InputError, match="NaN"):
        frame_atoms(np.full((2, 3), np.nan), np.eye(3) * 5, np.array([6, 6]))


def test_tables_stack_per_frame_results():
    model = build_model("painn", 3, seed=3)
    frames = [(4, random_frame(7, box=4.5, pbc=True, seed=1)), (9, random_frame(7, 4.5, True, 2))]
    pairs, triplets, table = explain_frames(model, frames, Gamma(0.1))
    assert table["frame"].tolist() == [4, 9]
    for index, atoms in frames:
        ref = nbody_relevance(model, atoms, Gamma(0.1))
        got = pairs[pairs["frame"] == index].drop(columns="frame").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, ref.pairs)
        got = triplets[triplets["frame"] == index].drop(columns="frame").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, ref.triplets)
        row = table.set_index("frame").loc[index]
        assert row["total"] == ref.total and row["n_walks_total"] == ref.n_walks_total
    # normalised: each frame's contributions in units of |its mean walk relevance|
    norm = normalize_contributions(pairs, table)
    first = table.iloc[0]
    scale = abs(first["total"] / first["n_walks_total"])
    sel = norm["frame"] == 4
    np.testing.assert_allclose(
        norm.loc[sel, "relevance_norm"], pairs.loc[sel, "relevance"] / scale
    )


def test_classic_tables_match_classic_nbody():
    model = build_model("schnet", 2, seed=4)
    atoms = random_frame(6, box=4.5, pbc=True, seed=5)
    pairs, triplets, _ = explain_frames(model, [(0, atoms)])
    e2, e3 = classic_frames(model, [(0, atoms)], pairs, triplets)
    ref2, ref3 = classic_nbody(
        model, atoms, pairs[["i", "j"]].to_numpy(), triplets[["i", "j", "k"]].to_numpy()
    )
    np.testing.assert_allclose(e2["e2"], ref2["e2"])
    np.testing.assert_allclose(e3["e3"], ref3["e3"])
    assert "relevance" not in e2 and {"distance", "n_walks"} <= set(e2.columns)
    assert {"max_angle", "d_ij"} <= set(e3.columns)


def test_explain_trajectory_writes_normalised_tables(tmp_path):
    model = build_model("schnet", 2, seed=6)
    frames = [random_frame(6, box=4.5, pbc=True, seed=s) for s in (7, 8, 9)]
    positions = np.stack([a.positions for a in frames]).astype(np.float32)
    box = np.stack([a.cell.array for a in frames])
    numbers = frames[0].numbers
    chosen = np.array([0, 2])
    table = explain_trajectory(
        model,
        array_frames(positions, box, numbers, chosen),
        Gamma(0.2),
        tmp_path / "pairs.parquet",
        tmp_path / "triplets.parquet",
        tmp_path / "frames.csv",
        n_frames=len(chosen),
        labels={"source": "cg", "rule": "gamma", "gamma": 0.2},
    )
    ref_frames = [(int(i), frame_atoms(positions[i], box[i], numbers)) for i in chosen]
    pairs, triplets, ref_table = explain_frames(model, ref_frames, Gamma(0.2))
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "pairs.parquet"), normalize_contributions(pairs, ref_table)
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "triplets.parquet"),
        normalize_contributions(triplets, ref_table),
    )
    written = pd.read_csv(tmp_path / "frames.csv")
    assert written["frame"].tolist() == [0, 2] == table["frame"].tolist()
    assert (written["source"] == "cg").all() and (written["rule"] == "gamma").all()
    assert (written["gamma"] == 0.2).all()
    np.testing.assert_allclose(written["total"], ref_table["total"], rtol=1e-12)
    assert sorted(f.name for f in tmp_path.iterdir()) == [
        "frames.csv",
        "pairs.parquet",
        "triplets.parquet",
    ]


def test_explain_trajectory_writes_nothing_when_a_frame_fails(tmp_path):
    atoms = random_frame(5, box=4.5, pbc=True, seed=1)
    atoms.positions[2] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        explain_trajectory(
            build_model("schnet", 2),
            [(0, atoms)],
            Gamma(0.1),
            tmp_path / "p.parquet",
            tmp_path / "t.parquet",
            tmp_path / "f.csv",
        )
    assert list(tmp_path.iterdir()) == []
