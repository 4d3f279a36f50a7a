"""Snakemake entry point: the training/validation split of one system's frames."""

from cgexplain.cg.splits import run_lengths, save_split, validation_split
from cgexplain.io import load_trajectory, trajectory_length
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.training.SplitFrames
    n_frames = trajectory_length(snakemake.input.trajectory)
    # the mapped trajectory holds its runs in order; blocks never straddle two of them
    mapped = load_trajectory(snakemake.input.trajectory, frames=slice(0, 1))
    runs = run_lengths(mapped.metadata, n_frames)
    train_idx, val_idx = validation_split(
        n_frames,
        settings.val_fraction,
        settings.val_split,
        settings.val_block,
        settings.seed,
        runs,
    )
    log.info(
        "%s: %d frames in runs of %s; %s split (blocks of %d), seed %d: %d training, "
        "%d validation frames",
        snakemake.wildcards.system,
        n_frames,
        runs,
        settings.val_split,
        settings.val_block,
        settings.seed,
        len(train_idx),
        len(val_idx),
    )
    save_split(snakemake.output.split, train_idx, val_idx)
