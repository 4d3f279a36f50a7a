"""TICA features, run splitting, projection and free energies on known answers."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg

from cgexplain.analysis import tica
from cgexplain.io import InputError, Trajectory
from cgexplain.units import KB_KCAL_PER_MOL_K


def make_trajectory(n_frames: int, metadata: dict) -> Trajectory:
    n_sites = 2
    return Trajectory(
        positions=np.zeros((n_frames, n_sites, 3)),
        forces=np.zeros((n_frames, n_sites, 3)),
        box=np.zeros((n_frames, 3, 3)),
        time=np.arange(n_frames, dtype=np.float64),
        potential_energy=np.zeros(n_frames),
        atomic_numbers=np.ones(n_sites, dtype=np.int64),
        masses=np.ones(n_sites),
        molecule_index=np.zeros(n_sites, dtype=np.int64),
        names=["CA"] * n_sites,
        metadata=metadata,
    )


@pytest.mark.parametrize("min_separation", [1, 3])
def test_pair_distance_features_match_double_loop(min_separation):
    rng = np.random.default_rng(0)
    positions = rng.normal(scale=5.0, size=(4, 7, 3))
    expected = np.array(
        [
            [
                np.sqrt(np.sum((frame[i] - frame[j]) ** 2))
                for i in range(7)
                for j in range(i + 1, 7)
                if j - i >= min_separation
            ]
            for frame in positions
        ]
    )
    out = tica.pair_distance_features(positions, min_separation=min_separation)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-12)


@pytest.mark.parametrize("shape", [(7, 3), (4, 7, 2), (4, 7, 3, 1)])
def test_pair_distance_features_bad_shape(shape):
    with pytest.raises(InputError, match="n_frames, N, 3"):
        tica.pair_distance_features(np.zeros(shape))


@pytest.mark.parametrize(
    "n_frames,metadata,expected",
    [
        (6, {"n_replicas": 3}, [0, 1, 2, 0, 1, 2]),
        (5, {"source": {"shards": [{"frames": 2}, {"frames": 3}]}}, [0, 0, 1, 1, 1]),
        (5, {"shards": [{"frames": 2}, {"frames": 3}]}, [0, 0, 1, 1, 1]),
        (5, {"run_lengths": [3, 2]}, [0, 0, 0, 1, 1]),
        (5, {"source": {"run_lengths": [1, 1, 3]}}, [0, 1, 2, 2, 2]),
        (5, {}, [0, 0, 0, 0, 0]),
        (5, {"source": {"shards": [{"frames": 2}, {"frames": 2}]}}, [0, 0, 0, 0, 0]),
        (5, {"run_lengths": [4, 4]}, [0, 0, 0, 0, 0]),
    ],
)
def test_trajectory_runs(n_frames, metadata, expected):
    runs = tica.trajectory_runs(make_trajectory(n_frames, metadata))
    assert runs.tolist() == expected


def test_split_runs_keeps_time_order():
    features = np.arange(14.0).reshape(7, 2)
    runs = np.array([1, 0, 1, 0, 0, 2, 1])
    parts = tica.split_runs(features, runs)
    assert len(parts) == 3
    np.testing.assert_array_equal(parts[0], features[[1, 3, 4]])
    np.testing.assert_array_equal(parts[1], features[[0, 2, 6]])
    np.testing.assert_array_equal(parts[2], features[[5]])


def telegraph_runs(rng, n_runs=4, n_frames=2000, p_switch=0.01, n_features=6):
    """Runs of 6 features mixing a rare-switching ±1 variable with stronger white noise."""
    mixing = rng.normal(size=(n_features, n_features))
    slow, features = [], []
    for _ in range(n_runs):
        flips = rng.random(n_frames) < p_switch
        s = rng.choice([-1.0, 1.0]) * np.where(np.cumsum(flips) % 2 == 0, 1.0, -1.0)
        noise = rng.normal(scale=3.0, size=(n_frames, n_features - 1))
        latent = np.column_stack([s, noise])
        slow.append(s)
        features.append(latent @ mixing + 10.0)
    return slow, features


def naive_tica(runs: list[np.ndarray], lag: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, eigenvalues (descending) and eigenvectors of symmetrised lag-``lag`` TICA."""
    x = np.concatenate([r[:-lag] for r in runs])
    y = np.concatenate([r[lag:] for r in runs])
    mean = 0.5 * (x.mean(axis=0) + y.mean(axis=0))
    x, y = x - mean, y - mean
    c0 = 0.5 * (x.T @ x + y.T @ y) / len(x)
    ctau = 0.5 * (x.T @ y + y.T @ x) / len(x)
    values, vectors = scipy.linalg.eigh(ctau, c0)
    order = np.argsort(values)[::-1]
    return mean, values[order], vectors[:, order]


