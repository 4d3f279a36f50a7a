"""Snakemake entry point: Fig. 4, free-energy surfaces over TIC 1 and TIC 2, with the
reference's production frames and seeds on the reference surface and the named basins
marked on every surface."""

import pandas as pd

from cgexplain.io import load_trajectory
from cgexplain.plots.protein import plot_fig4
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.figures.Fig4
    frames = pd.read_csv(snakemake.input.frames, keep_default_na=False)
    method = settings.method
    if "biased" in frames:
        biased = frames["biased"].astype(str).str.lower() == "true"
        which = (
            f"reference from its unbiased runs only ({int((~biased).sum())} of {len(frames)} "
            "frames; walled runs left out, not reweighted)"
        )
    else:  # a states table from before the biased column: every frame was pooled
        biased = pd.Series(False, index=frames.index)
        which = f"reference from all {len(frames)} frames, pooled"
    surfaces = {
        label: pd.read_csv(path)
        for label, path in zip(settings.labels, snakemake.input.surfaces, strict=True)
    }
    free = frames[~biased & (frames["state"] != "")]
    marks = {
        state: (float(part["tic1"].mean()), float(part["tic2"].mean()))
        for state, part in free.groupby("state", sort=True)
    }
    named = "TICA basins of the unbiased reference" if method == "tica" else "contact fractions"
    caption = (
        f"Surfaces: {which}; CG from every frame.\n"
        f"States: {named}; × at the mean of each state's unbiased reference frames."
    )
    log.info("%s; marks %s", caption, marks)
    meta = load_trajectory(snakemake.input.reference, frames=slice(0, 1)).metadata
    runs = meta.get("source", {}).get("shards", [])
    seeds = {k: run.get("seed_state", "") for k, run in enumerate(runs)}
    frames["seed_state"] = frames["run"].map(seeds).fillna("")
    log.info(
        "reference frames by seed state and state:\n%s",
        frames.groupby(["seed_state", "state"]).size().to_string(),
    )
    plot_fig4(
        surfaces,
        [snakemake.output.png, snakemake.output.pdf],
        sampling=frames,
        basins=marks,
        caption=caption,
    )
