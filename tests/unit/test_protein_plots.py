"""NTL9 figures (Figs. 4-7) and PyMOL scripts from small synthetic inputs."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from cgexplain.plots import protein as plots

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
    paths = [str(tmp_path / f"{stem}.png"), str(tmp_path / f"{stem}.pdf")]
    return paths, lambda: all(
        (tmp_path / f"{stem}.{e}").stat().st_size > 1000 for e in ("png", "pdf")
    )


def _surface(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x, y = np.meshgrid(np.linspace(-2, 2, 12), np.linspace(-1, 1, 10))
    energy = (x**2 - 1) ** 2 + 2 * y**2 + rng.uniform(0, 0.1, x.shape)
    energy[0, :3] = np.nan
    energy -= np.nanmin(energy)
    return pd.DataFrame(
        {"tic1": x.ravel(), "tic2": y.ravel(), "free_energy": energy.ravel(), "state": ""}
    )


def test_fig4_with_empty_surface(tmp_path):
    empty = _surface(1).assign(free_energy=np.nan)
    paths, ok = _written(tmp_path, "fig4")
    plots.plot_fig4({"reference": _surface(0), "cg": empty}, paths)
    assert ok()
    paths, ok = _written(tmp_path, "fig4_capped")
    plots.plot_fig4({"reference": _surface(0), "cg": _surface(2)}, paths, max_free_energy=3.0)
    assert ok()


def test_fig5_full_and_missing_states(tmp_path):
    maps = {key: _symmetric(seed) for seed, key in enumerate(("F", "U", "P1", "P2"))}
    paths, ok = _written(tmp_path, "fig5")
    plots.plot_fig5(maps, SEQUENCE, ELEMENTS, REGIONS, paths)
    assert ok()
    paths, ok = _written(tmp_path, "fig5_missing")
    plots.plot_fig5({**maps, "U": None, "P2": None}, SEQUENCE, ELEMENTS, REGIONS, paths)
    assert ok()
    paths, ok = _written(tmp_path, "fig5_no_folded")
    plots.plot_fig5({**maps, "F": None}, SEQUENCE, ELEMENTS, REGIONS, paths)
    assert ok()


def test_fig5_rejects_unknown_element(tmp_path):
    maps = {key: _symmetric(seed) for seed, key in enumerate(("F", "U", "P1", "P2"))}
    with pytest.raises(ValueError, match="β4"):
        plots.plot_fig5(maps, SEQUENCE, ELEMENTS, [("β1", "β4")], [str(tmp_path / "x.png")])


def test_fig6_with_and_without_three_body(tmp_path):
    paths, ok = _written(tmp_path, "fig6")
    plots.plot_fig6(_structure(), SEQUENCE, _interactions(), paths, ELEMENTS)
    assert ok()
    paths, ok = _written(tmp_path, "fig6_pairs")
    pairs = _interactions().query("order == 2")
    plots.plot_fig6(_structure(), SEQUENCE, pairs, paths)
    assert ok()


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
    plots.write_pymol_script(_interactions(), "ntl9.pdb", numbers, str(out))
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
        plots.write_pymol_script(table, "x.pdb", numbers[:10], str(tmp_path / "bad.pml"))
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
    plots.plot_fig7(differences, mutated, SEQUENCE, ELEMENTS, _structure(), paths, n_top=4)
    assert ok()


def test_maps_with_chain_neighbours_masked(tmp_path):
    """Figs. 5 and 7 get NaN for |i - j| < 3; colour scales and rankings ignore them."""
    from cgexplain.analysis.relevance import mask_chain_neighbours

    big = _symmetric(9)
    big[np.abs(np.subtract.outer(np.arange(N), np.arange(N))) == 1] = 1e6
    masked = mask_chain_neighbours(big, 3)
    i, j = np.indices(big.shape)
    assert np.isnan(masked[np.abs(i - j) < 3]).all()
    np.testing.assert_array_equal(masked[np.abs(i - j) >= 3], big[np.abs(i - j) >= 3])
    maps = {"F": masked, "U": masked * 0.5, "P1": None, "P2": masked}
    paths, ok = _written(tmp_path, "fig5m")
    plots.plot_fig5(maps, SEQUENCE, ELEMENTS, REGIONS, paths)
    assert ok()
    top = plots.top_changed_contacts(masked, 3, n_top=5)
    assert all(abs(a - b) >= 3 for a, b in top["beads"])  # the 1e6 neighbours are gone
    paths, ok = _written(tmp_path, "fig7m")
    plots.plot_fig7({"ILE4ASN": masked}, {"ILE4ASN": 3}, SEQUENCE, ELEMENTS, _structure(), paths)
    assert ok()
