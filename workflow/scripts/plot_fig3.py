"""Snakemake entry point: Fig. 3, mean 3-body relevance over (largest angle, opposite edge)."""

import pandas as pd

from cgexplain.plots.relevance import plot_fig3
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]):
    w = snakemake.wildcards
    plot_fig3(
        pd.read_csv(snakemake.input.map),
        f"{w.system}, {w.model}",
        [snakemake.output.png, snakemake.output.pdf],
        min_count=snakemake.params.min_count,
    )
