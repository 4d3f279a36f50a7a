"""TICA-basin states (cgexplain.analysis.basins) on synthetic 2-D data with known basins."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from cgexplain.analysis import basins as bs

#: basin centres on the synthetic TIC plane and the contact fractions that name them
CENTRES = {"F": (-2.0, -2.0), "U": (2.0, 2.0), "P1": (-2.0, 2.0), "P2": (2.0, -2.0)}
FRACTIONS = {
    "F": (0.95, 0.9, 0.92),
    "U": (0.05, 0.1, 0.08),
    "P1": (0.1, 0.9, 0.85),
    "P2": (0.9, 0.05, 0.1),
    "X": (0.5, 0.5, 0.5),  # matches no name
}


def _chain(truth: list[str], n_runs: int, n_frames: int, stay: float, seed: int = 0):
    """Markov jumps between the basins of ``truth``; frames Gaussian (σ 0.3) about the
    basin centre ('X' sits where P2 would); fractions ± 0.03."""
    rng = np.random.default_rng(seed)
    centres = {**CENTRES, "X": CENTRES["P2"]}
    states, runs = [], []
    for r in range(n_runs):
        s = rng.integers(len(truth))
        for _ in range(n_frames):
            if rng.random() > stay:
                s = rng.integers(len(truth))
            states.append(truth[s])
            runs.append(r)
    states = np.array(states, dtype=object)
    tics = np.array([centres[s] for s in states]) + rng.normal(0, 0.3, (len(states), 2))
    frac = np.array([FRACTIONS[s] for s in states]) + rng.normal(0, 0.03, (len(states), 3))
    fractions = pd.DataFrame(np.clip(frac, 0, 1), columns=["b1b2", "b1b3", "helix"])
    return tics, np.array(runs), fractions, states


def _labels(tics, runs, fractions, n_basins=4, **kw):
    found = bs.find_basins(tics, runs, n_basins=n_basins, seed=7, **kw)
    of_frame = found.assign(tics)
    means = bs.basin_fractions(fractions, of_frame, found.n_basins)
    names = bs.name_basins(means[["b1b2", "b1b3", "helix"]].to_numpy())
    return found, bs.basin_labels(of_frame, names)


def test_four_metastable_basins_are_found_by_pcca_and_named():
    tics, runs, fractions, truth = _chain(["F", "U", "P1", "P2"], 4, 1000, stay=0.98)
    found, labels = _labels(tics, runs, fractions, n_clusters=20, lag=1)
    assert found.method == "pcca", found.reason
    assert found.n_basins == 4
    assert np.array_equal(labels, truth.astype(object))


def test_few_frames_fall_back_to_density_basins_with_a_reason(caplog):
    tics, runs, fractions, truth = _chain(["F", "U", "P1", "P2"], 1, 80, stay=0.9, seed=3)
    assert set(truth) == {"F", "U", "P1", "P2"}
    with caplog.at_level(logging.WARNING):
        found, labels = _labels(tics, runs, fractions, n_clusters=20, lag=10)
    assert found.method == "density"
    assert "transitions" in found.reason and "no MSM" in caplog.text
    assert np.array_equal(labels, truth.astype(object))


@pytest.mark.parametrize("frames,lag", [(80, 10), (4000, 1)])
def test_permuting_the_runs_or_the_frames_keeps_the_labels(frames, lag):
    n_runs = 1 if frames == 80 else 4
    tics, runs, fractions, _ = _chain(["F", "U", "P1", "P2"], n_runs, frames // n_runs, 0.98, 5)
    _, labels = _labels(tics, runs, fractions, n_clusters=20, lag=lag)
    rng = np.random.default_rng(11)
    if n_runs == 1:  # density basins: no time order, shuffle every frame
        order = rng.permutation(len(tics))
    else:  # an MSM needs time order: shuffle whole runs
        blocks = [np.flatnonzero(runs == r) for r in rng.permutation(n_runs)]
        order = np.concatenate(blocks)
    _, shuffled = _labels(
        tics[order], runs[order], fractions.iloc[order].reset_index(drop=True),
        n_clusters=20, lag=lag,
    )  # fmt: skip
    back = np.empty_like(shuffled)
    back[order] = shuffled
    assert np.array_equal(back, labels)


def test_a_basin_matching_no_name_stays_unnamed():
    tics, runs, fractions, truth = _chain(["F", "U", "P1", "X"], 1, 160, stay=0.9, seed=4)
    assert set(truth) == {"F", "U", "P1", "X"}  # the chain visits every basin
    found, labels = _labels(tics, runs, fractions, n_clusters=20, lag=10)
    assert found.n_basins == 4
    expected = np.where(truth == "X", "", truth).astype(object)
    assert np.array_equal(labels, expected)
    assert "P2" not in set(labels)


def test_name_basins_picks_the_matching_basin_nearest_each_corner():
    means = np.array(
        [
            [0.75, 0.8, 0.9],  # F, but farther from (1, 1, 1) than basin 2
            [0.0, 0.1, 0.2],  # U
            [0.95, 1.0, 0.9],  # F
            [0.5, 0.9, 0.9],  # b1b2 neither formed nor broken: nothing
            [np.nan, np.nan, np.nan],  # empty basin
            [0.2, 0.9, 0.71],  # P1
            [0.8, 0.3, 0.0],  # P2 (0.3 is broken: at most `broken`)
        ]
    )
    assert bs.name_basins(means, formed=0.7, broken=0.3) == ["", "U", "F", "", "", "P1", "P2"]


def test_assign_uses_the_nearest_centre_within_the_radius():
    found = bs.Basins(
        centers=np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]]),
        micro_basin=np.array([0, 1, -1]),
        radius=1.0,
        method="pcca",
    )
    points = np.array([[0.5, 0.5], [2.2, 0.1], [0.0, 2.5], [1.5, 1.5], [1.0, 0.0], [-1.01, 0]])
    assert found.assign(points).tolist() == [0, 1, -1, -1, 0, -1]
    # brute force over random points
    rng = np.random.default_rng(0)
    pts = rng.uniform(-2, 5, (500, 2))
    d = np.linalg.norm(pts[:, None] - found.centers[None], axis=-1)
    expect = np.where(d.min(1) <= 1.0, found.micro_basin[d.argmin(1)], -1)
    assert np.array_equal(found.assign(pts), expect)


def test_density_basins_split_two_blobs_and_keep_one():
    rng = np.random.default_rng(1)
    one = rng.normal(0, 0.3, (100, 2))
    two = np.concatenate([one, rng.normal(0, 0.3, (100, 2)) + [4.0, 0.0]])
    assert len(np.unique(bs.density_basins(one, one))) == 1
    labels = bs.density_basins(two, two)
    assert len(np.unique(labels)) == 2
    assert np.array_equal(labels, np.repeat([0, 1], 100))  # numbered left to right


def test_shallow_density_maxima_merge_into_one_basin():
    rng = np.random.default_rng(1)
    pts = np.concatenate([rng.normal(0, 0.3, (200, 2)), rng.normal(0, 0.3, (200, 2)) + [0.8, 0]])
    # the kernel estimate has two maxima (no merging) separated by less than 1 kT
    assert len(np.unique(bs.density_basins(pts, pts, min_barrier=0.0))) == 2
    assert len(np.unique(bs.density_basins(pts, pts))) == 1


def test_a_basin_with_too_few_frames_gets_no_name():
    means = np.array([[0.9, 0.9, 0.9], [1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
    counts = np.array([50, 2, 3])
    assert bs.name_basins(means, counts=counts, min_frames=3) == ["F", "", "U"]
    assert bs.name_basins(means) == ["", "F", "U"]


def test_tiny_inputs_never_crash(caplog):
    tics, runs, fractions, _ = _chain(["F"], 1, 20, stay=1.0)
    found = bs.find_basins(tics, runs, n_clusters=20, lag=2, n_basins=4, seed=1)
    assert found.method == "density" and len(found.centers) == 5  # 20 frames // 4
    assert (found.assign(tics) >= 0).all()
    one = bs.find_basins(tics[:1], runs[:1], n_clusters=20, lag=2, n_basins=4, seed=1)
    assert one.assign(tics[:1]).tolist() == [0]
    with caplog.at_level(logging.WARNING):
        none = bs.find_basins(np.zeros((0, 2)), np.zeros(0), 20, 2, 4, 1)
    assert none.n_basins == 0 and "no unbiased" in caplog.text
    assert none.assign(tics).tolist() == [-1] * 20
    means = bs.basin_fractions(fractions, none.assign(tics), none.n_basins)
    assert bs.name_basins(means[["b1b2", "b1b3", "helix"]].to_numpy()) == []
    table = bs.agreement_table("x", none.assign(tics), [], fractions, np.array(["F"] * 20))
    assert table[["basin", "n_frames", "F", "agreement"]].values.tolist() == [[-1, 20, 20, 0.0]]


def test_agreement_table_on_a_hand_made_example():
    fractions = pd.DataFrame(
        {
            "b1b2": [1.0, 0.8, 0.0, 0.5, 0.2, 0.9],
            "b1b3": [1.0, 0.9, 1.0, 0.5, 0.8, 0.7],
            "helix": [1.0, 1.0, 0.9, 0.5, 0.6, 0.8],
        }
    )
    basins = np.array([0, 0, 1, -1, 1, 0])
    contact = np.array(["F", "U", "P1", "", "", "F"], dtype=object)
    table = bs.agreement_table("ref", basins, ["F", "P1"], fractions, contact)
    assert list(table.columns) == [
        "source", "basin", "state", "n_frames", "b1b2", "b1b3", "helix",
        "F", "U", "P1", "P2", "none", "agreement",
    ]  # fmt: skip
    table = table.set_index("basin")
    assert table["state"].to_dict() == {0: "F", 1: "P1", -1: ""}
    counts = table[["F", "U", "P1", "P2", "none"]].to_dict("index")
    assert counts[0] == {"F": 2, "U": 1, "P1": 0, "P2": 0, "none": 0}
    assert counts[1] == {"F": 0, "U": 0, "P1": 1, "P2": 0, "none": 1}
    assert counts[-1] == {"F": 0, "U": 0, "P1": 0, "P2": 0, "none": 1}
    assert table["n_frames"].to_dict() == {0: 3, 1: 2, -1: 1}
    # labels F F P1 '' P1 F against F U P1 '' '' F: frames 0, 2, 3, 5 agree
    assert np.allclose(table["agreement"], 4 / 6)
    assert table.loc[0, "b1b2"] == pytest.approx((1.0 + 0.8 + 0.9) / 3)
    assert table.loc[1, "helix"] == pytest.approx((0.9 + 0.6) / 2)


def test_biased_frames_follow_the_shards():
    shards = [{"frames": 3, "biased": False}, {"frames": 2, "biased": True}, {"frames": 1}]
    meta = {"source": {"shards": shards}}
    assert bs.biased_frames(meta, 6).tolist() == [False] * 3 + [True] * 2 + [False]
    assert bs.biased_frames({"shards": shards}, 6).tolist() == [0, 0, 0, 1, 1, 0]
    # shards that do not add up, or none: nothing is biased
    assert not bs.biased_frames(meta, 7).any()
    assert not bs.biased_frames({"n_replicas": 4}, 8).any()
