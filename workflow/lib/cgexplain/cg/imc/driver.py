"""The IMC iterations of one liquid: ``csg_inverse`` run one iteration per call in a
resumable work directory, with the RDF error of each iteration logged."""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import pandas as pd

from cgexplain import columns as col
from cgexplain.cg.imc.target import boltzmann_inversion, core_start, target_on_grid
from cgexplain.cg.imc.votca import (
    DATA_FILE,
    DUMP_FILE,
    INITIAL_POTENTIAL,
    INPUT_FILE,
    INTERACTION,
    SETTINGS_XML,
    STAMP,
    TABLE_FILE,
    TABLE_KEYWORD,
    TARGET,
    bead_type_of,
    from_votca,
    imc_grid,
    read_votca_table,
    settings_xml,
    write_votca_table,
)
from cgexplain.md import lammps
from cgexplain.runlog import eta
from cgexplain.settings.imc import IMCSettings
from cgexplain.workdir import WorkDir

log = logging.getLogger(__name__)


def langevin_input(settings: IMCSettings, final: bool) -> lammps.LangevinInput:
    """LAMMPS run settings of an IMC iteration or (``final``) of the final run."""
    s = settings
    return lammps.LangevinInput(
        temperature=s.temperature,
        timestep=s.timestep,
        damping=s.damping,
        equilibration_steps=s.final_equilibration_steps if final else s.equilibration_steps,
        production_steps=s.final_steps if final else s.steps,
        dump_interval=s.final_dump_interval if final else s.dump_interval,
        seed=s.seed + 1 if final else s.seed,
    )


def rdf_error(g: np.ndarray, target: np.ndarray) -> tuple[float, float]:
    """(RMS, max) of |g - g_target| over the grid."""
    diff = np.asarray(g) - np.asarray(target)
    return float(np.sqrt(np.mean(diff**2))), float(np.max(np.abs(diff)))


