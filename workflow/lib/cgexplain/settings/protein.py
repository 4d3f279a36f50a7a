"""Settings of the protein jobs (see :mod:`cgexplain.settings`): the structure, the
seeds of the folding states (heating ramp, biased runs), the unbiased production runs,
the Cα mapping and the state assignment.

Also home of :class:`RampSettings`, :class:`BiasSettings` and of the one rule that
names the seed state of each production run (:func:`seed_state`), which
:mod:`cgexplain.md.sampling` imports back and the workflow's input function of
``simulate_protein`` calls to name the seed file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from cgexplain.config import parse_scatteritem, systems_of_kind
from cgexplain.errors import InputError
from cgexplain.settings import job, seed_of
from cgexplain.settings.reference import ForceMap, RunSettings, force_map

# ---------------------------------------------------------------- library settings


@dataclass(frozen=True)
class RampSettings:
    """A linear heating ramp.

    Attributes:
        start_temperature, end_temperature: K.
        length: ps; save_interval: ps between recorded frames.
        friction: 1/ps; timestep: fs; seed; platform; threads: as for reference runs.
    """

    start_temperature: float
    end_temperature: float
    length: float
    save_interval: float
    friction: float = 1.0
    timestep: float = 4.0
    seed: int = 1
    platform: str = "auto"
    threads: int = 1
    minimize_tolerance: float = 10.0

    def __post_init__(self) -> None:
        for key in ("start_temperature", "end_temperature", "length", "save_interval"):
            if not getattr(self, key) > 0:
                raise InputError(f"ramp {key} must be positive, got {getattr(self, key)}")
        if self.save_interval > self.length:
            raise InputError("ramp save_interval is longer than the ramp")

    @property
    def save_steps(self) -> int:
        return max(1, int(round(self.save_interval * 1000.0 / self.timestep)))

    @property
    def n_frames(self) -> int:
        return int(round(self.length / self.save_interval))


@dataclass(frozen=True)
class BiasSettings:
    """A biased run that makes a seed of a state no ramp frame is in.

    Attributes:
        k: wall stiffness, kcal/mol per unit fraction².
        sharpness: of the smooth contact fraction, 1/Å.
        tolerance: λ of the biased smooth fraction; larger than the state's tolerance so
            that a broken element is pulled well past the state's contact distance
            (contacts stretched just past it snap back once the bias is off).
        margin: walls at ``formed + margin`` / ``broken - margin``.
        temperature: K; max_length: ps at most; settle: ps the state must hold.
        save_interval: ps between checks.
    """

    k: float = 300.0
    sharpness: float = 2.0
    tolerance: float = 1.5
    margin: float = 0.1
    temperature: float = 350.0
    max_length: float = 20.0
    settle: float = 1.0
    save_interval: float = 0.2
    friction: float = 1.0
    timestep: float = 4.0
    seed: int = 1
    platform: str = "auto"
    threads: int = 1


def seed_state(run: int, states: Sequence[str]) -> str:
    """Seed state of production run ``run`` (1-based): the runs cycle through ``states``.

    Raises:
        InputError: ``states`` is empty.
    """
    if not states:
        raise InputError("sampling.states is empty")
    return states[(run - 1) % len(states)]


def seed_states(n_runs: int, states: Sequence[str]) -> list[str]:
    """Seed state of each of ``n_runs`` production runs, cycling through ``states``."""
    if not states:
        raise InputError("sampling.states is empty")
    return [seed_state(k + 1, states) for k in range(n_runs)]


def seed_state_of_run(config: Mapping[str, Any], system: str, scatteritem: str) -> str:
    """The folding state whose seed starts production run ``scatteritem`` (``k-of-n``)
    of ``system`` (the seed file the run reads is named by it)."""
    run, _ = parse_scatteritem(scatteritem)
    return seed_state(run, config[system]["sampling"]["states"])


# ---------------------------------------------------------------- job settings


class ProteinSystem(NamedTuple):
    """The all-atom protein in implicit solvent: the keyword arguments of
    :func:`cgexplain.md.protein.build_protein_system` (``**system._asdict()``).

    Attributes:
        name: the system's name (stored in the trajectory).
        forcefield, implicit_solvent: OpenMM force-field files.
        cutoff: non-bonded cutoff, Å (0: none).
        hydrogen_mass: repartitioned hydrogen mass, amu (0: natural).
    """

    name: str
    forcefield: str
    implicit_solvent: str
    cutoff: float
    hydrogen_mass: float


def protein_system(config: Mapping[str, Any], system: str) -> ProteinSystem:
    """The system part of ``config[system].reference``."""
    block = config[system]["reference"]
    return ProteinSystem(system, *(block[k] for k in ProteinSystem._fields[1:]))


class StateThresholds(NamedTuple):
    """Native-contact thresholds of the folding states (``config[system].states``).

    Attributes:
        native_cutoff: Cα pairs closer in the native structure are native contacts, Å.
        tolerance: a contact is formed below tolerance x its native distance.
        formed, broken: contact fractions at or above / at or below which an element
            is formed / broken.
    """

    native_cutoff: float
    tolerance: float
    formed: float
    broken: float


def state_thresholds(config: Mapping[str, Any], system: str) -> StateThresholds:
    block = config[system]["states"]
    return StateThresholds(*(block[k] for k in StateThresholds._fields))


class DownloadStructure(NamedTuple):
    """Settings of ``download_structure``.

    Attributes:
        url: the address of the PDB entry (the url template of the protein naming it).
    """

    url: str


@job("download_structure")
def download_structure(config: Mapping[str, Any], *, pdb_id: str) -> DownloadStructure:
    """The url of entry ``pdb_id`` (upper case) from the first protein that names it.

    Raises:
        ValueError: no protein of the config names the entry.
    """
    for system in systems_of_kind(config, "protein"):
        source = config[system]["structure_source"]
        if (source["pdb_id"] or "").upper() == pdb_id:
            return DownloadStructure(source["url"].format(pdb_id=pdb_id))
    raise ValueError(f"no protein of the config names PDB entry {pdb_id}")


class PrepareStructure(NamedTuple):
    """Settings of ``prepare_structure`` (``config[system].structure_source``).

    Attributes:
        chain: the kept chain; first_residue, last_residue: the kept residues (PDB
            numbering, inclusive); ph: protonation pH.
    """

    chain: str
    first_residue: int
    last_residue: int
    ph: float


@job("prepare_structure")
def prepare_structure(config: Mapping[str, Any], *, system: str) -> PrepareStructure:
    source = config[system]["structure_source"]
    return PrepareStructure(*(source[k] for k in PrepareStructure._fields))


def _dynamics(config: Mapping[str, Any], system: str, stage: str) -> dict[str, Any]:
    """The reference's friction (1/ps), timestep (fs) and platform, and the seed of
    ``stage`` (the ramp's and the biased runs' dynamics)."""
    block = config[system]["reference"]
    return {
        "friction": block["friction"],
        "timestep": block["timestep"],
        "seed": seed_of(config, system, stage),
        "platform": config["openmm_platform"],
    }


class RampProtein(NamedTuple):
    """Settings of ``ramp_protein``: the heating ramp from the native structure.

    Attributes:
        system: the all-atom protein.
        ramp: ``sampling.ramp`` with the reference's dynamics and the seed of ``ramp``;
            ``threads`` is left at 1 for the script to set to the job's.
        states: the thresholds of the contact fractions recorded frame by frame.
    """

    system: ProteinSystem
    ramp: RampSettings
    states: StateThresholds


@job("ramp_protein")
def ramp_protein(config: Mapping[str, Any], *, system: str) -> RampProtein:
    ramp = RampSettings(**config[system]["sampling"]["ramp"], **_dynamics(config, system, "ramp"))
    return RampProtein(protein_system(config, system), ramp, state_thresholds(config, system))


class SeedProtein(NamedTuple):
    """Settings of ``seed_protein``: the seed of one folding state.

    Attributes:
        system: the all-atom protein.
        bias: ``sampling.bias`` at the reference temperature with the reference's
            dynamics and the seed of ``seed/<state>`` (used only when no ramp frame is
            in the state); ``threads`` is left at 1 for the script to set.
        states: the thresholds of the states.
    """

    system: ProteinSystem
    bias: BiasSettings
    states: StateThresholds


@job("seed_protein")
def seed_protein(config: Mapping[str, Any], *, system: str, state: str) -> SeedProtein:
    bias = BiasSettings(
        **config[system]["sampling"]["bias"],
        temperature=config[system]["reference"]["temperature"],
        **_dynamics(config, system, f"seed/{state}"),
    )
    return SeedProtein(protein_system(config, system), bias, state_thresholds(config, system))


class HoldWalls(NamedTuple):
    """The Cα-only walls that hold a production run in its seed's state
    (``sampling.bias``, :func:`cgexplain.md.sampling.contact_bias`).

    Attributes:
        k: wall stiffness, kcal/mol per unit fraction²; margin: walls at
            ``formed + margin`` / ``broken - margin``; tolerance: λ of the biased smooth
            fraction; sharpness: of the smooth fraction, 1/Å.
    """

    k: float
    margin: float
    tolerance: float
    sharpness: float


class SimulateProtein(NamedTuple):
    """Settings of ``simulate_protein``: production run ``run_number`` of ``n_runs``.

    Attributes:
        system: the all-atom protein.
        run: the reference's run settings with the seed of ``reference/<scatteritem>``
            (``threads`` is left at 1 for the script to set).
        seed_state: the state whose seed starts the run (:func:`seed_state`); the seed
            file records it too.
        hold: runs from seeds of these states keep the state's walls.
        walls: the walls of a held run.
        states: the thresholds of the states (the walls sit at formed / broken).
        run_number, n_runs: 1-based run number and number of runs.
    """

    system: ProteinSystem
    run: RunSettings
    seed_state: str
    hold: tuple[str, ...]
    walls: HoldWalls
    states: StateThresholds
    run_number: int
    n_runs: int


@job("simulate_protein")
def simulate_protein(
    config: Mapping[str, Any], *, system: str, scatteritem: str
) -> SimulateProtein:
    sampling = config[system]["sampling"]
    run_number, n_runs = parse_scatteritem(scatteritem)
    run = RunSettings.from_config(
        config[system]["reference"],
        seed=seed_of(config, system, f"reference/{scatteritem}"),
        platform=config["openmm_platform"],
    )
    return SimulateProtein(
        system=protein_system(config, system),
        run=run,
        seed_state=seed_state_of_run(config, system, scatteritem),
        hold=tuple(sampling["hold"]),
        walls=HoldWalls(*(sampling["bias"][k] for k in HoldWalls._fields)),
        states=state_thresholds(config, system),
        run_number=run_number,
        n_runs=n_runs,
    )


@job("map_protein")
def map_protein(config: Mapping[str, Any], *, system: str) -> ForceMap:
    """The protein's force map."""
    return force_map(config, system)


