"""The column tuples of cgexplain.columns are the columns the library writes."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cgexplain import columns as col
from cgexplain.analysis import protein_maps
from cgexplain.analysis import relevance as rel
from cgexplain.analysis.rdf import radial_distribution
from cgexplain.analysis.states import ELEMENTS, frame_states, state_counts
from cgexplain.analysis.tica import free_energy_surface
from cgexplain.analysis.triplets import triplet_histogram, triplet_table
from cgexplain.io import read_table, with_current_names


def test_binned_relevance_tables():
    rng = np.random.default_rng(0)
    pairs = pd.DataFrame(
        {col.DISTANCE: rng.uniform(2, 8, 50), col.RELEVANCE_NORM: rng.normal(size=50)}
    )
    assert tuple(rel.pair_profile(pairs, 10.0, 5).columns) == col.PAIR_PROFILE_COLUMNS
    assert tuple(rel.pair_histogram(pairs, 10.0, 5, 4).columns) == col.PAIR_HISTOGRAM_COLUMNS
    sides = rng.uniform(3, 6, (40, 3))
    triplets = pd.DataFrame(dict(zip(col.TRIANGLE_SIDES, sides.T, strict=True)))
    triplets[col.MAX_ANGLE] = rng.uniform(60, 180, 40)
    triplets[col.RELEVANCE_NORM] = rng.normal(size=40)
    assert tuple(rel.triplet_map(triplets, 12.0, 4, 4).columns) == col.TRIPLET_MAP_COLUMNS
    adjacent = rel.adjacent_edge_maps(triplets, 6.0, 4)
    assert tuple(adjacent.columns) == col.TRIPLET_ADJACENT_COLUMNS


def test_matrix_top_and_agreement_tables():
    matrix = np.arange(9.0).reshape(3, 3)
    assert tuple(protein_maps.matrix_table({"F": matrix}).columns) == col.STATE_MAP_COLUMNS
    assert tuple(protein_maps.matrix_table({}, name=col.KIND).columns) == col.MUTATION_COLUMNS[:-1]
    pairs = pd.DataFrame(
        {col.FRAME: [0, 0], col.BEAD_I: [0, 1], col.BEAD_J: [2, 2], col.RELEVANCE_NORM: [1.0, -2]}
    )
    triplets = pd.DataFrame(
        {
            col.FRAME: [0],
            col.BEAD_I: [0],
            col.BEAD_J: [1],
            col.BEAD_K: [2],
            col.RELEVANCE_NORM: [1],
        }
    )
    top = protein_maps.top_interactions(pairs, triplets, np.array([0]))
    assert tuple(top.columns) == col.TOP_INTERACTION_COLUMNS
    assert tuple(rel.agreement_table({}, {}).columns) == col.AGREEMENT_COLUMNS


def test_structure_and_state_tables():
    rng = np.random.default_rng(1)
    box = np.tile(np.eye(3) * 12.0, (2, 1, 1))
    positions = rng.uniform(0, 12, (2, 20, 3))
    assert tuple(radial_distribution(positions, box, 5.0, 10).columns) == col.RDF_COLUMNS
    histogram = triplet_histogram(positions, box, 4.0, 4, 4)
    assert tuple(histogram.columns) == col.TRIPLET_HISTOGRAM_COLUMNS
    fes = free_energy_surface(rng.normal(size=50), rng.normal(size=50), 300.0, 5)
    assert tuple(fes.columns) == col.FES_COLUMNS
    assert ELEMENTS == col.STATE_FRAME_COLUMNS[1:4]
    contacts = {name: (np.array([[0, 5]]), np.array([6.0])) for name in ELEMENTS}
    states = frame_states(rng.uniform(0, 10, (3, 8, 3)), contacts)
    assert tuple(states.columns) == col.STATE_FRAME_COLUMNS[:5]  # run, tic1, tic2 added later
    counts = state_counts(states[col.STATE].to_numpy(), "reference")
    assert set(counts.columns) == set(col.STATE_COUNT_COLUMNS) - {col.MODEL}


def test_structure_triplet_table_uses_the_relevance_angle_name():
    positions = np.random.default_rng(2).uniform(0, 9, (25, 3))
    table = triplet_table(positions, np.eye(3) * 9.0, 3.5)
    assert {col.MAX_ANGLE, col.OPPOSITE_EDGE} <= set(table.columns)
    assert "largest_angle" not in table.columns


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_former_angle_name_is_renamed_on_reading(tmp_path, caplog, suffix):
    old = pd.DataFrame({col.BEAD_I: [0, 1], "largest_angle": [90.0, 120.0]})
    path = tmp_path / f"triplets{suffix}"
    old.to_parquet(path) if suffix == ".parquet" else old.to_csv(path, index=False)
    with caplog.at_level(logging.INFO, logger="cgexplain"):
        table = read_table(path)
    assert list(table.columns) == [col.BEAD_I, col.MAX_ANGLE]
    np.testing.assert_array_equal(table[col.MAX_ANGLE], [90.0, 120.0])
    assert "'largest_angle' renamed to 'max_angle'" in caplog.text and path.name in caplog.text


def test_current_names_are_left_alone(caplog):
    current = pd.DataFrame({col.MAX_ANGLE: [60.0], col.RELEVANCE: [1.0]})
    with caplog.at_level(logging.INFO, logger="cgexplain"):
        assert with_current_names(current) is current
        both = current.assign(largest_angle=[70.0])
        assert list(with_current_names(both).columns) == list(both.columns)
    assert caplog.text == ""


#: "energy"/"forces" literals that are neither table columns nor SchNetPack properties:
#: trajectory (HDF5) datasets, the CG run's frame buffers, the external npz's arrays
NOT_PROPERTIES = {
    "io.py": ("FRAME_KEYS", 'for key in ("positions", "forces", "box")', '"forces", (n, 3)'),
    "cg_simulation.py": ("saved",),
    "datasets.py": ("EXTERNAL_KEYS", 'arrays["forces"]'),
    "columns.py": ("ENERGY, MODIFIED_ENERGY",),
}


def test_energy_and_forces_keys_are_named_constants():
    import schnetpack.properties as props

    assert (props.energy, props.forces) == ("energy", "forces")  # the former literals
    assert col.ENERGY == props.energy
    workflow = Path(__file__).resolve().parents[2] / "workflow"
    literal = re.compile(r"""(\[|\{|=|, )\s*["'](energy|forces)["']""")
    found = []
    for path in [*(workflow / "lib").rglob("*.py"), *(workflow / "scripts").glob("*.py")]:
        allowed = NOT_PROPERTIES.get(path.name, ())
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith(("#", '"""', "``")) or "``" in line:
                continue  # comments and docstrings
            if literal.search(line) and not any(a in line for a in allowed):
                found.append(f"{path.name}: {stripped}")
    assert found == []
