"""Snakemake entry point: LAMMPS Langevin run of a liquid with its IMC pair potential."""

import numpy as np
import pandas as pd

from cgexplain.cg.imc import simulate_table
from cgexplain.io import Trajectory, load_trajectory, save_trajectory
from cgexplain.runlog import run_logging
from cgexplain.units import PS_PER_FS

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.imc.IMCJob
    mapped = load_trajectory(snakemake.input.start, frames=slice(-1, None))
    dump = simulate_table(
        pd.read_csv(snakemake.input.potential),
        settings.imc,
        mapped.positions[0],
        mapped.box[0],
        settings.bead_mass,
        snakemake.params.work_dir,
        threads=snakemake.threads,
    )
    n_frames, n = dump.positions.shape[:2]
    traj = Trajectory(
        positions=dump.positions,
        forces=dump.forces,
        box=dump.box,
        time=dump.steps * settings.imc.timestep * PS_PER_FS,
        potential_energy=np.full(n_frames, np.nan),
        atomic_numbers=mapped.atomic_numbers,
        masses=np.full(n, settings.bead_mass),
        molecule_index=np.arange(n),
        names=list(mapped.names),
        metadata={
            "model": "imc",
            "engine": "lammps",
            "system": snakemake.wildcards.system,
            "potential": snakemake.input.potential,
            "settings": settings.provenance(),
        },
    )
    save_trajectory(snakemake.output.trajectory, traj)
    log.info("%d frames of %d beads written to %s", n_frames, n, snakemake.output.trajectory)
