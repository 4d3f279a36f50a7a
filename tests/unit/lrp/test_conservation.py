"""Conservation: the walks partition the unmasked relevance; SchNet/LRP-0/ReLU is exact.

PaiNN and SO3net do not conserve their energy even with LRP-0 and zero biases: their
blocks multiply channels (PaiNN's ``dqmu * <mu_V, mu_W>`` and gated ``dmu * mu_W``;
SO3net's Clebsch-Gordan tensor product and sigmoid gate), and the vector / ``l > 0``
features that gate the scalars are detached, so the energy is not positively
homogeneous of degree one in the embedding and Euler's identity ``E = x0 . dE/dx0``
does not hold. The sum over all walks still equals the unmasked gradient x input.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from lrp_testkit import (
    ARCHS,
    all_walks,
    build_model,
    naive_walk_relevance,
    random_frame,
    walk_graph_adjacency,
)

from cgexplain import nbody_relevance
from cgexplain.lrp.model_io import atoms_to_inputs, model_energy
from cgexplain.lrp.nbody import explain_walks
from cgexplain.lrp.rules import LRP0, Gamma


@pytest.mark.parametrize("arch", ARCHS)
def test_sum_over_all_walks_is_total(arch: str) -> None:
    model = build_model(arch, 3, seed=5)
    atoms = random_frame(n_beads=5, box=4.0, pbc=True, seed=2)
    run = explain_walks(model, atoms, Gamma(0.1), max_distinct=5)
    n_four = np.sum([len(set(w)) >= 4 for w in run.walks])
    assert n_four > 0, "the frame must have walks over four or more beads"
    assert abs(run.total) > 1e-3
    assert run.relevance.sum() == pytest.approx(run.total, rel=1e-9)


def test_naive_sum_over_all_walks_is_total() -> None:
    model = build_model("painn", 2, seed=7)
    atoms = random_frame(n_beads=5, box=4.0, pbc=False, seed=3)
    walks = all_walks(walk_graph_adjacency(model, atoms), 2)
    naive = naive_walk_relevance(model, atoms, walks, Gamma(0.1))
    run = explain_walks(model, atoms, Gamma(0.1), max_distinct=3)
    assert naive.sum() == pytest.approx(run.total, rel=1e-9)


@pytest.mark.parametrize("arch", ARCHS)
def test_two_blocks_explained_equals_total(arch: str) -> None:
    """With T = 2 every walk visits <= 3 beads: 1 + 2 + 3-body sums give the total."""
    model = build_model(arch, 2, seed=11)
    res = nbody_relevance(model, random_frame(n_beads=7, box=4.5, pbc=True, seed=4), Gamma(0.1))
    assert len(res.triplets) > 0
    assert res.explained == pytest.approx(res.total, rel=1e-9)


@pytest.mark.parametrize("n_interactions", [2, 3])
def test_schnet_lrp0_relu_zero_bias_conserves_energy(n_interactions: int) -> None:
    model = build_model("schnet", n_interactions, seed=3, activation=torch.relu, bias_scale=0.0)
    atoms = random_frame(n_beads=7, box=4.5, pbc=True, seed=5)
    res = nbody_relevance(model, atoms, rule=LRP0())
    assert abs(res.energy) > 1e-3
    assert res.modified_energy == pytest.approx(res.energy, rel=1e-10)
    assert res.total == pytest.approx(res.energy, rel=1e-9)
    if n_interactions == 2:
        assert res.explained == pytest.approx(res.energy, rel=1e-9)


@pytest.mark.parametrize("arch", ARCHS)
def test_lrp0_forward_is_the_schnetpack_forward(arch: str) -> None:
    """The adapters rebuild each architecture: LRP-0 leaves the forward value unchanged."""
    model = build_model(arch, 3, seed=13)
    atoms = random_frame(n_beads=6, box=4.5, pbc=True, seed=6)
    schnetpack_energy = model_energy(model, atoms_to_inputs(model, atoms))
    res = nbody_relevance(model, atoms, LRP0())
    assert abs(schnetpack_energy) > 1e-3
    assert res.modified_energy == pytest.approx(schnetpack_energy, rel=1e-10, abs=1e-10)
    assert res.energy == pytest.approx(schnetpack_energy, rel=1e-10, abs=1e-10)


@pytest.mark.parametrize("arch", ["painn", "schnet"])
def test_gamma_forward_changes_only_with_biases(arch: str) -> None:
    """Without biases and with sign-keeping activations (SiLU, shifted softplus) the
    gamma rule keeps the forward value (up to the silent units |y| <= 1e-6). SO3net is
    left out: its sigmoid gate is positive where z < 0, where the rule outputs 0."""
    atoms = random_frame(n_beads=6, box=4.5, pbc=True, seed=6)
    unbiased = nbody_relevance(build_model(arch, 2, seed=1, bias_scale=0.0), atoms, Gamma(0.1))
    assert unbiased.modified_energy == pytest.approx(unbiased.energy, rel=1e-5, abs=1e-5)
    biased = nbody_relevance(build_model(arch, 2, seed=1, bias_scale=0.5), atoms, Gamma(0.1))
    assert abs(biased.modified_energy - biased.energy) > 1e-4


@pytest.mark.parametrize("pbc", [True, False])
def test_walk_count_matches_enumeration(pbc: bool) -> None:
    """count_walks (sparse powers of A + I) = number of walks listed by the naive kit."""
    model = build_model("painn", 3, seed=5)
    atoms = random_frame(n_beads=6, box=4.0, pbc=pbc, seed=8)
    naive = all_walks(walk_graph_adjacency(model, atoms), 3)
    run = explain_walks(model, atoms, Gamma(0.1), max_distinct=6)
    assert run.n_walks_total == len(naive) == len(run.walks)
    res = nbody_relevance(model, atoms, Gamma(0.1))
    assert res.n_walks_total == len(naive)
    assert res.mean_walk_relevance == pytest.approx(run.relevance.sum() / len(naive), rel=1e-9)