class AssignStates(NamedTuple):
    """Settings of ``assign_states`` (and its copies ``assign_states_<k>``, one per
    list of models): folding states, TICA and free-energy surfaces of a protein.

    Attributes:
        method: ``tica`` (basins of the TICA surface) or ``contacts`` (thresholds).
        native_cutoff, tolerance, formed, broken: as :class:`StateThresholds`.
        min_frames: states with fewer frames are skipped.
        tica_lag: TICA lag, frames; tica_bins: bins per axis of the surfaces;
            tica_pca: principal components kept before TICA (0: all distances).
        n_clusters: k-means microstates; n_basins: PCCA+ sets; msm_lag: MSM lag,
            frames (None: the TICA lag in use).
        temperature: K of the free-energy surfaces (the CG simulations').
        models: the protein's trained models, in the order of the rule's outputs.
        seed: seed of ``states`` (the clustering).
    """

    method: str
    native_cutoff: float
    tolerance: float
    formed: float
    broken: float
    min_frames: int
    tica_lag: int
    tica_bins: int
    tica_pca: int
    n_clusters: int
    n_basins: int
    msm_lag: int | None
    temperature: float
    models: tuple[str, ...]
    seed: int


@job("assign_states")
def assign_states(config: Mapping[str, Any], *, system: str) -> AssignStates:
    block = config[system]["states"]
    return AssignStates(
        **{k: block[k] for k in AssignStates._fields[:12]},
        temperature=config[system]["simulation"]["temperature"],
        models=tuple(config[system]["training"]["models"]),
        seed=seed_of(config, system, "states"),
    )
