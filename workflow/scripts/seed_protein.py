"""Snakemake entry point: the seed of one folding state, from the heating ramp or, when no
ramp frame is in the state, from a run biased into it (Cα-only walls)."""

from dataclasses import replace

import numpy as np
import pandas as pd

from cgexplain.io import atomic_output
from cgexplain.md.protein import build_protein_system
from cgexplain.md.sampling import make_seed, native_state_contacts, pick_seed, write_seed
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.protein.SeedProtein
    state = snakemake.wildcards.state
    states = settings.states
    contacts, _ = native_state_contacts(snakemake.input.structure, states.native_cutoff)
    thresholds = {"tolerance": states.tolerance, "formed": states.formed, "broken": states.broken}
    ramp = pd.read_csv(snakemake.input.table, keep_default_na=False)
    frame, in_state = pick_seed(ramp, state)
    with np.load(snakemake.input.frames) as data:
        start = data["positions"][frame].astype(np.float64)
    row = ramp.iloc[frame]
    log.info(
        "state %s: ramp frame %d (%.0f K, b1b2 %.2f, b1b3 %.2f, helix %.2f) is %s",
        state, frame, row["temperature"], row["b1b2"], row["b1b3"], row["helix"],
        "in the state" if in_state else f"in {row['state'] or 'no state'!r}",
    )  # fmt: skip
    if in_state:
        seed, trace, origin = start, ramp.iloc[[frame]], "ramp"
    else:
        ref = build_protein_system(snakemake.input.structure, **settings.system._asdict())
        bias = replace(settings.bias, threads=snakemake.threads)
        log.info("no ramp frame is in %s: biased run %s", state, bias)
        seed, trace, reached = make_seed(ref, start, state, contacts, bias, **thresholds)
        origin = "bias"
        in_state = reached
        log.info(
            "biased run: %d frames, %s; last b1b2 %.2f, b1b3 %.2f, helix %.2f",
            len(trace), "reached" if reached else "NOT reached",
            *trace[["b1b2", "b1b3", "helix"]].iloc[-1],
        )  # fmt: skip
    write_seed(snakemake.output.seed, seed, state, origin, bool(in_state), trace, frame)
    with atomic_output(snakemake.output.trace) as tmp:
        trace.assign(origin=origin).to_csv(tmp, index=False)
