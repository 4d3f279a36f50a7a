"""Snakemake entry point: RDF and angle distribution of each CG model vs the reference."""

import pandas as pd

from cgexplain.plots.structure import plot_structure_comparison
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]):
    system = snakemake.wildcards.system
    models = {
        model: (pd.read_csv(rdf), pd.read_csv(tri))
        for model, rdf, tri in zip(
            snakemake.params.models, snakemake.input.rdfs, snakemake.input.triplets, strict=True
        )
    }
    plot_structure_comparison(
        pd.read_csv(snakemake.input.reference_rdf),
        pd.read_csv(snakemake.input.reference_triplets),
        models,
        system,
        snakemake.output[0],
    )
