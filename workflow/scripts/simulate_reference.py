"""Snakemake entry point: all-atom reference MD of one liquid (OpenMM)."""

from dataclasses import replace

from cgexplain.md.builders import liquid_builder
from cgexplain.md.reference import run_reference
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.reference.SimulateReference
    system = snakemake.wildcards.system
    builder = liquid_builder(settings.builder.name)
    log.info("reference MD of %s (builder %s) with settings %s", system, builder.name, settings)
    ref = builder.build(
        system, settings.builder.block(), dict(snakemake.input.items()), settings.run.seed
    )
    run = replace(settings.run, threads=snakemake.threads)
    run_reference(ref, run, snakemake.output.trajectory, snakemake.params.work_dir)
