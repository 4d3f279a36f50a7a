"""Block bootstrap and autocorrelation time on processes with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.signal import lfilter

from cgexplain.analysis import bootstrap as bs


def mean(values: np.ndarray) -> float:
    return float(values.mean())


def ar1(phi: float, n: int, n_series: int, rng: np.random.Generator) -> np.ndarray:
    """(n_series, n) stationary AR(1) series x_t = phi x_{t-1} + e_t, e_t ~ N(0, 1)."""
    burn = int(20 / (1 - phi))  # phi**burn ~ 1e-9: the start is forgotten
    noise = rng.normal(size=(n_series, n + burn))
    return lfilter([1.0], [1.0, -phi], noise, axis=1)[:, burn:]


def test_iid_mean_interval_covers_at_nominal_rate_with_the_normal_width():
    rng = np.random.default_rng(11)
    n, sigma, true_mean, n_experiments = 100, 2.0, 3.0, 200
    hits, widths = [], []
    for experiment in range(n_experiments):
        data = rng.normal(true_mean, sigma, n)
        estimate, low, high = bs.block_bootstrap(data, mean, 1, 400, seed=experiment)
        assert estimate == pytest.approx(data.mean())
        hits.append(low <= true_mean <= high)
        widths.append(high - low)
    # hits of a correct 95 % interval are Binomial(200, 0.95): central 99.9 % is 179-198
    low, high = stats.binom.interval(0.999, n_experiments, 0.95)
    assert low <= np.sum(hits) <= high
    # percentile width ~ 2 z σ sqrt((n - 1) / n) / sqrt(n); measured ratio 0.98, and the
    # mean of 200 widths scatters by ~0.5 %
    normal_width = 2 * 1.96 * sigma / np.sqrt(n)
    assert np.mean(widths) == pytest.approx(normal_width, rel=0.05)


def test_block_interval_of_correlated_series_has_the_ar1_width_and_covers():
    """AR(1), phi = 0.9, unit noise: var(x) = 1 / (1 - phi²) and the mean of n frames
    has var(x) (tau_int - 2 phi (1 - phi^n) / (n (1 - phi)²)) / n, tau_int = 19 times
    the iid variance; blocks see it, single frames do not."""
    phi, n = 0.9, 2000
    tau = (1 + phi) / (1 - phi)
    var_x = 1 / (1 - phi**2)
    se = np.sqrt(var_x * (tau - 2 * phi * (1 - phi**n) / (n * (1 - phi) ** 2)) / n)
    series = ar1(phi, n, 100, np.random.default_rng(5))
    cases = {"block 95": 0.95, "block 50": 0.5, "iid 95": 0.95}  # name: confidence
    hits = {name: [] for name in cases}
    widths = {name: [] for name in cases}
    lengths = []
    for experiment, x in enumerate(series):
        lengths.append(bs.block_length_from_autocorrelation(x))
        for name, level in cases.items():
            length = 1 if name.startswith("iid") else lengths[-1]
            _, low, high = bs.block_bootstrap(x, mean, length, 300, experiment, level)
            hits[name].append(low <= 0.0 <= high)
            widths[name].append(high - low)
    widths = {name: np.array(w) for name, w in widths.items()}
    # 5 x tau_int = 95 frames; tau_int from 2000 frames is noisy (~40 %) and low-biased
    assert 60 <= np.median(lengths) <= 130 and min(lengths) >= 30
    # width 2 z se; blocks of ~5 tau_int lose ~tau_int / (2 l) ~ 10 % of the variance and
    # the estimated lengths run short: measured median ratio 0.89 (95 %), 0.91 (50 %);
    # the median of 100 scatters by ~2 %
    for name, z in (("block 95", 1.96), ("block 50", 0.674)):
        ratio = np.median(widths[name]) / (2 * z * se)
        assert 0.8 <= ratio <= 1.05, (name, ratio)
    # width over the iid interval's: sqrt(19 x 0.9) ~ 4.1 expected (measured 3.9)
    ratio = widths["block 95"] / widths["iid 95"]
    assert 3.0 <= np.median(ratio) <= 5.0 and 2.0 <= ratio.min() and ratio.max() <= 10.0
    # Coverage counts are Binomial(100, p), checked against their central 99.9 %. Being
    # ~10 % narrow with ~25 blocks (t-like tails), the block interval covers p ~ 0.9 at
    # 95 % (t_24 at 0.9 x 1.96: 0.91) and ~0.45 at 50 %; the iid one is sqrt(19) x too
    # narrow: p = P(|Z| < 1.96 / 4.36) ~ 0.34. 2x too wide or narrow leaves each range.
    for name, p in (("block 95", 0.9), ("block 50", 0.45), ("iid 95", 0.34)):
        low, high = stats.binom.interval(0.999, len(series), p)
        assert low <= np.sum(hits[name]) <= high, (name, np.sum(hits[name]))


def test_stationary_bootstrap_agrees_with_moving_blocks_and_the_ar1_width():
    phi, n, length = 0.9, 2000, 100
    se = np.sqrt((1 + phi) / (1 - phi) / (1 - phi**2) / n)  # AR(1) as above, n >> tau_int
    widths = {"moving": [], "stationary": []}
    for i, x in enumerate(ar1(phi, n, 20, np.random.default_rng(8))):
        for method in widths:
            _, low, high = bs.block_bootstrap(x, mean, length, 400, seed=i, method=method)
            widths[method].append(high - low)
    moving, stationary = np.array(widths["moving"]), np.array(widths["stationary"])
    # both ~10 % narrow of 2 z se (blocks of ~5 tau_int): measured 0.94 and 0.89
    for w in (moving, stationary):
        assert 0.8 <= np.median(w) / (2 * 1.96 * se) <= 1.05
    assert np.median(stationary / moving) == pytest.approx(1.0, rel=0.15)  # measured 0.97


def test_same_seed_same_interval_other_seed_other_interval():
    x = np.random.default_rng(2).normal(size=(300, 3))
    first = bs.block_bootstrap(x, bs.frame_nanmean, 10, 200, seed=42)
    again = bs.block_bootstrap(x, bs.frame_nanmean, 10, 200, seed=42)
    other = bs.block_bootstrap(x, bs.frame_nanmean, 10, 200, seed=43)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[1], other[1])
    np.testing.assert_array_equal(first[0], other[0])  # the estimate is not resampled


def test_array_statistic_keeps_shape_and_is_nan_aware():
    rng = np.random.default_rng(3)
    values = rng.normal(size=(400, 4, 5))
    values[:, 0, 0] = np.nan  # a bin no frame populates
    values[rng.random(400) < 0.7, 1, 1] = np.nan  # a bin most frames miss
    values[:-2, 2, 2] = np.nan  # a bin only the last 2 frames populate
    estimate, low, high = bs.block_bootstrap(values, bs.frame_nanmean, 20, 300, seed=0)
    assert estimate.shape == low.shape == high.shape == (4, 5)
    np.testing.assert_allclose(estimate, bs.frame_nanmean(values))
    assert np.isnan(estimate[0, 0]) and np.isnan(low[0, 0]) and np.isnan(high[0, 0])
    assert np.isfinite(low[1, 1]) and low[1, 1] <= estimate[1, 1] <= high[1, 1]
    # only blocks starting at 379 or 380 (of 0..380) reach the last 2 frames: a resample
    # of 20 blocks holds them with probability 1 - (379/381)**20 ~ 0.1 < 0.5 ...
    assert np.isfinite(estimate[2, 2]) and np.isnan(low[2, 2]) and np.isnan(high[2, 2])
    # ... which passes a lower finite-fraction requirement
    _, low_any, _ = bs.block_bootstrap(
        values, bs.frame_nanmean, 20, 300, 0, min_finite_fraction=0.05
    )
    assert np.isfinite(low_any[2, 2])
    _, low_any, _ = bs.block_bootstrap(
        values, bs.frame_nanmean, 20, 300, 0, min_finite_fraction=0.0
    )
    assert np.isfinite(low_any[2, 2])
    finite = np.isfinite(estimate)
    assert (low[finite & np.isfinite(low)] <= high[finite & np.isfinite(low)]).all()


@pytest.mark.parametrize("method", ["moving", "stationary"])
def test_resamples_are_runs_of_consecutive_frames(method):
    n, length = 50, 7
    idx = bs.resample_indices(n, length, 200, np.random.default_rng(0), method)
    assert idx.shape == (200, n) and idx.min() >= 0 and idx.max() < n
    step = (np.diff(idx, axis=1) % n) == 1  # continuing a block (circular for stationary)
    if method == "moving":
        # blocks end exactly every `length` frames; inside a block frames are consecutive
        inside = np.ones(n - 1, dtype=bool)
        inside[length - 1 :: length] = False
        assert step[:, inside].all()
        assert idx[:, ::length].max() <= n - length  # block starts leave room for a block
    else:
        runs = 1 + (~step).sum(axis=1)  # blocks per resample, mean n / length
        assert runs.mean() == pytest.approx(n / length, rel=0.15)


def test_block_length_one_is_iid_and_errors():
    rng = np.random.default_rng(0)
    idx = bs.resample_indices(1000, 1, 1, rng)
    assert np.mean(np.diff(idx[0]) == 1) < 0.01
    with pytest.raises(ValueError, match="block_length"):
        bs.resample_indices(10, 11, 5, rng)
    with pytest.raises(ValueError, match="method"):
        bs.resample_indices(10, 2, 5, rng, "circular")
    with pytest.raises(ValueError, match="confidence"):
        bs.block_bootstrap(np.zeros(10), mean, 2, 5, 0, confidence=1.0)


def test_autocorrelation_time_of_ar1_and_white_noise():
    rng = np.random.default_rng(4)
    for phi in (0.5, 0.9):
        x = ar1(phi, 100_000, 1, rng)[0]
        expected = (1 + phi) / (1 - phi)
        assert bs.integrated_autocorrelation_time(x) == pytest.approx(expected, rel=0.25)
    white = rng.normal(size=20_000)
    assert bs.integrated_autocorrelation_time(white) == pytest.approx(1.0, abs=0.1)
    assert bs.block_length_from_autocorrelation(white) in (5, 6)  # ceil(5 x ~1.0)
    assert bs.block_length_from_autocorrelation(ar1(0.99, 50, 1, rng)[0]) <= 50  # clipped
    with pytest.raises(ValueError, match="constant"):
        bs.integrated_autocorrelation_time(np.ones(10))
