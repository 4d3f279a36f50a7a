"""Snakemake entry point: training-data artifacts of one 3-body relevance map (Fig. S10)."""

import pandas as pd

from cgexplain.analysis.artifacts import find_artifacts, training_triplet_density
from cgexplain.io import (
    atomic_output,
    evenly_spaced,
    is_periodic,
    load_trajectory,
    trajectory_length,
)
from cgexplain.potentials.loading import load_spec
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.relevance.FindArtifacts
    spec, _ = load_spec(snakemake.input.model)
    relevance_map = pd.read_csv(snakemake.input.triplet_map)
    n_frames = trajectory_length(snakemake.input.training)
    frames = evenly_spaced(n_frames, settings.max_frames)
    training = load_trajectory(snakemake.input.training, frames)
    box = training.box if is_periodic(training.box[0]) else None
    log.info(
        "training triplets of %d of %d mapped reference frames within the model's %.2f Å",
        len(frames), n_frames, spec.cutoff,
    )  # fmt: skip
    density = training_triplet_density(training.positions, box, spec.cutoff, relevance_map)
    artifacts = find_artifacts(
        relevance_map,
        density,
        top_fraction=settings.top_fraction,
        density_fraction=settings.density_fraction,
        min_count=settings.min_count,
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
        len(artifacts), n_stab, int((relevance_map["count"] >= settings.min_count).sum()), settings,
    )  # fmt: skip
