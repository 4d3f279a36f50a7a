"""The fast engine equals the naive per-walk reference (float64, rel. err. <= 1e-6)."""

from __future__ import annotations

import numpy as np
import pytest
from lrp_testkit import (
    ARCHS,
    all_walks,
    build_model,
    naive_walk_relevance,
    random_frame,
    sum_by_exact_set,
    walk_graph_adjacency,
)

from cgexplain import nbody_relevance
from cgexplain.lrp.rules import PUBLISHED_RULE, parse_rule

RTOL = 1e-6


def _table_to_dict(res) -> dict[tuple[int, ...], tuple[float, int]]:
    out = {}
    for row in res.singles.itertuples():
        out[(row.i,)] = (row.relevance, row.n_walks)
    for row in res.pairs.itertuples():
        out[(row.i, row.j)] = (row.relevance, row.n_walks)
    for row in res.triplets.itertuples():
        out[(row.i, row.j, row.k)] = (row.relevance, row.n_walks)
    return out


@pytest.mark.parametrize("rule", ["gamma", "lrp0"])
@pytest.mark.parametrize("n_interactions", [2, 3])
@pytest.mark.parametrize("arch", ARCHS)
def test_engine_matches_naive(arch: str, n_interactions: int, rule: str) -> None:
    rule = parse_rule(rule)
    model = build_model(arch, n_interactions, seed=n_interactions)
    atoms = random_frame(n_beads=6, box=4.5, pbc=arch == "so3net", seed=1)
    adj = walk_graph_adjacency(model, atoms)
    walks = all_walks(adj, n_interactions, max_distinct=3)
    naive = sum_by_exact_set(walks, naive_walk_relevance(model, atoms, walks, rule))
    fast = _table_to_dict(nbody_relevance(model, atoms, rule=rule))

    assert set(fast) == set(naive)
    assert any(len(key) == 3 for key in naive), "frame must contain triplets"
    keys = sorted(naive)
    naive_rel = np.array([naive[k][0] for k in keys])
    fast_rel = np.array([fast[k][0] for k in keys])
    assert [fast[k][1] for k in keys] == [naive[k][1] for k in keys]
    scale = np.abs(naive_rel).max()
    assert scale > 1e-3, "relevances must not vanish"
    np.testing.assert_allclose(fast_rel, naive_rel, rtol=RTOL, atol=RTOL * scale * 1e-3)


@pytest.mark.parametrize("n_interactions", [2, 3])
@pytest.mark.parametrize("arch", ARCHS)
def test_engine_matches_naive_with_periodic_images(arch: str, n_interactions: int) -> None:
    """A box smaller than the cutoff: beads see their own images and several images of
    each neighbour, so pairs carry multiple edges and self-loops carry edges too."""
    model = build_model(arch, n_interactions, seed=4)
    atoms = random_frame(n_beads=3, box=2.7, pbc=True, seed=3, min_dist=0.8)
    walks = all_walks(walk_graph_adjacency(model, atoms), n_interactions)
    naive = naive_walk_relevance(model, atoms, walks, PUBLISHED_RULE)
    from cgexplain.lrp.nbody import explain_walks

    run = explain_walks(model, atoms, PUBLISHED_RULE, max_distinct=3)
    assert np.array_equal(run.walks, walks)
    np.testing.assert_allclose(
        run.relevance, naive, rtol=RTOL, atol=RTOL * 1e-3 * np.abs(naive).max()
    )
    assert run.relevance.sum() == pytest.approx(run.total, rel=1e-9)


def test_chunk_size_does_not_change_results() -> None:
    model = build_model("painn", 3, seed=8)
    atoms = random_frame(n_beads=7, box=4.5, pbc=True, seed=12)
    ref = nbody_relevance(model, atoms, chunk_size=1 << 20)
    small = nbody_relevance(model, atoms, chunk_size=7)
    np.testing.assert_allclose(small.triplets.relevance, ref.triplets.relevance, rtol=1e-12)
    np.testing.assert_allclose(small.pairs.relevance, ref.pairs.relevance, rtol=1e-12)


def test_max_order_two_gives_the_same_pairs() -> None:
    model = build_model("schnet", 3, seed=9)
    atoms = random_frame(n_beads=7, box=4.5, pbc=True, seed=13)
    full = nbody_relevance(model, atoms, max_order=3)
    pairs_only = nbody_relevance(model, atoms, max_order=2)
    assert len(pairs_only.triplets) == 0 and len(full.triplets) > 0
    np.testing.assert_allclose(pairs_only.pairs.relevance, full.pairs.relevance, rtol=1e-12)
    assert (pairs_only.pairs.n_walks == full.pairs.n_walks).all()
