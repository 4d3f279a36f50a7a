"""Amino-acid tables of the Cα protein models (a leaf module: imports only
:mod:`cgexplain.errors`).

Shared by the all-atom protein set-up (:mod:`cgexplain.md.protein`), the Cα map
(:mod:`cgexplain.cg.mapping`) and the protein analysis (:mod:`cgexplain.analysis`), so
that none of them imports the others for a table.
"""

from __future__ import annotations

from cgexplain.errors import InputError

__all__ = ["AMINO_ACID_TYPES", "ONE_LETTER", "parse_mutation"]

#: one-letter codes of the 20 standard amino acids
ONE_LETTER = {
    "ALA": "A", "ARG": "R", "ASN": "N", "ASP": "D", "CYS": "C", "GLN": "Q", "GLU": "E",
    "GLY": "G", "HIS": "H", "ILE": "I", "LEU": "L", "LYS": "K", "MET": "M", "PHE": "F",
    "PRO": "P", "SER": "S", "THR": "T", "TRP": "W", "TYR": "Y", "VAL": "V",
}  # fmt: skip

#: bead type of each amino acid in Cα models (1-based, alphabetical by three-letter code)
AMINO_ACID_TYPES = {
    name: n + 1
    for n, name in enumerate(
        sorted(
            [
                "ALA",
                "ARG",
                "ASN",
                "ASP",
                "CYS",
                "GLN",
                "GLU",
                "GLY",
                "HIS",
                "ILE",
                "LEU",
                "LYS",
                "MET",
                "PHE",
                "PRO",
                "SER",
                "THR",
                "TRP",
                "TYR",
                "VAL",
            ]
        )  # fmt: skip
    )
}


def parse_mutation(
    mutation: str, residue_names: list[str], first_residue: int = 1
) -> tuple[int, int]:
    """A point mutation such as ``"ILE4ASN"`` as a bead-type change.

    Args:
        mutation: wild-type three-letter code, PDB residue number, mutant code.
        residue_names: (N,) three-letter names of the wild-type chain.
        first_residue: PDB number of the first residue.

    Returns:
        ``(bead index (0-based), mutant bead type)``.

    Raises:
        InputError: malformed text, residue out of range, wild type not at that
            position, or an unknown amino acid.
    """
    import re

    match = re.fullmatch(r"([A-Z]{3})(\d+)([A-Z]{3})", mutation)
    if match is None:
        raise InputError(f"mutation {mutation!r} is not like ILE4ASN")
    wild, number, mutant = match.group(1), int(match.group(2)), match.group(3)
    index = number - first_residue
    if not 0 <= index < len(residue_names):
        raise InputError(f"mutation {mutation}: residue {number} is outside the chain")
    if residue_names[index] != wild:
        raise InputError(
            f"mutation {mutation}: residue {number} is {residue_names[index]}, not {wild}"
        )
    if mutant not in AMINO_ACID_TYPES:
        raise InputError(f"mutation {mutation}: unknown amino acid {mutant}")
    return index, AMINO_ACID_TYPES[mutant]
