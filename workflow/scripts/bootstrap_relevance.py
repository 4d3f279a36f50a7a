"""Snakemake entry point: block-bootstrap intervals of one relevance run.

A liquid (reference RDF given, or ``structure.shell_cutoff`` set) also gets the interval
of its first-shell vertex-angle profile and the vertex-angle and short-edge numbers
(:func:`cgexplain.analysis.uncertainty.bootstrap_run`); a protein an empty profile table.
"""

import pandas as pd

from cgexplain.analysis.uncertainty import bootstrap_run, save_replicates
from cgexplain.analysis.vertex_angles import shell_cutoff
from cgexplain.io import atomic_output, read_table
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.relevance.BootstrapRelevance
    grid, boot = settings.grids, settings.bootstrap
    rdf_path = snakemake.input.get("rdf")  # [] for a protein
    configured = settings.shell_cutoff
    r_shell = None
    if configured is not None or rdf_path:
        r_shell = shell_cutoff(pd.read_csv(rdf_path) if rdf_path else None, configured)
    rep = bootstrap_run(
        pd.read_parquet(snakemake.input.pairs),
        read_table(snakemake.input.triplets),
        pd.read_csv(snakemake.input.frames),
        r_max=grid.r_max,
        pair_bins=grid.pair_bins,
        edge_max=grid.edge_max,
        angle_bins=grid.angle_bins,
        edge_bins=grid.edge_bins,
        min_count=settings.min_count,
        n_resamples=boot.n_resamples,
        seed=settings.seed,
        block_length=boot.block_length,
        shell_cutoff=r_shell,
    )
    tables = {
        "profile": rep.profile_table(boot.confidence),
        "map": rep.map_table(boot.confidence),
        "numbers": rep.numbers_table(boot.confidence).assign(seed=settings.seed),
        "vertex_profile": rep.vertex_profile_table(boot.confidence),
    }
    for name, table in tables.items():
        with atomic_output(snakemake.output[name]) as tmp:
            table.to_csv(tmp, index=False)
    with atomic_output(snakemake.output.replicates) as tmp:
        save_replicates(tmp, rep)
    log.info(
        "%d frames in blocks of %d, %d resamples, seed %d:\n%s",
        rep.n_frames, rep.block_length, boot.n_resamples, settings.seed,
        tables["numbers"].to_string(index=False),
    )  # fmt: skip