class IMCRun:
    """One liquid's IMC in its work directory.

    Args:
        work_dir: directory of ``csg_inverse`` (step_000, step_001, ...).
        settings: the IMC settings.
        target_rdf: reference RDF table (``r`` Å bin centres, ``g``).
        positions: (n, 3) Å, the start configuration (a mapped reference frame).
        box: (3, 3) Å, orthorhombic.
        mass: bead mass, amu.
        threads: threads of LAMMPS and csg_stat.
    """

    def __init__(
        self,
        work_dir: str | os.PathLike,
        settings: IMCSettings,
        target_rdf: pd.DataFrame,
        positions: np.ndarray,
        box: np.ndarray,
        mass: float,
        threads: int = 1,
    ) -> None:
        if settings.table_min is None:
            settings = replace(
                settings,
                table_min=core_start(target_rdf, settings.table_max, settings.table_step),
            )
        settings.validate(box)
        self.settings = settings
        self.grid = imc_grid(settings)
        self.target = target_on_grid(target_rdf, self.grid)
        self.positions = np.asarray(positions, dtype=np.float64)
        self.box = np.asarray(box, dtype=np.float64)
        self.mass = float(mass)
        self.threads = int(threads)
        digest = hashlib.sha256(
            self.target.tobytes() + self.positions.tobytes() + self.box.tobytes()
        ).hexdigest()
        self.work = WorkDir(
            work_dir,
            {"settings": asdict(settings), "mass": self.mass, "data": digest},
            stamp=STAMP,
        )

    @property
    def path(self) -> Path:
        return self.work.path

    def prepare(self) -> None:
        """Open (or resume) the work directory and write every input of ``csg_inverse``."""
        self.csg_inverse = lammps.require_executable("csg_inverse", "CGEXPLAIN_CSG_INVERSE")
        csg_dump = lammps.require_executable("csg_dump", "CGEXPLAIN_CSG_DUMP")
        lmp = lammps.require_executable("lmp", "CGEXPLAIN_LMP")
        resumed = self.work.open() is not None
        s = self.settings
        lammps.write_data(self.path / DATA_FILE, self.positions, self.box, self.mass)
        lammps.write_input(
            self.path / INPUT_FILE,
            langevin_input(s, final=False),
            DATA_FILE,
            TABLE_FILE,
            TABLE_KEYWORD,
            s.table_max,
            DUMP_FILE,
        )
        write_votca_table(self.path / TARGET, self.grid, self.target)
        write_votca_table(
            self.path / INITIAL_POTENTIAL,
            self.grid,
            boltzmann_inversion(self.grid, self.target, s.kbt_kj),
        )
        bead_type = bead_type_of(self.path / DATA_FILE, csg_dump)
        xml = settings_xml(s, bead_type, lmp, tasks=self.threads)
        (self.path / SETTINGS_XML).write_text(xml)
        if resumed:
            log.info("resuming IMC in %s at iteration %d", self.path, self.completed() + 1)

    def completed(self) -> int:
        """Number of complete iterations (step directories marked done, step 0 excluded)."""
        done = 0
        while (self.path / f"step_{done + 1:03d}" / "done").is_file():
            done += 1
        return done

    def iterate(self, max_new: int | None = None) -> pd.DataFrame:
        """Run the remaining iterations, one ``csg_inverse`` call each; log progress.

        Args:
            max_new: run at most this many iterations now (``None``: all remaining).

        Returns:
            The progress table (:meth:`progress`).

        Raises:
            RuntimeError: ``csg_inverse`` failed; the message holds its last lines.
        """
        last = self.settings.iterations
        if max_new is not None:
            last = min(last, self.completed() + max_new)
        first, begin = self.completed(), time.perf_counter()
        for iteration in range(self.completed() + 1, last + 1):
            self._set_seed(iteration)
            with open(self.path / "csg_inverse.out", "a") as out:
                result = subprocess.run(
                    [self.csg_inverse, "--options", SETTINGS_XML, "--do-iterations", "1"],
                    cwd=self.path,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=lammps.serial_environment(self.threads),  # csg_inverse runs lmp
                    check=False,
                )
            if result.returncode != 0 or self.completed() < iteration:
                tail = (self.path / "csg_inverse.out").read_text().splitlines()[-25:]
                raise RuntimeError(
                    f"csg_inverse failed in iteration {iteration} (exit "
                    f"{result.returncode}), see {self.path}:\n" + "\n".join(tail)
                )
            row = self.progress().iloc[-1]
            log.info(
                "iteration %d/%d: RDF error rms %.4f, max %.4f, ETA %s",
                iteration,
                self.settings.iterations,
                row["rdf_rms_error"],
                row["rdf_max_abs_error"],
                eta(iteration - first, last - first, time.perf_counter() - begin),
            )
        return self.progress()

    def _set_seed(self, iteration: int) -> None:
        """Give each iteration's LAMMPS run its own seed (the script is copied per step)."""
        script = self.path / INPUT_FILE
        seed = (self.settings.seed + 7919 * iteration) % 900_000_000 + 1
        lines = []
        for line in script.read_text().splitlines():
            words = line.split()
            if words[:3] == ["velocity", "all", "create"]:  # velocity all create T seed
                words[4] = str(seed)
            elif words[:2] == ["fix", "thermostat"]:
                words[-3] = str(seed + 1)
            lines.append(" ".join(words))
        script.write_text("\n".join(lines) + "\n")

    def progress(self) -> pd.DataFrame:
        """RDF error of the potential entering each iteration.

        Returns:
            ``iteration`` (k: g(r) sampled with the potential of iteration k - 1; 1 is
            the Boltzmann-inverted guess), ``rdf_rms_error``, ``rdf_max_abs_error``.
        """
        rows = []
        for k in range(1, self.completed() + 1):
            _, g, _ = read_votca_table(self.path / f"step_{k:03d}" / f"{INTERACTION}.dist.new")
            rms, worst = rdf_error(g, self.target)
            rows.append({"iteration": k, "rdf_rms_error": rms, "rdf_max_abs_error": worst})
        return pd.DataFrame(rows, columns=["iteration", "rdf_rms_error", "rdf_max_abs_error"])

    def potential(self) -> pd.DataFrame:
        """The last iteration's potential on the IMC grid, ``r`` (Å), ``energy`` (kcal/mol).

        VOTCA's flags mark points outside the sampled range (``o``); they are kept (the
        table needs a wall) and reported in column ``sampled``.
        """
        last = self.completed()
        if last == 0:
            raise RuntimeError(f"no complete IMC iteration in {self.path}")
        r, u, flags = read_votca_table(self.path / f"step_{last:03d}" / f"{INTERACTION}.pot.new")
        r, u = from_votca(r, u)
        return pd.DataFrame({col.R: r, col.ENERGY: u, "sampled": flags == "i"})
