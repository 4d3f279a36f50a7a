"""Snakemake entry point: force-matching training of one CG potential."""

import torch

from cgexplain.cg.training import train_force_matching
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    settings = snakemake.params.settings  # cgexplain.settings.training.TrainModel
    # the architecture: the model's name, or the model a cutoff-series copy varies
    model_spec, train_spec = settings.model, settings.optimizer
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
        split=snakemake.input.split,
    )
    log.info("summary: %s", summary)
