"""Snakemake entry point: per-state residue-pair relevance maps and top interactions."""

import pandas as pd

from cgexplain.analysis.claims import state_contact_relevance
from cgexplain.analysis.protein_maps import matrix_table, state_pair_maps, top_interactions
from cgexplain.analysis.states import StateElements, element_contacts
from cgexplain.io import atomic_output, read_table
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.relevance.MapStateRelevance
    pairs = pd.read_parquet(snakemake.input.pairs)
    triplets = read_table(snakemake.input.triplets)
    states = pd.read_csv(snakemake.input.states, keep_default_na=False)
    counts = pd.read_csv(snakemake.input.counts, keep_default_na=False)
    model = snakemake.wildcards.model
    source = snakemake.wildcards.source
    mine = counts[
        (counts["model"] == model) if source == "simulation" else (counts["source"] == "reference")
    ]
    used = {row.state: bool(row.used) for row in mine.itertuples()}
    maps = state_pair_maps(pairs, states, settings.n_beads, used)
    for state, matrix in maps.items():
        explained = states["frame"].isin(pairs["frame"].unique()) & (states["state"] == state)
        log.info(
            "state %s: %s (%d explained frames)",
            state,
            "mapped" if matrix is not None else "skipped (too few frames)",
            int(explained.sum()),
        )
    with atomic_output(snakemake.output.maps) as tmp:
        matrix_table(maps).to_csv(tmp, index=False)
    folded = states.loc[states["state"] == "F", "frame"]
    folded = folded[folded.isin(pairs["frame"].unique())].to_numpy()
    if folded.size:
        top = top_interactions(
            pairs,
            triplets,
            folded,
            settings.n_top,
            min_separation=settings.min_separation,
        )
    else:
        log.warning("no explained frame is folded: no top interactions")
        top = pd.DataFrame(columns=["order", "beads", "value", "rank"])
    log.info("folded-state top interactions:\n%s", top.to_string(index=False))
    with atomic_output(snakemake.output.top) as tmp:
        top.to_csv(tmp, index=False)
    # how much each element's native contacts stabilise each state, with intervals
    structure = StateElements.read(snakemake.input.elements)
    contacts = element_contacts(
        structure.native_positions, structure.elements, settings.native_cutoff
    )
    boot = settings.bootstrap
    table = state_contact_relevance(
        pairs,
        states.set_index("frame")["state"],
        contacts,
        boot.n_resamples,
        settings.seed,
        boot.confidence,
        boot.block_length,
    )
    log.info("native-contact relevance per state (seed %d):\n%s", settings.seed,
             table.to_string(index=False, float_format="%.4g"))  # fmt: skip
    with atomic_output(snakemake.output.contacts) as tmp:
        table.to_csv(tmp, index=False, float_format="%.6g")
