"""Snakemake entry point: figures of the reference structure (reads small tables only)."""

import pandas as pd

from cgexplain.plots.structure import plot_rdf, plot_triplet_map
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]):
    system = snakemake.wildcards.system
    plot_rdf(
        {"reference": pd.read_csv(snakemake.input.rdf)},
        f"{system}: CG bead RDF",
        snakemake.output.rdf,
    )
    plot_triplet_map(
        pd.read_csv(snakemake.input.triplets),
        f"{system}: reference triplets",
        snakemake.output.triplets,
    )
