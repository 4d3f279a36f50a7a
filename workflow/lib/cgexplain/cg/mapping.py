"""Coarse-grained mapping of all-atom configurations and forces.

A linear CG map is a pair of matrices: positions ``R = C r`` with ``C`` (n_beads,
n_atoms) and forces ``F = D f`` with ``D`` (n_beads, n_atoms). The "basic aggregated"
map of Bonneau et al., Nat. Commun. (2025) keeps one heavy atom per molecule as the
bead (``C`` selects it) and sums the forces of all atoms of the molecule (``D`` = 1 on
every atom of the bead's molecule). Summing the forces over all atoms whose
constraints tie them to the bead makes the mapped force consistent with rigid X-H
bonds: intramolecular and constraint forces cancel in the sum (Krämer et al.,
J. Chem. Theory Comput. 19, 2023, on force aggregation maps).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

import numpy as np

from cgexplain.io import InputError, Trajectory, is_periodic
from cgexplain.residues import AMINO_ACID_TYPES


@dataclass(frozen=True)
class LinearMap:
    """A linear CG map.

    Attributes:
        position_map: (n_beads, n_atoms) coefficients of bead positions (rows sum to 1).
        force_map: (n_beads, n_atoms) coefficients of bead forces.
        bead_types: (n_beads,) integer bead types (atomic number used as type).
        bead_names: bead names.
        name: which force map (``basic aggregated``, ``optimized aggregated``, ...).
        mass_map: (n_beads, n_atoms) atoms whose masses make each bead's mass
            (default: ``force_map``, the atoms the basic map aggregates).
    """

    position_map: np.ndarray
    force_map: np.ndarray
    bead_types: np.ndarray
    bead_names: list[str]
    name: str = "basic aggregated"
    mass_map: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.position_map.shape != self.force_map.shape:
            raise ValueError("position_map and force_map must have the same shape")
        if not np.allclose(self.position_map.sum(axis=1), 1.0):
            raise ValueError("each row of position_map must sum to 1 (translation invariance)")

    def with_force_map(self, force_map: np.ndarray, name: str) -> LinearMap:
        """The same positions and bead masses with another force map."""
        return replace(self, force_map=force_map, name=name, mass_map=self.bead_mass_map)

    @property
    def bead_mass_map(self) -> np.ndarray:
        """(n_beads, n_atoms) coefficients of bead masses."""
        return self.force_map if self.mass_map is None else self.mass_map

    @property
    def n_beads(self) -> int:
        return int(self.position_map.shape[0])

    @property
    def n_atoms(self) -> int:
        return int(self.position_map.shape[1])

    def map_positions(self, positions: np.ndarray) -> np.ndarray:
        """(n_frames, n_atoms, 3) Å -> (n_frames, n_beads, 3) Å.

        Molecules must be whole (unwrapped within each molecule) when a bead averages
        several atoms; a single selected atom needs no such care.
        """
        return np.einsum("ba,fax->fbx", self.position_map, positions, optimize=True)

    def map_forces(self, forces: np.ndarray) -> np.ndarray:
        """(n_frames, n_atoms, 3) kcal/mol/Å -> (n_frames, n_beads, 3) kcal/mol/Å."""
        return np.einsum("ba,fax->fbx", self.force_map, forces, optimize=True)


def aggregated_map(
    molecule_index: np.ndarray,
    bead_atoms: np.ndarray,
    bead_types: np.ndarray,
    bead_names: list[str] | None = None,
) -> LinearMap:
    """Basic aggregated map: bead = one atom, bead force = sum over its molecule.

    Args:
        molecule_index: (n_atoms,) molecule of each atom.
        bead_atoms: (n_beads,) atom kept as each bead; one per molecule.
        bead_types: (n_beads,) bead types.
        bead_names: optional names (default: the bead atom index).
    """
    molecule_index = np.asarray(molecule_index)
    bead_atoms = np.asarray(bead_atoms)
    n_atoms, n_beads = len(molecule_index), len(bead_atoms)
    bead_molecules = molecule_index[bead_atoms]
    if len(np.unique(bead_molecules)) != n_beads:
        raise ValueError("aggregated map needs exactly one bead per molecule")
    position_map = np.zeros((n_beads, n_atoms))
    position_map[np.arange(n_beads), bead_atoms] = 1.0
    force_map = (molecule_index[None, :] == bead_molecules[:, None]).astype(float)
    names = bead_names or [f"B{i}" for i in range(n_beads)]
    return LinearMap(position_map, force_map, np.asarray(bead_types), names)


def heavy_atom_map(molecule_index: np.ndarray, atomic_numbers: np.ndarray) -> LinearMap:
    """Aggregated map with the heaviest atom of each molecule as its bead (C of CH4, O of H2O).

    Bead type = that atom's atomic number; bead force = sum over the molecule.
    """
    molecule_index = np.asarray(molecule_index)
    atomic_numbers = np.asarray(atomic_numbers)
    molecules = np.unique(molecule_index)
    bead_atoms = np.empty(len(molecules), dtype=np.int64)
    for b, m in enumerate(molecules):
        atoms = np.flatnonzero(molecule_index == m)
        bead_atoms[b] = atoms[np.argmax(atomic_numbers[atoms])]
    return aggregated_map(molecule_index, bead_atoms, atomic_numbers[bead_atoms])


def wrap_positions(positions: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Wrap (n_frames, n, 3) positions into the periodic cell (n_frames, 3, 3), Å."""
    frac = np.einsum("fnx,fxy->fny", positions, np.linalg.inv(box))
    frac -= np.floor(frac)
    return np.einsum("fny,fyx->fnx", frac, box)


