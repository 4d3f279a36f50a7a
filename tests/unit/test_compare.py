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
