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
K, R0 = 2.0, 4.0  # harmonic pair potential: kcal/mol/Å², Å
H = 0.1  # Å, spacing of the tabulated potential
# Linear interpolation of u between grid points r_i, r_i + h misses u by
# u''/2 (r - r_i)(r_i + h - r) <= h² max|u''| / 8: for the parabola exactly K h² / 8
# at mid-points. Nearest-neighbour values miss by up to |u'| h / 2 (K |r - R0| h / 2,
# 0.39 kcal/mol at 7.9 Å), a grid shifted by one point by |u'| h.
INTERP_BOUND = K * H**2 / 8 + 1e-12  # kcal/mol


def harmonic(r):
    return 0.5 * K * (r - R0) ** 2


def lj(r, eps=0.3, sigma=3.7):
    return 4 * eps * ((sigma / r) ** 12 - (sigma / r) ** 6)


def lj_curvature(r, eps=0.3, sigma=3.7):
    """u''(r) of :func:`lj`, kcal/mol/Å²."""
    return 4 * eps * (156 * sigma**12 / r**14 - 42 * sigma**6 / r**8)


def potential(r_min=3.2, r_max=8.9):
    """Harmonic potential tabulated every H Å, sampled below 8 Å (last sampled 7.9 Å)."""
    r = r_min + H * np.arange(round((r_max - r_min) / H) + 1)
    return pd.DataFrame({"r": r, "energy": harmonic(r), "sampled": r < 8.0})


def profile(mean, count=50):
    return pd.DataFrame({"center": CENTERS, "mean": mean, "count": count})


INSIDE = (CENTERS >= 3.2) & (CENTERS <= 7.9)  # bins in the sampled range (3.45-7.65 Å)


def test_potential_on_profile_is_the_analytic_curve_inside_the_sampled_range_only():
    values = pp.potential_on_profile(potential(), profile(0 * CENTERS))
    # the centres fall half-way between grid points: there the error is largest
    np.testing.assert_allclose(
        values[INSIDE], harmonic(CENTERS[INSIDE]), rtol=0, atol=INTERP_BOUND
    )
    assert np.isnan(values[~INSIDE]).all()
    # on the grid points themselves the tabulated value is returned exactly
    grid = potential()
    on_grid = pd.DataFrame({"center": grid["r"][grid["sampled"]]})
    np.testing.assert_allclose(
        pp.potential_on_profile(grid, on_grid), harmonic(on_grid["center"]), rtol=0, atol=1e-12
    )
    unsampled = potential().assign(sampled=False)
    assert np.isnan(pp.potential_on_profile(unsampled, profile(0 * CENTERS))).all()


def test_potential_on_profile_of_lennard_jones_at_arbitrary_distances():
    h = 0.01
    r = 3.2 + h * np.arange(681)  # 3.2-10 Å, no "sampled": the whole grid counts
    table = pd.DataFrame({"r": r, "energy": lj(r)})
    at = np.random.default_rng(0).uniform(3.2, 10.0, 200)
    values = pp.potential_on_profile(table, pd.DataFrame({"center": at}))
    # |u''| is largest at the inner end (93 kcal/mol/Å²): error <= 1.2e-3 kcal/mol;
    # nearest-neighbour values miss by up to |u'| h / 2 (0.06 kcal/mol at these points)
    bound = h**2 / 8 * np.abs(lj_curvature(np.linspace(3.2, 10.0, 10_001))).max()
    np.testing.assert_allclose(values, lj(at), rtol=0, atol=bound)
    outside = pp.potential_on_profile(table, pd.DataFrame({"center": [3.19, 10.01]}))
    assert np.isnan(outside).all()


def test_correlation_with_a_scaled_copy_of_the_analytic_curve_is_one():
    """The relevance is the analytic potential, scaled (and negated and shifted): the
    correlation is +-1 up to the interpolation error (at most 0.0025 kcal/mol on a curve
    spanning 13 kcal/mol: 1 - r < 1e-6); nearest-neighbour values give 1 - r = 6e-5, a
    grid shifted by one point 2.5e-4."""
    curve = 3.0 * harmonic(CENTERS)
    assert pp.relevance_correlation(potential(), profile(curve)) == pytest.approx(1.0, abs=1e-5)
    minus = pp.relevance_correlation(potential(), profile(-curve + 7))
    assert minus == pytest.approx(-1.0, abs=1e-5)
    table = pp.comparison_table(potential(), {"painn": profile(curve)})
    energy = table[pp.PAIR_ENERGY].to_numpy()
    np.testing.assert_allclose(energy[INSIDE], harmonic(CENTERS[INSIDE]), atol=INTERP_BOUND)
    assert np.isnan(energy[~INSIDE]).all()


def test_sparse_bins_are_left_out():
    rng = np.random.default_rng(0)
    exact = harmonic(CENTERS)
    noisy = exact + np.where(np.arange(len(CENTERS)) % 2 == 0, rng.normal(0, 50, len(CENTERS)), 0)
    counts = np.where(np.arange(len(CENTERS)) % 2 == 0, 2, 50)  # noisy bins are the sparse ones
    assert pp.relevance_correlation(potential(), profile(noisy, counts), min_count=5) == (
        pytest.approx(1.0, abs=1e-5)
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
    exact = harmonic(CENTERS)
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
    assert value["painn"] == pytest.approx(1.0, abs=1e-5)
    assert value["so3net"] == pytest.approx(-1.0, abs=1e-5)
