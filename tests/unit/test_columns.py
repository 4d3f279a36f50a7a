"""The column tuples of cgexplain.columns are the columns the library writes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cgexplain import columns as col
from cgexplain.analysis import relevance as rel
from cgexplain.analysis.rdf import radial_distribution
from cgexplain.analysis.states import ELEMENTS, frame_states, state_counts
from cgexplain.analysis.tica import free_energy_surface
from cgexplain.analysis.triplets import triplet_histogram


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
    assert tuple(rel.matrix_table({"F": matrix}).columns) == col.STATE_MAP_COLUMNS
    assert tuple(rel.matrix_table({}, name=col.KIND).columns) == col.MUTATION_COLUMNS[:-1]
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
    top = rel.top_interactions(pairs, triplets, np.array([0]))
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
