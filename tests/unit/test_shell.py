"""First-shell angles, tetrahedral order, the shell radius and the first-shell metrics
(cgexplain.analysis.shell, compare.shell_intervals, scripts/validate_structure.py)."""

from __future__ import annotations

import itertools
import json
import runpy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cgexplain.analysis.compare import (
    SHELL_METRICS,
    bootstrap_indices,
    jensen_shannon,
    shell_intervals,
    structure_intervals,
)
from cgexplain.analysis.rdf import first_minimum
from cgexplain.analysis.shell import (
    Q_RANGE,
    density_table,
    frame_shell_statistics,
    rdf_l1_shell,
    shell_angles,
    tetrahedral_order,
)
from cgexplain.settings.simulation import StructureBootstrap, ValidateStructure

SCRIPTS = Path(__file__).resolve().parents[2] / "workflow" / "scripts"
TRICLINIC = np.array([[9.0, 0.0, 0.0], [2.0, 8.5, 0.0], [-1.5, 1.0, 9.5]])


def _random_frame(rng: np.random.Generator, cell: np.ndarray, n: int) -> np.ndarray:
    return rng.uniform(0.0, 1.0, (n, 3)) @ cell


def _brute_force_angles(positions: np.ndarray, cell: np.ndarray, r_shell: float) -> np.ndarray:
    """Every angle j-i-k over neighbours within r_shell, searching all 27 images of every
    neighbour explicitly (no minimum-image rounding), O(N^3)."""
    shifts = np.array(list(itertools.product((-1, 0, 1), repeat=3))) @ cell
    out = []
    n = len(positions)
    for i in range(n):
        neighbours = []
        for j in range(n):
            if j == i:
                continue
            for shift in shifts:
                v = positions[j] + shift - positions[i]
                if np.linalg.norm(v) < r_shell:
                    neighbours.append(v)
        for a in range(len(neighbours)):
            for b in range(a + 1, len(neighbours)):
                u, w = neighbours[a], neighbours[b]
                cos = u @ w / (np.linalg.norm(u) * np.linalg.norm(w))
                out.append(np.degrees(np.arccos(np.clip(cos, -1, 1))))
    return np.sort(out)


@pytest.mark.parametrize("cell", [np.diag([8.0, 9.0, 10.0]), TRICLINIC], ids=["ortho", "tric"])
def test_shell_angles_match_a_brute_force_image_search(cell):
    rng = np.random.default_rng(3)
    positions = _random_frame(rng, cell, 40)
    positions[0] = positions[1] + [0.3, 0.0, 0.0]  # one pair across nothing special
    positions[2] = cell[0] * 0.999 + cell[1] * 0.5  # near a face: neighbours through it
    r_shell = 3.5
    angles = np.sort(shell_angles(positions, cell, r_shell))
    expected = _brute_force_angles(positions, cell, r_shell)
    assert len(angles) == len(expected) > 50
    np.testing.assert_allclose(angles, expected, atol=1e-8)


def test_shell_angles_refuse_a_radius_beyond_half_the_box():
    with pytest.raises(ValueError, match="minimum-image"):
        shell_angles(np.zeros((5, 3)), np.eye(3) * 6.0, 3.5)


def _tetrahedron(centre: np.ndarray, bond: float) -> np.ndarray:
    vertices = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]]) / np.sqrt(3)
    return np.vstack([centre, centre + bond * vertices])


def test_q_is_one_for_a_perfect_tetrahedron():
    cell = np.eye(3) * 20.0
    rng = np.random.default_rng(0)
    rotation, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    positions = _tetrahedron(np.zeros(3), 1.0) @ rotation.T + 10.0
    q = tetrahedral_order(positions, cell)
    assert q[0] == pytest.approx(1.0, abs=1e-12)
    # a vertex sees the centre at 1 Å and three vertices at 1.633 Å, ψ = 35.3° and 60°:
    # q = 1 - 3/8 [3 (cos 35.26° + 1/3)² + 3 (cos 60° + 1/3)²]
    c1, c2 = np.sqrt(2.0 / 3.0), 0.5
    expected = 1 - 3 / 8 * (3 * (c1 + 1 / 3) ** 2 + 3 * (c2 + 1 / 3) ** 2)
    np.testing.assert_allclose(q[1:], expected, atol=1e-12)


