"""The final run: a LAMMPS Langevin run of the liquid with the converged IMC potential,
and the forces of that tabulated potential."""

from __future__ import annotations

import logging
import os
from dataclasses import asdict

import numpy as np
import pandas as pd

from cgexplain import columns as col
from cgexplain.cg.imc.driver import langevin_input
from cgexplain.cg.imc.votca import DATA_FILE, DUMP_FILE, INPUT_FILE, STAMP
from cgexplain.io import InputError
from cgexplain.md import lammps
from cgexplain.settings.imc import IMCSettings
from cgexplain.units import KB_KJ_PER_MOL_K, KJ_PER_KCAL
from cgexplain.workdir import WorkDir

log = logging.getLogger(__name__)


def lammps_table(
    potential: pd.DataFrame, kbt: float, r_begin: float, spacing: float
) -> tuple[np.ndarray, np.ndarray]:
    """The converged potential on a LAMMPS table grid from ``r_begin``, Å and kcal/mol.

    Inside the IMC grid U is a cubic spline through the grid values (as VOTCA resamples
    its tables for LAMMPS: a linear interpolation of the steep, curved core wall would
    harden it and shift the first RDF peak outwards); below the grid the repulsive wall
    continues linearly with the spline's slope at the first point (at least k_B T per
    grid step, as in :func:`~cgexplain.cg.imc.target.boltzmann_inversion`). U is zero at
    the last point.

    Args:
        potential: ``r`` (Å), ``energy`` (kcal/mol) of
            :meth:`cgexplain.cg.imc.driver.IMCRun.potential`.
        kbt: k_B T, kcal/mol.
        r_begin: first distance of the table, Å (> 0).
        spacing: table spacing, Å (a few times finer than the IMC grid).
    """
    from scipy.interpolate import CubicSpline

    r0 = potential[col.R].to_numpy(dtype=np.float64)
    u0 = potential[col.ENERGY].to_numpy(dtype=np.float64)
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
        langevin_input(s, final=True),
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
