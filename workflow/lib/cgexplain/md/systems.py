"""All-atom reference systems for OpenMM: liquid methane and TIP3P water.

Each builder returns a :class:`ReferenceSystem` that knows, besides the OpenMM
topology, system and start positions, which atoms belong to which molecule and which
atom is the molecule's CG bead (C for methane, O for water), as used by the "basic
aggregated" CG map of Bonneau et al., Nat. Commun. (2025).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openmm
from openmm import app, unit

from cgexplain.io import InputError
from cgexplain.units import AVOGADRO, CM3_PER_ANGSTROM3, NM_PER_ANGSTROM


@dataclass
class ReferenceSystem:
    """An all-atom system ready for simulation.

    Attributes:
        name: system name (``"methane"``, ``"water"``).
        topology: OpenMM topology (with the periodic box of a liquid).
        system: OpenMM system (forces, constraints, box).
        positions: (n_atoms, 3) start positions, nm (OpenMM's unit).
        molecule_index: (n_atoms,) index of each atom's molecule.
        bead_atoms: (n_molecules,) index of the atom that is each molecule's CG bead.
        bead_atomic_number: atomic number used as the CG bead type.
    """

    name: str
    topology: app.Topology
    system: openmm.System
    positions: np.ndarray
    molecule_index: np.ndarray
    bead_atoms: np.ndarray
    bead_atomic_number: int

    @property
    def n_atoms(self) -> int:
        return self.system.getNumParticles()

    def masses(self) -> np.ndarray:
        """(n_atoms,) atomic masses, amu."""
        return np.array(
            [
                self.system.getParticleMass(i).value_in_unit(unit.dalton)
                for i in range(self.n_atoms)
            ]
        )

    def atomic_numbers(self) -> np.ndarray:
        """(n_atoms,) atomic numbers."""
        return np.array([a.element.atomic_number for a in self.topology.atoms()])

    def atom_names(self) -> list[str]:
        return [a.name for a in self.topology.atoms()]

    @property
    def periodic(self) -> bool:
        return bool(self.system.usesPeriodicBoundaryConditions())

    def box_angstrom(self) -> np.ndarray:
        """(3, 3) periodic box vectors, Å (rows); all zero for an isolated molecule."""
        if not self.periodic:
            return np.zeros((3, 3))
        vecs = self.system.getDefaultPeriodicBoxVectors()
        return np.array([v.value_in_unit(unit.angstrom) for v in vecs])

    def density(self) -> float:
        """Mass density of the box, g/cm³ (NaN for an isolated molecule)."""
        if not self.periodic:
            return float("nan")
        volume_cm3 = abs(np.linalg.det(self.box_angstrom())) * CM3_PER_ANGSTROM3
        return float(self.masses().sum() / AVOGADRO / volume_cm3)


def _molecules(topology: app.Topology) -> np.ndarray:
    index = np.empty(topology.getNumAtoms(), dtype=np.int64)
    for m, residue in enumerate(topology.residues()):
        for atom in residue.atoms():
            index[atom.index] = m
    return index


def build_water_box(box_edge: float, cutoff: float, switch_width: float) -> ReferenceSystem:
    """Cubic box of rigid TIP3P water from ``openmmtools.testsystems.WaterBox``.

    Args:
        box_edge: box edge, Å (the study: 20 Å, 258 molecules).
        cutoff: real-space nonbonded cutoff, Å (PME electrostatics), < box_edge / 2.
        switch_width: Lennard-Jones switching width, Å.
    """
    if cutoff >= box_edge / 2:
        raise ValueError(f"water cutoff {cutoff} Å must be below half the box edge {box_edge} Å")
    from openmmtools import testsystems

    water = testsystems.WaterBox(
        box_edge=box_edge * unit.angstrom,
        cutoff=cutoff * unit.angstrom,
        switch_width=switch_width * unit.angstrom,
        model="tip3p",
        constrained=True,
        dispersion_correction=True,
        nonbondedMethod=app.PME,
    )
    topology = water.topology
    molecule_index = _molecules(topology)
    bead_atoms = np.array(
        [a.index for a in topology.atoms() if a.element.symbol == "O"], dtype=np.int64
    )
    positions = np.asarray(water.positions.value_in_unit(unit.nanometer))
    return ReferenceSystem(
        "water", topology, water.system, positions, molecule_index, bead_atoms, 8
    )


def _tetrahedron(bond_length: float) -> np.ndarray:
    """(4, 3) ideal tetrahedral H positions around the origin, same unit as bond_length."""
    t = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]], dtype=float)
    return bond_length * t / np.sqrt(3.0)


def _random_rotation(rng: np.random.Generator) -> np.ndarray:
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return q


def build_methane_box(
    n_molecules: int,
    box: tuple[float, float, float],
    forcefield_xml: str | Path,
    cutoff: float,
    seed: int,
) -> ReferenceSystem:
    """Orthorhombic box of all-atom methane (OPLS-AA, see ``resources/forcefields``).

    Molecules start on the sites of a near-cubic lattice filling the box, each with a
    random orientation; minimisation and equilibration remove the order. The study's
    box holds 125 molecules in 20.768 x 20.410 x 17.969 Å (0.437 g/cm³).

    Args:
        n_molecules: number of CH4 molecules.
        box: orthorhombic box edges, Å.
        forcefield_xml: OpenMM ForceField XML defining residue ``CH4``.
        cutoff: nonbonded cutoff, Å (PME electrostatics, long-range LJ correction).
        seed: seed for the molecular orientations.
    """
    forcefield_xml = Path(forcefield_xml)
    if not forcefield_xml.is_file():
        raise InputError(f"methane force field file not found: {forcefield_xml}")
    box_arr = np.asarray(box, dtype=float)
    if cutoff >= box_arr.min() / 2:
        raise ValueError(f"methane cutoff {cutoff} Å must be below half the shortest box edge")
    per_side = int(np.ceil(n_molecules ** (1 / 3)))
    grid = np.stack(np.meshgrid(*(np.arange(per_side),) * 3, indexing="ij"), axis=-1).reshape(
        -1, 3
    )[:n_molecules]
    centres = (grid + 0.5) / per_side * box_arr  # Å
    rng = np.random.default_rng(seed)
    hydrogens = _tetrahedron(1.09)

    topology = app.Topology()
    chain = topology.addChain()
    carbon, hydrogen = app.Element.getBySymbol("C"), app.Element.getBySymbol("H")
    positions = []
    for centre in centres:
        residue = topology.addResidue("CH4", chain)
        c = topology.addAtom("C", carbon, residue)
        positions.append(centre)
        rotation = _random_rotation(rng)
        for h_index, h in enumerate(hydrogens @ rotation.T):
            atom = topology.addAtom(f"H{h_index + 1}", hydrogen, residue)
            topology.addBond(c, atom)
            positions.append(centre + h)
    topology.setPeriodicBoxVectors(np.diag(box_arr) * NM_PER_ANGSTROM * unit.nanometer)

    forcefield = app.ForceField(str(forcefield_xml))
    system = forcefield.createSystem(
        topology,
        nonbondedMethod=app.PME,
        nonbondedCutoff=cutoff * unit.angstrom,
        constraints=app.HBonds,
    )
    for force in system.getForces():
        if isinstance(force, openmm.CustomNonbondedForce):
            force.setUseLongRangeCorrection(True)
        if isinstance(force, openmm.NonbondedForce):
            force.setUseDispersionCorrection(False)  # LJ is in the custom force
    molecule_index = _molecules(topology)
    bead_atoms = np.array(
        [a.index for a in topology.atoms() if a.element.symbol == "C"], dtype=np.int64
    )
    return ReferenceSystem(
        "methane",
        topology,
        system,
        np.asarray(positions) * NM_PER_ANGSTROM,
        molecule_index,
        bead_atoms,
        6,
    )
