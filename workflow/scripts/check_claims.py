"""Snakemake entry point: the study's claims tested on this run (claims.csv)."""

import pandas as pd

from cgexplain.analysis import claims as cl
from cgexplain.analysis import protein_claims as pc
from cgexplain.analysis.uncertainty import load_replicates
from cgexplain.io import atomic_output, read_table
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.relevance.CheckClaims
    claims, confidence = settings.claims, settings.confidence
    liquid_runs = [(run.system, run.model) for run in settings.liquid_runs]
    replicates = {
        run: load_replicates(path)
        for run, path in zip(liquid_runs, snakemake.input.replicates, strict=True)
    }
    rdfs = {
        system: pd.read_csv(path)
        for system, path in zip(settings.liquids, snakemake.input.rdfs, strict=True)
    }
    metrics = pd.read_csv(snakemake.input.metrics)
    rows = cl.structure_claims(
        claims,
        metrics,
        {s: [m for s2, m in liquid_runs if s2 == s] for s in settings.liquids},
        {s: list(runs) for s, runs in settings.cutoff_series},
        settings.imc_skipped,
    )
    rows += cl.relevance_claims(
        claims,
        pd.read_csv(snakemake.input.agreement),
        replicates,
        rdfs,
        confidence,
        settings.min_count,
    )
    cutoffs = {(run.system, run.model): run.cutoff for run in settings.liquid_runs}
    rows += cl.profile_claims(claims, replicates, cutoffs, confidence, settings.min_count)
    liquid = zip(
        settings.liquid_runs,
        snakemake.input.liquid_pairs,
        snakemake.input.liquid_triplets,
        snakemake.input.classic,
        strict=True,
    )
    for run, pairs, triplets, classic in liquid:
        system, model = run.system, run.model
        triplet_table = read_table(triplets)
        common = (run.n_resamples, run.seed, confidence)
        rows += cl.rare_edge_claims(
            claims,
            system,
            model,
            pd.read_parquet(pairs),
            triplet_table,
            *common,
            run.block_length,
        )
        rows += cl.classic_noise_claims(
            claims,
            system,
            model,
            pd.read_csv(classic),
            triplet_table,
            run.classic_frames,
            *common,
            settings.min_count,
        )
        log.info("%s %s: rare-edge and classic claims done", system, model)
    mutation_files = iter(snakemake.input.mutations)
    for run, pairs, states, elements, structure, fes_ref, fes_cg in zip(
        settings.protein_runs,
        snakemake.input.pairs,
        snakemake.input.states,
        snakemake.input.elements,
        snakemake.input.structures,
        snakemake.input.reference_frames,
        snakemake.input.model_frames,
        strict=True,
    ):
        differences = {m: pd.read_csv(next(mutation_files)) for m in run.mutations}
        measured = pc.measure_protein_claims(
            claims,
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
        label = f"{run.system} {run.model}"
        rows += cl.protein_claims(claims, label, measured)
    table = pd.DataFrame(rows, columns=list(cl.CLAIM_COLUMNS))
    with atomic_output(snakemake.output[0]) as tmp:
        table.to_csv(tmp, index=False)
    log.info("claims:\n%s", table.drop(columns=["study_words"]).to_string(index=False))
    log.info("settings: %s", settings)
    log.info("verdicts: %s", table["verdict"].str.split(" \\(").str[0].value_counts().to_dict())
