"""Centre-slot sums (no walk listing) equal the sums over the listed walks."""

from __future__ import annotations

import numpy as np
import pytest
from lrp_testkit import ARCHS, build_model, random_frame

from cgexplain.lrp.engine import enumerate_walks, walk_relevance
from cgexplain.lrp.exact_sets import centre_sums, exact_set_sums_from_centres
from cgexplain.lrp.model_io import frozen_parameters
from cgexplain.lrp.nbody import exact_set_sums, modified_pass
from cgexplain.lrp.rules import PUBLISHED_RULE, Gamma


@pytest.mark.parametrize("n_blocks", [1, 2, 3])
@pytest.mark.parametrize("arch", ARCHS)
def test_centre_sums_equal_walk_sums(arch: str, n_blocks: int) -> None:
    model = build_model(arch, n_blocks, seed=3)
    atoms = random_frame(n_beads=7, box=4.5, pbc=True, seed=1)
    run = modified_pass(model, atoms, Gamma(0.1))
    with frozen_parameters(model):
        walks = enumerate_walks(run.pairs, n_blocks, 3)
        relevance = walk_relevance(run.adapter, run.fwd, run.pairs, walks, run.readout_grad)
        want = exact_set_sums(walks, relevance.numpy(), len(atoms))
        sums, nb = centre_sums(run.adapter, run.fwd, run.pairs, run.readout_grad, chunk=5)
        got = exact_set_sums_from_centres(sums, nb, run.pairs)
    for order in (1, 2, 3):
        np.testing.assert_array_equal(got[order][0], want[order][0])
        np.testing.assert_array_equal(got[order][2], want[order][2])
        scale = max(np.abs(want[order][1]).max(initial=0.0), 1e-12)
        np.testing.assert_allclose(got[order][1], want[order][1], rtol=1e-9, atol=1e-12 * scale)
    assert (len(want[3][0]) > 0) == (n_blocks >= 2)


def test_asymmetric_neighbour_list_is_refused() -> None:
    import torch

    from cgexplain.lrp.adapters import Graph
    from cgexplain.lrp.engine import BeadPairs
    from cgexplain.lrp.exact_sets import Neighbourhoods

    graph = Graph(
        atomic_numbers=torch.tensor([1, 1, 1]),
        r_ij=torch.ones(2, 3),
        idx_i=torch.tensor([0, 1]),
        idx_j=torch.tensor([1, 2]),
    )
    with pytest.raises(ValueError, match="not symmetric"):
        Neighbourhoods.from_pairs(BeadPairs.from_graph(graph))


def test_four_blocks_use_the_walk_engine_and_match_the_naive_reference() -> None:
    """T > 3: nbody_relevance lists walks; its sums equal the naive per-walk passes."""
    from lrp_testkit import all_walks, naive_walk_relevance, sum_by_exact_set, walk_graph_adjacency

    from cgexplain import nbody_relevance

    model = build_model("schnet", 4, seed=5)
    atoms = random_frame(n_beads=5, box=4.5, pbc=True, seed=2)
    walks = all_walks(walk_graph_adjacency(model, atoms), 4, max_distinct=3)
    naive = sum_by_exact_set(walks, naive_walk_relevance(model, atoms, walks, PUBLISHED_RULE))
    res = nbody_relevance(model, atoms)
    got = {(int(r.i), int(r.j), int(r.k)): r.relevance for r in res.triplets.itertuples()}
    want = {key: value[0] for key, value in naive.items() if len(key) == 3}
    assert set(got) == set(want) and len(want) > 0
    keys = sorted(want)
    np.testing.assert_allclose([got[k] for k in keys], [want[k] for k in keys], rtol=1e-6)
