"""Langevin simulation of a trained CG potential, many replicas in one batch.

The replicas share the model and the periodic box; one force call evaluates all of them
as one SchNetPack batch (:class:`cgexplain.potentials.batched.BatchedPotential`), and :class:`BAOABIntegrator`
advances them together. The run stops with a :class:`CGSimulationError` naming the
replica and step when a replica produces NaN, two beads overlap (closer than
``min_distance``) or its temperature leaves ``[T / temperature_factor,
T * temperature_factor]``.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import asdict

import numpy as np
import torch

from cgexplain.analysis.geometry import distance_matrix
from cgexplain.io import Trajectory, is_periodic, save_trajectory
from cgexplain.md.langevin import BAOABIntegrator, kinetic_temperature
from cgexplain.potentials.batched import BatchedPotential
from cgexplain.runlog import eta
from cgexplain.settings.simulation import CGRunSettings
from cgexplain.units import PS_PER_FS

log = logging.getLogger(__name__)


class CGSimulationError(RuntimeError):
    """A CG replica became unstable; the message names label, replica and step."""


def run_cg_simulation(
    potential: BatchedPotential,
    start_positions: np.ndarray,
    masses: np.ndarray,
    settings: CGRunSettings,
    output: str | os.PathLike,
    label: str,
    device: str = "cpu",
) -> dict:
    """Simulate replicas from ``start_positions`` (R, N, 3) Å and save every replica's frames.

    The output trajectory stores frames replica-major in time: frame ``f * R + r`` is
    replica ``r`` at save ``f`` (metadata ``n_replicas``), with the box, potential energy
    and forces of each frame.

    Returns:
        Summary: replicas, frames, replica-steps per second, mean temperature.
    """
    replicas, n = start_positions.shape[:2]
    gen = torch.Generator(device=device).manual_seed(settings.seed)
    masses_t = torch.as_tensor(masses, dtype=torch.float64, device=device)
    periodic = is_periodic(potential.box)
    box_t = (
        torch.as_tensor(potential.box, dtype=torch.float64, device=device) if periodic else None
    )
    box_np = potential.box if periodic else None
    integrator = BAOABIntegrator(
        potential,
        masses_t,
        settings.temperature,
        settings.friction,
        settings.timestep * PS_PER_FS,
        box=box_t,
        generator=gen,
    )
    state = integrator.initialize(
        torch.as_tensor(start_positions, dtype=torch.float64, device=device)
    )
    saved: dict[str, list] = {"positions": [], "forces": [], "energy": [], "time": []}
    temps = []
    n_saves = settings.n_steps // settings.save_interval
    start = time.perf_counter()
    for save in range(1, n_saves + 1):
        t_block = torch.zeros(replicas, dtype=torch.float64, device=device)
        for _ in range(settings.save_interval):
            integrator.step(state, 1)
            t_block += kinetic_temperature(state.velocities, masses_t)
        t_block /= settings.save_interval
        step = state.step
        bad = ~torch.isfinite(state.positions).all(dim=(1, 2)) | ~torch.isfinite(state.forces).all(
            dim=(1, 2)
        )
        if bad.any():
            raise CGSimulationError(
                f"{label}: replica {int(bad.nonzero()[0])}: NaN at step {step}"
            )
        hot = (t_block > settings.temperature * settings.temperature_factor) | (
            t_block < settings.temperature / settings.temperature_factor
        )
        if hot.any():
            r = int(hot.nonzero()[0])
            raise CGSimulationError(
                f"{label}: replica {r}: temperature {float(t_block[r]):.0f} K far from the target "
                f"{settings.temperature:.0f} K at step {step}"
            )
        positions = state.positions.cpu().numpy()
        for r in range(replicas):
            d = distance_matrix(positions[r], box_np) + np.eye(n) * 1e9
            if d.min() < settings.min_distance:
                i, j = np.unravel_index(np.argmin(d), d.shape)
                raise CGSimulationError(
                    f"{label}: replica {r}: beads {i} and {j} overlap ({d.min():.2f} Å < "
                    f"{settings.min_distance} Å) at step {step}"
                )
        saved["positions"].append(positions)
        saved["forces"].append(state.forces.cpu().numpy())
        saved["energy"].append(state.energy.cpu().numpy())
        saved["time"].append(np.full(replicas, step * settings.timestep * PS_PER_FS))
        temps.append(float(t_block.mean()))
        if save % max(1, n_saves // 20) == 0 or save == n_saves:
            elapsed = time.perf_counter() - start
            log.info(
                "%s: step %d / %d, T = %.1f K, %.1f replica-steps/s, ETA %s",
                label,
                step,
                n_saves * settings.save_interval,
                temps[-1],
                replicas * step / elapsed,
                eta(save, n_saves, elapsed),
            )
    elapsed = time.perf_counter() - start
    frames = len(saved["time"]) * replicas
    traj = Trajectory(
        positions=np.concatenate(saved["positions"]),
        forces=np.concatenate(saved["forces"]),
        box=np.tile(potential.box, (frames, 1, 1)),
        time=np.concatenate(saved["time"]),
        potential_energy=np.concatenate(saved["energy"]),
        atomic_numbers=potential.numbers.astype(np.int64),
        masses=np.asarray(masses, dtype=float),
        molecule_index=np.arange(n),
        names=[f"B{i}" for i in range(n)],
        metadata={"label": label, "n_replicas": replicas, "settings": asdict(settings)},
    )
    summary = {
        "replicas": replicas,
        "frames": frames,
        "replica_steps_per_second": replicas * state.step / elapsed,
        "mean_temperature": float(np.mean(temps)),
        "neighbor_list_builds_per_replica_step": potential.neighbor_list_builds
        / (replicas * max(state.step, 1)),
    }
    traj.metadata["run_summary"] = summary
    save_trajectory(output, traj)
    log.info("%s done: %s", label, summary)
    return summary
