"""LAMMPS input and output for one-bead-type CG liquids with a tabulated pair potential.

The files follow LAMMPS ``units real`` (Å, fs, kcal/mol, K, amu) and ``atom_style
atomic``: one atom type, an orthorhombic periodic box, a ``pair_style table`` potential
and Langevin dynamics (``fix nve`` + ``fix langevin``). Trajectories are written as
``dump custom id type x y z`` sorted by id, which VOTCA's ``csg_stat`` reads too.

References: LAMMPS manual, ``pair_style table``, ``read_data``, ``fix langevin``,
``dump custom`` (Thompson et al., Comput. Phys. Commun. 271, 108171, 2022).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cgexplain.io import InputError

#: Debian packages that provide the IMC tools (``lmp``, ``csg_inverse``, ``csg_stat``).
DEBIAN_PACKAGES = "votca votca-data lammps"
#: What a user without root installs instead (the rules' conda environment).
CONDA_HINT = "envs/votca.yaml (conda-forge votca and lammps; snakemake --sdm conda)"
#: The programs the IMC stage runs, with the environment variable that may name each.
IMC_PROGRAMS = {
    "csg_inverse": "CGEXPLAIN_CSG_INVERSE",
    "csg_dump": "CGEXPLAIN_CSG_DUMP",
    "csg_stat": None,
    "lmp": "CGEXPLAIN_LMP",
}
#: One line that installs them (README command 1 runs it: envs/setup.sh).
INSTALL_COMMAND = "bash envs/install_imc_tools.sh"


class ToolMissingError(RuntimeError):
    """An external program the IMC stage needs is not installed."""


def _locate(name: str, env_var: str | None) -> tuple[str, str | None]:
    """(what is looked for, its absolute path or None): the program the environment
    variable names, else ``name``, searched on ``PATH``."""
    wanted = (os.environ.get(env_var, "") if env_var else "") or name
    return wanted, shutil.which(wanted)


def require_executable(name: str, env_var: str | None = None) -> str:
    """Absolute path of an external program, or an error saying what to install.

    Args:
        name: program name on ``PATH`` (e.g. ``lmp``, ``csg_inverse``).
        env_var: an environment variable that may name the program instead.

    Raises:
        ToolMissingError: the program is not found.
    """
    wanted, path = _locate(name, env_var)
    if path is None:
        raise ToolMissingError(
            f"'{wanted}' not found on PATH: the IMC stage needs VOTCA and LAMMPS; "
            f"{imc_install_hint()}, or set `imc: {{enabled: false}}` for the liquid in the "
            "config."
        )
    return path


def add_tool_prefix(prefix: str | os.PathLike) -> bool:
    """Put ``prefix`` (e.g. ``.imc-tools/bin``, where ``envs/setup.sh`` installs VOTCA and
    LAMMPS from conda-forge without root) first on this process's ``PATH``, so that it
    and the jobs it starts find the programs there; True when it is a directory."""
    prefix = str(prefix)
    if not os.path.isdir(prefix):
        return False
    path = os.environ.get("PATH", "")
    if prefix not in path.split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([prefix, path]) if path else prefix
    return True


def missing_imc_programs() -> list[str]:
    """Names of the IMC stage's programs (:data:`IMC_PROGRAMS`) not found on ``PATH``
    (nor named by their environment variable); empty when the stage can run."""
    found = (_locate(name, env_var) for name, env_var in IMC_PROGRAMS.items())
    return [wanted for wanted, path in found if path is None]


def imc_install_hint() -> str:
    """How to get the IMC tools: the install script (root, apt) or the conda route."""
    return (
        f"install them with `{INSTALL_COMMAND}` (Debian/Ubuntu, root: apt-get install "
        "--no-install-recommends "
        f"{DEBIAN_PACKAGES}) or use {CONDA_HINT}"
    )


#: prefixes of the environment variables of a SLURM job step and its PMI/PMIx launcher
LAUNCHER_PREFIXES = ("SLURM_", "PMI_", "PMIX_")


def serial_environment(threads: int = 1) -> dict[str, str]:
    """Environment for a serial run of an MPI-built program (Debian's ``lmp``).

    Inside a SLURM job step Open MPI sees the step's variables, takes the program for
    one launched by ``srun`` and aborts in ``MPI_Init`` when it was built without
    SLURM's PMI support (Debian's is). Without them it starts as a singleton. The
    variables are dropped for the child only; ``OMP_NUM_THREADS`` is set to ``threads``.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(LAUNCHER_PREFIXES)}
    env["OMP_NUM_THREADS"] = str(threads)
    return env


