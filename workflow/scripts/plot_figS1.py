"""Snakemake entry point: Supplementary Fig. S1, reference vs IMC vs networks, one liquid."""

import pandas as pd

from cgexplain.plots.structure import plot_figS1
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]):
    models = {
        model: (pd.read_csv(rdf), pd.read_csv(tri))
        for model, rdf, tri in zip(
            snakemake.params.models, snakemake.input.rdfs, snakemake.input.triplets, strict=True
        )
    }
    plot_figS1(
        pd.read_csv(snakemake.input.reference_rdf),
        pd.read_csv(snakemake.input.reference_triplets),
        models,
        snakemake.wildcards.system,
        [snakemake.output.png, snakemake.output.pdf],
    )
