"""NTL9 figures (Figs. 4-7) and PyMOL scripts from small synthetic inputs."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import Normalize, TwoSlopeNorm
from matplotlib.patches import Polygon, Rectangle

from cgexplain.plots import protein as plots

from ..figure_checks import mesh_centres, written

N = 39
SEQUENCE = "MKVIFLKDVKGMGKKGEIKNVADGYANNFLFKQGLAIEA"
ELEMENTS = {"β1": (1, 5), "β2": (16, 20), "helix": (22, 32), "β3": (35, 38)}
REGIONS = [("β1", "β2"), ("β1", "β3"), ("helix", "helix")]


def _symmetric(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(N, N))
    matrix = (matrix + matrix.T) / 2
    np.fill_diagonal(matrix, 0.0)
    return matrix


def _structure() -> np.ndarray:
    """(N, 3) Å helix-like Cα trace, 3.8 Å between neighbours."""
    t = np.arange(N)
    return np.column_stack([6 * np.cos(t / 2), 6 * np.sin(t / 2), 1.2 * t])


def _interactions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order": [2, 2, 2, 3, 3],
            "beads": [(3, 29), (1, 17), (5, 36), (1, 17, 36), (22, 26, 30)],
            "value": [-0.8, 0.3, -0.1, 0.5, -0.2],
        }
    )


def _written(tmp_path, stem):
    return written(tmp_path, stem)


def _label(i: int) -> str:
    return f"{SEQUENCE[i]}{i + 1}"


def _image(ax) -> np.ndarray:
    """The residue map drawn in ``ax`` (NaN where blank)."""
    (image,) = ax.images
    return np.ma.filled(np.ma.masked_invalid(image.get_array()).astype(float), np.nan)


def _assert_residue_map(ax, expected: np.ndarray) -> None:
    """``ax`` draws ``expected`` (N, N) cell for cell, residue i in row i from the top, on
    a zero-centred scale spanning the 98th percentile of |finite values|."""
    np.testing.assert_allclose(_image(ax), expected)
    assert ax.get_xlim() == (-0.5, N - 0.5) and ax.get_ylim() == (N - 0.5, -0.5)
    assert ax.get_xlabel() == ax.get_ylabel() == "residue"
    norm = ax.images[0].norm
    assert isinstance(norm, TwoSlopeNorm) and norm.vcenter == 0.0 and norm.vmin == -norm.vmax
    finite = np.abs(expected[np.isfinite(expected)])
    assert norm.vmax == pytest.approx(np.quantile(finite, 0.98))
    assert ax.images[0].get_cmap().name == "RdBu_r"


def _texts(ax) -> list[str]:
    return [text.get_text() for text in ax.texts]


def _outlines(ax) -> set[tuple[float, float, float, float]]:
    """(x, y, width, height) of the unfilled rectangles (contact boxes) in ``ax``."""
    return {
        (*patch.get_xy(), patch.get_width(), patch.get_height())
        for patch in ax.patches
        if isinstance(patch, Rectangle) and not patch.get_fill()
    }


def _expected_boxes() -> set[tuple[float, float, float, float]]:
    boxes = set()
    for a, b in REGIONS:
        (a0, a1), (b0, b1) = ELEMENTS[a], ELEMENTS[b]
        boxes.add((b0 - 0.5, a0 - 0.5, b1 - b0 + 1, a1 - a0 + 1))
        boxes.add((a0 - 0.5, b0 - 0.5, a1 - a0 + 1, b1 - b0 + 1))
    return boxes


def _without_diagonal(matrix: np.ndarray) -> np.ndarray:
    out = np.array(matrix, dtype=float)
    out[np.arange(N), np.arange(N)] = np.nan
    return out


def _split(upper: np.ndarray | None, lower: np.ndarray | None) -> np.ndarray:
    """Panel (a) of Fig. 5 cell by cell: ``upper`` above the diagonal, ``lower`` below."""
    out = np.full((N, N), np.nan)
    for i in range(N):
        for j in range(N):
            source = upper if j > i else lower if j < i else None
            if source is not None:
                out[i, j] = source[i, j]
    return out


def _surface(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x, y = np.meshgrid(np.linspace(-2, 2, 12), np.linspace(-1, 1, 10))
    energy = (x**2 - 1) ** 2 + 2 * y**2 + rng.uniform(0, 0.1, x.shape)
    energy[0, :3] = np.nan
    energy -= np.nanmin(energy)
    return pd.DataFrame(
        {"tic1": x.ravel(), "tic2": y.ravel(), "free_energy": energy.ravel(), "state": ""}
    )


def _surface_image(table: pd.DataFrame) -> np.ndarray:
    """(10, 12) free energy of a :func:`_surface` table (rows: TIC 2, as built)."""
    return table["free_energy"].to_numpy()[: 10 * 12].reshape(10, 12)


def _assert_surface(ax, table: pd.DataFrame, norm: Normalize) -> None:
    (mesh,) = ax.collections
    drawn = mesh.get_array()
    expected = _surface_image(table)
    np.testing.assert_array_equal(np.ma.getmaskarray(drawn), np.isnan(expected))
    np.testing.assert_allclose(np.ma.filled(drawn, np.nan), expected)
    x, y = mesh_centres(mesh)
    np.testing.assert_allclose(x, np.linspace(-2, 2, 12))
    np.testing.assert_allclose(y, np.linspace(-1, 1, 10))
    assert (mesh.norm.vmin, mesh.norm.vmax) == (norm.vmin, norm.vmax)


def test_fig4_with_empty_surface(tmp_path):
    empty = _surface(1).assign(free_energy=np.nan)
    paths, ok = _written(tmp_path, "fig4")
    reference = _surface(0)
    # a second row per bin (another state label) with a higher value: the minimum is drawn
    labelled = pd.concat([reference, reference.assign(free_energy=lambda t: t.free_energy + 5)])
    fig = plots.plot_fig4({"reference": labelled, "cg": empty}, paths)
    assert ok()
    left, right = fig.axes[:2]
    top = np.nanmax(_surface_image(reference))
    _assert_surface(left, reference, Normalize(0.0, top))
    assert (left.get_title(), left.get_xlabel(), left.get_ylabel()) == (
        "reference",
        "TIC 1",
        "TIC 2",
    )
    assert right.get_title() == "cg" and not right.collections and _texts(right) == ["no data"]
    assert fig.axes[-1].get_ylabel() == "free energy / kcal mol⁻¹"
    paths, ok = _written(tmp_path, "fig4_capped")
    cg = _surface(2)
    fig = plots.plot_fig4({"reference": _surface(0), "cg": cg}, paths, max_free_energy=3.0)
    assert ok()
    for ax, table in zip(fig.axes[:2], (_surface(0), cg), strict=True):
        _assert_surface(ax, table, Normalize(0.0, 3.0))  # one scale, capped at 3 kcal/mol
    assert np.nanmax(_surface_image(cg)) > 3.0  # the cap is below the data


def test_fig4_shows_production_frames_by_state_and_the_seeds(tmp_path):
    frames = pd.DataFrame({
        "tic1": [0.0, 0.1, 0.2, 1.0, 1.1, -1.0],
        "tic2": [0.0, 0.1, 0.0, 0.5, 0.4, -0.5],
        "state": ["F", "F", "", "P1", "F", "U"],
        "run": [0, 0, 0, 1, 1, 2],
        "seed_state": ["F", "F", "F", "P1", "P1", "U"],
    })  # fmt: skip
    paths, ok = _written(tmp_path, "fig4_sampling")
    fig = plots.plot_fig4({"reference": _surface(0)}, paths, sampling=frames)
    assert ok()
    ax = fig.axes[0]
    dots = {c.get_label(): c.get_offsets() for c in ax.collections[1:] if c.get_label()[0] != "_"}
    # frames are drawn by the state they are in, not the one their run was seeded from
    assert set(dots) == {"F (3)", "none (1)", "P1 (1)", "U (1)"}
    np.testing.assert_allclose(dots["P1 (1)"], [[1.0, 0.5]])
    np.testing.assert_allclose(dots["F (3)"], [[0.0, 0.0], [0.1, 0.1], [1.1, 0.4]])
    # one star per run at its first frame, labelled with its seed state
    assert sorted(_texts(ax)) == ["F", "P1", "U"]
    stars = [c.get_offsets()[0].tolist() for c in ax.collections[1:] if c.get_label()[0] == "_"]
    assert sorted(stars) == [[-1.0, -0.5], [0.0, 0.0], [1.0, 0.5]]


def test_figS11_contact_maps_next_to_relevance_and_missing_states(tmp_path):
    from cgexplain.analysis.states import state_contact_maps

    n = len(SEQUENCE)
    rng = np.random.default_rng(0)
    positions = np.cumsum(rng.normal(0, 2.2, (6, n, 3)), axis=1)
    labels = np.array(["F", "F", "P1", "F", "", "P1"], dtype=object)
    contacts = state_contact_maps(positions, labels, cutoff=8.0, min_frames=2)
    assert contacts["U"] is None and contacts["P2"] is None
    d = np.linalg.norm(positions[:, :, None] - positions[:, None], axis=-1)
    np.testing.assert_allclose(contacts["P1"], (d[[2, 5]] < 8.0).mean(axis=0))
    assert np.all(np.diag(contacts["F"]) == 1.0)
    relevance = {"F": _symmetric(0), "U": None, "P1": _symmetric(2), "P2": None}
    counts = {"F": 3, "U": 0, "P1": 2, "P2": 0}
    paths, ok = _written(tmp_path, "figS11")
    fig = plots.plot_figS11(contacts, relevance, counts, ELEMENTS, REGIONS, paths)
    assert ok()
    axes = [ax for ax in fig.axes if ax.get_title()]
    titles = [ax.get_title() for ax in axes]
    assert titles[:4] == ["F: contacts (3 frames)", "U: contacts (0 frames)",
                          "P1: contacts (2 frames)", "P2: contacts (0 frames)"]  # fmt: skip
    drawn = {ax.get_title(): ax for ax in axes}
    (image,) = drawn["P1: contacts (2 frames)"].get_images()
    np.testing.assert_allclose(image.get_array(), contacts["P1"])
    assert _texts(drawn["U: contacts (0 frames)"]) == ["U: too few frames"]
    assert _texts(drawn["P2: 2-body relevance"]) == ["P2: too few frames"]
    _assert_residue_map(drawn["F: 2-body relevance"], _without_diagonal(relevance["F"]))


def test_fig5_full_and_missing_states(tmp_path):
    maps = {key: _symmetric(seed) for seed, key in enumerate(("F", "U", "P1", "P2"))}
    paths, ok = _written(tmp_path, "fig5")
    fig = plots.plot_fig5(maps, SEQUENCE, ELEMENTS, REGIONS, paths)
    assert ok()
    a, b, c = fig.axes[:3]
    _assert_residue_map(a, _split(maps["F"], maps["U"]))
    _assert_residue_map(b, _without_diagonal(maps["P1"] - maps["F"]))
    _assert_residue_map(c, _without_diagonal(maps["P2"] - maps["F"]))
    assert [ax.get_title() for ax in (a, b, c)] == [
        "(a) F (upper) / U (lower)",
        "(b) P1 − F",
        "(c) P2 − F",
    ]
    for ax in (a, b, c):
        assert _outlines(ax) == _expected_boxes()
        assert {"β1", "β2", "helix", "β3"} <= set(_texts(ax))  # element bars
    assert [ax.get_ylabel() for ax in fig.axes[3:]] == ["relevance / a.u."] + [
        "Δ relevance / a.u."
    ] * 2
    paths, ok = _written(tmp_path, "fig5_missing")
    fig = plots.plot_fig5({**maps, "U": None, "P2": None}, SEQUENCE, ELEMENTS, REGIONS, paths)
    assert ok()
    a, b, c = fig.axes[:3]
    _assert_residue_map(a, _split(maps["F"], None))  # lower triangle blank
    assert "U: too few frames" in _texts(a)
    _assert_residue_map(b, _without_diagonal(maps["P1"] - maps["F"]))
    assert not c.images and _texts(c) == ["P2: too few frames"]
    paths, ok = _written(tmp_path, "fig5_no_folded")
    fig = plots.plot_fig5({**maps, "F": None}, SEQUENCE, ELEMENTS, REGIONS, paths)
    assert ok()
    a, b, c = fig.axes[:3]
    _assert_residue_map(a, _split(None, maps["U"]))
    assert "F: too few frames" in _texts(a)
    assert not b.images and not c.images  # differences to F need F
    assert _texts(b) == ["F: too few frames"] and _texts(c) == ["F: too few frames"]


def test_fig5_rejects_unknown_element(tmp_path):
    maps = {key: _symmetric(seed) for seed, key in enumerate(("F", "U", "P1", "P2"))}
    with pytest.raises(ValueError, match="β4"):
        plots.plot_fig5(maps, SEQUENCE, ELEMENTS, [("β1", "β4")], [str(tmp_path / "x.png")])


def test_fig6_with_and_without_three_body(tmp_path):
    paths, ok = _written(tmp_path, "fig6")
    fig = plots.plot_fig6(_structure(), SEQUENCE, _interactions(), paths, ELEMENTS)
    assert ok()
    xy = plots.project_structure(_structure())
    two, three = fig.axes[:2]
    for ax in (two, three):  # the Cα trace: one segment per bond
        segments = np.asarray(ax.collections[0].get_segments())
        np.testing.assert_allclose(segments, np.stack([xy[:-1], xy[1:]], axis=1))
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("PC 1 / Å", "PC 2 / Å")
    # pairs: one line each between the projected Cα, weakest first; blue < 0 < red
    pairs = _interactions().query("order == 2")
    order = np.argsort(np.abs(pairs["value"].to_numpy()))
    assert len(two.lines) == len(pairs)
    for line, k in zip(two.lines, order, strict=True):
        i, j = pairs["beads"].iloc[k]
        np.testing.assert_allclose(line.get_xydata(), xy[[i, j]])
        red, _, blue, _ = line.get_color()
        assert (blue > red) == (pairs["value"].iloc[k] < 0)
    assert {_label(i) for i in (3, 29, 1, 17, 5, 36)} <= set(_texts(two))
    # triplets: one triangle each over its three Cα
    triplets = _interactions().query("order == 3")
    triangles = [p for p in three.patches if isinstance(p, Polygon)]
    assert len(triangles) == len(triplets) and not three.lines
    drawn = {tuple(np.round(t.get_xy()[:3], 6).ravel()) for t in triangles}
    assert drawn == {tuple(np.round(xy[list(b)], 6).ravel()) for b in triplets["beads"]}
    assert (
        two.get_title() == "folded state: 2-body" and three.get_title() == "folded state: 3-body"
    )
    paths, ok = _written(tmp_path, "fig6_pairs")
    pairs = _interactions().query("order == 2")
    fig = plots.plot_fig6(_structure(), SEQUENCE, pairs, paths)
    assert ok()
    assert len(fig.axes[0].lines) == 3
    assert "none" in _texts(fig.axes[1]) and not fig.axes[1].patches


def test_projection_keeps_distances_in_plane():
    planar = np.column_stack([_structure()[:, :2], np.zeros(N)])
    xy = plots.project_structure(planar)
    assert xy.shape == (N, 2)
    original = np.linalg.norm(planar[:, None] - planar[None], axis=-1)
    projected = np.linalg.norm(xy[:, None] - xy[None], axis=-1)
    np.testing.assert_allclose(projected, original, atol=1e-9)


def _colours(script: str) -> dict[str, tuple[float, ...]]:
    found = re.findall(r"set_color (\S+)_colour, \[([^\]]+)\]", script)
    return {name: tuple(float(v) for v in rgb.split(",")) for name, rgb in found}


def test_pymol_script(tmp_path):
    out = tmp_path / "fig6.pml"
    numbers = list(range(1, N + 1))
    plots.write_pymol_script(
        _interactions(), "ntl9.pdb", numbers, str(out), object_name="ntl9", chain="A"
    )
    script = out.read_text()
    assert "load ntl9.pdb, ntl9" in script
    assert "distance r2_1, /ntl9//A/4/CA, /ntl9//A/30/CA" in script
    assert "/A/2/CA" in script and "/A/18/CA" in script and "/A/37/CA" in script
    assert "distance r3_1_ac, /ntl9//A/2/CA, /ntl9//A/37/CA" in script
    colours = _colours(script)
    assert "set dash_color, r2_1_colour, r2_1" in script
    assert "set dash_color, r3_2_colour, r3_2_bc" in script
    for name in ("r2_1", "r2_3", "r3_2"):  # negative values: blue
        red, _, blue = colours[name]
        assert blue > red, name
    for name in ("r2_2", "r3_1"):  # positive values: red
        red, _, blue = colours[name]
        assert red > blue, name
    # the weaker stabilising pair is lighter (closer to white) than the strongest one
    assert min(colours["r2_3"]) > min(colours["r2_1"])
    assert "value -0.8" in script
    assert [p.name for p in tmp_path.iterdir()] == ["fig6.pml"]


def test_pymol_script_uses_pdb_numbering(tmp_path):
    out = tmp_path / "offset.pml"
    numbers = [n + 100 for n in range(N)]
    table = pd.DataFrame({"order": [2], "beads": [(3, 29)], "value": [0.2]})
    plots.write_pymol_script(table, "x.pdb", numbers, str(out), object_name="wt", chain="B")
    script = out.read_text()
    assert "distance r2_1, /wt//B/103/CA, /wt//B/129/CA" in script
    with pytest.raises(ValueError, match="residue number"):
        plots.write_pymol_script(
            table, "x.pdb", numbers[:10], str(tmp_path / "bad.pml"), object_name="x", chain="A"
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["offset.pml"]


def test_top_changed_contacts():
    difference = np.zeros((6, 6))
    row = [9.0, 0.1, -0.5, 0.3, -2.0, 1.0]  # entry 0 is the residue itself
    difference[0] = difference[:, 0] = row
    difference[2, 3] = difference[3, 2] = 50.0  # not a contact of residue 0
    top = plots.top_changed_contacts(difference, 0, n_top=3)
    assert list(top.columns) == ["order", "beads", "value"]
    assert top["order"].tolist() == [2, 2, 2]
    assert top["beads"].tolist() == [(0, 4), (0, 5), (0, 2)]
    assert top["value"].tolist() == [-2.0, 1.0, -0.5]
    assert len(plots.top_changed_contacts(difference, 0, n_top=10)) == 5


def test_fig7(tmp_path):
    differences = {"ILE4ASN": _symmetric(7), "LEU30PHE": _symmetric(8)}
    mutated = {"ILE4ASN": 3, "LEU30PHE": 29}
    paths, ok = _written(tmp_path, "fig7")
    fig = plots.plot_fig7(differences, mutated, SEQUENCE, ELEMENTS, _structure(), paths, n_top=4)
    assert ok()
    _assert_fig7(fig, differences, mutated, n_top=4)


def _assert_fig7(fig, differences, mutated, n_top):
    """One row per mutant: the difference map with the mutated residue marked, and lines
    from that residue to its ``n_top`` partners of largest |difference| on the structure."""
    xy = plots.project_structure(_structure())
    axes = [ax for ax in fig.axes if ax.get_title()]  # colour bars have none
    assert len(axes) == 2 * len(differences)
    for (key, difference), left, right in zip(
        differences.items(), axes[::2], axes[1::2], strict=True
    ):
        residue = mutated[key]
        _assert_residue_map(left, _without_diagonal(difference))
        assert left.get_title() == f"{key}: mutant − wild type"
        marks = sorted(tuple(line.get_xydata().ravel()) for line in left.lines)
        assert marks == sorted([(0, residue, 1, residue), (residue, 0, residue, 1)])
        row = {j: difference[residue, j] for j in range(N) if j != residue}
        row = {j: v for j, v in row.items() if np.isfinite(v)}
        top = sorted(row, key=lambda j: -abs(row[j]))[:n_top]
        ends = {tuple(np.round(line.get_xydata(), 6).ravel()) for line in right.lines}
        assert ends == {tuple(np.round(xy[[residue, j]], 6).ravel()) for j in top}
        assert right.get_title() == f"{_label(residue)}: top {len(top)} changed contacts"
        assert {_label(j) for j in [*top, residue]} <= set(_texts(right))


def test_maps_with_chain_neighbours_masked(tmp_path):
    """Figs. 5 and 7 get NaN for |i - j| < 3; colour scales and rankings ignore them."""
    from cgexplain.analysis.protein_maps import mask_chain_neighbours

    big = _symmetric(9)
    big[np.abs(np.subtract.outer(np.arange(N), np.arange(N))) == 1] = 1e6
    masked = mask_chain_neighbours(big, 3)
    i, j = np.indices(big.shape)
    assert np.isnan(masked[np.abs(i - j) < 3]).all()
    np.testing.assert_array_equal(masked[np.abs(i - j) >= 3], big[np.abs(i - j) >= 3])
    maps = {"F": masked, "U": masked * 0.5, "P1": None, "P2": masked}
    paths, ok = _written(tmp_path, "fig5m")
    fig = plots.plot_fig5(maps, SEQUENCE, ELEMENTS, REGIONS, paths)
    assert ok()
    _assert_residue_map(fig.axes[0], _split(masked, masked * 0.5))  # NaN stay blank
    assert fig.axes[0].images[0].norm.vmax < 10  # the 1e6 neighbours set no scale
    top = plots.top_changed_contacts(masked, 3, n_top=5)
    assert all(abs(a - b) >= 3 for a, b in top["beads"])  # the 1e6 neighbours are gone
    paths, ok = _written(tmp_path, "fig7m")
    fig = plots.plot_fig7(
        {"ILE4ASN": masked}, {"ILE4ASN": 3}, SEQUENCE, ELEMENTS, _structure(), paths
    )
    assert ok()
    _assert_fig7(fig, {"ILE4ASN": masked}, {"ILE4ASN": 3}, n_top=5)


def test_fig4_marks_named_basins_and_says_which_frames(tmp_path):
    paths, ok = _written(tmp_path, "fig4_basins")
    surfaces = {"reference": _surface(0), "cg": _surface(1)}
    marks = {"F": (0.5, -0.25), "P1": (-1.0, 0.5)}
    fig = plots.plot_fig4(surfaces, paths, basins=marks, caption="unbiased runs only")
    assert ok()
    for ax in fig.axes[:2]:
        assert _texts(ax) == ["F", "P1"]
        crosses = [line.get_xydata().tolist() for line in ax.get_lines()]
        assert crosses == [[[0.5, -0.25]], [[-1.0, 0.5]]]
    assert fig._suptitle.get_text() == "unbiased runs only"
