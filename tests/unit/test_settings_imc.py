"""Settings of the imc jobs (cgexplain.settings.imc), from the shipped configs, against
values written out by hand and seeds computed independently."""

from __future__ import annotations

import ast
import copy
import sys

import pytest

from cgexplain.config import load_config_files, system_seed
from cgexplain.settings import for_job, jobs
from cgexplain.settings.imc import CompareIMCRelevance, IMCJob, IMCSettings

from ..conftest import REPO

SCALES = {
    "default": ["config/config.yaml"],
    "tiny": ["config/config.yaml", "config/tiny.yaml"],
}

#: the liquids with an IMC in both shipped configs, with their bead mass (g/mol) and the
#: table end by default: structure.rdf_max (8.9 and 9.9 Å) on the 0.1 Å grid
LIQUIDS = {"methane": (16.04, 8.9), "water": (18.015, 9.9)}

#: the IMC jobs' settings fields taken from the config block as they are
COPIED = (
    "iterations",
    "equilibration_steps",
    "steps",
    "dump_interval",
    "timestep",
    "damping",
    "table_min",
    "table_step",
    "regularization",
    "smoothing",
    "final_steps",
    "final_equilibration_steps",
    "final_dump_interval",
)


@pytest.fixture(scope="module", params=list(SCALES))
def config(request) -> dict:
    return load_config_files([REPO / path for path in SCALES[request.param]])


def test_the_imc_jobs_have_builders():
    assert {"fit_imc", "simulate_imc", "compare_imc_relevance"} <= set(jobs())


def _flat(value) -> list:
    """Every leaf of a settings object (tuples and dataclasses opened)."""
    if isinstance(value, IMCSettings):
        return _flat(tuple(getattr(value, name) for name in value.__dataclass_fields__))
    if isinstance(value, tuple):
        return [leaf for item in value for leaf in _flat(item)]
    return [value]


@pytest.mark.parametrize("system", list(LIQUIDS))
@pytest.mark.parametrize("job_name", ["fit_imc", "simulate_imc"])
def test_imc_job(config, system, job_name):
    settings = for_job(config, job_name, system=system)
    assert isinstance(settings, IMCJob) and isinstance(settings.imc, IMCSettings)
    block = config[system]
    mass, table_end = LIQUIDS[system]
    assert settings.bead_mass == mass == block["simulation"]["bead_mass"]
    imc = settings.imc
    assert imc.seed == system_seed(config["seed"], system, "imc")
    assert imc.temperature == block["reference"]["temperature"] == 300.0
    assert block["imc"]["table_max"] is None  # the shipped configs take the default
    assert imc.table_max == table_end
    for name in COPIED:
        assert getattr(imc, name) == block["imc"][name], name
    # both jobs of the liquid run the same IMC
    assert settings == for_job(config, "fit_imc", system=system)
    # no dict or list: Snakemake's params trigger records the whole repr
    assert not any(isinstance(leaf, (dict, list)) for leaf in _flat(settings))
    # the trajectory's provenance: the flat dict the rule passed before (#35)
    expected = {key: value for key, value in block["imc"].items() if key != "enabled"}
    expected.update(
        table_max=table_end,
        temperature=block["reference"]["temperature"],
        bead_mass=mass,
        seed=system_seed(config["seed"], system, "imc"),
    )
    assert settings.provenance() == expected


@pytest.mark.parametrize(
    "table_max,rdf_max,expected",
    [(None, 8.9, 8.9), (None, 8.95, 8.9), (None, 9.0, 9.0), (7.0, 8.9, 7.0), (None, 0.7, 0.7)],
)
def test_table_max_defaults_to_the_rdf_range_on_the_grid(config, table_max, rdf_max, expected):
    edited = copy.deepcopy(config)
    edited["methane"]["imc"]["table_max"] = table_max
    edited["methane"]["structure"]["rdf_max"] = rdf_max
    settings = for_job(edited, "fit_imc", system="methane")
    assert settings.imc.table_max == expected


@pytest.mark.parametrize("system", list(LIQUIDS))
def test_compare_imc_relevance(config, system):
    settings = for_job(config, "compare_imc_relevance", system=system)
    assert isinstance(settings, CompareIMCRelevance)
    assert settings.models == ("painn", "so3net", "schnet")
    assert list(settings.models) == config[system]["training"]["models"]
    assert settings.min_count == config[system]["relevance"]["min_count"]
    assert isinstance(settings.min_count, int)


def test_the_imc_settings_import_no_heavy_module():
    """The Snakemake process builds them at parse time: stdlib and pure cgexplain
    modules only, at the top and inside functions."""
    tree = ast.parse((REPO / "workflow/lib/cgexplain/settings/imc.py").read_text())
    pure = ("cgexplain.config", "cgexplain.units", "cgexplain.columns", "cgexplain.errors")
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert (
                top in sys.stdlib_module_names
                or name in pure
                or name.startswith("cgexplain.settings")
                or name == "__future__"
            ), name
