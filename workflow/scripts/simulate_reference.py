"""Snakemake entry point: all-atom reference MD of one liquid (OpenMM)."""

from cgexplain.md.builders import liquid_builder
from cgexplain.md.reference import RunSettings, run_reference
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    system = snakemake.wildcards.system
    p = dict(snakemake.params.settings)
    builder = liquid_builder(snakemake.params.builder)
    log.info("reference MD of %s (builder %s) with settings %s", system, builder.name, p)
    ref = builder.build(system, p, dict(snakemake.input.items()), p["seed"])
    settings = RunSettings.from_config(p, threads=snakemake.threads)
    run_reference(ref, settings, snakemake.output.trajectory, snakemake.params.work_dir)
