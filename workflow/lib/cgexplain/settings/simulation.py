"""Settings of the CG simulation jobs (see :mod:`cgexplain.settings`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from cgexplain.config import from_block
from cgexplain.settings import job, seed_of
from cgexplain.settings.training import SeriesRun, cutoff_series_runs, series_models


@dataclass(frozen=True)
class CGRunSettings:
    """Settings of a batched CG Langevin run.

    Attributes:
        temperature: K; friction: 1/ps; timestep: fs.
        n_steps: integration steps; save_interval: steps between stored frames.
        seed: seed of velocities and noise.
        min_distance: beads closer than this (Å) stop the run.
        temperature_factor: a replica hotter than T x factor or colder than T / factor
            (averaged over a save interval) stops the run.
    """

    temperature: float
    friction: float
    timestep: float
    n_steps: int
    save_interval: int
    seed: int
    min_distance: float
    temperature_factor: float

    @classmethod
    def from_config(cls, block: Mapping[str, Any], **extra: Any) -> CGRunSettings:
        """From a validated ``<system>.simulation`` block plus its derived ``seed``."""
        return from_block(cls, block, **extra)

    def __post_init__(self) -> None:
        if self.save_interval > self.n_steps:
            raise ValueError(
                f"save_interval ({self.save_interval} steps) exceeds n_steps ({self.n_steps})"
            )


class SimulateCG(NamedTuple):
    """Settings of ``simulate_cg``: one batched Langevin run of a trained potential.

    Attributes:
        run: the integrator, its length and its seed.
        n_replicas: replicas run side by side, started from evenly spaced frames of
            the mapped reference.
        bead_mass: mass of every bead, g/mol.
        neighbor_skin: Verlet-list skin, Å.
    """

    run: CGRunSettings
    n_replicas: int
    bead_mass: float
    neighbor_skin: float


@job("simulate_cg")
def simulate_cg(config: Mapping[str, Any], *, system: str, model: str) -> SimulateCG:
    """``config[system].simulation`` with the seed of ``simulation/<model>``."""
    block = config[system]["simulation"]
    seed = seed_of(config, system, f"simulation/{model}")
    return SimulateCG(
        run=CGRunSettings.from_config(block, seed=seed),
        n_replicas=int(block["n_replicas"]),
        bead_mass=float(block["bead_mass"]),
        neighbor_skin=float(block["neighbor_skin"]),
    )


def structure_pairs(
    config: Mapping[str, Any], imc_systems: Sequence[str]
) -> tuple[tuple[str, str], ...]:
    """(system, model) of every liquid CG simulation whose structure is validated: the
    trained potentials of each liquid, then the IMC pair potential (model ``imc``) of
    each of ``imc_systems``, then the cutoff-series copies."""
    liquids = [s for s in config["systems"] if config[s]["kind"] == "liquid"]
    return (
        tuple((s, m) for s in liquids for m in config[s]["training"]["models"])
        + tuple((s, "imc") for s in imc_systems)
        + tuple((s, m) for s in liquids for m in series_models(config, s))
    )


@dataclass(frozen=True)
class StructureBootstrap:
    """Block bootstrap of one liquid's structure metrics
    (:func:`cgexplain.analysis.compare.structure_intervals`).

    Attributes:
        system: the liquid.
        n_resamples: bootstrap resamples.
        confidence: level of the percentile intervals, in (0, 1).
        block_length: frames per block; None: from the autocorrelation time.
        seed: seed of the resampling (stage ``structure_metrics``).
    """

    system: str
    n_resamples: int
    confidence: float
    block_length: int | None
    seed: int


class ValidateStructure(NamedTuple):
    """Settings of ``validate_structure``: every CG simulation's structure against its
    reference, with intervals.

    Attributes:
        pairs: (system, model) of each simulation, in the order of the rule's inputs.
        bootstrap: one :class:`StructureBootstrap` per liquid, in the config's order.
    """

    pairs: tuple[tuple[str, str], ...]
    bootstrap: tuple[StructureBootstrap, ...]

    def bootstrap_of(self, system: str) -> StructureBootstrap:
        """The bootstrap settings of ``system``.

        Raises:
            KeyError: ``system`` is not a liquid of the config.
        """
        for settings in self.bootstrap:
            if settings.system == system:
                return settings
        raise KeyError(f"no structure bootstrap settings for {system!r}")


@job("validate_structure")
def validate_structure(
    config: Mapping[str, Any], *, imc_systems: Sequence[str]
) -> ValidateStructure:
    """:func:`structure_pairs` and each liquid's ``relevance.bootstrap`` block with the
    seed of ``structure_metrics``.

    Args:
        imc_systems: the liquids whose IMC pair potential is simulated (a workflow fact:
            the IMC tools may be missing).
    """
    liquids = [s for s in config["systems"] if config[s]["kind"] == "liquid"]
    return ValidateStructure(
        pairs=structure_pairs(config, imc_systems),
        bootstrap=tuple(
            from_block(
                StructureBootstrap,
                config[s]["relevance"]["bootstrap"],
                system=s,
                seed=seed_of(config, s, "structure_metrics"),
            )
            for s in liquids
        ),
    )


class CompareCutoffs(NamedTuple):
    """Settings of ``compare_cutoffs`` (Suppl. Fig. S2).

    Attributes:
        runs: (model name, cutoff Å) of the liquid's cutoff series, by cutoff, in the
            order of the rule's inputs.
    """

    runs: tuple[SeriesRun, ...]


@job("compare_cutoffs")
def compare_cutoffs(config: Mapping[str, Any], *, system: str) -> CompareCutoffs:
    """:func:`cgexplain.settings.training.cutoff_series_runs` of ``system``."""
    return CompareCutoffs(runs=cutoff_series_runs(config, system))
