"""Snakemake entry point: Fig. 6, the folded state's strongest interactions, and a PyMOL script."""

import pandas as pd

from cgexplain import columns as col
from cgexplain.analysis.states import StateElements
from cgexplain.plots.protein import plot_fig6, write_pymol_script
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.figures.Fig6
    info = StateElements.read(snakemake.input.elements)
    top = pd.read_csv(snakemake.input.top)
    top[col.BEADS] = [tuple(int(b) for b in str(s).split("-")) for s in top[col.BEADS]]
    log.info("%d interactions", len(top))
    plot_fig6(
        info.native_positions,
        info.sequence,
        top,
        [snakemake.output.png, snakemake.output.pdf],
        elements=info.elements,
    )
    write_pymol_script(
        top,
        snakemake.input.structure,
        info.residue_numbers,
        snakemake.output.pml,
        object_name=snakemake.wildcards.system,
        chain=settings.chain,
    )
