"""VOTCA's side of the IMC: units, the interaction's grid, table files, the options XML.

VOTCA works in nm and kJ/mol (:func:`to_votca`, :func:`from_votca`); the workflow in Å and
kcal/mol. The file names are those of the work directory of ``csg_inverse``.
"""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np

from cgexplain.md import lammps
from cgexplain.settings.imc import IMCSettings
from cgexplain.units import ANGSTROM_PER_NM, KJ_PER_KCAL, NM_PER_ANGSTROM

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


def imc_grid(settings: IMCSettings) -> np.ndarray:
    """VOTCA's grid of the interaction, nm: table_min : table_step : table_max."""
    if settings.table_min is None:
        raise ValueError("table_min is not resolved (IMCRun resolves it from the target)")
    n = int(round((settings.table_max - settings.table_min) / settings.table_step))
    return (settings.table_min + settings.table_step * np.arange(n + 1)) * NM_PER_ANGSTROM


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
