"""Settings of the reference jobs (see :mod:`cgexplain.settings`): the liquids' all-atom
reference shards, the structure of CG trajectories and the liquids' CG mapping.

Also home of :class:`RunSettings` (one OpenMM reference run, liquid shard or protein
run), which :mod:`cgexplain.md.reference` imports back.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import numbers
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

from cgexplain.config import from_block, parse_scatteritem, shard_frames
from cgexplain.settings import job, seed_of
from cgexplain.units import PS_PER_FS


def check_seed(seed: int) -> int:
    """A seed for OpenMM's Langevin noise and velocities, which must be at least 1.

    OpenMM reads a seed of 0 as "draw a new one", so a run given 0 could not be
    repeated; the workflow's seeds (:func:`cgexplain.config.system_seed`) are >= 1.
    Integers of numpy count (they are :class:`numbers.Integral`), booleans do not.
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 1:
        raise ValueError(
            f"seed must be an integer >= 1 (OpenMM draws a random seed for 0), got {seed!r}"
        )
    return int(seed)


@dataclass(frozen=True)
class RunSettings:
    """Settings of one reference run.

    Attributes:
        temperature: K.
        friction: Langevin collision rate, 1/ps.
        timestep: fs.
        equilibration: NVT equilibration after minimisation, ps.
        length: production length, ps.
        save_interval: time between stored frames, ps.
        checkpoint_interval: time between checkpoints, ps.
        minimize_tolerance: energy minimisation tolerance, kJ/mol/nm (OpenMM's unit).
        seed: seed for velocities and the Langevin noise, >= 1 (:func:`check_seed`).
        platform: ``"auto"`` (CUDA, then OpenCL, then CPU) or an OpenMM platform name.
        threads: CPU threads for the CPU platform.
        heat_temperature, heat_length: an optional hot run (K, ps) right after the
            minimisation, before the equilibration, to start from a partly unfolded
            protein; ``heat_length = 0`` skips it.
    """

    temperature: float
    friction: float
    timestep: float
    equilibration: float
    length: float
    save_interval: float
    checkpoint_interval: float
    seed: int
    minimize_tolerance: float
    platform: str = "auto"
    threads: int = 1
    heat_temperature: float = 0.0
    heat_length: float = 0.0

    @classmethod
    def from_config(cls, block: Mapping[str, Any], **extra: Any) -> RunSettings:
        """From a validated ``<system>.reference`` block plus derived values (``seed``,
        ``platform``, ``threads``); a liquid's block has no hot run (``heat_*`` stay 0)."""
        return from_block(cls, block, **extra)

    def __post_init__(self) -> None:
        for key in ("temperature", "friction", "timestep", "length", "save_interval"):
            if not getattr(self, key) > 0:
                raise ValueError(f"{key} must be positive, got {getattr(self, key)}")
        if self.equilibration < 0:
            raise ValueError(f"equilibration must be >= 0 ps, got {self.equilibration}")
        if self.heat_length > 0 and not self.heat_temperature > 0:
            raise ValueError("heat_temperature must be positive when heat_length > 0")
        check_seed(self.seed)
        if self.save_interval > self.length:
            raise ValueError(
                f"save_interval ({self.save_interval} ps) is longer than the run "
                f"(length = {self.length} ps)"
            )
        if self.steps(self.save_interval) * self.timestep * PS_PER_FS - self.save_interval > 1e-9:
            raise ValueError("save_interval must be a multiple of the timestep")

    def steps(self, ps: float) -> int:
        """Number of integration steps in ``ps`` picoseconds (rounded)."""
        return int(round(ps / (self.timestep * PS_PER_FS)))

    @property
    def save_steps(self) -> int:
        return self.steps(self.save_interval)

    @property
    def n_frames(self) -> int:
        return self.steps(self.length) // self.save_steps

    @property
    def equilibration_blocks(self) -> int:
        return math.ceil(self.steps(self.equilibration) / self.save_steps)

    @property
    def checkpoint_blocks(self) -> int:
        return max(1, self.steps(self.checkpoint_interval) // self.save_steps)

    def fingerprint(self, system_xml: str) -> str:
        """Hash of everything that determines the run (excluding threads and platform)."""
        d = asdict(self)
        d.pop("threads")
        d.pop("platform")
        h = hashlib.sha256(json.dumps(d, sort_keys=True).encode())
        h.update(system_xml.encode())
        return h.hexdigest()[:16]


#: keys of a ``reference`` block that are run settings (the rest is the system's)
RUN_KEYS = frozenset(f.name for f in dataclasses.fields(RunSettings))


def frozen(value: Any) -> Any:
    """A config value with its lists (at any depth) as tuples, so that it can sit in a
    settings tuple (``[20.0, 20.0, 18.0]`` -> ``(20.0, 20.0, 18.0)``)."""
    if isinstance(value, list | tuple):
        return tuple(frozen(v) for v in value)
    return value


class LiquidBuild(NamedTuple):
    """How a liquid's all-atom system is made (:mod:`cgexplain.md.builders`).

    Attributes:
        name: the builder (the block's ``builder``).
        options: the ``reference`` keys that are not run settings (the builder's own,
            e.g. ``n_molecules``, ``box`` (Å), ``cutoff`` (Å)), as ``(key, value)``
            pairs in the block's order, lists as tuples.
    """

    name: str
    options: tuple[tuple[str, Any], ...]

    def block(self) -> dict[str, Any]:
        """The options as the mapping a builder reads (``builder.build(name, block, ...)``)."""
        return dict(self.options)


class SimulateReference(NamedTuple):
    """Settings of ``simulate_reference``: shard ``shard`` of ``n_shards`` of a liquid's
    reference, an independent run with its own seed and equilibration whose production
    holds its share of the frames (:func:`cgexplain.config.shard_frames`).

    Attributes:
        builder: the all-atom system.
        run: the run; its ``length`` (ps) is the shard's frames x ``save_interval``,
            its seed that of ``reference/<scatteritem>``; ``threads`` is left at 1 for
            the script to set to the job's.
        shard, n_shards: 1-based shard number and number of shards.
    """

    builder: LiquidBuild
    run: RunSettings
    shard: int
    n_shards: int


@job("simulate_reference")
def simulate_reference(
    config: Mapping[str, Any], *, system: str, scatteritem: str
) -> SimulateReference:
    """``config[system].reference`` cut to shard ``scatteritem`` (``k-of-n``)."""
    block = config[system]["reference"]
    shard, n_shards = parse_scatteritem(scatteritem)
    n_frames = int(round(block["length"] / block["save_interval"]))
    length = shard_frames(n_frames, shard, n_shards) * block["save_interval"]
    run = RunSettings.from_config(
        block,
        length=length,
        seed=seed_of(config, system, f"reference/{scatteritem}"),
        platform=config["openmm_platform"],
    )
    options = tuple((k, frozen(v)) for k, v in block.items() if k not in RUN_KEYS)
    return SimulateReference(
        builder=LiquidBuild(config[system]["builder"], options),
        run=run,
        shard=shard,
        n_shards=n_shards,
    )


class AnalyzeStructure(NamedTuple):
    """Settings of ``analyze_reference_structure`` and ``analyze_cg_structure``: the
    structure tables of a liquid's CG trajectory (``config[system].structure``).

    Attributes:
        rdf_max: largest RDF distance, Å; rdf_bins: RDF bins on [0, rdf_max].
        triplet_cutoff: Å; angle_bins, edge_bins: bins of the largest angle over
            [60°, 180°] and of the opposite edge over [0, 2 triplet_cutoff].
        max_frames: at most this many evenly spaced frames are analysed.
        shell_cutoff: first-shell radius, Å; None: the reference's first g(r) minimum
            (a CG run always takes the reference's value from its summary).
        shell_angle_bins: bins of the first-shell angle over [0°, 180°].
        q_bins: bins of the tetrahedral order parameter over [-1, 1].
    """

    rdf_max: float
    rdf_bins: int
    triplet_cutoff: float
    angle_bins: int
    edge_bins: int
    max_frames: int
    shell_cutoff: float | None
    shell_angle_bins: int
    q_bins: int


@job("analyze_reference_structure", "analyze_cg_structure")
def analyze_structure(
    config: Mapping[str, Any], *, system: str, model: str | None = None
) -> AnalyzeStructure:
    """``config[system].structure`` (the same for the reference and every model)."""
    return AnalyzeStructure(
        **{k: config[system]["structure"][k] for k in AnalyzeStructure._fields}
    )


class ForceMap(NamedTuple):
    """Settings of ``map_to_cg`` and ``map_protein``: the force map of the CG data
    (``config[system].force_map``, :func:`cgexplain.cg.force_maps.force_map_choice`).

    Attributes:
        method: ``auto``, ``optimized`` or ``basic``.
        neighbors: residues within this many of a bead's get free weights (proteins;
            a liquid molecule is one constrained group).
        ridge: relative ridge λ of the least-squares fit.
        fit_block: frames per block; the map is fitted on alternate blocks.
    """

    method: str
    neighbors: int
    ridge: float
    fit_block: int


def force_map(config: Mapping[str, Any], system: str) -> ForceMap:
    """The ``force_map`` block of ``system``."""
    return ForceMap(**{k: config[system]["force_map"][k] for k in ForceMap._fields})


@job("map_to_cg")
def map_to_cg(config: Mapping[str, Any], *, system: str) -> ForceMap:
    """The liquid's force map."""
    return force_map(config, system)
