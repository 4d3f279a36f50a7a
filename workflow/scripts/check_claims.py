"""Snakemake entry point: the study's claims tested on this run (claims.csv)."""

import json

import pandas as pd

from cgexplain.analysis import claims as cl
from cgexplain.analysis import protein_claims as pc
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
    rdfs = {
        system: pd.read_csv(path)
        for system, path in zip(p["liquids"], snakemake.input.rdfs, strict=True)
    }
    metrics = pd.read_csv(snakemake.input.metrics)
    rows = cl.structure_claims(
        settings,
        metrics,
        {s: [m for s2, m in p["liquid_runs"] if s2 == s] for s in p["liquids"]},
        {s: [tuple(run) for run in runs] for s, runs in p["cutoff_series"].items()},
        p["imc_skipped"],
    )
    rows += cl.relevance_claims(
        settings,
        pd.read_csv(snakemake.input.agreement),
        replicates,
        rdfs,
        confidence,
        p["min_count"],
    )
    cutoffs = {tuple(run): cut for run, cut in zip(p["liquid_runs"], p["cutoffs"], strict=True)}
    rows += cl.profile_claims(settings, replicates, cutoffs, confidence, p["min_count"])
    liquid = zip(
        p["liquid_runs"],
        p["liquid_bootstrap"],
        snakemake.input.liquid_pairs,
        snakemake.input.liquid_triplets,
        snakemake.input.classic,
        strict=True,
    )
    for (system, model), boot, pairs, triplets, classic in liquid:
        triplet_table = pd.read_parquet(triplets)
        common = (boot["n_resamples"], boot["seed"], confidence)
        rows += cl.rare_edge_claims(
            settings,
            system,
            model,
            pd.read_parquet(pairs),
            triplet_table,
            *common,
            boot["block_length"],
        )
        rows += cl.classic_noise_claims(
            settings,
            system,
            model,
            pd.read_csv(classic),
            triplet_table,
            boot["classic_frames"],
            *common,
            p["min_count"],
        )
        log.info("%s %s: rare-edge and classic claims done", system, model)
    mutation_files = iter(snakemake.input.mutations)
    for run, pairs, states, elements, structure, fes_ref, fes_cg in zip(
        p["protein_runs"],
        snakemake.input.pairs,
        snakemake.input.states,
        snakemake.input.elements,
        snakemake.input.structures,
        snakemake.input.reference_frames,
        snakemake.input.model_frames,
        strict=True,
    ):
        differences = {m: pd.read_csv(next(mutation_files)) for m in run["mutations"]}
        measured = pc.measure_protein_claims(
            settings,
            pd.read_parquet(pairs),
            pd.read_csv(states, keep_default_na=False),
            elements,
            structure,
            differences,
            pd.read_csv(fes_ref, keep_default_na=False),
            pd.read_csv(fes_cg, keep_default_na=False),
            run,
            confidence,
        )
        label = f"{run['system']} {run['model']}"
        rows += cl.protein_claims(settings, label, measured)
    table = pd.DataFrame(rows, columns=list(cl.CLAIM_COLUMNS))
    with atomic_output(snakemake.output[0]) as tmp:
        table.to_csv(tmp, index=False)
    log.info("claims:\n%s", table.drop(columns=["study_words"]).to_string(index=False))
    log.info("settings: %s", json.dumps(p, default=str))
    log.info("verdicts: %s", table["verdict"].str.split(" \\(").str[0].value_counts().to_dict())
