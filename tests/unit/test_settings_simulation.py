"""Settings of the CG simulation jobs (cgexplain.settings.simulation): the structure
validation and the cutoff series, from the shipped configs, against independently
written expectations and seeds."""

from __future__ import annotations

import pytest

from cgexplain.config import load_config_files, system_seed
from cgexplain.settings import for_job, jobs
from cgexplain.settings.simulation import (
    CompareCutoffs,
    StructureBootstrap,
    ValidateStructure,
    structure_pairs,
)

from ..conftest import REPO

SCALES = {
    "default": ["config/config.yaml"],
    "tiny": ["config/config.yaml", "config/tiny.yaml"],
}

#: the cutoff series of water in the shipped configs, by cutoff, written out by hand
#: (the copies, then PaiNN's own cutoff)
WATER_SERIES = {
    "default": (("painn_rc4", 4.0), ("painn_rc5", 5.0), ("painn", 6.0)),
    "tiny": (("painn_rc3p5", 3.5), ("painn", 4.5)),
}

MODELS = ("painn", "so3net", "schnet")  # both shipped configs train all three on liquids


def load(scale: str) -> dict:
    return load_config_files([REPO / path for path in SCALES[scale]])


@pytest.fixture(scope="module", params=list(SCALES))
def scaled(request) -> tuple[str, dict]:
    return request.param, load(request.param)


def test_the_simulation_jobs_have_builders():
    assert {"validate_structure", "compare_cutoffs"} <= set(jobs())


@pytest.mark.parametrize("imc", [(), ("methane", "water"), ("water",)])
def test_validate_structure_pairs(scaled, imc):
    """Trained models of each liquid, then IMC, then the series copies: the inputs' order."""
    scale, config = scaled
    copies = [("water", name) for name, _ in WATER_SERIES[scale][:-1]]
    expected = (
        [("methane", m) for m in MODELS]
        + [("water", m) for m in MODELS]
        + [(s, "imc") for s in imc]
        + copies
    )
    settings = for_job(config, "validate_structure", imc_systems=list(imc))
    assert isinstance(settings, ValidateStructure)
    assert settings.pairs == tuple(expected)
    assert structure_pairs(config, imc) == settings.pairs
    hash(settings)  # builtins and frozen values only


def test_validate_structure_bootstrap(scaled):
    """One bootstrap per liquid (none for the protein), seeded by ``structure_metrics``."""
    scale, config = scaled
    settings = for_job(config, "validate_structure", imc_systems=[])
    assert [b.system for b in settings.bootstrap] == ["methane", "water"]
    for system in ("methane", "water"):
        b = settings.bootstrap_of(system)
        assert isinstance(b, StructureBootstrap)
        block = config[system]["relevance"]["bootstrap"]
        assert b.n_resamples == block["n_resamples"]
        assert b.confidence == block["confidence"]
        assert b.block_length == block["block_length"]
        assert b.seed == system_seed(config["seed"], system, "structure_metrics")
    with pytest.raises(KeyError, match="ntl9"):
        settings.bootstrap_of("ntl9")


def test_compare_cutoffs(scaled):
    scale, config = scaled
    settings = for_job(config, "compare_cutoffs", system="water")
    assert isinstance(settings, CompareCutoffs)
    assert settings.runs == WATER_SERIES[scale]
    assert [(run.model, run.cutoff) for run in settings.runs] == list(WATER_SERIES[scale])
    assert for_job(config, "compare_cutoffs", system="methane").runs == ()
    hash(settings)
