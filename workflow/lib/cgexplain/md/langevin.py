"""Batched Langevin dynamics of many independent replicas (BAOAB splitting).

All replicas are integrated together: the force function receives positions of shape
(n_replicas, n_beads, 3) and returns energies (n_replicas,) and forces of the same
shape, so a neural network potential evaluates one batch per step.

BAOAB (Leimkuhler & Matthews, Appl. Math. Res. Express 2013, 34-56): half kick (B),
half drift (A), exact Ornstein-Uhlenbeck velocity update (O), half drift (A), half kick
(B). It samples configurations with small timestep error and, with zero friction,
reduces to velocity Verlet.

Units: Å, ps, amu, kcal/mol, K. One kcal/mol is 418.4 amu Å²/ps².
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

from cgexplain.units import AMU_A2_PS2_PER_KCAL_MOL, KB_KCAL_PER_MOL_K

#: kcal/mol expressed in amu Å²/ps²
KCAL_TO_AMU_A2_PS2 = AMU_A2_PS2_PER_KCAL_MOL

ForceFn = Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


@dataclass
class LangevinState:
    """Replica state.

    Attributes:
        positions: (n_replicas, n_beads, 3) Å.
        velocities: (n_replicas, n_beads, 3) Å/ps.
        energy: (n_replicas,) potential energy, kcal/mol.
        forces: (n_replicas, n_beads, 3) kcal/mol/Å.
        step: number of steps taken.
    """

    positions: torch.Tensor
    velocities: torch.Tensor
    energy: torch.Tensor
    forces: torch.Tensor
    step: int = 0


def kinetic_temperature(velocities: torch.Tensor, masses: torch.Tensor) -> torch.Tensor:
    """Instantaneous temperature of each replica, K (3 N degrees of freedom).

    Args:
        velocities: (n_replicas, n_beads, 3) Å/ps.
        masses: (n_beads,) amu.
    """
    kinetic = 0.5 * (masses[None, :, None] * velocities**2).sum(dim=(1, 2))  # amu Å²/ps²
    dof = 3 * velocities.shape[1]
    return 2.0 * kinetic / KCAL_TO_AMU_A2_PS2 / (dof * KB_KCAL_PER_MOL_K)


def kinetic_energy(velocities: torch.Tensor, masses: torch.Tensor) -> torch.Tensor:
    """(n_replicas,) kinetic energy, kcal/mol."""
    return 0.5 * (masses[None, :, None] * velocities**2).sum(dim=(1, 2)) / KCAL_TO_AMU_A2_PS2


class BAOABIntegrator:
    """Langevin BAOAB integrator for a batch of replicas.

    Args:
        force_fn: positions (R, N, 3) Å -> (energy (R,) kcal/mol, forces (R, N, 3) kcal/mol/Å).
        masses: (N,) bead masses, amu.
        temperature: K.
        friction: collision rate, 1/ps (0 gives velocity Verlet, energy conserving).
        timestep: ps.
        box: optional (3, 3) periodic cell, Å (rows); positions are wrapped into it.
        generator: torch random generator (seed it for reproducible noise).
    """

    def __init__(
        self,
        force_fn: ForceFn,
        masses: torch.Tensor,
        temperature: float,
        friction: float,
        timestep: float,
        box: torch.Tensor | None = None,
        generator: torch.Generator | None = None,
    ) -> None:
        if timestep <= 0 or temperature < 0 or friction < 0:
            raise ValueError("timestep must be > 0, temperature and friction >= 0")
        self.force_fn = force_fn
        self.masses = masses
        self.temperature = temperature
        self.friction = friction
        self.dt = timestep
        self.box = box
        self.box_inv = torch.linalg.inv(box) if box is not None else None
        self.generator = generator
        self.c1 = math.exp(-friction * timestep)
        self.c2 = math.sqrt(max(0.0, 1.0 - self.c1**2))
        # velocity scale sqrt(kT/m) in Å/ps, (N, 1)
        kt = KB_KCAL_PER_MOL_K * temperature  # kcal/mol
        self.sigma_v = torch.sqrt(kt * KCAL_TO_AMU_A2_PS2 / masses)[:, None]
        self.inv_mass = (KCAL_TO_AMU_A2_PS2 / masses)[:, None]  # (kcal/mol/Å) -> Å/ps²

    def maxwell_boltzmann(self, n_replicas: int) -> torch.Tensor:
        """(n_replicas, N, 3) velocities drawn at the target temperature, Å/ps."""
        noise = torch.randn(
            (n_replicas, *self.sigma_v.shape[:1], 3),
            generator=self.generator,
            dtype=self.masses.dtype,
            device=self.masses.device,
        )
        return noise * self.sigma_v

    def wrap(self, positions: torch.Tensor) -> torch.Tensor:
        if self.box is None:
            return positions
        frac = positions @ self.box_inv
        return (frac - torch.floor(frac)) @ self.box

    def initialize(
        self, positions: torch.Tensor, velocities: torch.Tensor | None = None
    ) -> LangevinState:
        """State from positions (R, N, 3) Å; velocities drawn if not given."""
        if velocities is None:
            velocities = self.maxwell_boltzmann(positions.shape[0])
        energy, forces = self.force_fn(positions)
        return LangevinState(positions, velocities, energy, forces)

    def step(self, state: LangevinState, n_steps: int = 1) -> LangevinState:
        """Advance every replica by ``n_steps`` BAOAB steps (in place; returns the state)."""
        half = 0.5 * self.dt
        x, v, f = state.positions, state.velocities, state.forces
        for _ in range(n_steps):
            v = v + half * f * self.inv_mass  # B
            x = x + half * v  # A
            if self.friction > 0:  # O
                noise = torch.randn(
                    v.shape, generator=self.generator, dtype=v.dtype, device=v.device
                )
                v = self.c1 * v + self.c2 * self.sigma_v * noise
            x = x + half * v  # A
            x = self.wrap(x)
            energy, f = self.force_fn(x)
            v = v + half * f * self.inv_mass  # B
            state.step += 1
        state.positions, state.velocities, state.forces, state.energy = x, v, f, energy
        return state
