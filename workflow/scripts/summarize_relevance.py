"""Snakemake entry point: binned 2-body profiles and 3-body maps of one relevance run.

The first-shell vertex-angle map and profile (:mod:`cgexplain.analysis.vertex_angles`)
need the system's reference RDF (a liquid's first minimum, or ``structure.shell_cutoff``);
a protein has neither and gets them empty, with ``shell_cutoff`` null in the summary.
"""

import pandas as pd

from cgexplain import columns as col
from cgexplain.analysis import relevance as rel
from cgexplain.analysis import vertex_angles as va
from cgexplain.io import atomic_output, read_table, write_json
from cgexplain.potentials.loading import load_spec
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.relevance.SummarizeRelevance
    grid = settings.grids
    spec, _ = load_spec(snakemake.input.model)
    edge_max = grid.edge_max  # common to the system's models (cgexplain.settings.relevance)
    pairs = pd.read_parquet(snakemake.input.pairs)
    triplets = read_table(snakemake.input.triplets)
    profile = rel.pair_profile(pairs, grid.r_max, grid.pair_bins)
    tables = {
        "pair_profile": profile,
        "pair_histogram": rel.pair_histogram(pairs, grid.r_max, grid.pair_bins),
        "triplet_map": rel.triplet_map(triplets, edge_max, grid.angle_bins, grid.edge_bins),
        "triplet_adjacent": rel.adjacent_edge_maps(triplets, edge_max / 2.0, grid.edge_bins),
    }
    rdf_path = snakemake.input.get("rdf")  # [] for a protein
    configured = settings.shell_cutoff
    r_shell = None
    if configured is not None or rdf_path:
        r_shell = va.shell_cutoff(pd.read_csv(rdf_path) if rdf_path else None, configured)
        entries = va.vertex_angle_entries(triplets, r_shell)
        tables["vertex_map"] = va.vertex_angle_map(
            entries, grid.angle_bins, grid.edge_bins, edge_max
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
        "well_position": rel.well_position(profile, settings.min_count),
        "cutoff": spec.cutoff,
        "shell_cutoff": r_shell,
    }
    write_json(snakemake.output.summary, summary)
    log.info("summary: %s", summary)
