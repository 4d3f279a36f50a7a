"""Settings of the figure jobs (cgexplain.settings.figures), from the default and tiny configs.

Each value is checked against the config files read here as plain YAML, with the schema's
documented default written out where a file leaves the key unset, not against the
validated config the builders read.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from cgexplain.config import load_config_files, validate_config
from cgexplain.settings import figures, for_job, jobs
from cgexplain.settings.figures import (
    BinnedFigure,
    Fig4,
    Fig5,
    Fig6,
    Fig7,
    FigS11,
    IntervalFigure,
    ModelFigure,
)

from ..conftest import REPO

SCALES = {"default": ["config/config.yaml"], "tiny": ["config/config.yaml", "config/tiny.yaml"]}
LIQUIDS = ("methane", "water")
PROTEIN = "ntl9"
RULES = REPO / "workflow" / "rules" / "figures.smk"

#: job -> wildcards it takes besides ``system`` (the rule's output pattern)
PER_MODEL = {
    "plot_fig2",
    "plot_fig3",
    "plot_ci_map",
    "plot_figS10",
    "plot_relevance_supplement",
    "plot_fig5",
    "plot_figS11",
    "plot_fig6",
    "plot_fig7",
}
LIQUID_JOBS = (
    "plot_structure_comparison",
    "plot_figS1",
    "plot_fig2",
    "plot_fig3",
    "plot_ci_map",
    "plot_nbody_spectrum",
    "plot_figS10",
    "plot_relevance_supplement",
)
PROTEIN_JOBS = (
    "plot_nbody_spectrum",
    "plot_figS10",
    "plot_fig4",
    "plot_fig5",
    "plot_figS11",
    "plot_fig6",
    "plot_fig7",
)


@pytest.fixture(scope="module", params=sorted(SCALES))
def scale(request) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(validated config as Snakemake builds it, the raw YAML files in order)."""
    files = [REPO / name for name in SCALES[request.param]]
    config = load_config_files(files)
    validate_config(config)
    return config, [yaml.safe_load(path.read_text()) for path in files]


def raw(files: list[dict[str, Any]], system: str, *keys: str, default: Any) -> Any:
    """``system.keys...`` of the last file that sets it, else the schema's default."""
    value = default
    for data in files:
        node: Any = data.get(system, {})
        for key in keys:
            node = node.get(key, {}) if isinstance(node, dict) else {}
        if node != {}:
            value = node
    return value


def models(files: list[dict[str, Any]], system: str) -> tuple[str, ...]:
    default = ["painn"] if system == PROTEIN else ["painn", "so3net"]
    return tuple(raw(files, system, "training", "models", default=default))


def builtin_only(value: Any) -> bool:
    """Only tuples of str/int/float/bool (what Snakemake's params record keeps)."""
    if isinstance(value, tuple):
        return all(builtin_only(v) for v in value)
    return isinstance(value, str | int | float | bool)


