"""Snakemake entry point: Cα CG trajectory of the protein (built-in MD or external data)."""

from cgexplain.cg.datasets import load_external_calpha
from cgexplain.cg.mapping import map_trajectory
from cgexplain.io import load_trajectory, save_trajectory
from cgexplain.md.protein import load_calpha_map, topology_arrays
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    if "external" in snakemake.input.keys():
        cg = load_external_calpha(snakemake.input.external)
        log.info("external Cα data %s: %d frames", snakemake.input.external, cg.n_frames)
    else:
        cg_map = load_calpha_map(snakemake.input.structure)
        atomistic = load_trajectory(snakemake.input.trajectory)
        log.info(
            "%d atoms -> %d Cα beads, %d frames",
            cg_map.n_atoms,
            cg_map.n_beads,
            atomistic.n_frames,
        )
        cg = map_trajectory(atomistic, cg_map)
        numbers = topology_arrays(snakemake.input.structure)["residue_numbers"]
        cg.metadata["residue_numbers"] = numbers.tolist()
    save_trajectory(snakemake.output.trajectory, cg)
    log.info("wrote %s", snakemake.output.trajectory)
