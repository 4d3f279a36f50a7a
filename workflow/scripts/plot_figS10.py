"""Snakemake entry point: Fig. S10, 3-body relevance beside its training density."""

import pandas as pd

from cgexplain.plots.relevance import plot_artifacts
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]):
    settings = snakemake.params.settings  # cgexplain.settings.figures.BinnedFigure
    w = snakemake.wildcards
    plot_artifacts(
        pd.read_csv(snakemake.input.map),
        pd.read_csv(snakemake.input.density),
        pd.read_csv(snakemake.input.artifacts),
        f"{w.system}, {w.model}",
        [snakemake.output.png, snakemake.output.pdf],
        min_count=settings.min_count,
    )
