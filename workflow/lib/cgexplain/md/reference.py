"""All-atom reference molecular dynamics with OpenMM, resumable from checkpoints.

A run is: energy minimisation, an optional hot run, NVT Langevin equilibration, NVT
Langevin production. During production every ``save_interval`` the coordinates, the
box, the potential energy and the total force on every atom *of that same
configuration* are stored (Å, kcal/mol, kcal/mol/Å). The run writes into a work
directory (:class:`cgexplain.workdir.WorkDir`, bound to the settings' fingerprint) and
checkpoints there every ``checkpoint_interval``; a killed run started again with the
same settings continues from its last checkpoint. The output file appears only when
the run is complete.

:class:`ReferenceRun` holds the phases (start or resume, heat, equilibrate, produce,
checkpoint, finish); :func:`run_reference` runs them in order.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

import h5py
import numpy as np
import openmm
from openmm import unit

from cgexplain.io import InputError, TrajectoryWriter, atomic_output
from cgexplain.md.systems import ReferenceSystem

# the run settings live in the settings package (pure, read when the workflow is parsed);
# check_seed is imported back for cgexplain.md.sampling
from cgexplain.settings.reference import RunSettings, check_seed  # noqa: F401
from cgexplain.units import KJ_MOL_NM_TO_KCAL_MOL_A, NS_PER_PS, SECONDS_PER_DAY
from cgexplain.workdir import WorkDir

log = logging.getLogger(__name__)

#: force group of a sampling bias (:mod:`cgexplain.md.sampling`); stored forces and
#: energies leave it out
BIAS_GROUP = 31

#: files of a run in its work directory: the trajectory so far, the checkpoint record
#: (fingerprint, block, frames), the OpenMM checkpoint and the same state as XML (used
#: when the checkpoint does not load, e.g. on another platform)
PARTIAL, PROGRESS, CHECKPOINT, STATE = "partial.h5", "progress.json", "state.chk", "state.xml"


class SimulationError(RuntimeError):
    """The simulation became unstable (NaN or infinite coordinates, forces or energy)."""


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


def with_bias(system: openmm.System, bias: openmm.Force) -> openmm.System:
    """A copy of ``system`` with ``bias`` added (the original is left unchanged).

    Raises:
        InputError: a force of ``system`` already uses :data:`BIAS_GROUP`.
    """
    for force in system.getForces():
        if force.getForceGroup() == BIAS_GROUP:
            raise InputError(
                f"{type(force).__name__} uses force group {BIAS_GROUP}, kept for the bias"
            )
    copy = openmm.XmlSerializer.deserialize(openmm.XmlSerializer.serialize(system))
    copy.addForce(openmm.XmlSerializer.deserialize(openmm.XmlSerializer.serialize(bias)))
    return copy


def _check_finite(state: openmm.State, what: str, step: int) -> None:
    energy = state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
    pos = state.getPositions(asNumpy=True).value_in_unit(unit.nanometer)
    if not (np.isfinite(energy) and np.all(np.isfinite(pos))):
        raise SimulationError(
            f"{what}: NaN or infinite energy/coordinates at step {step}; the system blew up "
            "(try a smaller timestep or a longer minimisation/equilibration)"
        )


@contextmanager
def _nan_guard(phase: str, at_step: int) -> Iterator[None]:
    """Turn OpenMM's NaN errors (raised while stepping, or when it refuses to wrap NaN
    coordinates into the box) into :class:`SimulationError`."""
    try:
        yield
    except openmm.OpenMMException as err:
        if "nan" in str(err).lower():
            raise SimulationError(
                f"{phase}: NaN coordinates near step {at_step}; the system blew up "
                "(try a smaller timestep or a longer minimisation/equilibration)"
            ) from err
        raise


def _step(integrator: openmm.Integrator, steps: int, phase: str, at_step: int) -> None:
    """Advance ``steps`` steps (:func:`_nan_guard`)."""
    with _nan_guard(phase, at_step + steps):
        integrator.step(steps)


def _state(context: openmm.Context, phase: str, at_step: int, **kwargs: Any) -> openmm.State:
    """``context.getState(**kwargs)`` (:func:`_nan_guard`)."""
    with _nan_guard(phase, at_step):
        return context.getState(**kwargs)


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
        ns_day = done * self.ps_per_block * NS_PER_PS / max(elapsed, 1e-9) * SECONDS_PER_DAY
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


class ReferenceRun:
    """One reference run, phase by phase, in a resumable work directory.

    Time is counted in blocks of ``save_interval``: blocks ``0 .. n_eq`` are the
    equilibration, blocks ``n_eq .. n_eq + n_frames`` the production (one stored frame
    each). :attr:`block` is the number of blocks done.

    Args:
        ref: the system to simulate.
        settings: run settings.
        work_dir: the work directory (see :func:`run_reference`).
        bias: an optional biasing force (e.g. :func:`cgexplain.md.sampling.contact_bias`)
            added to a copy of the system in force group
            :data:`BIAS_GROUP`; it drives the dynamics but is left
            out of every stored force and energy.
        metadata: extra provenance stored in the trajectory (e.g. the seed's state).
    """

    def __init__(
        self,
        ref: ReferenceSystem,
        settings: RunSettings,
        work_dir: str | os.PathLike,
        bias: openmm.Force | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        self.ref, self.settings = ref, settings
        self.system = ref.system if bias is None else with_bias(ref.system, bias)
        #: force groups of the stored forces and energies (-1: all)
        self.stored_groups: int | set[int] = -1 if bias is None else set(range(32)) - {BIAS_GROUP}
        self.biased = bias is not None
        self.extra_metadata = dict(metadata or {})
        self.fingerprint = settings.fingerprint(openmm.XmlSerializer.serialize(self.system))
        self.work = WorkDir(work_dir, self.fingerprint, checkpoint=PROGRESS)
        self.platform, properties = select_platform(settings.platform, settings.threads)
        self.integrator = openmm.LangevinMiddleIntegrator(
            settings.temperature * unit.kelvin,
            settings.friction / unit.picosecond,
            settings.timestep * unit.femtosecond,
        )
        self.integrator.setRandomNumberSeed(settings.seed)
        self.context = openmm.Context(self.system, self.integrator, self.platform, properties)
        self.block = 0
        self.writer: TrajectoryWriter | None = None
        log.info(
            "%s: %d atoms, %d molecules, density %.4f g/cm3, platform %s %s",
            ref.name,
            ref.n_atoms,
            len(ref.bead_atoms),
            ref.density(),
            self.platform.getName(),
            properties,
        )

    @property
    def n_eq(self) -> int:
        """Equilibration blocks."""
        return self.settings.equilibration_blocks

    @property
    def total_blocks(self) -> int:
        """Equilibration and production blocks."""
        return self.n_eq + self.settings.n_frames

    def metadata(self) -> dict:
        """Provenance stored in the trajectory: system, settings, versions, fingerprint."""
        ref = self.ref
        return {
            "system": ref.name,
            "settings": asdict(self.settings),
            "openmm_version": openmm.__version__,
            "platform": self.platform.getName(),
            "fingerprint": self.fingerprint,
            "n_molecules": len(ref.bead_atoms),
            "density_g_cm3": ref.density(),
            "bead_atoms": ref.bead_atoms.tolist(),
            "bead_atomic_number": ref.bead_atomic_number,
            "biased": self.biased,
            **self.extra_metadata,
        }

    def _open_writer(self, mode: str) -> TrajectoryWriter:
        ref = self.ref
        self.writer = TrajectoryWriter(
            self.work / PARTIAL,
            ref.atomic_numbers(),
            ref.masses(),
            ref.molecule_index,
            ref.atom_names(),
            self.metadata(),
            mode=mode,
        )
        return self.writer

    # --- phases -------------------------------------------------------------------------

    def prepare(self) -> None:
        """Resume from the work directory's last checkpoint, or start afresh (minimise,
        assign velocities, hot run) when it holds none written with these settings."""
        saved = self.work.open(required=(PARTIAL,))
        if saved is None:
            self.start()
            self.heat()
            self.block = 0
            self._open_writer("w")
        else:
            self.resume(saved)

    def start(self) -> None:
        """Minimise the start structure and draw velocities at the temperature."""
        settings, context = self.settings, self.context
        context.setPositions(self.ref.positions * unit.nanometer)
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

    def heat(self) -> None:
        """The optional hot run (``heat_length`` ps at ``heat_temperature``)."""
        settings = self.settings
        if settings.heat_length <= 0:
            return
        heat_steps = settings.steps(settings.heat_length)
        log.info(
            "hot run: %.1f ps at %.0f K to unfold the start",
            settings.heat_length,
            settings.heat_temperature,
        )
        self.integrator.setTemperature(settings.heat_temperature * unit.kelvin)
        _step(self.integrator, heat_steps, "hot run", 0)
        _check_finite(
            self.context.getState(getEnergy=True, getPositions=True), "hot run", heat_steps
        )
        self.integrator.setTemperature(settings.temperature * unit.kelvin)

    def resume(self, saved: dict) -> None:
        """Continue from the checkpoint whose record is ``saved`` (``block``, ``frames``)."""
        chk_file = self.work.checkpoint_file(CHECKPOINT)
        state_file = self.work.checkpoint_file(STATE)
        try:
            self.context.loadCheckpoint(chk_file.read_bytes())
            log.info("resumed from checkpoint %s", chk_file)
        except Exception as err:  # noqa: BLE001 - platform change: fall back to the state
            log.warning("checkpoint unusable (%s); resuming from %s", err, state_file)
            self.context.setState(openmm.XmlSerializer.deserialize(state_file.read_text()))
        self.block = int(saved["block"])
        writer = self._open_writer("a")
        writer.truncate(int(saved["frames"]))
        log.info("resuming at block %d with %d frames stored", self.block, writer.n_frames)

    def _checkpoint_due(self, last_block: int) -> bool:
        return self.block % self.settings.checkpoint_blocks == 0 or self.block == last_block

    def equilibrate(self) -> None:
        """Run the equilibration blocks not done yet, checkpointing on the way."""
        n_eq, save_steps = self.n_eq, self.settings.save_steps
        if self.block >= n_eq:
            return
        progress = _Progress("equilibration", n_eq, self.settings.save_interval, self.block)
        while self.block < n_eq:
            _step(self.integrator, save_steps, "equilibration", self.block * save_steps)
            self.block += 1
            progress.update(self.block)
            if self._checkpoint_due(n_eq):
                at = self.block * save_steps
                _check_finite(
                    _state(self.context, "equilibration", at, getEnergy=True, getPositions=True),
                    "equilibration",
                    at,
                )
                self.checkpoint()

    def _frame(self) -> dict[str, np.ndarray | float]:
        """The current configuration as one frame: positions, forces, box, time, energy."""
        step = self.block * self.settings.save_steps
        state = _state(
            self.context,
            "production",
            step,
            getPositions=True,
            getForces=True,
            getEnergy=True,
            enforcePeriodicBox=True,
            groups=self.stored_groups,
        )
        _check_finite(state, "production", step)
        forces = state.getForces(asNumpy=True).value_in_unit(
            unit.kilojoule_per_mole / unit.nanometer
        )
        if not np.all(np.isfinite(forces)):
            raise SimulationError(f"production: NaN forces at step {step}")
        return {
            "positions": state.getPositions(asNumpy=True).value_in_unit(unit.angstrom),
            "forces": forces * KJ_MOL_NM_TO_KCAL_MOL_A,
            "box": (
                np.array([v.value_in_unit(unit.angstrom) for v in state.getPeriodicBoxVectors()])
                if self.ref.periodic
                else np.zeros((3, 3))
            ),
            "time": (self.block - self.n_eq) * self.settings.save_interval,
            "potential_energy": state.getPotentialEnergy().value_in_unit(
                unit.kilocalorie_per_mole
            ),
        }

    def produce(self) -> float:
        """Run the production blocks not done yet, storing a frame after each and
        checkpointing on the way.

        Returns:
            Speed of this session's production, ns/day.
        """
        settings, writer = self.settings, self.writer
        assert writer is not None, "prepare() opens the trajectory"
        n_eq, total, save_steps = self.n_eq, self.total_blocks, settings.save_steps
        ps_per_block = settings.save_interval
        progress = _Progress("production", settings.n_frames, ps_per_block, self.block - n_eq)
        t0, start_block = time.perf_counter(), self.block
        buffer: list[dict] = []
        while self.block < total:
            _step(self.integrator, save_steps, "production", self.block * save_steps)
            self.block += 1
            buffer.append(self._frame())
            progress.update(self.block - n_eq)
            if self._checkpoint_due(total):
                writer.append(**{k: np.asarray([f[k] for f in buffer]) for k in buffer[0]})
                buffer = []
                self.checkpoint()
        elapsed = time.perf_counter() - t0
        done_ps = (self.block - start_block) * ps_per_block
        return done_ps * NS_PER_PS / max(elapsed, 1e-9) * SECONDS_PER_DAY

    def checkpoint(self) -> None:
        """Flush the trajectory and store the simulation state and progress atomically."""
        assert self.writer is not None, "prepare() opens the trajectory"
        self.writer.flush()
        checkpoint = self.context.createCheckpoint()
        state = self.context.getState(getPositions=True, getVelocities=True, getParameters=True)
        self.work.save_checkpoint(
            {"block": self.block, "frames": self.writer.n_frames},
            files={
                CHECKPOINT: checkpoint,
                STATE: openmm.XmlSerializer.serialize(state).encode(),
            },
        )

    def close(self) -> None:
        """Close the trajectory file (the work directory stays for a resume)."""
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def finish(self, output: str | os.PathLike, ns_per_day: float) -> dict:
        """Copy the complete trajectory to ``output`` with its run summary and remove the
        work directory.

        Returns:
            Summary: number of frames, ns/day of production, platform, density.
        """
        self.close()
        summary = {
            "frames": self.settings.n_frames,
            "ns_per_day": ns_per_day,
            "platform": self.platform.getName(),
            "density_g_cm3": self.ref.density(),
        }
        with atomic_output(output) as tmp:
            shutil.copyfile(self.work / PARTIAL, tmp)
            with h5py.File(tmp, "a") as h5:
                h5.attrs["run_summary"] = json.dumps(summary)
        self.work.finish()
        log.info("done: %s", summary)
        return summary


def run_reference(
    ref: ReferenceSystem,
    settings: RunSettings,
    output: str | os.PathLike,
    work_dir: str | os.PathLike,
    bias: openmm.Force | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> dict:
    """Minimise, equilibrate and run production; write the trajectory to ``output``.

    Args:
        ref: the system to simulate.
        settings: run settings.
        output: final HDF5 trajectory (see :mod:`cgexplain.io`), all atoms.
        work_dir: directory for the partial trajectory and checkpoints; removed when
            the run completes. A run found there with the same settings is resumed.
        bias: optional biasing force, left out of the stored forces (:class:`ReferenceRun`).
        metadata: extra provenance stored in the trajectory.

    Returns:
        Summary: number of frames, ns/day of production, platform, density.

    Raises:
        SimulationError: the run produced NaN or infinite values.
    """
    run = ReferenceRun(ref, settings, work_dir, bias=bias, metadata=metadata)
    try:
        run.prepare()
        run.equilibrate()
        ns_per_day = run.produce()
    finally:
        run.close()
    return run.finish(output, ns_per_day)