def write_data(
    path: str | os.PathLike, positions: np.ndarray, box: np.ndarray, mass: float
) -> Path:
    """LAMMPS data file (``atom_style atomic``) of identical beads in an orthorhombic box.

    Args:
        path: file to write.
        positions: (n, 3) Å; wrapped into [0, L) along each edge.
        box: (3, 3) Å, rows the cell vectors; must be diagonal (orthorhombic).
        mass: bead mass, amu.

    Raises:
        InputError: a non-orthorhombic box, non-finite positions or a bad shape.
    """
    positions = np.asarray(positions, dtype=np.float64)
    box = np.asarray(box, dtype=np.float64)
    if positions.ndim != 2 or positions.shape[1] != 3:
        raise InputError(f"positions must be (n, 3), got {positions.shape}")
    if box.shape != (3, 3) or np.any(np.abs(box - np.diag(np.diag(box))) > 1e-6):
        raise InputError("LAMMPS export needs an orthorhombic box (diagonal cell matrix)")
    if not np.all(np.isfinite(positions)):
        raise InputError("positions contain NaN or infinite values")
    edges = np.diag(box)
    wrapped = np.mod(positions, edges)
    wrapped[wrapped >= edges] = 0.0  # np.mod can round up to L
    lines = [
        "CG beads (cgexplain)",
        "",
        f"{len(positions)} atoms",
        "1 atom types",
        "",
        f"0.0 {edges[0]:.10f} xlo xhi",
        f"0.0 {edges[1]:.10f} ylo yhi",
        f"0.0 {edges[2]:.10f} zlo zhi",
        "",
        "Masses",
        "",
        f"1 {mass:.6f}",
        "",
        "Atoms # atomic",
        "",
        *(f"{i + 1} 1 {x:.8f} {y:.8f} {z:.8f}" for i, (x, y, z) in enumerate(wrapped)),
    ]
    path = Path(path)
    path.write_text("\n".join(lines) + "\n")
    return path


def write_table(
    path: str | os.PathLike, r: np.ndarray, energy: np.ndarray, keyword: str = "CG"
) -> Path:
    """LAMMPS ``pair_style table`` file: r (Å), U (kcal/mol), F = -dU/dr (kcal/mol/Å).

    The force is the derivative of the tabulated energy by central differences
    (one-sided at the ends), so energy and force are consistent on the grid.

    Args:
        r: (m,) strictly increasing distances, Å, r[0] > 0.
        energy: (m,) kcal/mol.
        keyword: section name that ``pair_coeff`` refers to.
    """
    r = np.asarray(r, dtype=np.float64)
    energy = np.asarray(energy, dtype=np.float64)
    if r.shape != energy.shape or r.ndim != 1 or len(r) < 3:
        raise InputError(f"table needs matching 1-D r and U with >= 3 points, got {r.shape}")
    if np.any(np.diff(r) <= 0) or r[0] <= 0:
        raise InputError("table distances must be positive and strictly increasing")
    if not np.all(np.isfinite(energy)):
        raise InputError("table energies contain NaN or infinite values")
    force = -np.gradient(energy, r)
    lines = [
        "# tabulated pair potential (cgexplain): r/Å U/(kcal/mol) F/(kcal/mol/Å)",
        "",
        keyword,
        f"N {len(r)} R {r[0]:.10g} {r[-1]:.10g}",
        "",
        *(
            f"{k + 1} {x:.10g} {u:.10g} {f:.10g}"
            for k, (x, u, f) in enumerate(zip(r, energy, force, strict=True))
        ),
    ]
    path = Path(path)
    path.write_text("\n".join(lines) + "\n")
    return path


@dataclass(frozen=True)
class LangevinInput:
    """Settings of a LAMMPS Langevin run with a tabulated pair potential.

    Attributes:
        temperature: K.
        timestep: fs.
        damping: fs, the relaxation time of ``fix langevin`` (1/friction).
        equilibration_steps: steps run before the trajectory is dumped.
        production_steps: steps with the trajectory dumped.
        dump_interval: steps between dumped frames.
        seed: positive integer seeding velocities and the thermostat.
        table_points: interpolation points of ``pair_style table linear``.
    """

    temperature: float
    timestep: float
    damping: float
    equilibration_steps: int
    production_steps: int
    dump_interval: int
    seed: int
    table_points: int = 2000


