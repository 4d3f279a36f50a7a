"""The analytic FLOP count of the benchmarks' compute floor against what stock PaiNN runs.

The matrix products are counted by intercepting ``aten.mm``/``addmm``/``bmm`` while
SchNetPack's PaiNN computes energy, energy + forces and a force-matching step."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

# isort: off
import cgexplain  # noqa: F401  (the torch shim SchNetPack needs: import it first)
import schnetpack as spk

# isort: on
sys.path.insert(0, str(Path(__file__).resolve().parent))
import compute_floor as cf  # noqa: E402
from bench_training import make_batch  # noqa: E402

from cgexplain.cg.training import ModelSpec, build_model  # noqa: E402

aten = torch.ops.aten


class _MatmulFlops(TorchDispatchMode):
    """Counts 2 m k n FLOP per (batched) matrix product run inside it (biases left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.flops = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        packet = func.overloadpacket
        if packet in (aten.mm, aten.bmm):
            self.flops += 2 * args[0].numel() * args[1].shape[-1]
        elif packet is aten.addmm:
            self.flops += 2 * args[1].numel() * args[2].shape[-1]
        return func(*args, **(kwargs or {}))


@pytest.fixture(scope="module")
def painn_case():
    """A small stock PaiNN (F 16, B 2, K 8, 5 Å), one water-like frame and its counts."""
    spec = ModelSpec("painn", 16, 2, 8, 5.0)
    torch.manual_seed(0)
    model = build_model(spec).to(torch.float32)
    batch = make_batch(1, spec.cutoff, seed=0)
    n_atoms = batch[spk.properties.Z].shape[0]
    n_pairs = batch[spk.properties.idx_i].shape[0]
    sizes = (n_atoms, n_pairs, spec.n_features, spec.n_interactions, spec.n_rbf)
    return model, batch, sizes


def test_forward_matmuls_counted_exactly(painn_case):
    model, batch, sizes = painn_case
    inputs = {k: v.clone() for k, v in batch.items()}
    with torch.no_grad(), _MatmulFlops() as counter:
        inputs = model.input_modules[0](inputs)
        inputs = model.representation(inputs)
        model.output_modules[0](inputs)
    assert counter.flops == cf.painn_matmul_flops(*sizes)
    assert cf.painn_forward_flops(*sizes) > counter.flops  # plus biases and elementwise


def test_energy_forces_and_training_step_multiples(painn_case):
    """Energy + forces runs about 2x the forward's matrix products, a training step about
    6x (the block-1 context MLP needs no input gradient: slightly under)."""
    model, batch, sizes = painn_case
    forward = cf.painn_matmul_flops(*sizes)
    inputs = {k: v.clone() for k, v in batch.items()}
    with _MatmulFlops() as counter:
        model(inputs)
    assert 1.9 * forward < counter.flops <= 2 * forward
    inputs = {k: v.clone() for k, v in batch.items()}
    with _MatmulFlops() as counter:
        out = model(inputs)
        ((out[spk.properties.forces] - batch[spk.properties.forces]) ** 2).mean().backward()
    assert 5.7 * forward < counter.flops <= 6 * forward
    ratio = cf.painn_training_step_flops(*sizes) / cf.painn_energy_forces_flops(*sizes)
    assert ratio == 3


def test_count_pairs_matches_schnetpack_neighbour_list(painn_case):
    from bench_cg_simulation import BOX, water_like_frame

    _, batch, sizes = painn_case
    assert cf.count_pairs(water_like_frame(0), BOX, 5.0) == sizes[1]


def test_peak_flops_one_thread_and_restored():
    threads = torch.get_num_threads()
    clock, name = cf.cpu_clock(1)
    assert name == "time.thread_time"
    assert cf.cpu_clock(2)[1] == "time.process_time"
    peak = cf.peak_flops(clock, size=128, repeats=2)
    assert np.isfinite(peak) and peak > 0
    assert torch.get_num_threads() == threads
