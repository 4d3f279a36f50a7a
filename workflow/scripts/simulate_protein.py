"""Snakemake entry point: one all-atom implicit-solvent run of the protein (OpenMM)."""

from cgexplain.md.protein import build_protein_system
from cgexplain.md.reference import RunSettings, run_reference
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    p = dict(snakemake.params.settings)
    log.info("protein run %s: %s %s", snakemake.wildcards.scatteritem, snakemake.params.system, p)
    ref = build_protein_system(snakemake.input.structure, **snakemake.params.system)
    settings = RunSettings.from_config(p, threads=snakemake.threads)
    run_reference(ref, settings, snakemake.output.trajectory, snakemake.params.work_dir)
