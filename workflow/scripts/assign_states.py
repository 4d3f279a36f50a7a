"""Snakemake entry point: folding states, TICA and free-energy surfaces of the protein.

``states.method: tica`` labels frames by the basins of the unbiased reference's TICA
surface (:mod:`cgexplain.analysis.basins`); ``contacts`` by native-contact fractions
(:mod:`cgexplain.analysis.states`). Both labels are computed and compared in
``states/agreement.csv``; the reference surface is built from unbiased frames only.
"""

import numpy as np
import pandas as pd

from cgexplain import columns as col
from cgexplain.analysis.basins import (
    agreement_table,
    basin_fractions,
    basin_labels,
    biased_frames,
    find_basins,
    name_basins,
)
from cgexplain.analysis.states import (
    ELEMENTS,
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
    settings = snakemake.params.settings  # cgexplain.settings.protein.AssignStates
    native = load_native(snakemake.input.native)
    elements = secondary_structure_elements(native["dssp"])
    log.info("DSSP %s -> elements %s", native["dssp"], elements)
    contacts = element_contacts(native["positions"], elements, settings.native_cutoff)
    sources = {"reference": load_trajectory(snakemake.input.reference)}
    sources.update(
        (m, load_trajectory(path))
        for m, path in zip(settings.models, snakemake.input.simulations, strict=True)
    )
    features = {name: pair_distance_features(t.positions) for name, t in sources.items()}
    runs = {name: trajectory_runs(t) for name, t in sources.items()}
    tica = TICAProjection(
        split_runs(features["reference"], runs["reference"]),
        settings.tica_lag,
        n_pca=settings.tica_pca or None,
    )
    log.info("TICA lag %d frames, timescales %s frames", tica.lagtime, tica.timescales)
    tics = {name: tica.transform(f) for name, f in features.items()}
    biased = {name: np.zeros(t.n_frames, dtype=bool) for name, t in sources.items()}
    ref = sources["reference"]
    biased["reference"] = biased_frames(ref.metadata, ref.n_frames)
    free = ~biased["reference"]
    log.info(
        "reference: %d of %d frames from unbiased runs build the surface and the basins "
        "(walled runs left out: no overlap between them, so no reweighting)",
        free.sum(),
        len(free),
    )
    tables = {}
    for name, traj in sources.items():
        table = frame_states(
            traj.positions, contacts, settings.tolerance, settings.formed, settings.broken
        )
        table[col.RUN] = runs[name]
        table[col.TIC1], table[col.TIC2] = tics[name][:, 0], tics[name][:, 1]
        tables[name] = table
    lag = int(settings.msm_lag or tica.lagtime)
    basins = find_basins(
        tics["reference"][free],
        runs["reference"][free],
        settings.n_clusters,
        lag,
        settings.n_basins,
        settings.seed,
    )
    of_frame = {name: basins.assign(t) for name, t in tics.items()}
    reference = tables["reference"]
    means = basin_fractions(reference[free], of_frame["reference"][free], basins.n_basins)
    names = name_basins(
        means[list(ELEMENTS)].to_numpy(),
        settings.formed,
        settings.broken,
        means[col.N_FRAMES].to_numpy(),
        settings.min_frames,
    )
    log.info(
        "TICA basins (%s%s): unbiased frames and mean contact fractions\n%s",
        basins.method,
        f": {basins.reason}" if basins.reason else "",
        means.assign(name=names).to_string(),
    )
    agreement = [
        agreement_table(
            "reference_unbiased",
            of_frame["reference"][free],
            names,
            reference[free],
            reference[col.STATE].to_numpy()[free],
        )
    ]
    for name, table in tables.items():
        contact = table[col.STATE].to_numpy()
        agreement.append(agreement_table(name, of_frame[name], names, table, contact))
        table[col.CONTACT_STATE] = contact
        table[col.BASIN] = of_frame[name]
        table[col.BIASED] = biased[name]
        if settings.method == "tica":
            table[col.STATE] = basin_labels(of_frame[name], names)
    agreement = pd.concat(agreement, ignore_index=True)
    log.info("TICA basins against contact states:\n%s", agreement.to_string(index=False))
    with atomic_output(snakemake.output.agreement) as tmp:
        agreement.to_csv(tmp, index=False)
    log.info("states from %s", settings.method)
    every = np.concatenate(list(tics.values()))
    ranges = tuple((float(every[:, k].min()), float(every[:, k].max())) for k in range(2))
    counts = []
    outputs = dict(
        zip(
            ["reference", *settings.models],
            [snakemake.output.reference, *snakemake.output.simulations],
            strict=True,
        )
    )
    for (name, table), fes_path in zip(tables.items(), snakemake.output.surfaces, strict=True):
        with atomic_output(outputs[name]) as tmp:
            table.to_csv(tmp, index=False)
        kind = "reference" if name == "reference" else "cg"
        part = state_counts(table[col.STATE].to_numpy(), f"{kind} {name}", settings.min_frames)
        counts.append(part.assign(source=kind, model="" if kind == "reference" else name))
        keep = ~biased[name]
        surface = free_energy_surface(
            tics[name][keep, 0],
            tics[name][keep, 1],
            settings.temperature,
            settings.tica_bins,
            ranges,
        )
        with atomic_output(fes_path) as tmp:
            surface.to_csv(tmp, index=False)
    counts = pd.concat(counts, ignore_index=True)[list(col.STATE_COUNT_COLUMNS)]
    log.info("frames per state:\n%s", counts.to_string(index=False))
    with atomic_output(snakemake.output.counts) as tmp:
        counts.to_csv(tmp, index=False)
    StateElements.from_native(native, elements, tica.lagtime).write(snakemake.output.elements)
