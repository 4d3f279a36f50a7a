"""FastSO3Convolution against SchNetPack's SO3Convolution (the slow reference)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import cgexplain  # noqa: F401 - SchNetPack shim
from cgexplain.cg.training import ModelSpec, build_model
from cgexplain.potentials.fast_so3 import FastSO3Convolution, accelerate_so3net, restore_so3net


def _batch(dtype, seed=0):
    import schnetpack.transform as trn
    from ase import Atoms
    from schnetpack.interfaces import AtomsConverter

    rng = np.random.default_rng(seed)
    grid = np.stack(np.meshgrid(*[np.arange(3)] * 3), -1).reshape(-1, 3) * 3.4
    positions = grid + rng.normal(scale=0.4, size=grid.shape)
    atoms = Atoms(
        numbers=[6] * len(positions), positions=positions, cell=np.eye(3) * 10.2, pbc=True
    )
    converter = AtomsConverter(neighbor_list=trn.MatScipyNeighborList(cutoff=4.5), dtype=dtype)
    return converter(atoms)


@pytest.mark.parametrize("lmax", [1, 2, 3])
def test_fast_convolution_matches_schnetpack(lmax):
    torch.manual_seed(lmax)
    fast = build_model(ModelSpec("so3net", 8, 2, 6, 4.5, lmax)).double()
    slow = copy.deepcopy(fast)
    assert restore_so3net(slow) == 2
    assert sum(isinstance(m, FastSO3Convolution) for m in fast.modules()) == 2
    # random filters so every (l1, s2) block contributes
    for p in fast.parameters():
        torch.nn.init.normal_(p, std=0.3)
    slow.load_state_dict(fast.state_dict())

    out_fast = fast(_batch(torch.float64))
    out_slow = slow(_batch(torch.float64))
    torch.testing.assert_close(out_fast["energy"], out_slow["energy"], rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(out_fast["forces"], out_slow["forces"], rtol=1e-9, atol=1e-10)
    assert out_slow["forces"].abs().max() > 1e-5  # the comparison is not vacuous

    # the force-matching loss has the same parameter gradients (double backward)
    grads = []
    for model in (fast, slow):
        model.zero_grad()
        model(_batch(torch.float64))["forces"].pow(2).sum().backward()
        grads.append(
            [torch.zeros_like(p) if p.grad is None else p.grad.clone() for p in model.parameters()]
        )
    for g_fast, g_slow in zip(*grads, strict=True):
        torch.testing.assert_close(g_fast, g_slow, rtol=1e-8, atol=1e-10)


def test_switch_is_idempotent_and_keeps_state_dict():
    model = build_model(ModelSpec("so3net", 8, 2, 6, 4.5, 2))
    keys = set(model.state_dict())
    assert accelerate_so3net(model) == 0  # already switched by build_model
    assert restore_so3net(model) == 2
    assert set(model.state_dict()) == keys
    assert accelerate_so3net(model) == 2
    assert set(model.state_dict()) == keys
