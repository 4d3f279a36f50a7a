"""CG Langevin throughput: our batched integrator against SchNetPack 2.0.4's ``schnetpack.md``.

A script, not a test (``python tests/benchmarks/bench_cg_simulation.py [--replicas 1 8 32]
[--steps N] [--model painn] [--so3net]``). Both engines run in the same process, on the
same model object (same weights), the same frame, 2 fs steps, 300 K, and report
replica-steps per second (replicas x steps / CPU seconds of stepping):

- **ours**: :class:`cgexplain.potentials.batched.BatchedPotential` (its Verlet list,
  :class:`cgexplain.potentials.neighbors.VerletList`, skin ``--skin``, default 1 Å, and its
  replicas in model calls of about ``--batch-edges`` pairs) driven by
  :class:`cgexplain.md.langevin.BAOABIntegrator`, wired exactly as
  :func:`~cgexplain.md.cg_simulation.run_cg_simulation` wires them (float64 state,
  friction 10/ps) and timed on that function's inner loop: ``integrator.step(state, 1)``
  plus the per-step ``kinetic_temperature`` accumulation. The per-save checks and
  trajectory writing of ``run_cg_simulation`` (once per save interval) are left out;
  ``--check-run-cg`` also calls ``run_cg_simulation`` itself and prints the rate it
  reports.
- **schnetpack.md**: ``System`` + ``MaxwellBoltzmannInit`` + ``VelocityVerlet`` +
  ``LangevinThermostat`` (time constant 100 fs, i.e. the same 10/ps) + ``Simulator``
  with ``SchNetPackCalculator`` and ``NeighborListMD`` on the periodic
  ``MatScipyNeighborList`` with SchNetPack's default 2 Å buffer shell (``--spk-shell``),
  so its neighbour list is rebuilt only when a bead moved more than half the shell. The
  calculator normally loads a pickled model from a file with ``torch.load`` (which under
  torch >= 2.6 refuses pickled modules) and casts it to float64; here a subclass is
  handed the model object and does the rest of ``_load_model`` (float64 cast, eval,
  post-processing off). Like ``spkmd`` (config ``precision: 32``) the whole simulator is
  then cast to the benchmark precision. Timing runs from the first step's
  ``on_step_begin`` to ``on_simulation_end`` (a hook), so the initial force call of each
  ``simulate`` is excluded, as it is for ours.

Precision: ``--precision 32`` (default) runs the model in float32 in both engines
(ours keeps float64 positions/velocities, schnetpack.md float32 everything);
``--precision 64`` casts the model (and schnetpack.md's state) to float64.

System: 258 beads (Z = 8, 18.015 amu) on a randomly occupied 7x7x7 lattice in a cubic
20 Å box with +-0.1 Å jitter (minimum distance ~2.66 Å). Model: ``build_model`` with
PaiNN 64 features, 3 interactions, 20 RBF, 6 Å (``--so3net`` adds SO3net lmax 2, 64
features, 3 interactions, 5 Å), random weights. Untrained, these give forces below
1 kcal/mol/Å on this frame, so neither simulation blows up at 2 fs and no rescaling is
needed; ``--energy-scale`` would multiply the energy head's last layer (energy and
forces scale alike, in both engines) if a model ever did. Speed, not physics, is
measured; the final temperatures are printed only as a sanity check.

Clock: CPU time, not wall time: ``time.thread_time`` of the one thread that steps, with
torch on one thread (``--threads 1``, the default); with more threads
``time.process_time`` (all threads summed). The clock is printed.

Fraction of the compute floor (PaiNN): the analytic FLOP count of one energy + forces
(``compute_floor.py``: 2 x the forward pass, whose blocks cost the filter matmul
E x (K+1) x 3F, the context MLPs N x F x F and N x F x 3F, the edge messages 16 E F, the
mixing 12 N F^2 + N x 2F x F + N x F x 3F; E the start frame's directed pairs within the
cutoff, so a Verlet skin's or buffer shell's extra pairs count as overhead) per
replica-step, divided by the median CPU time per replica-step and by the peak FLOP/s of
one thread measured at the start in this process with a large fp32 ``torch.mm`` (printed).

Each replica count gets ``--warmup`` untimed steps per engine first. Steps per row are
``min(--steps, max(2, --max-replica-steps // R))`` so large batches stay short on a
small machine; they are split into ``--rounds`` chunks that alternate between the two
engines (ours, schnetpack.md, ours, ...; each keeps its state between chunks), so a burst
of load from elsewhere on a shared CPU hits both alike. The table shows the mean rate
(total stepping CPU time, which includes schnetpack.md's occasional neighbour-list
rebuilds) and the rate from the median step CPU time (robust to a noisy, shared CPU);
below it, per row, each side's median CPU time per replica-step, their ratio and the
fractions of the compute floor. Never asserts a wall-clock time.

The line ``fraction of the compute floor: ours X %, stock Y %`` is that of the 4-replica row
(the first row without it). The last line is the verdict, the ratio of median rates at 4
replicas (the first model):
``cg-simulation speed-up over schnetpack.md: X``. Both engines run in one process after
``import cgexplain``, so both have its allocator tuning (:mod:`cgexplain.runtime`).
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import tempfile

import numpy as np
import torch

# isort: off
import cgexplain  # noqa: F401  (installs the torch shim SchNetPack needs: import it first)
import schnetpack  # noqa: F401

# isort: on
import ase  # noqa: E402
import schnetpack.md as spkmd  # noqa: E402
import schnetpack.transform as trn  # noqa: E402
from compute_floor import (  # noqa: E402
    count_pairs,
    cpu_clock,
    describe_peak,
    painn_energy_forces_flops,
    peak_flops,
)
from schnetpack.md.calculators import SchNetPackCalculator  # noqa: E402
from schnetpack.md.neighborlist_md import NeighborListMD  # noqa: E402
from schnetpack.md.simulation_hooks import LangevinThermostat, SimulationHook  # noqa: E402

from cgexplain.cg.training import ModelSpec, build_model  # noqa: E402
from cgexplain.md.cg_simulation import CGRunSettings, run_cg_simulation  # noqa: E402
from cgexplain.md.langevin import BAOABIntegrator, kinetic_temperature  # noqa: E402
from cgexplain.potentials.batched import BatchedPotential  # noqa: E402

N_BEADS = 258
BOX = 20.0
Z = 8
MASS = 18.015
TEMPERATURE = 300.0
TIME_CONSTANT_FS = 100.0  # schnetpack.md Langevin default; friction 1/100 fs = 10/ps

#: the CPU clock of the timing and its name (set by ``main`` from ``--threads``)
CLOCK, CLOCK_NAME = cpu_clock(1)


def water_like_frame(seed: int) -> np.ndarray:
    """(258, 3) positions, Å: random sites of a 7^3 lattice in the 20 Å box, jittered."""
    rng = np.random.default_rng(seed)
    n = 7
    spacing = BOX / n
    grid = np.stack(np.meshgrid(*[np.arange(n)] * 3, indexing="ij"), -1).reshape(-1, 3)
    sites = grid[rng.choice(len(grid), N_BEADS, replace=False)] * spacing + spacing / 2
    pos = sites + rng.uniform(-0.1, 0.1, sites.shape)
    d = pos[:, None] - pos[None]
    d -= BOX * np.round(d / BOX)
    dist = np.linalg.norm(d, axis=-1) + np.eye(N_BEADS) * 1e9
    assert dist.min() > 2.5, dist.min()
    return pos


def make_model(spec: ModelSpec, energy_scale: float, seed: int, dtype: torch.dtype):
    torch.manual_seed(seed)
    model = build_model(spec)
    if energy_scale != 1.0:
        last = model.output_modules[0].outnet[-1]
        with torch.no_grad():
            last.weight.mul_(energy_scale)
            last.bias.mul_(energy_scale)
    return model.to(dtype).eval()


# --------------------------------------------------------------------------- ours


class OursRunner:
    """run_cg_simulation's integrator and potential, kept between timed chunks."""

    def __init__(self, model, spec, pos, replicas, warmup, seed, skin, batch_edges):
        masses = np.full(N_BEADS, MASS)
        box = np.eye(3) * BOX
        potential = BatchedPotential(
            model, np.full(N_BEADS, Z), box, spec.cutoff, skin=skin, batch_edges=batch_edges
        )
        self.potential = potential
        # the same wiring as run_cg_simulation
        gen = torch.Generator().manual_seed(seed)
        self.masses_t = torch.as_tensor(masses, dtype=torch.float64)
        box_t = torch.as_tensor(box, dtype=torch.float64)
        self.integrator = BAOABIntegrator(
            potential,
            self.masses_t,
            TEMPERATURE,
            1e3 / TIME_CONSTANT_FS,  # 1/ps
            2.0 * 1e-3,  # ps
            box=box_t,
            generator=gen,
        )
        start = np.repeat(pos[None], replicas, axis=0)
        self.state = self.integrator.initialize(torch.as_tensor(start, dtype=torch.float64))
        self.t_block = torch.zeros(replicas, dtype=torch.float64)
        self.run(warmup)

    def run(self, steps: int) -> list[float]:
        """CPU seconds of each of ``steps`` steps of run_cg_simulation's inner loop."""
        times = []
        for _ in range(steps):
            t0 = CLOCK()
            self.integrator.step(self.state, 1)
            self.t_block += kinetic_temperature(self.state.velocities, self.masses_t)
            times.append(CLOCK() - t0)
        return times

    def finish(self) -> tuple[float, bool]:
        """Mean final temperature (K), whether everything is finite."""
        st = self.state
        ok = bool(torch.isfinite(st.positions).all() and torch.isfinite(st.forces).all())
        return float(kinetic_temperature(st.velocities, self.masses_t).mean()), ok


