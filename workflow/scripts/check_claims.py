"""Snakemake entry point: the study's claims tested on this run (claims.csv)."""

import json

import pandas as pd

from cgexplain.analysis import claims as cl
from cgexplain.analysis.states import StateElements, element_contacts
from cgexplain.analysis.uncertainty import load_replicates
from cgexplain.io import atomic_output
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    p = snakemake.params.settings
    settings, confidence = p["claims"], p["confidence"]
    replicates = {
        tuple(run): load_replicates(path)
        for run, path in zip(p["liquid_runs"], snakemake.input.replicates, strict=True)
    }
    rows = cl.liquid_claims(
        settings, pd.read_csv(snakemake.input.agreement), replicates, confidence
    )
    rows += cl.angle_claims(settings, pd.read_csv(snakemake.input.metrics))
    mutation_files = iter(snakemake.input.mutations)
    for run, pairs, frames, states, elements in zip(
        p["protein_runs"],
        snakemake.input.pairs,
        snakemake.input.frames,
        snakemake.input.states,
        snakemake.input.elements,
        strict=True,
    ):
        structure = StateElements.read(elements)
        contacts = element_contacts(
            structure.native_positions, structure.elements, run["native_cutoff"]
        )
        explained = pd.read_csv(frames)["frame"].to_numpy()
        labels = pd.read_csv(states, keep_default_na=False).set_index("frame")["state"]
        folded = explained[labels.reindex(explained).to_numpy() == "F"]
        table = pd.read_parquet(pairs)
        per_frame = {
            name: cl.contact_relevance_per_frame(table, pair_list, folded)
            for name, (pair_list, _) in contacts.items()
        }
        label = f"{run['system']} {run['model']}"
        log.info("%s: %d of %d explained frames are folded", label, len(folded), len(explained))
        # block length: the configured one, else from each series' autocorrelation
        common = (run["n_resamples"], run["seed"], confidence, run["block_length"])
        found = cl.contact_claims(settings, label, per_frame, *common)
        differences = {m: pd.read_csv(next(mutation_files)) for m in run["mutations"]}
        found += cl.mutation_claims(settings, label, differences, *common)
        rows += found
    rows += cl.not_run_claims(settings, p["imc_skipped"])
    table = pd.DataFrame(rows, columns=list(cl.CLAIM_COLUMNS))
    with atomic_output(snakemake.output[0]) as tmp:
        table.to_csv(tmp, index=False)
    log.info("claims:\n%s", table.to_string(index=False))
    log.info("settings: %s", json.dumps(p, default=str))
    log.info("verdicts: %s", table["verdict"].value_counts().to_dict())
