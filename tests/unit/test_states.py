"""NTL9 state assignment on hand-made contact fractions and a hand-made chain."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from cgexplain.analysis import states
from cgexplain.io import InputError


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


NTL9_DSSP = "CEEEECCCECCCECCCCEEECCHHHHHHHHCCCCCEEEC"


def test_secondary_structure_elements_of_ntl9():
    elements = states.secondary_structure_elements(NTL9_DSSP)
    # single-residue bridges (8, 12) are not strands
    assert elements == {"β1": (1, 4), "β2": (17, 19), "β3": (35, 37), "helix": (22, 29)}


def test_secondary_structure_elements_keep_three_longest_strands_in_order():
    #      strands: 1-3 (3), 5-6 (2), 9-12 (4), 20-23 (4); helices 14-17, 26-27
    dssp = "CEEECEECCEEEECHHHHCCEEEECHHC"
    elements = states.secondary_structure_elements(dssp)
    assert elements == {"β1": (1, 3), "β2": (9, 12), "β3": (20, 23), "helix": (14, 17)}


@pytest.mark.parametrize(
    "dssp",
    [
        "CEECCEECHHHHC",  # two strands
        "CEECECEECHHHC",  # the middle single E is no strand
        "CEECCEECCEEC",  # no helix
    ],
)
def test_secondary_structure_elements_need_three_strands_and_a_helix(dssp):
    with pytest.raises(InputError, match="NTL9 needs"):
        states.secondary_structure_elements(dssp)


ELEMENTS = {"β1": (0, 1), "β2": (4, 5), "β3": (8, 9), "helix": (11, 15)}


def hand_native() -> np.ndarray:
    """16 Cα: a β1/β2/β3 sheet in the z = 0 plane, a helix on the z axis, the rest far off."""
    native = np.array([[100.0 + 20 * k, 0.0, -100.0] for k in range(16)])
    native[0], native[1] = [0, 0, 0], [0, 3.8, 0]
    native[4], native[5] = [5, 0, 0], [5, 3.8, 0]
    native[8], native[9] = [-5, 0, 0], [-5, 9, 0]  # 0-9 is 10.3 Å apart: no contact
    for k, z in zip(range(11, 16), [20, 22, 24, 26, 29], strict=True):
        native[k] = [0, 0, z]
    return native


def test_element_contacts_on_hand_made_structure():
    contacts = states.element_contacts(hand_native(), ELEMENTS, cutoff=8.0, min_separation=3)
    assert set(contacts) == {"b1b2", "b1b3", "helix"}
    pairs, dist = contacts["b1b2"]
    assert pairs.tolist() == [[0, 4], [0, 5], [1, 4], [1, 5]]
    np.testing.assert_allclose(dist, [5.0, np.hypot(5, 3.8), np.hypot(5, 3.8), 5.0])
    pairs, dist = contacts["b1b3"]
    assert pairs.tolist() == [[0, 8], [1, 8], [1, 9]]
    np.testing.assert_allclose(dist, [5.0, np.hypot(5, 3.8), np.hypot(5, 5.2)])
    # helix with itself: 11-14 (6 Å) and 12-15 (7 Å); 11-15 is 9 Å off, closer ones are
    # sequence neighbours
    pairs, dist = contacts["helix"]
    assert pairs.tolist() == [[11, 14], [12, 15]]
    np.testing.assert_allclose(dist, [6.0, 7.0])


def test_element_contacts_without_contacts_is_an_error():
    native = hand_native()
    native[8:10] += [-50.0, 0.0, 0.0]
    with pytest.raises(InputError, match="b1b3"):
        states.element_contacts(native, ELEMENTS)


def test_frame_states_of_hand_made_frames():
    native = hand_native()
    contacts = states.element_contacts(native, ELEMENTS)
    no_b1b2 = native.copy()
    no_b1b2[4:6] += [30.0, 0.0, 0.0]  # β2 leaves the sheet: only β1-β2 contacts break
    only_b1b2 = native.copy()
    only_b1b2[8:10] += [-30.0, 0.0, 0.0]  # β3 leaves the sheet ...
    only_b1b2[11:16, 2] = 20.0 + 10.0 * np.arange(5)  # ... and the helix unwinds
    half = native.copy()
    half[5] += [30.0, 0.0, 0.0]  # half the β1-β2 contacts
    frames = np.stack([native, 2.0 * native, no_b1b2, only_b1b2, half])
    table = states.frame_states(frames, contacts)
    assert list(table.columns) == ["frame", "b1b2", "b1b3", "helix", "state"]
    assert table["frame"].tolist() == [0, 1, 2, 3, 4]
    np.testing.assert_allclose(table["b1b2"], [1.0, 0.0, 0.0, 1.0, 0.5])
    np.testing.assert_allclose(table["b1b3"], [1.0, 0.0, 1.0, 0.0, 1.0])
    np.testing.assert_allclose(table["helix"], [1.0, 0.0, 1.0, 0.0, 1.0])
    assert table["state"].tolist() == ["F", "U", "P1", "P2", ""]
