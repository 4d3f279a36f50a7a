"""Snakemake entry point: n-body spectrum of one relevance run, with bootstrap intervals."""

import pandas as pd

from cgexplain.analysis.spectrum import nbody_spectrum, spectrum_summary
from cgexplain.io import atomic_output, read_table
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.relevance.NbodySpectrum
    boot = settings.bootstrap
    spectrum = nbody_spectrum(
        pd.read_csv(snakemake.input.frames),
        pd.read_parquet(snakemake.input.pairs),
        read_table(snakemake.input.triplets),
    )
    summary = spectrum_summary(
        spectrum,
        n_resamples=boot.n_resamples,
        seed=settings.seed,
        confidence=boot.confidence,
        block_length=boot.block_length,
    ).assign(seed=settings.seed)
    for table, path in (
        (spectrum, snakemake.output.spectrum),
        (summary, snakemake.output.summary),
    ):
        with atomic_output(path) as tmp:
            table.to_csv(tmp, index=False)
    log.info(
        "n-body spectrum (%d frames, settings %s):\n%s",
        len(spectrum),
        settings,
        summary.to_string(index=False),
    )
