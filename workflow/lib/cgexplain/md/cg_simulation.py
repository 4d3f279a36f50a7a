"""Langevin simulation of a trained CG potential, many replicas in one batch.

The replicas share the model and the periodic box; one force call evaluates all of them
as one SchNetPack batch (:class:`BatchedPotential`), and :class:`BAOABIntegrator`
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
from cgexplain.cg.fast_painn import FastPaiNN
from cgexplain.cg.fast_painn import supports as supports_fast
from cgexplain.io import Trajectory, is_periodic, save_trajectory
from cgexplain.md.langevin import BAOABIntegrator, kinetic_temperature
from cgexplain.md.neighbors import VerletList
from cgexplain.runlog import eta
from cgexplain.settings.simulation import CGRunSettings
from cgexplain.units import PS_PER_FS

log = logging.getLogger(__name__)


class CGSimulationError(RuntimeError):
    """A CG replica became unstable; the message names label, replica and step."""


class BatchedPotential:
    """A SchNetPack model (plus an optional prior) as a batched force function.

    With a prior (delta learning, as for the NTL9 Cα model) the energy is prior +
    network: the network was trained on the forces minus the prior forces.

    Args:
        model: ``NeuralNetworkPotential`` with ``energy`` and ``forces`` outputs
            (kcal/mol, kcal/mol/Å).
        atomic_numbers: (N,) bead types.
        box: (3, 3) periodic cell, Å; all zero for an isolated molecule.
        cutoff: the model's neighbour cutoff, Å.
        device: torch device of the model.
        prior: optional module with ``energy_and_forces(positions (R, N, 3) Å)`` ->
            ``(R,)`` kcal/mol, ``(R, N, 3)`` kcal/mol/Å (e.g.
            :class:`cgexplain.cg.priors.ChainPrior`).
        skin: Verlet skin, Å (:class:`cgexplain.md.neighbors.VerletList`): the pair list
            is rebuilt only when a bead moved more than half of it; 0 rebuilds it at
            every step.
        batch_edges: on CPU, replicas are evaluated in model calls of about this many
            pairs (one replica at least); ``None`` (and any GPU) evaluates all replicas
            in one call. Measured on 2 cores (PaiNN 64x3, 258 beads, ~6,200 pairs per
            replica, stock SchNetPack): 14.0, 15.2, 15.3, 8.1 and 2.8 replica-evaluations
            per second in calls of 1, 2, 4, 8 and 32 replicas; large calls allocate
            tensors of hundreds of MB, which the allocator cannot keep.
        fast: evaluate PaiNN potentials with :class:`cgexplain.cg.fast_painn.FastPaiNN`
            (same parameters, same results; other architectures run as they are).
    """

    def __init__(
        self,
        model,
        atomic_numbers: np.ndarray,
        box: np.ndarray,
        cutoff: float,
        device: str = "cpu",
        prior=None,
        skin: float = 1.0,
        batch_edges: int | None = 25_000,
        fast: bool = True,
    ):
        import cgexplain  # noqa: F401 - SchNetPack import shim

        self.model = model.to(device).eval()
        self.numbers = np.asarray(atomic_numbers)
        self.box = np.asarray(box, dtype=float)
        self.periodic = is_periodic(self.box)
        self.prior = prior.to(device) if prior is not None else None
        self.dtype = next(model.parameters()).dtype
        self.device = device
        self.cutoff = cutoff
        self.skin = skin
        self.batch_edges = batch_edges if str(device).startswith("cpu") else None
        self.groups: list[tuple[slice, VerletList]] = []
        self._grouped_for = 0
        self.fast = FastPaiNN(self.model) if fast and supports_fast(self.model) else None
        self.calls = 0

    @property
    def neighbor_list_builds(self) -> int:
        """Verlet list builds so far, counted per replica."""
        return sum(verlet.builds for _, verlet in self.groups)

    def _group(self, positions: torch.Tensor) -> None:
        """Split the replicas into model calls of about ``batch_edges`` pairs each."""
        replicas = positions.shape[0]
        box = self.box if self.periodic else None
        size = replicas
        if self.batch_edges is not None:
            edges = len(VerletList(self.cutoff, 0.0, box)(positions[:1]).idx_i)
            size = max(1, min(replicas, self.batch_edges // max(edges, 1)))
            log.info("%d pairs per replica: %d replica(s) per model call", edges, size)
        self.groups = [
            (slice(start, start + size), VerletList(self.cutoff, self.skin, box))
            for start in range(0, replicas, size)
        ]
        self._grouped_for = replicas

    def inputs(self, positions: torch.Tensor, neighbors: VerletList) -> dict[str, torch.Tensor]:
        """SchNetPack's input dictionary of a batch, positions (R, N, 3) Å."""
        import schnetpack.properties as props

        replicas, n = positions.shape[:2]
        pairs = neighbors(positions)
        kw = {"dtype": self.dtype, "device": self.device}
        numbers = torch.as_tensor(self.numbers, dtype=torch.long, device=self.device)
        return {
            props.Z: numbers.repeat(replicas),
            props.R: positions.reshape(replicas * n, 3).to(**kw),
            props.idx_i: pairs.idx_i.to(self.device),
            props.idx_j: pairs.idx_j.to(self.device),
            props.offsets: pairs.offsets.to(**kw),
            props.idx_m: torch.arange(replicas, device=self.device).repeat_interleave(n),
            props.n_atoms: torch.full((replicas,), n, dtype=torch.long, device=self.device),
            props.cell: torch.as_tensor(self.box, **kw).expand(replicas, 3, 3).clone(),
            props.pbc: torch.full((replicas, 3), self.periodic, device=self.device),
        }

    def __call__(self, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """positions (R, N, 3) Å -> energies (R,) kcal/mol, forces (R, N, 3) kcal/mol/Å."""
        replicas, n = positions.shape[:2]
        positions = positions.detach()
        if self._grouped_for != replicas:
            self._group(positions)
        energies, forces = [], []
        for part, neighbors in self.groups:
            x = positions[part]
            inputs = self.inputs(x, neighbors)
            out = self.fast(inputs) if self.fast is not None else self.model(inputs)
            energies.append(out["energy"].detach().reshape(len(x)).to(positions))
            forces.append(out["forces"].detach().reshape(len(x), n, 3).to(positions))
        self.calls += 1
        energy, forces = torch.cat(energies), torch.cat(forces)
        if self.prior is not None:
            prior_energy, prior_forces = self.prior.energy_and_forces(positions)
            energy = energy + prior_energy.to(positions)
            forces = forces + prior_forces.to(positions)
        return energy, forces


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
