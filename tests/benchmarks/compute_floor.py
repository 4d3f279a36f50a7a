"""The compute floor of the benchmarks: analytic FLOP counts of PaiNN and one core's peak.

Used by ``bench_cg_simulation.py`` and ``bench_training.py`` to print the fraction of the
compute floor, i.e. ``FLOP of the measured work / (CPU seconds x peak FLOP/s)``: 100 %
would be a kernel that does nothing but arithmetic at the speed of a large ``torch.mm``.

FLOP convention: a multiply-add is 2 FLOP, an elementwise add or multiply 1 FLOP;
activations (SiLU), square roots, the Gaussian exponentials and index gathers are not
counted (so the floor is, if anything, a little low). Counted for SchNetPack 2.0.4's
``PaiNN`` (non-shared filters and interactions) inside ``build_model``'s
``NeuralNetworkPotential`` (``Atomwise`` head F -> F/2 -> 1, sum over atoms). With N
atoms, E directed pairs (i, j) within the cutoff, F features, K radial basis functions
and B interaction blocks, the forward pass (energy) is:

- once: distances and directions 8 E, radial basis 3 E K, head N (F/2) (2F + 1) +
  N (F + 1) + N;
- per block, the **filter**: the matmul E x (K+1) x 3F (bias and cosine cutoff folded
  in as the +1): 2 E (K+1) 3F;
- per block, the **interaction**: the context MLP on atoms, N x F x F and N x F x 3F with
  biases: N F (2F+1) + N 3F (2F+1); on the edges, filter times context 3 E F, the vector
  message dmuR * dir + dmumu * mu_j 9 E F, the two scatter-adds 4 E F (16 E F in all);
  residual adds 4 N F;
- per block, the **mixing**: the channel mix of mu (3N x F x 2F, no bias) 12 N F^2, the
  norm of mu_V 6 N F, the context MLP on atoms N x 2F x F and N x F x 3F with biases
  N F (4F+1) + N 3F (2F+1), the products and residuals 14 N F.

**Energy + forces** is 2 x the forward pass: the backward to the positions only takes the
input gradient of each matmul (the weights' gradients are not needed), which costs what
the forward matmul cost, and each elementwise op's backward about as much as its forward.
**A force-matching training step** (forward with the force graph kept, force loss,
backward through the forces to the weights) is taken as 3 x energy + forces, the usual
count for a double backward (as in issue #36: 0.6 and 1.8 GFLOP for 258 beads, 7,692
pairs, F 64, B 3, K 20); the optimiser's few FLOP per weight are left out.

At the benchmarks' sizes (N 258, E 7,692, F 64, K 20, B 3) the filter matmul is about 60 %
of the count, the atom-wise MLPs about 30 %, the edge messages about 8 %.

The peak is measured, not assumed: the best rate of a few fp32 ``torch.mm`` of
``size x size`` matrices on one thread, timed with the same CPU clock as the benchmarks.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch


def cpu_clock(threads: int) -> tuple[Callable[[], float], str]:
    """The CPU-time clock for a benchmark run with ``threads`` torch threads, and its name.

    One thread: ``time.thread_time`` (CPU seconds of the calling thread, i.e. of the one
    thread that does the work; other threads' idle spinning or background work is not
    counted). More threads: ``time.process_time`` (CPU seconds of all threads of the
    process summed), so a fraction of the compute floor stays a fraction of one core's.
    """
    if threads == 1:
        return time.thread_time, "time.thread_time"
    return time.process_time, "time.process_time"


def painn_matmul_flops(
    n_atoms: int, n_pairs: int, n_features: int, n_interactions: int, n_rbf: int
) -> int:
    """FLOP of the matrix products alone in one PaiNN energy (forward) pass, biases not
    included: the part ``torch.utils.flop_counter`` counts (the unit test checks it)."""
    n, e, f, k, b = n_atoms, n_pairs, n_features, n_rbf, n_interactions
    filters = 2 * e * k * 3 * f * b
    per_block = 2 * n * f * f + 2 * n * f * 3 * f  # interaction context MLP
    per_block += 2 * 3 * n * f * 2 * f + 2 * n * 2 * f * f + 2 * n * f * 3 * f  # mixing
    head = 2 * n * f * (f // 2) + 2 * n * (f // 2)
    return filters + b * per_block + head


def painn_forward_flops(
    n_atoms: int, n_pairs: int, n_features: int, n_interactions: int, n_rbf: int
) -> int:
    """FLOP of one PaiNN energy (forward) pass, counted as in the module docstring: the
    matrix products (:func:`painn_matmul_flops`) plus biases and elementwise arithmetic.

    Args:
        n_atoms: N, atoms (beads) in the pass (all frames of a batch together).
        n_pairs: E, directed pairs within the cutoff (both (i, j) and (j, i)).
        n_features: F. n_interactions: B, interaction + mixing blocks. n_rbf: K.
    """
    n, e, f, k, b = n_atoms, n_pairs, n_features, n_rbf, n_interactions
    matmuls = painn_matmul_flops(n_atoms, n_pairs, n_features, n_interactions, n_rbf)
    once = 8 * e + 3 * e * k + n * (f // 2) + n + n  # geometry, rbf, head biases, sum
    filters = 2 * 3 * e * f  # bias and cosine cutoff of the filter
    interaction = 4 * n * f + 16 * e * f + 4 * n * f  # biases, edge messages, residuals
    mixing = 6 * n * f + 4 * n * f + 14 * n * f  # norm, biases, products and residuals
    return matmuls + once + b * (filters + interaction + mixing)


def painn_energy_forces_flops(
    n_atoms: int, n_pairs: int, n_features: int, n_interactions: int, n_rbf: int
) -> int:
    """FLOP of one PaiNN energy + forces evaluation: 2 x the forward pass."""
    return 2 * painn_forward_flops(n_atoms, n_pairs, n_features, n_interactions, n_rbf)


def painn_training_step_flops(
    n_atoms: int, n_pairs: int, n_features: int, n_interactions: int, n_rbf: int
) -> int:
    """FLOP of one force-matching training step: 3 x energy + forces."""
    return 3 * painn_energy_forces_flops(n_atoms, n_pairs, n_features, n_interactions, n_rbf)


def count_pairs(positions: np.ndarray, box: float, cutoff: float) -> int:
    """Directed pairs (i != j) closer than ``cutoff`` (Å) in a cubic periodic box of edge
    ``box`` (Å), minimum image (needs ``cutoff < box / 2``). positions: (N, 3) Å."""
    assert cutoff < box / 2, (cutoff, box)
    d = positions[:, None] - positions[None]
    d -= box * np.round(d / box)
    dist = np.linalg.norm(d, axis=-1)
    np.fill_diagonal(dist, np.inf)
    return int((dist < cutoff).sum())


def peak_flops(clock: Callable[[], float], size: int = 2048, repeats: int = 4) -> float:
    """Peak fp32 FLOP/s of one thread: the best rate of ``repeats`` ``torch.mm`` of two
    ``size x size`` matrices (2 size^3 FLOP each) after one untimed warm-up, timed with
    ``clock``. Runs on one torch thread and restores the thread count afterwards."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        gen = torch.Generator().manual_seed(0)
        a = torch.rand(size, size, generator=gen, dtype=torch.float32)
        b = torch.rand(size, size, generator=gen, dtype=torch.float32)
        out = torch.empty(size, size, dtype=torch.float32)
        torch.mm(a, b, out=out)
        best = float("inf")
        for _ in range(repeats):
            t0 = clock()
            torch.mm(a, b, out=out)
            best = min(best, clock() - t0)
    finally:
        torch.set_num_threads(threads)
    return 2.0 * size**3 / best


def describe_peak(peak: float, clock_name: str, size: int = 2048) -> str:
    """The line that states the measured peak."""
    return (
        f"peak: {peak / 1e9:.1f} GFLOP/s (fp32 torch.mm {size} x {size} x {size}, "
        f"one thread, best of 4, {clock_name}, this process)"
    )
