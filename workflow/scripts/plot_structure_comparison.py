"""Snakemake entry point: RDF, largest-angle, first-shell angle and tetrahedral-order
distributions of each CG model vs the reference."""

import pandas as pd

from cgexplain.plots.structure import plot_structure_comparison, read_model_tables
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]):
    settings = snakemake.params.settings  # cgexplain.settings.figures.ModelFigure
    system = snakemake.wildcards.system
    inp = snakemake.input
    models = read_model_tables(
        settings.models, inp.rdfs, inp.triplets, inp.shell_angles, inp.tetrahedral
    )
    plot_structure_comparison(
        pd.read_csv(snakemake.input.reference_rdf),
        pd.read_csv(snakemake.input.reference_triplets),
        models,
        system,
        snakemake.output[0],
        reference_shell=(
            pd.read_csv(inp.reference_shell_angles),
            pd.read_csv(inp.reference_tetrahedral),
        ),
    )
