"""Snakemake entry point: cut and complete the protein structure with PDBFixer."""

from cgexplain.md.protein import prepare_structure
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.protein.PrepareStructure
    log.info("preparing %s with %s", snakemake.input[0], settings)
    sequence = prepare_structure(
        snakemake.input[0],
        snakemake.output[0],
        chain=settings.chain,
        first_residue=settings.first_residue,
        last_residue=settings.last_residue,
        ph=settings.ph,
    )
    log.info("sequence (%d residues): %s", len(sequence), sequence)
