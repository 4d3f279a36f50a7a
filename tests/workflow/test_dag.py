"""The DAG builds under every scale, lints clean and rejects bad configuration."""

from __future__ import annotations

import pytest

from .conftest import copy_workflow, snakemake


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return copy_workflow(tmp_path_factory.mktemp("dag"))


@pytest.mark.parametrize(
    "configfile", ["config/config.yaml", "config/tiny.yaml", "config/paper.yaml"]
)
def test_dry_run_of_all(workdir, configfile):
    proc = snakemake(workdir, "all", "-n", "--configfile", configfile)
    for rule in (
        "simulate_reference",
        "map_to_cg",
        "analyze_reference_structure",
        "plot_reference_structure",
        "gather_reference",
        "train_model",
        "explain_frames",
        "gather_relevance",
        "compute_agreement",
        "plot_fig2",
        "plot_fig3",
        "plot_relevance_supplement",
    ):
        assert rule in proc.stdout


@pytest.mark.parametrize(
    "target",
    [
        "reference",
        "datasets",
        "models",
        "figures",
        "relevance",
        "fig2",
        "fig3",
        "fig_supplement",
        "results/figures/reference_rdf_water.png",
        "results/figures/fig3_water_so3net.pdf",
    ],
)
def test_named_targets_resolve(workdir, target):
    snakemake(workdir, target, "-n", "--configfile", "config/tiny.yaml")


def test_lint_is_clean(workdir):
    proc = snakemake(workdir, "--lint", check=False)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "Lints for" not in proc.stdout


def test_mistyped_key_on_command_line_is_named(workdir):
    proc = snakemake(workdir, "-n", "--config", "seeed=3", check=False)
    assert proc.returncode != 0
    assert "'seeed' was unexpected" in proc.stdout


def test_inconsistent_value_is_named(workdir, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("water:\n  reference:\n    length: 2.0\n    save_interval: 5.0\n")
    proc = snakemake(workdir, "-n", "--configfile", str(bad), check=False)
    assert proc.returncode != 0
    assert "water.reference.save_interval (5.0 ps) is longer than the run" in proc.stdout


@pytest.mark.parametrize("how", ["set-scatter", "config"])
def test_reference_shards_from_config_or_set_scatter(workdir, tmp_path, how):
    if how == "set-scatter":
        args = ["--set-scatter", "reference=3"]
    else:
        shards = tmp_path / "shards.yaml"
        shards.write_text("scatter:\n  reference: 3\n")
        args = [str(shards)]
    proc = snakemake(workdir, "all", "-n", "--configfile", "config/tiny.yaml", *args)
    stats = proc.stdout.split("Job stats:")[1].split("Reasons")[0]
    jobs = dict(line.split()[:2] for line in stats.splitlines()[3:] if len(line.split()) == 2)
    assert jobs["simulate_reference"] == "6" and jobs["gather_reference"] == "2"


def test_relevance_shards_need_frames(workdir, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("scatter:\n  relevance: 5\nwater:\n  relevance:\n    n_frames: 3\n")
    proc = snakemake(workdir, "-n", "--configfile", str(bad), check=False)
    assert proc.returncode != 0
    assert "scatter.relevance (5) asks for more shards than water.relevance.n_frames (3)" in (
        proc.stdout
    )
