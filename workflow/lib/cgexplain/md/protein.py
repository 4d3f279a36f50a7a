"""Protein structure preparation (PDBFixer) for the all-atom reference of NTL9.

NTL9 is the N-terminal domain of ribosomal protein L9; the study uses the fast-folding
K12M variant, PDB 2HBA chain A, residues 1-39 (Bonneau et al., Nat. Commun. 2025;
Lindorff-Larsen et al., Science 334, 517, 2011).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from cgexplain.io import InputError, atomic_output
from cgexplain.residues import ONE_LETTER


def sequence(topology) -> str:
    """One-letter sequence of an OpenMM topology's residues (X for non-standard)."""
    return "".join(ONE_LETTER.get(res.name, "X") for res in topology.residues())


def prepare_structure(
    pdb_path: str | os.PathLike,
    out_path: str | os.PathLike,
    chain: str = "A",
    first_residue: int = 1,
    last_residue: int = 39,
    ph: float = 7.0,
) -> str:
    """Cut one chain to a residue range and complete it for simulation.

    Keeps chain ``chain`` residues ``first_residue..last_residue`` (PDB numbering) and
    the first alternate location of each atom, removes heteroatoms and waters, adds
    missing heavy atoms (the C-terminal oxygen included) and hydrogens at ``ph``, and
    writes a PDB atomically.

    Returns:
        The one-letter sequence of the prepared chain.

    Raises:
        InputError: missing file, or the chain or residue range is absent.
    """
    from openmm.app import Modeller, PDBFile
    from pdbfixer import PDBFixer

    pdb_path = Path(pdb_path)
    if not pdb_path.is_file():
        raise InputError(f"structure file not found: {pdb_path}")
    fixer = PDBFixer(filename=str(pdb_path))
    chains = [c.id for c in fixer.topology.chains()]
    if chain not in chains:
        raise InputError(f"{pdb_path} has no chain {chain!r} (chains: {chains})")
    fixer.removeChains(chainIds=[c for c in chains if c != chain])
    fixer.removeHeterogens(keepWater=False)

    modeller = Modeller(fixer.topology, fixer.positions)
    outside = [
        res for res in modeller.topology.residues()
        if not first_residue <= int(res.id) <= last_residue
    ]  # fmt: skip
    modeller.delete(outside)
    kept = [int(res.id) for res in modeller.topology.residues()]
    if not kept or min(kept) != first_residue or max(kept) != last_residue:
        raise InputError(
            f"{pdb_path} chain {chain} does not cover residues {first_residue}-{last_residue}"
        )
    buffer = io.StringIO()
    PDBFile.writeFile(modeller.topology, modeller.positions, buffer)
    buffer.seek(0)

    fixer = PDBFixer(pdbfile=buffer)
    fixer.findMissingResidues()
    fixer.missingResidues = {}  # the range is the model: no tails are built
    fixer.findNonstandardResidues()
    fixer.replaceNonstandardResidues()
    fixer.findMissingAtoms()
    fixer.addMissingAtoms()
    fixer.addMissingHydrogens(ph)
    with atomic_output(out_path) as tmp:
        with open(tmp, "w") as handle:
            PDBFile.writeFile(fixer.topology, fixer.positions, handle, keepIds=True)
    return sequence(fixer.topology)


