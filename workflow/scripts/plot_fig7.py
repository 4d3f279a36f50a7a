"""Snakemake entry point: Fig. 7, relevance changes of point mutations, and a PyMOL script."""

import numpy as np
import pandas as pd

from cgexplain import columns as col
from cgexplain.analysis.protein_maps import (
    mask_chain_neighbours,
    table_matrices,
    top_changed_contacts,
)
from cgexplain.analysis.states import StateElements
from cgexplain.plots.protein import plot_fig7, write_pymol_script
from cgexplain.residues import parse_mutation
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.figures.Fig7
    info = StateElements.read(snakemake.input.elements)
    n_beads = len(info.residue_names)
    differences, mutated, contacts = {}, {}, []
    for mutation, path in zip(settings.mutations, snakemake.input.differences, strict=True):
        index, _ = parse_mutation(mutation, info.residue_names, settings.first_residue)
        matrices = table_matrices(pd.read_csv(path), n_beads, name=col.KIND)
        if "difference" not in matrices:
            log.warning("%s: no folded frames were explained; drawn as zero", mutation)
        differences[mutation] = mask_chain_neighbours(
            matrices.get("difference", np.zeros((n_beads, n_beads))),
            settings.min_separation,
        )
        mutated[mutation] = index
        contacts.append(top_changed_contacts(differences[mutation], index, settings.n_top))
    plot_fig7(
        differences,
        mutated,
        info.sequence,
        info.elements,
        info.native_positions,
        [snakemake.output.png, snakemake.output.pdf],
        n_top=settings.n_top,
    )
    write_pymol_script(
        pd.concat(contacts, ignore_index=True),
        snakemake.input.structure,
        info.residue_numbers,
        snakemake.output.pml,
        object_name=snakemake.wildcards.system,
        chain=settings.chain,
    )
