"""Normalisation, binning and agreement of relevance tables, on synthetic known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cgexplain.analysis import protein_maps
from cgexplain.analysis import relevance as rel
from cgexplain.io import InputError


def test_normalizer_is_magnitude_of_mean_walk_relevance():
    frames = pd.DataFrame({"frame": [3, 7], "total": [-10.0, 4.0], "n_walks_total": [5, 2]})
    norm = rel.frame_normalizers(frames)
    assert norm.loc[3] == 2.0 and norm.loc[7] == 2.0
    table = pd.DataFrame({"frame": [3, 7, 7], "relevance": [4.0, -1.0, 6.0], "n_walks": [2, 1, 3]})
    out = rel.normalize_contributions(table, frames)
    np.testing.assert_allclose(out["relevance_norm"], [2.0, -0.5, 3.0])
    np.testing.assert_allclose(out["relevance_per_walk"], [1.0, -0.5, 1.0])
    assert "relevance_norm" not in table  # the input is not modified


@pytest.mark.parametrize("total,n_walks", [(0.0, 5), (np.nan, 5), (1.0, 0)])
def test_unusable_normalizer_is_an_error(total, n_walks):
    frames = pd.DataFrame({"frame": [0], "total": [total], "n_walks_total": [n_walks]})
    with pytest.raises(InputError, match=r"frames \[0\]"):
        rel.frame_normalizers(frames)


def test_contributions_without_frame_entry_are_an_error():
    frames = pd.DataFrame({"frame": [0], "total": [1.0], "n_walks_total": [1]})
    table = pd.DataFrame({"frame": [1], "relevance": [1.0], "n_walks": [1]})
    with pytest.raises(InputError, match="frames \\[1\\]"):
        rel.normalize_contributions(table, frames)


def test_binned_mean_known_answer():
    out = rel.binned_mean(
        np.array([0.5, 0.6, 1.5, 3.5, -1.0]), np.array([1.0, 3.0, 5.0, 9.0, 9.0]), np.arange(4.0)
    )
    np.testing.assert_array_equal(out["count"], [2, 1, 0])
    np.testing.assert_allclose(out["mean"][:2], [2.0, 5.0])
    np.testing.assert_allclose(out["std"][:2], [1.0, 0.0])
    assert np.isnan(out["mean"][2]) and np.isnan(out["std"][2])
    np.testing.assert_allclose(out["center"], [0.5, 1.5, 2.5])


def test_binned_mean_matches_pandas_groupby():
    rng = np.random.default_rng(1)
    x, v = rng.uniform(0, 10, 5000), rng.normal(size=5000)
    edges = np.linspace(0, 10, 76)
    out = rel.binned_mean(x, v, edges)
    groups = pd.Series(v).groupby(pd.cut(x, edges, right=False), observed=False)
    np.testing.assert_allclose(out["mean"], groups.mean().to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(out["std"], groups.std(ddof=0).to_numpy(), rtol=1e-8)
    np.testing.assert_array_equal(out["count"], groups.size().to_numpy())


def test_binned_map_matches_histogram2d():
    rng = np.random.default_rng(2)
    x, y, v = rng.uniform(0, 1, 3000), rng.uniform(0, 2, 3000), rng.normal(size=3000)
    xe, ye = np.linspace(0, 1, 6), np.linspace(0, 2, 8)
    out = rel.binned_map(x, y, v, xe, ye)
    counts, _, _ = np.histogram2d(x, y, [xe, ye])
    sums, _, _ = np.histogram2d(x, y, [xe, ye], weights=v)
    np.testing.assert_array_equal(out["count"].to_numpy().reshape(5, 7), counts)
    np.testing.assert_allclose(out["mean"].to_numpy().reshape(5, 7), sums / counts)
    np.testing.assert_allclose(out["x"].to_numpy().reshape(5, 7)[:, 0], 0.5 * (xe[1:] + xe[:-1]))


def test_triangle_edges_and_triplet_map():
    tri = pd.DataFrame(
        {
            "d_ij": [3.0, 2.0],
            "d_ik": [5.0, 2.0],
            "d_jk": [4.0, 2.0],
            "max_angle": [90.0, 60.0],
            "relevance_norm": [-1.5, 0.5],
        }
    )
    edges = rel.triangle_edges(tri)
    np.testing.assert_allclose(edges["opposite_edge"], [5.0, 2.0])
    np.testing.assert_allclose(edges["adjacent_short"], [3.0, 2.0])
    np.testing.assert_allclose(edges["adjacent_long"], [4.0, 2.0])
    tmap = rel.triplet_map(tri, edge_max=10.0, angle_bins=12, edge_bins=10)
    assert len(tmap) == 120 and tmap["count"].sum() == 2
    hit = tmap[tmap["count"] == 1].set_index("x")["mean"]
    assert hit.loc[95.0] == -1.5  # 90 deg falls in [90, 100)
    assert hit.loc[65.0] == 0.5
    adjacent = rel.adjacent_edge_maps(tri, edge_max=6.0, edge_bins=6)
    assert adjacent["count"].sum() == 2
    right = adjacent[(adjacent["angle_low"] == 80.0) & (adjacent["count"] == 1)]
    assert (right["x"].item(), right["y"].item()) == (3.5, 4.5)


def test_pair_profile_and_well_position():
    r = np.repeat(np.linspace(2.0, 8.0, 61), 10)
    well = -np.exp(-((r - 4.0) ** 2) / 0.2) + np.where(r < 3.0, 5.0, 0.0)
    pairs = pd.DataFrame({"distance": r, "relevance_norm": well})
    profile = rel.pair_profile(pairs, r_max=9.0, n_bins=90)
    assert len(profile) == 90
    assert rel.well_position(profile) == pytest.approx(4.05)
    # a deeper bin with too few entries is ignored
    extra = pd.DataFrame({"distance": [8.55], "relevance_norm": [-50.0]})
    profile = rel.pair_profile(pd.concat([pairs, extra]), r_max=9.0, n_bins=90)
    assert rel.well_position(profile, min_count=5) == pytest.approx(4.05)
    positive = rel.pair_profile(pairs.assign(relevance_norm=1.0), r_max=9.0)
    assert np.isnan(rel.well_position(positive))


def test_profile_correlation():
    profile = pd.DataFrame(
        {"center": np.arange(10.0), "mean": np.sin(np.arange(10.0)), "count": [10] * 10}
    )
    assert rel.profile_correlation(profile, profile, ["center"]) == pytest.approx(1.0)
    flipped = profile.assign(mean=-profile["mean"])
    assert rel.profile_correlation(profile, flipped, ["center"]) == pytest.approx(-1.0)
    # bins outside the common support do not count
    noisy = profile.assign(mean=profile["mean"].where(profile.index < 7, 100.0))
    sparse = noisy.assign(count=np.where(profile.index < 7, 10, 1))
    assert rel.profile_correlation(profile, sparse, ["center"], min_count=5) == pytest.approx(1.0)
    assert rel.profile_correlation(profile, noisy, ["center"]) < 0.9
    with pytest.raises(InputError, match="same grid"):
        rel.profile_correlation(profile, profile.iloc[:5], ["center"])
    assert np.isnan(rel.profile_correlation(profile.iloc[:2], profile.iloc[:2], ["center"]))


def test_relevance_ratio():
    pairs = pd.DataFrame({"relevance_norm": [-2.0, 2.0]})
    triplets = pd.DataFrame({"relevance_norm": [1.0, -1.0, 1.0]})
    assert rel.relevance_ratio(pairs, triplets) == pytest.approx(0.5)


def test_agreement_table():
    centers = np.linspace(0.1, 9.9, 50)
    curve = pd.DataFrame({"center": centers, "mean": np.cos(centers), "count": 10})
    grid = pd.DataFrame(
        {"x": np.repeat([70.0, 90.0, 110.0], 3), "y": np.tile([3.0, 4.0, 5.0], 3)}
    ).assign(mean=np.arange(9.0), count=10)
    rdf = pd.DataFrame({"r": centers, "g": np.exp(-((centers - 4.0) ** 2))})
    runs = {
        ("water", "painn"): (curve, grid, {"ratio_3body_2body": 0.3, "well_position": 3.9}),
        ("water", "so3net"): (
            curve.assign(mean=2 * curve["mean"]),
            grid.assign(mean=-grid["mean"]),
            {"ratio_3body_2body": 0.5, "well_position": None},
        ),
    }
    table = rel.agreement_table(runs, {"water": rdf})
    assert list(table.columns) == ["system", "quantity", "model", "value"]
    value = table.set_index(["quantity", "model"])["value"]
    assert value["corr_2body_painn_so3net", "painn,so3net"] == pytest.approx(1.0)
    assert value["corr_3body_painn_so3net", "painn,so3net"] == pytest.approx(-1.0)
    assert value["ratio_3body_2body", "so3net"] == 0.5
    assert value["rdf_first_peak", "painn"] == pytest.approx(centers[np.argmin(abs(centers - 4))])
    assert value["well_minus_rdf_peak", "painn"] == pytest.approx(
        3.9 - value["rdf_first_peak", "painn"]
    )
    assert np.isnan(value["well_position", "so3net"])


def test_pair_matrix_averages_over_frames_with_absent_pairs_as_zero():
    pairs = pd.DataFrame(
        {
            "frame": [0, 0, 1, 2],
            "i": [0, 1, 0, 0],
            "j": [2, 2, 2, 1],
            "relevance_norm": [-3.0, 1.0, -1.0, 5.0],
        }
    )
    matrix = protein_maps.pair_matrix(pairs, 3, frames=[0, 1])
    expected = np.array([[0.0, 0.0, -2.0], [0.0, 0.0, 0.5], [-2.0, 0.5, 0.0]])
    np.testing.assert_allclose(matrix, expected)
    with pytest.raises(InputError, match=r"frames \[7\]"):
        protein_maps.pair_matrix(pairs, 3, frames=[0, 7])
    with pytest.raises(InputError, match="no frames"):
        protein_maps.pair_matrix(pairs, 3, frames=[])


def test_state_pair_maps_average_explained_frames_of_each_state():
    pairs = pd.DataFrame(
        {
            "frame": [0, 0, 1, 2, 2, 3],
            "i": [0, 1, 0, 0, 0, 1],
            "j": [1, 2, 2, 1, 2, 2],
            "relevance_norm": [2.0, -1.0, 7.0, 4.0, 1.0, 3.0],
        }
    )
    # frames 4 and 5 were not explained
    states = pd.DataFrame({"frame": [0, 1, 2, 3, 4, 5], "state": ["F", "U", "F", "P1", "F", "P2"]})
    used = {"F": True, "U": False, "P1": True, "P2": True}
    maps = protein_maps.state_pair_maps(pairs, states, 3, used)
    assert set(maps) == {"F", "U", "P1", "P2"}
    # F: frames 0 and 2; (0,1) (2+4)/2, (0,2) (0+1)/2, (1,2) (-1+0)/2
    expected_f = np.array([[0.0, 3.0, 0.5], [3.0, 0.0, -0.5], [0.5, -0.5, 0.0]])
    np.testing.assert_allclose(maps["F"], expected_f)
    expected_p1 = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 3.0], [0.0, 3.0, 0.0]])
    np.testing.assert_allclose(maps["P1"], expected_p1)
    assert maps["U"] is None  # too few frames
    assert maps["P2"] is None  # no explained frame


def test_top_interactions_rank_mean_contributions():
    pairs = pd.DataFrame(
        {
            "frame": [0, 0, 0, 1, 1, 1, 2],
            "i": [0, 0, 1, 0, 1, 2, 2],
            "j": [1, 3, 4, 1, 4, 5, 5],
            "relevance_norm": [-4.0, 1.0, 2.0, -2.0, 2.0, 0.5, 100.0],
        }
    )
    triplets = pd.DataFrame(
        {
            "frame": [0, 0, 1, 1, 2],
            "i": [0, 0, 0, 1, 1],
            "j": [1, 2, 1, 2, 2],
            "k": [2, 5, 2, 3, 3],
            "relevance_norm": [1.0, -3.0, 1.0, 0.6, -50.0],
        }
    )
    top = protein_maps.top_interactions(pairs, triplets, frames=[1, 0, 1], n_top=3)
    assert list(top.columns) == ["order", "beads", "value", "rank"]
    # frame 2 does not count; a set missing in a frame counts 0 there
    assert top["order"].tolist() == [2, 2, 2, 3, 3, 3]
    assert top["beads"].tolist() == ["0-1", "1-4", "0-3", "0-2-5", "0-1-2", "1-2-3"]
    np.testing.assert_allclose(top["value"], [-3.0, 2.0, 0.5, -1.5, 1.0, 0.3])
    assert top["rank"].tolist() == [1, 2, 3, 1, 2, 3]

    everything = protein_maps.top_interactions(pairs, triplets, frames=[0, 1], n_top=10)
    assert everything.loc[everything["order"] == 2, "beads"].tolist()[-1] == "2-5"
    np.testing.assert_allclose(everything["value"].iloc[3], 0.25)

    # chain neighbours (span < 3) are left out
    far = protein_maps.top_interactions(pairs, triplets, frames=[0, 1], n_top=10, min_separation=3)
    assert far["beads"].tolist() == ["1-4", "0-3", "2-5", "0-2-5"]
    np.testing.assert_allclose(far["value"], [2.0, 0.5, 0.25, -1.5])
    assert far["rank"].tolist() == [1, 2, 3, 1]

    none_far = protein_maps.top_interactions(pairs, triplets, frames=[0, 1], min_separation=6)
    assert none_far.empty and list(none_far.columns) == ["order", "beads", "value", "rank"]
    with pytest.raises(InputError, match="no frames"):
        protein_maps.top_interactions(pairs, triplets, frames=[])


def test_matrix_table_round_trip():
    rng = np.random.default_rng(6)
    matrices = {}
    for key in ("F", "P1"):
        upper = np.triu(rng.normal(size=(4, 4)), k=1)
        matrices[key] = upper + upper.T
    table = protein_maps.matrix_table({"F": matrices["F"], "U": None, "P1": matrices["P1"]})
    assert list(table.columns) == ["state", "i", "j", "value"]
    assert len(table) == 2 * 6
    assert (table["i"] < table["j"]).all()
    row = table[(table["state"] == "P1") & (table["i"] == 1) & (table["j"] == 3)]
    assert row["value"].item() == matrices["P1"][1, 3]
    back = protein_maps.table_matrices(table, 4)
    assert set(back) == {"F", "P1"}
    for key, matrix in matrices.items():
        np.testing.assert_array_equal(back[key], matrix)
    empty = protein_maps.matrix_table({"U": None}, name="source")
    assert empty.empty and list(empty.columns) == ["source", "i", "j", "value"]
    assert protein_maps.table_matrices(empty, 4, name="source") == {}


def test_well_position_is_refined_within_its_bin():
    """A parabolic well with its vertex at 4.03 Å on 0.1 Å bins (centres ..., 3.95,
    4.05, ...): the bin centre says 4.05, the three-point vertex recovers 4.03."""
    centers = np.arange(2.05, 8.0, 0.1)
    mean = (centers - 4.03) ** 2 - 1.0
    profile = pd.DataFrame({"center": centers, "mean": mean, "count": 50})
    assert rel.well_position(profile) == pytest.approx(4.03, abs=1e-9)
    # a neighbour with too few entries: the bin centre, not an extrapolation
    profile.loc[np.argmin(np.abs(centers - 4.15)), "count"] = 1
    assert rel.well_position(profile) == pytest.approx(4.05)
    # the vertex never leaves the deepest bin
    lopsided = np.where(centers < 4.0, 10.0, (centers - 4.03) ** 2 - 1.0)
    out = rel.well_minimum(centers, lopsided, np.ones_like(centers, dtype=bool))
    assert 4.0 <= out <= 4.1
