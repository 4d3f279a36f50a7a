"""Snakemake entry point: Suppl. Fig. S11, contact maps of the folding states (reference
frames) next to their 2-body relevance maps."""

import numpy as np
import pandas as pd

from cgexplain.analysis.protein_maps import mask_chain_neighbours, table_matrices
from cgexplain.analysis.states import STATES, StateElements, state_contact_maps
from cgexplain.io import load_trajectory
from cgexplain.plots.protein import plot_figS11
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.figures.FigS11
    info = StateElements.read(snakemake.input.elements)
    n_beads = len(info.residue_names)
    cg = load_trajectory(snakemake.input.reference)
    frames = pd.read_csv(snakemake.input.frames, keep_default_na=False)
    if len(frames) != cg.n_frames:
        raise ValueError(f"{len(frames)} state rows for {cg.n_frames} reference frames")
    labels = frames["state"].to_numpy()
    min_frames = settings.min_frames
    counts = {s: int(np.sum(labels == s)) for s in STATES}
    for state, n in counts.items():
        if n < min_frames:
            log.warning("state %s has %d reference frames (< %d): panel marked", state, n,
                        min_frames)  # fmt: skip
    contacts = state_contact_maps(cg.positions, labels, settings.cutoff, min_frames)
    relevance = {
        state: mask_chain_neighbours(matrix, settings.min_separation)
        for state, matrix in table_matrices(pd.read_csv(snakemake.input.maps), n_beads).items()
    }
    log.info("reference frames per state: %s", counts)
    plot_figS11(
        contacts,
        {state: relevance.get(state) for state in STATES},
        counts,
        info.elements,
        [("β1", "β2"), ("β1", "β3"), ("helix", "helix")],
        [snakemake.output.png, snakemake.output.pdf],
    )
