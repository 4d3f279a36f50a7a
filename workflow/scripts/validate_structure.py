"""Snakemake entry point: structure of every CG simulation against its reference, and
the reference's two halves against each other (model ``reference_half``: the sampling
noise of the run itself, with the same bootstrap)."""

import json

import numpy as np
import pandas as pd

from cgexplain import columns as col
from cgexplain.analysis.compare import (
    angle_js,
    max_abs_rdf_difference,
    shell_intervals,
    structure_intervals,
)
from cgexplain.analysis.rdf import first_peak
from cgexplain.io import atomic_output
from cgexplain.runlog import run_logging
from cgexplain.settings.simulation import StructureBootstrap

#: per-frame arrays of structure_frames.npz the metrics read
FRAME_KEYS = ("g", "angle_counts", "shell_angle_counts", "q_counts", "q_mean")


def interval_columns(ci: dict) -> dict:
    return {
        f"{name}_{end}": bounds[k]
        for name, bounds in ci.items()
        for k, end in ((1, "ci_low"), (2, "ci_high"))
    }


def intervals(
    cg: dict, ref: dict, r: np.ndarray, r_shell: float, b: StructureBootstrap
) -> tuple[dict, dict]:
    """(max |Δg|, angle JS) and first-shell metrics, each {name: (value, low, high)}."""
    args = (b.n_resamples, b.seed, b.confidence, b.block_length)
    ci = structure_intervals(cg["g"], cg["angle_counts"], ref["g"], ref["angle_counts"], *args)
    return ci, shell_intervals(cg, ref, r, r_shell, *args)


def mean_peak(g: np.ndarray, r: np.ndarray) -> float:
    """First peak (Å) of the frame-mean of per-frame g (n_frames, n_r) on centres r."""
    return first_peak(pd.DataFrame({col.R: r, col.G: g.mean(0)}))[0]


with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.simulation.ValidateStructure
    rows = []
    tables = zip(
        settings.pairs,
        snakemake.input.reference_rdf,
        snakemake.input.reference_triplets,
        snakemake.input.rdf,
        snakemake.input.triplets,
        strict=True,
    )
    frames = zip(
        snakemake.input.reference_frames,
        snakemake.input.frames,
        snakemake.input.reference_summary,
        strict=True,
    )
    halves = {}  # system -> (reference frames, r grid, r_shell)
    for ((system, model), *paths), (ref_path, cg_path, summary) in zip(
        tables, frames, strict=True
    ):
        ref_rdf, ref_tri, rdf, tri = (pd.read_csv(path) for path in paths)
        b = settings.bootstrap_of(system)
        with open(summary) as handle:
            r_shell = float(json.load(handle)["shell_cutoff"])
        with np.load(ref_path) as ref_file, np.load(cg_path) as cg_file:
            ref = {key: ref_file[key] for key in FRAME_KEYS}
            cg = {key: cg_file[key] for key in FRAME_KEYS}
        r = ref_rdf[col.R].to_numpy()
        halves[system] = (ref, r, r_shell)
        ci, shell = intervals(cg, ref, r, r_shell, b)
        row = {
            "system": system,
            "model": model,
            "max_abs_dg": max_abs_rdf_difference(rdf, ref_rdf),
            "angle_js": angle_js(tri, ref_tri),
            "rdf_peak_r": first_peak(rdf)[0],
            "rdf_peak_r_reference": first_peak(ref_rdf)[0],
            **interval_columns(ci),
            **{name: bounds[0] for name, bounds in shell.items()},
            "shell_cutoff": r_shell,
            **interval_columns(shell),
        }
        log.info("%s", row)
        rows.append(row)
    # the run's own noise: second half of the reference frames against the first
    for system, (ref, r, r_shell) in halves.items():
        half = len(ref["g"]) // 2
        first = {key: value[:half] for key, value in ref.items()}
        second = {key: value[half:] for key, value in ref.items()}
        ci, shell = intervals(second, first, r, r_shell, settings.bootstrap_of(system))

        row = {
            "system": system,
            "model": "reference_half",
            "max_abs_dg": ci["max_abs_dg"][0],
            "angle_js": ci["angle_js"][0],
            "rdf_peak_r": mean_peak(second["g"], r),
            "rdf_peak_r_reference": mean_peak(first["g"], r),
            **interval_columns(ci),
            **{name: bounds[0] for name, bounds in shell.items()},
            "shell_cutoff": r_shell,
            **interval_columns(shell),
        }
        log.info("%s", row)
        rows.append(row)
    with atomic_output(snakemake.output[0]) as tmp:
        pd.DataFrame(rows).to_csv(tmp, index=False, float_format="%.6g")
