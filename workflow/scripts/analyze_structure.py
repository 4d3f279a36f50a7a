"""Snakemake entry point: RDF and triplet-angle statistics of a CG trajectory."""

import numpy as np

from cgexplain.analysis.rdf import first_peak, frame_rdfs, radial_distribution
from cgexplain.analysis.triplets import frame_triplet_counts, histogram_table
from cgexplain.io import atomic_output, load_trajectory, write_json
from cgexplain.runlog import run_logging
from cgexplain.units import AVOGADRO, CM3_PER_ANGSTROM3

with run_logging(snakemake.log[0]) as log:
    p = snakemake.params.settings
    traj = load_trajectory(snakemake.input.trajectory)
    frames = np.unique(
        np.linspace(0, traj.n_frames - 1, min(p["max_frames"], traj.n_frames)).astype(int)
    )
    log.info("analysing %d of %d frames", len(frames), traj.n_frames)
    pos, box = traj.positions[frames], traj.box[frames]
    rdf = radial_distribution(pos, box, p["rdf_max"], p["rdf_bins"])
    counts = frame_triplet_counts(pos, box, p["triplet_cutoff"], p["angle_bins"], p["edge_bins"])
    triplets = histogram_table(counts, p["triplet_cutoff"])
    # per frame: g(r) and largest-angle counts, for the metrics' bootstrap intervals
    with atomic_output(snakemake.output.frames) as tmp, open(tmp, "wb") as handle:
        np.savez_compressed(
            handle,
            g=frame_rdfs(pos, box, p["rdf_max"], p["rdf_bins"]),
            angle_counts=counts.sum(axis=2),
            frames=frames,
        )
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
        "source": snakemake.wildcards.get("model", "reference"),
        **{f"md_{k}": v for k, v in run_summary.items()},
    }
    write_json(snakemake.output.summary, summary)
    log.info("summary %s", summary)
