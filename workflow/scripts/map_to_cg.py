"""Snakemake entry point: map an all-atom trajectory to CG beads and write the datasets."""

from cgexplain.cg.datasets import write_schnetpack_dataset
from cgexplain.cg.mapping import heavy_atom_map, map_trajectory
from cgexplain.io import load_trajectory, save_trajectory
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    atomistic = load_trajectory(snakemake.input.trajectory)
    cg_map = heavy_atom_map(atomistic.molecule_index, atomistic.atomic_numbers)
    log.info("%d atoms -> %d beads, %d frames", cg_map.n_atoms, cg_map.n_beads, atomistic.n_frames)
    cg = map_trajectory(atomistic, cg_map)
    save_trajectory(snakemake.output.trajectory, cg)
    write_schnetpack_dataset(snakemake.output.dataset, cg)
    log.info("wrote %s and %s", snakemake.output.trajectory, snakemake.output.dataset)
