"""Relevance figures from small synthetic tables: every function writes PNG and PDF, and
the returned Figure shows the data it was given (lines, maps, masks, colour scales)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import LogNorm, TwoSlopeNorm

from cgexplain.analysis import relevance as rel
from cgexplain.plots import relevance as plots

from ..figure_checks import assert_mesh, expected_grid, written


def _tables():
    rng = np.random.default_rng(0)
    r = rng.uniform(2.5, 5.0, 2000)
    pairs = pd.DataFrame(
        {"distance": r, "relevance_norm": np.sin(2 * r) + rng.normal(0, 0.1, r.size)}
    )
    sides = rng.uniform(2.5, 5.0, (3000, 3))
    a, b, c = np.sort(sides, axis=1).T
    angle = np.degrees(np.arccos(np.clip((a**2 + b**2 - c**2) / (2 * a * b), -1, 1)))
    triplets = pd.DataFrame(
        {"d_ij": sides[:, 0], "d_ik": sides[:, 1], "d_jk": sides[:, 2], "max_angle": angle}
    ).assign(relevance_norm=lambda t: np.cos(np.radians(t.max_angle)))
    rdf = pd.DataFrame({"r": np.linspace(0.05, 8.95, 90)}).assign(
        g=lambda t: 1 + np.exp(-((t.r - 4) ** 2))
    )
    return pairs, triplets, rdf


def _written(tmp_path, stem):
    return written(tmp_path, stem)


def _symmetric_span(values: np.ndarray, quantile: float = 0.98) -> float:
    """Half-width of the zero-centred colour scale the figures promise: the ``quantile``
    of |finite values|."""
    finite = np.abs(values[np.isfinite(values)])
    return float(np.quantile(finite, quantile))


def _assert_zero_centred(norm, span: float | None = None) -> None:
    assert isinstance(norm, TwoSlopeNorm)
    assert norm.vcenter == 0.0 and norm.vmin == -norm.vmax and norm.vmax > 0
    if span is not None:
        assert norm.vmax == pytest.approx(span)


def _sparse_bins(table: pd.DataFrame, min_count: int) -> pd.DataFrame:
    """Bins that hold data but fewer than ``min_count`` entries (must not be drawn)."""
    sparse = table[(table["count"] > 0) & (table["count"] < min_count)]
    assert len(sparse), "the test data must have sparse bins for the check to mean anything"
    return sparse


def test_fig2_draws_the_rdfs_and_the_profile_above_min_count(tmp_path):
    pairs, _, rdf = _tables()
    other = rdf.assign(g=lambda t: 0.8 * t.g)
    profile = rel.pair_profile(pairs, 9.0, 75)
    min_count = 60
    sparse = _sparse_bins(profile, min_count)
    kept = profile[profile["count"] >= min_count]
    paths, ok = _written(tmp_path, "fig2")
    fig = plots.plot_fig2(
        {"CG": rdf, "reference": other}, profile, "test", paths, min_count=min_count, cutoff=5.0
    )
    assert ok()
    ax, right = fig.axes[:2]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("r / Å", "g(r)", "test")
    assert ax.get_xlim() == pytest.approx((0.0, 9.0))  # up to the last profile bin edge
    curves = {line.get_label(): line for line in ax.get_lines()}
    markers = [line for line in ax.get_lines() if line.get_label().startswith("_")]
    np.testing.assert_array_equal(curves["CG"].get_xydata(), rdf[["r", "g"]].to_numpy())
    np.testing.assert_array_equal(curves["reference"].get_xydata(), other[["r", "g"]].to_numpy())
    assert curves["CG"].get_linestyle() == "-" and curves["reference"].get_linestyle() == "--"
    assert [list(line.get_xdata()) for line in markers] == [[5.0, 5.0]]  # the cutoff
    # relevance axis: bin centres and means of the well-populated bins only
    line = right.get_lines()[0]
    assert line.get_label() == "2-body relevance"
    np.testing.assert_allclose(line.get_xydata(), kept[["center", "mean"]].to_numpy())
    assert not np.isin(sparse["center"], line.get_xdata()).any()
    band = right.collections[0].get_paths()[0].vertices
    low, high = (kept["mean"] - kept["std"]).min(), (kept["mean"] + kept["std"]).max()
    assert band[:, 1].min() == pytest.approx(low) and band[:, 1].max() == pytest.approx(high)
    assert band[:, 0].min() == pytest.approx(kept["center"].min())
    assert right.get_ylabel() == "mean 2-body relevance / a.u."
    # zoomed on the well: its bottom at 1.2 x the lowest mean - std
    assert low < 0
    assert right.get_ylim() == pytest.approx((1.2 * low, min(high, 3 * abs(1.2 * low))))

    paths, _ = _written(tmp_path, "fig2_full")
    full = plots.plot_fig2({"CG": rdf}, profile, "t", paths, min_count=min_count, zoom_well=False)
    bottom, top = full.axes[1].get_ylim()
    assert bottom <= low and top >= high  # everything visible


def test_fig3_map_is_the_table_with_sparse_bins_blank_on_a_zero_centred_scale(tmp_path):
    _, triplets, _ = _tables()
    table = rel.triplet_map(triplets, 10.0, 20, 20)
    min_count = 10
    sparse = _sparse_bins(table, min_count)
    paths, ok = _written(tmp_path, "fig3")
    fig = plots.plot_fig3(table, "test", paths, min_count=min_count)
    assert ok()
    ax = fig.axes[0]
    xs, ys, grid = expected_grid(table, min_count)
    mesh = ax.collections[0]
    assert_mesh(mesh, xs, ys, grid)
    for x, y in zip(sparse["x"], sparse["y"], strict=True):  # NaN (blank) under min_count
        assert np.ma.getmaskarray(mesh.get_array())[ys == y, xs == x].all()
    _assert_zero_centred(mesh.norm, _symmetric_span(grid))
    assert mesh.get_cmap().name == "RdBu_r"
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == (
        "largest angle / deg",
        "opposite edge / Å",
        "test",
    )
    rows = np.flatnonzero(np.isfinite(grid).any(axis=1))  # y range: the filled rows
    assert ax.get_ylim() == pytest.approx((ys[rows[0]] - 0.5, ys[rows[-1]] + 0.5))
    assert fig.axes[1].get_ylabel() == "mean 3-body relevance / a.u."  # colour bar


def test_artifact_figure_shows_map_density_and_outlines_every_artifact(tmp_path):
    from cgexplain.analysis.artifacts import find_artifacts

    _, triplets, _ = _tables()
    table = rel.triplet_map(triplets, 10.0, 20, 20)
    # training density: the map's own counts, with one strongly relevant bin made rare
    density = table[["x", "y"]].assign(
        training_count=table["count"], training_density=table["count"] / 100.0
    )
    populated = table[table["count"] >= 5]
    planted = populated.loc[populated["mean"].abs().idxmax()]
    rare = (density["x"] == planted["x"]) & (density["y"] == planted["y"])
    density.loc[rare, ["training_count", "training_density"]] = [1, 1e-4]
    artifacts = find_artifacts(table, density, top_fraction=0.05, min_count=5)
    assert len(artifacts) == 1 and artifacts["x"].iloc[0] == planted["x"]
    paths, ok = _written(tmp_path, "figS10")
    fig = plots.plot_artifacts(table, density, artifacts, "test", paths, min_count=5)
    assert ok()
    left, right = fig.axes[0], fig.axes[1]
    xs, ys, grid = expected_grid(table, 5)
    assert_mesh(left.collections[0], xs, ys, grid)
    _assert_zero_centred(left.collections[0].norm)
    rho = right.collections[0]
    assert isinstance(rho.norm, LogNorm)
    drawn = rho.get_array()
    expected = density.pivot(index="y", columns="x", values="training_density")
    expected = expected.where(density.pivot(index="y", columns="x", values="training_count") > 0)
    np.testing.assert_allclose(
        np.ma.filled(drawn.astype(float), np.nan).ravel(), expected.to_numpy().ravel()
    )
    for ax in (left, right):  # the artifact bin, outlined in both panels
        (box,) = ax.patches
        assert box.get_xy() == pytest.approx((artifacts["angle_low"][0], artifacts["edge_low"][0]))
        assert box.get_width() == pytest.approx(
            artifacts["angle_high"][0] - artifacts["angle_low"][0]
        )
    assert right.get_title() == "training data; 1 artifact bins outlined"


def test_pair_distribution_shows_counts_and_bin_means(tmp_path):
    pairs, _, _ = _tables()
    histogram = rel.pair_histogram(pairs, 9.0)
    profile = rel.pair_profile(pairs, 9.0, 75)
    paths, ok = _written(tmp_path, "pairs")
    fig = plots.plot_pair_distribution(histogram, profile, "test", paths)
    assert ok()
    ax = fig.axes[0]
    table = histogram.assign(mean=histogram["count"].where(histogram["count"] > 0))
    xs, ys, grid = expected_grid(table, 1)  # empty bins blank
    assert_mesh(ax.collections[0], xs, ys, grid)
    assert isinstance(ax.collections[0].norm, LogNorm)
    filled = profile[profile["count"] > 0]
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_xydata(), filled[["center", "mean"]].to_numpy())
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("r / Å", "2-body relevance / a.u.")
    assert fig.axes[1].get_ylabel() == "pairs"


def test_adjacent_maps_one_panel_per_angle_window_on_one_scale(tmp_path):
    _, triplets, _ = _tables()
    maps = rel.adjacent_edge_maps(triplets, 5.0, 10)
    min_count = 3
    _sparse_bins(maps, min_count)
    paths, ok = _written(tmp_path, "adjacent")
    fig = plots.plot_adjacent_maps(maps, "test", paths, min_count=min_count)
    assert ok()
    windows = maps[["angle_low", "angle_high"]].drop_duplicates().to_numpy()
    assert len(windows) > 1
    panels = [ax for ax in fig.axes if ax.collections and ax.get_title()]
    assert len(panels) == len(windows)
    grids = []
    for ax, (lo, hi) in zip(panels, windows, strict=True):
        window = maps[(maps.angle_low == lo) & (maps.angle_high == hi)]
        xs, ys, grid = expected_grid(window, min_count)
        assert_mesh(ax.collections[0], xs, ys, grid)
        assert ax.get_title() == f"largest angle {lo:.0f}-{hi:.0f}°"
        grids.append(grid.ravel())
    span = _symmetric_span(np.concatenate(grids))  # one scale over all windows
    for ax in panels:
        _assert_zero_centred(ax.collections[0].norm, span)
    assert fig.get_suptitle() == "test"


def test_classic_decomposition_figure(tmp_path):
    pairs, triplets, _ = _tables()
    e2 = rel.pair_profile(pairs.rename(columns={"relevance_norm": "e2"}), 9.0, 75, value="e2")
    e3 = rel.triplet_map(
        triplets.rename(columns={"relevance_norm": "e3"}), 10.0, 20, 20, value="e3"
    )
    min_count = 30
    _sparse_bins(e2, min_count)
    _sparse_bins(e3, min_count)
    paths, ok = _written(tmp_path, "classic")
    fig = plots.plot_classic(e2, e3, "test", paths, min_count=min_count)
    assert ok()
    left, right = fig.axes[:2]
    kept = e2[e2["count"] >= min_count]
    np.testing.assert_allclose(left.get_lines()[0].get_xydata(), kept[["center", "mean"]])
    assert left.get_ylabel() == "mean E2 / kcal mol⁻¹"
    xs, ys, grid = expected_grid(e3, min_count)
    assert_mesh(right.collections[0], xs, ys, grid)
    _assert_zero_centred(right.collections[0].norm, _symmetric_span(grid))


def test_empty_maps_still_draw(tmp_path):
    """A model whose triplets all fall below min_count gives a blank panel, not a crash."""
    _, triplets, _ = _tables()
    paths, ok = _written(tmp_path, "blank")
    fig = plots.plot_fig3(
        rel.triplet_map(triplets.iloc[:3], 10.0, 20, 20), "t", paths, min_count=5
    )
    assert ok()
    mesh = fig.axes[0].collections[0]
    assert np.ma.getmaskarray(mesh.get_array()).all()  # every bin blank
    _assert_zero_centred(mesh.norm)


def test_nbody_spectrum_bars_are_the_absolute_shares_with_their_intervals(tmp_path):
    from cgexplain.analysis.spectrum import ORDERS

    def summary(values, half):
        rows = []
        for measure in ("share", "abs_share"):
            for order, v in zip(ORDERS, values, strict=True):
                scale = 1.0 if measure == "abs_share" else -3.0  # signed rows: not drawn
                rows.append(
                    {"measure": measure, "order": order, "value": scale * v,
                     "ci_low": scale * v - half, "ci_high": scale * v + half}
                )  # fmt: skip
        return pd.DataFrame(rows)

    summaries = {
        "painn": summary([0.1, 0.5, 0.3, 0.1], 0.02),
        "so3net": summary([0.2, 0.4, 0.3, 0.1], 0.05),
    }
    paths, ok = _written(tmp_path, "nbody")
    fig = plots.plot_nbody_spectrum(summaries, "water", paths)
    assert ok()
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_allclose(heights, [0.1, 0.5, 0.3, 0.1, 0.2, 0.4, 0.3, 0.1])
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "1-body",
        "2-body",
        "3-body",
        "4+-body",
    ]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["painn", "so3net"]
    assert ax.get_title() == "water" and ax.get_ylim() == (0, 1)


def test_ci_map_shows_the_map_and_the_interval_width(tmp_path):
    _, triplets, _ = _tables()
    table = rel.triplet_map(triplets, 10.0, 20, 20)
    table = table.assign(ci_width=np.abs(table["mean"]) * 0.5 + 0.01)
    paths, ok = _written(tmp_path, "figS_ci")
    fig = plots.plot_ci_map(table, "test", paths, min_count=5, confidence=0.9)
    assert ok()
    xs, ys, grid = expected_grid(table, 5)
    assert_mesh(fig.axes[0].collections[0], xs, ys, grid)
    _, _, width = expected_grid(table.assign(mean=table["ci_width"]), 5)
    assert_mesh(fig.axes[1].collections[0], xs, ys, width)
    assert fig.axes[1].collections[0].norm.vmin == 0.0
    assert fig.axes[3].get_ylabel() == "90 % interval width / a.u."  # its colour bar


def test_fig2_draws_the_bootstrap_band_of_the_mean(tmp_path):
    pairs, _, rdf = _tables()
    profile = rel.pair_profile(pairs, 9.0, 30)
    ci = profile[["center"]].assign(ci_low=profile["mean"] - 0.05, ci_high=profile["mean"] + 0.05)
    paths, ok = _written(tmp_path, "fig2ci")
    fig = plots.plot_fig2({"CG": rdf}, profile, "t", paths, min_count=5, ci=ci)
    assert ok()
    right = fig.axes[1]
    bands = [c for c in right.collections if c.get_label() == "95 % interval of the mean"]
    assert len(bands) == 1
    drawn = profile[profile["count"] >= 5]
    vertices = bands[0].get_paths()[0].vertices
    assert vertices[:, 1].max() == pytest.approx((drawn["mean"] + 0.05).max())
    assert vertices[:, 1].min() == pytest.approx((drawn["mean"] - 0.05).min())
