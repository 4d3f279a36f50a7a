"""The all-atom liquid builders named by :data:`cgexplain.liquids.LIQUID_BUILDERS`.

Each turns a system block's ``reference`` settings into a :class:`ReferenceSystem`.
Every liquid is mapped with the basic aggregated map of Bonneau et al., Nat. Commun.
(2025): one bead per molecule (OpenMM residue) at its heaviest atom, bead force = the
sum over the molecule (:func:`cgexplain.cg.mapping.heavy_atom_map`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from cgexplain.io import InputError
from cgexplain.liquids import LIQUID_BUILDERS, METHANE_FORCEFIELD, LiquidBuilder, liquid_builder
from cgexplain.md.systems import ReferenceSystem, build_methane_box, build_water_box

__all__ = [
    "LIQUID_BUILDERS",
    "METHANE_FORCEFIELD",
    "LiquidBuilder",
    "build_methane",
    "build_water",
    "liquid_builder",
    "load_openmm_liquid",
]


def build_methane(
    name: str, ref: Mapping[str, Any], inputs: Mapping[str, str], seed: int
) -> ReferenceSystem:
    system = build_methane_box(
        ref["n_molecules"], tuple(ref["box"]), inputs["forcefield"], ref["cutoff"], seed
    )
    system.name = name
    return system


def build_water(
    name: str, ref: Mapping[str, Any], inputs: Mapping[str, str], seed: int
) -> ReferenceSystem:
    system = build_water_box(ref["box_edge"], ref["cutoff"], ref["switch_width"])
    system.name = name
    return system


def load_openmm_liquid(
    name: str, ref: Mapping[str, Any], inputs: Mapping[str, str], seed: int
) -> ReferenceSystem:
    """A liquid from a serialized OpenMM ``System`` (XML) and a PDB with its box.

    The PDB gives the topology (each residue is one molecule, hence one CG bead at its
    heaviest atom), the start positions and the periodic box (CRYST1); the XML the
    forces, constraints and masses, e.g. written with ``openmm.XmlSerializer.serialize``
    after ``ForceField.createSystem``. The seed is unused: the start is the PDB's.

    Raises:
        InputError: a file is missing or unreadable, the atom counts differ, or the
            system is not periodic.
    """
    import openmm
    from openmm import app

    xml, pdb = Path(inputs["system_xml"]), Path(inputs["structure"])
    for path in (xml, pdb):
        if not path.is_file():
            raise InputError(f"{name}: file not found: {path}")
    try:
        system = openmm.XmlSerializer.deserialize(xml.read_text())
    except Exception as err:  # OpenMM raises plain Exception on bad XML
        raise InputError(f"{name}: {xml} is not a serialized OpenMM System ({err})") from err
    structure = app.PDBFile(str(pdb))
    topology = structure.topology
    if system.getNumParticles() != topology.getNumAtoms():
        raise InputError(
            f"{name}: {xml} has {system.getNumParticles()} particles but {pdb} has "
            f"{topology.getNumAtoms()} atoms"
        )
    if not system.usesPeriodicBoundaryConditions() or topology.getPeriodicBoxVectors() is None:
        raise InputError(f"{name}: a liquid needs a periodic system and a CRYST1 box in {pdb}")
    system.setDefaultPeriodicBoxVectors(*topology.getPeriodicBoxVectors())
    molecule_index = np.empty(topology.getNumAtoms(), dtype=np.int64)
    numbers = np.array([a.element.atomic_number for a in topology.atoms()])
    bead_atoms = []
    for m, residue in enumerate(topology.residues()):
        atoms = [a.index for a in residue.atoms()]
        molecule_index[atoms] = m
        bead_atoms.append(atoms[int(np.argmax(numbers[atoms]))])
    bead_atoms_arr = np.asarray(bead_atoms, dtype=np.int64)
    types = np.unique(numbers[bead_atoms_arr])
    if len(types) != 1:
        raise InputError(f"{name}: the molecules' bead atoms are of several elements {types}")
    positions = np.asarray(structure.getPositions(asNumpy=True)._value)  # nm
    return ReferenceSystem(
        name, topology, system, positions, molecule_index, bead_atoms_arr, int(types[0])
    )
