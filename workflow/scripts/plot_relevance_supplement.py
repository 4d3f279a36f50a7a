"""Snakemake entry point: supplementary relevance views of one system and model.

Single 2-body contributions versus distance, 3-body relevance over the edges adjacent
to the largest angle, and the classic many-body decomposition drawn the same way.
"""

import pandas as pd

from cgexplain.plots.relevance import plot_adjacent_maps, plot_classic, plot_pair_distribution
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]):
    settings = snakemake.params.settings  # cgexplain.settings.figures.BinnedFigure
    w = snakemake.wildcards
    title = f"{w.system}, {w.model}"
    n = settings.min_count
    plot_pair_distribution(
        pd.read_csv(snakemake.input.histogram),
        pd.read_csv(snakemake.input.profile),
        title,
        [snakemake.output.pairs_png, snakemake.output.pairs_pdf],
    )
    plot_adjacent_maps(
        pd.read_csv(snakemake.input.adjacent),
        title,
        [snakemake.output.adjacent_png, snakemake.output.adjacent_pdf],
        n,
    )
    plot_classic(
        pd.read_csv(snakemake.input.e2_profile),
        pd.read_csv(snakemake.input.e3_map),
        f"classic decomposition, {title}",
        [snakemake.output.classic_png, snakemake.output.classic_pdf],
        n,
    )
