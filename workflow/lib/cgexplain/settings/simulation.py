"""Settings of the CG simulation jobs (see :mod:`cgexplain.settings`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from cgexplain.config import from_block
from cgexplain.settings import job, seed_of


@dataclass(frozen=True)
class CGRunSettings:
    """Settings of a batched CG Langevin run.

    Attributes:
        temperature: K; friction: 1/ps; timestep: fs.
        n_steps: integration steps; save_interval: steps between stored frames.
        seed: seed of velocities and noise.
        min_distance: beads closer than this (Å) stop the run.
        temperature_factor: a replica hotter than T x factor or colder than T / factor
            (averaged over a save interval) stops the run.
    """

    temperature: float
    friction: float
    timestep: float
    n_steps: int
    save_interval: int
    seed: int
    min_distance: float
    temperature_factor: float

    @classmethod
    def from_config(cls, block: Mapping[str, Any], **extra: Any) -> CGRunSettings:
        """From a validated ``<system>.simulation`` block plus its derived ``seed``."""
        return from_block(cls, block, **extra)

    def __post_init__(self) -> None:
        if self.save_interval > self.n_steps:
            raise ValueError(
                f"save_interval ({self.save_interval} steps) exceeds n_steps ({self.n_steps})"
            )


class SimulateCG(NamedTuple):
    """Settings of ``simulate_cg``: one batched Langevin run of a trained potential.

    Attributes:
        run: the integrator, its length and its seed.
        n_replicas: replicas run side by side, started from evenly spaced frames of
            the mapped reference.
        bead_mass: mass of every bead, g/mol.
        neighbor_skin: Verlet-list skin, Å.
    """

    run: CGRunSettings
    n_replicas: int
    bead_mass: float
    neighbor_skin: float


@job("simulate_cg")
def simulate_cg(config: Mapping[str, Any], *, system: str, model: str) -> SimulateCG:
    """``config[system].simulation`` with the seed of ``simulation/<model>``."""
    block = config[system]["simulation"]
    seed = seed_of(config, system, f"simulation/{model}")
    return SimulateCG(
        run=CGRunSettings.from_config(block, seed=seed),
        n_replicas=int(block["n_replicas"]),
        bead_mass=float(block["bead_mass"]),
        neighbor_skin=float(block["neighbor_skin"]),
    )
