"""Snakemake entry point: fit the Cα prior and write the delta-learning dataset."""

import torch

from cgexplain.cg.datasets import write_schnetpack_dataset
from cgexplain.cg.priors import ChainPrior, fit_prior, prior_forces, save_prior
from cgexplain.io import atomic_output, load_trajectory
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    p = dict(snakemake.params.prior)
    cg = load_trajectory(snakemake.input.trajectory)
    log.info("fitting the prior to %d frames of %d beads: %s", cg.n_frames, cg.n_sites, p)
    params = fit_prior(
        cg.positions,
        cg.atomic_numbers,
        snakemake.params.temperature,
        n_fourier=p["n_fourier"],
        repulsion_k=p["repulsion_k"],
        min_separation=p["min_separation"],
        max_sigma=p["max_sigma"],
    )
    save_prior(snakemake.output.parameters, params)
    with atomic_output(snakemake.output.table) as tmp:
        params.table(cg.atomic_numbers).to_csv(tmp, index=False)
    prior = ChainPrior(params)
    delta = prior_forces(prior, cg.positions)
    mapped_rms = float((cg.forces**2).mean() ** 0.5)
    cg.forces = cg.forces - delta
    log.info(
        "force RMS: mapped %.3f, prior %.3f, mapped - prior %.3f kcal/mol/Å",
        mapped_rms,
        float((delta**2).mean() ** 0.5),
        float((cg.forces**2).mean() ** 0.5),
    )
    with torch.no_grad():
        energy = prior(torch.as_tensor(cg.positions[:1]))
    log.info("prior energy of frame 0: %.2f kcal/mol", float(energy[0]))
    write_schnetpack_dataset(snakemake.output.dataset, cg)
