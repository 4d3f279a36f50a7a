"""Snakemake entry point: heating ramp of the protein, with the contact fractions of its
secondary-structure elements frame by frame (the order in which they melt)."""

from dataclasses import replace

import numpy as np

from cgexplain.io import atomic_output
from cgexplain.md.protein import build_protein_system
from cgexplain.md.sampling import melting_order, native_state_contacts, run_ramp
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.protein.RampProtein
    states = settings.states
    log.info("ramp %s, thresholds %s, seed %d", settings.ramp, states, settings.ramp.seed)
    contacts, elements = native_state_contacts(snakemake.input.structure, states.native_cutoff)
    log.info("elements %s; contacts %s", elements, {k: len(v[0]) for k, v in contacts.items()})
    ref = build_protein_system(snakemake.input.structure, **settings.system._asdict())
    ramp = replace(settings.ramp, threads=snakemake.threads)
    frames, table = run_ramp(
        ref,
        ramp,
        contacts,
        tolerance=states.tolerance,
        formed=states.formed,
        broken=states.broken,
    )
    order = melting_order(table, states.broken)
    log.info("states visited on the ramp: %s", table["state"].value_counts().to_dict())
    log.info("melting order:\n%s", order.to_string(index=False))
    with atomic_output(snakemake.output.frames) as tmp:
        with open(tmp, "wb") as handle:
            np.savez(handle, positions=frames, temperature=table["temperature"].to_numpy())
    with atomic_output(snakemake.output.table) as tmp:
        table.to_csv(tmp, index=False)
    with atomic_output(snakemake.output.melting) as tmp:
        order.to_csv(tmp, index=False)
