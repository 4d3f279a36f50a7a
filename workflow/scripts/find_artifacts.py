"""Snakemake entry point: training-data artifacts of one 3-body relevance map (Fig. S10)."""

import numpy as np
import pandas as pd

from cgexplain.analysis.artifacts import find_artifacts, training_triplet_density
from cgexplain.cg.training import load_spec
from cgexplain.io import atomic_output, is_periodic, load_trajectory, trajectory_length
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    p = dict(snakemake.params.settings)
    spec, _ = load_spec(snakemake.input.model)
    relevance_map = pd.read_csv(snakemake.input.triplet_map)
    n_frames = trajectory_length(snakemake.input.training)
    frames = np.unique(np.linspace(0, n_frames - 1, min(p["max_frames"], n_frames)).round())
    training = load_trajectory(snakemake.input.training, frames.astype(int))
    box = training.box if is_periodic(training.box[0]) else None
    log.info(
        "training triplets of %d of %d mapped reference frames within the model's %.2f Å",
        len(frames), n_frames, spec.cutoff,
    )  # fmt: skip
    density = training_triplet_density(training.positions, box, spec.cutoff, relevance_map)
    artifacts = find_artifacts(
        relevance_map,
        density,
        top_fraction=p["top_fraction"],
        density_fraction=p["density_fraction"],
        min_count=p["min_count"],
    )
    for table, path in (
        (density, snakemake.output.density),
        (artifacts, snakemake.output.artifacts),
    ):
        with atomic_output(path) as tmp:
            table.to_csv(tmp, index=False)
    n_stab = int((artifacts["sign"] == "stabilising").sum())
    log.info(
        "%d artifact bins (%d stabilising) of %d populated map bins; settings %s",
        len(artifacts), n_stab, int((relevance_map["count"] >= p["min_count"]).sum()), p,
    )  # fmt: skip
