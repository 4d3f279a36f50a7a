"""Structure agreement metrics against values known by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cgexplain.analysis.compare import angle_js, jensen_shannon, max_abs_rdf_difference


def test_jensen_shannon_limits():
    p = np.array([1.0, 2.0, 3.0, 0.0])
    assert jensen_shannon(p, 2 * p) == pytest.approx(0.0, abs=1e-15)
    assert jensen_shannon([1, 0], [0, 1]) == pytest.approx(np.log(2))
    # symmetric, and a hand value: p=(1/2,1/2), q=(1,0): m=(3/4,1/4)
    expected = 0.5 * (0.5 * np.log(0.5 / 0.75) + 0.5 * np.log(0.5 / 0.25)) + 0.5 * np.log(1 / 0.75)
    assert jensen_shannon([1, 1], [1, 0]) == pytest.approx(expected)
    assert jensen_shannon([1, 0], [1, 1]) == pytest.approx(expected)
    with pytest.raises(ValueError):
        jensen_shannon([1, 2], [1, 2, 3])


def test_max_abs_rdf_difference():
    r = np.linspace(0.05, 9.95, 100)
    ref = pd.DataFrame({"r": r, "g": np.exp(-((r - 3) ** 2))})
    other = pd.DataFrame({"r": r, "g": ref["g"] + 0.25 * (np.abs(r - 5.0) < 0.06)})
    assert max_abs_rdf_difference(ref, ref) == 0.0
    assert max_abs_rdf_difference(other, ref) == pytest.approx(0.25)


def test_angle_js_uses_the_angle_marginal():
    angles, edges = np.array([75.0, 105.0, 135.0, 165.0]), np.array([1.0, 3.0])
    aa, ee = np.meshgrid(angles, edges, indexing="ij")
    counts = np.array([[1, 0], [2, 1], [0, 0], [0, 0]], dtype=float)
    table = pd.DataFrame({"angle": aa.ravel(), "edge": ee.ravel(), "count": counts.ravel()})
    moved = table.assign(count=np.array([[0, 0], [0, 0], [1, 0], [2, 1]], dtype=float).ravel())
    reshuffled_edges = table.assign(
        count=np.array([[0, 1], [1, 2], [0, 0], [0, 0]], dtype=float).ravel()
    )
    assert angle_js(reshuffled_edges, table) == pytest.approx(0.0, abs=1e-15)
    assert angle_js(moved, table) == pytest.approx(np.log(2))


def test_structure_intervals_from_per_frame_structure():
    from cgexplain.analysis.compare import angle_js, max_abs_rdf_difference, structure_intervals
    from cgexplain.analysis.rdf import frame_rdfs, radial_distribution
    from cgexplain.analysis.triplets import frame_triplet_counts, histogram_table

    rng = np.random.default_rng(3)
    box = np.repeat(np.eye(3)[None] * 12.0, 12, axis=0)

    def frames(jitter: float) -> np.ndarray:
        grid = np.stack(np.meshgrid(*[np.arange(4)] * 3, indexing="ij"), -1).reshape(-1, 3)
        return grid[None] * 3.0 + rng.normal(0, jitter, (12, 64, 3))

    cg, ref = frames(0.6), frames(0.3)
    g, ref_g = frame_rdfs(cg, box, 5.5, 40), frame_rdfs(ref, box, 5.5, 40)
    counts = frame_triplet_counts(cg, box, 3.5, 20, 10)
    ref_counts = frame_triplet_counts(ref, box, 3.5, 20, 10)
    ci = structure_intervals(g, counts.sum(2), ref_g, ref_counts.sum(2), 200, seed=1)
    # the estimates are the metrics of the aggregate tables
    dg = max_abs_rdf_difference(
        radial_distribution(cg, box, 5.5, 40), radial_distribution(ref, box, 5.5, 40)
    )
    js = angle_js(histogram_table(counts, 3.5), histogram_table(ref_counts, 3.5))
    assert ci["max_abs_dg"][0] == pytest.approx(dg) and ci["angle_js"][0] == pytest.approx(js)
    for value, low, high in ci.values():
        assert 0 < low <= high and low <= value * 1.5  # different structure: away from 0
    same = structure_intervals(g, counts.sum(2), g, counts.sum(2), 200, seed=1)
    assert same["max_abs_dg"][0] == 0.0 and same["angle_js"][0] == 0.0
    assert same["max_abs_dg"][2] < ci["max_abs_dg"][1]  # noise alone stays below the real gap
    again = structure_intervals(g, counts.sum(2), ref_g, ref_counts.sum(2), 200, seed=1)
    assert again == ci  # seeded
    with pytest.raises(ValueError, match="different grids"):
        structure_intervals(g[:, :30], counts.sum(2), ref_g, ref_counts.sum(2), 10, seed=1)
