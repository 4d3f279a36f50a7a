"""Snakemake entry point: Fig. 4, free-energy surfaces over TIC 1 and TIC 2, with the
reference's production frames and seeds on the reference surface."""

import pandas as pd

from cgexplain.io import load_trajectory
from cgexplain.plots.protein import plot_fig4
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    surfaces = {
        label: pd.read_csv(path)
        for label, path in zip(snakemake.params.labels, snakemake.input.surfaces, strict=True)
    }
    frames = pd.read_csv(snakemake.input.frames, keep_default_na=False)
    meta = load_trajectory(snakemake.input.reference, frames=slice(0, 1)).metadata
    runs = meta.get("source", {}).get("shards", [])
    seeds = {k: run.get("seed_state", "") for k, run in enumerate(runs)}
    frames["seed_state"] = frames["run"].map(seeds).fillna("")
    log.info(
        "reference frames by seed state and state:\n%s",
        frames.groupby(["seed_state", "state"]).size().to_string(),
    )
    plot_fig4(surfaces, [snakemake.output.png, snakemake.output.pdf], sampling=frames)
