"""Snakemake entry point: force-matching training of one CG potential."""

import torch

from cgexplain.cg.splits import run_lengths
from cgexplain.cg.training import ModelSpec, TrainSpec, train_force_matching
from cgexplain.io import load_trajectory, trajectory_length
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    # the architecture: the model's name, or the model a cutoff-series copy varies
    model_spec = ModelSpec.from_config(
        snakemake.params.model["architecture"], snakemake.params.model
    )
    train_spec = TrainSpec.from_config(snakemake.params.optimizer)
    # the dataset holds the mapped trajectory's frames in order: its runs are the dataset's
    mapped = load_trajectory(snakemake.input.trajectory, frames=slice(0, 1))

    runs = run_lengths(mapped.metadata, trajectory_length(snakemake.input.trajectory))
    log.info(
        "training %s on %s: %s %s",
        model_spec.architecture,
        snakemake.input.dataset,
        model_spec,
        train_spec,
    )
    summary = train_force_matching(
        snakemake.input.dataset,
        model_spec,
        train_spec,
        snakemake.output.model,
        snakemake.output.metrics,
        snakemake.params.work_dir,
        runs=runs,
        split_out=snakemake.output.split,
    )
    log.info("summary: %s", summary)
