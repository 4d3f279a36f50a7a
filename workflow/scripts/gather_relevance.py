"""Snakemake entry point: gather the relevance shards into one table per kind."""

import pandas as pd

from cgexplain.io import atomic_output
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    for kind in ("pairs", "triplets"):
        table = pd.concat([pd.read_parquet(f) for f in snakemake.input[kind]], ignore_index=True)
        with atomic_output(snakemake.output[kind]) as tmp:
            table.sort_values("frame", kind="stable").to_parquet(tmp, index=False)
        log.info("%s: %d rows", kind, len(table))
    frames = pd.concat([pd.read_csv(f) for f in snakemake.input.frames], ignore_index=True)
    with atomic_output(snakemake.output.frames) as tmp:
        frames.sort_values("frame").to_csv(tmp, index=False)
