"""Batched BAOAB Langevin integrator against analytic results."""

from __future__ import annotations

import pytest
import torch

from cgexplain.md.langevin import BAOABIntegrator, kinetic_energy, kinetic_temperature
from cgexplain.units import KB_KCAL_PER_MOL_K as KB_KCAL


@pytest.fixture(autouse=True)
def float64():
    """Double precision for these tests only (the default dtype is global state)."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def harmonic(k: float):
    """U = k/2 |x|^2 per bead (kcal/mol, Å)."""

    def force_fn(x: torch.Tensor):
        return 0.5 * k * (x**2).sum(dim=(1, 2)), -k * x

    return force_fn


def quartic_pair(x: torch.Tensor):
    """An anharmonic pair potential U = sum_{i<j} (r_ij^2 - 4)^2 / 10 (kcal/mol, Å)."""
    x = x.detach().requires_grad_(True)
    d = x[:, :, None, :] - x[:, None, :, :]
    r2 = (d**2).sum(-1)
    iu = torch.triu_indices(x.shape[1], x.shape[1], 1)
    energy = ((r2[:, iu[0], iu[1]] - 4.0) ** 2).sum(-1) / 10.0
    (grad,) = torch.autograd.grad(energy.sum(), x)
    return energy.detach(), -grad


def test_samples_boltzmann_distribution_of_harmonic_well():
    k, temperature, masses = 2.0, 300.0, torch.tensor([16.04, 18.015, 16.04, 40.0])
    gen = torch.Generator().manual_seed(1)
    integrator = BAOABIntegrator(
        harmonic(k), masses, temperature, friction=5.0, timestep=0.005, generator=gen
    )
    state = integrator.initialize(torch.zeros(256, 4, 3))
    integrator.step(state, 300)  # burn-in
    temps, x2, x4 = [], [], []
    for _ in range(150):
        integrator.step(state, 10)
        temps.append(kinetic_temperature(state.velocities, masses).mean())
        x2.append((state.positions**2).mean())
        x4.append((state.positions**4).mean())
    kt = KB_KCAL * temperature
    var = torch.stack(x2).mean()
    assert abs(torch.stack(temps).mean() / temperature - 1) < 0.02
    assert abs(var / (kt / k) - 1) < 0.03  # <x^2> = kT/k per dimension
    assert abs(torch.stack(x4).mean() / (3 * var**2) - 1) < 0.06  # Gaussian: <x^4> = 3 <x^2>^2


def test_without_friction_total_energy_is_conserved_to_second_order():
    masses = torch.full((5,), 16.04)
    positions = torch.randn(8, 5, 3, generator=torch.Generator().manual_seed(3)) * 1.5

    def max_energy_error(dt: float) -> float:
        integrator = BAOABIntegrator(
            quartic_pair,
            masses,
            300.0,
            friction=0.0,
            timestep=dt,
            generator=torch.Generator().manual_seed(2),
        )
        state = integrator.initialize(positions)
        e0 = state.energy + kinetic_energy(state.velocities, masses)
        worst = 0.0
        for _ in range(int(round(1.0 / dt / 50))):  # 1 ps in 50 chunks
            integrator.step(state, 50)
            e = state.energy + kinetic_energy(state.velocities, masses)
            worst = max(worst, float(((e - e0).abs() / e0.abs()).max()))
        return worst

    coarse, fine = max_energy_error(0.001), max_energy_error(0.0005)
    assert coarse < 1e-3
    assert 2.5 < coarse / fine < 6.0  # velocity Verlet: energy error ~ dt^2


def test_same_seed_same_trajectory_and_replicas_independent():
    masses = torch.full((3,), 18.015)

    def run(seed):
        integ = BAOABIntegrator(
            harmonic(1.0), masses, 300.0, 1.0, 0.002, generator=torch.Generator().manual_seed(seed)
        )
        state = integ.initialize(torch.zeros(4, 3, 3))
        return integ.step(state, 50).positions

    a, b, c = run(7), run(7), run(8)
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert not torch.allclose(a[0], a[1])  # replicas get their own noise


def test_positions_wrapped_into_periodic_box():
    box = torch.eye(3) * 5.0
    masses = torch.full((10,), 16.04)
    integ = BAOABIntegrator(
        lambda x: (torch.zeros(x.shape[0]), torch.zeros_like(x)),
        masses,
        300.0,
        1.0,
        0.05,
        box=box,
        generator=torch.Generator().manual_seed(0),
    )
    state = integ.initialize(torch.rand(2, 10, 3) * 5.0)
    integ.step(state, 200)
    assert torch.all(state.positions >= 0) and torch.all(state.positions < 5.0)
