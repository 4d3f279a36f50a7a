"""GNN-LRP on CUDA gives the CPU's numbers (skips on a machine without a GPU)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from lrp_testkit import ARCHS, build_model, random_frame

from cgexplain import nbody_relevance
from cgexplain.lrp.trajectory import explain_frames

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")


@cuda
@pytest.mark.parametrize("arch", ARCHS)
def test_nbody_relevance_on_cuda_matches_cpu(arch: str) -> None:
    model = build_model(arch, 3, seed=7)
    atoms = random_frame(n_beads=12, box=5.0, pbc=True, seed=7)
    cpu = nbody_relevance(model, atoms)
    gpu = nbody_relevance(copy.deepcopy(model).to("cuda"), atoms)
    assert len(gpu.triplets) == len(cpu.triplets) > 0
    scale = np.abs(cpu.triplets.relevance).max()
    np.testing.assert_allclose(
        gpu.pairs.relevance, cpu.pairs.relevance, rtol=1e-9, atol=1e-12 * scale
    )
    np.testing.assert_allclose(
        gpu.triplets.relevance, cpu.triplets.relevance, rtol=1e-9, atol=1e-12 * scale
    )
    assert gpu.total == pytest.approx(cpu.total, rel=1e-9)


@cuda
def test_explain_frames_on_cuda() -> None:
    model = build_model("painn", 3, seed=8).to("cuda")
    frames = [(i, random_frame(n_beads=10, box=5.0, pbc=True, seed=i)) for i in range(2)]
    pairs, triplets, table = explain_frames(model, frames)
    assert set(pairs.frame) == {0, 1} and len(triplets) > 0
    assert np.isfinite(table.total).all()
