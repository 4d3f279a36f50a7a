"""Snakemake entry point: Fig. 5, residue-pair relevance per folding state."""

import pandas as pd

from cgexplain.analysis.protein_maps import mask_chain_neighbours, table_matrices
from cgexplain.analysis.states import STATES, StateElements
from cgexplain.plots.protein import plot_fig5
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]):
    settings = snakemake.params.settings  # cgexplain.settings.figures.Fig5
    info = StateElements.read(snakemake.input.elements)
    n_beads = len(info.residue_names)
    maps = {
        state: mask_chain_neighbours(matrix, settings.min_separation)
        for state, matrix in table_matrices(pd.read_csv(snakemake.input.maps), n_beads).items()
    }
    plot_fig5(
        {state: maps.get(state) for state in STATES},
        info.sequence,
        info.elements,
        [("β1", "β2"), ("β1", "β3"), ("helix", "helix")],
        [snakemake.output.png, snakemake.output.pdf],
    )
