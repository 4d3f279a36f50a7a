"""Snakemake entry point: RDF, triplet-angle, first-shell angle and tetrahedral-order
statistics of a CG trajectory (the reference's or a CG simulation's)."""

import json

import numpy as np

from cgexplain.analysis.rdf import first_minimum, first_peak, frame_rdfs, radial_distribution
from cgexplain.analysis.shell import ANGLE_RANGE, Q_RANGE, density_table, frame_shell_statistics
from cgexplain.analysis.triplets import frame_triplet_counts, histogram_table
from cgexplain.io import atomic_output, evenly_spaced, load_trajectory, write_json
from cgexplain.runlog import run_logging
from cgexplain.units import AVOGADRO, CM3_PER_ANGSTROM3

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.reference.AnalyzeStructure
    traj = load_trajectory(snakemake.input.trajectory)
    frames = evenly_spaced(traj.n_frames, settings.max_frames)
    log.info("analysing %d of %d frames", len(frames), traj.n_frames)
    pos, box = traj.positions[frames], traj.box[frames]
    rdf = radial_distribution(pos, box, settings.rdf_max, settings.rdf_bins)
    counts = frame_triplet_counts(
        pos, box, settings.triplet_cutoff, settings.angle_bins, settings.edge_bins
    )
    triplets = histogram_table(counts, settings.triplet_cutoff)
    # first-shell radius: the config's, else the reference's first g(r) minimum; a CG run
    # takes the reference's (its summary json), so every run shares the same shell
    if snakemake.input.get("reference"):
        with open(snakemake.input.reference) as handle:
            r_shell = float(json.load(handle)["shell_cutoff"])
    elif settings.shell_cutoff is not None:
        r_shell = float(settings.shell_cutoff)
    else:
        r_shell = first_minimum(rdf)[0]
    shell = frame_shell_statistics(pos, box, r_shell, settings.shell_angle_bins, settings.q_bins)
    log.info("first shell %.3f Å: %.2f neighbours, mean q %.3f", r_shell,
             shell["shell_coordination"].mean(), shell["q_mean"].mean())  # fmt: skip
    # per frame: g(r), largest-angle, first-shell angle and q counts, mean q, for the
    # metrics' bootstrap intervals
    with atomic_output(snakemake.output.frames) as tmp, open(tmp, "wb") as handle:
        np.savez_compressed(
            handle,
            g=frame_rdfs(pos, box, settings.rdf_max, settings.rdf_bins),
            angle_counts=counts.sum(axis=2),
            frames=frames,
            **shell,
        )
    with atomic_output(snakemake.output.shell_angles) as tmp:
        table = density_table(shell["shell_angle_counts"], ANGLE_RANGE, "angle")
        table.to_csv(tmp, index=False, float_format="%.6g")
    with atomic_output(snakemake.output.tetrahedral) as tmp:
        table = density_table(shell["q_counts"], Q_RANGE, "q")
        table.to_csv(tmp, index=False, float_format="%.6g")
    with atomic_output(snakemake.output.rdf) as tmp:
        rdf.to_csv(tmp, index=False, float_format="%.6g")
    with atomic_output(snakemake.output.triplets) as tmp:
        triplets.to_csv(tmp, index=False, float_format="%.6g")
    r_peak, g_peak = first_peak(rdf)
    volume = np.abs(np.linalg.det(box)).mean()
    run_summary = traj.metadata.get("run_summary") or traj.metadata.get("source", {}).get(
        "run_summary", {}
    )
    summary = {
        "system": snakemake.wildcards.system,
        "frames": int(len(frames)),
        "beads": traj.n_sites,
        "rdf_peak_r": r_peak,
        "rdf_peak_g": g_peak,
        "bead_density_per_A3": traj.n_sites / volume,
        "mass_density_g_cm3": traj.masses.sum() / AVOGADRO / (volume * CM3_PER_ANGSTROM3),
        "triplets_per_frame": float(triplets["count"].sum()),
        "shell_cutoff": r_shell,
        "shell_coordination": float(shell["shell_coordination"].mean()),
        "q_mean": float(shell["q_mean"].mean()),
        "source": snakemake.wildcards.get("model", "reference"),
        **{f"md_{k}": v for k, v in run_summary.items()},
    }
    write_json(snakemake.output.summary, summary)
    log.info("summary %s", summary)