def write_input(
    path: str | os.PathLike,
    settings: LangevinInput,
    data_file: str,
    table_file: str,
    table_keyword: str,
    cutoff: float,
    dump_file: str,
    forces: bool = False,
) -> Path:
    """LAMMPS input script: read the data, table potential, equilibrate, then dump.

    Nothing is dumped during equilibration, so every frame of ``dump_file`` belongs to
    the production run (VOTCA's LAMMPS dump reader gives all frames time 0, so the
    equilibration could not be cut by time afterwards).

    Args:
        cutoff: pair cutoff, Å (at most the last distance of the table).
        forces: dump the forces too (``fx fy fz``, kcal/mol/Å).
    """
    s = settings
    seed = int(s.seed) % 900_000_000 + 1  # LAMMPS wants a positive 32-bit seed
    lines = [
        "# CG Langevin run with a tabulated pair potential (written by cgexplain)",
        "units real",
        "atom_style atomic",
        "boundary p p p",
        f"read_data {data_file}",
        f"pair_style table linear {s.table_points}",
        f"pair_coeff 1 1 {table_file} {table_keyword} {cutoff:.6f}",
        "neighbor 2.0 bin",
        "neigh_modify every 1 delay 0 check yes",
        f"velocity all create {s.temperature:.6f} {seed} dist gaussian mom yes",
        f"timestep {s.timestep:.6f}",
        "fix integrate all nve",
        f"fix thermostat all langevin {s.temperature:.6f} {s.temperature:.6f} "
        f"{s.damping:.6f} {seed + 1} zero yes",
        "thermo_style custom step temp pe ke etotal press",
        f"thermo {max(1, (s.equilibration_steps + s.production_steps) // 10)}",
    ]
    if s.equilibration_steps > 0:
        lines.append(f"run {s.equilibration_steps}")
    lines += [
        f"dump traj all custom {s.dump_interval} {dump_file} id type x y z"
        + (" fx fy fz" if forces else ""),
        "dump_modify traj sort id format float %.10g",
        f"run {s.production_steps}",
    ]
    path = Path(path)
    path.write_text("\n".join(lines) + "\n")
    return path


@dataclass(frozen=True)
class Dump:
    """Frames of a LAMMPS dump, atoms in id order.

    Attributes:
        steps: (n_frames,) timesteps.
        positions: (n_frames, n, 3) Å, relative to the box origin.
        box: (n_frames, 3, 3) Å, diagonal.
        forces: (n_frames, n, 3) kcal/mol/Å, or ``None`` when not dumped.
    """

    steps: np.ndarray
    positions: np.ndarray
    box: np.ndarray
    forces: np.ndarray | None


def read_dump(path: str | os.PathLike) -> Dump:
    """Frames of a ``dump custom id type x y z [fx fy fz]`` file.

    Raises:
        InputError: missing file, no frames, or frames of different sizes.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"LAMMPS dump not found: {path}")
    steps, frames, boxes, forces = [], [], [], []
    with path.open() as handle:
        lines = iter(handle)
        for line in lines:
            if not line.startswith("ITEM: TIMESTEP"):
                continue
            steps.append(int(next(lines)))
            next(lines)  # ITEM: NUMBER OF ATOMS
            n = int(next(lines))
            next(lines)  # ITEM: BOX BOUNDS pp pp pp
            bounds = np.array([[float(v) for v in next(lines).split()[:2]] for _ in range(3)])
            header = next(lines).split()[2:]
            try:
                ix, iid = header.index("x"), header.index("id")
            except ValueError as err:
                raise InputError(f"{path}: dump columns {header} lack id or x") from err
            rows = np.array([next(lines).split() for _ in range(n)], dtype=np.float64)
            order = np.argsort(rows[:, iid])
            frames.append(rows[order, ix : ix + 3] - bounds[:, 0])
            boxes.append(np.diag(bounds[:, 1] - bounds[:, 0]))
            if "fx" in header:
                ifx = header.index("fx")
                forces.append(rows[order, ifx : ifx + 3])
    if not frames:
        raise InputError(f"{path}: no frames")
    if len({f.shape for f in frames}) != 1:
        raise InputError(f"{path}: frames hold different numbers of atoms")
    return Dump(
        steps=np.array(steps),
        positions=np.stack(frames),
        box=np.stack(boxes),
        forces=np.stack(forces) if len(forces) == len(frames) else None,
    )


def run_lammps(
    input_file: str | os.PathLike,
    cwd: str | os.PathLike,
    log_file: str | os.PathLike,
    threads: int = 1,
) -> None:
    """Run ``lmp -in input_file`` in ``cwd``; its output goes to ``log_file``.

    Raises:
        ToolMissingError: no ``lmp`` (or ``$CGEXPLAIN_LMP``) on PATH.
        RuntimeError: LAMMPS failed; the message holds the end of its output.
    """
    lmp = require_executable("lmp", "CGEXPLAIN_LMP")
    env = serial_environment(threads)
    with open(log_file, "w") as log:
        result = subprocess.run(
            [lmp, "-in", str(Path(input_file).resolve()), "-log", "none"],
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            check=False,
        )
    if result.returncode != 0:
        tail = Path(log_file).read_text().splitlines()[-15:]
        raise RuntimeError(
            f"LAMMPS failed (exit {result.returncode}) on {input_file}:\n" + "\n".join(tail)
        )