def test_tica_finds_the_slow_variable_and_matches_naive_tica():
    rng = np.random.default_rng(3)
    slow, runs = telegraph_runs(rng)
    model = tica.TICAProjection(runs, lagtime=5, dim=2)
    assert model.lagtime == 5
    features = np.concatenate(runs)
    s = np.concatenate(slow)
    # no single feature (nor the largest-variance direction) shows the slow variable
    assert max(abs(np.corrcoef(features[:, k], s)[0, 1]) for k in range(6)) < 0.9
    centred = features - features.mean(axis=0)
    largest_variance = np.linalg.eigh(centred.T @ centred)[1][:, -1]
    assert abs(np.corrcoef(centred @ largest_variance, s)[0, 1]) < 0.5
    projected = model.transform(features)
    assert projected.shape == (len(features), 2)
    assert abs(np.corrcoef(projected[:, 0], s)[0, 1]) > 0.95
    # the fast noise is not slow
    assert abs(np.corrcoef(projected[:, 1], s)[0, 1]) < 0.2

    mean, values, vectors = naive_tica(runs, lag=5)
    naive = (features - mean) @ vectors[:, 0]
    assert abs(np.corrcoef(projected[:, 0], naive)[0, 1]) > 0.99
    # implied timescale of the slow component: -lag / ln(lambda_1)
    np.testing.assert_allclose(model.timescales[0], -5 / np.log(values[0]), rtol=1e-2)
    assert model.timescales.shape == (2,)
    assert model.timescales[0] > 5 * model.timescales[1]


def test_tica_lag_shrinks_for_short_runs_and_skips_too_short_ones():
    rng = np.random.default_rng(4)
    _, long_runs = telegraph_runs(rng, n_runs=3, n_frames=9)
    runs = [*long_runs, rng.normal(size=(2, 6))]  # too short for lag 4: left out
    model = tica.TICAProjection(runs, lagtime=50, dim=2)
    assert model.lagtime == 4  # half the longest run
    assert model.transform(np.concatenate(runs)).shape == (29, 2)


@pytest.mark.parametrize("lengths", [[], [2], [2, 2, 1]])
def test_tica_needs_a_run_of_three_frames(lengths):
    runs = [np.zeros((n, 4)) for n in lengths]
    with pytest.raises(InputError, match="3 frames"):
        tica.TICAProjection(runs, lagtime=1)


def test_free_energy_surface_hand_counts():
    # bins of width 1 on [0, 2) x [0, 2): (0,0) 3 frames, (0,1) none, (1,0) 1, (1,1) 4
    x = np.array([0.2, 0.5, 0.9, 1.5, 1.1, 1.2, 1.3, 1.9])
    y = np.array([0.1, 0.4, 0.8, 0.3, 1.1, 1.5, 1.7, 1.9])
    temperature = 300.0
    table = tica.free_energy_surface(x, y, temperature, bins=2, ranges=((0.0, 2.0), (0.0, 2.0)))
    assert list(table.columns) == ["tic1", "tic2", "count", "free_energy"]
    assert table["count"].tolist() == [3, 0, 1, 4]
    assert table["count"].sum() == len(x)
    np.testing.assert_allclose(table["tic1"], [0.5, 0.5, 1.5, 1.5])
    np.testing.assert_allclose(table["tic2"], [0.5, 1.5, 0.5, 1.5])
    kt = KB_KCAL_PER_MOL_K * temperature
    raw = -kt * np.log(np.array([3.0, np.nan, 1.0, 4.0]) / 8.0)
    expected = raw - np.nanmin(raw)
    np.testing.assert_allclose(table["free_energy"], expected, equal_nan=True)
    assert np.isnan(table["free_energy"][1])
    np.testing.assert_allclose(
        table["free_energy"][[0, 2, 3]], [kt * np.log(4 / 3), kt * np.log(4), 0]
    )


def test_free_energy_surface_grid_and_ranges():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=500), rng.normal(size=500)
    table = tica.free_energy_surface(x, y, 350.0, bins=4, ranges=((-4.0, 4.0), (-2.0, 6.0)))
    assert len(table) == 16
    np.testing.assert_allclose(np.unique(table["tic1"]), [-3.0, -1.0, 1.0, 3.0])
    np.testing.assert_allclose(np.unique(table["tic2"]), [-1.0, 1.0, 3.0, 5.0])
    inside = (np.abs(x) < 4) & (y >= -2) & (y < 6)
    assert table["count"].sum() == inside.sum()
    assert np.nanmin(table["free_energy"]) == 0.0
    assert table["free_energy"].isna().tolist() == (table["count"] == 0).tolist()


def test_pca_before_tica_keeps_the_within_run_motion():
    """Runs that never interconvert, offset along a direction of tiny variance: TICA on
    all features maps each run to a point (the offset is perfectly slow); with a PCA
    filter the motion inside the runs, which the leading components carry, stays."""
    rng = np.random.default_rng(3)
    runs = []
    for r in range(4):
        motion = np.zeros(300)  # stationary, autocorrelated motion inside a run
        for t in range(1, 300):
            motion[t] = 0.9 * motion[t - 1] + rng.normal()
        features = rng.normal(scale=0.2, size=(300, 30))
        features[:, 0] += motion
        features[:, 29] = rng.normal(scale=0.01, size=300) + 0.1 * r  # separates the runs
        runs.append(features)
    runs_id = np.repeat(np.arange(4), 300)
    every = np.concatenate(runs)

    def within(projection):
        y = projection.transform(every)[:, 0]
        return np.mean([y[runs_id == r].std() for r in range(4)]) / y.std()

    assert within(tica.TICAProjection(runs, lagtime=5)) < 0.3
    assert within(tica.TICAProjection(runs, lagtime=5, n_pca=1)) > 0.8
