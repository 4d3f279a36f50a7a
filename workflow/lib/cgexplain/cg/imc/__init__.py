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

Modules: :mod:`~cgexplain.cg.imc.votca` (units, grid, table files, options XML),
:mod:`~cgexplain.cg.imc.target` (target g(r), grid start, initial guess),
:mod:`~cgexplain.cg.imc.driver` (the iterations), :mod:`~cgexplain.cg.imc.final_run`
(the LAMMPS run with the converged potential); the settings are
:class:`cgexplain.settings.imc.IMCSettings`.
"""

from __future__ import annotations

from cgexplain.cg.imc.driver import IMCRun, langevin_input, rdf_error
from cgexplain.cg.imc.final_run import lammps_table, simulate_table, table_forces
from cgexplain.cg.imc.target import boltzmann_inversion, core_start, target_on_grid
from cgexplain.cg.imc.votca import (
    DATA_FILE,
    DUMP_FILE,
    GROUP,
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
    to_votca,
    write_votca_table,
)
from cgexplain.settings.imc import IMCSettings

__all__ = [
    "DATA_FILE",
    "DUMP_FILE",
    "GROUP",
    "INITIAL_POTENTIAL",
    "INPUT_FILE",
    "INTERACTION",
    "SETTINGS_XML",
    "STAMP",
    "TABLE_FILE",
    "TABLE_KEYWORD",
    "TARGET",
    "IMCRun",
    "IMCSettings",
    "bead_type_of",
    "boltzmann_inversion",
    "core_start",
    "from_votca",
    "imc_grid",
    "lammps_table",
    "langevin_input",
    "rdf_error",
    "read_votca_table",
    "settings_xml",
    "simulate_table",
    "table_forces",
    "target_on_grid",
    "to_votca",
    "write_votca_table",
]
