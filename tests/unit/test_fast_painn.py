"""FastPaiNN against SchNetPack's PaiNN (float64) and its hand-written backward and double
backward against finite differences (``torch.autograd.gradcheck``/``gradgradcheck``, which
share none of its code); the training potential's forces and the weight gradients of the
force-matching loss against SchNetPack's autograd on the same state dict."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cgexplain.cg.training import ModelSpec, build_model
from cgexplain.potentials.batched import BatchedPotential
from cgexplain.potentials.extension import ENV, build_directory, kernels
from cgexplain.potentials.fast_painn import (
    EdgeMessage,
    FastPaiNN,
    FastPaiNNPotential,
    HalfEdgeMessage,
    accelerate_painn,
    restore_painn,
    supports,
)
from cgexplain.potentials.neighbors import VerletList


@pytest.fixture(autouse=True, params=["fused", "pytorch"])
def edge_kernels(request, monkeypatch):
    """Every test here runs with the compiled edge kernels and with the PyTorch fallback."""
    monkeypatch.setenv(ENV, "auto" if request.param == "fused" else "off")
    if request.param == "fused" and kernels() is None:
        pytest.skip("the fused edge kernels did not build on this machine")
    return request.param


def message_inputs(gen, n: int, pairs: int, f: int, k: int):
    """Random float64 leaves (x, mu, g, basis, direction) of a message function."""

    def leaf(t):
        return t.double().requires_grad_(True)

    return (
        leaf(torch.randn(n, 3 * f, generator=gen)),
        leaf(torch.randn(n, 3, f, generator=gen)),
        leaf(torch.rand(pairs, k, generator=gen)),
        leaf(torch.randn(k, 3 * f, generator=gen)),
        leaf(torch.nn.functional.normalize(torch.randn(pairs, 3, generator=gen), dim=1)),
    )


def test_edge_message_backward_and_double_backward_match_finite_differences():
    gen = torch.Generator().manual_seed(0)
    n, e = 6, 23
    x, mu, g, basis, direction = message_inputs(gen, n, e, 4, 5)
    idx_i = torch.randint(0, n, (e,), generator=gen)
    idx_j = (idx_i + torch.randint(1, n, (e,), generator=gen)) % n
    for block in (4, 7, 64):  # several blocks, a ragged last one, one block
        fn = lambda *a, block=block: EdgeMessage.apply(*a, idx_i, idx_j, block)  # noqa: E731
        assert torch.autograd.gradcheck(fn, (x, mu, g, basis, direction))
        assert torch.autograd.gradgradcheck(fn, (x, mu, g, basis, direction))


def periodic_batch(replicas: int = 3, n: int = 40, box: float = 11.0):
    rng = np.random.default_rng(3)
    grid = np.stack(np.meshgrid(*[np.arange(4)] * 3, indexing="ij"), -1).reshape(-1, 3)
    sites = grid[rng.choice(len(grid), n, replace=False)] * (box / 4) + 1.0
    return torch.as_tensor(sites[None] + rng.normal(scale=0.2, size=(replicas, n, 3))), box


@pytest.mark.parametrize("interactions", [1, 3])
def test_fast_painn_equals_schnetpack_in_float64(interactions):
    torch.manual_seed(interactions)
    model = build_model(ModelSpec("painn", 16, interactions, 10, 5.0)).double()
    for p in model.parameters():  # away from the initial zeros, so every path counts
        p.data.add_(0.1 * torch.randn_like(p))
    positions, box = periodic_batch()
    numbers = np.tile([6, 8], 20)
    stock = BatchedPotential(model, numbers, np.eye(3) * box, 5.0, fast=False)
    inputs = stock.inputs(positions, VerletList(5.0, 0.0, np.eye(3) * box))
    want = model({k: v.clone() for k, v in inputs.items()})
    got = FastPaiNN(model, block=97)(inputs)
    assert want["forces"].abs().max() > 0.1
    torch.testing.assert_close(got["energy"], want["energy"], rtol=0, atol=1e-10)
    torch.testing.assert_close(got["forces"], want["forces"], rtol=0, atol=1e-10)


def test_batched_potential_runs_painn_fast_and_the_others_as_they_are():
    torch.manual_seed(0)
    positions, box = periodic_batch(2)
    numbers = np.full(40, 6)
    painn = build_model(ModelSpec("painn", 8, 2, 6, 5.0)).double()
    fast = BatchedPotential(painn, numbers, np.eye(3) * box, 5.0)
    slow = BatchedPotential(painn, numbers, np.eye(3) * box, 5.0, fast=False)
    directed = BatchedPotential(painn, numbers, np.eye(3) * box, 5.0, half_pairs=False)
    assert fast.fast is not None and slow.fast is None
    assert fast.half_pairs and not directed.half_pairs and not slow.half_pairs
    for a, b, c in zip(fast(positions), slow(positions), directed(positions), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-10)
        torch.testing.assert_close(c, b, rtol=0, atol=1e-10)
    so3 = build_model(ModelSpec("so3net", 8, 1, 6, 5.0, lmax=1))
    assert not supports(so3)
    assert BatchedPotential(so3, numbers, np.eye(3) * box, 5.0).fast is None
    with pytest.raises(ValueError, match="PaiNN"):
        FastPaiNN(so3)


def test_half_edge_message_backward_and_double_backward_match_finite_differences():
    gen = torch.Generator().manual_seed(1)
    n, h = 5, 13
    x, mu, g, basis, direction = message_inputs(gen, n, h, 3, 4)
    idx_i = torch.randint(0, n, (h,), generator=gen)
    idx_j = torch.randint(0, n, (h,), generator=gen)  # some i == j: periodic self-images
    assert (idx_i == idx_j).any()
    for block in (3, 5, 64):
        fn = lambda *a, block=block: HalfEdgeMessage.apply(*a, idx_i, idx_j, block)  # noqa: E731
        assert torch.autograd.gradcheck(fn, (x, mu, g, basis, direction))
        assert torch.autograd.gradgradcheck(fn, (x, mu, g, basis, direction))
    # equal to EdgeMessage on the directed list (both directions, reverse unit vector)
    both_i, both_j = torch.cat([idx_i, idx_j]), torch.cat([idx_j, idx_i])
    want = EdgeMessage.apply(
        x, mu, torch.cat([g, g]), basis, torch.cat([direction, -direction]), both_i, both_j, 7
    )
    got = HalfEdgeMessage.apply(x, mu, g, basis, direction, idx_i, idx_j, 4)
    for a, b in zip(got, want, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_fast_painn_on_half_pairs_equals_schnetpack_with_self_images(dtype):
    """A box smaller than twice the cutoff (SchNetPack's own neighbour list, with periodic
    self-images and pairs through several images) and the minimum-image Verlet list."""
    import ase
    import schnetpack as spk
    import schnetpack.transform as trn

    torch.manual_seed(5)
    model = build_model(ModelSpec("painn", 16, 2, 10, 5.0)).to(dtype)
    for p in model.parameters():
        p.data.add_(0.1 * torch.randn_like(p))
    rng = np.random.default_rng(0)
    box = 4.5  # < cutoff: every bead sees its own images
    atoms = ase.Atoms(
        numbers=np.tile([6, 8], 4), positions=rng.uniform(0, box, (8, 3)), cell=np.eye(3) * box
    )
    atoms.pbc = True
    converter = spk.interfaces.AtomsConverter(
        neighbor_list=trn.ASENeighborList(cutoff=5.0), dtype=dtype
    )
    inputs = converter(atoms)
    assert (inputs["_idx_i"] == inputs["_idx_j"]).any()  # self-images present
    want = {k: v.to(dtype) for k, v in model({k: v.clone() for k, v in inputs.items()}).items()}
    got = FastPaiNN(model, block=31, half_pairs=True)(inputs)
    atol, rtol = (1e-10, 0.0) if dtype == torch.float64 else (1e-4, 1e-5)
    assert want["forces"].abs().max() > 0.1
    torch.testing.assert_close(got["energy"], want["energy"], rtol=rtol, atol=atol)
    torch.testing.assert_close(got["forces"], want["forces"], rtol=rtol, atol=atol)
    # and the simulation's Verlet list, several replicas
    positions, box = periodic_batch()
    stock = BatchedPotential(model, np.tile([6, 8], 20), np.eye(3) * box, 5.0, fast=False)
    inputs = stock.inputs(positions.to(dtype), VerletList(5.0, 0.0, np.eye(3) * box))
    want = {k: v.to(dtype) for k, v in model({k: v.clone() for k, v in inputs.items()}).items()}
    got = FastPaiNN(model, block=97, half_pairs=True)(inputs)
    torch.testing.assert_close(got["energy"], want["energy"], rtol=rtol, atol=atol)
    torch.testing.assert_close(got["forces"], want["forces"], rtol=rtol, atol=atol)


def force_matching_gradients(model, inputs, target):
    """Energies, forces and the weight gradients of a force-matching loss (training mode,
    as Lightning's step: forces with ``create_graph``, then one backward)."""
    model.train()
    model.do_postprocessing = False
    out = model({k: v.clone() for k, v in inputs.items()})
    loss = ((out["forces"] - target) ** 2).mean() + 1e-3 * (out["energy"] ** 2).mean()
    grads = torch.autograd.grad(loss, list(model.parameters()))
    return out["energy"].detach(), out["forces"].detach(), grads


def small_periodic_batch(dtype, frames=3, n=10, box=4.6, cutoff=5.0):
    """SchNetPack inputs of ``frames`` random frames in a box smaller than twice the
    cutoff (periodic self-images and pairs through several images)."""
    import ase
    import schnetpack as spk
    import schnetpack.transform as trn

    rng = np.random.default_rng(0)
    atoms = [
        ase.Atoms(
            numbers=np.tile([6, 8], n // 2),
            positions=rng.uniform(0, box, (n, 3)),
            cell=np.eye(3) * box,
            pbc=True,
        )
        for _ in range(frames)
    ]
    converter = spk.interfaces.AtomsConverter(
        neighbor_list=trn.ASENeighborList(cutoff=cutoff), dtype=dtype
    )
    inputs = converter(atoms)
    target = torch.as_tensor(rng.normal(size=(frames * n, 3)), dtype=dtype)
    return inputs, target


def assert_same_training_step(stock, fast):
    """float64: energies to 1e-10 relative, forces and every weight gradient of the
    force-matching loss to 1e-10 of their largest, with periodic self-images."""
    inputs, target = small_periodic_batch(torch.float64)
    assert (inputs["_idx_i"] == inputs["_idx_j"]).any()
    want = force_matching_gradients(stock, inputs, target)
    got = force_matching_gradients(fast, inputs, target)
    assert want[1].abs().max() > 0.1
    torch.testing.assert_close(got[0], want[0], rtol=1e-10, atol=0)
    torch.testing.assert_close(got[1], want[1], rtol=0, atol=1e-10 * want[1].abs().max())
    names = [name for name, _ in stock.named_parameters()]
    for name, a, b in zip(names, got[2], want[2], strict=True):
        assert b.abs().max() > 0, name  # every weight takes part
        torch.testing.assert_close(a, b, rtol=0, atol=1e-10 * b.abs().max(), msg=name)


def float32_errors(stock, fast) -> dict[str, tuple[float, float]]:
    """``{side: (force error, weight-gradient error)}`` of a float32 training step of
    each float64 model against the float64 result of ``stock`` (relative to the largest)."""
    inputs, target = small_periodic_batch(torch.float64)
    truth = force_matching_gradients(stock, inputs, target)
    inputs32 = {k: v.float() if v.is_floating_point() else v for k, v in inputs.items()}
    errors = {}
    for side, model in (("stock", stock), ("fast", fast)):
        got = force_matching_gradients(model.float(), inputs32, target.float())
        force = float((got[1].double() - truth[1]).abs().max() / truth[1].abs().max())
        grad = max(
            float((a.double() - b).abs().max() / b.abs().max())
            for a, b in zip(got[2], truth[2], strict=True)
        )
        errors[side] = force, grad
    return errors


def painn_pair(dtype, seed=5):
    """A SchNetPack PaiNN potential (weights moved off their initial values) and an
    accelerated deep copy."""
    import copy

    torch.manual_seed(seed)
    stock = build_model(ModelSpec("painn", 16, 3, 10, 5.0)).to(dtype)
    assert not restore_painn(stock)  # build_model gives SchNetPack's own class
    for p in stock.parameters():
        p.data.add_(0.1 * torch.randn_like(p))
    fast = copy.deepcopy(stock)
    assert accelerate_painn(fast) and type(fast) is FastPaiNNPotential
    return stock, fast


@pytest.mark.parametrize("half", [False, True])
def test_training_potential_equals_schnetpack_with_weight_gradients_in_float64(half, monkeypatch):
    monkeypatch.setattr(FastPaiNNPotential, "half_pairs", half)
    monkeypatch.setattr(FastPaiNNPotential, "block", 64)  # several blocks
    assert_same_training_step(*painn_pair(torch.float64))


@pytest.mark.parametrize("half", [False, True])
def test_training_potential_in_float32_is_as_close_to_float64_as_schnetpack(half, monkeypatch):
    """float32 against the float64 result of the same weights: SchNetPack's own float32
    error sets the scale (summation order differs, so the two float32 results cannot be
    bitwise equal); forces to 1e-6 relative, weight gradients to 1e-5 of their largest."""
    monkeypatch.setattr(FastPaiNNPotential, "half_pairs", half)
    errors = float32_errors(*painn_pair(torch.float64))
    assert errors["fast"][0] < 1e-6 and errors["fast"][1] < 1e-5, errors
    assert errors["fast"][0] < 4 * errors["stock"][0], errors
    assert errors["fast"][1] < 4 * errors["stock"][1], errors


def test_accelerate_and_restore_keep_the_state_dict_and_pickle(tmp_path):
    stock, fast = painn_pair(torch.float32)
    assert accelerate_painn(fast)  # idempotent
    for (k, a), (k2, b) in zip(stock.state_dict().items(), fast.state_dict().items(), strict=True):
        assert k == k2 and torch.equal(a, b)
    torch.save(fast, tmp_path / "fast.pt")
    loaded = torch.load(tmp_path / "fast.pt", weights_only=False)
    assert type(loaded) is FastPaiNNPotential and restore_painn(loaded)
    import schnetpack as spk

    assert type(loaded) is spk.model.NeuralNetworkPotential and not restore_painn(loaded)
    so3 = build_model(ModelSpec("so3net", 8, 1, 6, 5.0, lmax=1))
    assert not accelerate_painn(so3) and type(so3) is spk.model.NeuralNetworkPotential


def test_off_means_off_and_the_kernels_build_where_there_is_a_compiler(edge_kernels, monkeypatch):
    import shutil

    if edge_kernels == "fused":
        pytest.skip("runs once, under the fallback's parameter")
    assert kernels() is None  # CGEXPLAIN_EDGE_KERNELS=off
    monkeypatch.setenv(ENV, "sometimes")
    with pytest.raises(ValueError, match="auto, off or require"):
        kernels()
    if shutil.which("c++") is None:
        pytest.skip("no C++ compiler here: the workflow runs the fallback")
    monkeypatch.setenv(ENV, "require")  # raises if the build fails
    assert kernels() is not None and build_directory().is_dir()


def test_fused_and_pytorch_kernels_agree_and_the_fused_ones_check_their_input(
    edge_kernels, monkeypatch
):
    """The C++ loops and the blocked PyTorch tensors share no code: float64 agreement of
    messages and their first and second derivatives on a half list with self-images."""
    if edge_kernels != "fused":
        pytest.skip("compares the two")
    gen = torch.Generator().manual_seed(2)
    n, h, f = 7, 29, 5
    leaves = message_inputs(gen, n, h, f, 6)
    x, mu, g, basis, direction = leaves
    idx_i = torch.randint(0, n, (h,), generator=gen)
    idx_j = torch.randint(0, n, (h,), generator=gen)

    def run(message):
        dq, dmu = message.apply(*leaves, idx_i, idx_j, 8)
        loss = (dq**2).sum() + (dmu**3).sum()
        first = torch.autograd.grad(loss, leaves, create_graph=True)
        second = torch.autograd.grad(sum((t**2).sum() for t in first), leaves)
        return (dq, dmu, *first, *second)

    for message in (EdgeMessage, HalfEdgeMessage):
        fused = run(message)
        monkeypatch.setenv(ENV, "off")
        plain = run(message)
        monkeypatch.setenv(ENV, "auto")
        for a, b in zip(fused, plain, strict=True):
            torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)
    ops = kernels()
    dq, dmu = torch.zeros(n, f), torch.zeros(n, 3, f)
    w = torch.zeros(h, 3 * f)
    with pytest.raises(RuntimeError, match="one dtype"):
        ops.message_forward(
            x.detach(),
            mu.detach().float(),
            w,
            direction.detach().float(),
            idx_i,
            idx_j,
            True,
            dq,
            dmu,
        )
    with pytest.raises(RuntimeError, match="out of range"):
        ops.message_forward(
            x.detach().float(),
            mu.detach().float(),
            w,
            direction.detach().float(),
            idx_i + n,
            idx_j,
            True,
            dq,
            dmu,
        )
    with pytest.raises(RuntimeError, match=r"\(N, 3F\)"):
        ops.message_forward(
            x.detach().float()[:, :-1].contiguous(),
            mu.detach().float(),
            w,
            direction.detach().float(),
            idx_i,
            idx_j,
            True,
            dq,
            dmu,
        )


def test_a_failed_build_falls_back_in_auto_and_raises_in_require(
    edge_kernels, monkeypatch, caplog
):
    from cgexplain.potentials import extension

    if edge_kernels == "fused":
        pytest.skip("runs once, under the fallback's parameter")

    def broken():
        raise OSError("no compiler here")

    monkeypatch.setattr(extension, "_build", broken)
    monkeypatch.setattr(extension, "_loaded", {})
    monkeypatch.setenv(ENV, "auto")
    with caplog.at_level("WARNING", logger="cgexplain.potentials.extension"):
        assert kernels() is None
    assert "pure PyTorch (the C++ build failed: no compiler here)" in caplog.text
    monkeypatch.setenv(ENV, "require")
    with pytest.raises(RuntimeError, match="did not build: no compiler here"):
        kernels()
