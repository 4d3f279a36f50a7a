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
from cgexplain.lrp.trajectory import classic_frames, explain_frames, frame_atoms, select_frames


def test_select_frames():
    np.testing.assert_array_equal(select_frames(10, 3), [0, 4, 9])
    np.testing.assert_array_equal(select_frames(3, 5), [0, 1, 2])
    with pytest.raises(InputError):
        select_frames(0, 2)


def test_frame_atoms_rejects_nan():
    with pytest.raises(InputError, match="NaN"):
        frame_atoms(np.full((2, 3), np.nan), np.eye(3) * 5, np.array([6, 6]))


def test_tables_stack_per_frame_results():
    model = build_model("painn", 3, seed=3)
    frames = [(4, random_frame(7, box=4.5, pbc=True, seed=1)), (9, random_frame(7, 4.5, True, 2))]
    pairs, triplets, table = explain_frames(model, frames, "gamma", 0.1)
    assert table["frame"].tolist() == [4, 9]
    for index, atoms in frames:
        ref = nbody_relevance(model, atoms, "gamma", 0.1)
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
