"""Snakemake entry point: agreement of the architectures' relevance (results/relevance/agreement.csv)."""

import json

import pandas as pd

from cgexplain.analysis.relevance import agreement_table
from cgexplain.analysis.spectrum import spectrum_agreement_rows
from cgexplain.analysis.uncertainty import agreement_intervals, load_replicates
from cgexplain.io import atomic_output
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.relevance.ComputeAgreement
    runs = {}
    for (system, model), profile, tmap, summary in zip(
        settings.runs,
        snakemake.input.profiles,
        snakemake.input.maps,
        snakemake.input.summaries,
        strict=True,
    ):
        runs[system, model] = (
            pd.read_csv(profile),
            pd.read_csv(tmap),
            json.loads(open(summary).read()),
        )
    rdfs = {
        system: pd.read_csv(path)
        for system, path in zip(settings.systems, snakemake.input.rdfs, strict=True)
    }
    potentials = {
        system: pd.read_csv(path)
        for system, path in zip(settings.imc_systems, snakemake.input.potentials, strict=True)
    }
    table = agreement_table(runs, rdfs, min_count=settings.min_count, pair_potentials=potentials)
    spectra = {
        tuple(run): pd.read_csv(path)
        for run, path in zip(settings.runs, snakemake.input.spectra, strict=True)
    }
    replicates = {
        tuple(run): load_replicates(path)
        for run, path in zip(settings.runs, snakemake.input.replicates, strict=True)
    }
    # block-bootstrap intervals (rows without replicates, e.g. the RDF peak, keep NaN)
    table = agreement_intervals(table, replicates, settings.min_count, settings.confidence)
    table = pd.concat([table, spectrum_agreement_rows(spectra)], ignore_index=True)
    with atomic_output(snakemake.output[0]) as tmp:
        table.to_csv(tmp, index=False)
    log.info("agreement:\n%s", table.to_string(index=False))
