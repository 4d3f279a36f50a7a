"""Registry of the all-atom liquid builders a system block names (``builder:``).

A liquid system of the workflow is declared as data::

    methane:
      kind: liquid
      builder: methane_oplsaa
      reference: {n_molecules: 125, box: [20.768, 20.410, 17.969], ...}

The builder turns the ``reference`` settings into a :class:`ReferenceSystem`. Each
entry says which ``reference`` keys it reads, which files it needs (Snakemake inputs)
and the box it will build (for the configuration checks), so that adding a liquid is a
config block, not a copied branch of the workflow.

Every liquid is mapped with the basic aggregated map of Bonneau et al., Nat. Commun.
(2025): one bead per molecule (OpenMM residue) at its heaviest atom, bead force = the
sum over the molecule (:func:`cgexplain.cg.mapping.heavy_atom_map`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cgexplain.io import InputError
from cgexplain.md.systems import ReferenceSystem, build_methane_box, build_water_box

#: the methane force field the repository ships (OPLS-AA, resources/forcefields)
METHANE_FORCEFIELD = "resources/forcefields/methane_oplsaa.xml"


@dataclass(frozen=True)
class LiquidBuilder:
    """One way of building an all-atom liquid.

    Attributes:
        name: the value of ``builder:`` in a system block.
        keys: ``reference`` keys the builder reads (besides the run settings); a system
            block must give every one of them.
        inputs: maps a ``reference`` block to the files the builder reads
            (name -> path), the Snakemake inputs of the reference run.
        box_edges: maps a ``reference`` block to the (3,) edges of the orthorhombic
            box it builds, Å, or None when they are known only after building.
        build: ``build(name, reference, inputs, seed) -> ReferenceSystem``.
        summary: one line for the documentation.
    """

    name: str
    keys: tuple[str, ...]
    inputs: Callable[[Mapping[str, Any]], dict[str, str]]
    box_edges: Callable[[Mapping[str, Any]], np.ndarray | None]
    build: Callable[[str, Mapping[str, Any], Mapping[str, str], int], ReferenceSystem]
    summary: str


def _build_methane(
    name: str, ref: Mapping[str, Any], inputs: Mapping[str, str], seed: int
) -> ReferenceSystem:
    system = build_methane_box(
        ref["n_molecules"], tuple(ref["box"]), inputs["forcefield"], ref["cutoff"], seed
    )
    system.name = name
    return system


def _build_water(
    name: str, ref: Mapping[str, Any], inputs: Mapping[str, str], seed: int
) -> ReferenceSystem:
    system = build_water_box(ref["box_edge"], ref["cutoff"], ref["switch_width"])
    system.name = name
    return system


def _openmm_box(ref: Mapping[str, Any]) -> np.ndarray | None:
    """Box edges from the CRYST1 record of the structure, Å (None if not readable yet)."""
    path = Path(ref["structure"])
    if not path.is_file():
        return None
    from openmm import app, unit

    vectors = app.PDBFile(str(path)).topology.getPeriodicBoxVectors()
    if vectors is None:
        return None
    return np.array([vectors[i][i].value_in_unit(unit.angstrom) for i in range(3)])


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


LIQUID_BUILDERS: dict[str, LiquidBuilder] = {
    builder.name: builder
    for builder in (
        LiquidBuilder(
            name="methane_oplsaa",
            keys=("n_molecules", "box", "cutoff"),
            inputs=lambda ref: {"forcefield": METHANE_FORCEFIELD},
            box_edges=lambda ref: np.asarray(ref["box"], dtype=float),
            build=_build_methane,
            summary="CH4 molecules (OPLS-AA, shipped) on a lattice in an orthorhombic box",
        ),
        LiquidBuilder(
            name="tip3p_waterbox",
            keys=("box_edge", "cutoff", "switch_width"),
            inputs=lambda ref: {},
            box_edges=lambda ref: np.full(3, float(ref["box_edge"])),
            build=_build_water,
            summary="rigid TIP3P water in a cubic box (openmmtools WaterBox)",
        ),
        LiquidBuilder(
            name="openmm_xml",
            keys=("system_xml", "structure"),
            inputs=lambda ref: {"system_xml": ref["system_xml"], "structure": ref["structure"]},
            box_edges=_openmm_box,
            build=load_openmm_liquid,
            summary="any periodic OpenMM System (serialized XML) with a PDB of its start",
        ),
    )
}


def liquid_builder(name: str) -> LiquidBuilder:
    """The registered builder ``name``; ValueError naming the known ones otherwise."""
    try:
        return LIQUID_BUILDERS[name]
    except KeyError:
        raise ValueError(
            f"unknown liquid builder {name!r}; known: {', '.join(LIQUID_BUILDERS)}"
        ) from None
