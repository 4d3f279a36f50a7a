"""Snakemake entry point: batched Langevin simulation of one trained CG potential."""

import numpy as np
import torch

from cgexplain.cg.priors import ChainPrior, load_prior
from cgexplain.io import evenly_spaced, load_trajectory
from cgexplain.md.cg_simulation import run_cg_simulation
from cgexplain.potentials.batched import BatchedPotential
from cgexplain.potentials.loading import load_model, load_spec
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    settings = snakemake.params.settings  # cgexplain.settings.simulation.SimulateCG
    device = "cuda" if torch.cuda.is_available() else "cpu"
    spec, _ = load_spec(snakemake.input.model)
    model = load_model(snakemake.input.model, device=device)
    reference = load_trajectory(snakemake.input.start)
    starts = evenly_spaced(reference.n_frames, settings.n_replicas, repeat=True)
    log.info(
        "%d replicas from reference frames %s on %s", settings.n_replicas, starts.tolist(), device
    )
    prior = None
    if snakemake.input.prior:  # delta learning: energy = prior + network
        prior = ChainPrior(load_prior(snakemake.input.prior))
        log.info("adding the prior of %s", snakemake.input.prior)
    potential = BatchedPotential(
        model,
        reference.atomic_numbers,
        reference.box[0],
        spec.cutoff,
        device,
        prior=prior,
        skin=settings.neighbor_skin,
    )
    run_cg_simulation(
        potential,
        reference.positions[starts],
        np.full(reference.n_sites, settings.bead_mass),
        settings.run,
        snakemake.output.trajectory,
        label=f"{snakemake.wildcards.system}/{snakemake.wildcards.model}",
        device=device,
    )
