"""Training-data artifact finder on synthetic maps with planted bins, and grid alignment."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cgexplain import columns as col
from cgexplain.analysis import artifacts as art
from cgexplain.analysis import relevance as rel
from cgexplain.analysis.triplets import triplet_histogram

N_ANGLE, N_EDGE, EDGE_MAX = 20, 20, 10.0
ANGLE_STEP, EDGE_STEP = 120.0 / N_ANGLE, EDGE_MAX / N_EDGE
ARTIFACT, DECOY, RARE_WEAK, RARE_FEW, EMPTY = (2, 3), (10, 10), (15, 5), (18, 18), (0, 0)


def centres(n_angle: int = N_ANGLE, n_edge: int = N_EDGE, edge_max: float = EDGE_MAX):
    """(n_angle * n_edge,) angle and edge bin centres, x-major as triplet_map writes them."""
    a = np.linspace(60.0, 180.0, n_angle + 1)
    e = np.linspace(0.0, edge_max, n_edge + 1)
    aa, ee = np.meshgrid(0.5 * (a[1:] + a[:-1]), 0.5 * (e[1:] + e[:-1]), indexing="ij")
    return aa.ravel(), ee.ravel()


def flat(cell: tuple[int, int]) -> int:
    return cell[0] * N_EDGE + cell[1]


def planted_tables() -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """Relevance map and training density with the planted bins; and the median density.

    Smooth parts: |mean| <= 0.5, training density within a factor 3 of its median, so no
    smooth bin is rare at 10 % of the median. Planted: ARTIFACT (mean -4, density 1 % of
    the median), DECOY (mean -3.5, density twice the median), RARE_WEAK (mean 0.05, 1 %),
    RARE_FEW (mean -6 from 3 contributions, 1 %), EMPTY (no contribution, no training).
    """
    angle, edge = centres()
    mean = 0.5 * np.sin(2 * np.pi * (angle - 60.0) / 120.0) * np.cos(np.pi * edge / EDGE_MAX)
    mean += 1e-3 * ((angle - 60.0) / 120.0 + np.sqrt(2.0) * edge / EDGE_MAX)  # no |mean| ties
    count = np.full(angle.size, 100)
    shape = 1.0 + 0.5 * np.cos(np.pi * (angle - 60.0) / 120.0) * np.cos(np.pi * edge / EDGE_MAX)
    n_train = np.round(1000 * shape)
    median = np.median(n_train)
    for cell, m, c, n in (
        (ARTIFACT, -4.0, 100, 0.01 * median),
        (DECOY, -3.5, 100, 2.0 * median),
        (RARE_WEAK, 0.05, 100, 0.01 * median),
        (RARE_FEW, -6.0, 3, 0.01 * median),
        (EMPTY, np.nan, 0, 0.0),
    ):
        mean[flat(cell)], count[flat(cell)], n_train[flat(cell)] = m, c, n
    density = n_train / (n_train.sum() * ANGLE_STEP * EDGE_STEP)
    relevance_map = pd.DataFrame({col.X: angle, col.Y: edge, col.MEAN: mean, col.COUNT: count})
    training = pd.DataFrame(
        {col.X: angle, col.Y: edge, art.TRAINING_COUNT: n_train, art.TRAINING_DENSITY: density}
    )
    populated = n_train > 0
    return relevance_map, training, float(np.median(density[populated]))


def cells(found: pd.DataFrame) -> list[tuple[int, int]]:
    ia = np.round((found[col.X].to_numpy() - 60.0) / ANGLE_STEP - 0.5).astype(int)
    ie = np.round(found[col.Y].to_numpy() / EDGE_STEP - 0.5).astype(int)
    return list(zip(ia.tolist(), ie.tolist(), strict=True))


def test_finds_exactly_the_planted_artifact():
    relevance_map, training, median = planted_tables()
    found = art.find_artifacts(relevance_map, training)
    assert tuple(found.columns) == art.ARTIFACT_COLUMNS
    assert cells(found) == [ARTIFACT]
    row = found.iloc[0]
    angle, edge = 60.0 + (ARTIFACT[0] + 0.5) * ANGLE_STEP, (ARTIFACT[1] + 0.5) * EDGE_STEP
    assert row[col.X] == pytest.approx(angle) and row[col.Y] == pytest.approx(edge)
    assert row[art.ANGLE_LOW] == pytest.approx(angle - ANGLE_STEP / 2)
    assert row[art.ANGLE_HIGH] == pytest.approx(angle + ANGLE_STEP / 2)
    assert row[art.EDGE_LOW] == pytest.approx(edge - EDGE_STEP / 2)
    assert row[art.EDGE_HIGH] == pytest.approx(edge + EDGE_STEP / 2)
    assert row[col.MEAN] == -4.0 and row[col.COUNT] == 100
    assert row[art.SIGN] == art.STABILISING
    expected_density = training[art.TRAINING_DENSITY].iloc[flat(ARTIFACT)]
    assert row[art.TRAINING_DENSITY] == pytest.approx(expected_density)
    assert row[art.TRAINING_COUNT] == training[art.TRAINING_COUNT].iloc[flat(ARTIFACT)]
    assert row[art.DENSITY_RATIO] == pytest.approx(expected_density / median)
    assert row[art.DENSITY_RATIO] == pytest.approx(0.01, rel=0.05)


def test_row_order_of_the_training_table_does_not_matter():
    relevance_map, training, _ = planted_tables()
    shuffled = training.sample(frac=1.0, random_state=0)
    pd.testing.assert_frame_equal(
        art.find_artifacts(relevance_map, shuffled), art.find_artifacts(relevance_map, training)
    )


def test_thresholds_behave_as_documented():
    relevance_map, training, _ = planted_tables()
    # every populated bin is "strong": all rare populated bins, strongest first
    assert cells(art.find_artifacts(relevance_map, training, top_fraction=1.0)) == [
        ARTIFACT,
        RARE_WEAK,
    ]
    # fewer contributions needed: the 3-contribution bin joins (|mean| 6 > 4)
    assert cells(art.find_artifacts(relevance_map, training, min_count=1)) == [
        RARE_FEW,
        ARTIFACT,
    ]
    # every bin is rare: exactly the top ceil(5 % of 398 populated bins) = 20, decoy 2nd
    everything = art.find_artifacts(relevance_map, training, density_fraction=100.0)
    assert len(everything) == math.ceil(0.05 * (N_ANGLE * N_EDGE - 2)) == 20
    assert cells(everything)[:2] == [ARTIFACT, DECOY]
    strength = everything[col.MEAN].abs().to_numpy()
    assert (np.diff(strength) <= 0).all()
    populated = relevance_map[relevance_map[col.COUNT] >= 10]
    assert strength.min() == np.sort(populated[col.MEAN].abs().to_numpy())[-20]
    assert set(everything[art.SIGN]) == {art.STABILISING, art.DESTABILISING}
    # a density threshold below the artifact's 1 % leaves nothing, with the columns
    none = art.find_artifacts(relevance_map, training, density_fraction=0.005)
    assert none.empty and tuple(none.columns) == art.ARTIFACT_COLUMNS
    # the artifact is the only bin below 10 % that is strong; at 1 % of the bins only
    # the artifact and the decoy are strong (ceil(3.98) = 4 bins)
    assert cells(art.find_artifacts(relevance_map, training, top_fraction=0.01)) == [ARTIFACT]


def test_ties_at_the_strength_threshold_are_all_kept():
    relevance_map, training, _ = planted_tables()
    relevance_map.loc[flat(DECOY), col.MEAN] = 4.0  # ties with the artifact's |-4|
    top_one = 0.5 / 398  # k = ceil(0.5) = 1 of the 398 populated bins
    found = art.find_artifacts(relevance_map, training, top_one, density_fraction=100.0)
    assert sorted(cells(found)) == sorted([ARTIFACT, DECOY])
    assert set(found[art.SIGN]) == {art.STABILISING, art.DESTABILISING}


@pytest.mark.parametrize(
    "kwargs",
    [{"top_fraction": 0.0}, {"top_fraction": 1.5}, {"density_fraction": 0.0}, {"min_count": 0}],
)
def test_thresholds_out_of_range_raise(kwargs):
    relevance_map, training, _ = planted_tables()
    with pytest.raises(ValueError):
        art.find_artifacts(relevance_map, training, **kwargs)


def test_training_table_without_triplets_raises():
    relevance_map, training, _ = planted_tables()
    training[art.TRAINING_COUNT] = 0.0
    with pytest.raises(ValueError, match="no populated bin"):
        art.find_artifacts(relevance_map, training)


def test_mismatched_grids_raise():
    relevance_map, training, _ = planted_tables()
    angle, edge = centres(N_ANGLE, N_EDGE - 1, EDGE_MAX)  # 19 edge bins
    coarser = pd.DataFrame(
        {col.X: angle, col.Y: edge, art.TRAINING_COUNT: 1.0, art.TRAINING_DENSITY: 1.0}
    )
    with pytest.raises(ValueError, match="grids differ along 'y'"):
        art.find_artifacts(relevance_map, coarser)
    angle, edge = centres(N_ANGLE, N_EDGE, 12.0)  # same count, longer edge axis
    longer = pd.DataFrame(
        {col.X: angle, col.Y: edge, art.TRAINING_COUNT: 1.0, art.TRAINING_DENSITY: 1.0}
    )
    with pytest.raises(ValueError, match="grids differ along 'y'"):
        art.find_artifacts(relevance_map, longer)
    shifted = training.assign(x=training[col.X] + 1.0)
    with pytest.raises(ValueError, match="grids differ along 'x'"):
        art.find_artifacts(relevance_map, shifted)
    with pytest.raises(ValueError, match="complete grid"):
        art.find_artifacts(relevance_map, training.drop(index=5))


def test_map_grid_recovers_the_edges_of_triplet_map():
    rng = np.random.default_rng(0)
    triplets = pd.DataFrame(dict(zip(col.TRIANGLE_SIDES, rng.uniform(2, 6, (3, 50)), strict=True)))
    triplets[col.MAX_ANGLE] = rng.uniform(60, 180, 50)
    triplets[col.RELEVANCE_NORM] = rng.normal(size=50)
    relevance_map = rel.triplet_map(triplets, 12.0, 30, 24)
    x_edges, y_edges = art.map_grid(relevance_map)
    np.testing.assert_allclose(x_edges, np.linspace(60, 180, 31), atol=1e-9)
    np.testing.assert_allclose(y_edges, np.linspace(0, 12, 25), atol=1e-9)
    with pytest.raises(ValueError, match="not uniform"):
        art.map_grid(relevance_map.assign(x=relevance_map[col.X] ** 2))


def test_binning_training_triplets_on_the_map_grid():
    relevance_map, _, _ = planted_tables()
    # 3 triplets in bin (0, 0), 1 on the lower edges of bin (4, 7), 2 outside the grid
    angle = np.array([61.0, 62.0, 65.9, 60.0 + 4 * ANGLE_STEP, 59.0, 181.0])
    edge = np.array([0.1, 0.2, 0.49, 7 * EDGE_STEP, 1.0, 1.0])
    binned = art.bin_training_triplets(angle, edge, relevance_map)
    assert tuple(binned.columns) == art.TRAINING_DENSITY_COLUMNS
    np.testing.assert_array_equal(binned[col.X], relevance_map[col.X])
    np.testing.assert_array_equal(binned[col.Y], relevance_map[col.Y])
    counts = binned[art.TRAINING_COUNT].to_numpy()
    assert counts[flat((0, 0))] == 3 and counts[flat((4, 7))] == 1 and counts.sum() == 4
    density = binned[art.TRAINING_DENSITY].to_numpy()
    assert (density * ANGLE_STEP * EDGE_STEP).sum() == pytest.approx(1.0)
    assert density[flat((0, 0))] == pytest.approx(3 / (4 * ANGLE_STEP * EDGE_STEP))


def test_trajectory_density_matches_the_structure_histogram_on_the_same_grid():
    rng = np.random.default_rng(1)
    n_frames, cutoff = 3, 4.0
    box = np.tile(np.eye(3) * 12.0, (n_frames, 1, 1))
    positions = rng.uniform(0, 12, (n_frames, 40, 3))
    angle, edge = centres(N_ANGLE, N_EDGE, 2 * cutoff)
    relevance_map = pd.DataFrame({col.X: angle, col.Y: edge, col.MEAN: 0.0, col.COUNT: 1})
    training = art.training_triplet_density(positions, box, cutoff, relevance_map)
    histogram = triplet_histogram(positions, box, cutoff, N_ANGLE, N_EDGE)
    assert training[art.TRAINING_COUNT].sum() > 100
    np.testing.assert_allclose(training[art.TRAINING_COUNT], histogram[col.COUNT] * n_frames)
    np.testing.assert_allclose(training[art.TRAINING_DENSITY], histogram[col.DENSITY])
    from_histogram = art.histogram_on_map_grid(histogram, relevance_map)
    np.testing.assert_allclose(from_histogram[art.TRAINING_DENSITY], histogram[col.DENSITY])
    np.testing.assert_allclose(from_histogram[art.TRAINING_COUNT], histogram[col.COUNT])
    # a structure histogram with another cutoff spans another edge axis
    other = triplet_histogram(positions, box, 5.0, N_ANGLE, N_EDGE)
    with pytest.raises(ValueError, match="grids differ"):
        art.histogram_on_map_grid(other, relevance_map)
