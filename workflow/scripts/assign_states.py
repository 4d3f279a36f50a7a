"""Snakemake entry point: folding states, TICA and free-energy surfaces of the protein."""

import numpy as np
import pandas as pd

from cgexplain import columns as col
from cgexplain.analysis.states import (
    StateElements,
    element_contacts,
    frame_states,
    secondary_structure_elements,
    state_counts,
)
from cgexplain.analysis.tica import (
    TICAProjection,
    free_energy_surface,
    pair_distance_features,
    split_runs,
    trajectory_runs,
)
from cgexplain.io import atomic_output, load_trajectory
from cgexplain.md.protein import load_native
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    p = dict(snakemake.params.settings)
    native = load_native(snakemake.input.native)
    elements = secondary_structure_elements(native["dssp"])
    log.info("DSSP %s -> elements %s", native["dssp"], elements)
    contacts = element_contacts(native["positions"], elements, p["native_cutoff"])
    sources = {"reference": load_trajectory(snakemake.input.reference)}
    sources.update(
        (m, load_trajectory(path))
        for m, path in zip(snakemake.params.models, snakemake.input.simulations, strict=True)
    )
    features = {name: pair_distance_features(t.positions) for name, t in sources.items()}
    runs = trajectory_runs(sources["reference"])
    tica = TICAProjection(
        split_runs(features["reference"], runs), p["tica_lag"], n_pca=p["tica_pca"] or None
    )
    log.info("TICA lag %d frames, timescales %s frames", tica.lagtime, tica.timescales)
    tics = {name: tica.transform(f) for name, f in features.items()}
    every = np.concatenate(list(tics.values()))
    ranges = tuple((float(every[:, k].min()), float(every[:, k].max())) for k in range(2))
    counts = []
    outputs = dict(
        zip(
            ["reference", *snakemake.params.models],
            [snakemake.output.reference, *snakemake.output.simulations],
            strict=True,
        )
    )
    for (name, traj), fes_path in zip(sources.items(), snakemake.output.surfaces, strict=True):
        table = frame_states(traj.positions, contacts, p["tolerance"], p["formed"], p["broken"])
        table[col.RUN] = trajectory_runs(traj)
        table[col.TIC1], table[col.TIC2] = tics[name][:, 0], tics[name][:, 1]
        with atomic_output(outputs[name]) as tmp:
            table.to_csv(tmp, index=False)
        kind = "reference" if name == "reference" else "cg"
        part = state_counts(table[col.STATE].to_numpy(), f"{kind} {name}", p["min_frames"])
        counts.append(part.assign(source=kind, model="" if kind == "reference" else name))
        surface = free_energy_surface(
            tics[name][:, 0],
            tics[name][:, 1],
            snakemake.params.temperature,
            p["tica_bins"],
            ranges,
        )
        with atomic_output(fes_path) as tmp:
            surface.to_csv(tmp, index=False)
    counts = pd.concat(counts, ignore_index=True)[list(col.STATE_COUNT_COLUMNS)]
    log.info("frames per state:\n%s", counts.to_string(index=False))
    with atomic_output(snakemake.output.counts) as tmp:
        counts.to_csv(tmp, index=False)
    StateElements.from_native(native, elements, tica.lagtime).write(snakemake.output.elements)
