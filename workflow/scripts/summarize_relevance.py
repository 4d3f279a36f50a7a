"""Snakemake entry point: binned 2-body profiles and 3-body maps of one relevance run.

The first-shell vertex-angle map and profile (:mod:`cgexplain.analysis.vertex_angles`)
need the system's reference RDF (a liquid's first minimum, or ``structure.shell_cutoff``);
a protein has neither and gets them empty, with ``shell_cutoff`` null in the summary.
"""

import pandas as pd

from cgexplain import columns as col
from cgexplain.analysis import relevance as rel
from cgexplain.analysis import vertex_angles as va
from cgexplain.cg.training import load_spec
from cgexplain.io import atomic_output, write_json
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    p = dict(snakemake.params.settings)
    spec, _ = load_spec(snakemake.input.model)
    edge_max = p["edge_max"]  # common to the system's models (see common.smk)
    pairs = pd.read_parquet(snakemake.input.pairs)
    triplets = pd.read_parquet(snakemake.input.triplets)
    profile = rel.pair_profile(pairs, p["r_max"], p["pair_bins"])
    tables = {
        "pair_profile": profile,
        "pair_histogram": rel.pair_histogram(pairs, p["r_max"], p["pair_bins"]),
        "triplet_map": rel.triplet_map(triplets, edge_max, p["angle_bins"], p["edge_bins"]),
        "triplet_adjacent": rel.adjacent_edge_maps(triplets, edge_max / 2.0, p["edge_bins"]),
    }
    rdf_path = snakemake.input.get("rdf")  # [] for a protein
    configured = snakemake.params.shell_cutoff
    r_shell = None
    if configured is not None or rdf_path:
        r_shell = va.shell_cutoff(pd.read_csv(rdf_path) if rdf_path else None, configured)
        entries = va.vertex_angle_entries(triplets, r_shell)
        tables["vertex_map"] = va.vertex_angle_map(
            entries, p["angle_bins"], p["edge_bins"], edge_max
        )
        tables["vertex_profile"] = va.vertex_angle_profile(entries, va.PROFILE_BINS)
        log.info("first shell r < %.3f Å: %d vertex entries", r_shell, len(entries))
    else:
        tables["vertex_map"] = pd.DataFrame(columns=list(col.TRIPLET_MAP_COLUMNS))
        tables["vertex_profile"] = pd.DataFrame(columns=list(col.VERTEX_PROFILE_COLUMNS))
    for name, table in tables.items():
        with atomic_output(snakemake.output[name]) as tmp:
            table.to_csv(tmp, index=False)
    summary = {
        "n_frames": int(pairs["frame"].nunique()),
        "n_pairs": len(pairs),
        "n_triplets": len(triplets),
        "ratio_3body_2body": rel.relevance_ratio(pairs, triplets),
        "mean_abs_2body": float(pairs["relevance_norm"].abs().mean()),
        "mean_abs_3body": float(triplets["relevance_norm"].abs().mean()),
        "well_position": rel.well_position(profile, p["min_count"]),
        "cutoff": spec.cutoff,
        "shell_cutoff": r_shell,
    }
    write_json(snakemake.output.summary, summary)
    log.info("summary: %s", summary)
