"""Snakemake entry point: n-body spectrum of one relevance run, with bootstrap intervals."""

import pandas as pd

from cgexplain.analysis.spectrum import nbody_spectrum, spectrum_summary
from cgexplain.io import atomic_output
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    p = dict(snakemake.params.settings)
    spectrum = nbody_spectrum(
        pd.read_csv(snakemake.input.frames),
        pd.read_parquet(snakemake.input.pairs),
        pd.read_parquet(snakemake.input.triplets),
    )
    summary = spectrum_summary(
        spectrum,
        n_resamples=p["n_resamples"],
        seed=p["seed"],
        confidence=p["confidence"],
        block_length=p["block_length"],
    ).assign(seed=p["seed"])
    for table, path in (
        (spectrum, snakemake.output.spectrum),
        (summary, snakemake.output.summary),
    ):
        with atomic_output(path) as tmp:
            table.to_csv(tmp, index=False)
    log.info(
        "n-body spectrum (%d frames, settings %s):\n%s",
        len(spectrum),
        p,
        summary.to_string(index=False),
    )
