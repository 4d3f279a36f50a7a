"""Snakemake entry point: GNN-LRP 2-/3-body contributions of one shard of frames."""

import os

import torch

from cgexplain.config import parse_scatteritem
from cgexplain.io import load_trajectory
from cgexplain.lrp.rules import parse_rule
from cgexplain.lrp.trajectory import array_frames, explain_trajectory, explained_frames_of_shard
from cgexplain.potentials.loading import load_model
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    settings = snakemake.params.settings  # cgexplain.settings.relevance.ExplainFrames
    rule = parse_rule(settings.rule.name, gamma=settings.rule.gamma)
    shard, n_shards = parse_scatteritem(snakemake.wildcards.scatteritem)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = load_model(snakemake.input.model, device=device)
    trajectory = load_trajectory(snakemake.input.trajectory)
    chosen = explained_frames_of_shard(trajectory.n_frames, settings.n_frames, shard, n_shards)
    log.info("shard %d/%d: frames %s on %s, %r", shard, n_shards, chosen.tolist(), device, rule)
    log.info("GLIBC_TUNABLES=%s", os.environ.get("GLIBC_TUNABLES", ""))
    explain_trajectory(
        model,
        array_frames(trajectory.positions, trajectory.box, trajectory.atomic_numbers, chosen),
        rule,
        snakemake.output.pairs,
        snakemake.output.triplets,
        snakemake.output.frames,
        n_frames=len(chosen),
        labels={
            "source": snakemake.wildcards.source,
            "rule": settings.rule.name,
            "gamma": settings.rule.gamma,
        },
        chunk_size=settings.chunk_size,
        progress_interval=10,
    )
