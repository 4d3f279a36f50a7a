"""Configuration: the JSON schema fills defaults and names bad keys; cross-checks name keys."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import yaml
from snakemake.utils import validate as snakemake_validate
from snakemake_interface_common.exceptions import WorkflowError

from cgexplain.config import (
    ConfigError,
    check_config,
    gpu_request,
    load_schema,
    schema_for,
    system_seed,
    systems_of_kind,
)

from ..conftest import REPO

SCHEMA = str(REPO / "workflow" / "schemas" / "config.schema.yaml")


def validate(config: dict, schema: str = SCHEMA) -> None:
    """Validate as the Snakefile does: the schema closed over the config's system blocks."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "schema.json"
        path.write_text(json.dumps(schema_for(config, load_schema(schema))))
        snakemake_validate(config, str(path))


def load(name: str) -> dict:
    """A scale's config as Snakemake sees it: config.yaml updated by the overrides."""
    base = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    if name != "config":
        override = yaml.safe_load((REPO / "config" / f"{name}.yaml").read_text())

        def merge(a: dict, b: dict) -> None:
            for key, value in b.items():
                if isinstance(value, dict) and isinstance(a.get(key), dict):
                    merge(a[key], value)
                else:
                    a[key] = value

        merge(base, override)
    return base


@pytest.mark.parametrize("scale", ["config", "tiny", "paper"])
def test_shipped_configs_validate(scale):
    config = load(scale)
    validate(config, SCHEMA)
    check_config(config)


def test_default_config_gets_every_default():
    """The shipped blocks hold only what is specific to their system; the schema the rest."""
    config = load("config")
    validate(config, SCHEMA)
    assert config["water"]["reference"]["timestep"] == 2.0  # rigid water; paper: 1 fs
    assert config["methane"]["reference"]["box"] == [20.768, 20.410, 17.969]
    assert config["methane"]["structure"]["rdf_bins"] == 150
    assert config["methane"]["reference"]["temperature"] == 300.0
    assert config["ntl9"]["reference"]["temperature"] == 350.0  # the study's protein
    assert config["ntl9"]["simulation"]["temperature"] == 350.0
    assert config["ntl9"]["mutations"] == ["ILE4ASN", "LEU30PHE"]
    check_config(config)


def test_an_empty_config_names_the_missing_systems():
    with pytest.raises(WorkflowError, match="'systems' is a required property"):
        validate({}, SCHEMA)


def test_a_minimal_protein_block_gets_every_default():
    config = {
        "systems": ["chignolin"],
        "chignolin": {
            "kind": "protein",
            "structure_source": {"path": "x.pdb", "first_residue": 1, "last_residue": 10},
        },
    }
    validate(config, SCHEMA)
    block = config["chignolin"]
    assert block["reference"]["temperature"] == 350.0
    assert block["reference"]["checkpoint_interval"] == 25.0  # the protein's, not the run's
    assert block["training"]["models"] == ["painn"]
    assert block["relevance"]["rule"] == "gamma" and block["mutations"] == []
    check_config(config)
    assert systems_of_kind(config, "protein") == ["chignolin"]
    assert systems_of_kind(config, "liquid") == []


def test_a_copied_liquid_is_a_liquid_of_its_builder():
    config = load("config")
    config["argon"] = json.loads(json.dumps(config["methane"]))
    config["systems"] = [*config["systems"], "argon"]
    validate(config, SCHEMA)
    check_config(config)
    assert systems_of_kind(config, "liquid") == ["methane", "water", "argon"]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda c: c["water"].update(builder="tip4p"), "'tip4p' is not one of"),
        (lambda c: c["water"]["reference"].pop("box_edge"), "water.reference lacks box_edge"),
        (lambda c: c["water"].pop("kind"), "'kind' is a required property"),
        (lambda c: c["ntl9"].update(kind="rna"), "'rna' is not one of"),
        (lambda c: c["methane"]["training"].pop("so3net"), "methane.training.so3net"),
    ],
)
def test_a_system_block_that_is_not_of_its_kind_is_named(change, message):
    config = load("config")
    change(config)
    with pytest.raises((WorkflowError, ConfigError), match=message):
        validate(config, SCHEMA)
        check_config(config)


@pytest.mark.parametrize(
    "path, key",
    [
        (("methane", "reference"), "lenght"),
        (("water", "structure"), "rdf_maxx"),
        ((), "sytems"),
        (("threads",), "refrence"),
    ],
)
def test_unknown_key_is_named(path, key):
    config = load("config")
    node = config
    for p in path:
        node = node.setdefault(p, {})
    node[key] = 1
    with pytest.raises(WorkflowError) as err:
        validate(config, SCHEMA)
    assert repr(key) in str(err.value)


@pytest.mark.parametrize(
    "path, value, where",
    [
        (("water", "reference", "length"), -5.0, "['water']['reference']['length']"),
        (("methane", "reference", "timestep"), "2 fs", "['methane']['reference']['timestep']"),
        (("seed",), 0, "['seed']"),
        (("systems",), ["methane", "argon"], "['systems']"),
    ],
)
def test_bad_value_names_its_key(path, value, where):
    config = load("config")
    node = config
    for p in path[:-1]:
        node = node.setdefault(p, {})
    node[path[-1]] = value
    with pytest.raises(WorkflowError) as err:
        validate(config, SCHEMA)
    assert where in str(err.value)


