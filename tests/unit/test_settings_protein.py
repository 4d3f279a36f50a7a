"""Settings of the protein jobs (cgexplain.settings.protein): structure, ramp, seeds,
production runs, mapping and state assignment, built from the default and the tiny
config and checked against independent computations and against what the workflow's
params functions returned before the settings package (written out below)."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import pytest

from cgexplain.config import (
    load_config_files,
    parse_scatteritem,
    system_seed,
    validate_config,
)
from cgexplain.errors import InputError
from cgexplain.settings import for_job, jobs
from cgexplain.settings.protein import (
    AssignStates,
    BiasSettings,
    DownloadStructure,
    PrepareStructure,
    RampProtein,
    RampSettings,
    SeedProtein,
    SimulateProtein,
    seed_state,
    seed_state_of_run,
    seed_states,
)
from cgexplain.settings.reference import ForceMap, RunSettings

from ..conftest import REPO

SCALES = {"default": ["config/config.yaml"], "tiny": ["config/config.yaml", "config/tiny.yaml"]}
PROTEIN = "ntl9"
ALL_STATES = ("F", "U", "P1", "P2")
JOBS = (
    "download_structure",
    "prepare_structure",
    "ramp_protein",
    "seed_protein",
    "simulate_protein",
    "map_protein",
    "assign_states",
)


@pytest.fixture(scope="module", params=sorted(SCALES))
def config(request) -> dict[str, Any]:
    config = load_config_files([REPO / name for name in SCALES[request.param]])
    validate_config(config)
    return config


# ---------------------------------------------------------------- the old params functions
# (common.smk before the settings package, with the wildcards as arguments)


def old_download_url(config: dict, pdb_id: str) -> str:
    for system in (s for s in config["systems"] if config[s]["kind"] == "protein"):
        source = config[system]["structure_source"]
        if (source["pdb_id"] or "").upper() == pdb_id:
            return source["url"].format(pdb_id=pdb_id)
    raise ValueError(f"no protein of the config names PDB entry {pdb_id}")


def old_protein_run_settings(config: dict, system: str, scatteritem: str) -> dict:
    reference = config[system]["reference"]
    system_keys = (
        "external",
        "forcefield",
        "implicit_solvent",
        "cutoff",
        "hydrogen_mass",
        "n_runs",
    )
    ref = {k: v for k, v in reference.items() if k not in system_keys}
    ref["seed"] = system_seed(config["seed"], system, f"reference/{scatteritem}")
    ref["platform"] = config["openmm_platform"]
    return ref


def old_seed_state_of_run(config: dict, system: str, scatteritem: str) -> str:
    run, _ = parse_scatteritem(scatteritem)
    states = config[system]["sampling"]["states"]
    return states[(run - 1) % len(states)]


def old_sampling_run_settings(config: dict, system: str, state: str | None = None) -> dict:
    ref = config[system]["reference"]
    stage = "ramp" if state is None else f"seed/{state}"
    return {
        "friction": ref["friction"],
        "timestep": ref["timestep"],
        "temperature": ref["temperature"],
        "platform": config["openmm_platform"],
        "seed": system_seed(config["seed"], system, stage),
    }


def old_protein_system_settings(config: dict, system: str) -> dict:
    ref = config[system]["reference"]
    return {
        "name": system,
        **{k: ref[k] for k in ("forcefield", "implicit_solvent", "cutoff", "hydrogen_mass")},
    }


def runs(config: dict) -> list[str]:
    n = config[PROTEIN]["reference"]["n_runs"]
    return [f"{k}-of-{n}" for k in range(1, n + 1)]


# ---------------------------------------------------------------- tests


def test_the_protein_jobs_have_builders():
    assert set(JOBS) <= set(jobs())


def test_download_structure(config):
    source = config[PROTEIN]["structure_source"]
    pdb_id = source["pdb_id"].upper()
    settings = for_job(config, "download_structure", pdb_id=pdb_id)
    assert isinstance(settings, DownloadStructure)
    assert settings.url == old_download_url(config, pdb_id)
    assert settings.url == f"https://files.rcsb.org/download/{pdb_id}.pdb"
    with pytest.raises(ValueError, match="names PDB entry 9ZZZ"):
        for_job(config, "download_structure", pdb_id="9ZZZ")


def test_prepare_structure(config):
    settings = for_job(config, "prepare_structure", system=PROTEIN)
    assert isinstance(settings, PrepareStructure)
    source = config[PROTEIN]["structure_source"]
    assert settings._asdict() == {k: source[k] for k in PrepareStructure._fields}


def test_ramp_protein(config):
    """The ramp block with the reference's dynamics and the seed of ``ramp``, as the
    script built it from the old params."""
    settings = for_job(config, "ramp_protein", system=PROTEIN)
    assert isinstance(settings, RampProtein)
    run = old_sampling_run_settings(config, PROTEIN)
    assert settings.ramp.seed == system_seed(config["seed"], PROTEIN, "ramp")
    assert settings.ramp == RampSettings(
        **config[PROTEIN]["sampling"]["ramp"],
        friction=run["friction"],
        timestep=run["timestep"],
        seed=run["seed"],
        platform=run["platform"],
    )
    assert settings.system._asdict() == old_protein_system_settings(config, PROTEIN)
    states = config[PROTEIN]["states"]
    assert settings.states._asdict() == {
        k: states[k] for k in ("native_cutoff", "tolerance", "formed", "broken")
    }
    hash(settings)


@pytest.mark.parametrize("state", ALL_STATES)
def test_seed_protein(config, state):
    """The bias block at the reference temperature, seeded by ``seed/<state>``."""
    settings = for_job(config, "seed_protein", system=PROTEIN, state=state)
    assert isinstance(settings, SeedProtein)
    run = old_sampling_run_settings(config, PROTEIN, state)
    assert settings.bias.seed == system_seed(config["seed"], PROTEIN, f"seed/{state}")
    assert settings.bias == BiasSettings(
        **config[PROTEIN]["sampling"]["bias"],
        temperature=run["temperature"],
        friction=run["friction"],
        timestep=run["timestep"],
        seed=run["seed"],
        platform=run["platform"],
    )
    assert settings.system._asdict() == old_protein_system_settings(config, PROTEIN)
    hash(settings)


def test_seed_protein_seeds_differ_by_state(config):
    seeds = {
        for_job(config, "seed_protein", system=PROTEIN, state=s).bias.seed for s in ALL_STATES
    }
    assert len(seeds) == len(ALL_STATES)
    assert system_seed(config["seed"], PROTEIN, "ramp") not in seeds


def test_simulate_protein_runs(config):
    """Each run's seed (``reference/<k>-of-<n>``), its run settings as the script made
    them from the old params, and the walls of a held run."""
    sampling = config[PROTEIN]["sampling"]
    seeds = set()
    for item in runs(config):
        settings = for_job(config, "simulate_protein", system=PROTEIN, scatteritem=item)
        assert isinstance(settings, SimulateProtein)
        assert settings.run.seed == system_seed(config["seed"], PROTEIN, f"reference/{item}")
        seeds.add(settings.run.seed)
        old = old_protein_run_settings(config, PROTEIN, item)
        assert settings.run == RunSettings.from_config(old, threads=1)
        assert settings.run.length == config[PROTEIN]["reference"]["length"]  # not sharded
        assert (settings.run_number, settings.n_runs) == parse_scatteritem(item)
        assert settings.system._asdict() == old_protein_system_settings(config, PROTEIN)
        assert settings.hold == tuple(sampling["hold"])
        assert settings.walls._asdict() == {
            k: sampling["bias"][k] for k in ("k", "margin", "tolerance", "sharpness")
        }
        assert settings.states == for_job(config, "ramp_protein", system=PROTEIN).states
        hash(settings)
    assert len(seeds) == len(runs(config))


def test_simulate_protein_seed_states(config):
    """Run k starts from state k mod len(states): each state seeds its share of the runs
    (counted independently), and the old input function named the same seed file."""
    states = config[PROTEIN]["sampling"]["states"]
    n_runs = config[PROTEIN]["reference"]["n_runs"]
    of_run = [
        for_job(config, "simulate_protein", system=PROTEIN, scatteritem=item).seed_state
        for item in runs(config)
    ]
    assert of_run == list(itertools.islice(itertools.cycle(states), n_runs))
    counts = Counter(of_run)
    for i, state in enumerate(states):
        assert counts[state] == n_runs // len(states) + (i < n_runs % len(states))
    for item, state in zip(runs(config), of_run, strict=True):
        assert seed_state_of_run(config, PROTEIN, item) == state
        assert old_seed_state_of_run(config, PROTEIN, item) == state
    assert seed_states(n_runs, states) == of_run


@pytest.mark.parametrize("n_runs", [1, 3, 4, 9])
def test_seed_states_cycle(n_runs):
    """One rule, shared with cgexplain.md.sampling: the same list for every count."""
    from cgexplain.md import sampling

    assert sampling.seed_states is seed_states
    assert sampling.RampSettings is RampSettings
    assert sampling.BiasSettings is BiasSettings
    states = ["U", "P2", "F"]
    expected = [states[k % 3] for k in range(n_runs)]
    assert seed_states(n_runs, states) == expected
    assert [seed_state(k, states) for k in range(1, n_runs + 1)] == expected
    with pytest.raises(InputError, match="sampling.states is empty"):
        seed_states(n_runs, [])


def test_map_protein(config):
    settings = for_job(config, "map_protein", system=PROTEIN)
    assert isinstance(settings, ForceMap)
    assert settings._asdict() == dict(config[PROTEIN]["force_map"])


def test_assign_states(config):
    """The old params: the ``states`` block, the CG temperature, the models of the
    rule's outputs and the seed of ``states``."""
    settings = for_job(config, "assign_states", system=PROTEIN)
    assert isinstance(settings, AssignStates)
    block = config[PROTEIN]["states"]
    fields = settings._asdict()
    assert {k: fields[k] for k in block} == dict(block)
    assert settings.temperature == config[PROTEIN]["simulation"]["temperature"]
    assert settings.models == tuple(config[PROTEIN]["training"]["models"])
    assert settings.seed == system_seed(config["seed"], PROTEIN, "states")
    assert set(AssignStates._fields) == {*block, "temperature", "models", "seed"}
    hash(settings)


def test_ramp_settings_check_the_config():
    with pytest.raises(InputError, match="ramp length must be positive"):
        RampSettings(start_temperature=300.0, end_temperature=400.0, length=0.0, save_interval=1.0)
