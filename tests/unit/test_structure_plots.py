"""Liquid-structure figures (RDFs, triplet maps, model comparison) from small tables: the
returned Figure shows the tables it was given, and the PNG is a real image."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cgexplain.analysis.triplets import triplet_histogram
from cgexplain.plots import structure as plots

from ..figure_checks import assert_figure, mesh_centres


def _rdf(peak: float, height: float) -> pd.DataFrame:
    r = np.linspace(0.05, 8.95, 90)
    return pd.DataFrame({"r": r, "g": 1 + (height - 1) * np.exp(-((r - peak) ** 2) / 0.1)})


def _triplets(seed: int) -> pd.DataFrame:
    """Triplet histogram of 30 random beads in a 10 Å box (2 frames)."""
    rng = np.random.default_rng(seed)
    return triplet_histogram(
        rng.uniform(0, 10, (2, 30, 3)), np.tile(np.eye(3) * 10, (2, 1, 1)), 4.0, 12, 10
    )


def test_rdf_figure_draws_each_curve_with_its_first_peak(tmp_path):
    rdfs = {"reference": _rdf(3.95, 2.2), "painn": _rdf(4.35, 1.8)}
    path = tmp_path / "rdf.png"
    fig = plots.plot_rdf(rdfs, "methane", str(path))
    assert_figure(path, (4.0, 3.0))
    (ax,) = fig.axes
    curves = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert [line.get_label() for line in curves] == [
        "reference (peak 3.95 Å, 2.20)",
        "painn (peak 4.35 Å, 1.80)",
    ]
    for line, table in zip(curves, rdfs.values(), strict=True):
        np.testing.assert_array_equal(line.get_xydata(), table[["r", "g"]].to_numpy())
    (one,) = [line for line in ax.get_lines() if line.get_label().startswith("_")]
    assert list(one.get_ydata()) == [1.0, 1.0]  # the ideal-gas line
    assert ax.get_xlim()[0] == 0.0 and ax.get_xlim()[1] >= 8.95
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("r / Å", "g(r)", "methane")


def test_triplet_map_is_the_density_table(tmp_path):
    table = _triplets(0)
    path = tmp_path / "triplets.png"
    fig = plots.plot_triplet_map(table, "water", str(path))
    assert_figure(path, (4.0, 3.0))
    ax = fig.axes[0]
    (mesh,) = ax.collections
    angles, edges = np.unique(table["angle"]), np.unique(table["edge"])
    expected = np.zeros((edges.size, angles.size))  # rows: opposite edge
    for a, e, d in zip(table["angle"], table["edge"], table["density"], strict=True):
        expected[np.searchsorted(edges, e), np.searchsorted(angles, a)] = d
    assert expected.max() > 0
    np.testing.assert_allclose(np.ma.filled(mesh.get_array(), np.nan), expected)
    x, y = mesh_centres(mesh)
    np.testing.assert_allclose(x, angles)
    np.testing.assert_allclose(y, edges)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("largest angle / deg", "opposite edge / Å")
    assert fig.axes[1].get_ylabel() == "density / (deg·Å)⁻¹"


def test_structure_comparison_one_column_per_model(tmp_path):
    reference = (_rdf(3.95, 2.2), _triplets(0))
    models = {"painn": (_rdf(4.35, 1.8), _triplets(1)), "so3net": (_rdf(3.65, 2.5), _triplets(2))}
    path = tmp_path / "comparison.png"
    fig = plots.plot_structure_comparison(*reference, models, "water", str(path))
    assert_figure(path, (6.4, 5.0))
    axes = np.array(fig.axes).reshape(2, 2)  # rows: RDF, angle distribution
    for column, (name, (rdf, triplets)) in enumerate(models.items()):
        top, bottom = axes[:, column]
        assert top.get_title() == f"water: {name}"
        ref_line, model_line = top.get_lines()
        np.testing.assert_array_equal(ref_line.get_xydata(), reference[0][["r", "g"]])
        np.testing.assert_array_equal(model_line.get_xydata(), rdf[["r", "g"]])
        assert (ref_line.get_label(), model_line.get_label()) == ("reference", name)
        # the largest-angle distribution: counts summed over the edge, normalised
        for line, table in zip(bottom.get_lines(), (reference[1], triplets), strict=True):
            angles = np.unique(table["angle"])
            counts = np.array([table.loc[table["angle"] == a, "count"].sum() for a in angles])
            density = counts / (counts.sum() * (angles[1] - angles[0]))
            np.testing.assert_allclose(line.get_xydata(), np.column_stack([angles, density]))
            assert np.sum(density) * (angles[1] - angles[0]) == pytest.approx(1.0)
        assert bottom.get_xlabel() == "largest angle / deg"


def test_figS1_overlays_reference_imc_and_networks_in_both_panels(tmp_path):
    from cgexplain.analysis.triplets import angle_distribution

    reference = (_rdf(3.95, 2.2), _triplets(0))
    models = {"imc": (_rdf(4.0, 2.1), _triplets(1)), "painn": (_rdf(4.3, 1.8), _triplets(2))}
    paths = [str(tmp_path / "figS1.png"), str(tmp_path / "figS1.pdf")]
    fig = plots.plot_figS1(*reference, models, "methane", paths)
    assert_figure(paths[0], (8.0, 3.2))
    assert_figure(paths[1])
    ax_rdf, ax_angle = fig.axes
    rdf_lines = [line for line in ax_rdf.get_lines() if line.get_linestyle() != ":"]
    assert [line.get_label() for line in rdf_lines] == [
        "reference",
        "IMC pair potential",
        "painn",
    ]
    assert rdf_lines[1].get_linestyle() == "--" and rdf_lines[2].get_linestyle() == "-"
    for line, (rdf, _) in zip(rdf_lines, [reference, *models.values()], strict=True):
        np.testing.assert_allclose(line.get_ydata(), rdf["g"])
    for line, (_, tri) in zip(ax_angle.get_lines(), [reference, *models.values()], strict=True):
        np.testing.assert_allclose(line.get_ydata(), angle_distribution(tri)["density"])


def test_pair_potential_vs_relevance_draws_both_axes(tmp_path):
    centers = np.linspace(3.0, 8.0, 11)
    table = pd.DataFrame(
        {
            "center": centers,
            "pair_energy": -np.exp(-((centers - 4.2) ** 2)),
            "painn": -2 * np.exp(-((centers - 4.1) ** 2)),
            "so3net": -1.5 * np.exp(-((centers - 4.3) ** 2)),
        }
    )
    fig = plots.plot_pair_potential_vs_relevance(table, "methane", str(tmp_path / "c.png"))
    assert_figure(tmp_path / "c.png", (4.8, 3.2))
    ax, twin = fig.axes
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), table["pair_energy"])
    drawn = {line.get_label(): line.get_ydata() for line in twin.get_lines()}
    np.testing.assert_allclose(drawn["painn 2-body"], table["painn"])
    np.testing.assert_allclose(drawn["so3net 2-body"], table["so3net"])
    # zero at the same height on both axes: stabilising is below the line on both
    fractions = [-lo / (hi - lo) for lo, hi in (ax.get_ylim(), twin.get_ylim())]
    assert fractions[0] == pytest.approx(fractions[1])
    for axis, values in ((ax, table["pair_energy"]), (twin, table[["painn", "so3net"]])):
        lo, hi = axis.get_ylim()
        assert lo <= np.min(values.to_numpy()) and hi >= np.max(values.to_numpy())


def test_figS1_and_comparison_draw_the_shell_panels_when_given(tmp_path):
    angles = np.linspace(1.0, 179.0, 90)
    q = np.linspace(-0.98, 0.98, 50)

    def shell(shift: float) -> tuple[pd.DataFrame, pd.DataFrame]:
        return (
            pd.DataFrame(
                {"angle": angles, "density": np.exp(-(((angles - 100 - shift) / 30) ** 2))}
            ),
            pd.DataFrame({"q": q, "density": np.exp(-(((q - 0.5 - shift / 100) / 0.2) ** 2))}),
        )

    reference = (_rdf(3.95, 2.2), _triplets(0))
    models = {
        "imc": (_rdf(4.0, 2.1), _triplets(1), *shell(-10)),
        "painn": (_rdf(4.3, 1.8), _triplets(2), *shell(5)),
    }
    path = str(tmp_path / "figS1.png")
    fig = plots.plot_figS1(*reference, models, "water", [path], reference_shell=shell(0))
    assert_figure(path, (8.0, 6.4))
    ax_shell, ax_q = fig.axes[2:4]
    assert ax_shell.get_title() == "water: first-shell angles"
    curves = [line for line in ax_shell.get_lines() if line.get_linestyle() != ":"]
    assert [line.get_label() for line in curves] == ["reference", "IMC pair potential", "painn"]
    for line, table in zip(curves, [shell(0)[0], *(m[2] for m in models.values())], strict=True):
        np.testing.assert_allclose(line.get_xydata(), table[["angle", "density"]])
    for line, table in zip(
        ax_q.get_lines(), [shell(0)[1], *(m[3] for m in models.values())], strict=True
    ):
        np.testing.assert_allclose(line.get_xydata(), table[["q", "density"]])
    assert curves[1].get_linestyle() == "--" and curves[0].get_color() == "0.1"
    path = str(tmp_path / "comparison.png")
    fig = plots.plot_structure_comparison(*reference, models, "water", path, shell(0))
    assert_figure(path, (6.4, 10.0))
    axes = np.array(fig.axes).reshape(4, 2)
    np.testing.assert_allclose(axes[3, 1].get_lines()[1].get_xydata(), models["painn"][3])
