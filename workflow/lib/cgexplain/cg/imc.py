"""Pair potential of a one-bead CG liquid by Inverse Monte Carlo (VOTCA + LAMMPS).

Inverse Monte Carlo (IMC; Lyubartsev & Laaksonen, Phys. Rev. E 52, 3730, 1995) finds
the pair potential U(r) whose liquid reproduces a target radial distribution function.
Each iteration samples the current potential, measures g(r) and the cross-correlations
of the pair histogram, and solves the linearised (Tikhonov-regularised) equations
``A ΔU = g - g_target`` for the update (Rosenberger, Hanke & van der Vegt, Eur. Phys.
J. Spec. Top. 225, 1323, 2016). The study uses it as the classical control: a pair
potential reproduces methane's angular structure but not water's (Bonneau et al.,
Nat. Commun. 2025, Supplementary Fig. S1).

The iterations run in VOTCA's ``csg_inverse`` (Rühle et al., J. Chem. Theory Comput.
5, 3211, 2009; Mashayak et al., PLoS ONE 10, e0131754, 2015) with LAMMPS as the engine.
This module writes every input from the workflow's own data: the target g(r) of the
mapped reference on VOTCA's grid, the settings XML, the LAMMPS data and input files
and the initial guess by Boltzmann inversion, U₀(r) = -k_B T ln g(r). It runs one
iteration per ``csg_inverse`` call, so progress is logged per iteration and a killed
run resumes at its last complete iteration.

Units: the workflow's are Å and kcal/mol; VOTCA works in nm and kJ/mol
(:func:`to_votca`, :func:`from_votca`); LAMMPS runs in ``units real`` (Å, kcal/mol, fs).
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import time
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cgexplain import columns as col
from cgexplain.config import from_block
from cgexplain.io import InputError
from cgexplain.md import lammps
from cgexplain.runlog import eta
from cgexplain.units import ANGSTROM_PER_NM, KB_KJ_PER_MOL_K, KJ_PER_KCAL, NM_PER_ANGSTROM
from cgexplain.workdir import WorkDir

log = logging.getLogger(__name__)

#: name of the one non-bonded interaction (and of VOTCA's files of it)
INTERACTION = "CG-CG"
#: the IMC group of that interaction
GROUP = "CG"
#: file names in the work directory
SETTINGS_XML = "settings.xml"
TARGET = f"{INTERACTION}.dist.tgt"
INITIAL_POTENTIAL = f"{INTERACTION}.pot.in"
DATA_FILE = "cg.data"
INPUT_FILE = "cg.in"
DUMP_FILE = "traj.dump"
TABLE_FILE = "CG_CG.pot"  # written by VOTCA each iteration
TABLE_KEYWORD = "VOTCA"
STAMP = "imc_settings.json"


# --------------------------------------------------------------------------- units


def to_votca(r: np.ndarray, energy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Å, kcal/mol) -> (nm, kJ/mol)."""
    return np.asarray(r) * NM_PER_ANGSTROM, np.asarray(energy) * KJ_PER_KCAL