def figure_jobs(config: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """Every figure job with settings of a config: (job, wildcards)."""
    out = []
    for system, names in [(s, LIQUID_JOBS) for s in LIQUIDS] + [(PROTEIN, PROTEIN_JOBS)]:
        for name in names:
            if name in PER_MODEL:
                for model in config[system]["training"]["models"]:
                    out.append((name, {"system": system, "model": model}))
            else:
                out.append((name, {"system": system}))
    return out


def test_every_rule_with_params_takes_its_settings():
    """Each rule of figures.smk with params has exactly ``settings=settings_for("<rule>")``
    and a builder; every figure job the tests below build is such a rule."""
    text = RULES.read_text()
    rules = re.split(r"^rule ", text, flags=re.M)[1:]
    with_params = {}
    for body in rules:
        name = body.split(":", 1)[0].strip()
        if "\n    params:" in body:
            block = body.split("\n    params:\n", 1)[1].split("\n    script:", 1)[0]
            with_params[name] = block.strip()
    assert with_params, "no rule with params found"
    for name, block in with_params.items():
        assert block == f'settings=settings_for("{name}"),', name
    assert set(with_params) == set(LIQUID_JOBS) | set(PROTEIN_JOBS)
    assert set(with_params) <= set(jobs())


def test_config_has_the_systems(scale):
    config, _ = scale
    assert set(LIQUIDS) | {PROTEIN} <= set(config["systems"])
    assert config[PROTEIN]["kind"] == "protein"


def test_every_job_is_an_immutable_tuple_of_builtins(scale):
    config, _ = scale
    built = figure_jobs(config)
    assert len(built) > 20
    for name, wildcards in built:
        settings = for_job(config, name, **wildcards)
        assert isinstance(settings, tuple), name
        assert builtin_only(tuple(settings)), (name, settings)
        assert settings == for_job(config, name, **wildcards)
        # the repr that Snakemake's params rerun-trigger records spells out every value
        assert eval(repr(settings), vars(figures)) == settings


def test_model_figures(scale):
    config, files = scale
    for system in LIQUIDS:
        expected = models(files, system)
        comparison = for_job(config, "plot_structure_comparison", system=system)
        assert comparison == ModelFigure(models=expected)
        assert for_job(config, "plot_figS1", system=system) == ModelFigure(("imc", *expected))
    for system in (*LIQUIDS, PROTEIN):
        spectrum = for_job(config, "plot_nbody_spectrum", system=system)
        assert spectrum.models == models(files, system)


def test_relevance_figures(scale):
    config, files = scale
    for system in (*LIQUIDS, PROTEIN):
        min_count = raw(files, system, "relevance", "min_count", default=5)
        artifacts = raw(files, system, "relevance", "artifacts", "min_count", default=10)
        confidence = raw(files, system, "relevance", "bootstrap", "confidence", default=0.95)
        for model in models(files, system):
            wc = {"system": system, "model": model}
            assert for_job(config, "plot_figS10", **wc) == BinnedFigure(artifacts)
            if system == PROTEIN:
                continue
            assert for_job(config, "plot_fig2", **wc) == BinnedFigure(min_count)
            assert for_job(config, "plot_relevance_supplement", **wc) == BinnedFigure(min_count)
            for name in ("plot_fig3", "plot_ci_map"):
                settings = for_job(config, name, **wc)
                assert settings == IntervalFigure(min_count, confidence)
                assert isinstance(settings.min_count, int)
                assert isinstance(settings.confidence, float)


def test_tiny_blanks_fewer_bins_than_default():
    """The two scales differ where the tiny config says so (the tests see both)."""
    built = {}
    for scale, paths in SCALES.items():
        config = load_config_files([REPO / p for p in paths])
        validate_config(config)
        built[scale] = for_job(config, "plot_fig2", system="methane", model="painn")
    assert built == {"default": BinnedFigure(5), "tiny": BinnedFigure(1)}


def test_protein_figures(scale):
    config, files = scale
    system = PROTEIN
    expected_models = models(files, system)
    separation = raw(files, system, "figure_min_separation", default=3)
    chain = raw(files, system, "structure_source", "chain", default="A")
    fig4 = for_job(config, "plot_fig4", system=system)
    assert fig4 == Fig4(
        labels=("reference", *(f"CG {m}" for m in expected_models)),
        method=raw(files, system, "states", "method", default="tica"),
    )
    for model in expected_models:
        wc = {"system": system, "model": model}
        assert for_job(config, "plot_fig5", **wc) == Fig5(min_separation=separation)
        assert for_job(config, "plot_figS11", **wc) == FigS11(
            min_separation=separation,
            min_frames=raw(files, system, "states", "min_frames", default=10),
            cutoff=raw(files, system, "states", "native_cutoff", default=8.0),
        )
        assert for_job(config, "plot_fig6", **wc) == Fig6(chain=chain)
        fig7 = for_job(config, "plot_fig7", **wc)
        assert fig7 == Fig7(
            mutations=tuple(raw(files, system, "mutations", default=[])),
            first_residue=raw(files, system, "structure_source", "first_residue", default=None),
            n_top=raw(files, system, "n_top", default=5),
            min_separation=separation,
            chain=chain,
        )
        assert isinstance(fig7.mutations, tuple) and fig7.mutations  # Fig. 7 is drawn


def test_fig4_labels_follow_the_surfaces_input(scale):
    """The surfaces are read in the order of ``state_sources``: reference, then models."""
    config, _ = scale
    labels = for_job(config, "plot_fig4", system=PROTEIN).labels
    sources = ["reference", *config[PROTEIN]["training"]["models"]]
    assert [label.removeprefix("CG ") for label in labels] == sources


def test_settings_follow_an_edited_config():
    """Values both scales leave at their defaults (n_top, chain, ...) still come from the
    config: edit each to a non-default value and build again."""
    config = load_config_files([REPO / p for p in SCALES["tiny"]])
    protein, water = config[PROTEIN], config["water"]
    protein["n_top"] = 7
    protein["figure_min_separation"] = 4
    protein["mutations"] = ["LEU30PHE"]
    protein["structure_source"].update(chain="B", first_residue=2)
    protein["states"].update(method="contacts", min_frames=3, native_cutoff=7.5)
    protein["training"]["models"] = ["so3net", "painn"]
    water["training"]["models"] = ["schnet", "painn"]
    water["relevance"].update(min_count=6, bootstrap={"confidence": 0.9})
    water["relevance"]["artifacts"]["min_count"] = 12
    wc = {"system": PROTEIN, "model": "painn"}
    assert for_job(config, "plot_fig7", **wc) == Fig7(("LEU30PHE",), 2, 7, 4, "B")
    assert for_job(config, "plot_fig6", **wc) == Fig6("B")
    assert for_job(config, "plot_fig5", **wc) == Fig5(4)
    assert for_job(config, "plot_figS11", **wc) == FigS11(4, 3, 7.5)
    assert for_job(config, "plot_fig4", system=PROTEIN) == Fig4(
        ("reference", "CG so3net", "CG painn"), "contacts"
    )
    wc = {"system": "water", "model": "schnet"}
    assert for_job(config, "plot_fig3", **wc) == IntervalFigure(6, 0.9)
    assert for_job(config, "plot_ci_map", **wc) == IntervalFigure(6, 0.9)
    assert for_job(config, "plot_fig2", **wc) == BinnedFigure(6)
    assert for_job(config, "plot_relevance_supplement", **wc) == BinnedFigure(6)
    assert for_job(config, "plot_figS10", **wc) == BinnedFigure(12)
    assert for_job(config, "plot_nbody_spectrum", system="water") == ModelFigure(
        ("schnet", "painn")
    )
    assert for_job(config, "plot_figS1", system="water").models == ("imc", "schnet", "painn")
