"""Snakemake entry point: the n-body spectrum of every model of one system."""

import pandas as pd

from cgexplain.plots.relevance import plot_nbody_spectrum
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]):
    settings = snakemake.params.settings  # cgexplain.settings.figures.ModelFigure
    summaries = {
        model: pd.read_csv(path)
        for model, path in zip(settings.models, snakemake.input, strict=True)
    }
    plot_nbody_spectrum(
        summaries, snakemake.wildcards.system, [snakemake.output.png, snakemake.output.pdf]
    )
