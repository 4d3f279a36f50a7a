"""Snakemake entry point: Cα CG trajectory of the protein (built-in MD or external data)."""

import numpy as np
import pandas as pd

from cgexplain.cg.datasets import load_external_calpha
from cgexplain.cg.force_maps import force_map_choice, hydrogen_constraints, residue_groups
from cgexplain.cg.mapping import load_calpha_map, map_trajectory
from cgexplain.io import atomic_output, load_trajectory, save_trajectory
from cgexplain.md.protein import topology_arrays
from cgexplain.runlog import run_logging

settings = snakemake.params.settings  # cgexplain.settings.reference.ForceMap
with run_logging(snakemake.log[0]) as log:
    if "external" in snakemake.input.keys():
        cg = load_external_calpha(snakemake.input.external)
        log.info("external Cα data %s: %d frames", snakemake.input.external, cg.n_frames)
        # no all-atom forces: the external forces are what they are
        rows = [
            {
                "map": "external",
                "mean_sq_force": float(np.mean(cg.forces**2)),
                "n_frames": cg.n_frames,
                "chosen": True,
            }
        ]
    else:
        basic = load_calpha_map(snakemake.input.structure)
        top = topology_arrays(snakemake.input.structure)
        atomistic = load_trajectory(snakemake.input.trajectory)
        log.info(
            "%d atoms -> %d Cα beads, %d frames",
            basic.n_atoms,
            basic.n_beads,
            atomistic.n_frames,
        )
        groups, group_residue = residue_groups(
            basic.n_atoms,
            hydrogen_constraints(top["bonds"], top["atomic_numbers"]),
            top["atom_residues"],
        )
        cg_map, rows = force_map_choice(
            basic,
            groups,
            group_residue,
            np.arange(basic.n_beads),
            atomistic.forces,
            kind=settings.method,
            neighbors=settings.neighbors,
            ridge=settings.ridge,
            block=settings.fit_block,
        )
        for row in rows:
            log.info(
                "%s map: mean squared force %.1f kcal²/mol²/Å² (held out %.1f)",
                row["map"],
                row["mean_sq_force"],
                row["mean_sq_force_heldout"],
            )
        log.info("training data: %s", cg_map.name)
        cg = map_trajectory(atomistic, cg_map)
        cg.metadata["residue_numbers"] = top["residue_numbers"].tolist()
    with atomic_output(snakemake.output.force_maps) as tmp:
        pd.DataFrame(rows).to_csv(tmp, index=False, float_format="%.6g")
    save_trajectory(snakemake.output.trajectory, cg)
    log.info("wrote %s and %s", snakemake.output.trajectory, snakemake.output.force_maps)
