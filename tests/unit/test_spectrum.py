"""The n-body spectrum from synthetic tables with known sums."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cgexplain.analysis.spectrum import ORDERS, nbody_spectrum, spectrum_summary


def _tables(n_frames: int = 30, seed: int = 0):
    """Frames with known R_1, R_2, R_3, R_4+ (kcal/mol), split into random rows."""
    rng = np.random.default_rng(seed)
    parts = rng.normal([-2.0, -5.0, 1.0, 0.5], 0.3, (n_frames, 4))
    frames = pd.DataFrame(
        {
            "frame": np.arange(n_frames) * 10,
            "total": parts.sum(1),
            "explained": parts[:, :3].sum(1),
        }
    )
    pairs, triplets = [], []
    for f, (_, r2, r3, _) in zip(frames["frame"], parts, strict=True):
        for rows, value, n in ((pairs, r2, 7), (triplets, r3, 11)):
            split = rng.dirichlet(np.ones(n)) * value
            rows.append(pd.DataFrame({"frame": f, "relevance": split}))
    return frames, pd.concat(pairs), pd.concat(triplets), parts


def test_orders_are_recovered_and_shares_sum_to_one():
    frames, pairs, triplets, parts = _tables()
    spectrum = nbody_spectrum(frames, pairs, triplets)
    assert spectrum["frame"].tolist() == frames["frame"].tolist()
    np.testing.assert_allclose(spectrum[["r1", "r2", "r3", "r4plus"]], parts, atol=1e-12)
    shares = spectrum[[f"share_{o}" for o in ORDERS]].to_numpy()
    np.testing.assert_allclose(shares, parts / parts.sum(1, keepdims=True), atol=1e-12)
    absolute = spectrum[[f"abs_share_{o}" for o in ORDERS]].to_numpy()
    np.testing.assert_allclose(absolute, np.abs(parts) / np.abs(parts).sum(1, keepdims=True))
    np.testing.assert_allclose(shares.sum(1), 1.0)


def test_a_frame_without_triplets_has_zero_three_body_and_a_stray_frame_is_named():
    frames, pairs, triplets, parts = _tables(5)
    spectrum = nbody_spectrum(frames, pairs, triplets[triplets["frame"] != 20])
    assert spectrum.loc[spectrum["frame"] == 20, "r3"].item() == 0.0
    # the frame's R_3 moves into R_1 (explained is fixed): the split is by difference
    row = spectrum[spectrum["frame"] == 20].iloc[0]
    assert row["r1"] == pytest.approx(parts[2, 0] + parts[2, 2])
    with pytest.raises(ValueError, match=r"pairs of frames \[999\]"):
        nbody_spectrum(
            frames,
            pd.concat([pairs, pd.DataFrame({"frame": [999], "relevance": [1.0]})]),
            triplets,
        )
    with pytest.raises(ValueError, match="lacks columns"):
        nbody_spectrum(frames.drop(columns="explained"), pairs, triplets)


def test_summary_means_intervals_and_seeds():
    frames, pairs, triplets, parts = _tables(60)
    spectrum = nbody_spectrum(frames, pairs, triplets)
    summary = spectrum_summary(spectrum, n_resamples=300, seed=4, block_length=3)
    assert len(summary) == 8 and set(summary["measure"]) == {"share", "abs_share"}
    absolute = summary[summary["measure"] == "abs_share"].set_index("order")
    expected = (np.abs(parts) / np.abs(parts).sum(1, keepdims=True)).mean(0)
    np.testing.assert_allclose(absolute.loc[list(ORDERS), "value"], expected)
    assert (summary["ci_low"] <= summary["value"]).all()
    assert (summary["value"] <= summary["ci_high"]).all()
    assert (summary["ci_high"] > summary["ci_low"]).all()  # noisy data: a real interval
    again = spectrum_summary(spectrum, n_resamples=300, seed=4, block_length=3)
    pd.testing.assert_frame_equal(summary, again)  # seeded: identical intervals
    other = spectrum_summary(spectrum, n_resamples=300, seed=5, block_length=3)
    assert not np.allclose(other["ci_low"], summary["ci_low"])


def test_constant_shares_give_a_zero_width_interval_and_auto_block_length():
    frames, pairs, triplets, _ = _tables(40)
    spectrum = nbody_spectrum(frames, pairs, triplets)
    spectrum.loc[:, [f"abs_share_{o}" for o in ORDERS]] = [0.1, 0.6, 0.2, 0.1]
    summary = spectrum_summary(spectrum, n_resamples=100, seed=0)
    absolute = summary[summary["measure"] == "abs_share"]
    np.testing.assert_allclose(absolute["ci_low"], absolute["ci_high"])
    np.testing.assert_allclose(absolute["value"], [0.1, 0.6, 0.2, 0.1])
    assert (summary["block_length"] >= 1).all()