def check_run_cg(model, spec, pos, replicas, steps, seed):
    """Rate reported by run_cg_simulation itself (one save at the end, temp dir)."""
    potential = BatchedPotential(model, np.full(N_BEADS, Z), np.eye(3) * BOX, spec.cutoff)
    settings = CGRunSettings(
        temperature=TEMPERATURE,
        friction=1e3 / TIME_CONSTANT_FS,
        timestep=2.0,
        n_steps=steps,
        save_interval=steps,
        seed=seed,
        min_distance=1.0,
        temperature_factor=3.0,
    )
    start = np.repeat(pos[None], replicas, axis=0)
    with tempfile.TemporaryDirectory() as tmp:
        summary = run_cg_simulation(
            potential, start, np.full(N_BEADS, MASS), settings, f"{tmp}/traj.h5", "bench"
        )
    return summary["replica_steps_per_second"]


# ------------------------------------------------------------------ schnetpack.md


class _CountingMatScipy(trn.MatScipyNeighborList):
    """MatScipy neighbour list that counts its (per-replica) builds."""

    builds = 0

    def _build_neighbor_list(self, *args, **kwargs):
        type(self).builds += 1
        return super()._build_neighbor_list(*args, **kwargs)


class _ModelCalculator(SchNetPackCalculator):
    """SchNetPackCalculator handed a model object instead of a pickled file.

    Does what ``SchNetPackCalculator._load_model`` does after ``torch.load``: float64
    cast, eval mode, post-processing off (no stress, no TorchScript).
    """

    def __init__(self, model, **kwargs):
        object.__setattr__(self, "_model_object", model)  # before Module.__init__
        super().__init__(model_file="<in memory>", **kwargs)

    def _prepare_model(self, model_file):
        model = self._model_object.to(torch.float64).eval()
        self._deactivate_postprocessing(model)
        object.__delattr__(self, "_model_object")
        return model


