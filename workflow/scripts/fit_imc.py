"""Snakemake entry point: IMC pair potential of a liquid (VOTCA csg_inverse + LAMMPS)."""

import pandas as pd

from cgexplain.cg.imc import IMCRun
from cgexplain.io import atomic_output, load_trajectory
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.imc.IMCJob
    mapped = load_trajectory(snakemake.input.start, frames=slice(-1, None))
    run = IMCRun(
        snakemake.params.work_dir,
        settings.imc,
        pd.read_csv(snakemake.input.rdf),
        mapped.positions[0],
        mapped.box[0],
        settings.bead_mass,
        threads=snakemake.threads,
    )
    log.info("IMC of %s: %s", snakemake.wildcards.system, run.settings)
    run.prepare()
    progress = run.iterate()
    with atomic_output(snakemake.output.progress) as tmp:
        progress.to_csv(tmp, index=False, float_format="%.6g")
    with atomic_output(snakemake.output.potential) as tmp:
        run.potential().to_csv(tmp, index=False, float_format="%.8g")
    log.info("progress:\n%s", progress.to_string(index=False))
    run.work.finish()  # outputs written: the iterations' directory goes (as other stages')
