"""Snakemake entry point: Fig. 6, the folded state's strongest interactions, and a PyMOL script."""

import json

import numpy as np
import pandas as pd

from cgexplain.plots.protein import plot_fig6, write_pymol_script
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    info = json.loads(open(snakemake.input.elements).read())
    top = pd.read_csv(snakemake.input.top)
    top["beads"] = [tuple(int(b) for b in str(s).split("-")) for s in top["beads"]]
    log.info("%d interactions", len(top))
    elements = {k: tuple(v) for k, v in info["elements"].items()}
    plot_fig6(
        np.asarray(info["native_positions"]),
        info["sequence"],
        top,
        [snakemake.output.png, snakemake.output.pdf],
        elements=elements,
    )
    write_pymol_script(
        top, snakemake.input.structure, info["residue_numbers"], snakemake.output.pml
    )
