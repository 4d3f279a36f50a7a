"""Snakemake entry point: cut and complete the protein structure with PDBFixer."""

from cgexplain.md.protein import prepare_structure
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    source = snakemake.params.source
    log.info("preparing %s with %s", snakemake.input[0], source)
    sequence = prepare_structure(
        snakemake.input[0],
        snakemake.output[0],
        chain=source["chain"],
        first_residue=source["first_residue"],
        last_residue=source["last_residue"],
        ph=source["ph"],
    )
    log.info("sequence (%d residues): %s", len(sequence), sequence)
