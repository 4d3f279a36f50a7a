"""Snakemake entry point: Fig. 2, RDF and mean 2-body relevance of one system and model,
with its first-shell angle and tetrahedral-order distributions against the reference."""

import json

import pandas as pd

from cgexplain.plots.relevance import plot_fig2
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]):
    settings = snakemake.params.settings  # cgexplain.settings.figures.BinnedFigure
    w = snakemake.wildcards
    summary = json.loads(open(snakemake.input.summary).read())
    plot_fig2(
        {
            f"CG {w.model}": pd.read_csv(snakemake.input.rdf),
            "all-atom reference": pd.read_csv(snakemake.input.reference_rdf),
        },
        pd.read_csv(snakemake.input.profile),
        f"{w.system}, {w.model}",
        [snakemake.output.png, snakemake.output.pdf],
        min_count=settings.min_count,
        cutoff=summary["cutoff"],
        ci=pd.read_csv(snakemake.input.ci),
        shell=tuple(
            (pd.read_csv(angles), pd.read_csv(q))
            for angles, q in (
                (snakemake.input.shell_angles, snakemake.input.tetrahedral),
                (snakemake.input.reference_shell_angles, snakemake.input.reference_tetrahedral),
            )
        ),
    )
