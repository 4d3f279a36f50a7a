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

#: one-letter codes of the 20 standard amino acids
ONE_LETTER = {
    "ALA": "A", "ARG": "R", "ASN": "N", "ASP": "D", "CYS": "C", "GLN": "Q", "GLU": "E",
    "GLY": "G", "HIS": "H", "ILE": "I", "LEU": "L", "LYS": "K", "MET": "M", "PHE": "F",
    "PRO": "P", "SER": "S", "THR": "T", "TRP": "W", "TYR": "Y", "VAL": "V",
}  # fmt: skip


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
