"""Snakemake entry point: the 3-body map beside the width of its bootstrap interval."""

import pandas as pd

from cgexplain.plots.relevance import plot_ci_map
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]):
    settings = snakemake.params.settings  # cgexplain.settings.figures.IntervalFigure
    w = snakemake.wildcards
    plot_ci_map(
        pd.read_csv(snakemake.input.map),
        f"{w.system}, {w.model}",
        [snakemake.output.png, snakemake.output.pdf],
        min_count=settings.min_count,
        confidence=settings.confidence,
    )
