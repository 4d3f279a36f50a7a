"""Snakemake entry point: the training/validation split of one system's frames."""

from cgexplain.cg.splits import run_lengths, save_split, validation_split
from cgexplain.io import load_trajectory, trajectory_length
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    p = dict(snakemake.params.split)
    n_frames = trajectory_length(snakemake.input.trajectory)
    # the mapped trajectory holds its runs in order; blocks never straddle two of them
    mapped = load_trajectory(snakemake.input.trajectory, frames=slice(0, 1))
    runs = run_lengths(mapped.metadata, n_frames)
    train_idx, val_idx = validation_split(
        n_frames, p["val_fraction"], p["val_split"], p["val_block"], p["seed"], runs
    )
    log.info(
        "%s: %d frames in runs of %s; %s split (blocks of %d), seed %d: %d training, "
        "%d validation frames",
        snakemake.wildcards.system,
        n_frames,
        runs,
        p["val_split"],
        p["val_block"],
        p["seed"],
        len(train_idx),
        len(val_idx),
    )
    save_split(snakemake.output.split, train_idx, val_idx)
