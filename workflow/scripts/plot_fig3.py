"""Snakemake entry point: Fig. 3, mean 3-body relevance over (largest angle, opposite edge),
beside the first-shell vertex-angle map and profile (the study's second angle view)."""

import json
from pathlib import Path

import pandas as pd

from cgexplain.plots.relevance import plot_fig3
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]):
    settings = snakemake.params.settings  # cgexplain.settings.figures.IntervalFigure
    w = snakemake.wildcards
    summary = json.loads(Path(snakemake.input.summary).read_text())
    plot_fig3(
        pd.read_csv(snakemake.input.map),
        f"{w.system}, {w.model}",
        [snakemake.output.png, snakemake.output.pdf],
        min_count=settings.min_count,
        vertex_map=pd.read_csv(snakemake.input.vertex_map),
        vertex_profile=pd.read_csv(snakemake.input.vertex_profile),
        shell_cutoff=summary.get("shell_cutoff"),
        confidence=settings.confidence,
    )
