"""Configuration: the JSON schema fills defaults and names bad keys; cross-checks name keys."""

from __future__ import annotations

import json

import pytest
import yaml

from cgexplain.config import (
    ConfigError,
    check_config,
    gpu_request,
    load_config_files,
    load_schema,
    merge_config,
    read_config_file,
    system_seed,
    systems_of_kind,
    validate_config,
)

from ..conftest import REPO

SCHEMA = str(REPO / "workflow" / "schemas" / "config.schema.yaml")


def validate(config: dict, schema: str = SCHEMA) -> None:
    """Validate as the Snakefile does: the schema closed over the config's system blocks."""
    validate_config(config, load_schema(schema))


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
    with pytest.raises(ConfigError, match="^config key 'systems' is missing$"):
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
        (lambda c: c["water"].pop("kind"), "config key 'water.kind' is missing"),
        (lambda c: c["ntl9"].update(kind="rna"), "'rna' is not one of"),
        (lambda c: c["methane"]["training"].pop("so3net"), "methane.training.so3net"),
    ],
)
def test_a_system_block_that_is_not_of_its_kind_is_named(change, message):
    config = load("config")
    change(config)
    with pytest.raises(ConfigError, match=message) as err:
        validate(config, SCHEMA)
        check_config(config)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    "path, key, close",
    [
        (("methane", "reference"), "lenght", "length"),
        (("water", "structure"), "rdf_maxx", "rdf_max"),
        ((), "sytems", "systems"),
        (("threads",), "refrence", "reference"),
    ],
)
def test_unknown_key_is_named(path, key, close):
    """One line: the dotted key and the closest known one, no schema dump."""
    config = load("config")
    node = config
    for p in path:
        node = node.setdefault(p, {})
    node[key] = 1
    with pytest.raises(ConfigError) as err:
        validate(config, SCHEMA)
    dotted = ".".join([*path, key])
    assert str(err.value) == f"config key {dotted!r} was unexpected (did you mean {close!r}?)"


@pytest.mark.parametrize(
    "path, value, message",
    [
        (("water", "reference", "length"), -5.0, "'water.reference.length': -5.0 is less"),
        (
            ("methane", "reference", "timestep"),
            "2 fs",
            "'methane.reference.timestep': '2 fs' is not of type 'number'",
        ),
        (("seed",), 0, "'seed': 0 is less than the minimum of 1"),
        (("systems",), ["methane", "argon"], "'systems[1]': 'argon' has no block in the config"),
        (("methane",), [1, 2], "'methane' was unexpected"),
    ],
)
def test_bad_value_names_its_key(path, value, message):
    config = load("config")
    node = config
    for p in path[:-1]:
        node = node.setdefault(p, {})
    node[path[-1]] = value
    with pytest.raises(ConfigError) as err:
        validate(config, SCHEMA)
    assert message in str(err.value) and "\n" not in str(err.value)


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
    with pytest.raises(ConfigError, match="'ntl9.mutations\\[0\\]': 'I4N' does not match"):
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


def _sources(tmp_path, overlay: str) -> list[tuple[str, dict]]:
    """The default config and one overlay file, as the Snakefile passes them."""
    path = tmp_path / "mine.yaml"
    path.write_text(overlay)
    return [("config/config.yaml", load("config")), (str(path), read_config_file(path))]


@pytest.mark.parametrize(
    "overlay, message",
    [
        (
            "methane:\n  reference:\n    lenght: 3\n",
            "config key 'methane.reference.lenght' was unexpected (in {file}; did you mean "
            "'length'?)",
        ),
        (
            "sytems: [methane]\n",
            "config key 'sytems' was unexpected (in {file}; did you mean 'systems'?)",
        ),
        (
            "water:\n  structure: {rdf_max: far}\n",
            "config key 'water.structure.rdf_max' in {file}: 'far' is not of type 'number'",
        ),
        (
            "ntl9:\n  relevance: {gamma: -1}\n",
            "config key 'ntl9.relevance.gamma' in {file}: -1 is less than the minimum of 0",
        ),
    ],
)
def test_a_problem_names_the_file_that_set_the_key(tmp_path, overlay, message):
    sources = _sources(tmp_path, overlay)
    config: dict = {}
    for _, data in sources:
        merge_config(config, data)
    with pytest.raises(ConfigError) as err:
        validate_config(config, sources=sources)
    assert str(err.value) == message.format(file=tmp_path / "mine.yaml")


@pytest.mark.parametrize(
    "text, name, message",
    [
        ("a:\n  b: [1\n  c: 2\n", "x.yaml", r"x\.yaml:3:4: expected ',' or '\]', but got ':' "
         r"\(while parsing a flow sequence from line 2, column 6\)$"),
        ("a:\n\tb: 1\n", "x.yaml", r"x\.yaml:2:1: found character '\\t' that cannot start"),
        ("- 1\n- 2\n", "x.yaml", r"x\.yaml: the top level must be a mapping of keys, not a list"),
        ('{"a": 1,}', "x.json", r"x\.json:1:9: Expecting property name"),
    ],
)  # fmt: skip
def test_a_syntax_error_names_file_line_and_column(tmp_path, text, name, message):
    (tmp_path / name).write_text(text)
    with pytest.raises(ConfigError, match=message) as err:
        read_config_file(tmp_path / name)
    assert "\n" not in str(err.value)


def test_a_missing_config_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"^config file not found: .*nowhere\.yaml$"):
        read_config_file(tmp_path / "nowhere.yaml")


def test_config_files_merge_like_snakemake(tmp_path):
    """Later files win key by key; the result is validated with defaults filled."""
    (tmp_path / "mine.yaml").write_text("methane:\n  reference: {length: 20.0}\nseed: 7\n")
    config = load_config_files([REPO / "config" / "config.yaml", tmp_path / "mine.yaml"])
    assert config["seed"] == 7 and config["methane"]["reference"]["length"] == 20.0
    assert (
        config["methane"]["reference"]["timestep"]
        == load("config")["methane"]["reference"]["timestep"]
    )
    assert config["methane"]["reference"]["temperature"] == 300.0  # the schema's default


def test_one_cross_check_error_is_one_line():
    config = load("config")
    validate(config, SCHEMA)
    config["methane"]["reference"]["save_interval"] = 0.003
    with pytest.raises(ConfigError) as err:
        check_config(config)
    assert str(err.value).startswith("invalid configuration: methane.reference.save_interval")
    assert "\n" not in str(err.value)
