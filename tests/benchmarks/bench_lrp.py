"""Benchmark of the GNN-LRP engine (a script, not a test: ``python tests/benchmarks/bench_lrp.py``).

Prints, on the published CG methane SO3net frame (``../shared/data/so3net_methane``):
seconds for all 2- and 3-body contributions, SchNetPack energy+forces of the same model
measured in the same process (the baseline), the naive per-walk time measured on a
sample of walks, ratios, peak memory, and the scaling over 2x2x2 and 3x3x3 periodic
supercells (whose pair sums must agree across images). Then a 258-bead water-like
frame with a random-weight PaiNN (128 features, 3 interactions, 6 Å).
Never asserts a wall-clock time.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "lrp"))

# isort: off
import cgexplain  # noqa: E402, F401  (installs the torch shim SchNetPack needs: import it first)
import schnetpack as spk  # noqa: E402

# isort: on
import ase  # noqa: E402
from lrp_testkit import METHANE, load_methane, naive_walk_relevance  # noqa: E402

from cgexplain import nbody_relevance  # noqa: E402
from cgexplain.lrp.nbody import atoms_to_inputs, explain_walks  # noqa: E402


def best_of(fn, repeats: int) -> tuple[float, object]:
    """Minimum wall time (s) over ``repeats`` calls, and the last result."""
    best, out = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def interleaved(fn_a, fn_b, repeats: int) -> tuple[float, float, object]:
    """Best times of two functions measured alternately (fair under a varying load)."""
    t_a, t_b, out = np.inf, np.inf, None
    for _ in range(repeats):
        t_a = min(t_a, best_of(fn_a, 1)[0])
        t, out = best_of(fn_b, 1)
        t_b = min(t_b, t)
    return t_a, t_b, out


def energy_and_forces(model, atoms) -> float:
    inputs = atoms_to_inputs(model, atoms)
    out = model(inputs)
    return float(out["energy"].detach().sum()) + float(out["forces"].detach().abs().sum()) * 0


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_frame(name: str, model, atoms, repeats: int, naive_sample: int) -> None:
    print(f"\n== {name}: {len(atoms)} beads, {type(model.representation).__name__}")
    energy_and_forces(model, atoms)  # warm-up
    rss_before = peak_rss_mib()
    t_ref, t_lrp, res = interleaved(
        lambda: energy_and_forces(model, atoms), lambda: nbody_relevance(model, atoms), repeats
    )
    n_walks = int(res.singles.n_walks.sum() + res.pairs.n_walks.sum() + res.triplets.n_walks.sum())
    print(f"SchNetPack energy+forces         {t_ref:8.3f} s")
    print(
        f"all 2+3-body contributions       {t_lrp:8.3f} s   ratio to energy+forces {t_lrp / t_ref:6.2f}"
    )
    print(f"pairs {len(res.pairs)}, triplets {len(res.triplets)}, walks with <= 3 beads {n_walks}")
    print(
        f"energy {res.energy:.4f}, modified energy {res.modified_energy:.4f}, "
        f"total {res.total:.4f}, 1+2+3-body {res.explained:.4f} kcal/mol"
    )
    if naive_sample:
        run = explain_walks(model, atoms, max_distinct=3)
        rng = np.random.default_rng(0)
        sample = run.walks[rng.choice(len(run.walks), naive_sample, replace=False)]
        t_naive, _ = best_of(
            lambda: naive_walk_relevance(model, atoms, sample, "gamma", batch=1), 1
        )
        per_walk = t_naive / naive_sample
        print(
            f"naive per-walk pass (batch 1)    {per_walk:8.3f} s/walk -> {per_walk * n_walks:9.1f} s "
            f"for the {n_walks} walks; speed-up {per_walk * n_walks / t_lrp:9.0f}x"
        )
    print(
        f"peak RSS of the process          {peak_rss_mib():8.0f} MiB "
        f"(+{peak_rss_mib() - rss_before:.0f} MiB over import, model and energy+forces)"
    )


def bench_supercells(model, atoms, repeats: int, max_baseline_beads: int) -> None:
    print("\n== supercell scaling (pair sums per image must agree)")
    base = None
    for reps in (1, 2, 3):
        cell = atoms.repeat((reps, reps, reps))
        if len(cell) <= max_baseline_beads:
            t_ref, t_lrp, res = interleaved(
                lambda cell=cell: energy_and_forces(model, cell),
                lambda cell=cell: nbody_relevance(model, cell),
                repeats,
            )
        else:  # SchNetPack's SO3net keeps (edges, CG terms, F) tensors: ~30 GB here
            t_ref = np.nan
            t_lrp, res = best_of(lambda cell=cell: nbody_relevance(model, cell), repeats)
        n = len(atoms)
        pairs = res.pairs.assign(ii=res.pairs.i % n, jj=res.pairs.j % n)
        pairs[["ii", "jj"]] = np.sort(pairs[["ii", "jj"]].to_numpy(), axis=1)
        per_image = pairs.groupby(["ii", "jj"]).relevance.agg(["mean", "std", "count"])
        if base is None:
            base = per_image["mean"]
        dev = float(np.abs(per_image["mean"] - base).max())
        spread = float(np.nan_to_num(per_image["std"]).max())
        print(
            f"{reps}x{reps}x{reps}: {len(cell):5d} beads  LRP {t_lrp:7.3f} s  "
            f"({t_lrp / len(cell) * 1e3:6.3f} ms/bead)  energy+forces {t_ref:7.3f} s  "
            f"ratio {t_lrp / t_ref:5.2f}  max |pair - base| {dev:.2e}  max spread {spread:.2e}  "
            f"peak RSS {peak_rss_mib():.0f} MiB"
        )


def water_like_frame(n_molecules: int = 86, seed: int = 0) -> ase.Atoms:
    """258 beads (3 per 'molecule') at liquid-water density in a cubic box (Å)."""
    rng = np.random.default_rng(seed)
    box = (n_molecules * 29.9) ** (1 / 3)
    centres = rng.uniform(0, box, (n_molecules, 3))
    offsets = rng.normal(0, 1, (n_molecules, 2, 3))
    offsets *= 0.96 / np.linalg.norm(offsets, axis=2, keepdims=True)
    pos = np.concatenate([centres[:, None], centres[:, None] + offsets], axis=1).reshape(-1, 3)
    numbers = np.tile([8, 1, 1], n_molecules)
    return ase.Atoms(numbers=numbers, positions=pos, cell=[box] * 3, pbc=True)


def painn_model(cutoff: float = 6.0) -> torch.nn.Module:
    torch.manual_seed(0)
    rep = spk.representation.PaiNN(
        n_atom_basis=128,
        n_interactions=3,
        radial_basis=spk.nn.GaussianRBF(20, cutoff),
        cutoff_fn=spk.nn.CosineCutoff(cutoff),
    )
    return spk.model.NeuralNetworkPotential(
        representation=rep,
        input_modules=[spk.atomistic.PairwiseDistances()],
        output_modules=[
            spk.atomistic.Atomwise(n_in=128, output_key="energy"),
            spk.atomistic.Forces(),
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--naive-sample", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-supercells", action="store_true")
    parser.add_argument(
        "--max-baseline-beads",
        type=int,
        default=1000,
        help="largest supercell on which SchNetPack energy+forces is timed (memory)",
    )
    parser.add_argument("--no-water", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    if METHANE.exists():
        model, atoms = load_methane()
        bench_frame("published CG methane SO3net", model, atoms, args.repeats, args.naive_sample)
        if not args.no_supercells:
            bench_supercells(model, atoms, max(1, args.repeats - 1), args.max_baseline_beads)
    else:
        print(f"{METHANE} absent: skipping the published model")
    if not args.no_water:
        bench_frame(
            "water-like PaiNN (128 features, 3 interactions, 6 Å)",
            painn_model(),
            water_like_frame(),
            max(1, args.repeats - 1),
            0,
        )


if __name__ == "__main__":
    main()
