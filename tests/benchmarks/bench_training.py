"""Force-matching training throughput: our training step against stock SchNetPack 2.0.4.

A script, not a test (``python tests/benchmarks/bench_training.py [--models painn so3net]
[--steps N] [--batch 8]``). Both sides run in the same process, with the same weights,
the same batch of frames and the same targets, one Lightning ``Trainer`` per timed chunk
(``max_steps`` = chunk length, no validation, no logger), and report training frames per
second (batch size / median step CPU time):

- **ours**: the model that :func:`cgexplain.cg.training.train_force_matching` trains
  (SO3net convolutions switched to :class:`cgexplain.potentials.fast_so3.FastSO3Convolution`;
  PaiNN switched to :class:`cgexplain.potentials.fast_painn.FastPaiNNPotential`, forces and
  their weight gradients by the fused edge kernels where they built; SchNet switched to
  :class:`cgexplain.potentials.fast_schnet.FastSchNetPotential`, its convolution by
  blocks of a half pair list with a hand-written double backward) in the
  ``spk.task.AtomisticTask`` it builds: force MSE loss, AdamW.
- **stock**: a deep copy of the same model with every SchNetPack module restored
  (:func:`~cgexplain.potentials.fast_so3.restore_so3net`,
  :func:`~cgexplain.potentials.fast_painn.restore_painn`,
  :func:`~cgexplain.potentials.fast_schnet.restore_schnet`), i.e. exactly what
  ``spk.representation.PaiNN`` / ``SO3net`` / ``SchNet`` compute, in the same task.

One step is what Lightning does per batch in automatic optimisation: forward (energy and
forces by autograd), force loss, backward through the force (second derivatives), AdamW
step. It is timed from ``on_train_batch_start`` to ``on_train_batch_end`` (a callback)
in CPU time, not wall time: ``time.thread_time`` of the one thread that runs the step with
torch on one thread (``--threads 1``, the default; ``time.process_time``, all threads
summed, with more threads; the clock is printed);
the data loader hands out copies of one prebuilt batch, so data loading and neighbour
lists are outside the timing, as the training's neighbour-list cache makes them after
the first epoch.

Data: ``--batch`` frames of 258 water-like beads (random sites of a 7^3 lattice in a
20 Å box, as ``bench_cg_simulation.py``), periodic neighbour lists from SchNetPack's
``MatScipyNeighborList`` at each model's cutoff, float32, random target forces (speed,
not fitting, is measured). Models: PaiNN 64 x 3, 6 Å; SO3net 32 x 3, lmax 2, 5 Å (the
default configuration's water SO3net); SchNet 64 x 3, 5 Å; 20 RBF each.

Steps are split into ``--rounds`` chunks that alternate between the two sides (ours,
stock, ours, stock, ...), so a burst of load from elsewhere on a shared CPU hits both alike;
each chunk first runs ``--warmup`` untimed steps. Each side reports the median of its
steps' CPU times, and the ratio is of those medians.

Fraction of the compute floor (PaiNN): the analytic FLOP count of one force-matching step
on the batch (3 x energy + forces, see ``compute_floor.py``: per block the filter matmul
E x (K+1) x 3F, the context MLPs N x F x F and N x F x 3F, the edge messages 16 E F, the
mixing 12 N F^2 + N x 2F x F + N x F x 3F; E the batch's pairs within the cutoff) divided
by the median step CPU time and by the peak FLOP/s of one thread, measured at the start
in this process with a large fp32 ``torch.mm`` (printed). Other models print no fraction.

Never asserts a wall-clock time. The last line is the verdict, the ratio of frames/s of
the first model: ``training speed-up over stock SchNetPack: X``.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
from pathlib import Path

import numpy as np
import torch

# isort: off
import cgexplain  # noqa: F401  (installs the torch shim SchNetPack needs: import it first)
import schnetpack as spk

# isort: on
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_cg_simulation's frame
import ase  # noqa: E402
import pytorch_lightning as pl  # noqa: E402
import schnetpack.transform as trn  # noqa: E402
from bench_cg_simulation import BOX, N_BEADS, Z, water_like_frame  # noqa: E402
from compute_floor import (  # noqa: E402
    cpu_clock,
    describe_peak,
    painn_training_step_flops,
    peak_flops,
)

from cgexplain.cg.training import ModelSpec, build_model  # noqa: E402
from cgexplain.potentials.fast_painn import accelerate_painn, restore_painn  # noqa: E402
from cgexplain.potentials.fast_schnet import accelerate_schnet, restore_schnet  # noqa: E402
from cgexplain.potentials.fast_so3 import restore_so3net  # noqa: E402

#: benchmark models: (architecture, features, interactions, cutoff in Å)
MODELS = {
    "painn": ModelSpec("painn", 64, 3, 20, 6.0),
    "so3net": ModelSpec("so3net", 32, 3, 20, 5.0, lmax=2),
    "schnet": ModelSpec("schnet", 64, 3, 20, 5.0),
}


def make_batch(n_frames: int, cutoff: float, seed: int) -> dict[str, torch.Tensor]:
    """One collated SchNetPack batch of ``n_frames`` water-like frames with targets.

    Returns:
        SchNetPack input dict (float32): positions (n_frames * 258, 3) Å, neighbour
        pairs at ``cutoff``, cell, pbc, and ``forces`` (n_frames * 258, 3) targets.
    """
    rng = np.random.default_rng(seed)
    converter = spk.interfaces.AtomsConverter(
        neighbor_list=trn.MatScipyNeighborList(cutoff=cutoff), dtype=torch.float32
    )
    frames = [
        ase.Atoms(
            numbers=[Z] * N_BEADS,
            positions=water_like_frame(seed + k),
            cell=np.eye(3) * BOX,
            pbc=True,
        )
        for k in range(n_frames)
    ]
    batch = converter(frames)
    batch["forces"] = torch.tensor(
        rng.normal(0.0, 5.0, (n_frames * N_BEADS, 3)), dtype=torch.float32
    )
    return batch


class _SameBatch(torch.utils.data.Dataset):
    """``length`` fresh copies of one batch (the model writes into its input dict)."""

    def __init__(self, batch: dict[str, torch.Tensor], length: int) -> None:
        self.batch, self.length = batch, length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        return {k: v.clone() for k, v in self.batch.items()}


#: the CPU clock of the timing and its name (set by ``main`` from ``--threads``)
CLOCK, CLOCK_NAME = cpu_clock(1)


class _StepTimer(pl.Callback):
    """CPU seconds (``CLOCK``) of each training step after the first ``warmup`` of a fit."""

    def __init__(self, warmup: int) -> None:
        self.warmup, self.times, self._start = warmup, [], 0.0

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:
        self._start = CLOCK()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        if batch_idx >= self.warmup:
            self.times.append(CLOCK() - self._start)


def make_task(model: torch.nn.Module) -> spk.task.AtomisticTask:
    """The force-matching task of ``train_force_matching`` (no scheduler: no validation)."""
    return spk.task.AtomisticTask(
        model=model,
        outputs=[
            spk.task.ModelOutput(
                name="forces", loss_fn=torch.nn.MSELoss(), loss_weight=1.0, metrics={}
            )
        ],
        optimizer_cls=torch.optim.AdamW,
        optimizer_args={"lr": 1e-5, "weight_decay": 0.01},
    )


def fit_chunk(task, batch, steps: int, warmup: int) -> list[float]:
    """Run ``warmup + steps`` Lightning training steps; CPU seconds of the last ``steps``."""
    timer = _StepTimer(warmup)
    loader = torch.utils.data.DataLoader(
        _SameBatch(batch, warmup + steps), batch_size=None, shuffle=False
    )
    trainer = pl.Trainer(
        max_steps=warmup + steps,
        accelerator="cpu",
        devices=1,
        callbacks=[timer],
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        inference_mode=False,
        limit_val_batches=0,
        num_sanity_val_steps=0,
    )
    trainer.fit(task, train_dataloaders=loader)
    return timer.times


def bench(name: str, args, peak: float) -> float:
    """Print both sides' frames/s (and, for PaiNN, fraction of the compute floor at
    ``peak`` FLOP/s) for one model; return ours / stock."""
    spec = MODELS[name]
    torch.manual_seed(args.seed)
    ours = build_model(spec).to(torch.float32)
    accelerate_painn(ours) or accelerate_schnet(ours)  # as train_force_matching does
    stock = copy.deepcopy(ours)
    restore_so3net(stock.representation)
    restore_painn(stock)
    restore_schnet(stock)
    same = all(
        torch.equal(a, b)
        for a, b in zip(ours.state_dict().values(), stock.state_dict().values(), strict=True)
    )
    batch = make_batch(args.batch, spec.cutoff, args.seed)
    pairs = batch[spk.properties.idx_i].shape[0]
    tasks = {"ours": make_task(ours), "stock": make_task(stock)}
    times: dict[str, list[float]] = {"ours": [], "stock": []}
    per_round = max(1, args.steps // args.rounds)
    for _ in range(args.rounds):
        for side in ("ours", "stock"):
            times[side] += fit_chunk(tasks[side], batch, per_round, args.warmup)
    rate = {side: args.batch / statistics.median(t) for side, t in times.items()}
    print(
        f"{name:7s} {spec.n_features} x {spec.n_interactions}, {spec.cutoff:g} Å, "
        f"batch {args.batch} ({pairs} pairs), same weights: {same}",
        flush=True,
    )
    for side in ("ours", "stock"):
        t = times[side]
        print(
            f"  {side:5s}: median step {statistics.median(t):.3f} s CPU "
            f"(min {min(t):.3f}, {len(t)} steps): {rate[side]:.2f} frames/s",
            flush=True,
        )
    ratio = rate["ours"] / rate["stock"]
    if spec.architecture == "painn":
        n_atoms = batch[spk.properties.Z].shape[0]
        sizes = (n_atoms, pairs, spec.n_features, spec.n_interactions, spec.n_rbf)
        flops = painn_training_step_flops(*sizes)
        frac = {side: 100 * flops / statistics.median(t) / peak for side, t in times.items()}
        print(
            f"  one training step: {flops / 1e9:.2f} GFLOP (analytic, {n_atoms} beads, "
            f"{pairs} pairs within {spec.cutoff:g} Å)",
            flush=True,
        )
        print(
            f"fraction of the compute floor: ours {frac['ours']:.1f} %, "
            f"stock {frac['stock']:.1f} %",
            flush=True,
        )
    print(f"RESULT {name}: training frames/s ours / stock = {ratio:.2f}", flush=True)
    return ratio


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", choices=tuple(MODELS), default=["painn", "so3net"])
    parser.add_argument("--batch", type=int, default=8, help="frames per batch")
    parser.add_argument("--steps", type=int, default=6, help="timed steps per side")
    parser.add_argument("--rounds", type=int, default=2, help="alternating chunks per side")
    parser.add_argument("--warmup", type=int, default=1, help="untimed steps per chunk")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (timing: 1)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    global CLOCK, CLOCK_NAME
    CLOCK, CLOCK_NAME = cpu_clock(args.threads)
    peak = peak_flops(CLOCK)
    torch.set_num_threads(args.threads)
    print(
        f"torch threads {torch.get_num_threads()}; step times are CPU seconds "
        f"({CLOCK_NAME}), medians over steps of alternating rounds",
        flush=True,
    )
    print(describe_peak(peak, CLOCK_NAME), flush=True)
    ratios = [bench(name, args, peak) for name in args.models]
    print(f"training speed-up over stock SchNetPack: {ratios[0]:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