def map_trajectory(traj: Trajectory, cg_map: LinearMap) -> Trajectory:
    """Apply a CG map to every frame of an all-atom trajectory.

    Bead positions are wrapped into the box (periodic frames only; an all-zero box is an
    isolated molecule and is left as it is); the box, time and potential energy are
    kept. Bead masses are the summed masses of the atoms the basic map aggregates
    (:attr:`LinearMap.bead_mass_map`); ``metadata["mapping"]`` names the force map.
    """
    if traj.n_sites != cg_map.n_atoms:
        raise InputError(f"CG map expects {cg_map.n_atoms} atoms, trajectory has {traj.n_sites}")
    positions = cg_map.map_positions(traj.positions.astype(np.float64))
    if is_periodic(traj.box):
        positions = wrap_positions(positions, traj.box)
    forces = cg_map.map_forces(traj.forces.astype(np.float64))
    return Trajectory(
        positions=positions,
        forces=forces,
        box=traj.box.astype(np.float64),
        time=traj.time,
        potential_energy=traj.potential_energy,
        atomic_numbers=cg_map.bead_types.astype(np.int64),
        masses=cg_map.bead_mass_map @ traj.masses,
        molecule_index=np.arange(cg_map.n_beads),
        names=list(cg_map.bead_names),
        metadata={"mapping": cg_map.name, "source": traj.metadata},
    )


def calpha_map(
    atom_names: list[str],
    atom_residues: np.ndarray,
    residue_names: list[str],
    bonds: np.ndarray,
    atomic_numbers: np.ndarray,
) -> LinearMap:
    """Cα map of a protein: one bead per residue at its Cα atom.

    The bead force sums the forces on the Cα and on the hydrogens bonded to it (HA, or
    HA2 and HA3 of glycine), which X-H constraints tie to the Cα; the bead type is the
    residue's amino acid (:data:`AMINO_ACID_TYPES`), so a point mutation is a change of
    one bead's type (Bonneau et al., Nat. Commun. 2025).

    Args:
        atom_names: (n_atoms,) PDB atom names.
        atom_residues: (n_atoms,) residue index (0-based) of each atom.
        residue_names: (n_residues,) three-letter residue names.
        bonds: (n_bonds, 2) bonded atom pairs.
        atomic_numbers: (n_atoms,) elements.

    Raises:
        InputError: a residue without exactly one CA, or a non-standard residue.
    """
    atom_residues = np.asarray(atom_residues)
    atomic_numbers = np.asarray(atomic_numbers)
    n_atoms, n_res = len(atom_names), len(residue_names)
    ca = np.full(n_res, -1)
    for atom, (name, res) in enumerate(zip(atom_names, atom_residues, strict=True)):
        if name == "CA":
            if ca[res] >= 0:
                raise InputError(f"residue {res} ({residue_names[res]}) has two CA atoms")
            ca[res] = atom
    missing = np.flatnonzero(ca < 0)
    if missing.size:
        raise InputError(f"residues {missing.tolist()} have no CA atom")
    unknown = sorted({r for r in residue_names if r not in AMINO_ACID_TYPES})
    if unknown:
        raise InputError(f"non-standard residues {unknown} have no bead type")
    position_map = np.zeros((n_res, n_atoms))
    position_map[np.arange(n_res), ca] = 1.0
    force_map = position_map.copy()
    bead_of_ca = {int(atom): b for b, atom in enumerate(ca)}
    for a, b in np.asarray(bonds, dtype=np.int64).reshape(-1, 2):
        for heavy, light in ((a, b), (b, a)):
            if heavy in bead_of_ca and atomic_numbers[light] == 1:
                force_map[bead_of_ca[heavy], light] = 1.0
    types = np.array([AMINO_ACID_TYPES[r] for r in residue_names])
    names = [f"{r}{n + 1}" for n, r in enumerate(residue_names)]
    return LinearMap(position_map, force_map, types, names)


def load_calpha_map(pdb_path: str | os.PathLike) -> LinearMap:
    """The Cα map (:func:`calpha_map`) of a prepared PDB's atoms
    (:func:`cgexplain.md.protein.topology_arrays`)."""
    from cgexplain.md.protein import topology_arrays

    top = topology_arrays(pdb_path)
    return calpha_map(
        top["atom_names"],
        top["atom_residues"],
        top["residue_names"],
        top["bonds"],
        top["atomic_numbers"],
    )
