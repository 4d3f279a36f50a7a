"""Snakemake entry point: map an all-atom trajectory to CG beads and write the datasets."""

import numpy as np
import pandas as pd

from cgexplain.cg.datasets import write_schnetpack_dataset
from cgexplain.cg.force_maps import force_map_choice
from cgexplain.cg.mapping import heavy_atom_map, map_trajectory
from cgexplain.io import atomic_output, load_trajectory, save_trajectory
from cgexplain.runlog import run_logging

settings = snakemake.params.settings  # cgexplain.settings.reference.ForceMap
with run_logging(snakemake.log[0]) as log:
    atomistic = load_trajectory(snakemake.input.trajectory)
    basic = heavy_atom_map(atomistic.molecule_index, atomistic.atomic_numbers)
    log.info("%d atoms -> %d beads, %d frames", basic.n_atoms, basic.n_beads, atomistic.n_frames)
    # each molecule is one constrained group (X-H bonds of methane, rigid water): the
    # groups are the molecules, every group is some bead's own, none is free
    molecules = np.unique(atomistic.molecule_index, return_inverse=True)[1]
    cg_map, rows = force_map_choice(
        basic,
        molecules,
        np.arange(molecules.max() + 1),
        np.arange(basic.n_beads),
        atomistic.forces,
        kind=settings.method,
        neighbors=0,
        ridge=settings.ridge,
        block=settings.fit_block,
    )
    for row in rows:
        log.info("%s map: mean squared force %.2f kcal²/mol²/Å²", row["map"], row["mean_sq_force"])
    cg = map_trajectory(atomistic, cg_map)
    with atomic_output(snakemake.output.force_maps) as tmp:
        pd.DataFrame(rows).to_csv(tmp, index=False, float_format="%.6g")
    save_trajectory(snakemake.output.trajectory, cg)
    write_schnetpack_dataset(snakemake.output.dataset, cg)
    log.info("wrote %s and %s", snakemake.output.trajectory, snakemake.output.dataset)
