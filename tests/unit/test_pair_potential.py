"""A pair potential next to the mean 2-body relevance (cgexplain.analysis.pair_potential)
and its row in the agreement table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cgexplain.analysis import pair_potential as pp
from cgexplain.analysis import relevance as rel
from cgexplain.io import InputError

CENTERS = np.arange(0.15, 9.0, 0.3)


def lj(r):
    return 4 * 0.3 * ((3.7 / r) ** 12 - (3.7 / r) ** 6)


def potential(r_min=3.2, r_max=8.9):
    r = np.arange(r_min, r_max + 1e-9, 0.1)
    return pd.DataFrame({"r": r, "energy": lj(r), "sampled": r < 8.0})


def profile(mean, count=50):
    return pd.DataFrame({"center": CENTERS, "mean": mean, "count": count})


def test_potential_on_profile_interpolates_inside_the_sampled_range_only():
    values = pp.potential_on_profile(potential(), profile(0 * CENTERS))
    inside = (CENTERS >= 3.2) & (CENTERS <= 7.9 + 1e-9)
    np.testing.assert_allclose(values[inside], lj(CENTERS[inside]), rtol=0.05, atol=0.01)
    assert np.isnan(values[~inside]).all()
    unsampled = potential().assign(sampled=False)
    assert np.isnan(pp.potential_on_profile(unsampled, profile(0 * CENTERS))).all()


def test_correlation_of_a_scaled_copy_is_one_and_of_its_negative_minus_one():
    curve = 3.0 * np.nan_to_num(pp.potential_on_profile(potential(), profile(0 * CENTERS)))
    assert pp.relevance_correlation(potential(), profile(curve)) == pytest.approx(1.0)
    assert pp.relevance_correlation(potential(), profile(-curve + 7)) == pytest.approx(-1.0)


def test_sparse_bins_are_left_out():
    rng = np.random.default_rng(0)
    exact = np.nan_to_num(pp.potential_on_profile(potential(), profile(0 * CENTERS)))
    noisy = exact + np.where(np.arange(len(CENTERS)) % 2 == 0, rng.normal(0, 50, len(CENTERS)), 0)
    counts = np.where(np.arange(len(CENTERS)) % 2 == 0, 2, 50)  # noisy bins are the sparse ones
    assert pp.relevance_correlation(potential(), profile(noisy, counts), min_count=5) == (
        pytest.approx(1.0)
    )
    assert pp.relevance_correlation(potential(), profile(noisy, counts), min_count=1) < 0.9
    table = pp.comparison_table(potential(), {"painn": profile(noisy, counts)}, min_count=5)
    assert list(table.columns) == ["center", "pair_energy", "painn"]
    assert np.isnan(table["painn"].to_numpy()[counts < 5]).all()


def test_comparison_refuses_profiles_on_other_bins_and_no_profile():
    other = profile(0 * CENTERS).assign(center=CENTERS + 0.05)
    with pytest.raises(InputError, match="other bins"):
        pp.comparison_table(potential(), {"a": profile(0 * CENTERS), "b": other})
    with pytest.raises(InputError, match="no relevance profile"):
        pp.comparison_table(potential(), {})


def test_correlation_needs_three_points_and_variation():
    assert np.isnan(pp.correlation([1.0, 2.0], [1.0, 2.0]))
    assert np.isnan(pp.correlation([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]))
    assert pp.correlation([1.0, 2.0, np.nan, 3.0], [2.0, 4.0, 0.0, 6.0]) == pytest.approx(1.0)


def test_agreement_table_has_a_pair_potential_row_per_model_of_a_liquid_with_imc():
    exact = np.nan_to_num(pp.potential_on_profile(potential(), profile(0 * CENTERS)))
    grid = pd.DataFrame({"x": [70.0, 90.0, 110.0], "y": [3.0, 4.0, 5.0], "mean": 1.0, "count": 10})
    summary = {"ratio_3body_2body": 0.1, "well_position": 4.0}
    runs = {
        ("methane", "painn"): (profile(2 * exact), grid, summary),
        ("methane", "so3net"): (profile(-exact), grid, summary),
        ("water", "painn"): (profile(exact), grid, summary),
    }
    rdf = pd.DataFrame({"r": CENTERS, "g": np.exp(-((CENTERS - 4.0) ** 2))})
    table = rel.agreement_table(
        runs, {"methane": rdf, "water": rdf}, pair_potentials={"methane": potential()}
    )
    rows = table[table["quantity"] == "corr_imc_2body"]
    assert sorted(zip(rows["system"], rows["model"], strict=True)) == [
        ("methane", "painn"),
        ("methane", "so3net"),
    ]
    value = rows.set_index("model")["value"]
    assert value["painn"] == pytest.approx(1.0) and value["so3net"] == pytest.approx(-1.0)
