"""Snakemake entry point: one table of the force-matching diagnostics of every model."""

import pandas as pd

from cgexplain.io import atomic_output
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    table = pd.concat([pd.read_csv(path) for path in snakemake.input], ignore_index=True)
    log.info("%d models:\n%s", len(table), table.to_string(index=False))
    with atomic_output(snakemake.output.table) as tmp:
        table.to_csv(tmp, index=False, float_format="%.6g")
