"""The state-elements file (states/elements.json): same content as before, round trip, errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cgexplain.analysis.states import StateElements, secondary_structure_elements
from cgexplain.io import InputError, write_json

DSSP = "CEEEEECCEEEEECCCHHHHHHHHHCCCEEEECC"


def native() -> dict:
    """A native structure as :func:`cgexplain.md.protein.load_native` returns it."""
    n = len(DSSP)
    rng = np.random.default_rng(4)
    names = ["MET", "LYS", "ILE", "XYZ"] + ["GLY"] * (n - 4)
    return {
        "positions": rng.normal(scale=10.0, size=(n, 3)),
        "dssp": DSSP,
        "residue_names": names,
        "residue_numbers": np.arange(1, n + 1, dtype=np.int64),
    }


def test_file_content_is_the_one_written_before(tmp_path):
    nat = native()
    elements = secondary_structure_elements(nat["dssp"])
    StateElements.from_native(nat, elements, tica_lag=7).write(tmp_path / "new.json")
    # what assign_states.py wrote as a literal dictionary
    write_json(
        tmp_path / "old.json",
        {
            "elements": {k: list(v) for k, v in elements.items()},
            "dssp": nat["dssp"],
            "residue_names": nat["residue_names"],
            "sequence": "MKIX" + "G" * (len(DSSP) - 4),
            "residue_numbers": nat["residue_numbers"],
            "native_positions": nat["positions"],
            "tica_lag": 7,
        },
    )
    assert (tmp_path / "new.json").read_text() == (tmp_path / "old.json").read_text()


def test_round_trip(tmp_path):
    nat = native()
    elements = secondary_structure_elements(nat["dssp"])
    written = StateElements.from_native(nat, elements, tica_lag=3)
    written.write(tmp_path / "elements.json")
    read = StateElements.read(tmp_path / "elements.json")
    assert read.elements == elements and all(isinstance(v, tuple) for v in read.elements.values())
    assert (read.dssp, read.sequence, read.tica_lag) == (DSSP, written.sequence, 3)
    assert read.residue_names == nat["residue_names"]
    np.testing.assert_array_equal(read.residue_numbers, nat["residue_numbers"])
    np.testing.assert_array_equal(read.native_positions, nat["positions"])  # exact
    assert read.native_positions.shape == (len(DSSP), 3)
    read.write(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == (tmp_path / "elements.json").read_bytes()


def test_missing_or_damaged_file_is_named(tmp_path):
    with pytest.raises(InputError, match="state elements file not found: .*none.json"):
        StateElements.read(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"elements": {"β1": [1, 4]}, "dssp": "CE')
    with pytest.raises(InputError, match="cannot read state elements file .*bad.json"):
        StateElements.read(bad)
    nat = native()
    data = StateElements.from_native(nat, {"helix": (16, 24)}, 1).to_json()
    for broken in ({k: v for k, v in data.items() if k != "sequence"}, {**data, "dssp": "CC"}):
        bad.write_text(json.dumps(broken))
        with pytest.raises(InputError, match="bad.json"):
            StateElements.read(bad)