def from_votca(r: np.ndarray, energy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(nm, kJ/mol) -> (Å, kcal/mol)."""
    return np.asarray(r) * ANGSTROM_PER_NM, np.asarray(energy) / KJ_PER_KCAL


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class IMCSettings:
    """Settings of one liquid's IMC (config block ``<liquid>.imc``; units as the schema).

    Attributes:
        temperature: K, of the reference.
        iterations: IMC iterations.
        equilibration_steps: LAMMPS steps before sampling, per iteration.
        steps: LAMMPS steps sampled per iteration.
        dump_interval: steps between sampled frames.
        timestep: fs.
        damping: fs, Langevin relaxation time.
        table_min: Å, first distance of the IMC grid; ``None``: where the target g(r)
            starts (:func:`core_start`). Below it the potential is VOTCA's extrapolated
            wall, down to half this distance in the LAMMPS table.
        table_max: Å, last distance and pair cutoff (below half the shortest box edge).
        table_step: Å, grid spacing of the potential and of g(r).
        regularization: Tikhonov parameter of the IMC equations (0: none).
        smoothing: passes of VOTCA's smoothing applied to each update.
        final_steps: steps of the final run with the converged potential.
        final_equilibration_steps: its equilibration steps.
        final_dump_interval: steps between its frames.
        seed: seeds every LAMMPS run (iteration k uses seed + k).
    """

    temperature: float
    iterations: int
    equilibration_steps: int
    steps: int
    dump_interval: int
    timestep: float
    damping: float
    table_min: float | None
    table_max: float
    table_step: float
    regularization: float
    smoothing: int
    final_steps: int
    final_equilibration_steps: int
    final_dump_interval: int
    seed: int

    from_config = classmethod(from_block)

    @property
    def kbt_kj(self) -> float:
        """k_B T in kJ/mol (VOTCA's energy unit)."""
        return KB_KJ_PER_MOL_K * self.temperature

    def langevin(self, final: bool) -> lammps.LangevinInput:
        """LAMMPS run settings of an IMC iteration or (``final``) of the final run."""
        return lammps.LangevinInput(
            temperature=self.temperature,
            timestep=self.timestep,
            damping=self.damping,
            equilibration_steps=self.final_equilibration_steps
            if final
            else self.equilibration_steps,
            production_steps=self.final_steps if final else self.steps,
            dump_interval=self.final_dump_interval if final else self.dump_interval,
            seed=self.seed + 1 if final else self.seed,
        )

    def grid(self) -> np.ndarray:
        """VOTCA's grid of the interaction, nm: table_min : table_step : table_max."""
        if self.table_min is None:
            raise ValueError("table_min is not resolved (IMCRun resolves it from the target)")
        n = int(round((self.table_max - self.table_min) / self.table_step))
        return (self.table_min + self.table_step * np.arange(n + 1)) * NM_PER_ANGSTROM

    def validate(self, box: np.ndarray) -> None:
        """Check the table against the box; raise :class:`InputError` naming the problem."""
        half = 0.5 * float(np.min(np.diag(np.asarray(box))))
        if self.table_max >= half:
            raise InputError(
                f"imc table_max {self.table_max} Å must stay below half the shortest box "
                f"edge ({half:.3f} Å)"
            )
        if self.table_min is None:
            return
        if not 0.0 < self.table_min < self.table_max:
            raise InputError("imc table_min must be > 0 and below table_max")
        n = (self.table_max - self.table_min) / self.table_step
        if abs(n - round(n)) > 1e-6:
            raise InputError("imc table_max - table_min must be a multiple of table_step")


# --------------------------------------------------------------------------- tables


def write_votca_table(
    path: str | os.PathLike, x: np.ndarray, y: np.ndarray, flags: np.ndarray | None = None
) -> Path:
    """VOTCA table file: ``x y flag`` per line (flag ``i`` in range, ``o`` out of range)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    flags = np.full(len(x), "i") if flags is None else np.asarray(flags)
    path = Path(path)
    path.write_text(
        "".join(f"{a:.10g} {b:.10g} {f}\n" for a, b, f in zip(x, y, flags, strict=True))
    )
    return path


def read_votca_table(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, y, flags) of a VOTCA table file (comment lines start with ``#`` or ``@``)."""
    x, y, flags = [], [], []
    for line in Path(path).read_text().splitlines():
        parts = line.split()
        if not parts or parts[0][0] in "#@":
            continue
        x.append(float(parts[0]))
        y.append(float(parts[1]))
        flags.append(parts[-1] if len(parts) > 2 and not _is_number(parts[-1]) else "i")
    return np.array(x), np.array(y), np.array(flags)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def core_start(
    rdf: pd.DataFrame, table_max: float, table_step: float, g_min: float = 1e-3
) -> float:
    """First distance of the IMC grid: the grid point (spaced ``table_step`` back from
    ``table_max``) just below the first bin where the target g(r) exceeds ``g_min``.

    Inside the excluded core no pair is ever sampled, the IMC equations have empty rows
    there, and an unregularised update diverges; VOTCA's own examples start the grid
    where g(r) starts (e.g. 0.24 nm for SPC/E water).

    Args:
        rdf: target RDF (``r`` Å bin centres, ``g``).
        table_max, table_step: Å.

    Returns:
        Å, > 0.
    """
    r = rdf[col.R].to_numpy(dtype=np.float64)
    g = rdf[col.G].to_numpy(dtype=np.float64)
    above = np.flatnonzero(g > g_min)
    if len(above) == 0:
        raise InputError("the target RDF never exceeds g_min: no liquid structure to fit")
    n_back = int(np.floor((table_max - r[above[0]]) / table_step)) + 1
    return round(max(table_max - n_back * table_step, table_step), 9)


def target_on_grid(rdf: pd.DataFrame, grid_nm: np.ndarray) -> np.ndarray:
    """The reference g(r) (bin centres ``r`` Å, ``g``) at VOTCA's grid points (nm).

    Linear interpolation between bin centres; zero below the first centre (excluded
    core), and beyond the last centre the last value.
    """
    r = rdf[col.R].to_numpy(dtype=np.float64) * NM_PER_ANGSTROM
    g = rdf[col.G].to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(g)):
        raise InputError("the target RDF contains NaN or infinite values")
    if grid_nm[-1] > r[-1] + (r[1] - r[0]):
        raise InputError(
            f"the target RDF ends at {r[-1] * ANGSTROM_PER_NM:.3f} Å, before the IMC table "
            f"({grid_nm[-1] * ANGSTROM_PER_NM:.3f} Å): raise structure.rdf_max or lower "
            "imc.table_max"
        )
    return np.interp(grid_nm, r, g, left=0.0, right=g[-1])


def boltzmann_inversion(
    r: np.ndarray, g: np.ndarray, kbt: float, g_min: float = 1e-3
) -> np.ndarray:
    """Potential of mean force U(r) = -k_B T ln g(r), the IMC initial guess.

    Where g < ``g_min`` (the excluded core) the inversion is undefined; there U
    continues the repulsive wall linearly with the slope of the first two defined
    points (at least k_B T per grid step), so the guess is finite and repulsive. U is
    shifted to zero at the last point.

    Args:
        r: (m,) grid.
        g: (m,) RDF on the grid.
        kbt: k_B T in the energy unit of the result.
        g_min: smallest g inverted.

    Returns:
        (m,) U(r).
    """
    r, g = np.asarray(r, dtype=np.float64), np.asarray(g, dtype=np.float64)
    valid = np.flatnonzero(g >= g_min)
    if len(valid) < 2:
        raise InputError("the target RDF has fewer than two points above g_min")
    u = np.empty_like(r)
    u[valid[0] :] = -kbt * np.log(np.maximum(g[valid[0] :], g_min))
    first = valid[0]
    step = r[first + 1] - r[first]
    slope = min((u[first + 1] - u[first]) / step, -kbt / step)  # dU/dr < 0 on the wall
    u[:first] = u[first] + slope * (r[:first] - r[first])
    return u - u[-1]


# --------------------------------------------------------------------------- XML


def _element(parent: ET.Element, tag: str, text: Any = None, **children: Any) -> ET.Element:
    node = ET.SubElement(parent, tag)
    if text is not None:
        node.text = str(text)
    for key, value in children.items():
        _element(node, key, value)
    return node


def settings_xml(settings: IMCSettings, bead_type: str, lmp: str, tasks: int = 1) -> str:
    """VOTCA options file of an IMC run with LAMMPS (one interaction, one group).

    Lengths are in nm and energies in kJ/mol; the LAMMPS table is written in Å and
    kcal/mol (``scale`` 10, ``y_scale`` 1/4.184) on a grid of half the IMC step.
    """
    s = settings
    root = ET.Element("cg")
    nb = _element(root, "non-bonded")
    _element(nb, "name", INTERACTION)
    _element(nb, "type1", bead_type)
    _element(nb, "type2", bead_type)
    _element(nb, "min", f"{s.table_min * NM_PER_ANGSTROM:.6g}")
    _element(nb, "max", f"{s.table_max * NM_PER_ANGSTROM:.6g}")
    _element(nb, "step", f"{s.table_step * NM_PER_ANGSTROM:.6g}")
    inv = _element(nb, "inverse")
    _element(inv, "target", TARGET)
    _element(inv, "do_potential", 1)
    _element(inv, "imc", group=GROUP)
    if s.smoothing > 0:
        _element(inv, "post_update", "smooth")
        opts = _element(inv, "post_update_options")
        _element(opts, "smooth", iterations=s.smoothing)
    _element(
        inv,
        "lammps",
        table=TABLE_FILE,
        scale=ANGSTROM_PER_NM,
        y_scale=f"{1.0 / KJ_PER_KCAL:.9f}",
        table_begin=f"{0.5 * s.table_min * NM_PER_ANGSTROM:.6g}",
        table_bins=f"{0.5 * s.table_step * NM_PER_ANGSTROM:.6g}",
    )
    top = _element(root, "inverse")
    _element(top, "kBT", f"{s.kbt_kj:.8f}")
    _element(top, "program", "lammps")
    _element(
        top,
        "lammps",
        command=lmp,
        script=INPUT_FILE,
        topol=DATA_FILE,
        traj=DUMP_FILE,
        equi_time=0,
        first_frame=0,
    )
    _element(top, "initial_configuration", "maindir")
    _element(top, "filelist", f"{DATA_FILE} {INPUT_FILE}")
    _element(top, "iterations_max", s.iterations)
    _element(top, "method", "imc")
    imc = _element(top, "imc", default_reg=f"{s.regularization:.6g}")
    _element(imc, GROUP, reg=f"{s.regularization:.6g}")
    _element(top, "simulation", tasks=tasks)
    _element(top, "log_file", "inverse.log")
    _element(top, "restart_file", "restart_points.log")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"


def bead_type_of(data_file: str | os.PathLike, csg_dump: str) -> str:
    """The bead type name VOTCA gives the beads of a LAMMPS data file.

    VOTCA derives the name from the mass (e.g. 16.04 amu -> ``Bead1``, 16.0 -> ``O1``),
    so it is read back with ``csg_dump --top`` instead of guessed.
    """
    out = subprocess.run(
        [csg_dump, "--top", str(data_file)],
        capture_output=True,
        text=True,
        check=False,
        env=lammps.serial_environment(),
    )
    for line in out.stdout.splitlines():
        parts = line.split()
        if "Type" in parts:
            return parts[parts.index("Type") + 1]
    raise RuntimeError(f"csg_dump found no bead type in {data_file}:\n{out.stdout[-2000:]}")


# --------------------------------------------------------------------------- the run


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
        self.grid = settings.grid()
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
            s.langevin(final=False),
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
        return pd.DataFrame({col.R: r, "energy": u, "sampled": flags == "i"})


# --------------------------------------------------------------------------- final run


def lammps_table(
    potential: pd.DataFrame, kbt: float, r_begin: float, spacing: float
) -> tuple[np.ndarray, np.ndarray]:
    """The converged potential on a LAMMPS table grid from ``r_begin``, Å and kcal/mol.

    Inside the IMC grid U is a cubic spline through the grid values (as VOTCA resamples
    its tables for LAMMPS: a linear interpolation of the steep, curved core wall would
    harden it and shift the first RDF peak outwards); below the grid the repulsive wall
    continues linearly with the spline's slope at the first point (at least k_B T per
    grid step, as in :func:`boltzmann_inversion`). U is zero at the last point.

    Args:
        potential: ``r`` (Å), ``energy`` (kcal/mol) of :meth:`IMCRun.potential`.
        kbt: k_B T, kcal/mol.
        r_begin: first distance of the table, Å (> 0).
        spacing: table spacing, Å (a few times finer than the IMC grid).
    """
    from scipy.interpolate import CubicSpline

    r0 = potential[col.R].to_numpy(dtype=np.float64)
    u0 = potential["energy"].to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(u0)):
        raise InputError("the IMC potential contains NaN or infinite values")
    spline = CubicSpline(r0, u0)  # not-a-knot ends: no assumed curvature at the wall
    n = int(np.floor((r0[-1] - r_begin) / spacing + 1e-9))
    r = r0[-1] - spacing * np.arange(n, -1, -1)
    u = spline(np.clip(r, r0[0], r0[-1]))
    slope = min(float(spline(r0[0], 1)), -kbt / (r0[1] - r0[0]))
    wall = r < r0[0]
    u[wall] = u0[0] + slope * (r[wall] - r0[0])
    return r, u - u[-1]


