"""All-atom reference molecular dynamics with OpenMM, resumable from checkpoints.

A run is: energy minimisation, NVT Langevin equilibration, NVT Langevin production.
During production every ``save_interval`` the coordinates, the box, the potential
energy and the total force on every atom *of that same configuration* are stored
(Å, kcal/mol, kcal/mol/Å). The run writes into a work directory and checkpoints
there every ``checkpoint_interval``; a killed run started again with the same settings
continues from its last checkpoint. The output file appears only when the run is
complete.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import h5py
import numpy as np
import openmm
from openmm import unit

from cgexplain.io import TrajectoryWriter, atomic_output, write_json
from cgexplain.md.systems import ReferenceSystem

log = logging.getLogger(__name__)

KJ_PER_KCAL = 4.184
#: OpenMM force unit kJ/mol/nm -> kcal/mol/Å
FORCE_TO_KCAL_A = 1.0 / (KJ_PER_KCAL * 10.0)


class SimulationError(RuntimeError):
    """The simulation became unstable (NaN or infinite coordinates, forces or energy)."""


@dataclass(frozen=True)
class RunSettings:
    """Settings of one reference run.

    Attributes:
        temperature: K.
        friction: Langevin collision rate, 1/ps.
        timestep: fs.
        equilibration: NVT equilibration after minimisation, ps.
        length: production length, ps.
        save_interval: time between stored frames, ps.
        checkpoint_interval: time between checkpoints, ps.
        minimize_tolerance: energy minimisation tolerance, kJ/mol/nm (OpenMM's unit).
        seed: seed for velocities and the Langevin noise.
        platform: ``"auto"`` (CUDA, then OpenCL, then CPU) or an OpenMM platform name.
        threads: CPU threads for the CPU platform.
        heat_temperature, heat_length: an optional hot run (K, ps) right after the
            minimisation, before the equilibration, to start from a partly unfolded
            protein; ``heat_length = 0`` skips it.
    """

    temperature: float
    friction: float
    timestep: float
    equilibration: float
    length: float
    save_interval: float
    checkpoint_interval: float
    seed: int
    minimize_tolerance: float = 10.0
    platform: str = "auto"
    threads: int = 1
    heat_temperature: float = 0.0
    heat_length: float = 0.0

    def __post_init__(self) -> None:
        for key in ("temperature", "friction", "timestep", "length", "save_interval"):
            if not getattr(self, key) > 0:
                raise ValueError(f"{key} must be positive, got {getattr(self, key)}")
        if self.equilibration < 0:
            raise ValueError(f"equilibration must be >= 0 ps, got {self.equilibration}")
        if self.heat_length > 0 and not self.heat_temperature > 0:
            raise ValueError("heat_temperature must be positive when heat_length > 0")
        if self.save_interval > self.length:
            raise ValueError(
                f"save_interval ({self.save_interval} ps) is longer than the run "
                f"(length = {self.length} ps)"
            )
        if self.steps(self.save_interval) * self.timestep * 1e-3 - self.save_interval > 1e-9:
            raise ValueError("save_interval must be a multiple of the timestep")

    def steps(self, ps: float) -> int:
        """Number of integration steps in ``ps`` picoseconds (rounded)."""
        return int(round(ps / (self.timestep * 1e-3)))

    @property
    def save_steps(self) -> int:
        return self.steps(self.save_interval)

    @property
    def n_frames(self) -> int:
        return self.steps(self.length) // self.save_steps

    @property
    def equilibration_blocks(self) -> int:
        return int(np.ceil(self.steps(self.equilibration) / self.save_steps))

    @property
    def checkpoint_blocks(self) -> int:
        return max(1, self.steps(self.checkpoint_interval) // self.save_steps)

    def fingerprint(self, system_xml: str) -> str:
        """Hash of everything that determines the run (excluding threads and platform)."""
        d = asdict(self)
        d.pop("threads")
        d.pop("platform")
        h = hashlib.sha256(json.dumps(d, sort_keys=True).encode())
        h.update(system_xml.encode())
        return h.hexdigest()[:16]


def select_platform(name: str, threads: int) -> tuple[openmm.Platform, dict[str, str]]:
    """Pick an OpenMM platform: ``auto`` tries CUDA, OpenCL, then CPU."""
    available = [
        openmm.Platform.getPlatform(i).getName() for i in range(openmm.Platform.getNumPlatforms())
    ]
    if name == "auto":
        order = [p for p in ("CUDA", "OpenCL", "CPU") if p in available]
    elif name in available:
        order = [name]
    else:
        raise ValueError(f"OpenMM platform {name!r} not available; available: {available}")
    for candidate in order:
        platform = openmm.Platform.getPlatformByName(candidate)
        properties = {"Threads": str(threads)} if candidate == "CPU" else {}
        if candidate in ("CUDA", "OpenCL"):
            properties["Precision"] = "mixed"
        try:  # make sure a context can be created on it (a GPU may be absent)
            test_system = openmm.System()
            test_system.addParticle(1.0)
            openmm.Context(test_system, openmm.VerletIntegrator(0.001), platform, properties)
        except Exception as err:  # noqa: BLE001 - any failure means try the next one
            log.info("platform %s unusable (%s)", candidate, err)
            continue
        return platform, properties
    raise RuntimeError(f"no usable OpenMM platform among {order}")


def _check_finite(state: openmm.State, what: str, step: int) -> None:
    energy = state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
    pos = state.getPositions(asNumpy=True).value_in_unit(unit.nanometer)
    if not (np.isfinite(energy) and np.all(np.isfinite(pos))):
        raise SimulationError(
            f"{what}: NaN or infinite energy/coordinates at step {step}; the system blew up "
            "(try a smaller timestep or a longer minimisation/equilibration)"
        )


def _step(integrator: openmm.Integrator, steps: int, phase: str, at_step: int) -> None:
    """Advance ``steps`` steps; turn OpenMM's NaN errors into :class:`SimulationError`."""
    try:
        integrator.step(steps)
    except openmm.OpenMMException as err:
        if "nan" in str(err).lower():
            raise SimulationError(
                f"{phase}: NaN coordinates near step {at_step + steps}; the system blew up "
                "(try a smaller timestep or a longer minimisation/equilibration)"
            ) from err
        raise


class _Progress:
    """Log progress lines: ps done, ns/day, estimated time left."""

    def __init__(self, phase: str, total_blocks: int, ps_per_block: float, start_block: int):
        self.phase, self.total, self.ps_per_block = phase, total_blocks, ps_per_block
        self.start_block, self.t0 = start_block, time.perf_counter()
        self.every = max(1, total_blocks // 20)

    def update(self, block: int) -> None:
        if block % self.every and block != self.total:
            return
        done = block - self.start_block
        elapsed = time.perf_counter() - self.t0
        ns_day = done * self.ps_per_block * 1e-3 / max(elapsed, 1e-9) * 86400.0
        left = (self.total - block) * elapsed / max(done, 1)
        log.info(
            "%s: %.1f / %.1f ps (%3.0f%%), %.1f ns/day, ETA %s",
            self.phase,
            block * self.ps_per_block,
            self.total * self.ps_per_block,
            100.0 * block / max(self.total, 1),
            ns_day,
            time.strftime("%H:%M:%S", time.gmtime(left)),
        )


def run_reference(
    ref: ReferenceSystem,
    settings: RunSettings,
    output: str | os.PathLike,
    work_dir: str | os.PathLike,
) -> dict:
    """Minimise, equilibrate and run production; write the trajectory to ``output``.

    Args:
        ref: the system to simulate.
        settings: run settings.
        output: final HDF5 trajectory (see :mod:`cgexplain.io`), all atoms.
        work_dir: directory for the partial trajectory and checkpoints; removed when
            the run completes. A run found there with the same settings is resumed.

    Returns:
        Summary: number of frames, ns/day of production, platform, density.

    Raises:
        SimulationError: the run produced NaN or infinite values.
    """
    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    partial, progress_file = work / "partial.h5", work / "progress.json"
    chk_file, state_file = work / "state.chk", work / "state.xml"

    system_xml = openmm.XmlSerializer.serialize(ref.system)
    fingerprint = settings.fingerprint(system_xml)
    platform, properties = select_platform(settings.platform, settings.threads)
    integrator = openmm.LangevinMiddleIntegrator(
        settings.temperature * unit.kelvin,
        settings.friction / unit.picosecond,
        settings.timestep * unit.femtosecond,
    )
    integrator.setRandomNumberSeed(settings.seed)
    context = openmm.Context(ref.system, integrator, platform, properties)
    log.info(
        "%s: %d atoms, %d molecules, density %.4f g/cm3, platform %s %s",
        ref.name,
        ref.n_atoms,
        len(ref.bead_atoms),
        ref.density(),
        platform.getName(),
        properties,
    )

    resume = None
    if progress_file.exists():
        resume = json.loads(progress_file.read_text())
        if resume.get("fingerprint") != fingerprint or not partial.exists():
            log.info("work directory holds a run with other settings: starting afresh")
            resume = None
    metadata = {
        "system": ref.name,
        "settings": asdict(settings),
        "openmm_version": openmm.__version__,
        "platform": platform.getName(),
        "fingerprint": fingerprint,
        "n_molecules": len(ref.bead_atoms),
        "density_g_cm3": ref.density(),
        "bead_atoms": ref.bead_atoms.tolist(),
        "bead_atomic_number": ref.bead_atomic_number,
    }
    writer_args = (
        ref.atomic_numbers(),
        ref.masses(),
        ref.molecule_index,
        ref.atom_names(),
        metadata,
    )

    if resume is None:
        context.setPositions(ref.positions * unit.nanometer)
        log.info("minimising energy (tolerance %.1f kJ/mol/nm)", settings.minimize_tolerance)
        openmm.LocalEnergyMinimizer.minimize(
            context, settings.minimize_tolerance * unit.kilojoule_per_mole / unit.nanometer
        )
        state = context.getState(getEnergy=True, getPositions=True)
        _check_finite(state, "minimisation", 0)
        log.info(
            "minimised potential energy %.2f kcal/mol",
            state.getPotentialEnergy().value_in_unit(unit.kilocalorie_per_mole),
        )
        context.setVelocitiesToTemperature(settings.temperature * unit.kelvin, settings.seed)
        if settings.heat_length > 0:
            heat_steps = settings.steps(settings.heat_length)
            log.info(
                "hot run: %.1f ps at %.0f K to unfold the start",
                settings.heat_length,
                settings.heat_temperature,
            )
            integrator.setTemperature(settings.heat_temperature * unit.kelvin)
            _step(integrator, heat_steps, "hot run", 0)
            _check_finite(
                context.getState(getEnergy=True, getPositions=True), "hot run", heat_steps
            )
            integrator.setTemperature(settings.temperature * unit.kelvin)
        block = 0
        writer = TrajectoryWriter(partial, *writer_args, mode="w")
    else:
        try:
            context.loadCheckpoint(chk_file.read_bytes())
            log.info("resumed from checkpoint %s", chk_file)
        except Exception as err:  # noqa: BLE001 - platform change: fall back to the state
            log.warning("checkpoint unusable (%s); resuming from %s", err, state_file)
            context.setState(openmm.XmlSerializer.deserialize(state_file.read_text()))
        block = int(resume["block"])
        writer = TrajectoryWriter(partial, *writer_args, mode="a")
        writer.truncate(int(resume["frames"]))
        log.info("resuming at block %d with %d frames stored", block, writer.n_frames)

    n_eq, n_prod = settings.equilibration_blocks, settings.n_frames
    total_blocks = n_eq + n_prod
    ps_per_block = settings.save_interval
    save_steps = settings.save_steps

    def checkpoint(current_block: int) -> None:
        writer.flush()
        chk_file.write_bytes(context.createCheckpoint())
        state = context.getState(getPositions=True, getVelocities=True, getParameters=True)
        state_file.write_text(openmm.XmlSerializer.serialize(state))
        write_json(
            progress_file,
            {"fingerprint": fingerprint, "block": current_block, "frames": writer.n_frames},
        )

    try:
        if block < n_eq:
            progress = _Progress("equilibration", n_eq, ps_per_block, block)
            while block < n_eq:
                _step(integrator, save_steps, "equilibration", block * save_steps)
                block += 1
                progress.update(block)
                if block % settings.checkpoint_blocks == 0 or block == n_eq:
                    _check_finite(
                        context.getState(getEnergy=True, getPositions=True),
                        "equilibration",
                        block * save_steps,
                    )
                    checkpoint(block)
        progress = _Progress("production", n_prod, ps_per_block, block - n_eq)
        t0, start_block = time.perf_counter(), block
        buffer: dict[str, list] = {
            k: [] for k in ("positions", "forces", "box", "time", "potential_energy")
        }
        while block < total_blocks:
            _step(integrator, save_steps, "production", block * save_steps)
            block += 1
            state = context.getState(
                getPositions=True, getForces=True, getEnergy=True, enforcePeriodicBox=True
            )
            _check_finite(state, "production", block * save_steps)
            forces = state.getForces(asNumpy=True).value_in_unit(
                unit.kilojoule_per_mole / unit.nanometer
            )
            if not np.all(np.isfinite(forces)):
                raise SimulationError(f"production: NaN forces at step {block * save_steps}")
            buffer["positions"].append(
                state.getPositions(asNumpy=True).value_in_unit(unit.angstrom)
            )
            buffer["forces"].append(forces * FORCE_TO_KCAL_A)
            buffer["box"].append(
                np.array([v.value_in_unit(unit.angstrom) for v in state.getPeriodicBoxVectors()])
                if ref.periodic
                else np.zeros((3, 3))
            )
            buffer["time"].append((block - n_eq) * settings.save_interval)
            buffer["potential_energy"].append(
                state.getPotentialEnergy().value_in_unit(unit.kilocalorie_per_mole)
            )
            progress.update(block - n_eq)
            if block % settings.checkpoint_blocks == 0 or block == total_blocks:
                writer.append(**{k: np.asarray(v) for k, v in buffer.items()})
                buffer = {k: [] for k in buffer}
                checkpoint(block)
        elapsed = time.perf_counter() - t0
        writer.close()
    except BaseException:
        writer.close()
        raise
    ns_day = (block - start_block) * ps_per_block * 1e-3 / max(elapsed, 1e-9) * 86400.0
    summary = {
        "frames": n_prod,
        "ns_per_day": ns_day,
        "platform": platform.getName(),
        "density_g_cm3": ref.density(),
    }
    with atomic_output(output) as tmp:
        shutil.copyfile(partial, tmp)
        with h5py.File(tmp, "a") as h5:
            h5.attrs["run_summary"] = json.dumps(summary)
    shutil.rmtree(work)
    log.info("done: %s", summary)
    return summary
