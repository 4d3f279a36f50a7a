"""Replicas on a small CPU: one batched process, or several single-thread processes?

A script, not a test (``python tests/benchmarks/bench_replica_processes.py [--replicas 4]
[--cores 2] [--steps 20] [--model painn]``). For the same total number of replicas it
times our CG Langevin inner loop (``bench_cg_simulation.OursRunner``: the Verlet list,
batched model calls and BAOAB of :func:`cgexplain.md.cg_simulation.run_cg_simulation`;
PaiNN through :class:`cgexplain.potentials.fast_painn.FastPaiNN`) two ways:

- **batched**: one process with ``--cores`` torch threads integrating all replicas
  together (what one ``simulate_cg`` job does with ``threads.training = cores``);
- **split**: ``--cores`` processes started together, one torch thread each, each
  integrating ``replicas / cores`` of them (what Snakemake does with
  ``threads.training = 1``: one job per model side by side, or a system's replicas split
  over jobs).

Each process reports its replica-steps per second from the median step time; the split
rate is the sum over its processes (they run at the same time). The model (258 water-like
beads, PaiNN 64 x 3, 6 Å, float32, random weights; SO3net 32 x 3, lmax 2, 5 Å with
``--model so3net``) and frame are ``bench_cg_simulation.py``'s. Never asserts a time; the
last line is ``batched / split replica-steps per second: X`` (X > 1: batching wins).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def worker(replicas: int, threads: int, steps: int, model: str, seed: int) -> dict:
    """Run ``steps`` timed steps of ``replicas`` replicas; replica-steps/s (median step)."""
    import torch

    sys.path.insert(0, str(HERE))
    import bench_cg_simulation as bench

    from cgexplain.cg.training import ModelSpec

    torch.set_num_threads(threads)
    spec = {
        "painn": ModelSpec("painn", 64, 3, 20, 6.0),
        "so3net": ModelSpec("so3net", 32, 3, 20, 5.0, lmax=2),
    }[model]
    net = bench.make_model(spec, 1.0, seed, torch.float32)
    runner = bench.OursRunner(
        net, spec, bench.water_like_frame(seed), replicas, 2, seed, 1.0, 25_000
    )
    times = runner.run(steps)
    return {"replicas": replicas, "threads": threads, "rate": replicas / statistics.median(times)}


def launch(replicas: int, threads: int, args) -> subprocess.Popen:
    cmd = [sys.executable, __file__, "--worker", str(replicas), str(threads)]
    cmd += ["--steps", str(args.steps), "--model", args.model, "--seed", str(args.seed)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)


def collect(procs: list[subprocess.Popen]) -> list[dict]:
    results = []
    for proc in procs:
        out, _ = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"a worker failed (exit {proc.returncode})")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicas", type=int, default=4, help="total replicas")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--steps", type=int, default=20, help="timed steps per process")
    parser.add_argument("--model", choices=("painn", "so3net"), default="painn")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--worker", type=int, nargs=2, metavar=("REPLICAS", "THREADS"))
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(*args.worker, args.steps, args.model, args.seed)), flush=True)
        return 0
    if args.replicas % args.cores:
        parser.error("--replicas must be a multiple of --cores")
    batched = collect([launch(args.replicas, args.cores, args)])[0]["rate"]
    split_runs = collect([launch(args.replicas // args.cores, 1, args) for _ in range(args.cores)])
    split = sum(run["rate"] for run in split_runs)
    each = ", ".join(f"{run['rate']:.1f}" for run in split_runs)
    print(
        f"{args.model}: {args.replicas} replicas, {args.cores} cores\n"
        f"  batched: 1 process x {args.cores} threads: {batched:.1f} replica-steps/s\n"
        f"  split:   {args.cores} processes x 1 thread x {args.replicas // args.cores} "
        f"replicas: {split:.1f} replica-steps/s "
        f"({each})"
    )
    print(f"batched / split replica-steps per second: {batched / split:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