def test_q_is_minus_three_when_all_neighbours_share_a_direction():
    cell = np.eye(3) * 20.0
    positions = np.array([[0, 0, 0], [1.0, 0, 0], [1.1, 0, 0], [1.2, 0, 0], [1.3, 0, 0]]) + 5
    assert tetrahedral_order(positions, cell)[0] == pytest.approx(-3.0)


def test_q_of_an_ideal_gas_averages_zero():
    """E[q] = 0 for independent uniform neighbour directions (E cos ψ = 0, E cos² ψ = 1/3)."""
    rng = np.random.default_rng(11)
    cell = np.eye(3) * 12.0
    q = np.concatenate([tetrahedral_order(_random_frame(rng, cell, 800), cell) for _ in range(5)])
    assert abs(q.mean()) < 4 * q.std() / np.sqrt(len(q)) + 0.01
    assert q.min() >= -3.0 - 1e-12 and q.max() <= 1.0 + 1e-12


def test_shell_statistics_are_invariant_under_translation_rotation_and_image_shift():
    rng = np.random.default_rng(5)
    cell = np.eye(3) * 10.0
    positions = _random_frame(rng, cell, 60)

    def stats(pos: np.ndarray, box: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.sort(shell_angles(pos, box, 3.0)), tetrahedral_order(pos, box)

    angles, q = stats(positions, cell)
    moved = {
        "translation": (positions + [3.3, -7.1, 12.9]) % 10.0,
        "axis permutation": positions[:, [2, 0, 1]],
        "image shift": positions + rng.integers(-2, 3, (60, 1)) * cell[rng.integers(0, 3, 60)],
    }
    for name, pos in moved.items():
        a, b = stats(pos, cell)
        np.testing.assert_allclose(a, angles, atol=1e-8, err_msg=name)
        np.testing.assert_allclose(b, q, atol=1e-10, err_msg=name)


def test_frame_statistics_count_every_angle_and_bead():
    rng = np.random.default_rng(8)
    cell = np.eye(3) * 9.0
    positions = np.stack([_random_frame(rng, cell, 50) for _ in range(3)])
    box = np.repeat(cell[None], 3, axis=0)
    out = frame_shell_statistics(positions, box, 3.0, 90, 40)
    for f in range(3):
        angles = shell_angles(positions[f], cell, 3.0)
        assert out["shell_angle_counts"][f].sum() == len(angles)
        q = tetrahedral_order(positions[f], cell)
        assert out["q_counts"][f].sum() == 50  # q < -1 is kept in the first bin
        assert out["q_counts"][f, 0] >= np.sum(q < Q_RANGE[0])
        assert out["q_mean"][f] == pytest.approx(q.mean())
        # neighbours within the shell, and angles = Σ_i n_i (n_i - 1) / 2
        frac = (positions[f][None] - positions[f][:, None]) / 9.0
        d = np.linalg.norm(frac - np.round(frac), axis=-1) * 9.0
        n_i = (d < 3.0).sum(1) - 1
        assert out["shell_coordination"][f] == pytest.approx(n_i.mean())
        assert np.sum(n_i * (n_i - 1) // 2) == len(angles)


def test_density_table_integrates_to_one():
    counts = np.array([[1.0, 3.0, 0.0, 4.0], [0.0, 1.0, 1.0, 0.0]])
    table = density_table(counts, (0.0, 180.0), "angle")
    np.testing.assert_allclose(table["angle"], [22.5, 67.5, 112.5, 157.5])
    assert np.sum(table["density"]) * 45.0 == pytest.approx(1.0)
    np.testing.assert_allclose(table["density"], counts.sum(0) / (10 * 45.0))


def test_first_minimum_of_an_analytic_rdf():
    """g(r) = 1 - cos(kr) e^{-r/L}: extrema where tan(kr) = -1/(kL); the first peak at
    kr = π - atan(1/(kL)), the first minimum after it at kr = 2π - atan(1/(kL))."""
    k, length = 2 * np.pi / 3.0, 10.0
    r = np.arange(0.005, 9.0, 0.01)
    g = 1 - np.cos(k * r) * np.exp(-r / length)
    r_min, g_min = first_minimum(pd.DataFrame({"r": r, "g": g}))
    expected = (2 * np.pi - np.arctan(1 / (k * length))) / k
    assert r_min == pytest.approx(expected, abs=0.01)
    assert g_min == pytest.approx(1 - np.cos(k * expected) * np.exp(-expected / length), abs=1e-3)


def test_rdf_l1_shell_integrates_beyond_the_wall_up_to_the_shell():
    r = np.arange(0.05, 10.0, 0.1)
    reference = np.where(r < 3.0, 0.0, 1.0)
    model = reference + 0.2  # differs by 0.2 everywhere, also inside the wall
    # domain: centres from 3.05 (first g_ref > 0.05) to 5.0 (≤ r_shell): 20 bins of 0.1
    assert rdf_l1_shell(model, reference, r, 5.0) == pytest.approx(0.2 * 20 * 0.1)


def _frames(rng: np.random.Generator, n_frames: int, shift: float = 0.0) -> dict:
    r = np.arange(0.05, 8.0, 0.1)
    g = (1 - np.cos(2.1 * r) * np.exp(-r / 5)) * (r > 2.5)
    return {
        "g": g + rng.normal(0, 0.02, (n_frames, len(r))),
        "angle_counts": rng.poisson(50, (n_frames, 10)).astype(float),
        "shell_angle_counts": rng.poisson(30 + (1 + 10 * shift) * np.arange(18), (n_frames, 18)),
        "q_counts": rng.poisson(20 + 10 * shift * np.arange(10), (n_frames, 10)).astype(float),
        "q_mean": 0.5 + shift + rng.normal(0, 0.01, n_frames),
    }


def test_shell_intervals_zero_for_identical_runs_and_cover_a_shift():
    rng = np.random.default_rng(2)
    r = np.arange(0.05, 8.0, 0.1)
    ref = _frames(rng, 60)
    same = shell_intervals(ref, ref, r, 4.0, 200, 0, 0.95, 5)
    for name in ("shell_angle_js", "q_js", "dq_mean", "rdf_l1_shell"):
        assert same[name][0] == pytest.approx(0.0, abs=1e-12), name
    cg = _frames(rng, 45, shift=0.1)
    ci = shell_intervals(cg, ref, r, 4.0, 200, 0, 0.95, 5)
    assert list(ci) == list(SHELL_METRICS)
    value, low, high = ci["dq_mean"]
    assert value == pytest.approx(cg["q_mean"].mean() - ref["q_mean"].mean())
    assert low < 0.1 < high  # the planted shift lies in the interval
    assert ci["q_mean_reference"][0] == pytest.approx(ref["q_mean"].mean())
    assert ci["shell_angle_js"][1] > same["shell_angle_js"][2]  # distinguishable

    # the intervals are percentiles over the resamples of structure_intervals
    cg_idx, ref_idx = bootstrap_indices(cg["g"], ref["g"], 200, 0, 5)
    reps = [
        jensen_shannon(cg["q_counts"][a].sum(0), ref["q_counts"][b].sum(0))
        for a, b in zip(cg_idx, ref_idx, strict=True)
    ]
    np.testing.assert_allclose(ci["q_js"][1:], np.quantile(reps, [0.025, 0.975]))
    ref_means = [ref["q_mean"][b].mean() for b in ref_idx]
    np.testing.assert_allclose(ci["q_mean_reference"][1:], np.quantile(ref_means, [0.025, 0.975]))


def test_validate_structure_writes_shell_columns_and_reference_half_rows(tmp_path):
    rng = np.random.default_rng(4)
    r = np.arange(0.05, 8.0, 0.1)
    paths = {}
    for name, frames in (("ref", _frames(rng, 40)), ("cg", _frames(rng, 40, shift=0.05))):
        paths[name] = tmp_path / f"{name}.npz"
        np.savez(paths[name], **frames)
        g = frames["g"].mean(0)
        pd.DataFrame({"r": r, "g": g}).to_csv(tmp_path / f"{name}_rdf.csv", index=False)
        counts = frames["angle_counts"].sum(0) / len(frames["g"])
        pd.DataFrame(
            {"angle": np.linspace(66, 174, 10), "edge": 1.0, "count": counts, "density": 0.0}
        ).to_csv(tmp_path / f"{name}_tri.csv", index=False)
    (tmp_path / "ref.json").write_text(json.dumps({"shell_cutoff": 4.0}))

    class Named(dict):
        __getattr__ = dict.__getitem__

        def __getitem__(self, key):
            return list(self.values())[key] if isinstance(key, int) else super().__getitem__(key)

    out = tmp_path / "metrics.csv"
    boot = {"n_resamples": 50, "seed": 1, "confidence": 0.95, "block_length": 4}
    smk = type("S", (), {})()
    smk.input = Named(
        reference_rdf=[str(tmp_path / "ref_rdf.csv")],
        reference_triplets=[str(tmp_path / "ref_tri.csv")],
        rdf=[str(tmp_path / "cg_rdf.csv")],
        triplets=[str(tmp_path / "cg_tri.csv")],
        reference_frames=[str(paths["ref"])],
        frames=[str(paths["cg"])],
        reference_summary=[str(tmp_path / "ref.json")],
    )
    smk.output = Named(metrics=str(out))
    settings = ValidateStructure(
        pairs=(("water", "imc"),), bootstrap=(StructureBootstrap(system="water", **boot),)
    )
    smk.params = Named(settings=settings)
    smk.log = [str(tmp_path / "log.txt")]
    runpy.run_path(str(SCRIPTS / "validate_structure.py"), init_globals={"snakemake": smk})
    table = pd.read_csv(out)
    assert table["model"].tolist() == ["imc", "reference_half"]
    assert list(table.columns[:10]) == [
        "system", "model", "max_abs_dg", "angle_js", "rdf_peak_r", "rdf_peak_r_reference",
        "max_abs_dg_ci_low", "max_abs_dg_ci_high", "angle_js_ci_low", "angle_js_ci_high",
    ]  # fmt: skip
    for name in SHELL_METRICS:
        assert {name, f"{name}_ci_low", f"{name}_ci_high"} <= set(table.columns)
    with np.load(paths["ref"]) as ref_file, np.load(paths["cg"]) as cg_file:
        ref, cg = dict(ref_file), dict(cg_file)
    model = table.iloc[0]
    expected = shell_intervals(cg, ref, r, 4.0, 50, 1, 0.95, 4)
    for name in SHELL_METRICS:
        assert model[name] == pytest.approx(expected[name][0], rel=1e-5, abs=1e-9)
        assert model[f"{name}_ci_low"] == pytest.approx(expected[name][1], rel=1e-5, abs=1e-9)
    # the control: second half of the reference against its first half
    half = table.iloc[1]
    first = {k: v[:20] for k, v in ref.items()}
    second = {k: v[20:] for k, v in ref.items()}
    control = shell_intervals(second, first, r, 4.0, 50, 1, 0.95, 4)
    assert half["q_mean"] == pytest.approx(second["q_mean"].mean(), rel=1e-5)
    assert half["q_mean_reference"] == pytest.approx(first["q_mean"].mean(), rel=1e-5)
    assert half["q_js_ci_high"] == pytest.approx(control["q_js"][2], rel=1e-5)
    dg = structure_intervals(second["g"], second["angle_counts"], first["g"],
                             first["angle_counts"], 50, 1, 0.95, 4)  # fmt: skip
    assert half["max_abs_dg"] == pytest.approx(dg["max_abs_dg"][0], rel=1e-5)
    assert half["angle_js_ci_low"] == pytest.approx(dg["angle_js"][1], rel=1e-5)