def test_save_interval_longer_than_run_is_named():
    config = load("tiny")
    validate(config, SCHEMA)
    config["methane"]["reference"]["save_interval"] = 50.0
    with pytest.raises(
        ConfigError, match=r"methane\.reference\.save_interval .* longer than the run"
    ):
        check_config(config)


def test_cutoff_beyond_half_box_is_named():
    config = load("config")
    validate(config, SCHEMA)
    config["water"]["structure"]["rdf_max"] = 12.0
    with pytest.raises(ConfigError, match=r"water\.structure\.rdf_max"):
        check_config(config)


def test_imc_defaults_and_a_table_beyond_the_target_rdf_are_named():
    config = load("config")
    validate(config, SCHEMA)
    assert config["methane"]["imc"]["enabled"] is True
    assert config["methane"]["imc"]["regularization"] == 10.0
    assert config["water"]["imc"]["table_max"] is None  # null: structure.rdf_max
    config["water"]["imc"]["table_max"] = 12.0
    with pytest.raises(
        ConfigError, match=r"water\.imc\.table_max .* exceeds water\.structure\.rdf_max"
    ):
        check_config(config)
    config["water"]["imc"]["enabled"] = False  # a disabled stage is not checked
    check_config(config)


def test_save_interval_not_multiple_of_timestep():
    config = load("config")
    validate(config, SCHEMA)
    config["methane"]["reference"]["save_interval"] = 0.003
    with pytest.raises(ConfigError, match="not a multiple"):
        check_config(config)


def test_system_seeds_are_stable_and_distinct():
    assert system_seed(2025, "water", "reference") == system_seed(2025, "water", "reference")
    seeds = {
        system_seed(2025, s, st) for s in ("water", "methane") for st in ("reference", "training")
    }
    assert len(seeds) == 4 and all(1 <= s < 2**31 for s in seeds)


@pytest.mark.parametrize("setting, expected", [(True, 1), (False, 0), ("true", 1), ("false", 0)])
def test_gpu_request_from_config(setting, expected):
    assert gpu_request(setting) == expected


def test_gpu_auto_follows_nvidia_smi(monkeypatch):
    import cgexplain.config as cfg

    monkeypatch.setattr(cfg, "count_local_gpus", lambda: 0)
    assert cfg.gpu_request("auto") == 0
    monkeypatch.setattr(cfg, "count_local_gpus", lambda: 2)
    assert cfg.gpu_request("auto") == 1


def test_shard_frames_split_evenly_and_sum():
    from cgexplain.config import parse_scatteritem, shard_frames

    assert [shard_frames(10, k, 3) for k in (1, 2, 3)] == [4, 3, 3]
    assert sum(shard_frames(25_000, k, 7) for k in range(1, 8)) == 25_000
    assert parse_scatteritem("2-of-5") == (2, 5)
    with pytest.raises(ValueError):
        shard_frames(10, 4, 3)


def test_more_shards_than_frames_is_named():
    config = load("tiny")
    config["scatter"] = {"reference": 50}
    validate(config, SCHEMA)
    with pytest.raises(ConfigError, match="scatter.reference"):
        check_config(config)


def test_protein_cross_checks_are_named():
    config = load("config")
    validate(config, SCHEMA)
    config["ntl9"]["mutations"] = ["ILE4ASN", "LEU80PHE"]
    config["ntl9"]["states"]["broken"] = 0.8
    with pytest.raises(ConfigError) as err:
        check_config(config)
    assert "ntl9.mutations: LEU80PHE names residue 80, outside 1-39" in str(err.value)
    assert "ntl9.states.broken (0.8) must be below ntl9.states.formed (0.7)" in str(err.value)


def test_bad_mutation_text_is_named():
    config = load("config")
    config["ntl9"]["mutations"] = ["I4N"]
    with pytest.raises(WorkflowError, match="I4N"):
        validate(config, SCHEMA)


def test_settings_come_from_the_config_blocks_without_class_defaults():
    """from_config takes every value from the validated block; nothing from the class."""
    from cgexplain.cg.training import ModelSpec, TrainSpec
    from cgexplain.md.cg_simulation import CGRunSettings
    from cgexplain.md.reference import RunSettings

    config = load("config")
    validate(config, SCHEMA)
    sim = CGRunSettings.from_config(config["ntl9"]["simulation"], seed=7)
    assert (sim.temperature, sim.min_distance, sim.seed) == (350.0, 2.0, 7)
    ref = RunSettings.from_config(config["water"]["reference"], seed=1, platform="CPU")
    assert (ref.timestep, ref.checkpoint_interval, ref.minimize_tolerance) == (2.0, 50.0, 10.0)
    assert ref.heat_length == 0.0  # a liquid has no hot run
    spec = ModelSpec.from_config("painn", config["water"]["training"]["painn"])
    assert (spec.architecture, spec.cutoff, spec.n_rbf) == ("painn", 6.0, 20)
    opt = TrainSpec.from_config(config["methane"]["training"]["optimizer"], seed=3)
    assert (opt.max_epochs, opt.seed) == (15, 3)
    block = dict(config["methane"]["simulation"])
    del block["min_distance"]
    with pytest.raises(ConfigError, match="CGRunSettings needs min_distance"):
        CGRunSettings.from_config(block, seed=1)