class _StepTimer(SimulationHook):
    """CPU-time stamps (``CLOCK``) at each step's start and at the end of the simulation."""

    def __init__(self):
        super().__init__()
        self.stamps: list[float] = []

    def on_step_begin(self, simulator):
        self.stamps.append(CLOCK())

    def on_simulation_end(self, simulator):
        self.stamps.append(CLOCK())

    def step_times(self) -> list[float]:
        return list(np.diff(self.stamps))


class SpkRunner:
    """schnetpack.md System + Simulator, kept between timed chunks."""

    def __init__(self, model, spec, pos, replicas, warmup, shell, dtype, seed):
        torch.manual_seed(seed)
        atoms = ase.Atoms(
            numbers=np.full(N_BEADS, Z),
            positions=pos,
            masses=np.full(N_BEADS, MASS),
            cell=np.eye(3) * BOX,
            pbc=True,
        )
        self.replicas = replicas
        self.system = spkmd.System()
        self.system.load_molecules(atoms, n_replicas=replicas, position_unit_input="Angstrom")
        spkmd.MaxwellBoltzmannInit(
            TEMPERATURE, remove_center_of_mass=False, remove_translation=True
        ).initialize_system(self.system)
        calculator = _ModelCalculator(
            model,
            force_key="forces",
            energy_unit="kcal/mol",
            position_unit="Angstrom",
            neighbor_list=NeighborListMD(
                cutoff=spec.cutoff, cutoff_shell=shell, base_nbl=_CountingMatScipy
            ),
            energy_key="energy",
            required_properties=["energy", "forces"],
        )
        self.timer = _StepTimer()
        simulator = spkmd.Simulator(
            self.system,
            spkmd.integrators.VelocityVerlet(2.0),
            calculator,
            simulator_hooks=[self.timer, LangevinThermostat(TEMPERATURE, TIME_CONSTANT_FS)],
            progress=False,
        )
        self.simulator = simulator.to(dtype)  # as spkmd does with its `precision` setting
        self.system = self.simulator.system
        self.builds = 0
        if warmup:
            self.simulator.simulate(warmup)

    def run(self, steps: int) -> list[float]:
        """CPU seconds of each step of one ``simulate(steps)`` (initial force call excluded)."""
        self.timer.stamps.clear()
        builds0 = _CountingMatScipy.builds
        self.simulator.simulate(steps)
        self.builds += _CountingMatScipy.builds - builds0
        return self.timer.step_times()

    def finish(self) -> tuple[float, bool]:
        sy = self.system
        ok = bool(torch.isfinite(sy.positions).all() and torch.isfinite(sy.forces).all())
        return float(sy.temperature.mean()), ok


