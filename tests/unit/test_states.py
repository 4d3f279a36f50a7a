"""NTL9 state assignment on hand-made contact fractions and a hand-made chain."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from cgexplain.analysis import states


def test_assign_states_on_hand_made_fractions():
    fractions = pd.DataFrame(
        {
            #        F    U    P1   P2   mid  P1?  none
            "b1b2": [0.9, 0.1, 0.2, 0.8, 0.5, 0.1, 0.9],
            "b1b3": [0.8, 0.0, 0.9, 0.1, 0.5, 0.9, 0.9],
            "helix": [1.0, 0.2, 0.7, 0.3, 0.5, 0.5, 0.1],
        }
    )
    labels = states.assign_states(fractions, formed=0.7, broken=0.3)
    assert labels.tolist() == ["F", "U", "P1", "P2", "", "", ""]
    with pytest.raises(ValueError, match="broken < formed"):
        states.assign_states(fractions, formed=0.3, broken=0.5)
    with pytest.raises(ValueError, match="helix"):
        states.assign_states(fractions.drop(columns="helix"))


def test_state_counts_skip_rare_states_with_a_message(caplog):
    labels = np.array(["F"] * 12 + ["U"] * 3 + [""] * 5, dtype=object)
    with caplog.at_level(logging.WARNING):
        table = states.state_counts(labels, "cg", min_frames=10)
    assert table.set_index("state")["n_frames"].to_dict() == {"F": 12, "U": 3, "P1": 0, "P2": 0}
    assert table.set_index("state")["used"].to_dict() == {
        "F": True,
        "U": False,
        "P1": False,
        "P2": False,
    }
    assert "cg: state U has 3 frames (< 10)" in caplog.text


def test_native_contacts_and_fraction():
    native = np.array(
        [[0, 0, 0], [3.8, 0, 0], [7.6, 0, 0], [7.6, 3.8, 0], [3.8, 5.0, 0], [0, 5.0, 0]]
    )
    pairs, dist = states.native_contacts(native, [0, 1], [4, 5], cutoff=8.0)
    # (0,4), (0,5), (1,4), (1,5) minus sequence neighbours closer than 3
    assert pairs.tolist() == [[0, 4], [0, 5], [1, 4], [1, 5]]
    np.testing.assert_allclose(dist, [np.hypot(3.8, 5.0), 5.0, 5.0, np.hypot(3.8, 5.0)])
    frames = np.stack([native, native * 2.0])
    np.testing.assert_allclose(states.contact_fraction(frames, pairs, dist), [1.0, 0.0])
