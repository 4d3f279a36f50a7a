"""Snakemake entry point: join the reference shards of one system into one trajectory."""

from cgexplain.io import concatenate_trajectories
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    shards = list(snakemake.input)
    log.info("gathering %d shard(s): %s", len(shards), shards)
    concatenate_trajectories(shards, snakemake.output.trajectory)
