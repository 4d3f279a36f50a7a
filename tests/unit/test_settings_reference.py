"""Settings of the reference jobs (cgexplain.settings.reference): the liquids' reference
shards, the structure of CG trajectories and the liquids' mapping, built from the default
and the tiny config and checked against independent computations and against what the
workflow's params functions returned before the settings package (written out below)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from cgexplain.config import (
    load_config_files,
    parse_scatteritem,
    shard_frames,
    system_seed,
    validate_config,
)
from cgexplain.md.builders import liquid_builder
from cgexplain.settings import for_job, jobs
from cgexplain.settings.reference import (
    AnalyzeStructure,
    ForceMap,
    LiquidBuild,
    RunSettings,
    SimulateReference,
    check_seed,
)

from ..conftest import REPO

SCALES = {"default": ["config/config.yaml"], "tiny": ["config/config.yaml", "config/tiny.yaml"]}
LIQUIDS = ("methane", "water")
JOBS = ("simulate_reference", "analyze_reference_structure", "analyze_cg_structure", "map_to_cg")


@pytest.fixture(scope="module", params=sorted(SCALES))
def config(request) -> dict[str, Any]:
    config = load_config_files([REPO / name for name in SCALES[request.param]])
    validate_config(config)
    return config


def old_reference_settings(config: dict, system: str, scatteritem: str) -> dict:
    """``reference_settings`` of common.smk before the settings package (params of
    ``simulate_reference``, with ``builder=config[system]["builder"]`` beside it)."""
    ref = dict(config[system]["reference"])
    shard, n_shards = parse_scatteritem(scatteritem)
    n_frames = int(round(ref["length"] / ref["save_interval"]))
    ref["length"] = shard_frames(n_frames, shard, n_shards) * ref["save_interval"]
    ref["seed"] = system_seed(config["seed"], system, f"reference/{scatteritem}")
    ref["platform"] = config["openmm_platform"]
    return ref


def items(n_shards: int) -> list[str]:
    return [f"{k}-of-{n_shards}" for k in range(1, n_shards + 1)]


def test_the_reference_jobs_have_builders():
    assert set(JOBS) <= set(jobs())


@pytest.mark.parametrize("system", LIQUIDS)
def test_simulate_reference_seeds(config, system):
    """Each shard's own seed, from the stage ``reference/<k>-of-<n>``."""
    n_shards = config["scatter"]["reference"]
    seeds = []
    for item in items(n_shards):
        settings = for_job(config, "simulate_reference", system=system, scatteritem=item)
        assert isinstance(settings, SimulateReference)
        assert settings.run.seed == system_seed(config["seed"], system, f"reference/{item}")
        seeds.append(settings.run.seed)
    assert len(set(seeds)) == n_shards


@pytest.mark.parametrize("system", LIQUIDS)
@pytest.mark.parametrize("n_shards", [None, 1, 2, 3, 7])
def test_simulate_reference_shards_hold_all_frames(config, system, n_shards):
    """The shards' frames sum to the run's (length / save_interval), differ by at most
    one, the larger ones first; every shard keeps the block's other run settings."""
    n_shards = n_shards or config["scatter"]["reference"]
    block = config[system]["reference"]
    total = round(block["length"] / block["save_interval"])
    runs = [
        for_job(config, "simulate_reference", system=system, scatteritem=item).run
        for item in items(n_shards)
    ]
    frames = [run.n_frames for run in runs]
    assert sum(frames) == total
    assert frames == sorted(frames, reverse=True)
    assert max(frames) - min(frames) <= 1
    for k, run in enumerate(runs, start=1):
        shard = for_job(
            config, "simulate_reference", system=system, scatteritem=f"{k}-of-{n_shards}"
        )
        assert (shard.shard, shard.n_shards) == (k, n_shards)
        assert run.length == pytest.approx(frames[k - 1] * block["save_interval"])
        for key in ("temperature", "friction", "timestep", "equilibration", "save_interval"):
            assert getattr(run, key) == block[key]
        assert run.checkpoint_interval == block["checkpoint_interval"]
        assert run.minimize_tolerance == block["minimize_tolerance"]
        assert run.platform == config["openmm_platform"]
        assert (run.heat_temperature, run.heat_length, run.threads) == (0.0, 0.0, 1)


@pytest.mark.parametrize("system", LIQUIDS)
def test_simulate_reference_equals_the_old_params(config, system):
    """The run settings the script made from the old params (``RunSettings.from_config``
    of the dict) and the builder's view of the block are what the settings hold."""
    for n_shards in (config["scatter"]["reference"], 3):
        for item in items(n_shards):
            old = old_reference_settings(config, system, item)
            settings = for_job(config, "simulate_reference", system=system, scatteritem=item)
            assert settings.run == RunSettings.from_config(old, threads=1)
            assert settings.builder.name == config[system]["builder"]
            block = settings.builder.block()
            for key in liquid_builder(settings.builder.name).keys:
                value = old[key]
                assert block[key] == (tuple(value) if isinstance(value, list) else value)
            hash(settings)  # builtins and frozen values only


def test_liquid_build_options():
    """Lists become tuples; the run settings stay out of the builder's options."""
    config = load_config_files([REPO / "config/config.yaml"])
    validate_config(config)
    settings = for_job(config, "simulate_reference", system="methane", scatteritem="1-of-1")
    assert isinstance(settings.builder, LiquidBuild)
    assert settings.builder.block() == {
        "n_molecules": 125,
        "box": (20.768, 20.41, 17.969),
        "cutoff": 8.0,
    }


@pytest.mark.parametrize("job", ["analyze_reference_structure", "analyze_cg_structure"])
@pytest.mark.parametrize("system", LIQUIDS)
def test_analyze_structure(config, job, system):
    """The ``structure`` block (the old params), the same for the reference and a model."""
    block = config[system]["structure"]
    context = {"model": "painn"} if job == "analyze_cg_structure" else {}
    settings = for_job(config, job, system=system, **context)
    assert isinstance(settings, AnalyzeStructure)
    assert settings._asdict() == dict(block)
    assert settings == for_job(config, "analyze_reference_structure", system=system)
    hash(settings)


@pytest.mark.parametrize("system", LIQUIDS)
def test_map_to_cg(config, system):
    settings = for_job(config, "map_to_cg", system=system)
    assert isinstance(settings, ForceMap)
    assert settings._asdict() == dict(config[system]["force_map"])


def test_run_settings_live_in_the_settings_package():
    from cgexplain.md import reference

    assert reference.RunSettings is RunSettings
    assert reference.check_seed is check_seed
    assert check_seed(np.int64(5)) == 5
    for bad in (0, True, 1.5, "3"):
        with pytest.raises(ValueError, match="seed must be an integer >= 1"):
            check_seed(bad)
