"""Runtime and memory a job asks a scheduler for, from the system's settings.

Every estimate is a measured speed on the reference machine (2 CPU cores) times the
work of the job, plus a margin; the speeds are the named constants below, so a site
with other hardware edits one number. A retry (``attempt`` 2, 3, ...) asks for
proportionally more. Runtimes are minutes and memory MB, as Snakemake's ``runtime``
and ``mem_mb`` resources.

The estimates read one validated system block (``config[system]``) and never a
system's name: a new system of a known kind gets estimates from its settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cgexplain.units import MINUTES_PER_DAY, NS_PER_PS

#: all-atom reference MD of a liquid, ns/day on 2 CPU threads, by builder (measured:
#: methane 125 CH4 PME 8 Å 2 fs; TIP3P 258 waters PME 9 Å 1 fs); other builders: water's
LIQUID_NS_PER_DAY = {"methane_oplsaa": 60.0, "tip3p_waterbox": 25.0}
DEFAULT_LIQUID_NS_PER_DAY = 25.0
#: implicit-solvent protein MD, ns/day on 2 CPU threads (NTL9, GBn2, 12 Å, 4 fs)
PROTEIN_NS_PER_DAY = 15.0
#: force-matching training, frames per second (2-core CPU, PaiNN 64 x 3)
TRAINING_FRAMES_PER_S = 2.0
#: force-matching cost per training frame relative to PaiNN, by architecture (measured in
#: the default run, 1 thread each: water SO3net 32x3 1.3 frames/s, PaiNN 32x3 at 6 Å 7.9,
#: SchNet 32x3 25; methane SO3net 32x3 5.6, PaiNN 64x3 15.6, SchNet 64x3 35)
TRAINING_COST = {"schnet": 0.4, "painn": 1.0, "so3net": 4.0}
#: batched CG Langevin, replica-steps per second (2-core CPU, 258 beads)
CG_REPLICA_STEPS_PER_S = 5.0
#: GNN-LRP of one frame, seconds (2-core CPU, 258 beads, PaiNN 6 Å: 6 s measured,
#: with margin for larger models)
RELEVANCE_S_PER_FRAME = 20.0
#: structure analysis of one frame, seconds (0.1 s measured, with margin)
STRUCTURE_S_PER_FRAME = 0.3
#: water molecules per Å³ at 1 g/cm³ (sizes the memory of a water box's mapping)
WATER_PER_A3 = 0.0334
#: atoms of a liquid whose size is unknown before building (openmm_xml)
DEFAULT_LIQUID_ATOMS = 1000
#: frames of external protein data, unknown before reading (sizes resources only)
DEFAULT_EXTERNAL_FRAMES = 1000
#: a job never asks for more than a week
MAX_MINUTES = 7 * MINUTES_PER_DAY


def reference_frames(block: Mapping[str, Any]) -> int:
    """Stored frames of a liquid's reference (length / save_interval)."""
    ref = block["reference"]
    return int(round(ref["length"] / ref["save_interval"]))


def protein_frames(block: Mapping[str, Any]) -> int:
    """Frames of a protein's reference: all runs, or a guess for external data."""
    ref = block["reference"]
    if ref["external"]:
        return DEFAULT_EXTERNAL_FRAMES
    return ref["n_runs"] * int(round(ref["length"] / ref["save_interval"]))


def training_frames(block: Mapping[str, Any]) -> int:
    """Frames a system's models train on (before the validation split)."""
    return protein_frames(block) if block["kind"] == "protein" else reference_frames(block)


def liquid_atoms(block: Mapping[str, Any]) -> int:
    """All-atom size of a liquid's reference, from its builder settings."""
    ref = block["reference"]
    if block["builder"] == "methane_oplsaa":
        return 5 * ref["n_molecules"]
    if block["builder"] == "tip3p_waterbox":
        return int(3 * WATER_PER_A3 * ref["box_edge"] ** 3)
    return DEFAULT_LIQUID_ATOMS


def reference_runtime(block: Mapping[str, Any], attempt: int = 1) -> int:
    """Minutes of one liquid reference run (all shards' time: an upper bound per shard)."""
    ref = block["reference"]
    speed = LIQUID_NS_PER_DAY.get(block["builder"], DEFAULT_LIQUID_NS_PER_DAY)
    minutes = (ref["length"] + ref["equilibration"]) * NS_PER_PS / speed * MINUTES_PER_DAY
    return int(10 + 1.5 * minutes * attempt)


