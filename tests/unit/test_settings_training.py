"""Settings of the training jobs (cgexplain.settings.training), built from the shipped
configs and checked against the config and independently computed seeds and series."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from cgexplain.config import check_config, load_config_files, system_seed, validate_config
from cgexplain.settings import for_job, jobs
from cgexplain.settings.training import (
    FitPrior,
    ModelSpec,
    PriorSpec,
    SeriesRun,
    SplitFrames,
    TrainModel,
    TrainSpec,
    cutoff_series_runs,
    series_models,
)

from ..conftest import REPO

SCALES = {
    "default": ["config/config.yaml"],
    "tiny": ["config/config.yaml", "config/tiny.yaml"],
}

#: the cutoff-series copies of the shipped configs, written out by hand:
#: {scale: {system: {copy name: cutoff Å}}} (the series varies PaiNN)
SHIPPED_SERIES = {
    "default": {"methane": {}, "water": {"painn_rc4": 4.0, "painn_rc5": 5.0}, "ntl9": {}},
    "tiny": {"methane": {}, "water": {"painn_rc3p5": 3.5}, "ntl9": {}},
}


def load(scale: str) -> dict:
    return load_config_files([REPO / path for path in SCALES[scale]])


@pytest.fixture(scope="module", params=list(SCALES))
def scaled(request) -> tuple[str, dict]:
    return request.param, load(request.param)


def kind(config: dict, name: str) -> list[str]:
    return [s for s in config["systems"] if config[s]["kind"] == name]


def custom_series_config() -> dict:
    """The default config with an SO3net series on water whose copies' cutoffs are given
    unsorted, one fractional, and a methane series of a model methane does not train."""
    config = load("default")
    config["water"]["training"]["cutoff_series"] = {"model": "so3net", "cutoffs": [5.5, 3.0]}
    config["methane"]["training"]["models"] = ["painn", "so3net"]
    config["methane"]["training"]["cutoff_series"] = {"model": "schnet", "cutoffs": [4.25]}
    config["ntl9"]["training"]["cutoff_series"] = {"model": "painn", "cutoffs": [6.0]}
    validate_config(config)
    check_config(config)
    return config


def test_the_training_jobs_have_builders():
    assert {"split_frames", "train_model", "fit_prior"} <= set(jobs())


def test_split_frames(scaled):
    scale, config = scaled
    for system in config["systems"]:
        settings = for_job(config, "split_frames", system=system)
        assert isinstance(settings, SplitFrames)
        optimizer = config[system]["training"]["optimizer"]
        assert settings.val_fraction == optimizer["val_fraction"]
        assert settings.val_split == optimizer["val_split"]
        assert settings.val_block == optimizer["val_block"]
        assert settings.seed == system_seed(config["seed"], system, "training/split")
        hash(settings)  # builtins and frozen values only: no dict or list inside


def check_optimizer(config: dict, system: str, model: str, spec: TrainSpec) -> None:
    optimizer = config[system]["training"]["optimizer"]
    values = dataclasses.asdict(spec)
    assert values.pop("seed") == system_seed(config["seed"], system, f"training/{model}")
    assert values == {key: optimizer[key] for key in values}


def test_train_model_of_each_configured_model(scaled):
    scale, config = scaled
    for system in config["systems"]:
        for model in config[system]["training"]["models"]:
            settings = for_job(config, "train_model", system=system, model=model)
            assert isinstance(settings, TrainModel)
            block = config[system]["training"][model]
            assert settings.model == ModelSpec(architecture=model, **block)
            check_optimizer(config, system, model, settings.optimizer)
            hash(settings)


def test_train_model_of_each_series_copy(scaled):
    """A copy: its architecture's block with the copy's cutoff, its own seed."""
    scale, config = scaled
    for system, copies in SHIPPED_SERIES[scale].items():
        assert series_models(config, system) == {name: ("painn", c) for name, c in copies.items()}
        for name, cutoff in copies.items():
            settings = for_job(config, "train_model", system=system, model=name)
            block = {**config[system]["training"]["painn"], "cutoff": cutoff}
            assert settings.model == ModelSpec(architecture="painn", **block)
            check_optimizer(config, system, name, settings.optimizer)


def test_cutoff_series_runs_of_the_shipped_configs(scaled):
    scale, config = scaled
    own = config["water"]["training"]["painn"]["cutoff"]
    expected = sorted(
        [*SHIPPED_SERIES[scale]["water"].items(), ("painn", own)], key=lambda r: r[1]
    )
    runs = cutoff_series_runs(config, "water")
    assert runs == tuple(expected)
    assert all(isinstance(run, SeriesRun) for run in runs)
    assert cutoff_series_runs(config, "methane") == ()
    assert cutoff_series_runs(config, "ntl9") == ()


def test_a_custom_series():
    """Names with ``p`` for the point, sorted runs, the own model only when trained, none
    for a protein."""
    config = custom_series_config()
    assert series_models(config, "water") == {
        "so3net_rc5p5": ("so3net", 5.5),
        "so3net_rc3": ("so3net", 3.0),
    }
    own = config["water"]["training"]["so3net"]["cutoff"]
    assert cutoff_series_runs(config, "water") == tuple(
        sorted([("so3net_rc5p5", 5.5), ("so3net_rc3", 3.0), ("so3net", own)], key=lambda r: r[1])
    )
    # methane trains no SchNet: its copy alone
    assert series_models(config, "methane") == {"schnet_rc4p25": ("schnet", 4.25)}
    assert cutoff_series_runs(config, "methane") == (("schnet_rc4p25", 4.25),)
    assert series_models(config, "ntl9") == {}  # proteins have no series
    settings = for_job(config, "train_model", system="water", model="so3net_rc3")
    block = {**config["water"]["training"]["so3net"], "cutoff": 3.0}
    assert settings.model == ModelSpec(architecture="so3net", **block)
    check_optimizer(config, "water", "so3net_rc3", settings.optimizer)
    settings = for_job(config, "train_model", system="methane", model="schnet_rc4p25")
    assert settings.model.architecture == "schnet"
    assert settings.model.cutoff == 4.25


def test_a_copy_keeps_the_config_unchanged():
    config = load("default")
    before = copy.deepcopy(config)
    for_job(config, "train_model", system="water", model="painn_rc4")
    assert config == before


def test_fit_prior(scaled):
    scale, config = scaled
    proteins = kind(config, "protein")
    assert proteins
    for system in proteins:
        settings = for_job(config, "fit_prior", system=system)
        assert isinstance(settings, FitPrior)
        assert settings.prior == PriorSpec(**config[system]["prior"])
        assert dataclasses.asdict(settings.prior) == config[system]["prior"]
        assert settings.temperature == config[system]["reference"]["temperature"]
        hash(settings)


def test_fit_prior_reads_the_reference_temperature():
    """The Boltzmann inversion's temperature is the reference run's, not the CG runs'."""
    config = load("default")
    config["ntl9"]["reference"]["temperature"] = 312.5
    config["ntl9"]["prior"]["max_sigma"] = 4.5
    settings = for_job(config, "fit_prior", system="ntl9")
    assert settings.temperature == 312.5
    assert settings.prior.max_sigma == 4.5
