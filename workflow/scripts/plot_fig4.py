"""Snakemake entry point: Fig. 4, free-energy surfaces over TIC 1 and TIC 2."""

import pandas as pd

from cgexplain.plots.protein import plot_fig4
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]):
    surfaces = {
        label: pd.read_csv(path)
        for label, path in zip(snakemake.params.labels, snakemake.input.surfaces, strict=True)
    }
    plot_fig4(surfaces, [snakemake.output.png, snakemake.output.pdf])
