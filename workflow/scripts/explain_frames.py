"""Snakemake entry point: GNN-LRP 2-/3-body contributions of one shard of frames."""

import os

import torch
from tqdm import tqdm

from cgexplain.analysis.relevance import normalize_contributions
from cgexplain.cg.training import load_model
from cgexplain.config import parse_scatteritem
from cgexplain.io import atomic_output, load_trajectory
from cgexplain.lrp.trajectory import explain_frames, frame_atoms, select_frames
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    p = dict(snakemake.params.settings)
    shard, n_shards = parse_scatteritem(snakemake.wildcards.scatteritem)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = load_model(snakemake.input.model, device=device)
    trajectory = load_trajectory(snakemake.input.trajectory)
    chosen = select_frames(trajectory.n_frames, p["n_frames"])[shard - 1 :: n_shards]
    log.info("shard %d/%d: frames %s on %s", shard, n_shards, chosen.tolist(), device)
    log.info("GLIBC_TUNABLES=%s", os.environ.get("GLIBC_TUNABLES", ""))
    frames = (
        (
            int(i),
            frame_atoms(trajectory.positions[i], trajectory.box[i], trajectory.atomic_numbers),
        )
        for i in chosen
    )
    pairs, triplets, table = explain_frames(
        model,
        tqdm(frames, total=len(chosen), desc="GNN-LRP", unit="frame", mininterval=10),
        rule=p["rule"],
        gamma=p["gamma"],
        chunk_size=p["chunk_size"],
    )
    for data, path in (
        (normalize_contributions(pairs, table), snakemake.output.pairs),
        (normalize_contributions(triplets, table), snakemake.output.triplets),
    ):
        with atomic_output(path) as tmp:
            data.to_parquet(tmp, index=False)
    with atomic_output(snakemake.output.frames) as tmp:
        table.assign(
            source=snakemake.wildcards.source, **{"rule": p["rule"], "gamma": p["gamma"]}
        ).to_csv(tmp, index=False)