def simulate_table(
    potential: pd.DataFrame,
    settings: IMCSettings,
    positions: np.ndarray,
    box: np.ndarray,
    mass: float,
    work_dir: str | os.PathLike,
    threads: int = 1,
) -> lammps.Dump:
    """Langevin run of the liquid with the converged IMC potential (LAMMPS).

    Args:
        potential: ``r`` (Å), ``energy`` (kcal/mol), the IMC result.
        settings: IMC settings (temperature, timestep, damping, final_* steps, seed).
        positions: (n, 3) Å start configuration; box: (3, 3) Å orthorhombic.
        work_dir: directory for the LAMMPS files (cleared first, removed after a
            successful run; a failed run leaves it for inspection).

    Returns:
        The dumped frames, positions wrapped into the box, with the table's forces.
    """
    s = settings
    work = WorkDir(work_dir, {"final": asdict(s)}, stamp=STAMP)
    work.open()
    r_min = float(potential[col.R].iloc[0])
    step = float(potential[col.R].iloc[1]) - r_min
    r, u = lammps_table(
        potential, KB_KJ_PER_MOL_K * s.temperature / KJ_PER_KCAL, 0.5 * r_min, 0.1 * step
    )
    lammps.write_table(work / "imc.table", r, u, keyword="IMC")
    lammps.write_data(work / DATA_FILE, positions, box, mass)
    lammps.write_input(
        work / INPUT_FILE,
        s.langevin(final=True),
        DATA_FILE,
        "imc.table",
        "IMC",
        float(r[-1]),
        DUMP_FILE,
    )
    (work / DUMP_FILE).unlink(missing_ok=True)
    log.info(
        "final LAMMPS run: %d + %d steps of %.2f fs, %d beads",
        s.final_equilibration_steps,
        s.final_steps,
        s.timestep,
        len(positions),
    )
    lammps.run_lammps(work / INPUT_FILE, work.path, work / "lammps.out", threads=threads)
    dump = lammps.read_dump(work / DUMP_FILE)
    if not np.all(np.isfinite(dump.positions)):
        raise RuntimeError(f"the final IMC run in {work.path} produced non-finite positions")
    # LAMMPS remaps atoms into the box only when it rebuilds neighbour lists: wrap
    edges = np.diagonal(dump.box, axis1=1, axis2=2)[:, None, :]
    positions = np.mod(dump.positions, edges)
    positions[positions >= edges] = 0.0
    # LAMMPS dumps forces with fix langevin's friction and noise added: the potential's
    # own forces come from the table instead
    forces = np.stack([table_forces(x, b, r, u) for x, b in zip(positions, dump.box, strict=True)])
    work.finish()  # the frames are in memory: the LAMMPS files go
    return lammps.Dump(steps=dump.steps, positions=positions, box=dump.box, forces=forces)


def table_forces(
    positions: np.ndarray, box: np.ndarray, r: np.ndarray, energy: np.ndarray
) -> np.ndarray:
    """Forces of a tabulated pair potential, minimum image in an orthorhombic box.

    F_i = Σ_j -U'(r_ij) (r_i - r_j) / r_ij over pairs within the table's last distance,
    with U' by central differences on the table, linearly interpolated.

    Args:
        positions: (n, 3) Å; box: (3, 3) Å diagonal; r, energy: the table (Å, kcal/mol).

    Returns:
        (n, 3) kcal/mol/Å.
    """
    edges = np.diag(box)
    d = positions[:, None, :] - positions[None, :, :]  # r_i - r_j
    d -= edges * np.round(d / edges)
    dist = np.linalg.norm(d, axis=-1)
    np.fill_diagonal(dist, np.inf)
    inside = dist <= r[-1]
    slope = np.zeros_like(dist)
    slope[inside] = np.interp(dist[inside], r, np.gradient(energy, r))
    return np.einsum("ij,ijk->ik", -slope / dist, d)
