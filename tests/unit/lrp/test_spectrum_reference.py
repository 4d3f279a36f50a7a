"""The n-body spectrum of the relevance stage against an independent per-walk reference.

Every walk of a 3-interaction model (up to four distinct beads) gets its relevance from
:mod:`independent_reference` (SchNetPack's own blocks, one masked gradient per walk; no
``cgexplain.lrp`` code); grouping them by their number of distinct beads gives R_1, R_2,
R_3 and R_4+ directly. The spectrum gets R_1 and R_4+ only by difference from the
engine's frame table, so agreement checks those differences, not just an identity.
"""

from __future__ import annotations

import numpy as np
import pytest
from independent_reference import adjacency, brute_force_walks, reference_walk_relevance
from lrp_testkit import build_model, random_frame

from cgexplain.analysis.spectrum import nbody_spectrum
from cgexplain.lrp.rules import parse_rule
from cgexplain.lrp.trajectory import explain_frames


@pytest.mark.parametrize("rule", ["gamma", "lrp0"])
def test_spectrum_equals_walks_grouped_by_distinct_beads(rule: str) -> None:
    model = build_model("painn", 3, cutoff=3.0, seed=41)
    atoms = random_frame(n_beads=7, box=4.0, pbc=True, seed=42, min_dist=0.9)
    adj = adjacency(model, atoms)
    walks = brute_force_walks(adj, 3, max_distinct=4)
    relevance = reference_walk_relevance(model, atoms, walks, rule)
    distinct = np.array([len(set(w)) for w in walks])
    expected = [relevance[distinct == n].sum() for n in (1, 2, 3, 4)]
    # 4-bead walks carry far more than the tolerance: R_4+ is really tested
    assert abs(expected[3]) > 1e-4 * np.abs(expected).max()

    pairs, triplets, frames = explain_frames(model, [(0, atoms)], rule=parse_rule(rule))
    spectrum = nbody_spectrum(frames, pairs, triplets).iloc[0]
    got = spectrum[["r1", "r2", "r3", "r4plus"]].to_numpy(dtype=float)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9 * np.abs(expected).max())
    assert spectrum["total"] == pytest.approx(relevance.sum(), rel=1e-6)
