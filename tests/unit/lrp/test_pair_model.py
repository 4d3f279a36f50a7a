"""A potential that is a pair sum by construction has zero 3-body contributions."""

from __future__ import annotations

import numpy as np
import torch
from lrp_testkit import build_model, random_frame

from cgexplain import nbody_relevance
from cgexplain.lrp import classic_nbody
from cgexplain.lrp.rules import LRP0, Gamma


def _pair_potential(zero_last_blocks: bool) -> torch.nn.Module:
    """SchNet whose energy is ``sum_i a . (x_i + L sum_j W(d_ij) B x_j) + c``.

    Linear update and readout (no activation) make one interaction a pair sum; the
    later interaction blocks output zero. Without zeroing, the second block couples
    chains i -> j -> k and the model has genuine 3-body terms (the control).
    """
    model = build_model("schnet", 3, seed=31)
    for interaction in model.representation.interactions:
        interaction.f2out[0].activation = torch.nn.Identity()
    for dense in model.output_modules[0].outnet:
        dense.activation = torch.nn.Identity()
    if zero_last_blocks:
        with torch.no_grad():
            for interaction in model.representation.interactions[1:]:
                interaction.f2out[1].weight.zero_()
                interaction.f2out[1].bias.zero_()
    return model


def test_pair_model_has_no_three_body() -> None:
    atoms = random_frame(n_beads=7, box=4.5, pbc=True, seed=9)
    for rule in (Gamma(0.1), LRP0()):
        res = nbody_relevance(_pair_potential(True), atoms, rule)
        scale = np.abs(res.pairs.relevance).max()
        assert scale > 1e-3 and len(res.triplets) > 0
        assert np.abs(res.triplets.relevance).max() < 1e-12 * max(scale, 1.0)
    control = nbody_relevance(_pair_potential(False), atoms, Gamma(0.1))
    assert np.abs(control.triplets.relevance).max() > 1e-4


def test_classic_decomposition_of_pair_model() -> None:
    # isolated clusters need an open frame: in a small periodic box a pair interacts
    # through several images, which an isolated cluster does not see
    atoms = random_frame(n_beads=7, box=4.5, pbc=False, seed=9)
    model = _pair_potential(True)
    res = nbody_relevance(model, atoms, LRP0())
    pairs = res.pairs[["i", "j"]].to_numpy()
    triplets = res.triplets[["i", "j", "k"]].to_numpy()[:20]
    e2, e3 = classic_nbody(model, atoms, pairs, triplets)
    assert np.abs(e2.e2).max() > 1e-3
    assert np.abs(e3.e3).max() < 1e-10
    _, e3_control = classic_nbody(_pair_potential(False), atoms, pairs, triplets)
    assert np.abs(e3_control.e3).max() > 1e-6
