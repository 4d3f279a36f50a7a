"""GNN-LRP of an SO3net with the workflow's fast convolution installed.

The workflow loads every model through :func:`cgexplain.potentials.loading.load_model`, which switches
SchNetPack's ``SO3Convolution`` to :class:`~cgexplain.potentials.fast_so3.FastSO3Convolution`, so
the models it explains are accelerated ones. Here such a model (loaded exactly that way)
is explained by the engine and compared with :mod:`independent_reference` (SchNetPack's
own modules, one masked pass per walk, no code shared with ``cgexplain.lrp``) on the same
weights without acceleration.

The engine reads a convolution's radial filter network and Clebsch-Gordan buffers and
never calls its ``forward``, so the relevances alone would not notice a wrong
``FastSO3Convolution.forward``. Hence also: the energy the engine decomposes equals the
accelerated model's own SchNetPack energy (and the plain model's), and the reference's
masked gradients through the fast convolution equal those through SchNetPack's, walk by
walk.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from independent_reference import (
    adjacency,
    batch_inputs,
    brute_force_walks,
    exact_set_sums,
    reference_total,
    reference_walk_relevance,
)
from lrp_testkit import build_model, random_frame

from cgexplain import nbody_relevance
from cgexplain.potentials.fast_so3 import FastSO3Convolution
from cgexplain.potentials.loading import load_model

CUTOFF = 3.0
N_INTERACTIONS = 3  # as the published methane SO3net: l > 0 constants enter blocks 2 and 3
#: float64 throughout; engine and reference agree to ~1e-14 relative
RTOL = 1e-9


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> tuple[torch.nn.Module, torch.nn.Module]:
    """(SchNetPack's SO3net, the same file loaded by the workflow's loader)."""
    plain = build_model("so3net", N_INTERACTIONS, cutoff=CUTOFF, seed=43)
    path = tmp_path_factory.mktemp("so3net") / "model.pt"
    torch.save(plain, path)
    fast = load_model(path)
    assert sum(type(m) is FastSO3Convolution for m in fast.modules()) == N_INTERACTIONS
    assert not any(isinstance(m, FastSO3Convolution) for m in plain.modules())
    return plain, fast


@pytest.fixture(scope="module")
def frame():
    """8 beads in a periodic 5.5 Å box (< 2 x cutoff: several images of a neighbour)."""
    return random_frame(n_beads=8, box=5.5, pbc=True, seed=23, min_dist=0.9)


@pytest.fixture(scope="module")
def reference(models, frame) -> tuple[list[tuple], np.ndarray]:
    """Every walk with <= 3 beads and its relevance, on the model WITHOUT acceleration."""
    plain, _ = models
    adj = adjacency(plain, frame)
    assert 0.3 < adj.mean() < 1.0, "frame must be dense but not complete"
    walks = brute_force_walks(adj, N_INTERACTIONS, max_distinct=3)
    return walks, reference_walk_relevance(plain, frame, walks, "gamma")


def _sets(res) -> dict[tuple, float]:
    out = {(int(r.i),): r.relevance for r in res.singles.itertuples()}
    out.update({(int(r.i), int(r.j)): r.relevance for r in res.pairs.itertuples()})
    out.update({(int(r.i), int(r.j), int(r.k)): r.relevance for r in res.triplets.itertuples()})
    return out


def test_accelerated_model_matches_independent_reference(models, frame, reference) -> None:
    plain, fast = models
    walks, relevance = reference
    ref = exact_set_sums(walks, relevance)
    res = nbody_relevance(fast, frame)  # published rule: gamma, gamma = 0.1
    got = _sets(res)
    assert set(got) == set(ref)
    n_pairs = sum(len(k) == 2 for k in ref)
    assert 0 < n_pairs < 8 * 7 // 2 and sum(len(k) == 3 for k in ref) >= 30
    keys = sorted(ref)
    want = np.array([ref[k] for k in keys])
    scale = np.abs(want).max()
    assert scale > 1e-2
    np.testing.assert_allclose([got[k] for k in keys], want, rtol=RTOL, atol=RTOL * 1e-3 * scale)
    ref_total, ref_modified = reference_total(plain, frame, "gamma")
    assert res.total == pytest.approx(ref_total, rel=RTOL)
    assert res.modified_energy == pytest.approx(ref_modified, rel=RTOL)


def _schnetpack_energy(model: torch.nn.Module, atoms) -> float:
    """The model's own SchNetPack forward (float64 inputs, neighbour list at its cutoff)."""
    with torch.no_grad():
        return float(model(batch_inputs(model, atoms, 1))["energy"].sum())


def test_engine_explains_the_accelerated_models_energy(models, frame) -> None:
    """The energy the engine decomposes is the one the accelerated model computes (its
    SchNetPack forward runs FastSO3Convolution) and SchNetPack's own model computes."""
    plain, fast = models
    e_fast, e_plain = _schnetpack_energy(fast, frame), _schnetpack_energy(plain, frame)
    assert e_fast == pytest.approx(e_plain, rel=1e-12, abs=1e-12)
    res = nbody_relevance(fast, frame, max_order=2)
    assert res.energy == pytest.approx(e_fast, rel=1e-12, abs=1e-12)
    assert abs(e_plain) > 1e-2


def test_fast_convolution_carries_walk_relevance_like_schnetpack(models, frame, reference) -> None:
    """The reference's masked gradients through FastSO3Convolution, walk by walk."""
    _, fast = models
    walks, relevance = reference
    through_fast = reference_walk_relevance(fast, frame, walks, "gamma")
    scale = np.abs(relevance).max()
    np.testing.assert_allclose(through_fast, relevance, rtol=RTOL, atol=RTOL * 1e-3 * scale)
