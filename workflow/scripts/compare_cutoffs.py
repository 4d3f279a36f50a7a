"""Snakemake entry point: Suppl. Fig. S2, one model's structure at several cutoffs."""

import pandas as pd

from cgexplain.analysis.compare import angle_js, max_abs_rdf_difference
from cgexplain.io import atomic_output
from cgexplain.plots.structure import plot_figS1
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    ref_rdf = pd.read_csv(snakemake.input.reference_rdf)
    ref_tri = pd.read_csv(snakemake.input.reference_triplets)
    rows, curves = [], {}
    for (model, cutoff), rdf_path, tri_path in zip(
        snakemake.params.runs, snakemake.input.rdfs, snakemake.input.triplets, strict=True
    ):
        rdf, tri = pd.read_csv(rdf_path), pd.read_csv(tri_path)
        rows.append(
            {
                "model": model,
                "cutoff": cutoff,
                "max_abs_dg": max_abs_rdf_difference(rdf, ref_rdf),
                "angle_js": angle_js(tri, ref_tri),
            }
        )
        curves[f"{model.split('_rc')[0]}, {cutoff:g} Å"] = (rdf, tri)
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
    )
