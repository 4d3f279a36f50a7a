"""Snakemake entry point: classic E2/E3 decomposition of the explained bead sets."""

import pandas as pd
import torch

from cgexplain.analysis import relevance as rel
from cgexplain.io import atomic_output, load_trajectory, read_table
from cgexplain.lrp.trajectory import classic_frames, frame_atoms
from cgexplain.potentials.loading import load_model
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    settings = snakemake.params.settings  # cgexplain.settings.relevance.ClassicDecomposition
    grid = settings.grids
    model = load_model(snakemake.input.model)
    trajectory = load_trajectory(snakemake.input.trajectory)
    pairs = pd.read_parquet(snakemake.input.pairs)
    triplets = read_table(snakemake.input.triplets)
    chosen = sorted(pairs["frame"].unique())[: settings.classic_frames]
    log.info("classic decomposition of frames %s", chosen)
    frames = (
        (i, frame_atoms(trajectory.positions[i], trajectory.box[i], trajectory.atomic_numbers))
        for i in chosen
    )
    e2, e3 = classic_frames(model, frames, pairs, triplets)
    profile = rel.pair_profile(e2, grid.r_max, grid.pair_bins, value="e2")
    e3_map = rel.triplet_map(e3, grid.edge_max, grid.angle_bins, grid.edge_bins, value="e3")
    for table, path in ((profile, snakemake.output.e2_profile), (e3_map, snakemake.output.e3_map)):
        with atomic_output(path) as tmp:
            table.to_csv(tmp, index=False)
    log.info("classic: %d pairs, %d triplets", len(e2), len(e3))
