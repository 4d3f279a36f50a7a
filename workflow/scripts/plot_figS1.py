"""Snakemake entry point: Supplementary Fig. S1, reference vs IMC vs networks, one liquid."""

import pandas as pd

from cgexplain.plots.structure import plot_figS1, read_model_tables
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]):
    settings = snakemake.params.settings  # cgexplain.settings.figures.ModelFigure
    inp = snakemake.input
    models = read_model_tables(
        settings.models, inp.rdfs, inp.triplets, inp.shell_angles, inp.tetrahedral
    )
    plot_figS1(
        pd.read_csv(snakemake.input.reference_rdf),
        pd.read_csv(snakemake.input.reference_triplets),
        models,
        snakemake.wildcards.system,
        [snakemake.output.png, snakemake.output.pdf],
        reference_shell=(
            pd.read_csv(inp.reference_shell_angles),
            pd.read_csv(inp.reference_tetrahedral),
        ),
    )