def _protein_minutes(ps: float, attempt: int) -> int:
    return int(10 + 1.5 * ps * NS_PER_PS / PROTEIN_NS_PER_DAY * MINUTES_PER_DAY * attempt)


def protein_run_runtime(block: Mapping[str, Any], attempt: int = 1) -> int:
    """Minutes of one protein production run (equilibration, production)."""
    ref = block["reference"]
    return _protein_minutes(ref["length"] + ref["equilibration"], attempt)


def protein_ramp_runtime(block: Mapping[str, Any], attempt: int = 1) -> int:
    """Minutes of a protein's heating ramp."""
    return _protein_minutes(block["sampling"]["ramp"]["length"], attempt)


def protein_seed_runtime(block: Mapping[str, Any], attempt: int = 1) -> int:
    """Minutes of one seed: at most the longest biased run."""
    return _protein_minutes(block["sampling"]["bias"]["max_length"], attempt)


def mapping_mem_mb(block: Mapping[str, Any], attempt: int = 1) -> int:
    """MB of the CG mapping: the all-atom trajectory in float32 plus float64 copies."""
    mb = reference_frames(block) * liquid_atoms(block) * 3 * 8 * 6 / 1e6
    return int((1000 + mb) * attempt)


def structure_runtime(block: Mapping[str, Any], attempt: int = 1) -> int:
    """Minutes of the structure analysis of a liquid's trajectory."""
    frames = min(reference_frames(block), block["structure"]["max_frames"])
    return int((10 + frames * STRUCTURE_S_PER_FRAME / 60) * attempt)


def training_runtime(block: Mapping[str, Any], attempt: int = 1) -> int:
    """Minutes of one training job: epochs x training frames at the measured speed."""
    opt = block["training"]["optimizer"]
    frames = training_frames(block) * (1 - opt["val_fraction"])
    minutes = opt["max_epochs"] * frames / TRAINING_FRAMES_PER_S / 60.0
    return int(min(10 + minutes, MAX_MINUTES) * attempt)


def training_priority(architecture: str, base: int = 20) -> int:
    """Scheduling priority of a training job: ``base`` plus the rank of the architecture's
    cost per frame (:data:`TRAINING_COST`), so that the costliest models start first (a
    liquid's slowest model, its CG run and its relevance are the default run's longest
    chain); ``base`` for an architecture without a measured cost."""
    if architecture not in TRAINING_COST:
        return base
    return base + 1 + sorted(TRAINING_COST, key=TRAINING_COST.get).index(architecture)


def simulation_runtime(block: Mapping[str, Any], attempt: int = 1) -> int:
    """Minutes of one batched CG simulation."""
    sim = block["simulation"]
    minutes = sim["n_replicas"] * sim["n_steps"] / CG_REPLICA_STEPS_PER_S / 60.0
    return int(min(10 + minutes, MAX_MINUTES) * attempt)


def relevance_runtime(block: Mapping[str, Any], n_shards: int, attempt: int = 1) -> int:
    """Minutes of one relevance shard (its share of the explained frames)."""
    frames = block["relevance"]["n_frames"] / n_shards
    return int(min(10 + frames * RELEVANCE_S_PER_FRAME / 60.0, 2 * MINUTES_PER_DAY) * attempt)


#: LAMMPS CG Langevin with a tabulated pair potential, bead-steps per second on 2 cores
#: (5e5 measured with 125 and 216 beads; with margin)
IMC_BEAD_STEPS_PER_S = 2.0e5
#: csg_inverse's own work per IMC iteration (csg_stat, the IMC solve, tables), seconds
IMC_ITERATION_OVERHEAD_S = 30.0


def imc_runtime(block: Mapping[str, Any], attempt: int = 1) -> int:
    """Minutes of a liquid's IMC: iterations x (LAMMPS steps + overhead)."""
    imc = block["imc"]
    steps = imc["equilibration_steps"] + imc["steps"]
    seconds = steps * liquid_atoms(block) / IMC_BEAD_STEPS_PER_S + IMC_ITERATION_OVERHEAD_S
    return int(min(10 + imc["iterations"] * seconds / 60.0, MAX_MINUTES) * attempt)


def imc_simulation_runtime(block: Mapping[str, Any], attempt: int = 1) -> int:
    """Minutes of the final LAMMPS run with a liquid's IMC potential."""
    imc = block["imc"]
    steps = imc["final_equilibration_steps"] + imc["final_steps"]
    return int(
        min(10 + steps * liquid_atoms(block) / IMC_BEAD_STEPS_PER_S / 60.0, MAX_MINUTES) * attempt
    )
