"""Snakemake entry point: force-matching diagnostics of one trained potential."""

import numpy as np
import pandas as pd
import torch

from cgexplain.cg.diagnostics import predict_forces, split_scores
from cgexplain.cg.priors import ChainPrior, load_prior
from cgexplain.cg.splits import load_split
from cgexplain.io import atomic_output, load_trajectory
from cgexplain.potentials.loading import load_model, load_spec
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    spec, train_spec = load_spec(snakemake.input.model)
    model = load_model(snakemake.input.model)
    cg = load_trajectory(snakemake.input.trajectory)
    train_idx, val_idx = load_split(snakemake.input.split, cg.n_frames)
    prior = ChainPrior(load_prior(snakemake.input.prior)) if snakemake.input.prior else None
    log.info(
        "%s/%s: %d training and %d validation frames, prior: %s",
        snakemake.wildcards.system,
        snakemake.wildcards.model,
        len(train_idx),
        len(val_idx),
        snakemake.input.prior or "none",
    )
    frames = np.concatenate([train_idx, val_idx])
    total, prior_forces = predict_forces(model, cg, frames, spec.cutoff, prior)
    mapped = cg.forces[frames].astype(np.float64)
    n_train = len(train_idx)
    sets = {"train": np.arange(n_train), "val": np.arange(n_train, len(frames))}
    row = {
        "system": snakemake.wildcards.system,
        "model": snakemake.wildcards.model,
        "force_map": cg.metadata.get("mapping", "unknown"),
        "val_split": train_spec.val_split,
        "val_block": train_spec.val_block,
        **split_scores(mapped, total, prior_forces, sets),
    }
    for key, value in row.items():
        log.info("%s: %s", key, f"{value:.4g}" if isinstance(value, float) else value)
    with atomic_output(snakemake.output.table) as tmp:
        pd.DataFrame([row]).to_csv(tmp, index=False, float_format="%.6g")
