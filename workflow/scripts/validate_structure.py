"""Snakemake entry point: structure of every CG simulation against its reference."""

import numpy as np
import pandas as pd

from cgexplain.analysis.compare import angle_js, max_abs_rdf_difference, structure_intervals
from cgexplain.analysis.rdf import first_peak
from cgexplain.io import atomic_output
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    rows = []
    tables = zip(
        snakemake.params.pairs,
        snakemake.input.reference_rdf,
        snakemake.input.reference_triplets,
        snakemake.input.rdf,
        snakemake.input.triplets,
        strict=True,
    )
    frames = zip(snakemake.input.reference_frames, snakemake.input.frames, strict=True)
    for ((system, model), *paths), (ref_path, cg_path) in zip(tables, frames, strict=True):
        ref_rdf, ref_tri, rdf, tri = (pd.read_csv(path) for path in paths)
        b = snakemake.params.bootstrap[system]
        with np.load(ref_path) as ref, np.load(cg_path) as cg:
            ci = structure_intervals(
                cg["g"], cg["angle_counts"], ref["g"], ref["angle_counts"],
                b["n_resamples"], b["seed"], b["confidence"], b["block_length"],
            )  # fmt: skip
        row = {
            "system": system,
            "model": model,
            "max_abs_dg": max_abs_rdf_difference(rdf, ref_rdf),
            "angle_js": angle_js(tri, ref_tri),
            "rdf_peak_r": first_peak(rdf)[0],
            "rdf_peak_r_reference": first_peak(ref_rdf)[0],
            **{
                f"{name}_{end}": bounds[k]
                for name, bounds in ci.items()
                for k, end in ((1, "ci_low"), (2, "ci_high"))
            },
        }
        log.info("%s", row)
        rows.append(row)
    with atomic_output(snakemake.output[0]) as tmp:
        pd.DataFrame(rows).to_csv(tmp, index=False, float_format="%.6g")
