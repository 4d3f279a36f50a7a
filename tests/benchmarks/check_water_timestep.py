"""Does rigid TIP3P at 2 fs sample the same O-O structure as the study's 1 fs?

A script, not a test (``python tests/benchmarks/check_water_timestep.py [--length 40]
[--timesteps 1 2]``). It runs the workflow's own water reference (builder
``tip3p_waterbox``: 258 rigid TIP3P waters, PME 9 Å, switch 1.5 Å, Langevin 300 K 1/ps,
:func:`cgexplain.md.reference.run_reference`) once per timestep, same seed and settings
otherwise, maps it to O beads and prints:

- the O-O g(r) difference between the timesteps, max |Δg| over bins of 0.1 Å up to 9 Å;
- the noise it is to be judged against: max |Δg| between the first and second half of
  each run (same timestep, independent halves);
- the mean potential energy per molecule of each run (kcal/mol) with the difference of
  its halves, and each run's ns/day.

The 2 fs step is the default configuration's (``config/config.yaml``); ``paper.yaml`` keeps
the study's 1 fs. Equal within noise means |Δg| between timesteps is no larger than the
half-to-half differences.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

import cgexplain  # noqa: F401  (torch shim, allocator tuning)
from cgexplain.analysis.rdf import radial_distribution
from cgexplain.io import load_trajectory
from cgexplain.md.builders import liquid_builder
from cgexplain.md.reference import RunSettings, run_reference

WATER = {"box_edge": 20.0, "cutoff": 9.0, "switch_width": 1.5}


def run(timestep: float, args, work: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """O positions (frames, 258, 3) Å, boxes, potential energies (kcal/mol) and summary."""
    ref = liquid_builder("tip3p_waterbox").build("water", WATER, {}, args.seed)
    settings = RunSettings(
        temperature=300.0,
        friction=1.0,
        timestep=timestep,
        equilibration=args.equilibration,
        length=args.length,
        save_interval=args.save_interval,
        checkpoint_interval=args.length,
        seed=args.seed,
        minimize_tolerance=10.0,
        platform="CPU",
        threads=args.threads,
    )
    out = work / f"water_{timestep:g}fs.h5"
    summary = run_reference(ref, settings, out, work / f"run_{timestep:g}")
    traj = load_trajectory(out)
    oxygen = traj.atomic_numbers == 8
    return traj.positions[:, oxygen], traj.box, traj.potential_energy, summary


def max_dg(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--timesteps", type=float, nargs=2, default=[1.0, 2.0], help="fs")
    parser.add_argument("--equilibration", type=float, default=10.0, help="ps")
    parser.add_argument("--length", type=float, default=40.0, help="ps of production")
    parser.add_argument("--save-interval", type=float, default=0.5, help="ps")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    g, halves = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for dt in args.timesteps:
            pos, box, energy, summary = run(dt, args, Path(tmp))
            n_mol = pos.shape[1]
            half = pos.shape[0] // 2

            def rdf(sel: slice, pos=pos, box=box) -> np.ndarray:
                return radial_distribution(pos[sel], box[sel], 9.0, 90)["g"].to_numpy()

            g[dt] = rdf(slice(None))
            halves[dt] = max_dg(rdf(slice(0, half)), rdf(slice(half, None)))
            e = energy / n_mol  # kcal/mol per molecule
            print(
                f"{dt:g} fs: {pos.shape[0]} frames, {summary.get('ns_per_day', float('nan')):.1f} "
                f"ns/day, <U>/molecule {e.mean():.3f} kcal/mol (halves differ by "
                f"{abs(e[:half].mean() - e[half:].mean()):.3f}), first g(r) peak "
                f"{g[dt].max():.3f}, max |dg| half vs half {halves[dt]:.3f}",
                flush=True,
            )
    a, b = args.timesteps
    between = max_dg(g[a], g[b])
    noise = max(halves.values())
    print(f"max |g_{a:g}fs - g_{b:g}fs| = {between:.3f} (half-vs-half noise up to {noise:.3f})")
    print(f"timesteps agree within noise: {between <= noise}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