def build_protein_system(
    pdb_path: str | os.PathLike,
    name: str = "protein",
    forcefield: str = "amber14-all.xml",
    implicit_solvent: str = "implicit/gbn2.xml",
    cutoff: float = 12.0,
    hydrogen_mass: float = 3.0,
):
    """All-atom protein in implicit solvent, ready for :func:`cgexplain.md.reference.run_reference`.

    Amber force field with OpenMM's GB model (default Amber ff14SB with GBn2: Nguyen,
    Roe & Simmerling, JCTC 9, 2020, 2013), no periodic box, non-bonded interactions cut
    at ``cutoff``, X-H bonds constrained and hydrogen masses repartitioned to
    ``hydrogen_mass`` (allows a 4 fs step; the positional distribution is unchanged).

    Args:
        pdb_path: prepared structure (hydrogens present, see :func:`prepare_structure`).
        name: system name stored in the trajectory metadata.
        forcefield, implicit_solvent: OpenMM force-field XML files it ships.
        cutoff: non-bonded cutoff, Å (``0``: no cutoff).
        hydrogen_mass: amu (``0`` keeps the natural masses).

    Returns:
        :class:`~cgexplain.md.systems.ReferenceSystem` whose molecules are the residues and
        whose bead atoms are the Cα atoms.

    Raises:
        InputError: missing file or a residue without a CA atom.
    """
    import numpy as np
    from openmm import app, unit

    from cgexplain.md.systems import ReferenceSystem

    pdb_path = Path(pdb_path)
    if not pdb_path.is_file():
        raise InputError(f"prepared structure not found: {pdb_path}")
    pdb = app.PDBFile(str(pdb_path))
    ff = app.ForceField(forcefield, implicit_solvent)
    kwargs = {"constraints": app.HBonds}
    if cutoff > 0:
        kwargs.update(
            nonbondedMethod=app.CutoffNonPeriodic, nonbondedCutoff=cutoff * unit.angstrom
        )
    else:
        kwargs["nonbondedMethod"] = app.NoCutoff
    if hydrogen_mass > 0:
        kwargs["hydrogenMass"] = hydrogen_mass * unit.amu
    system = ff.createSystem(pdb.topology, **kwargs)
    residue_of = np.array([atom.residue.index for atom in pdb.topology.atoms()], dtype=np.int64)
    ca = [[a.index for a in res.atoms() if a.name == "CA"] for res in pdb.topology.residues()]
    if any(len(c) != 1 for c in ca):
        raise InputError(f"{pdb_path}: every residue needs exactly one CA atom")
    positions = np.asarray(pdb.positions.value_in_unit(unit.nanometer))
    return ReferenceSystem(
        name, pdb.topology, system, positions, residue_of, np.array([c[0] for c in ca]), 6
    )


def topology_arrays(pdb_path: str | os.PathLike) -> dict:
    """Per-atom arrays of a PDB for :func:`cgexplain.cg.mapping.calpha_map`
    (:func:`cgexplain.cg.mapping.load_calpha_map` reads them).

    Returns:
        ``atom_names`` (n_atoms,), ``atom_residues`` (n_atoms,) 0-based residue index,
        ``residue_names`` (n_residues,), ``residue_numbers`` (n_residues,) PDB numbering,
        ``bonds`` (n_bonds, 2), ``atomic_numbers`` (n_atoms,).
    """
    import numpy as np
    from openmm import app

    pdb_path = Path(pdb_path)
    if not pdb_path.is_file():
        raise InputError(f"structure file not found: {pdb_path}")
    top = app.PDBFile(str(pdb_path)).topology
    atoms = list(top.atoms())
    return {
        "atom_names": [a.name for a in atoms],
        "atom_residues": np.array([a.residue.index for a in atoms], dtype=np.int64),
        "residue_names": [r.name for r in top.residues()],
        "residue_numbers": np.array([int(r.id) for r in top.residues()], dtype=np.int64),
        "bonds": np.array([(b[0].index, b[1].index) for b in top.bonds()], dtype=np.int64),
        "atomic_numbers": np.array([a.element.atomic_number for a in atoms], dtype=np.int64),
    }


def load_native(pdb_path: str | os.PathLike) -> dict:
    """Native Cα structure and secondary structure of a prepared PDB (mdtraj DSSP).

    Returns:
        ``positions`` (N, 3) Å of the Cα atoms, ``dssp`` simplified DSSP string (N,),
        ``residue_names`` (N,), ``residue_numbers`` (N,) PDB numbering.
    """
    import mdtraj as md
    import numpy as np

    from cgexplain.units import ANGSTROM_PER_NM

    pdb_path = Path(pdb_path)
    if not pdb_path.is_file():
        raise InputError(f"native structure not found: {pdb_path}")
    traj = md.load(str(pdb_path))
    ca = traj.topology.select("name CA")
    residues = [traj.topology.atom(int(a)).residue for a in ca]
    return {
        "positions": np.asarray(traj.xyz[0, ca], dtype=np.float64) * ANGSTROM_PER_NM,
        "dssp": "".join(md.compute_dssp(traj, simplified=True)[0]),
        "residue_names": [r.name for r in residues],
        "residue_numbers": np.array([r.resSeq for r in residues], dtype=np.int64),
    }