# --------------------------------------------------------------------------- main


def bench_model(spec: ModelSpec, args, pos, peak: float) -> dict[int, float]:
    """Print the table of one model and, per row, the median CPU times per replica-step and
    (PaiNN) the fractions of the compute floor at ``peak`` FLOP/s; return {replicas: ratio
    of median rates}."""
    dtype = torch.float32 if args.precision == 32 else torch.float64
    model = make_model(spec, args.energy_scale, args.seed, dtype)
    rows = sorted(set(args.replicas) | ({4} if args.with_four else set()))
    print(
        f"\n{spec.architecture}: {spec.n_features} features, {spec.n_interactions} interactions, "
        f"{spec.n_rbf} rbf, cutoff {spec.cutoff} Å"
        + (f", lmax {spec.lmax}" if spec.architecture == "so3net" else "")
        + f"; {N_BEADS} beads, {BOX:.0f} Å box, dt 2 fs, float{args.precision}, "
        f"{torch.get_num_threads()} threads",
        flush=True,
    )
    header = (
        f"{'R':>3} {'steps':>5} | {'ours':>8} {'spk.md':>8} {'ratio':>6} | "
        f"{'ours':>8} {'spk.md':>8} {'ratio':>6} | {'ours':>5} {'spk':>5} | {'T ours':>6} {'T spk':>6}"
    )
    print(
        f"{'':9} | {'replica-steps/s (mean)':^24} | {'replica-steps/s (median)':^24} |"
        f" {'NL builds':^11} | {'final T (K)':^13}"
    )
    print(header)
    print("-" * len(header), flush=True)
    ratios: dict[int, float] = {}
    medians: dict[int, tuple[float, float]] = {}  # CPU s per replica-step: ours, spk.md
    for replicas in rows:
        steps = min(args.steps, max(2, args.max_replica_steps // replicas))
        warmup = args.warmup
        ours = OursRunner(
            model, spec, pos, replicas, warmup, args.seed, args.skin, args.batch_edges or None
        )
        spk = SpkRunner(
            copy.deepcopy(model), spec, pos, replicas, warmup, args.spk_shell, dtype, args.seed
        )
        ours_t, spk_t = [], []
        ours_builds0 = ours.potential.neighbor_list_builds
        rounds = max(1, min(args.rounds, steps // 2))
        for chunk in np.array_split(np.arange(steps), rounds):  # alternate: fair under load
            ours_t += ours.run(len(chunk))
            spk_t += spk.run(len(chunk))
        ours_temp, ours_ok = ours.finish()
        spk_temp, spk_ok = spk.finish()
        builds = spk.builds / replicas
        our_builds = (ours.potential.neighbor_list_builds - ours_builds0) / replicas
        o_mean, s_mean = replicas * steps / sum(ours_t), replicas * steps / sum(spk_t)
        o_med = replicas / statistics.median(ours_t)
        s_med = replicas / statistics.median(spk_t)
        flag = "" if ours_ok and spk_ok else "  NON-FINITE!"
        print(
            f"{replicas:>3} {steps:>5} | {o_mean:8.2f} {s_mean:8.2f} {o_mean / s_mean:6.2f} | "
            f"{o_med:8.2f} {s_med:8.2f} {o_med / s_med:6.2f} | {our_builds / steps:5.2f} {builds / steps:5.2f} | "
            f"{ours_temp:6.0f} {spk_temp:6.0f}{flag}",
            flush=True,
        )
        ratios[replicas] = o_med / s_med
        medians[replicas] = (1 / o_med, 1 / s_med)
        if args.check_run_cg:
            rate = check_run_cg(model, spec, pos, replicas, steps, args.seed)
            print(f"    run_cg_simulation reports {rate:.2f} replica-steps/s", flush=True)
    print(
        "NL builds: neighbour-list builds per replica per timed step (ours: Verlet skin "
        f"{args.skin} Å; schnetpack.md: buffer shell {args.spk_shell} Å).",
        flush=True,
    )
    flops = None
    if spec.architecture == "painn":
        pairs = count_pairs(pos, BOX, spec.cutoff)
        sizes = (N_BEADS, pairs, spec.n_features, spec.n_interactions, spec.n_rbf)
        flops = painn_energy_forces_flops(*sizes)
        print(
            f"one energy + forces: {flops / 1e9:.3f} GFLOP (analytic, {N_BEADS} beads, "
            f"{pairs} pairs within {spec.cutoff:g} Å); {describe_peak(peak, CLOCK_NAME)}",
            flush=True,
        )
    print(f"median CPU time per replica-step ({CLOCK_NAME}):", flush=True)
    fractions = {}
    for replicas, (ours_s, spk_s) in medians.items():
        line = (
            f"  R {replicas:>3}: ours {1e3 * ours_s:8.2f} ms, schnetpack.md {1e3 * spk_s:8.2f} ms, "
            f"spk.md / ours {spk_s / ours_s:5.2f}"
        )
        if flops is not None:
            fractions[replicas] = (100 * flops / ours_s / peak, 100 * flops / spk_s / peak)
            line += (
                f"; compute floor: ours {fractions[replicas][0]:5.1f} %, "
                f"stock {fractions[replicas][1]:5.1f} %"
            )
        print(line, flush=True)
    if fractions:
        ours_f, spk_f = fractions.get(4, fractions[rows[0]])
        print(
            f"fraction of the compute floor: ours {ours_f:.1f} %, stock {spk_f:.1f} %", flush=True
        )
    return ratios


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument(
        "--no-four",
        dest="with_four",
        action="store_false",
        help="do not add the 4-replica row",
    )
    parser.add_argument("--steps", type=int, default=20, help="timed steps per row (at most)")
    parser.add_argument(
        "--max-replica-steps",
        type=int,
        default=160,
        help="cap on timed replica-steps per row and engine (steps >= 2)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="alternate the engines in this many chunks per row (each >= 2 steps)",
    )
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps per engine and row")
    parser.add_argument("--model", choices=("painn", "so3net", "schnet"), default="painn")
    parser.add_argument("--so3net", action="store_true", help="also benchmark SO3net (lmax 2)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (timing: 1)")
    parser.add_argument("--precision", type=int, choices=(32, 64), default=32)
    parser.add_argument("--skin", type=float, default=1.0, help="our Verlet skin, Å")
    parser.add_argument(
        "--batch-edges",
        type=int,
        default=25_000,
        help="our pairs per model call (0: all replicas in one call)",
    )
    parser.add_argument("--spk-shell", type=float, default=2.0, help="NeighborListMD buffer, Å")
    parser.add_argument("--energy-scale", type=float, default=1.0)
    parser.add_argument(
        "--check-run-cg", action="store_true", help="also time run_cg_simulation itself"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    global CLOCK, CLOCK_NAME
    CLOCK, CLOCK_NAME = cpu_clock(args.threads)
    peak = peak_flops(CLOCK)
    torch.set_num_threads(args.threads)
    print(describe_peak(peak, CLOCK_NAME), flush=True)
    pos = water_like_frame(args.seed)
    cutoff = {"painn": 6.0, "so3net": 5.0, "schnet": 6.0}[args.model]
    specs = [ModelSpec(args.model, 64, 3, 20, cutoff, lmax=2)]
    if args.so3net and args.model != "so3net":
        specs.append(ModelSpec("so3net", 64, 3, 20, 5.0, lmax=2))
    ratios = [bench_model(spec, args, pos, peak) for spec in specs]
    verdict = ratios[0].get(4)
    if verdict is not None:
        print(f"cg-simulation speed-up over schnetpack.md: {verdict:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
