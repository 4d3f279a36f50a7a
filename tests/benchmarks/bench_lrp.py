"""Benchmark of the GNN-LRP engine (a script, not a test: ``python tests/benchmarks/bench_lrp.py``).

For each frame, all 2- and 3-body contributions (:func:`cgexplain.nbody_relevance`, the
published gamma rule) are timed against SchNetPack energy+forces of the same model in
the same process (the anchor), and the ratio is printed, cold (the first GNN-LRP call
of the process) and warm (best of ``--repeats``, measured alternately with the anchor):

- ``methane``: the published CG methane SO3net and its frame (``../shared/data``);
- ``water``: a CG-water-like frame, 258 beads at 29.9 Å^3 per bead (~8,000 directed
  edges at 6 Å), random-weight PaiNN 64x3;
- ``ntl9``: a 39-bead chain (Cα-like, 3.8 Å bonds), no box, PaiNN 64x3 at 10 Å;
- supercells 2x2x2 and 3x3x3 of the water frame: time per bead (must stay flat: the
  cost is linear in the number of beads) and pair sums per image (must agree).

Also printed: peak RSS (CPU) or peak CUDA memory, and the torch version and threads.
Use ``--device cuda`` on a GPU. Never asserts a wall-clock time.
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
from lrp_testkit import METHANE, load_methane  # noqa: E402

from cgexplain import nbody_relevance  # noqa: E402
from cgexplain.lrp.model_io import atoms_to_inputs  # noqa: E402


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def timed(fn, device: str) -> tuple[float, object]:
    _sync(device)
    start = time.perf_counter()
    out = fn()
    _sync(device)
    return time.perf_counter() - start, out


def interleaved(fn_a, fn_b, repeats: int, device: str) -> tuple[float, float, object]:
    """Best times of two functions measured alternately (fair under a varying load)."""
    t_a, t_b, out = np.inf, np.inf, None
    for _ in range(repeats):
        t_a = min(t_a, timed(fn_a, device)[0])
        t, out = timed(fn_b, device)
        t_b = min(t_b, t)
    return t_a, t_b, out


def energy_and_forces(model, atoms) -> float:
    """SchNetPack energy and forces of one frame, neighbour list included (the anchor)."""
    out = model(atoms_to_inputs(model, atoms))
    return float(out["energy"].detach().sum()) + 0.0 * float(out["forces"].detach().sum())


def peak_memory_mib(device: str) -> float:
    if device.startswith("cuda"):
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def water_like_frame(n_beads: int = 258, seed: int = 0, min_dist: float = 2.4) -> ase.Atoms:
    """CG water: one bead per molecule at liquid density (29.9 Å^3), random, >= 2.4 Å apart."""
    rng = np.random.default_rng(seed)
    box = (n_beads * 29.9) ** (1 / 3)
    positions: list[np.ndarray] = []
    while len(positions) < n_beads:
        trial = rng.uniform(0, box, 3)
        if positions:
            d = np.asarray(positions) - trial
            d -= box * np.round(d / box)
            if (np.linalg.norm(d, axis=1) < min_dist).any():
                continue
        positions.append(trial)
    return ase.Atoms(numbers=[8] * n_beads, positions=positions, cell=[box] * 3, pbc=True)


def chain_frame(n_beads: int = 39, seed: int = 0) -> ase.Atoms:
    """A compact random chain with 3.8 Å bonds and no box (an NTL9-sized Cα model)."""
    rng = np.random.default_rng(seed)
    positions = [np.zeros(3)]
    while len(positions) < n_beads:
        step = rng.normal(size=3)
        trial = positions[-1] + 3.8 * step / np.linalg.norm(step)
        if (
            np.linalg.norm(np.asarray(positions) - trial, axis=1).min() > 3.8
            and np.linalg.norm(trial) < 9.0
        ):
            positions.append(trial)
    numbers = rng.integers(1, 21, n_beads)
    return ase.Atoms(numbers=numbers, positions=positions)


def painn_model(cutoff: float, n_features: int = 64, device: str = "cpu") -> torch.nn.Module:
    torch.manual_seed(0)
    rep = spk.representation.PaiNN(
        n_atom_basis=n_features,
        n_interactions=3,
        radial_basis=spk.nn.GaussianRBF(20, cutoff),
        cutoff_fn=spk.nn.CosineCutoff(cutoff),
    )
    model = spk.model.NeuralNetworkPotential(
        representation=rep,
        input_modules=[spk.atomistic.PairwiseDistances()],
        output_modules=[
            spk.atomistic.Atomwise(n_in=n_features, output_key="energy"),
            spk.atomistic.Forces(),
        ],
    )
    return model.to(device).eval()


def bench_frame(name: str, model, atoms, repeats: int, device: str) -> None:
    print(f"\n== {name}: {len(atoms)} beads, {type(model.representation).__name__}")
    energy_and_forces(model, atoms)  # anchor warm-up only: GNN-LRP's first call is cold
    t_ref, _ = timed(lambda: energy_and_forces(model, atoms), device)
    t_cold, res = timed(lambda: nbody_relevance(model, atoms), device)
    t_ref, t_lrp, res = interleaved(
        lambda: energy_and_forces(model, atoms),
        lambda: nbody_relevance(model, atoms),
        repeats,
        device,
    )
    n_walks = int(res.singles.n_walks.sum() + res.pairs.n_walks.sum() + res.triplets.n_walks.sum())
    print(f"SchNetPack energy+forces          {t_ref:8.3f} s")
    print(f"2+3-body contributions, cold      {t_cold:8.3f} s   ratio {t_cold / t_ref:6.2f}")
    print(f"2+3-body contributions, warm      {t_lrp:8.3f} s   ratio {t_lrp / t_ref:6.2f}")
    print(f"pairs {len(res.pairs)}, triplets {len(res.triplets)}, walks with <= 3 beads {n_walks}")
    print(
        f"energy {res.energy:.4f}, modified energy {res.modified_energy:.4f}, "
        f"total {res.total:.4f}, 1+2+3-body {res.explained:.4f} kcal/mol"
    )
    print(f"peak memory                       {peak_memory_mib(device):8.0f} MiB")
    print(f"RESULT {name}: cold ratio {t_cold / t_ref:.2f}, warm ratio {t_lrp / t_ref:.2f}")


def bench_supercells(model, atoms, repeats: int, device: str, max_reps: int = 3) -> None:
    print("\n== supercell scaling of the water frame (pair sums per image must agree)")
    base = None
    for reps in range(1, max_reps + 1):
        cell = atoms.repeat((reps, reps, reps))
        t_ref, t_lrp, res = interleaved(
            lambda cell=cell: energy_and_forces(model, cell),
            lambda cell=cell: nbody_relevance(model, cell),
            repeats,
            device,
        )
        n = len(atoms)
        pairs = res.pairs.assign(ii=res.pairs.i % n, jj=res.pairs.j % n)
        pairs[["ii", "jj"]] = np.sort(pairs[["ii", "jj"]].to_numpy(), axis=1)
        per_image = pairs.groupby(["ii", "jj"]).relevance.agg(["mean", "std"])
        if base is None:
            base = per_image["mean"]
        dev = float(np.abs(per_image["mean"] - base).max() / np.abs(base).max())
        print(
            f"{reps}x{reps}x{reps}: {len(cell):5d} beads  LRP {t_lrp:7.3f} s "
            f"({t_lrp / len(cell) * 1e3:6.3f} ms/bead)  energy+forces {t_ref:7.3f} s  "
            f"ratio {t_lrp / t_ref:5.2f}  max rel. |pair - base| {dev:.1e}  "
            f"peak memory {peak_memory_mib(device):.0f} MiB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--frames",
        default="methane,water,ntl9,supercells",
        help="comma-separated subset of methane, water, ntl9, supercells",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="smallest run (tests/benchmarks/test_smoke.py): one repeat, supercells up to 2x2x2",
    )
    args = parser.parse_args()
    if args.smoke:
        args.repeats = 1
    torch.set_num_threads(args.threads)
    wanted = set(args.frames.split(","))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {args.device}")
    if "methane" in wanted:
        if METHANE.exists():
            model, atoms = load_methane()
            bench_frame(
                "methane (published SO3net)",
                model.to(args.device),
                atoms,
                args.repeats,
                args.device,
            )
        else:
            print(f"{METHANE} absent: skipping the published model")
    water = painn_model(6.0, device=args.device)
    if "water" in wanted:
        bench_frame(
            "water-like (PaiNN 64x3, 6 A)", water, water_like_frame(), args.repeats, args.device
        )
    if "ntl9" in wanted:
        bench_frame(
            "ntl9-like (PaiNN 64x3, 10 A, no box)",
            painn_model(10.0, device=args.device),
            chain_frame(),
            args.repeats,
            args.device,
        )
    if "supercells" in wanted:
        bench_supercells(
            water,
            water_like_frame(),
            max(1, args.repeats - 1),
            args.device,
            max_reps=2 if args.smoke else 3,
        )


if __name__ == "__main__":
    main()
