"""Snakemake entry point: fit the Cα prior and write the delta-learning dataset."""

import torch

from cgexplain.cg.datasets import write_schnetpack_dataset
from cgexplain.cg.priors import ChainPrior, fit_prior, prior_forces, save_prior
from cgexplain.cg.splits import load_split
from cgexplain.io import atomic_output, load_trajectory
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.training.FitPrior
    spec = settings.prior
    cg = load_trajectory(snakemake.input.trajectory)
    # fitted on the training frames only: validation frames stay unseen by prior and network
    train_idx, val_idx = load_split(snakemake.input.split, cg.n_frames)
    log.info(
        "fitting the prior to %d training frames of %d beads (%d validation frames held out): %s",
        len(train_idx),
        cg.n_sites,
        len(val_idx),
        spec,
    )
    params = fit_prior(
        cg.positions[train_idx],
        cg.atomic_numbers,
        settings.temperature,
        n_fourier=spec.n_fourier,
        repulsion_k=spec.repulsion_k,
        min_separation=spec.min_separation,
        max_sigma=spec.max_sigma,
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
