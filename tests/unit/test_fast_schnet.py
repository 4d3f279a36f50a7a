"""FastSchNet against SchNetPack's SchNet (float64), its hand-written backward and double
backward against finite differences (``gradcheck``/``gradgradcheck``) and against a plain
autograd convolution that shares none of its code; the training potential's forces and
the weight gradients of the force-matching loss against SchNetPack on the same state dict."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from cgexplain.cg.training import ModelSpec, build_model
from cgexplain.potentials.batched import BatchedPotential
from cgexplain.potentials.fast_schnet import (
    CFConv,
    FastSchNet,
    FastSchNetPotential,
    accelerate_schnet,
    restore_schnet,
    supports,
)
from cgexplain.potentials.neighbors import VerletList

from .test_fast_painn import assert_same_training_step, float32_errors, periodic_batch


def conv_inputs(seed: int, n: int, pairs: int, f: int, k: int):
    """Random float64 leaves (x, g, basis) of a convolution."""
    gen = torch.Generator().manual_seed(seed)
    return tuple(
        t.double().requires_grad_(True)
        for t in (
            torch.randn(n, f, generator=gen),
            torch.rand(pairs, k, generator=gen),
            torch.randn(k, f, generator=gen),
        )
    )


def plain_conv(x, g, basis, idx_i, idx_j):
    """The convolution by plain autograd, one directed pair per row (the reference)."""
    return torch.zeros_like(x).index_add(0, idx_i, (g @ basis) * x[idx_j])


@pytest.mark.parametrize("half", [False, True])
def test_cfconv_derivatives_match_finite_differences(half):
    n, e = 6, 17
    x, g, basis = conv_inputs(0, n, e, 4, 5)
    gen = torch.Generator().manual_seed(1)
    idx_i = torch.randint(0, n, (e,), generator=gen)
    idx_j = torch.randint(0, n, (e,), generator=gen)  # some i == j: periodic self-images
    assert (idx_i == idx_j).any()
    for block in (3, 7, 64):  # several blocks, a ragged last one, one block
        fn = lambda *a, block=block: CFConv.apply(*a, idx_i, idx_j, block, half)  # noqa: E731
        assert torch.autograd.gradcheck(fn, (x, g, basis))
        assert torch.autograd.gradgradcheck(fn, (x, g, basis))


@pytest.mark.parametrize("half", [False, True])
def test_cfconv_equals_plain_autograd_to_second_order(half):
    """Values, a vector-Jacobian product and its derivative in every input (the double
    backward force matching takes) against :func:`plain_conv` on the directed list."""
    n, e = 9, 40
    x, g, basis = conv_inputs(2, n, e, 6, 5)
    gen = torch.Generator().manual_seed(3)
    idx_i = torch.randint(0, n, (e,), generator=gen)
    idx_j = torch.randint(0, n, (e,), generator=gen)
    if half:  # the directed list: every pair both ways, sharing its filter row
        ref_args = (torch.cat([g, g]), torch.cat([idx_i, idx_j]), torch.cat([idx_j, idx_i]))
    else:
        ref_args = (g, idx_i, idx_j)
    cot = torch.randn(n, 6, generator=gen, dtype=torch.float64)
    probe = [torch.randn(t.shape, generator=gen, dtype=torch.float64) for t in (x, g, basis)]

    def second_order(conv):
        y = conv()
        first = torch.autograd.grad(y, (x, g, basis), cot, create_graph=True)
        scalar = sum((a * b).sum() for a, b in zip(first, probe, strict=True))
        second = torch.autograd.grad(scalar, (x, g, basis))
        return [t.detach() for t in (y, *first, *second)]

    got = second_order(lambda: CFConv.apply(x, g, basis, idx_i, idx_j, 8, half))
    want = second_order(lambda: plain_conv(x, ref_args[0], basis, ref_args[1], ref_args[2]))
    assert all(w.abs().max() > 0 for w in want)
    for a, b in zip(got, want, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12 * float(b.abs().max()))


def schnet_pair(dtype, seed=5, interactions=3):
    """A SchNetPack SchNet potential (weights moved off their initial values) and an
    accelerated deep copy."""
    torch.manual_seed(seed)
    stock = build_model(ModelSpec("schnet", 16, interactions, 10, 5.0)).to(dtype)
    assert not restore_schnet(stock)  # build_model gives SchNetPack's own class
    for p in stock.parameters():
        p.data.add_(0.1 * torch.randn_like(p))
    fast = copy.deepcopy(stock)
    assert accelerate_schnet(fast) and type(fast) is FastSchNetPotential
    return stock, fast


@pytest.mark.parametrize("half", [False, True])
def test_training_potential_equals_schnetpack_with_weight_gradients_in_float64(half, monkeypatch):
    monkeypatch.setattr(FastSchNetPotential, "half_pairs", half)
    monkeypatch.setattr(FastSchNetPotential, "block", 64)  # several blocks
    assert_same_training_step(*schnet_pair(torch.float64))


def test_training_potential_in_float32_is_as_close_to_float64_as_schnetpack():
    """float32 against the float64 result of the same weights, SchNetPack's own float32
    error setting the scale: forces to 1e-6 relative, weight gradients to 1e-5."""
    errors = float32_errors(*schnet_pair(torch.float64))
    assert errors["fast"][0] < 1e-6 and errors["fast"][1] < 1e-5, errors
    assert errors["fast"][0] < 4 * errors["stock"][0], errors
    assert errors["fast"][1] < 4 * errors["stock"][1], errors


@pytest.mark.parametrize("half", [False, True])
def test_fast_schnet_equals_schnetpack_on_the_verlet_list(half):
    """Energies and forces of replicas, on the simulation's Verlet list (directed, and
    half as the CG simulation hands it)."""
    stock, _ = schnet_pair(torch.float64, seed=1, interactions=2)
    stock.eval()
    positions, box = periodic_batch()
    numbers = np.tile([6, 8], 20)
    slow = BatchedPotential(stock, numbers, np.eye(3) * box, 5.0, fast=False)
    inputs = slow.inputs(positions, VerletList(5.0, 0.0, np.eye(3) * box))
    want = stock({k: v.clone() for k, v in inputs.items()})
    if half:
        inputs = slow.inputs(positions, VerletList(5.0, 0.0, np.eye(3) * box), half=True)
    got = FastSchNet(stock, block=97)(inputs, given_half=half)
    assert want["forces"].abs().max() > 0.1
    torch.testing.assert_close(got["energy"], want["energy"], rtol=0, atol=1e-10)
    torch.testing.assert_close(got["forces"], want["forces"], rtol=0, atol=1e-10)
    fast = BatchedPotential(stock, numbers, np.eye(3) * box, 5.0)
    assert isinstance(fast.fast, FastSchNet) and fast.half_pairs
    for a, b in zip(fast(positions), slow(positions), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-10)


def test_accelerate_and_restore_keep_the_state_dict_and_pickle(tmp_path):
    import schnetpack as spk

    stock, fast = schnet_pair(torch.float32)
    assert accelerate_schnet(fast)  # idempotent
    for (k, a), (k2, b) in zip(stock.state_dict().items(), fast.state_dict().items(), strict=True):
        assert k == k2 and torch.equal(a, b)
    torch.save(fast, tmp_path / "fast.pt")
    loaded = torch.load(tmp_path / "fast.pt", weights_only=False)
    assert type(loaded) is FastSchNetPotential and restore_schnet(loaded)
    assert type(loaded) is spk.model.NeuralNetworkPotential and not restore_schnet(loaded)
    painn = build_model(ModelSpec("painn", 8, 1, 6, 5.0))
    assert not supports(painn) and not accelerate_schnet(painn)
    with pytest.raises(ValueError, match="SchNet"):
        FastSchNet(painn)
