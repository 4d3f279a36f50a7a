"""Snakemake entry point: Suppl. Fig. S2, one model's structure at several cutoffs."""

import pandas as pd

from cgexplain.analysis.compare import angle_js, jensen_shannon, max_abs_rdf_difference
from cgexplain.io import atomic_output
from cgexplain.plots.structure import plot_figS1
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.simulation.CompareCutoffs
    ref_rdf = pd.read_csv(snakemake.input.reference_rdf)
    ref_tri = pd.read_csv(snakemake.input.reference_triplets)
    inp = snakemake.input
    ref_shell = (pd.read_csv(inp.reference_shell_angles), pd.read_csv(inp.reference_tetrahedral))
    rows, curves = [], {}
    runs = zip(
        settings.runs,
        inp.rdfs,
        inp.triplets,
        inp.shell_angles,
        inp.tetrahedral,
        strict=True,
    )
    for (model, cutoff), *paths in runs:
        rdf, tri, shell, q = (pd.read_csv(path) for path in paths)
        rows.append(
            {
                "model": model,
                "cutoff": cutoff,
                "max_abs_dg": max_abs_rdf_difference(rdf, ref_rdf),
                "angle_js": angle_js(tri, ref_tri),
                # densities on equal bins: the divergence of the counts
                "shell_angle_js": jensen_shannon(shell["density"], ref_shell[0]["density"]),
                "q_js": jensen_shannon(q["density"], ref_shell[1]["density"]),
            }
        )
        curves[f"{model.split('_rc')[0]}, {cutoff:g} Å"] = (rdf, tri, shell, q)
    table = pd.DataFrame(rows)
    with atomic_output(snakemake.output.table) as tmp:
        table.to_csv(tmp, index=False, float_format="%.6g")
    log.info("cutoff series of %s:\n%s", snakemake.wildcards.system, table.to_string(index=False))
    plot_figS1(
        ref_rdf,
        ref_tri,
        curves,
        f"{snakemake.wildcards.system}, cutoff series",
        [snakemake.output.png, snakemake.output.pdf],
        reference_shell=ref_shell,
    )
