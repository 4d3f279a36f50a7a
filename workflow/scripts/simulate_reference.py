"""Snakemake entry point: all-atom reference MD of one liquid (OpenMM)."""

from cgexplain.md.reference import RunSettings, run_reference
from cgexplain.md.systems import build_methane_box, build_water_box
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    system = snakemake.wildcards.system
    p = dict(snakemake.params.settings)
    log.info("reference MD of %s with settings %s", system, p)
    if system == "methane":
        ref = build_methane_box(
            p["n_molecules"], tuple(p["box"]), snakemake.input.forcefield, p["cutoff"], p["seed"]
        )
    else:
        ref = build_water_box(p["box_edge"], p["cutoff"], p["switch_width"])
    settings = RunSettings(
        temperature=p["temperature"],
        friction=p["friction"],
        timestep=p["timestep"],
        equilibration=p["equilibration"],
        length=p["length"],
        save_interval=p["save_interval"],
        checkpoint_interval=p["checkpoint_interval"],
        minimize_tolerance=p["minimize_tolerance"],
        seed=p["seed"],
        platform=p["platform"],
        threads=snakemake.threads,
    )
    run_reference(ref, settings, snakemake.output.trajectory, snakemake.params.work_dir)
