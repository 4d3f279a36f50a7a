"""One rule for "evenly spaced frames": cgexplain.io.evenly_spaced and its callers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cgexplain.io import InputError, evenly_spaced
from cgexplain.lrp.trajectory import select_frames

SCRIPTS = Path(__file__).resolve().parents[2] / "workflow" / "scripts"


def test_small_cases_round_to_nearest():
    np.testing.assert_array_equal(evenly_spaced(10, 3), [0, 4, 9])  # 4.5 rounds to even
    np.testing.assert_array_equal(evenly_spaced(10, 1), [0])
    np.testing.assert_array_equal(evenly_spaced(1, 1), [0])
    np.testing.assert_array_equal(evenly_spaced(7, 0), np.zeros(0))
    # the tiny IMC runs: 21 frames, 20 analysed; rounding leaves out frame 10, where
    # truncation left out frame 19
    expected = [*range(10), *range(11, 21)]
    np.testing.assert_array_equal(evenly_spaced(21, 20), expected)
    assert evenly_spaced(10, 3).dtype == np.int64


@pytest.mark.parametrize("n_frames", [1, 2, 3, 5, 20, 21, 97, 200, 201])
def test_endpoints_order_and_distinct(n_frames):
    for n in range(1, n_frames + 1):
        idx = evenly_spaced(n_frames, n)
        assert len(idx) == n
        assert idx[0] == 0
        if n > 1:
            assert idx[-1] == n_frames - 1
            assert np.all(np.diff(idx) > 0)  # monotone, so no duplicates
        exact = np.linspace(0, n_frames - 1, n)
        assert np.max(np.abs(idx - exact)) <= 0.5  # nearest, not truncated


def test_more_wanted_than_available():
    np.testing.assert_array_equal(evenly_spaced(3, 5), [0, 1, 2])
    np.testing.assert_array_equal(evenly_spaced(3, 4), [0, 1, 2])
    np.testing.assert_array_equal(evenly_spaced(4, 4), [0, 1, 2, 3])
    # replica starts keep one index per replica, repeating frames
    np.testing.assert_array_equal(evenly_spaced(3, 5, repeat=True), [0, 0, 1, 2, 2])
    for n_frames, n in [(10, 3), (21, 20), (200, 2), (320, 16)]:
        np.testing.assert_array_equal(
            evenly_spaced(n_frames, n, repeat=True), evenly_spaced(n_frames, n)
        )


def test_bad_counts_are_named():
    with pytest.raises(InputError, match="no frames"):
        evenly_spaced(0, 3)
    with pytest.raises(InputError, match="cannot choose"):
        evenly_spaced(5, -1)


def test_relevance_frames_use_it():
    for n_available, n in [(10, 3), (3, 5), (200, 40), (1600, 1000)]:
        np.testing.assert_array_equal(select_frames(n_available, n), evenly_spaced(n_available, n))


@pytest.mark.parametrize("script", ["analyze_structure", "find_artifacts", "simulate_cg"])
def test_scripts_choose_frames_with_it(script):
    text = (SCRIPTS / f"{script}.py").read_text()
    assert "evenly_spaced(" in text
    assert "linspace" not in text
